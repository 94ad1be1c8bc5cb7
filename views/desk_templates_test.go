package views

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/sync/desk"
	"github.com/tandem-crm/tandem/sync/deskemu"
)

// lastReplyFrom is the sender of the newest reply Desk (the emulator) has
// on a ticket, read back over its API.
func (e *deskEnv) lastReplyFrom(ticketID string) string {
	e.t.Helper()
	cl, err := desk.New(desk.Options{BaseURL: e.run.URL, OrgID: e.org, Tokens: desk.StaticToken(e.info.Users[0].AccessToken)})
	if err != nil {
		e.t.Fatal(err)
	}
	for th, err := range cl.AllThreads(context.Background(), ticketID) {
		if err != nil {
			e.t.Fatal(err)
		}
		if th.Direction == desk.DirectionOut {
			return th.FromEmailAddress // newest first
		}
	}
	return ""
}

// TestComposerFromAndTemplates: the composer's From offers the active
// From addresses of the ticket's department, the default chosen, and the
// reply goes from the one chosen; Template… lists the department's
// templates, Desk fills the chosen one in for the ticket, it replaces the
// message, and "Restore what I wrote" brings the message back.
func TestComposerFromAndTemplates(t *testing.T) {
	e := newDeskEnv(t, deskEnvOptions{emu: deskemu.Options{Seed: 42, Contacts: 4, Accounts: 2, Tickets: 4}, mode: app.SyncNone})
	c, id := e.miaTicket("Toner", "<p>The toner is empty again.</p>")
	tab := e.tab(app.KindContact, c.ID)
	p := e.openTicketByID(tab, id)
	e.tap(p.reply)
	f := p.compose
	support := e.info.Portals[0].SupportMail
	if f.sender == nil || f.sender.pick == nil {
		t.Fatal("the composer offers no choice of sender")
	}
	var care int = -1
	for i, o := range f.sender.pick.Options {
		if strings.Contains(o, "<care@") {
			care = i
		}
		if strings.Contains(o, "old-help@") || strings.Contains(o, "billing@") {
			t.Errorf("the composer offers %q: inactive or of another department", o)
		}
	}
	if len(f.sender.pick.Options) != 2 || care < 0 || f.sender.chosen() != support {
		t.Fatalf("From offers %q, chosen %q (want %s)", f.sender.pick.Options, f.sender.chosen(), support)
	}
	f.sender.pick.SetSelectedIndex(care)

	// A template replaces what was written; the undo brings it back.
	test.Type(f.body, "My own words")
	e.tap(f.templates.button)
	if f.templates.list == nil || len(f.templates.items) != 4 {
		t.Fatalf("the picker lists %d templates", len(f.templates.items))
	}
	if !e.hasText("受付のお知らせ · Replies") || !e.hasText("Acknowledge the request · Replies") {
		t.Error("the picker does not show the templates' names and folder")
	}
	e.shot("compose-template-picker.png")
	e.pickTemplate(t, f, "受付のお知らせ")
	ticket := p.detail.Ticket
	body := f.body.Text
	if !strings.HasPrefix(body, "Mia Sato 様\n\n") || !strings.Contains(body, ticket.Number) || strings.Contains(body, "${") ||
		strings.Contains(body, "<") || strings.Contains(body, "My own words") {
		t.Fatalf("the message after the template: %q", body)
	}
	if f.templates.restore.Disabled() {
		t.Fatal("no way back to what was written")
	}
	e.tap(f.templates.restore)
	if f.body.Text != "My own words" || !f.templates.restore.Disabled() {
		t.Fatalf("restored %q", f.body.Text)
	}
	e.tap(f.templates.button)
	e.pickTemplate(t, f, "Acknowledge the request")
	if !strings.HasPrefix(f.body.Text, "Dear Mia Sato,\n\n") {
		t.Fatalf("the English template: %q", f.body.Text)
	}
	// Ctrl+Z undoes the template too, until the new message is edited.
	f.body.TypedShortcut(&fyne.ShortcutUndo{})
	if f.body.Text != "My own words" {
		t.Fatalf("Ctrl+Z after a template: %q", f.body.Text)
	}
	e.tap(f.templates.button)
	e.pickTemplate(t, f, "Acknowledge the request")
	e.shot("compose-template.png")

	e.tap(f.send)
	e.syncOnce()
	if got := e.lastReplyFrom(id); got != "care@"+strings.SplitN(support, "@", 2)[1] {
		t.Errorf("Desk got the reply from %q, want the chosen care@ address", got)
	}
}

