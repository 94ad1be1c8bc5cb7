// Package notify shows native desktop notifications with Tandem's name and
// icon: on Linux and the BSDs through org.freedesktop.Notifications on the
// session bus (github.com/esiqveland/notify), with a default action, so
// clicking a notification tells the app which ticket to open; elsewhere,
// and when the bus cannot be reached, through beeep (the notification
// centre on macOS, toasts on Windows), where a click only brings the
// desktop's own response.
package notify

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/gen2brain/beeep"

	"github.com/tandem-crm/tandem/app"
)

// Desktop is an app.Notifier on the OS notification service.
type Desktop struct {
	AppName string
	icon    string // a PNG file the notification service can read
	mu      sync.Mutex
	onClick func(app.NotificationTarget)
	bus     *busNotifier // nil until first used, or where there is no bus
	noBus   bool         // the bus failed once: use beeep from then on
}

var _ app.Notifier = (*Desktop)(nil)

// New returns a Desktop notifier; the icon PNG is written once to cacheDir
// because notification services take a file path, not bytes.
func New(appName string, iconPNG []byte, cacheDir string) *Desktop {
	d := &Desktop{AppName: appName}
	if len(iconPNG) > 0 && cacheDir != "" {
		p := filepath.Join(cacheDir, "tandem-icon.png")
		if err := os.MkdirAll(cacheDir, 0o700); err == nil && os.WriteFile(p, iconPNG, 0o600) == nil {
			d.icon = p
		}
	}
	return d
}

// OnClick sets what runs (on a background goroutine) when the user clicks
// a notification, on platforms that report clicks.
func (d *Desktop) OnClick(fn func(app.NotificationTarget)) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.onClick = fn
}

func (d *Desktop) clicked(t app.NotificationTarget) {
	d.mu.Lock()
	fn := d.onClick
	d.mu.Unlock()
	if fn != nil {
		fn(t)
	}
}

// Notify implements app.Notifier.
func (d *Desktop) Notify(ctx context.Context, n app.Notification) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.noBus {
		if d.bus == nil {
			b, err := newBusNotifier(d.clicked)
			if err != nil {
				d.noBus = true
			} else {
				d.bus = b
			}
		}
		if d.bus != nil {
			if err := d.bus.send(d.AppName, d.icon, n); err == nil {
				return nil
			}
		}
	}
	beeep.AppName = d.AppName
	if err := beeep.Notify(n.Title, n.Body, d.icon); err != nil {
		return &app.Error{Code: app.EUNAVAILABLE, Message: "Desktop notifications are not available.", Err: fmt.Errorf("notify: %w", err)}
	}
	return nil
}
