package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"github.com/godbus/dbus/v5"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/app/secrets/secretstest"
	"github.com/tandem-crm/tandem/app/store"
	tsync "github.com/tandem-crm/tandem/sync"
	"github.com/tandem-crm/tandem/sync/deskemu"
)

// busReceiver owns org.freedesktop.Notifications on the session bus: a
// real notification service as far as Tandem knows, which records what
// arrives and can click a notification as a person would.
type busReceiver struct {
	conn *dbus.Conn
	mu   gosync.Mutex
	got  []app.Notification
	ids  []uint32
	ch   chan struct{}
}

func (r *busReceiver) Notify(appName string, replacesID uint32, icon, summary, body string, actions []string, hints map[string]dbus.Variant, timeout int32) (uint32, *dbus.Error) {
	r.mu.Lock()
	r.got = append(r.got, app.Notification{Title: summary, Body: body})
	id := uint32(500 + len(r.got))
	r.ids = append(r.ids, id)
	r.mu.Unlock()
	select {
	case r.ch <- struct{}{}:
	default:
	}
	return id, nil
}

func (r *busReceiver) GetCapabilities() ([]string, *dbus.Error) {
	return []string{"body", "actions"}, nil
}

func (r *busReceiver) GetServerInformation() (string, string, string, string, *dbus.Error) {
	return "tandem-test", "tandem", "1", "1.2", nil
}

func (r *busReceiver) CloseNotification(id uint32) *dbus.Error { return nil }

// wait returns the notifications that arrived, waiting up to 5 s for n.
func (r *busReceiver) wait(t *testing.T, n int) []app.Notification {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		r.mu.Lock()
		got := append([]app.Notification(nil), r.got...)
		r.mu.Unlock()
		if len(got) >= n {
			return got
		}
		select {
		case <-r.ch:
		case <-deadline:
			t.Fatalf("%d notifications arrived, want %d: %q", len(got), n, got)
		}
	}
}

func (r *busReceiver) click(t *testing.T, i int) {
	t.Helper()
	r.mu.Lock()
	id := r.ids[i]
	r.mu.Unlock()
	if err := r.conn.Emit("/org/freedesktop/Notifications", "org.freedesktop.Notifications.ActionInvoked", id, "default"); err != nil {
		t.Fatal(err)
	}
}

func listenBus(t *testing.T) *busReceiver {
	t.Helper()
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("no D-Bus session bus in CI: %v", err)
		}
		t.Skipf("no D-Bus session bus (run under .ci/with-session.sh): %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	r := &busReceiver{conn: conn, ch: make(chan struct{}, 1)}
	if err := conn.Export(r, "/org/freedesktop/Notifications", "org.freedesktop.Notifications"); err != nil {
		t.Fatal(err)
	}
	reply, err := conn.RequestName("org.freedesktop.Notifications", dbus.NameFlagDoNotQueue|dbus.NameFlagReplaceExisting)
	if err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("cannot own org.freedesktop.Notifications: reply %v, %v", reply, err)
	}
	return r
}

// desktop is the window's whole wiring (newSession) on the test driver,
// against an emulated help desk on loopback, with an in-memory keyring.
type desktopWorld struct {
	t    *testing.T
	ctx  context.Context
	a    *trayApp
	s    *session
	emu  *deskemu.Server
	info deskemu.Info
	org  string
	dir  string
	// stop closes the session and stops its UI goroutine (also at cleanup).
	stop func()
}

func newDesktopWorld(t *testing.T, dir string, notify bool) *desktopWorld {
	t.Helper()
	emu := deskemu.New(deskemu.Options{Seed: 3, Contacts: 20, Accounts: 5, Tickets: 40})
	run, err := emu.Start("")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { run.Close() })
	info := emu.Info()
	t.Setenv(envClientID, info.ClientID)
	t.Setenv(envClientSecret, info.ClientSecret)
	mem := secretstest.New()
	old := newSecrets
	newSecrets = func() app.SecretStore { return mem }
	t.Cleanup(func() { newSecrets = old })

	ctx, cancel := context.WithCancel(context.Background())
	a := newTrayApp()
	a.drained = make(chan struct{})
	go a.drain(ctx)
	w0 := &desktopWorld{stop: func() { cancel(); <-a.drained }}
	// Last: the UI goroutine has stopped before the next test's app
	// resets Fyne's caches.
	t.Cleanup(func() { w0.stop() })
	w := &desktopWorld{t: t, ctx: ctx, a: a, emu: emu, info: info, org: emu.DefaultOrgID(), dir: dir}
	var n = newNotifier()
	if !notify {
		n = nil
	}
	var s *session
	ui(func() {
		s, err = newSession(ctx, a, guiOptions{dataDir: dir, deskTarget: run.URL}, n)
	})
	if err != nil {
		t.Fatal(err)
	}
	w.s = s
	w.stop = onceFunc(func() { s.close(); cancel(); <-a.drained })
	w0.stop = w.stop
	return w
}

