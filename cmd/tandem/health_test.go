package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/app/store"
)

// damageDataDir fills dir's database with 82 contacts and overwrites bytes
// in one page of the contacts table, as in issue 18.
func damageDataDir(t *testing.T, dir string) string {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(dir, "tandem.db")
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 82 {
		c := app.Contact{LastName: fmt.Sprintf("Person %02d", i), Email: fmt.Sprintf("p%02d@example.com", i), Notes: strings.Repeat("n", 300)}
		if err := db.CreateContact(ctx, &c); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	var page, size int
	if err := raw.QueryRow(`SELECT pageno FROM dbstat WHERE name = 'contacts' AND pagetype = 'leaf' ORDER BY pageno LIMIT 1 OFFSET 3`).Scan(&page); err != nil {
		t.Fatal(err)
	}
	if err := raw.QueryRow("PRAGMA page_size").Scan(&size); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt(bytes.Repeat([]byte("\xde\xad\xbe\xef"), 256), int64(page-1)*int64(size)+100); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return path
}

func fileBytes(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return b
}

// TestDamagedDatabaseHeadless is the finding: `contacts list` showed 67 of
// 82 with exit 0, `contacts export` wrote a short file silently and
// `contacts add` wrote into the damaged file. Each now exits non-zero with
// the same message, printed once, and nothing is written; `db salvage`
// copies what is readable into a sound file and keeps the damaged one.
func TestDamagedDatabaseHeadless(t *testing.T) {
	dir := t.TempDir()
	path := damageDataDir(t, dir)
	before := append(fileBytes(t, path), fileBytes(t, path+"-wal")...)

	for _, args := range [][]string{{"contacts", "list", "-limit", "1000"}, {"contacts", "add", "-last", "New"}, {"companies", "list"}, {"db", "check"}} {
		code, out, errs := tandem(t, dir, args...)
		if code == 0 || strings.Count(errs, app.MsgDamaged) != 1 || !strings.Contains(errs, "of 82 rows cannot be read") || !strings.Contains(errs, "tandem db salvage") {
			t.Errorf("%v: exit %d\nout %q\nerr %q", args, code, out, errs)
		}
	}
	out := filepath.Join(dir, "out.csv")
	code, _, errs := tandem(t, dir, "contacts", "export", out)
	if code == 0 || !strings.Contains(errs, "Nothing was exported") || !strings.Contains(errs, "of 82 contacts cannot be read") {
		t.Errorf("export: exit %d, %q", code, errs)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("export wrote a file from the damaged database")
	}
	if after := append(fileBytes(t, path), fileBytes(t, path+"-wal")...); !bytes.Equal(before, after) {
		t.Error("the damaged file was written to")
	}

	code, sout, errs := tandem(t, dir, "db", "salvage")
	if code != 0 || !strings.Contains(sout, "salvaged") || !strings.Contains(sout, "contacts: ") || !strings.Contains(sout, "damaged file is kept as") {
		t.Fatalf("salvage: exit %d\n%s\n%s", code, sout, errs)
	}
	aside, _ := filepath.Glob(filepath.Join(dir, "damaged", "tandem-*.db"))
	if len(aside) != 1 {
		t.Errorf("damaged files kept: %v", aside)
	}
	code, lout, errs := tandem(t, dir, "contacts", "list", "-limit", "1000")
	n := strings.Count(lout, "\n")
	if code != 0 || n == 0 || n >= 82 {
		t.Errorf("after salvage: exit %d, %d contacts, %q", code, n, errs)
	}
	if !strings.Contains(sout, fmt.Sprintf("contacts: %d copied, %d lost", n, 82-n)) {
		t.Errorf("salvage report %q does not match the %d contacts listed", sout, n)
	}
	if code, _, errs := tandem(t, dir, "contacts", "export", out); code != 0 {
		t.Errorf("export after salvage: %d %q", code, errs)
	}
}
