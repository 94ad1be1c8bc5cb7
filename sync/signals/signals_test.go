package signals_test

import (
	"context"
	"path/filepath"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/app/store"
	"github.com/tandem-crm/tandem/sync/signals"
)

// clock is a settable local clock.
type clock struct {
	mu gosync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// recorder is an app.Notifier that keeps what it is asked to show.
type recorder struct {
	mu  gosync.Mutex
	got []app.Notification
}

func (r *recorder) Notify(_ context.Context, n app.Notification) error {
	r.mu.Lock()
	r.got = append(r.got, n)
	r.mu.Unlock()
	return nil
}

// take returns and forgets what was shown.
func (r *recorder) take() []app.Notification {
	r.mu.Lock()
	defer r.mu.Unlock()
	g := r.got
	r.got = nil
	return g
}

const (
	org   = "org1"
	me    = "agent-me"
	other = "agent-other"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// fixture is a real store with an active portal, a CRM contact 山田 太郎
// whose Desk tickets are #1042 and #1043 (by email), and ticket #2000 of
// someone who is not in the CRM.
type fixture struct {
	t     *testing.T
	path  string
	db    *store.DB
	clock *clock
	notes *recorder
	det   *signals.Detector
	taro  app.Contact
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{t: t, path: filepath.Join(t.TempDir(), "tandem.db"), clock: &clock{t: t0}, notes: &recorder{}}
	f.open()
	if err := f.db.SavePortal(ctx, &app.Portal{OrgID: org, Name: "Yamada Support", Mode: app.SyncTwoWay, Active: true, AgentID: me}); err != nil {
		t.Fatal(err)
	}
	f.taro = app.Contact{FirstName: "太郎", LastName: "山田", Email: "taro@yamada.example"}
	if err := f.db.CreateContact(ctx, &f.taro); err != nil {
		t.Fatal(err)
	}
	f.upsert(
		app.Ticket{OrgID: org, ID: "t1", Number: "1042", Subject: "Printer on fire", Status: "Open", StatusType: "Open", Priority: "High",
			ContactID: "dc1", ContactName: "Taro Yamada", ContactEmail: "taro@yamada.example",
			DueDate: t0.Add(2 * time.Hour), CreatedTime: t0.Add(-48 * time.Hour), ModifiedTime: t0.Add(-time.Hour), ThreadCount: 1},
		app.Ticket{OrgID: org, ID: "t2", Number: "1043", Subject: "Toner low", Status: "Open", StatusType: "Open",
			ContactID: "dc1", ContactEmail: "taro@yamada.example", DueDate: t0.Add(-time.Hour), IsOverdue: true,
			CreatedTime: t0.Add(-72 * time.Hour), ModifiedTime: t0.Add(-2 * time.Hour)},
		app.Ticket{OrgID: org, ID: "t9", Number: "2000", Subject: "Stranger", Status: "Open", StatusType: "Open",
			ContactID: "dc9", ContactName: "Nobody Known", ContactEmail: "nobody@example.com",
			CreatedTime: t0.Add(-72 * time.Hour), ModifiedTime: t0.Add(-2 * time.Hour)},
	)
	return f
}

// open (re)opens the store and builds a new Detector on it, as a restart would.
func (f *fixture) open() {
	f.t.Helper()
	if f.db != nil {
		f.db.Close()
	}
	db, err := store.Open(context.Background(), f.path)
	if err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(func() { db.Close() })
	f.db = db
	f.det, err = signals.New(signals.Options{Store: db, Notifier: f.notes, Now: f.clock.Now, Location: time.UTC})
	if err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) upsert(ts ...app.Ticket) {
	f.t.Helper()
	if err := f.db.UpsertTickets(context.Background(), ts); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) detect(c app.Changes) {
	f.t.Helper()
	c.OrgID, c.AgentID = org, me
	if err := f.det.Detect(context.Background(), c); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) baseline() {
	f.t.Helper()
	f.detect(app.Changes{First: true})
	if n := f.notes.take(); len(n) != 0 {
		f.t.Fatalf("baseline notified %+v", n)
	}
}

func (f *fixture) ticket(id string) app.Ticket {
	f.t.Helper()
	td, err := f.db.FindTicket(context.Background(), org, id)
	if err != nil {
		f.t.Fatal(err)
	}
	return td.Ticket
}

func (f *fixture) feed() []app.Signal {
	f.t.Helper()
	ss, err := f.det.ListSignals(context.Background(), app.SignalFilter{})
	if err != nil {
		f.t.Fatal(err)
	}
	return ss
}

func (f *fixture) setPrefs(fn func(p *app.SignalPrefs)) {
	f.t.Helper()
	ctx := context.Background()
	p, err := f.det.Prefs(ctx)
	if err != nil {
		f.t.Fatal(err)
	}
	fn(&p)
	if err := f.det.SetPrefs(ctx, p); err != nil {
		f.t.Fatal(err)
	}
}

func wantNotes(t *testing.T, got []app.Notification, want ...app.Notification) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("notifications:\n got %q\nwant %q", got, want)
	}
	for i := range want {
		if got[i].Title != want[i].Title || got[i].Body != want[i].Body {
			t.Errorf("notification %d:\n got %q\nwant %q", i, got[i], want[i])
		}
	}
}

