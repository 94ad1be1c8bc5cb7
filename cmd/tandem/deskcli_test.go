package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
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
//
// Something else holds 127.0.0.1:47615, the port the demo desk once
// insisted on, for the whole test: the demo must not depend on any port.
func TestDeskHeadless(t *testing.T) {
	needKeyring(t)
	holdPort(t, "127.0.0.1:47615")
	dir := t.TempDir()
	if code, _, errs := tandem(t, dir, "sample"); code != 0 {
		t.Fatal(errs)
	}
	if code, _, errs := tandem(t, dir, "--desk", "demo", "desk", "configure"); code != 1 || !strings.Contains(errs, "refresh token") {
		t.Fatalf("configure without a token: %d %q", code, errs)
	}
	t.Setenv(envRefreshToken, "1000.demo-alice.refresh")
	code, out, errs := tandem(t, dir, "--desk", "demo", "desk", "configure", "-mode", "two_way")
	if code != 0 || !strings.Contains(out, `connected portal "Acme Support"`) || !strings.Contains(out, "demo help desk") {
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
	// The two-way demo has one job title that differs: a conflict, and so
	// at least one thing that needs attention (what the window's card lists).
	var conflicts, attention int
	for _, line := range strings.Split(out, "\n") {
		fmt.Sscanf(line, "conflicts: %d", &conflicts)
		fmt.Sscanf(line, "needs attention: %d", &attention)
	}
	if conflicts < 1 || attention < conflicts {
		t.Errorf("status: conflicts %d, needs attention %d:\n%s", conflicts, attention, out)
	}
	if code, _, _ = tandem(t, dir, "--desk", "demo", "desk", "deactivate"); code != 0 {
		t.Fatalf("deactivate: %d", code)
	}
	if code, out, _ = tandem(t, dir, "--desk", "demo", "desk", "status"); code != 0 || !strings.Contains(out, "no Zoho Desk portal") {
		t.Fatalf("status after deactivate: %q", out)
	}
}

// holdPort listens on addr for the rest of the test, when it is free (when
// it is not, something else holds it, which serves as well).
func holdPort(t *testing.T, addr string) {
	t.Helper()
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Logf("%s is held by something else already: %v", addr, err)
		return
	}
	t.Cleanup(func() { l.Close() })
}

// TestDeskSyncBesideDemoWindow is the finding: with the window open on the
// demo help desk, a headless `desk sync` said "cannot be reached". The
// portal is configured headless (one demo desk on a free port), then a
// window opens on the demo (another free port) and the headless pass goes
// through it; 47615 is held by something else all along.
func TestDeskSyncBesideDemoWindow(t *testing.T) {
	if testing.Short() {
		t.Skip("starts several processes")
	}
	needKeyring(t)
	holdPort(t, "127.0.0.1:47615")
	dir := t.TempDir()
	if code, _, errs := tandem(t, dir, "sample"); code != 0 {
		t.Fatal(errs)
	}
	t.Setenv(envRefreshToken, "1000.demo-alice.refresh")
	if code, out, errs := tandem(t, dir, "--desk", "demo", "desk", "configure", "-mode", "two_way"); code != 0 {
		t.Fatalf("configure: %d %q %q", code, out, errs)
	}
	t.Setenv(envRefreshToken, "")
	t.Cleanup(func() { tandem(t, dir, "--desk", "demo", "desk", "deactivate") })
	win := startOn(t, dir, "demo", "--hidden")
	holder(t, dir, 0)
	code, out, errs := runProcOn(t, dir, "demo", "desk", "sync")
	if code != 0 || !strings.Contains(out, "by the running window") || !strings.Contains(out, "errors 0") {
		t.Fatalf("desk sync beside the demo window: %d %q %q\nwindow: %s", code, out, errs, win.err.String())
	}
	win.cmd.Process.Kill()
	win.cmd.Wait()
}

