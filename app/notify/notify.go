// Package notify shows native desktop notifications through beeep
// (org.freedesktop.Notifications on Linux, the notification centre on macOS
// and Windows), with Tandem's name and icon.
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
	icon    string // a PNG file beeep can hand to the OS
	mu      sync.Mutex
}

var _ app.NotifierChecker = (*Desktop)(nil)

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

// Notify implements app.Notifier.
func (d *Desktop) Notify(ctx context.Context, n app.Notification) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	beeep.AppName = d.AppName
	if err := beeep.Notify(n.Title, n.Body, d.icon); err != nil {
		return &app.Error{Code: app.EUNAVAILABLE, Message: "Desktop notifications are not available.", Err: fmt.Errorf("notify: %w", err)}
	}
	return nil
}
