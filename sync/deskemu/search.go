package deskemu

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/tandem-crm/tandem/sync/desk"
)

// The searches (Search.json): criteria, time ranges, sortBy, from/limit and
// a count of all hits, over a search index that lags writes by
// Options.SearchLag: a record written less than the lag ago is not found.

// indexed reports whether a record last written at modified is in the
// search index at now.
func (s *Server) indexed(modified, now time.Time) bool {
	return s.opts.SearchLag <= 0 || !modified.After(now.Add(-s.opts.SearchLag))
}

// parseRange reads a "from,to" time range parameter (the contract has
// checked its format).
func parseRange(v string) (from, to time.Time, ok bool) {
	a, b, found := strings.Cut(v, ",")
	if !found {
		return time.Time{}, time.Time{}, false
	}
	f, err1 := time.Parse(time.RFC3339Nano, a)
	t, err2 := time.Parse(time.RFC3339Nano, b)
	if err1 != nil || err2 != nil {
		return time.Time{}, time.Time{}, false
	}
	return f, t, true
}

// match compares a field with a search value: exact and case-insensitive,
// a trailing * matching a prefix, comma-separated values any of them.
func match(have, want string) bool {
	have = strings.ToLower(strings.TrimSpace(have))
	for _, w := range strings.Split(want, ",") {
		w = strings.ToLower(strings.TrimSpace(w))
		if p, ok := strings.CutSuffix(w, "*"); ok {
			if strings.HasPrefix(have, p) {
				return true
			}
		} else if have == w {
			return true
		}
	}
	return false
}

func matchAny(want string, haves ...string) bool {
	for _, h := range haves {
		if h != "" && match(h, want) {
			return true
		}
	}
	return false
}

func inRange(t time.Time, v string) bool {
	from, to, ok := parseRange(v)
	return ok && !t.Before(from) && !t.After(to)
}

// searchIndex serves a search over items kept in ascending modifiedTime
// order (idx) or creation order (all): the hits pass keep and are indexed;
// the page is sorted by sortBy (modifiedTime, createdTime with "-", or
// relevance, taken as newest modified first).
func searchIndex[T timed](s *Server, r *http.Request, op *desk.Op, idx *timeIndex[T], created func(T) time.Time,
	keep func(T, url.Values) bool, view func(T) any,
) (int, any, *apiError) {
	q := r.URL.Query()
	from, limit := paging(r, op)
	now := s.clock.now()
	items := idx.items
	if v := q.Get("modifiedTimeRange"); v != "" {
		lo, hi, _ := parseRange(v)
		items = items[idx.lower(lo):]
		end := len(items)
		for i, e := range items {
			if e.modified().After(hi) {
				end = i
				break
			}
		}
		items = items[:end]
	}
	var hits []T
	for _, e := range items {
		if s.indexed(e.modified(), now) && keep(e, q) {
			hits = append(hits, e)
		}
	}
	switch sb := q.Get("sortBy"); sb {
	case "modifiedTime": // as indexed
	case "createdTime", "-createdTime":
		slices.SortStableFunc(hits, func(a, b T) int {
			c := created(a).Compare(created(b))
			if sb == "-createdTime" {
				c = -c
			}
			return c
		})
	default: // -modifiedTime, relevance, lastName…: newest modified first
		slices.Reverse(hits)
	}
	page := window(hits, from, limit)
	if len(page) == 0 {
		return http.StatusNoContent, nil, nil
	}
	out := make([]any, len(page))
	for i, e := range page {
		out[i] = view(e)
	}
	return http.StatusOK, searchPage[any]{Data: out, Count: len(hits)}, nil
}

func (s *Server) searchContacts(c *caller, r *http.Request, _ []byte) (int, any, *apiError) {
	p := c.portal
	return searchIndex(s, r, desk.OpByID(desk.OpSearchContacts), &p.contactMod, func(x *contact) time.Time { return x.Created },
		func(ct *contact, q url.Values) bool {
			if v := q.Get("id"); v != "" && !match(ct.ID, v) {
				return false
			}
			if v := q.Get("lastName"); v != "" && !match(ct.LastName, v) {
				return false
			}
			if v := q.Get("firstName"); v != "" && !match(ct.FirstName, v) {
				return false
			}
			if v := q.Get("fullName"); v != "" && !match(strings.TrimSpace(ct.FirstName+" "+ct.LastName), v) {
				return false
			}
			if v := q.Get("accountName"); v != "" {
				a := p.accountsBy[ct.AccountID]
				if a == nil || !match(a.AccountName, v) {
					return false
				}
			}
			if v := q.Get("_all"); v != "" && !matchAny(v, ct.FirstName, ct.LastName, ct.Email, ct.SecondaryEmail,
				ct.Phone, ct.Mobile, ct.Title, ct.Description, strings.TrimSpace(ct.FirstName+" "+ct.LastName)) {
				return false
			}
			if v := q.Get("createdTimeRange"); v != "" && !inRange(ct.Created, v) {
				return false
			}
			return true
		},
		func(ct *contact) any { return contactFull[isoTime](ct) })
}

func (s *Server) searchAccounts(c *caller, r *http.Request, _ []byte) (int, any, *apiError) {
	p := c.portal
	return searchIndex(s, r, desk.OpByID(desk.OpSearchAccounts), &p.accountMod, func(x *account) time.Time { return x.Created },
		func(a *account, q url.Values) bool {
			if v := q.Get("id"); v != "" && !match(a.ID, v) {
				return false
			}
			if v := q.Get("accountName"); v != "" && !match(a.AccountName, v) {
				return false
			}
			if v := q.Get("_all"); v != "" && !matchAny(v, a.AccountName, a.Email, a.Website, a.Phone, a.City, a.Country, a.Description) {
				return false
			}
			if v := q.Get("createdTimeRange"); v != "" && !inRange(a.Created, v) {
				return false
			}
			return true
		},
		func(a *account) any { return accountFull[isoTime](a) })
}

func (s *Server) searchTickets(c *caller, r *http.Request, _ []byte) (int, any, *apiError) {
	p := c.portal
	now := s.clock.now()
	return searchIndex(s, r, desk.OpByID(desk.OpSearchTickets), &p.ticketMod, func(x *ticket) time.Time { return x.Created },
		func(t *ticket, q url.Values) bool {
			for _, f := range []struct{ param, have string }{
				{"id", t.ID}, {"ticketNumber", t.Number}, {"subject", t.Subject}, {"departmentId", t.DepartmentID},
				{"channel", t.Channel}, {"contactId", t.ContactID}, {"accountId", t.AccountID}, {"assigneeId", t.AssigneeID},
				{"priority", t.Priority}, {"status", t.Status}, {"description", t.Description},
			} {
				if v := q.Get(f.param); v != "" && !match(f.have, v) {
					return false
				}
			}
			if v := q.Get("_all"); v != "" && !matchAny(v, t.Subject, t.Description, t.Email, t.Number) {
				return false
			}
			if v := q.Get("createdTimeRange"); v != "" && !inRange(t.Created, v) {
				return false
			}
			if v := q.Get("dueDateRange"); v != "" && !inRange(t.Due, v) {
				return false
			}
			if v := q.Get("customerResponseTimeRange"); v != "" && !inRange(t.CustomerResponse, v) {
				return false
			}
			return true
		},
		func(t *ticket) any { return ticketFull[isoTime](p, t, now, true) })
}
