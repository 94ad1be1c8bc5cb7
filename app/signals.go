package app

import (
	"context"
	"time"
)

// This file holds signals (DESIGN §6): events found in what sync pulls from
// Zoho Desk, kept in a feed and shown as native desktop notifications.

// SignalKind is what happened on a ticket.
type SignalKind string

// Signal kinds, each switchable in Settings › Signals.
const (
	SignalNewTicket  SignalKind = "new_ticket"
	SignalNewComment SignalKind = "new_comment"
	SignalNewReply   SignalKind = "new_reply"
	SignalOverdue    SignalKind = "overdue"
	SignalEscalated  SignalKind = "escalated"
	SignalNewRating  SignalKind = "new_rating"
	SignalMention    SignalKind = "mention" // a comment mentioning the signed-in agent
)

// SignalKinds lists every kind in the order Settings shows them.
var SignalKinds = []SignalKind{
	SignalNewTicket, SignalNewReply, SignalNewComment, SignalMention,
	SignalOverdue, SignalEscalated, SignalNewRating,
}

// Valid reports whether k is one of the seven kinds.
func (k SignalKind) Valid() bool {
	for _, s := range SignalKinds {
		if k == s {
			return true
		}
	}
	return false
}

// Signal is one event. Key is stable and unique per portal (e.g.
// "reply:<threadId>", "overdue:<ticketId>:<due unix ms>"), so the same event
// found again — in a repeated pass, after a restart — is never stored or
// notified twice.
type Signal struct {
	ID           int64
	OrgID        string
	Key          string
	Kind         SignalKind
	TicketID     string
	TicketNumber string
	Title        string // the notification's title, e.g. "Escalated · #1042 Printer on fire — Yamada Taro"
	Body         string // the notification's body
	// RecordKind and RecordID name the CRM record the ticket belongs to
	// (KindContact, KindCompany or KindRecord), to open it; "" and 0 when
	// the ticket has none (only when AllTickets widens the scope).
	RecordKind string
	RecordID   int64
	CreatedAt  time.Time
	Read       bool
	Notified   bool // a desktop notification was shown (alone or in a summary)
	// Hidden marks a key kept only so it never fires: the baseline of a
	// portal's first sync, and events of kinds switched off. Hidden signals
	// are not in the feed.
	Hidden bool
}

// SignalPrefs are the Settings › Signals switches for the Desk channel.
type SignalPrefs struct {
	// Enabled switches each kind; a kind missing from the map is on.
	Enabled map[SignalKind]bool
	// DoNotDisturb keeps filling the feed but shows no desktop notifications.
	DoNotDisturb bool
	// DoNotDisturbUntil does the same until that time (the tray's "for 1
	// hour" and "until tomorrow"); zero when not set.
	DoNotDisturbUntil time.Time
	// AllTickets widens signals to every ticket of the portal, not only
	// those associated with a CRM record.
	AllTickets bool
}

// DefaultSignalPrefs returns every kind on, notifications shown, tickets
// of CRM records only.
func DefaultSignalPrefs() SignalPrefs {
	p := SignalPrefs{Enabled: map[SignalKind]bool{}}
	for _, k := range SignalKinds {
		p.Enabled[k] = true
	}
	return p
}

// Quiet reports whether desktop notifications are held back at now.
func (p SignalPrefs) Quiet(now time.Time) bool {
	return p.DoNotDisturb || now.Before(p.DoNotDisturbUntil)
}

// On reports whether kind k is switched on.
func (p SignalPrefs) On(k SignalKind) bool {
	on, ok := p.Enabled[k]
	return !ok || on
}

// SignalFilter selects a page of the feed, newest first.
type SignalFilter struct {
	OrgID      string // "" for every portal
	UnreadOnly bool
	Offset     int
	Limit      int // 0 means 50
}

// SignalTicket is what a signal's text and target need to know of a cached
// ticket: the ticket and the CRM record it is associated with.
type SignalTicket struct {
	Ticket     Ticket // without description, conversation or raw JSON
	RecordKind string // KindContact, KindCompany, KindRecord or "" when none
	RecordID   int64
	RecordName string // the record's name for people
}

