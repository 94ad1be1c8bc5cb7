package views

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tandem-crm/tandem/app"
)

// syncProblems is the "Needs your attention" part of Manage: the
// conflicts sync settled (with the value that lost, to restore or
// dismiss), the records that could not be sent to Desk and why, and the
// actions that failed (to try again). It follows sync events.
type syncProblems struct {
	*deskUI
	box *fyne.Container
	// openRecord shows a CRM record; nil hides the Open buttons.
	openRecord func(kind string, id int64)

	// What is shown, kept for tests.
	conflicts []app.Conflict
	errs      []app.SyncError
	failed    []app.OutboxItem
	restore   []*widget.Button // one per conflict
	dismiss   []*widget.Button // one per conflict
	retry     []*widget.Button // one per failed action
}

func newSyncProblems(d *deskUI, openRecord func(kind string, id int64)) *syncProblems {
	p := &syncProblems{deskUI: d, box: container.NewVBox(), openRecord: openRecord}
	d.subscribe(d.ctx, func(e app.SyncEvent) {
		switch e.Kind {
		case app.EventConflict, app.EventRecordError, app.EventOutbox, app.EventFinished, app.EventLinkDropped:
			p.reload()
		}
	})
	p.reload()
	return p
}

// problemData is what reload reads in the background.
type problemData struct {
	conflicts []app.Conflict
	errs      []app.SyncError
	failed    []app.OutboxItem
	names     map[string]string // kind/id → record name, for errors
	labels    map[string]string // kind/crm field → label
}

func (p *syncProblems) reload() {
	p.run.Go(func(ctx context.Context) func() {
		data, err := p.read(ctx)
		return func() {
			if err != nil {
				if app.ErrorCode(err) != app.ENOTFOUND {
					logError("sync problems", err)
				}
				p.box.Objects = nil
				p.box.Refresh()
				return
			}
			p.show(data)
		}
	})
}

func (p *syncProblems) read(ctx context.Context) (*problemData, error) {
	d := &problemData{names: map[string]string{}, labels: map[string]string{}}
	var err error
	if d.conflicts, err = p.integ.Conflicts(ctx); err != nil {
		return nil, err
	}
	st, err := p.integ.Status(ctx)
	if err != nil {
		return nil, err
	}
	d.errs = st.RecordErrors
	items, err := p.integ.Outbox(ctx)
	if err != nil {
		return nil, err
	}
	for _, it := range items {
		if it.State == app.OutboxFailed {
			d.failed = append(d.failed, it)
		}
	}
	// A push that failed is shown once, as the action to try again.
	pushed := map[string]bool{}
	for _, it := range d.failed {
		if it.Kind == app.OutboxPushContact || it.Kind == app.OutboxPushCompany {
			pushed[recordKey(it.CRMKind, it.CRMID)] = true
		}
	}
	d.errs = slices.DeleteFunc(d.errs, func(e app.SyncError) bool { return e.CRMID != 0 && pushed[recordKey(e.Kind, e.CRMID)] })
	for _, kind := range []string{app.KindContact, app.KindCompany} {
		for _, f := range p.integ.CRMFields(kind) {
			d.labels[kind+"/"+f.Name] = crmLabel(f)
		}
	}
	for _, e := range d.errs {
		if e.CRMID != 0 {
			d.names[recordKey(e.Kind, e.CRMID)] = p.recordName(ctx, e.Kind, e.CRMID)
		}
	}
	for _, it := range d.failed {
		if it.CRMID != 0 && it.CRMKind != "" {
			d.names[recordKey(it.CRMKind, it.CRMID)] = p.recordName(ctx, it.CRMKind, it.CRMID)
		}
	}
	return d, nil
}

func recordKey(kind string, id int64) string { return kind + "/" + strconv.FormatInt(id, 10) }

// recordName is a CRM record's name, "" when it cannot be read.
func (p *syncProblems) recordName(ctx context.Context, kind string, id int64) string {
	switch kind {
	case app.KindContact:
		if p.crm.Contacts == nil {
			return ""
		}
		if c, err := p.crm.Contacts.FindContact(ctx, id); err == nil {
			return c.DisplayName()
		}
	case app.KindCompany:
		if p.crm.Companies == nil {
			return ""
		}
		if c, err := p.crm.Companies.FindCompany(ctx, id); err == nil {
			return c.Name
		}
	}
	return ""
}

