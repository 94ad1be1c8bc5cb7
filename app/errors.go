package app

import (
	"errors"
	"fmt"
)

// Error codes shared by every layer. Adapters translate their own failures
// (SQL no rows, HTTP statuses, keyring errors) into one of these at the boundary.
const (
	ECONFLICT     = "conflict"     // the action conflicts with existing data
	EFORBIDDEN    = "forbidden"    // the user may not do this
	EINTERNAL     = "internal"     // a bug or an unexpected failure
	EINVALID      = "invalid"      // the input is not acceptable
	ENOTFOUND     = "not_found"    // the thing does not exist
	EUNAUTHORIZED = "unauthorized" // sign-in is missing or expired
	EUNAVAILABLE  = "unavailable"  // a remote service or the database cannot be reached now
	EDAMAGED      = "damaged"      // the database file is damaged: nothing more is written to it
)

// Error is an application error: a code for programs and a message for people.
type Error struct {
	Code    string // one of the E* constants
	Message string // a sentence a person can act on
	Err     error  // the underlying cause, if any
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Error implements the error interface.
func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for
// any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the human message of the first *Error in err's chain,
// or a generic sentence for other errors (whose text is for logs, not people).
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) && e.Message != "" {
		return e.Message
	}
	return "Something went wrong. The details are in the log."
}
