package sync

import (
	"strconv"
	"strings"
	"time"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/sync/desk"
)

// seenCache remembers, per portal and list (contacts, accounts, tickets),
// the records of the last pass's overlap window that the store showed to
// be up to date, so a poll with nothing changed does not look them up
// again: on a large portal those look-ups are scattered reads over a big
// table. An entry is only a shortcut for "the store has this version":
// the store never loses a version once written, and every other case
// (a different stamp, a record not in the cache) asks the store. The
// cache is valid for the cursor it was built with; a changed cursor (a
// reset, another process) drops it.
type seenCache struct {
	cursor string
	m      map[string]string // record id → stamp key
}

func seenKey(org, list string) string { return org + "\x00" + list }

// seen returns the remembered stamps of a list for the stored cursor (an
// empty map when they do not match).
func (s *Service) seen(org, list, cursor string) map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.seenBy[seenKey(org, list)]; ok && c.cursor == cursor && cursor != "" {
		return c.m
	}
	return map[string]string{}
}

// remember replaces a list's remembered stamps, valid for cursor.
func (s *Service) remember(org, list, cursor string, m map[string]string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.seenBy == nil {
		s.seenBy = map[string]seenCache{}
	}
	s.seenBy[seenKey(org, list)] = seenCache{cursor: cursor, m: m}
}

// forgetSeen drops a portal's remembered stamps.
func (s *Service) forgetSeen(org string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k := range s.seenBy {
		if strings.HasPrefix(k, org+"\x00") {
			delete(s.seenBy, k)
		}
	}
}

// ticketStampKey is what a ticket list entry is compared on. It reads the
// Desk entry itself, so a remembered ticket costs no conversion.
func ticketStampKey(t *desk.Ticket) string {
	var b strings.Builder
	b.WriteString(t.ModifiedTime.UTC().Format(time.RFC3339Nano))
	for _, n := range []int{int(t.ThreadCount), int(t.CommentCount), b2i(t.IsOverDue), b2i(t.IsEscalated)} {
		b.WriteByte('|')
		b.WriteString(strconv.Itoa(n))
	}
	return b.String()
}

// remoteStampKey is what a contact or account is compared on: its time
// and its mapped values.
func remoteStampKey(r *app.RemoteRecord, ms []app.FieldMapping) string {
	var b strings.Builder
	b.WriteString(r.Modified.UTC().Format(time.RFC3339Nano))
	vals := remoteValues(r, ms)
	for _, m := range ms {
		b.WriteByte(0)
		b.WriteString(vals[m.DeskField])
	}
	return b.String()
}

func b2i(v bool) int {
	if v {
		return 1
	}
	return 0
}
