package views

import (
	"context"
	"encoding/json"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tandem-crm/tandem/app"
)

// TicketsTab is the Tickets tab of a contact, company or pipeline record:
// its Zoho Desk tickets newest first with counts, a status filter,
// `+ Ticket`, and the ticket pane. Everything comes from the cache, so it
// works offline. Reload re-reads it; Close stops it following sync events
// (call it when the record's page goes away).
type TicketsTab struct {
	widget.BaseWidget
	d      *deskUI
	ctx    context.Context
	cancel context.CancelFunc
	kind   string
	id     int64

	root     *fyne.Container // the list page or a ticket pane
	listPage fyne.CanvasObject

	state     *widget.Label // offline, not active, sign-in expired
	counts    *widget.Label
	bar       *countBar
	filter    *keySelect
	newTicket *widget.Button
	why       *widget.Label  // why + Ticket is not offered
	connect   *widget.Button // Connect Zoho Desk…, when not connected
	list      *keyList
	empty     *widget.Label
	body      *fyne.Container

	loadSeq int // drops the results of loads a newer one replaced
	search  *entry
	deb     debouncer

	portal     *app.Portal
	rows       []ticketRow
	candidates []app.Contact // contacts a ticket may be created for
	form       *ticketForm
	pane       *ticketPane
}

// ticketRow is a ticket or a creation still in the outbox.
type ticketRow struct {
	ticket  *app.Ticket
	pending *app.OutboxItem
	hit     *app.TicketHit // the message a search found, when searching
}

// NewTicketsTab returns the Tickets tab of a record; kind is "contact",
// "company" or "record" (a pipeline record). crm resolves the contacts and
// emails that decide whether `+ Ticket` is offered. It loads in the
// background and follows sync events until ctx ends or Close is called.
func NewTicketsTab(ctx context.Context, w fyne.Window, integ app.Integration, crm app.CRM, kind string, id int64) *TicketsTab {
	return newTicketsTab(newDeskUI(ctx, w, integ, crm, nil, nil), kind, id)
}

func newTicketsTab(d *deskUI, kind string, id int64) *TicketsTab {
	t := &TicketsTab{d: d, kind: kind, id: id}
	t.ctx, t.cancel = context.WithCancel(d.ctx)
	t.ExtendBaseWidget(t)

	t.state = wrapLabel("")
	t.state.Hide()
	t.counts = widget.NewLabel("")
	t.bar = newCountBar()
	all, open, closed := lang.L("All tickets"), lang.L("Open tickets"), lang.L("Resolved tickets")
	t.filter = newKeySelect([]string{all, open, closed}, func(string) { t.Reload() })
	t.filter.SetSelectedIndex(0)
	t.newTicket = widget.NewButtonWithIcon(lang.L("Ticket"), theme.ContentAddIcon(), t.openForm)
	t.newTicket.Disable()
	t.why = note("", widget.LowImportance)
	t.why.Hide()
	t.empty = wrapLabel("")
	t.empty.Alignment = fyne.TextAlignCenter
	t.empty.Importance = widget.LowImportance
	t.list = newKeyList(func() int { return len(t.rows) }, newTicketRowObject, t.updateRow)
	t.list.OnSelected = func(i widget.ListItemID) {
		t.list.UnselectAll()
		if i < len(t.rows) && t.rows[i].ticket != nil {
			msg := ""
			if h := t.rows[i].hit; h != nil {
				msg = hitMessage(h)
			}
			t.openTicketAt(t.rows[i].ticket.ID, msg)
		}
	}
	t.body = container.NewStack(t.list)
	t.deb = debouncer{r: d.run}
	t.search = newEntry(d.host, lang.L("Search these tickets' messages"))
	t.search.OnChanged = func(string) { t.deb.call(t.Reload) }
	// Counts above the filter and + Ticket, so a narrow window fits them.
	top := container.NewVBox(
		t.state,
		container.NewHBox(t.counts, container.NewCenter(t.bar.box)),
		container.NewBorder(nil, nil, nil, t.newTicket, t.filter),
		t.search,
		t.why,
	)
	t.listPage = container.NewBorder(top, nil, nil, nil, t.body)
	t.root = container.NewStack(t.listPage)
	d.subscribe(t.ctx, func(e app.SyncEvent) {
		switch e.Kind {
		case app.EventFinished, app.EventOutbox, app.EventPortal, app.EventOffline, app.EventNeedsSignIn:
			t.Reload()
			if t.pane != nil {
				t.pane.reload(false)
			}
		}
	})
	t.Reload()
	return t
}

