package views

import (
	"context"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tandem-crm/tandem/app"
)

// databaseCare is the window's part in a damaged database: a banner that
// stays while the file is damaged, and a dialog when the damage is found,
// each offering to salvage what can be read or to restore the latest
// backup.
type databaseCare struct {
	m       *mainWindow
	banner  *fyne.Container
	text    *widget.Label
	salvage *widget.Button
	restore *widget.Button
	damage  *app.Damage
	dlg     dialog.Dialog
}

func newDatabaseCare(m *mainWindow) *databaseCare {
	c := &databaseCare{m: m}
	c.text = wrapLabel("")
	c.text.Importance = widget.DangerImportance
	c.salvage = widget.NewButtonWithIcon(lang.L("Salvage what can be read…"), theme.DocumentSaveIcon(), c.askSalvage)
	c.salvage.Importance = widget.HighImportance
	c.restore = widget.NewButtonWithIcon(lang.L("Restore the latest backup…"), theme.HistoryIcon(), c.askRestore)
	if m.params.Salvage == nil {
		c.salvage.Hide()
	}
	if m.params.RestoreBackup == nil {
		c.restore.Hide()
	}
	c.banner = container.NewPadded(container.NewBorder(nil, nil, widget.NewIcon(theme.ErrorIcon()),
		container.NewVBox(c.salvage, c.restore), c.text))
	c.banner.Hide()
	return c
}

// integrityCheckDelay is how long after the window is built the full
// integrity check starts. It reads the whole file (1.7 s of CPU at 100k
// contacts) and the window's first seconds need the two cores: started at
// once, it kept a fyne.Do posted 100 ms after the start waiting 0.7 to
// 1.1 s (issue 17). A variable so that tests can set it to 0.
var integrityCheckDelay = 20 * time.Second

// check shows the damage found when the database was opened, if any;
// otherwise it runs the quick check at once (when the open left it for
// later) and the full integrity check once the window has had its first
// seconds, both in the background.
func (c *databaseCare) check() {
	if d := c.m.params.Damage; d != nil {
		c.show(d) // found at open: no need to wait for the full check
		return
	}
	if c.m.params.QuickCheck != nil {
		c.runCheck(c.m.params.QuickCheck)
	}
	if c.m.params.CheckDatabase == nil {
		return
	}
	if integrityCheckDelay <= 0 {
		c.runCheck(c.m.params.CheckDatabase)
		return
	}
	ctx := c.m.ctx
	time.AfterFunc(integrityCheckDelay, func() {
		if ctx.Err() == nil {
			c.runCheck(c.m.params.CheckDatabase) // the runner may be used from any goroutine
		}
	})
}

func (c *databaseCare) runCheck(check func(context.Context) (*app.Damage, error)) {
	c.m.run.Go(func(ctx context.Context) func() {
		d, err := check(ctx)
		return func() {
			if err != nil {
				logError("check database", err)
				return
			}
			if d != nil {
				c.show(d)
			}
		}
	})
}

// damageText says plainly what is wrong and what is lost.
func damageText(d *app.Damage) string {
	lines := []string{lang.L(app.MsgDamaged)}
	for _, t := range d.Tables {
		if t.Unreadable > 0 {
			lines = append(lines, lang.L("{{.Lost}} of {{.Total}} {{.What}} cannot be read.", map[string]any{
				"Lost": t.Unreadable, "Total": t.Readable + t.Unreadable, "What": tableNoun(t.Table)}))
		}
	}
	return strings.Join(lines, "\n")
}

// tableNoun names a table's rows for people.
func tableNoun(table string) string {
	switch table {
	case "contacts":
		return lang.L("contacts")
	case "companies":
		return lang.L("companies")
	case "pipeline_records":
		return lang.L("pipeline records")
	case "desk_tickets", "desk_threads", "desk_comments":
		return lang.L("saved tickets and messages")
	}
	return lang.L("other saved rows")
}

