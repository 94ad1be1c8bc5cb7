package store

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tandem-crm/tandem/app"
)

// TestIndexContactsPlan: the index strip of all contacts walks the narrow
// covering index in group order; a walk of the contact rows sorted into
// groups cost 180 ms at 100k contacts.
func TestIndexContactsPlan(t *testing.T) {
	db := openTest(t)
	plan := queryPlan(t, db, indexContactsSQL(""))
	joined := strings.Join(plan, "\n")
	if !strings.Contains(joined, "COVERING INDEX contacts_sort_initial") || strings.Contains(joined, "TEMP B-TREE FOR GROUP BY") {
		t.Errorf("IndexContacts does not walk contacts_sort_initial; plan:\n%s", joined)
	}
}

// BenchmarkIndexContacts100k: the index strip over 100k contacts, beside
// the old plan (the same query over the table rows, NOT INDEXED: x-old) and
// the floor, a count of every contact from the narrowest index (any plan
// that counts each group must visit every contact: x-floor).
func BenchmarkIndexContacts100k(b *testing.B) {
	db := benchDB(b)
	ctx := context.Background()
	var ours, old, floor time.Duration
	for b.Loop() {
		start := time.Now()
		idx, err := db.IndexContacts(ctx, app.ContactFilter{})
		ours += time.Since(start)
		if err != nil || len(idx) < 10 {
			b.Fatal(err, len(idx))
		}
		b.StopTimer()
		start = time.Now()
		if _, err := db.index(ctx, strings.Replace(indexContactsSQL(""), "contacts c", "contacts c NOT INDEXED", 1), nil); err != nil {
			b.Fatal(err)
		}
		old += time.Since(start)
		start = time.Now()
		var n int
		if err := db.read.QueryRowContext(ctx, "SELECT count(*) FROM contacts").Scan(&n); err != nil || n < benchContacts {
			b.Fatal(err, n)
		}
		floor += time.Since(start)
		b.StartTimer()
	}
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 / float64(b.N) }
	b.ReportMetric(ms(ours), "index-ms")
	b.ReportMetric(ms(old), "old-plan-ms")
	b.ReportMetric(float64(ours)/float64(old), "x-old")
	b.ReportMetric(ms(floor), "floor-count-ms")
	b.ReportMetric(float64(ours)/float64(floor), "x-floor")
}

// BenchmarkImportContactsIndexCost: what the index of migration 0014 adds
// to an import: 20k contacts into a new database with it and (the same
// run) with it dropped (x-index; imports must not get measurably slower).
func BenchmarkImportContactsIndexCost(b *testing.B) {
	ctx := context.Background()
	const n = 20_000
	g := newGen(3)
	cs := make([]app.Contact, n)
	for i := range cs {
		cs[i] = g.contact(i, 0)
		cs[i].CompanyName = fmt.Sprintf("Import Co %d", i%500)
	}
	var with, without time.Duration
	for b.Loop() {
		for _, keep := range []bool{false, true} {
			b.StopTimer()
			db, err := Open(ctx, filepath.Join(b.TempDir(), "import.db"))
			if err != nil {
				b.Fatal(err)
			}
			if !keep {
				if _, err := db.write.ExecContext(ctx, "DROP INDEX contacts_sort_initial"); err != nil {
					b.Fatal(err)
				}
			}
			b.StartTimer()
			start := time.Now()
			res, err := db.ImportContacts(ctx, cs)
			if keep {
				with += time.Since(start)
			} else {
				without += time.Since(start)
			}
			if err != nil || res.Inserted != n {
				b.Fatal(err, res.Inserted)
			}
			b.StopTimer()
			db.Close()
			b.StartTimer()
		}
	}
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 / float64(b.N) }
	b.ReportMetric(ms(with), "import-ms")
	b.ReportMetric(ms(without), "floor-without-index-ms")
	b.ReportMetric(float64(with)/float64(without), "x-index")
}

// TestTicketDocsBackfill: migration 0014 writes the ticket documents of
// what an older store indexed, so its tickets are found after the update.
func TestTicketDocsBackfill(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	if err := db.UpsertTickets(ctx, []app.Ticket{{OrgID: "o1", ID: "t1", Number: "1", Subject: "Printer jam", CreatedTime: at},
		{OrgID: "o1", ID: "t2", Number: "2", Subject: "請求書の件", CreatedTime: at}}); err != nil {
		t.Fatal(err)
	}
	if err := db.StoreConversation(ctx, "o1", "t1", at, []app.Thread{{OrgID: "o1", TicketID: "t1", ID: "h1", Content: "<p>株式会社山田商事より</p>", CreatedTime: at}}, nil); err != nil {
		t.Fatal(err)
	}
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	var m string
	for _, x := range ms {
		if strings.Contains(x.sql, "CREATE VIRTUAL TABLE desk_search_ticket_fts") {
			m = x.sql
		}
	}
	backfill := m[strings.Index(m, "INSERT INTO desk_search_tickets"):]
	// A store as 0013 left it: documents per message only; then 0014's
	// backfill and 0016's (the hits).
	for _, q := range []string{"DELETE FROM desk_search_ticket_fts", "DELETE FROM desk_search_tickets", backfill, hitsBackfill(t)} {
		if _, err := db.write.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	for q, want := range map[string]string{"pri": "t1", "山田": "t1", "請求": "t2"} {
		hits, err := db.SearchTickets(ctx, "o1", q, 50)
		if err != nil || len(hits) != 1 || hits[0].Ticket.Ticket.ID != want {
			t.Errorf("after the backfill, %q finds %+v %v, want %s", q, hits, err, want)
		}
	}
}

// hitsBackfill is migration 0016's statement that fills the hits of the
// ticket documents a store had.
func hitsBackfill(t *testing.T) string {
	t.Helper()
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if i := strings.Index(m.sql, "UPDATE desk_search_tickets SET hit ="); i >= 0 && strings.Contains(m.sql, "ADD COLUMN hit") {
			q, _, _ := strings.Cut(m.sql[i:], ";")
			return q
		}
	}
	t.Fatal("no migration fills desk_search_tickets.hit")
	return ""
}

