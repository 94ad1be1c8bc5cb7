// Package csvio reads and writes contacts and companies as CSV files with a
// header row. Reading never drops a row silently: every row is either
// returned for import or reported with its row number and the reason.
package csvio

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/tandem-crm/tandem/app"
)

// ContactColumns are the columns written for contacts, in order. Reading
// accepts them in any order, case-insensitively; last_name is required.
var ContactColumns = []string{"id", "first_name", "last_name", "email", "phone", "mobile", "title", "company", "notes"}

// CompanyColumns are the columns written for companies.
var CompanyColumns = []string{"id", "name", "email", "website", "phone", "industry", "city", "country", "notes"}

// MaxFieldBytes bounds one cell, so a hostile file cannot exhaust memory.
const MaxFieldBytes = 256 << 10

// Row is a parsed, valid input row and its 1-based data-row number.
type Row[T any] struct {
	Line  int
	Value T
}

// Report is the outcome of reading a file: the valid rows, the rejected
// ones with reasons, and warnings about rows that were kept.
type Report[T any] struct {
	Rows     []Row[T]
	Errors   []app.RowError
	Warnings []app.RowError
}

// ReadContacts parses contacts. A file-level problem (no header, no
// last_name column, unreadable bytes) is an EINVALID error; row problems go
// into the report. Duplicate emails within the file are warned about.
func ReadContacts(r io.Reader) (*Report[app.Contact], error) {
	rep := &Report[app.Contact]{}
	seen := map[string]int{}
	err := read(r, []string{"last_name"}, func(line int, get func(string) string) {
		c := app.Contact{
			FirstName: get("first_name"), LastName: get("last_name"), Email: get("email"),
			Phone: get("phone"), Mobile: get("mobile"), Title: get("title"),
			CompanyName: strings.TrimSpace(get("company")), Notes: get("notes"),
		}
		c.Normalize()
		if err := c.Validate(); err != nil {
			rep.Errors = append(rep.Errors, rowErrors(line, err)...)
			return
		}
		if e := app.NormalizeEmail(c.Email); e != "" {
			if first, dup := seen[e]; dup {
				rep.Warnings = append(rep.Warnings, app.RowError{Row: line, Field: "email", Message: fmt.Sprintf("same email as row %d; both kept", first)})
			} else {
				seen[e] = line
			}
		}
		rep.Rows = append(rep.Rows, Row[app.Contact]{line, c})
	}, &rep.Errors)
	return rep, err
}

// ReadCompanies parses companies; name is required.
func ReadCompanies(r io.Reader) (*Report[app.Company], error) {
	rep := &Report[app.Company]{}
	seen := map[string]int{}
	err := read(r, []string{"name"}, func(line int, get func(string) string) {
		c := app.Company{
			Name: get("name"), Email: get("email"), Website: get("website"), Phone: get("phone"),
			Industry: get("industry"), City: get("city"), Country: get("country"), Notes: get("notes"),
		}
		c.Normalize()
		if err := c.Validate(); err != nil {
			rep.Errors = append(rep.Errors, rowErrors(line, err)...)
			return
		}
		n := app.NormalizeName(c.Name)
		if first, dup := seen[n]; dup {
			rep.Errors = append(rep.Errors, app.RowError{Row: line, Field: "name", Message: fmt.Sprintf("same company name as row %d", first)})
			return
		}
		seen[n] = line
		rep.Rows = append(rep.Rows, Row[app.Company]{line, c})
	}, &rep.Errors)
	return rep, err
}

// read drives the CSV reader: header mapping, per-row callbacks, and
// per-row parse errors (a malformed row is reported and skipped; reading
// goes on at the next line).
func read(r io.Reader, required []string, row func(line int, get func(string) string), errs *[]app.RowError) error {
	cr := csv.NewReader(bufio.NewReader(io.LimitReader(r, 1<<30)))
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	head, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return &app.Error{Code: app.EINVALID, Message: "The file is empty: a header row is needed."}
	}
	if err != nil {
		return &app.Error{Code: app.EINVALID, Message: "The header row cannot be read as CSV.", Err: err}
	}
	col := map[string]int{}
	for i, h := range head {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		h = strings.ReplaceAll(h, " ", "_")
		col[h] = i
	}
	for _, req := range required {
		if _, ok := col[req]; !ok {
			return app.Errorf(app.EINVALID, "The header row has no %q column.", req)
		}
	}
	width := len(head)
	for line := 1; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			*errs = append(*errs, app.RowError{Row: line, Message: "malformed CSV: " + pe.Err.Error()})
			continue
		}
		if err != nil {
			return fmt.Errorf("csvio: read row %d: %w", line, err)
		}
		if len(rec) != width {
			*errs = append(*errs, app.RowError{Row: line, Message: fmt.Sprintf("has %d fields, the header has %d", len(rec), width)})
			continue
		}
		big := false
		for _, f := range rec {
			big = big || len(f) > MaxFieldBytes
		}
		if big {
			*errs = append(*errs, app.RowError{Row: line, Message: fmt.Sprintf("a field is larger than %d KB", MaxFieldBytes>>10)})
			continue
		}
		row(line, func(name string) string {
			if i, ok := col[name]; ok {
				return rec[i]
			}
			return ""
		})
	}
}

// rowErrors turns a validation error into one RowError per field.
func rowErrors(line int, err error) []app.RowError {
	var v *app.ValidationError
	if errors.As(err, &v) {
		out := make([]app.RowError, len(v.Fields))
		for i, f := range v.Fields {
			out[i] = app.RowError{Row: line, Field: snake(f.Field), Message: f.Message}
		}
		return out
	}
	return []app.RowError{{Row: line, Message: err.Error()}}
}

// snake turns a Go field name into its CSV column name.
func snake(s string) string {
	var b strings.Builder
	for i, r := range s {
		if r >= 'A' && r <= 'Z' {
			if i > 0 {
				b.WriteByte('_')
			}
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// WriteContacts writes a header and one row per contact.
func WriteContacts(w io.Writer, cs []app.Contact) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(ContactColumns); err != nil {
		return err
	}
	for _, c := range cs {
		if err := cw.Write([]string{strconv.FormatInt(c.ID, 10), c.FirstName, c.LastName, c.Email, c.Phone, c.Mobile, c.Title, c.CompanyName, c.Notes}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteCompanies writes a header and one row per company.
func WriteCompanies(w io.Writer, cs []app.Company) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CompanyColumns); err != nil {
		return err
	}
	for _, c := range cs {
		if err := cw.Write([]string{strconv.FormatInt(c.ID, 10), c.Name, c.Email, c.Website, c.Phone, c.Industry, c.City, c.Country, c.Notes}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
