package views

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/sync/signals"
)

// settleRunner runs what background work posted until none is left.
func settleRunner(t *testing.T, q *uiQueue, rs ...*runner) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		idle := true
		for _, r := range rs {
			idle = idle && r.idle()
		}
		fs := q.take()
		for _, f := range fs {
			f()
		}
		if idle && len(fs) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("background work did not finish within 10s")
		}
		if len(fs) == 0 {
			time.Sleep(time.Millisecond)
		}
	}
}

// newSignalService is the real Detector (as app.SignalService) on a real store.
func newSignalService(t *testing.T) (*signals.Detector, interface {
	InsertSignals(context.Context, []app.Signal) ([]app.Signal, error)
},
) {
	t.Helper()
	db := newTestDB(t)
	det, err := signals.New(signals.Options{Store: db})
	if err != nil {
		t.Fatal(err)
	}
	return det, db
}

func TestSignalsFeed(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	test.NewTempApp(t)
	svc, db := newSignalService(t)
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	if _, err := db.InsertSignals(ctx, []app.Signal{
		{OrgID: "o1", Key: "reply:1", Kind: app.SignalNewReply, TicketID: "t1", TicketNumber: "1042", Title: "Reply · #1042 Printer on fire — 山田 太郎",
			Body: "Taro: still burning", RecordKind: app.KindContact, RecordID: 7, CreatedAt: t0},
		{OrgID: "o1", Key: "escalated:t1:1", Kind: app.SignalEscalated, TicketID: "t1", TicketNumber: "1042", Title: "Escalated · #1042 Printer on fire — 山田 太郎",
			Body: "Escalated in Zoho Desk", RecordKind: app.KindContact, RecordID: 7, CreatedAt: t0.Add(time.Minute)},
		{OrgID: "o1", Key: "overdue:t2:0", Kind: app.SignalOverdue, TicketID: "t2", Hidden: true, Read: true, Notified: true, CreatedAt: t0},
	}); err != nil {
		t.Fatal(err)
	}

	q := &uiQueue{}
	w := test.NewWindow(nil)
	defer w.Close()
	type opened struct {
		kind   string
		id     int64
		ticket string
	}
	var got []opened
	f := newSignalsFeed(ctx, w, svc, func(kind string, id int64, ticket string) { got = append(got, opened{kind, id, ticket}) }, q.post)
	var badge []int
	br := watchUnread(ctx, svc, func(n int) { badge = append(badge, n) }, q.post)
	w.SetContent(f.content)
	w.Resize(fyne.NewSize(700, 400))
	settleRunner(t, q, f.run, br)

	if len(f.items) != 2 || f.items[0].Kind != app.SignalEscalated {
		t.Fatalf("feed = %+v", f.items)
	}
	if f.count.Text != "2 unread" || f.markAll.Disabled() || f.empty.Visible() {
		t.Errorf("count %q, mark all disabled %v, empty shown %v", f.count.Text, f.markAll.Disabled(), f.empty.Visible())
	}
	if len(badge) != 1 || badge[0] != 2 {
		t.Errorf("badge = %v", badge)
	}

	f.list.Select(1) // the reply
	settleRunner(t, q, f.run, br)
	if len(got) != 1 || got[0] != (opened{app.KindContact, 7, "t1"}) {
		t.Errorf("opened %+v", got)
	}
	if f.count.Text != "1 unread" || !f.items[1].Read || f.items[0].Read {
		t.Errorf("after select: %q, %+v", f.count.Text, f.items)
	}

	test.Tap(f.markAll)
	settleRunner(t, q, f.run, br)
	if f.count.Text != "0 unread" || !f.markAll.Disabled() {
		t.Errorf("after mark all: %q, disabled %v", f.count.Text, f.markAll.Disabled())
	}
	if want := []int{2, 1, 0}; len(badge) != 3 || badge[1] != 1 || badge[2] != 0 {
		t.Errorf("badge = %v, want %v", badge, want)
	}
	if n, _ := svc.UnreadCount(ctx); n != 0 {
		t.Errorf("store unread = %d", n)
	}
}

func TestSignalsFeedEmpty(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	test.NewTempApp(t)
	svc, _ := newSignalService(t)
	q := &uiQueue{}
	w := test.NewWindow(nil)
	defer w.Close()
	f := newSignalsFeed(ctx, w, svc, nil, q.post)
	w.SetContent(f.content)
	settleRunner(t, q, f.run)
	if !f.empty.Visible() || !f.markAll.Disabled() {
		t.Errorf("empty feed: label shown %v, mark all disabled %v", f.empty.Visible(), f.markAll.Disabled())
	}
}

