package store

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tandem-crm/tandem/app"
)

func TestSignalsInsertOnceAcrossReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "tandem.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	in := []app.Signal{
		{OrgID: "o1", Key: "reply:1", Kind: app.SignalNewReply, TicketID: "t1", Title: "Reply · #1 A", CreatedAt: t0},
		{OrgID: "o1", Key: "reply:2", Kind: app.SignalNewReply, TicketID: "t1", Title: "Reply · #1 B", CreatedAt: t0.Add(time.Minute)},
		{OrgID: "o1", Key: "reply:1", Kind: app.SignalNewReply, TicketID: "t1", Title: "duplicate in one call", CreatedAt: t0},
		{OrgID: "o2", Key: "reply:1", Kind: app.SignalNewReply, TicketID: "t9", Title: "other portal", CreatedAt: t0.Add(2 * time.Minute)},
		{OrgID: "o1", Key: "overdue:t1:0", Kind: app.SignalOverdue, Hidden: true, Read: true, Notified: true, CreatedAt: t0},
	}
	got, err := db.InsertSignals(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 4 || got[0].ID == 0 || got[2].Title != "other portal" {
		t.Fatalf("InsertSignals = %+v", got)
	}
	if err := db.MarkSignalsNotified(ctx, []int64{got[0].ID}); err != nil {
		t.Fatal(err)
	}
	db.Close()

	db = openAt(t, path)
	again, err := db.InsertSignals(ctx, in)
	if err != nil || len(again) != 0 {
		t.Fatalf("after reopen InsertSignals = %+v, %v; want nothing new", again, err)
	}
	feed, err := db.ListSignals(ctx, app.SignalFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(feed) != 3 || feed[0].Title != "other portal" || feed[2].Key != "reply:1" || !feed[2].Notified || feed[1].Notified {
		t.Fatalf("feed = %+v", feed)
	}
	if !feed[2].CreatedAt.Equal(t0) || feed[2].Kind != app.SignalNewReply {
		t.Errorf("round trip: %+v", feed[2])
	}
	if n, _ := db.UnreadSignalCount(ctx, ""); n != 3 {
		t.Errorf("unread = %d, want 3", n)
	}
	if n, _ := db.UnreadSignalCount(ctx, "o1"); n != 2 {
		t.Errorf("unread o1 = %d, want 2", n)
	}
	if err := db.MarkSignalRead(ctx, feed[0].ID); err != nil {
		t.Fatal(err)
	}
	wantCode(t, db.MarkSignalRead(ctx, 9999), app.ENOTFOUND)
	if unread, _ := db.ListSignals(ctx, app.SignalFilter{UnreadOnly: true, OrgID: "o1", Limit: 1}); len(unread) != 1 || unread[0].Key != "reply:2" {
		t.Errorf("unread page = %+v", unread)
	}
	if err := db.MarkAllSignalsRead(ctx, ""); err != nil {
		t.Fatal(err)
	}
	if n, _ := db.UnreadSignalCount(ctx, ""); n != 0 {
		t.Errorf("unread after all read = %d", n)
	}
}

func openAt(t *testing.T, path string) *DB {
	t.Helper()
	db, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestSignalPrefsAndBaseline(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	p, err := db.SignalPrefs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range app.SignalKinds {
		if !p.On(k) {
			t.Errorf("default prefs: %s off", k)
		}
	}
	p.Enabled[app.SignalNewComment] = false
	p.DoNotDisturb, p.AllTickets = true, true
	if err := db.SetSignalPrefs(ctx, p); err != nil {
		t.Fatal(err)
	}
	q, err := db.SignalPrefs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if q.On(app.SignalNewComment) || !q.On(app.SignalMention) || !q.DoNotDisturb || !q.AllTickets {
		t.Errorf("prefs round trip = %+v", q)
	}
	if !q.DoNotDisturbUntil.IsZero() {
		t.Errorf("do not disturb until %v, never set", q.DoNotDisturbUntil)
	}
	until := time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)
	q.DoNotDisturb, q.DoNotDisturbUntil = false, until
	if err := db.SetSignalPrefs(ctx, q); err != nil {
		t.Fatal(err)
	}
	if r, err := db.SignalPrefs(ctx); err != nil || !r.DoNotDisturbUntil.Equal(until) || r.DoNotDisturb ||
		!r.Quiet(until.Add(-time.Minute)) || r.Quiet(until) {
		t.Errorf("do not disturb until: %+v %v", r, err)
	}
	bad := app.DefaultSignalPrefs()
	bad.Enabled["bogus"] = true
	wantCode(t, db.SetSignalPrefs(ctx, bad), app.EINVALID)

	if _, ok, err := db.SignalBaseline(ctx, "o1"); ok || err != nil {
		t.Fatalf("baseline before = %v, %v", ok, err)
	}
	at := time.Date(2026, 3, 1, 9, 0, 0, 123e6, time.UTC)
	if err := db.SetSignalBaseline(ctx, "o1", at); err != nil {
		t.Fatal(err)
	}
	if got, ok, err := db.SignalBaseline(ctx, "o1"); !ok || err != nil || !got.Equal(at) {
		t.Fatalf("baseline = %v, %v, %v", got, ok, err)
	}
}

func TestSignalTicketsFindTheRecord(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	co := mustCompany(t, db, "株式会社山田商事", "")
	taro := mustContact(t, db, "太郎", "山田", "Taro@Yamada.example", co.ID)
	hana := mustContact(t, db, "Hana", "Sato", "hana@example.com", 0)
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	p := &app.Portal{OrgID: "o1", Name: "Portal", Mode: app.SyncNone, Active: true}
	if err := db.SavePortal(ctx, p); err != nil {
		t.Fatal(err)
	}
	ts := []app.Ticket{
		{OrgID: "o1", ID: "t-email", Number: "101", Subject: "By email", ContactID: "dc1", ContactEmail: "taro@yamada.example", StatusType: "Open", ModifiedTime: now},
		{OrgID: "o1", ID: "t-link", Number: "102", Subject: "Linked", ContactID: "dc2", ContactEmail: "someone@else.example", StatusType: "Open",
			DueDate: now.Add(-time.Hour), ModifiedTime: now.Add(time.Minute)},
		{OrgID: "o1", ID: "t-none", Number: "103", Subject: "Nobody", ContactID: "dc3", ContactEmail: "x@y.example", StatusType: "Open", IsOverdue: true, ModifiedTime: now},
		{OrgID: "o1", ID: "t-closed", Number: "104", Subject: "Closed late", ContactID: "dc3", StatusType: "Closed", DueDate: now.Add(-time.Hour), ModifiedTime: now},
		{OrgID: "o1", ID: "t-future", Number: "105", Subject: "Due later", ContactID: "dc2", StatusType: "Open", DueDate: now.Add(time.Hour), ModifiedTime: now},
	}
	if err := db.UpsertTickets(ctx, ts); err != nil {
		t.Fatal(err)
	}
	if err := db.SaveLink(ctx, &app.Link{OrgID: "o1", Kind: app.KindContact, CRMID: hana.ID, DeskID: "dc2"}); err != nil {
		t.Fatal(err)
	}
	got, err := db.SignalTickets(ctx, "o1", []string{"t-email", "t-link", "t-none", "missing"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("SignalTickets = %+v", got)
	}
	if g := got["t-email"]; g.RecordKind != app.KindContact || g.RecordID != taro.ID || g.RecordName != "山田 太郎" || g.Ticket.Subject != "By email" {
		t.Errorf("t-email = %+v", g)
	}
	if g := got["t-link"]; g.RecordKind != app.KindContact || g.RecordID != hana.ID || g.RecordName != "Hana Sato" {
		t.Errorf("t-link = %+v", g)
	}
	if g := got["t-none"]; g.RecordKind != "" || g.RecordID != 0 {
		t.Errorf("t-none = %+v", g)
	}
	if err := db.SetTicketOrigin(ctx, "o1", "t-none", app.KindCompany, co.ID); err != nil {
		t.Fatal(err)
	}
	got, _ = db.SignalTickets(ctx, "o1", []string{"t-none"})
	if g := got["t-none"]; g.RecordKind != app.KindCompany || g.RecordID != co.ID || g.RecordName != "株式会社山田商事" {
		t.Errorf("t-none with origin = %+v", g)
	}

	over, err := db.OverdueTickets(ctx, "o1", now)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, o := range over {
		ids[o.Ticket.ID] = true
	}
	if len(over) != 2 || !ids["t-link"] || !ids["t-none"] {
		t.Errorf("OverdueTickets = %v", ids)
	}
	if latest, _ := db.LatestTicketModified(ctx, "o1"); !latest.Equal(now.Add(time.Minute)) {
		t.Errorf("LatestTicketModified = %v", latest)
	}
	if org, _ := db.ActiveSignalOrg(ctx); org != "o1" {
		t.Errorf("ActiveSignalOrg = %q", org)
	}
}

// TestOverdueOncePerDueDate: a ticket past its due date (or flagged by Desk)
// is found until its overdue signal is stored, then no more, and again
// once its due date moves; the searches never see the tickets signalled.
func TestOverdueOncePerDueDate(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	due := now.Add(-time.Hour)
	ts := []app.Ticket{
		{OrgID: "o1", ID: "late", StatusType: "Open", DueDate: due, ModifiedTime: now},
		{OrgID: "o1", ID: "flagged", StatusType: "Open", IsOverdue: true, ModifiedTime: now},
		{OrgID: "o1", ID: "closed", StatusType: "Closed", DueDate: due, IsOverdue: true, ModifiedTime: now},
		{OrgID: "o1", ID: "later", StatusType: "Open", DueDate: now.Add(time.Hour), ModifiedTime: now},
	}
	if err := db.UpsertTickets(ctx, ts); err != nil {
		t.Fatal(err)
	}
	overdue := func() string {
		t.Helper()
		got, err := db.OverdueTickets(ctx, "o1", now)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, st := range got {
			ids = append(ids, st.Ticket.ID)
		}
		slices.Sort(ids)
		return strings.Join(ids, ",")
	}
	if got := overdue(); got != "flagged,late" {
		t.Fatalf("overdue = %q", got)
	}
	key := func(id string, due time.Time) string {
		ms := int64(0)
		if !due.IsZero() {
			ms = due.UnixMilli()
		}
		return fmt.Sprintf("overdue:%s:%d", id, ms)
	}
	if _, err := db.InsertSignals(ctx, []app.Signal{
		{OrgID: "o1", Key: key("late", due), Kind: app.SignalOverdue, TicketID: "late"},
		{OrgID: "o1", Key: key("flagged", time.Time{}), Kind: app.SignalOverdue, TicketID: "flagged", Hidden: true},
	}); err != nil {
		t.Fatal(err)
	}
	if got := overdue(); got != "" {
		t.Fatalf("overdue after the signals = %q", got)
	}
	var left int
	if err := db.read.QueryRow("SELECT count(*) FROM desk_tickets INDEXED BY desk_tickets_due_unsignalled WHERE org_id = 'o1' AND due_date > 0 AND status_type <> 'Closed' AND overdue_signalled <> due_date").Scan(&left); err != nil || left != 1 {
		t.Errorf("the due-date index holds %d tickets (%v), want only the one not due yet", left, err)
	}
	// The due date moves: overdue again, under a new key.
	moved := ts[0]
	moved.DueDate, moved.ModifiedTime = due.Add(30*time.Minute), now.Add(time.Minute)
	if err := db.UpsertTickets(ctx, []app.Ticket{moved}); err != nil {
		t.Fatal(err)
	}
	if got := overdue(); got != "late" {
		t.Fatalf("overdue after the due date moved = %q", got)
	}
}

// TestCountTicketsKept: the cached-ticket count follows inserts, upserts
// of tickets already cached (not counted twice) and other portals.
func TestCountTicketsKept(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	count := func(org string) int {
		t.Helper()
		n, err := db.CountTickets(ctx, org)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if count("o1") != 0 {
		t.Fatal("a count before any ticket")
	}
	ts := []app.Ticket{{OrgID: "o1", ID: "1", ModifiedTime: now}, {OrgID: "o1", ID: "2", ModifiedTime: now}, {OrgID: "o2", ID: "1", ModifiedTime: now}}
	if err := db.UpsertTickets(ctx, ts); err != nil {
		t.Fatal(err)
	}
	ts[0].ModifiedTime = now.Add(time.Minute)
	if err := db.UpsertTickets(ctx, ts[:2]); err != nil { // the same tickets again
		t.Fatal(err)
	}
	var walked int
	if err := db.read.QueryRow("SELECT count(*) FROM desk_tickets WHERE org_id = 'o1'").Scan(&walked); err != nil {
		t.Fatal(err)
	}
	if count("o1") != 2 || walked != 2 || count("o2") != 1 {
		t.Errorf("counts: o1 %d (walked %d), o2 %d", count("o1"), walked, count("o2"))
	}
	if _, err := db.write.Exec("DELETE FROM desk_tickets WHERE org_id = 'o1' AND id = '1'"); err != nil {
		t.Fatal(err)
	}
	if count("o1") != 1 {
		t.Errorf("after a delete: %d", count("o1"))
	}
}
