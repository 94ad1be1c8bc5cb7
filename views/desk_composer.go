package views

import (
	"cmp"
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tandem-crm/tandem/app"
)

// composeForm is the Reply / Reply all / Forward / comment dialog.
type composeForm struct {
	kind    string
	from    *widget.Label // the support address the reply goes from
	dlg     dialog.Dialog
	to, cc  *addrChips
	bcc     *addrChips
	body    *entry
	public  *keyCheck
	send    *widget.Button
	message *widget.Label // what stops the reply (red)
	// notice is what the composer tells that is no error (a draft back, a
	// template's files left out); hidden when empty.
	notice *widget.Label
	// relayout lays the dialog out again (the notice shown or hidden).
	relayout func()
	// setStatus is the ticket's status after the reply ("" keeps it):
	// statusAfter[i-1] for option i, option 0 keeping it.
	setStatus   *keySelect
	statusAfter []string
	sent        bool
	deb         debouncer
	files       *fileChips     // the files the reply or comment carries
	sender      *senderRow     // From (nil for a comment)
	templates   *templateTools // Template… (nil for a comment)
}

// replyAddresses fills in To and CC for a reply (the ticket's contact) or
// reply all (also everyone else on the latest message, except the portal's
// own address).
func replyAddresses(td *app.TicketDetail, support, kind string) (to, cc string) {
	to = firstNonEmpty(td.Ticket.ContactEmail, td.Ticket.Email)
	if kind != app.OutboxReplyAll {
		return to, ""
	}
	skip := map[string]bool{app.NormalizeEmail(to): true, app.NormalizeEmail(support): true, "": true}
	var out []string
	if n := len(td.Threads); n > 0 { // the latest message's recipients
		th := td.Threads[n-1]
		// The help desk's own address is the To of a customer's message and
		// the From of an agent's reply: leave it out.
		list := th.From + "," + th.CC
		if th.Direction == "out" {
			list = th.To + "," + th.CC
		}
		for _, a := range strings.Split(list, ",") {
			a = strings.TrimSpace(a)
			if lt, gt := strings.LastIndex(a, "<"), strings.LastIndex(a, ">"); lt >= 0 && gt > lt {
				a = a[lt+1 : gt]
			}
			if n := app.NormalizeEmail(a); !skip[n] && app.ValidEmail(n) {
				skip[n] = true
				out = append(out, a)
			}
		}
	}
	return to, strings.Join(out, ", ")
}

