package store

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tandem-crm/tandem/app"
)

// TestTicketsTableRebuilt: migration 0017 turns a store's desk_tickets
// (as 0016 left it, WITHOUT ROWID) into a rowid table that holds the same
// rows, column for column, with the same indexes, triggers and hit view,
// which go on working: a new ticket is counted and found, a changed
// subject moves its hit, an upsert of a known ticket stays one row.
func TestTicketsTableRebuilt(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "tandem.db")
	// A store at the version before, with tickets in two portals (one with
	// its conversation indexed, so it has a hit).
	raw, conn := storeBefore(t, path, "tickets_rowid")
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	var ts []app.Ticket
	for i := range 8 {
		ts = append(ts, app.Ticket{OrgID: fmt.Sprint("o", i%2), ID: fmt.Sprint(9_000_000 - i*7), Number: fmt.Sprint(100 + i),
			Subject: fmt.Sprintf("請求書 %d 🧾", i), Description: "<p>desc</p>", Status: "Open", StatusType: "Open",
			ContactID: "c1", ContactName: "山田 太郎", ContactEmail: "Taro@Example.jp", AccountID: "a1", DueDate: at.Add(time.Hour),
			IsOverdue: i%3 == 0, CreatedTime: at, ModifiedTime: at.Add(time.Duration(i) * time.Minute), ThreadCount: i,
			DetailWanted: i%2 == 0, Raw: []byte(fmt.Sprintf(`{"id":"%d"}`, i))})
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := upsertTickets(ctx, tx, ts); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	dump := func(q func(string, ...any) (*sql.Rows, error)) []string {
		t.Helper()
		rows, err := q("SELECT * FROM desk_tickets ORDER BY org_id, id")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		cols, _ := rows.Columns()
		var out []string
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			for i, c := range cols {
				fmt.Fprintf(&b, "%s=%v ", c, vals[i])
			}
			out = append(out, b.String())
		}
		return out
	}
	schema := func(q func(string, ...any) (*sql.Rows, error)) []string {
		t.Helper()
		rows, err := q(`SELECT type || ' ' || name FROM sqlite_schema WHERE tbl_name = 'desk_tickets' OR name = 'desk_ticket_hits'
			ORDER BY 1`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			out = append(out, s)
		}
		return out
	}
	query := func(q string, args ...any) (*sql.Rows, error) { return conn.QueryContext(ctx, q, args...) }
	before, beforeSchema := dump(query), schema(query)
	var hitsBefore int
	if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM desk_search_tickets WHERE hit IS NOT NULL").Scan(&hitsBefore); err != nil {
		t.Fatal(err)
	}
	conn.Close()
	raw.Close()

	db := openAt(t, path)
	read := func(q string, args ...any) (*sql.Rows, error) { return db.read.QueryContext(ctx, q, args...) }
	if after := dump(read); !slices.Equal(after, before) {
		t.Errorf("rows after the rebuild:\n%s\nwant:\n%s", strings.Join(after, "\n"), strings.Join(before, "\n"))
	}
	var def string
	if err := db.read.QueryRowContext(ctx, "SELECT sql FROM sqlite_schema WHERE name = 'desk_tickets'").Scan(&def); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(strings.ToUpper(def), "WITHOUT ROWID") {
		t.Errorf("desk_tickets is still WITHOUT ROWID: %s", def)
	}
	// The same objects as before, plus the unique index that replaces the
	// primary key.
	want := append(slices.Clone(beforeSchema), "index sqlite_autoindex_desk_tickets_1")
	slices.Sort(want)
	if got := schema(read); !slices.Equal(got, want) {
		t.Errorf("desk_tickets' schema objects: %v, want %v", got, want)
	}
	var hits int
	if err := db.read.QueryRowContext(ctx, "SELECT count(*) FROM desk_search_tickets WHERE hit IS NOT NULL").Scan(&hits); err != nil {
		t.Fatal(err)
	}
	if hits != hitsBefore || hits == 0 {
		t.Errorf("%d hits after the rebuild, %d before", hits, hitsBefore)
	}

	// The triggers still fire: a new ticket is counted and found; a changed
	// subject moves its hit; the same ticket again is still one row.
	n0, err := db.CountTickets(ctx, "o1")
	if err != nil {
		t.Fatal(err)
	}
	nt := app.Ticket{OrgID: "o1", ID: "42", Number: "142", Subject: "Printer jam", CreatedTime: at, ModifiedTime: at}
	ch := ts[1]
	ch.Subject, ch.ModifiedTime = "見積書の件", at.Add(time.Hour)
	if err := db.UpsertTickets(ctx, []app.Ticket{nt, ch, ts[3]}); err != nil {
		t.Fatal(err)
	}
	if n, err := db.CountTickets(ctx, "o1"); err != nil || n != n0+1 {
		t.Errorf("o1 counts %d tickets (%v), want %d", n, err, n0+1)
	}
	for q, id := range map[string]string{"printer": nt.ID, "見積": ch.ID} {
		hs, err := db.SearchTickets(ctx, "o1", q, 50)
		if err != nil || len(hs) != 1 || hs[0].Ticket.Ticket.ID != id || hs[0].Ticket.Ticket.Subject == ts[1].Subject {
			t.Errorf("%q finds %+v (%v), want ticket %s as it is now", q, hs, err, id)
		}
	}
	if rows := dump(read); len(rows) != len(ts)+1 {
		t.Errorf("%d rows after upserting one new and two known tickets, want %d", len(rows), len(ts)+1)
	}
}

// storeBefore makes a store at path as the migrations before the one named
// like name left it (no store code runs on it), and returns its database
// and connection.
func storeBefore(t *testing.T, path, name string) (*sql.DB, *sql.Conn) {
	t.Helper()
	ctx := context.Background()
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	v := slices.IndexFunc(ms, func(m migration) bool { return strings.Contains(m.name, name) })
	if v < 0 {
		t.Fatalf("no migration named like %q", name)
	}
	raw, err := sql.Open(driverName, path)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := raw.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms[:v] {
		if err := applyMigration(ctx, conn, m); err != nil {
			t.Fatal(m.name, err)
		}
	}
	return raw, conn
}
