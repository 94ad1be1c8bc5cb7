package sync

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	gosync "sync"
	"testing"
	"time"

	"github.com/tandem-crm/tandem/sync/desk"
)

func TestNextWindow(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	hi := t0.Add(time.Hour)
	w := window{Lo: t0, Hi: hi}
	ms := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Millisecond) }
	for _, c := range []struct {
		name       string
		w          window
		p          pageDone
		next       window
		done, okay bool
	}{
		{"a short page ends the window", w, pageDone{N: 40, Count: 40, Last: ms(5)}, window{}, true, true},
		{"the count ends the window", window{Lo: t0, Hi: hi, From: 99}, pageDone{N: 100, Count: 199, Last: ms(5)}, window{}, true, true},
		{"the next page overlaps by a hit", w, pageDone{N: 100, Count: 500, Last: ms(5)}, window{Lo: t0, Hi: hi, From: 99}, false, true},
		{"the last page a search reaches", window{Lo: t0, Hi: hi, From: 891}, pageDone{N: 100, Count: 5000, Last: ms(7)}, window{Lo: t0, Hi: hi, From: 990}, false, true},
		{"past 999: a new window from the last hit", window{Lo: t0, Hi: hi, From: 990}, pageDone{N: 100, Count: 5000, Last: ms(7)}, window{Lo: ms(7), Hi: hi}, false, true},
		{"a full millisecond: split it by creation", window{Lo: t0, Hi: hi, From: 990}, pageDone{N: 100, Count: 5000, Last: t0},
			window{Lo: t0, Hi: t0, Created: &desk.TimeWindow{From: searchEpoch, To: hi}}, false, true},
		{"a split millisecond goes on by creation", window{Lo: t0, Hi: t0, From: 990, Created: &desk.TimeWindow{From: searchEpoch, To: hi}},
			pageDone{N: 100, Count: 1500, Last: t0, LastCreated: ms(-50)}, window{Lo: t0, Hi: t0, Created: &desk.TimeWindow{From: ms(-50), To: hi}}, false, true},
		{"stuck: one millisecond of modification and of creation", window{Lo: t0, Hi: t0, From: 990, Created: &desk.TimeWindow{From: ms(-50), To: hi}},
			pageDone{N: 100, Count: 1500, Last: t0, LastCreated: ms(-50)}, window{}, true, false},
	} {
		next, done, ok := nextWindow(c.w, c.p, desk.MaxLimit)
		if done != c.done || ok != c.okay || fmtWindow(next) != fmtWindow(c.next) {
			t.Errorf("%s: got %s done=%v ok=%v, want %s done=%v ok=%v", c.name, fmtWindow(next), done, ok, fmtWindow(c.next), c.done, c.okay)
		}
	}
}

func fmtWindow(w window) string {
	s := fmt.Sprintf("[%s, %s] from %d", w.Lo.Format(desk.TimeLayout), w.Hi.Format(desk.TimeLayout), w.From)
	if w.Created != nil {
		s += fmt.Sprintf(" created [%s, %s]", w.Created.From.Format(desk.TimeLayout), w.Created.To.Format(desk.TimeLayout))
	}
	return s
}

// rec is a record of the fake search.
type rec struct {
	id               string
	created, changed time.Time
}

// fakeSearch answers searches over recs as Desk does (modifiedTimeRange,
// createdTimeRange, sortBy, from, limit, count); before each request it
// may call mutate, as other users editing records during a scan.
type fakeSearch struct {
	t      *testing.T
	mu     gosync.Mutex
	recs   []*rec
	calls  int
	mutate func(calls int, recs []*rec)
}

func (f *fakeSearch) search(_ context.Context, q desk.SearchQuery) (desk.SearchResult[rec], error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.mutate != nil {
		f.mutate(f.calls, f.recs)
	}
	if q.From < 0 || q.From > desk.SearchMaxFrom || q.Limit < 1 || q.Limit > desk.MaxLimit {
		f.t.Errorf("search from=%d limit=%d: outside the contract", q.From, q.Limit)
	}
	var cLo, cHi time.Time
	if v := q.Criteria.Get("createdTimeRange"); v != "" {
		var a, b string
		for i := range v {
			if v[i] == ',' {
				a, b = v[:i], v[i+1:]
			}
		}
		cLo, _ = time.Parse(desk.TimeLayout, a)
		cHi, _ = time.Parse(desk.TimeLayout, b)
	}
	var hits []rec
	for _, r := range f.recs {
		if r.changed.Before(q.Modified.From) || r.changed.After(q.Modified.To) {
			continue
		}
		if !cLo.IsZero() && (r.created.Before(cLo) || r.created.After(cHi)) {
			continue
		}
		hits = append(hits, *r)
	}
	slices.SortFunc(hits, func(a, b rec) int {
		if q.SortBy == "createdTime" {
			return cmp.Or(a.created.Compare(b.created), cmp.Compare(a.id, b.id))
		}
		return cmp.Or(a.changed.Compare(b.changed), cmp.Compare(a.id, b.id))
	})
	res := desk.SearchResult[rec]{Count: len(hits)}
	if q.From < len(hits) {
		res.Hits = hits[q.From:min(len(hits), q.From+q.Limit)]
	}
	return res, nil
}

