package views

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/app/filecache"
)

// attachmentRow is one file of a message: its name, type and size, and
// when the pane offers them, Open… and Save as… (nothing is downloaded
// until a person asks).
func attachmentRow(f attachment) fyne.CanvasObject {
	l := widget.NewLabelWithStyle(lang.L("Attachment: {{.Name}}", map[string]any{"Name": f.Name}), fyne.TextAlignLeading, fyne.TextStyle{Italic: true})
	meta := widget.NewLabel(fileType(f.Name) + " · " + fileSize(f.Size))
	meta.Importance = widget.LowImportance
	row := container.NewHBox(widget.NewIcon(theme.MailAttachmentIcon()), l, meta)
	if f.act != nil {
		p := f.act
		open := widget.NewButton(lang.L("Open…"), func() { p.askOpen(f) })
		open.Importance = widget.LowImportance
		save := widget.NewButton(lang.L("Save as…"), func() { p.saveAs(f) })
		save.Importance = widget.LowImportance
		row.Add(open)
		row.Add(save)
	}
	return row
}

// threadCardWithFiles is threadCard whose attachments can be opened.
func (p *ticketPane) threadCardWithFiles(th *app.Thread, tk *app.Ticket) fyne.CanvasObject {
	files := attachments(th.Raw)
	for i := range files {
		files[i].ref = app.AttachmentRef{TicketID: tk.ID, ThreadID: th.ID, ID: files[i].ID, Name: files[i].Name, Size: files[i].Size}
		files[i].act = p
	}
	return threadCardFiles(th, tk, files)
}

// commentCardWithFiles is commentCard whose attachments can be opened.
func (p *ticketPane) commentCardWithFiles(c *app.Comment, tk *app.Ticket) fyne.CanvasObject {
	files := attachments(c.Raw)
	for i := range files {
		files[i].ref = app.AttachmentRef{TicketID: tk.ID, CommentID: c.ID, ID: files[i].ID, Name: files[i].Name, Size: files[i].Size}
		files[i].act = p
	}
	return commentCardFiles(c, files)
}

// openLocal hands a file to the system's viewer.
func (d *deskUI) openLocal(path string) error {
	if d.openFile != nil {
		return d.openFile(path)
	}
	return d.openURL((&url.URL{Scheme: "file", Path: filepath.ToSlash(path)}).String())
}

// askOpen says what the file is before anything is opened; a file that
// can run programs is only offered to save.
func (p *ticketPane) askOpen(f attachment) {
	what := lang.L("{{.Name}} — {{.Type}}, {{.Size}}", map[string]any{"Name": f.Name, "Type": fileType(f.Name), "Size": fileSize(f.Size)})
	msg := widget.NewLabel(breakable(what))
	msg.Wrapping = fyne.TextWrapWord
	status := note("", widget.DangerImportance)
	progress := widget.NewProgressBarInfinite()
	progress.Hide()
	progress.Stop()
	var dlg dialog.Dialog
	cancel := widget.NewButton(lang.L("Cancel"), func() { dlg.Hide() })
	save := widget.NewButton(lang.L("Save as…"), func() { dlg.Hide(); p.saveAs(f) })
	buttons := container.NewHBox(layout.NewSpacer(), cancel, save)
	body := container.NewVBox(msg)
	if app.RunnableFile(f.Name) {
		body.Add(note(lang.L("Files of this type can run programs on your computer, so Tandem does not open them. Save it and check it first if you trust the sender."), widget.WarningImportance))
		save.Importance = widget.HighImportance
	} else {
		where := lang.L("It opens in the program your computer uses for this type of file. Tandem downloads it once and keeps a copy for offline use.")
		if _, ok := p.d.integ.CachedAttachment(f.ref); ok {
			where = lang.L("It opens from the copy Tandem keeps, also offline.")
		}
		hint := widget.NewLabel(where)
		hint.Wrapping = fyne.TextWrapWord
		hint.Importance = widget.LowImportance
		body.Add(hint)
		var open *widget.Button
		open = widget.NewButtonWithIcon(lang.L("Open"), theme.FileIcon(), func() {
			open.Disable()
			progress.Show()
			progress.Start()
			setWrapped(status, "")
			p.fetch(f, func(path string, err error) {
				progress.Stop()
				progress.Hide()
				open.Enable()
				if err == nil {
					err = p.d.openLocal(path)
				}
				if err != nil {
					logError("open attachment", err)
					setWrapped(status, errorText(err))
					return
				}
				dlg.Hide()
			})
		})
		open.Importance = widget.HighImportance
		buttons.Add(open)
	}
	body.Add(progress)
	body.Add(status)
	dlg = dialog.NewCustomWithoutButtons(lang.L("Open attachment"), container.NewBorder(nil, buttons, nil, nil, body), p.d.win)
	dlg.Resize(fyne.NewSize(480, 220))
	p.attachDialog = dlg
	p.d.showDialog(dlg, formKeys{})
}

// fetch gets the attachment's cached copy (downloading it when needed)
// off the UI goroutine, then calls done on it.
func (p *ticketPane) fetch(f attachment, done func(string, error)) {
	p.d.run.Go(func(ctx context.Context) func() {
		path, err := p.d.integ.FetchAttachment(ctx, f.ref)
		return func() { done(path, err) }
	})
}

// saveAs asks where to save the file (Fyne's save dialog), then writes
// the downloaded copy there.
func (p *ticketPane) saveAs(f attachment) {
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		p.saveTo(f, w)
	}, p.d.win)
	d.SetFileName(filecache.SafeName(f.Name))
	d.Show()
}

// saveTo writes the attachment to w and says how it went. The save
// dialog has made the file already: when the download or the copy fails,
// it is removed again, so no empty or half-written file is left looking
// like the attachment.
func (p *ticketPane) saveTo(f attachment, w io.WriteCloser) {
	p.fetch(f, func(path string, err error) {
		if err == nil {
			err = copyInto(w, path)
		} else {
			_ = w.Close()
		}
		if err != nil {
			if uw, ok := w.(fyne.URIWriteCloser); ok {
				if derr := storage.Delete(uw.URI()); derr != nil {
					logError("remove the unsaved file", derr)
				}
			}
			p.saveErr = err
			logError("save attachment", err)
			dialog.ShowInformation(lang.L("Save as…"), errorText(err), p.d.win)
			return
		}
		p.saved = f.Name
	})
}

func copyInto(w io.WriteCloser, path string) error {
	in, err := os.Open(path)
	if err != nil {
		_ = w.Close()
		return fmt.Errorf("views: save attachment: %w", err)
	}
	defer in.Close()
	_, err = io.Copy(w, in)
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("views: save attachment: %w", err)
	}
	return nil
}
