package views

import (
	"image/color"
	"path/filepath"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tandem-crm/tandem/app"
)

// fileChips are the files a reply will carry: a chip each (name, size,
// remove) and the "Attach files…" button. A file is checked when it is
// added (Desk's size limit), so a refusal comes with its reason at once.
type fileChips struct {
	paths  []string
	sizes  []int64
	chips  *fyne.Container
	row    *fyne.Container
	attach *widget.Button
	msg    *widget.Label // where a refusal is said
	// onChange is called after a file is added or removed (the draft
	// keeps the files).
	onChange func()
}

func (p *ticketPane) newFileChips(msg *widget.Label) *fileChips {
	fc := &fileChips{chips: container.NewVBox(), msg: msg}
	fc.attach = widget.NewButtonWithIcon(lang.L("Attach files…"), theme.MailAttachmentIcon(), func() {
		d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
			if err != nil || r == nil {
				return
			}
			_ = r.Close()
			fc.add(r.URI().Path())
		}, p.d.win)
		d.Show()
	})
	// Room for the chips is kept from the start (a dialog does not grow
	// when its content does); more than fit scroll.
	room := canvas.NewRectangle(color.Transparent)
	room.SetMinSize(fyne.NewSize(1, 2*theme.Size(theme.SizeNameInlineIcon)+2*theme.Padding()))
	fc.row = container.NewBorder(nil, nil, container.NewVBox(fc.attach), nil, container.NewStack(room, container.NewVScroll(fc.chips)))
	return fc
}

// add attaches the file at path, or says why it cannot.
func (fc *fileChips) add(path string) bool {
	if err := app.CheckAttachment(path); err != nil {
		setWrapped(fc.msg, errorText(err))
		return false
	}
	if slices.Contains(fc.paths, path) {
		return true
	}
	var size int64
	if fi, err := statFile(path); err == nil {
		size = fi
	}
	fc.paths = append(fc.paths, path)
	fc.sizes = append(fc.sizes, size)
	setWrapped(fc.msg, "")
	fc.render()
	fc.changed()
	return true
}

// restore shows the files a draft kept (Tandem's copies), unless files
// were added meanwhile.
func (fc *fileChips) restore(paths []string) {
	if fc == nil || len(fc.paths) > 0 {
		return
	}
	for _, p := range paths {
		fc.add(p)
	}
}

func (fc *fileChips) changed() {
	if fc.onChange != nil {
		fc.onChange()
	}
}

func (fc *fileChips) remove(i int) {
	fc.paths = slices.Delete(fc.paths, i, i+1)
	fc.sizes = slices.Delete(fc.sizes, i, i+1)
	fc.render()
	fc.changed()
}

func (fc *fileChips) render() {
	fc.chips.RemoveAll()
	for i, path := range fc.paths {
		name := nameText(filepath.Base(path))
		l := widget.NewLabel(name + " · " + fileSize(fc.sizes[i]))
		rm := widget.NewButtonWithIcon("", theme.CancelIcon(), func() { fc.remove(i) })
		rm.Importance = widget.LowImportance
		chip := container.NewHBox(widget.NewIcon(theme.FileIcon()), l, rm)
		fc.chips.Add(chip)
	}
	fc.chips.Refresh()
}

// list is the files to send (nil for none).
func (fc *fileChips) list() []string {
	if fc == nil || len(fc.paths) == 0 {
		return nil
	}
	return slices.Clone(fc.paths)
}

// onDropped adds files dropped on the window while the composer is open.
func (fc *fileChips) onDropped(_ fyne.Position, uris []fyne.URI) {
	for _, u := range uris {
		if u.Scheme() == "file" {
			fc.add(u.Path())
		}
	}
}
