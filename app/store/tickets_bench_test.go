package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tandem-crm/tandem/app"
)

// benchTickets returns n tickets shaped like a first sync's: Desk's JSON of
// about 900 bytes each, newest first (the order a pass lists them in).
func benchTickets(n int) []app.Ticket {
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	out := make([]app.Ticket, n)
	pad := strings.Repeat("x", 600)
	for i := range out {
		id := fmt.Sprintf("1892%012d", n-i)
		raw, _ := json.Marshal(map[string]any{"id": id, "subject": "Ticket " + id, "status": "Open", "cf": pad})
		out[i] = app.Ticket{
			OrgID: "o1", ID: id, Number: fmt.Sprint(1000 + i), Subject: "Ticket " + id, Status: "Open", StatusType: "Open",
			Channel: "Email", ContactID: fmt.Sprintf("c%d", i%10000), ContactEmail: fmt.Sprintf("user%d@example.com", i%10000),
			AccountID: fmt.Sprintf("a%d", i%2000), DepartmentID: "d1", DueDate: base.Add(time.Duration(i) * time.Minute),
			CreatedTime: base.Add(time.Duration(i) * time.Second), ModifiedTime: base.Add(time.Duration(i) * time.Second), Raw: raw,
		}
	}
	return out
}

// BenchmarkUpsertTickets50k writes a first sync's 50k tickets in batches
// of 1000 (one transaction each, as a pass does) and reports the median
// time of the first five batches (1k–5k rows) and of the last five
// (46k–50k rows): flat when the cost of a batch does not grow with the
// table (the median of five, so one batch slowed by the machine's load
// does not decide it). The floor is the same rows through one prepared plain INSERT
// into a table with the same columns and primary key and no other index.
// The ids come newest first, as Desk lists them. Both run in a bulk load
// (BeginBulkLoad), as a first pass into an empty cache does.
func BenchmarkUpsertTickets50k(b *testing.B) {
	const n, batch = 50_000, 1000
	ts := benchTickets(n)
	ctx := context.Background()
	var first, last, total, floor time.Duration
	for b.Loop() {
		b.StopTimer()
		db, err := Open(ctx, filepath.Join(b.TempDir(), "t.db"))
		if err != nil {
			b.Fatal(err)
		}
		end, err := db.BeginBulkLoad(ctx) // as a first pass into an empty cache does
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		var firsts, lasts []time.Duration
		for i := 0; i < n; i += batch {
			start := time.Now()
			if err := db.UpsertTickets(ctx, ts[i:i+batch]); err != nil {
				b.Fatal(err)
			}
			d := time.Since(start)
			total += d
			switch {
			case i < 5*batch:
				firsts = append(firsts, d)
			case i >= n-5*batch:
				lasts = append(lasts, d)
			}
		}
		first += median(firsts)
		last += median(lasts)
		b.StopTimer()
		// The floor: the same rows, one plain INSERT per row, in the same
		// batches, into a copy of the table without secondary indexes.
		var ddl string
		if err := db.write.QueryRowContext(ctx, "SELECT sql FROM sqlite_schema WHERE name = 'desk_tickets'").Scan(&ddl); err != nil {
			b.Fatal(err)
		}
		if _, err := db.write.ExecContext(ctx, strings.Replace(ddl, "desk_tickets", "floor_tickets", 1)); err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		for i := 0; i < n; i += batch {
			err := db.writeTx(ctx, func(tx *sql.Tx) error {
				st, err := tx.PrepareContext(ctx, strings.Replace(upsertTicketSQL[:strings.Index(upsertTicketSQL, "ON CONFLICT")], "desk_tickets", "floor_tickets", 1))
				if err != nil {
					return err
				}
				defer st.Close()
				for _, t := range ts[i : i+batch] {
					if _, err := st.ExecContext(ctx, t.OrgID, t.ID, t.Number, t.Subject, t.Description, t.Status, t.StatusType, t.Priority,
						t.Channel, t.Email, t.Phone, t.ContactID, t.ContactName, t.ContactEmail, app.NormalizeEmail(t.ContactEmail),
						t.AccountID, t.DepartmentID, t.AssigneeID, toDBz(t.DueDate), b2i(t.IsOverdue), b2i(t.IsEscalated),
						toDBz(t.CreatedTime), toDBz(t.ModifiedTime), toDBz(t.ClosedTime), t.ThreadCount, t.CommentCount, t.WebURL,
						toDBz(t.DetailSynced), b2i(t.DetailWanted), rawJSON(t.Raw)); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		floor += time.Since(start)
		end()
		db.Close()
		b.StartTimer()
	}
	runs := float64(b.N)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 / runs }
	b.ReportMetric(ms(first), "first5-median-batch-ms")
	b.ReportMetric(ms(last), "last5-median-batch-ms")
	b.ReportMetric(float64(last)/float64(first), "x-last/first")
	b.ReportMetric(ms(total), "total-ms")
	b.ReportMetric(ms(floor), "floor-total-ms")
	b.ReportMetric(float64(total)/float64(floor), "x-floor")
}

// median returns the median of ds (which it sorts).
func median(ds []time.Duration) time.Duration {
	slices.Sort(ds)
	return ds[len(ds)/2]
}

// TestBulkLoad: during a bulk load the log grows to the import's
// threshold before a checkpoint; end brings back the usual one.
func TestBulkLoad(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	pages := func() int {
		t.Helper()
		var n int
		if err := db.write.QueryRowContext(ctx, "PRAGMA wal_autocheckpoint").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	end, err := db.BeginBulkLoad(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n := pages(); n != importCheckpointPages {
		t.Errorf("during a bulk load: %d pages", n)
	}
	end()
	if n := pages(); n != writerCheckpointPages {
		t.Errorf("after: %d pages", n)
	}
}
