package app

import (
	"strings"
	"unicode"
)

// PersonName joins a first and last name for display: "Taro Yamada" for
// Latin names, "山田 太郎" (family name first) when either part is written in
// Japanese or Chinese script.
func PersonName(first, last string) string {
	first, last = strings.TrimSpace(first), strings.TrimSpace(last)
	switch {
	case first == "":
		return last
	case last == "":
		return first
	case isCJK(first) || isCJK(last):
		return last + " " + first
	default:
		return first + " " + last
	}
}

func isCJK(s string) bool {
	for _, r := range s {
		if unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana) {
			return true
		}
	}
	return false
}