// show lays out the problems; nothing at all when there are none.
func (p *syncProblems) show(d *problemData) {
	p.conflicts, p.errs, p.failed = d.conflicts, d.errs, d.failed
	p.restore, p.dismiss, p.retry = nil, nil, nil
	p.box.Objects = nil
	if len(d.conflicts)+len(d.errs)+len(d.failed) == 0 {
		p.box.Add(widget.NewSeparator())
		p.box.Add(note(lang.L("Nothing needs your attention: your records and Zoho Desk agree."), widget.LowImportance))
		p.box.Refresh()
		return
	}
	p.box.Add(widget.NewSeparator())
	p.box.Add(heading(lang.L("Needs your attention")))
	if len(d.conflicts) > 0 {
		p.box.Add(wrapLabel(lang.L("Tandem and Zoho Desk had different values for these fields. The later change was kept; the other value is here if you want it back.")))
		for i := range d.conflicts {
			p.box.Add(p.conflictCard(&d.conflicts[i], d.labels))
		}
	}
	for i := range d.errs {
		p.box.Add(p.errorCard(&d.errs[i], d.names))
	}
	for i := range d.failed {
		p.box.Add(p.failedCard(&d.failed[i], d.names))
	}
	p.box.Refresh()
}

// shown is a field value as quoted in a sentence: shortened, one line,
// "(empty)" for nothing.
func shown(v string) string {
	v = strings.Join(strings.Fields(v), " ")
	if v == "" {
		return lang.L("(empty)")
	}
	if r := []rune(v); len(r) > 60 {
		v = string(r[:59]) + "…"
	}
	return lang.L("“{{.Value}}”", map[string]any{"Value": v})
}

func kindLabel(kind string) string {
	if kind == app.KindCompany {
		return lang.L("Company")
	}
	return lang.L("Contact")
}

func (p *syncProblems) conflictCard(c *app.Conflict, labels map[string]string) fyne.CanvasObject {
	field := labels[c.Kind+"/"+c.CRMField]
	if field == "" {
		field = c.CRMField
	}
	name := c.RecordName
	if name == "" {
		name = kindLabel(c.Kind)
	}
	title := widget.NewLabel(rowText(name + " — " + field))
	title.TextStyle = fyne.TextStyle{Bold: true}
	title.Truncation = fyne.TextTruncateEllipsis
	var what string
	if c.Winner == app.WinnerDesk {
		what = lang.L("The change made in Zoho Desk was kept: {{.Kept}}. Your value in Tandem was {{.Lost}}.",
			map[string]any{"Kept": shown(c.DeskText), "Lost": shown(c.CRMText)})
	} else {
		what = lang.L("Your change in Tandem was kept: {{.Kept}}. The value in Zoho Desk was {{.Lost}}.",
			map[string]any{"Kept": shown(c.CRMText), "Lost": shown(c.DeskText)})
	}
	id := c.ID
	restore := widget.NewButtonWithIcon(lang.L("Use {{.Value}} instead", map[string]any{"Value": shown(c.LoserText())}), theme.ContentUndoIcon(), nil)
	dismiss := widget.NewButtonWithIcon(lang.L("Keep as it is"), theme.ConfirmIcon(), nil)
	act := func(restoring bool) {
		restore.Disable()
		dismiss.Disable()
		p.run.Go(func(ctx context.Context) func() {
			var err error
			if restoring {
				err = p.integ.RestoreConflict(ctx, id)
			} else {
				err = p.integ.DismissConflict(ctx, id)
			}
			return func() {
				if err != nil {
					restore.Enable()
					dismiss.Enable()
					p.showErr("resolve conflict", err)
					return
				}
				if restoring {
					p.integ.SyncNow()
				}
				p.reload()
			}
		})
	}
	restore.OnTapped = func() { act(true) }
	dismiss.OnTapped = func() { act(false) }
	p.restore = append(p.restore, restore)
	p.dismiss = append(p.dismiss, dismiss)
	row := container.NewHBox(restore, dismiss)
	if b := p.openButton(c.Kind, c.CRMID); b != nil {
		row.Add(b)
	}
	body := container.NewVBox(title, wrapLabel(what), note(when(c.At), widget.LowImportance), row)
	return widget.NewCard("", "", container.NewBorder(nil, nil, widget.NewIcon(theme.WarningIcon()), nil, body))
}

