package views

import (
	"strings"
	"unicode"
)

// Fyne wraps words only at spaces (widget/richtext.go, findSpaceIndex):
// in Japanese, which puts no spaces between words, a line then breaks at
// the last space before a long run — often the one after a Latin word
// such as "Zoho Desk" — leaving a short first line. breakable inserts a
// hair space (U+200A: a space to Fyne, under a pixel wide at body size)
// wherever Japanese allows a line break, so wrapped text breaks at the
// character where the line is full. The rules are those of kinsoku
// shori: no break before closing punctuation, small kana or the long
// vowel mark, none after an opening bracket.

// hairSpace is the break opportunity breakable inserts.
const hairSpace = '\u200a'

// breakable returns s with break opportunities between the characters of
// Japanese (and Chinese) text; other text is returned unchanged.
func breakable(s string) string {
	if !strings.ContainsFunc(s, isCJKBreakable) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + len(s)/2)
	var prev rune
	for i, r := range s {
		if i > 0 && breakBetween(prev, r) {
			b.WriteRune(hairSpace)
		}
		b.WriteRune(r)
		prev = r
	}
	return b.String()
}

// unbreakable removes what breakable and the conversation's word wrap
// (zwsp) inserted, for copying text.
func unbreakable(s string) string {
	return strings.NewReplacer(string(hairSpace), "", zwsp, "").Replace(s)
}

// isCJKBreakable reports whether a line may break beside r in Japanese
// text: ideographs, kana and full-width punctuation.
func isCJKBreakable(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana) ||
		(r >= 0x3000 && r <= 0x303f) || // CJK symbols and punctuation
		(r >= 0xff01 && r <= 0xff60) // full-width forms
}

// noBreakBefore are the characters a line must not start with.
const noBreakBefore = "、。，．・：；？！ー～）」』】〕〉》〙〗’”％‰℃々ゝゞヽヾ" +
	"ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ" +
	")]}>,.!?:;…‥"

// noBreakAfter are the characters a line must not end with.
const noBreakAfter = "（「『【〔〈《〘〖‘“([{<"

func breakBetween(a, b rune) bool {
	if unicode.IsSpace(a) || unicode.IsSpace(b) {
		return false // a space already is a break opportunity
	}
	if !isCJKBreakable(a) && !isCJKBreakable(b) {
		return false // Latin text breaks at its spaces only
	}
	if strings.ContainsRune(noBreakBefore, b) || strings.ContainsRune(noBreakAfter, a) {
		return false
	}
	// Keep numbers and Latin words whole next to each other; a break may
	// come between them and Japanese.
	if isLatinOrDigit(a) && isLatinOrDigit(b) {
		return false
	}
	return true
}

func isLatinOrDigit(r rune) bool {
	return r < 0x3000 && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '@' || r == '_' || r == '-' || r == '/' || r == '#')
}
