package views

import (
	"strings"
	"testing"
	"time"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/sync/deskemu"
)

// TestManageShowsSyncProblems makes a real conflict and a real failed push
// against the emulator, and resolves them from Manage: restore puts the
// losing value back in the CRM, dismiss keeps the winner, and Try again
// sends the failed contact once Desk accepts it.
func TestManageShowsSyncProblems(t *testing.T) {
	e := newDeskEnv(t, deskEnvOptions{mode: app.SyncTwoWay})
	ctx := e.ctx
	ada := &app.Contact{FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.org", Title: "Countess"}
	if err := e.db.CreateContact(ctx, ada); err != nil {
		t.Fatal(err)
	}
	e.syncOnce()
	link, err := e.db.FindLink(ctx, e.org, app.KindContact, ada.ID)
	if err != nil {
		t.Fatalf("ada was not pushed: %v", err)
	}
	s := newDeskSettings(e.d)
	type opened struct {
		kind string
		id   int64
	}
	var opens []opened
	s.openRecord = func(kind string, id int64) { opens = append(opens, opened{kind, id}) }
	e.show(s.body)
	e.waitFor("Manage", func() bool { return s.problems != nil })
	if !e.hasText("Nothing needs your attention") {
		t.Error("no all-clear line while nothing is wrong")
	}

	// Both sides change the title between two passes: Tandem's edit
	// reaches Desk last (one clock, Desk's: issue 12) and wins.
	conflict := func(crmTitle, deskTitle string) {
		t.Helper()
		c, err := e.db.FindContact(ctx, ada.ID)
		if err != nil {
			t.Fatal(err)
		}
		c.Title = crmTitle
		if err := e.db.UpdateContact(ctx, c); err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Millisecond)
		if err := e.emu.EditContact(e.org, link.DeskID, map[string]any{"title": deskTitle}); err != nil {
			t.Fatal(err)
		}
		e.syncOnce()
	}
	conflict("Mathematician", "Analyst")

	// Desk refuses a new contact for good: the push fails and is recorded.
	fault := e.emu.AddFault(deskemu.Fault{Kind: deskemu.FaultStatus, Method: "POST", Path: "/api/v1/contacts", Status: 422})
	grace := &app.Contact{FirstName: "Grace", LastName: "Hopper", Email: "grace@example.org"}
	if err := e.db.CreateContact(ctx, grace); err != nil {
		t.Fatal(err)
	}
	e.syncOnce()
	e.emu.RemoveFault(fault)

	// A Desk contact Tandem cannot hold (an email it rejects) stays on Desk, with a reason.
	badID, err := e.emu.CreateContact(e.org, map[string]any{"lastName": "Bad", "email": "bad@example.123"})
	if err != nil {
		t.Fatal(err)
	}
	e.syncOnce()

	e.waitFor("the problems", func() bool { return len(s.problems.conflicts) == 1 && len(s.problems.failed) == 1 })
	// The failed push is shown once, as the action with Try again.
	if len(s.problems.errs) != 1 || s.problems.errs[0].CRMID != 0 {
		t.Errorf("record errors shown: %+v", s.problems.errs)
	}
	if st, _ := e.svc.Status(ctx); len(st.RecordErrors) != 2 {
		t.Fatalf("record errors kept: %+v", st.RecordErrors)
	}
	for _, want := range []string{"Needs your attention", "Ada Lovelace — Title", "“Analyst”", "“Mathematician”",
		"Sending contact “Grace Hopper” to Zoho Desk", "Could not be sent: ", "A contact from Zoho Desk could not be saved in Tandem.", "Cannot copy “Bad <bad@example.123>” into Tandem"} {
		if !e.hasText(want) {
			t.Errorf("Manage does not show %q", want)
		}
	}
	st := newDeskStatus(e.d)
	e.waitFor("the status line", func() bool { return st.st != nil })
	if !st.attention.Visible() || st.attention.Text != "3 problems need your attention" || strings.Contains(st.line.Text, "problem") {
		t.Errorf("status line = %q, attention %q", st.line.Text, st.attention.Text)
	}
	if got := s.problems.restore[0].Text; got != "Use “Analyst” instead" {
		t.Errorf("restore button says %q", got)
	}
	e.shot("desk-manage-problems.png")
	e.tap(e.button("Open")) // the first card's: Ada's conflict
	if len(opens) != 1 || opens[0] != (opened{app.KindContact, ada.ID}) {
		t.Errorf("Open showed %+v, want Ada (%d)", opens, ada.ID)
	}

	// Restore: the CRM gets the losing (Desk's) value back, and the next
	// pass sends it.
	e.tap(s.problems.restore[0])
	e.waitFor("the conflict to go", func() bool { return len(s.problems.conflicts) == 0 })
	if c, _ := e.db.FindContact(ctx, ada.ID); c.Title != "Analyst" {
		t.Errorf("title after restore = %q", c.Title)
	}
	e.syncOnce()
	if c, _ := e.db.FindContact(ctx, ada.ID); c.Title != "Analyst" {
		t.Errorf("title after the pass that sends the restore = %q", c.Title)
	}

	// Dismiss: the winner stays.
	time.Sleep(5 * time.Millisecond)
	conflict("Poet", "Engineer")
	e.waitFor("the second conflict", func() bool { return len(s.problems.conflicts) == 1 })
	e.tap(s.problems.dismiss[0])
	e.waitFor("the conflict to go", func() bool { return len(s.problems.conflicts) == 0 })
	if c, _ := e.db.FindContact(ctx, ada.ID); c.Title != "Poet" {
		t.Errorf("title after dismiss = %q", c.Title)
	}

	// Try again: Desk accepts it now.
	e.tap(s.problems.retry[0])
	e.syncOnce()
	e.waitFor("the failed push to go", func() bool { return len(s.problems.failed) == 0 })
	if _, err := e.db.FindLink(ctx, e.org, app.KindContact, grace.ID); err != nil {
		t.Errorf("grace is not linked after the retry: %v", err)
	}
	if len(s.problems.errs) != 1 {
		t.Errorf("record errors after the retry: %+v", s.problems.errs)
	}

	// The Desk contact is fixed there: the error goes and the contact comes over.
	if err := e.emu.EditContact(e.org, badID, map[string]any{"email": "bad@example.org"}); err != nil {
		t.Fatal(err)
	}
	e.syncOnce()
	e.waitFor("the last error to go", func() bool { return len(s.problems.errs) == 0 })
	if !e.hasText("Nothing needs your attention") {
		t.Error("no all-clear line after everything was resolved")
	}
}

