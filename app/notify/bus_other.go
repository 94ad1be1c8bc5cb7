//go:build !((linux || freebsd || netbsd || openbsd) && !nodbus)

package notify

import (
	"errors"

	"github.com/tandem-crm/tandem/app"
)

// busNotifier is only on desktops with org.freedesktop.Notifications;
// here beeep shows every notification and clicks are not reported.
type busNotifier struct{}

func newBusNotifier(func(app.NotificationTarget)) (*busNotifier, error) {
	return nil, errors.New("notify: no session bus on this platform")
}

func (*busNotifier) send(string, string, app.Notification) error {
	return errors.New("notify: no session bus on this platform")
}
