package views

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
)

// A list row's line keeps a text that fits, and shortens one that does not
// with "…" so that it fits its width (Latin and Japanese alike).
func TestFitLabelShortensToWidth(t *testing.T) {
	test.NewTempApp(t)
	for _, s := range []string{"Hanako Yamada", "山田 花子", strings.Repeat("Matsumoto Kiyoshi ", 8), strings.Repeat("株式会社松本清", 15)} {
		l := newFitLabel(true, false)
		l.SetText(s)
		l.Resize(fyne.NewSize(300, 40))
		if l.Full() != s {
			t.Fatalf("Full() = %q, want %q", l.Full(), s)
		}
		w := fyne.MeasureText(l.Text, theme.TextSize(), l.TextStyle).Width + 2*theme.InnerPadding()
		if w > 300 {
			t.Errorf("%q shown as %q: %.0f wide in 300", s[:10], l.Text, w)
		}
		whole := fyne.MeasureText(s, theme.TextSize(), l.TextStyle).Width+2*theme.InnerPadding() <= 300
		if whole != (l.Text == s) || (!whole && !strings.HasSuffix(l.Text, "…")) {
			t.Errorf("%q (fits: %v) shown as %q", s[:10], whole, l.Text)
		}
		l.Resize(fyne.NewSize(2000, 40))
		if l.Text != s {
			t.Errorf("at 2000 wide %q shown as %q", s[:10], l.Text)
		}
	}
}
