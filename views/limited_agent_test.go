package views

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/tandem-crm/tandem/app"
	tsync "github.com/tandem-crm/tandem/sync"
	"github.com/tandem-crm/tandem/sync/deskemu"
)

// Demo users of the emulator (deskemu generate.go): alice is the
// administrator, kenji an agent who may reply, carol read-only.
const (
	userAlice = 0
	userKenji = 1
	userCarol = 2
)

// wizardToModeStep signs user in through the wizard and goes to the sync
// option page of the default portal.
func wizardToModeStep(t *testing.T, e *deskEnv, user int) *deskSettings {
	t.Helper()
	s := newDeskSettings(e.d)
	e.show(s.body)
	e.tap(s.connect)
	test.Type(s.emailEntry, e.info.Users[user].Email)
	e.tap(s.signInBtn)
	e.tap(s.next)
	if s.chosen == nil || s.chosen.OrgID != e.org {
		t.Fatalf("chosen portal %+v", s.chosen)
	}
	e.tap(s.next)
	if s.step != stepMode {
		t.Fatalf("step %d after the portal", s.step)
	}
	return s
}

// TestReadOnlyAgentWizard is the report's read-only agent: the wizard
// reads carol's permissions before the sync step and offers No sync alone,
// with the reason; activated, nothing fails.
func TestReadOnlyAgentWizard(t *testing.T) {
	e := newDeskEnv(t, deskEnvOptions{emu: deskemu.Options{Seed: 15, Contacts: 6, Accounts: 2, Tickets: 12}, user: -1})
	for i := range 5 {
		mustContact(t, e.crm, app.Contact{LastName: fmt.Sprintf("Tanaka %d", i), Email: fmt.Sprintf("t%d@example.jp", i)})
	}
	s := wizardToModeStep(t, e, userCarol)
	if got := s.modeRadio.Options; !slices.Equal(got, []string{modeName(app.SyncNone)}) {
		t.Fatalf("a read-only agent is offered %q", got)
	}
	if s.mode != app.SyncNone || s.modeRadio.Selected != modeName(app.SyncNone) || s.next.Disabled() {
		t.Errorf("No sync is not chosen: mode %q, selected %q", s.mode, s.modeRadio.Selected)
	}
	if !e.hasText("Your Zoho Desk profile may not create or change contacts and accounts") {
		t.Error("no reason why only No sync is offered")
	}
	e.shot("wizard-readonly-mode.png")
	e.tap(s.next) // No sync: no mapping
	if s.step != stepActivate {
		t.Fatalf("step %d", s.step)
	}
	e.tap(s.activateBtn)
	e.syncOnce()
	e.syncOnce()
	st, err := e.svc.Status(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Portal == nil || st.Portal.Mode != app.SyncNone || st.Problems != 0 || st.CachedTickets == 0 {
		t.Errorf("after activating: mode %v, %d problems, %d tickets", st.Portal, st.Problems, st.CachedTickets)
	}
}

// TestAgentWizardOffersWhatTheProfileAllows: an agent whose profile may
// edit contacts, and the administrator, get all three options.
func TestAgentWizardOffersWhatTheProfileAllows(t *testing.T) {
	for _, user := range []int{userKenji, userAlice} {
		e := newDeskEnv(t, deskEnvOptions{emu: deskemu.Options{Seed: 15, Contacts: 4, Accounts: 2, Tickets: 4}, user: -1})
		s := wizardToModeStep(t, e, user)
		if got := s.modeRadio.Options; len(got) != 3 {
			t.Errorf("user %d is offered %q", user, got)
		}
		if e.hasText("may not create or change contacts") {
			t.Errorf("user %d is told the profile is limited", user)
		}
	}
}

// readOnlyTwoWay is the report's state: carol's portal set to two-way
// (headless, as before the wizard read permissions), with CRM contacts
// whose pushes Desk refuses.
func readOnlyTwoWay(t *testing.T, contacts int) *deskEnv {
	t.Helper()
	e := newDeskEnv(t, deskEnvOptions{emu: deskemu.Options{Seed: 15, Contacts: 4, Accounts: 2, Tickets: 6}, user: -1})
	for i := range contacts {
		mustContact(t, e.crm, app.Contact{LastName: fmt.Sprintf("Tanaka %d", i), Email: fmt.Sprintf("t%d@example.jp", i)})
	}
	if _, err := e.svc.Configure(e.ctx, tsync.ConfigureParams{OrgID: e.org, Mode: app.SyncTwoWay, RefreshToken: e.info.Users[userCarol].RefreshToken}); err != nil {
		t.Fatal(err)
	}
	e.syncOnce()
	e.syncOnce()
	return e
}

// TestProblemsGroupedByCause: the refused pushes are one group, with Try
// all again and Dismiss all, and what to do; the status line says it
// once. Dismissed, they stay away until the record changes again.
func TestProblemsGroupedByCause(t *testing.T) {
	e := readOnlyTwoWay(t, 12)
	s := newDeskSettings(e.d)
	e.show(s.body)
	e.waitFor("the problems", func() bool { return s.problems != nil && len(s.problems.failed) == 12 })
	if len(s.problems.retry) != 1 || len(s.problems.dismissAll) != 1 {
		t.Fatalf("%d retry and %d dismiss buttons for one cause", len(s.problems.retry), len(s.problems.dismissAll))
	}
	if s.problems.retry[0].Text != "Try all again" || s.problems.dismissAll[0].Text != "Dismiss all" {
		t.Errorf("group buttons %q, %q", s.problems.retry[0].Text, s.problems.dismissAll[0].Text)
	}
	for _, want := range []string{"12 contacts could not be sent to Zoho Desk", "Could not be sent: Your Zoho Desk profile does not allow this.",
		"and 7 more", "Choose No sync to keep only the tickets"} {
		if !e.hasText(want) {
			t.Errorf("Needs your attention lacks %q", want)
		}
	}
	e.button("Change sync option") // offered beside the group
	e.shot("problems-grouped.png")

	st := newDeskStatus(e.d)
	e.waitFor("the status line", func() bool { return st.st != nil })
	if !st.attention.Visible() || st.attention.Text != "Zoho Desk does not let you change contacts: choose No sync" {
		t.Errorf("status says %q (shown %v)", st.attention.Text, st.attention.Visible())
	}
	if strings.Contains(st.line.Text, "problem") {
		t.Errorf("the status line repeats the problems: %q", st.line.Text)
	}

	e.tap(s.problems.dismissAll[0])
	e.waitFor("the group to go", func() bool { return len(s.problems.failed) == 0 && len(s.problems.errs) == 0 })
	e.syncOnce()
	if status, _ := e.svc.Status(e.ctx); status.Problems != 0 {
		t.Errorf("%d problems after Dismiss all and a pass", status.Problems)
	}
	st.reload()
	e.settle()
	if st.attention.Visible() {
		t.Error("the status line still asks for attention")
	}
	// A change to one of them is tried again, and refused again.
	cs, _ := e.crm.Contacts.ListContacts(e.ctx, app.ContactFilter{Query: "Tanaka"})
	c := cs[0]
	c.Title = "部長"
	if err := e.crm.Contacts.UpdateContact(e.ctx, &c); err != nil {
		t.Fatal(err)
	}
	e.syncOnce()
	e.waitFor("the changed contact's failure", func() bool { return len(s.problems.failed) == 1 })
	if s.problems.retry[0].Text != "Try again" {
		t.Errorf("a group of one says %q", s.problems.retry[0].Text)
	}
}

// TestTryAllAgain sends a group again: with the profile fixed on Desk,
// every contact goes.
func TestTryAllAgain(t *testing.T) {
	e := newDeskEnv(t, deskEnvOptions{emu: deskemu.Options{Seed: 15, Contacts: 4, Accounts: 2, Tickets: 6}, mode: app.SyncTwoWay})
	fault := e.emu.AddFault(deskemu.Fault{Kind: deskemu.FaultStatus, Method: "POST", Path: "/api/v1/contacts", Status: 403})
	for i := range 3 {
		mustContact(t, e.crm, app.Contact{LastName: fmt.Sprintf("Sato %d", i), Email: fmt.Sprintf("s%d@example.jp", i)})
	}
	e.syncOnce()
	s := newDeskSettings(e.d)
	e.show(s.body)
	e.waitFor("the problems", func() bool { return s.problems != nil && len(s.problems.failed) == 3 })
	e.emu.RemoveFault(fault)
	e.tap(s.problems.retry[0])
	e.syncOnce()
	e.waitFor("the group to go", func() bool { return len(s.problems.failed) == 0 })
	for i := range 3 {
		cs, _ := e.crm.Contacts.ListContacts(e.ctx, app.ContactFilter{Email: fmt.Sprintf("s%d@example.jp", i)})
		if len(cs) != 1 {
			t.Fatalf("contact %d: %v", i, cs)
		}
		if _, err := e.db.FindLink(e.ctx, e.org, app.KindContact, cs[0].ID); err != nil {
			t.Errorf("contact %d was not sent: %v", i, err)
		}
	}
}
