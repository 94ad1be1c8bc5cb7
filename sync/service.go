// Package sync is Tandem's background sync service for Zoho Desk.
//
// A Service runs one loop under a context from main: a timer (interval
// plus jitter, backoff after failures) and a one-slot "sync now" channel
// each start a pass. A pass (SyncOnce, which tests call directly) sends the
// outbox, pulls changed Desk contacts and accounts, reconciles them with the
// CRM field by field, pushes CRM changes, refreshes the ticket cache and
// hands what changed to an optional Detector (signals). It publishes
// app.SyncEvent values and never calls UI code.
//
// The service works only through app interfaces (app.DeskStore, app.CRM,
// app.SecretStore); secrets live only in the SecretStore. It also
// implements app.Integration, the facade the screens use.
//
// The folder's name shadows the standard library's sync package, which is
// imported here as gosync.
package sync

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strings"
	gosync "sync"
	"sync/atomic"
	"time"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/app/filecache"
	"github.com/tandem-crm/tandem/sync/desk"
	"golang.org/x/oauth2"
)

var _ app.Integration = (*Service)(nil)

// OAuthClient is Tandem's registered Zoho API client.
type OAuthClient struct {
	ClientID     string
	ClientSecret string
}

// Options configures a Service. Store, CRM and Secrets are required.
type Options struct {
	Store   app.DeskStore
	CRM     app.CRM
	Secrets app.SecretStore
	OAuth   OAuthClient
	// DataCentre is the help desk new sign-ins start with: desk.DemoID
	// (the demo help desk at DemoURL), a Zoho region id, or "" (the
	// locale's region, DefaultDataCentre, else "us"); BaseURL, when set
	// and DataCentre is not the demo, serves both OAuth and the API (a
	// test emulator, `--desk URL`) and overrides it. The Connect page
	// changes the choice (SetHelpDesk).
	DataCentre string
	BaseURL    string
	// FilesDir is where downloaded attachments and files queued to send
	// are kept ("": the store's FilesDir, beside the database file);
	// CacheBytes caps the downloads (0: filecache.DefaultCap).
	FilesDir          string
	CacheBytes        int64
	DefaultDataCentre string
	// DemoURL is the demo help desk running in this process ("" none) and
	// DemoOAuth its OAuth client.
	DemoURL   string
	DemoOAuth OAuthClient
	// SignInAddr is where a Zoho sign-in waits for the redirect ("": the
	// registered loopback port, desk.RedirectPort; tests: "127.0.0.1:0").
	SignInAddr string
	HTTPClient *http.Client     // nil: the Desk client's safe default
	Retry      desk.RetryPolicy // per-call retry budget of the Desk client

	Interval   time.Duration // between passes (60 s)
	Jitter     time.Duration // added at random to each wait (Interval/10)
	MaxBackoff time.Duration // cap on the wait after repeated failures (15 min)
	// Overlap is how far before the stored cursor a pull looks again, so
	// records modified in the same instant as the cursor are not missed (1 min).
	Overlap time.Duration
	// Concurrency is how many requests Tandem sends one portal at once
	// (when zero: half the portal's cap when its edition is known, else
	// desk.DefaultConcurrency). Zoho caps concurrent calls per
	// portal by edition (Free 5, Express and Standard 10, Professional 15,
	// Enterprise 25) and every app and person using the portal shares the
	// cap: a higher setting is lowered to the portal's cap when its
	// edition is known, and to the highest cap otherwise.
	Concurrency int
	Detector    app.Detector // optional: signals
	// RatingsEvery is how often a pass also asks Desk for new happiness
	// ratings (10 min): an extra request, so not on every poll.
	RatingsEvery time.Duration
	Logger       *slog.Logger // nil: slog.Default()
	Now          func() time.Time

	// Hook, when set, is called at named points of a pass; an error aborts
	// the pass there, as a crash would (tests only).
	Hook func(point string) error
}

