package views

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/tandem-crm/tandem/app"
	tsync "github.com/tandem-crm/tandem/sync"
	"github.com/tandem-crm/tandem/sync/deskemu"
	"github.com/tandem-crm/tandem/sync/signals"
)

// resultButtons lists the picker's offers.
func resultButtons(p *companyPicker) []string {
	var out []string
	for _, o := range p.results.Objects {
		if b, ok := o.(*widget.Button); ok {
			out = append(out, b.Text)
		}
	}
	return out
}

// TestCompanyPickerSearchesAsYouType: typing lists the companies found
// (by name or reading) under the field; one is chosen with a tap, and a
// name that is not there can be created on the spot.
func TestCompanyPickerSearchesAsYouType(t *testing.T) {
	crm := newTestCRM(t)
	for _, c := range []app.Company{{Name: "富士商事", NameReading: "ふじしょうじ", City: "東京"}, {Name: "富士工業"}, {Name: "Acme"}} {
		if err := crm.Companies.CreateCompany(t.Context(), &c); err != nil {
			t.Fatal(err)
		}
	}
	m := newTestWindow(t, crm)
	m.contacts.create()
	settle(m)
	f := m.contacts.form
	m.win.Canvas().Focus(f.comp.entry)
	typeIn(m, f.comp.entry, "ふじ")
	if got := resultButtons(f.comp); len(got) != 2 || !strings.HasPrefix(got[0], "富士商事") || !strings.HasPrefix(got[1], "Create company") {
		t.Fatalf("offers for ふじ: %q", got)
	}
	if m.win.Canvas().Focused() != f.comp.entry {
		t.Error("the results took the focus from the field")
	}
	tap(m, f.comp.results.Objects[0].(*widget.Button))
	if id, ok := f.comp.value(); !ok || id == 0 || f.comp.entry.Text != "富士商事" || len(f.comp.results.Objects) != 0 {
		t.Errorf("after choosing: %q, id %d ok %v", f.comp.entry.Text, id, ok)
	}

	// A new company, created from the field.
	f.comp.entry.SetText("")
	typeIn(m, f.comp.entry, "桜デザイン")
	got := resultButtons(f.comp)
	if len(got) != 1 || got[0] != "Create company “桜デザイン”" {
		t.Fatalf("offers for a new name: %q", got)
	}
	tap(m, f.comp.results.Objects[0].(*widget.Button))
	id, ok := f.comp.value()
	co, err := crm.Companies.FindCompany(t.Context(), id)
	if !ok || err != nil || co.Name != "桜デザイン" {
		t.Fatalf("created: %d %v %+v %v", id, ok, co, err)
	}
	typeIn(m, f.last, "鈴木")
	tap(m, f.save)
	cs, _ := crm.Contacts.ListContacts(t.Context(), app.ContactFilter{CompanyID: id})
	if len(cs) != 1 {
		t.Errorf("the contact was not saved in the new company: %v", cs)
	}
}

// TestFormKeepsItsLayout: when a validation message goes away, the fields
// below stay where they were (they jumped a line up under the mouse).
func TestFormKeepsItsLayout(t *testing.T) {
	m := newTestWindow(t, newFake().crm())
	m.contacts.create()
	settle(m)
	f := m.contacts.form
	typeIn(m, f.email, "taro@")
	if f.fields.errorText("Email") == "" {
		t.Fatal("no message for a bad email")
	}
	m.win.Content().Refresh()
	before := fyne.CurrentApp().Driver().AbsolutePositionForObject(f.phone)
	typeIn(m, f.email, "example.jp")
	if f.fields.errorText("Email") != "" {
		t.Fatal("the message stays for a good email")
	}
	m.win.Content().Refresh()
	if after := fyne.CurrentApp().Driver().AbsolutePositionForObject(f.phone); after != before {
		t.Errorf("the phone field moved from %v to %v", before, after)
	}
}

// TestReconnect is Deactivate then Connect again: the wizard starts from
// the last settings (account, portal, sync option, mapping), and the
// message counts the tickets really there, not the 0 the pass changed.
func TestReconnect(t *testing.T) {
	e := newDeskEnv(t, deskEnvOptions{emu: deskemu.Options{Seed: 7, Contacts: 6, Accounts: 2, Tickets: 14}, loop: true, user: -1})
	ms := e.svc.DefaultMappings()
	var kept []app.FieldMapping
	for _, m := range ms {
		if m.CRMField != "Title" {
			kept = append(kept, m)
		}
	}
	alice := e.info.Users[userAlice]
	if _, err := e.svc.Configure(e.ctx, tsync.ConfigureParams{OrgID: e.org, Mode: app.SyncOneWay, Mappings: kept, RefreshToken: alice.RefreshToken}); err != nil {
		t.Fatal(err)
	}
	e.waitFor("the first pass", func() bool {
		st, err := e.svc.Status(e.ctx)
		return err == nil && !st.LastSuccess.IsZero()
	})
	if err := e.svc.Deactivate(e.ctx); err != nil {
		t.Fatal(err)
	}
	s := newDeskSettings(e.d)
	e.show(s.body)
	e.waitFor("the intro", func() bool { return s.connect != nil })
	e.tap(s.connect)
	if s.emailEntry.Text != alice.Email {
		t.Errorf("account email not filled in: %q", s.emailEntry.Text)
	}
	e.tap(s.signInBtn)
	e.tap(s.next)
	if s.chosen == nil || s.chosen.OrgID != e.org {
		t.Fatalf("the portal connected before is not chosen: %+v", s.chosen)
	}
	e.tap(s.next)
	if s.modeRadio.Selected != modeName(app.SyncOneWay) {
		t.Errorf("sync option %q, want the last one", s.modeRadio.Selected)
	}
	e.tap(s.next)
	e.waitFor("the mapping editor", s.editor.ready)
	if title := rowFor(s.editor, app.KindContact, "title"); title == nil || title.crmName() != "" {
		t.Error("the mapping is not the last one (Title was not mapped)")
	}
	e.tap(s.next)
	e.tap(s.activateBtn)
	e.waitFor("Manage", func() bool { return s.deactivate != nil })
	st, _ := e.svc.Status(e.ctx)
	if st.CachedTickets == 0 {
		t.Fatal("no tickets cached")
	}
	want := "Connected. The first sync is finished: the portal's " + itoa(st.CachedTickets) + " tickets are on this computer, each shown on the records it belongs to."
	if !e.hasText(want) {
		t.Errorf("no %q", want)
	}
}

