package desk

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
)

// DefaultScopes are the OAuth scopes Tandem asks for. Desk.basic.READ covers
// organizations, myinfo, profiles and departments; Desk.settings.READ the
// field metadata; Desk.search.READ the search calls. The exact list is a
// guess checked against the pattern in desk-api.md (see the README, "Assumptions about Zoho Desk").
var DefaultScopes = []string{
	"Desk.tickets.ALL",
	"Desk.contacts.ALL",
	"Desk.basic.READ",
	"Desk.settings.READ",
	"Desk.search.READ",
}

// CallbackPath is the path of the loopback redirect URI.
const CallbackPath = "/callback"

// RedirectPort is the loopback port of the redirect URI Tandem's Zoho
// client is registered with. Zoho compares the redirect_uri of a sign-in
// with the registered one exactly (its pages say "has to be the same URI
// which is provided when registering"), so the port cannot be random; the
// listener is open only while a sign-in waits (a minute or two). The demo
// help desk and test servers accept any loopback port.
const RedirectPort = 47619

// RedirectURI is the redirect URI to register for Tandem's Zoho client
// (client type "Mobile-based application", which Zoho's pages give to
// mobile and desktop apps, with PKCE).
var RedirectURI = fmt.Sprintf("http://127.0.0.1:%d%s", RedirectPort, CallbackPath)

