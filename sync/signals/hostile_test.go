package signals

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/tandem-crm/tandem/app"
)

// TestFormatHostile: what a notification and the feed show of a hostile
// ticket reads in its true order, on one line, and is bounded, however
// long the subject or the message.
func TestFormatHostile(t *testing.T) {
	st := app.SignalTicket{Ticket: app.Ticket{Number: "1", Subject: "Invoice \u202efdp.exe overdue" + strings.Repeat("!", 100_000),
		ContactName: "Yamada\nTaro\t\u202eX", Status: "On\nHold", Priority: "High\u202e"}}
	huge := strings.Repeat("<div>", 5000) + "Hello\u202e there\n" + strings.Repeat("本文 ", 10<<20/7) // 10 MB
	for _, e := range []event{
		{kind: app.SignalNewTicket, text: huge},
		{kind: app.SignalNewReply, who: "Evil\u202e\nName", text: huge},
		{kind: app.SignalEscalated},
		{kind: app.SignalNewRating, rating: "BAD", text: huge},
	} {
		title, body := formatTitle(e, st), formatBody(e, st, time.UTC)
		for _, s := range []string{title, body} {
			if strings.ContainsAny(s, "\n\t\r\u202e") {
				t.Errorf("%s: %q keeps a control or override", e.kind, s)
			}
			if n := utf8.RuneCountInString(s); n > 600 {
				t.Errorf("%s: %d characters", e.kind, n)
			}
		}
		if !strings.HasPrefix(title[strings.Index(title, "#1"):], "#1 Invoice fdp.exe overdue") || !strings.HasSuffix(title, "— Yamada Taro X") {
			t.Errorf("%s: title %q", e.kind, title)
		}
	}
}

// BenchmarkFormatHostile is the cost of one notification for a 10 MB
// message; BenchmarkFormatFloor for a short one.
func BenchmarkFormatHostile(b *testing.B) {
	st := app.SignalTicket{Ticket: app.Ticket{Number: "1", Subject: strings.Repeat("件名", 50_000)}}
	e := event{kind: app.SignalNewReply, who: "x", text: strings.Repeat("<p>本文です</p>", 10<<20/22)}
	for b.Loop() {
		_, _ = formatTitle(e, st), formatBody(e, st, time.UTC)
	}
}

// BenchmarkFormatFloor: see BenchmarkFormatHostile.
func BenchmarkFormatFloor(b *testing.B) {
	st := app.SignalTicket{Ticket: app.Ticket{Number: "1", Subject: "請求書の金額が違います"}}
	e := event{kind: app.SignalNewReply, who: "x", text: "<p>本文です</p>"}
	for b.Loop() {
		_, _ = formatTitle(e, st), formatBody(e, st, time.UTC)
	}
}
