package desk

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"
)

// RetryPolicy is the budget for automatic retries of 429, 5xx and
// connection failures. Zero fields take the defaults shown.
type RetryPolicy struct {
	MaxAttempts int           // attempts per call, including the first (4)
	BaseDelay   time.Duration // first backoff step, doubled each time (500ms)
	MaxDelay    time.Duration // cap on one backoff step (30s)
	MaxWait     time.Duration // cap on the total time spent waiting in one call (60s)
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = 4
	}
	if p.BaseDelay <= 0 {
		p.BaseDelay = 500 * time.Millisecond
	}
	if p.MaxDelay <= 0 {
		p.MaxDelay = 30 * time.Second
	}
	if p.MaxWait <= 0 {
		p.MaxWait = 60 * time.Second
	}
	return p
}

// Options configures a Client.
type Options struct {
	// DataCentre selects Zoho's region; BaseURL, when set, overrides its
	// Desk URL (the emulator, a test server).
	DataCentre DataCentre
	BaseURL    string
	// OrgID is the portal sent as the orgId header; see WithOrg.
	OrgID string
	// Tokens supplies access tokens (a *TokenSource, or StaticToken).
	Tokens TokenProvider
	// HTTPClient is used for every call; a safe default when nil. Plain
	// http is refused to anything but loopback hosts either way.
	HTTPClient *http.Client
	// Retry is the retry budget.
	Retry RetryPolicy
	// UserAgent is sent on every request.
	UserAgent string
	// Concurrency caps the requests in flight at once. Zoho caps
	// concurrent calls per portal by edition (see PlanConcurrency), shared
	// by everyone using the portal; DefaultConcurrency when zero.
	Concurrency int
}

// Stats counts what a Client did; every request costs Desk credits.
type Stats struct {
	Requests  int64 // HTTP requests sent, retries included
	Retries   int64 // of which automatic retries
	Refreshes int64 // token refreshes after a 401
	// Credits is the API credits the calls cost, by the contract's
	// per-operation weights (Zoho counts them per portal per day).
	Credits int64
	// Throttled counts answers that asked the client to slow down: 429
	// and THRESHOLD_EXCEEDED.
	Throttled int64
}

type counters struct {
	requests, retries, refreshes, credits, throttled atomic.Int64
	skew                                             atomic.Int64 // server clock minus ours, ns (from Date headers)
}

// Client calls the Desk REST API v1. It is safe for concurrent use.
type Client struct {
	root   string // https://desk.zoho.com/api/v1
	orgID  string
	tokens TokenProvider
	hc     *http.Client
	retry  RetryPolicy
	ua     string
	stats  *counters
	sem    chan struct{} // in-flight requests, shared by copies
	now    func() time.Time
}

// New returns a Client; it fails on an unusable base URL.
func New(opts Options) (*Client, error) {
	base := opts.BaseURL
	if base == "" {
		base = opts.DataCentre.DeskURL
	}
	if base == "" {
		base = DataCentres[0].DeskURL
	}
	u, err := checkBaseURL(base)
	if err != nil {
		return nil, err
	}
	if opts.Tokens == nil {
		return nil, errors.New("desk: new client: no token provider")
	}
	ua := opts.UserAgent
	if ua == "" {
		ua = "Tandem-CRM"
	}
	conc := opts.Concurrency
	if conc <= 0 {
		conc = DefaultConcurrency
	}
	return &Client{
		root:   strings.TrimRight(u.String(), "/") + "/api/v1",
		orgID:  opts.OrgID,
		tokens: opts.Tokens,
		hc:     secureClient(opts.HTTPClient),
		retry:  opts.Retry.withDefaults(),
		ua:     ua,
		stats:  &counters{},
		sem:    make(chan struct{}, conc),
		now:    time.Now,
	}, nil
}

// WithOrg returns a copy of c that sends orgID; it shares c's counters.
func (c *Client) WithOrg(orgID string) *Client {
	cc := *c
	cc.orgID = orgID
	return &cc
}