func (p *syncProblems) openButton(kind string, id int64) *widget.Button {
	if p.openRecord == nil || id == 0 {
		return nil
	}
	return widget.NewButtonWithIcon(lang.L("Open"), theme.NavigateNextIcon(), func() { p.openRecord(kind, id) })
}

func (p *syncProblems) errorCard(e *app.SyncError, names map[string]string) fyne.CanvasObject {
	name := names[recordKey(e.Kind, e.CRMID)]
	company := e.Kind == app.KindCompany
	var what string
	switch {
	case e.CRMID == 0 && company:
		what = lang.L("A company from Zoho Desk could not be saved in Tandem.")
	case e.CRMID == 0:
		what = lang.L("A contact from Zoho Desk could not be saved in Tandem.")
	case company:
		what = lang.L("Company {{.Name}} could not be sent to Zoho Desk.", map[string]any{"Name": shown(name)})
	default:
		what = lang.L("Contact {{.Name}} could not be sent to Zoho Desk.", map[string]any{"Name": shown(name)})
	}
	title := wrapLabel(what)
	title.TextStyle = fyne.TextStyle{Bold: true}
	hint := lang.L("It is tried again after you change the record.")
	if e.CRMID == 0 {
		hint = lang.L("It is tried again when the record is changed in Zoho Desk.")
	}
	body := container.NewVBox(title, note(lang.L(e.Message), widget.DangerImportance), note(hint, widget.LowImportance))
	if b := p.openButton(e.Kind, e.CRMID); b != nil {
		body.Add(container.NewHBox(b))
	}
	return widget.NewCard("", "", container.NewBorder(nil, nil, widget.NewIcon(theme.ErrorIcon()), nil, body))
}

// outboxWhat names a queued action for people.
func outboxWhat(it *app.OutboxItem, names map[string]string) string {
	var pl struct {
		To      string `json:"to"`
		Subject string `json:"subject"`
		Status  string `json:"status"`
	}
	_ = json.Unmarshal(it.Payload, &pl)
	name := shown(names[recordKey(it.CRMKind, it.CRMID)])
	switch it.Kind {
	case app.OutboxCreateTicket:
		return lang.L("New ticket {{.Subject}}", map[string]any{"Subject": shown(pl.Subject)})
	case app.OutboxReply, app.OutboxReplyAll:
		return lang.L("Reply to {{.To}}", map[string]any{"To": pl.To})
	case app.OutboxForward:
		return lang.L("Forward to {{.To}}", map[string]any{"To": pl.To})
	case app.OutboxComment:
		return lang.L("Internal comment")
	case app.OutboxStatus:
		return lang.L("Status change to {{.Status}}", map[string]any{"Status": statusName(pl.Status)})
	case app.OutboxPushContact:
		return lang.L("Sending contact {{.Name}} to Zoho Desk", map[string]any{"Name": name})
	case app.OutboxPushCompany:
		return lang.L("Sending company {{.Name}} to Zoho Desk", map[string]any{"Name": name})
	}
	return it.Kind
}

func (p *syncProblems) failedCard(it *app.OutboxItem, names map[string]string) fyne.CanvasObject {
	title := wrapLabel(outboxWhat(it, names))
	title.TextStyle = fyne.TextStyle{Bold: true}
	id := it.ID
	retry := widget.NewButtonWithIcon(lang.L("Try again"), theme.ViewRefreshIcon(), nil)
	retry.OnTapped = func() {
		retry.Disable()
		p.run.Go(func(ctx context.Context) func() {
			err := p.integ.RetryOutbox(ctx, id)
			return func() {
				if err != nil {
					retry.Enable()
					p.showErr("retry", err)
					return
				}
				p.integ.SyncNow()
				p.reload()
			}
		})
	}
	p.retry = append(p.retry, retry)
	row := container.NewHBox(retry)
	if b := p.openButton(it.CRMKind, it.CRMID); b != nil {
		row.Add(b)
	}
	body := container.NewVBox(title,
		note(lang.L("Could not be sent: {{.Reason}}", map[string]any{"Reason": translateMessage(it.LastError)}), widget.DangerImportance),
		note(lang.L("Queued {{.Time}}", map[string]any{"Time": when(it.CreatedAt)}), widget.LowImportance), row)
	return widget.NewCard("", "", container.NewBorder(nil, nil, widget.NewIcon(theme.ErrorIcon()), nil, body))
}
