// Package signals finds signals (DESIGN §6) in what the sync service pulls
// from Zoho Desk — new tickets, replies, comments, mentions of the
// signed-in agent, overdue and escalated tickets, ratings — stores each
// once under a stable key, and shows them as native desktop notifications.
//
// A Detector implements app.Detector (the sync service calls Detect after
// each pass) and app.SignalService (the Signals feed and Settings ›
// Signals). Exactly once: a signal is inserted before it is notified, and
// the store ignores a key it already has, so a repeated pass or a restart
// shows nothing twice (a crash between the two loses a notification rather
// than repeating one). A portal's first sync records a baseline and
// notifies nothing from before it. Overdue is also computed from the local
// clock over the ticket cache (Run checks every minute), so it fires while
// offline.
//
// The package works only through app interfaces (app.SignalStore,
// app.Notifier) and never imports Fyne or the concrete store.
package signals

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	gosync "sync"
	"time"

	"github.com/tandem-crm/tandem/app"
)

// Compile-time checks.
var (
	_ app.Detector      = (*Detector)(nil)
	_ app.SignalService = (*Detector)(nil)
)

// burst is the most notifications one pass shows one by one; more become
// a single summary.
const burst = 3

// Options configures a Detector. Store is required.
type Options struct {
	Store    app.SignalStore
	Notifier app.Notifier // nil: the feed fills, nothing pops up
	// Now is the local clock (time.Now): overdue is judged by it.
	Now func() time.Time
	// Location is the time zone of times in notification text (time.Local).
	Location *time.Location
	// OverdueEvery is how often Run checks due dates locally (1 minute).
	OverdueEvery time.Duration
	Logger       *slog.Logger // nil: slog.Default()
	// Words translates notification text (nil functions: English).
	Words Words
}

// Detector finds, stores and notifies signals, and serves the feed.
type Detector struct {
	opts  Options
	store app.SignalStore
	log   *slog.Logger

	detectMu gosync.Mutex // one detection at a time: a pass or the overdue ticker

	mu     gosync.Mutex
	subs   map[int]func(app.SignalEvent)
	subSeq int
	// notifyErr is why the last desktop notification failed (nil after a
	// success); guarded by mu.
	notifyErr error
}

