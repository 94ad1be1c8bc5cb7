package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"modernc.org/sqlite"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/app/secrets/secretstest"
	tsync "github.com/tandem-crm/tandem/sync"
	"github.com/tandem-crm/tandem/sync/desk"
	"github.com/tandem-crm/tandem/sync/deskemu"
	"github.com/tandem-crm/tandem/sync/signals"
)

// traced records the statements run through the "sqlite-traced" driver
// while on is set.
var traced struct {
	mu    gosync.Mutex
	on    bool
	stmts []string
}

func traceStmt(q string) {
	traced.mu.Lock()
	if traced.on {
		traced.stmts = append(traced.stmts, q)
	}
	traced.mu.Unlock()
}

// tracingDriver wraps modernc's driver: every statement prepared, queried
// or executed is recorded; everything else is the wrapped connection's.
type tracingDriver struct{ sqlite.Driver }

func (d *tracingDriver) Open(name string) (driver.Conn, error) {
	c, err := d.Driver.Open(name)
	if err != nil {
		return nil, err
	}
	return &tracingConn{c}, nil
}

type tracingConn struct{ driver.Conn }

type fullConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
}

func (c *tracingConn) full() fullConn { return c.Conn.(fullConn) }

func (c *tracingConn) Prepare(q string) (driver.Stmt, error) {
	traceStmt(q)
	return c.Conn.Prepare(q)
}

func (c *tracingConn) PrepareContext(ctx context.Context, q string) (driver.Stmt, error) {
	traceStmt(q)
	return c.full().PrepareContext(ctx, q)
}

func (c *tracingConn) BeginTx(ctx context.Context, o driver.TxOptions) (driver.Tx, error) {
	return c.full().BeginTx(ctx, o)
}

func (c *tracingConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	traceStmt(q)
	return c.full().ExecContext(ctx, q, args)
}

func (c *tracingConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	traceStmt(q)
	return c.full().QueryContext(ctx, q, args)
}

func (c *tracingConn) CheckNamedValue(nv *driver.NamedValue) error {
	if ch, ok := c.Conn.(driver.NamedValueChecker); ok {
		return ch.CheckNamedValue(nv)
	}
	return driver.ErrSkip
}

