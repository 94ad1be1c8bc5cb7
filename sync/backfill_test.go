package sync_test

import (
	"context"
	"testing"
	"time"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/sync/deskemu"
)

// TestRunIndexesAfterFirstSync: a first sync stores its tickets without
// indexing them for search (it would be ~0.4 ms a ticket slower); the
// service's loop indexes them while it waits for the next pass, so search
// finds them right after the first sync, not at the next poll (a minute
// later; five polls later at 50k tickets). The next pass here is an hour
// away: before the fix nothing was indexed until then.
func TestRunIndexesAfterFirstSync(t *testing.T) {
	e := newEnv(t, envOptions{emu: deskemu.Options{Seed: 3, Contacts: 20, Accounts: 5, Tickets: 300}, mode: app.SyncTwoWay})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var want struct{ id, subject string }
	for tk, err := range e.allTickets(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		if tk.Subject != "" {
			want.id, want.subject = tk.ID, tk.Subject
		}
	}
	if want.id == "" {
		t.Fatal("the emulator has no ticket with a subject")
	}
	e.interval = time.Hour
	e.open() // the same store, a service with the hour's wait
	passes := make(chan app.SyncEvent, 16)
	defer e.svc.Subscribe(func(ev app.SyncEvent) {
		if ev.Kind == app.EventFinished {
			passes <- ev
		}
	})()
	done := make(chan error, 1)
	go func() { done <- e.svc.Run(ctx) }()
	select {
	case ev := <-passes:
		if ev.Counts.Tickets != 300 {
			t.Fatalf("the first pass stored %d tickets, want 300 (%s)", ev.Counts.Tickets, ev.Message)
		}
	case <-time.After(2 * time.Minute):
		t.Fatal("no first pass")
	}
	found := func() bool {
		hits, err := e.db.SearchTickets(ctx, e.org, want.subject, 50)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range hits {
			if h.Ticket.Ticket.ID == want.id {
				return true
			}
		}
		return false
	}
	deadline := time.Now().Add(2 * time.Minute) // a hang, not a speed
	for !found() {
		if time.Now().After(deadline) {
			t.Fatalf("search does not find ticket %s (%q) after the first sync", want.id, want.subject)
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	<-done
	if len(passes) > 0 {
		t.Fatalf("a second pass ran: the test cannot tell who indexed")
	}
	if n, err := e.db.IndexTickets(context.Background(), e.org, 1000); err != nil || n != 0 {
		t.Fatalf("IndexTickets after the loop's wait: %d tickets left unindexed (%v), want 0", n, err)
	}
}

// TestPassIndexesWhatItFetched: a customer's reply and an agent's comment
// a pass fetches (stored without indexing, StoreConversationUnindexed)
// are found by search when the pass ends, at the message that says them,
// and nothing is left unindexed.
func TestPassIndexesWhatItFetched(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, envOptions{emu: deskemu.Options{Seed: 22, Contacts: 4, Accounts: 1, Tickets: 6}, mode: app.SyncTwoWay})
	mustSync(t, e)
	id := firstTicket(t, e)
	mustSync(t, e)
	for n, err := e.db.IndexTickets(ctx, e.org, 1000); n > 0 || err != nil; n, err = e.db.IndexTickets(ctx, e.org, 1000) {
		if err != nil {
			t.Fatal(err)
		}
	}
	thID, err := e.emu.CustomerReply(e.org, id, "The espresso machine leaks again")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.emu.AgentComment(e.org, id, e.info.Users[0].Email, "交換部品を手配済み"); err != nil {
		t.Fatal(err)
	}
	mustSync(t, e)
	for q, kind := range map[string]string{"espresso leaks": "thread", "交換部品": "comment"} {
		hits, err := e.db.SearchTickets(ctx, e.org, q, 50)
		if err != nil || len(hits) != 1 || hits[0].Ticket.Ticket.ID != id {
			t.Fatalf("%q after the pass: %+v %v", q, hits, err)
		}
		k, msg, err := e.db.LocateTicketHit(ctx, e.org, id, q)
		if err != nil || k != kind || (kind == "thread" && msg != thID) {
			t.Errorf("%q opens at %s %s (%v), want the %s", q, k, msg, err, kind)
		}
	}
	if n, err := e.db.IndexTickets(ctx, e.org, 1000); n != 0 || err != nil {
		t.Errorf("after the pass, %d tickets unindexed (%v)", n, err)
	}
}
