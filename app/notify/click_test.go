package notify

import (
	"context"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/assets"
)

// clickReceiver is a notification service that records the actions each
// notification offers and can click one, as a person would.
type clickReceiver struct {
	conn    *dbus.Conn
	mu      sync.Mutex
	actions [][]string
	ch      chan uint32
}

func (r *clickReceiver) Notify(appName string, replacesID uint32, icon, summary, body string, actions []string, hints map[string]dbus.Variant, timeout int32) (uint32, *dbus.Error) {
	r.mu.Lock()
	r.actions = append(r.actions, actions)
	id := uint32(100 + len(r.actions))
	r.mu.Unlock()
	r.ch <- id
	return id, nil
}

func (r *clickReceiver) GetCapabilities() ([]string, *dbus.Error) {
	return []string{"body", "actions"}, nil
}

func (r *clickReceiver) GetServerInformation() (string, string, string, string, *dbus.Error) {
	return "tandem-test", "tandem", "1", "1.2", nil
}

func (r *clickReceiver) CloseNotification(id uint32) *dbus.Error { return nil }

// click emits ActionInvoked(id, "default") and NotificationClosed, the
// order a desktop uses when the user clicks a notification's body.
func (r *clickReceiver) click(t *testing.T, id uint32) {
	t.Helper()
	if err := r.conn.Emit("/org/freedesktop/Notifications", "org.freedesktop.Notifications.ActionInvoked", id, "default"); err != nil {
		t.Fatal(err)
	}
	if err := r.conn.Emit("/org/freedesktop/Notifications", "org.freedesktop.Notifications.NotificationClosed", id, uint32(2)); err != nil {
		t.Fatal(err)
	}
}

// ListenClicks owns org.freedesktop.Notifications with a clickReceiver.
func ListenClicks(t *testing.T) *clickReceiver {
	t.Helper()
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("no D-Bus session bus in CI: %v", err)
		}
		t.Skipf("no D-Bus session bus (run under .ci/with-session.sh): %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	r := &clickReceiver{conn: conn, ch: make(chan uint32, 16)}
	if err := conn.Export(r, "/org/freedesktop/Notifications", "org.freedesktop.Notifications"); err != nil {
		t.Fatal(err)
	}
	reply, err := conn.RequestName("org.freedesktop.Notifications", dbus.NameFlagDoNotQueue|dbus.NameFlagReplaceExisting)
	if err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("cannot own org.freedesktop.Notifications: reply %v, %v", reply, err)
	}
	return r
}

// TestClickOpensTheTarget: a click on the second of two notifications
// reports that one's ticket, and only once.
func TestClickOpensTheTarget(t *testing.T) {
	r := ListenClicks(t)
	d := New("Tandem", assets.IconPNG, t.TempDir())
	clicks := make(chan app.NotificationTarget, 4)
	d.OnClick(func(tg app.NotificationTarget) { clicks <- tg })
	ctx := context.Background()
	first := app.NotificationTarget{SignalID: 1, RecordKind: app.KindContact, RecordID: 7, TicketID: "111"}
	second := app.NotificationTarget{SignalID: 2, RecordKind: app.KindCompany, RecordID: 9, TicketID: "222"}
	var ids []uint32
	for _, tg := range []app.NotificationTarget{first, second} {
		if err := d.Notify(ctx, app.Notification{Title: "Reply", Body: "hello", Target: tg}); err != nil {
			t.Fatal(err)
		}
		select {
		case id := <-r.ch:
			ids = append(ids, id)
		case <-time.After(5 * time.Second):
			t.Fatal("no notification arrived on the bus")
		}
	}
	r.mu.Lock()
	if !slices.Contains(r.actions[0], "default") {
		t.Errorf("the notification offers no default action: %q", r.actions[0])
	}
	r.mu.Unlock()
	r.click(t, ids[1])
	select {
	case got := <-clicks:
		if got != second {
			t.Errorf("clicked %+v, want %+v", got, second)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the click was not reported")
	}
	// A click on a notification someone else sent is not ours.
	r.click(t, 9999)
	select {
	case got := <-clicks:
		t.Errorf("a foreign click was reported: %+v", got)
	case <-time.After(300 * time.Millisecond):
	}
}
