package views

import (
	"context"
	"log/slog"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tandem-crm/tandem/app"
)

// feedPage is how many signals the feed shows; older ones stay stored.
const feedPage = 200

// OpenSignal opens the CRM record a signal belongs to, on its Tickets tab
// with the ticket selected. recordKind is "" (and recordID 0) for a ticket
// of no CRM record, when signals were widened to every ticket.
type OpenSignal func(recordKind string, recordID int64, ticketID string)

// signalsFeed is the Signals screen: newest first, unread ones in bold.
type signalsFeed struct {
	run     *runner
	win     fyne.Window
	svc     app.SignalService
	open    OpenSignal
	items   []app.Signal
	unread  int
	list    *keyList
	count   *widget.Label
	markAll *widget.Button
	empty   *widget.Label
	content fyne.CanvasObject
	reads   latest // only the newest read of the feed is shown
}

// NewSignalsFeed returns the Signals feed: newest first, the unread count,
// mark read (selecting one, which also opens its record and ticket through
// open) and mark all read. It follows svc.Subscribe until ctx ends.
func NewSignalsFeed(ctx context.Context, w fyne.Window, svc app.SignalService, open OpenSignal) fyne.CanvasObject {
	return newSignalsFeed(ctx, w, svc, open, nil).content
}

func newSignalsFeed(ctx context.Context, w fyne.Window, svc app.SignalService, open OpenSignal, post func(func())) *signalsFeed {
	f := &signalsFeed{run: newRunner(ctx, post), win: w, svc: svc, open: open}
	f.count = widget.NewLabel("")
	f.empty = widget.NewLabel(breakable(lang.L("No signals yet. New tickets, replies, comments, mentions, overdue and escalated tickets and ratings from Zoho Desk appear here.")))
	f.empty.Wrapping = fyne.TextWrapWord
	f.empty.Hide()
	f.markAll = widget.NewButtonWithIcon(lang.L("Mark all read"), theme.ConfirmIcon(), f.markAllRead)
	f.markAll.Disable()
	f.list = newKeyList(
		func() int { return len(f.items) },
		func() fyne.CanvasObject {
			title := widget.NewLabel("")
			title.Truncation = fyne.TextTruncateEllipsis
			body := widget.NewLabel("")
			body.Truncation = fyne.TextTruncateEllipsis
			at := widget.NewLabel("")
			return container.NewBorder(nil, nil, nil, at, container.NewVBox(title, body))
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id >= len(f.items) {
				return
			}
			s := f.items[id]
			row := o.(*fyne.Container)
			texts := row.Objects[0].(*fyne.Container)
			title, body, at := texts.Objects[0].(*widget.Label), texts.Objects[1].(*widget.Label), row.Objects[1].(*widget.Label)
			title.SetText(rowText(s.Title))
			title.TextStyle = fyne.TextStyle{Bold: !s.Read}
			title.Refresh()
			body.SetText(rowText(s.Body))
			at.SetText(signalTime(s.CreatedAt, time.Now()))
		})
	f.list.OnSelected = f.selected
	top := container.NewBorder(nil, nil, widget.NewLabelWithStyle(lang.L("Signals"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		f.markAll, f.count)
	f.content = container.NewBorder(top, nil, nil, nil, container.NewStack(f.list, f.empty))

	unsub := svc.Subscribe(func(app.SignalEvent) { f.reload() })
	go func() { <-ctx.Done(); unsub() }()
	f.reload()
	return f
}

// reload reads the feed and the unread count off the UI goroutine.
func (f *signalsFeed) reload() {
	read := f.reads.next() // called from the service's goroutine too
	f.run.Go(func(ctx context.Context) func() {
		items, err := f.svc.ListSignals(ctx, app.SignalFilter{Limit: feedPage})
		var unread int
		if err == nil {
			unread, err = f.svc.UnreadCount(ctx)
		}
		return func() {
			if !f.reads.current(read) {
				return // a newer read was asked for
			}
			if err != nil {
				logError("load signals", err)
				f.count.SetText(errText(err))
				return
			}
			f.items, f.unread = items, unread
			f.list.UnselectAll()
			f.list.Refresh()
			f.empty.Hidden = len(items) != 0
			f.empty.Refresh()
			f.count.SetText(lang.N("{{.Count}} unread", unread, map[string]any{"Count": unread}))
			if unread > 0 {
				f.markAll.Enable()
			} else {
				f.markAll.Disable()
			}
		}
	})
}

// selected marks the signal read and opens its record and ticket.
func (f *signalsFeed) selected(id widget.ListItemID) {
	if id >= len(f.items) {
		return
	}
	s := f.items[id]
	f.list.Unselect(id)
	if !s.Read {
		f.items[id].Read = true
		f.list.RefreshItem(id)
		f.run.Go(func(ctx context.Context) func() {
			if err := f.svc.MarkRead(ctx, s.ID); err != nil {
				logError("mark signal read", err)
			}
			return nil // the service's event reloads the feed
		})
	}
	if f.open != nil {
		f.open(s.RecordKind, s.RecordID, s.TicketID)
	}
}

func (f *signalsFeed) markAllRead() {
	f.markAll.Disable()
	f.run.Go(func(ctx context.Context) func() {
		err := f.svc.MarkAllRead(ctx)
		return func() {
			if err != nil {
				logError("mark all signals read", err)
				f.markAll.Enable()
			}
		}
	})
}

// signalTime shows a signal's time: the clock today, else the date.
func signalTime(t, now time.Time) string {
	t = t.Local()
	if y, m, d := t.Date(); now.Local().Year() == y && now.Local().Month() == m && now.Local().Day() == d {
		return t.Format("15:04")
	}
	return t.Format("2006-01-02")
}

// signalKindLabel names a kind in Settings › Signals.
func signalKindLabel(k app.SignalKind) string {
	switch k {
	case app.SignalNewTicket:
		return lang.L("New ticket")
	case app.SignalNewReply:
		return lang.L("New reply")
	case app.SignalNewComment:
		return lang.L("New comment")
	case app.SignalMention:
		return lang.L("Mention of me")
	case app.SignalOverdue:
		return lang.L("Overdue ticket")
	case app.SignalEscalated:
		return lang.L("Escalated ticket")
	case app.SignalNewRating:
		return lang.L("New rating")
	}
	return string(k)
}

// signalsSettings is Settings › Signals.
type signalsSettings struct {
	run    *runner
	svc    app.SignalService
	prefs  app.SignalPrefs
	loaded bool
	kinds  map[app.SignalKind]*keyCheck
	dnd    *keyCheck
	all    *keyCheck
	status *widget.Label
	// notice says when desktop notifications cannot be shown; test sends
	// one, and testResult says how it went.
	notice     *widget.Label
	test       *widget.Button
	testResult *widget.Label
	content    fyne.CanvasObject
}

// NewSignalsSettings returns Settings › Signals: a switch per kind for the
// Zoho Desk channel, do not disturb, and whether tickets of no CRM record
// count. Each change is saved at once and takes effect at the next sync.
func NewSignalsSettings(ctx context.Context, w fyne.Window, svc app.SignalService) fyne.CanvasObject {
	return newSignalsSettings(ctx, w, svc, nil).content
}

func newSignalsSettings(ctx context.Context, _ fyne.Window, svc app.SignalService, post func(func())) *signalsSettings {
	s := &signalsSettings{run: newRunner(ctx, post), svc: svc, kinds: map[app.SignalKind]*keyCheck{}}
	s.notice = note("", widget.WarningImportance)
	s.notice.Hide()
	s.test = widget.NewButtonWithIcon(lang.L("Send a test notification"), theme.InfoIcon(), s.sendTest)
	s.testResult = note("", widget.LowImportance)
	s.testResult.Hide()
	box := container.NewVBox(s.notice, container.NewHBox(s.test), s.testResult, widget.NewSeparator(),
		widget.NewLabelWithStyle(lang.L("Zoho Desk"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	for _, k := range app.SignalKinds {
		c := newKeyCheck(signalKindLabel(k), func(on bool) {
			if s.loaded {
				s.prefs.Enabled[k] = on
				s.save()
			}
		})
		c.Disable()
		s.kinds[k] = c
		box.Add(c)
	}
	s.dnd = newKeyCheck(lang.L("Do not disturb: fill the feed, show no desktop notifications"), func(on bool) {
		if s.loaded {
			s.prefs.DoNotDisturb = on
			if !on {
				s.prefs.DoNotDisturbUntil = time.Time{} // also ends the tray's "for 1 hour"
			}
			s.save()
		}
	})
	s.all = newKeyCheck(lang.L("Also tickets that belong to no CRM record"), func(on bool) {
		if s.loaded {
			s.prefs.AllTickets = on
			s.save()
		}
	})
	s.dnd.Disable()
	s.all.Disable()
	s.status = widget.NewLabel("")
	s.status.Wrapping = fyne.TextWrapWord
	box.Add(widget.NewSeparator())
	box.Add(s.dnd)
	box.Add(s.all)
	box.Add(s.status)
	s.content = container.NewVScroll(box)

	s.checkNotifications()
	s.run.Go(func(ctx context.Context) func() {
		p, err := svc.Prefs(ctx)
		return func() {
			if err != nil {
				logError("load signal settings", err)
				setWrapped(s.status, errText(err))
				return
			}
			s.prefs = p
			if s.prefs.Enabled == nil {
				s.prefs.Enabled = map[app.SignalKind]bool{}
			}
			for k, c := range s.kinds {
				c.SetChecked(p.On(k))
				c.Enable()
			}
			s.dnd.SetChecked(p.Quiet(time.Now()))
			s.all.SetChecked(p.AllTickets)
			s.dnd.Enable()
			s.all.Enable()
			s.loaded = true
		}
	})
	return s
}

// checkNotifications says, at the top, when desktop notifications cannot
// be shown (no notification service, or the last one failed).
func (s *signalsSettings) checkNotifications() {
	s.run.Go(func(ctx context.Context) func() {
		err := s.svc.NotificationStatus(ctx)
		return func() { s.showNotificationStatus(err) }
	})
}

// errNotificationsUnavailable is the reason a notifier gives when it knows
// no more (app/notify, sync/signals).
const errNotificationsUnavailable = "Desktop notifications are not available."

func (s *signalsSettings) showNotificationStatus(err error) {
	if err == nil {
		s.notice.Hide()
		return
	}
	slog.Warn("views: desktop notifications", "err", err)
	// The generic reason says no more than the sentence around it.
	if msg := app.ErrorMessage(err); msg == "" || msg == errNotificationsUnavailable {
		setWrapped(s.notice, lang.L("Desktop notifications cannot be shown. New signals still arrive in the feed."))
	} else {
		setWrapped(s.notice, lang.L("Desktop notifications cannot be shown: {{.Reason}} New signals still arrive in the feed.", map[string]any{"Reason": errText(err)}))
	}
	s.notice.Show()
}

// sendTest shows a test notification and says how it went.
func (s *signalsSettings) sendTest() {
	s.test.Disable()
	s.run.Go(func(ctx context.Context) func() {
		err := s.svc.TestNotification(ctx)
		return func() {
			s.test.Enable()
			s.testResult.Show()
			if err != nil {
				s.testResult.Importance = widget.DangerImportance
				if msg := app.ErrorMessage(err); msg == "" || msg == errNotificationsUnavailable {
					setWrapped(s.testResult, lang.L("The test notification could not be shown."))
				} else {
					setWrapped(s.testResult, lang.L("The test notification could not be shown: {{.Reason}}", map[string]any{"Reason": errText(err)}))
				}
			} else {
				s.testResult.Importance = widget.SuccessImportance
				setWrapped(s.testResult, lang.L("Sent. If nothing appeared, check that your system allows notifications from Tandem (and that Do not disturb is off)."))
			}
			s.showNotificationStatus(err)
		}
	})
}

// save stores a copy of the switches off the UI goroutine.
func (s *signalsSettings) save() {
	p := s.prefs
	p.Enabled = make(map[app.SignalKind]bool, len(s.prefs.Enabled))
	for k, on := range s.prefs.Enabled {
		p.Enabled[k] = on
	}
	s.run.Go(func(ctx context.Context) func() {
		err := s.svc.SetPrefs(ctx, p)
		return func() {
			if err != nil {
				logError("save signal settings", err)
				setWrapped(s.status, errText(err))
				return
			}
			setWrapped(s.status, lang.L("Saved. Changes take effect at the next sync."))
		}
	})
}

// WatchUnread calls fn on the UI goroutine with the number of unread
// signals, now and after every change of the feed, until ctx ends: the
// navigation's badge.
func WatchUnread(ctx context.Context, svc app.SignalService, fn func(unread int)) {
	watchUnread(ctx, svc, fn, nil)
}

func watchUnread(ctx context.Context, svc app.SignalService, fn func(int), post func(func())) *runner {
	r := newRunner(ctx, post)
	var counts latest // events post from goroutines of their own: keep the newest
	show := func(read int64, n int) {
		if counts.current(read) {
			fn(n)
		}
	}
	load := func() {
		read := counts.next()
		r.Go(func(ctx context.Context) func() {
			n, err := svc.UnreadCount(ctx)
			if err != nil {
				logError("count unread signals", err)
				return nil
			}
			return func() { show(read, n) }
		})
	}
	unsub := svc.Subscribe(func(e app.SignalEvent) {
		n, read := e.Unread, counts.next()
		r.begin()
		go func() {
			defer r.end()
			if ctx.Err() == nil {
				r.post(func() { show(read, n) })
			}
		}()
	})
	go func() { <-ctx.Done(); unsub() }()
	load()
	return r
}
