package views

import (
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/app/store"
	"github.com/tandem-crm/tandem/sync/deskemu"
	"github.com/tandem-crm/tandem/sync/signals"
)

// These tests turn what a new user saw in the Japanese interface into
// checks: English where it matters most, and translation failures in the
// log.

// visibleTexts lists the text of every visible label, button, check and
// rich text.
func visibleTexts(objs []fyne.CanvasObject) []string {
	var out []string
	for _, o := range objs {
		if !o.Visible() {
			continue
		}
		switch o := o.(type) {
		case *widget.Label:
			out = append(out, unbreakable(o.Text))
		case *widget.Button:
			out = append(out, unbreakable(o.Text))
		case *widget.Check:
			out = append(out, unbreakable(o.Text))
		case *widget.RichText:
			out = append(out, unbreakable(o.String()))
		}
	}
	return out
}

var latinWords = regexp.MustCompile(`[A-Za-z]+(?:'[a-z]+)?`)

// englishSentences returns the texts that read as English: three words or
// more and no Japanese. Data (names, addresses, what Desk itself holds)
// may be English; allow lists such texts.
func englishSentences(texts []string, allow ...string) []string {
	var out []string
next:
	for _, s := range texts {
		for _, a := range allow {
			if strings.Contains(s, a) {
				continue next
			}
		}
		if strings.ContainsFunc(s, func(r rune) bool { return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana) }) {
			continue
		}
		if len(latinWords.FindAllString(s, -1)) >= 3 {
			out = append(out, s)
		}
	}
	return out
}

// TestJapaneseReadOnlyAgent is the limited agent of the report in
// Japanese: the reason everything is disabled on Settings, the Tickets tab
// and the ticket, and the reason each push failed, all in Japanese, and no
// translation failure logged on the way.
func TestJapaneseReadOnlyAgent(t *testing.T) {
	useLanguage("ja_JP.UTF-8")
	t.Cleanup(func() { useLanguage("en") })
	logged := captureLog(func() {
		e := newDeskEnv(t, deskEnvOptions{emu: deskemu.Options{Seed: 15, Contacts: 6, Accounts: 2, Tickets: 12}, mode: app.SyncTwoWay, user: 2, noFirst: true})
		for _, c := range []app.Contact{{LastName: "山田", FirstName: "太郎", Email: "taro@example.jp"}, {LastName: "佐藤", FirstName: "花子", Email: "hanako@example.jp"}} {
			if err := e.db.CreateContact(e.ctx, &c); err != nil {
				t.Fatal(err)
			}
		}
		e.syncOnce()
		e.syncOnce()

		s := newDeskSettings(e.d)
		e.show(s.body)
		e.waitFor("the problems", func() bool { return s.problems != nil && len(s.problems.failed)+len(s.problems.errs) > 0 })
		if !e.hasText("閲覧のみ：Zoho Desk のプロファイルでは、チケットの作成やメールでの返信が許可されていません。") {
			t.Error("Settings does not give the read-only reason in Japanese")
		}
		if !e.hasText("のプロファイルでは、この操作は許可されていません。") {
			t.Error("a failed push's reason is not in Japanese")
		}
		if en := englishSentences(visibleTexts(e.objects()), "Acme Support", "@", "https://"); len(en) > 0 {
			t.Errorf("English on Settings › Zoho Desk: %q", en)
		}
		e.shot("ja-readonly-settings.png")

		c := e.contactWithTickets(1)
		tab := e.tab(app.KindContact, c.ID)
		if !strings.Contains(unbreakable(tab.why.Text), "チケットを作成できません：Zoho Desk のプロファイルでは") {
			t.Errorf("Tickets tab: %q", tab.why.Text)
		}
		p := e.openPane(tab)
		if !strings.Contains(unbreakable(p.notice.Text), "閲覧のみ：Zoho Desk のプロファイルでは") {
			t.Errorf("ticket pane: %q", p.notice.Text)
		}
		e.shot("ja-readonly-ticket.png")
	})
	if strings.Contains(logged, "Translation failure") {
		t.Errorf("translation failures logged:\n%s", failures(logged))
	}
}

// failures keeps the log lines about translation failures and their cause.
func failures(log string) string {
	var out []string
	lines := strings.Split(log, "\n")
	for i, l := range lines {
		if strings.Contains(l, "Translation failure") && i+1 < len(lines) {
			out = append(out, lines[i+1])
		}
	}
	return strings.Join(out, "\n")
}

