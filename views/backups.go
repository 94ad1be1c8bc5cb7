package views

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tandem-crm/tandem/app"
)

// backupsScreen is Settings › Backups: the automatic backups newest first,
// Back up now… to a file the user picks, and Restore… from any backup.
type backupsScreen struct {
	u       *ui
	svc     app.BackupService
	open    func(path string) error // opens a folder in the file manager
	items   []app.Backup
	list    *widget.List
	status  *widget.Label
	backup  *widget.Button
	restore *widget.Button
	empty   *widget.Label
	content fyne.CanvasObject
	// pickFile and saveFile ask for a file; tests replace them.
	pickFile func(start string, done func(path string))
	saveFile func(start, name string, done func(path string))
}

func newBackupsScreen(u *ui, svc app.BackupService, openFolder func(string) error) *backupsScreen {
	s := &backupsScreen{u: u, svc: svc, open: openFolder}
	s.pickFile, s.saveFile = s.dialogPick, s.dialogSave
	intro := widget.NewLabel(lang.L("Tandem backs up its database every day while it runs and keeps the last 7 daily and 4 weekly backups. Your Zoho sign-in is not in a backup: after restoring on another computer, sign in to Zoho Desk again."))
	intro.Wrapping = fyne.TextWrapWord
	folder := widget.NewLabel(lang.X("backups.folder", "Folder: {{.Path}}", map[string]any{"Path": svc.Folder()}))
	folder.Wrapping = fyne.TextWrapBreak
	folder.Importance = widget.LowImportance
	s.backup = widget.NewButtonWithIcon(lang.L("Back up now…"), theme.DocumentSaveIcon(), s.backUpNow)
	s.backup.Importance = widget.HighImportance
	s.restore = widget.NewButtonWithIcon(lang.L("Restore from a file…"), theme.HistoryIcon(), s.restoreFromFile)
	openBtn := widget.NewButtonWithIcon(lang.L("Open folder"), theme.FolderOpenIcon(), func() {
		if s.open == nil {
			return
		}
		if err := s.open(svc.Folder()); err != nil {
			u.showError("open the backups folder", err)
		}
	})
	s.status = widget.NewLabel("")
	s.status.Wrapping = fyne.TextWrapWord
	s.empty = widget.NewLabel(lang.L("No backups yet. The first one is made within an hour of starting Tandem."))
	s.empty.Wrapping = fyne.TextWrapWord
	s.empty.Hide()
	s.list = widget.NewList(
		func() int { return len(s.items) },
		func() fyne.CanvasObject {
			when := widget.NewLabelWithStyle("2026年12月31日（木）23:59", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
			what := widget.NewLabel("Set aside before a restore")
			size := widget.NewLabel("999.9 MB")
			btn := widget.NewButton(lang.L("Restore…"), nil)
			return container.NewBorder(nil, nil, nil, container.NewHBox(size, btn), container.NewHBox(when, what))
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id >= len(s.items) {
				return
			}
			b := s.items[id]
			row := o.(*fyne.Container)
			texts, right := row.Objects[0].(*fyne.Container), row.Objects[1].(*fyne.Container)
			texts.Objects[0].(*widget.Label).SetText(backupTime(b.Time))
			texts.Objects[1].(*widget.Label).SetText(backupKindLabel(b.Kind))
			right.Objects[0].(*widget.Label).SetText(byteSize(b.Size))
			right.Objects[1].(*widget.Button).OnTapped = func() { s.confirmRestore(b.Path, backupTime(b.Time)) }
		})
	buttons := container.NewHBox(s.backup, s.restore, openBtn)
	top := container.NewVBox(widget.NewLabelWithStyle(lang.L("Backups"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		intro, folder, buttons, s.status, widget.NewSeparator())
	s.content = container.NewBorder(top, nil, nil, nil, container.NewStack(s.list, s.empty))
	return s
}

// reload lists the backups off the UI goroutine.
func (s *backupsScreen) reload() {
	s.u.run.Go(func(ctx context.Context) func() {
		bs, err := s.svc.ListBackups(ctx)
		return func() {
			if err != nil {
				logError("list backups", err)
				s.status.SetText(errText(err))
				return
			}
			s.items = bs
			s.empty.Hidden = len(bs) > 0
			s.empty.Refresh()
			s.list.Refresh()
		}
	})
}

func (s *backupsScreen) backUpNow() {
	name := "tandem-backup-" + time.Now().Format("2006-01-02") + ".db"
	s.saveFile("", name, func(path string) {
		s.busy(lang.L("Backing up…"))
		s.u.run.Go(func(ctx context.Context) func() {
			b, err := s.svc.BackUp(ctx, path)
			return func() {
				s.idle()
				if err != nil {
					s.status.SetText("")
					s.u.showError("back up", err)
					return
				}
				s.status.SetText(lang.X("backups.saved", "Saved a backup of {{.Size}} to {{.Path}}.", map[string]any{"Size": byteSize(b.Size), "Path": b.Path}))
				s.reload()
			}
		})
	})
}

func (s *backupsScreen) restoreFromFile() {
	s.pickFile(s.svc.Folder(), func(path string) { s.confirmRestore(path, filepath.Base(path)) })
}

// confirmRestore asks before replacing the database; what names the backup.
func (s *backupsScreen) confirmRestore(path, what string) {
	msg := lang.X("backups.confirm", "Restore the backup {{.What}}?\n\nThe current database is set aside first (it stays in the backups folder, nothing is lost), then Tandem restarts on the backup. Changes made since the backup are not in it.",
		map[string]any{"What": what})
	d := newConfirm(lang.L("Restore a backup"), msg, func(ok bool) {
		if !ok {
			return
		}
		s.busy(lang.L("Checking the backup…"))
		s.u.run.Go(func(ctx context.Context) func() {
			err := s.svc.Restore(ctx, path)
			return func() {
				s.idle()
				if err != nil {
					s.status.SetText("")
					s.u.showError("restore", err)
					return
				}
				s.status.SetText(lang.L("Restoring; Tandem restarts in a moment."))
			}
		})
	}, s.u.win)
	d.SetConfirmText(lang.L("Restore"))
	d.SetDismissText(lang.L("Cancel"))
	d.SetConfirmImportance(widget.DangerImportance)
	s.u.show(d)
}

func (s *backupsScreen) busy(msg string) {
	s.status.SetText(msg)
	s.backup.Disable()
	s.restore.Disable()
}

func (s *backupsScreen) idle() {
	s.backup.Enable()
	s.restore.Enable()
}

func (s *backupsScreen) dialogPick(start string, done func(string)) {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		r.Close()
		done(r.URI().Path())
	}, s.u.win)
	if l, err := storage.ListerForURI(storage.NewFileURI(start)); err == nil {
		d.SetLocation(l)
	}
	d.SetFilter(storage.NewExtensionFileFilter([]string{".db"}))
	d.Resize(fyne.NewSize(800, 560))
	s.u.show(d)
}

func (s *backupsScreen) dialogSave(start, name string, done func(string)) {
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		// Fyne has created the (empty) file; the backup replaces it.
		w.Close()
		done(w.URI().Path())
	}, s.u.win)
	d.SetFileName(name)
	if start != "" {
		if l, err := storage.ListerForURI(storage.NewFileURI(start)); err == nil {
			d.SetLocation(l)
		}
	}
	d.Resize(fyne.NewSize(800, 560))
	s.u.show(d)
}

func backupKindLabel(k app.BackupKind) string {
	if k == app.BackupSetAside {
		return lang.L("Set aside before a restore")
	}
	return lang.L("Automatic backup")
}

// backupTime is a backup's local time, written the way the UI's language
// writes dates.
func backupTime(t time.Time) string {
	t = t.Local()
	if lang.L("backups.dateformat") == "ja" {
		wd := []string{"日", "月", "火", "水", "木", "金", "土"}[t.Weekday()]
		return fmt.Sprintf("%d年%d月%d日（%s）%s", t.Year(), t.Month(), t.Day(), wd, t.Format("15:04"))
	}
	return t.Format("Mon 2 Jan 2006 15:04")
}

// byteSize is a file size for people.
func byteSize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d B", n)
}
