package app

import (
	"context"
	"time"
)

// This file holds what the desktop side of Tandem offers the screens:
// backups of the database and the login item. The implementations live in
// cmd/tandem (with app/store and app/backup) and app/autostart, so no
// screen touches files or the OS directly.

// BackupKind says where a backup came from.
type BackupKind string

// Backup kinds.
const (
	// BackupAutomatic is the daily backup Tandem makes while it runs (kept
	// as 7 daily and 4 weekly).
	BackupAutomatic BackupKind = "automatic"
	// BackupSetAside is the database that was current before a restore,
	// kept so a restore never loses anything. Never removed automatically.
	BackupSetAside BackupKind = "set_aside"
)

// Backup is one backup file of the database.
type Backup struct {
	Path string
	Kind BackupKind
	Time time.Time // when it was made
	Size int64     // bytes
}

// BackupService is Settings › Backups. Every method does I/O: never call it
// on the UI goroutine. Errors are *Error values a person can act on.
type BackupService interface {
	// Folder is where automatic backups are kept.
	Folder() string
	// ListBackups returns the backups in Folder, newest first.
	ListBackups(ctx context.Context) ([]Backup, error)
	// BackUp writes a consistent copy of the database to path (a file the
	// user picked: a USB stick, a shared drive), checked before it counts.
	BackUp(ctx context.Context, path string) (Backup, error)
	// Restore checks the backup at path and replaces the database with it,
	// after setting the current database aside (never deleted). Tandem then
	// restarts on the restored database; EINVALID when path is not a
	// good Tandem backup (nothing is changed then).
	Restore(ctx context.Context, path string) error
}

// LoginItem starts Tandem when the user logs in to the computer.
type LoginItem interface {
	// Enabled reports whether Tandem starts at login.
	Enabled() (bool, error)
	// SetEnabled adds or removes the login item.
	SetEnabled(on bool) error
}