// Service is the sync service and the app.Integration facade.
type Service struct {
	opts Options

	cacheOnce gosync.Once
	draftMu   gosync.Mutex // one draft save at a time (each may copy files)
	cache     *filecache.Cache
	store     app.DeskStore
	crm       app.CRM
	log       *slog.Logger

	kick chan struct{}
	// backlog is set when a pass left tickets unindexed for search (a
	// first sync's, or a burst bigger than a pass indexes): Run indexes
	// them between passes.
	backlog atomic.Bool

	passMu gosync.Mutex // one pass at a time

	mu       gosync.Mutex
	subs     map[int]func(app.SyncEvent)
	subSeq   int
	clients  map[string]*desk.Client // by org id
	state    string
	signIn   *signInState
	deptment map[string][]app.Department
	statuses map[string][]desk.TicketStatus
	// agentList is each portal's agents (the assignee drop-down).
	agentList map[string][]app.Agent
	// editions: the portals' Zoho editions, by org id, as /organizations
	// reported them since the service started (for the concurrency cap).
	editions map[string]string
	// chosen: the requests at once each portal's user chose (0: automatic).
	chosen map[string]int
	// agents: per portal, agent names by id (for mentions) and when they
	// were read.
	agents map[string]agentNames
	seenBy map[string]seenCache // by portal and list: see seenCache
	// accountsChecked: portals whose held contact companies were looked
	// at since the service started (see recheckAccounts).
	accountsChecked map[string]bool
	// target: the help desk the next sign-in goes to (see Options.DataCentre);
	// zoho: the OAuth client entered in Settings (nil: not read yet).
	target string
	zoho   *OAuthClient
}

// New returns a Service; call Run to start its loop.
func New(opts Options) (*Service, error) {
	if opts.Store == nil || opts.Secrets == nil || opts.CRM.Contacts == nil || opts.CRM.Companies == nil {
		return nil, errors.New("sync: new: Store, Secrets and CRM contacts and companies are required")
	}
	if opts.Interval <= 0 {
		opts.Interval = 60 * time.Second
	}
	if opts.Jitter <= 0 {
		opts.Jitter = opts.Interval / 10
	}
	if opts.MaxBackoff <= 0 {
		opts.MaxBackoff = 15 * time.Minute
	}
	if opts.RatingsEvery <= 0 {
		opts.RatingsEvery = 10 * time.Minute
	}
	if opts.Overlap <= 0 {
		opts.Overlap = time.Minute
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	if opts.DataCentre == desk.DemoID && opts.DemoURL == "" {
		opts.DemoURL, opts.DemoOAuth = opts.BaseURL, opts.OAuth
	}
	if opts.DataCentre == desk.DemoID {
		opts.BaseURL = ""
	}
	target := opts.DataCentre
	switch {
	case target == "" && opts.BaseURL != "":
		target = "custom"
	case target == "":
		target = opts.DefaultDataCentre
	}
	if target == "" {
		target = "us"
	}
	return &Service{
		target:    target,
		opts:      opts,
		store:     opts.Store,
		crm:       opts.CRM,
		log:       log.With("component", "sync"),
		kick:      make(chan struct{}, 1),
		subs:      map[int]func(app.SyncEvent){},
		clients:   map[string]*desk.Client{},
		state:     app.StateIdle,
		deptment:  map[string][]app.Department{},
		agentList: map[string][]app.Agent{},
		statuses:  map[string][]desk.TicketStatus{},
	}, nil
}

// Run runs passes until ctx ends: at once, then every Interval (with
// jitter), sooner after SyncNow, and with exponential backoff after
// failures. It returns ctx's error.
func (s *Service) Run(ctx context.Context) error {
	failures := 0
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-timer.C:
		case <-s.kick:
		}
		err := s.SyncOnce(ctx)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		switch {
		case err == nil:
			failures = 0
		case app.ErrorCode(err) == app.EUNAUTHORIZED:
			failures = 64 // wait for the user (SyncNow after sign-in)
		default:
			failures++
			if app.ErrorCode(err) != app.EUNAVAILABLE {
				s.log.Error("sync pass failed", "err", err)
			}
		}
		next := time.Now().Add(s.nextDelay(failures))
		if err == nil {
			s.indexBetweenPasses(ctx, next)
		}
		timer.Reset(time.Until(next))
	}
}

// backfillBatch is how many tickets indexBetweenPasses indexes per
// transaction: small enough (~0.2 s) that a pass asked for meanwhile
// (SyncNow) or a window's save hardly waits for the writer.
const backfillBatch = 500

