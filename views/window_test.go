package views

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/app/sample"
	"github.com/tandem-crm/tandem/sync/deskemu"
)

// deskWindow is the main window with the sample data and a connected
// help desk, as a new user sees it.
func deskWindow(t *testing.T) (*mainWindow, *deskEnv) {
	t.Helper()
	e := newDeskEnv(t, deskEnvOptions{emu: deskemu.Options{Seed: 3, Contacts: 6, Accounts: 2, Tickets: 12}, mode: app.SyncTwoWay})
	if err := sample.Load(e.ctx, e.crm, 1, sample.Demo); err != nil {
		t.Fatal(err)
	}
	m := newMainWindow(e.ctx, fyne.CurrentApp(), Params{CRM: e.crm, Integration: e.svc}, e.q.post)
	queues[m] = e.q
	t.Cleanup(func() { settle(m); e.settle(); m.win.Close() })
	settle(m)
	e.settle()
	return m, e
}

// widest opens every screen, a contact with its Tickets tab and a
// ticket, and every wizard page, and returns the widest minimum width of
// the window's content and where it was.
func widest(t *testing.T, m *mainWindow, e *deskEnv) (float32, string) {
	t.Helper()
	var w float32
	at := ""
	note := func(where string) {
		settle(m)
		e.settle()
		if mw := m.win.Content().MinSize().Width; mw > w {
			w, at = mw, where
		}
	}
	for i := range m.screens {
		m.nav.Select(i)
		note("screen " + string(rune('0'+i)))
	}
	c := e.contactWithTickets(1)
	m.openSignal(app.KindContact, c.ID, "")
	note("contact")
	for _, o := range objects(m) {
		if tabs, ok := o.(*container.AppTabs); ok && len(tabs.Items) == 2 {
			tabs.SelectIndex(1)
		}
	}
	note("tickets tab")
	if tab := m.contacts.tickets.tab; tab != nil && len(tab.rows) > 0 {
		tab.list.Select(0)
		note("ticket pane")
	}
	return w, at
}

// TestWindowAt800 is the report's half-screen window: at most 800 px wide
// in both languages on every screen, and at 800×600 the contacts are one
// column — the list with a search field of a useful width, then a record
// over it with Back.
func TestWindowAt800(t *testing.T) {
	for _, code := range []string{"en", "ja_JP.UTF-8"} {
		t.Run(code, func(t *testing.T) {
			useLanguage(code)
			t.Cleanup(func() { useLanguage("en") })
			m, e := deskWindow(t)
			if w, at := widest(t, m, e); w > 800 {
				t.Errorf("the window cannot be narrower than %.0f px (%s)", w, at)
			}
			m.nav.Select(0)
			m.contacts.clearDetail("")
			m.win.Resize(fyne.NewSize(800, 600))
			settle(m)
			b := m.contacts.browser
			if !b.pane.narrow || !b.pane.list.Visible() || b.pane.detailBox.Visible() {
				t.Fatalf("at 800 px: narrow %v, list %v, detail %v", b.pane.narrow, b.pane.list.Visible(), b.pane.detailBox.Visible())
			}
			if w := b.search.Size().Width; w < 250 {
				t.Errorf("the search field is %.0f px wide at 800 px", w)
			}
			b.list.list.Select(1)
			settle(m)
			if b.pane.list.Visible() || !b.pane.detailBox.Visible() || !b.pane.back.Visible() || b.current == nil {
				t.Fatalf("a selected contact does not open over the list: list %v detail %v back %v current %v showing %v size %v", b.pane.list.Visible(), b.pane.detailBox.Visible(), b.pane.back.Visible(), b.current != nil, b.pane.showing, b.pane.Size())
			}
			writePNG(t, m, "window-800-"+code[:2]+".png")
			tap(m, b.pane.back)
			if !b.pane.list.Visible() || b.pane.detailBox.Visible() || b.current != nil {
				t.Error("Back did not return to the list")
			}
			m.contacts.refresh() // a reload (a sync, an edit) after Back does not reopen the record
			settle(m)
			if b.pane.detailBox.Visible() {
				t.Error("a reload reopened the record closed with Back")
			}
		})
	}
}

// TestWindowAt1920: on a large screen the list is a column beside the
// record, not half the window.
func TestWindowAt1920(t *testing.T) {
	m, _ := deskWindow(t)
	m.win.Resize(fyne.NewSize(1920, 1080))
	m.contacts.list.list.Select(0)
	settle(m)
	b := m.contacts.browser
	lw, all := b.pane.list.Size().Width, b.pane.Size().Width
	if b.pane.narrow || lw > listMax || lw >= all/2 || !b.pane.detailBox.Visible() {
		t.Errorf("at 1920 px the list is %.0f of %.0f px (detail shown %v)", lw, all, b.pane.detailBox.Visible())
	}
	m.win.Resize(fyne.NewSize(1100, 720))
	settle(m)
	if b.pane.narrow || !b.pane.list.Visible() || !b.pane.detailBox.Visible() {
		t.Error("at 1100 px the list and the record are not side by side")
	}
}
