//go:build linux || freebsd || netbsd || openbsd

package notify

import (
	"context"
	"fmt"
	"slices"

	"github.com/godbus/dbus/v5"

	"github.com/tandem-crm/tandem/app"
)

// notificationsName is the D-Bus name of the desktop's notification
// service (the freedesktop.org notification specification).
const notificationsName = "org.freedesktop.Notifications"

// Available reports whether the desktop can show notifications: a
// notification service owns org.freedesktop.Notifications on the session
// bus, or D-Bus can start one. It shows nothing.
func (d *Desktop) Available(ctx context.Context) error {
	conn, err := dbus.SessionBus()
	if err != nil {
		return unavailable("There is no desktop session (D-Bus) to show notifications on.", err)
	}
	bus := conn.BusObject()
	var owned bool
	if err := bus.CallWithContext(ctx, "org.freedesktop.DBus.NameHasOwner", 0, notificationsName).Store(&owned); err != nil {
		return unavailable("The desktop's notification service cannot be reached.", err)
	}
	if owned {
		return nil
	}
	var startable []string
	if err := bus.CallWithContext(ctx, "org.freedesktop.DBus.ListActivatableNames", 0).Store(&startable); err == nil && slices.Contains(startable, notificationsName) {
		return nil
	}
	return unavailable("This desktop has no notification service.", nil)
}

func unavailable(msg string, err error) error {
	e := &app.Error{Code: app.EUNAVAILABLE, Message: msg}
	if err != nil {
		e.Err = fmt.Errorf("notify: %w", err)
	}
	return e
}
