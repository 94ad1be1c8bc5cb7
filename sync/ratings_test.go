package sync_test

import (
	"context"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/tandem-crm/tandem/app"
	tsync "github.com/tandem-crm/tandem/sync"
	"github.com/tandem-crm/tandem/sync/desk"
	"github.com/tandem-crm/tandem/sync/deskemu"
)

// ratingsSeen records the ratings each pass hands to signals.
type ratingsSeen struct {
	mu  gosync.Mutex
	all [][]app.Rating
}

func (r *ratingsSeen) Detect(_ context.Context, c app.Changes) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.all = append(r.all, c.NewRatings)
	return nil
}

func (r *ratingsSeen) last() []app.Rating {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.all[len(r.all)-1]
}

// TestRatingsPulledAtMostEveryInterval: a new happiness rating reaches
// signals once, and the ratings call is made at most every RatingsEvery,
// so most no-change polls stay at three requests.
func TestRatingsPulledAtMostEveryInterval(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, envOptions{emu: deskemu.Options{Seed: 5, Contacts: 10, Accounts: 3, Tickets: 12}, mode: app.SyncNone})
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	seen := &ratingsSeen{}
	svc, err := tsync.New(tsync.Options{
		Store: e.db, CRM: app.CRM{Contacts: e.db, Companies: e.db, Pipelines: e.db}, Secrets: e.secrets,
		OAuth:   tsync.OAuthClient{ClientID: e.info.ClientID, ClientSecret: e.info.ClientSecret},
		BaseURL: e.run.URL, Detector: seen, Now: func() time.Time { return now },
		Retry: desk.RetryPolicy{MaxAttempts: 2, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond, MaxWait: 10 * time.Millisecond},
	})
	if err != nil {
		t.Fatal(err)
	}
	ratingCalls := func() int {
		n := 0
		for _, r := range e.emu.Requests() {
			if strings.HasSuffix(r.Path, "/customerHappiness") {
				n++
			}
		}
		return n
	}
	pass := func() {
		t.Helper()
		if err := svc.SyncOnce(ctx); err != nil {
			t.Fatal(err)
		}
	}
	pass() // the first pull
	if ratingCalls() != 1 {
		t.Fatalf("first pass: %d ratings calls, want 1", ratingCalls())
	}
	var ticketID string
	tl, err := e.client().ListTickets(ctx, e.info.Portals[0].Departments[0], desk.ListOptions{Limit: 1})
	if err != nil || len(tl) == 0 {
		t.Fatalf("no ticket to rate: %v", err)
	}
	ticketID = tl[0].ID
	if _, err := e.emu.Rate(e.org, ticketID, "GOOD", "すばらしい対応 👍"); err != nil {
		t.Fatal(err)
	}
	now = now.Add(time.Minute)
	pass()
	if ratingCalls() != 1 || len(seen.last()) != 0 {
		t.Fatalf("a minute later: %d calls, %d ratings; want no new call", ratingCalls(), len(seen.last()))
	}
	now = now.Add(10 * time.Minute)
	pass()
	got := seen.last()
	if ratingCalls() != 2 || len(got) != 1 || got[0].TicketID != ticketID || got[0].Rating != "GOOD" || got[0].Feedback != "すばらしい対応 👍" {
		t.Fatalf("after the interval: %d calls, ratings %+v", ratingCalls(), got)
	}
	now = now.Add(11 * time.Minute)
	pass()
	if ratingCalls() != 3 || len(seen.last()) != 0 {
		t.Fatalf("the same rating again: %+v", seen.last())
	}
}