// indexBetweenPasses indexes for search, a batch at a time, the tickets a
// pass left unindexed (a first sync writes 50k without indexing them), in
// the time the loop would wait for its next pass: search finds them right
// after a first sync rather than five polls later, and the polls after it
// index only what they changed instead of 10,000 tickets each (issue 17).
// It stops when the next pass is due (its time, SyncNow) or ctx ends; what
// is left stays in the backlog for the next wait.
func (s *Service) indexBetweenPasses(ctx context.Context, next time.Time) {
	if !s.backlog.Swap(false) {
		return
	}
	p, err := s.store.ActivePortal(ctx)
	if err != nil {
		return // no portal: nothing was synced
	}
	for {
		if ctx.Err() != nil || len(s.kick) > 0 || !time.Now().Before(next) {
			s.backlog.Store(true)
			return
		}
		n, err := s.store.IndexTickets(ctx, p.OrgID, backfillBatch)
		if err != nil {
			if ctx.Err() == nil {
				s.log.Warn("indexing tickets between passes failed", "org", p.OrgID, "err", err)
			}
			s.backlog.Store(true)
			return
		}
		if n < backfillBatch {
			return
		}
	}
}

// nextDelay is the wait before the next pass after failures consecutive
// failed ones.
func (s *Service) nextDelay(failures int) time.Duration {
	d := s.opts.Interval
	for i := 0; i < failures && d < s.opts.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, s.opts.MaxBackoff)
	if j := s.opts.Jitter; j > 0 {
		d += rand.N(j)
	}
	return d
}

// SyncNow asks the loop for a pass soon; it never blocks (one request is
// kept while a pass runs).
func (s *Service) SyncNow() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// Subscribe registers fn for sync events; fn must not block.
func (s *Service) Subscribe(fn func(app.SyncEvent)) func() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.subSeq++
	id := s.subSeq
	s.subs[id] = fn
	return func() {
		s.mu.Lock()
		delete(s.subs, id)
		s.mu.Unlock()
	}
}

func (s *Service) publish(e app.SyncEvent) {
	if e.At.IsZero() {
		e.At = s.opts.Now()
	}
	s.mu.Lock()
	switch e.Kind {
	case app.EventStarted, app.EventProgress:
		s.state = app.StateSyncing
	case app.EventFinished:
		s.state = app.StateIdle
	case app.EventOffline:
		s.state = app.StateOffline
	case app.EventNeedsSignIn:
		s.state = app.StateNeedsSignIn
	}
	fns := make([]func(app.SyncEvent), 0, len(s.subs))
	for _, fn := range s.subs {
		fns = append(fns, fn)
	}
	s.mu.Unlock()
	for _, fn := range fns {
		fn(e)
	}
}

func (s *Service) hook(point string) error {
	if s.opts.Hook == nil {
		return nil
	}
	return s.opts.Hook(point)
}

// dataCentre returns the region of a portal (or of new sign-ins for nil).
// A demo portal is wherever this process's demo help desk listens now.
func (s *Service) dataCentre(p *app.Portal) (desk.DataCentre, error) {
	s.mu.Lock()
	id, base := s.target, s.opts.BaseURL
	s.mu.Unlock()
	if p != nil {
		id, base = p.DataCentre, p.BaseURL
		if legacyDemo(p) {
			id, base = desk.DemoID, ""
		}
	}
	if id == desk.DemoID {
		if s.opts.DemoURL == "" {
			return desk.DataCentre{}, fmt.Errorf("sync: data centre: %w", app.Errorf(app.EINVALID,
				"This portal is on the demo help desk, and Tandem was started for another help desk."))
		}
		dc, err := desk.DemoDataCentre(s.opts.DemoURL)
		if err != nil {
			return desk.DataCentre{}, fmt.Errorf("sync: data centre: %w", err)
		}
		return dc, nil
	}
	if base != "" || id == "custom" {
		dc, err := desk.CustomDataCentre(base)
		if err != nil {
			return desk.DataCentre{}, fmt.Errorf("sync: data centre: %w", &app.Error{Code: app.EINVALID, Message: "The Zoho Desk address is not valid.", Err: err})
		}
		return dc, nil
	}
	if id == "" {
		id = "us"
	}
	dc, ok := desk.LookupDataCentre(id)
	if !ok {
		return desk.DataCentre{}, fmt.Errorf("sync: data centre: %w", app.Errorf(app.EINVALID, "Unknown Zoho data centre %q.", id))
	}
	return dc, nil
}

// apiOverride is the address Tandem was started with (`--desk URL`) for a
// portal at a custom address: it serves the API in place of the stored one.
func (s *Service) apiOverride(dc desk.DataCentre) string {
	if dc.ID == "custom" {
		return s.opts.BaseURL
	}
	return ""
}