func (c *tracingConn) ResetSession(ctx context.Context) error {
	if r, ok := c.Conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

var registerTraced gosync.Once

// openTraced opens a store whose statements are recorded while traced.on.
func openTraced(t *testing.T) *DB {
	t.Helper()
	registerTraced.Do(func() { sql.Register("sqlite-traced", &tracingDriver{}) })
	driverName = "sqlite-traced"
	defer func() { driverName = "sqlite" }()
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "traced.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// growingTables are the tables whose size follows the data: a pass must
// reach their rows through an index on what it looks for, never walk them
// (nor walk a whole portal's share of them through an org_id prefix).
var growingTables = []string{
	"contacts", "companies", "pipeline_records", "contacts_fts", "companies_fts",
	"desk_remote", "desk_links", "desk_tickets", "desk_threads", "desk_comments", "desk_ticket_origins",
	"signals", "crm_changes", "crm_deletions", "desk_outbox", "desk_conflicts", "desk_sync_errors",
}

// aliasRE finds "FROM table alias" and "JOIN table alias" in a statement.
var aliasRE = regexp.MustCompile(`(?i)\b(?:FROM|JOIN)\s+(\w+)(?:\s+AS)?\s+(\w+)`)

// tableAliases maps each alias of a statement to its table; plans name
// tables by their alias.
func tableAliases(q string) map[string]string {
	out := map[string]string{}
	for _, m := range aliasRE.FindAllStringSubmatch(q, -1) {
		out[m[2]] = m[1]
	}
	return out
}

// walks reports whether one step of a query plan reads a growing table
// through no index, or through an index prefix that only names the portal.
func walks(step string, aliases map[string]string) (string, bool) {
	f := strings.Fields(step)
	if len(f) < 2 || (f[0] != "SCAN" && f[0] != "SEARCH") {
		return "", false
	}
	table := f[1]
	if t, ok := aliases[table]; ok {
		table = t
	}
	if !slices.Contains(growingTables, table) {
		return "", false
	}
	if f[0] == "SCAN" {
		return table, true
	}
	return table, onlyPortal(step) && !partialIndex(step)
}

// onlyPortal reports whether a SEARCH step's constraints name no more than
// the portal and the kind of record ("(org_id=? AND kind=?)"): a walk over
// all of a portal's rows of that kind.
func onlyPortal(step string) bool {
	i, j := strings.LastIndexByte(step, '('), strings.LastIndexByte(step, ')')
	if i < 0 || j < i {
		return false
	}
	for _, c := range strings.Split(step[i+1:j], " AND ") {
		if c != "org_id=?" && c != "kind=?" {
			return false
		}
	}
	return true
}

// partialIndex reports whether a step uses one of the partial indexes whose
// rows are only the few a pass has work for (wanted conversations, flagged
// overdue tickets, unsent outbox items, contact links whose company is
// held), so a walk over them is O(what changed).
func partialIndex(step string) bool {
	f := strings.Fields(step)
	for i := 0; i+1 < len(f); i++ {
		if f[i] == "INDEX" {
			return slices.Contains([]string{"desk_tickets_wanted", "desk_tickets_wanted_by_time", "desk_tickets_flagged_unsignalled", "desk_tickets_unindexed", "desk_outbox_open", "desk_outbox_record", "desk_links_held_account"}, f[i+1])
		}
	}
	return false
}

// TestNoChangePassSearches runs real sync passes (the sync service and the
// signals detector, against the emulator over loopback) on a store that
// records every statement, once the portal is in step — a poll of the
// running service and the first pass of a new one, as a fresh process
// makes — and asks SQLite for the plan of each statement: none may walk a
// table that grows with the data. So the test follows whatever the passes
// do, not a list kept by hand.
func TestNoChangePassSearches(t *testing.T) {
	if testing.Short() {
		t.Skip("runs sync passes")
	}
	ctx := context.Background()
	emu := deskemu.New(deskemu.Options{Seed: 1, Contacts: 60, Accounts: 15, Tickets: 300})
	run, err := emu.Start("")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = run.Close() })
	db := openTraced(t)
	secrets := secretstest.New()
	det, err := signals.New(signals.Options{Store: db})
	if err != nil {
		t.Fatal(err)
	}
	info := emu.Info()
	newService := func() *tsync.Service {
		svc, err := tsync.New(tsync.Options{
			Store: db, CRM: app.CRM{Contacts: db, Companies: db, Pipelines: db}, Secrets: secrets,
			OAuth:    tsync.OAuthClient{ClientID: info.ClientID, ClientSecret: info.ClientSecret},
			BaseURL:  run.URL,
			Retry:    desk.RetryPolicy{MaxAttempts: 2, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond, MaxWait: 10 * time.Millisecond},
			Detector: det,
		})
		if err != nil {
			t.Fatal(err)
		}
		return svc
	}
	svc := newService()
	if _, err := svc.Configure(ctx, tsync.ConfigureParams{OrgID: emu.DefaultOrgID(), Mode: app.SyncTwoWay, RefreshToken: info.Users[0].RefreshToken}); err != nil {
		t.Fatal(err)
	}
	for range 2 { // the first sync, then one that settles what it wrote
		if err := svc.SyncOnce(ctx); err != nil {
			t.Fatal(err)
		}
	}

	// A pass of the same service (the app's next poll), then the first pass
	// of a new one (the next start of the app or of `tandem desk sync`).
	traced.mu.Lock()
	traced.on, traced.stmts = true, nil
	traced.mu.Unlock()
	err = svc.SyncOnce(ctx)
	if err == nil {
		err = newService().SyncOnce(ctx)
	}
	traced.mu.Lock()
	traced.on = false
	stmts := traced.stmts
	traced.mu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	if len(stmts) < 5 {
		t.Fatalf("the pass ran only %d statements: is the trace wired?", len(stmts))
	}

	seen := map[string]bool{}
	checked := 0
	for _, q := range stmts {
		q = strings.TrimSpace(q)
		if seen[q] {
			continue
		}
		seen[q] = true
		head := strings.ToUpper(strings.Fields(q + " x")[0])
		if !slices.Contains([]string{"SELECT", "WITH", "INSERT", "UPDATE", "DELETE"}, head) {
			continue // BEGIN, COMMIT, PRAGMA
		}
		plan := queryPlan(t, db, q)
		checked++
		aliases := tableAliases(q)
		for _, step := range plan {
			if table, bad := walks(step, aliases); bad {
				t.Errorf("a no-change pass walks %s: %q\nstatement: %s\nplan:\n  %s", table, step, oneLine(q), strings.Join(plan, "\n  "))
			}
		}
	}
	t.Logf("%d statements in the pass, %d distinct plans checked", len(stmts), checked)
	if testing.Verbose() {
		for q := range seen {
			t.Log(oneLine(q))
		}
	}
}

