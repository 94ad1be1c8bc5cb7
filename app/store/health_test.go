package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/app/sample"
)

// damagedFile makes the damaged database: 82 contacts, then bytes
// overwritten in one of the contacts table's pages (as a failing disk or a
// stray write does). It returns the path and the emails of the contacts.
func damagedFile(t testing.TB) (string, []string) { return damagedFileAt(t, 3) }

// damagedFileAt overwrites the leaf-th leaf page of the contacts table.
func damagedFileAt(t testing.TB, leaf int) (string, []string) {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "tandem.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	co := app.Company{Name: "株式会社テスト"}
	if err := db.CreateCompany(ctx, &co); err != nil {
		t.Fatal(err)
	}
	var emails []string
	for i := range 82 {
		c := app.Contact{LastName: fmt.Sprintf("山田 %02d", i), Email: fmt.Sprintf("p%02d@example.com", i), Notes: strings.Repeat("メモ", 100), CompanyID: co.ID}
		if err := db.CreateContact(ctx, &c); err != nil {
			t.Fatal(err)
		}
		emails = append(emails, c.Email)
	}
	var page int
	if err := db.write.QueryRowContext(ctx, `SELECT pageno FROM dbstat WHERE name = 'contacts' AND pagetype = 'leaf' ORDER BY pageno LIMIT 1 OFFSET ?`, leaf).Scan(&page); err != nil {
		t.Fatal(err)
	}
	var size int
	if err := db.write.QueryRowContext(ctx, "PRAGMA page_size").Scan(&size); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte(strings.Repeat("\xde\xad\xbe\xef", 256)), int64(page-1)*int64(size)+100); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path, emails
}