// legacyDemo reports a demo portal saved before demo portals had their own
// data centre id: the address the demo help desk used to insist on.
func legacyDemo(p *app.Portal) bool {
	return p.DataCentre == "custom" && strings.TrimRight(p.BaseURL, "/") == "http://127.0.0.1:47615"
}

// oauthConfig is the OAuth client for dc: the demo help desk's own, the
// one given for a custom address, else Tandem's Zoho client (entered in
// Settings, else the one this build was made with).
func (s *Service) oauthConfig(dc desk.DataCentre) desk.OAuthConfig {
	c := s.opts.OAuth
	switch dc.ID {
	case desk.DemoID:
		c = s.opts.DemoOAuth
	case "custom":
	default:
		s.mu.Lock()
		if s.zoho != nil && s.zoho.ClientID != "" {
			c = *s.zoho
		}
		s.mu.Unlock()
	}
	return desk.OAuthConfig{ClientID: c.ClientID, ClientSecret: c.ClientSecret, DataCentre: dc, HTTPClient: s.opts.HTTPClient,
		ListenAddr: s.opts.SignInAddr}
}

// newClientFrom builds a Desk client from a token (an access token kept
// until it expires, and the refresh token).
func (s *Service) newClientFrom(dc desk.DataCentre, orgID string, tok *oauth2.Token, save desk.TokenStore) (*desk.Client, error) {
	ts := s.oauthConfig(dc).TokenSource(tok, save)
	cl, err := desk.New(desk.Options{DataCentre: dc, BaseURL: s.apiOverride(dc), OrgID: orgID, Tokens: ts, HTTPClient: s.opts.HTTPClient,
		Retry: s.opts.Retry, UserAgent: "Tandem-CRM", Concurrency: s.concurrency(orgID)})
	if err != nil {
		return nil, fmt.Errorf("sync: desk client: %w", err)
	}
	return cl, nil
}

// concurrency is the requests in flight a portal's client allows: the
// portal's setting (Settings › Zoho Desk), else Options.Concurrency, within
// the portal's plan cap; without either, half the cap
// (desk.SafeConcurrency) when the edition is known, else
// desk.DefaultConcurrency, safe on every edition.
func (s *Service) concurrency(orgID string) int {
	s.mu.Lock()
	edition, known := s.editions[orgID]
	n := s.chosen[orgID]
	s.mu.Unlock()
	if n <= 0 {
		n = s.opts.Concurrency
	}
	return concurrencyFor(n, edition, known)
}

// concurrencyFor is concurrency's rule: n requests at once (0: automatic)
// on a portal of edition (known or not).
func concurrencyFor(n int, edition string, known bool) int {
	switch {
	case n <= 0 && known:
		return desk.SafeConcurrency(edition)
	case n <= 0:
		return desk.DefaultConcurrency
	case known:
		return min(n, desk.PlanConcurrency(edition))
	}
	return min(n, desk.MaxPlanConcurrency)
}

// notePortal remembers what a stored portal says of its limits: its
// edition (so a fresh process does not fall back to the safe minimum) and
// the user's choice.
func (s *Service) notePortal(p *app.Portal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.editions == nil {
		s.editions = map[string]string{}
	}
	if p.Edition != "" {
		if _, ok := s.editions[p.OrgID]; !ok {
			s.editions[p.OrgID] = p.Edition
		}
	}
	if s.chosen == nil {
		s.chosen = map[string]int{}
	}
	s.chosen[p.OrgID] = p.Concurrency
}

// Concurrency implements app.Integration.
func (s *Service) Concurrency(ctx context.Context) (app.ConcurrencyInfo, error) {
	p, err := s.opts.Store.ActivePortal(ctx)
	if err != nil {
		return app.ConcurrencyInfo{}, fmt.Errorf("sync: concurrency: %w", err)
	}
	s.notePortal(p)
	s.mu.Lock()
	edition, known := s.editions[p.OrgID]
	cl := s.clients[p.OrgID]
	s.mu.Unlock()
	info := app.ConcurrencyInfo{Setting: p.Concurrency, Automatic: concurrencyFor(0, edition, known), Cap: desk.MaxPlanConcurrency}
	if known {
		info.Edition, info.Cap = edition, desk.PlanConcurrency(edition)
	}
	info.InUse = s.concurrency(p.OrgID)
	if cl != nil {
		info.InUse = cl.Concurrency()
	}
	return info, nil
}

