package views

import (
	"errors"
	"strings"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
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
	rs := []rune(s)
	for i, r := range rs {
		// No break before the last character of a sentence or clause:
		// a line of one character and its full stop ("ん。") looks lost.
		if i > 0 && breakBetween(rs[i-1], r) && (i+1 == len(rs) || !strings.ContainsRune(clauseEnd, rs[i+1])) {
			b.WriteRune(hairSpace)
		}
		b.WriteRune(r)
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

// clauseEnd are the marks that end a sentence or clause.
const clauseEnd = "、。，．？！"

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

// Fyne's dialogs wrap their message at spaces like any label; these give
// them Japanese break opportunities (the dialog copies nothing back, so
// the hair spaces stay on the screen only).

func newConfirm(title, msg string, cb func(bool), w fyne.Window) *dialog.ConfirmDialog {
	return dialog.NewConfirm(title, breakable(msg), cb, w)
}

func newInformation(title, msg string, w fyne.Window) dialog.Dialog {
	return dialog.NewInformation(title, breakable(msg), w)
}

// wrappedError is an error for dialog.NewError / ShowError with Japanese
// break opportunities in its text.
func wrappedError(msg string) error { return errors.New(breakable(msg)) }
