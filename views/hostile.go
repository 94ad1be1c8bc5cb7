package views

import (
	"regexp"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
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

// msgUnreachable is the Desk client's message for a Desk it cannot reach
// (sync/desk); views must not import it.
const msgUnreachable = "Zoho Desk cannot be reached right now. Tandem will try again."

// dynamicMessages are error messages with a technical detail in them (the
// same in every language: "HTTP 200, text/html", "16 MiB"); the keys are
// the Desk client's MsgUnreadableAnswer and MsgAnswerTooLarge.
var dynamicMessages = []string{
	"Zoho Desk answered something Tandem cannot read ({{.Detail}}). Tandem will try again.",
	"Zoho Desk sent an answer larger than Tandem accepts ({{.Detail}}). Tandem will try again.",
}

var dynamicPatterns = func() []*regexp.Regexp {
	out := make([]*regexp.Regexp, len(dynamicMessages))
	for i, m := range dynamicMessages {
		out[i] = regexp.MustCompile("^" + strings.Replace(regexp.QuoteMeta(m), regexp.QuoteMeta("{{.Detail}}"), "(.{1,80})", 1) + "$")
	}
	return out
}()

// translateMessage translates an English message from another layer (an
// error, a stored last error), including those with a technical detail
// (msgText, views/i18n.go, does the rest).
func translateMessage(msg string) string { return msgText(msg) }

// dynamicMessage translates a message with a technical detail, if msg is one.
func dynamicMessage(msg string) (string, bool) {
	for i, re := range dynamicPatterns {
		if m := re.FindStringSubmatch(msg); m != nil {
			return lang.L(dynamicMessages[i], map[string]any{"Detail": display.Line(m[1], 80)}), true
		}
	}
	return "", false
}

// ShowCannotOpen shows the window Tandem opens instead of the main one when
// its database in dataDir cannot be opened (locked, read-only, not a
// database), in the interface language, with the cause and Quit.
func ShowCannotOpen(a fyne.App, dataDir, cause string) fyne.Window {
	w := a.NewWindow("Tandem")
	msg := widget.NewLabel(lang.L("Tandem cannot open its database in {{.Dir}}", map[string]any{"Dir": nameText(dataDir)}))
	msg.Wrapping = fyne.TextWrapWord
	why := widget.NewLabel(translateMessage(cause))
	why.Wrapping = fyne.TextWrapWord
	w.SetContent(container.NewPadded(container.NewVBox(
		msg, why, container.NewHBox(layout.NewSpacer(), widget.NewButton(lang.L("Quit"), a.Quit)))))
	w.Resize(fyne.NewSize(560, 200))
	w.Show()
	return w
}