// TestShownValue keeps quoted values short, on one line, and visible when empty.
func TestShownValue(t *testing.T) {
	if got := shown("  a\nb  "); got != "“a b”" {
		t.Errorf("shown = %q", got)
	}
	if got := shown(""); got != "(empty)" {
		t.Errorf("shown empty = %q", got)
	}
	long := strings.Repeat("山", 200)
	if got := []rune(shown(long)); len(got) != 62 || got[60] != '…' {
		t.Errorf("shown long = %q (%d runes)", string(got), len(got))
	}
}

// TestStatusCountsTeamCards: the status line's count of problems holds
// every kind of card Needs your attention shows — a merge of duplicate
// Desk contacts and a record deleted here and changed in Zoho Desk too
// (issue 12), not only conflicts, failed actions and record errors.
func TestStatusCountsTeamCards(t *testing.T) {
	e := newDeskEnv(t, deskEnvOptions{mode: app.SyncTwoWay})
	ctx := e.ctx
	// Two Desk contacts for one person: the pass merges them (a merge card).
	for _, last := range []string{"Twin", "Twin-Copy"} {
		if _, err := e.emu.CreateContact(e.org, map[string]any{"lastName": last, "email": "twin@example.org"}); err != nil {
			t.Fatal(err)
		}
	}
	// A contact deleted here and edited in Desk since (a deleted card).
	gone := &app.Contact{FirstName: "Ren", LastName: "Ito", Email: "gone@example.org"}
	if err := e.db.CreateContact(ctx, gone); err != nil {
		t.Fatal(err)
	}
	e.syncOnce()
	l, err := e.db.FindLink(ctx, e.org, app.KindContact, gone.ID)
	if err != nil {
		t.Fatalf("not pushed: %v", err)
	}
	if err := e.db.DeleteContact(ctx, gone.ID); err != nil {
		t.Fatal(err)
	}
	e.syncOnce()
	time.Sleep(5 * time.Millisecond)
	if err := e.emu.EditContact(e.org, l.DeskID, map[string]any{"title": "Edited in Desk"}); err != nil {
		t.Fatal(err)
	}
	e.syncOnce()

	s := newDeskSettings(e.d)
	e.show(s.body)
	e.waitFor("the team's cards", func() bool {
		return s.problems != nil && len(s.problems.merges) == 1 && len(s.problems.deleted) == 1
	})
	cards := len(s.problems.conflicts) + len(s.problems.errs) + len(s.problems.failed) + len(s.problems.deleted) + len(s.problems.merges)
	st := newDeskStatus(e.d)
	e.waitFor("the status line", func() bool { return st.st != nil })
	if st.st.Problems != cards || cards != 2 {
		t.Errorf("status counts %d problems; Needs your attention shows %d cards (want 2: a merge, a deleted record)", st.st.Problems, cards)
	}
	if !st.attention.Visible() || st.attention.Text != "2 problems need your attention" {
		t.Errorf("attention button %q (visible %v), want “2 problems need your attention”", st.attention.Text, st.attention.Visible())
	}
	// Dismissing the merge and keeping the record deleted clear the count.
	e.tap(s.problems.dismissMerg[0])
	e.waitFor("the merge card to go", func() bool { return len(s.problems.merges) == 0 })
	e.tap(s.problems.keepDel[0])
	e.waitFor("the deleted card to go", func() bool { return len(s.problems.deleted) == 0 })
	e.waitFor("the status line to follow", func() bool { return st.st.Problems == 0 })
	if st.attention.Visible() {
		t.Errorf("after OK and Keep deleted the attention button still says %q", st.attention.Text)
	}
}

// TestMergeCardHint: the merge card points at the values that differed
// only when the record has such conflicts listed above it; before, every
// merge card said so, also with nothing listed.
func TestMergeCardHint(t *testing.T) {
	e := newDeskEnv(t, deskEnvOptions{emu: deskemu.Options{Seed: 43, Contacts: 1, Accounts: 1, Tickets: 1}, mode: app.SyncTwoWay})
	p := newSyncProblems(e.d, nil)
	e.settle()
	m := app.MergeNote{Kind: app.KindContact, CRMID: 7, RecordName: "Mia Sato", SurvivorID: "1", Losers: []string{"2"}, ByUs: true, At: time.Now()}
	const hint = "Values that differed are listed above"

	e.show(p.mergeCard(&m, []app.Conflict{{Kind: app.KindContact, CRMID: 8, DeskField: "title"}}))
	if !e.hasText("Tandem merged them") || e.hasText(hint) {
		t.Error("a merge with no conflict of its record points at values listed above")
	}
	e.show(p.mergeCard(&m, []app.Conflict{{Kind: app.KindContact, CRMID: 7, DeskField: "title"}}))
	if !e.hasText(hint) {
		t.Error("a merge whose record has conflicts does not point at them")
	}
}
