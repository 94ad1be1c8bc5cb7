// Package display turns untrusted text (from Zoho Desk, a CSV file or
// typed in) into text that is safe to hand to a widget. It is the one
// boundary every screen and notification goes through:
//
//   - control characters and invalid UTF-8 never reach a widget (invalid
//     bytes become U+FFFD, so people see that something was there);
//   - bidirectional overrides, embeddings, isolates and marks are removed,
//     so a subject like "Invoice \u202efdp.exe" reads in its true order and
//     no field can reorder the text that follows it;
//   - a single-line field (a name, a subject, an email, a status) loses its
//     newlines and tabs: runs of them become one space;
//   - the length is capped for display, ending in "…", and the scan itself
//     is bounded, so a 100,000-character subject costs as much as a short
//     one. The full value stays stored; screens offer "Show all" or Open in
//     Zoho Desk for it.
//
// The package uses the standard library only.
package display

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Display limits, in characters (runes).
const (
	// Name is for a person's or company's name, an email or a status.
	Name = 200
	// Subject is for a ticket subject or a record's title in a header.
	Subject = 120
	// Row is for one line of a list row: it is truncated on screen anyway.
	Row = 120
	// Notes is for a multi-line field such as a contact's notes.
	Notes = 4000
)

// Ellipsis ends text that was cut.
const Ellipsis = "…"

// maxMarks is how many combining marks one character keeps: enough for any
// script people write, too few to stack a tower of accents over the line.
const maxMarks = 8

// Line returns s as one line of at most max characters (see the package
// comment). A max below 1 means Row.
func Line(s string, max int) string {
	out, _ := LineCut(s, max)
	return out
}

// LineCut is Line that also reports whether s was shortened (so a screen
// offers "Show all").
func LineCut(s string, max int) (string, bool) { return clean(s, max, false) }

// Text returns multi-line text of at most max characters: like Line, but
// line breaks (\n, \r\n, \r, U+2028, U+2029, NEL) are kept as "\n", at most
// one blank line in a row. A max below 1 means Notes.
func Text(s string, max int) string {
	out, _ := TextCut(s, max)
	return out
}

// TextCut is Text that also reports whether s was shortened.
func TextCut(s string, max int) (string, bool) { return clean(s, max, true) }

// Clean returns s without what must never reach a widget — control
// characters other than newline and tab, bidirectional controls, invalid
// UTF-8 — and with no length limit. Rich-text bodies use it before their
// own layout.
func Clean(s string) string {
	if isClean(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	marks := 0
	lastCR := false
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		wasCR := lastCR
		lastCR = r == '\r'
		if r == utf8.RuneError && size == 1 {
			b.WriteRune(utf8.RuneError)
			marks = 0
			continue
		}
		switch k := kindOf(r); k {
		case drop:
			continue
		case lineBreak:
			if r == '\n' && wasCR {
				continue // \r\n is one line break
			}
			b.WriteByte('\n')
		case space:
			if r != '\t' {
				r = ' '
			}
			b.WriteRune(r)
		case mark:
			if marks++; marks > maxMarks {
				continue
			}
			b.WriteRune(r)
			continue
		default:
			b.WriteRune(r)
		}
		marks = 0
	}
	return b.String()
}

// isClean reports whether Clean would return s unchanged.
func isClean(s string) bool {
	marks := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\n' && c != '\t' || c == 0x7f {
				return false
			}
			i++
			marks = 0
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch kindOf(r) {
		case drop, lineBreak:
			return false
		case mark:
			if marks++; marks > maxMarks {
				return false
			}
			continue
		}
		if r == utf8.RuneError && size == 1 {
			return false
		}
		marks = 0
	}
	return true
}

type runeKind int

const (
	plain     runeKind = iota
	drop               // never shown
	lineBreak          // a line break of any kind
	space              // a tab, vertical tab or form feed
	mark               // a combining mark, variation selector or joiner
)

