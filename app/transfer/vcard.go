package transfer

// A small vCard reader of our own. The maintained Go vCard library
// (emersion/go-vcard) reads vCard 3.0 and 4.0 only: its maintainer declined
// vCard 2.1's QUOTED-PRINTABLE and CHARSET parameters (issue #32), and 2.1
// with quoted-printable UTF-8 or Shift_JIS is exactly what Android phones
// and Japanese feature phones export. Reading the few properties Tandem
// keeps is small; FuzzVCard checks it never panics and always makes
// progress.

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"mime/quotedprintable"
	"strings"
	"unicode/utf8"
)

// The columns a vCard file shows as; the header guesser maps them like any
// other file's.
var vcardHeader = []string{
	"Full name", "Last name", "First name", "Last name reading", "First name reading",
	"Email", "Other emails", "Phone", "Mobile", "Other phones",
	"Company", "Department", "Title", "Address", "Website", "Note",
}

const (
	vcFull = iota
	vcLast
	vcFirst
	vcLastReading
	vcFirstReading
	vcEmail
	vcOtherEmails
	vcPhone
	vcMobile
	vcOtherPhones
	vcCompany
	vcDepartment
	vcTitle
	vcAddress
	vcWebsite
	vcNote
)

type vcardSource struct {
	c    io.Closer
	br   *bufio.Reader
	bad  *badLines
	enc  Encoding
	line int
	row  int
	peek *string // a line read ahead while unfolding
	eof  bool
}

// NewVCard reads vCards from r (not closed), decoded from enc.
func NewVCard(r io.Reader, enc Encoding) (Source, error) { return newVCardSource(nopCloser{r}, enc) }

func newVCardSource(r io.ReadCloser, enc Encoding) (*vcardSource, error) {
	if enc == "" {
		enc = UTF8
	}
	bad := &badLines{}
	return &vcardSource{c: r, br: bufio.NewReaderSize(textReader(r, enc, bad), 64<<10), bad: bad, enc: enc}, nil
}

func (v *vcardSource) Header() []string { return vcardHeader }
func (v *vcardSource) Close() error     { return v.c.Close() }

// rawLine returns the next physical line without its line ending; a line
// longer than MaxFieldBytes is cut there (long is set).
func (v *vcardSource) rawLine() (s string, long bool, err error) {
	if v.peek != nil {
		s, v.peek = *v.peek, nil
		return s, false, nil
	}
	if v.eof {
		return "", false, io.EOF
	}
	var b []byte
	for {
		chunk, isPrefix, err := v.br.ReadLine()
		if err != nil {
			if errors.Is(err, io.EOF) {
				v.eof = true
				if b != nil {
					break
				}
			}
			return "", false, err
		}
		if len(b)+len(chunk) <= MaxFieldBytes {
			b = append(b, chunk...)
		} else {
			long = true
		}
		if !isPrefix {
			break
		}
	}
	v.line++
	return string(b), long, nil
}

// property returns the next logical line: folded lines joined, and
// quoted-printable soft line breaks followed.
func (v *vcardSource) property() (string, bool, error) {
	s, long, err := v.rawLine()
	if err != nil {
		return "", false, err
	}
	qp := isQP(s)
	for {
		if qp && strings.HasSuffix(s, "=") {
			next, l2, err := v.rawLine()
			if err != nil {
				break
			}
			s, long = s[:len(s)-1]+strings.TrimLeft(next, " \t"), long || l2
			continue
		}
		next, l2, err := v.rawLine()
		if err != nil {
			break
		}
		if next != "" && (next[0] == ' ' || next[0] == '\t') {
			s, long = s+next[1:], long || l2
			if len(s) > MaxFieldBytes {
				s, long = s[:MaxFieldBytes], true
			}
			continue
		}
		v.peek = &next
		break
	}
	return s, long, nil
}

func isQP(line string) bool {
	name, _, ok := strings.Cut(line, ":")
	return ok && strings.Contains(strings.ToUpper(name), "QUOTED-PRINTABLE")
}

