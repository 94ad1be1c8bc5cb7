package main

import (
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/app/store"
	"github.com/tandem-crm/tandem/sync/desk"
	"github.com/tandem-crm/tandem/sync/deskemu"
)

// TestDemoDeskKeepsChanges is the finding: the demo help desk forgot what
// Tandem had sent it when the app quit, so after a restart in two-way mode
// its fresh copies overwrote a sample contact's phone without a conflict.
// Each `tandem` call below is a new process-like run with a new demo desk,
// as after a restart; the journal beside the database carries the
// changes over.
func TestDemoDeskKeepsChanges(t *testing.T) {
	needKeyring(t)
	ctx := context.Background()
	dir := t.TempDir()
	if code, _, errs := tandem(t, dir, "sample"); code != 0 {
		t.Fatal(errs)
	}
	t.Setenv(envRefreshToken, "1000.demo-alice.refresh")
	if code, out, errs := tandem(t, dir, "--desk", "demo", "desk", "configure", "-mode", "two_way"); code != 0 {
		t.Fatalf("configure: %d %q %q", code, out, errs)
	}
	t.Setenv(envRefreshToken, "")
	defer tandem(t, dir, "--desk", "demo", "desk", "deactivate") // the keyring outlives the test
	if code, out, errs := tandem(t, dir, "--desk", "demo", "desk", "sync"); code != 0 {
		t.Fatalf("first sync: %q %q", out, errs)
	}

	// A linked sample contact gets a new phone in Tandem, and the next
	// pass sends it to the demo desk.
	db, err := store.Open(ctx, filepath.Join(dir, "tandem.db"))
	if err != nil {
		t.Fatal(err)
	}
	portal, err := db.ActivePortal(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := db.ListContacts(ctx, app.ContactFilter{Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	var c app.Contact
	var link *app.Link
	for _, x := range cs {
		if l, err := db.FindLink(ctx, portal.OrgID, app.KindContact, x.ID); err == nil && x.Email != "" {
			c, link = x, l
			break
		}
	}
	if link == nil {
		t.Fatal("no sample contact is linked to the demo desk after a two-way sync")
	}
	const phone = "+81 3 5555 0123"
	c.Phone = phone
	if err := db.UpdateContact(ctx, &c); err != nil {
		t.Fatal(err)
	}
	_ = db.Close()
	if code, out, errs := tandem(t, dir, "--desk", "demo", "desk", "sync"); code != 0 {
		t.Fatalf("sync after the edit: %q %q", out, errs)
	}

	// A restart: a new demo desk replays the journal and holds the phone.
	emu := deskemu.New(deskemu.Options{Seed: 1})
	seedDemoDesk(emu)
	j, err := openDemoJournal(emu, filepath.Join(dir, demoJournalName))
	if err != nil {
		t.Fatal(err)
	}
	r, err := emu.StartHandler("127.0.0.1:0", j)
	if err != nil {
		t.Fatal(err)
	}
	access, _, err := emu.IssueToken(emu.Info().Users[0].Email)
	if err != nil {
		t.Fatal(err)
	}
	cl, err := desk.New(desk.Options{BaseURL: r.URL, OrgID: portal.OrgID, Tokens: desk.StaticToken(access)})
	if err != nil {
		t.Fatal(err)
	}
	dc, err := cl.GetContact(ctx, link.DeskID)
	r.Close()
	j.Close()
	if err != nil {
		t.Fatalf("the demo desk lost contact %s after a restart: %v", link.DeskID, err)
	}
	if dc.Phone != phone || !strings.EqualFold(dc.Email, c.Email) {
		t.Errorf("after a restart the demo desk has %q <%s>, want %q <%s>", dc.Phone, dc.Email, phone, c.Email)
	}

	// And Tandem's next pass (another restart) keeps the phone, without a
	// conflict about it.
	if code, out, errs := tandem(t, dir, "--desk", "demo", "desk", "sync"); code != 0 {
		t.Fatalf("sync after a restart: %q %q", out, errs)
	}
	db, err = store.Open(ctx, filepath.Join(dir, "tandem.db"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := db.FindContact(ctx, c.ID)
	_ = db.Close()
	if err != nil {
		t.Fatal(err)
	}
	if got.Phone != phone {
		t.Errorf("after a restart Tandem's phone is %q, want %q", got.Phone, phone)
	}
	if _, out, _ := tandem(t, dir, "--desk", "demo", "desk", "conflicts"); strings.Contains(out, "Phone") {
		t.Errorf("a conflict about the phone after a restart:\n%s", out)
	}

	// The journal holds no secret.
	b, err := os.ReadFile(filepath.Join(dir, demoJournalName))
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"oauthtoken", "1000.demo-alice.refresh", access, emu.Info().ClientSecret} {
		if strings.Contains(string(b), secret) {
			t.Errorf("the demo journal holds %q", secret)
		}
	}
}

// TestDemoJournalDamaged: a journal cut short by a crash replays what is
// whole; one this version cannot read is set aside, and a new one begins.
func TestDemoJournalDamaged(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, demoJournalName)
	emu := deskemu.New(deskemu.Options{Seed: 1})
	org := emu.DefaultOrgID()
	body := `{"lastName":"Journal","email":"journal@example.org"}`
	whole := `{"format":1}` + "\n" +
		`{"m":"POST","p":"/api/v1/contacts","org":"` + org + `","as":"` + emu.Info().Users[0].Email + `","ct":"application/json","b":"` +
		b64(body) + `"}` + "\n"
	if err := os.WriteFile(path, []byte(whole+`{"m":"POST","p":"/api/v1/conta`), 0o600); err != nil {
		t.Fatal(err)
	}
	j, err := openDemoJournal(emu, path)
	if err != nil {
		t.Fatal(err)
	}
	j.Close()
	if got := emu.Requests(); len(got) != 1 || got[0].Status != 201 && got[0].Status != 200 {
		t.Fatalf("replay of a journal cut short: %+v", got)
	}

	if err := os.WriteFile(path, []byte(`{"format":99}`+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	emu = deskemu.New(deskemu.Options{Seed: 1})
	j, err = openDemoJournal(emu, path)
	if err != nil {
		t.Fatal(err)
	}
	j.Close()
	if n := len(emu.Requests()); n != 0 {
		t.Errorf("a foreign journal was replayed: %d requests", n)
	}
	if _, err := os.Stat(path + ".old"); err != nil {
		t.Errorf("the foreign journal was not kept aside: %v", err)
	}
	if b, _ := os.ReadFile(path); string(b) != `{"format":1}`+"\n" {
		t.Errorf("new journal = %q", b)
	}
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
