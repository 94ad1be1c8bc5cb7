package views

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// Theme is Fyne's default theme with readable secondary text. Fyne draws
// low-importance labels (emails under names, dates, hints) in its disabled
// colour, which on the default backgrounds has a contrast of about 1.3:1
// (light) and 1.6:1 (dark): too faint to read. Here it is a grey of at
// least 4.5:1, WCAG's level for body text, still clearly below the main
// text.
func Theme() fyne.Theme { return readableTheme{} }

type readableTheme struct{}

var (
	secondaryOnLight = color.NRGBA{R: 0x6b, G: 0x6b, B: 0x6e, A: 0xff}
	secondaryOnDark  = color.NRGBA{R: 0x9a, G: 0x9a, B: 0x9e, A: 0xff}
)

func (readableTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	if n == theme.ColorNameDisabled {
		if v == theme.VariantLight {
			return secondaryOnLight
		}
		return secondaryOnDark
	}
	return theme.DefaultTheme().Color(n, v)
}

func (readableTheme) Font(s fyne.TextStyle) fyne.Resource { return theme.DefaultTheme().Font(s) }

func (readableTheme) Icon(n fyne.ThemeIconName) fyne.Resource { return theme.DefaultTheme().Icon(n) }

func (readableTheme) Size(n fyne.ThemeSizeName) float32 { return theme.DefaultTheme().Size(n) }
