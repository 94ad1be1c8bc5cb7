package transfer

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/tandem-crm/tandem/app"
)

// Mapped is one row turned into the value Tandem would store, with the
// reasons it would be refused (nothing of a refused row is written) and
// warnings about what was changed or looks wrong but was kept.
type Mapped struct {
	Record   *Record
	Contact  app.Contact
	Company  app.Company
	Item     app.Record
	Refusals []app.RowError // Field is a field key ("email"), "" for the whole row
	Warnings []app.RowError
}

// Refused reports whether the row would be refused.
func (m *Mapped) Refused() bool { return len(m.Refusals) > 0 }

// Mapper turns rows of one file into values of one kind.
type Mapper struct {
	Kind     string
	Header   []string
	Mapping  []string      // a field key per column
	Pipeline *app.Pipeline // records: the pipeline they go into
	Currency string        // records: when no currency column says otherwise; "" is JPY
	Delim    rune          // the file's separator, for the stray-quote hint
}

// neutraliser is the mark OWASP's recipe (and Tandem's export) puts before
// a cell that a spreadsheet would run as a formula. Excel never writes it
// into a CSV, so on import it is the exporter's mark and is dropped.
func unNeutralise(s string) string {
	if len(s) >= 2 && s[0] == '\'' && strings.ContainsRune(formulaStarts, rune(s[1])) {
		return s[1:]
	}
	return s
}

// cleanCell trims spaces around a cell, except that a leading tab stays:
// it is how some spreadsheets mark a cell that must not run as a formula.
func cleanCell(s string) string { return app.TrimField(s) }

// Map builds the value of rec.
func (mp *Mapper) Map(rec *Record) *Mapped {
	m := &Mapped{Record: rec}
	if rec.Problem != "" {
		m.Refusals = append(m.Refusals, app.RowError{Row: rec.Row, Message: rec.Problem, Args: rec.ProblemArgs})
		return m
	}
	vals := map[string]string{}
	var notes []string
	for i, key := range mp.Mapping {
		if key == KeySkip || i >= len(rec.Fields) {
			continue
		}
		v := rec.Fields[i]
		if strings.ContainsRune(v, '\ufeff') {
			v = strings.ReplaceAll(v, "\ufeff", "")
			m.Warnings = append(m.Warnings, app.RowError{Row: rec.Row, Field: key, Message: "A byte-order mark inside the file was removed"})
		}
		if strings.ContainsRune(v, 0) {
			m.Refusals = append(m.Refusals, app.RowError{Row: rec.Row, Field: key,
				Message: "The column {{.Column}} holds a NUL character (byte 0): the file may be damaged or in another encoding",
				Args:    map[string]any{"Column": mp.header(i)}})
			continue
		}
		v = cleanCell(unNeutralise(v))
		if v == "" {
			continue
		}
		f, _ := fieldOf(mp.Kind, key)
		if !f.Multiline && strings.ContainsAny(v, "\r\n") {
			m.Refusals = append(m.Refusals, app.RowError{Row: rec.Row, Field: key,
				Message: "The column {{.Column}} holds a line break (lines {{.From}}–{{.To}}): a quote mark on line {{.From}} may be missing its pair",
				Args:    map[string]any{"Column": mp.header(i), "From": rec.Line, "To": rec.EndLine}})
			continue
		}
		if f.Multiline && strings.Contains(v, "\n") && mp.Delim != 0 && strings.ContainsRune(v, mp.Delim) {
			m.Warnings = append(m.Warnings, app.RowError{Row: rec.Row, Field: key,
				Message: "The column {{.Column}} spans lines {{.From}}–{{.To}} and holds separators: check that no rows ran into it",
				Args:    map[string]any{"Column": mp.header(i), "From": rec.Line, "To": rec.EndLine}})
		}
		if key == KeyAddNotes {
			notes = append(notes, mp.header(i)+": "+v)
			continue
		}
		if old, ok := vals[key]; ok {
			v = old + " " + v
		}
		vals[key] = v
	}
	if m.Refused() {
		return m
	}
	if n := vals["notes"]; len(notes) > 0 {
		vals["notes"] = strings.TrimSpace(n + "\n" + strings.Join(notes, "\n"))
	}
	var err error
	switch mp.Kind {
	case KindCompany:
		m.Company = app.Company{Name: vals["name"], Email: vals["email"], Website: vals["website"], Phone: vals["phone"],
			Industry: vals["industry"], City: vals["city"], Country: vals["country"], Notes: vals["notes"]}
		m.Company.Normalize()
		err = m.Company.Validate()
	case KindRecord:
		err = mp.record(m, vals)
	default:
		c := app.Contact{FirstName: vals["first_name"], LastName: vals["last_name"], Email: vals["email"],
			Phone: vals["phone"], Mobile: vals["mobile"], Title: vals["title"], CompanyName: vals["company"], Notes: vals["notes"]}
		if full := vals["full_name"]; full != "" && c.LastName == "" && c.FirstName == "" {
			c.LastName, c.FirstName = SplitName(full)
		}
		c.Normalize()
		m.Contact = c
		err = c.Validate()
		if err == nil && len([]rune(c.CompanyName)) > app.MaxNameLen {
			err = &app.Error{Code: app.EINVALID, Err: &app.ValidationError{Fields: []app.FieldError{{Field: "CompanyName", Message: app.MsgTooLong}}}}
		}
	}
	m.Refusals = append(m.Refusals, rowErrors(rec.Row, err)...)
	return m
}