// WithConcurrency returns a copy of c that sends at most n requests at
// once (DefaultConcurrency when n <= 0); it shares c's tokens, so changing
// the setting costs no new access token, and c's counters. Requests in
// flight on c finish under c's limit.
func (c *Client) WithConcurrency(n int) *Client {
	if n <= 0 {
		n = DefaultConcurrency
	}
	cc := *c
	cc.sem = make(chan struct{}, n)
	return &cc
}

// OrgID returns the portal id the client sends.
func (c *Client) OrgID() string { return c.orgID }

// Stats returns the request counters.
func (c *Client) Stats() Stats {
	return Stats{
		Requests:  c.stats.requests.Load(),
		Retries:   c.stats.retries.Load(),
		Refreshes: c.stats.refreshes.Load(),
		Credits:   c.stats.credits.Load(),
		Throttled: c.stats.throttled.Load(),
	}
}

// Concurrency returns how many requests the client sends at once at most.
func (c *Client) Concurrency() int { return cap(c.sem) }

// ServerNow estimates Desk's clock: ours corrected by the Date headers of
// its answers (to a second).
func (c *Client) ServerNow() time.Time {
	return c.now().Add(time.Duration(c.stats.skew.Load()))
}

func idempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete, http.MethodOptions:
		return true
	case http.MethodPatch:
		// Desk's PATCH sets fields to given values, so sending it twice
		// leaves the same state.
		return true
	}
	return false
}

// call is one API call: method and path below /api/v1, query, JSON body,
// and where to decode the answer. It reports whether a body was decoded
// (false on 204 No Content or an empty body).
func (c *Client) call(ctx context.Context, method, path string, query url.Values, in, out any) (bool, error) {
	var body []byte
	ctype := "application/json"
	if mb, ok := in.(*multipartBody); ok {
		body, ctype = mb.data, mb.ctype
	} else if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return false, fmt.Errorf("desk: encode body: %w", err)
		}
		body = b
	}
	u := c.root + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	idem := idempotent(method)
	refreshed := false
	var waited time.Duration
	var lastErr error
	for attempt := 1; ; attempt++ {
		retryable, wait, decoded, err := c.once(ctx, method, path, u, body, ctype, out, idem, &refreshed)
		if err == nil {
			return decoded, nil
		}
		lastErr = err
		if !retryable || attempt >= c.retry.MaxAttempts {
			return false, lastErr
		}
		d := c.backoff(attempt, wait)
		if waited+d > c.retry.MaxWait {
			return false, lastErr
		}
		if err := sleep(ctx, d); err != nil {
			return false, &TransportError{Method: method, Path: path, Err: err}
		}
		waited += d
		c.stats.retries.Add(1)
	}
}

