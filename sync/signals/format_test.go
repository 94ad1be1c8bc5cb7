package signals

import (
	"strings"
	"testing"
	"time"

	"github.com/tandem-crm/tandem/app"
)

func TestFormat(t *testing.T) {
	st := app.SignalTicket{Ticket: app.Ticket{Number: "1042", Subject: "Printer on fire", Status: "On Hold", Priority: "High",
		ContactName: "Taro Yamada", ContactEmail: "taro@yamada.example"}, RecordKind: app.KindContact, RecordID: 1, RecordName: "山田 太郎"}
	jst := time.FixedZone("JST", 9*3600)
	tests := []struct {
		e           event
		st          app.SignalTicket
		title, body string
	}{
		{event{kind: app.SignalEscalated}, st, "Escalated · #1042 Printer on fire — 山田 太郎", "Escalated in Zoho Desk · Priority High · On Hold"},
		{event{kind: app.SignalOverdue, due: time.Date(2026, 3, 2, 1, 30, 0, 0, time.UTC)}, st, "Overdue · #1042 Printer on fire — 山田 太郎", "Was due Mon 2 Mar 10:30 · On Hold"},
		{event{kind: app.SignalOverdue}, st, "Overdue · #1042 Printer on fire — 山田 太郎", "Zoho Desk marks it overdue · On Hold"},
		{event{kind: app.SignalNewRating, rating: "GOOD"}, st, "Rated Good · #1042 Printer on fire — 山田 太郎", "No feedback given"},
		{event{kind: app.SignalNewReply, who: "Taro", text: "<div>Hello&nbsp;there,<br>\n  it&#39;s   <b>me</b></div>"}, st,
			"Reply · #1042 Printer on fire — 山田 太郎", "Taro: Hello\u00a0there, it's me"},
		{event{kind: app.SignalMention, who: "Sato"}, app.SignalTicket{Ticket: app.Ticket{Subject: "", ContactEmail: "x@y.example"}},
			"Mentioned · (no subject) — x@y.example", "Sato: (no text)"},
		{event{kind: app.SignalNewTicket}, app.SignalTicket{Ticket: app.Ticket{Number: "7", Subject: "Help", ContactName: "Hana"}},
			"New ticket · #7 Help — Hana", "Hana: opened a ticket"},
	}
	for _, tc := range tests {
		if got := formatTitle(tc.e, tc.st); got != tc.title {
			t.Errorf("title %q, want %q", got, tc.title)
		}
		if got := formatBody(tc.e, tc.st, jst); got != tc.body {
			t.Errorf("body %q, want %q", got, tc.body)
		}
	}
}

func TestClip(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"exactly10!", 10, "exactly10!"},
		{"one two three four", 10, "one two t…"},
		{"株式会社山田商事の件について", 8, "株式会社山田商…"},
	} {
		if got := clip(tc.in, tc.n); got != tc.want {
			t.Errorf("clip(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
	long := formatTitle(event{kind: app.SignalNewReply}, app.SignalTicket{Ticket: app.Ticket{Number: "1", Subject: strings.Repeat("ab ", 40)}})
	if len([]rune(long)) > len("Reply · #1 ")+maxSubject {
		t.Errorf("long subject not clipped: %q", long)
	}
}

func TestSummary(t *testing.T) {
	ss := []app.Signal{{Kind: app.SignalNewReply}, {Kind: app.SignalNewReply}, {Kind: app.SignalOverdue}, {Kind: app.SignalNewTicket}, {Kind: app.SignalMention}}
	got := summaryFor(ss)
	want := app.Notification{Title: "5 new signals from Zoho Desk", Body: "1 new ticket · 2 replies · 1 mention · 1 overdue"}
	if got != want {
		t.Errorf("summary %q, want %q", got, want)
	}
}
