package signals

import (
	"fmt"
	"html"
	"regexp"
	"strings"
	"time"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/app/display"
)

// Notification text is written in English and passed through Words, which
// main fills with the UI's translations; names, subjects and messages are
// shown as written (Japanese names stay Japanese). The feed shows the same
// title and body.

// Words translates what a notification says. Text gets each English
// label or sentence (with its values already in: "Was due 1 Dec 09:00");
// Status and Priority get Desk's own values. A nil function leaves the
// English.
type Words struct {
	Text     func(english string) string
	Status   func(deskStatus string) string
	Priority func(deskPriority string) string
}

func (w Words) text(s string) string {
	if w.Text == nil {
		return s
	}
	return w.Text(s)
}

func (w Words) status(s string) string {
	if w.Status == nil {
		return s
	}
	return w.Status(s)
}

func (w Words) priority(s string) string {
	if w.Priority == nil {
		return s
	}
	return w.Priority(s)
}

// event is one thing found in a pass, before it becomes a Signal.
type event struct {
	kind     app.SignalKind
	key      string
	ticketID string
	at       time.Time // when it happened (Desk's clock), for ordering
	who      string    // author, commenter
	whoEmail string    // a customer author's address, to name them as Tandem does
	text     string    // message, comment, feedback
	rating   string    // GOOD, OKAY, BAD
	due      time.Time
}

// Limits on the length of what a notification shows.
const (
	maxSubject = 60
	maxBody    = 140
)

var kindLabel = map[app.SignalKind]string{
	app.SignalNewTicket:  "New ticket",
	app.SignalNewReply:   "Reply",
	app.SignalNewComment: "Comment",
	app.SignalMention:    "Mentioned",
	app.SignalOverdue:    "Overdue",
	app.SignalEscalated:  "Escalated",
	app.SignalNewRating:  "Rated",
}

var ratingLabel = map[string]string{"GOOD": "Good", "OKAY": "Okay", "BAD": "Bad"}

// formatTitle returns e.g. "Escalated · #1042 Printer on fire — Yamada Taro".
func formatTitle(e event, st app.SignalTicket) string { return Words{}.title(e, st) }

func (w Words) title(e event, st app.SignalTicket) string {
	label := w.text(kindLabel[e.kind])
	if e.kind == app.SignalNewRating {
		if r, ok := ratingLabel[e.rating]; ok {
			label = w.text("Rated " + r)
		}
	}
	var b strings.Builder
	b.WriteString(label)
	b.WriteString(" · ")
	if n := st.Ticket.Number; n != "" {
		b.WriteString("#" + n + " ")
	}
	subject := clip(st.Ticket.Subject, maxSubject)
	if subject == "" {
		subject = w.text("(no subject)")
	}
	b.WriteString(subject)
	if name := personOf(st); name != "" {
		b.WriteString(" — " + name)
	}
	return b.String()
}

// personOf is who the ticket is about: its CRM record, else its Desk contact.
func personOf(st app.SignalTicket) string {
	for _, s := range []string{st.RecordName, st.Ticket.ContactName, st.Ticket.ContactEmail} {
		if s := clip(s, display.Name); s != "" {
			return s
		}
	}
	return ""
}

// formatBody returns the notification body: who said what, or the fact.
func formatBody(e event, st app.SignalTicket, loc *time.Location) string {
	return Words{}.body(e, st, loc)
}

func (w Words) body(e event, st app.SignalTicket, loc *time.Location) string {
	said := func(who, text, none string) string {
		who, text = clip(who, display.Name), clip(plain(text), maxBody)
		switch {
		case who != "" && text != "":
			return who + ": " + text
		case text != "":
			return text
		case who != "":
			return who + ": " + w.text(none)
		}
		return w.text(none)
	}
	t := st.Ticket
	switch e.kind {
	case app.SignalNewTicket:
		who := t.ContactName
		if who == "" {
			who = t.ContactEmail
		}
		text := t.Description
		if text == "" {
			text = e.text // the message that opened it (Desk's list omits the description)
		}
		return said(who, text, "opened a ticket")
	case app.SignalNewReply:
		return said(e.who, e.text, "(no text)")
	case app.SignalNewComment, app.SignalMention:
		return said(e.who, e.text, "(no text)")
	case app.SignalOverdue:
		if e.due.IsZero() {
			return w.text("Zoho Desk marks it overdue") + w.statusSuffix(t)
		}
		// The layout is translated too: "1月2日 15:04" in Japanese.
		return w.text("Was due "+e.due.In(loc).Format(w.text("Mon 2 Jan 15:04"))) + w.statusSuffix(t)
	case app.SignalEscalated:
		s := w.text("Escalated in Zoho Desk")
		if t.Priority != "" {
			s += " · " + w.text("Priority "+w.priority(clip(t.Priority, display.Name)))
		}
		return s + w.statusSuffix(t)
	case app.SignalNewRating:
		if txt := clip(plain(e.text), maxBody); txt != "" {
			return "“" + txt + "”"
		}
		return w.text("No feedback given")
	}
	return ""
}

func (w Words) statusSuffix(t app.Ticket) string {
	if t.Status == "" {
		return ""
	}
	return " · " + w.status(clip(t.Status, display.Name))
}

// summaryFor is the one notification a burst becomes: "5 new signals from
// Zoho Desk" with how many of each kind.
func summaryFor(ss []app.Signal) app.Notification { return Words{}.summary(ss) }

func (w Words) summary(ss []app.Signal) app.Notification {
	counts := map[app.SignalKind]int{}
	for _, s := range ss {
		counts[s.Kind]++
	}
	var parts []string
	for _, k := range app.SignalKinds {
		if n := counts[k]; n > 0 {
			parts = append(parts, w.text(countLabel(k, n)))
		}
	}
	return app.Notification{
		Title: w.text(fmt.Sprintf("%d new signals from Zoho Desk", len(ss))),
		Body:  strings.Join(parts, " · "),
	}
}

// countNames are the singular and plural of each kind in a summary.
var countNames = map[app.SignalKind][2]string{
	app.SignalNewTicket:  {"new ticket", "new tickets"},
	app.SignalNewReply:   {"reply", "replies"},
	app.SignalNewComment: {"comment", "comments"},
	app.SignalMention:    {"mention", "mentions"},
	app.SignalOverdue:    {"overdue", "overdue"},
	app.SignalEscalated:  {"escalated", "escalated"},
	app.SignalNewRating:  {"rating", "ratings"},
}

func countLabel(k app.SignalKind, n int) string {
	if n == 1 {
		return "1 " + countNames[k][0]
	}
	return fmt.Sprintf("%d %s", n, countNames[k][1])
}

var (
	tags   = regexp.MustCompile(`(?s)<[^>]*>`)
	spaces = regexp.MustCompile(`\s+`)
)

// maxPlainInput is how much of a message plain reads: a notification
// shows its first words, and a 10 MB body must cost no more than a short one.
const maxPlainInput = 64 << 10

// plain turns a message (plain text or HTML) into one line of text.
func plain(s string) string {
	if len(s) > maxPlainInput {
		s = s[:maxPlainInput] // a rune cut in two becomes U+FFFD, then is clipped away
	}
	if strings.ContainsRune(s, '<') {
		s = tags.ReplaceAllString(s, " ")
	}
	return oneLine(html.UnescapeString(s))
}

func oneLine(s string) string { return strings.TrimSpace(spaces.ReplaceAllString(s, " ")) }

// clip makes s one clean line of at most n characters, ending with "…"
// when cut (app/display: the same rule as every screen).
func clip(s string, n int) string { return display.Line(s, n) }
