package store

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	gosync "sync"
	"testing"

	"github.com/tandem-crm/tandem/app"
)

// TestBackupWhileWriting backs up again and again while another goroutine
// writes contacts in many small transactions: each backup opens, passes
// integrity_check and holds a whole number of committed writes.
func TestBackupWhileWriting(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	dir := t.TempDir()
	var wg gosync.WaitGroup
	stop := make(chan struct{})
	wg.Add(1)
	var writeErr error
	go func() {
		defer wg.Done()
		g := newGen(7)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			c := g.contact(i, 0)
			c.CompanyID = 0
			if err := db.CreateContact(ctx, &c); err != nil {
				writeErr = err
				return
			}
		}
	}()
	var counts []int
	for i := range 8 {
		dest := filepath.Join(dir, fmt.Sprintf("b%d.db", i))
		if err := db.Backup(ctx, dest); err != nil {
			t.Fatalf("backup %d: %v", i, err)
		}
		info, err := CheckBackup(ctx, dest)
		if err != nil {
			t.Fatalf("backup %d does not check: %v", i, err)
		}
		if info.SchemaVersion != SchemaVersion() {
			t.Errorf("backup %d: schema %d", i, info.SchemaVersion)
		}
		counts = append(counts, info.Contacts)
		if _, err := os.Stat(dest + "-wal"); err == nil {
			t.Errorf("backup %d has a -wal file: not self-contained", i)
		}
		// The backup opens as a Tandem database and finds what it counted.
		b, err := OpenOptions(ctx, dest, Options{ReadOnly: true})
		if err != nil {
			t.Fatalf("open backup %d: %v", i, err)
		}
		// (CountContacts: a list page holds at most 1000, and on a fast
		// machine the writer gets past that.)
		n, err := b.CountContacts(ctx, app.ContactFilter{})
		b.Close()
		if err != nil || n != info.Contacts {
			t.Errorf("backup %d lists %d contacts (%v), counted %d", i, n, err, info.Contacts)
		}
	}
	close(stop)
	wg.Wait()
	if writeErr != nil {
		t.Fatalf("a write failed during the backups: %v", writeErr)
	}
	if counts[len(counts)-1] <= counts[0] {
		t.Errorf("the writer made no progress while backing up: %v", counts)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".part-") {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}
}

func TestBackupRefusesItself(t *testing.T) {
	db := openTest(t)
	wantCode(t, db.Backup(context.Background(), db.Path()), app.EINVALID)
}

func TestCheckBackupRefusesBadFiles(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.db")
	os.WriteFile(junk, []byte(strings.Repeat("not a database ", 500)), 0o600)
	empty := filepath.Join(dir, "empty.db")
	os.WriteFile(empty, nil, 0o600)

	db := openTest(t)
	good := filepath.Join(dir, "good.db")
	if err := db.Backup(ctx, good); err != nil {
		t.Fatal(err)
	}
	// A page in the middle overwritten: the header still says SQLite.
	broken := filepath.Join(dir, "broken.db")
	b, _ := os.ReadFile(good)
	for i := 4096 * 2; i < 4096*3 && i < len(b); i++ {
		b[i] = 0xA5
	}
	os.WriteFile(broken, b, 0o600)

	for name, path := range map[string]string{"junk": junk, "empty": empty, "missing": filepath.Join(dir, "none.db"), "folder": dir, "broken": broken} {
		_, err := CheckBackup(ctx, path)
		if app.ErrorCode(err) != app.EINVALID {
			t.Errorf("%s: %v, want EINVALID", name, err)
		}
	}
	if _, err := CheckBackup(ctx, good); err != nil {
		t.Errorf("good: %v", err)
	}
}

