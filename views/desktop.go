package views

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/tandem-crm/tandem/app"
)

// PrefCloseToTray is the Fyne preference (per user, default on) that keeps
// Tandem running in the tray when its window is closed; prefTrayNoticeShown
// remembers that the first close said so.
const (
	PrefCloseToTray     = "closeToTray"
	prefTrayNoticeShown = "trayNoticeShown"
)

// Desktop is what the window needs to be a desktop citizen. main fills it;
// nil in Params leaves out the menu, Settings › General and › Backups.
type Desktop struct {
	About     About
	Backups   app.BackupService // Settings › Backups; nil leaves it out
	LoginItem app.LoginItem     // "Start Tandem when I log in"; nil leaves it out
	// OpenFolder shows a folder in the file manager.
	OpenFolder func(path string) error
	// Notifier tells the user, once, that a closed window keeps running.
	Notifier app.Notifier
	// Quit ends Tandem: every way to quit (menu, tray, Ctrl+Q, a close with
	// close-to-tray off) goes through it.
	Quit func()
}

// Window is the main window with what main drives from outside it: the
// tray, notification clicks and a second start.
type Window struct {
	m *mainWindow
}

// NewWindow builds the main window like NewMainWindow and returns the
// handle main keeps.
func NewWindow(ctx context.Context, a fyne.App, p Params) *Window {
	return &Window{m: newMainWindow(ctx, a, p, nil)}
}

// Window returns the Fyne window.
func (w *Window) Window() fyne.Window { return w.m.win }

// Show shows the window (also after it was closed to the tray) and raises it.
func (w *Window) Show() {
	w.m.visible = true
	w.m.win.Show()
	w.m.win.RequestFocus()
}

// Visible reports whether the window is shown (not closed to the tray).
func (w *Window) Visible() bool { return w.m.visible }

// Close does what the window's close button does: keep running in the
// tray, or quit when Settings › General says so.
func (w *Window) Close() { w.m.closeToTray() }

// Open shows the window on what a notification's target names: the
// record's ticket, or the Signals feed for a summary. The signal is marked
// read, as opening it from the feed does.
func (w *Window) Open(t app.NotificationTarget) {
	w.Show()
	m := w.m
	if t.SignalID != 0 && m.params.Signals != nil {
		m.run.Go(func(ctx context.Context) func() {
			if err := m.params.Signals.MarkRead(ctx, t.SignalID); err != nil {
				logError("mark signal read", err)
			}
			return nil
		})
	}
	if t.RecordKind == "" || t.RecordID == 0 {
		if m.signalsAt >= 0 {
			m.nav.Select(m.signalsAt)
		}
		return
	}
	m.openSignal(t.RecordKind, t.RecordID, t.TicketID)
}

// Reload reloads every screen: the data changed outside the window (a
// headless command beside it).
func (w *Window) Reload() { w.m.refreshAll() }

// Quit goes through Desktop.Quit (or the app's Quit without one).
func (w *Window) Quit() { w.m.quit() }

// quit is the one way the window quits Tandem.
func (m *mainWindow) quit() {
	if d := m.params.Desktop; d != nil && d.Quit != nil {
		d.Quit()
		return
	}
	m.quitApp()
}

// closeToTray is the window's close button: hide and keep running (saying
// so in a notification the first time), or quit when the setting is off.
func (m *mainWindow) closeToTray() {
	prefs := fyne.CurrentApp().Preferences()
	if !prefs.BoolWithFallback(PrefCloseToTray, true) {
		m.quit()
		return
	}
	m.win.Hide()
	m.visible = false
	if prefs.Bool(prefTrayNoticeShown) || m.params.Desktop.Notifier == nil {
		return
	}
	prefs.SetBool(prefTrayNoticeShown, true)
	n := app.Notification{
		Title: lang.L("Tandem is still running"),
		Body:  lang.L("Signals keep arriving while the window is closed. Open Tandem again from the tray icon or by starting it; Quit is in the tray menu. Settings › General turns this off."),
	}
	notifier := m.params.Desktop.Notifier
	m.run.Go(func(ctx context.Context) func() {
		if err := notifier.Notify(ctx, n); err != nil {
			logError("tell about the tray", err)
		}
		return nil
	})
}

