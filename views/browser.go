package views

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/app/display"
)

// browser is what the Contacts and Companies screens share: a search
// field with a New button, a sort (name or last updated), the count, and a
// paged list of two-line rows on the left; the detail page on the right.
type browser[T any] struct {
	u      *ui
	search *entry
	sort   *keySelect
	count  *widget.Label
	list   *pagedList[T]
	detail *fyne.Container
	root   fyne.CanvasObject
	pane   *twoPane // list and detail, side by side or in turn
	deb    debouncer
	// index is the 50-on index beside the list (when sorted by name);
	// indexGen drops the answer of an index load a newer one replaced.
	index    *indexStrip
	indexGen int

	// The detail page.
	selectedID int64
	detailGen  int
	current    *T // the record on the detail page
	tickets    recordTickets
	// openTicket, when set, is opened on the Tickets tab of the next
	// detail page shown (a signal was selected).
	openTicket string
}

// browserSpec says what a browser shows and does.
type browserSpec[T any] struct {
	searchHint, addLabel, emptyDetail string
	screen                            string           // the browser's name, for Back in one column
	logAction                         string           // for a failed list, in the log
	countText                         func(int) string // "12 contacts"
	lines                             func(T) (title, detail string)
	id                                func(T) int64
	refresh                           func() // the search or sort changed
	create                            func() // New
	selected                          func(id int64)
}

func newBrowser[T any](u *ui, spec browserSpec[T]) *browser[T] {
	b := &browser[T]{u: u, deb: debouncer{r: u.run}}
	b.search = newEntry(u, spec.searchHint)
	b.search.OnChanged = func(string) { b.deb.call(spec.refresh) }
	b.sort = newKeySelect([]string{lang.L("Name"), lang.L("Last updated")}, nil)
	b.sort.SetSelectedIndex(0)
	b.sort.OnChanged = func(string) { spec.refresh() }
	b.count = dimLabel("")

	b.list = newPagedList[T](u.run, func() fyne.CanvasObject {
		return container.New(layout.NewCustomPaddedVBoxLayout(0), newFitLabel(true, false), newFitLabel(false, true))
	})
	setRow := func(row fyne.CanvasObject, title, detail string) {
		o := row.(*fyne.Container).Objects
		o[0].(*fitLabel).SetText(rowText(title))
		o[1].(*fitLabel).SetText(rowText(detail))
	}
	b.list.show = func(item T, row fyne.CanvasObject) {
		title, detail := spec.lines(item)
		setRow(row, title, detail)
	}
	b.list.blank = func(row fyne.CanvasObject, text string) { setRow(row, text, "") }
	b.list.loaded = func(total int, err error) {
		if err != nil {
			logError(spec.logAction, err)
			b.count.SetText(errText(err))
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
	b.index = newIndexStrip(b.jumpTo)
	b.detail = container.NewStack(emptyState(spec.emptyDetail))
	b.pane = newTwoPane(container.NewBorder(top, nil, nil, b.index.scroll, b.list.list), b.detail, backLabel(spec.screen))
	b.pane.backed = func() { // the record is closed, not hidden: a reload must not reopen it
		b.list.list.UnselectAll()
		b.clearDetail(spec.emptyDetail)
	}
	b.root = b.pane
	return b
}

// loadDetail shows record id on the detail page: load reads it off the UI
// goroutine and returns what puts it on screen; an answer for a record no
// longer selected is dropped, and a failure empties the page with the
// reason (action names it in the log).
func (b *browser[T]) loadDetail(id int64, action string, load func(ctx context.Context) (show func(), err error)) {
	b.selectedID = id
	b.detailGen++
	gen := b.detailGen
	b.u.run.Go(func(ctx context.Context) func() {
		show, err := load(ctx)
		return func() {
			if gen != b.detailGen {
				return
			}
			if err != nil {
				logError(action, err)
				b.clearDetail(errText(err))
				return
			}
			show()
		}
	})
}

// setPage puts record rec's page on the detail area, beside its Tickets
// tab (opened on openTicket when a signal asked for one).
func (b *browser[T]) setPage(rec *T, body fyne.CanvasObject, kind string, id int64) {
	b.current = rec
	ticket := b.openTicket
	b.openTicket = ""
	b.detail.Objects = []fyne.CanvasObject{b.tickets.wrap(b.u, container.NewVScroll(container.NewPadded(body)), kind, id, ticket)}
	b.detail.Refresh()
	b.pane.setShowing(true)
}

// clearDetail empties the detail page, with text in its place.
func (b *browser[T]) clearDetail(text string) {
	b.tickets.close()
	b.selectedID, b.current = 0, nil
	b.detail.Objects = []fyne.CanvasObject{emptyState(text)}
	b.detail.Refresh()
	b.pane.setShowing(false)
}

// detailHead is the top of a record's page: its name, a line under it,
// and Edit and Delete.
func detailHead(title, sub string, edit, del func()) fyne.CanvasObject {
	e := widget.NewButtonWithIcon(lang.L("Edit"), theme.DocumentCreateIcon(), edit)
	d := widget.NewButtonWithIcon(lang.L("Delete"), theme.DeleteIcon(), del)
	d.Importance = widget.DangerImportance
	return container.NewVBox(heading(display.Line(title, display.Subject)), dimLabel(rowText(sub)), container.NewHBox(e, d), widget.NewSeparator())
}

// reloadIndex reads the list's index again (none when sorted by update).
func (b *browser[T]) reloadIndex(read func(ctx context.Context) ([]app.IndexEntry, error)) {
	b.indexGen++
	gen := b.indexGen
	if b.byUpdated() {
		read = nil
	}
	b.index.load(b.u.run, read, func() bool { return gen == b.indexGen })
}

// jumpTo scrolls the list so the index row's first record is at the top.
func (b *browser[T]) jumpTo(e app.IndexEntry) {
	if e.Offset >= b.list.total {
		return
	}
	// ScrollTo only brings a row into view; coming from below puts it at
	// the top.
	b.list.list.ScrollToBottom()
	b.list.list.ScrollTo(e.Offset)
}

// byUpdated reports whether the list is sorted by last update.
func (b *browser[T]) byUpdated() bool { return b.sort.SelectedIndex() == 1 }
