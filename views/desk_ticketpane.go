package views

import (
	"context"
	"encoding/json"
	"image/color"
	"net/url"
	"sort"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/app/display"
	"github.com/tandem-crm/tandem/app/richtext"
)

// ticketPane shows one ticket's whole conversation with Reply, Reply all,
// Forward, an internal comment and the status drop-down. It paints from the
// cache first, then refreshes from Desk in the background.
type ticketPane struct {
	d *deskUI
	// attachDialog is the open "Open attachment" dialog; saved the name
	// of the last attachment saved, saveErr why the last save failed
	// (tests look at them).
	attachDialog dialog.Dialog
	saved        string
	saveErr      error
	ctx          context.Context
	cancel       context.CancelFunc
	ticketID     string
	content      *fyne.Container
	header       *fyne.Container

	title    *widget.Label
	showAll  *widget.Button // the whole subject, when the title is shortened
	meta     *widget.Label
	badges   *fyne.Container
	status   *keySelect
	notice   *widget.Label // stale, read-only
	reply    *widget.Button
	replyAll *widget.Button
	forward  *widget.Button
	comment  *widget.Button
	openDesk *widget.Button // the ticket's page in Zoho Desk, in the browser
	convo    *fyne.Container
	scroll   *container.Scroll

	detail   *app.TicketDetail
	portal   *app.Portal
	statuses []string
	// statusValues are Desk's names of the drop-down's options, in order.
	statusValues []string
	settingUp    bool // the status drop-down is being filled, not changed by a person
	offline      bool // the last refresh from Desk failed: what is shown is the cache
	showN        int  // how many of the latest messages are shown
	more         *widget.Button
	page         []convoEntry        // the messages shown or to be shown as the view is scrolled up
	cards        []fyne.CanvasObject // the cards of the last len(cards) of page
	total        int                 // how many messages the conversation has
	loadSeq      int
	compose      *composeForm
	shown        string // the ticket painted, to scroll to the latest message once
	scrollEnd    bool   // a message was just sent: show it when painted
	focus        string // a message to open at (a search hit, see hitMessage)
	focusY       float32
	focusFound   bool

	// The details: status, priority and assignee editable where the
	// agent's profile allows, the rest as text.
	details    *fyne.Container
	priority   *keySelect
	priorities []string // Desk's names of the priority drop-down's options
	assignee   *keySelect
	agents     []app.Agent // the assignee drop-down's options, in order
	department *widget.Label
	due        *widget.Label
	channel    *widget.Label
	contact    *widget.Label
	account    *widget.Label
	depts      map[string]string // department names by id
}

func newTicketPane(d *deskUI, parent context.Context, ticketID, focus string, back func()) *ticketPane {
	p := &ticketPane{d: d, ticketID: ticketID, showN: pageMessages, focus: focus}
	p.ctx, p.cancel = context.WithCancel(parent)
	p.build(back)
	p.reload(true)
	return p
}

func (p *ticketPane) close() { p.cancel() }

func (p *ticketPane) build(back func()) {
	backBtn := widget.NewButtonWithIcon(lang.L("All tickets"), theme.NavigateBackIcon(), back)
	p.title = heading(lang.L("Loading…"))
	p.title.Wrapping = fyne.TextWrapWord
	p.title.Truncation = fyne.TextTruncateOff
	p.showAll = showAllButton(p.d.win, p.subjectTitle, p.fullSubject)
	p.showAll.Hide()
	p.meta = widget.NewLabel("")
	p.meta.Wrapping = fyne.TextWrapWord
	p.meta.Importance = widget.LowImportance
	p.badges = container.NewHBox()
	p.status = newKeySelect(nil, p.statusChanged)
	p.status.PlaceHolder = lang.L("Status")
	p.status.Disable()
	p.notice = wrapLabel("")
	p.notice.Importance = widget.WarningImportance
	p.notice.Hide()
	p.reply = widget.NewButtonWithIcon(lang.L("Reply"), theme.MailReplyIcon(), func() { p.openCompose(app.OutboxReply) })
	p.replyAll = widget.NewButtonWithIcon(lang.L("Reply all"), theme.MailReplyAllIcon(), func() { p.openCompose(app.OutboxReplyAll) })
	p.forward = widget.NewButtonWithIcon(lang.L("Forward"), theme.MailForwardIcon(), func() { p.openCompose(app.OutboxForward) })
	p.comment = widget.NewButtonWithIcon(lang.L("Internal comment"), theme.DocumentCreateIcon(), func() { p.openCompose(app.OutboxComment) })
	p.openDesk = widget.NewButtonWithIcon(lang.L("Open in Zoho Desk"), theme.ComputerIcon(), p.openInDesk)
	p.openDesk.Importance = widget.LowImportance
	for _, b := range []*widget.Button{p.reply, p.replyAll, p.forward, p.comment, p.openDesk} {
		b.Disable()
	}
	p.priority = newKeySelect(nil, p.priorityChanged)
	p.priority.PlaceHolder = lang.L("No priority")
	p.priority.Disable()
	p.assignee = newKeySelect(nil, p.assigneeChanged)
	p.assignee.PlaceHolder = lang.L("Unassigned")
	p.assignee.Disable()
	value := func() *widget.Label {
		l := widget.NewLabel("")
		l.Truncation = fyne.TextTruncateEllipsis
		return l
	}
	p.department, p.due, p.channel, p.contact, p.account = value(), value(), value(), value(), value()
	field := func(name string, o fyne.CanvasObject) fyne.CanvasObject {
		l := widget.NewLabel(name)
		l.Importance = widget.LowImportance
		return container.NewBorder(nil, nil, l, nil, o)
	}
	// Cells of one width that wrap to the pane's width, so a narrow
	// window (and longer Japanese labels) still fits.
	p.details = container.NewGridWrap(fyne.NewSize(340, p.status.MinSize().Height),
		field(lang.L("Status"), p.status), field(lang.L("Priority"), p.priority), field(lang.L("Assignee"), p.assignee),
		field(lang.L("Due"), p.due), field(lang.L("Department"), p.department), field(lang.L("Channel"), p.channel),
		field(lang.L("Contact"), p.contact), field(lang.L("Account"), p.account),
	)
	p.header = container.NewVBox(
		container.NewBorder(nil, nil, backBtn, nil),
		container.NewBorder(nil, nil, nil, container.NewVBox(p.showAll), p.title),
		container.NewBorder(nil, nil, nil, p.badges, p.meta),
		p.details,
		p.notice,
		container.NewHBox(p.reply, p.replyAll, p.forward, p.comment, layout.NewSpacer(), p.openDesk),
		widget.NewSeparator(),
	)
	p.convo = container.NewVBox()
	p.scroll = container.NewVScroll(p.convo)
	p.scroll.OnScrolled = p.scrolled
	p.content = container.NewBorder(p.header, nil, nil, nil, p.scroll)
}

