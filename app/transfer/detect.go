package transfer

import (
	"bytes"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/unicode"
)

// Encoding names a text encoding a file can be read in.
type Encoding string

// The encodings Tandem reads. ShiftJIS is Microsoft's CP932 (Windows-31J),
// which is what Japanese Excel writes as "CSV"; it includes the NEC and IBM
// extensions (①, 髙) that strict Shift_JIS lacks.
const (
	UTF8        Encoding = "utf-8"
	ShiftJIS    Encoding = "shift_jis"
	UTF16LE     Encoding = "utf-16le"
	UTF16BE     Encoding = "utf-16be"
	EUCJP       Encoding = "euc-jp"
	Windows1252 Encoding = "windows-1252"
)

// Encodings lists the encodings in the order a person is offered them.
var Encodings = []Encoding{UTF8, ShiftJIS, UTF16LE, UTF16BE, EUCJP, Windows1252}

// Label is the encoding's name as a person knows it.
func (e Encoding) Label() string {
	switch e {
	case UTF8:
		return "UTF-8"
	case ShiftJIS:
		return "Shift_JIS (CP932)"
	case UTF16LE:
		return "UTF-16 LE"
	case UTF16BE:
		return "UTF-16 BE"
	case EUCJP:
		return "EUC-JP"
	case Windows1252:
		return "Windows-1252"
	}
	return string(e)
}

// ParseEncoding reads an encoding name as a person or a script writes it
// ("sjis", "cp932", "UTF-16", "latin1"...); ok is false when it is unknown.
func ParseEncoding(s string) (Encoding, bool) {
	switch strings.NewReplacer("-", "", "_", "", " ", "").Replace(strings.ToLower(s)) {
	case "utf8", "utf8bom":
		return UTF8, true
	case "shiftjis", "sjis", "cp932", "windows31j", "ms932", "mskanji":
		return ShiftJIS, true
	case "utf16", "utf16le", "unicode":
		return UTF16LE, true
	case "utf16be":
		return UTF16BE, true
	case "eucjp":
		return EUCJP, true
	case "windows1252", "cp1252", "latin1", "iso88591":
		return Windows1252, true
	}
	return "", false
}

// decoder returns the x/text decoder of e (nil for UTF-8, which is checked
// by validUTF8Reader instead).
func (e Encoding) decoder() *encoding.Decoder {
	switch e {
	case ShiftJIS:
		return japanese.ShiftJIS.NewDecoder()
	case UTF16LE:
		return unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewDecoder()
	case UTF16BE:
		return unicode.UTF16(unicode.BigEndian, unicode.UseBOM).NewDecoder()
	case EUCJP:
		return japanese.EUCJP.NewDecoder()
	case Windows1252:
		return charmap.Windows1252.NewDecoder()
	}
	return nil
}

// Format is the kind of file.
type Format string

// The formats Tandem reads.
const (
	FormatDelimited Format = "delimited" // CSV, TSV and the like
	FormatXLSX      Format = "xlsx"
	FormatVCard     Format = "vcard"
	FormatXLS       Format = "xls" // the old binary Excel format: refused with advice
)

// Detection is what Detect found out about a file from its first bytes.
type Detection struct {
	Format    Format
	Encoding  Encoding
	BOM       bool // the file starts with a byte-order mark
	Delimiter rune // ',', '\t' or ';' for FormatDelimited
}

// DetectBytes is how much of a file Detect looks at.
const DetectBytes = 64 << 10

var (
	bomUTF8    = []byte{0xEF, 0xBB, 0xBF}
	bomUTF16LE = []byte{0xFF, 0xFE}
	bomUTF16BE = []byte{0xFE, 0xFF}
)

// Detect guesses a file's format, encoding and delimiter from its name and
// its first bytes (up to DetectBytes; head may end in the middle of a
// character).
func Detect(name string, head []byte) Detection {
	ext := strings.ToLower(filepath.Ext(name))
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")) || ext == ".xlsx" && len(head) == 0:
		return Detection{Format: FormatXLSX, Encoding: UTF8}
	case bytes.HasPrefix(head, []byte{0xD0, 0xCF, 0x11, 0xE0}):
		return Detection{Format: FormatXLS}
	}
	d := Detection{Format: FormatDelimited}
	body := head
	switch {
	case bytes.HasPrefix(head, bomUTF8):
		d.Encoding, d.BOM, body = UTF8, true, head[3:]
	case bytes.HasPrefix(head, bomUTF16LE):
		d.Encoding, d.BOM = UTF16LE, true
	case bytes.HasPrefix(head, bomUTF16BE):
		d.Encoding, d.BOM = UTF16BE, true
	default:
		d.Encoding = guessEncoding(head)
	}
	text := decodeHead(d.Encoding, body)
	if ext == ".vcf" || hasVCardStart(text) {
		d.Format = FormatVCard
		return d
	}
	d.Delimiter = guessDelimiter(text, ext)
	return d
}