// backoff is exponential with jitter; a server's Retry-After wins when it
// is longer.
func (c *Client) backoff(attempt int, retryAfter time.Duration) time.Duration {
	d := c.retry.BaseDelay << (attempt - 1)
	if d > c.retry.MaxDelay || d <= 0 {
		d = c.retry.MaxDelay
	}
	d = d/2 + rand.N(d/2+1) // jitter in [d/2, d]
	if retryAfter > d {
		d = retryAfter + rand.N(retryAfter/10+1)
	}
	return d
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// once sends one request. retryable says whether another attempt may
// follow; wait is the server's Retry-After.
func (c *Client) once(ctx context.Context, method, path, u string, body []byte, ctype string, out any, idem bool, refreshed *bool) (retryable bool, wait time.Duration, decoded bool, err error) {
	tok, err := c.tokens.AccessToken(ctx)
	if err != nil {
		return false, 0, false, err
	}
	for {
		var rdr io.Reader
		if body != nil {
			rdr = bytes.NewReader(body)
		}
		req, err := http.NewRequestWithContext(ctx, method, u, rdr)
		if err != nil {
			return false, 0, false, fmt.Errorf("desk: build request: %w", err)
		}
		req.Header.Set("Authorization", "Zoho-oauthtoken "+tok)
		req.Header.Set("Accept", "application/json")
		req.Header.Set("User-Agent", c.ua)
		if body != nil {
			req.Header.Set("Content-Type", ctype)
		}
		if path != "/organizations" && c.orgID != "" {
			req.Header.Set("orgId", c.orgID)
		}
		c.stats.requests.Add(1)
		if err := c.acquire(ctx); err != nil {
			return false, 0, false, &TransportError{Method: method, Path: path, Err: err}
		}
		resp, err := c.hc.Do(req)
		if err != nil {
			c.release()
			te := &TransportError{Method: method, Path: path, Err: err}
			if ctx.Err() != nil {
				return false, 0, false, te
			}
			if idem || notSent(err) {
				return true, 0, false, te
			}
			te.MaybeApplied = true
			return false, 0, false, te
		}
		sink, _ := out.(*fileSink)
		limit := int64(maxBodyBytes)
		if sink != nil && resp.StatusCode >= 200 && resp.StatusCode < 300 {
			limit = sink.max
		}
		data, err := readBody(resp, limit)
		if sink != nil && errors.Is(err, errBodyTooLarge) {
			err = &FileTooLargeError{Max: sink.max}
		}
		c.release()
		c.noteDate(resp.Header.Get("Date"))
		if err != nil {
			te := &TransportError{Method: method, Path: path, Err: err}
			var big *FileTooLargeError
			if errors.Is(err, errBodyTooLarge) || errors.As(err, &big) || ctx.Err() != nil {
				te.MaybeApplied = !idem
				return false, 0, false, te
			}
			if idem {
				return true, 0, false, te
			}
			te.MaybeApplied = true
			return false, 0, false, te
		}
		if resp.StatusCode >= 200 && resp.StatusCode < 300 {
			if sink != nil {
				sink.data, sink.ctype = data, resp.Header.Get("Content-Type")
				return false, 0, true, nil
			}
			if resp.StatusCode == http.StatusNoContent || len(bytes.TrimSpace(data)) == 0 || out == nil {
				return false, 0, false, nil
			}
			if err := decodeJSON(data, out); err != nil {
				return false, 0, false, &TransportError{Method: method, Path: path, Err: answerError(resp, err), MaybeApplied: !idem}
			}
			return false, 0, true, nil
		}
		ae := parseAPIError(method, path, resp, data, c.now())
		switch {
		case resp.StatusCode == http.StatusUnauthorized:
			if *refreshed {
				return false, 0, false, ae
			}
			*refreshed = true
			c.stats.refreshes.Add(1)
			tok, err = c.tokens.Refresh(ctx, tok)
			if err != nil {
				var se *signInError
				if errors.As(err, &se) {
					// keep Desk's answer in the chain: the user must sign in again
					return false, 0, false, fmt.Errorf("%w; %w", ae, err)
				}
				return false, 0, false, err // token endpoint unreachable: try later
			}
			continue // a 401 was not acted on, so any method may be resent
		case ae.Code == CodeThresholdExceeded:
			// The portal's API credits are used up: waiting seconds does
			// not help unless Desk says when to come back.
			c.stats.throttled.Add(1)
			return ae.RetryAfter > 0, ae.RetryAfter, false, ae
		case resp.StatusCode == http.StatusTooManyRequests:
			// Throttled requests were not acted on: safe for any method.
			c.stats.throttled.Add(1)
			return true, ae.RetryAfter, false, ae
		case resp.StatusCode >= 500:
			if idem {
				return true, ae.RetryAfter, false, ae
			}
			ae.MaybeApplied = resp.StatusCode != http.StatusServiceUnavailable
			return false, 0, false, ae
		}
		return false, 0, false, ae
	}
}

// notSent reports a failure to connect, where the request cannot have
// reached the server.
func notSent(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

func readBody(resp *http.Response, limit int64) ([]byte, error) {
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read response: %w", err)
	}
	if int64(len(data)) > limit {
		return nil, errBodyTooLarge
	}
	return data, nil
}

// multipartBody is a request body that is not JSON (an upload).
type multipartBody struct {
	data  []byte
	ctype string
}

// fileSink receives a file's bytes (an attachment's content) instead of a
// decoded JSON answer: at most max bytes.
type fileSink struct {
	max   int64
	data  []byte
	ctype string
}