// TestDamagedFileIsNoticed is the finding "a damaged database is not
// noticed": the damaged file opened without a word and listed 79 of 82.
func TestDamagedFileIsNoticed(t *testing.T) {
	ctx := context.Background()
	path, _ := damagedFile(t)
	_, err := Open(ctx, path)
	wantCode(t, err, app.EDAMAGED)
	if app.ErrorMessage(err) != app.MsgDamaged {
		t.Errorf("message = %q", app.ErrorMessage(err))
	}

	db, err := OpenOptions(ctx, path, Options{AllowDamaged: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	d := db.Damage()
	if d == nil || len(d.Problems) == 0 {
		t.Fatalf("damage = %+v", d)
	}
	loss := d.Loss("contacts")
	if loss.Unreadable == 0 || loss.Readable+loss.Unreadable != 82 {
		t.Errorf("contacts: %d readable, %d unreadable; want them to add up to 82 with some unreadable", loss.Readable, loss.Unreadable)
	}
	// Containment: nothing more is written into the damaged file.
	c := app.Contact{LastName: "New"}
	wantCode(t, db.CreateContact(ctx, &c), app.EDAMAGED)
	wantCode(t, db.SetSetting(ctx, "k", "v"), app.EDAMAGED)
	full, err := db.CheckIntegrity(ctx)
	if err != nil || full == nil {
		t.Fatalf("full check: %v, %v", full, err)
	}
}

func TestCheckIntegritySound(t *testing.T) {
	db := openTest(t)
	c := app.Contact{LastName: "Sound"}
	if err := db.CreateContact(context.Background(), &c); err != nil {
		t.Fatal(err)
	}
	d, err := db.CheckIntegrity(context.Background())
	if err != nil || d != nil || db.Damage() != nil {
		t.Fatalf("sound file: %+v, %v", d, err)
	}
}

// TestSalvage copies what is readable into a new, sound file with the
// current schema, keeps the damaged one aside, and says what was lost.
func TestSalvage(t *testing.T) {
	ctx := context.Background()
	path, emails := damagedFile(t)
	db, err := OpenOptions(ctx, path, Options{AllowDamaged: true})
	if err != nil {
		t.Fatal(err)
	}
	want := db.Damage().Loss("contacts")
	t.Logf("damage: %+v; contacts %+v", db.Damage().Problems[:1], want)
	rep, err := SalvageInPlace(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	var got app.TableLoss
	for _, tl := range rep.Tables {
		if tl.Table == "contacts" {
			got = tl
		}
	}
	if got != want {
		t.Errorf("salvaged contacts %+v, the check counted %+v", got, want)
	}
	if rep.Path != path || rep.Damaged == "" {
		t.Fatalf("report %+v", rep)
	}
	if _, err := os.Stat(rep.Damaged); err != nil {
		t.Errorf("the damaged file was not kept: %v", err)
	}
	nd, err := Open(ctx, path) // sound: Open runs the quick check
	if err != nil {
		t.Fatal(err)
	}
	defer nd.Close()
	if d, err := nd.CheckIntegrity(ctx); d != nil || err != nil {
		t.Fatalf("salvaged file: %+v %v", d, err)
	}
	n, err := nd.CountContacts(ctx, app.ContactFilter{})
	if err != nil || n != got.Readable {
		t.Errorf("salvaged file counts %d contacts (%v), report says %d", n, err, got.Readable)
	}
	// Search, the company link and writing work in the new file.
	found, err := nd.ListContacts(ctx, app.ContactFilter{Query: "テスト", Limit: 100})
	if err != nil || len(found) != got.Readable {
		t.Errorf("search by company found %d (%v)", len(found), err)
	}
	c := app.Contact{LastName: "After", Email: emails[0]}
	if err := nd.CreateContact(ctx, &c); err != nil {
		t.Errorf("write after salvage: %v", err)
	}
	var ver int
	if err := nd.read.QueryRowContext(ctx, "PRAGMA user_version").Scan(&ver); err != nil || ver != SchemaVersion() {
		t.Errorf("schema version %d, want %d", ver, SchemaVersion())
	}
}

// TestDamageOnAnyPage damages each of the contacts table's pages in turn
// (one shape of damage once made the rowid scan go back and never end):
// open, the count of lost rows and the salvage hold for every one.
func TestDamageOnAnyPage(t *testing.T) {
	ctx := context.Background()
	for leaf := 0; leaf < 9; leaf++ {
		path, _ := damagedFileAt(t, leaf)
		db, err := OpenOptions(ctx, path, Options{AllowDamaged: true})
		if err != nil {
			t.Fatalf("page %d: %v", leaf, err)
		}
		d := db.Damage()
		if d == nil {
			db.Close()
			continue // the bytes landed where SQLite does not look (free space)
		}
		if l := d.Loss("contacts"); l.Readable+l.Unreadable != 82 {
			t.Errorf("page %d: %+v does not add up to 82", leaf, l)
		}
		rep, err := SalvageInPlace(ctx, db)
		if err != nil {
			t.Fatalf("page %d: salvage: %v", leaf, err)
		}
		nd, err := Open(ctx, path)
		if err != nil {
			t.Fatalf("page %d: salvaged file: %v", leaf, err)
		}
		n, _ := nd.CountContacts(ctx, app.ContactFilter{})
		nd.Close()
		for _, tl := range rep.Tables {
			if tl.Table == "contacts" && tl.Readable != n {
				t.Errorf("page %d: report %d contacts, file %d", leaf, tl.Readable, n)
			}
		}
	}
}

// TestDamagedSampleData is the shape of damage that made the scan go back
// and never end: the demo data with its second contacts page overwritten.
func TestDamagedSampleData(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "tandem.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := sample.Load(ctx, app.CRM{Contacts: db, Companies: db, Pipelines: db}, 1, sample.Demo); err != nil {
		t.Fatal(err)
	}
	total, _ := db.CountContacts(ctx, app.ContactFilter{})
	var page int
	if err := db.write.QueryRowContext(ctx, `SELECT pageno FROM dbstat WHERE name = 'contacts' AND pagetype = 'leaf' ORDER BY pageno LIMIT 1 OFFSET 1`).Scan(&page); err != nil {
		t.Fatal(err)
	}
	db.Close()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte(strings.Repeat("\xde\xad\xbe\xef", 256)), int64(page-1)*4096+100); err != nil {
		t.Fatal(err)
	}
	f.Close()
	db, err = OpenOptions(ctx, path, Options{AllowDamaged: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if l := db.Damage().Loss("contacts"); l.Unreadable == 0 || l.Readable+l.Unreadable != total {
		t.Errorf("contacts %+v, want some lost of %d", l, total)
	}
}
