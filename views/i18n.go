package views

import (
	"embed"

	"fyne.io/fyne/v2/lang"
)

//go:embed translations/*.json
var translations embed.FS

// LoadTranslations registers the English and Japanese texts of every screen
// with Fyne's lang package; call it once before NewMainWindow. The language
// follows the system locale.
func LoadTranslations() error {
	return lang.AddTranslationsFS(translations, "translations")
}
