package sync

import (
	"context"
	"fmt"
	"time"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/sync/desk"
)

// Cursor names of the happiness-ratings pull.
const (
	cursorRatings       = "ratings"        // createdTime of the newest rating seen
	cursorRatingsPolled = "ratings_polled" // when ratings were last asked for
)

// maxRatingPages bounds one ratings pull; older ratings than that are past.
const maxRatingPages = 5

// pullRatings asks Desk for happiness ratings newer than the cursor and
// hands them to signals. It runs at most every Options.RatingsEvery, so a
// poll with nothing changed stays at three requests on most passes: Desk
// lists ratings on their own call (GET /customerHappiness, newest first —
// an assumption listed in the README), not as a ticket change.
func (ps *pass) pullRatings(ctx context.Context) error {
	s, org := ps.s, ps.p.OrgID
	now := s.opts.Now()
	last, err := s.store.Cursor(ctx, org, cursorRatingsPolled)
	if err != nil {
		return fmt.Errorf("sync: ratings: %w", err)
	}
	if t, perr := time.Parse(time.RFC3339Nano, last); perr == nil && now.Sub(t) < s.opts.RatingsEvery {
		return nil
	}
	raw, err := s.store.Cursor(ctx, org, cursorRatings)
	if err != nil {
		return fmt.Errorf("sync: ratings: %w", err)
	}
	since, _ := time.Parse(time.RFC3339Nano, raw) // zero on the first pull
	newest := since
	var fresh []app.Rating
pages:
	for page := 0; page < maxRatingPages; page++ {
		rs, err := ps.cl.ListRatings(ctx, desk.ListOptions{From: page * 100, Limit: 100})
		if err != nil {
			return fmt.Errorf("sync: ratings: %w", err)
		}
		for _, r := range rs {
			at := r.CreatedTime.Time
			if !at.After(since) {
				break pages
			}
			if at.After(newest) {
				newest = at
			}
			fresh = append(fresh, app.Rating{OrgID: org, ID: r.ID, TicketID: r.TicketID, ContactID: r.ContactID,
				Rating: r.Rating, Feedback: r.Feedback, CreatedTime: at})
		}
		if len(rs) < 100 {
			break
		}
	}
	ps.changes.NewRatings = append(ps.changes.NewRatings, fresh...)
	if newest.After(since) {
		if err := s.store.SetCursor(ctx, org, cursorRatings, newest.UTC().Format(time.RFC3339Nano)); err != nil {
			return fmt.Errorf("sync: ratings: %w", err)
		}
	}
	if err := s.store.SetCursor(ctx, org, cursorRatingsPolled, now.UTC().Format(time.RFC3339Nano)); err != nil {
		return fmt.Errorf("sync: ratings: %w", err)
	}
	return nil
}