// CreateRenderer implements fyne.Widget.
func (t *TicketsTab) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(t.root) }

// Close stops the tab's background work and event subscription.
func (t *TicketsTab) Close() { t.cancel() }

func (t *TicketsTab) statusFilter() string {
	switch t.filter.SelectedIndex() {
	case 1:
		return "open"
	case 2:
		return "closed"
	}
	return ""
}

// Reload re-reads the record's tickets and whether `+ Ticket` is offered,
// in the background.
func (t *TicketsTab) Reload() {
	t.loadSeq++
	seq := t.loadSeq
	f := app.TicketFilter{Status: t.statusFilter(), Limit: 200}
	kind, id := t.kind, t.id
	q := ""
	if t.search != nil {
		q = strings.TrimSpace(t.search.Text)
	}
	t.d.run.Go(func(ctx context.Context) func() {
		if t.ctx.Err() != nil {
			return nil
		}
		p, perr := t.d.integ.ActivePortal(ctx)
		var st *app.SyncStatus
		var tl *app.TicketList
		var err error
		if perr == nil {
			st, _ = t.d.integ.Status(ctx)
			tl, err = t.d.integ.TicketsForRecord(ctx, kind, id, f)
			if err == nil && q != "" {
				err = searchWithin(ctx, t.d.integ, q, tl)
			}
		}
		cands, reason := ticketCandidates(ctx, t.d.crm, kind, id)
		return func() {
			if seq != t.loadSeq {
				return
			}
			t.apply(p, perr, st, tl, err, cands, reason)
		}
	})
}

func (t *TicketsTab) apply(p *app.Portal, perr error, st *app.SyncStatus, tl *app.TicketList, err error, cands []app.Contact, reason string) {
	t.state.Hide()
	t.state.Importance = widget.WarningImportance
	if perr != nil {
		t.portal = nil
		t.rows = nil
		t.list.Refresh()
		t.newTicket.Disable()
		t.why.Hide()
		t.counts.SetText("")
		t.bar.set(0, 0)
		if app.ErrorCode(perr) == app.ENOTFOUND {
			t.showNotConnected()
		} else {
			logError("tickets tab", perr)
			t.showEmpty(errorText(perr))
		}
		relayout(t.listPage)
		return
	}
	t.portal = p
	if st != nil {
		switch st.State {
		case app.StateOffline:
			setWrapped(t.state, lang.L("Offline: showing the tickets saved at the last sync ({{.Time}}). New tickets, replies and status changes are queued and sent when Zoho Desk can be reached.", map[string]any{"Time": when(st.LastSuccess)}))
			t.state.Show()
		case app.StateNeedsSignIn:
			setWrapped(t.state, lang.L("The Zoho Desk sign-in has expired: these tickets may be out of date. Use Sign in again at the top of the window; nothing you queued is lost."))
			t.state.Show()
		}
	}
	if err != nil {
		logError("tickets for record", err)
		t.rows = nil
		t.list.Refresh()
		t.showEmpty(errorText(err))
		return
	}
	t.rows = t.rows[:0]
	for i := range tl.PendingCreates {
		t.rows = append(t.rows, ticketRow{pending: &tl.PendingCreates[i]})
	}
	for i := range tl.Tickets {
		t.rows = append(t.rows, ticketRow{ticket: &tl.Tickets[i]})
		if h, ok := tl.Hits[tl.Tickets[i].ID]; ok {
			t.rows[len(t.rows)-1].hit = &h
		}
	}
	t.counts.SetText(lang.L("{{.Open}} open · {{.Resolved}} resolved", map[string]any{"Open": tl.Open, "Resolved": tl.Resolved}))
	t.bar.set(tl.Open, tl.Resolved)
	t.list.Refresh()
	if len(t.rows) == 0 {
		msg := lang.L("No tickets for {{.What}} yet.", map[string]any{"What": kindNoun(t.kind)})
		if t.statusFilter() != "" {
			msg = lang.L("No tickets match this filter.")
		}
		if t.search != nil && strings.TrimSpace(t.search.Text) != "" {
			msg = lang.L("No ticket of {{.What}} says that.", map[string]any{"What": kindNoun(t.kind)})
		}
		t.showEmpty(msg)
	} else {
		t.body.Objects = []fyne.CanvasObject{t.list}
		t.body.Refresh()
	}
	t.candidates = cands
	switch {
	case !p.CanCreateTickets:
		t.newTicket.Disable()
		setWrapped(t.why, lang.L("You cannot create tickets: {{.Reason}}", map[string]any{"Reason": readOnlyReason(p)}))
		t.why.Show()
	case len(cands) == 0:
		t.newTicket.Disable()
		setWrapped(t.why, reason)
		t.why.Show()
	default:
		t.newTicket.Enable()
		t.why.Hide()
	}
	relayout(t.listPage)
}