func (mp *Mapper) header(i int) string {
	if i < len(mp.Header) && mp.Header[i] != "" {
		return mp.Header[i]
	}
	return fmt.Sprintf("#%d", i+1)
}

// MsgNoSuchStage refuses a record whose stage is not in the pipeline.
const MsgNoSuchStage = "The pipeline has no stage of this name"

// goFields maps app's validation field names to field keys.
var goFields = map[string]string{
	"FirstName": "first_name", "LastName": "last_name", "Email": "email", "Phone": "phone", "Mobile": "mobile",
	"Title": "title", "CompanyName": "company", "CompanyID": "company", "Notes": "notes", "Name": "name",
	"Website": "website", "Industry": "industry", "City": "city", "Country": "country", "Stage": "stage",
	"Currency": "currency", "Amount": "amount", "ClosingDate": "closing_date", "Contacts": "contact_email",
}

// FieldKey returns the field key of a validation error's Go field name.
func FieldKey(goName string) string {
	if k, ok := goFields[goName]; ok {
		return k
	}
	return goName
}

// rowErrors turns a validation error into RowErrors keyed by field key.
func rowErrors(row int, err error) []app.RowError {
	if err == nil {
		return nil
	}
	if v := validation(err); v != nil {
		out := make([]app.RowError, len(v.Fields))
		for i, f := range v.Fields {
			out[i] = app.RowError{Row: row, Field: FieldKey(f.Field), Message: f.Message}
		}
		return out
	}
	return []app.RowError{{Row: row, Message: app.ErrorMessage(err)}}
}

func validation(err error) *app.ValidationError {
	for e := err; e != nil; {
		if v, ok := e.(*app.ValidationError); ok {
			return v
		}
		u, ok := e.(interface{ Unwrap() error })
		if !ok {
			return nil
		}
		e = u.Unwrap()
	}
	return nil
}

// SplitName splits a full name into last and first: "山田 太郎" (Japanese
// order, family name first), "Taro Yamada" (Western order), "Yamada, Taro"
// (a comma puts the family name first). A Japanese name written without a
// space cannot be split safely, so it all goes into the last name.
func SplitName(full string) (last, first string) {
	full = strings.TrimSpace(full)
	if l, f, ok := strings.Cut(full, ","); ok {
		return strings.TrimSpace(l), strings.TrimSpace(f)
	}
	parts := strings.FieldsFunc(full, unicode.IsSpace) // U+3000 too
	switch {
	case len(parts) == 0:
		return "", ""
	case len(parts) == 1:
		return parts[0], ""
	case isJapaneseText(parts[0]):
		return parts[0], strings.Join(parts[1:], " ")
	}
	return parts[len(parts)-1], strings.Join(parts[:len(parts)-1], " ")
}

