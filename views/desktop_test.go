package views

import (
	"context"
	gosync "sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/tandem-crm/tandem/app"
)

// fakeBackups is an app.BackupService that records what it is asked.
type fakeBackups struct {
	mu       gosync.Mutex
	list     []app.Backup
	backedUp []string
	restored []string
	fail     error
}

func (f *fakeBackups) Folder() string { return "/data/backups" }

func (f *fakeBackups) ListBackups(context.Context) ([]app.Backup, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]app.Backup(nil), f.list...), nil
}

func (f *fakeBackups) BackUp(_ context.Context, path string) (app.Backup, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.backedUp = append(f.backedUp, path)
	return app.Backup{Path: path, Size: 2 << 20}, nil
}

func (f *fakeBackups) Restore(_ context.Context, path string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		return f.fail
	}
	f.restored = append(f.restored, path)
	return nil
}

type fakeLogin struct {
	mu gosync.Mutex
	on bool
}

func (f *fakeLogin) Enabled() (bool, error) { f.mu.Lock(); defer f.mu.Unlock(); return f.on, nil }

func (f *fakeLogin) SetEnabled(on bool) error { f.mu.Lock(); f.on = on; f.mu.Unlock(); return nil }

// notes is an app.Notifier that keeps what it was asked to show.
type notes struct {
	mu  gosync.Mutex
	got []app.Notification
}

func (n *notes) Notify(_ context.Context, x app.Notification) error {
	n.mu.Lock()
	n.got = append(n.got, x)
	n.mu.Unlock()
	return nil
}

var desktopNotes *notes

func newDesktopWindow(t *testing.T) (*mainWindow, *fakeBackups, *fakeLogin, *int) {
	t.Helper()
	b := &fakeBackups{list: []app.Backup{
		{Path: "/data/backups/tandem-20261201T093000Z.db", Kind: app.BackupAutomatic, Time: time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC), Size: 372736},
		{Path: "/data/backups/set-aside-20261128T061200Z.db", Kind: app.BackupSetAside, Time: time.Date(2026, 11, 28, 6, 12, 0, 0, time.UTC), Size: 1 << 20},
	}}
	login := &fakeLogin{}
	quits := new(int)
	desktopNotes = &notes{}
	m := newTestWindow(t, newTestCRM(t), Params{Desktop: &Desktop{
		About:     About{Version: "1.2.3", DataDir: "/data", Licenses: "MIT licence text"},
		Backups:   b,
		LoginItem: login,
		Quit:      func() { *quits++ },
		Notifier:  desktopNotes,
	}})
	return m, b, login, quits
}

func TestBackupsScreen(t *testing.T) {
	m, b, _, _ := newDesktopWindow(t)
	m.nav.Select(len(m.screens) - 1) // Settings, built when first shown
	settle(m)
	m.backups.reload()
	settle(m)
	if len(m.backups.items) != 2 || m.backups.list.Length() != 2 {
		t.Fatalf("listed %d backups", len(m.backups.items))
	}
	if !m.backups.empty.Hidden {
		t.Error("the empty text shows beside backups")
	}

	// Back up now… to the file the user picks.
	m.backups.saveFile = func(start, name string, done func(string)) {
		if name == "" {
			t.Error("no file name offered")
		}
		done("/media/usb/" + name)
	}
	m.win.Canvas().SetContent(m.backups.content) // the Backups tab alone, to tap it
	tap(m, button(t, m, "Back up now…"))
	if len(b.backedUp) != 1 || b.backedUp[0][:11] != "/media/usb/" {
		t.Fatalf("backed up to %q", b.backedUp)
	}
	if m.backups.status.Text == "" {
		t.Error("no word that the backup was saved")
	}

	// Restore a listed backup: asks first, then hands the path over.
	m.backups.confirmRestore(b.list[1].Path, backupTime(b.list[1].Time))
	settle(m)
	tap(m, button(t, m, "Restore"))
	if len(b.restored) != 1 || b.restored[0] != b.list[1].Path {
		t.Fatalf("restored %q", b.restored)
	}
	if m.backups.status.Text != "Restoring; Tandem restarts in a moment." {
		t.Errorf("status %q", m.backups.status.Text)
	}

	// A bad backup says why, in a dialog.
	b.fail = &app.Error{Code: app.EINVALID, Message: "The backup is damaged and cannot be restored."}
	m.backups.confirmRestore("/tmp/bad.db", "bad.db")
	settle(m)
	tap(m, button(t, m, "Restore"))
	if len(m.open) == 0 || !hasText(m, "The backup is damaged and cannot be restored.") {
		t.Error("a refused restore showed no error")
	}
}

