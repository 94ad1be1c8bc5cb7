package main

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/sync/deskemu"
)

// tandemLogged is tandem with the process's log (slog, which the real
// binary writes to stderr) captured into the same stderr, so a test sees
// everything a person would.
func tandemLogged(t *testing.T, dataDir string, args ...string) (int, string, string) {
	t.Helper()
	var out, errw bytes.Buffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&errw, &slog.HandlerOptions{Level: slog.LevelInfo})))
	defer slog.SetDefault(old)
	code := run(context.Background(), append([]string{"--data-dir", dataDir}, args...), &out, &errw)
	return code, out.String(), errw.String()
}

// TestDeskFaultsHeadless is the finding: malformed JSON, an HTML page with
// 200 and an oversized answer said "cannot be reached", and `desk status`
// kept no last error for them. Each is named, printed once, and is the
// last error `desk status` shows.
func TestDeskFaultsHeadless(t *testing.T) {
	needKeyring(t)
	emu, r, _ := headlessDesk(t, deskemu.Options{Seed: 3})
	dir := t.TempDir()
	if code, out, errs := tandem(t, dir, "--desk", r.URL, "desk", "configure", "-mode", "two_way"); code != 0 {
		t.Fatalf("configure: %q %q", out, errs)
	}
	defer tandem(t, dir, "--desk", r.URL, "desk", "deactivate") // the keyring outlives the test
	for _, tc := range []struct {
		fault deskemu.Fault
		want  string
	}{
		{deskemu.Fault{Kind: deskemu.FaultMalformed, Path: "/api/v1/accounts/search"}, "Zoho Desk answered something Tandem cannot read (HTTP 200, application/json). Tandem will try again."},
		{deskemu.Fault{Kind: deskemu.FaultHuge, Path: "/api/v1/accounts/search"}, "Zoho Desk sent an answer larger than Tandem accepts (16 MiB). Tandem will try again."},
		{deskemu.Fault{Kind: deskemu.FaultStatus, Status: 503, Path: "/api/v1/accounts/search"}, "Zoho Desk is unavailable right now. Tandem will try again."},
		{deskemu.Fault{Kind: deskemu.FaultStatus, Status: 422, Path: "/api/v1/accounts/search"}, "Zoho Desk did not accept the request: Injected fault: Unprocessable Entity"},
		{deskemu.Fault{Kind: deskemu.FaultStatus, Status: 403, Path: "/api/v1/accounts/search"}, "Your Zoho Desk profile does not allow this."},
		// Every path, the sign-in's token exchange too.
		{deskemu.Fault{Kind: deskemu.FaultMalformed}, "Zoho Desk answered something Tandem cannot read (HTTP 200, application/json). Tandem will try again."},
		{deskemu.Fault{Kind: deskemu.FaultHuge}, "Zoho Desk sent an answer larger than Tandem accepts (1 MiB). Tandem will try again."}, // the sign-in's limit
		{deskemu.Fault{Kind: deskemu.FaultStatus, Status: 503}, "Zoho Desk is unavailable right now. Tandem will try again."},
	} {
		emu.ClearFaults()
		// The kept access token would spare the token endpoint; drop it so
		// each pass signs in again and the token path sees the fault too.
		if err := newSecrets().DeleteSecret(context.Background(), app.PortalSecretKey(emu.DefaultOrgID(), app.SecretAccessToken)); err != nil && app.ErrorCode(err) != app.ENOTFOUND {
			t.Fatal(err)
		}
		emu.AddFault(tc.fault)
		code, out, errs := tandemLogged(t, dir, "--desk", r.URL, "desk", "sync")
		if code == 0 || strings.Count(errs, tc.want) != 1 || strings.Count(errs, "\n") != 1 {
			t.Errorf("%s: sync exit %d, want the message once:\nout %q\nerr %q", tc.fault.Kind, code, out, errs)
		}
		code, out, errs = tandem(t, dir, "--desk", r.URL, "desk", "status")
		if code != 0 || !strings.Contains(out, "last error:      "+tc.want) {
			t.Errorf("%s: status %d %q %q", tc.fault.Kind, code, out, errs)
		}
	}
	emu.ClearFaults()
	if code, out, errs := tandem(t, dir, "--desk", r.URL, "desk", "sync"); code != 0 {
		t.Fatalf("sync: %q %q", out, errs)
	}
	if _, out, _ := tandem(t, dir, "--desk", r.URL, "desk", "status"); strings.Contains(out, "last error") {
		t.Errorf("a successful pass keeps the last error: %q", out)
	}
}
