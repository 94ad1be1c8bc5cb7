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
// same millisecond come again), until a window holds no more than a search
// reaches.
//
// The pages of a window are read concurrently, each overlapping the one
// before by a hit (from 0, 99, 198, … with limit 100). A record modified
// while a scan runs leaves its place in the order (it moves to the end),
// which shifts the hits after it: without a check, the hit at a page
// boundary would be skipped. When a page does not start with the hit the
// page before ended with, the scan keeps the pages up to there and goes on
// from that hit's modification time, in a new window.

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

// pageStep is how far apart a window's pages start: a page overlaps the one
// before by a hit.
func pageStep(limit int) int { return max(1, limit-1) }

// nextWindow decides what to fetch after a page of w: the next page of the
// same window, the window after it, or nothing (done). It is a pure
// function of its inputs. ok is false when no progress is possible: more
// hits than a search reaches share one millisecond of modification and of
// creation.
func nextWindow(w window, p pageDone, limit int) (next window, done, ok bool) {
	if p.N < limit || (p.Count >= 0 && w.From+p.N >= p.Count) {
		return window{}, true, true // the window is exhausted
	}
	if w.From+pageStep(limit) <= desk.SearchMaxFrom {
		w.From += pageStep(limit)
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

// consistentPages returns how many of pages (read at consecutive steps of
// a window) agree: each full page's last hit is the next page's first.
func consistentPages[T any](pages []desk.SearchResult[T], limit int, id func(T) string) int {
	for i := 0; i+1 < len(pages); i++ {
		a, b := pages[i].Hits, pages[i+1].Hits
		switch {
		case len(a) < limit:
			if len(b) > 0 {
				return i + 1 // the window ended, then went on: records moved
			}
		case len(b) == 0 || id(a[len(a)-1]) != id(b[0]):
			return i + 1
		}
	}
	return len(pages)
}

// scanChanges walks every record modified in [lo, hi] through search,
// window by window, handing each page to fn in order (a hit may come
// twice). Within a window the first page is fetched alone (its count tells
// how many pages follow), the others concurrently, as the client's
// concurrency allows. It returns the newest modification time seen.
func scanChanges[T any](ctx context.Context, cl *desk.Client, lo, hi time.Time, search searchFunc[T],
	modified, created func(T) time.Time, id func(T) string, fn func(page []T) error,
) (time.Time, error) {
	newest := time.Time{}
	limit, step := desk.MaxLimit, pageStep(desk.MaxLimit)
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
		pages, froms := []desk.SearchResult[T]{first}, []int{w.From}
		if len(first.Hits) == limit && first.Count > w.From+len(first.Hits) {
			end := min(first.Count, desk.SearchWindow)
			var more []int
			for f := w.From + step; f < end && f <= desk.SearchMaxFrom; f += step {
				more = append(more, f)
			}
			rest, err := fetchAll(ctx, cl.Concurrency(), more, func(ctx context.Context, from int) (desk.SearchResult[T], error) {
				return search(ctx, q(from))
			})
			if err != nil {
				return newest, err
			}
			pages, froms = append(pages, rest...), append(froms, more...)
		}
		good := consistentPages(pages, limit, id)
		for _, pg := range pages[:good] {
			for _, x := range pg.Hits {
				if m := modified(x); m.After(newest) {
					newest = m
				}
			}
			if err := fn(pg.Hits); err != nil {
				return newest, err
			}
		}
		last := pages[good-1].Hits
		p := pageDone{N: len(last), Count: first.Count}
		if len(last) > 0 {
			p.Last, p.LastCreated = modified(last[len(last)-1]), created(last[len(last)-1])
		}
		if good < len(pages) && w.Created == nil && p.N > 0 && p.Last.After(w.Lo) {
			// Records moved while the pages were read: go on from the
			// last hit the pages agree on.
			w = window{Lo: p.Last, Hi: w.Hi}
			continue
		}
		if good < len(pages) {
			p.Count, p.N = -1, limit // not done: the pages after went on
		}
		w.From = froms[good-1]
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
func fetchAll[P any](ctx context.Context, conc int, froms []int, fetch func(ctx context.Context, from int) (P, error)) ([]P, error) {
	out := make([]P, len(froms))
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
