package app

import "context"

// SecretStore keeps credentials (OAuth refresh tokens, ZSC keys) in the OS
// keyring. Nothing else may hold them: not SQLite, files or logs.
type SecretStore interface {
	// GetSecret returns ENOTFOUND when there is no such secret and
	// EUNAVAILABLE when the keyring cannot be reached or does not answer.
	GetSecret(ctx context.Context, key string) (string, error)
	// SetSecret stores value under key, replacing any older value.
	SetSecret(ctx context.Context, key, value string) error
	// DeleteSecret removes the secret; a missing one is not an error.
	DeleteSecret(ctx context.Context, key string) error
}

// Notification is one native desktop notification.
type Notification struct {
	Title string
	Body  string
	// Target is what clicking the notification opens, where the platform
	// tells the app about clicks; the zero Target opens the Signals feed.
	Target NotificationTarget
}

// String is the notification's title and body, for logs and tests.
func (n Notification) String() string { return n.Title + "\n" + n.Body }

// NotificationTarget names a signal's ticket and the CRM record it is on.
type NotificationTarget struct {
	SignalID   int64
	RecordKind string // KindContact, KindCompany, KindRecord or ""
	RecordID   int64
	TicketID   string
}

// Notifier shows native desktop notifications.
type Notifier interface {
	// Notify returns EUNAVAILABLE when the desktop has no notification service.
	Notify(ctx context.Context, n Notification) error
}
