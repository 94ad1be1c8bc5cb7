package views

import (
	"image/color"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/sync/deskemu"
)

// findText returns the visible label or rich text that contains text.
func (e *deskEnv) findText(text string) fyne.CanvasObject {
	for _, o := range e.objects() {
		if !o.Visible() {
			continue
		}
		switch l := o.(type) {
		case *widget.Label:
			if strings.Contains(unbreakable(l.Text), text) {
				return o
			}
		case *widget.RichText:
			if strings.Contains(unbreakable(l.String()), text) {
				return o
			}
		}
	}
	return nil
}

// openTicketByID opens a ticket of the tab by its Desk id.
func (e *deskEnv) openTicketByID(tab *TicketsTab, id string) *ticketPane {
	e.t.Helper()
	for i, r := range tab.rows {
		if r.ticket != nil && r.ticket.ID == id {
			tab.list.Select(i)
			e.settle()
			if tab.pane == nil || tab.pane.detail == nil {
				e.t.Fatal("the ticket pane did not open")
			}
			return tab.pane
		}
	}
	e.t.Fatalf("ticket %s is not on the tab (%d rows)", id, len(tab.rows))
	return nil
}

// TestOriginalRequestKept reproduces what a new user saw: the customer's
// original request (the ticket's description, which Desk does not list as
// a thread for a ticket made through the API or the web form) vanished
// from the conversation as soon as anyone replied, and reopening did not
// bring it back.
func TestOriginalRequestKept(t *testing.T) {
	e := newDeskEnv(t, deskEnvOptions{emu: deskemu.Options{Seed: 31, Contacts: 4, Accounts: 2, Tickets: 4}, mode: app.SyncNone})
	c := mustContact(t, e.crm, app.Contact{FirstName: "Mia", LastName: "Sato", Email: "mia.sato@summit.example"})
	const request = "Our invoice for October lists the delivery fee twice."
	id, err := e.emu.CreateTicket(e.org, map[string]any{"subject": "Invoice shows the wrong amount",
		"description": "<p>" + request + "</p>", "contact": map[string]any{"email": c.Email, "lastName": "Sato"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.emu.CustomerReply(e.org, id, "<p>Any news on this?</p>"); err != nil {
		t.Fatal(err)
	}
	e.syncOnce()
	tab := e.tab(app.KindContact, c.ID)
	p := e.openTicketByID(tab, id)
	if !e.hasText(request) || !e.hasText("Original request") {
		t.Error("the customer's original request is not in the conversation after a reply")
	}
	if !e.hasText("Any news on this?") {
		t.Error("the customer's reply is missing")
	}
	// Reopening (a refresh from Desk) keeps it, and so does an agent's reply.
	e.tap(p.reply)
	test.Type(p.compose.body, "We are checking it.")
	e.tap(p.compose.send)
	e.syncOnce()
	tab.pane.close()
	tab.pane = nil
	tab.Reload()
	e.settle()
	e.openTicketByID(tab, id)
	for _, want := range []string{request, "Any news on this?", "We are checking it."} {
		if !e.hasText(want) {
			t.Errorf("after reopening, %q is not in the conversation", want)
		}
	}

	// A ticket made with + Ticket.
	tab.pane.close()
	tab.pane = nil
	tab.root.Objects = []fyne.CanvasObject{tab.listPage}
	tab.Reload()
	e.settle()
	e.tap(tab.newTicket)
	test.Type(tab.form.subject, "Delivery date")
	test.Type(tab.form.description, "Could you deliver on Wednesday instead?")
	e.tap(tab.form.create)
	e.syncOnce()
	var made string
	e.waitFor("the created ticket", func() bool {
		for _, r := range tab.rows {
			if r.ticket != nil && r.ticket.Subject == "Delivery date" {
				made = r.ticket.ID
				return true
			}
		}
		return false
	})
	if _, err := e.emu.CustomerReply(e.org, made, "<p>Thanks!</p>"); err != nil {
		t.Fatal(err)
	}
	e.syncOnce()
	e.openTicketByID(tab, made)
	if !e.hasText("Could you deliver on Wednesday instead?") || !e.hasText("Thanks!") {
		t.Error("the + Ticket ticket lost its description after a reply")
	}
}

// TestCompanyRollsUpContactsTickets: Summit Consulting showed "No tickets
// for this company yet" while its contact had an open ticket.
func TestCompanyRollsUpContactsTickets(t *testing.T) {
	e := newDeskEnv(t, deskEnvOptions{emu: deskemu.Options{Seed: 32, Contacts: 4, Accounts: 2, Tickets: 4}, mode: app.SyncNone})
	co := app.Company{Name: "Summit Consulting"}
	if err := e.crm.Companies.CreateCompany(e.ctx, &co); err != nil {
		t.Fatal(err)
	}
	c := mustContact(t, e.crm, app.Contact{FirstName: "Ken", LastName: "Mori", Email: "ken.mori@summit.example", CompanyID: co.ID})
	id, err := e.emu.CreateTicket(e.org, map[string]any{"subject": "Cannot log in to the portal",
		"description": "<p>403 since the update.</p>", "contact": map[string]any{"email": c.Email, "firstName": "Ken", "lastName": "Mori"}})
	if err != nil {
		t.Fatal(err)
	}
	e.syncOnce()
	tab := e.tab(app.KindCompany, co.ID)
	if e.hasText("No tickets for this company yet") || len(tab.rows) != 1 || tab.rows[0].ticket == nil || tab.rows[0].ticket.ID != id {
		t.Fatalf("the company's tab does not show its contact's ticket (%d rows)", len(tab.rows))
	}
	if !e.hasText("Ken Mori") {
		t.Error("the row does not name the contact")
	}
	e.shot("desk-company-rollup.png")
	tab.Close()

	// A pipeline record: its linked contacts' and its company's tickets.
	pl := app.Pipeline{Name: "Sales", Stages: []app.Stage{{Name: "Lead"}}}
	if err := e.crm.Pipelines.CreatePipeline(e.ctx, &pl); err != nil {
		t.Fatal(err)
	}
	rec := app.Record{PipelineID: pl.ID, StageID: pl.Stages[0].ID, Name: "Renewal", Currency: "JPY", CompanyID: co.ID}
	if err := e.crm.Pipelines.CreateRecord(e.ctx, &rec); err != nil {
		t.Fatal(err)
	}
	tab = e.tab(app.KindRecord, rec.ID)
	if len(tab.rows) != 1 {
		t.Errorf("a record of the company shows %d tickets, want its company's 1", len(tab.rows))
	}
}

// TestInternalCommentsLookDifferent: internal comments looked like
// outgoing replies (same card, same icon, a small grey word).
func TestInternalCommentsLookDifferent(t *testing.T) {
	e := newDeskEnv(t, deskEnvOptions{emu: deskemu.Options{Seed: 33, Contacts: 4, Accounts: 2, Tickets: 4}, mode: app.SyncNone})
	c := mustContact(t, e.crm, app.Contact{FirstName: "Mia", LastName: "Sato", Email: "mia.sato@summit.example"})
	id, err := e.emu.CreateTicket(e.org, map[string]any{"subject": "Printer", "description": "<p>The printer shows E-02.</p>",
		"contact": map[string]any{"email": c.Email, "lastName": "Sato"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.emu.AgentComment(e.org, id, e.info.Users[0].Email, "Called the customer, it is the toner."); err != nil {
		t.Fatal(err)
	}
	e.syncOnce()
	tab := e.tab(app.KindContact, c.ID)
	p := e.openTicketByID(tab, id)
	e.tap(p.reply)
	test.Type(p.compose.body, "Please replace the toner.")
	e.tap(p.compose.send)
	e.syncOnce()
	p.reload(true)
	e.settle()
	if !e.hasText("Internal — not sent to the customer") {
		t.Error("an internal comment does not say it is not sent to the customer")
	}
	lock, tinted := false, false
	note := e.findText("Called the customer")
	for _, o := range e.objects() {
		switch o := o.(type) {
		case *widget.Icon:
			if o.Resource != nil {
				if strings.Contains(o.Resource.Name(), "lock") {
					lock = true
				}
				if o.Resource.Name() == theme.DownloadIcon().Name() || o.Resource.Name() == theme.UploadIcon().Name() {
					t.Error("messages are still told apart by download/upload arrows")
				}
			}
		case *canvas.Rectangle:
			if note != nil && o.Visible() && alpha(o.FillColor) > 0 && contains(o, note) {
				tinted = true
			}
		}
	}
	if !lock || !tinted {
		t.Errorf("internal comment: lock icon %v, tinted card %v", lock, tinted)
	}
	// Incoming on one side, outgoing on the other.
	in, out := e.findText("The printer shows E-02."), e.findText("Please replace the toner.")
	if in == nil || out == nil {
		t.Fatal("messages missing")
	}
	if x := abs(in).X; x >= abs(out).X {
		t.Errorf("incoming at x=%v, outgoing at x=%v: not on different sides", x, abs(out).X)
	}
	e.shot("desk-convo-internal.png")
}

// TestScrollsToSentMessage: after a send the view shows what was sent.
func TestScrollsToSentMessage(t *testing.T) {
	e := newDeskEnv(t, deskEnvOptions{emu: deskemu.Options{Seed: 34, Contacts: 4, Accounts: 2, Tickets: 4}, mode: app.SyncNone})
	c := mustContact(t, e.crm, app.Contact{FirstName: "Mia", LastName: "Sato", Email: "mia.sato@summit.example"})
	id, err := e.emu.CreateTicket(e.org, map[string]any{"subject": "Long", "description": "<p>Start.</p>",
		"contact": map[string]any{"email": c.Email, "lastName": "Sato"}})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 12; i++ {
		e.emu.Advance(time.Minute) // a reply a minute, not twelve in one millisecond
		if _, err := e.emu.CustomerReply(e.org, id, "<p>Message "+itoa(i)+" with some words to take space.</p><p>And a second line.</p>"); err != nil {
			t.Fatal(err)
		}
	}
	e.syncOnce()
	tab := e.tab(app.KindContact, c.ID)
	p := e.openTicketByID(tab, id)
	p.scroll.ScrollToTop()
	e.tap(p.reply)
	test.Type(p.compose.body, "On its way.")
	e.tap(p.compose.send)
	e.win.Content().Refresh()
	e.settle()
	bottom := p.scroll.Content.MinSize().Height - p.scroll.Size().Height
	if bottom <= 0 || p.scroll.Offset.Y < bottom-1 {
		t.Errorf("after send the view is at %v, the new message at the bottom %v", p.scroll.Offset.Y, bottom)
	}
}

func alpha(c color.Color) uint32 {
	if c == nil {
		return 0
	}
	_, _, _, a := c.RGBA()
	return a
}

func abs(o fyne.CanvasObject) fyne.Position {
	return fyne.CurrentApp().Driver().AbsolutePositionForObject(o)
}

// contains reports whether inner lies within outer on screen.
func contains(outer, inner fyne.CanvasObject) bool {
	op, ip := abs(outer), abs(inner)
	os, is := outer.Size(), inner.Size()
	return ip.X >= op.X && ip.Y >= op.Y && ip.X+is.Width <= op.X+os.Width+0.5 && ip.Y+is.Height <= op.Y+os.Height+0.5
}

// TestTicketDetailsHeader: the pane's header shows the ticket's details,
// overdue in words, and changes priority and assignee through the outbox.
func TestTicketDetailsHeader(t *testing.T) {
	e := newDeskEnv(t, deskEnvOptions{emu: deskemu.Options{Seed: 35, Contacts: 4, Accounts: 2, Tickets: 4}, mode: app.SyncNone})
	c := mustContact(t, e.crm, app.Contact{FirstName: "Mia", LastName: "Sato", Email: "mia.sato@summit.example"})
	id, err := e.emu.CreateTicket(e.org, map[string]any{"subject": "Printer", "description": "<p>E-02.</p>", "priority": "High",
		"channel": "Phone", "contact": map[string]any{"email": c.Email, "firstName": "Mia", "lastName": "Sato"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.emu.SetDueDate(e.org, id, time.Now().Add(-50*time.Hour)); err != nil {
		t.Fatal(err)
	}
	e.syncOnce()
	tab := e.tab(app.KindContact, c.ID)
	p := e.openTicketByID(tab, id)
	for _, want := range []string{"overdue by 2 days", "Phone", "Mia Sato <mia.sato@summit.example>"} {
		if !e.hasText(want) {
			t.Errorf("the header does not show %q", want)
		}
	}
	if p.department.Text == "—" || p.department.Text == "" {
		t.Errorf("department %q", p.department.Text)
	}
	if p.priority.Selected != "High" || p.priority.Disabled() || p.assignee.Disabled() || len(p.agents) == 0 {
		t.Fatalf("priority %q (disabled %v), assignee disabled %v, %d agents", p.priority.Selected, p.priority.Disabled(), p.assignee.Disabled(), len(p.agents))
	}
	// Offline: both changes are queued and shown, then sent once.
	fault := e.emu.AddFault(deskemu.Fault{Kind: deskemu.FaultStatus, Status: 503})
	p.priority.SetSelected("Low")
	e.settle()
	p.assignee.SetSelectedIndex(0)
	e.settle()
	e.syncOnce()
	if !e.hasText("Waiting to be sent") || p.priority.Selected != "Low" || p.assignee.SelectedIndex() != 0 {
		t.Errorf("queued changes not shown: priority %q, assignee %d", p.priority.Selected, p.assignee.SelectedIndex())
	}
	e.emu.RemoveFault(fault)
	e.syncOnce()
	td, err := e.svc.Ticket(e.ctx, id, true)
	if err != nil {
		t.Fatal(err)
	}
	if td.Ticket.Priority != "Low" || td.Ticket.AssigneeID != p.agents[0].ID || len(td.Pending) != 0 {
		t.Errorf("on Desk: priority %q, assignee %q (want %q), pending %d", td.Ticket.Priority, td.Ticket.AssigneeID, p.agents[0].ID, len(td.Pending))
	}
	e.shot("desk-ticket-details.png")
}

// TestTicketSearch: a ticket is found by what it says, from its record's
// Tickets tab and from Go to… (Ctrl/Cmd+K), and opens at the message that
// matched, even one behind "Show earlier messages".
func TestTicketSearch(t *testing.T) {
	e := newDeskEnv(t, deskEnvOptions{emu: deskemu.Options{Seed: 36, Contacts: 4, Accounts: 2, Tickets: 4}, mode: app.SyncNone})
	c := mustContact(t, e.crm, app.Contact{FirstName: "Mia", LastName: "Sato", Email: "mia.sato@summit.example"})
	id, err := e.emu.CreateTicket(e.org, map[string]any{"subject": "Toner", "description": "<p>請求書の金額が違います。</p>",
		"contact": map[string]any{"email": c.Email, "firstName": "Mia", "lastName": "Sato"}})
	if err != nil {
		t.Fatal(err)
	}
	e.emu.Advance(time.Minute)
	shipping, err := e.emu.CustomerReply(e.org, id, "<p>The shipping label was torn.</p>")
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 24; i++ {
		e.emu.Advance(time.Minute)
		if _, err := e.emu.CustomerReply(e.org, id, "<p>Reminder "+itoa(i)+".</p>"); err != nil {
			t.Fatal(err)
		}
	}
	e.syncOnce()
	tab := e.tab(app.KindContact, c.ID)
	tab.search.SetText("shipp")
	e.waitFor("the search", func() bool { return len(tab.rows) == 1 && tab.rows[0].hit != nil })
	// The search does not locate the message (one FTS query per search);
	// the pane does, for the ticket opened.
	if h := tab.rows[0].hit; h.Query != "shipp" || hitMessage(h) != focusSearch+"shipp" {
		t.Errorf("hit %+v, want the query", h)
	}
	if kind, msg, err := e.svc.LocateTicketHit(e.ctx, id, "shipp"); kind != "thread" || msg != shipping || err != nil {
		t.Errorf("located %s %s %v, want thread %s", kind, msg, err, shipping)
	}
	tab.list.Select(0)
	e.settle()
	if tab.pane == nil || !e.hasText("The shipping label was torn.") {
		t.Fatal("the ticket did not open at the matching message (behind Show earlier messages)")
	}
	if tab.pane.scroll.Offset.Y <= 0 {
		t.Error("the pane is not scrolled to the matching message")
	}
	e.shot("desk-ticket-search.png")
	tab.Close()
	tab.search.SetText("")

	// Go to… finds contacts and tickets together; Japanese too.
	m := newMainWindow(e.ctx, fyne.CurrentApp(), Params{CRM: e.crm, Integration: e.svc}, e.q.post)
	queues[m] = e.q
	t.Cleanup(func() { settle(m); e.settle(); m.win.Close() })
	settle(m)
	m.goTo()
	g := m.goToOpen
	typeIn(m, g.search, "請求")
	e.waitFor("Go to… results", func() bool { settle(m); return g.first != nil })
	found := false
	for _, o := range g.results.Objects {
		if b, ok := o.(*widget.Button); ok && strings.Contains(b.Text, "Toner") {
			found = true
		}
	}
	if !found {
		t.Fatal("Go to… does not list the ticket that says 請求書")
	}
	g.first()
	settle(m)
	e.settle()
	if m.contacts.current == nil || m.contacts.current.ID != c.ID {
		t.Error("the ticket hit did not open its contact")
	}
}

// TestAttachmentsFromDesk: a customer's files are listed on their message
// with name, type and size, as the strict emulator sends them.
func TestAttachmentsFromDesk(t *testing.T) {
	e := newDeskEnv(t, deskEnvOptions{emu: deskemu.Options{Seed: 37, Contacts: 4, Accounts: 2, Tickets: 4}, mode: app.SyncNone})
	c := mustContact(t, e.crm, app.Contact{FirstName: "Mia", LastName: "Sato", Email: "mia.sato@summit.example"})
	id, err := e.emu.CreateTicket(e.org, map[string]any{"subject": "Screen", "description": "<p>See attached.</p>",
		"contact": map[string]any{"email": c.Email, "lastName": "Sato"}})
	if err != nil {
		t.Fatal(err)
	}
	e.emu.Advance(time.Minute)
	if _, err := e.emu.CustomerReplyWithFiles(e.org, id, "<p>Here is the screenshot and the invoice.</p>",
		deskemu.File{Name: "screenshot.png", Size: 245760}, deskemu.File{Name: "invoice-2291.pdf", Size: 1572864}); err != nil {
		t.Fatal(err)
	}
	e.syncOnce()
	tab := e.tab(app.KindContact, c.ID)
	e.openTicketByID(tab, id)
	for _, want := range []string{"Attachment: screenshot.png", "PNG · 240 KB", "Attachment: invoice-2291.pdf", "PDF · 1.5 MB"} {
		if !e.hasText(want) {
			t.Errorf("the conversation does not show %q", want)
		}
	}
}

// TestComposerStatusAndDraft: a reply can set the ticket's status on send
// (sendReply's ticketStatus); an unsent reply is kept when the dialog
// closes and when the pane (or the app) is opened again.
func TestComposerStatusAndDraft(t *testing.T) {
	e := newDeskEnv(t, deskEnvOptions{emu: deskemu.Options{Seed: 38, Contacts: 4, Accounts: 2, Tickets: 4}, mode: app.SyncNone})
	c := mustContact(t, e.crm, app.Contact{FirstName: "Mia", LastName: "Sato", Email: "mia.sato@summit.example"})
	id, err := e.emu.CreateTicket(e.org, map[string]any{"subject": "Delivery", "description": "<p>When?</p>",
		"contact": map[string]any{"email": c.Email, "lastName": "Sato"}})
	if err != nil {
		t.Fatal(err)
	}
	e.syncOnce()
	tab := e.tab(app.KindContact, c.ID)
	p := e.openTicketByID(tab, id)

	// A draft survives closing the dialog and a new pane.
	e.tap(p.reply)
	test.Type(p.compose.body, "Half-written answer")
	e.waitFor("the draft to be kept", func() bool {
		d, err := e.svc.Draft(e.ctx, id, app.OutboxReply)
		return err == nil && d.Content == "Half-written answer"
	})
	p.compose.dlg.Hide()
	e.settle()
	tab.pane.close()
	tab.pane = nil
	p = e.openTicketByID(tab, id)
	e.tap(p.reply)
	if p.compose.body.Text != "Half-written answer" || !e.hasText("Your unsent draft is back.") {
		t.Fatalf("the draft did not come back: %q", p.compose.body.Text)
	}

	// Send and set to On Hold.
	f := p.compose
	if f.setStatus == nil {
		t.Fatal("no status choice in the composer")
	}
	for i, v := range f.statusAfter {
		if v == "On Hold" {
			f.setStatus.SetSelectedIndex(i + 1)
		}
	}
	if !strings.Contains(f.send.Text, "On Hold") {
		t.Errorf("send button says %q", f.send.Text)
	}
	e.tap(f.send)
	e.syncOnce()
	td, err := e.svc.Ticket(e.ctx, id, true)
	if err != nil {
		t.Fatal(err)
	}
	if td.Ticket.Status != "On Hold" || len(td.Pending) != 0 {
		t.Errorf("after send: status %q, pending %d", td.Ticket.Status, len(td.Pending))
	}
	if d, _ := e.svc.Draft(e.ctx, id, app.OutboxReply); !d.Empty() {
		t.Errorf("the sent reply's draft is still kept: %+v", d)
	}
}