// TestSearchHitsFollowTheTicket: a hit shows the ticket as it is now: a
// status, subject or contact changed after its text was indexed, text of
// any bytes (Japanese, emoji, colons, digits, a NUL), a ticket whose
// conversation was indexed before the ticket itself was cached (found
// once it is), a ticket whose row went, and a store whose hits the
// migration filled.
func TestSearchHitsFollowTheTicket(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	odd := "12:34 請求書 🧾 a\x00b 7:"
	tk := app.Ticket{OrgID: "o1", ID: "t1", Number: "101", Subject: "Printer jam", Status: "Open", StatusType: "Open",
		ContactName: "山田 太郎", ContactEmail: "taro@example.jp", CreatedTime: at, ModifiedTime: at}
	if err := db.UpsertTickets(ctx, []app.Ticket{tk}); err != nil {
		t.Fatal(err)
	}
	one := func(q string) app.Ticket {
		t.Helper()
		hits, err := db.SearchTickets(ctx, "o1", q, 50)
		if err != nil || len(hits) != 1 {
			t.Fatalf("%q: %+v %v", q, hits, err)
		}
		return hits[0].Ticket.Ticket
	}
	if got := one("printer"); got.ID != "t1" || got.Number != "101" || got.Status != "Open" || got.ContactName != "山田 太郎" ||
		got.ContactEmail != "taro@example.jp" || !got.CreatedTime.Equal(at) {
		t.Fatalf("hit %+v", got)
	}
	tk.Status, tk.StatusType, tk.ContactName, tk.ModifiedTime = "On Hold", "On Hold", odd, at.Add(time.Hour)
	if err := db.UpsertTickets(ctx, []app.Ticket{tk}); err != nil {
		t.Fatal(err)
	}
	if got := one("printer"); got.Status != "On Hold" || got.StatusType != "On Hold" || got.ContactName != odd || got.Subject != "Printer jam" {
		t.Fatalf("after a status change: %+v", got)
	}
	// The conversation first, the ticket's row later.
	if err := db.StoreConversation(ctx, "o1", "t2", at, []app.Thread{{OrgID: "o1", TicketID: "t2", ID: "h1", Content: "<p>toner empty</p>", CreatedTime: at}}, nil); err != nil {
		t.Fatal(err)
	}
	if hits, err := db.SearchTickets(ctx, "o1", "toner", 50); err != nil || len(hits) != 0 {
		t.Fatalf("a ticket without its row: %+v %v", hits, err)
	}
	if err := db.UpsertTickets(ctx, []app.Ticket{{OrgID: "o1", ID: "t2", Number: "102", Subject: odd, Status: "Open", CreatedTime: at, ModifiedTime: at}}); err != nil {
		t.Fatal(err)
	}
	if got := one("toner"); got.ID != "t2" || got.Number != "102" || got.Subject != odd {
		t.Fatalf("once cached: %+v", got)
	}
	// A store whose hits 0016 filled.
	if _, err := db.write.ExecContext(ctx, "UPDATE desk_search_tickets SET hit = NULL"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.write.ExecContext(ctx, hitsBackfill(t)); err != nil {
		t.Fatal(err)
	}
	if got := one("toner"); got.Subject != odd {
		t.Fatalf("after the backfill: %+v", got)
	}
	if _, err := db.write.ExecContext(ctx, "DELETE FROM desk_tickets WHERE org_id = 'o1' AND id = 't2'"); err != nil {
		t.Fatal(err)
	}
	if hits, err := db.SearchTickets(ctx, "o1", "toner", 50); err != nil || len(hits) != 0 {
		t.Fatalf("a ticket whose row went: %+v %v", hits, err)
	}
}

// TestTicketSearchPlans: the search walks the ticket documents' FTS index
// in rowid order (no sort of every match) and reads each hit from the row
// that numbers its document, by key (not from desk_tickets, whose rows
// spill into overflow pages);
// locating a hit reads the ticket's documents by key, each probed in the
// per-message index.
func TestTicketSearchPlans(t *testing.T) {
	db := openTest(t)
	search := strings.Join(queryPlan(t, db, searchTicketsSQL), "\n")
	for _, want := range []string{"SCAN f VIRTUAL TABLE", "SEARCH t USING INTEGER PRIMARY KEY"} {
		if !strings.Contains(search, want) {
			t.Errorf("search plan lacks %q:\n%s", want, search)
		}
	}
	if strings.Contains(search, "TEMP B-TREE") || strings.Contains(search, "desk_tickets") {
		t.Errorf("search sorts its matches or reads the tickets' rows:\n%s", search)
	}
	locate := strings.Join(queryPlan(t, db, locateHitSQL), "\n")
	if !strings.Contains(locate, "SEARCH d USING") || !strings.Contains(locate, "(org_id=? AND ticket_id=?)") {
		t.Errorf("locating a hit does not read the ticket's documents by key:\n%s", locate)
	}
}