// show puts the banner up and the dialog on screen.
func (c *databaseCare) show(d *app.Damage) {
	first := c.damage == nil
	c.damage = d
	c.text.SetText(damageText(d) + "\n" + lang.L("Nothing you change now is saved."))
	c.banner.Show()
	relayout(c.m.win.Content())
	if !first {
		return
	}
	msg := wrapLabel(damageText(d))
	explain := lang.L("Salvage copies every record that can still be read into a new database file and keeps the damaged file in the “damaged” folder beside it.")
	if c.m.params.RestoreBackup != nil {
		explain += "\n" + lang.L("Restoring a backup brings back the database as it was when the backup was made.")
	}
	what := wrapLabel(explain)
	what.Importance = widget.LowImportance
	later := widget.NewButton(lang.L("Not now"), func() { c.dlg.Hide() })
	buttons := container.NewHBox(later)
	if c.m.params.RestoreBackup != nil {
		buttons.Add(widget.NewButtonWithIcon(lang.L("Restore the latest backup…"), theme.HistoryIcon(), func() { c.dlg.Hide(); c.askRestore() }))
	}
	if c.m.params.Salvage != nil {
		b := widget.NewButtonWithIcon(lang.L("Salvage what can be read…"), theme.DocumentSaveIcon(), func() { c.dlg.Hide(); c.askSalvage() })
		b.Importance = widget.HighImportance
		buttons.Add(b)
	}
	content := container.NewBorder(nil, container.NewVBox(widget.NewSeparator(), container.NewCenter(buttons)), nil, nil,
		container.NewVBox(msg, what))
	c.dlg = dialog.NewCustomWithoutButtons(lang.L("The database is damaged"), content, c.m.win)
	c.dlg.Resize(fyne.NewSize(620, 320))
	c.m.show(c.dlg)
}

func (c *databaseCare) askSalvage() {
	if c.m.params.Salvage == nil {
		return
	}
	c.salvage.Disable()
	c.restore.Disable()
	prog := dialog.NewCustomWithoutButtons(lang.L("Salvaging…"), widget.NewProgressBarInfinite(), c.m.win)
	prog.Show()
	c.m.run.Go(func(ctx context.Context) func() {
		rep, err := c.m.params.Salvage(ctx)
		return func() {
			prog.Hide()
			if err != nil {
				logError("salvage database", err)
				c.salvage.Enable()
				c.restore.Enable()
				c.m.show(dialog.NewError(wrappedError(lang.L("The database could not be salvaged: {{.Reason}}", map[string]any{"Reason": errorText(err)})), c.m.win))
				return
			}
			var contacts, companies app.TableLoss
			for _, t := range rep.Tables {
				switch t.Table {
				case "contacts":
					contacts = t
				case "companies":
					companies = t
				}
			}
			c.done(lang.L("Salvaged {{.Contacts}} contacts and {{.Companies}} companies into a new database; {{.Lost}} saved rows could not be read. The damaged file is kept as {{.Path}}.",
				map[string]any{"Contacts": contacts.Readable, "Companies": companies.Readable, "Lost": rep.Lost(), "Path": rep.Damaged}))
		}
	})
}

func (c *databaseCare) askRestore() {
	if c.m.params.RestoreBackup == nil {
		return
	}
	c.m.show(newConfirm(lang.L("Restore the latest backup?"),
		lang.L("The damaged database is kept aside, and the latest backup that passes its check takes its place. Changes made since that backup are not in it."),
		func(ok bool) {
			if !ok {
				return
			}
			c.m.run.Go(func(ctx context.Context) func() {
				name, err := c.m.params.RestoreBackup(ctx)
				return func() {
					if err != nil {
						logError("restore backup", err)
						c.m.show(dialog.NewError(wrappedError(lang.L("The backup could not be restored: {{.Reason}}", map[string]any{"Reason": errorText(err)})), c.m.win))
						return
					}
					// The app quits, restores and starts again (main does it
					// with the database closed); say so for the moment it takes.
					c.m.show(newInformation(lang.L("Restore"), lang.L("Restoring the backup {{.Name}}: Tandem closes and starts again on it. The damaged file is kept aside.", map[string]any{"Name": name}), c.m.win))
				}
			})
		}, c.m.win))
}

// done tells what happened; the app must start again on the new file.
func (c *databaseCare) done(what string) {
	quit := widget.NewButton(lang.L("Quit Tandem"), func() { fyne.CurrentApp().Quit() })
	quit.Importance = widget.HighImportance
	msg := wrapLabel(what + "\n\n" + lang.L("Quit Tandem and open it again to use the new database."))
	d := dialog.NewCustomWithoutButtons(lang.L("Done"), container.NewBorder(nil, container.NewCenter(quit), nil, nil, msg), c.m.win)
	d.Resize(fyne.NewSize(560, 240))
	d.Show()
}
