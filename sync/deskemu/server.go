package deskemu

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tandem-crm/tandem/sync/desk"
)

// Options configures a Server. Zero values take the defaults shown.
type Options struct {
	Seed         uint64 // seed of the data generator and of random faults (1)
	Contacts     int    // contacts in the main portal (60)
	Accounts     int    // accounts in the main portal (15)
	Tickets      int    // tickets in the main portal (150)
	ClientID     string // OAuth client id ("1000.TANDEMEMULATOR")
	ClientSecret string // OAuth client secret ("emulator-secret")
	// LogLimit caps the request log (10000 entries).
	LogLimit int
	// SearchLag is how long a write takes to reach Desk's search index:
	// a record created or changed less than SearchLag ago (emulator
	// time) is not found by the searches (0: at once). Real Desk lags by
	// seconds.
	SearchLag time.Duration
	// Latency delays every API answer (a round trip to Zoho).
	Latency time.Duration
	// Concurrency caps the API requests a portal serves at once, as Zoho
	// does by edition; beyond it Desk answers 429. 0: the edition's cap
	// (Free 5, Standard 10, Professional 15, Enterprise 25); -1: no cap.
	Concurrency int
	// DailyCredits is the API credits a portal may spend per emulator day
	// (UTC); beyond them Desk answers 429 THRESHOLD_EXCEEDED until the
	// next day. 0: no limit. Each operation costs its contract row's
	// Credits.
	DailyCredits int
	// Location is the data centre the emulated accounts live in, as the
	// consent redirect names it (location, accounts-server): "" is the
	// emulator itself ("us" with its own address). With Location set, the
	// redirect names that data centre's Zoho accounts server, and the
	// emulator serves its hosts (see Router).
	Location string
	// PublicClient makes the OAuth client a public one, as Zoho registers
	// a mobile or desktop app: the token endpoint takes no client secret,
	// and a code is only exchanged with its PKCE verifier.
	PublicClient bool
	// TokenLimit is how many access tokens one refresh token may get in
	// ten minutes (emulator time) before Zoho answers "Access Denied"
	// (Zoho: ten). 0: ten; -1: no limit.
	TokenLimit int
	// CheckAnswers makes the emulator check each of its own answers
	// against the contract's response fields, recording a Violation for
	// every mismatch (tests).
	CheckAnswers bool
}

func (o Options) withDefaults() Options {
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.Contacts == 0 {
		o.Contacts = 60
	}
	if o.Accounts == 0 {
		o.Accounts = 15
	}
	if o.Tickets == 0 {
		o.Tickets = 150
	}
	if o.ClientID == "" {
		o.ClientID = "1000.TANDEMEMULATOR"
	}
	if o.ClientSecret == "" {
		o.ClientSecret = "emulator-secret"
	}
	if o.LogLimit == 0 {
		o.LogLimit = 10000
	}
	return o
}

// Server is the emulator. It implements http.Handler; all its methods are
// safe for concurrent use.
type Server struct {
	opts    Options
	clock   clock
	latency atomic.Int64 // Options.Latency, changeable by SetLatency

	mu       sync.Mutex
	rnd      *rand.Rand
	users    []*user
	portals  []*portal
	byOrg    map[string]*portal
	access   map[string]tokenInfo
	refresh  map[string]*user
	codes    map[string]codeInfo
	faults   []*faultState
	faultSeq int
	log      []LogEntry
	tokSeq   int
	refused  []Violation
	// tokenReqs: every token endpoint request, by grant type; minted:
	// when each refresh token got its access tokens (for TokenLimit).
	tokenReqs map[string]int
	minted    map[string][]time.Time

	mux *http.ServeMux
}

var _ http.Handler = (*Server)(nil)

// New returns an emulator filled with generated data.
func New(opts Options) *Server {
	s := &Server{
		opts:    opts.withDefaults(),
		byOrg:   map[string]*portal{},
		access:  map[string]tokenInfo{},
		refresh: map[string]*user{},
		codes:   map[string]codeInfo{},

		tokenReqs: map[string]int{},
		minted:    map[string][]time.Time{},
	}
	s.latency.Store(int64(s.opts.Latency))
	s.rnd = rand.New(rand.NewPCG(s.opts.Seed, s.opts.Seed^0x9e3779b97f4a7c15))
	s.generate()
	s.routes()
	return s
}

// LogEntry is one request the emulator answered.
type LogEntry struct {
	Time   time.Time
	Method string
	Path   string
	Query  string
	OrgID  string
	Status int // 0 for a dropped connection
}

// Violation is a request the emulator refused because it breaks the
// contract (or, with Options.CheckAnswers, an answer of its own that does).
type Violation struct {
	Op     string // operation id, "" for an unknown path
	Method string
	Path   string
	Query  string
	desk.Violation
	Answer bool // the emulator's own answer broke the contract
}

// String describes the violation for a test failure.
func (v Violation) String() string {
	who := "request"
	if v.Answer {
		who = "answer"
	}
	return fmt.Sprintf("%s %s %s?%s (%s): %s", who, v.Method, v.Path, v.Query, v.Op, v.Violation.Error())
}

// Violations returns the contract violations seen so far, oldest first.
func (s *Server) Violations() []Violation {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Violation(nil), s.refused...)
}

// ResetViolations forgets the violations seen so far.
func (s *Server) ResetViolations() {
	s.mu.Lock()
	s.refused = nil
	s.mu.Unlock()
}

func (s *Server) noteViolations(op *desk.Op, r *http.Request, vs []desk.Violation, answer bool) {
	if len(vs) == 0 {
		return
	}
	id := ""
	if op != nil {
		id = op.ID
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, v := range vs {
		if len(s.refused) < 10000 {
			s.refused = append(s.refused, Violation{Op: id, Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Violation: v, Answer: answer})
		}
	}
}

// Requests returns a copy of the request log, oldest first.
func (s *Server) Requests() []LogEntry {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]LogEntry(nil), s.log...)
}

