package signals_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/app/notify"
	"github.com/tandem-crm/tandem/app/secrets/secretstest"
	"github.com/tandem-crm/tandem/app/store"
	"github.com/tandem-crm/tandem/assets"
	tsync "github.com/tandem-crm/tandem/sync"
	"github.com/tandem-crm/tandem/sync/desk"
	"github.com/tandem-crm/tandem/sync/deskemu"
	"github.com/tandem-crm/tandem/sync/signals"
)

// busReceiver owns org.freedesktop.Notifications on the session bus and
// records what arrives: a real notification service as far as beeep knows.
type busReceiver struct {
	mu  gosync.Mutex
	got []app.Notification
	app []string
}

func (r *busReceiver) Notify(appName string, replacesID uint32, icon, summary, body string, actions []string, hints map[string]dbus.Variant, timeout int32) (uint32, *dbus.Error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, app.Notification{Title: summary, Body: body})
	r.app = append(r.app, appName)
	return uint32(len(r.got)), nil
}

func (r *busReceiver) GetCapabilities() ([]string, *dbus.Error) { return []string{"body"}, nil }

func (r *busReceiver) GetServerInformation() (string, string, string, string, *dbus.Error) {
	return "tandem-test", "tandem", "1", "1.2", nil
}

func (r *busReceiver) CloseNotification(id uint32) *dbus.Error { return nil }

// take returns and forgets what arrived. beeep's Notify is a D-Bus method
// call, so once the sync pass has returned its notifications are here.
func (r *busReceiver) take() []app.Notification {
	r.mu.Lock()
	defer r.mu.Unlock()
	g := r.got
	r.got = nil
	return g
}

// listenBus starts a receiver; it skips without a session bus, except in
// CI where .ci/with-session.sh provides one.
func listenBus(t testing.TB) *busReceiver {
	t.Helper()
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("no D-Bus session bus in CI: %v", err)
		}
		t.Skipf("no D-Bus session bus (run under .ci/with-session.sh): %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	r := &busReceiver{}
	if err := conn.Export(r, "/org/freedesktop/Notifications", "org.freedesktop.Notifications"); err != nil {
		t.Fatal(err)
	}
	reply, err := conn.RequestName("org.freedesktop.Notifications", dbus.NameFlagDoNotQueue|dbus.NameFlagReplaceExisting)
	if err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("cannot own org.freedesktop.Notifications: reply %v, %v", reply, err)
	}
	return r
}

// lastChanges wraps the Detector and keeps the Changes of the last pass.
type lastChanges struct {
	d    app.Detector
	mu   gosync.Mutex
	last app.Changes
	took time.Duration // time spent in the Detector, summed
}

func (l *lastChanges) Detect(ctx context.Context, c app.Changes) error {
	start := time.Now()
	err := l.d.Detect(ctx, c)
	l.mu.Lock()
	l.last, l.took = c, l.took+time.Since(start)
	l.mu.Unlock()
	return err
}

// world is the sync service and the Detector on a real store file, an
// emulator on loopback, and notifications through beeep.
type world struct {
	t        testing.TB
	emu      *deskemu.Server
	run      *deskemu.Running
	info     deskemu.Info
	org      string
	dbPath   string
	secrets  *secretstest.Memory
	notifier app.Notifier
	db       *store.DB
	det      *signals.Detector
	spy      *lastChanges
	svc      *tsync.Service
}

func newWorld(t testing.TB, emuOpts deskemu.Options, notifier app.Notifier) *world {
	t.Helper()
	emu := deskemu.New(emuOpts)
	run, err := emu.Start("")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = run.Close() })
	w := &world{t: t, emu: emu, run: run, info: emu.Info(), org: emu.DefaultOrgID(),
		dbPath: filepath.Join(t.TempDir(), "tandem.db"), secrets: secretstest.New(), notifier: notifier}
	w.start()
	if _, err := w.svc.Configure(context.Background(), tsync.ConfigureParams{OrgID: w.org, Mode: app.SyncTwoWay, RefreshToken: w.info.Users[0].RefreshToken}); err != nil {
		t.Fatalf("configure: %v", err)
	}
	return w
}

