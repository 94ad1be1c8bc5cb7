package views

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/sync/deskemu"
)

// contactWithTickets returns a CRM contact (pulled from Desk by the
// two-way first sync) that has at least min tickets.
func (e *deskEnv) contactWithTickets(min int) app.Contact {
	e.t.Helper()
	cs, err := e.crm.Contacts.ListContacts(e.ctx, app.ContactFilter{Limit: 500})
	if err != nil {
		e.t.Fatal(err)
	}
	for _, c := range cs {
		tl, err := e.svc.TicketsForRecord(e.ctx, app.KindContact, c.ID, app.TicketFilter{})
		if err == nil && len(tl.Tickets) >= min && app.ValidEmail(c.Email) {
			return c
		}
	}
	e.t.Fatalf("no contact with %d tickets", min)
	return app.Contact{}
}

func (e *deskEnv) tab(kind string, id int64) *TicketsTab {
	t := newTicketsTab(e.d, kind, id)
	e.show(t)
	return t
}

func TestTicketsTabContact(t *testing.T) {
	e := newDeskEnv(t, deskEnvOptions{emu: deskemu.Options{Seed: 11, Contacts: 8, Accounts: 3, Tickets: 30}, mode: app.SyncTwoWay})
	c := e.contactWithTickets(2)
	tab := e.tab(app.KindContact, c.ID)
	all, err := e.svc.TicketsForRecord(e.ctx, app.KindContact, c.ID, app.TicketFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(tab.rows) != len(all.Tickets) || tab.newTicket.Disabled() {
		t.Fatalf("rows %d, want %d; + Ticket disabled %v", len(tab.rows), len(all.Tickets), tab.newTicket.Disabled())
	}
	for i := 1; i < len(tab.rows); i++ {
		if tab.rows[i].ticket.CreatedTime.After(tab.rows[i-1].ticket.CreatedTime) {
			t.Error("tickets are not newest first")
		}
	}
	if !e.hasText("open · ") {
		t.Errorf("counts = %q", tab.counts.Text)
	}
	e.shot("desk-contact-tickets.png")

	// The status filter.
	tab.filter.SetSelectedIndex(2)
	e.settle()
	for _, r := range tab.rows {
		if !r.ticket.Closed() {
			t.Errorf("filter Resolved shows %s (%s)", r.ticket.Number, r.ticket.StatusType)
		}
	}
	tab.filter.SetSelectedIndex(0)
	e.settle()

	// + Ticket: validated, then queued (pending at the top), then sent.
	e.tap(tab.newTicket)
	f := tab.form
	e.tap(f.create)
	if f.fields.errorText("Subject") != "Required" {
		t.Errorf("empty subject: error %q", f.fields.errorText("Subject"))
	}
	test.Type(f.subject, "Invoice 2291 is wrong")
	test.Type(f.description, "The amount should be 12,000 yen.")
	e.tap(f.create)
	if len(tab.rows) == 0 || tab.rows[0].pending == nil {
		t.Fatal("the new ticket is not shown as pending")
	}
	e.shot("desk-contact-pending-ticket.png")
	e.syncOnce()
	e.waitFor("the created ticket", func() bool {
		return len(tab.rows) > 0 && tab.rows[0].pending == nil && tab.rows[0].ticket.Subject == "Invoice 2291 is wrong"
	})
}

func TestNewTicketAvailability(t *testing.T) {
	e := newDeskEnv(t, deskEnvOptions{emu: deskemu.Options{Seed: 12, Contacts: 6, Accounts: 2, Tickets: 10}, mode: app.SyncTwoWay})
	ctx := context.Background()
	noEmail := mustContact(t, e.crm, app.Contact{FirstName: "No", LastName: "Email"})
	tab := e.tab(app.KindContact, noEmail.ID)
	if !tab.newTicket.Disabled() || !e.hasText("give this contact a valid email address") {
		t.Error("+ Ticket is offered on a contact without email, or no reason is given")
	}
	if !e.hasText("No tickets for this contact yet.") {
		t.Error("no empty state")
	}
	e.shot("desk-contact-no-email.png")
	tab.Close()

	// A company: the form picks which of its contacts.
	co := app.Company{Name: "Tandem Test KK"}
	if err := e.crm.Companies.CreateCompany(ctx, &co); err != nil {
		t.Fatal(err)
	}
	tab = e.tab(app.KindCompany, co.ID)
	if !tab.newTicket.Disabled() || !e.hasText("add a contact with a valid email address to this company") {
		t.Error("+ Ticket offered on a company without contacts")
	}
	mustContact(t, e.crm, app.Contact{FirstName: "Aoi", LastName: "Tanaka", Email: "aoi@tandem-test.example", CompanyID: co.ID})
	b := mustContact(t, e.crm, app.Contact{FirstName: "Ren", LastName: "Ito", Email: "ren@tandem-test.example", CompanyID: co.ID})
	mustContact(t, e.crm, app.Contact{FirstName: "Bad", LastName: "Mail", Email: "", CompanyID: co.ID})
	tab.Reload()
	e.settle()
	if tab.newTicket.Disabled() || len(tab.candidates) != 2 {
		t.Fatalf("company: disabled %v, candidates %d", tab.newTicket.Disabled(), len(tab.candidates))
	}
	e.tap(tab.newTicket)
	f := tab.form
	for i, c := range tab.candidates {
		if c.ID == b.ID {
			f.contact.SetSelectedIndex(i)
		}
	}
	test.Type(f.subject, "Delivery question")
	e.tap(f.create)
	e.syncOnce()
	tl, err := e.svc.TicketsForRecord(ctx, app.KindContact, b.ID, app.TicketFilter{})
	if err != nil || len(tl.Tickets) != 1 || tl.Tickets[0].Subject != "Delivery question" {
		t.Fatalf("ticket for the chosen contact: %+v %v", tl, err)
	}
	tab.Close()

	// A pipeline record: only with a linked contact that has an email.
	pl := app.Pipeline{Name: "Sales", Stages: []app.Stage{{Name: "Lead"}}}
	if err := e.crm.Pipelines.CreatePipeline(ctx, &pl); err != nil {
		t.Fatal(err)
	}
	rec := app.Record{PipelineID: pl.ID, StageID: pl.Stages[0].ID, Name: "Renewal", Currency: "JPY"}
	if err := e.crm.Pipelines.CreateRecord(ctx, &rec); err != nil {
		t.Fatal(err)
	}
	tab = e.tab(app.KindRecord, rec.ID)
	if !tab.newTicket.Disabled() || !e.hasText("link a contact with a valid email address to this record") {
		t.Error("+ Ticket offered on a record without contacts")
	}
	full, err := e.crm.Pipelines.FindRecord(ctx, rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	full.Contacts = []app.RecordContact{{ContactID: b.ID, Primary: true}}
	if err := e.crm.Pipelines.UpdateRecord(ctx, full); err != nil {
		t.Fatal(err)
	}
	tab.Reload()
	e.settle()
	if tab.newTicket.Disabled() {
		t.Fatalf("record with a contact: %q", tab.why.Text)
	}
	e.tap(tab.newTicket)
	test.Type(tab.form.subject, "Renewal quote")
	e.tap(tab.form.create)
	e.syncOnce()
	e.waitFor("the record's ticket", func() bool {
		for _, r := range tab.rows {
			if r.ticket != nil && r.ticket.Subject == "Renewal quote" {
				return true
			}
		}
		return false
	})
}

func TestTicketsTabNotActive(t *testing.T) {
	e := newDeskEnv(t, deskEnvOptions{emu: deskemu.Options{Seed: 13, Contacts: 2, Accounts: 1, Tickets: 2}, user: -1})
	c := mustContact(t, e.crm, app.Contact{LastName: "Solo", Email: "solo@example.com"})
	tab := e.tab(app.KindContact, c.ID)
	if !tab.newTicket.Disabled() || !e.hasText("Zoho Desk is not connected") {
		t.Error("no 'not connected' state")
	}
	e.shot("desk-tickets-not-active.png")
}

// openPane opens the ticket with the most threads of a contact's tickets.
func (e *deskEnv) openPane(tab *TicketsTab) *ticketPane {
	e.t.Helper()
	best := -1
	for i, r := range tab.rows {
		if r.ticket != nil && (best < 0 || r.ticket.ThreadCount > tab.rows[best].ticket.ThreadCount) {
			best = i
		}
	}
	tab.list.Select(best)
	e.settle()
	if tab.pane == nil || tab.pane.detail == nil {
		e.t.Fatal("the ticket pane did not open")
	}
	return tab.pane
}

func TestTicketPaneActions(t *testing.T) {
	e := newDeskEnv(t, deskEnvOptions{emu: deskemu.Options{Seed: 14, Contacts: 6, Accounts: 2, Tickets: 20}, mode: app.SyncTwoWay})
	c := e.contactWithTickets(1)
	tab := e.tab(app.KindContact, c.ID)
	p := e.openPane(tab)
	tk := p.detail.Ticket
	// Someone else on the thread, so Reply all has a CC.
	if _, err := e.emu.CustomerReply(e.org, tk.ID, "<p>Adding my colleague.</p>"); err != nil {
		t.Fatal(err)
	}
	e.syncOnce()
	p.reload(true)
	e.settle()
	if p.reply.Disabled() || p.status.Disabled() {
		t.Fatal("an administrator cannot reply or change status")
	}
	// Open in Zoho Desk hands the ticket's web address to the browser.
	var opened []string
	e.d.openURL = func(u string) error { opened = append(opened, u); return nil }
	e.tap(p.openDesk)
	if len(opened) != 1 || opened[0] != tk.WebURL || !strings.HasPrefix(opened[0], "https://") {
		t.Errorf("opened %q for the ticket at %q", opened, tk.WebURL)
	}

	// Reply all: To is the contact, CC editable.
	e.tap(p.replyAll)
	f := p.compose
	if f.to.text() == "" {
		t.Fatal("Reply all has no To")
	}
	if support := e.info.Portals[0].SupportMail; f.from == nil || f.from.Text != support {
		t.Errorf("the reply says it goes from %v, want %s", f.from, support)
	}
	if strings.Contains(f.cc.text(), e.info.Portals[0].SupportMail) {
		t.Errorf("reply all copies the help desk's own address: %q", f.cc.text())
	}
	f.cc.setText(f.cc.text() + ", boss@example.com")
	test.Type(f.body, "Thanks, we are on it.")
	e.tap(f.send)
	if !e.hasText("Waiting to be sent") {
		t.Error("the reply is not shown as pending")
	}
	e.syncOnce()
	p.reload(false)
	e.settle()
	last := p.detail.Threads[len(p.detail.Threads)-1]
	// Desk's sendReply takes cc (Thread.json, commonSendReplyJson): the
	// copy goes there, not into to.
	if !strings.Contains(last.Content+last.Summary, "Thanks, we are on it.") || !strings.Contains(last.CC, "boss@example.com") || strings.Contains(last.To, "boss@") {
		t.Errorf("last thread after reply all: %+v", last)
	}

	// Forward: To is typed; a bad address is refused.
	e.tap(p.forward)
	f = p.compose
	if f.to.text() != "" {
		t.Errorf("Forward starts with To %q", f.to.text())
	}
	test.Type(f.to.entry, "not an address")
	test.Type(f.body, "FYI")
	e.tap(f.send)
	if !strings.Contains(f.message.Text, "not a valid email address") {
		t.Errorf("bad To accepted: %q", f.message.Text)
	}
	f.to.setText("partner@example.org")
	e.tap(f.send)
	e.syncOnce()

	// An internal comment.
	e.tap(p.comment)
	test.Type(p.compose.body, "Customer called, see CRM notes.")
	e.tap(p.compose.send)

	// Status.
	p.status.SetSelected("Closed")
	e.settle()
	e.syncOnce()
	p.reload(false)
	e.settle()
	if p.detail.Ticket.Status != "Closed" || len(p.detail.Pending) != 0 {
		t.Errorf("status %q, pending %d", p.detail.Ticket.Status, len(p.detail.Pending))
	}
	if !e.hasText("Internal comment by") {
		t.Error("the comment is not in the conversation")
	}
	fwd := false
	for _, th := range p.detail.Threads {
		fwd = fwd || (th.IsForward || strings.Contains(th.To, "partner@example.org"))
	}
	if !fwd {
		t.Error("the forward is not in the conversation")
	}
}

func TestReadOnlyAgent(t *testing.T) {
	e := newDeskEnv(t, deskEnvOptions{emu: deskemu.Options{Seed: 15, Contacts: 6, Accounts: 2, Tickets: 12}, mode: app.SyncTwoWay, user: 2, noFirst: true})
	e.syncOnce()
	p0, err := e.svc.ActivePortal(e.ctx)
	if err != nil || p0.CanReply {
		t.Fatalf("portal %+v, %v", p0, err)
	}
	c := e.contactWithTickets(1)
	tab := e.tab(app.KindContact, c.ID)
	if !tab.newTicket.Disabled() || !e.hasText("You cannot create tickets") {
		t.Errorf("read-only agent: + Ticket disabled %v, why %q", tab.newTicket.Disabled(), tab.why.Text)
	}
	if len(tab.rows) == 0 {
		t.Fatal("no tickets")
	}
	p := e.openPane(tab)
	if !p.reply.Disabled() || !p.replyAll.Disabled() || !p.forward.Disabled() || !p.comment.Disabled() || !p.status.Disabled() {
		t.Error("a read-only agent can act")
	}
	if !e.hasText("Read-only: ") {
		t.Error("no read-only reason")
	}
	e.shot("desk-pane-read-only.png")
}

// TestWebURL only lets http(s) addresses with a host reach the browser.
func TestWebURL(t *testing.T) {
	for u, want := range map[string]bool{
		"https://desk.zoho.com/support/acme/ShowHomePage.do#Cases/dv/1": true,
		"http://desk.example/x":  true,
		"javascript:alert(1)":    false,
		"file:///etc/passwd":     false,
		"https://user:pw@evil/x": false,
		"//desk.zoho.com/x":      false,
		"":                       false,
	} {
		if got := webURL(u) != ""; got != want {
			t.Errorf("webURL(%q) accepted = %v", u, got)
		}
	}
}