// relayout lays a page out again after lines were shown or hidden.
func relayout(o fyne.CanvasObject) {
	if c, ok := o.(*fyne.Container); ok {
		c.Refresh()
	}
}

// showNotConnected says where Zoho Desk is connected, with a button
// that goes there when the tab is part of the main window.
func (t *TicketsTab) showNotConnected() {
	setWrapped(t.empty, lang.L("Zoho Desk is not connected, so tickets cannot be shown. Connect it in Settings › Zoho Desk."))
	box := container.NewVBox(container.NewGridWrap(fyne.NewSize(420, 80), t.empty))
	t.connect = nil
	if h := t.d.host; h != nil && h.openSettings != nil {
		t.connect = widget.NewButtonWithIcon(lang.L("Connect Zoho Desk…"), theme.LoginIcon(), h.openSettings)
		t.connect.Importance = widget.HighImportance
		box.Add(container.NewCenter(t.connect))
	}
	t.body.Objects = []fyne.CanvasObject{container.NewCenter(box)}
	t.body.Refresh()
}

func (t *TicketsTab) showEmpty(msg string) {
	setWrapped(t.empty, msg)
	t.body.Objects = []fyne.CanvasObject{container.NewCenter(container.NewGridWrap(fyne.NewSize(420, 120), t.empty))}
	t.body.Refresh()
}

// ticketCandidates returns the contacts a ticket may be created for from a
// record (DESIGN §2), primary contact first, or why there is none.
func ticketCandidates(ctx context.Context, crm app.CRM, kind string, id int64) ([]app.Contact, string) {
	var out []app.Contact
	switch kind {
	case app.KindContact:
		if crm.Contacts == nil {
			return nil, ""
		}
		c, err := crm.Contacts.FindContact(ctx, id)
		if err != nil {
			return nil, errorText(err)
		}
		if !app.ValidEmail(c.Email) {
			return nil, lang.L("To create a ticket, give this contact a valid email address: Zoho Desk replies by email.")
		}
		return []app.Contact{*c}, ""
	case app.KindCompany:
		if crm.Contacts == nil {
			return nil, ""
		}
		cs, err := crm.Contacts.ListContacts(ctx, app.ContactFilter{CompanyID: id, Limit: 500})
		if err != nil {
			return nil, errorText(err)
		}
		for _, c := range cs {
			if app.ValidEmail(c.Email) {
				out = append(out, c)
			}
		}
		if len(out) == 0 {
			return nil, lang.L("To create a ticket, add a contact with a valid email address to this company.")
		}
	case app.KindRecord:
		if crm.Pipelines == nil || crm.Contacts == nil {
			return nil, ""
		}
		r, err := crm.Pipelines.FindRecord(ctx, id)
		if err != nil {
			return nil, errorText(err)
		}
		for _, rc := range r.Contacts {
			if !app.ValidEmail(rc.Email) {
				continue
			}
			c, err := crm.Contacts.FindContact(ctx, rc.ContactID)
			if err != nil || !app.ValidEmail(c.Email) {
				continue
			}
			if rc.Primary {
				out = append([]app.Contact{*c}, out...)
			} else {
				out = append(out, *c)
			}
		}
		if len(out) == 0 {
			return nil, lang.L("To create a ticket, link a contact with a valid email address to this record.")
		}
	}
	return out, ""
}