func TestGeneralSettingsAndClose(t *testing.T) {
	m, _, login, quits := newDesktopWindow(t)
	prefs := fyne.CurrentApp().Preferences()
	var tray, start *widget.Check
	m.win.Canvas().SetContent(generalSettings(m))
	settle(m)
	for _, o := range objects(m) {
		if c, ok := o.(*widget.Check); ok {
			switch c.Text {
			case "Keep Tandem running in the tray when its window is closed, so signals keep arriving":
				tray = c
			case "Start Tandem when I log in":
				start = c
			}
		}
	}
	if tray == nil || start == nil {
		t.Fatal("Settings › General lacks its two switches")
	}
	if !tray.Checked || start.Checked || start.Disabled() {
		t.Fatalf("defaults: tray %v, login %v (disabled %v)", tray.Checked, start.Checked, start.Disabled())
	}
	test.Tap(start)
	settle(m)
	if on, _ := login.Enabled(); !on {
		t.Error("the login item was not added")
	}

	// Close keeps running; a second close says nothing new; with the
	// setting off, close quits through Desktop.Quit.
	m.visible = true
	m.closeToTray()
	if m.visible || *quits != 0 {
		t.Fatalf("close: visible %v, quits %d", m.visible, *quits)
	}
	settle(m)
	m.visible = true
	m.closeToTray()
	settle(m)
	if !prefs.Bool(prefTrayNoticeShown) || len(desktopNotes.got) != 1 || desktopNotes.got[0].Title != "Tandem is still running" {
		t.Errorf("the first close said %q (recorded %v), the second nothing more", desktopNotes.got, prefs.Bool(prefTrayNoticeShown))
	}
	test.Tap(tray)
	if prefs.BoolWithFallback(PrefCloseToTray, true) {
		t.Fatal("the switch did not turn close-to-tray off")
	}
	m.closeToTray()
	if *quits != 1 {
		t.Errorf("close with the setting off: %d quits", *quits)
	}
}

func TestMainMenu(t *testing.T) {
	m, _, _, quits := newDesktopWindow(t)
	menu := m.win.MainMenu()
	if menu == nil || len(menu.Items) < 2 || menu.Items[0].Label != "File" || menu.Items[len(menu.Items)-1].Label != "Help" {
		t.Fatalf("main menu %+v", menu)
	}
	file := menu.Items[0].Items
	quit := file[len(file)-1]
	if !quit.IsQuit || quit.Label != "Quit" {
		t.Errorf("File › %q (IsQuit %v)", quit.Label, quit.IsQuit)
	}
	quit.Action()
	if *quits != 1 {
		t.Error("File › Quit did not go through Desktop.Quit")
	}
	help := menu.Items[len(menu.Items)-1].Items
	about := help[len(help)-1] // after Keyboard shortcuts
	if about.Label != "About Tandem" {
		t.Fatalf("Help › %q", about.Label)
	}
	about.Action()
	settle(m)
	if !hasText(m, "Version 1.2.3") || !hasText(m, "/data") {
		t.Error("About lacks the version or the data folder")
	}
	tap(m, button(t, m, "Third-party licences…"))
	if len(m.open) != 2 {
		t.Errorf("%d dialogs open, want About and the licences", len(m.open))
	}
}

func TestTray(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	test.NewTempApp(t)
	det, db := newSignalService(t)
	q := &uiQueue{}
	now := time.Date(2026, 12, 1, 22, 0, 0, 0, time.Local)
	var shown, synced, quit int
	var menu *fyne.Menu
	var icon fyne.Resource
	tr := newTray(ctx, TrayParams{
		Show: func() { shown++ }, SyncNow: func() { synced++ }, Quit: func() { quit++ }, Signals: det,
		Set: func(m *fyne.Menu, i fyne.Resource) { menu, icon = m, i },
		Now: func() time.Time { return now },
	}, q.post)
	settleRunner(t, q, tr.run)
	find := func(label string) *fyne.MenuItem {
		for _, it := range menu.Items {
			if it.Label == label {
				return it
			}
		}
		t.Fatalf("no %q in the tray menu", label)
		return nil
	}
	find("Open Tandem").Action()
	find("Sync now").Action()
	if shown != 1 || synced != 1 {
		t.Errorf("open %d, sync %d", shown, synced)
	}
	find("Do not disturb until tomorrow").Action()
	settleRunner(t, q, tr.run)
	p, _ := det.Prefs(ctx)
	if want := time.Date(2026, 12, 2, 8, 0, 0, 0, time.Local); !p.DoNotDisturbUntil.Equal(want) {
		t.Errorf("until %v, want %v", p.DoNotDisturbUntil, want)
	}
	find("No notifications until tomorrow 08:00")
	find("Notifications back on").Action()
	settleRunner(t, q, tr.run)
	if p, _ := det.Prefs(ctx); !p.DoNotDisturbUntil.IsZero() {
		t.Errorf("still quiet until %v", p.DoNotDisturbUntil)
	}
	if _, err := db.InsertSignals(ctx, []app.Signal{{OrgID: "o", Key: "k1", Kind: app.SignalNewReply}, {OrgID: "o", Key: "k2", Kind: app.SignalNewReply}}); err != nil {
		t.Fatal(err)
	}
	if err := det.MarkAllRead(ctx); err != nil { // publishes: 0 unread
		t.Fatal(err)
	}
	settleRunner(t, q, tr.run)
	if menu.Items[0].Label != "Open Tandem" || icon.Name() != "tandem-tray.png" {
		t.Errorf("no unread: %q %s", menu.Items[0].Label, icon.Name())
	}
	tr.unread = 120
	tr.update()
	if menu.Items[0].Label != "Open Tandem (120 unread)" || icon.Name() != "tandem-tray-99+.png" {
		t.Errorf("120 unread: %q %s", menu.Items[0].Label, icon.Name())
	}
	last := menu.Items[len(menu.Items)-1]
	if !last.IsQuit {
		t.Error("the last item is not Quit")
	}
	last.Action()
	if quit != 1 {
		t.Error("Quit did not quit")
	}
}