// SetConcurrency implements app.Integration: the choice is stored with the
// portal and the portal's client is swapped for one with the new limit
// (same tokens), so the next request already follows it.
func (s *Service) SetConcurrency(ctx context.Context, n int) error {
	p, err := s.opts.Store.ActivePortal(ctx)
	if err != nil {
		return fmt.Errorf("sync: set concurrency: %w", err)
	}
	s.notePortal(p)
	s.mu.Lock()
	edition, known := s.editions[p.OrgID]
	s.mu.Unlock()
	limit := desk.MaxPlanConcurrency
	if known {
		limit = desk.PlanConcurrency(edition)
	}
	if n < 0 || n > limit {
		return fmt.Errorf("sync: set concurrency: %w", app.Errorf(app.EINVALID, "Choose between 1 and %d requests at once (the most the portal's plan serves), or automatic.", limit))
	}
	p.Concurrency = n
	if known && p.Edition == "" {
		p.Edition = edition
	}
	if err := s.opts.Store.SavePortal(ctx, p); err != nil {
		return fmt.Errorf("sync: set concurrency: %w", err)
	}
	s.notePortal(p)
	conc := s.concurrency(p.OrgID)
	s.mu.Lock()
	if cl := s.clients[p.OrgID]; cl != nil {
		s.clients[p.OrgID] = cl.WithConcurrency(conc)
	}
	s.mu.Unlock()
	s.log.Info("requests at once changed", "org", p.OrgID, "setting", n, "in_use", conc)
	return nil
}

// noteEditions remembers the editions of listed portals.
func (s *Service) noteEditions(orgs []desk.Organization) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.editions == nil {
		s.editions = map[string]string{}
	}
	for _, o := range orgs {
		if o.Edition != "" {
			s.editions[o.ID] = o.Edition
		}
	}
}

// client returns the Desk client of a portal, built from its secrets on
// first use. A missing refresh token is EUNAUTHORIZED.
func (s *Service) client(ctx context.Context, p *app.Portal) (*desk.Client, error) {
	s.mu.Lock()
	cl := s.clients[p.OrgID]
	s.mu.Unlock()
	if cl != nil {
		return cl, nil
	}
	refresh, err := s.opts.Secrets.GetSecret(ctx, app.PortalSecretKey(p.OrgID, app.SecretRefreshToken))
	if app.ErrorCode(err) == app.ENOTFOUND {
		return nil, fmt.Errorf("sync: desk client: %w", app.Errorf(app.EUNAUTHORIZED, "Sign in to Zoho Desk again."))
	}
	if err != nil {
		return nil, fmt.Errorf("sync: desk client: %w", err)
	}
	dc, err := s.dataCentre(p)
	if err != nil {
		return nil, err
	}
	s.notePortal(p)
	org := p.OrgID
	s.loadZohoClient(ctx)
	tok := &oauth2.Token{RefreshToken: refresh}
	if kept, err := s.keptAccessToken(ctx, org); err == nil {
		tok.AccessToken, tok.Expiry = kept.AccessToken, kept.Expiry
	}
	save := desk.TokenStoreFunc(func(tok *oauth2.Token) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		// The access token is kept until it expires, so the next headless
		// command (or the next start) does not spend one of the few token
		// requests Zoho allows per refresh token.
		s.keepAccessToken(ctx, org, tok)
		if tok.RefreshToken == "" || tok.RefreshToken == refresh {
			return
		}
		if err := s.opts.Secrets.SetSecret(ctx, app.PortalSecretKey(org, app.SecretRefreshToken), tok.RefreshToken); err != nil {
			s.log.Warn("saving the refreshed Desk token failed", "org", org, "err", err)
		}
	})
	cl, err = s.newClientFrom(dc, org, tok, save)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.clients[org] = cl
	s.mu.Unlock()
	return cl, nil
}

// forgetClient drops a cached client (after settings or secrets change)
// and the portal's remembered stamps.
func (s *Service) forgetClient(orgID string) {
	s.mu.Lock()
	delete(s.clients, orgID)
	s.mu.Unlock()
	s.forgetSeen(orgID)
}

// Requests returns how many HTTP requests the active portal's client has
// sent (benchmarks and the CLI's status).
func (s *Service) Requests(orgID string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if cl := s.clients[orgID]; cl != nil {
		return cl.Stats().Requests
	}
	return 0
}
