package views

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tandem-crm/tandem/app"
)

// browser is what the Contacts and Companies screens share: a search
// field with a New button, a sort (name or last updated), the count, and a
// paged list of two-line rows on the left; the detail page on the right.
type browser[T any] struct {
	search *entry
	sort   *widget.Select
	count  *widget.Label
	list   *pagedList[T]
	detail *fyne.Container
	root   fyne.CanvasObject
	deb    debouncer
}

// browserSpec says what a browser shows and does.
type browserSpec[T any] struct {
	searchHint, addLabel, emptyDetail string
	logAction                         string           // for a failed list, in the log
	countText                         func(int) string // "12 contacts"
	lines                             func(T) (title, detail string)
	id                                func(T) int64
	refresh                           func() // the search or sort changed
	create                            func() // New
	selected                          func(id int64)
}

func newBrowser[T any](u *ui, spec browserSpec[T]) *browser[T] {
	b := &browser[T]{deb: debouncer{r: u.run}}
	b.search = newEntry(u, spec.searchHint)
	b.search.OnChanged = func(string) { b.deb.call(spec.refresh) }
	b.sort = widget.NewSelect([]string{lang.L("Name"), lang.L("Last updated")}, nil)
	b.sort.SetSelectedIndex(0)
	b.sort.OnChanged = func(string) { spec.refresh() }
	b.count = dimLabel("")

	b.list = newPagedList[T](u.run, func() fyne.CanvasObject {
		name := widget.NewLabel("")
		name.TextStyle = fyne.TextStyle{Bold: true}
		name.Truncation = fyne.TextTruncateEllipsis
		return container.New(layout.NewCustomPaddedVBoxLayout(0), name, dimLabel(""))
	})
	setRow := func(row fyne.CanvasObject, title, detail string) {
		o := row.(*fyne.Container).Objects
		o[0].(*widget.Label).SetText(title)
		o[1].(*widget.Label).SetText(detail)
	}
	b.list.show = func(item T, row fyne.CanvasObject) {
		title, detail := spec.lines(item)
		setRow(row, title, detail)
	}
	b.list.blank = func(row fyne.CanvasObject, text string) { setRow(row, text, "") }
	b.list.loaded = func(total int, err error) {
		if err != nil {
			logError(spec.logAction, err)
			b.count.SetText(lang.L(app.ErrorMessage(err)))
			return
		}
		b.count.SetText(spec.countText(total))
	}
	b.list.list.OnSelected = func(i widget.ListItemID) {
		if item, ok := b.list.item(i); ok {
			spec.selected(spec.id(item))
		}
	}

	add := widget.NewButtonWithIcon(spec.addLabel, theme.ContentAddIcon(), spec.create)
	add.Importance = widget.HighImportance
	top := container.NewVBox(
		container.NewBorder(nil, nil, nil, add, b.search),
		container.NewBorder(nil, nil, widget.NewLabel(lang.L("Sort by")), nil, b.sort),
		b.count,
	)
	b.detail = container.NewStack(emptyState(spec.emptyDetail))
	split := container.NewHSplit(container.NewBorder(top, nil, nil, nil, b.list.list), b.detail)
	split.Offset = 0.4
	b.root = split
	return b
}

// byUpdated reports whether the list is sorted by last update.
func (b *browser[T]) byUpdated() bool { return b.sort.SelectedIndex() == 1 }
