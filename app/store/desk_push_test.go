package store

import (
	"context"
	"strconv"
	"testing"

	"github.com/tandem-crm/tandem/app"
)

// TestIncrementalPushAndOrphans: with cursors from CRMMarks, records to
// push and orphan links come from what changed after them; a record whose
// push is queued holds the change cursor back.
func TestIncrementalPushAndOrphans(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	const org = "org1"
	if err := db.SavePortal(ctx, &app.Portal{OrgID: org, Mode: app.SyncTwoWay, Active: true}); err != nil {
		t.Fatal(err)
	}
	var cs []*app.Contact
	for i := 0; i < 5; i++ {
		c := &app.Contact{FirstName: "F", LastName: "L", Email: string(rune('a'+i)) + "@example.org"}
		if err := db.CreateContact(ctx, c); err != nil {
			t.Fatal(err)
		}
		cs = append(cs, c)
		if err := db.SaveLink(ctx, &app.Link{OrgID: org, Kind: app.KindContact, CRMID: c.ID, DeskID: "d" + string(rune('a'+i)), CRMRev: c.Rev}); err != nil {
			t.Fatal(err)
		}
	}
	ids := func(list []app.Contact) []int64 {
		var out []int64
		for _, c := range list {
			out = append(out, c.ID)
		}
		return out
	}
	all, err := db.ContactsToPush(ctx, org, -1, 100)
	if err != nil || len(all) != 0 {
		t.Fatalf("all linked at their revision: %v %v", ids(all), err)
	}
	changes, deletions, err := db.CRMMarks(ctx, org)
	if err != nil {
		t.Fatal(err)
	}
	// Nothing changed after the marks.
	if got, _ := db.ContactsToPush(ctx, org, changes, 100); len(got) != 0 {
		t.Fatalf("to push after the mark: %v", ids(got))
	}
	if got, _ := db.OrphanLinks(ctx, org, deletions); len(got) != 0 {
		t.Fatalf("orphans after the mark: %v", got)
	}
	// Edit one, delete another.
	cs[1].Title = "New"
	if err := db.UpdateContact(ctx, cs[1]); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteContact(ctx, cs[3].ID); err != nil {
		t.Fatal(err)
	}
	got, err := db.ContactsToPush(ctx, org, changes, 100)
	if err != nil || len(got) != 1 || got[0].ID != cs[1].ID {
		t.Fatalf("to push after an edit: %v %v", ids(got), err)
	}
	orphans, err := db.OrphanLinks(ctx, org, deletions)
	if err != nil || len(orphans) != 1 || orphans[0].CRMID != cs[3].ID {
		t.Fatalf("orphans after a delete: %v %v", orphans, err)
	}
	full, _ := db.OrphanLinks(ctx, org, -1)
	if len(full) != 1 || full[0].CRMID != cs[3].ID {
		t.Fatalf("orphans by a full look: %v", full)
	}
	// A queued push holds the change cursor back before its record.
	if err := db.Enqueue(ctx, &app.OutboxItem{OrgID: org, Kind: app.OutboxPushContact, IdempotencyKey: "k1", CRMKind: app.KindContact,
		CRMID: cs[1].ID, Payload: []byte(`{"deskId":"db"}`)}); err != nil {
		t.Fatal(err)
	}
	held, deletions2, err := db.CRMMarks(ctx, org)
	if err != nil {
		t.Fatal(err)
	}
	if deletions2 <= deletions {
		t.Fatalf("deletion mark did not move: %d → %d", deletions, deletions2)
	}
	if got, _ := db.ContactsToPush(ctx, org, held, 100); len(got) != 0 {
		t.Fatalf("a record with a queued push is not offered: %v", ids(got))
	}
	// Once the push is gone, the record is offered again from the held mark.
	if err := db.DeleteLink(ctx, org, app.KindContact, cs[1].ID); err != nil { // drops its queued update too
		t.Fatal(err)
	}
	if got, _ := db.ContactsToPush(ctx, org, held, 100); len(got) != 1 || got[0].ID != cs[1].ID {
		t.Fatalf("after the queued push: %v", ids(got))
	}
}

// TestPruneDeletions: tombstones are kept until every portal's deletions
// cursor has passed them, and the deletion mark never goes back.
func TestPruneDeletions(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	var ids []int64
	for i := 0; i < 3; i++ {
		c := &app.Contact{LastName: "L", Email: string(rune('a'+i)) + "@example.org"}
		if err := db.CreateContact(ctx, c); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
	}
	count := func() int {
		var n int
		if err := db.read.QueryRowContext(ctx, "SELECT count(*) FROM crm_deletions").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for _, id := range ids[:2] {
		if err := db.DeleteContact(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	_, after2, _ := db.CRMMarks(ctx, "a")
	// No portal has a cursor: nothing is pruned.
	if n, err := db.PruneDeletions(ctx, "crm_deletions"); err != nil || n != 0 || count() != 2 {
		t.Fatalf("pruned %d (%v) without cursors; %d left", n, err, count())
	}
	// Portal a has seen both, portal b only the first: one goes.
	if err := db.SetCursor(ctx, "a", "crm_deletions", strconv.FormatInt(after2, 10)); err != nil {
		t.Fatal(err)
	}
	if err := db.SetCursor(ctx, "b", "crm_deletions", strconv.FormatInt(after2-1, 10)); err != nil {
		t.Fatal(err)
	}
	if n, err := db.PruneDeletions(ctx, "crm_deletions"); err != nil || n != 1 || count() != 1 {
		t.Fatalf("pruned %d (%v); %d left", n, err, count())
	}
	// Once b has seen it too, the last one goes.
	if err := db.SetCursor(ctx, "b", "crm_deletions", strconv.FormatInt(after2, 10)); err != nil {
		t.Fatal(err)
	}
	if n, _ := db.PruneDeletions(ctx, "crm_deletions"); n != 1 || count() != 0 {
		t.Fatalf("pruned %d; %d left", n, count())
	}
	// The mark stays where it was (AUTOINCREMENT), so cursors stay valid.
	if err := db.DeleteContact(ctx, ids[2]); err != nil {
		t.Fatal(err)
	}
	if _, after3, _ := db.CRMMarks(ctx, "a"); after3 != after2+1 {
		t.Fatalf("deletion mark after pruning: %d, want %d", after3, after2+1)
	}
}
