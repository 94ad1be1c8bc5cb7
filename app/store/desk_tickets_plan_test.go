package store

import (
	"context"
	"strings"
	"testing"

	"github.com/tandem-crm/tandem/app"
)

// TestTicketsForRecordSearches: a record's Tickets tab finds its tickets
// by index searches; a walk over the portal's tickets (50k of them) would
// cost tens of milliseconds per read while a sync writes.
func TestTicketsForRecordSearches(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	for _, kind := range []string{app.KindContact, app.KindCompany, app.KindRecord} {
		rows, err := db.read.QueryContext(ctx, "EXPLAIN QUERY PLAN SELECT t.id FROM desk_tickets t WHERE t.org_id = ?1 AND "+ticketCond(kind), "o", 1)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		for _, step := range plan {
			walks := strings.HasPrefix(step, "SCAN") || strings.HasSuffix(step, "(org_id=?)")
			if strings.Contains(step, " t") && walks {
				t.Errorf("%s tickets: %q walks the tickets; plan:\n%s", kind, step, strings.Join(plan, "\n"))
			}
		}
	}
}
