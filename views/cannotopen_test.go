package views

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// TestCannotOpenInJapanese: the window shown when the database cannot be
// opened speaks the interface language, cause and button included (it was
// English whatever the language).
func TestCannotOpenInJapanese(t *testing.T) {
	useLanguage("ja_JP.UTF-8")
	t.Cleanup(func() { useLanguage("en") })
	a := test.NewTempApp(t)
	w := ShowCannotOpen(a, "/home/hanako/.local/share/tandem",
		"The database file is read-only. Check its permissions, or move it to a folder you can write to.")
	var texts []string
	for _, o := range walk(nil, w.Content()) {
		switch o := o.(type) {
		case *widget.Label:
			texts = append(texts, o.Text)
		case *widget.Button:
			texts = append(texts, o.Text)
		}
	}
	got := strings.Join(texts, "\n")
	for _, want := range []string{"データベース", "読み取り専用", "終了", "/home/hanako/.local/share/tandem"} {
		if !strings.Contains(got, want) {
			t.Errorf("window lacks %q:\n%s", want, got)
		}
	}
	for _, english := range []string{"cannot open", "read-only", "Quit"} {
		if strings.Contains(got, english) {
			t.Errorf("English %q in the Japanese window:\n%s", english, got)
		}
	}
}