// ticketRowObject is one line of the ticket list.
type ticketRowObject struct {
	widget.BaseWidget
	box       *fyne.Container
	title     *widget.Label
	meta      *widget.Label
	overdue   fyne.CanvasObject
	escalated fyne.CanvasObject
	pending   fyne.CanvasObject
}

func newTicketRowObject() fyne.CanvasObject {
	r := &ticketRowObject{title: widget.NewLabel(""), meta: widget.NewLabel("")}
	r.title.TextStyle = fyne.TextStyle{Bold: true}
	r.title.Truncation = fyne.TextTruncateEllipsis
	r.meta.Truncation = fyne.TextTruncateEllipsis
	r.meta.Importance = widget.LowImportance
	r.overdue = badge(lang.L("Overdue"), theme.ColorNameError)
	r.escalated = badge(lang.L("Escalated"), theme.ColorNameWarning)
	r.pending = badge(lang.L("Waiting to be sent"), theme.ColorNamePrimary)
	badges := container.NewHBox(r.pending, r.overdue, r.escalated)
	r.box = container.NewBorder(nil, nil, nil, container.NewCenter(badges), container.NewVBox(r.title, r.meta))
	r.ExtendBaseWidget(r)
	return r
}

// CreateRenderer implements fyne.Widget.
func (r *ticketRowObject) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(r.box)
}

func (t *TicketsTab) updateRow(i widget.ListItemID, o fyne.CanvasObject) {
	r, ok := o.(*ticketRowObject)
	if !ok || i >= len(t.rows) {
		return
	}
	row := t.rows[i]
	r.overdue.Hide()
	r.escalated.Hide()
	r.pending.Hide()
	if it := row.pending; it != nil {
		var pl struct {
			Subject string `json:"subject"`
		}
		_ = json.Unmarshal(it.Payload, &pl)
		r.title.SetText(lang.L("New ticket: {{.Subject}}", map[string]any{"Subject": rowText(pl.Subject)}))
		meta := lang.L("Queued {{.Time}}", map[string]any{"Time": when(it.CreatedAt)})
		if it.State == app.OutboxFailed {
			meta = lang.L("Could not be sent: {{.Reason}}", map[string]any{"Reason": translateMessage(it.LastError)})
		}
		r.meta.SetText(meta)
		r.pending.Show()
		return
	}
	tk := row.ticket
	r.title.SetText("#" + nameText(tk.Number) + "  " + rowText(tk.Subject))
	parts := []string{nameText(statusName(tk.Status))}
	if tk.Priority != "" {
		parts = append(parts, priorityName(tk.Priority))
	}
	if !tk.DueDate.IsZero() {
		parts = append(parts, lang.L("Due {{.Date}}", map[string]any{"Date": day(tk.DueDate)}))
	}
	if tk.ContactName != "" && t.kind != app.KindContact {
		parts = append(parts, nameText(tk.ContactName))
	}
	parts = append(parts, lang.L("Created {{.Date}}", map[string]any{"Date": day(tk.CreatedTime)}))
	r.meta.SetText(strings.Join(parts, " · "))
	if tk.IsOverdue && !tk.Closed() {
		r.overdue.Show()
	}
	if tk.IsEscalated {
		r.escalated.Show()
	}
}