func (p *ticketPane) openCompose(kind string) {
	if p.detail == nil || !p.canReply() {
		return
	}
	f := &composeForm{kind: kind}
	p.compose = f
	f.to, f.cc, f.bcc = newAddrChips(p.d.host, lang.L("Addresses, separated by commas")), newAddrChips(p.d.host, ""), newAddrChips(p.d.host, "")
	linkLines(f.to, f.cc, f.bcc)
	f.body = newMultiLineEntry(p.d.host)
	f.body.SetMinRowsVisible(8)
	f.message = note("", widget.DangerImportance)
	f.notice = note("", widget.MediumImportance)
	f.notice.Hide()
	support := app.SupportAddress(p.detail.Threads) // left out of reply all's copies
	if support == "" && p.portal != nil {
		support = p.portal.SupportEmail
	}
	title := lang.L("Reply")
	switch kind {
	case app.OutboxReplyAll:
		title = lang.L("Reply all")
	case app.OutboxForward:
		title = lang.L("Forward")
	case app.OutboxComment:
		title = lang.L("Internal comment")
	}
	to, cc := replyAddresses(p.detail, support, kind)
	if kind == app.OutboxForward {
		to = ""
	}
	f.to.setText(to)
	f.cc.setText(cc)
	for _, a := range []*addrChips{f.to, f.cc, f.bcc} {
		a.setSuggestions(ticketPeople(p.detail, support))
	}
	to, cc = f.to.text(), f.cc.text() // as the chips write them
	form := widget.NewForm()
	if kind == app.OutboxComment {
		f.public = newKeyCheck(lang.L("Also show this comment to the customer"), nil)
		form.Append("", f.public)
		f.body.SetPlaceHolder(lang.L("Only agents see internal comments."))
	} else {
		f.sender = p.newSenderRow(f, support)
		form.Append(lang.L("From"), f.sender.row)
		form.Append(lang.L("To"), f.to.row)
		form.Append(lang.L("CC"), f.cc.row)
		form.Append(lang.L("BCC"), f.bcc.row)
	}
	if kind != app.OutboxComment {
		f.templates = p.newTemplateTools(f)
		form.Append("", f.templates.row)
	}
	form.Append(lang.L("Message"), f.body)
	// A comment carries files too (createTicketComment's attachmentIds).
	f.files = p.newFileChips(f.message)
	form.Append(lang.L("Files"), f.files.row)
	p.d.win.SetOnDropped(f.files.onDropped)
	if kind != app.OutboxComment && len(p.statusValues) > 0 {
		opts := []string{lang.L("Keep the status")}
		for _, v := range p.statusValues {
			f.statusAfter = append(f.statusAfter, v)
			opts = append(opts, lang.L("Set to {{.Status}}", map[string]any{"Status": statusName(v)}))
		}
		f.setStatus = newKeySelect(opts, func(string) {
			if i := f.setStatus.SelectedIndex(); i > 0 {
				f.send.SetText(lang.L("Send and set to {{.Status}}", map[string]any{"Status": statusName(f.statusAfter[i-1])}))
			} else {
				f.send.SetText(lang.L("Send"))
			}
		})
		form.Append(lang.L("After sending"), f.setStatus)
	}
	f.send = widget.NewButtonWithIcon(lang.L("Send"), theme.MailSendIcon(), func() { p.send(f) })
	if f.setStatus != nil {
		f.setStatus.SetSelectedIndex(0)
	}
	if kind == app.OutboxComment {
		f.send.SetText(lang.L("Add comment"))
	}
	f.send.Importance = widget.HighImportance
	cancel := widget.NewButton(lang.L("Cancel"), func() { f.dlg.Hide() })
	bottom := container.NewVBox(f.notice, f.message, container.NewHBox(layout.NewSpacer(), cancel, f.send))
	content := container.NewBorder(nil, bottom, nil, nil, form)
	f.dlg = dialog.NewCustomWithoutButtons(title+" · #"+p.detail.Ticket.Number, content, p.d.win)
	f.dlg.Resize(fyne.NewSize(620, 460))
	f.relayout = func() {
		bottom.Refresh()
		content.Refresh()
		growDialog(f.dlg, content, fyne.NewSize(620, 460), p.d.win)
	}
	for _, a := range []*addrChips{f.to, f.cc, f.bcc} {
		a.relayout = func() { form.Refresh(); growDialog(f.dlg, content, fyne.NewSize(620, 460), p.d.win) }
	}
	p.d.showDialog(f.dlg, formKeys{
		dirty: func() bool {
			return strings.TrimSpace(f.body.Text) != "" || f.to.text() != to || f.cc.text() != cc || f.bcc.text() != "" || len(f.files.list()) > 0
		},
		submit: func() { p.send(f) },
	})
	if kind == app.OutboxForward {
		p.d.win.Canvas().Focus(f.to.entry)
	} else {
		p.d.win.Canvas().Focus(f.body)
	}
	p.keepDraft(f, to, cc)
}

