package sync_test

import (
	"context"
	"errors"
	"io/fs"
	"iter"
	"os"
	"path/filepath"
	gosync "sync"
	"testing"
	"time"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/app/secrets/secretstest"
	"github.com/tandem-crm/tandem/app/store"
	tsync "github.com/tandem-crm/tandem/sync"
	"github.com/tandem-crm/tandem/sync/desk"
	"github.com/tandem-crm/tandem/sync/deskemu"
)

// env is a sync service wired to an emulator on loopback and a real store
// file in a temporary folder.
type env struct {
	t       testing.TB
	emu     *deskemu.Server
	run     *deskemu.Running
	db      *store.DB
	dbPath  string
	secrets *secretstest.Memory
	svc     *tsync.Service
	org     string
	info    deskemu.Info
	hook    func(string) error
	conc    int
	// skew puts this desktop's clock off (its database and service).
	skew time.Duration
	// interval is the service's wait between passes (Run), 0 its default.
	interval time.Duration
}

type envOptions struct {
	emu  deskemu.Options
	mode app.SyncMode
	hook func(string) error
	// concurrency is the service's requests per portal at once (its
	// default when zero).
	concurrency int
}

// searchLag is how far the emulator's search index lags writes in every
// sync test unless a test sets its own (real Desk: seconds).
const searchLag = 2 * time.Second

// newEnv starts a strict emulator: its search index lags writes by
// searchLag, it refuses every request that breaks the contract (desk.
// Contract) and checks its own answers against it; the test fails if the
// sync sent a single such request.
func newEnv(t testing.TB, o envOptions) *env {
	t.Helper()
	if o.emu.SearchLag == 0 {
		o.emu.SearchLag = searchLag
	}
	o.emu.CheckAnswers = true
	emu := deskemu.New(o.emu)
	t.Cleanup(func() {
		for _, v := range emu.Violations() {
			t.Errorf("contract violation: %s", v)
		}
	})
	run, err := emu.Start("")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = run.Close() })
	e := &env{t: t, emu: emu, run: run, secrets: secretstest.New(), org: emu.DefaultOrgID(), info: emu.Info(), hook: o.hook, conc: o.concurrency}
	e.dbPath = filepath.Join(t.TempDir(), "tandem.db")
	e.open()
	t.Cleanup(func() { _ = e.db.Close() })
	if o.mode != "" {
		ctx := context.Background()
		if _, err := e.svc.Configure(ctx, tsync.ConfigureParams{OrgID: e.org, Mode: o.mode, RefreshToken: e.info.Users[0].RefreshToken}); err != nil {
			t.Fatalf("configure: %v", err)
		}
	}
	return e
}

// template is a migrated empty database that each env copies, so the
// migrations run once per test binary rather than once per env.
var template struct {
	once gosync.Once
	data []byte
	err  error
}

func templateDB() ([]byte, error) {
	template.once.Do(func() {
		dir, err := os.MkdirTemp("", "tandem-sync-template")
		if err != nil {
			template.err = err
			return
		}
		defer os.RemoveAll(dir)
		path := filepath.Join(dir, "template.db")
		db, err := store.Open(context.Background(), path)
		if err != nil {
			template.err = err
			return
		}
		if err := db.Close(); err != nil { // checkpoints: the file is whole
			template.err = err
			return
		}
		template.data, template.err = os.ReadFile(path)
	})
	return template.data, template.err
}

// open opens the store and builds a service (again, after a "crash").
func (e *env) open() {
	e.t.Helper()
	if e.db == nil {
		if _, err := os.Stat(e.dbPath); errors.Is(err, fs.ErrNotExist) {
			data, err := templateDB()
			if err != nil {
				e.t.Fatal(err)
			}
			if err := os.WriteFile(e.dbPath, data, 0o600); err != nil {
				e.t.Fatal(err)
			}
		}
		var clock func() time.Time
		if e.skew != 0 {
			skew := e.skew
			clock = func() time.Time { return time.Now().Add(skew) }
		}
		db, err := store.OpenOptions(context.Background(), e.dbPath, store.Options{Clock: clock})
		if err != nil {
			e.t.Fatal(err)
		}
		e.db = db
	}
	svc, err := tsync.New(tsync.Options{
		Store:       e.db,
		CRM:         app.CRM{Contacts: e.db, Companies: e.db, Pipelines: e.db},
		Secrets:     e.secrets,
		OAuth:       tsync.OAuthClient{ClientID: e.info.ClientID, ClientSecret: e.info.ClientSecret},
		BaseURL:     e.run.URL,
		Concurrency: e.conc,
		Interval:    e.interval,
		Now:         func() time.Time { return time.Now().Add(e.skew) },
		Retry:       desk.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond, MaxWait: 50 * time.Millisecond},
		Hook: func(p string) error {
			if e.hook != nil {
				return e.hook(p)
			}
			return nil
		},
	})
	if err != nil {
		e.t.Fatal(err)
	}
	e.svc = svc
}

// syncOnce runs one pass once Desk's search index has caught up with the
// changes made so far (the emulator's clock moves past the lag).
func (e *env) syncOnce(ctx context.Context) error {
	e.settle()
	return e.svc.SyncOnce(ctx)
}

// settle moves the emulator's clock past the search lag.
func (e *env) settle() { e.emu.Advance(searchLag + time.Millisecond) }

// client returns a Desk client acting as the first demo user, to look at
// the emulator's state as Desk would answer it.
func (e *env) client() *desk.Client {
	cl, err := desk.New(desk.Options{BaseURL: e.run.URL, OrgID: e.org, Tokens: desk.StaticToken(e.info.Users[0].AccessToken)})
	if err != nil {
		e.t.Fatal(err)
	}
	return cl
}

func configureParams(e *env) tsync.ConfigureParams {
	return tsync.ConfigureParams{OrgID: e.org, Mode: app.SyncTwoWay, RefreshToken: e.info.Users[0].RefreshToken}
}

// allTickets iterates over every ticket of the main portal on Desk, each
// department's list in turn (getTickets takes one department).
func (e *env) allTickets(ctx context.Context) iter.Seq2[desk.Ticket, error] {
	return func(yield func(desk.Ticket, error) bool) {
		cl := e.client()
		for _, d := range e.info.Portals[0].Departments {
			for tk, err := range cl.AllTickets(ctx, d, desk.ListOptions{}) {
				if !yield(tk, err) || err != nil {
					return
				}
			}
		}
	}
}
