package views

import (
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// fitLabel is a one-line label for list rows that shortens its text to its
// width with "…" itself, from a cache of character widths. Fyne's ellipsis
// truncation shapes the text with a new HarfBuzz font each time a label's
// text is set (richtext.go truncateLimit), which made the first page of a
// 100k-contact list cost some 200 ms on the UI goroutine at start (issue
// 17); clipping only measures the whole line, which Fyne caches. A width
// the estimate gets slightly wrong is clipped, never drawn over the row.
type fitLabel struct {
	widget.Label
	full  string
	width float32
}

func newFitLabel(bold, dim bool) *fitLabel {
	l := &fitLabel{}
	l.TextStyle = fyne.TextStyle{Bold: bold}
	if dim {
		l.Importance = widget.LowImportance
	}
	l.Truncation = fyne.TextTruncateClip
	l.ExtendBaseWidget(l)
	return l
}

// SetText shows s, shortened to the label's width.
func (l *fitLabel) SetText(s string) {
	l.full = s
	l.Label.SetText(fitText(s, l.width, l.TextStyle))
}

// Resize shortens the text again for the new width.
func (l *fitLabel) Resize(size fyne.Size) {
	if size.Width != l.width {
		l.width = size.Width
		if t := fitText(l.full, l.width, l.TextStyle); t != l.Text {
			l.Label.Text = t
			l.Label.Resize(size)
			l.Label.Refresh()
			return
		}
	}
	l.Label.Resize(size)
}

// Full is the text before shortening.
func (l *fitLabel) Full() string { return l.full }

type runeKey struct {
	r    rune
	size float32
	bold bool
}

var runeWidths sync.Map // runeKey → float32

// runeWidth is the width of r in the theme's text size; every wide (East
// Asian) character counts as one "あ", so thousands of kanji cost one
// measurement, not one each.
func runeWidth(r rune, size float32, style fyne.TextStyle) float32 {
	if isWide(r) {
		r = 'あ'
	}
	k := runeKey{r, size, style.Bold}
	if w, ok := runeWidths.Load(k); ok {
		return w.(float32)
	}
	w := fyne.MeasureText(string(r), size, style).Width
	runeWidths.Store(k, w)
	return w
}

func isWide(r rune) bool {
	return r >= 0x1100 && (r <= 0x115f || (r >= 0x2e80 && r <= 0xa4cf) || (r >= 0xac00 && r <= 0xd7a3) ||
		(r >= 0xf900 && r <= 0xfaff) || (r >= 0xfe30 && r <= 0xfe4f) || (r >= 0xff00 && r <= 0xff60) ||
		(r >= 0xffe0 && r <= 0xffe6) || (r >= 0x20000 && r <= 0x3fffd))
}

// fitText returns s, or its longest beginning that fits width (the
// label's, padding included) followed by "…". Width 0 (not laid out yet)
// leaves s whole.
func fitText(s string, width float32, style fyne.TextStyle) string {
	if width <= 0 || s == "" {
		return s
	}
	size := theme.TextSize()
	avail := width - 2*theme.InnerPadding()
	var total float32
	for _, r := range s {
		total += runeWidth(r, size, style)
	}
	if total <= avail {
		return s
	}
	avail -= runeWidth('…', size, style)
	var used float32
	for i, r := range s {
		used += runeWidth(r, size, style)
		if used > avail {
			return s[:i] + "…"
		}
	}
	return s
}