func TestRestoreKeepsTheOldDatabaseAside(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "tandem.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	old := app.Contact{LastName: "Before"}
	if err := db.CreateContact(ctx, &old); err != nil {
		t.Fatal(err)
	}
	backup := filepath.Join(dir, "backups", "b.db")
	if err := db.Backup(ctx, backup); err != nil {
		t.Fatal(err)
	}
	later := app.Contact{LastName: "After the backup"}
	if err := db.CreateContact(ctx, &later); err != nil {
		t.Fatal(err)
	}
	db.Close()
	backupBytes, _ := os.ReadFile(backup)

	aside := filepath.Join(dir, "backups", "set-aside.db")
	if err := Restore(ctx, path, backup, aside); err != nil {
		t.Fatal(err)
	}
	names := func(p string) []string {
		d, err := OpenOptions(ctx, p, Options{ReadOnly: true})
		if err != nil {
			t.Fatalf("open %s: %v", p, err)
		}
		defer d.Close()
		cs, err := d.ListContacts(ctx, app.ContactFilter{})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, c := range cs {
			out = append(out, c.LastName)
		}
		return out
	}
	if got := names(path); len(got) != 1 || got[0] != "Before" {
		t.Errorf("restored database has %q, want only Before", got)
	}
	if got := names(aside); len(got) != 2 {
		t.Errorf("the set-aside database has %q, want both contacts", got)
	}
	if b, _ := os.ReadFile(backup); string(b) != string(backupBytes) {
		t.Error("restoring changed the backup file")
	}
	// A bad backup changes nothing.
	junk := filepath.Join(dir, "junk.db")
	os.WriteFile(junk, []byte("hello"), 0o600)
	before, _ := os.ReadFile(path)
	err = Restore(ctx, path, junk, filepath.Join(dir, "aside2.db"))
	wantCode(t, err, app.EINVALID)
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Error("a refused restore changed the database")
	}
	if _, err := os.Stat(filepath.Join(dir, "aside2.db")); err == nil {
		t.Error("a refused restore set the database aside")
	}
}

// TestRestoreOverDamagedDatabase: a database that no longer opens is set
// aside byte for byte (with its WAL) and the backup takes its place.
func TestRestoreOverDamagedDatabase(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := openTest(t)
	c := app.Contact{LastName: "Saved"}
	if err := db.CreateContact(ctx, &c); err != nil {
		t.Fatal(err)
	}
	backup := filepath.Join(dir, "b.db")
	if err := db.Backup(ctx, backup); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "tandem.db")
	garbage := []byte(strings.Repeat("damaged ", 1000))
	os.WriteFile(path, garbage, 0o600)
	if _, err := Open(ctx, path); err == nil {
		t.Fatal("the damaged file opened")
	}
	os.WriteFile(path+"-wal", []byte("wal bytes"), 0o600)
	aside := filepath.Join(dir, "aside.db")
	if err := Restore(ctx, path, backup, aside); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(aside); string(b) != string(garbage) {
		t.Error("the damaged database was not kept as it was")
	}
	if b, _ := os.ReadFile(aside + "-wal"); string(b) != "wal bytes" {
		t.Error("its -wal file was not kept beside it")
	}
	r, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if cs, _ := r.ListContacts(ctx, app.ContactFilter{}); len(cs) != 1 || cs[0].LastName != "Saved" {
		t.Errorf("restored: %+v", cs)
	}
}

// TestRestoreOlderSchema: a backup made before the newest migration is
// brought up to date when restored.
func TestRestoreOlderSchema(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	v1 := filepath.Join(dir, "v1.db")
	loadV1(t, v1)
	path := filepath.Join(dir, "tandem.db")
	if err := Restore(ctx, path, v1, filepath.Join(dir, "aside.db")); err != nil {
		t.Fatal(err)
	}
	if v := userVersion(t, path); v != SchemaVersion() {
		t.Errorf("restored schema %d, want %d", v, SchemaVersion())
	}
	if v := userVersion(t, v1); v != 1 {
		t.Errorf("the backup itself was migrated to %d", v)
	}
}

// loadV1 writes the version-1 fixture database to path.
func loadV1(t *testing.T, path string) {
	t.Helper()
	dump, err := os.ReadFile("testdata/v1.sql")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(string(dump)); err != nil {
		t.Fatal(err)
	}
}
