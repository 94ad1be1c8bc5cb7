package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/tandem-crm/tandem/app"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Messages for failures of the database file itself.
const (
	msgBusy     = "The database is busy or locked by another program. Try again in a moment."
	msgReadOnly = "The database file is read-only. Check its permissions, or move it to a folder you can write to."
	msgNotDB    = "The file is not a Tandem database, or it is damaged. Restore it from a backup or choose another file."
	msgFull     = "The disk is full. Free some space and try again."
	msgCantOpen = "The database file cannot be opened. Check that its folder exists and that you may write to it."
	msgIO       = "The database file could not be read or written (a disk or network error)."
)

var errReadOnly = &app.Error{Code: app.EUNAVAILABLE, Message: "The database was opened read-only."}

// translate turns driver failures into *app.Error values with the driver
// error kept as the cause. Errors that already are *app.Error, context
// errors and nil pass through unchanged; anything else stays as it is and
// counts as EINTERNAL.
func translate(err error) error {
	if err == nil {
		return nil
	}
	var ae *app.Error
	if errors.As(err, &ae) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, sql.ErrNoRows) {
		return err
	}
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return err
	}
	switch se.Code() & 0xff {
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
		return &app.Error{Code: app.EUNAVAILABLE, Message: msgBusy, Err: err}
	case sqlite3.SQLITE_READONLY:
		return &app.Error{Code: app.EUNAVAILABLE, Message: msgReadOnly, Err: err}
	case sqlite3.SQLITE_NOTADB:
		return &app.Error{Code: app.EINVALID, Message: msgNotDB, Err: err}
	case sqlite3.SQLITE_CORRUPT:
		return &app.Error{Code: app.EDAMAGED, Message: app.MsgDamaged, Err: err}
	case sqlite3.SQLITE_FULL:
		return &app.Error{Code: app.EUNAVAILABLE, Message: msgFull, Err: err}
	case sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM:
		return &app.Error{Code: app.EUNAVAILABLE, Message: msgCantOpen, Err: err}
	case sqlite3.SQLITE_IOERR:
		return &app.Error{Code: app.EUNAVAILABLE, Message: msgIO, Err: err}
	}
	return err
}

// minFree is the free space below which a failure to create or grow a
// file (SQLite's -shm index needs 32 KiB) is a full disk.
const minFree = 1 << 20

// diskFull turns an I/O or cannot-open failure on a disk that has (almost)
// no space left into the full-disk error: SQLite reports a -shm file it
// cannot create or size as an I/O error, not as SQLITE_FULL.
func diskFull(dir string, err error) error {
	var ae *app.Error
	if !errors.As(err, &ae) || (ae.Message != msgIO && ae.Message != msgCantOpen) {
		return err
	}
	if free, ok := freeBytes(dir); ok && free < minFree {
		return &app.Error{Code: app.EUNAVAILABLE, Message: msgFull, Err: ae.Err}
	}
	return err
}

// notFound returns the ENOTFOUND error for a kind of thing ("Contact").
func notFound(kind string) error {
	return &app.Error{Code: app.ENOTFOUND, Message: kind + " not found."}
}

// fieldError returns an EINVALID error for one field, shaped like the ones
// the app's Validate methods return.
func fieldError(field, msg string) error {
	return &app.Error{
		Code:    app.EINVALID,
		Message: "Please correct the highlighted fields.",
		Err:     &app.ValidationError{Fields: []app.FieldError{{Field: field, Message: msg}}},
	}
}

// isConstraint reports whether err is a SQLite constraint violation.
func isConstraint(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_CONSTRAINT
}
