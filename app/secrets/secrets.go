// Package secrets keeps Tandem's credentials in the OS keyring (Secret
// Service on Linux, Keychain on macOS, Credential Manager on Windows) through
// go-keyring. Every call runs in a goroutine raced against a timeout, because
// a keyring prompt or a hung D-Bus service must never freeze the caller.
package secrets

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/tandem-crm/tandem/app"
)

// Keyring is an app.SecretStore on the OS keyring.
type Keyring struct {
	Service string        // the keyring "service" name, e.g. the app ID
	Timeout time.Duration // per call; 0 means 10 s
}

var _ app.SecretStore = (*Keyring)(nil)

// New returns a Keyring for service.
func New(service string) *Keyring { return &Keyring{Service: service} }

// GetSecret implements app.SecretStore.
func (k *Keyring) GetSecret(ctx context.Context, key string) (string, error) {
	var v string
	err := k.do(ctx, func() error {
		var err error
		v, err = keyring.Get(k.Service, key)
		return err
	})
	if err != nil {
		return "", translate("get", err)
	}
	return v, nil
}

// SetSecret implements app.SecretStore.
func (k *Keyring) SetSecret(ctx context.Context, key, value string) error {
	return translate("set", k.do(ctx, func() error { return keyring.Set(k.Service, key, value) }))
}

// DeleteSecret implements app.SecretStore.
func (k *Keyring) DeleteSecret(ctx context.Context, key string) error {
	err := k.do(ctx, func() error { return keyring.Delete(k.Service, key) })
	if errors.Is(err, keyring.ErrNotFound) {
		return nil
	}
	return translate("delete", err)
}

var errTimeout = errors.New("the keyring did not answer in time")

// do runs f in a goroutine and gives up after the timeout or when ctx ends.
// The goroutine may outlive the call; it only touches its own result.
func (k *Keyring) do(ctx context.Context, f func() error) error {
	d := k.Timeout
	if d == 0 {
		d = 10 * time.Second
	}
	done := make(chan error, 1)
	go func() { done <- f() }()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case err := <-done:
		return err
	case <-t.C:
		return errTimeout
	case <-ctx.Done():
		return ctx.Err()
	}
}

// translate maps keyring failures onto app errors. The secret's value never
// appears in an error.
func translate(op string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, keyring.ErrNotFound):
		return &app.Error{Code: app.ENOTFOUND, Message: "The secret is not in the keyring.", Err: err}
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("secrets: %s: %w", op, err)
	default:
		return &app.Error{Code: app.EUNAVAILABLE,
			Message: "The system keyring is not available. On Linux, install and unlock a Secret Service keyring (for example gnome-keyring) and try again.",
			Err:     fmt.Errorf("secrets: %s: %w", op, err)}
	}
}