func (v *vcardSource) Next() (*Record, error) {
	// Find BEGIN:VCARD.
	for {
		p, _, err := v.property()
		if err != nil {
			return nil, io.EOF
		}
		if strings.EqualFold(strings.TrimSpace(p), "BEGIN:VCARD") {
			break
		}
	}
	v.row++
	rec := &Record{Row: v.row, Line: v.line, Fields: make([]string, len(vcardHeader))}
	var emails, phones []string
	set := func(i int, s string) {
		if rec.Fields[i] == "" {
			rec.Fields[i] = s
		}
	}
	for {
		p, long, err := v.property()
		if err != nil {
			if rec.Problem == "" {
				rec.Problem, rec.ProblemArgs = "The card that starts on line {{.Line}} has no END:VCARD", map[string]any{"Line": rec.Line}
			}
			break
		}
		if strings.EqualFold(strings.TrimSpace(p), "END:VCARD") {
			break
		}
		name, params, value, ok := splitProperty(p)
		if !ok {
			continue
		}
		if long && name != "PHOTO" && name != "LOGO" && name != "SOUND" && name != "KEY" && rec.Problem == "" {
			rec.Problem, rec.ProblemArgs = "Line {{.Line}} is longer than {{.KB}} KB", map[string]any{"Line": v.line, "KB": MaxFieldBytes >> 10}
		}
		decoded, bad := decodeValue(params, value)
		if bad && rec.Problem == "" {
			rec.Problem, rec.ProblemArgs = "Line {{.Line}} has a value that cannot be decoded (its encoding or character set is wrong)", map[string]any{"Line": v.line}
		}
		switch name {
		case "FN":
			set(vcFull, unescape(decoded))
		case "N":
			parts := components(decoded)
			set(vcLast, get(parts, 0))
			set(vcFirst, strings.TrimSpace(get(parts, 1)+" "+get(parts, 2)))
		case "X-PHONETIC-LAST-NAME":
			set(vcLastReading, unescape(decoded))
		case "X-PHONETIC-FIRST-NAME":
			set(vcFirstReading, unescape(decoded))
		case "SOUND":
			if params.has("X-IRMC-N") {
				parts := components(decoded)
				set(vcLastReading, get(parts, 0))
				set(vcFirstReading, get(parts, 1))
			}
		case "EMAIL":
			if e := unescape(decoded); e != "" {
				if params.has("PREF") {
					emails = append([]string{e}, emails...)
				} else {
					emails = append(emails, e)
				}
			}
		case "TEL":
			t := unescape(decoded)
			switch {
			case t == "":
			case params.has("CELL") && rec.Fields[vcMobile] == "":
				rec.Fields[vcMobile] = t
			default:
				phones = append(phones, t)
			}
		case "ORG":
			parts := components(decoded)
			set(vcCompany, get(parts, 0))
			set(vcDepartment, strings.Join(nonEmpty(parts[min(1, len(parts)):]), " "))
		case "TITLE":
			set(vcTitle, unescape(decoded))
		case "ADR":
			// PO box; extended; street; locality; region; postal code; country
			parts := components(decoded)
			set(vcAddress, strings.Join(nonEmpty(parts), " "))
		case "URL":
			set(vcWebsite, unescape(decoded))
		case "NOTE":
			set(vcNote, unescape(decoded))
		}
	}
	rec.EndLine = v.line
	if len(emails) > 0 {
		rec.Fields[vcEmail] = emails[0]
		rec.Fields[vcOtherEmails] = strings.Join(emails[1:], ", ")
	}
	if len(phones) > 0 {
		rec.Fields[vcPhone] = phones[0]
		rec.Fields[vcOtherPhones] = strings.Join(phones[1:], ", ")
	}
	if bad := v.bad.first(rec.Line, rec.EndLine); bad != 0 && rec.Problem == "" {
		rec.Problem, rec.ProblemArgs = msgBadBytes, map[string]any{"Line": bad, "Encoding": v.enc.Label()}
	}
	return rec, nil
}

type vparams []string // upper-cased NAME=VALUE or bare values (vCard 2.1)

func (ps vparams) has(v string) bool {
	for _, p := range ps {
		name, val, ok := strings.Cut(p, "=")
		if !ok && name == v {
			return true
		}
		if ok && (name == "TYPE" || name == "ENCODING") {
			for _, x := range strings.Split(val, ",") {
				if strings.Trim(x, `"`) == v {
					return true
				}
			}
		}
		if ok && name == v {
			return true
		}
	}
	return false
}

func (ps vparams) get(name string) string {
	for _, p := range ps {
		if n, val, ok := strings.Cut(p, "="); ok && n == name {
			return strings.Trim(val, `"`)
		}
	}
	return ""
}

// splitProperty cuts "item1.TEL;TYPE=CELL:090..." into TEL, its parameters
// and the value.
func splitProperty(line string) (name string, params vparams, value string, ok bool) {
	head, value, ok := strings.Cut(line, ":")
	if !ok {
		return "", nil, "", false
	}
	parts := strings.Split(head, ";")
	name = strings.ToUpper(strings.TrimSpace(parts[0]))
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		name = name[i+1:]
	}
	for _, p := range parts[1:] {
		params = append(params, strings.ToUpper(strings.TrimSpace(p)))
	}
	return name, params, value, true
}

// decodeValue undoes ENCODING=QUOTED-PRINTABLE (or BASE64/B) and a
// CHARSET other than UTF-8; bad is set when the value cannot be decoded.
func decodeValue(ps vparams, value string) (string, bool) {
	raw := []byte(value)
	switch {
	case ps.has("QUOTED-PRINTABLE"):
		b, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(value)))
		if err != nil {
			return "", true
		}
		raw = b
	case ps.has("BASE64") || ps.has("B"):
		return "", false // photos and keys: not kept
	}
	cs := ps.get("CHARSET")
	if cs == "" || strings.EqualFold(cs, "UTF-8") || strings.EqualFold(cs, "US-ASCII") {
		if !utf8.Valid(raw) {
			return strings.ToValidUTF8(string(raw), "\ufffd"), true
		}
		return string(raw), false
	}
	enc, ok := ParseEncoding(cs)
	if !ok {
		return "", true
	}
	if enc == UTF8 {
		return string(raw), false
	}
	out, err := enc.decoder().Bytes(raw)
	if err != nil || bytes.ContainsRune(out, utf8.RuneError) {
		return "", true
	}
	return string(out), false
}

// components splits a structured value at unescaped semicolons and
// unescapes each part.
func components(s string) []string {
	var parts []string
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && i+1 < len(s):
			b.WriteByte('\\')
			b.WriteByte(s[i+1])
			i++
		case s[i] == ';':
			parts = append(parts, strings.TrimSpace(unescape(b.String())))
			b.Reset()
		default:
			b.WriteByte(s[i])
		}
	}
	return append(parts, strings.TrimSpace(unescape(b.String())))
}

// unescape undoes vCard's backslash escapes (\n, \, \; \\).
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
			switch s[i] {
			case 'n', 'N':
				b.WriteByte('\n')
			default:
				b.WriteByte(s[i])
			}
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func get(xs []string, i int) string {
	if i < len(xs) {
		return xs[i]
	}
	return ""
}

func nonEmpty(xs []string) []string {
	var out []string
	for _, x := range xs {
		if strings.TrimSpace(x) != "" {
			out = append(out, x)
		}
	}
	return out
}