func (m *mainWindow) showAbout() {
	d := m.params.Desktop
	showAbout(m.ui, d.About, d.OpenFolder)
}

// generalSettings is Settings › General: close to the tray, start at login.
func generalSettings(m *mainWindow) fyne.CanvasObject {
	prefs := fyne.CurrentApp().Preferences()
	tray := widget.NewCheck(lang.L("Keep Tandem running in the tray when its window is closed, so signals keep arriving"), func(on bool) {
		prefs.SetBool(PrefCloseToTray, on)
	})
	tray.SetChecked(prefs.BoolWithFallback(PrefCloseToTray, true))
	status := widget.NewLabel("")
	status.Wrapping = fyne.TextWrapWord
	box := container.NewVBox(widget.NewLabelWithStyle(lang.L("General"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), tray)
	if li := m.params.Desktop.LoginItem; li != nil {
		var loaded bool
		login := widget.NewCheck(lang.L("Start Tandem when I log in"), nil)
		login.Disable()
		login.OnChanged = func(on bool) {
			if !loaded {
				return
			}
			m.run.Go(func(ctx context.Context) func() {
				err := li.SetEnabled(on)
				return func() {
					if err != nil {
						logError("login item", err)
						status.SetText(errText(err))
						loaded = false
						login.SetChecked(!on)
						loaded = true
						return
					}
					status.SetText("")
				}
			})
		}
		m.run.Go(func(ctx context.Context) func() {
			on, err := li.Enabled()
			return func() {
				if err != nil {
					logError("login item", err)
					status.SetText(errText(err))
				}
				login.SetChecked(on)
				login.Enable()
				loaded = true
			}
		})
		box.Add(login)
	}
	box.Add(status)
	return container.NewVScroll(box)
}

// desktopTabs adds Settings › General and › Backups when main wired a
// Desktop; it returns what reloads them (nil when there is nothing).
func (m *mainWindow) desktopTabs(tabs *container.AppTabs) func() {
	d := m.params.Desktop
	if d == nil {
		return nil
	}
	tabs.Append(container.NewTabItem(lang.L("General"), generalSettings(m)))
	if d.Backups == nil {
		return nil
	}
	m.backups = newBackupsScreen(m.ui, d.Backups, d.OpenFolder)
	tabs.Append(container.NewTabItem(lang.L("Backups"), m.backups.content))
	return m.backups.reload
}

// Showing names the screen and the record on its detail page, e.g.
// "contact 12" or "signals" (tests, logs).
func (w *Window) Showing() string {
	m := w.m
	switch {
	case m.current == 0 && m.contacts.current != nil:
		return fmt.Sprintf("contact %d", m.contacts.selectedID)
	case m.current == 1 && m.companies.current != nil:
		return fmt.Sprintf("company %d", m.companies.selectedID)
	case m.current == m.signalsAt:
		return "signals"
	}
	return fmt.Sprintf("screen %d", m.current)
}

// Import shows the window and opens Import… on the file at path, as when
// Tandem is asked to open a CSV, TSV, .xlsx or vCard file (a file manager's
// "Open with", or `tandem --import FILE`): a vCard goes to Contacts,
// anything else to the screen shown. Nothing is imported before the user
// has seen the preview and pressed Import.
func (w *Window) Import(path string) {
	w.Show()
	m := w.m
	if m.crm.Imports == nil {
		return
	}
	if len(m.open) > 0 {
		return // a dialog is open (maybe an import): do not replace what is in it
	}
	kind := m.currentKind()
	if strings.EqualFold(filepath.Ext(path), ".vcf") {
		kind = app.KindContact
	}
	m.importing = m.ui.openImport(kind, m.refreshAll)
	m.importing.choose(path)
}