// start opens the store and builds the Detector and the sync service: the
// app starting, or starting again after a quit.
func (w *world) start() {
	w.t.Helper()
	db, err := store.Open(context.Background(), w.dbPath)
	if err != nil {
		w.t.Fatal(err)
	}
	w.t.Cleanup(func() { db.Close() })
	w.db = db
	if w.det, err = signals.New(signals.Options{Store: db, Notifier: w.notifier}); err != nil {
		w.t.Fatal(err)
	}
	w.spy = &lastChanges{d: w.det}
	w.svc, err = tsync.New(tsync.Options{
		Store: db, CRM: app.CRM{Contacts: db, Companies: db, Pipelines: db}, Secrets: w.secrets,
		OAuth:   tsync.OAuthClient{ClientID: w.info.ClientID, ClientSecret: w.info.ClientSecret},
		BaseURL: w.run.URL, Detector: w.spy,
		RatingsEvery: time.Nanosecond, // ask for ratings on every pass here
		Retry:        desk.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond, MaxWait: 50 * time.Millisecond},
	})
	if err != nil {
		w.t.Fatal(err)
	}
}

// restart closes the store and starts again on the same file.
func (w *world) restart() {
	w.t.Helper()
	w.db.Close()
	w.start()
}

func (w *world) sync() {
	w.t.Helper()
	if err := w.svc.SyncOnce(context.Background()); err != nil {
		w.t.Fatalf("sync: %v", err)
	}
}

// crmTicket returns an open ticket associated with a CRM contact.
func (w *world) crmTicket() app.SignalTicket {
	w.t.Helper()
	ctx := context.Background()
	cs, err := w.db.ListContacts(ctx, app.ContactFilter{Limit: 1000})
	if err != nil {
		w.t.Fatal(err)
	}
	for _, c := range cs {
		tl, err := w.db.TicketsForRecord(ctx, w.org, app.SyncTwoWay, app.KindContact, c.ID, app.TicketFilter{Status: "open"})
		if err != nil {
			w.t.Fatal(err)
		}
		for _, tk := range tl.Tickets {
			sts, err := w.db.SignalTickets(ctx, w.org, []string{tk.ID})
			if err != nil {
				w.t.Fatal(err)
			}
			if st := sts[tk.ID]; st.RecordKind == app.KindContact && !st.Ticket.IsEscalated && !st.Ticket.IsOverdue && st.Ticket.DueDate.IsZero() {
				return st
			}
		}
	}
	w.t.Fatal("no open ticket of a CRM contact in the emulator's data")
	return app.SignalTicket{}
}

// otherAgent returns the email of an agent of the portal who is not the
// signed-in user.
func (w *world) otherAgent() string {
	for _, p := range w.info.Portals {
		if p.OrgID != w.org {
			continue
		}
		for _, a := range p.Agents {
			if a.Email != w.info.Users[0].Email {
				return a.Email
			}
		}
	}
	w.t.Fatal("the portal has one agent only")
	return ""
}

func title(kind string, st app.SignalTicket) string {
	return fmt.Sprintf("%s · #%s %s — %s", kind, st.Ticket.Number, st.Ticket.Subject, st.RecordName)
}