// TestDeskConflictsHeadless makes a conflict against an emulator on
// loopback (reached as `--desk URL`, like any Desk), lists it and restores
// the losing value from the command line.
func TestDeskConflictsHeadless(t *testing.T) {
	needKeyring(t)
	ctx := context.Background()
	emu, r, info := headlessDesk(t, deskemu.Options{Seed: 3})
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

// TestDeskTokensKept: two headless commands in a row use one access token
// (Zoho allows a refresh token only about ten in ten minutes, so each
// command minting its own soon runs out); it lives in the keyring.
func TestDeskTokensKept(t *testing.T) {
	needKeyring(t)
	emu, r, _ := headlessDesk(t, deskemu.Options{Seed: 3})
	dir := t.TempDir()
	if code, out, errs := tandem(t, dir, "--desk", r.URL, "desk", "configure", "-mode", "none"); code != 0 {
		t.Fatalf("configure: %q %q", out, errs)
	}
	defer tandem(t, dir, "--desk", r.URL, "desk", "deactivate")
	t.Setenv(envRefreshToken, "")
	after := emu.TokenRequests("")
	for i := range 2 {
		if code, out, errs := tandem(t, dir, "--desk", r.URL, "desk", "sync"); code != 0 {
			t.Fatalf("sync %d: %q %q", i, out, errs)
		}
	}
	if n := emu.TokenRequests(""); n != after {
		t.Fatalf("token requests: %d by configure, %d more by two syncs (want none: the access token is kept)", after, n-after)
	}
	if after != 1 {
		t.Errorf("configure asked for %d tokens, want 1", after)
	}
	// The access token expires: the next command refreshes it once.
	emu.Advance(2 * time.Hour)
	if code, out, errs := tandem(t, dir, "--desk", r.URL, "desk", "sync"); code != 0 {
		t.Fatalf("sync after expiry: %q %q", out, errs)
	}
	if n := emu.TokenRequests("refresh_token") - after; n != 1 {
		t.Errorf("%d refreshes after expiry, want 1", n)
	}
}

// TestDeskConfigureRefusals: headless configure says exactly what was
// refused; a mapping file is the one `desk mapping` prints, and names
// unknown fields and keys; `desk sync` without a portal fails.
func TestDeskConfigureRefusals(t *testing.T) {
	needKeyring(t)
	emu := deskemu.New(deskemu.Options{Seed: 3})
	r, err := emu.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	info := emu.Info()
	dir := t.TempDir()
	if code, _, errs := tandem(t, dir, "--desk", r.URL, "desk", "sync"); code == 0 || !strings.Contains(errs, "No Zoho Desk portal is connected") {
		t.Fatalf("sync without a portal: %d %q", code, errs)
	}
	// No client id for a Zoho data centre.
	t.Setenv(envClientID, "")
	t.Setenv(envRefreshToken, "1000.x.y")
	if code, _, errs := tandem(t, dir, "--desk", "eu", "desk", "configure"); code == 0 || !strings.Contains(errs, "no Zoho OAuth client id") {
		t.Fatalf("no client id: %d %q", code, errs)
	}
	// A wrong client.
	t.Setenv(envClientID, "1000.WRONGCLIENT")
	t.Setenv(envClientSecret, "nope")
	t.Setenv(envRefreshToken, info.Users[0].RefreshToken)
	if code, _, errs := tandem(t, dir, "--desk", r.URL, "desk", "configure"); code == 0 || !strings.Contains(errs, "OAuth client id") {
		t.Fatalf("wrong client: %d %q", code, errs)
	}
	t.Setenv(envClientID, info.ClientID)
	t.Setenv(envClientSecret, info.ClientSecret)
	// A wrong (or revoked) refresh token.
	t.Setenv(envRefreshToken, "1000.revoked.token")
	if code, _, errs := tandem(t, dir, "--desk", r.URL, "desk", "configure"); code == 0 || !strings.Contains(errs, "refused the refresh token") {
		t.Fatalf("wrong refresh token: %d %q", code, errs)
	}
	t.Setenv(envRefreshToken, info.Users[0].RefreshToken)
	// A portal the account has no access to.
	if code, _, errs := tandem(t, dir, "--desk", r.URL, "desk", "configure", "-org", "123"); code == 0 || !strings.Contains(errs, "no access to that portal") {
		t.Fatalf("no access: %d %q", code, errs)
	}
	// A mapping naming unknown fields, and one with unknown keys.
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`[{"kind":"contact","crmField":"Shoe","deskField":"lastName","type":"text"},
		{"kind":"contact","crmField":"Email","deskField":"cf_nothing","type":"email"}]`), 0o600)
	code, _, errs := tandem(t, dir, "--desk", r.URL, "desk", "configure", "-mapping", bad)
	if code == 0 || !strings.Contains(errs, "Shoe") || !strings.Contains(errs, "cf_nothing") {
		t.Fatalf("unknown fields: %d %q", code, errs)
	}
	keys := filepath.Join(dir, "keys.json")
	os.WriteFile(keys, []byte(`[{"kind":"contact","crm":"Email","deskField":"email","type":"email"}]`), 0o600)
	if code, _, errs := tandem(t, dir, "--desk", r.URL, "desk", "configure", "-mapping", keys); code == 0 || !strings.Contains(errs, "[0].crm") {
		t.Fatalf("unknown keys: %d %q", code, errs)
	}
	// Another user's portal: the grant must be the named administrator's.
	var initech deskemu.PortalInfo
	for _, p := range info.Portals {
		if p.Name == "Initech Service Desk" {
			initech = p
		}
	}
	code, _, errs = tandem(t, dir, "--desk", r.URL, "desk", "configure", "-admin-email", initech.AdminEmail, "-mode", "none")
	if code == 0 || !strings.Contains(errs, "not the administrator "+initech.AdminEmail) {
		t.Fatalf("someone else's grant: %d %q", code, errs)
	}
	var hanako string
	for _, u := range info.Users {
		if u.Email == initech.AdminEmail {
			hanako = u.RefreshToken
		}
	}
	t.Setenv(envRefreshToken, hanako)
	code, out, errs := tandem(t, dir, "--desk", r.URL, "desk", "configure", "-admin-email", initech.AdminEmail, "-mode", "none")
	if code != 0 || !strings.Contains(out, "Initech") {
		t.Fatalf("the administrator's grant: %d %q %q", code, out, errs)
	}
	if code, _, _ := tandem(t, dir, "--desk", r.URL, "desk", "deactivate"); code != 0 {
		t.Fatal("deactivate")
	}
	t.Setenv(envRefreshToken, info.Users[0].RefreshToken)

	// The right one: configure, print the mapping, configure again with it.
	if code, out, errs := tandem(t, dir, "--desk", r.URL, "desk", "configure"); code != 0 {
		t.Fatalf("configure: %q %q", out, errs)
	}
	defer tandem(t, dir, "--desk", r.URL, "desk", "deactivate")
	code, out, errs = tandem(t, dir, "--desk", r.URL, "desk", "mapping")
	if code != 0 || !strings.Contains(out, `"deskField": "email"`) {
		t.Fatalf("mapping: %d %q %q", code, out, errs)
	}
	m := filepath.Join(dir, "mapping.json")
	os.WriteFile(m, []byte(out), 0o600)
	if code, out, errs := tandem(t, dir, "--desk", r.URL, "desk", "configure", "-mapping", m); code != 0 {
		t.Fatalf("configure with the printed mapping: %q %q", out, errs)
	}
}