func TestFirstSyncIsABaseline(t *testing.T) {
	f := newFixture(t)
	f.baseline()
	// #1043 was overdue before the baseline: never signalled, not even by
	// the local clock later.
	f.clock.Advance(time.Minute)
	if err := f.det.CheckOverdue(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.detect(app.Changes{})
	wantNotes(t, f.notes.take())
	if feed := f.feed(); len(feed) != 0 {
		t.Fatalf("feed after baseline = %+v", feed)
	}
	// A thread written before the baseline that arrives later (its ticket's
	// conversation is fetched for the first time) is the past too.
	f.detect(app.Changes{NewThreads: []app.Thread{{OrgID: org, TicketID: "t1", ID: "th-old", AuthorName: "Taro", Summary: "old", CreatedTime: t0.Add(-3 * time.Hour)}}})
	wantNotes(t, f.notes.take())
}

func TestPortalSyncedBeforeSignalsGetsABaseline(t *testing.T) {
	f := newFixture(t)
	// No First pass was ever seen: the first Detect records the baseline.
	f.detect(app.Changes{NewThreads: []app.Thread{{OrgID: org, TicketID: "t1", ID: "th1", AuthorName: "Taro", Summary: "hi", CreatedTime: t0.Add(-time.Minute)}}})
	wantNotes(t, f.notes.take())
}

func TestEachKind(t *testing.T) {
	f := newFixture(t)
	f.baseline()
	t1 := f.ticket("t1")
	after := t1
	after.ModifiedTime = t0.Add(time.Minute)
	after.IsEscalated = true
	stamp := app.TicketStamp{Modified: t1.ModifiedTime, DetailSynced: t1.ModifiedTime}

	tests := []struct {
		name string
		ch   app.Changes
		want app.Notification
	}{
		{"reply", app.Changes{NewThreads: []app.Thread{{OrgID: org, TicketID: "t1", ID: "th2", Direction: "in", AuthorName: "Taro Yamada", AuthorType: "END_USER",
			Summary: "It is <b>still</b> burning.\n\nPlease help", CreatedTime: t0.Add(time.Minute)}}},
			app.Notification{Title: "Reply · #1042 Printer on fire — 山田 太郎", Body: "Taro Yamada: It is still burning. Please help"}},
		{"comment", app.Changes{NewComments: []app.Comment{{OrgID: org, TicketID: "t1", ID: "c1", CommenterID: other, CommenterName: "Sato Hana",
			Text: "Called the customer.", CommentedTime: t0.Add(2 * time.Minute)}}},
			app.Notification{Title: "Comment · #1042 Printer on fire — 山田 太郎", Body: "Sato Hana: Called the customer."}},
		{"mention", app.Changes{NewComments: []app.Comment{{OrgID: org, TicketID: "t1", ID: "c2", CommenterID: other, CommenterName: "Sato Hana",
			Text: "@Me can you look?", Mentions: []string{me}, CommentedTime: t0.Add(3 * time.Minute)}}},
			app.Notification{Title: "Mentioned · #1042 Printer on fire — 山田 太郎", Body: "Sato Hana: @Me can you look?"}},
		{"escalated", app.Changes{Changed: []app.TicketChange{{Before: stamp, After: after, BecameEscalated: true}}},
			app.Notification{Title: "Escalated · #1042 Printer on fire — 山田 太郎", Body: "Escalated in Zoho Desk · Priority High · Open"}},
		{"rating", app.Changes{NewRatings: []app.Rating{{OrgID: org, ID: "r1", TicketID: "t1", Rating: "BAD", Feedback: "Still on fire.", CreatedTime: t0.Add(4 * time.Minute)}}},
			app.Notification{Title: "Rated Bad · #1042 Printer on fire — 山田 太郎", Body: "“Still on fire.”"}},
		{"new ticket", app.Changes{NewTickets: []app.Ticket{{OrgID: org, ID: "t3", Number: "1044", Subject: "Paper jam", Status: "Open", StatusType: "Open",
			ContactID: "dc1", ContactName: "Taro Yamada", ContactEmail: "taro@yamada.example", CreatedTime: t0.Add(5 * time.Minute), ModifiedTime: t0.Add(5 * time.Minute)}},
			// The message that opened it is covered by the new-ticket signal.
			NewThreads: []app.Thread{{OrgID: org, TicketID: "t3", ID: "th3", AuthorName: "Taro Yamada", Summary: "The paper is stuck.", CreatedTime: t0.Add(5 * time.Minute)}}},
			app.Notification{Title: "New ticket · #1044 Paper jam — 山田 太郎", Body: "Taro Yamada: The paper is stuck."}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, tk := range tc.ch.NewTickets {
				f.upsert(tk)
			}
			for _, c := range tc.ch.Changed {
				f.upsert(c.After)
			}
			f.detect(tc.ch)
			wantNotes(t, f.notes.take(), tc.want)
			// Found again (a repeated pass): nothing.
			f.detect(tc.ch)
			wantNotes(t, f.notes.take())
		})
	}

	t.Run("overdue by the local clock", func(t *testing.T) {
		f.clock.Advance(2*time.Hour + time.Second) // #1042 was due at t0+2h
		if err := f.det.CheckOverdue(context.Background()); err != nil {
			t.Fatal(err)
		}
		wantNotes(t, f.notes.take(), app.Notification{Title: "Overdue · #1042 Printer on fire — 山田 太郎", Body: "Was due Mon 2 Mar 11:00 · Open"})
		// Desk says the same a pass later: the same key, nothing new.
		t1 := f.ticket("t1")
		t1.IsOverdue = true
		f.upsert(t1)
		f.detect(app.Changes{Changed: []app.TicketChange{{Before: stamp, After: t1, BecameOverdue: true}}})
		wantNotes(t, f.notes.take())
	})

	t.Run("own writes", func(t *testing.T) {
		f.detect(app.Changes{
			NewThreads:  []app.Thread{{OrgID: org, TicketID: "t1", ID: "th-mine", AuthorID: me, AuthorName: "Me", Summary: "On it", CreatedTime: t0.Add(6 * time.Minute)}},
			NewComments: []app.Comment{{OrgID: org, TicketID: "t1", ID: "c-mine", CommenterID: me, Text: "note to self", Mentions: []string{me}, CommentedTime: t0.Add(6 * time.Minute)}},
		})
		wantNotes(t, f.notes.take())
	})

	t.Run("feed", func(t *testing.T) {
		feed := f.feed()
		if len(feed) != 7 {
			t.Fatalf("feed has %d signals: %+v", len(feed), feed)
		}
		if feed[0].Kind != app.SignalOverdue || feed[len(feed)-1].Kind != app.SignalNewReply {
			t.Errorf("feed order: first %s, last %s", feed[0].Kind, feed[len(feed)-1].Kind)
		}
		for _, s := range feed {
			if s.RecordKind != app.KindContact || s.RecordID != f.taro.ID || !s.Notified || s.Read || s.TicketID == "" {
				t.Errorf("signal %+v", s)
			}
		}
	})
}

