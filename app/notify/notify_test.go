package notify

import (
	"context"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/assets"
)

// receiver owns org.freedesktop.Notifications on the session bus and
// records what arrives: a real notification service as far as beeep knows.
type receiver struct {
	mu  sync.Mutex
	got []app.Notification
	app []string
	ch  chan struct{}
}

func (r *receiver) Notify(appName string, replacesID uint32, icon, summary, body string, actions []string, hints map[string]dbus.Variant, timeout int32) (uint32, *dbus.Error) {
	r.mu.Lock()
	r.got = append(r.got, app.Notification{Title: summary, Body: body})
	r.app = append(r.app, appName)
	n := uint32(len(r.got))
	r.mu.Unlock()
	r.ch <- struct{}{}
	return n, nil
}

func (r *receiver) GetCapabilities() ([]string, *dbus.Error) { return []string{"body"}, nil }

func (r *receiver) GetServerInformation() (string, string, string, string, *dbus.Error) {
	return "tandem-test", "tandem", "1", "1.2", nil
}

func (r *receiver) CloseNotification(id uint32) *dbus.Error { return nil }

// Listen starts a receiver on the session bus; it skips when there is no
// bus, except in CI where .ci/with-session.sh provides one.
func Listen(t *testing.T) *receiver {
	t.Helper()
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("no D-Bus session bus in CI: %v", err)
		}
		t.Skipf("no D-Bus session bus (run under .ci/with-session.sh): %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	r := &receiver{ch: make(chan struct{}, 16)}
	if err := conn.Export(r, "/org/freedesktop/Notifications", "org.freedesktop.Notifications"); err != nil {
		t.Fatal(err)
	}
	reply, err := conn.RequestName("org.freedesktop.Notifications", dbus.NameFlagDoNotQueue|dbus.NameFlagReplaceExisting)
	if err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("cannot own org.freedesktop.Notifications: reply %v, %v", reply, err)
	}
	return r
}

func TestNotificationArrivesOnDBus(t *testing.T) {
	r := Listen(t)
	d := New("Tandem", assets.IconPNG, t.TempDir())
	want := app.Notification{Title: "Escalated · #1042 Printer on fire", Body: "山田 太郎 — 株式会社山田商事"}
	if err := d.Notify(context.Background(), want); err != nil {
		t.Fatal(err)
	}
	select {
	case <-r.ch:
	case <-time.After(5 * time.Second):
		t.Fatal("no notification arrived on the bus")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.got) != 1 || r.got[0] != want || r.app[0] != "Tandem" {
		t.Fatalf("got %+v from %v, want %+v from Tandem", r.got, r.app, want)
	}
}

// TestAvailable: with a notification service on the bus notifications can
// be shown; once it leaves, Available says why not, without showing
// anything. (Under .ci/with-session.sh nothing else owns the name.)
func TestAvailable(t *testing.T) {
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("no D-Bus session bus in CI: %v", err)
		}
		t.Skipf("no D-Bus session bus: %v", err)
	}
	defer conn.Close()
	var owned bool
	if err := conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, "org.freedesktop.Notifications").Store(&owned); err != nil {
		t.Fatal(err)
	}
	d := New("Tandem", nil, "")
	if !owned {
		var startable []string
		_ = conn.BusObject().Call("org.freedesktop.DBus.ListActivatableNames", 0).Store(&startable)
		if !slices.Contains(startable, "org.freedesktop.Notifications") {
			err := d.Available(context.Background())
			if app.ErrorCode(err) != app.EUNAVAILABLE || !strings.Contains(app.ErrorMessage(err), "no notification service") {
				t.Errorf("without a service: %v", err)
			}
		}
	}
	Listen(t)
	if err := d.Available(context.Background()); err != nil {
		t.Errorf("with a service on the bus: %v", err)
	}
}
