package views

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/app/display"
)

// entry is a widget.Entry that passes Esc, function keys (F5) and the
// shortcuts a dialog takes (Ctrl/Cmd+Enter) to the window: a focused Fyne
// entry would otherwise swallow them (see keys.go).
type entry struct {
	widget.Entry
	u *ui // the window's ui; nil to find it from the canvas
	// undo, when set, is asked first on Ctrl/Cmd+Z and reports whether it
	// undid something Fyne's own history lacks (text put in by SetText).
	undo func() bool
}

func newEntry(u *ui, placeholder string) *entry {
	e := &entry{u: u}
	e.PlaceHolder = placeholder
	e.ExtendBaseWidget(e)
	return e
}

func newNotesEntry(u *ui) *entry {
	e := newEntry(u, "")
	e.MultiLine = true
	e.Wrapping = fyne.TextWrapWord
	e.SetMinRowsVisible(3)
	return e
}

func (e *entry) window() *ui {
	if e.u != nil {
		return e.u
	}
	return uiFor(e)
}

// TypedKey gives the window Esc and function keys first.
func (e *entry) TypedKey(k *fyne.KeyEvent) {
	if u := e.window(); u != nil && u.typedKey(k) {
		return
	}
	e.Entry.TypedKey(k)
}

// TypedShortcut gives the window's shortcuts priority over the entry's.
func (e *entry) TypedShortcut(s fyne.Shortcut) {
	if _, ok := s.(*fyne.ShortcutUndo); ok && e.undo != nil && e.undo() {
		return
	}
	if cs, ok := s.(*desktop.CustomShortcut); ok {
		if u := e.window(); u != nil && u.shortcut != nil && u.shortcut(cs) {
			return
		}
	}
	e.Entry.TypedShortcut(s)
}

// newMultiLineEntry is a multi-line entry that passes keys on like entry.
func newMultiLineEntry(u *ui) *entry {
	e := newEntry(u, "")
	e.MultiLine = true
	e.Wrapping = fyne.TextWrapWord
	return e
}

// textOf returns the text of each entry-like field, to tell later whether
// a form was changed (see changedSince).
type texter interface{ textNow() string }

func (e *entry) textNow() string     { return e.Text }
func (s *keySelect) textNow() string { return s.Selected }

// changedSince returns a function that reports whether any of fields
// differs from what it held when changedSince was called.
func changedSince(fields ...texter) func() bool {
	was := make([]string, len(fields))
	for i, f := range fields {
		was[i] = f.textNow()
	}
	return func() bool {
		for i, f := range fields {
			if f.textNow() != was[i] {
				return true
			}
		}
		return false
	}
}

// fieldSet lays out labelled form fields, each with an inline error line
// below it that shows the translated validation message.
type fieldSet struct {
	grid *fyne.Container
	errs map[string]*widget.Label
}

func newFieldSet() *fieldSet {
	return &fieldSet{grid: container.New(layout.NewFormLayout()), errs: map[string]*widget.Label{}}
}

// add appends a field; key is the app field name used by *app.ValidationError.
func (f *fieldSet) add(key, label string, obj fyne.CanvasObject) {
	msg := widget.NewLabel("")
	msg.Importance = widget.DangerImportance
	msg.Wrapping = fyne.TextWrapWord
	msg.SizeName = theme.SizeNameCaptionText
	msg.Hide()
	f.errs[key] = msg
	l := widget.NewLabel(label)
	l.Alignment = fyne.TextAlignTrailing
	f.grid.Add(l)
	f.grid.Add(container.NewVBox(obj, msg))
}

// setError shows msg (an English app.Msg* key) under the field, or clears
// it. A cleared message keeps its line, so the fields below do not jump
// up under the mouse while the person is fixing the form.
func (f *fieldSet) setError(key, msg string) {
	l, ok := f.errs[key]
	if !ok {
		return
	}
	if msg == "" {
		if l.Visible() {
			l.SetText(" ")
		}
		return
	}
	setWrapped(l, msgText(msg))
	l.Show()
}

