package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/app/secrets"
	"github.com/tandem-crm/tandem/app/store"
	"github.com/tandem-crm/tandem/sync/desk"
	"github.com/tandem-crm/tandem/sync/deskemu"
)

// needKeyring skips without a Secret Service keyring, except in CI, where
// .ci/with-session.sh provides one.
func needKeyring(t *testing.T) {
	t.Helper()
	k := secrets.New("tandem-test-probe")
	if err := k.SetSecret(context.Background(), "probe", "x"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("no keyring in CI: %v", err)
		}
		t.Skipf("no keyring here (run under .ci/with-session.sh): %v", err)
	}
	_ = k.DeleteSecret(context.Background(), "probe")
}

// TestDeskHeadless configures the demo help desk (150 generated tickets plus
// 16 from sample contacts) without the window, runs
// a pass in a second process-like invocation (a fresh emulator, as after a
// restart: the keyring's refresh token is adopted), and prints the status.
func TestDeskHeadless(t *testing.T) {
	needKeyring(t)
	dir := t.TempDir()
	if code, _, errs := tandem(t, dir, "sample"); code != 0 {
		t.Fatal(errs)
	}
	if code, _, errs := tandem(t, dir, "--desk", "demo", "desk", "configure"); code != 1 || !strings.Contains(errs, "refresh token") {
		t.Fatalf("configure without a token: %d %q", code, errs)
	}
	t.Setenv(envRefreshToken, "1000.demo-alice.refresh")
	code, out, errs := tandem(t, dir, "--desk", "demo", "desk", "configure", "-mode", "two_way")
	if code != 0 || !strings.Contains(out, `connected portal "Acme Support"`) {
		t.Fatalf("configure: %d %q %q", code, out, errs)
	}
	t.Setenv(envRefreshToken, "")
	code, out, errs = tandem(t, dir, "--desk", "demo", "desk", "sync")
	if code != 0 || !strings.Contains(out, "sync pass done") || !strings.Contains(out, "tickets 166") {
		t.Fatalf("sync: %d %q %q", code, out, errs)
	}
	code, out, errs = tandem(t, dir, "--desk", "demo", "desk", "status")
	if code != 0 || !strings.Contains(out, "cached tickets:  166") || !strings.Contains(out, "pending outbox:  0") {
		t.Fatalf("status: %d %q %q", code, out, errs)
	}
	if code, _, _ = tandem(t, dir, "--desk", "demo", "desk", "deactivate"); code != 0 {
		t.Fatalf("deactivate: %d", code)
	}
	if code, out, _ = tandem(t, dir, "--desk", "demo", "desk", "status"); code != 0 || !strings.Contains(out, "no Zoho Desk portal") {
		t.Fatalf("status after deactivate: %q", out)
	}
}

// TestDeskConflictsHeadless makes a conflict against an emulator on
// loopback (reached as `--desk URL`, like any Desk), lists it and restores
// the losing value from the command line.
func TestDeskConflictsHeadless(t *testing.T) {
	needKeyring(t)
	ctx := context.Background()
	emu := deskemu.New(deskemu.Options{Seed: 3})
	r, err := emu.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	info := emu.Info()
	t.Setenv(envClientID, info.ClientID)
	t.Setenv(envClientSecret, info.ClientSecret)
	t.Setenv(envRefreshToken, info.Users[0].RefreshToken)
	dir := t.TempDir()
	if code, _, errs := tandem(t, dir, "contacts", "add", "-first", "Ada", "-last", "Lovelace", "-email", "ada@example.org"); code != 0 {
		t.Fatal(errs)
	}
	if code, out, errs := tandem(t, dir, "--desk", r.URL, "desk", "configure", "-mode", "two_way"); code != 0 {
		t.Fatalf("configure: %q %q", out, errs)
	}
	defer tandem(t, dir, "--desk", r.URL, "desk", "deactivate") // the keyring outlives the test
	if code, out, errs := tandem(t, dir, "--desk", r.URL, "desk", "sync"); code != 0 {
		t.Fatalf("sync: %q %q", out, errs)
	}
	// Both sides change the title between two passes; Tandem's edit reaches Desk last and wins.
	db, err := store.Open(ctx, filepath.Join(dir, "tandem.db"))
	if err != nil {
		t.Fatal(err)
	}
	cs, err := db.ListContacts(ctx, app.ContactFilter{Query: "ada@example.org"})
	if err != nil || len(cs) != 1 {
		t.Fatalf("ada: %v %v", cs, err)
	}
	ada := cs[0]
	link, err := db.FindLink(ctx, emu.DefaultOrgID(), app.KindContact, ada.ID)
	if err != nil {
		t.Fatal(err)
	}
	ada.Title = "Mathematician"
	if err := db.UpdateContact(ctx, &ada); err != nil {
		t.Fatal(err)
	}
	_ = db.Close()
	time.Sleep(5 * time.Millisecond)
	if err := emu.EditContact(emu.DefaultOrgID(), link.DeskID, map[string]any{"title": "Analyst"}); err != nil {
		t.Fatal(err)
	}
	if code, out, errs := tandem(t, dir, "--desk", r.URL, "desk", "sync"); code != 0 || !strings.Contains(out, "conflicts 1") {
		t.Fatalf("sync: %q %q", out, errs)
	}
	code, out, errs := tandem(t, dir, "--desk", r.URL, "desk", "conflicts")
	// One clock (issue 12): Tandem's change reaches Desk after Desk's, so
	// it is the later one and is kept.
	want := `contact "Ada Lovelace"  Title: kept "Mathematician" (Tandem), other "Analyst" (Zoho Desk)`
	if code != 0 || !strings.Contains(out, want) {
		t.Fatalf("conflicts: %q %q", out, errs)
	}
	id := strings.Fields(strings.TrimPrefix(out, "#"))[0]
	if code, out, errs := tandem(t, dir, "--desk", r.URL, "desk", "restore", "x"); code == 0 || !strings.Contains(errs, "not a number") {
		t.Fatalf("restore x: %d %q %q", code, out, errs)
	}
	if code, out, errs := tandem(t, dir, "--desk", r.URL, "desk", "restore", id); code != 0 {
		t.Fatalf("restore: %q %q", out, errs)
	}
	if code, out, _ := tandem(t, dir, "--desk", r.URL, "desk", "conflicts"); code != 0 || !strings.Contains(out, "no conflicts") {
		t.Fatalf("conflicts after restore: %q", out)
	}
	if code, out, errs := tandem(t, dir, "--desk", r.URL, "desk", "sync"); code != 0 {
		t.Fatalf("sync: %q %q", out, errs)
	}
	cl, err := desk.New(desk.Options{BaseURL: r.URL, OrgID: emu.DefaultOrgID(), Tokens: desk.StaticToken(info.Users[0].AccessToken)})
	if err != nil {
		t.Fatal(err)
	}
	dc, err := cl.GetContact(ctx, link.DeskID)
	if err != nil {
		t.Fatal(err)
	}
	if dc.Title != "Analyst" {
		t.Errorf("Desk title after restore = %q", dc.Title)
	}
}
