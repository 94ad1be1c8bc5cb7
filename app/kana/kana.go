// Package kana reads Japanese names the way a Japanese address book does:
// it folds what people type (half-width katakana, katakana, full-width
// letters) to one form for search, orders names by their reading (姓・名の
// 読み, 会社名の読み) in gojūon order, and names the row of the 50-on index
// (あ か さ た な …) a name is filed under.
//
// Ordering uses the Unicode Collation Algorithm with CLDR's Japanese
// tailoring (golang.org/x/text/collate): kana in dictionary order (かき,
// がくせい, かけ — a voiced sound sorts with its plain one), ideographs in
// JIS X 0208 order, which for the common ones follows their reading, so
// even a name with no reading is never ordered by code point.
package kana

import (
	"encoding/hex"
	"strings"
	"sync"
	"unicode"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
	"golang.org/x/text/unicode/norm"
)

// Normalize is what the reading fields store: NFKC (half-width katakana
// become full-width, "ﾀﾞ" becomes "ダ", full-width letters become ASCII)
// with spaces collapsed.
func Normalize(s string) string {
	if plainASCII(s) {
		return s // NFKC leaves ASCII as it is, and there is no space to collapse
	}
	return strings.Join(strings.Fields(norm.NFKC.String(s)), " ")
}

// plainASCII reports whether s is ASCII with single spaces between words
// and no other white space: what Normalize returns unchanged. (An import
// normalises several names per row; most are plain.)
func plainASCII(s string) bool {
	if s != "" && (s[0] == ' ' || s[len(s)-1] == ' ') {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= 0x80, c >= '\t' && c <= '\r':
			return false
		case c == ' ' && s[i+1] == ' ':
			return false
		}
	}
	return true
}

// Hiragana folds s for search: Normalize, then katakana to hiragana, so
// やまだ, ヤマダ and ﾔﾏﾀﾞ are the same word. Other characters are kept.
func Hiragana(s string) string {
	s = Normalize(s)
	if !strings.ContainsFunc(s, isKatakana) {
		return s
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'ァ' && r <= 'ヶ':
			return r - 0x60
		case r == 'ヽ' || r == 'ヾ':
			return r - 0x60
		}
		return r
	}, s)
}

func isKatakana(r rune) bool { return r >= 0x30a1 && unicode.Is(unicode.Katakana, r) }

// IsReading reports whether s can be a reading: kana, Latin letters,
// digits, spaces and the punctuation of names (・ ー - ' . &). Ideographs
// are not a reading.
func IsReading(s string) bool {
	for _, r := range Normalize(s) {
		switch {
		case unicode.In(r, unicode.Hiragana, unicode.Katakana):
		case r < 0x250 && (unicode.IsLetter(r) || unicode.IsDigit(r)):
		case strings.ContainsRune(" ・ー-'.&゛゜", r):
		default:
			return false
		}
	}
	return true
}

// HasKana reports whether s contains hiragana or katakana.
func HasKana(s string) bool {
	// Every hiragana and katakana is at U+3041 or above: other text
	// skips the tables.
	return strings.ContainsFunc(s, func(r rune) bool { return r >= 0x3041 && unicode.In(r, unicode.Hiragana, unicode.Katakana) })
}

// Sort groups: names read in kana (or written in it), then names read or
// written in Latin letters, then the rest (no reading given).
const (
	groupReading = "0"
	groupLatin   = "1"
	groupOther   = "2"
)

// collator is not safe for concurrent use.
var (
	collMu sync.Mutex
	coll   = collate.New(language.Japanese)
	buf    collate.Buffer
)

func key(s string) []byte {
	collMu.Lock()
	defer collMu.Unlock()
	k := append([]byte(nil), coll.KeyFromString(&buf, s)...)
	buf.Reset()
	return k
}