// TestEndToEnd drives every kind from a change on the emulator through a
// sync pass to a notification received on the D-Bus session bus.
func TestEndToEnd(t *testing.T) {
	bus := listenBus(t)
	ctx := context.Background()
	w := newWorld(t, deskemu.Options{Seed: 3, Contacts: 20, Accounts: 5, Tickets: 40}, notify.New("Tandem", assets.IconPNG, t.TempDir()))

	w.sync() // the first sync: a baseline
	if got := bus.take(); len(got) != 0 {
		t.Fatalf("the first sync notified %q", got)
	}
	if feed, _ := w.det.ListSignals(ctx, app.SignalFilter{}); len(feed) != 0 {
		t.Fatalf("the first sync filled the feed: %+v", feed)
	}
	w.sync() // nothing changed: nothing
	if got := bus.take(); len(got) != 0 {
		t.Fatalf("an idle pass notified %q", got)
	}

	st := w.crmTicket()
	p, err := w.db.ActivePortal(ctx)
	if err != nil {
		t.Fatal(err)
	}
	me, colleague := p.AgentID, w.otherAgent()

	// expect runs change, a pass, and checks the one notification that arrives.
	expect := func(name string, change func() error, wantTitle, wantBody string) {
		t.Helper()
		start := time.Now()
		if err := change(); err != nil {
			t.Fatalf("%s: emulator: %v", name, err)
		}
		w.sync()
		got := bus.take()
		t.Logf("%s: change → notification on the bus in %v", name, time.Since(start).Round(time.Millisecond))
		if len(got) != 1 || got[0].Title != wantTitle || !strings.Contains(got[0].Body, wantBody) {
			t.Errorf("%s: got %q, want one with title %q and a body containing %q", name, got, wantTitle, wantBody)
		}
	}
	expect("reply", func() error {
		_, err := w.emu.CustomerReply(w.org, st.Ticket.ID, "<p>Still broken, please call me.</p>")
		return err
	}, title("Reply", st), "Still broken, please call me.")
	expect("comment", func() error {
		_, err := w.emu.AgentComment(w.org, st.Ticket.ID, colleague, "Checked the logs.")
		return err
	}, title("Comment", st), "Checked the logs.")
	expect("mention", func() error {
		_, err := w.emu.AgentComment(w.org, st.Ticket.ID, colleague, "can you take this one?", me)
		return err
	}, title("Mentioned", st), "can you take this one?")
	expect("escalated", func() error { return w.emu.Escalate(w.org, st.Ticket.ID, true) }, title("Escalated", st), "Escalated in Zoho Desk")
	expect("overdue", func() error { return w.emu.SetDueDate(w.org, st.Ticket.ID, w.emu.Now().Add(-time.Hour)) }, title("Overdue", st), "Was due")
	t.Run("new ticket", func(t *testing.T) {
		id, err := w.emu.CreateTicket(w.org, map[string]any{"subject": "Paper jam in tray 2", "contactId": st.Ticket.ContactID, "description": "The paper is stuck."})
		if err != nil {
			t.Fatal(err)
		}
		w.sync()
		got := bus.take()
		sts, err := w.db.SignalTickets(ctx, w.org, []string{id})
		if err != nil || sts[id].RecordID == 0 {
			t.Fatalf("new ticket not cached with its record: %+v, %v", sts, err)
		}
		if len(got) != 1 || got[0].Title != title("New ticket", sts[id]) || !strings.Contains(got[0].Body, sts[id].Ticket.ContactName) {
			t.Errorf("got %q, want title %q", got, title("New ticket", sts[id]))
		}
	})

	t.Run("rating", func(t *testing.T) {
		if _, err := w.emu.Rate(w.org, st.Ticket.ID, "BAD", "Took too long."); err != nil {
			t.Fatal(err)
		}
		w.sync()
		got := bus.take()
		w.spy.mu.Lock()
		ratings := len(w.spy.last.NewRatings)
		w.spy.mu.Unlock()
		if ratings != 1 {
			t.Errorf("the pass handed %d new ratings to signals, want 1", ratings)
		}
		if len(got) != 1 || got[0].Title != title("Rated Bad", st) || got[0].Body != "“Took too long.”" {
			t.Errorf("got %q", got)
		}
	})

	t.Run("restart repeats nothing", func(t *testing.T) {
		w.restart()
		w.sync()
		w.sync()
		if got := bus.take(); len(got) != 0 {
			t.Fatalf("after a restart: %q", got)
		}
	})

	t.Run("switched-off kind stays silent", func(t *testing.T) {
		prefs, err := w.det.Prefs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		prefs.Enabled[app.SignalNewReply] = false
		if err := w.det.SetPrefs(ctx, prefs); err != nil {
			t.Fatal(err)
		}
		before, _ := w.det.UnreadCount(ctx)
		if _, err := w.emu.CustomerReply(w.org, st.Ticket.ID, "Hello again?"); err != nil {
			t.Fatal(err)
		}
		w.sync()
		if got := bus.take(); len(got) != 0 {
			t.Fatalf("a switched-off kind notified %q", got)
		}
		if after, _ := w.det.UnreadCount(ctx); after != before {
			t.Errorf("the feed grew from %d to %d", before, after)
		}
	})

	feed, err := w.det.ListSignals(ctx, app.SignalFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(feed) < 6 || feed[0].Kind != app.SignalNewTicket && feed[0].Kind != app.SignalNewRating {
		t.Errorf("feed: %d signals, newest %+v", len(feed), feed[0])
	}
	for _, s := range feed {
		if s.RecordKind != app.KindContact || s.RecordID == 0 || !s.Notified {
			t.Errorf("feed signal %+v", s)
		}
	}
}