// ResetRequests empties the request log.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	s.log = nil
	s.mu.Unlock()
}

func (s *Server) record(e LogEntry) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.log) >= s.opts.LogLimit {
		s.log = append(s.log[:0], s.log[len(s.log)/2:]...)
	}
	s.log = append(s.log, e)
}

// SetLatency changes the delay added to every API answer (Options.Latency).
func (s *Server) SetLatency(d time.Duration) { s.latency.Store(int64(d)) }

// Now returns the emulator's current time.
func (s *Server) Now() time.Time { return s.clock.now() }

// Advance moves the emulator's clock forward (so due dates pass and access
// tokens expire).
func (s *Server) Advance(d time.Duration) { s.clock.advance(d) }

type statusRecorder struct {
	http.ResponseWriter
	status int
}

// WriteHeader records the status.
func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

// Write records an implicit 200.
func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := &statusRecorder{ResponseWriter: w}
	entry := LogEntry{Time: s.Now(), Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, OrgID: r.Header.Get("orgId")}
	defer func() {
		entry.Status = rec.status
		s.record(entry)
	}()
	if !strings.HasPrefix(r.URL.Path, "/_emu/") {
		if f := s.matchFault(r); f != nil {
			if f.AfterApply {
				// Desk applies the request, then the answer is lost: the
				// handler writes to nowhere and the connection is closed.
				s.mux.ServeHTTP(&discardWriter{h: http.Header{}}, r)
				rec.status = 0
				s.applyFault(rec, r, &Fault{Kind: FaultDrop})
				return
			}
			if s.applyFault(rec, r, f) {
				return
			}
		}
	}
	s.mux.ServeHTTP(rec, r)
}

// writeJSON encodes v outside the lock.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func writeErr(w http.ResponseWriter, status int, code, msg string, items ...errorItem) {
	writeJSON(w, status, errorBody{ErrorCode: code, Message: msg, Errors: items})
}

// apiError is an error a handler returns to answer with Desk's error JSON.
type apiError struct {
	status int
	body   errorBody
}

// Error implements error.
func (e *apiError) Error() string { return e.body.ErrorCode + ": " + e.body.Message }

// caller is who a request acts as.
type caller struct {
	user   *user
	portal *portal // nil for /organizations
	agent  *agent
	base   string // scheme://host of the request
}

func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// authenticate checks the token and the orgId header. (Nothing in Desk's
// public API takes a ZSC key: another user's portal is reached with its
// administrator's own grant, an ordinary token.)
// Call with s.mu held.
func (s *Server) authenticate(r *http.Request, needOrg bool) (*caller, *apiError) {
	h := r.Header.Get("Authorization")
	const prefix = "Zoho-oauthtoken "
	if !strings.HasPrefix(h, prefix) {
		return nil, errf(http.StatusUnauthorized, desk.CodeInvalidOAuth, "The OAuth token is missing or invalid.")
	}
	ti, ok := s.access[strings.TrimPrefix(h, prefix)]
	if !ok || (!ti.expires.IsZero() && !s.clock.now().Before(ti.expires)) {
		return nil, errf(http.StatusUnauthorized, desk.CodeInvalidOAuth, "The OAuth token is invalid or has expired.")
	}
	c := &caller{user: ti.user, base: baseURL(r)}
	if !needOrg {
		return c, nil
	}
	org := r.Header.Get("orgId")
	if org == "" {
		org = r.URL.Query().Get("orgId") // Common.json: a query parameter
	}
	if org == "" {
		return nil, &apiError{status: http.StatusUnprocessableEntity, body: errorBody{
			ErrorCode: desk.CodeUnprocessable, Message: "The orgId header is missing.",
			Errors: []errorItem{{FieldName: "orgId", ErrorType: "missing", ErrorMessage: "orgId is required in the request header"}},
		}}
	}
	p := s.byOrg[org]
	if p == nil {
		return nil, errf(http.StatusForbidden, desk.CodeForbidden, "You are not a member of organization %s.", org)
	}
	a := p.agentByUser(c.user)
	if a == nil {
		return nil, errf(http.StatusForbidden, desk.CodeForbidden, "You are not a member of organization %s.", org)
	}
	c.portal, c.agent = p, a
	return c, nil
}

// can reports whether the caller's profile allows action on module.
func (c *caller) can(module, action string) bool {
	if c.agent == nil {
		return false
	}
	if c.agent.Admin {
		return true
	}
	return c.portal.profiles[c.agent.ProfileID].Permissions[module][action]
}

// Running is an emulator listening on a loopback port.
type Running struct {
	URL    string // base URL, e.g. http://127.0.0.1:8765
	server *http.Server
	ln     net.Listener
}

// Close stops the listener.
func (r *Running) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	return r.server.Shutdown(ctx)
}

// Start serves s on addr, which must be a loopback address ("" means
// 127.0.0.1:0, a random port).
func (s *Server) Start(addr string) (*Running, error) { return s.StartHandler(addr, s) }

// StartHandler is Start with h in front of s (h passes requests on to s):
// the demo help desk records what changed it this way.
func (s *Server) StartHandler(addr string, h http.Handler) (*Running, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("deskemu: start: %w", err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, errors.New("deskemu: start: the emulator only listens on loopback addresses")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("deskemu: start: %w", err)
	}
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	return &Running{URL: "http://" + ln.Addr().String(), server: hs, ln: ln}, nil
}

// discardWriter takes an answer that never reaches the client.
type discardWriter struct{ h http.Header }

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (d *discardWriter) WriteHeader(int)             {}
