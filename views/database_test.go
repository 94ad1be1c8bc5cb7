package views

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/widget"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/app/store"
)

// damagedStore is issue 18's damaged database: 82 contacts, then bytes
// overwritten in a page of the contacts table; opened as the app opens it.
func damagedStore(t *testing.T, opts ...store.Options) *store.DB {
	t.Helper()
	o := store.Options{AllowDamaged: true}
	if len(opts) > 0 {
		o = opts[0]
	}
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "tandem.db")
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
	db, err = store.OpenOptions(ctx, path, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestDamagedDatabaseWindowDeferredCheck: the window's open leaves the
// quick check for the background (issue 17); the window runs it at once,
// not after the full check's delay, and says the file is damaged.
func TestDamagedDatabaseWindowDeferredCheck(t *testing.T) {
	db := damagedStore(t, store.Options{AllowDamaged: true, DeferCheck: true})
	if db.Damage() != nil {
		t.Fatal("the deferred open checked the file")
	}
	old := integrityCheckDelay
	integrityCheckDelay = time.Hour // only the quick check may find it
	t.Cleanup(func() { integrityCheckDelay = old })
	crm := app.CRM{Contacts: db, Companies: db, Pipelines: db}
	m := newTestWindow(t, crm, Params{QuickCheck: db.Verify, CheckDatabase: db.CheckIntegrity})
	settle(m)
	if !m.database.banner.Visible() || !strings.Contains(m.database.text.Text, app.MsgDamaged) {
		t.Fatalf("no damage banner after the deferred quick check: %q", m.database.text.Text)
	}
}

// TestDamagedDatabaseWindow is the finding "the window opens without a
// warning": it now says plainly that the file is damaged and what is lost,
// saves nothing, and salvages what can be read.
func TestDamagedDatabaseWindow(t *testing.T) {
	db := damagedStore(t)
	crm := app.CRM{Contacts: db, Companies: db, Pipelines: db}
	m := newTestWindow(t, crm, Params{
		CheckDatabase: db.CheckIntegrity,
		Salvage:       func(ctx context.Context) (*app.SalvageReport, error) { return store.SalvageInPlace(ctx, db) },
	})
	if !m.database.banner.Visible() || !strings.Contains(m.database.text.Text, app.MsgDamaged) {
		t.Fatalf("no damage banner: %q", m.database.text.Text)
	}
	lost := db.Damage().Loss("contacts")
	if want := fmt.Sprintf("%d of 82 contacts cannot be read.", lost.Unreadable); lost.Unreadable == 0 || !strings.Contains(m.database.text.Text, want) {
		t.Errorf("banner %q lacks %q", m.database.text.Text, want)
	}
	if !hasText(m, damageText(db.Damage())) {
		t.Error("no dialog says what is damaged")
	}
	for _, o := range objects(m) {
		if b, ok := o.(*widget.Button); ok && b.Visible() && strings.HasPrefix(b.Text, "Restore the latest backup") {
			t.Error("Restore offered without backups")
		}
	}
	tap(m, button(t, m, "Not now"))

	// Saving says why it cannot.
	m.contacts.create()
	settle(m)
	typeIn(m, m.contacts.form.last, "New")
	tap(m, m.contacts.form.save)
	if !hasText(m, app.MsgDamaged) {
		t.Error("saving into the damaged file did not say why it failed")
	}
	if n, _ := db.CountContacts(context.Background(), app.ContactFilter{Query: "New"}); n != 0 {
		t.Error("a contact was written into the damaged file")
	}
	m.escape()
	m.escape()
	settle(m)

	tap(m, button(t, m, "Salvage what can be read…"))
	want := fmt.Sprintf("Salvaged %d contacts and 0 companies into a new database; %d saved rows could not be read. The damaged file is kept as %s.\n\nQuit Tandem and open it again to use the new database.",
		82-lost.Unreadable, lost.Unreadable, firstAside(t, db.Path()))
	if !hasText(m, want) {
		t.Errorf("no report of the salvage reading %q", want)
	}
	nd, err := store.Open(context.Background(), db.Path())
	if err != nil {
		t.Fatalf("the salvaged file: %v", err)
	}
	defer nd.Close()
	if n, err := nd.CountContacts(context.Background(), app.ContactFilter{}); err != nil || n != 82-lost.Unreadable {
		t.Errorf("the salvaged file has %d contacts (%v)", n, err)
	}
}

func firstAside(t *testing.T, path string) string {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(filepath.Dir(path), "damaged", "*.db"))
	if len(m) != 1 {
		t.Fatalf("damaged files kept: %v", m)
	}
	return m[0]
}

// TestDamageFoundAtOpenShownAtOnce: damage the quick check found when the
// database was opened is said as soon as the window is up, not after the
// full check that starts 20 s later (the real window showed nothing for
// those 20 s while the log already said "database damaged").
func TestDamageFoundAtOpenShownAtOnce(t *testing.T) {
	old := integrityCheckDelay
	integrityCheckDelay = time.Hour
	t.Cleanup(func() { integrityCheckDelay = old })
	db := damagedStore(t)
	if db.Damage() == nil {
		t.Fatal("the quick check at open found nothing")
	}
	crm := app.CRM{Contacts: db, Companies: db, Pipelines: db}
	m := newTestWindow(t, crm, Params{CheckDatabase: db.CheckIntegrity, Damage: db.Damage()})
	if !m.database.banner.Visible() || !hasText(m, damageText(db.Damage())) {
		t.Fatal("the damage found at open is not shown at once")
	}
}
