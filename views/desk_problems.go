package views

import (
	"context"
	"encoding/json"
	"fmt"
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
	retry     []*widget.Button // one per group of failed actions
	// dismissAll are the Dismiss (all) buttons of the groups of failed
	// actions, then of the groups of record errors.
	dismissAll []*widget.Button
	// A team on one portal (issue 12): records deleted here and changed in
	// Zoho Desk since (restore / keep deleted), and duplicates merged.
	deleted     []app.Tombstone
	merges      []app.MergeNote
	restoreDel  []*widget.Button // one per deleted record
	keepDel     []*widget.Button // one per deleted record
	dismissMerg []*widget.Button // one per merge
	// changeMode, when set, opens Change sync option (a read-only profile).
	changeMode func()
	reads      latest // only the newest read is shown
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
	deleted   []app.Tombstone
	merges    []app.MergeNote
}

func (p *syncProblems) reload() {
	read := p.reads.next()
	p.run.Go(func(ctx context.Context) func() {
		data, err := p.read(ctx)
		return func() {
			if !p.reads.current(read) {
				return // a newer read was asked for (after another sync event)
			}
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
	if d.deleted, err = p.integ.DeletedChanged(ctx); err != nil {
		return nil, err
	}
	if d.merges, err = p.integ.Merges(ctx); err != nil {
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

// maxGroupNames is how many records a group of problems names.
const maxGroupNames = 5

// show lays out the problems, grouped by cause: the conflicts, then each
// kind of failed action or record error with one reason — 62 contacts a
// read-only profile could not send are one group with Try all again and
// Dismiss all, not 62 cards. Nothing at all when there are none.
func (p *syncProblems) show(d *problemData) {
	p.conflicts, p.errs, p.failed = d.conflicts, d.errs, d.failed
	p.deleted, p.merges = d.deleted, d.merges
	p.restore, p.dismiss, p.retry, p.dismissAll = nil, nil, nil, nil
	p.restoreDel, p.keepDel, p.dismissMerg = nil, nil, nil
	p.box.Objects = nil
	if len(d.conflicts)+len(d.errs)+len(d.failed)+len(d.deleted)+len(d.merges) == 0 {
		p.box.Add(widget.NewSeparator())
		p.box.Add(note(lang.L("Nothing needs your attention: your records and Zoho Desk agree."), widget.LowImportance))
		p.box.Refresh()
		return
	}
	p.box.Add(widget.NewSeparator())
	p.box.Add(heading(lang.L("Needs your attention")))
	for i := range d.deleted {
		p.box.Add(p.deletedCard(&d.deleted[i]))
	}
	if len(d.conflicts) > 0 {
		p.box.Add(wrapLabel(lang.L("Tandem and Zoho Desk had different values for these fields. The change that reached Zoho Desk last was kept; the other value is here if you want it back.")))
		for i := range d.conflicts {
			p.box.Add(p.conflictCard(&d.conflicts[i], d.labels))
		}
	}
	for i := range d.merges {
		p.box.Add(p.mergeCard(&d.merges[i], d.conflicts))
	}
	for _, g := range groupFailed(d.failed) {
		p.box.Add(p.failedGroupCard(g, d.names))
	}
	for _, g := range groupErrors(d.errs) {
		p.box.Add(p.errorGroupCard(g, d.names))
	}
	p.box.Refresh()
}

// causeKey is what problems are grouped by: the message's template when
// the catalogue knows one (so "Cannot copy A…" and "Cannot copy B…" are
// one cause), else the message.
func causeKey(msg string) string {
	if t := messageTemplate(msg); t != "" {
		return t
	}
	return msg
}

// failedGroup is failed actions of one kind and one cause.
type failedGroup struct {
	kind  string // an app.Outbox* kind
	cause string
	items []app.OutboxItem
}

func groupFailed(items []app.OutboxItem) []failedGroup {
	var out []failedGroup
	at := map[string]int{}
	for _, it := range items {
		k := it.Kind + "\x00" + causeKey(it.LastError)
		i, ok := at[k]
		if !ok {
			i = len(out)
			at[k] = i
			out = append(out, failedGroup{kind: it.Kind, cause: causeKey(it.LastError)})
		}
		out[i].items = append(out[i].items, it)
	}
	return out
}

// errorGroup is record errors of one kind, one direction and one cause.
type errorGroup struct {
	kind     string // app.KindContact or app.KindCompany
	fromDesk bool   // the record is on Desk only (CRMID 0)
	errs     []app.SyncError
}

func groupErrors(errs []app.SyncError) []errorGroup {
	var out []errorGroup
	at := map[string]int{}
	for _, e := range errs {
		k := fmt.Sprintf("%s\x00%v\x00%s", e.Kind, e.CRMID == 0, causeKey(e.Message))
		i, ok := at[k]
		if !ok {
			i = len(out)
			at[k] = i
			out = append(out, errorGroup{kind: e.Kind, fromDesk: e.CRMID == 0})
		}
		out[i].errs = append(out[i].errs, e)
	}
	return out
}

// namesLine names a group's records: "山田 太郎, 佐藤 花子 and 3 more".
func namesLine(names []string) string {
	var shownNames []string
	for _, n := range names {
		if n != "" && len(shownNames) < maxGroupNames {
			shownNames = append(shownNames, n)
		}
	}
	line := strings.Join(shownNames, lang.L(", "))
	if rest := len(names) - len(shownNames); rest > 0 {
		if line == "" {
			return lang.N("{{.Count}} records", rest, map[string]any{"Count": rest})
		}
		line = lang.L("{{.Names}} and {{.Count}} more", map[string]any{"Names": line, "Count": rest})
	}
	return line
}

// isForbidden reports whether a failure's reason is that the agent's
// Desk profile does not allow it (the message sync/desk gives 403).
func isForbidden(msg string) bool { return msg == msgDeskForbidden }

// msgDeskForbidden is sync/desk's message for HTTP 403.
const msgDeskForbidden = "Your Zoho Desk profile does not allow this."

func (p *syncProblems) failedGroupCard(g failedGroup, names map[string]string) fyne.CanvasObject {
	n := len(g.items)
	var title string
	push := g.kind == app.OutboxPushContact || g.kind == app.OutboxPushCompany
	switch {
	case n == 1:
		title = outboxWhat(&g.items[0], names)
	case g.kind == app.OutboxPushContact:
		title = lang.N("{{.Count}} contacts could not be sent to Zoho Desk", n, map[string]any{"Count": n})
	case g.kind == app.OutboxPushCompany:
		title = lang.N("{{.Count}} companies could not be sent to Zoho Desk", n, map[string]any{"Count": n})
	default:
		title = lang.N("{{.Count}} actions could not be sent to Zoho Desk", n, map[string]any{"Count": n})
	}
	head := wrapLabel(title)
	head.TextStyle = fyne.TextStyle{Bold: true}
	body := container.NewVBox(head,
		note(lang.L("Could not be sent: {{.Reason}}", map[string]any{"Reason": msgText(g.items[0].LastError)}), widget.DangerImportance))
	if n > 1 {
		var ns []string
		for i := range g.items {
			if push {
				ns = append(ns, names[recordKey(g.items[i].CRMKind, g.items[i].CRMID)])
			} else {
				ns = append(ns, outboxWhat(&g.items[i], names))
			}
		}
		body.Add(note(namesLine(ns), widget.MediumImportance))
	} else {
		body.Add(note(lang.L("Queued {{.Time}}", map[string]any{"Time": when(g.items[0].CreatedAt)}), widget.LowImportance))
	}
	if push && isForbidden(g.items[0].LastError) && p.changeMode != nil {
		body.Add(note(lang.L("Your Zoho Desk profile may not change contacts and accounts, so sending them again fails the same way. Choose No sync to keep only the tickets, or ask your Zoho Desk administrator for a profile that may edit them."), widget.WarningImportance))
	}
	ids := make([]int64, n)
	for i := range g.items {
		ids[i] = g.items[i].ID
	}
	retryText, dismissText := lang.L("Try again"), lang.L("Dismiss")
	if n > 1 {
		retryText, dismissText = lang.L("Try all again"), lang.L("Dismiss all")
	}
	retry := widget.NewButtonWithIcon(retryText, theme.ViewRefreshIcon(), nil)
	dismiss := widget.NewButtonWithIcon(dismissText, theme.CancelIcon(), nil)
	p.groupAction(retry, dismiss, func(ctx context.Context) error {
		for _, id := range ids {
			if err := p.integ.RetryOutbox(ctx, id); err != nil {
				return err
			}
		}
		return nil
	}, true)
	p.groupAction(dismiss, retry, func(ctx context.Context) error {
		for _, id := range ids {
			if err := p.integ.DismissOutbox(ctx, id); err != nil && app.ErrorCode(err) != app.ENOTFOUND {
				return err
			}
		}
		return nil
	}, false)
	p.retry = append(p.retry, retry)
	p.dismissAll = append(p.dismissAll, dismiss)
	row := container.NewHBox(retry, dismiss)
	if push && isForbidden(g.items[0].LastError) && p.changeMode != nil {
		row.Add(widget.NewButtonWithIcon(lang.L("Change sync option"), theme.SettingsIcon(), p.changeMode))
	}
	if n == 1 {
		if b := p.openButton(g.items[0].CRMKind, g.items[0].CRMID); b != nil {
			row.Add(b)
		}
	}
	body.Add(row)
	return widget.NewCard("", "", container.NewBorder(nil, nil, widget.NewIcon(theme.ErrorIcon()), nil, body))
}

// groupAction makes b run act for a group off the UI goroutine, with both
// of the group's buttons disabled meanwhile; sync asks for a pass after.
func (p *syncProblems) groupAction(b, other *widget.Button, act func(ctx context.Context) error, sync bool) {
	b.OnTapped = func() {
		b.Disable()
		other.Disable()
		p.run.Go(func(ctx context.Context) func() {
			err := act(ctx)
			return func() {
				if err != nil {
					b.Enable()
					other.Enable()
					p.showErr("sync problems", err)
					return
				}
				if sync {
					p.integ.SyncNow()
				}
				p.reload()
			}
		})
	}
}

func (p *syncProblems) errorGroupCard(g errorGroup, names map[string]string) fyne.CanvasObject {
	n := len(g.errs)
	company := g.kind == app.KindCompany
	var what string
	switch {
	case n == 1:
		what = errorWhat(&g.errs[0], names)
	case g.fromDesk && company:
		what = lang.N("{{.Count}} companies from Zoho Desk could not be saved in Tandem.", n, map[string]any{"Count": n})
	case g.fromDesk:
		what = lang.N("{{.Count}} contacts from Zoho Desk could not be saved in Tandem.", n, map[string]any{"Count": n})
	case company:
		what = lang.N("{{.Count}} companies could not be sent to Zoho Desk", n, map[string]any{"Count": n})
	default:
		what = lang.N("{{.Count}} contacts could not be sent to Zoho Desk", n, map[string]any{"Count": n})
	}
	title := wrapLabel(what)
	title.TextStyle = fyne.TextStyle{Bold: true}
	body := container.NewVBox(title)
	for i := range g.errs {
		if i == maxGroupNames {
			rest := n - maxGroupNames
			body.Add(note(lang.L("…and {{.Count}} more", map[string]any{"Count": rest}), widget.DangerImportance))
			break
		}
		body.Add(note(msgText(g.errs[i].Message), widget.DangerImportance))
	}
	hint := lang.L("It is tried again after you change the record.")
	if g.fromDesk {
		hint = lang.L("It is tried again when the record is changed in Zoho Desk.")
	}
	body.Add(note(hint, widget.LowImportance))
	errs := append([]app.SyncError(nil), g.errs...)
	dismissText := lang.L("Dismiss")
	if n > 1 {
		dismissText = lang.L("Dismiss all")
	}
	dismiss := widget.NewButtonWithIcon(dismissText, theme.CancelIcon(), nil)
	p.groupAction(dismiss, widget.NewButton("", nil), func(ctx context.Context) error {
		for _, e := range errs {
			if err := p.integ.DismissSyncError(ctx, e.Kind, e.CRMID, e.DeskID); err != nil {
				return err
			}
		}
		return nil
	}, false)
	p.dismissAll = append(p.dismissAll, dismiss)
	row := container.NewHBox(dismiss)
	if n == 1 {
		if b := p.openButton(g.errs[0].Kind, g.errs[0].CRMID); b != nil {
			row.Add(b)
		}
	}
	body.Add(row)
	return widget.NewCard("", "", container.NewBorder(nil, nil, widget.NewIcon(theme.ErrorIcon()), nil, body))
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
	body := container.NewVBox(title, wrapLabel(what), note(conflictTimes(c), widget.LowImportance), row)
	return widget.NewCard("", "", container.NewBorder(nil, nil, widget.NewIcon(theme.WarningIcon()), nil, body))
}

// conflictTimes shows both sides' times on Zoho Desk's clock (the one the
// later change is decided by): Desk's change, and when Desk accepted
// Tandem's.
func conflictTimes(c *app.Conflict) string {
	desk := lang.L("unknown")
	if !c.DeskTime.IsZero() {
		desk = when(c.DeskTime)
	}
	crm := lang.L("not sent yet")
	switch {
	case c.Winner == app.WinnerDesk:
		crm = lang.L("not sent")
	case !c.CRMTime.IsZero():
		crm = when(c.CRMTime)
	}
	return lang.L("Changed in Zoho Desk {{.Desk}} · Tandem's change reached Zoho Desk {{.CRM}}", map[string]any{"Desk": desk, "CRM": crm})
}

// deletedCard is a record deleted in Tandem and changed in Zoho Desk
// since: restore it from Desk's copy, or keep it deleted.
func (p *syncProblems) deletedCard(t *app.Tombstone) fyne.CanvasObject {
	name := t.Name
	if name == "" {
		name = kindLabel(t.Kind)
	}
	title := widget.NewLabel(rowText(name))
	title.TextStyle = fyne.TextStyle{Bold: true}
	title.Truncation = fyne.TextTruncateEllipsis
	what := lang.L("Deleted here, changed in Zoho Desk since: someone on your team or in Zoho Desk changed it after you deleted it. Restore it from Zoho Desk, or keep it deleted.")
	times := lang.L("Deleted {{.Deleted}} · changed in Zoho Desk {{.Changed}}", map[string]any{"Deleted": when(t.DeletedAt), "Changed": when(t.ChangedAt)})
	id := t.ID
	restore := widget.NewButtonWithIcon(lang.L("Restore"), theme.ContentUndoIcon(), nil)
	keep := widget.NewButtonWithIcon(lang.L("Keep deleted"), theme.DeleteIcon(), nil)
	act := func(restoring bool) {
		restore.Disable()
		keep.Disable()
		p.run.Go(func(ctx context.Context) func() {
			var err error
			if restoring {
				err = p.integ.RestoreDeleted(ctx, id)
			} else {
				err = p.integ.KeepDeleted(ctx, id)
			}
			return func() {
				if err != nil {
					restore.Enable()
					keep.Enable()
					p.showErr("deleted record", err)
					return
				}
				p.reload()
			}
		})
	}
	restore.OnTapped = func() { act(true) }
	keep.OnTapped = func() { act(false) }
	p.restoreDel = append(p.restoreDel, restore)
	p.keepDel = append(p.keepDel, keep)
	body := container.NewVBox(title, wrapLabel(what), note(times, widget.LowImportance), container.NewHBox(restore, keep))
	return widget.NewCard("", "", container.NewBorder(nil, nil, widget.NewIcon(theme.WarningIcon()), nil, body))
}

// mergeCard tells of duplicate Zoho Desk contacts made one: merged by this
// desktop, or found merged by another one of the team.
// The values of the merged contacts that Desk did not keep are conflicts
// of the record, listed above it; the card says so only when there are.
func (p *syncProblems) mergeCard(m *app.MergeNote, conflicts []app.Conflict) fyne.CanvasObject {
	name := m.RecordName
	if name == "" {
		name = kindLabel(m.Kind)
	}
	title := widget.NewLabel(rowText(name))
	title.TextStyle = fyne.TextStyle{Bold: true}
	title.Truncation = fyne.TextTruncateEllipsis
	var what string
	if m.ByUs {
		what = lang.L("Zoho Desk had {{.Count}} contacts with this email (made on several computers, or in Zoho Desk, at about the same time). Tandem merged them into the oldest one in Zoho Desk and linked this record to it.",
			map[string]any{"Count": len(m.Losers) + 1})
	} else {
		what = lang.L("Zoho Desk had {{.Count}} contacts for this person; another computer of your team merged them into the oldest one. This record is now linked to it.",
			map[string]any{"Count": len(m.Losers) + 1})
	}
	differed := m.CRMID != 0 && slices.ContainsFunc(conflicts, func(c app.Conflict) bool { return c.Kind == m.Kind && c.CRMID == m.CRMID })
	id := m.ID
	dismiss := widget.NewButtonWithIcon(lang.L("OK"), theme.ConfirmIcon(), nil)
	dismiss.OnTapped = func() {
		dismiss.Disable()
		p.run.Go(func(ctx context.Context) func() {
			err := p.integ.DismissMerge(ctx, id)
			return func() {
				if err != nil {
					dismiss.Enable()
					p.showErr("dismiss merge", err)
					return
				}
				p.reload()
			}
		})
	}
	p.dismissMerg = append(p.dismissMerg, dismiss)
	row := container.NewHBox(dismiss)
	if b := p.openButton(m.Kind, m.CRMID); b != nil {
		row.Add(b)
	}
	body := container.NewVBox(title, wrapLabel(what))
	if differed {
		body.Add(wrapLabel(lang.L("Values that differed are listed above, if you want one back.")))
	}
	body.Add(note(when(m.At), widget.LowImportance))
	body.Add(row)
	return widget.NewCard("", "", container.NewBorder(nil, nil, widget.NewIcon(theme.InfoIcon()), nil, body))
}

func (p *syncProblems) openButton(kind string, id int64) *widget.Button {
	if p.openRecord == nil || id == 0 {
		return nil
	}
	return widget.NewButtonWithIcon(lang.L("Open"), theme.NavigateNextIcon(), func() { p.openRecord(kind, id) })
}

// errorWhat says what one record error is about.
func errorWhat(e *app.SyncError, names map[string]string) string {
	name := names[recordKey(e.Kind, e.CRMID)]
	company := e.Kind == app.KindCompany
	switch {
	case e.CRMID == 0 && company:
		return lang.L("A company from Zoho Desk could not be saved in Tandem.")
	case e.CRMID == 0:
		return lang.L("A contact from Zoho Desk could not be saved in Tandem.")
	case company:
		return lang.L("Company {{.Name}} could not be sent to Zoho Desk.", map[string]any{"Name": shown(name)})
	}
	return lang.L("Contact {{.Name}} could not be sent to Zoho Desk.", map[string]any{"Name": shown(name)})
}

// outboxWhat names a queued action for people.
func outboxWhat(it *app.OutboxItem, names map[string]string) string {
	var pl struct {
		To      string `json:"to"`
		Subject string `json:"subject"`
		Status  string `json:"status"`
		Name    string `json:"name"`
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
	case app.OutboxTicketUpdate:
		return lang.L("Change of {{.What}}", map[string]any{"What": lang.L("Ticket details")})
	case app.OutboxPushContact:
		return lang.L("Sending contact {{.Name}} to Zoho Desk", map[string]any{"Name": name})
	case app.OutboxPushCompany:
		return lang.L("Sending company {{.Name}} to Zoho Desk", map[string]any{"Name": name})
	case app.OutboxTrashContact:
		return lang.L("Deleting {{.Name}} in Zoho Desk", map[string]any{"Name": shown(pl.Name)})
	}
	return it.Kind
}