// hitMessage is the message a search hit opens at: a thread's or a
// comment's id, "request" for the description, "" for the subject, and
// for a hit the search did not locate, its query after focusSearch (the
// pane locates it).
func hitMessage(h *app.TicketHit) string {
	switch h.Kind {
	case "":
		if h.Query != "" {
			return focusSearch + h.Query
		}
	case "thread", "comment":
		return h.MessageID
	case "request":
		return focusRequest
	}
	return ""
}

// searchWithin keeps of a record's tickets those a search over what
// tickets say finds, in the search's order, with the message found.
func searchWithin(ctx context.Context, integ app.Integration, q string, tl *app.TicketList) error {
	hits, err := integ.SearchTickets(ctx, q, 200)
	if err != nil {
		return err
	}
	byID := make(map[string]int, len(tl.Tickets))
	for i, tk := range tl.Tickets {
		byID[tk.ID] = i
	}
	var keep []app.Ticket
	tl.Hits = map[string]app.TicketHit{}
	for _, h := range hits {
		if i, ok := byID[h.Ticket.Ticket.ID]; ok {
			keep = append(keep, tl.Tickets[i])
			tl.Hits[h.Ticket.Ticket.ID] = h
		}
	}
	tl.Tickets, tl.PendingCreates = keep, nil
	return nil
}

// openTicketAt opens a ticket's pane at a message (see hitMessage).
func (t *TicketsTab) openTicketAt(id, msg string) {
	t.pane = newTicketPane(t.d, t.ctx, id, msg, func() {
		t.pane.close()
		t.pane = nil
		t.root.Objects = []fyne.CanvasObject{t.listPage}
		t.root.Refresh()
		t.Reload()
	})
	t.root.Objects = []fyne.CanvasObject{t.pane.content}
	t.root.Refresh()
}

// countBar is a small bar chart of open against resolved tickets.
type countBar struct {
	box            *fyne.Container
	open, resolved *canvas.Rectangle
	n              [2]int
}

func newCountBar() *countBar {
	b := &countBar{open: canvas.NewRectangle(theme.Color(theme.ColorNamePrimary)), resolved: canvas.NewRectangle(theme.Color(theme.ColorNameSuccess))}
	b.box = container.New(countLayout{b}, b.open, b.resolved)
	return b
}

func (b *countBar) set(open, resolved int) {
	b.n = [2]int{open, resolved}
	b.box.Refresh()
}

// countLayout lays a countBar out: the two bars share the width by count.
type countLayout struct{ b *countBar }

// Layout implements fyne.Layout.
func (l countLayout) Layout(_ []fyne.CanvasObject, size fyne.Size) {
	b := l.b
	total := b.n[0] + b.n[1]
	if total == 0 {
		b.open.Resize(fyne.NewSize(0, 0))
		b.resolved.Resize(fyne.NewSize(0, 0))
		return
	}
	w := size.Width * float32(b.n[0]) / float32(total)
	b.open.Move(fyne.NewPos(0, 0))
	b.open.Resize(fyne.NewSize(w, size.Height))
	b.resolved.Move(fyne.NewPos(w, 0))
	b.resolved.Resize(fyne.NewSize(size.Width-w, size.Height))
}

// MinSize implements fyne.Layout.
func (countLayout) MinSize([]fyne.CanvasObject) fyne.Size { return fyne.NewSize(100, 10) }

// ticketForm is the `+ Ticket` dialog.
type ticketForm struct {
	dlg         dialog.Dialog
	contact     *keySelect
	subject     *entry
	description *entry
	department  *keySelect
	priority    *keySelect
	fields      *fieldSet
	create      *widget.Button
	message     *widget.Label
	depts       []app.Department
}

var priorities = []string{"High", "Medium", "Low"}

