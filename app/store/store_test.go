package store

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tandem-crm/tandem/app"
)

// openTest opens a fresh database file in a temporary directory.
func openTest(t *testing.T, opts ...Options) *DB {
	t.Helper()
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	db, err := OpenOptions(context.Background(), filepath.Join(t.TempDir(), "tandem.db"), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// wantCode fails the test unless err carries the app error code want.
func wantCode(t *testing.T, err error, want string) {
	t.Helper()
	if got := app.ErrorCode(err); got != want {
		t.Fatalf("error code = %q, want %q (err: %v)", got, want, err)
	}
}

func userVersion(t *testing.T, path string) int {
	t.Helper()
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var v int
	if err := raw.QueryRow("PRAGMA user_version").Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestOpenFresh(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	if v := userVersion(t, db.Path()); v != SchemaVersion() {
		t.Errorf("user_version = %d, want %d", v, SchemaVersion())
	}
	var mode string
	if err := db.read.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q, %v", mode, err)
	}
	var fk int
	if err := db.write.QueryRow("PRAGMA foreign_keys").Scan(&fk); err != nil || fk != 1 {
		t.Errorf("foreign_keys = %d, %v", fk, err)
	}
	empty, err := db.IsEmpty(ctx)
	if err != nil || !empty {
		t.Errorf("IsEmpty = %v, %v", empty, err)
	}
	// The read pool cannot write.
	if _, err := db.read.Exec("INSERT INTO settings (key, value) VALUES ('x', 'y')"); err == nil {
		t.Error("read pool accepted a write")
	}
	if !filepath.IsAbs(db.Path()) {
		t.Errorf("Path %q is not absolute", db.Path())
	}
}

func TestReopenIsNoOp(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "tandem.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	c := app.Contact{LastName: "Keep"}
	if err := db.CreateContact(ctx, &c); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.FindContact(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	if empty, _ := db.IsEmpty(ctx); empty {
		t.Error("IsEmpty after a contact was added")
	}
	backups, _ := filepath.Glob(path + ".bak-*")
	if len(backups) != 0 {
		t.Errorf("re-open made backups: %v", backups)
	}
}

func TestMigrationsAreNumbered(t *testing.T) {
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) < 2 || ms[0].name != "0001_crm.sql" {
		t.Fatalf("migrations = %v", ms)
	}
}

// TestUpgradeFromV1 loads a database as schema 1 left it and opens it with
// the current code: the upgrade runs, the old file is backed up first, and
// the data (search included) survives.
func TestUpgradeFromV1(t *testing.T) {
	ctx := context.Background()
	dump, err := os.ReadFile("testdata/v1.sql")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "old.db")
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(string(dump)); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	if v := userVersion(t, path); v != 1 {
		t.Fatalf("fixture version = %d", v)
	}

	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if v := userVersion(t, path); v != SchemaVersion() {
		t.Errorf("version after upgrade = %d, want %d", v, SchemaVersion())
	}
	backups, _ := filepath.Glob(path + ".bak-v1-*")
	if len(backups) != 1 {
		t.Fatalf("backups = %v, want one .bak-v1-*", backups)
	}
	if v := userVersion(t, backups[0]); v != 1 {
		t.Errorf("backup version = %d, want 1", v)
	}

	c, err := db.FindContact(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if c.DisplayName() != "山田 太郎" || c.CompanyName != "株式会社山田商事" || c.Notes != "メモ 🍣" || c.Custom["ランク"] != "A" {
		t.Errorf("contact after upgrade = %+v", c)
	}
	for _, q := range []string{"山田", "yates", "acme", "0312"} {
		if n, err := db.CountContacts(ctx, app.ContactFilter{Query: q}); err != nil || n != 1 {
			t.Errorf("search %q after upgrade = %d, %v", q, n, err)
		}
	}
	// Rows written before readings existed got keys by the new ordering
	// (no reading: Latin, then the rest) without being marked changed.
	var key1, init1, key2, init2 string
	var changes int
	if err := db.read.QueryRow("SELECT sort_name, sort_initial FROM contacts WHERE id = 1").Scan(&key1, &init1); err != nil {
		t.Fatal(err)
	}
	if err := db.read.QueryRow("SELECT sort_name, sort_initial FROM contacts WHERE id = 2").Scan(&key2, &init2); err != nil {
		t.Fatal(err)
	}
	if err := db.read.QueryRow("SELECT max(seq) FROM crm_changes").Scan(&changes); err != nil {
		t.Fatal(err)
	}
	if key1[0] != '2' || init1 != "#" || key2[0] != '1' || init2 != "Y" || changes != 4 {
		t.Errorf("keys after upgrade: %q %q, %q %q; %d changes (want 4)", key1, init1, key2, init2, changes)
	}
	r, err := db.FindRecord(ctx, 1)
	if err != nil || len(r.Contacts) != 2 || r.StageName != "Won" {
		t.Errorf("record after upgrade = %+v, %v", r, err)
	}
	// 0002's table works.
	if err := db.SetSetting(ctx, "theme", "dark"); err != nil {
		t.Fatal(err)
	}
	if v, ok, err := db.Setting(ctx, "theme"); v != "dark" || !ok || err != nil {
		t.Errorf("Setting = %q %v %v", v, ok, err)
	}
	if _, ok, err := db.Setting(ctx, "missing"); ok || err != nil {
		t.Errorf("missing setting = %v %v", ok, err)
	}
}

func TestNewerSchemaIsRefused(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	path := db.Path()
	if _, err := db.write.Exec("PRAGMA user_version = 999"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, err := Open(ctx, path)
	wantCode(t, err, app.EINVALID)
	if !strings.Contains(app.ErrorMessage(err), "newer version") {
		t.Errorf("message = %q", app.ErrorMessage(err))
	}
}

func TestCorruptFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "garbage.db")
	if err := os.WriteFile(path, []byte(strings.Repeat("this is not a database ", 400)), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Open(context.Background(), path)
	wantCode(t, err, app.EINVALID)
	if app.ErrorMessage(err) != msgNotDB {
		t.Errorf("message = %q", app.ErrorMessage(err))
	}
}

func TestForeignDatabaseIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "other.db")
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec("CREATE TABLE invoices (id INTEGER PRIMARY KEY)"); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	_, err = Open(context.Background(), path)
	wantCode(t, err, app.EINVALID)
}

