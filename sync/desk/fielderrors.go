package desk

import (
	"errors"
	"strings"
)

// IsDuplicate reports whether Desk refused a create because a field holds
// a value another record has (INVALID_DATA with errorType "duplicate" on
// the field, which Desk names as a JSON pointer: "/accountName").
func IsDuplicate(err error, field string) bool {
	var ae *APIError
	if !errors.As(err, &ae) {
		return false
	}
	for _, f := range ae.Fields {
		if f.ErrorType == "duplicate" && strings.TrimPrefix(f.FieldName, "/") == field {
			return true
		}
	}
	return false
}