// ValidClientID reports whether id looks like a Zoho OAuth client id
// ("1000." and then letters and digits).
func ValidClientID(id string) bool {
	if !strings.HasPrefix(id, "1000.") || len(id) < 10 || len(id) > 80 {
		return false
	}
	for _, r := range id[5:] {
		if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// OAuthConfig describes the registered desktop client and the data centre
// to sign in to.
type OAuthConfig struct {
	ClientID     string
	ClientSecret string
	DataCentre   DataCentre
	Scopes       []string     // DefaultScopes when empty
	HTTPClient   *http.Client // for the token endpoint; a safe default when nil
	// ListenAddr is where the sign-in waits for Zoho's redirect: the
	// registered RedirectPort on loopback when empty (tests: "127.0.0.1:0").
	ListenAddr string
}

// Config returns the golang.org/x/oauth2 configuration for redirectURL.
// Scopes are left out of it on purpose: oauth2 joins them with spaces and
// Zoho wants commas, so AuthCodeURL sets the scope parameter itself.
func (c OAuthConfig) Config(redirectURL string) *oauth2.Config {
	return &oauth2.Config{
		ClientID:     c.ClientID,
		ClientSecret: c.ClientSecret,
		RedirectURL:  redirectURL,
		Endpoint: oauth2.Endpoint{
			AuthURL:   c.DataCentre.AccountsURL + "/oauth/v2/auth",
			TokenURL:  c.DataCentre.AccountsURL + "/oauth/v2/token",
			AuthStyle: oauth2.AuthStyleInParams,
		},
	}
}

func (c OAuthConfig) scopeParam() string {
	s := c.Scopes
	if len(s) == 0 {
		s = DefaultScopes
	}
	return strings.Join(s, ",")
}

func (c OAuthConfig) ctx(ctx context.Context) context.Context {
	return context.WithValue(ctx, oauth2.HTTPClient, secureClient(c.HTTPClient))
}

// AuthCodeURL returns the consent page URL: response_type=code,
// access_type=offline (so a refresh token comes back), prompt=consent,
// comma-separated scopes, state, and a PKCE S256 challenge when verifier is
// not empty. loginHint, when set, pre-selects the account.
func (c OAuthConfig) AuthCodeURL(redirectURL, state, verifier, loginHint string) string {
	opts := []oauth2.AuthCodeOption{
		oauth2.AccessTypeOffline,
		oauth2.ApprovalForce,
		oauth2.SetAuthURLParam("scope", c.scopeParam()),
	}
	if verifier != "" {
		opts = append(opts, oauth2.S256ChallengeOption(verifier))
	}
	if loginHint != "" {
		opts = append(opts, oauth2.SetAuthURLParam("login_hint", loginHint))
	}
	return c.Config(redirectURL).AuthCodeURL(state, opts...)
}

// Exchange trades an authorization code for a token.
func (c OAuthConfig) Exchange(ctx context.Context, code, redirectURL, verifier string) (*oauth2.Token, error) {
	var opts []oauth2.AuthCodeOption
	if verifier != "" {
		opts = append(opts, oauth2.VerifierOption(verifier))
	}
	tok, err := c.Config(redirectURL).Exchange(c.ctx(ctx), code, opts...)
	if err != nil {
		return nil, toAppError(fmt.Errorf("desk: exchange code: %w", classifyTokenError(err)))
	}
	return tok, nil
}

// APIDomain returns the token response's api_domain, which tells which data
// centre the user belongs to ("likely" in desk-api.md).
func APIDomain(tok *oauth2.Token) string {
	if tok == nil {
		return ""
	}
	s, _ := tok.Extra("api_domain").(string)
	return s
}

// TokenStore persists tokens, e.g. the refresh token in the OS keyring. The
// client calls SaveToken after every refresh; it never writes a secret
// anywhere itself. SaveToken handles (and logs) its own failures, because a
// keyring error must not fail the API call that caused the refresh.
type TokenStore interface {
	SaveToken(tok *oauth2.Token)
}

// TokenStoreFunc adapts a function to TokenStore.
type TokenStoreFunc func(tok *oauth2.Token)

// SaveToken implements TokenStore.
func (f TokenStoreFunc) SaveToken(tok *oauth2.Token) { f(tok) }

// TokenProvider supplies access tokens to a Client.
type TokenProvider interface {
	// AccessToken returns a valid access token, refreshing it when expired.
	AccessToken(ctx context.Context) (string, error)
	// Refresh is called after Desk answered 401 to rejected; it returns a
	// new access token, or an error when the user must sign in again.
	Refresh(ctx context.Context, rejected string) (string, error)
}

// StaticToken is a TokenProvider with a fixed access token that cannot be
// refreshed (tests, the emulator's demo tokens).
type StaticToken string

// AccessToken implements TokenProvider.
func (s StaticToken) AccessToken(context.Context) (string, error) { return string(s), nil }

// Refresh implements TokenProvider; a static token cannot be refreshed.
func (s StaticToken) Refresh(context.Context, string) (string, error) {
	return "", &signInError{err: errors.New("static token cannot be refreshed")}
}

// TokenSource holds the current token and refreshes it through
// golang.org/x/oauth2 when it expires or Desk rejects it. It is safe for
// concurrent use and implements both TokenProvider and oauth2.TokenSource.
type TokenSource struct {
	oc    OAuthConfig
	cfg   *oauth2.Config
	store TokenStore

	mu  sync.Mutex
	tok *oauth2.Token
	// limitedUntil: Zoho said it is limiting token requests; none is sent
	// before this time (asking again would only extend the limit).
	limitedUntil time.Time
}

// LimitWindow is how long Tandem waits after Zoho refused a token for
// being asked too often: Zoho counts token requests per refresh token in
// ten-minute windows and does not say when the window ends.
const LimitWindow = 10 * time.Minute

// TokenSource returns a TokenSource starting from tok (typically only a
// refresh token loaded from the keyring); store may be nil.
func (c OAuthConfig) TokenSource(tok *oauth2.Token, store TokenStore) *TokenSource {
	if tok == nil {
		tok = &oauth2.Token{}
	}
	return &TokenSource{oc: c, cfg: c.Config(""), store: store, tok: tok}
}

// Token implements oauth2.TokenSource.
func (s *TokenSource) Token() (*oauth2.Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tok.Valid() {
		return s.tok, nil
	}
	return s.refreshLocked(context.Background())
}

// AccessToken implements TokenProvider.
func (s *TokenSource) AccessToken(ctx context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tok.Valid() {
		return s.tok.AccessToken, nil
	}
	t, err := s.refreshLocked(ctx)
	if err != nil {
		return "", err
	}
	return t.AccessToken, nil
}

// Refresh implements TokenProvider. When another goroutine already replaced
// the rejected token, the newer one is returned without a second refresh.
func (s *TokenSource) Refresh(ctx context.Context, rejected string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tok.AccessToken != rejected && s.tok.Valid() {
		return s.tok.AccessToken, nil
	}
	t, err := s.refreshLocked(ctx)
	if err != nil {
		return "", err
	}
	return t.AccessToken, nil
}

func (s *TokenSource) refreshLocked(ctx context.Context) (*oauth2.Token, error) {
	if s.tok.RefreshToken == "" {
		return nil, &signInError{err: errors.New("no refresh token")}
	}
	if time.Now().Before(s.limitedUntil) {
		return nil, toAppError(fmt.Errorf("desk: refresh token: %w", &LimitedError{RetryAt: s.limitedUntil}))
	}
	// A token without an access token makes oauth2's ReuseTokenSource
	// refresh at once, so the library does the grant_type=refresh_token call.
	rec := &answerRecorder{}
	t, err := s.cfg.TokenSource(s.oc.recordingCtx(ctx, rec), &oauth2.Token{RefreshToken: s.tok.RefreshToken}).Token()
	if err != nil {
		err = classifyTokenAnswer(classifyTokenError(err), rec)
		var le *LimitedError
		if errors.As(err, &le) {
			s.limitedUntil = le.RetryAt
		}
		return nil, toAppError(fmt.Errorf("desk: refresh token: %w", err))
	}
	if t.RefreshToken == "" {
		t.RefreshToken = s.tok.RefreshToken
	}
	s.tok = t
	if s.store != nil {
		s.store.SaveToken(t)
	}
	return t, nil
}

// classifyTokenError turns a refused grant into a signInError and anything
// else (network, 5xx) into a TransportError.
func classifyTokenError(err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		st := 0
		if re.Response != nil {
			st = re.Response.StatusCode
		}
		if st >= 500 || st == http.StatusTooManyRequests {
			return &TransportError{Method: "POST", Path: "/oauth/v2/token", Err: fmt.Errorf("token endpoint HTTP %d", st)}
		}
		if isLimited(re) {
			return &LimitedError{RetryAt: time.Now().Add(LimitWindow).Truncate(time.Minute).Add(time.Minute)}
		}
		if strings.EqualFold(re.ErrorCode, "invalid_client") {
			return &clientError{err: fmt.Errorf("token endpoint refused the client (HTTP %d %s)", st, re.ErrorCode)}
		}
		// Only the error code: the body may echo secrets.
		return &signInError{err: fmt.Errorf("token endpoint refused the grant (HTTP %d %s)", st, re.ErrorCode)}
	}
	var te *TransportError
	if errors.As(err, &te) {
		return err
	}
	return &TransportError{Method: "POST", Path: "/oauth/v2/token", Err: err}
}

// isLimited reports Zoho's answer to too many token requests: HTTP 200
// (or 400) with "error": "Access Denied" and a description about too many
// requests (see the README's assumptions; Zoho's token-limit pages say
// "Access Denied"). A refused consent is "access_denied" without it.
func isLimited(re *oauth2.RetrieveError) bool {
	d := strings.ToLower(re.ErrorDescription)
	return re.ErrorCode == "Access Denied" || strings.Contains(d, "too many requests")
}

// answerRecorder keeps the status and media type of the token endpoint's
// last answer, so an answer oauth2 cannot parse is named as such.
type answerRecorder struct {
	base   http.RoundTripper
	status int
	ctype  string
	body   *countingBody
}

// RoundTrip implements http.RoundTripper.
func (r *answerRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.base.RoundTrip(req)
	if resp != nil {
		r.status, r.ctype = resp.StatusCode, resp.Header.Get("Content-Type")
		r.body = &countingBody{ReadCloser: resp.Body}
		resp.Body = r.body
	}
	return resp, err
}

// countingBody counts what oauth2 read of an answer and whether it reached
// the end: oauth2 reads at most maxTokenAnswer bytes.
type countingBody struct {
	io.ReadCloser
	n   int64
	eof bool
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n += int64(n)
	b.eof = b.eof || errors.Is(err, io.EOF)
	return n, err
}

// maxTokenAnswer is how much of the token endpoint's answer oauth2 reads.
const maxTokenAnswer = 1 << 20

// errTokenTooLarge reports a token answer longer than oauth2 reads.
var errTokenTooLarge = errors.New("token endpoint answer larger than 1 MiB")

// recordingCtx is ctx with the OAuth HTTP client, its answers recorded in rec.
func (c OAuthConfig) recordingCtx(ctx context.Context, rec *answerRecorder) context.Context {
	hc := *secureClient(c.HTTPClient)
	rec.base = hc.Transport
	if rec.base == nil {
		rec.base = http.DefaultTransport
	}
	hc.Transport = rec
	return context.WithValue(ctx, oauth2.HTTPClient, &hc)
}

// classifyTokenAnswer names what the token endpoint answered when it did:
// a success whose body oauth2 could not read is an *AnswerError, and a
// 5xx or 429 an *APIError, not a failure to reach it.
func classifyTokenAnswer(err error, rec *answerRecorder) error {
	var te *TransportError
	if rec.status == 0 || !errors.As(err, &te) {
		return err
	}
	if rec.status >= 200 && rec.status < 300 {
		if rec.body != nil && rec.body.n >= maxTokenAnswer && !rec.body.eof {
			return &TransportError{Method: te.Method, Path: te.Path, Err: fmt.Errorf("%w: %w", errTokenTooLarge, te.Err)}
		}
		resp := &http.Response{StatusCode: rec.status, Header: http.Header{"Content-Type": {rec.ctype}}}
		return &TransportError{Method: te.Method, Path: te.Path, Err: answerError(resp, te.Err)}
	}
	if rec.status >= 500 || rec.status == http.StatusTooManyRequests {
		return &APIError{Method: te.Method, Path: te.Path, Status: rec.status, Message: http.StatusText(rec.status)}
	}
	return err
}

// SignIn is an authorization code flow in progress: a listener on
// 127.0.0.1:<random port> waits for the browser's redirect.
type SignIn struct {
	// URL is the consent page to open in the user's browser.
	URL string

	oc          OAuthConfig
	redirectURL string
	state       string
	verifier    string
	ln          net.Listener
	srv         *http.Server
	result      chan callback
}

type callback struct {
	code, location, accountsServer, errCode string
}

// SignInResult is what a completed sign-in yields.
type SignInResult struct {
	Token *oauth2.Token
	// DataCentre is where the user's account lives: the configured one, or
	// the one named by the redirect's location / accounts-server.
	DataCentre DataCentre
	APIDomain  string // the token response's api_domain
}

// StartSignIn opens the loopback listener and returns the consent URL to
// show. loginHint may be empty. Call Wait, then Close.
func (c OAuthConfig) StartSignIn(ctx context.Context, loginHint string) (*SignIn, error) {
	addr := fmt.Sprintf("127.0.0.1:%d", RedirectPort)
	if c.ListenAddr != "" {
		addr = c.ListenAddr
	}
	if c.DataCentre.IsLocal() {
		addr = "127.0.0.1:0"
	}
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, toAppError(fmt.Errorf("desk: sign in: listen: %w", &portError{err: err}))
	}
	s := &SignIn{
		oc:          c,
		redirectURL: fmt.Sprintf("http://%s%s", ln.Addr().String(), CallbackPath),
		state:       randomString(24),
		verifier:    oauth2.GenerateVerifier(),
		ln:          ln,
		result:      make(chan callback, 1),
	}
	s.URL = c.AuthCodeURL(s.redirectURL, s.state, s.verifier, loginHint)
	mux := http.NewServeMux()
	mux.HandleFunc(CallbackPath, s.handle)
	s.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// RedirectURL returns the loopback redirect URI in use.
func (s *SignIn) RedirectURL() string { return s.redirectURL }

func (s *SignIn) handle(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("state") != s.state {
		http.Error(w, "This sign-in link is not the one Tandem is waiting for.", http.StatusBadRequest)
		return
	}
	cb := callback{code: q.Get("code"), location: q.Get("location"), accountsServer: q.Get("accounts-server"), errCode: q.Get("error")}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	msg := "Signed in. You can close this window and return to Tandem."
	if cb.code == "" {
		msg = "Sign-in was not completed: " + cb.errCode
	}
	fmt.Fprintf(w, "<!doctype html><title>Tandem</title><p>%s</p>", html.EscapeString(msg))
	select {
	case s.result <- cb:
	default:
	}
}

// Wait blocks until the browser comes back (or ctx ends), then exchanges
// the code for a token.
func (s *SignIn) Wait(ctx context.Context) (*SignInResult, error) {
	var cb callback
	select {
	case <-ctx.Done():
		return nil, fmt.Errorf("desk: sign in: %w", ctx.Err())
	case cb = <-s.result:
	}
	if cb.code == "" {
		if cb.errCode == "" {
			cb.errCode = "no code"
		}
		return nil, toAppError(fmt.Errorf("desk: sign in: %w", &signInError{err: errors.New("consent refused: " + cb.errCode)}))
	}
	oc := s.oc
	// Zoho redirects with the user's own accounts server when it differs
	// from the one we started with; only trust ones from our table.
	if dc, ok := LookupDataCentre(cb.accountsServer); ok {
		oc.DataCentre = dc
	} else if dc, ok := LookupDataCentre(cb.location); ok && !oc.DataCentre.IsLocal() {
		oc.DataCentre = dc
	}
	tok, err := oc.Exchange(ctx, cb.code, s.redirectURL, s.verifier)
	if err != nil {
		return nil, err
	}
	return &SignInResult{Token: tok, DataCentre: oc.DataCentre, APIDomain: APIDomain(tok)}, nil
}

// Close stops the loopback listener.
func (s *SignIn) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	return s.srv.Shutdown(ctx)
}

func randomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