func isJapaneseText(s string) bool {
	for _, r := range s {
		if unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana) {
			return true
		}
	}
	return false
}

var (
	slashDate = regexp.MustCompile(`^(\d{4})[/.\-](\d{1,2})[/.\-](\d{1,2})$`)
	kanjiDate = regexp.MustCompile(`^(\d{4})年(\d{1,2})月(\d{1,2})日$`)
)

// ParseDate reads a closing date as spreadsheets write it: 2026-03-31,
// 2026/3/31, 2026年3月31日; ok is false for anything else.
func ParseDate(s string) (string, bool) {
	s = norm.NFKC.String(strings.TrimSpace(s))
	if s == "" {
		return "", true
	}
	if i := strings.IndexAny(s, " T"); i > 0 {
		s = s[:i] // a time after the date
	}
	m := slashDate.FindStringSubmatch(s)
	if m == nil {
		m = kanjiDate.FindStringSubmatch(s)
	}
	if m == nil {
		return "", false
	}
	y, _ := strconv.Atoi(m[1])
	mo, _ := strconv.Atoi(m[2])
	d, _ := strconv.Atoi(m[3])
	out := fmt.Sprintf("%04d-%02d-%02d", y, mo, d)
	return out, app.ValidDate(out)
}

func (mp *Mapper) record(m *Mapped, vals map[string]string) error {
	cur := strings.ToUpper(vals["currency"])
	if cur == "" {
		cur = mp.Currency
	}
	if cur == "" {
		cur = "JPY"
	}
	r := app.Record{Name: vals["name"], Currency: cur, CompanyName: vals["company"], Notes: vals["notes"]}
	var v app.ValidationError
	if mp.Pipeline != nil {
		r.PipelineID = mp.Pipeline.ID
		if st := vals["stage"]; st != "" {
			for _, s := range mp.Pipeline.Stages {
				if normHeader(s.Name) == normHeader(st) {
					r.StageID, r.StageName = s.ID, s.Name
				}
			}
			if r.StageID == 0 {
				v.Fields = append(v.Fields, app.FieldError{Field: "Stage", Message: MsgNoSuchStage})
			}
		} else if len(mp.Pipeline.Stages) > 0 {
			r.StageID, r.StageName = mp.Pipeline.Stages[0].ID, mp.Pipeline.Stages[0].Name
		}
	}
	if a := vals["amount"]; a != "" {
		amt, err := app.ParseAmount(norm.NFKC.String(a), cur)
		if err != nil {
			v.Fields = append(v.Fields, app.FieldError{Field: "Amount", Message: app.MsgAmountBad})
		}
		r.Amount = amt
	}
	if d := vals["closing_date"]; d != "" {
		out, ok := ParseDate(d)
		if !ok {
			v.Fields = append(v.Fields, app.FieldError{Field: "ClosingDate", Message: app.MsgDateInvalid})
		}
		r.ClosingDate = out
	}
	for i, e := range strings.FieldsFunc(vals["contact_email"], func(r rune) bool { return r == ',' || r == ';' || unicode.IsSpace(r) }) {
		if !app.ValidEmail(e) {
			v.Fields = append(v.Fields, app.FieldError{Field: "Contacts", Message: app.MsgEmailInvalid})
			break
		}
		r.Contacts = append(r.Contacts, app.RecordContact{Email: e, Primary: i == 0})
	}
	m.Item = r
	if len(v.Fields) > 0 {
		return &app.Error{Code: app.EINVALID, Err: &v}
	}
	if len([]rune(r.CompanyName)) > app.MaxNameLen {
		return &app.Error{Code: app.EINVALID, Err: &app.ValidationError{Fields: []app.FieldError{{Field: "CompanyName", Message: app.MsgTooLong}}}}
	}
	err := m.Item.Validate()
	return err
}
