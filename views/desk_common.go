package views

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tandem-crm/tandem/app"
)

// deskUI is what the Zoho Desk screens of one window share: the window, the
// integration, and a runner that does every service call off the UI
// goroutine and applies its result in one post (fyne.Do in the app).
type deskUI struct {
	ctx   context.Context
	win   fyne.Window
	integ app.Integration
	crm   app.CRM
	run   *runner
	// openURL opens a web address in the system browser.
	openURL func(string) error
	// openFile hands a downloaded file to the system's viewer (nil: a
	// file:// URL through openURL); tests record what was opened.
	openFile func(path string) error
	// host is the window's ui when the screen is part of the main
	// window: its dialogs then close with Esc and take Ctrl/Cmd+Enter.
	host *ui
}

// showDialog shows a dialog, through the window's ui when there is one.
func (d *deskUI) showDialog(dlg dialog.Dialog, k formKeys) {
	if d.host != nil {
		d.host.showForm(dlg, k)
		return
	}
	dlg.Show()
}

func newDeskUI(ctx context.Context, w fyne.Window, integ app.Integration, crm app.CRM, openURL func(string) error, post func(func())) *deskUI {
	if openURL == nil {
		openURL = func(string) error { return errors.New("views: no browser") }
	}
	return &deskUI{ctx: ctx, win: w, integ: integ, crm: crm, run: newRunner(ctx, post), openURL: openURL}
}

// subscribe forwards sync events to fn on the UI goroutine until ctx ends.
// The sync goroutine only posts; it never waits for the UI.
func (d *deskUI) subscribe(ctx context.Context, fn func(app.SyncEvent)) {
	unsub := d.integ.Subscribe(func(e app.SyncEvent) {
		if ctx.Err() != nil {
			return
		}
		d.run.begin()
		go func() { // post may block briefly; never hold up the sync goroutine
			defer d.run.end()
			if ctx.Err() == nil {
				d.run.post(func() { fn(e) })
			}
		}()
	})
	context.AfterFunc(ctx, unsub)
}

// errorText is the message a person reads for err, translated.
func errorText(err error) string {
	switch app.ErrorCode(err) {
	case app.EUNAVAILABLE:
		// Only a Desk that cannot be reached is that; a full disk, the
		// keyring or an answer Tandem cannot read say what they are.
		if msg := app.ErrorMessage(err); msg != msgUnreachable {
			return translateMessage(msg)
		}
		return lang.L("Zoho Desk cannot be reached right now. Check the internet connection and try again.")
	case app.EUNAUTHORIZED:
		return lang.L("Your Zoho Desk sign-in has expired. Sign in again.")
	}
	return errText(err)
}

// showErr logs err and shows it in a dialog.
func (d *deskUI) showErr(action string, err error) {
	slog.Error("views: "+action, "err", err, "code", app.ErrorCode(err))
	d.showDialog(dialog.NewError(wrappedError(errorText(err)), d.win), formKeys{})
}

// wrapLabel is a label that wraps words, and Japanese at characters.
func wrapLabel(text string) *widget.Label {
	l := widget.NewLabel(breakable(text))
	l.Wrapping = fyne.TextWrapWord
	return l
}

// setWrapped sets a wrapping label's text with Japanese break
// opportunities (see breakable).
func setWrapped(l *widget.Label, text string) { l.SetText(breakable(text)) }

// note is a wrapped label with an importance (info, warning, danger).
func note(text string, imp widget.Importance) *widget.Label {
	l := wrapLabel(text)
	l.Importance = imp
	return l
}

// badge is a small coloured tag such as "Overdue".
func badge(text string, c fyne.ThemeColorName) fyne.CanvasObject {
	bg := canvas.NewRectangle(theme.Color(c))
	bg.CornerRadius = 4
	t := canvas.NewText(text, theme.Color(theme.ColorNameForegroundOnError))
	t.TextSize = theme.CaptionTextSize()
	t.TextStyle = fyne.TextStyle{Bold: true}
	return container.NewStack(bg, container.NewPadded(t))
}

// when formats a time for people in the local zone; "" for zero.
func when(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Local().Format("2006-01-02 15:04")
}

// day formats a date; "" for zero.
func day(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Local().Format("2006-01-02")
}

// lastSyncText says when the last sync succeeded.
func lastSyncText(t time.Time) string {
	if t.IsZero() {
		return lang.L("Not synced yet")
	}
	return lang.L("Last synced {{.Time}}", map[string]any{"Time": when(t)})
}

// kindNoun is the record kind for sentences ("this contact").
func kindNoun(kind string) string {
	switch kind {
	case app.KindCompany:
		return lang.L("this company")
	case app.KindRecord:
		return lang.L("this record")
	}
	return lang.L("this contact")
}