// keepDraft restores the reply a person began on this ticket and did not
// send, and keeps what they type (a moment after they stop), so closing
// the dialog or quitting the app loses nothing.
func (p *ticketPane) keepDraft(f *composeForm, to, cc string) {
	id, kind := p.ticketID, f.kind
	f.deb = debouncer{r: p.d.run}
	save := func() {
		d := app.ReplyDraft{Content: strings.TrimSpace(f.body.Text), Files: f.files.list(), From: f.sender.choice()}
		if f.to.text() != to || f.cc.text() != cc || f.bcc.text() != "" {
			d.To, d.CC, d.BCC = f.to.text(), f.cc.text(), f.bcc.text()
		}
		if f.sent {
			return
		}
		p.d.run.Go(func(ctx context.Context) func() {
			if err := p.d.integ.SaveDraft(ctx, id, kind, d); err != nil {
				logError("save draft", err)
			}
			return nil
		})
	}
	p.d.run.Go(func(ctx context.Context) func() {
		d, err := p.d.integ.Draft(ctx, id, kind)
		return func() {
			if err != nil {
				logError("read draft", err)
			}
			if !d.Empty() && strings.TrimSpace(f.body.Text) == "" {
				f.body.SetText(d.Content)
				if d.To != "" || d.CC != "" || d.BCC != "" {
					f.to.setText(d.To)
					f.cc.setText(d.CC)
					f.bcc.setText(d.BCC)
				}
				f.files.restore(d.Files)
				f.sender.prefer(d.From)
				f.tell(lang.L("Your unsent draft is back."), widget.MediumImportance)
			}
			changed := func() { f.deb.call(save) }
			f.body.OnChanged = func(string) { changed() }
			f.to.onChange, f.cc.onChange, f.bcc.onChange = changed, changed, changed
			if f.files != nil {
				f.files.onChange = changed
			}
			if f.sender != nil {
				f.sender.onChange = changed
			}
		}
	})
}

func (p *ticketPane) send(f *composeForm) {
	text := strings.TrimSpace(f.body.Text)
	var to, cc, bcc string
	var bad *addrChip
	if f.kind != app.OutboxComment {
		to, bad = f.to.addrs()
		var b2, b3 *addrChip
		cc, b2 = f.cc.addrs()
		bcc, b3 = f.bcc.addrs()
		bad = cmp.Or(bad, b2, b3)
	}
	switch {
	case text == "":
		setWrapped(f.message, lang.L("Write a message first."))
		return
	case f.kind != app.OutboxComment && to == "":
		setWrapped(f.message, lang.L("Enter at least one address in To."))
		return
	case bad != nil:
		setWrapped(f.message, lang.L("{{.Addr}} is not a valid email address ({{.Reason}}). Click it to correct it, or remove it with ×.", map[string]any{"Addr": bad.addr, "Reason": bad.bad}))
		return
	}
	setWrapped(f.message, "")
	f.send.Disable()
	req := app.ReplyRequest{To: to, CC: cc, BCC: bcc, Content: text, Files: f.files.list(), From: f.sender.chosen()}
	if f.setStatus != nil {
		if i := f.setStatus.SelectedIndex(); i > 0 {
			req.Status = f.statusAfter[i-1]
		}
	}
	public := f.public != nil && f.public.Checked
	id := p.ticketID
	p.d.run.Go(func(ctx context.Context) func() {
		var err error
		switch f.kind {
		case app.OutboxReply:
			_, err = p.d.integ.Reply(ctx, id, req)
		case app.OutboxReplyAll:
			_, err = p.d.integ.ReplyAll(ctx, id, req)
		case app.OutboxForward:
			_, err = p.d.integ.Forward(ctx, id, req)
		case app.OutboxComment:
			_, err = p.d.integ.CommentWithFiles(ctx, id, text, public, req.Files)
		}
		return func() {
			f.send.Enable()
			if err != nil {
				logError("send "+f.kind, err)
				setWrapped(f.message, errorText(err))
				return
			}
			f.sent = true
			if f.files != nil {
				p.d.win.SetOnDropped(nil)
			}
			f.dlg.Hide()
			kind := f.kind
			p.d.run.Go(func(ctx context.Context) func() {
				if err := p.d.integ.SaveDraft(ctx, id, kind, app.ReplyDraft{}); err != nil {
					logError("clear draft", err)
				}
				return nil
			})
			p.scrollEnd = true
			p.reload(false)
		}
	})
}

// tell shows text as the composer's notice (nothing when text is empty),
// apart from the red line of what stops a reply.
func (f *composeForm) tell(text string, imp widget.Importance) {
	f.notice.Importance = imp
	setWrapped(f.notice, text)
	if text == "" {
		f.notice.Hide()
	} else {
		f.notice.Show()
	}
	if f.relayout != nil { // a dialog does not lay out again by itself
		f.relayout()
	}
}