// TestSignalSearches: the signals' cursor (the newest ticket modification)
// is one step down its index, and the overdue searches walk indexes that
// hold only the tickets not signalled yet (10k past-due tickets already
// signalled were read whole on every pass: 290 MB).
func TestSignalSearches(t *testing.T) {
	db := openTest(t)
	for _, c := range []struct{ query, want string }{
		{latestTicketSQL, "desk_tickets_modified"},
		{"SELECT id, modified_time, thread_count, comment_count, detail_synced, is_overdue, is_escalated FROM desk_tickets INDEXED BY desk_tickets_stamps WHERE org_id = ? AND id IN (?, ?)", "COVERING INDEX desk_tickets_stamps"},
		{overdueByDate, "INDEX desk_tickets_due_unsignalled (org_id=? AND due_date>? AND due_date<?)"},
		{overdueByFlag, "INDEX desk_tickets_flagged_unsignalled (org_id=?)"},
	} {
		plan := strings.Join(queryPlan(t, db, c.query), "\n")
		if !strings.Contains(plan, c.want) {
			t.Errorf("plan of %s:\n%s\nwant %s", oneLine(c.query), plan, c.want)
		}
	}
}

// TestRemoteByKeySearch: a first sync's dedupe looks up every fresh
// contact's email key; the lookup must go down the key's index, not walk
// the portal's contacts in primary-key order (which SQLite preferred for
// the ORDER BY: 14 s of a 10k-contact first sync).
func TestRemoteByKeySearch(t *testing.T) {
	db := openTest(t)
	plan := queryPlan(t, db, remoteByKeySQL)
	joined := strings.Join(plan, "\n")
	if !strings.Contains(joined, "INDEX desk_remote_key (org_id=? AND kind=? AND match_key=?)") {
		t.Errorf("plan of %s:\n%s\nwant the match key's index", oneLine(remoteByKeySQL), joined)
	}
	if strings.Contains(joined, "TEMP B-TREE") {
		t.Errorf("plan of %s sorts:\n%s", oneLine(remoteByKeySQL), joined)
	}
}

// queryPlan returns the steps of SQLite's plan for q, its parameters unbound.
func queryPlan(t *testing.T, db *DB, q string) []string {
	t.Helper()
	conn, err := db.write.Conn(context.Background()) // the writer: it may plan writes
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// modernc wants every parameter bound, even for a plan: NULLs do.
	rows, err := conn.QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+q, make([]any, countParams(q))...)
	if err != nil {
		t.Fatalf("explain %s: %v", oneLine(q), err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return plan
}

func oneLine(q string) string { return strings.Join(strings.Fields(q), " ") }

// countParams returns how many arguments q takes: its "?" outside quotes,
// or the highest N of its "?N".
func countParams(q string) int {
	plain, numbered := 0, 0
	inQuote := rune(0)
	rs := []rune(q)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case inQuote != 0:
			if r == inQuote {
				inQuote = 0
			}
		case r == '\'' || r == '"':
			inQuote = r
		case r == '?':
			j := i + 1
			n := 0
			for j < len(rs) && rs[j] >= '0' && rs[j] <= '9' {
				n = n*10 + int(rs[j]-'0')
				j++
			}
			if j == i+1 {
				plain++
			} else {
				numbered = max(numbered, n)
			}
			i = j - 1
		}
	}
	return max(plain, numbered)
}
