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
	cursorRatings       = "ratings"        // ratedTime of the newest rating seen
	cursorRatingsPolled = "ratings_polled" // when ratings were last asked for
)

// maxRatingPages bounds one ratings pull; the rest follow in the next.
const maxRatingPages = 5

// pullRatings asks Desk for the happiness ratings given since the cursor
// (GET /customerHappiness of every department, rated at or after it,
// oldest first) and hands them to signals. It runs at most every
// Options.RatingsEvery, so a poll with nothing changed stays at three
// requests on most passes: a rating may not change the ticket's
// modifiedTime, so it is not seen as a ticket change. The first pull only
// finds the newest rating (sortBy=-ratedTime), the baseline.
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
	if since.IsZero() {
		rs, err := ps.cl.ListRatings(ctx, desk.RatingQuery{Newest: true, Limit: 1})
		if err != nil {
			return fmt.Errorf("sync: ratings: %w", err)
		}
		if len(rs) > 0 {
			newest = rs[0].RatedTime.Time
		}
	} else {
	pages:
		for page := 0; page < maxRatingPages; page++ {
			rs, err := ps.cl.ListRatings(ctx, desk.RatingQuery{Since: since, From: page * desk.MaxLimit, Limit: desk.MaxLimit})
			if err != nil {
				return fmt.Errorf("sync: ratings: %w", err)
			}
			for _, r := range rs {
				at := r.RatedTime.Time
				if !at.After(since) {
					continue // seen: startTime is inclusive
				}
				if at.After(newest) {
					newest = at
				}
				fresh = append(fresh, app.Rating{OrgID: org, ID: r.ID, TicketID: r.TicketRef(), ContactID: r.ContactRef(),
					Rating: r.Rating, Feedback: r.Feedback, CreatedTime: at})
			}
			if len(rs) < desk.MaxLimit {
				break pages
			}
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
