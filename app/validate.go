package app

import (
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits on free text, so hostile input cannot bloat the database or the UI.
const (
	MaxNameLen  = 200     // runes, for names and short fields
	MaxNotesLen = 200_000 // bytes, for notes (100 KB notes must fit)
)

// FieldError is one invalid field. Message is English; screens translate it.
type FieldError struct {
	Field   string
	Message string
}

// ValidationError lists every invalid field of one object.
type ValidationError struct {
	Fields []FieldError
}

// Error implements error.
func (v *ValidationError) Error() string {
	parts := make([]string, len(v.Fields))
	for i, f := range v.Fields {
		parts[i] = f.Field + ": " + f.Message
	}
	return strings.Join(parts, "; ")
}

// For returns the message for field, or "".
func (v *ValidationError) For(field string) string {
	for _, f := range v.Fields {
		if f.Field == field {
			return f.Message
		}
	}
	return ""
}

func (v *ValidationError) add(field, msg string) { v.Fields = append(v.Fields, FieldError{field, msg}) }

// result wraps v as an EINVALID *Error, or returns nil when v is empty.
func (v *ValidationError) result() error {
	if len(v.Fields) == 0 {
		return nil
	}
	return &Error{Code: EINVALID, Message: "Please correct the highlighted fields.", Err: v}
}

// Validation messages (English; they double as translation keys).
const (
	MsgRequired     = "Required"
	MsgTooLong      = "Too long"
	MsgEmailInvalid = "Not a valid email address"
	MsgPhoneInvalid = "Use digits, spaces and + - ( ) . only"
	MsgDateInvalid  = "Use a date like 2026-12-31"
	MsgAmountBad    = "Not a valid amount"
	MsgCurrencyBad  = "Use a three-letter currency code like JPY"
	MsgOnePrimary   = "Choose exactly one primary contact"
	MsgReadingKana  = "Write the reading in kana"
)

var (
	phoneRE    = regexp.MustCompile(`^\+?[0-9 ()./\-]{3,40}( ?(x|ext\.?) ?[0-9]{1,6})?$`)
	currencyRE = regexp.MustCompile(`^[A-Z]{3}$`)
	dateRE     = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
)

// NormalizeEmail lower-cases and trims an address, for matching.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// NormalizeName folds case and collapses spaces, for matching company names.
func NormalizeName(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }

// ValidEmail reports whether s is a single bare address (no display name)
// that net/mail accepts and whose domain looks deliverable: at least two
// labels, letters-digits-hyphens, and an alphabetic top-level domain.
func ValidEmail(s string) bool {
	if s == "" || len(s) > 254 || strings.TrimSpace(s) != s {
		return false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	if at < 1 || strings.ContainsAny(s[:at], "\"\\ ") {
		return false
	}
	labels := strings.Split(strings.ToLower(s[at+1:]), ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels[:len(labels)-1] {
		if !validLabel(l) {
			return false
		}
	}
	return validTLD(labels[len(labels)-1])
}

// validLabel is ^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$ without the regexp
// engine, which cost an import a few percent of its time.
func validLabel(l string) bool {
	if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
		return false
	}
	for i := 0; i < len(l); i++ {
		if c := l[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// validTLD is ^[a-z]{2,63}$|^xn--[a-z0-9-]{1,59}$ (see validLabel).
func validTLD(l string) bool {
	if rest, ok := strings.CutPrefix(l, "xn--"); ok && len(rest) >= 1 && len(rest) <= 59 {
		for i := 0; i < len(rest); i++ {
			if c := rest[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
		return true
	}
	if len(l) < 2 || len(l) > 63 {
		return false
	}
	for i := 0; i < len(l); i++ {
		if c := l[i]; c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

// ValidPhone reports whether s uses only the characters of a phone number.
func ValidPhone(s string) bool { return phoneRE.MatchString(s) }

func checkLen(v *ValidationError, field, s string) {
	if utf8.RuneCountInString(s) > MaxNameLen {
		v.add(field, MsgTooLong)
	}
}

// TrimField trims white space around a field, except that a leading tab
// stays: spreadsheets put it before a cell that must not run as a formula,
// and dropping it would make such a cell live again on export.
func TrimField(s string) string {
	s = strings.TrimRightFunc(s, unicode.IsSpace)
	return strings.TrimLeftFunc(s, func(r rune) bool { return r != '\t' && unicode.IsSpace(r) })
}

// ValidReading reports whether s can be how a name is read: it has no
// ideographs (a reading is written in kana, or in Latin letters for a
// Latin name) and no control characters.
func ValidReading(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) || unicode.IsControl(r) && !unicode.IsSpace(r) {
			return false
		}
	}
	return true
}

func checkReading(v *ValidationError, field, s string) {
	if !ValidReading(s) {
		v.add(field, MsgReadingKana)
	}
	checkLen(v, field, s)
}

// Normalize trims the contact's fields in place (see TrimField).
func (c *Contact) Normalize() {
	for _, p := range []*string{&c.FirstName, &c.LastName, &c.FirstNameReading, &c.LastNameReading, &c.Email, &c.Phone, &c.Mobile, &c.Title} {
		*p = TrimField(*p)
	}
}

// Validate returns an EINVALID *Error wrapping a *ValidationError, or nil.
func (c *Contact) Validate() error {
	var v ValidationError
	if strings.TrimSpace(c.LastName) == "" {
		v.add("LastName", MsgRequired)
	}
	// Calls, not a loop over a map literal: Validate runs twice for each
	// imported row, and the map was most of its allocations.
	checkLen(&v, "FirstName", c.FirstName)
	checkLen(&v, "LastName", c.LastName)
	checkLen(&v, "Title", c.Title)
	checkReading(&v, "FirstNameReading", c.FirstNameReading)
	checkReading(&v, "LastNameReading", c.LastNameReading)
	if c.Email != "" && !ValidEmail(c.Email) {
		v.add("Email", MsgEmailInvalid)
	}
	if c.Phone != "" && !ValidPhone(c.Phone) {
		v.add("Phone", MsgPhoneInvalid)
	}
	if c.Mobile != "" && !ValidPhone(c.Mobile) {
		v.add("Mobile", MsgPhoneInvalid)
	}
	if len(c.Notes) > MaxNotesLen {
		v.add("Notes", MsgTooLong)
	}
	sortFields(&v)
	return v.result()
}

// Normalize trims the company's fields in place (see TrimField).
func (c *Company) Normalize() {
	for _, p := range []*string{&c.Name, &c.NameReading, &c.Email, &c.Website, &c.Phone, &c.Industry, &c.City, &c.Country} {
		*p = TrimField(*p)
	}
}

// Validate returns an EINVALID *Error wrapping a *ValidationError, or nil.
func (c *Company) Validate() error {
	var v ValidationError
	if strings.TrimSpace(c.Name) == "" {
		v.add("Name", MsgRequired)
	}
	checkLen(&v, "Name", c.Name)
	checkLen(&v, "Website", c.Website)
	checkLen(&v, "Industry", c.Industry)
	checkLen(&v, "City", c.City)
	checkLen(&v, "Country", c.Country)
	checkReading(&v, "NameReading", c.NameReading)
	if c.Email != "" && !ValidEmail(c.Email) {
		v.add("Email", MsgEmailInvalid)
	}
	if c.Phone != "" && !ValidPhone(c.Phone) {
		v.add("Phone", MsgPhoneInvalid)
	}
	if len(c.Notes) > MaxNotesLen {
		v.add("Notes", MsgTooLong)
	}
	sortFields(&v)
	return v.result()
}

// Validate returns an EINVALID *Error wrapping a *ValidationError, or nil.
func (r *Record) Validate() error {
	var v ValidationError
	r.Name = strings.TrimSpace(r.Name)
	if r.Name == "" {
		v.add("Name", MsgRequired)
	}
	checkLen(&v, "Name", r.Name)
	if r.StageID == 0 {
		v.add("Stage", MsgRequired)
	}
	if !currencyRE.MatchString(r.Currency) {
		v.add("Currency", MsgCurrencyBad)
	}
	if r.Amount < 0 {
		v.add("Amount", MsgAmountBad)
	}
	if r.ClosingDate != "" && !ValidDate(r.ClosingDate) {
		v.add("ClosingDate", MsgDateInvalid)
	}
	if len(r.Contacts) > 0 {
		n := 0
		for _, c := range r.Contacts {
			if c.Primary {
				n++
			}
		}
		if n != 1 {
			v.add("Contacts", MsgOnePrimary)
		}
	}
	if len(r.Notes) > MaxNotesLen {
		v.add("Notes", MsgTooLong)
	}
	sortFields(&v)
	return v.result()
}

// ValidDate reports whether s is a real calendar date written YYYY-MM-DD.
func ValidDate(s string) bool {
	if !dateRE.MatchString(s) {
		return false
	}
	var y, m, d int
	if _, err := fmt.Sscanf(s, "%d-%d-%d", &y, &m, &d); err != nil {
		return false
	}
	if m < 1 || m > 12 || d < 1 {
		return false
	}
	days := [...]int{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[m-1]
	if m == 2 && (y%4 == 0 && y%100 != 0 || y%400 == 0) {
		days = 29
	}
	return d <= days
}

// sortFields orders field errors by name so messages are stable.
func sortFields(v *ValidationError) {
	fs := v.Fields
	for i := 1; i < len(fs); i++ {
		for j := i; j > 0 && fs[j].Field < fs[j-1].Field; j-- {
			fs[j], fs[j-1] = fs[j-1], fs[j]
		}
	}
}
