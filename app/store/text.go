package store

import (
	"encoding/json"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/app/kana"
)

// Limits on what one search query can ask of FTS5.
const (
	maxQueryTerms   = 8
	maxTermRunes    = 64
	maxSuffixStarts = 32 // suffixes start in a word's first 32 characters...
	maxSuffixRunes  = 24 // ...and are cut to 24 characters
)

// isWordRune reports whether r belongs to a word, approximating the FTS5
// unicode61 tokenizer (letters, numbers, marks, private use).
func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Co, r)
}

// words splits s into the runs of word characters.
func words(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return !isWordRune(r) })
}

// isJapanese reports whether r is written in a script that puts no spaces
// between words (Han, Hiragana, Katakana).
func isJapanese(r rune) bool {
	// Every rune of the three scripts is at U+2E80 or above: text in
	// other scripts skips the tables.
	return r >= 0x2e80 && (unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana) || r == 'ー' || r == '々')
}

// ftsQuery turns what a person typed into a safe FTS5 prefix query: every
// word becomes a quoted prefix term ("yam"*) and the terms are ANDed. No
// input can produce FTS5 syntax (operators, column filters, NEAR, stray
// quotes), because only word characters survive and each term is quoted.
// It returns "" when nothing searchable is left (only punctuation or emoji).
func ftsQuery(s string) string {
	ws := words(kana.Hiragana(s))
	if len(ws) > maxQueryTerms {
		ws = ws[:maxQueryTerms]
	}
	var b strings.Builder
	for _, w := range ws {
		if r := []rune(w); len(r) > maxTermRunes {
			w = string(r[:maxTermRunes])
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteByte('"')
		b.WriteString(strings.ReplaceAll(w, `"`, `""`))
		b.WriteString(`"*`)
	}
	return b.String()
}

// japaneseSuffixes appends to set every suffix of each word of s that
// contains Japanese script. The unicode61 tokenizer sees "株式会社山田商事" as
// one token, so a prefix query "山田"* would miss it; indexing the suffix
// "山田商事" as a token of its own lets the same prefix query find words
// anywhere inside Japanese text.
func japaneseSuffixes(set map[string]struct{}, s string) {
	for _, w := range words(s) {
		if !strings.ContainsFunc(w, isJapanese) {
			continue
		}
		r := []rune(w)
		for i := 0; i < len(r) && i < maxSuffixStarts; i++ {
			end := min(len(r), i+maxSuffixRunes)
			set[string(r[i:end])] = struct{}{}
		}
	}
}

// digits returns the digits of a phone number ("03-1234-5678" → "0312345678")
// when they differ from the number as written, so a search can type either.
func digits(phone string) string {
	d := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, phone)
	if len(d) < 3 || d == phone {
		return ""
	}
	return d
}

// anyAtLeast reports whether a rune of one of ss is at least r.
func anyAtLeast(r rune, ss ...string) bool {
	for _, s := range ss {
		if strings.ContainsFunc(s, func(c rune) bool { return c >= r }) {
			return true
		}
	}
	return false
}

func joinSet(set map[string]struct{}, more ...string) string {
	parts := make([]string, 0, len(set)+len(more))
	for k := range set {
		parts = append(parts, k)
	}
	for _, m := range more {
		if m != "" {
			parts = append(parts, m)
		}
	}
	// Sorted, so the stored text does not depend on map order.
	slices.Sort(parts)
	return strings.Join(parts, " ")
}

// Search folds kana: a query is folded to hiragana (ftsQuery), and the
// store indexes the hiragana of every name written in kana and of every
// reading, so やまだ, ヤマダ and ﾔﾏﾀﾞ all find 山田 (read やまだ) and ヤマダ.

// kanaWords adds to set the hiragana of each word of s that has kana,
// with the suffixes of Japanese words (see japaneseSuffixes).
func kanaWords(set map[string]struct{}, s string) {
	if !kana.HasKana(s) && !strings.ContainsFunc(s, isHalfWidthKana) {
		return
	}
	h := kana.Hiragana(s)
	for _, w := range words(h) {
		set[w] = struct{}{}
	}
	japaneseSuffixes(set, h)
}

func isHalfWidthKana(r rune) bool { return r >= 0xff61 && r <= 0xff9f }

// contactExtra returns the extra search tokens of a contact: suffixes of
// its Japanese names, including family+given written together ("山田太郎"),
// its readings and kana names in hiragana (family+given together too),
// and its phone numbers as bare digits.
func contactExtra(c *app.Contact) string {
	first, last := c.FirstName, c.LastName
	if !anyAtLeast(0x2e80, first, last, c.FirstNameReading, c.LastNameReading) {
		// No Japanese script and no kana (all at U+2E80 or above): there
		// are no suffixes or kana words to add, only the phone digits.
		return joinSet(nil, digits(c.Phone), digits(c.Mobile))
	}
	set := map[string]struct{}{}
	japaneseSuffixes(set, first)
	japaneseSuffixes(set, last)
	if len(set) > 0 {
		japaneseSuffixes(set, last+first)
		japaneseSuffixes(set, first+last)
	}
	for _, s := range []string{first, last, c.FirstNameReading, c.LastNameReading,
		c.LastNameReading + c.FirstNameReading, last + first} {
		kanaWords(set, s)
	}
	return joinSet(set, digits(c.Phone), digits(c.Mobile))
}