// reload reads the ticket from the cache and paints it; with refresh it
// then asks Desk for what changed and paints again.
func (p *ticketPane) reload(refresh bool) {
	p.loadSeq++
	seq := p.loadSeq
	id := p.ticketID
	focus := p.focus
	p.d.run.Go(func(ctx context.Context) func() {
		if p.ctx.Err() != nil {
			return nil
		}
		// A search hit: the message it opens at is found now, for the
		// ticket opened only (finding it for every hit cost 10 times the
		// search).
		located := focus
		if q, ok := strings.CutPrefix(focus, focusSearch); ok {
			kind, msg, err := p.d.integ.LocateTicketHit(ctx, id, q)
			if err != nil {
				logError("locate search hit", err) // opens at the latest messages
			}
			located = hitMessage(&app.TicketHit{Kind: kind, MessageID: msg})
		}
		portal, _ := p.d.integ.ActivePortal(ctx)
		td, err := p.d.integ.Ticket(ctx, id, false)
		return func() {
			if seq != p.loadSeq {
				return
			}
			if p.focus == focus {
				p.focus = located
			}
			p.portal = portal
			p.apply(td, err)
			if refresh && err == nil {
				p.refresh()
			}
		}
	})
	if p.depts == nil {
		p.d.run.Go(func(ctx context.Context) func() {
			ds, derr := p.d.integ.Departments(ctx)
			as, aerr := p.d.integ.Agents(ctx)
			return func() {
				p.depts = map[string]string{}
				if derr != nil {
					logError("departments", derr) // offline: the id stays unnamed
				}
				for _, d := range ds {
					p.depts[d.ID] = d.Name
				}
				if aerr != nil {
					logError("agents", aerr)
				} else {
					p.agents = as
				}
				p.fillDetails()
			}
		})
	}
	if p.statuses == nil {
		p.d.run.Go(func(ctx context.Context) func() {
			st, err := p.d.integ.Statuses(ctx)
			return func() {
				if err != nil {
					logError("ticket statuses", err) // offline: the standard ones
					st = []string{"Open", "On Hold", "Escalated", "Closed"}
				}
				p.statuses = st
				p.fillStatuses()
			}
		})
	}
}

// refresh fetches the conversation from Desk (off the UI goroutine).
func (p *ticketPane) refresh() {
	seq := p.loadSeq
	p.d.run.Go(func(ctx context.Context) func() {
		if p.ctx.Err() != nil {
			return nil
		}
		td, err := p.d.integ.Ticket(ctx, p.ticketID, true)
		return func() {
			if seq != p.loadSeq || p.ctx.Err() != nil {
				return
			}
			if err != nil {
				logError("refresh ticket", err)
				p.offline = true
				if p.detail != nil {
					p.showNotice()
					p.relayout()
				}
				return
			}
			p.offline = td.Stale
			p.apply(td, nil)
		}
	})
}

func (p *ticketPane) apply(td *app.TicketDetail, err error) {
	if err != nil {
		logError("open ticket", err)
		p.title.SetText(errorText(err))
		return
	}
	tk := &td.Ticket
	// A subject comes from whoever wrote to the help desk: bounded and
	// cleaned, with the whole of it behind Show all.
	subject, cut := display.LineCut(tk.Subject, display.Subject)
	setWrapped(p.title, "#"+nameText(tk.Number)+"  "+subject)
	p.showAll.Hidden = !cut
	setWrapped(p.meta, lang.L("Created {{.Date}}", map[string]any{"Date": when(tk.CreatedTime)}))
	p.detail = td
	p.fillDetails()
	if webURL(tk.WebURL) != "" {
		p.openDesk.Enable()
	} else {
		p.openDesk.Disable()
	}
	p.detail = td
	p.badges.Objects = nil
	if tk.IsOverdue && !tk.Closed() {
		p.badges.Add(badge(lang.L("Overdue"), theme.ColorNameError))
	}
	if tk.IsEscalated {
		p.badges.Add(badge(lang.L("Escalated"), theme.ColorNameWarning))
	}
	p.badges.Refresh()
	p.fillStatuses()
	p.showNotice()
	first := p.shown != td.Ticket.ID
	p.shown = td.Ticket.ID
	if first {
		p.cards = nil
	}
	p.paint()
	p.relayout()
	p.fillView()
	if p.focusFound {
		// Opened from a search: at the message that matched.
		p.focusFound, p.focus = false, ""
		p.scroll.Refresh()
		p.scroll.Offset = fyne.NewPos(0, min(p.focusY, max(0, p.convo.MinSize().Height-p.scroll.Size().Height)))
		p.scroll.Refresh()
	} else if first || p.scrollEnd {
		// The latest message first; after a send, what was sent. (The
		// scroll lays its content out again; the cards were refreshed
		// as they were made.)
		p.scrollEnd = false
		p.scroll.ScrollToBottom()
	}
}

// relayout lays the header out again (lines may have appeared) without
// refreshing the whole conversation. Its widgets refreshed themselves as
// they were set: refreshing them again measured all their text once more
// (a third of what opening a ticket cost).
func (p *ticketPane) relayout() {
	layoutTree(p.header)
	if p.content.Size().Height > 0 {
		p.content.Layout.Layout(p.content.Objects, p.content.Size())
	}
	canvas.Refresh(p.header)
}