// TestComposerTemplatesOffline: offline the composer still offers the
// senders and templates last read, and says that filling a template in
// needs Zoho Desk; the message is left as it was.
func TestComposerTemplatesOffline(t *testing.T) {
	e := newDeskEnv(t, deskEnvOptions{emu: deskemu.Options{Seed: 43, Contacts: 4, Accounts: 2, Tickets: 4}, mode: app.SyncNone})
	c, id := e.miaTicket("Toner", "<p>Empty.</p>")
	tab := e.tab(app.KindContact, c.ID)
	p := e.openTicketByID(tab, id)
	e.tap(p.reply)
	e.tap(p.compose.templates.button) // the lists are read once online
	p.compose.templates.dlg.Hide()
	p.compose.dlg.Hide()
	e.settle()

	fault := e.emu.AddFault(deskemu.Fault{Kind: deskemu.FaultDrop})
	defer e.emu.RemoveFault(fault)
	e.tap(p.reply)
	f := p.compose
	if f.sender.pick == nil || len(f.sender.pick.Options) != 2 {
		t.Fatal("offline, the composer forgot the department's senders")
	}
	test.Type(f.body, "Kept")
	e.tap(f.templates.button)
	if len(f.templates.items) != 4 {
		t.Fatalf("offline, the picker lists %d templates", len(f.templates.items))
	}
	f.templates.list.Select(0)
	e.settle()
	if f.body.Text != "Kept" || !e.hasText("Templates need a connection to Zoho Desk") {
		t.Fatalf("offline template: message %q, note %q", f.body.Text, f.message.Text)
	}
}

// TestDraftKeepsSender: the sender chosen in a reply left unsent comes
// back with its draft (it went back to the default before), and is the
// one Desk gets when the reply is sent.
func TestDraftKeepsSender(t *testing.T) {
	e := newDeskEnv(t, deskEnvOptions{emu: deskemu.Options{Seed: 44, Contacts: 4, Accounts: 2, Tickets: 4}, mode: app.SyncNone})
	c, id := e.miaTicket("Toner", "<p>The toner is empty again.</p>")
	tab := e.tab(app.KindContact, c.ID)
	p := e.openTicketByID(tab, id)
	e.tap(p.reply)
	f := p.compose
	if f.sender == nil || f.sender.pick == nil {
		t.Fatal("the composer offers no choice of sender")
	}
	care := -1
	for i, o := range f.sender.pick.Options {
		if strings.Contains(o, "<care@") {
			care = i
		}
	}
	if care < 0 {
		t.Fatalf("no care@ address among %q", f.sender.pick.Options)
	}
	careAddr := f.sender.addrs[care].Address
	test.Type(f.body, "A new toner is on its way.")
	f.sender.pick.SetSelectedIndex(care)
	e.waitFor("the draft to keep the sender", func() bool {
		d, err := e.svc.Draft(e.ctx, id, app.OutboxReply)
		return err == nil && d.From == careAddr && d.Content != ""
	})
	f.dlg.Hide()
	e.settle()
	tab.pane.close()
	tab.pane = nil

	p = e.openTicketByID(tab, id)
	e.tap(p.reply)
	f = p.compose
	if !e.hasText("Your unsent draft is back.") || f.sender.chosen() != careAddr {
		t.Fatalf("the draft came back from %q, want %q", f.sender.chosen(), careAddr)
	}
	// A draft back is news, not an error: not on the red line.
	if f.message.Text != "" || f.notice.Importance == widget.DangerImportance {
		t.Errorf("the draft's note is red: message %q", f.message.Text)
	}
	e.tap(f.send)
	e.syncOnce()
	if got := e.lastReplyFrom(id); got != careAddr {
		t.Errorf("Desk got the reply from %q, want %s", got, careAddr)
	}
}

// TestTemplateAttachmentsSaid: a template that carries files in Desk fills
// the message in, and the composer says which files were not added and
// why (Desk lists a template's files but offers no download of them);
// a template without files says nothing.
func TestTemplateAttachmentsSaid(t *testing.T) {
	e := newDeskEnv(t, deskEnvOptions{emu: deskemu.Options{Seed: 45, Contacts: 4, Accounts: 2, Tickets: 4}, mode: app.SyncNone})
	c, id := e.miaTicket("Toner", "<p>The toner is empty again.</p>")
	tab := e.tab(app.KindContact, c.ID)
	p := e.openTicketByID(tab, id)
	e.tap(p.reply)
	f := p.compose
	pick := func(name string) {
		e.tap(f.templates.button)
		e.pickTemplate(t, f, name)
	}
	pick("Ask for more details")
	if !strings.HasPrefix(f.body.Text, "Dear Mia Sato,") {
		t.Fatalf("the message after the template: %q", f.body.Text)
	}
	note := f.notice.Text
	if !f.notice.Visible() || f.notice.Importance == widget.DangerImportance {
		t.Errorf("the note about the template's files is hidden or red")
	}
	if !strings.Contains(note, "2 attachments were not added") || !strings.Contains(note, "How to take a screenshot.pdf, Version check.png") ||
		!strings.Contains(note, "Attach files…") {
		t.Fatalf("the composer says %q about the template's two files", note)
	}
	if len(f.files.paths) != 0 {
		t.Errorf("the reply carries %q", f.files.paths)
	}
	e.shot("compose-template-files.png")
	pick("Acknowledge the request")
	if f.notice.Text != "" || f.notice.Visible() {
		t.Errorf("after a template without files the composer says %q", f.notice.Text)
	}
}

// pickTemplate chooses the template named name in the composer's open
// template picker.
func (e *deskEnv) pickTemplate(t *testing.T, f *composeForm, name string) {
	t.Helper()
	for i, it := range f.templates.items {
		if it.Name == name {
			f.templates.list.Select(i)
			e.settle()
			return
		}
	}
	t.Fatalf("no template %q", name)
}