func onceFunc(f func()) func() {
	var once gosync.Once
	return func() { once.Do(f) }
}

// ui runs fn on the test app's UI goroutine and waits for it.
func ui(fn func()) { fyne.DoAndWait(fn) }

func (w *desktopWorld) configure() {
	w.t.Helper()
	if _, err := w.s.dw.svc.Configure(w.ctx, tsync.ConfigureParams{OrgID: w.org, Mode: app.SyncTwoWay, RefreshToken: w.info.Users[0].RefreshToken}); err != nil {
		w.t.Fatal(err)
	}
}

func (w *desktopWorld) sync() {
	w.t.Helper()
	if _, err := syncPass(w.ctx, w.s.dw.svc); err != nil {
		w.t.Fatalf("sync: %v", err)
	}
}

// crmTicket returns an open ticket of a CRM contact.
func (w *desktopWorld) crmTicket() app.SignalTicket {
	w.t.Helper()
	db := w.s.db
	cs, err := db.ListContacts(w.ctx, app.ContactFilter{Limit: 1000})
	if err != nil {
		w.t.Fatal(err)
	}
	for _, c := range cs {
		tl, err := db.TicketsForRecord(w.ctx, w.org, app.SyncTwoWay, app.KindContact, c.ID, app.TicketFilter{Status: "open"})
		if err != nil {
			w.t.Fatal(err)
		}
		for _, tk := range tl.Tickets {
			sts, err := db.SignalTickets(w.ctx, w.org, []string{tk.ID})
			if err != nil {
				w.t.Fatal(err)
			}
			if st := sts[tk.ID]; st.RecordKind == app.KindContact && !st.Ticket.IsEscalated && !st.Ticket.IsOverdue && st.Ticket.DueDate.IsZero() {
				return st
			}
		}
	}
	w.t.Fatal("no open ticket of a CRM contact")
	return app.SignalTicket{}
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var ok bool
		ui(func() { ok = cond() })
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out: %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestSignalWhileWindowClosed: the window is closed (to the tray), a
// customer replies on Desk, the next sync pass shows a notification on the
// session bus, and clicking it opens the window on the ticket's contact.
func TestSignalWhileWindowClosed(t *testing.T) {
	bus := listenBus(t)
	w := newDesktopWorld(t, t.TempDir(), true)
	w.configure()
	w.sync() // the first sync: a baseline
	st := w.crmTicket()

	ui(w.s.win.Show)
	ui(w.s.win.Close)
	var visible bool
	ui(func() { visible = w.s.win.Visible() })
	if visible {
		t.Fatal("the window is still shown after closing it")
	}
	got := bus.wait(t, 1)
	if got[0].Title != "Tandem is still running" {
		t.Fatalf("the first close said %q", got[0].Title)
	}
	ui(w.s.win.Show)
	ui(w.s.win.Close) // the second close says nothing
	select {
	case <-w.a.quit:
		t.Fatal("closing the window quit Tandem")
	default:
	}

	if _, err := w.emu.CustomerReply(w.org, st.Ticket.ID, "<p>Still broken, please call me.</p>"); err != nil {
		t.Fatal(err)
	}
	w.sync()
	got = bus.wait(t, 2)
	if len(got) != 2 || !strings.HasPrefix(got[1].Title, "Reply · #"+st.Ticket.Number) || !strings.Contains(got[1].Body, "Still broken") {
		t.Fatalf("notifications: %q", got)
	}
	ui(func() { visible = w.s.win.Visible() })
	if visible {
		t.Fatal("the window opened by itself")
	}
	feed, err := w.s.db.ListSignals(w.ctx, app.SignalFilter{})
	if err != nil || len(feed) != 1 || feed[0].Read || !feed[0].Notified {
		t.Fatalf("feed: %+v %v", feed, err)
	}

	bus.click(t, 1)
	eventually(t, "the window to open on the ticket's contact", func() bool {
		return w.s.win.Visible() && w.s.win.Showing() == fmt.Sprintf("contact %d", st.RecordID)
	})
	waitUntil(t, "the clicked signal to be read", func() bool {
		feed, _ := w.s.db.ListSignals(w.ctx, app.SignalFilter{})
		return len(feed) == 1 && feed[0].Read
	})
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out: %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// item finds a tray menu item by the start of its label.
func item(t *testing.T, m *fyne.Menu, label string) *fyne.MenuItem {
	t.Helper()
	for _, it := range m.Items {
		if strings.HasPrefix(it.Label, label) {
			return it
		}
	}
	var labels []string
	for _, it := range m.Items {
		labels = append(labels, it.Label)
	}
	t.Fatalf("no tray item %q in %q", label, labels)
	return nil
}

// TestTrayMenu taps every tray item of the real wiring, as the tray does
// (on the UI goroutine).
func TestTrayMenu(t *testing.T) {
	w := newDesktopWorld(t, t.TempDir(), false)
	w.configure()
	w.sync()
	menu := func() *fyne.Menu {
		var m *fyne.Menu
		ui(func() { m = w.a.trayMenu() })
		if m == nil {
			t.Fatal("no tray menu was set")
		}
		return m
	}
	tap := func(label string) { it := item(t, menu(), label); ui(it.Action) }

	ui(w.s.win.Close)
	tap("Open Tandem")
	eventually(t, "Open Tandem to show the window", w.s.win.Visible)

	before := w.s.dw.svc.Requests(w.org)
	tap("Sync now")
	waitUntil(t, "Sync now to run a pass", func() bool { return w.s.dw.svc.Requests(w.org) > before })

	start := time.Now()
	tap("Do not disturb for 1 hour")
	waitUntil(t, "do not disturb for an hour", func() bool {
		p, err := w.s.db.SignalPrefs(w.ctx)
		return err == nil && p.DoNotDisturbUntil.Sub(start) > 59*time.Minute && p.DoNotDisturbUntil.Sub(start) < 61*time.Minute
	})
	eventually(t, "the menu to say until when", func() bool {
		for _, it := range w.a.trayMenu().Items {
			if strings.HasPrefix(it.Label, "No notifications until") && it.Disabled {
				return true
			}
		}
		return false
	})
	tap("Notifications back on")
	waitUntil(t, "notifications back on", func() bool {
		p, err := w.s.db.SignalPrefs(w.ctx)
		return err == nil && p.DoNotDisturbUntil.IsZero() && !p.DoNotDisturb
	})
	eventually(t, "the menu to offer do not disturb again", func() bool {
		for _, it := range w.a.trayMenu().Items {
			if it.Label == "Do not disturb until tomorrow" {
				return true
			}
		}
		return false
	})
	tap("Do not disturb until tomorrow")
	waitUntil(t, "do not disturb until tomorrow 08:00", func() bool {
		p, err := w.s.db.SignalPrefs(w.ctx)
		u := p.DoNotDisturbUntil.Local()
		return err == nil && u.Hour() == 8 && u.After(time.Now()) && time.Until(u) < 33*time.Hour
	})

	// The unread count is in the first item and in the icon's badge.
	added, err := w.s.db.InsertSignals(w.ctx, []app.Signal{
		{OrgID: w.org, Key: "test:1", Kind: app.SignalNewReply, Title: "one"},
		{OrgID: w.org, Key: "test:2", Kind: app.SignalNewReply, Title: "two"},
	})
	if err != nil || len(added) != 2 {
		t.Fatal(added, err)
	}
	if err := w.s.det.MarkRead(w.ctx, added[0].ID); err != nil { // publishes the count: 1 unread
		t.Fatal(err)
	}
	eventually(t, "the unread count in the tray", func() bool {
		return w.a.trayMenu().Items[0].Label == "Open Tandem (1 unread)" && w.a.icon != nil && w.a.icon.Name() == "tandem-tray-1.png"
	})

	tap("Quit")
	select {
	case <-w.a.quit:
	case <-time.After(5 * time.Second):
		t.Fatal("Quit did not quit")
	}
}

// TestBackupWhileSyncWrites makes backups while a first sync writes a
// large help desk into the store: each backup opens, passes
// integrity_check and holds no secret.
func TestBackupWhileSyncWrites(t *testing.T) {
	emu := deskemu.New(deskemu.Options{Seed: 5, Contacts: 1500, Accounts: 200, Tickets: 1500})
	run, err := emu.Start("")
	if err != nil {
		t.Fatal(err)
	}
	defer run.Close()
	info := emu.Info()
	dir := t.TempDir()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(dir, "tandem.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	mem := secretstest.New()
	svc, err := tsync.New(tsync.Options{Store: db, CRM: app.CRM{Contacts: db, Companies: db, Pipelines: db}, Secrets: mem,
		OAuth: tsync.OAuthClient{ClientID: info.ClientID, ClientSecret: info.ClientSecret}, BaseURL: run.URL})
	if err != nil {
		t.Fatal(err)
	}
	token := info.Users[0].RefreshToken
	if _, err := svc.Configure(ctx, tsync.ConfigureParams{OrgID: emu.DefaultOrgID(), Mode: app.SyncTwoWay, RefreshToken: token}); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- svc.SyncOnce(ctx) }()
	var counts []int
	var syncErr error
	for i := 0; ; i++ {
		b := filepath.Join(dir, fmt.Sprintf("b%d.db", i))
		if err := db.Backup(ctx, b); err != nil {
			t.Fatalf("backup %d during the sync: %v", i, err)
		}
		bi, err := store.CheckBackup(ctx, b)
		if err != nil {
			t.Fatalf("backup %d: %v", i, err)
		}
		counts = append(counts, bi.Contacts)
		raw, _ := os.ReadFile(b)
		if strings.Contains(string(raw), token) {
			t.Fatalf("backup %d holds the refresh token", i)
		}
		select {
		case syncErr = <-done:
		default:
			continue
		}
		break
	}
	if syncErr != nil {
		t.Fatal(syncErr)
	}
	t.Logf("%d backups during the sync, contacts in them: %v", len(counts), counts)
	if len(counts) < 2 {
		t.Errorf("the sync ended before a second backup: nothing was backed up while it wrote")
	}
}

// TestRestoreOnNewComputerAsksToSignIn: a backup restored into a fresh
// data folder, on a computer whose keyring has never seen the portal,
// keeps the portal and its data and asks to sign in to Zoho again.
func TestRestoreOnNewComputerAsksToSignIn(t *testing.T) {
	old := newDesktopWorld(t, t.TempDir(), false)
	old.configure()
	old.sync()
	b := filepath.Join(t.TempDir(), "usb-stick.db")
	if _, err := old.s.dw.svc.Status(old.ctx); err != nil {
		t.Fatal(err)
	}
	bsvc := &backupService{db: old.s.db, dataDir: old.dir}
	if _, err := bsvc.BackUp(old.ctx, b); err != nil {
		t.Fatal(err)
	}
	old.stop() // one Fyne app at a time
	newDir := t.TempDir()
	if code, out, errs := tandem(t, newDir, "restore", b); code != 0 || !strings.Contains(out, "sign in to Zoho Desk again") {
		t.Fatalf("restore: %d %q %q", code, out, errs)
	}
	// The new computer: an empty keyring.
	w := newDesktopWorld(t, newDir, false)
	st, err := w.s.dw.svc.Status(w.ctx)
	if err != nil || st.Portal == nil || st.Portal.OrgID != old.org {
		t.Fatalf("restored portal: %+v %v", st, err)
	}
	err = w.s.dw.svc.SyncOnce(w.ctx)
	if app.ErrorCode(err) != app.EUNAUTHORIZED {
		t.Fatalf("a sync without the keyring's token: %v, want EUNAUTHORIZED (sign in again)", err)
	}
	if st, _ := w.s.dw.svc.Status(w.ctx); st.State != app.StateNeedsSignIn {
		t.Errorf("state %q, want %q", st.State, app.StateNeedsSignIn)
	}
	cs, _ := w.s.db.ListContacts(w.ctx, app.ContactFilter{Limit: 5})
	if len(cs) == 0 {
		t.Error("the restored database has no contacts")
	}
}

// TestRestoreLatestGood: with the database damaged, the newest backup
// that passes its check is restored (a damaged newer one is skipped) and
// the damaged database is kept aside as it was.
func TestRestoreLatestGood(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if code, _, errs := tandem(t, dir, "contacts", "add", "-last", "Kept"); code != 0 {
		t.Fatal(errs)
	}
	good := filepath.Join(backupsDir(dir), "tandem-20261130T090000Z.db")
	if code, _, errs := tandem(t, dir, "backup", good); code != 0 {
		t.Fatal(errs)
	}
	newer := filepath.Join(backupsDir(dir), "tandem-20261201T090000Z.db")
	if err := os.WriteFile(newer, []byte(strings.Repeat("broken ", 2000)), 0o600); err != nil {
		t.Fatal(err)
	}
	damaged := []byte(strings.Repeat("damaged ", 2000))
	if err := os.WriteFile(filepath.Join(dir, "tandem.db"), damaged, 0o600); err != nil {
		t.Fatal(err)
	}
	used, aside, err := RestoreLatestGood(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if used.Path != good {
		t.Errorf("restored %s, want %s", used.Path, good)
	}
	if b, _ := os.ReadFile(aside); string(b) != string(damaged) {
		t.Errorf("the damaged database was not kept aside as it was (%s)", aside)
	}
	if code, out, _ := tandem(t, dir, "contacts", "list"); code != 0 || !strings.Contains(out, "Kept") {
		t.Errorf("after the restore: %d %q", code, out)
	}
	// No good backup at all: ENOTFOUND, nothing moved.
	empty := t.TempDir()
	os.WriteFile(filepath.Join(empty, "tandem.db"), damaged, 0o600)
	if _, _, err := RestoreLatestGood(ctx, empty); app.ErrorCode(err) != app.ENOTFOUND {
		t.Errorf("without backups: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(empty, "tandem.db")); string(b) != string(damaged) {
		t.Error("a failed search moved the database")
	}
}
