package views

import (
	"context"
	"image/png"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/app/secrets/secretstest"
	"github.com/tandem-crm/tandem/app/store"
	tsync "github.com/tandem-crm/tandem/sync"
	"github.com/tandem-crm/tandem/sync/desk"
	"github.com/tandem-crm/tandem/sync/deskemu"
)

// deskEnv is the real thing: the sync service on a real SQLite store in a
// temporary folder, talking to the Desk emulator over loopback HTTP; and a
// test window whose background results are applied on the test goroutine.
type deskEnv struct {
	t    *testing.T
	ctx  context.Context
	emu  *deskemu.Server
	run  *deskemu.Running
	info deskemu.Info
	org  string
	db   *store.DB
	crm  app.CRM
	svc  *tsync.Service
	win  fyne.Window
	q    *uiQueue
	d    *deskUI
	sec  app.SecretStore
	// router serves Zoho's hosts from the emulator (deskEnvOptions.zoho).
	router *deskemu.Router
	// browse, when set, is the "browser" instead of following the consent
	// page at once (another person signing in, a code left to expire).
	browse func(u string) error
}

type deskEnvOptions struct {
	emu     deskemu.Options
	loop    bool // run the service's loop (the wizard's first sync)
	user    int  // demo user to configure the portal with; -1: none
	mode    app.SyncMode
	noFirst bool // skip the first pass after configuring
	// zoho: the service is Tandem's real wiring, not `--desk URL`: Zoho's
	// data centres (the emulator serves their hosts through a Router),
	// the locale's data centre dc, Tandem's client from the build
	// (noClient: none) and the demo help desk beside them.
	zoho     bool
	dc       string
	noClient bool
}

func newDeskEnv(t *testing.T, o deskEnvOptions) *deskEnv {
	t.Helper()
	test.NewTempApp(t)
	ctx, cancel := context.WithCancel(context.Background())
	// The strict emulator: its search index lags writes, it refuses any
	// request that breaks the Desk contract, and the test fails on one.
	if o.emu.SearchLag == 0 {
		o.emu.SearchLag = deskSearchLag
	}
	o.emu.CheckAnswers = true
	emu := deskemu.New(o.emu)
	t.Cleanup(func() {
		for _, v := range emu.Violations() {
			t.Errorf("Desk contract violation: %s", v)
		}
	})
	run, err := emu.Start("")
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "tandem.db"))
	if err != nil {
		t.Fatal(err)
	}
	e := &deskEnv{t: t, ctx: ctx, emu: emu, run: run, info: emu.Info(), org: emu.DefaultOrgID(), db: db,
		crm: app.CRM{Contacts: db, Companies: db, Pipelines: db}, q: &uiQueue{}, sec: secretstest.New()}
	so := tsync.Options{
		Store:   db,
		CRM:     e.crm,
		Secrets: e.sec,
		OAuth:   tsync.OAuthClient{ClientID: e.info.ClientID, ClientSecret: e.info.ClientSecret},
		BaseURL: run.URL,
		Retry:   desk.RetryPolicy{MaxAttempts: 2, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond, MaxWait: 50 * time.Millisecond},
	}
	if o.zoho {
		e.router = &deskemu.Router{Base: run.URL, Next: http.DefaultTransport}
		so.BaseURL, so.DefaultDataCentre, so.SignInAddr = "", o.dc, "127.0.0.1:0"
		so.HTTPClient = &http.Client{Transport: e.router}
		if o.emu.PublicClient {
			so.OAuth.ClientSecret = ""
		}
		if o.noClient {
			so.OAuth = tsync.OAuthClient{}
		}
		// The demo help desk: another emulator, as main runs one.
		demo := deskemu.New(deskemu.Options{Seed: 1, Contacts: 6, Accounts: 2, Tickets: 8})
		dr, err := demo.Start("")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = dr.Close() })
		di := demo.Info()
		so.DemoURL, so.DemoOAuth = dr.URL, tsync.OAuthClient{ClientID: di.ClientID, ClientSecret: di.ClientSecret}
	}
	e.svc, err = tsync.New(so)
	if err != nil {
		t.Fatal(err)
	}
	loopDone := make(chan struct{})
	if o.loop {
		go func() { defer close(loopDone); _ = e.svc.Run(ctx) }()
	} else {
		close(loopDone)
	}
	e.win = test.NewWindow(nil)
	e.win.Resize(fyne.NewSize(1000, 700))
	e.d = newDeskUI(ctx, e.win, e.svc, e.crm, e.openURL, e.q.post)
	t.Cleanup(func() {
		e.settle()
		cancel()
		<-loopDone
		e.win.Close()
		_ = db.Close()
		_ = run.Close()
	})
	if o.user >= 0 && o.mode != "" {
		if _, err := e.svc.Configure(ctx, tsync.ConfigureParams{OrgID: e.org, Mode: o.mode, RefreshToken: e.info.Users[o.user].RefreshToken}); err != nil {
			t.Fatalf("configure: %v", err)
		}
		if !o.noFirst {
			e.syncOnce()
		}
	}
	return e
}