// TestJapaneseDeskValues shows Desk's default status and channel names in
// Japanese, in the list and in the ticket, and a portal's own status as
// Desk sends it.
func TestJapaneseDeskValues(t *testing.T) {
	useLanguage("ja_JP.UTF-8")
	t.Cleanup(func() { useLanguage("en") })
	e := newDeskEnv(t, deskEnvOptions{emu: deskemu.Options{Seed: 11, Contacts: 6, Accounts: 2, Tickets: 12}, mode: app.SyncTwoWay})
	c := e.contactWithTickets(1)
	tl, err := e.svc.TicketsForRecord(e.ctx, app.KindContact, c.ID, app.TicketFilter{})
	if err != nil {
		t.Fatal(err)
	}
	id := tl.Tickets[0].ID
	if err := e.emu.EditTicket(e.org, id, map[string]any{"status": "In Progress", "channel": "Phone", "priority": "High"}); err != nil {
		t.Fatal(err)
	}
	e.syncOnce()
	tab := e.tab(app.KindContact, c.ID)
	if !e.hasText("対応中") || !e.hasText("優先度：高") {
		t.Errorf("the ticket list does not say 対応中 and 優先度：高")
	}
	for i, r := range tab.rows {
		if r.ticket != nil && r.ticket.ID == id {
			tab.list.Select(i)
		}
	}
	e.settle()
	if tab.pane == nil || !strings.Contains(unbreakable(tab.pane.channel.Text), "電話") {
		t.Fatalf("the ticket does not say its channel in Japanese")
	}
	if got := tab.pane.status.Selected; got != "対応中" {
		t.Errorf("status drop-down shows %q", got)
	}
	if got := statusName("Awaiting customer"); got != "Awaiting customer" {
		t.Errorf("a portal's own status became %q", got)
	}
}

// recordingNotifier keeps the notifications a detector shows.
type recordingNotifier struct {
	mu sync.Mutex
	ns []app.Notification
}

func (r *recordingNotifier) Notify(_ context.Context, n app.Notification) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ns = append(r.ns, n)
	return nil
}

// TestJapaneseSignals: a reply's notification title and its line in the
// feed say 返信, not "Reply".
func TestJapaneseSignals(t *testing.T) {
	useLanguage("ja_JP.UTF-8")
	t.Cleanup(func() { useLanguage("en") })
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "tandem.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	n := &recordingNotifier{}
	det, err := signals.New(signals.Options{Store: db, Notifier: n,
		Words: signals.Words{Text: Translate, Status: StatusName, Priority: PriorityLabel}})
	if err != nil {
		t.Fatal(err)
	}
	if err := det.SetPrefs(ctx, app.SignalPrefs{AllTickets: true}); err != nil { // the ticket has no CRM record
		t.Fatal(err)
	}
	at := time.Now().Add(-time.Hour)
	tk := app.Ticket{OrgID: "1", ID: "t1", Number: "101", Subject: "請求書について", Status: "In Progress", ContactName: "山田 太郎", CreatedTime: at}
	if err := db.SavePortal(ctx, &app.Portal{OrgID: "1", Name: "Acme", Mode: app.SyncNone, Active: true}); err != nil {
		t.Fatal(err)
	}
	if err := db.UpsertTickets(ctx, []app.Ticket{tk}); err != nil {
		t.Fatal(err)
	}
	if err := det.Detect(ctx, app.Changes{OrgID: "1", First: true, NewTickets: []app.Ticket{tk}}); err != nil {
		t.Fatal(err)
	}
	if err := det.Detect(ctx, app.Changes{OrgID: "1", NewThreads: []app.Thread{{OrgID: "1", TicketID: "t1", ID: "th1",
		AuthorName: "山田 太郎", Summary: "ありがとうございます", CreatedTime: time.Now().Add(time.Minute)}},
		Changed: []app.TicketChange{{After: tk, BecameEscalated: true}}}); err != nil {
		t.Fatal(err)
	}
	if len(n.ns) == 0 {
		t.Fatal("nothing was notified")
	}
	for _, x := range n.ns {
		if strings.Contains(x.Title, "Reply") || strings.Contains(x.Title, "Escalated") || strings.Contains(x.Body, "In Progress") {
			t.Errorf("notification in English: %q / %q", x.Title, x.Body)
		}
	}
	if !strings.HasPrefix(n.ns[0].Title, "返信 · #101") && !strings.HasPrefix(n.ns[0].Title, "エスカレーション") {
		t.Errorf("title = %q", n.ns[0].Title)
	}
	m := newTestWindow(t, newFake().crm(), Params{Signals: det})
	m.nav.Select(3)
	settle(m)
	found := false
	for _, s := range visibleTexts(objects(m)) {
		found = found || strings.HasPrefix(s, "返信 · #101")
	}
	if !found {
		t.Errorf("the feed has no 返信 line: %q", visibleTexts(objects(m)))
	}
}
