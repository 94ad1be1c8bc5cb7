package secrets

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/tandem-crm/tandem/app"
)

// realKeyring returns a Keyring on the session's Secret Service, or skips
// when there is none — except in CI, where .ci/with-session.sh starts one
// and its absence is a failure.
func realKeyring(t *testing.T) *Keyring {
	t.Helper()
	k := &Keyring{Service: fmt.Sprintf("tandem-test-%d", time.Now().UnixNano()), Timeout: 5 * time.Second}
	err := k.SetSecret(context.Background(), "probe", "x")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("no keyring in CI: %v", err)
		}
		t.Skipf("no Secret Service keyring here (run under .ci/with-session.sh): %v", err)
	}
	t.Cleanup(func() { _ = k.DeleteSecret(context.Background(), "probe") })
	return k
}

func TestRealKeyringRoundTrip(t *testing.T) {
	k := realKeyring(t)
	ctx := context.Background()
	val := "1000.refresh-トークン-🎫"
	if err := k.SetSecret(ctx, "portal/42/refresh", val); err != nil {
		t.Fatal(err)
	}
	got, err := k.GetSecret(ctx, "portal/42/refresh")
	if err != nil || got != val {
		t.Fatalf("got %q, %v", got, err)
	}
	if err := k.DeleteSecret(ctx, "portal/42/refresh"); err != nil {
		t.Fatal(err)
	}
	if _, err := k.GetSecret(ctx, "portal/42/refresh"); app.ErrorCode(err) != app.ENOTFOUND {
		t.Fatalf("after delete: want ENOTFOUND, got %v", err)
	}
	if err := k.DeleteSecret(ctx, "portal/42/refresh"); err != nil {
		t.Fatalf("deleting a missing secret: %v", err)
	}
}

func TestTimeoutIsUnavailable(t *testing.T) {
	k := &Keyring{Service: "x", Timeout: 10 * time.Millisecond}
	block := make(chan struct{})
	defer close(block)
	err := translate("get", k.do(context.Background(), func() error { <-block; return nil }))
	if app.ErrorCode(err) != app.EUNAVAILABLE || !errors.Is(err, errTimeout) {
		t.Fatalf("want EUNAVAILABLE wrapping a timeout, got %v", err)
	}
}

// TestNoBusIsAClearError runs in a child process, because the D-Bus session
// connection is a process-wide singleton that earlier tests may have opened.
func TestNoBusIsAClearError(t *testing.T) {
	if os.Getenv("TANDEM_NOBUS_CHILD") != "1" {
		cmd := exec.Command(os.Args[0], "-test.run=^TestNoBusIsAClearError$", "-test.v")
		cmd.Env = append(os.Environ(), "TANDEM_NOBUS_CHILD=1", "DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent/bus")
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "--- PASS: TestNoBusIsAClearError") {
			t.Fatalf("child: %v\n%s", err, out)
		}
		return
	}
	k := &Keyring{Service: "tandem-nobus", Timeout: 5 * time.Second}
	_, err := k.GetSecret(context.Background(), "x")
	if app.ErrorCode(err) != app.EUNAVAILABLE {
		t.Fatalf("want EUNAVAILABLE, got %v", err)
	}
	if msg := app.ErrorMessage(err); msg == "" || msg[:10] != "The system" {
		t.Fatalf("message not for people: %q", msg)
	}
}