// TestNoSecretOutsideKeyring extends the backup test's "holds no secret"
// to the new paths: the kept access token, an organisation's client
// secret, the refresh token. After configure and two syncs (logged at
// debug level), none of them is in any file of the data folder (database,
// WAL, backups) or in the log; all are in the keyring.
func TestNoSecretOutsideKeyring(t *testing.T) {
	needKeyring(t)
	emu, r, info := headlessDesk(t, deskemu.Options{Seed: 3, Contacts: 20, Accounts: 5, Tickets: 20})
	dir := t.TempDir()
	var logs strings.Builder
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	defer slog.SetDefault(old)
	if code, _, errs := tandem(t, dir, "sample"); code != 0 {
		t.Fatal(errs)
	}
	code, out, errs := tandem(t, dir, "--desk", r.URL, "desk", "configure", "-mode", "two_way")
	if code != 0 {
		t.Fatalf("configure: %q %q", out, errs)
	}
	defer tandem(t, dir, "--desk", r.URL, "desk", "deactivate")
	t.Setenv(envRefreshToken, "")
	for range 2 {
		if code, out, errs := tandem(t, dir, "--desk", r.URL, "desk", "sync"); code != 0 {
			t.Fatalf("sync: %q %q", out, errs)
		}
	}
	if code, _, errs := tandem(t, dir, "backup"); code != 0 {
		t.Fatal(errs)
	}
	ctx := context.Background()
	kept, err := newSecrets().GetSecret(ctx, app.PortalSecretKey(emu.DefaultOrgID(), app.SecretAccessToken))
	if err != nil {
		t.Fatalf("the access token is not in the keyring: %v", err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal([]byte(kept), &tok); err != nil || tok.AccessToken == "" {
		t.Fatalf("kept token %v", err)
	}
	secrets := map[string]string{"refresh token": info.Users[0].RefreshToken, "access token": tok.AccessToken, "client secret": info.ClientSecret}
	files := 0
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files++
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for what, v := range secrets {
			if strings.Contains(string(b), v) {
				t.Errorf("%s holds the %s", p, what)
			}
		}
		return nil
	})
	if files < 2 {
		t.Fatalf("only %d files in the data folder", files)
	}
	for what, v := range secrets {
		if strings.Contains(logs.String(), v) || strings.Contains(out, v) || strings.Contains(errs, v) {
			t.Errorf("the log or output holds the %s", what)
		}
	}
	if logs.Len() == 0 {
		t.Fatal("nothing was logged: the check proves nothing")
	}
}

// headlessDesk starts an emulator on a free loopback port for the length
// of the test and points the headless commands' environment at it as its
// first demo user (client id, secret and refresh token).
func headlessDesk(t *testing.T, o deskemu.Options) (*deskemu.Server, *deskemu.Running, deskemu.Info) {
	t.Helper()
	emu := deskemu.New(o)
	r, err := emu.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	info := emu.Info()
	t.Setenv(envClientID, info.ClientID)
	t.Setenv(envClientSecret, info.ClientSecret)
	t.Setenv(envRefreshToken, info.Users[0].RefreshToken)
	return emu, r, info
}
