package sync

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tandem-crm/tandem/sync/desk"
)

// Changed records come from Desk's searches (/contacts/search,
// /accounts/search, /tickets/search) with modifiedTimeRange, oldest
// modified first. A search reaches its first 1000 hits only (`from` stops
// at 999), so a time window holding more is split: the next window starts
// at the modification time of the last hit reached (inclusive: hits of that
// same millisecond come again and are skipped by id), until a window holds
// no more than a search reaches.

// searchEpoch is the start of a first sync's window (the definition's
// time pattern accepts years 19xx and 20xx).
var searchEpoch = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)

// searchHorizon is how far past Desk's clock a window ends, so clock skew
// never hides a record modified "in the future".
const searchHorizon = 24 * time.Hour

// window is the part of a search a scan fetches next.
type window struct {
	Lo, Hi time.Time // modifiedTimeRange, both ends inclusive
	From   int       // 0-based index of the page
	// Created, when set, narrows a window of one millisecond by creation
	// time: more than a search reaches were modified in that millisecond.
	Created *desk.TimeWindow
}

// pageDone describes a page a window's search answered.
type pageDone struct {
	N           int       // hits on the page
	Count       int       // all hits of the window, -1 when Desk did not say
	Last        time.Time // modification time of the page's last hit
	LastCreated time.Time // creation time of the page's last hit (read in a Created window)
}

// nextWindow decides what to fetch after a page of w: the next page of the
// same window, the window after it, or nothing (done). It is a pure
// function of its inputs. ok is false when no progress is possible: more
// hits than a search reaches share one millisecond of modification and of
// creation.
func nextWindow(w window, p pageDone, limit int) (next window, done, ok bool) {
	if p.N < limit || (p.Count >= 0 && w.From+p.N >= p.Count) {
		return window{}, true, true // the window is exhausted
	}
	if w.From+limit <= desk.SearchMaxFrom {
		w.From += limit
		return w, false, true
	}
	// The window holds more than a search reaches: start after what was
	// reached.
	if w.Created == nil {
		if p.Last.After(w.Lo) {
			return window{Lo: p.Last, Hi: w.Hi}, false, true
		}
		// Every hit reached was modified in the window's first millisecond:
		// split that millisecond by creation time.
		return window{Lo: w.Lo, Hi: w.Lo, Created: &desk.TimeWindow{From: searchEpoch, To: w.Hi}}, false, true
	}
	if p.LastCreated.After(w.Created.From) {
		return window{Lo: w.Lo, Hi: w.Hi, Created: &desk.TimeWindow{From: p.LastCreated, To: w.Created.To}}, false, true
	}
	return window{}, true, false
}

// afterCreated continues a scan past a Created window: the rest of the
// original window, after the millisecond it split.
func afterCreated(w window, hi time.Time) window {
	return window{Lo: w.Lo.Add(time.Millisecond), Hi: hi}
}

// errWindowStuck reports a window that cannot be split further.
var errWindowStuck = errors.New("sync: more Desk records than a search reaches share one millisecond")

// searchFunc fetches one page of a search over window w, oldest modified
// first.
type searchFunc[T any] func(ctx context.Context, q desk.SearchQuery) (desk.SearchResult[T], error)

// scanChanges walks every record modified in [lo, hi] through search,
// window by window, handing each page to fn in order. Within a window the
// first page is fetched alone (its count tells how many pages follow),
// the others concurrently, as the client's concurrency allows. It returns
// the newest modification time seen.
func scanChanges[T any](ctx context.Context, cl *desk.Client, lo, hi time.Time, search searchFunc[T],
	modified, created func(T) time.Time, fn func(page []T) error,
) (time.Time, error) {
	newest := time.Time{}
	limit := desk.MaxLimit
	w := window{Lo: lo, Hi: hi}
	var outer *window // the window a Created split came from
	for {
		q := func(from int) desk.SearchQuery {
			sq := desk.SearchQuery{Modified: desk.TimeWindow{From: w.Lo, To: w.Hi}, SortBy: "modifiedTime", From: from, Limit: limit}
			if w.Created != nil {
				sq.SortBy = "createdTime"
				sq.Criteria = map[string][]string{"createdTimeRange": {desk.FormatTimeRange(w.Created.From, w.Created.To)}}
			}
			return sq
		}
		first, err := search(ctx, q(w.From))
		if err != nil {
			return newest, err
		}
		pages := [][]T{first.Hits}
		// The rest of the window, at once.
		if w.From == 0 && first.Count > len(first.Hits) && len(first.Hits) == limit {
			last := min(first.Count, desk.SearchWindow)
			var froms []int
			for f := limit; f < last && f <= desk.SearchMaxFrom; f += limit {
				froms = append(froms, f)
			}
			rest, err := fetchAll(ctx, cl.Concurrency(), froms, func(ctx context.Context, from int) ([]T, error) {
				res, err := search(ctx, q(from))
				return res.Hits, err
			})
			if err != nil {
				return newest, err
			}
			pages = append(pages, rest...)
		}
		var p pageDone
		for i, pg := range pages {
			for _, x := range pg {
				if m := modified(x); m.After(newest) {
					newest = m
				}
			}
			if err := fn(pg); err != nil {
				return newest, err
			}
			p = pageDone{N: len(pg), Count: first.Count}
			if len(pg) > 0 {
				p.Last, p.LastCreated = modified(pg[len(pg)-1]), created(pg[len(pg)-1])
			}
			if i > 0 {
				w.From += limit
			}
		}
		next, done, ok := nextWindow(w, p, limit)
		if !ok {
			return newest, fmt.Errorf("%w (modified %s)", errWindowStuck, w.Lo.Format(desk.TimeLayout))
		}
		if done {
			if outer == nil {
				return newest, nil
			}
			w, outer = afterCreated(w, outer.Hi), nil
			continue
		}
		if next.Created != nil && w.Created == nil {
			o := w
			outer = &o
		}
		w = next
	}
}

// fetchAll fetches pages concurrently (at most conc at once) and returns
// them in the order of froms; the first error stops the rest.
func fetchAll[T any](ctx context.Context, conc int, froms []int, fetch func(ctx context.Context, from int) ([]T, error)) ([][]T, error) {
	out := make([][]T, len(froms))
	if len(froms) == 0 {
		return out, nil
	}
	conc = max(1, min(conc, len(froms)))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errs := make(chan error, len(froms))
	next := make(chan int)
	for range conc {
		go func() {
			for i := range next {
				pg, err := fetch(ctx, froms[i])
				if err != nil {
					errs <- err
					cancel()
					continue
				}
				out[i] = pg
				errs <- nil
			}
		}()
	}
	var first error
	sent := 0
	for i := range froms {
		if ctx.Err() != nil {
			break
		}
		next <- i
		sent++
	}
	close(next)
	for range sent {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	if first == nil && ctx.Err() != nil {
		first = ctx.Err()
	}
	return out, first
}