// SignalEvent tells subscribers that the feed changed: new signals arrived
// or some were marked read.
type SignalEvent struct {
	New    int // signals added to the feed
	Unread int // unread signals in the feed now
}

// SignalStore keeps signals, their preferences and baselines. Every method
// returns an *Error (EUNAVAILABLE when the database is busy).
type SignalStore interface {
	// InsertSignals stores signals whose (OrgID, Key) is new and returns
	// only those, with ID set; the others are ignored. This is what makes
	// each event fire at most once, across restarts too.
	InsertSignals(ctx context.Context, ss []Signal) ([]Signal, error)
	// MarkSignalsNotified records that the signals were shown.
	MarkSignalsNotified(ctx context.Context, ids []int64) error
	// ListSignals returns a page of the feed (hidden signals excluded),
	// newest first.
	ListSignals(ctx context.Context, f SignalFilter) ([]Signal, error)
	// UnreadSignalCount counts unread signals in the feed of orgID ("" for
	// every portal).
	UnreadSignalCount(ctx context.Context, orgID string) (int, error)
	// MarkSignalRead marks one signal read; ENOTFOUND when there is none.
	MarkSignalRead(ctx context.Context, id int64) error
	// MarkAllSignalsRead marks every signal of orgID ("" for all) read.
	MarkAllSignalsRead(ctx context.Context, orgID string) error
	// SignalPrefs returns the saved switches, DefaultSignalPrefs when none were saved.
	SignalPrefs(ctx context.Context) (SignalPrefs, error)
	// SetSignalPrefs saves the switches.
	SetSignalPrefs(ctx context.Context, p SignalPrefs) error
	// SignalBaseline returns the Desk time up to which a portal's past was
	// recorded by its first sync, and whether a baseline exists.
	SignalBaseline(ctx context.Context, orgID string) (time.Time, bool, error)
	// SetSignalBaseline records a portal's baseline.
	SetSignalBaseline(ctx context.Context, orgID string, at time.Time) error
	// LatestTicketModified returns the newest modification time (Desk's
	// clock) of a portal's cached tickets, zero when none are cached.
	LatestTicketModified(ctx context.Context, orgID string) (time.Time, error)
	// SignalTickets returns the cached tickets among ids, with the CRM
	// record each is associated with (the record it was created from, its
	// linked or same-email contact, its linked account's company).
	SignalTickets(ctx context.Context, orgID string, ids []string) (map[string]SignalTicket, error)
	// OverdueTickets returns a portal's cached tickets that are not closed,
	// either flagged overdue by Desk or past their due date at now, and not
	// signalled yet under the key "overdue:<ticket id>:<due date in unix
	// ms, 0 when none>".
	OverdueTickets(ctx context.Context, orgID string, now time.Time) ([]SignalTicket, error)
	// ActiveSignalOrg returns the active portal's org id, "" when none.
	ActiveSignalOrg(ctx context.Context) (string, error)
}

// SignalService is what the screens use: the Signals feed, its unread
// count and Settings › Signals. Every method does I/O: never call it on the
// UI goroutine. Errors are *Error values.
type SignalService interface {
	// ListSignals returns a page of the feed, newest first.
	ListSignals(ctx context.Context, f SignalFilter) ([]Signal, error)
	// UnreadCount counts unread signals of every portal.
	UnreadCount(ctx context.Context) (int, error)
	// MarkRead marks one signal read (ENOTFOUND when it does not exist).
	MarkRead(ctx context.Context, id int64) error
	// MarkAllRead marks every signal read.
	MarkAllRead(ctx context.Context) error
	// Prefs returns the Settings › Signals switches.
	Prefs(ctx context.Context) (SignalPrefs, error)
	// SetPrefs saves them; they take effect at the next sync pass.
	SetPrefs(ctx context.Context, p SignalPrefs) error
	// Subscribe registers fn for feed changes and returns a function that
	// removes it. fn runs on a background goroutine and must not block
	// (hand the event to the UI with fyne.Do).
	Subscribe(fn func(SignalEvent)) (unsubscribe func())
}