// openURL stands in for the system browser: it follows the consent page's
// redirect back to the loopback listener, as a browser would.
func (e *deskEnv) openURL(u string) error {
	if e.browse != nil {
		return e.browse(u)
	}
	hc := http.DefaultClient
	if e.router != nil {
		hc = &http.Client{Transport: e.router}
	}
	resp, err := hc.Get(u)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// deskSearchLag is how far the emulator's search index lags writes.
const deskSearchLag = 2 * time.Second

// syncOnce runs one pass once Desk's search index caught up with the
// changes so far, and applies its results.
func (e *deskEnv) syncOnce() {
	e.t.Helper()
	e.emu.Advance(deskSearchLag + time.Millisecond)
	if err := e.svc.SyncOnce(e.ctx); err != nil && app.ErrorCode(err) != app.EUNAVAILABLE && app.ErrorCode(err) != app.EUNAUTHORIZED {
		e.t.Fatalf("sync: %v", err)
	}
	e.settle()
}

// settle applies posted results on the test goroutine until no background
// work is left.
func (e *deskEnv) settle() {
	deadline := time.Now().Add(20 * time.Second)
	for {
		idle := e.d.run.idle()
		fs := e.q.take()
		for _, f := range fs {
			f()
		}
		if idle && len(fs) == 0 {
			return
		}
		if time.Now().After(deadline) {
			panic("views test: background work did not finish within 20s")
		}
		if len(fs) == 0 {
			time.Sleep(time.Millisecond)
		}
	}
}

// miaTicket makes the contact Mia Sato and a Desk ticket of hers with
// subject and an HTML description, syncs, and returns the contact and the
// ticket's id.
func (e *deskEnv) miaTicket(subject, description string) (app.Contact, string) {
	e.t.Helper()
	c := mustContact(e.t, e.crm, app.Contact{FirstName: "Mia", LastName: "Sato", Email: "mia.sato@summit.example"})
	id, err := e.emu.CreateTicket(e.org, map[string]any{"subject": subject, "description": description,
		"contact": map[string]any{"email": c.Email, "firstName": "Mia", "lastName": "Sato"}})
	if err != nil {
		e.t.Fatal(err)
	}
	e.syncOnce()
	return c, id
}

// waitFor settles until cond holds.
func (e *deskEnv) waitFor(what string, cond func() bool) {
	e.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			e.t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
		e.settle()
	}
}

func (e *deskEnv) show(o fyne.CanvasObject) {
	e.win.SetContent(o)
	e.win.Resize(fyne.NewSize(1000, 700))
	e.settle()
}

func (e *deskEnv) tap(b *widget.Button) {
	e.t.Helper()
	if b.Disabled() {
		e.t.Fatalf("button %q is disabled", b.Text)
	}
	test.Tap(b)
	e.settle()
}

// objects lists what is drawn: overlays (dialogs) first.
func (e *deskEnv) objects() []fyne.CanvasObject {
	c := e.win.Canvas()
	var out []fyne.CanvasObject
	ov := c.Overlays().List()
	for i := len(ov) - 1; i >= 0; i-- {
		out = walk(out, ov[i])
	}
	return walk(out, c.Content())
}

// hasText reports whether a visible label or rich text contains text.
func (e *deskEnv) hasText(text string) bool {
	for _, o := range e.objects() {
		if !o.Visible() {
			continue
		}
		switch o := o.(type) {
		case *widget.Label:
			if strings.Contains(unbreakable(o.Text), text) {
				return true
			}
		case *widget.RichText:
			if strings.Contains(unbreakable(o.String()), text) {
				return true
			}
		}
	}
	return false
}

// shot renders the window to testdata/failed/name (ignored by git) for a
// person to look at.
func (e *deskEnv) shot(name string) {
	e.t.Helper()
	e.settle()
	// The real driver lays parents out again when a child's minimum size
	// changes (a line shown); the test canvas does not, so do it here.
	e.win.Content().Refresh()
	for _, o := range e.objects() { // keep scrolled views where they were
		if s, ok := o.(*container.Scroll); ok {
			s.Refresh()
		}
	}
	dir := filepath.Join("testdata", "failed")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		e.t.Fatal(err)
	}
	f, err := os.Create(filepath.Join(dir, name))
	if err != nil {
		e.t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, e.win.Canvas().Capture()); err != nil {
		e.t.Fatal(err)
	}
}

// button finds a visible button with the given text, dialogs first.
func (e *deskEnv) button(text string) *widget.Button {
	e.t.Helper()
	for _, o := range e.objects() {
		if b, ok := o.(*widget.Button); ok && b.Text == text && b.Visible() {
			return b
		}
	}
	e.t.Fatalf("no button %q on screen", text)
	return nil
}