func (t *TicketsTab) openForm() {
	if len(t.candidates) == 0 {
		return
	}
	f := &ticketForm{fields: newFieldSet()}
	t.form = f
	var names []string
	for _, c := range t.candidates {
		names = append(names, nameText(c.DisplayName())+" <"+nameText(c.Email)+">")
	}
	f.contact = newKeySelect(names, nil)
	f.contact.SetSelectedIndex(0)
	f.subject = newEntry(t.d.host, "")
	f.description = newMultiLineEntry(t.d.host)
	f.description.SetMinRowsVisible(5)
	f.department = newKeySelect(nil, nil)
	f.department.PlaceHolder = lang.L("The portal's first department")
	f.department.Disable()
	var prio []string
	for _, p := range priorities {
		prio = append(prio, priorityLabel(p))
	}
	f.priority = newKeySelect(prio, nil)
	f.priority.SetSelectedIndex(1)
	if len(names) > 1 {
		f.fields.add("Contact", lang.L("Contact *"), f.contact)
	} else {
		f.fields.add("Contact", lang.L("Contact"), widget.NewLabel(names[0]))
	}
	f.fields.add("Subject", lang.L("Subject *"), f.subject)
	f.fields.add("Description", lang.L("Details"), f.description)
	f.fields.add("DepartmentID", lang.L("Department"), f.department)
	f.fields.add("Priority", lang.L("Priority"), f.priority)
	f.message = note("", widget.DangerImportance)
	f.create = widget.NewButtonWithIcon(lang.L("Create ticket"), theme.ConfirmIcon(), func() { t.submitForm(f) })
	f.create.Importance = widget.HighImportance
	cancel := widget.NewButton(lang.L("Cancel"), func() { f.dlg.Hide() })
	content := container.NewBorder(nil, container.NewVBox(f.message, container.NewHBox(layout.NewSpacer(), cancel, f.create)), nil, nil, f.fields.grid)
	f.dlg = dialog.NewCustomWithoutButtons(lang.L("New ticket"), content, t.d.win)
	f.dlg.Resize(fyne.NewSize(560, 480))
	t.d.showDialog(f.dlg, formKeys{
		dirty:  func() bool { return strings.TrimSpace(f.subject.Text+f.description.Text) != "" },
		submit: func() { t.submitForm(f) },
	})
	t.d.win.Canvas().Focus(f.subject)
	t.d.run.Go(func(ctx context.Context) func() {
		ds, err := t.d.integ.Departments(ctx)
		return func() {
			if err != nil {
				logError("departments", err)
				return // offline: the portal's first department is used
			}
			f.depts = ds
			var dn []string
			for _, d := range ds {
				dn = append(dn, d.Name)
			}
			f.department.Options = dn
			if len(dn) > 0 {
				f.department.SetSelectedIndex(0)
				f.department.Enable()
			}
			f.department.Refresh()
		}
	})
}

func (t *TicketsTab) submitForm(f *ticketForm) {
	req := app.NewTicketRequest{
		CRMKind:     t.kind,
		CRMID:       t.id,
		Subject:     strings.TrimSpace(f.subject.Text),
		Description: strings.TrimSpace(f.description.Text),
	}
	if i := f.contact.SelectedIndex(); i >= 0 && i < len(t.candidates) {
		req.ContactID = t.candidates[i].ID
	}
	if i := f.department.SelectedIndex(); i >= 0 && i < len(f.depts) {
		req.DepartmentID = f.depts[i].ID
	}
	if i := f.priority.SelectedIndex(); i >= 0 {
		req.Priority = priorities[i]
	}
	if err := req.Validate(); err != nil {
		f.fields.showErrors(fieldErrors(err))
		setWrapped(f.message, lang.L("Please correct the highlighted fields."))
		return
	}
	f.fields.showErrors(nil)
	setWrapped(f.message, "")
	f.create.Disable()
	t.d.run.Go(func(ctx context.Context) func() {
		_, err := t.d.integ.CreateTicket(ctx, req)
		return func() {
			f.create.Enable()
			if err != nil {
				logError("create ticket", err)
				f.fields.showErrors(fieldErrors(err))
				setWrapped(f.message, errorText(err))
				return
			}
			f.dlg.Hide()
			t.Reload()
		}
	})
}
