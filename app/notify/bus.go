//go:build (linux || freebsd || netbsd || openbsd) && !nodbus

package notify

import (
	"io"
	"log"
	"sync"
	"time"

	dnotify "github.com/esiqveland/notify"
	"github.com/godbus/dbus/v5"

	"github.com/tandem-crm/tandem/app"
)

// remembered is how many shown notifications keep their target for a click.
const remembered = 256

// busNotifier sends notifications with a default action on the session bus
// and reports ActionInvoked for them.
type busNotifier struct {
	n dnotify.Notifier

	mu      sync.Mutex
	targets map[uint32]app.NotificationTarget
	order   []uint32
}

func newBusNotifier(click func(app.NotificationTarget)) (*busNotifier, error) {
	conn, err := dbus.SessionBus()
	if err != nil {
		return nil, err
	}
	b := &busNotifier{targets: map[uint32]app.NotificationTarget{}}
	n, err := dnotify.New(conn,
		dnotify.WithLogger(log.New(io.Discard, "", 0)),
		dnotify.WithOnAction(func(s *dnotify.ActionInvokedSignal) {
			b.mu.Lock()
			t, ok := b.targets[s.ID]
			b.mu.Unlock()
			if ok && s.ActionKey == "default" {
				click(t)
			}
		}),
		dnotify.WithOnClosed(func(s *dnotify.NotificationClosedSignal) {
			// A click may arrive just before or after "closed": keep the
			// target; the bounded order list forgets old ones.
		}))
	if err != nil {
		return nil, err
	}
	b.n = n
	return b, nil
}

func (b *busNotifier) send(appName, icon string, n app.Notification) error {
	note := dnotify.Notification{
		AppName:       appName,
		AppIcon:       icon,
		Summary:       n.Title,
		Body:          n.Body,
		Actions:       []dnotify.Action{dnotify.NewDefaultAction("Open")},
		ExpireTimeout: 10 * time.Second,
		Hints:         map[string]dbus.Variant{},
	}
	note.SetUrgency(dnotify.UrgencyNormal)
	if icon != "" {
		h := dnotify.HintImageFilePath(icon)
		note.Hints[h.ID] = h.Variant
	}
	id, err := b.n.SendNotification(note)
	if err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.targets[id] = n.Target
	b.order = append(b.order, id)
	if len(b.order) > remembered {
		delete(b.targets, b.order[0])
		b.order = b.order[1:]
	}
	return nil
}