// guessEncoding picks the encoding of a head without a byte-order mark.
func guessEncoding(head []byte) Encoding {
	if e, ok := guessUTF16(head); ok {
		return e
	}
	if validUTF8Prefix(head) {
		return UTF8
	}
	sj, eu := validIn(japanese.ShiftJIS.NewDecoder(), head), validIn(japanese.EUCJP.NewDecoder(), head)
	switch {
	case sj && eu:
		// EUC-JP bytes mostly decode as Shift_JIS too, but as half-width
		// katakana, which real text rarely holds: prefer the reading
		// with fewer of them.
		if halfKana(ShiftJIS, head) > halfKana(EUCJP, head) {
			return EUCJP
		}
		return ShiftJIS
	case sj:
		return ShiftJIS
	case eu:
		return EUCJP
	}
	return Windows1252
}

// guessUTF16 recognises UTF-16 without a BOM by its zero bytes: text that
// is mostly ASCII has a zero in every other byte.
func guessUTF16(head []byte) (Encoding, bool) {
	n := len(head) &^ 1
	if n < 4 {
		return "", false
	}
	var even, odd int
	for i := 0; i < n; i += 2 {
		if head[i] == 0 {
			even++
		}
		if head[i+1] == 0 {
			odd++
		}
	}
	pairs := n / 2
	switch {
	case odd*10 >= pairs*3 && even*10 < pairs:
		return UTF16LE, true
	case even*10 >= pairs*3 && odd*10 < pairs:
		return UTF16BE, true
	}
	return "", false
}

// validUTF8Prefix reports whether b is valid UTF-8 except for a character
// cut off at its end.
func validUTF8Prefix(b []byte) bool {
	for i := 0; i < len(b); {
		if b[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			return len(b)-i < utf8.UTFMax && !utf8.FullRune(b[i:])
		}
		i += size
	}
	return true
}

// validIn reports whether b decodes in dec without a replacement
// character (the last few bytes may be a character cut off).
func validIn(dec *encoding.Decoder, b []byte) bool {
	for cut := 0; cut < 3 && cut <= len(b); cut++ {
		out, err := dec.Bytes(b[:len(b)-cut])
		if err == nil && !bytes.ContainsRune(out, utf8.RuneError) {
			return true
		}
	}
	return false
}

// halfKana counts the half-width katakana of head read in e.
func halfKana(e Encoding, head []byte) int {
	n := 0
	for _, r := range decodeHead(e, head) {
		if r >= 0xFF61 && r <= 0xFF9F {
			n++
		}
	}
	return n
}

// decodeHead decodes a head for sniffing, replacing what does not decode.
func decodeHead(e Encoding, b []byte) string {
	dec := e.decoder()
	if dec == nil {
		return strings.ToValidUTF8(string(b), "\ufffd")
	}
	out, _ := dec.Bytes(b)
	return string(out)
}

func hasVCardStart(text string) bool {
	t := strings.TrimLeft(text, "\ufeff \t\r\n")
	return len(t) >= 11 && strings.EqualFold(t[:11], "BEGIN:VCARD")
}

// guessDelimiter counts tabs, commas and semicolons outside quotes on the
// first line; a .tsv name means tabs.
func guessDelimiter(text, ext string) rune {
	if ext == ".tsv" || ext == ".tab" {
		return '\t'
	}
	counts := map[rune]int{}
	quoted := false
	for _, r := range text {
		if r == '"' {
			quoted = !quoted
			continue
		}
		if quoted {
			continue
		}
		if r == '\n' {
			break
		}
		counts[r]++
	}
	switch {
	case counts['\t'] > 0 && counts['\t'] >= counts[','] && counts['\t'] >= counts[';']:
		return '\t'
	case counts[';'] > counts[',']:
		return ';'
	}
	return ','
}