// TestManageShowsLiveLastSync: the last sync on Manage follows the passes
// (it stayed at the time the page was opened), written once.
func TestManageShowsLiveLastSync(t *testing.T) {
	e := newDeskEnv(t, deskEnvOptions{emu: deskemu.Options{Seed: 7, Contacts: 3, Accounts: 1, Tickets: 3}, loop: true, mode: app.SyncTwoWay})
	s := newDeskSettings(e.d)
	e.show(s.body)
	e.waitFor("Manage", func() bool { return s.lastSync != nil })
	first := s.lastSync.Text
	if strings.Contains(first, "Last synced") {
		t.Errorf("the value repeats its label: %q", first)
	}
	p, _ := e.svc.ActivePortal(e.ctx)
	time.Sleep(time.Until(p.LastSuccess.Truncate(time.Minute).Add(time.Minute + 10*time.Millisecond))) // the next minute
	e.svc.SyncNow()
	e.waitFor("the time to move", func() bool { return s.lastSync.Text != first })
	p, _ = e.svc.ActivePortal(e.ctx)
	if s.lastSync.Text != when(p.LastSuccess) {
		t.Errorf("last sync %q, want %q", s.lastSync.Text, when(p.LastSuccess))
	}
}

// TestTicketsTabNotConnected says where Zoho Desk is connected — a place
// that exists — and goes there.
func TestTicketsTabNotConnected(t *testing.T) {
	e := newDeskEnv(t, deskEnvOptions{user: -1})
	c := mustContact(t, e.crm, app.Contact{LastName: "山田", Email: "taro@example.jp"})
	m := newMainWindow(e.ctx, fyne.CurrentApp(), Params{CRM: e.crm, Integration: e.svc}, e.q.post)
	queues[m] = e.q
	t.Cleanup(func() { settle(m); m.win.Close() })
	settle(m)
	m.openSignal(app.KindContact, c.ID, "")
	settle(m)
	for _, o := range objects(m) {
		if tabs, ok := o.(*container.AppTabs); ok && len(tabs.Items) == 2 {
			tabs.SelectIndex(1)
		}
	}
	settle(m)
	tab := m.contacts.tickets.tab
	if tab == nil {
		t.Fatal("no Tickets tab")
	}
	e.waitFor("the tab to load", func() bool { return tab.connect != nil })
	if txt := unbreakable(tab.empty.Text); !strings.Contains(txt, "Settings › Zoho Desk") || strings.Contains(txt, "Integrations") {
		t.Errorf("the tab points to %q", txt)
	}
	tap(m, tab.connect)
	if m.current != m.settingsAt || m.settingsTabs.SelectedIndex() != 0 {
		t.Errorf("Connect showed screen %d tab %d", m.current, m.settingsTabs.SelectedIndex())
	}
}

// failingNotifier is a desktop without a notification service.
type failingNotifier struct{ ok bool }

func (f *failingNotifier) Notify(context.Context, app.Notification) error {
	if f.ok {
		return nil
	}
	return &app.Error{Code: app.EUNAVAILABLE, Message: "Desktop notifications are not available.", Err: errors.New("org.freedesktop.Notifications was not provided")}
}

func (f *failingNotifier) Available(context.Context) error {
	if f.ok {
		return nil
	}
	return app.Errorf(app.EUNAVAILABLE, "This desktop has no notification service.")
}

// TestSignalsSettingsNotifications: Settings › Signals says when
// notifications cannot be shown, and Send a test notification says how
// it went.
func TestSignalsSettingsNotifications(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	test.NewTempApp(t)
	n := &failingNotifier{}
	det, err := signals.New(signals.Options{Store: newTestDB(t), Notifier: n})
	if err != nil {
		t.Fatal(err)
	}
	q := &uiQueue{}
	w := test.NewWindow(nil)
	defer w.Close()
	s := newSignalsSettings(ctx, w, det, q.post)
	w.SetContent(s.content)
	settleRunner(t, q, s.run)
	if !s.notice.Visible() || !strings.Contains(unbreakable(s.notice.Text), "no notification service") {
		t.Errorf("no notice that notifications cannot be shown: %q", s.notice.Text)
	}
	test.Tap(s.test)
	settleRunner(t, q, s.run)
	if !strings.Contains(unbreakable(s.testResult.Text), "could not be shown") {
		t.Errorf("failed test: %q", s.testResult.Text)
	}
	n.ok = true
	test.Tap(s.test)
	settleRunner(t, q, s.run)
	if !strings.HasPrefix(unbreakable(s.testResult.Text), "Sent.") || s.notice.Visible() {
		t.Errorf("working test: %q, notice shown %v", s.testResult.Text, s.notice.Visible())
	}
}