func scanAll(t *testing.T, f *fakeSearch, lo, hi time.Time) (map[string]int, error) {
	t.Helper()
	cl, err := desk.New(desk.Options{BaseURL: "http://127.0.0.1:1", Tokens: desk.StaticToken("x"), Concurrency: 4})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	_, err = scanChanges(context.Background(), cl, lo, hi, f.search,
		func(r rec) time.Time { return r.changed }, func(r rec) time.Time { return r.created }, func(r rec) string { return r.id },
		func(page []rec) error {
			for _, r := range page {
				seen[r.id]++
			}
			return nil
		})
	return seen, err
}

// TestScanChangesReachesEveryRecord: windows of more than a search
// reaches, a millisecond holding 1500 records, and records edited while
// the scan runs (they move to the end of the order): no record is
// skipped, and the requests stay near the floor of ⌈N/100⌉.
func TestScanChangesReachesEveryRecord(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name  string
		n     int
		burst int // records sharing one millisecond of modification
		edits bool
	}{
		{"small", 250, 0, false},
		{"many windows", 4321, 0, false},
		{"a full millisecond", 3000, 1500, false},
		{"edits during the scan", 4321, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(uint64(tc.n), uint64(tc.burst)))
			f := &fakeSearch{t: t}
			for i := range tc.n {
				c := t0.Add(time.Duration(r.IntN(3_600_000)) * time.Millisecond)
				m := c.Add(time.Duration(r.IntN(3_600_000)) * time.Millisecond)
				if i < tc.burst {
					m = t0.Add(90 * time.Minute)
				}
				f.recs = append(f.recs, &rec{id: fmt.Sprintf("%06d", i), created: c, changed: m})
			}
			end := t0.Add(3 * time.Hour)
			var moved []string
			if tc.edits {
				f.mutate = func(calls int, recs []*rec) {
					if calls%3 == 0 { // someone edits an early record: it moves to the end
						x := recs[r.IntN(len(recs))]
						x.changed = end.Add(-time.Duration(calls) * time.Millisecond)
						moved = append(moved, x.id)
					}
				}
			}
			seen, err := scanAll(t, f, searchEpoch, end)
			if err != nil {
				t.Fatal(err)
			}
			for _, x := range f.recs {
				if seen[x.id] == 0 {
					t.Errorf("record %s (modified %v) skipped", x.id, x.changed)
				}
			}
			floor := (tc.n + desk.MaxLimit - 1) / desk.MaxLimit
			// A millisecond fuller than a search reaches is read twice: once
			// by modification (all 1000 hits reached share it), then split
			// by creation.
			extra := 0
			if tc.burst > desk.SearchWindow {
				extra = 2 * desk.SearchWindow / desk.MaxLimit
			}
			if limit := floor*103/100 + 3 + 5*len(moved) + extra; f.calls > limit {
				t.Errorf("%d requests for %d records (floor %d, allowed %d)", f.calls, tc.n, floor, limit)
			}
			t.Logf("%d records: %d requests, floor %d, %d edits during the scan", tc.n, f.calls, floor, len(moved))
		})
	}
}

// TestScanChangesStuck: more records than a search reaches in one
// millisecond of modification and of creation is an error, not a loop.
func TestScanChangesStuck(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f := &fakeSearch{t: t}
	for i := range 1200 {
		f.recs = append(f.recs, &rec{id: fmt.Sprintf("%06d", i), created: t0, changed: t0})
	}
	if _, err := scanAll(t, f, searchEpoch, t0.Add(time.Hour)); !errors.Is(err, errWindowStuck) || f.calls > 60 {
		t.Fatalf("err=%v after %d calls", err, f.calls)
	}
}

// TestPageAllSurvivesDeletes: tickets deleted while the first sync lists
// a department shift the list; no remaining ticket is skipped.
func TestPageAllSurvivesDeletes(t *testing.T) {
	var mu gosync.Mutex
	items := make([]string, 1234)
	for i := range items {
		items[i] = fmt.Sprintf("t%05d", i)
	}
	calls := 0
	deleted := map[string]bool{}
	fetch := func(_ context.Context, from int) ([]string, error) {
		mu.Lock()
		defer mu.Unlock()
		calls++
		if calls%4 == 0 && len(items) > 10 { // a ticket near the start is deleted
			i := calls % 10
			deleted[items[i]] = true
			items = slices.Delete(items, i, i+1)
		}
		if from >= len(items) {
			return nil, nil
		}
		return slices.Clone(items[from:min(len(items), from+desk.MaxLimit)]), nil
	}
	seen := map[string]bool{}
	err := pageAll(context.Background(), 3, func(s string) string { return s }, fetch, func(pg []string) error {
		for _, s := range pg {
			seen[s] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range items {
		if !seen[s] {
			t.Errorf("%s skipped", s)
		}
	}
	t.Logf("%d requests, %d deletes", calls, len(deleted))
}