func kindOf(r rune) runeKind {
	switch {
	case r == '\n' || r == '\r' || r == 0x85 || r == 0x2028 || r == 0x2029:
		return lineBreak
	case r == '\t' || r == '\v' || r == '\f':
		return space
	case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
		return drop
	case r == 0x061c, r == 0x200e, r == 0x200f, // ALM, LRM, RLM
		r >= 0x202a && r <= 0x202e, // LRE, RLE, PDF, LRO, RLO
		r >= 0x2066 && r <= 0x2069, // LRI, RLI, FSI, PDI
		r == 0xfeff,                // byte order mark
		r >= 0xfff9 && r <= 0xfffb, // interlinear annotation
		r == 0xfffe || r == 0xffff:
		return drop
	case r == 0x200d || r == 0x200c, // ZWJ, ZWNJ: emoji sequences, Indic scripts
		r >= 0xfe00 && r <= 0xfe0f, r >= 0xe0100 && r <= 0xe01ef, // variation selectors
		r >= 0x0300 && unicode.In(r, unicode.Mn, unicode.Me):
		return mark
	}
	return plain
}

// scanBudget is how many bytes of input are read for max characters of
// output: text mostly made of removed characters ends early, as cut.
func scanBudget(max int) int { return 16*max + 4096 }

// clean is Line (multi false) or Text (multi true).
func clean(s string, max int, multi bool) (string, bool) {
	if max < 1 {
		max = Row
		if multi {
			max = Notes
		}
	}
	budget := scanBudget(max)
	var b strings.Builder
	b.Grow(min(len(s), 4*max+8))
	n := 0                // runes written
	marks := 0            // combining marks after the last base
	pendingSpace := false // a space to write before the next character
	pendingBreaks := 0    // line breaks to write before the next character (Text)
	lastCR := false       // the previous rune was \r (\r\n is one break)
	cut := false          // output stopped at max
	lastBase := 0         // byte length of b before the last base character
	i := 0
	for ; i < len(s); i++ {
		if i >= budget {
			cut = true
			break
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size - 1
		if r == utf8.RuneError && size == 1 {
			r = utf8.RuneError
		}
		k := kindOf(r)
		wasCR := lastCR
		lastCR = r == '\r'
		switch k {
		case drop:
			continue
		case lineBreak:
			if multi {
				if r == '\n' && wasCR {
					continue
				}
				if n > 0 {
					pendingBreaks++
				}
				pendingSpace = false
			} else if n > 0 {
				pendingSpace = true
			}
			marks = 0
			continue
		case space:
			if n > 0 {
				pendingSpace = true
			}
			marks = 0
			continue
		case mark:
			if n == 0 || marks >= maxMarks {
				continue // a mark with no character to sit on, or too many
			}
			if pendingSpace || pendingBreaks > 0 {
				continue // it would sit on the space
			}
			marks++
			b.WriteRune(r)
			continue
		}
		if r == ' ' {
			if n > 0 {
				pendingSpace = true
			}
			marks = 0
			continue
		}
		// A character to show: first the space or breaks before it.
		extra := 0
		if pendingBreaks > 0 {
			extra = min(pendingBreaks, 2) // at most one blank line
		} else if pendingSpace {
			extra = 1
		}
		if n+extra+1 > max {
			cut = true
			break
		}
		if pendingBreaks > 0 {
			b.WriteString("\n\n"[:extra])
		} else if pendingSpace {
			b.WriteByte(' ')
		}
		n += extra
		pendingSpace, pendingBreaks = false, 0
		lastBase = b.Len()
		b.WriteRune(r)
		n++
		marks = 0
	}
	if !cut {
		return b.String(), false
	}
	// Make room for the ellipsis: drop the last character (with its marks)
	// when the text is full, and any space before it.
	out := b.String()
	if n+1 > max {
		out = out[:lastBase]
	}
	out = strings.TrimRight(out, " \n\t")
	return out + Ellipsis, true
}