func TestSignalsSettings(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	test.NewTempApp(t)
	svc, _ := newSignalService(t)
	q := &uiQueue{}
	w := test.NewWindow(nil)
	defer w.Close()
	s := newSignalsSettings(ctx, w, svc, q.post)
	w.SetContent(s.content)
	settleRunner(t, q, s.run)
	for k, c := range s.kinds {
		if !c.Checked || c.Disabled() {
			t.Errorf("%s: checked %v disabled %v", k, c.Checked, c.Disabled())
		}
	}
	test.Tap(s.kinds[app.SignalNewReply])
	settleRunner(t, q, s.run)
	test.Tap(s.dnd)
	settleRunner(t, q, s.run)
	p, err := svc.Prefs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if p.On(app.SignalNewReply) || !p.On(app.SignalMention) || !p.DoNotDisturb || p.AllTickets {
		t.Errorf("saved prefs = %+v", p)
	}
	if s.status.Text != "Saved. Changes take effect at the next sync." {
		t.Errorf("status %q", s.status.Text)
	}

	// Opened again, the screen shows what was saved.
	s2 := newSignalsSettings(ctx, w, svc, q.post)
	settleRunner(t, q, s2.run)
	if s2.kinds[app.SignalNewReply].Checked || !s2.dnd.Checked || s2.all.Checked {
		t.Errorf("reloaded: reply %v dnd %v all %v", s2.kinds[app.SignalNewReply].Checked, s2.dnd.Checked, s2.all.Checked)
	}
}

// TestSignalTranslations checks that Fyne loads signals.ja.json beside
// ja.json ("[prefix.]lang.json"); TestTranslationCoverage checks the keys.
func TestSignalTranslations(t *testing.T) {
	// Fyne loads signals.ja.json next to ja.json ("[prefix.]lang.json").
	useLanguage("ja_JP.UTF-8")
	defer useLanguage("en")
	if got := lang.L("Mark all read"); got != "すべて既読にする" {
		t.Errorf("Japanese: %q", got)
	}
	if got := lang.N("{{.Count}} unread", 3, map[string]any{"Count": 3}); got != "未読 3 件" {
		t.Errorf("Japanese plural: %q", got)
	}
}

// gatedSignals is the real signal service whose first unread count (the
// end of a feed read) is taken at once but answered only when released.
type gatedSignals struct {
	app.SignalService
	calls     atomic.Int32
	firstRead chan struct{}
	release   chan struct{}
}

func (g *gatedSignals) UnreadCount(ctx context.Context) (int, error) {
	n, err := g.SignalService.UnreadCount(ctx)
	if g.calls.Add(1) == 1 {
		close(g.firstRead)
		<-g.release
	}
	return n, err
}

// TestSignalsFeedKeepsLatest: a feed read that answers after a newer one
// (reads run in parallel) must not bring back signals already marked read.
func TestSignalsFeedKeepsLatest(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	test.NewTempApp(t)
	svc, db := newSignalService(t)
	if _, err := db.InsertSignals(ctx, []app.Signal{{OrgID: "o1", Key: "reply:9", Kind: app.SignalNewReply, TicketID: "t9",
		Title: "Reply · #9", RecordKind: app.KindContact, RecordID: 1, CreatedAt: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}}); err != nil {
		t.Fatal(err)
	}
	g := &gatedSignals{SignalService: svc, firstRead: make(chan struct{}), release: make(chan struct{})}
	q := &uiQueue{}
	w := test.NewWindow(nil)
	defer w.Close()
	f := newSignalsFeed(ctx, w, g, nil, q.post)
	<-g.firstRead // it has read "1 unread" and waits
	if err := svc.MarkAllRead(ctx); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for f.count.Text != "0 unread" { // the newer read, from the service's event
		for _, fn := range q.take() {
			fn()
		}
		if time.Now().After(deadline) {
			t.Fatalf("the newer read never reached the feed: %q", f.count.Text)
		}
		time.Sleep(time.Millisecond)
	}
	close(g.release) // the older read answers last
	settleRunner(t, q, f.run)
	if f.count.Text != "0 unread" || !f.markAll.Disabled() || len(f.items) != 1 || !f.items[0].Read {
		t.Errorf("the older read came back: count %q, mark all disabled %v, items %+v", f.count.Text, f.markAll.Disabled(), f.items)
	}
}