// layoutTree lays out c and the containers in it, top down, at their
// sizes, so what changed size or visibility inside finds its place.
func layoutTree(c *fyne.Container) {
	if c.Layout != nil {
		c.Layout.Layout(c.Objects, c.Size())
	}
	for _, o := range c.Objects {
		if cc, ok := o.(*fyne.Container); ok {
			layoutTree(cc)
		}
	}
}

// subjectTitle and fullSubject are what Show all shows.
func (p *ticketPane) subjectTitle() string {
	if p.detail == nil {
		return ""
	}
	return lang.L("Subject of ticket #{{.Number}}", map[string]any{"Number": p.detail.Ticket.Number})
}

func (p *ticketPane) fullSubject() string {
	if p.detail == nil {
		return ""
	}
	return p.detail.Ticket.Subject
}

// threadAuthor is who wrote a message. Desk joins a contact's names first
// name first ("誠 佐藤"); when the ticket's contact wrote it, the name is
// the one the ticket's header shows, family name first for a Japanese name.
func threadAuthor(th *app.Thread, tk *app.Ticket) string {
	if tk != nil && tk.ContactName != "" && th.AuthorType != "AGENT" && th.AuthorEmail != "" &&
		strings.EqualFold(strings.TrimSpace(th.AuthorEmail), strings.TrimSpace(tk.ContactEmail)) {
		return tk.ContactName
	}
	return firstNonEmpty(th.AuthorName, th.AuthorEmail, th.From)
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

func (p *ticketPane) canReply() bool { return p.portal != nil && p.portal.CanReply }

// showNotice says why the pane is read-only or possibly out of date and
// enables the actions.
func (p *ticketPane) showNotice() {
	var msgs []string
	if p.portal != nil && !p.portal.CanReply {
		msgs = append(msgs, lang.L("Read-only: {{.Reason}}", map[string]any{"Reason": readOnlyReason(p.portal)}))
	}
	if p.offline || (p.detail != nil && p.detail.Stale) {
		msgs = append(msgs, lang.L("Offline: this is the conversation saved at the last sync. What you send is queued and goes out when Zoho Desk can be reached."))
	}
	if len(msgs) > 0 {
		setWrapped(p.notice, strings.Join(msgs, "\n"))
		p.notice.Show()
	} else {
		p.notice.Hide()
	}
	for _, b := range []*widget.Button{p.reply, p.replyAll, p.forward, p.comment} {
		if p.canReply() && p.detail != nil {
			b.Enable()
		} else {
			b.Disable()
		}
	}
}

func (p *ticketPane) fillStatuses() {
	if p.detail == nil || p.statuses == nil {
		return
	}
	cur := p.detail.Ticket.Status
	for _, it := range p.detail.Pending {
		switch it.Kind {
		case app.OutboxStatus, app.OutboxReply, app.OutboxReplyAll, app.OutboxForward:
			var pl struct {
				Status       string `json:"status"`
				TicketStatus string `json:"ticketStatus"`
			}
			if json.Unmarshal(it.Payload, &pl) == nil && firstNonEmpty(pl.Status, pl.TicketStatus) != "" {
				cur = firstNonEmpty(pl.Status, pl.TicketStatus)
			}
		}
	}
	opts := append([]string(nil), p.statuses...)
	found := false
	for _, o := range opts {
		found = found || o == cur
	}
	if !found && cur != "" {
		opts = append(opts, cur)
	}
	p.statusValues = opts
	labels := make([]string, len(opts))
	for i, o := range opts {
		labels[i] = statusName(o)
	}
	p.settingUp = true
	p.status.Options = labels
	p.status.SetSelected(statusName(cur))
	p.settingUp = false
	if p.canEdit() {
		p.status.Enable()
	} else {
		p.status.Disable()
	}
}

// canEdit reports whether the agent may change priority and assignee.
func (p *ticketPane) canEdit() bool { return p.portal != nil && p.portal.CanEditTickets }

// pendingUpdate is the ticket's details as the changes still waiting to be
// sent will make them.
func (p *ticketPane) pendingUpdate() (priority, assigneeID string) {
	tk := &p.detail.Ticket
	priority, assigneeID = tk.Priority, tk.AssigneeID
	for _, it := range p.detail.Pending {
		if it.Kind != app.OutboxTicketUpdate {
			continue
		}
		var u app.TicketUpdate
		if json.Unmarshal(it.Payload, &u) == nil {
			if u.Priority != nil {
				priority = *u.Priority
			}
			if u.AssigneeID != nil {
				assigneeID = *u.AssigneeID
			}
		}
	}
	return priority, assigneeID
}

// ticketAccount is the name of the ticket's account, from the contact Desk
// embeds in the ticket.
func ticketAccount(raw json.RawMessage) string {
	var v struct {
		Contact *struct {
			Account *struct {
				AccountName string `json:"accountName"`
			} `json:"account"`
		} `json:"contact"`
	}
	if json.Unmarshal(raw, &v) != nil || v.Contact == nil || v.Contact.Account == nil {
		return ""
	}
	return v.Contact.Account.AccountName
}

// dueText is a due date with, for an open ticket, how far away it is or
// how long ago it passed, in words (not only a red badge).
func dueText(tk *app.Ticket, now time.Time) string {
	if tk.DueDate.IsZero() {
		return lang.L("No due date")
	}
	s := when(tk.DueDate)
	if tk.Closed() {
		return s
	}
	d := tk.DueDate.Sub(now)
	if d < 0 || tk.IsOverdue {
		return lang.L("{{.Date}} — overdue by {{.Span}}", map[string]any{"Date": s, "Span": span(-d)})
	}
	return lang.L("{{.Date}} — in {{.Span}}", map[string]any{"Date": s, "Span": span(d)})
}

// span is a duration in whole days, hours or minutes.
func span(d time.Duration) string {
	switch {
	case d < 0:
		d = 0
		fallthrough
	case d < time.Hour:
		return lang.L("{{.N}} min", map[string]any{"N": int(d / time.Minute)})
	case d < 48*time.Hour:
		return lang.L("{{.N}} h", map[string]any{"N": int(d / time.Hour)})
	}
	return lang.L("{{.N}} days", map[string]any{"N": int(d / (24 * time.Hour))})
}

// fillDetails shows the ticket's details in the header.
func (p *ticketPane) fillDetails() {
	if p.detail == nil {
		return
	}
	tk := &p.detail.Ticket
	dash := func(s string) string {
		if s == "" {
			return "—"
		}
		return s
	}
	p.due.SetText(dueText(tk, time.Now()))
	if tk.IsOverdue || (!tk.DueDate.IsZero() && tk.DueDate.Before(time.Now()) && !tk.Closed()) {
		p.due.Importance = widget.DangerImportance
	} else {
		p.due.Importance = widget.MediumImportance
	}
	p.due.Refresh()
	dept := p.depts[tk.DepartmentID]
	p.department.SetText(dash(nameText(dept)))
	ch := ""
	if tk.Channel != "" {
		ch = channelName(nameText(tk.Channel))
	}
	p.channel.SetText(dash(ch))
	who := nameText(tk.ContactName)
	if e := nameText(firstNonEmpty(tk.ContactEmail, tk.Email)); e != "" {
		who = strings.TrimSpace(who + " <" + e + ">")
	}
	p.contact.SetText(dash(who))
	p.account.SetText(dash(nameText(ticketAccount(tk.Raw))))

	prio, assignee := p.pendingUpdate()
	opts := []string{"High", "Medium", "Low"}
	if prio != "" && prio != "High" && prio != "Medium" && prio != "Low" {
		opts = append(opts, prio)
	}
	labels := make([]string, len(opts))
	for i, o := range opts {
		labels[i] = priorityLabel(o)
	}
	p.settingUp = true
	p.priorities = opts
	p.priority.Options = labels
	if prio != "" {
		p.priority.SetSelected(priorityLabel(prio))
	} else {
		p.priority.ClearSelected()
	}
	names := make([]string, 0, len(p.agents)+1)
	found := false
	for _, a := range p.agents {
		names = append(names, nameText(a.Name))
		if a.ID == assignee {
			found = true
		}
	}
	p.assignee.Options = names
	switch {
	case assignee == "":
		p.assignee.ClearSelected()
	case found:
		for i, a := range p.agents {
			if a.ID == assignee {
				p.assignee.SetSelectedIndex(i)
			}
		}
	default:
		p.assignee.ClearSelected()
		p.assignee.PlaceHolder = lang.L("Assigned (agent not listed)")
	}
	p.settingUp = false
	if p.canEdit() {
		p.priority.Enable()
	} else {
		p.priority.Disable()
	}
	if p.canEdit() && len(p.agents) > 0 {
		p.assignee.Enable()
	} else {
		p.assignee.Disable()
	}
}

// priorityChanged queues the priority chosen in the drop-down.
func (p *ticketPane) priorityChanged(string) {
	i := p.priority.SelectedIndex()
	if p.settingUp || p.detail == nil || i < 0 || i >= len(p.priorities) {
		return
	}
	v := p.priorities[i]
	p.queueUpdate(app.TicketUpdate{Priority: &v})
}

// assigneeChanged queues the agent chosen in the drop-down.
func (p *ticketPane) assigneeChanged(string) {
	i := p.assignee.SelectedIndex()
	if p.settingUp || p.detail == nil || i < 0 || i >= len(p.agents) {
		return
	}
	a := p.agents[i]
	p.queueUpdate(app.TicketUpdate{AssigneeID: &a.ID, AssigneeName: a.Name})
}

func (p *ticketPane) queueUpdate(u app.TicketUpdate) {
	p.priority.Disable()
	p.assignee.Disable()
	id := p.ticketID
	p.d.run.Go(func(ctx context.Context) func() {
		_, err := p.d.integ.UpdateTicket(ctx, id, u)
		return func() {
			if err != nil {
				p.d.showErr("update ticket", err)
			}
			p.reload(false)
		}
	})
}

// statusChanged sends the status chosen in the drop-down (shown
// translated; Desk gets its own name back).
func (p *ticketPane) statusChanged(string) {
	i := p.status.SelectedIndex()
	if p.settingUp || p.detail == nil || i < 0 || i >= len(p.statusValues) {
		return
	}
	s := p.statusValues[i]
	p.status.Disable()
	p.d.run.Go(func(ctx context.Context) func() {
		_, err := p.d.integ.ChangeStatus(ctx, p.ticketID, s)
		return func() {
			if err != nil {
				p.d.showErr("change status", err)
			}
			p.reload(false)
		}
	})
}

// pageMessages is how many messages the pane shows at first, and how many
// more each "Show earlier messages" adds.
const pageMessages = 20

// convoEntry is one item of the conversation.
type convoEntry struct {
	at      time.Time
	request bool // the ticket's description: the customer's original request
	thread  *app.Thread
	comment *app.Comment
	pending *app.OutboxItem
}

// requestIsThread reports whether the ticket's description is already the
// first message of its threads (an email ticket's first thread is the
// customer's mail; a ticket made through the API or a web form has only
// the description).
func requestIsThread(td *app.TicketDetail) bool {
	if len(td.Threads) == 0 {
		return false
	}
	first := &td.Threads[0]
	for i := range td.Threads {
		if td.Threads[i].CreatedTime.Before(first.CreatedTime) {
			first = &td.Threads[i]
		}
	}
	if first.Direction == "out" {
		return false
	}
	desc := strings.TrimSpace(td.Ticket.Description)
	body := strings.TrimSpace(first.Content)
	if desc == body {
		return true
	}
	a, b := richtext.ParseLimit(desc, maxBodyText), richtext.ParseLimit(firstNonEmpty(body, first.Summary), maxBodyText)
	at, bt := strings.Join(strings.Fields(a.Text()), " "), strings.Join(strings.Fields(b.Text()), " ")
	if body == "" { // only the summary, a shortened start
		return bt != "" && strings.HasPrefix(at, bt)
	}
	return at == bt
}

// paint builds the conversation: the original request, then threads and
// comments in time order, then what is still waiting to be sent. Every
// part comes from the cache, which keeps what Desk answered before: a
// refresh merges into it, so nothing already shown disappears.
//
// Only the latest messages get cards at first (firstCards, more until the
// view is full: fillView), the earlier ones of the page as the
// conversation is scrolled up to them (growEarlier): laying out a card's
// text is what opening a ticket costs, and the latest messages are what
// people read first.
func (p *ticketPane) paint() {
	es := p.entries()
	focusAt := -1
	if p.focus != "" {
		for i, e := range es {
			if p.isFocus(e) {
				p.showN = max(p.showN, len(es)-i)
				p.focusFound = true
				focusAt = i
			}
		}
	}
	hidden := max(len(es)-p.showN, 0)
	p.page, p.total = es[hidden:], len(es)
	// A repaint (the refresh from Desk) keeps as many cards as were shown.
	n := min(len(p.page), max(firstCards, len(p.cards)))
	if focusAt >= 0 {
		n = max(n, len(es)-focusAt)
	}
	p.cards = p.buildCards(p.page[len(p.page)-n:])
	p.showCards()
	if p.focusFound {
		p.focusY = 0
		objs := p.convo.Objects
		off := len(objs) - len(p.cards) // the Show earlier button
		for i := 0; i < len(objs); i++ {
			if i >= off && p.isFocus(p.page[len(p.page)-len(p.cards)+i-off]) {
				break
			}
			p.focusY += objs[i].MinSize().Height + theme.Padding()
		}
	}
}

// entries is the conversation in time order, what waits to be sent last.
func (p *ticketPane) entries() []convoEntry {
	td := p.detail
	es := make([]convoEntry, 0, len(td.Threads)+len(td.Comments)+len(td.Pending)+1)
	if strings.TrimSpace(td.Ticket.Description) != "" && !requestIsThread(td) {
		es = append(es, convoEntry{at: td.Ticket.CreatedTime, request: true})
	}
	for i := range td.Threads {
		es = append(es, convoEntry{at: td.Threads[i].CreatedTime, thread: &td.Threads[i]})
	}
	for i := range td.Comments {
		es = append(es, convoEntry{at: td.Comments[i].CommentedTime, comment: &td.Comments[i]})
	}
	sort.SliceStable(es, func(i, j int) bool { return es[i].at.Before(es[j].at) })
	for i := range td.Pending {
		es = append(es, convoEntry{at: td.Pending[i].CreatedAt, pending: &td.Pending[i]})
	}
	return es
}

// isFocus reports whether e is the message the pane opens at.
func (p *ticketPane) isFocus(e convoEntry) bool {
	return e.request && p.focus == focusRequest || e.thread != nil && e.thread.ID == p.focus || e.comment != nil && e.comment.ID == p.focus
}

// firstCards is how many of the latest messages get cards when a ticket
// is painted (more when they do not fill the view), growCards how many
// more each time the conversation is scrolled up to its top.
const (
	firstCards = 4
	growCards  = 4
)

func (p *ticketPane) buildCards(es []convoEntry) []fyne.CanvasObject {
	td := p.detail
	cards := make([]fyne.CanvasObject, 0, len(es))
	for _, e := range es {
		switch {
		case e.request:
			cards = append(cards, requestCard(&td.Ticket))
		case e.thread != nil:
			cards = append(cards, p.threadCardWithFiles(e.thread, &td.Ticket))
		case e.comment != nil:
			cards = append(cards, p.commentCardWithFiles(e.comment, &td.Ticket))
		default:
			cards = append(cards, p.pendingCard(e.pending))
		}
	}
	return cards
}

// showCards puts the cards in the conversation, below "Show N earlier
// messages" when some have none, and lays it out at its width. It does
// not refresh every card again: a refresh measures all their text once
// more, and a new card measures itself when first laid out.
func (p *ticketPane) showCards() {
	objs := make([]fyne.CanvasObject, 0, len(p.cards)+1)
	unbuilt := len(p.page) - len(p.cards)
	if hidden := p.total - len(p.page) + unbuilt; hidden > 0 {
		more := widget.NewButtonWithIcon(lang.L("Show {{.N}} earlier messages", map[string]any{"N": hidden}), theme.MoreVerticalIcon(), p.showEarlier)
		p.more = more
		objs = append(objs, container.NewCenter(more))
	} else {
		p.more = nil
	}
	p.convo.Objects = append(objs, p.cards...)
	w := p.convo.Size().Width
	p.convo.Layout.Layout(p.convo.Objects, fyne.NewSize(w, p.convo.Size().Height)) // each card's text wraps at the width
	p.convo.Resize(fyne.NewSize(w, p.convo.MinSize().Height))
	canvas.Refresh(p.convo)
}

// showEarlier is "Show N earlier messages": a page more of them, from the
// top of what is shown.
func (p *ticketPane) showEarlier() {
	p.showN = len(p.cards) + pageMessages
	es := p.entries()
	p.page, p.total = es[max(len(es)-p.showN, 0):], len(es)
	unbuilt := len(p.page) - len(p.cards)
	p.cards = append(p.buildCards(p.page[:unbuilt]), p.cards...)
	p.showCards()
	p.scroll.Refresh()
}

// growEarlier gives cards to up to n more of the page's earlier messages,
// above those shown, keeping in view what was in view.
func (p *ticketPane) growEarlier(n int) {
	unbuilt := len(p.page) - len(p.cards)
	if n = min(n, unbuilt); n <= 0 {
		return
	}
	before := p.convo.MinSize().Height
	p.cards = append(p.buildCards(p.page[unbuilt-n:unbuilt]), p.cards...)
	p.showCards()
	p.scroll.ScrollToOffset(fyne.NewPos(p.scroll.Offset.X, p.scroll.Offset.Y+p.convo.MinSize().Height-before))
}

// fillView gives cards to earlier messages of the page until the
// conversation is two views tall (there is something to scroll up to).
func (p *ticketPane) fillView() {
	view := p.scroll.Size().Height
	if view <= 0 {
		view = p.d.win.Canvas().Size().Height
	}
	for len(p.cards) < len(p.page) && p.convo.MinSize().Height < 2*view {
		unbuilt := len(p.page) - len(p.cards)
		n := min(growCards, unbuilt)
		p.cards = append(p.buildCards(p.page[unbuilt-n:unbuilt]), p.cards...)
		p.showCards()
	}
}

// scrolled builds earlier cards when the conversation is scrolled near
// its top.
func (p *ticketPane) scrolled(at fyne.Position) {
	if p.detail != nil && at.Y < p.scroll.Size().Height && len(p.cards) < len(p.page) {
		p.growEarlier(growCards)
	}
}

// focusRequest is the focus that opens a pane at the original request;
// focusSearch starts the focus of a search hit not located yet (its query
// follows).
const (
	focusRequest = "request"
	focusSearch  = "?"
)

// cardSide says where a message sits and how it looks: the customer's on
// the left, the help desk's on the right, internal comments tinted with a
// lock, so private and public cannot be confused.
type cardSide int

const (
	sideCustomer cardSide = iota // incoming: the customer wrote it
	sideAgent                    // outgoing: the help desk sent it
	sideInternal                 // an internal comment: agents only
)

// requestCard is the ticket's description: what the customer asked.
func requestCard(tk *app.Ticket) fyne.CanvasObject {
	who := nameText(firstNonEmpty(tk.ContactName, tk.ContactEmail, tk.Email))
	head := lang.L("Original request")
	if who != "" {
		head = lang.L("Original request from {{.Name}}", map[string]any{"Name": who})
	}
	head += " · " + when(tk.CreatedTime)
	return messageCard(sideCustomer, head, "", tk.Description, "text/html", nil)
}

func threadCard(th *app.Thread, tk *app.Ticket) fyne.CanvasObject {
	return threadCardFiles(th, tk, attachments(th.Raw))
}

func threadCardFiles(th *app.Thread, tk *app.Ticket, files []attachment) fyne.CanvasObject {
	who := nameText(threadAuthor(th, tk))
	var head string
	switch {
	case th.IsForward:
		head = lang.L("Forwarded by {{.Name}}", map[string]any{"Name": who})
	case th.Direction == "out":
		head = lang.L("Reply from {{.Name}}", map[string]any{"Name": who})
	default:
		head = lang.L("Message from {{.Name}}", map[string]any{"Name": who})
	}
	head += " · " + when(th.CreatedTime)
	var addr []string
	if th.To != "" {
		addr = append(addr, lang.L("To: {{.List}}", map[string]any{"List": display.Line(th.To, display.Subject)}))
	}
	if th.CC != "" {
		addr = append(addr, lang.L("CC: {{.List}}", map[string]any{"List": display.Line(th.CC, display.Subject)}))
	}
	body, ct := th.Content, th.ContentType
	if body == "" {
		body, ct = th.Summary, "text/plain"
	}
	side := sideCustomer
	if th.Direction == "out" {
		side = sideAgent
	}
	return messageCard(side, head, strings.Join(addr, "   "), body, ct, files)
}

// commentCardFiles is one comment of the conversation with its files
// (commentCardWithFiles makes them openable).
func commentCardFiles(c *app.Comment, files []attachment) fyne.CanvasObject {
	who := nameText(c.CommenterName)
	head := lang.L("Internal comment by {{.Name}}", map[string]any{"Name": who})
	side := sideInternal
	if c.IsPublic {
		head = lang.L("Public comment by {{.Name}}", map[string]any{"Name": who})
		side = sideAgent
	}
	head += " · " + when(c.CommentedTime)
	body := firstNonEmpty(c.Text, c.Content)
	return messageCard(side, head, "", body, c.ContentType, files)
}

const lockSVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><path fill="#000000" d="M18 8h-1V6A5 5 0 0 0 7 6v2H6a2 2 0 0 0-2 2v10a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V10a2 2 0 0 0-2-2zM9 6a3 3 0 0 1 6 0v2H9V6zm3 11a2 2 0 1 1 0-4 2 2 0 0 1 0 4z"/></svg>`

// lockIcon is lockSVG in the theme's foreground colour.
var lockIcon = theme.NewThemedResource(fyne.NewStaticResource("lock.svg", []byte(lockSVG)))

// sideInset is how far a message is moved from the other side, so the
// customer's and the help desk's messages line up on their own sides.
const sideInset = 56

// messageCard is one message of the conversation.
func messageCard(side cardSide, head, addresses, body, contentType string, files []attachment) fyne.CanvasObject {
	h := widget.NewLabel(breakable(head))
	h.TextStyle = fyne.TextStyle{Bold: true}
	h.Wrapping = fyne.TextWrapWord
	var icon *widget.Icon
	switch side {
	case sideCustomer:
		icon = widget.NewIcon(theme.AccountIcon())
	case sideAgent:
		icon = widget.NewIcon(theme.MailSendIcon())
	default:
		icon = widget.NewIcon(lockIcon)
	}
	// The parts are gathered first and the box made once: each Add lays
	// out (and measures the text of) what the box already holds.
	parts := make([]fyne.CanvasObject, 0, 4+len(files))
	parts = append(parts, container.NewBorder(nil, nil, icon, nil, h))
	if side == sideInternal {
		parts = append(parts, note(lang.L("Internal — not sent to the customer"), widget.WarningImportance))
	}
	if addresses != "" {
		a := widget.NewLabel(addresses)
		a.Importance = widget.LowImportance
		a.Wrapping = fyne.TextWrapWord
		parts = append(parts, a)
	}
	parts = append(parts, foldedBody(body, contentType))
	for _, f := range files {
		parts = append(parts, attachmentRow(f))
	}
	box := container.NewVBox(parts...)
	var card fyne.CanvasObject
	if side == sideInternal {
		// A tinted card of its own: widget.Card paints an opaque
		// background over any tint.
		tint := canvas.NewRectangle(internalTint())
		tint.CornerRadius = theme.InputRadiusSize()
		tint.StrokeColor = theme.Color(theme.ColorNameWarning)
		tint.StrokeWidth = 1
		card = container.NewStack(tint, container.NewPadded(box))
	} else {
		card = widget.NewCard("", "", box)
	}
	return onSide(side, card)
}

// onSide moves a card to its side of the conversation.
func onSide(side cardSide, card fyne.CanvasObject) fyne.CanvasObject {
	inset := canvas.NewRectangle(color.Transparent)
	inset.SetMinSize(fyne.NewSize(sideInset, 1))
	if side == sideCustomer {
		return container.NewBorder(nil, nil, nil, inset, card)
	}
	return container.NewBorder(nil, nil, inset, nil, card)
}

// internalTint is the background of an internal comment: the warning
// colour, faint.
func internalTint() color.Color {
	r, g, b, _ := theme.Color(theme.ColorNameWarning).RGBA()
	return color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: 0x30}
}

// maxBodyText is how much of one message the pane shows (a long email is
// about 10 KB); the rest is in Desk. Laying out text is what costs time.
const maxBodyText = 24 << 10

// bodyText renders an untrusted body as rich text: parsed by richtext into
// plain segments, so nothing runs, nothing is fetched and hostile markup
// cannot break the layout.
func bodyText(body, contentType string) *widget.RichText {
	var doc richtext.Doc
	if strings.Contains(strings.ToLower(contentType), "plain") {
		doc = richtext.PlainLimit(body, maxBodyText)
	} else {
		doc = richtext.ParseLimit(body, maxBodyText)
	}
	rt := widget.NewRichText(docSegments(doc)...)
	rt.Wrapping = fyne.TextWrapWord
	return rt
}

// foldedBody is a message body with the quoted history of an email thread
// (blockquotes) folded behind "Show quoted text", when there is something
// besides the quote to read.
func foldedBody(body, contentType string) fyne.CanvasObject {
	if strings.Contains(strings.ToLower(contentType), "plain") || !strings.Contains(strings.ToLower(body), "<blockquote") {
		return bodyText(body, contentType)
	}
	doc := richtext.ParseLimit(body, maxBodyText)
	var own, quoted richtext.Doc
	for _, b := range doc.Blocks {
		if b.Quote > 0 {
			quoted.Blocks = append(quoted.Blocks, b)
		} else {
			own.Blocks = append(own.Blocks, b)
		}
	}
	own.Truncated = doc.Truncated
	if len(quoted.Blocks) == 0 || len(own.Blocks) == 0 {
		rt := widget.NewRichText(docSegments(doc)...)
		rt.Wrapping = fyne.TextWrapWord
		return rt
	}
	main := widget.NewRichText(docSegments(own)...)
	main.Wrapping = fyne.TextWrapWord
	// The quoted text is made when first shown: most are never opened,
	// and laying out text is what a card costs.
	var q *widget.RichText
	var toggle *widget.Button
	var box *fyne.Container
	toggle = widget.NewButton(lang.L("Show quoted text"), func() { // no icon: an SVG per message costs as much as its text
		switch {
		case q == nil:
			q = widget.NewRichText(docSegments(quoted)...)
			q.Wrapping = fyne.TextWrapWord
			box.Add(q)
			toggle.SetText(lang.L("Hide quoted text"))
		case q.Visible():
			q.Hide()
			toggle.SetText(lang.L("Show quoted text"))
		default:
			q.Show()
			toggle.SetText(lang.L("Hide quoted text"))
		}
		box.Refresh()
	})
	toggle.Importance = widget.LowImportance
	box = container.NewVBox(main, container.NewHBox(toggle))
	return box
}

// docSegments turns a parsed body into RichText segments: each block ends
// with a segment that is not inline, so the next block starts a new line.
func docSegments(doc richtext.Doc) []widget.RichTextSegment {
	segs := make([]widget.RichTextSegment, 0, len(doc.Blocks)*2)
	for _, b := range doc.Blocks {
		prefix := strings.Repeat("│ ", b.Quote)
		base := widget.RichTextStyleInline
		switch b.Kind {
		case richtext.Heading:
			base = widget.RichTextStyleSubHeading
			base.Inline = true
		case richtext.ListItem:
			prefix += strings.Repeat("    ", max(b.Level-1, 0))
			if b.Ordered {
				prefix += itoa(b.Number) + ". "
			} else {
				prefix += "• "
			}
		case richtext.Pre:
			base = widget.RichTextStyleCodeInline
		}
		if b.Quote > 0 {
			base.ColorName = theme.ColorNamePlaceHolder
		}
		if prefix != "" {
			segs = append(segs, &widget.TextSegment{Text: prefix, Style: base})
		}
		for _, sp := range b.Spans {
			st := base
			st.TextStyle.Bold = st.TextStyle.Bold || sp.Bold
			st.TextStyle.Italic = st.TextStyle.Italic || sp.Italic
			st.TextStyle.Monospace = st.TextStyle.Monospace || sp.Code
			if sp.URL != "" {
				st.ColorName = theme.ColorNamePrimary
			}
			if b.Kind == richtext.Pre {
				for i, line := range strings.Split(sp.Text, "\n") {
					if i > 0 {
						segs = append(segs, &widget.TextSegment{Text: "", Style: widget.RichTextStyleParagraph})
					}
					segs = append(segs, &widget.TextSegment{Text: line, Style: st})
				}
				continue
			}
			for i, c := range chunks(sp.Text) {
				if i > 0 || len(segs) > 0 && segs[len(segs)-1].Inline() {
					c = zwsp + c
				}
				segs = append(segs, &widget.TextSegment{Text: breakable(c), Style: st})
			}
		}
		// End the block.
		if n := len(segs); n > 0 {
			if ts, ok := segs[n-1].(*widget.TextSegment); ok {
				ts.Style.Inline = false
			}
		}
	}
	if doc.Truncated {
		segs = append(segs, &widget.TextSegment{Text: lang.L("[This message is too long to show in full; open it in Zoho Desk.]"),
			Style: widget.RichTextStyle{ColorName: theme.ColorNamePlaceHolder, TextStyle: fyne.TextStyle{Italic: true}}})
	}
	return segs
}

// zwsp starts every piece of a paragraph but its first. Fyne's word wrap
// puts a piece that starts where not even one character fits on the line
// one character per line, to the piece's end; a zero-width first
// character always fits, so the piece moves to the next line whole instead.
const zwsp = "\u200b"

// chunkRunes is the longest piece of text one segment holds.
const chunkRunes = 16

// chunks cuts text into short pieces that end at a space or after CJK
// punctuation where possible. Fyne's word wrap costs time quadratic in a
// segment's length, and Japanese has no spaces to wrap at: one long
// segment of Japanese takes seconds to lay out, short ones milliseconds.
func chunks(s string) []string {
	if len(s) <= chunkRunes {
		return []string{s}
	}
	var out []string
	start, n, lastBreak := 0, 0, -1
	for i, r := range s {
		n++
		end := i + len(string(r))
		switch r {
		case ' ', '。', '、', '，', '．', '！', '？', '」', '）', '・':
			lastBreak = end
		}
		if n >= chunkRunes {
			cut := end
			if lastBreak > start {
				cut = lastBreak
			}
			out = append(out, s[start:cut])
			start, lastBreak = cut, -1
			n = len([]rune(s[start:end]))
		}
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	neg := n < 0
	if neg {
		n = -n
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}

// pendingCard shows an action not yet confirmed by Desk.
func (p *ticketPane) pendingCard(it *app.OutboxItem) fyne.CanvasObject {
	var pl struct {
		To      string `json:"to"`
		CC      string `json:"cc"`
		Content string `json:"content"`
		Status  string `json:"status"`
		Public  bool   `json:"isPublic"`
	}
	_ = json.Unmarshal(it.Payload, &pl)
	var what string
	switch it.Kind {
	case app.OutboxReply, app.OutboxReplyAll:
		what = lang.L("Reply to {{.To}}", map[string]any{"To": nameText(pl.To)})
	case app.OutboxForward:
		what = lang.L("Forward to {{.To}}", map[string]any{"To": nameText(pl.To)})
	case app.OutboxComment:
		what = lang.L("Internal comment")
	case app.OutboxStatus:
		what = lang.L("Status change to {{.Status}}", map[string]any{"Status": nameText(statusName(pl.Status))})
	case app.OutboxTicketUpdate:
		var u app.TicketUpdate
		_ = json.Unmarshal(it.Payload, &u)
		var ch []string
		if u.Priority != nil {
			ch = append(ch, priorityName(*u.Priority))
		}
		if u.AssigneeID != nil {
			ch = append(ch, lang.L("Assignee: {{.Name}}", map[string]any{"Name": nameText(u.AssigneeName)}))
		}
		what = lang.L("Change of {{.What}}", map[string]any{"What": strings.Join(ch, ", ")})
	default:
		what = it.Kind
	}
	state := lang.L("Waiting to be sent (queued {{.Time}})", map[string]any{"Time": when(it.CreatedAt)})
	imp := widget.WarningImportance
	if it.State == app.OutboxFailed {
		state = lang.L("Could not be sent: {{.Reason}}", map[string]any{"Reason": translateMessage(it.LastError)})
		imp = widget.DangerImportance
	}
	h := widget.NewLabel(what)
	h.TextStyle = fyne.TextStyle{Bold: true}
	h.Wrapping = fyne.TextWrapWord
	box := container.NewVBox(container.NewBorder(nil, nil, widget.NewIcon(theme.HistoryIcon()), nil, h), note(state, imp))
	if pl.Content != "" {
		box.Add(bodyText(pl.Content, "text/plain"))
	}
	if it.State == app.OutboxFailed {
		id := it.ID
		retry := widget.NewButtonWithIcon(lang.L("Try again"), theme.ViewRefreshIcon(), nil)
		retry.OnTapped = func() {
			retry.Disable()
			p.d.run.Go(func(ctx context.Context) func() {
				err := p.d.integ.RetryOutbox(ctx, id)
				return func() {
					if err != nil {
						p.d.showErr("retry", err)
					}
					p.reload(false)
				}
			})
		}
		box.Add(container.NewHBox(retry))
	}
	if it.Kind == app.OutboxComment && !pl.Public {
		box.Objects = append(box.Objects[:1], append([]fyne.CanvasObject{note(lang.L("Internal — not sent to the customer"), widget.WarningImportance)}, box.Objects[1:]...)...)
		tint := canvas.NewRectangle(internalTint())
		tint.CornerRadius = theme.InputRadiusSize()
		return onSide(sideInternal, container.NewStack(tint, container.NewPadded(box)))
	}
	return onSide(sideAgent, widget.NewCard("", "", box))
}

// ticket's address comes from Desk and is only ever handed to the browser.
func webURL(u string) string {
	pu, err := url.Parse(u)
	if err != nil || (pu.Scheme != "https" && pu.Scheme != "http") || pu.Host == "" || pu.User != nil {
		return ""
	}
	return pu.String()
}

// openInDesk opens the ticket's page in Zoho Desk in the system browser.
func (p *ticketPane) openInDesk() {
	if p.detail == nil {
		return
	}
	u := webURL(p.detail.Ticket.WebURL)
	if u == "" {
		return
	}
	if err := p.d.openURL(u); err != nil {
		logError("open in desk", err)
		p.d.showDialog(dialog.NewError(wrappedError(lang.L("The browser could not be opened.")), p.d.win), formKeys{})
	}
}
