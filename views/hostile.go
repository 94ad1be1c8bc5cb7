package views

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tandem-crm/tandem/app/display"
)

// Text from Zoho Desk, a CSV file or a person reaches a widget only
// through these (app/display): one line, no control or bidirectional
// characters, bounded length. The full value stays stored.

// rowText is one line of a list row (names, subjects, emails, statuses).
func rowText(s string) string { return display.Line(s, display.Row) }

// nameText is a name or an address shown inside a sentence or a header.
func nameText(s string) string { return display.Line(s, display.Name) }

// showAllButton returns a "Show all" button for a value that was shortened
// for display: it opens the value in a dialog (its first part laid out as
// a message body, so even 100,000 characters cost little) with Copy, which
// puts the whole value on the clipboard.
func showAllButton(w fyne.Window, title func() string, full func() string) *widget.Button {
	b := widget.NewButtonWithIcon(lang.L("Show all"), theme.VisibilityIcon(), nil)
	b.Importance = widget.LowImportance
	b.OnTapped = func() { showAllDialog(w, title(), full()) }
	return b
}

// showAllDialog shows a long value and lets people copy all of it.
func showAllDialog(w fyne.Window, title, full string) {
	body := bodyText(full, "text/plain")
	var d dialog.Dialog
	copyBtn := widget.NewButtonWithIcon(lang.L("Copy all"), theme.ContentCopyIcon(), func() {
		fyne.CurrentApp().Clipboard().SetContent(full)
	})
	closeBtn := widget.NewButton(lang.L("Close"), func() { d.Hide() })
	closeBtn.Importance = widget.HighImportance
	content := container.NewBorder(nil, container.NewHBox(copyBtn, closeBtn), nil, nil, container.NewVScroll(body))
	d = dialog.NewCustomWithoutButtons(display.Line(title, 80), content, w)
	d.Resize(fyne.NewSize(640, 480))
	d.Show()
}
