package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tandem-crm/tandem/app"
)

// reopen opens path with opts and returns how its quick check went.
func reopen(t *testing.T, path string, opts Options) (*DB, string) {
	t.Helper()
	db, err := OpenOptions(context.Background(), path, opts)
	if err != nil {
		t.Fatal(err)
	}
	return db, db.checkedBy
}

// TestMarkerSkipsQuickCheck: a file closed cleanly after a check opens
// without one; a write since (a crash before the close), a touch by
// another program or a newer byte in it runs the check again.
func TestMarkerSkipsQuickCheck(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "tandem.db")
	db, how := reopen(t, path, Options{})
	if how != checkRan {
		t.Fatalf("new file: %s", how)
	}
	c := app.Contact{LastName: "Marker"}
	if err := db.CreateContact(ctx, &c); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := os.Stat(markerPath(path)); err != nil {
		t.Fatalf("no marker after a clean close: %v", err)
	}

	db, how = reopen(t, path, Options{})
	if how != checkSkipped {
		t.Fatalf("unchanged file: %s, want the marker to skip the check", how)
	}
	// Reads do not spoil the marker; writes in a session that ends
	// without Close (a crash) do: the log has content.
	if _, err := db.FindContact(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	c.LastName = "Crashed"
	if err := db.UpdateContact(ctx, &c); err != nil {
		t.Fatal(err)
	}
	if walEmpty(path) {
		t.Fatal("the write left the log empty")
	}
	if markerValid(path) {
		t.Fatal("marker valid with writes in the log")
	}
	db.Close()

	db, how = reopen(t, path, Options{})
	if how != checkSkipped {
		t.Fatalf("after a clean close: %s", how)
	}
	db.Close()
	// Another program touched the file (same size, same header).
	if err := os.Chtimes(path, time.Time{}, time.Now()); err != nil {
		t.Fatal(err)
	}
	db, how = reopen(t, path, Options{})
	if how != checkRan {
		t.Fatalf("touched file: %s, want the check", how)
	}
	db.Close()
	// A read-only open neither needs nor leaves a marker of its own.
	db, how = reopen(t, path, Options{ReadOnly: true})
	if how != checkSkipped {
		t.Fatalf("read-only open of a checked file: %s", how)
	}
	db.Close()
	if !markerValid(path) {
		t.Fatal("a read-only open spoiled the marker")
	}
}

// TestMarkerDamageStillFound: bytes overwritten after a clean close (the
// issue 18 damage, written through the file system) are found at open;
// the damaged file leaves no marker, so it is checked every time.
func TestMarkerDamageStillFound(t *testing.T) {
	ctx := context.Background()
	path, _ := damagedFile(t) // closed cleanly (marker written), then overwritten
	_, err := Open(ctx, path)
	wantCode(t, err, app.EDAMAGED)
	db, how := reopen(t, path, Options{AllowDamaged: true})
	if how != checkRan || db.Damage() == nil {
		t.Fatalf("damaged file: %s, damage %v", how, db.Damage())
	}
	db.Close()
	if _, err := os.Stat(markerPath(path)); !os.IsNotExist(err) {
		t.Fatalf("a damaged file kept a marker: %v", err)
	}
	_, err = Open(ctx, path)
	wantCode(t, err, app.EDAMAGED)
}

// TestDeferredCheck: the window's open (DeferCheck) does not check at
// open; Verify finds the damage, and a write before Verify waits for the
// check and is refused on a damaged file.
func TestDeferredCheck(t *testing.T) {
	ctx := context.Background()
	path, _ := damagedFile(t)
	db, how := reopen(t, path, Options{AllowDamaged: true, DeferCheck: true})
	defer db.Close()
	if how != checkDeferred || db.Damage() != nil {
		t.Fatalf("deferred open: %s, damage %v", how, db.Damage())
	}
	c := app.Contact{LastName: "Early"}
	wantCode(t, db.CreateContact(ctx, &c), app.EDAMAGED) // runs the check itself
	d, err := db.Verify(ctx)
	if err != nil || d == nil || d.Loss("contacts").Unreadable == 0 {
		t.Fatalf("verify: %+v, %v", d, err)
	}

	// A sound file that changed: deferred, then sound, then a marker.
	path2 := filepath.Join(t.TempDir(), "tandem.db")
	db2, _ := reopen(t, path2, Options{})
	db2.Close()
	if err := os.Chtimes(path2, time.Time{}, time.Now()); err != nil {
		t.Fatal(err)
	}
	db2, how = reopen(t, path2, Options{AllowDamaged: true, DeferCheck: true})
	if how != checkDeferred {
		t.Fatalf("changed sound file: %s", how)
	}
	if d, err := db2.Verify(ctx); d != nil || err != nil {
		t.Fatalf("verify sound: %v, %v", d, err)
	}
	if err := db2.SetSetting(ctx, "k", "v"); err != nil {
		t.Fatal(err)
	}
	db2.Close()
	if !markerValid(path2) {
		t.Fatal("no marker after a verified session")
	}
	// Never verified and nothing written: no marker.
	if err := os.Chtimes(path2, time.Time{}, time.Now()); err != nil {
		t.Fatal(err)
	}
	db2, _ = reopen(t, path2, Options{DeferCheck: true})
	db2.Close()
	if _, err := os.Stat(markerPath(path2)); !os.IsNotExist(err) {
		t.Fatalf("an unchecked session left a marker: %v", err)
	}
}

// TestApplyFromDeskBulkSearch: a first sync's batch of new records (their
// search text indexed in one statement at the end) is searchable as
// record by record was, company name included; a smaller batch too.
func TestApplyFromDeskBulkSearch(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	co := app.Company{Name: "Kawasaki Works"}
	if err := db.CreateCompany(ctx, &co); err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{bulkApplyRows + 4, 2} {
		var items []app.DeskApply
		for i := range n {
			items = append(items, app.DeskApply{Contact: &app.Contact{LastName: fmt.Sprintf("Zyx%d-%d", n, i), FirstName: "佐藤", CompanyID: co.ID}})
		}
		errs, err := db.ApplyFromDesk(ctx, items)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range errs {
			if e != nil {
				t.Fatal(e)
			}
		}
		for _, q := range []string{fmt.Sprintf("Zyx%d", n), "kawasaki", "藤"} {
			got, err := db.CountContacts(ctx, app.ContactFilter{Query: q})
			if err != nil {
				t.Fatal(err)
			}
			if q == fmt.Sprintf("Zyx%d", n) && got != n {
				t.Errorf("batch of %d: %q finds %d", n, q, got)
			}
			if q != fmt.Sprintf("Zyx%d", n) && got < n {
				t.Errorf("batch of %d: %q finds %d", n, q, got)
			}
		}
	}
}

// TestImportCacheRestored: an import runs with the smaller page cache and
// the writer gets its usual cache back when it finishes.
func TestImportCacheRestored(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	cache := func() int {
		var n int
		if err := db.write.QueryRowContext(ctx, "PRAGMA cache_size").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if got := cache(); got != -writerCacheKiB {
		t.Fatalf("cache at open: %d", got)
	}
	b := app.ImportBatch{Kind: app.KindContact, OnDuplicate: app.DupSkip}
	if err := db.StartImport(ctx, &b); err != nil {
		t.Fatal(err)
	}
	if got := cache(); got != -importCacheKiB {
		t.Errorf("cache during the import: %d", got)
	}
	if err := db.FinishImport(ctx, &b); err != nil {
		t.Fatal(err)
	}
	if got := cache(); got != -writerCacheKiB {
		t.Errorf("cache after the import: %d", got)
	}
}