func TestReadOnlyFile(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "tandem.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	c := app.Contact{LastName: "Reader"}
	if err := db.CreateContact(ctx, &c); err != nil {
		t.Fatal(err)
	}
	db.Close()

	t.Run("permissions", func(t *testing.T) {
		if os.Geteuid() == 0 {
			t.Skip("running as root: file permissions do not stop root from writing; the ReadOnly option below covers the error path")
		}
		if err := os.Chmod(path, 0o444); err != nil {
			t.Fatal(err)
		}
		defer os.Chmod(path, 0o644)
		db, err := Open(ctx, path)
		if err == nil {
			defer db.Close()
			err = db.CreateContact(ctx, &app.Contact{LastName: "Writer"})
		}
		wantCode(t, err, app.EUNAVAILABLE)
	})

	t.Run("option", func(t *testing.T) {
		db, err := OpenOptions(ctx, path, Options{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.FindContact(ctx, c.ID); err != nil {
			t.Fatal(err)
		}
		err = db.CreateContact(ctx, &app.Contact{LastName: "Writer"})
		wantCode(t, err, app.EUNAVAILABLE)
		// A write that reaches SQLite is refused by SQLite too.
		_, err = db.write.Exec("DELETE FROM contacts")
		wantCode(t, translate(err), app.EUNAVAILABLE)
		if app.ErrorMessage(translate(err)) != msgReadOnly {
			t.Errorf("message = %q", app.ErrorMessage(translate(err)))
		}
	})
}

// TestLockedDatabase holds the write lock from another connection (as
// another program would): a write fails with EUNAVAILABLE once the busy
// timeout runs out, and reads still work.
func TestLockedDatabase(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, Options{BusyTimeout: 100 * time.Millisecond})
	other, err := sql.Open("sqlite", db.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	conn, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN EXCLUSIVE"); err != nil {
		t.Fatal(err)
	}
	defer conn.ExecContext(ctx, "ROLLBACK")

	start := time.Now()
	err = db.CreateContact(ctx, &app.Contact{LastName: "Blocked"})
	wantCode(t, err, app.EUNAVAILABLE)
	if app.ErrorMessage(err) != msgBusy {
		t.Errorf("message = %q", app.ErrorMessage(err))
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("waited %v for a 100ms busy timeout", d)
	}
	if _, err := db.ListContacts(ctx, app.ContactFilter{}); err != nil {
		t.Errorf("read while locked: %v", err)
	}
}

// TestReadsDoNotWaitForWrites keeps a write transaction open and reads
// through the read pool meanwhile.
func TestReadsDoNotWaitForWrites(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	c := app.Contact{LastName: "Before"}
	if err := db.CreateContact(ctx, &c); err != nil {
		t.Fatal(err)
	}
	inTx, release, done := make(chan struct{}), make(chan struct{}), make(chan error)
	go func() {
		done <- db.writeTx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, insertContactSQL, contactArgs(&app.Contact{LastName: "During"}, 1)...); err != nil {
				return err
			}
			close(inTx)
			<-release
			return nil
		})
	}()
	<-inTx
	for range 20 {
		rctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		cs, err := db.ListContacts(rctx, app.ContactFilter{})
		cancel()
		if err != nil {
			t.Fatalf("read during write: %v", err)
		}
		if len(cs) != 1 || cs[0].LastName != "Before" {
			t.Fatalf("read saw uncommitted data: %+v", cs)
		}
		if _, err := db.FindContact(ctx, c.ID); err != nil {
			t.Fatal(err)
		}
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n, _ := db.CountContacts(ctx, app.ContactFilter{}); n != 2 {
		t.Errorf("count after commit = %d", n)
	}
}

func TestTranslate(t *testing.T) {
	if translate(nil) != nil {
		t.Error("nil")
	}
	if !errors.Is(translate(sql.ErrNoRows), sql.ErrNoRows) {
		t.Error("ErrNoRows changed")
	}
	if !errors.Is(translate(context.Canceled), context.Canceled) {
		t.Error("Canceled changed")
	}
}

func TestTimeRoundTrip(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 30, 45, 123_000_000, time.FixedZone("JST", 9*3600))
	if got := fromDB(toDB(now)); !got.Equal(now) || got.Location() != time.UTC {
		t.Errorf("round trip = %v", got)
	}
}