// companyNameExtra returns the extra search tokens of a company name and
// its reading. (They are the name's text in contacts' search too.)
func companyNameExtra(c *app.Company) string {
	set := map[string]struct{}{}
	japaneseSuffixes(set, c.Name)
	kanaWords(set, c.Name)
	kanaWords(set, c.NameReading)
	return joinSet(set)
}

// companyExtra returns the extra search tokens of a company's other fields.
func companyExtra(city, phone string) string {
	set := map[string]struct{}{}
	japaneseSuffixes(set, city)
	kanaWords(set, city)
	return joinSet(set, digits(phone))
}

// contactSortKey orders contacts by the reading of family then given
// name (see kana.SortKey), stored as a BLOB; contactInitial is their row
// of the index.
func contactSortKey(c *app.Contact) []byte {
	return []byte(kana.SortKey(c.Reading(), c.LastName+" "+c.FirstName))
}

func contactInitial(c *app.Contact) string {
	return kana.Initial(c.Reading(), c.LastName+" "+c.FirstName)
}

// companySortKey orders companies by reading, or by name without its
// legal form (株式会社…); companyInitial is their row of the index.
func companySortKey(c *app.Company) []byte {
	return []byte(kana.SortKey(c.NameReading, kana.CompanySortName(c.Name)))
}

func companyInitial(c *app.Company) string {
	return kana.Initial(c.NameReading, kana.CompanySortName(c.Name))
}

// foldTable maps accented Latin letters to their base letter for sorting.
var foldTable = map[rune]string{
	'à': "a", 'á': "a", 'â': "a", 'ã': "a", 'ä': "a", 'å': "a", 'ā': "a", 'ă': "a", 'ą': "a", 'æ': "ae",
	'ç': "c", 'ć': "c", 'č': "c", 'ď': "d", 'đ': "d", 'ð': "d",
	'è': "e", 'é': "e", 'ê': "e", 'ë': "e", 'ē': "e", 'ė': "e", 'ę': "e", 'ě': "e",
	'ì': "i", 'í': "i", 'î': "i", 'ï': "i", 'ī': "i", 'į': "i", 'ı': "i",
	'ł': "l", 'ľ': "l", 'ĺ': "l", 'ñ': "n", 'ń': "n", 'ň': "n",
	'ò': "o", 'ó': "o", 'ô': "o", 'õ': "o", 'ö': "o", 'ø': "o", 'ō': "o", 'ő': "o", 'œ': "oe",
	'ŕ': "r", 'ř': "r", 'ś': "s", 'š': "s", 'ş': "s", 'ß': "ss", 'ť': "t", 'ţ': "t", 'þ': "th",
	'ù': "u", 'ú': "u", 'û': "u", 'ü': "u", 'ū': "u", 'ů': "u", 'ű': "u", 'ų': "u",
	'ý': "y", 'ÿ': "y", 'ź': "z", 'ż': "z", 'ž': "z",
}

// sortKey folds s for ordering pipeline records (and their name search):
// lower case, Latin accents removed, spaces collapsed, full-width ASCII
// made half-width. Contacts and companies sort by kana.SortKey.
func sortKey(s string) string {
	s = strings.ToLower(strings.Join(strings.Fields(s), " "))
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf:
			b.WriteRune(r)
		case r >= 'Ａ' && r <= 'ｚ': // full-width forms
			b.WriteRune(unicode.ToLower(r - 'Ａ' + 'A'))
		default:
			if f, ok := foldTable[r]; ok {
				b.WriteString(f)
			} else {
				b.WriteRune(r)
			}
		}
	}
	return b.String()
}

// encodeCustom stores custom fields as a JSON object ("{}" when empty).
func encodeCustom(m map[string]string) string {
	if len(m) == 0 {
		return "{}"
	}
	b, err := json.Marshal(m)
	if err != nil { // a map[string]string always marshals
		return "{}"
	}
	return string(b)
}

// decodeCustom reads custom fields; an empty object gives a nil map.
func decodeCustom(s string) (map[string]string, error) {
	if s == "" || s == "{}" {
		return nil, nil
	}
	var m map[string]string
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		return nil, err
	}
	if len(m) == 0 {
		return nil, nil
	}
	return m, nil
}

// likePattern escapes s for LIKE ... ESCAPE '\' as a substring match.
func likePattern(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(s) + "%"
}

// page returns the offset and limit of a list request: 50 rows by default,
// at most 1,000.
func page(offset, limit int) (int, int) {
	if limit <= 0 {
		limit = 50
	}
	return max(offset, 0), min(limit, 1000)
}
