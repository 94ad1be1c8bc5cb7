package views

import (
	"image/color"
	"math"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// contrast is WCAG 2's contrast ratio of two colours.
func contrast(a, b color.Color) float64 {
	lum := func(c color.Color) float64 {
		r, g, bl, _ := c.RGBA()
		ch := func(v uint32) float64 {
			x := float64(v) / 0xffff
			if x <= 0.03928 {
				return x / 12.92
			}
			return math.Pow((x+0.055)/1.055, 2.4)
		}
		return 0.2126*ch(r) + 0.7152*ch(g) + 0.0722*ch(bl)
	}
	l1, l2 := lum(a), lum(b)
	if l1 < l2 {
		l1, l2 = l2, l1
	}
	return (l1 + 0.05) / (l2 + 0.05)
}

// TestSecondaryTextReadable: low-importance text reaches 4.5:1 on the
// background (and on input fields) in both variants, and stays dimmer than
// the main text; Fyne's own disabled colour does not.
func TestSecondaryTextReadable(t *testing.T) {
	th := Theme()
	for _, v := range []fyne.ThemeVariant{theme.VariantLight, theme.VariantDark} {
		dim := th.Color(theme.ColorNameDisabled, v)
		for _, bg := range []fyne.ThemeColorName{theme.ColorNameBackground, theme.ColorNameInputBackground} {
			if c := contrast(dim, th.Color(bg, v)); c < 4.5 {
				t.Errorf("variant %d: secondary text on %s has contrast %.2f, want ≥ 4.5", v, bg, c)
			}
		}
		fg, bg := th.Color(theme.ColorNameForeground, v), th.Color(theme.ColorNameBackground, v)
		if contrast(dim, bg) >= contrast(fg, bg) {
			t.Errorf("variant %d: secondary text is not dimmer than the main text", v)
		}
		if c := contrast(theme.DefaultTheme().Color(theme.ColorNameDisabled, v), bg); c >= 4.5 {
			t.Logf("variant %d: Fyne's disabled colour has %.2f; the override may no longer be needed", v, c)
		}
	}
}