// showErrors replaces every field's error with those of v (nil clears all).
func (f *fieldSet) showErrors(v *app.ValidationError) {
	for key := range f.errs {
		msg := ""
		if v != nil {
			msg = v.For(key)
		}
		f.setError(key, msg)
	}
}

// errorText returns the message shown under a field ("" when none).
func (f *fieldSet) errorText(key string) string {
	if l, ok := f.errs[key]; ok && l.Visible() {
		return strings.TrimSpace(unbreakable(l.Text))
	}
	return ""
}

func heading(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.TextStyle = fyne.TextStyle{Bold: true}
	l.SizeName = theme.SizeNameSubHeadingText
	l.Truncation = fyne.TextTruncateEllipsis
	return l
}

func sectionTitle(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.TextStyle = fyne.TextStyle{Bold: true}
	return l
}

func dimLabel(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Importance = widget.LowImportance
	l.Truncation = fyne.TextTruncateEllipsis
	return l
}

// detailRows builds a two-column grid of label/value pairs, skipping empty
// values. Values are single-line fields; addTextRow adds a multi-line one.
func detailRows(pairs ...string) *fyne.Container {
	g := container.New(layout.NewFormLayout())
	for i := 0; i+1 < len(pairs); i += 2 {
		addRow(g, pairs[i], display.Line(pairs[i+1], display.Subject))
	}
	return g
}

// addTextRow adds a multi-line value (notes) to a detailRows grid.
func addTextRow(g *fyne.Container, label, value string) {
	addRow(g, label, display.Text(value, display.Notes))
}

func addRow(g *fyne.Container, label, value string) {
	if value == "" {
		return
	}
	k := widget.NewLabel(label)
	k.Importance = widget.LowImportance
	v := widget.NewLabel(value)
	v.Wrapping = fyne.TextWrapWord
	v.Selectable = true
	g.Add(k)
	g.Add(v)
}

// emptyState is the centred hint shown where there is nothing to show yet.
func emptyState(text string) fyne.CanvasObject {
	l := widget.NewLabel(text)
	l.Alignment = fyne.TextAlignCenter
	l.Importance = widget.LowImportance
	return container.NewCenter(l)
}

// submitForm runs a form's write off the UI goroutine with its Save
// button disabled: validation errors go back to the form's fields, others
// to an error dialog (action names it in the log); on success the form's
// dialog closes and done runs.
func (u *ui) submitForm(fields *fieldSet, save *widget.Button, dlg *dialog.CustomDialog, action string,
	write func(context.Context) error, done func()) {
	save.Disable()
	u.run.Go(func(ctx context.Context) func() {
		err := write(ctx)
		return func() {
			save.Enable()
			if v := fieldErrors(err); v != nil {
				fields.showErrors(v)
				return
			}
			if err != nil {
				u.showError(action, err)
				return
			}
			dlg.Hide()
			done()
		}
	})
}

// confirmDelete asks before deleting something, with Delete (in the danger
// colour) and Cancel; yes runs after Delete.
func (u *ui) confirmDelete(title, msg string, yes func()) {
	d := newConfirm(title, msg, func(ok bool) {
		if ok {
			yes()
		}
	}, u.win)
	d.SetConfirmText(lang.L("Delete"))
	d.SetDismissText(lang.L("Cancel"))
	d.SetConfirmImportance(widget.DangerImportance)
	u.show(d)
}

// askText asks for one line of text in a dialog; ok gets the trimmed text
// when it is not empty.
func (u *ui) askText(title, label, initial string, ok func(string)) {
	e := newEntry(u, "")
	e.SetText(initial)
	d := dialog.NewForm(title, lang.L("OK"), lang.L("Cancel"), []*widget.FormItem{widget.NewFormItem(label, e)}, func(confirmed bool) {
		if t := strings.TrimSpace(e.Text); confirmed && t != "" {
			ok(t)
		}
	}, u.win)
	e.OnSubmitted = func(string) { d.Submit() }
	d.Resize(fyne.NewSize(400, 180))
	u.show(d)
	u.win.Canvas().Focus(e)
}
