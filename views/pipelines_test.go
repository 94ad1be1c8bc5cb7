package views

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"github.com/tandem-crm/tandem/app"
)

func mustPipeline(t *testing.T, crm app.CRM, name string, stages ...string) *app.Pipeline {
	t.Helper()
	p := &app.Pipeline{Name: name}
	for _, s := range stages {
		p.Stages = append(p.Stages, app.Stage{Name: s})
	}
	if err := crm.Pipelines.CreatePipeline(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	p, err := crm.Pipelines.FindPipeline(context.Background(), p.ID)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCreateRecordAndMoveIt(t *testing.T) {
	crm := newTestCRM(t)
	ctx := context.Background()
	mustPipeline(t, crm, "Other", "X")
	p := mustPipeline(t, crm, "Sales", "Lead", "Proposal", "Won")
	co := app.Company{Name: "Acme Trading"}
	if err := crm.Companies.CreateCompany(ctx, &co); err != nil {
		t.Fatal(err)
	}
	emma := mustContact(t, crm, app.Contact{FirstName: "Emma", LastName: "Smith", Email: "emma@example.com", CompanyID: co.ID})
	liam := mustContact(t, crm, app.Contact{FirstName: "Liam", LastName: "Brown"})

	m := newTestWindow(t, crm)
	m.nav.Select(2)
	settle(m)
	s := m.pipelines
	s.picker.SetSelected("Sales")
	settle(m)
	if s.cur != p.ID {
		t.Fatalf("current pipeline %d, want %d", s.cur, p.ID)
	}

	tap(m, button(t, m, "New record"))
	f := s.form
	if f == nil {
		t.Fatal("no record form")
	}
	typeIn(m, f.name, "Website redesign")
	typeIn(m, f.amount, "1,200,000")
	typeIn(m, f.closing, "2026-13-01")
	if f.fields.errorText("ClosingDate") != app.MsgDateInvalid {
		t.Error("no live error for a bad closing date")
	}
	f.closing.SetText("2026-12-31")
	settle(m)
	f.comp.set(co.ID, co.Name)
	typeIn(m, f.find, "smith")
	tap(m, button(t, m, "Emma Smith · emma@example.com"))
	typeIn(m, f.find, "brown")
	tap(m, button(t, m, "Liam Brown"))
	if len(f.contacts) != 2 || !f.contacts[0].Primary || f.contacts[1].Primary {
		t.Fatalf("linked contacts = %+v", f.contacts)
	}
	f.primary.SetSelected("Liam Brown")
	settle(m)
	tap(m, f.save)
	if len(m.open) != 0 {
		t.Fatalf("the form stayed open: %+v", f.fields.errs)
	}

	recs, _ := crm.Pipelines.ListRecords(ctx, app.RecordFilter{PipelineID: p.ID})
	if len(recs) != 1 {
		t.Fatalf("%d records", len(recs))
	}
	r := recs[0]
	if r.Amount != 1_200_000 || r.Currency != "JPY" || r.StageID != p.Stages[0].ID || r.CompanyID != co.ID ||
		r.ClosingDate != "2026-12-31" || r.PrimaryContact() == nil || r.PrimaryContact().ContactID != liam.ID {
		t.Fatalf("saved %+v", r)
	}
	if !hasText(m, "¥1,200,000") || !hasText(m, "Website redesign") {
		t.Error("the board does not show the new card")
	}

	// Move it with the card's "Move to ▸" menu.
	card, ok := s.columns[0].cards.item(0)
	if !ok || card.ID != r.ID {
		t.Fatalf("first card of Lead = %+v", card)
	}
	menu := s.moveMenu(s.current(), card)
	if len(menu.Items) != 2 || menu.Items[0].Label != "Proposal" {
		t.Fatalf("move menu = %+v", menu.Items)
	}
	menu.Items[0].Action()
	settle(m)
	if moved, ok := s.columns[1].cards.item(0); !ok || moved.ID != r.ID || s.columns[0].cards.total != 0 {
		t.Fatalf("after the move: Proposal shows %+v, Lead %d cards", moved, s.columns[0].cards.total)
	}

	// The contact's page lists the record.
	m.nav.Select(0)
	settle(m)
	m.contacts.showDetail(emma.ID)
	settle(m)
	if !hasText(m, "Website redesign · Proposal · ¥1,200,000 · Acme Trading") {
		t.Error("the contact page does not list the record")
	}

	// The list view shows it too, and tapping a row opens the form.
	m.nav.Select(2)
	settle(m)
	s.mode.SetSelected("List")
	settle(m)
	if s.body.Objects[0] != s.table {
		t.Fatal("the list view is not shown")
	}
}

func TestRecordFormValidation(t *testing.T) {
	crm := newTestCRM(t)
	mustPipeline(t, crm, "Sales", "Lead")
	m := newTestWindow(t, crm)
	m.nav.Select(2)
	settle(m)
	m.pipelines.create()
	f := m.pipelines.form
	typeIn(m, f.amount, "12.5")
	tap(m, f.save)
	if f.fields.errorText("Name") != app.MsgRequired || f.fields.errorText("Amount") != app.MsgAmountBad {
		t.Errorf("errors: name %q, amount %q", f.fields.errorText("Name"), f.fields.errorText("Amount"))
	}
	f.currency.SetSelected("USD")
	settle(m)
	typeIn(m, f.name, "Support plan")
	tap(m, f.save)
	recs, _ := crm.Pipelines.ListRecords(context.Background(), app.RecordFilter{})
	if len(recs) != 1 || recs[0].Amount != 1250 || recs[0].Currency != "USD" {
		t.Fatalf("saved %+v", recs)
	}
}

func TestStages(t *testing.T) {
	crm := newTestCRM(t)
	ctx := context.Background()
	p := mustPipeline(t, crm, "Sales", "Lead", "Won")
	r := app.Record{PipelineID: p.ID, StageID: p.Stages[0].ID, Name: "Deal", Currency: "JPY"}
	if err := crm.Pipelines.CreateRecord(ctx, &r); err != nil {
		t.Fatal(err)
	}
	m := newTestWindow(t, crm)
	m.nav.Select(2)
	settle(m)
	s := m.pipelines
	stages := func() []string {
		q, _ := crm.Pipelines.FindPipeline(ctx, p.ID)
		var out []string
		for _, st := range q.Stages {
			out = append(out, st.Name)
		}
		return out
	}

	// Add a stage, then rename it through the dialogs.
	tap(m, button(t, m, "Add stage"))
	e := m.win.Canvas().Focused().(*entry)
	typeIn(m, e, "Lost")
	tap(m, button(t, m, "OK"))
	if got := strings.Join(stages(), ","); got != "Lead,Won,Lost" {
		t.Fatalf("stages after add: %s", got)
	}
	s.stageMenu(s.current(), 2).Items[0].Action() // Rename…
	settle(m)
	e = m.win.Canvas().Focused().(*entry)
	e.SetText("")
	settle(m)
	typeIn(m, e, "Lost deal")
	tap(m, button(t, m, "OK"))
	// Reorder: move "Lost deal" left.
	s.stageMenu(s.current(), 2).Items[1].Action()
	settle(m)
	if got := strings.Join(stages(), ","); got != "Lead,Lost deal,Won" {
		t.Fatalf("stages after rename and move: %s", got)
	}

	// Deleting the non-empty stage is refused with a message.
	s.stageMenu(s.current(), 0).Items[4].Action() // Delete stage
	settle(m)
	tap(m, button(t, m, "Delete"))
	if !hasText(m, "This stage still has records. Move them to another stage first.") {
		t.Error("no message for a refused stage delete")
	}
	if len(stages()) != 3 {
		t.Fatal("the non-empty stage was deleted")
	}
	tap(m, button(t, m, "OK"))

	// An empty one goes.
	s.stageMenu(s.current(), 1).Items[4].Action()
	settle(m)
	tap(m, button(t, m, "Delete"))
	if got := strings.Join(stages(), ","); got != "Lead,Won" {
		t.Fatalf("stages after delete: %s", got)
	}
}

// TestRenameAndDeletePipeline: the pipeline menu renames the pipeline shown,
// refuses to delete one with records, and deletes an empty one.
func TestRenameAndDeletePipeline(t *testing.T) {
	crm := newTestCRM(t)
	ctx := context.Background()
	sales := mustPipeline(t, crm, "Sales", "Lead", "Won")
	r := app.Record{PipelineID: sales.ID, StageID: sales.Stages[0].ID, Name: "Deal", Currency: "JPY"}
	if err := crm.Pipelines.CreateRecord(ctx, &r); err != nil {
		t.Fatal(err)
	}
	hiring := mustPipeline(t, crm, "Hiring", "Applied")
	m := newTestWindow(t, crm)
	m.nav.Select(2)
	settle(m)
	s := m.pipelines
	s.cur = sales.ID
	s.refresh()
	settle(m)

	menuAction(t, s.pipelineMenu(), "Rename pipeline…")
	settle(m)
	e := m.win.Canvas().Focused().(*entry)
	e.SetText("")
	typeIn(m, e, "New business 新規")
	tap(m, button(t, m, "OK"))
	if p, _ := crm.Pipelines.FindPipeline(ctx, sales.ID); p.Name != "New business 新規" {
		t.Fatalf("name after rename: %q", p.Name)
	}
	if s.picker.Selected != "New business 新規" {
		t.Errorf("picker shows %q", s.picker.Selected)
	}

	// Not while it has records.
	menuAction(t, s.pipelineMenu(), "Delete pipeline…")
	settle(m)
	tap(m, button(t, m, "Delete"))
	if !hasText(m, "This pipeline still has records. Delete them first.") {
		t.Error("no message for a refused pipeline delete")
	}
	if _, err := crm.Pipelines.FindPipeline(ctx, sales.ID); err != nil {
		t.Fatalf("the pipeline with records was deleted: %v", err)
	}
	tap(m, button(t, m, "OK"))

	// An empty one goes, and another is shown.
	s.cur = hiring.ID
	s.refresh()
	settle(m)
	menuAction(t, s.pipelineMenu(), "Delete pipeline…")
	settle(m)
	tap(m, button(t, m, "Delete"))
	if _, err := crm.Pipelines.FindPipeline(ctx, hiring.ID); app.ErrorCode(err) != app.ENOTFOUND {
		t.Fatalf("the empty pipeline is still there: %v", err)
	}
	if s.cur != sales.ID {
		t.Errorf("shown after the delete: %d, want %d", s.cur, sales.ID)
	}
}

// TestBoardShowsEveryRecord: a stage with more records than a page shows
// every one of them, loaded page by page as its column scrolls, and the
// counts and totals cover them all.
func TestBoardShowsEveryRecord(t *testing.T) {
	crm := newTestCRM(t)
	ctx := context.Background()
	p := mustPipeline(t, crm, "Big", "Lead", "Won")
	const n = 3*pageSize + 7
	rs := make([]app.Record, n)
	for i := range rs {
		rs[i] = app.Record{PipelineID: p.ID, StageID: p.Stages[0].ID, Name: fmt.Sprintf("Deal %04d", i), Amount: 100, Currency: "JPY"}
	}
	if res, err := crm.Pipelines.ImportRecords(ctx, rs); err != nil || res.Inserted != len(rs) {
		t.Fatalf("import: %+v %v", res, err)
	}
	m := newTestWindow(t, crm)
	m.nav.Select(2)
	settle(m)
	s := m.pipelines
	col := s.columns[0]
	if col.cards.total != n || col.count.Text != fmt.Sprintf("%d records", n) {
		t.Fatalf("Lead: %d cards, count %q", col.cards.total, col.count.Text)
	}
	if want := fmt.Sprintf("%d records · ¥%s", n, "15,700"); !strings.HasPrefix(s.info.Text, want) {
		t.Errorf("info = %q, want %q", s.info.Text, want)
	}
	if len(col.cards.pages) != 1 {
		t.Errorf("%d pages loaded before scrolling", len(col.cards.pages))
	}
	col.cards.list.ScrollToBottom()
	settle(m)
	last, ok := col.cards.item(n - 1)
	if !ok || last.Name != fmt.Sprintf("Deal %04d", n-1) {
		t.Fatalf("the last card: %+v %v", last, ok)
	}
	if !hasText(m, last.Name) {
		t.Error("the last card is not drawn after scrolling to it")
	}
	if !s.columns[1].none.Visible() {
		t.Error("the empty stage does not say so")
	}

	// The list view pages the same way.
	s.mode.SetSelected("List")
	settle(m)
	if s.rows.total != n {
		t.Fatalf("the table has %d rows", s.rows.total)
	}
	s.table.ScrollToBottom()
	settle(m)
	if r, ok := s.rows.item(n - 1); !ok || r.Name != last.Name {
		t.Errorf("the table's last row: %+v %v", r, ok)
	}

	// A filter narrows the columns and the counts, and shows each
	// column's matches from the top.
	s.mode.SetSelected("Board")
	settle(m)
	col = s.columns[0]
	col.cards.list.ScrollToBottom()
	settle(m)
	if col.cards.list.GetScrollOffset() == 0 {
		t.Fatal("the column did not scroll")
	}
	typeIn(m, s.search, "Deal 00")
	settle(m)
	if col.cards.total != 100 || !strings.HasPrefix(s.info.Text, "100 records") {
		t.Errorf("filtered: %d cards, info %q", col.cards.total, s.info.Text)
	}
	if off := col.cards.list.GetScrollOffset(); off != 0 {
		t.Errorf("filtered, the column stays scrolled by %v: its first matches are out of sight", off)
	}
}

// menuAction runs the item of menu labelled label.
func menuAction(t *testing.T, menu *fyne.Menu, label string) {
	t.Helper()
	for _, it := range menu.Items {
		if it.Label == label {
			it.Action()
			return
		}
	}
	t.Fatalf("no menu item %q", label)
}

// TestBoardArrivesInOneStep: the board's answer carries every column's
// first cards, so applying it puts the whole board on screen and starts no
// further query per column (before, each column loaded, and was laid out,
// on its own answer).
func TestBoardArrivesInOneStep(t *testing.T) {
	crm := newTestCRM(t)
	ctx := context.Background()
	p := mustPipeline(t, crm, "Sales", "Lead", "Proposal", "Won", "Lost")
	var rs []app.Record
	for i, st := range p.Stages[:3] {
		for j := 0; j <= i; j++ {
			rs = append(rs, app.Record{PipelineID: p.ID, StageID: st.ID, Name: fmt.Sprintf("%s deal %d", st.Name, j), Amount: 100, Currency: "JPY"})
		}
	}
	if _, err := crm.Pipelines.ImportRecords(ctx, rs); err != nil {
		t.Fatal(err)
	}
	m := newTestWindow(t, crm)
	m.nav.Select(2)
	deadline := time.Now().Add(10 * time.Second)
	for !m.run.idle() && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	for _, f := range queues[m].take() { // the board's answer, and nothing after it
		f()
	}
	s := m.pipelines
	if len(s.columns) != 4 {
		t.Fatalf("%d columns", len(s.columns))
	}
	for i, col := range s.columns {
		want := []int{1, 2, 3, 0}[i]
		if col.cards.total != want {
			t.Errorf("%s: %d cards counted, want %d", col.stage.Name, col.cards.total, want)
		}
		if want == 0 {
			continue
		}
		if _, ok := col.cards.item(want - 1); !ok {
			t.Errorf("%s: the cards are not there at once", col.stage.Name)
		}
	}
	if !m.run.idle() {
		t.Error("the board's answer started more queries")
	}
	settle(m)
}

// TestBoardHidesColumnsOutOfSight: the columns scrolled out of the board's
// sight are not drawn (their bodies are hidden, so Fyne neither paints nor
// rasterises their cards), keep their width, and come back when the board
// scrolls to them.
func TestBoardHidesColumnsOutOfSight(t *testing.T) {
	crm := newTestCRM(t)
	p := mustPipeline(t, crm, "Sales", "Lead", "Qualified", "Proposal", "Negotiation", "Won", "Lost")
	last := p.Stages[len(p.Stages)-1]
	r := app.Record{PipelineID: p.ID, StageID: last.ID, Name: "Far deal", Amount: 100, Currency: "JPY"}
	if err := crm.Pipelines.CreateRecord(context.Background(), &r); err != nil {
		t.Fatal(err)
	}
	m := newTestWindow(t, crm)
	m.nav.Select(2)
	settle(m)
	s := m.pipelines
	first, far := s.columns[0], s.columns[len(s.columns)-1]
	if !first.body.Visible() || far.body.Visible() {
		t.Fatalf("at the left: the first column shown %v, the last %v (want true, false)", first.body.Visible(), far.body.Visible())
	}
	width := far.root.Size().Width
	if width < columnWidth {
		t.Errorf("the hidden column is %v wide, want %v", width, columnWidth)
	}
	s.boardRow.Scrolled(&fyne.ScrollEvent{Scrolled: fyne.Delta{DX: -10 * columnWidth}})
	settle(m)
	if first.body.Visible() || !far.body.Visible() {
		t.Fatalf("scrolled to the right: the first column shown %v, the last %v (want false, true)", first.body.Visible(), far.body.Visible())
	}
	if card, ok := far.cards.item(0); !ok || card.Name != "Far deal" || !hasText(m, "Far deal") {
		t.Errorf("the last column's card: %+v %v", card, ok)
	}
}