func TestRestartRepeatsNothing(t *testing.T) {
	f := newFixture(t)
	f.baseline()
	ch := app.Changes{NewThreads: []app.Thread{{OrgID: org, TicketID: "t1", ID: "th2", AuthorName: "Taro", Summary: "Hello", CreatedTime: t0.Add(time.Minute)}}}
	f.detect(ch)
	if n := f.notes.take(); len(n) != 1 {
		t.Fatalf("first: %+v", n)
	}
	f.clock.Advance(3 * time.Hour)
	if err := f.det.CheckOverdue(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := f.notes.take(); len(n) != 1 {
		t.Fatalf("overdue: %+v", n)
	}
	f.open() // restart: a new Detector on the same file
	f.detect(ch)
	if err := f.det.CheckOverdue(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.detect(app.Changes{First: true}) // even a repeated first pass
	wantNotes(t, f.notes.take())
	if feed := f.feed(); len(feed) != 2 {
		t.Fatalf("feed after restart = %+v", feed)
	}
}

func TestSwitchedOffKindStaysSilent(t *testing.T) {
	f := newFixture(t)
	f.baseline()
	f.setPrefs(func(p *app.SignalPrefs) { p.Enabled[app.SignalNewReply] = false; p.Enabled[app.SignalMention] = false })
	ch := app.Changes{
		NewThreads:  []app.Thread{{OrgID: org, TicketID: "t1", ID: "th2", AuthorName: "Taro", Summary: "Hello", CreatedTime: t0.Add(time.Minute)}},
		NewComments: []app.Comment{{OrgID: org, TicketID: "t1", ID: "c1", CommenterID: other, CommenterName: "Sato", Text: "@me look", Mentions: []string{me}, CommentedTime: t0.Add(time.Minute)}},
	}
	f.detect(ch)
	// Mentions off, comments on: the mention still comes, as a comment.
	wantNotes(t, f.notes.take(), app.Notification{Title: "Comment · #1042 Printer on fire — 山田 太郎", Body: "Sato: @me look"})
	if feed := f.feed(); len(feed) != 1 {
		t.Fatalf("feed = %+v", feed)
	}
	// Switching replies back on does not replay the silenced one.
	f.setPrefs(func(p *app.SignalPrefs) { p.Enabled[app.SignalNewReply] = true })
	f.detect(ch)
	wantNotes(t, f.notes.take())
}

func TestDoNotDisturbFillsTheFeed(t *testing.T) {
	f := newFixture(t)
	f.baseline()
	f.setPrefs(func(p *app.SignalPrefs) { p.DoNotDisturb = true })
	var events []app.SignalEvent
	var mu gosync.Mutex
	unsub := f.det.Subscribe(func(e app.SignalEvent) { mu.Lock(); events = append(events, e); mu.Unlock() })
	defer unsub()
	f.detect(app.Changes{NewThreads: []app.Thread{{OrgID: org, TicketID: "t1", ID: "th2", AuthorName: "Taro", Summary: "Hello", CreatedTime: t0.Add(time.Minute)}}})
	wantNotes(t, f.notes.take())
	feed := f.feed()
	if len(feed) != 1 || feed[0].Notified || feed[0].Read {
		t.Fatalf("feed = %+v", feed)
	}
	ctx := context.Background()
	if n, _ := f.det.UnreadCount(ctx); n != 1 {
		t.Errorf("unread = %d", n)
	}
	if err := f.det.MarkRead(ctx, feed[0].ID); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(events) != 2 || events[0] != (app.SignalEvent{New: 1, Unread: 1}) || events[1] != (app.SignalEvent{Unread: 0}) {
		t.Errorf("events = %+v", events)
	}
}

func TestBurstBecomesOneSummary(t *testing.T) {
	f := newFixture(t)
	f.baseline()
	var ch app.Changes
	for i, id := range []string{"a", "b", "c"} {
		ch.NewThreads = append(ch.NewThreads, app.Thread{OrgID: org, TicketID: "t1", ID: id, AuthorName: "Taro", Summary: "msg", CreatedTime: t0.Add(time.Duration(i+1) * time.Minute)})
	}
	ch.NewComments = []app.Comment{{OrgID: org, TicketID: "t1", ID: "c1", CommenterID: other, Text: "@me", Mentions: []string{me}, CommentedTime: t0.Add(time.Minute)}}
	ch.NewRatings = []app.Rating{{OrgID: org, ID: "r1", TicketID: "t2", Rating: "GOOD", CreatedTime: t0.Add(time.Minute)}}
	f.detect(ch)
	wantNotes(t, f.notes.take(), app.Notification{Title: "5 new signals from Zoho Desk", Body: "3 replies · 1 mention · 1 rating"})
	feed := f.feed()
	if len(feed) != 5 {
		t.Fatalf("feed = %d", len(feed))
	}
	for _, s := range feed {
		if !s.Notified {
			t.Errorf("%s not marked notified", s.Key)
		}
	}
}

func TestOnlyCRMTicketsUnlessWidened(t *testing.T) {
	f := newFixture(t)
	f.baseline()
	ch := app.Changes{NewThreads: []app.Thread{{OrgID: org, TicketID: "t9", ID: "th9", AuthorName: "Nobody", Summary: "Hi", CreatedTime: t0.Add(time.Minute)}}}
	f.detect(ch)
	wantNotes(t, f.notes.take())
	f.setPrefs(func(p *app.SignalPrefs) { p.AllTickets = true })
	f.detect(ch)
	wantNotes(t, f.notes.take(), app.Notification{Title: "Reply · #2000 Stranger — Nobody Known", Body: "Nobody: Hi"})
	if feed := f.feed(); len(feed) != 1 || feed[0].RecordKind != "" || feed[0].RecordID != 0 {
		t.Fatalf("feed = %+v", feed)
	}
}

func TestFirstMessagesOfAnUnfetchedTicketAreThePast(t *testing.T) {
	f := newFixture(t)
	f.baseline()
	// #1042's conversation was never fetched (the cache knew it as of
	// t0+5m); now it changed and the whole conversation arrives as "new".
	t1 := f.ticket("t1")
	after := t1
	after.ModifiedTime = t0.Add(10 * time.Minute)
	f.upsert(after)
	f.detect(app.Changes{
		Changed: []app.TicketChange{{Before: app.TicketStamp{Modified: t0.Add(5 * time.Minute)}, After: after}},
		NewThreads: []app.Thread{
			{OrgID: org, TicketID: "t1", ID: "old", AuthorName: "Taro", Summary: "old", CreatedTime: t0},
			{OrgID: org, TicketID: "t1", ID: "new", AuthorName: "Taro", Summary: "new", CreatedTime: t0.Add(10 * time.Minute)},
		},
	})
	wantNotes(t, f.notes.take(), app.Notification{Title: "Reply · #1042 Printer on fire — 山田 太郎", Body: "Taro: new"})
}

// TestRunChecksOverdueOffline starts the local overdue loop, with no sync
// pass at all (offline), and stops it.
func TestRunChecksOverdueOffline(t *testing.T) {
	f := newFixture(t)
	f.baseline()
	det, err := signals.New(signals.Options{Store: f.db, Notifier: f.notes, Now: f.clock.Now, Location: time.UTC, OverdueEvery: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- det.Run(ctx) }()
	f.clock.Advance(3 * time.Hour)
	deadline := time.Now().Add(5 * time.Second)
	var got []app.Notification
	for len(got) == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
		got = append(got, f.notes.take()...)
	}
	time.Sleep(30 * time.Millisecond) // more ticks: still once
	got = append(got, f.notes.take()...)
	cancel()
	if err := <-done; err != context.Canceled {
		t.Errorf("Run returned %v", err)
	}
	wantNotes(t, got, app.Notification{Title: "Overdue · #1042 Printer on fire — 山田 太郎", Body: "Was due Mon 2 Mar 11:00 · Open"})
}

// TestDoNotDisturbForAWhile: "for 1 hour" holds notifications back until
// then (the feed still fills), and they pop up again afterwards.
func TestDoNotDisturbForAWhile(t *testing.T) {
	f := newFixture(t)
	f.baseline()
	f.setPrefs(func(p *app.SignalPrefs) { p.DoNotDisturbUntil = f.clock.Now().Add(time.Hour) })
	f.detect(app.Changes{NewThreads: []app.Thread{{OrgID: org, TicketID: "t1", ID: "th2", AuthorName: "Taro", Summary: "Hello", CreatedTime: t0.Add(time.Minute)}}})
	wantNotes(t, f.notes.take())
	if feed := f.feed(); len(feed) != 1 || feed[0].Notified {
		t.Fatalf("feed = %+v", feed)
	}
	f.clock.Advance(61 * time.Minute)
	f.detect(app.Changes{NewThreads: []app.Thread{{OrgID: org, TicketID: "t1", ID: "th3", AuthorName: "Taro", Summary: "Again", CreatedTime: t0.Add(2 * time.Minute)}}})
	got := f.notes.take()
	if len(got) != 1 || !strings.Contains(got[0].Body, "Again") {
		t.Errorf("after the hour: %q", got)
	}
	if got[0].Target.TicketID != "t1" || got[0].Target.SignalID == 0 || got[0].Target.RecordKind == "" {
		t.Errorf("the notification does not say what a click opens: %+v", got[0].Target)
	}
}

// TestReplyFromTheContactIsSignedWithTheRecordName: Desk names a
// customer's reply "太郎 山田" (first name first, as it joins the names);
// the notification says who wrote it as Tandem names the contact, 山田
// 太郎, when the author is the ticket's contact.
func TestReplyFromTheContactIsSignedWithTheRecordName(t *testing.T) {
	f := newFixture(t)
	f.baseline()
	f.detect(app.Changes{NewThreads: []app.Thread{{OrgID: org, TicketID: "t1", ID: "th7", Direction: "in", AuthorName: "太郎 山田",
		AuthorEmail: "Taro@Yamada.example", AuthorType: "END_USER", Summary: "まだ直りません。", CreatedTime: t0.Add(time.Minute)}}})
	wantNotes(t, f.notes.take(), app.Notification{Title: "Reply · #1042 Printer on fire — 山田 太郎", Body: "山田 太郎: まだ直りません。"})
	// Someone else on the thread keeps Desk's name.
	f.detect(app.Changes{NewThreads: []app.Thread{{OrgID: org, TicketID: "t1", ID: "th8", Direction: "in", AuthorName: "花子 佐藤",
		AuthorEmail: "hanako@example.jp", AuthorType: "END_USER", Summary: "私も同じです。", CreatedTime: t0.Add(2 * time.Minute)}}})
	wantNotes(t, f.notes.take(), app.Notification{Title: "Reply · #1042 Printer on fire — 山田 太郎", Body: "花子 佐藤: 私も同じです。"})
}