// SortKey returns the key a list sorts a name by: by its reading when it
// has one (or is itself written in kana), in gojūon order; then Latin
// names in alphabetical order; then names with no reading, in the order of
// the Japanese collation (never by code point alone). Names with the same
// reading are ordered by how they are written. The key is bytes, compared
// as bytes: store it as a BLOB (SQLite compares those with memcmp).
func SortKey(reading, name string) string {
	group, by := classify(reading, name)
	k := append([]byte(group), key(by)...)
	k = append(k, 0) // then the name as written, for equal readings
	return string(append(k, Normalize(name)...))
}

// Initial returns the row of the index a name sorted by SortKey is filed
// under: あ か さ た な は ま や ら わ for readings (a voiced or small kana
// under its plain one: が under か, ゃ under や), A–Z for Latin names, and
// Other for the rest.
func Initial(reading, name string) string {
	group, by := classify(reading, name)
	switch group {
	case groupReading:
		return kanaRow(firstRune(by))
	case groupLatin:
		return latinInitial(firstRune(by))
	}
	return Other
}

// classify returns a name's sort group and the text it is ordered by.
func classify(reading, name string) (group, by string) {
	reading, name = Normalize(reading), Normalize(name)
	if reading == "" && HasKana(name) && IsReading(name) {
		reading = name // a name written in kana reads as written
	}
	switch {
	case reading != "" && unicode.Is(unicode.Hiragana, firstRune(Hiragana(reading))):
		return groupReading, Hiragana(reading)
	case reading != "" && isLatinLetter(firstRune(reading)):
		return groupLatin, reading
	case reading == "" && isLatinLetter(firstRune(name)):
		return groupLatin, name
	case reading != "":
		return groupOther, reading
	}
	return groupOther, name
}

// Other is the index row of names that are neither read nor Latin.
const Other = "#"

// Rows are the index rows of readings, in order.
var Rows = []string{"あ", "か", "さ", "た", "な", "は", "ま", "や", "ら", "わ"}

// kanaRow is the row of the 50-on table a hiragana belongs to.
func kanaRow(r rune) string {
	switch {
	case r >= 'ぁ' && r <= 'お', r == 'ゔ':
		return "あ"
	case r >= 'か' && r <= 'ご', r == 'ゕ', r == 'ゖ':
		return "か"
	case r >= 'さ' && r <= 'ぞ':
		return "さ"
	case r >= 'た' && r <= 'ど':
		return "た"
	case r >= 'な' && r <= 'の':
		return "な"
	case r >= 'は' && r <= 'ぽ':
		return "は"
	case r >= 'ま' && r <= 'も':
		return "ま"
	case r >= 'ゃ' && r <= 'よ':
		return "や"
	case r >= 'ら' && r <= 'ろ':
		return "ら"
	case r >= 'ゎ' && r <= 'ん':
		return "わ"
	}
	return Other
}

func firstRune(s string) rune {
	for _, r := range s {
		return r
	}
	return 0
}

func isLatinLetter(r rune) bool { return r < 0x250 && unicode.IsLetter(r) }

// latinInitial is the capital of a Latin letter without its accent.
func latinInitial(r rune) string {
	d := norm.NFD.String(string(r))
	return strings.ToUpper(d[:1])
}

// CompanySortName drops the legal form (株式会社, 有限会社, ㈱…) a company
// name is written with but not read by, for ordering and the index.
func CompanySortName(name string) string {
	n := Normalize(name)
	for _, form := range legalForms {
		if t, ok := strings.CutPrefix(n, form); ok && strings.TrimSpace(t) != "" {
			return strings.TrimSpace(t)
		}
		if t, ok := strings.CutSuffix(n, form); ok && strings.TrimSpace(t) != "" {
			return strings.TrimSpace(t)
		}
	}
	return n
}

// legalForms are written after NFKC (which turns ㈱ into (株)).
var legalForms = []string{"株式会社", "有限会社", "合同会社", "合資会社", "合名会社", "(株)", "(有)", "(同)"}

// Version names the ordering SortKey produces; a store keeping keys
// computes them again when it changes (a new algorithm or collation data).
func Version() string {
	return "2:" + hex.EncodeToString([]byte(SortKey("がっこう", "学校")+SortKey("", "Émile")+SortKey("", "山田")))
}
