package main

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/tandem-crm/tandem/app/secrets"
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