// New returns a Detector; call Run for the local overdue check.
func New(opts Options) (*Detector, error) {
	if opts.Store == nil {
		return nil, errors.New("signals: new: Store is required")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Location == nil {
		opts.Location = time.Local
	}
	if opts.OverdueEvery <= 0 {
		opts.OverdueEvery = time.Minute
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	return &Detector{opts: opts, store: opts.Store, log: log.With("component", "signals"), subs: map[int]func(app.SignalEvent){}}, nil
}

// Run checks due dates against the local clock every OverdueEvery until
// ctx ends, so overdue tickets are signalled while Desk cannot be reached.
// It returns ctx's error.
func (d *Detector) Run(ctx context.Context) error {
	t := time.NewTicker(d.opts.OverdueEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
			if err := d.CheckOverdue(ctx); err != nil && ctx.Err() == nil {
				d.log.Warn("local overdue check failed", "err", err)
			}
		}
	}
}

// CheckOverdue signals the active portal's open tickets whose due date has
// passed by the local clock. It does nothing before the portal's first
// sync has recorded a baseline.
func (d *Detector) CheckOverdue(ctx context.Context) error {
	d.detectMu.Lock()
	defer d.detectMu.Unlock()
	org, err := d.store.ActiveSignalOrg(ctx)
	if err != nil || org == "" {
		return err
	}
	if _, ok, err := d.store.SignalBaseline(ctx, org); err != nil || !ok {
		return err
	}
	prefs, err := d.store.SignalPrefs(ctx)
	if err != nil {
		return fmt.Errorf("signals: overdue: %w", err)
	}
	over, err := d.store.OverdueTickets(ctx, org, d.opts.Now())
	if err != nil {
		return fmt.Errorf("signals: overdue: %w", err)
	}
	tickets := map[string]app.SignalTicket{}
	var evs []event
	for _, st := range over {
		tickets[st.Ticket.ID] = st
		evs = append(evs, overdueEvent(st.Ticket))
	}
	return d.emit(ctx, org, prefs, evs, tickets)
}

// Detect implements app.Detector: it turns what a pass pulled into signals.
func (d *Detector) Detect(ctx context.Context, c app.Changes) error {
	d.detectMu.Lock()
	defer d.detectMu.Unlock()
	base, ok, err := d.store.SignalBaseline(ctx, c.OrgID)
	if err != nil {
		return fmt.Errorf("signals: detect: %w", err)
	}
	if c.First || !ok {
		// Also when a portal synced before signals existed: what is cached
		// now is the past.
		return d.recordBaseline(ctx, c.OrgID)
	}
	prefs, err := d.store.SignalPrefs(ctx)
	if err != nil {
		return fmt.Errorf("signals: detect: %w", err)
	}
	evs := findEvents(c, base, prefs)

	ids := map[string]bool{}
	for _, e := range evs {
		ids[e.ticketID] = true
	}
	// Overdue by the local clock too: Desk's flag may lag, or the pass may
	// not have seen the ticket change.
	over, err := d.store.OverdueTickets(ctx, c.OrgID, d.opts.Now())
	if err != nil {
		return fmt.Errorf("signals: detect: %w", err)
	}
	for _, st := range over {
		evs = append(evs, overdueEvent(st.Ticket))
		delete(ids, st.Ticket.ID)
	}
	tickets, err := d.store.SignalTickets(ctx, c.OrgID, keys(ids))
	if err != nil {
		return fmt.Errorf("signals: detect: %w", err)
	}
	for _, st := range over {
		tickets[st.Ticket.ID] = st
	}
	return d.emit(ctx, c.OrgID, prefs, evs, tickets)
}

// findEvents lists the events of a pass. base is the portal's baseline:
// nothing created before it is new.
func findEvents(c app.Changes, base time.Time, prefs app.SignalPrefs) []event {
	var evs []event
	newTicket := map[string]app.Ticket{}
	for _, t := range c.NewTickets {
		newTicket[t.ID] = t
		evs = append(evs, event{kind: app.SignalNewTicket, key: "ticket:" + t.ID, ticketID: t.ID, at: t.CreatedTime})
	}
	before := map[string]app.TicketStamp{}
	for _, ch := range c.Changed {
		t := ch.After
		before[t.ID] = ch.Before
		if ch.BecameEscalated {
			evs = append(evs, event{kind: app.SignalEscalated, key: "escalated:" + t.ID + ":" + ms(t.ModifiedTime), ticketID: t.ID, at: t.ModifiedTime})
		}
		if ch.BecameOverdue {
			evs = append(evs, overdueEvent(t))
		}
	}
	// isNew tells a message written since the last pass from one that was
	// merely fetched for the first time: a ticket stored by the first sync
	// has no conversation until it changes, and then all of it arrives.
	isNew := func(ticketID string, created time.Time) bool {
		if !created.After(base) {
			return false
		}
		if b, ok := before[ticketID]; ok && b.DetailSynced.IsZero() && !created.After(b.Modified) {
			return false
		}
		if t, ok := newTicket[ticketID]; ok && !created.After(t.CreatedTime.Add(time.Minute)) {
			return false // the message that opened the ticket: the new-ticket signal covers it
		}
		return true
	}
	own := func(id string) bool { return c.AgentID != "" && id == c.AgentID }
	opening := map[string]string{} // a new ticket's first message, for its body
	for _, th := range c.NewThreads {
		text := th.Summary
		if text == "" {
			text = th.Content
		}
		if _, ok := newTicket[th.TicketID]; ok && opening[th.TicketID] == "" {
			opening[th.TicketID] = text
		}
		if own(th.AuthorID) || !isNew(th.TicketID, th.CreatedTime) {
			continue
		}
		who := th.AuthorName
		if who == "" {
			who = th.AuthorEmail
		}
		if who == "" {
			who = th.From
		}
		e := event{kind: app.SignalNewReply, key: "reply:" + th.ID, ticketID: th.TicketID, at: th.CreatedTime, who: who, text: text}
		if th.AuthorType != "AGENT" {
			e.whoEmail = th.AuthorEmail
		}
		evs = append(evs, e)
	}
	for i, e := range evs {
		if e.kind == app.SignalNewTicket {
			evs[i].text = opening[e.ticketID]
		}
	}
	for _, cm := range c.NewComments {
		if own(cm.CommenterID) || !isNew(cm.TicketID, cm.CommentedTime) {
			continue
		}
		text := cm.Text
		if text == "" {
			text = cm.Content
		}
		e := event{kind: app.SignalNewComment, key: "comment:" + cm.ID, ticketID: cm.TicketID, at: cm.CommentedTime, who: cm.CommenterName, text: text}
		// A mention is the comment's signal, unless mentions are off and
		// comments on.
		if c.AgentID != "" && slices.Contains(cm.Mentions, c.AgentID) && (prefs.On(app.SignalMention) || !prefs.On(app.SignalNewComment)) {
			e.kind, e.key = app.SignalMention, "mention:"+cm.ID
		}
		evs = append(evs, e)
	}
	for _, r := range c.NewRatings {
		if !r.CreatedTime.After(base) {
			continue
		}
		evs = append(evs, event{kind: app.SignalNewRating, key: "rating:" + r.ID, ticketID: r.TicketID, at: r.CreatedTime, text: r.Feedback, rating: r.Rating})
	}
	return evs
}

// overdueEvent keys an overdue ticket by its due date, so a new due date
// that passes fires again while the same one never does.
func overdueEvent(t app.Ticket) event {
	at := t.DueDate
	if at.IsZero() {
		at = t.ModifiedTime
	}
	return event{kind: app.SignalOverdue, key: "overdue:" + t.ID + ":" + ms(t.DueDate), ticketID: t.ID, at: at, due: t.DueDate}
}

// recordBaseline remembers where a portal's past ends: the newest cached
// ticket's Desk time, and the keys of tickets overdue now.
func (d *Detector) recordBaseline(ctx context.Context, org string) error {
	at, err := d.store.LatestTicketModified(ctx, org)
	if err != nil {
		return fmt.Errorf("signals: baseline: %w", err)
	}
	if at.IsZero() {
		at = d.opts.Now()
	}
	over, err := d.store.OverdueTickets(ctx, org, d.opts.Now())
	if err != nil {
		return fmt.Errorf("signals: baseline: %w", err)
	}
	var ss []app.Signal
	for _, st := range over {
		e := overdueEvent(st.Ticket)
		ss = append(ss, app.Signal{OrgID: org, Key: e.key, Kind: e.kind, TicketID: st.Ticket.ID, TicketNumber: st.Ticket.Number,
			Hidden: true, Read: true, Notified: true})
	}
	if _, err := d.store.InsertSignals(ctx, ss); err != nil {
		return fmt.Errorf("signals: baseline: %w", err)
	}
	// Last: a failure before this leaves no baseline, so the next pass tries again.
	if err := d.store.SetSignalBaseline(ctx, org, at); err != nil {
		return fmt.Errorf("signals: baseline: %w", err)
	}
	d.log.Info("signals baseline recorded", "org", org, "at", at, "overdue", len(ss))
	return nil
}

// emit stores the events as signals and notifies the new ones.
func (d *Detector) emit(ctx context.Context, org string, prefs app.SignalPrefs, evs []event, tickets map[string]app.SignalTicket) error {
	if len(evs) == 0 {
		return nil
	}
	slices.SortStableFunc(evs, func(a, b event) int { return a.at.Compare(b.at) }) // oldest first: the feed shows the newest on top
	now := d.opts.Now()
	seen := map[string]bool{}
	var ss []app.Signal
	for _, e := range evs {
		if seen[e.key] {
			continue
		}
		seen[e.key] = true
		st, ok := tickets[e.ticketID]
		if !ok {
			st = app.SignalTicket{Ticket: app.Ticket{ID: e.ticketID}}
		}
		if st.RecordKind == "" && !prefs.AllTickets {
			continue // not a CRM record's ticket; it may become one later
		}
		e.who = authorName(e, st)
		s := app.Signal{OrgID: org, Key: e.key, Kind: e.kind, TicketID: e.ticketID, TicketNumber: st.Ticket.Number,
			Title: d.opts.Words.title(e, st), Body: d.opts.Words.body(e, st, d.opts.Location),
			RecordKind: st.RecordKind, RecordID: st.RecordID, CreatedAt: now}
		if !prefs.On(e.kind) {
			// Remembered, so switching the kind on later does not replay it.
			s.Hidden, s.Read, s.Notified = true, true, true
		}
		ss = append(ss, s)
	}
	added, err := d.store.InsertSignals(ctx, ss)
	if err != nil {
		return fmt.Errorf("signals: store: %w", err)
	}
	var shown []app.Signal
	for _, s := range added {
		if !s.Hidden {
			shown = append(shown, s)
		}
	}
	if len(shown) == 0 {
		return nil
	}
	if !prefs.Quiet(d.opts.Now()) && d.opts.Notifier != nil {
		d.notify(ctx, shown)
	}
	d.publish(ctx, len(shown))
	return nil
}

// notify shows the signals, or one summary for a burst, and records which
// were shown. A notification that fails is not retried: at most once.
func (d *Detector) notify(ctx context.Context, ss []app.Signal) {
	var ns []app.Notification
	if len(ss) > burst {
		ns = []app.Notification{d.opts.Words.summary(ss)}
	} else {
		for _, s := range ss {
			ns = append(ns, app.Notification{Title: s.Title, Body: s.Body,
				Target: app.NotificationTarget{SignalID: s.ID, RecordKind: s.RecordKind, RecordID: s.RecordID, TicketID: s.TicketID}})
		}
	}
	for _, n := range ns {
		if err := d.show(ctx, n); err != nil {
			d.log.Warn("desktop notification failed", "err", err)
			return
		}
	}
	ids := make([]int64, len(ss))
	for i, s := range ss {
		ids[i] = s.ID
	}
	if err := d.store.MarkSignalsNotified(ctx, ids); err != nil {
		d.log.Warn("cannot record notified signals", "err", err)
	}
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func ms(t time.Time) string {
	if t.IsZero() {
		return "0"
	}
	return strconv.FormatInt(t.UnixMilli(), 10)
}

// --- app.SignalService ---

// show shows one notification and remembers whether it could be.
func (d *Detector) show(ctx context.Context, n app.Notification) error {
	err := d.opts.Notifier.Notify(ctx, n)
	if ctx.Err() != nil {
		return err // not the notifier's fault
	}
	d.mu.Lock()
	d.notifyErr = err
	d.mu.Unlock()
	return err
}

// errNoNotifier is NotificationStatus without a notifier (headless).
var errNoNotifier = app.Errorf(app.EUNAVAILABLE, "Desktop notifications are not available.")

// NotificationStatus implements app.SignalService: the last failure, or
// what the notifier says of the system.
func (d *Detector) NotificationStatus(ctx context.Context) error {
	if d.opts.Notifier == nil {
		return errNoNotifier
	}
	// The desktop's own answer names the cause ("no notification
	// service"); a failed notification's error often only says it failed.
	if c, ok := d.opts.Notifier.(app.NotifierChecker); ok {
		if err := c.Available(ctx); err != nil {
			return err
		}
	}
	d.mu.Lock()
	err := d.notifyErr
	d.mu.Unlock()
	return err
}

// TestNotification implements app.SignalService.
func (d *Detector) TestNotification(ctx context.Context) error {
	if d.opts.Notifier == nil {
		return errNoNotifier
	}
	err := d.show(ctx, app.Notification{
		Title: d.opts.Words.text("Tandem: a test notification"),
		Body:  d.opts.Words.text("New tickets, replies and the other signals from Zoho Desk appear like this."),
	})
	if err != nil {
		if c, ok := d.opts.Notifier.(app.NotifierChecker); ok {
			if aerr := c.Available(ctx); aerr != nil {
				return aerr // the cause, rather than "could not be shown"
			}
		}
	}
	return err
}

// ListSignals returns a page of the feed, newest first.
func (d *Detector) ListSignals(ctx context.Context, f app.SignalFilter) ([]app.Signal, error) {
	return d.store.ListSignals(ctx, f)
}

// UnreadCount counts unread signals of every portal.
func (d *Detector) UnreadCount(ctx context.Context) (int, error) {
	return d.store.UnreadSignalCount(ctx, "")
}

// MarkRead marks one signal read and tells subscribers.
func (d *Detector) MarkRead(ctx context.Context, id int64) error {
	if err := d.store.MarkSignalRead(ctx, id); err != nil {
		return err
	}
	d.publish(ctx, 0)
	return nil
}

// MarkAllRead marks every signal read and tells subscribers.
func (d *Detector) MarkAllRead(ctx context.Context) error {
	if err := d.store.MarkAllSignalsRead(ctx, ""); err != nil {
		return err
	}
	d.publish(ctx, 0)
	return nil
}

// Prefs returns the Settings › Signals switches.
func (d *Detector) Prefs(ctx context.Context) (app.SignalPrefs, error) {
	return d.store.SignalPrefs(ctx)
}

// SetPrefs saves the switches; Detect reads them at every pass.
func (d *Detector) SetPrefs(ctx context.Context, p app.SignalPrefs) error {
	return d.store.SetSignalPrefs(ctx, p)
}

// Subscribe registers fn for feed changes; fn must not block.
func (d *Detector) Subscribe(fn func(app.SignalEvent)) func() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.subSeq++
	id := d.subSeq
	d.subs[id] = fn
	return func() {
		d.mu.Lock()
		delete(d.subs, id)
		d.mu.Unlock()
	}
}

func (d *Detector) publish(ctx context.Context, added int) {
	d.mu.Lock()
	fns := make([]func(app.SignalEvent), 0, len(d.subs))
	for _, fn := range d.subs {
		fns = append(fns, fn)
	}
	d.mu.Unlock()
	if len(fns) == 0 {
		return
	}
	n, err := d.store.UnreadSignalCount(ctx, "")
	if err != nil {
		d.log.Warn("cannot count unread signals", "err", err)
	}
	for _, fn := range fns {
		fn(app.SignalEvent{New: added, Unread: n})
	}
}

// authorName is who wrote a message as Tandem names them: Desk joins a
// contact's names first name first ("太郎 山田"), so when the ticket's
// contact wrote it, the contact's record (or the ticket's contact name,
// family name first for Japanese) names them.
func authorName(e event, st app.SignalTicket) string {
	if e.whoEmail == "" || !strings.EqualFold(strings.TrimSpace(e.whoEmail), strings.TrimSpace(st.Ticket.ContactEmail)) {
		return e.who
	}
	if st.RecordKind == app.KindContact && st.RecordName != "" {
		return st.RecordName
	}
	if st.Ticket.ContactName != "" {
		return st.Ticket.ContactName
	}
	return e.who
}
