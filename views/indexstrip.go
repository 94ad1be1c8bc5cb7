package views

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tandem-crm/tandem/app"
)

// indexStrip is the index beside a list sorted by name, as in a Japanese
// address book: あ か さ た な は ま や ら わ, then A–Z and # — only the
// rows that have records. Tapping a row scrolls the list to its first
// record.
type indexStrip struct {
	box     *fyne.Container
	scroll  *container.Scroll
	entries []app.IndexEntry
	jump    func(app.IndexEntry)
}

func newIndexStrip(jump func(app.IndexEntry)) *indexStrip {
	s := &indexStrip{jump: jump}
	s.box = container.New(&columnLayout{cell: fyne.NewSize(24, 20)})
	s.scroll = container.NewVScroll(s.box)
	s.scroll.Hide()
	return s
}

// cells builds the strip's rows for entries (off the UI goroutine too).
func (s *indexStrip) cells(entries []app.IndexEntry) []fyne.CanvasObject {
	objs := make([]fyne.CanvasObject, len(entries))
	for i, e := range entries {
		objs[i] = newIndexCell(e, s.jump)
	}
	return objs
}

// set shows entries as the rows cells built: one Objects assignment and
// one refresh, not an Add (and a layout) per row; fewer than two rows hide
// the strip.
func (s *indexStrip) set(entries []app.IndexEntry, cells []fyne.CanvasObject) {
	s.entries = entries
	s.box.Objects = cells
	if len(entries) < 2 {
		s.scroll.Hide()
	} else {
		s.scroll.Show()
	}
	s.box.Refresh()
}

// load reads the index off the UI goroutine and shows it; gen drops the
// answer of a load a newer one replaced.
func (s *indexStrip) load(run *runner, read func(ctx context.Context) ([]app.IndexEntry, error), current func() bool) {
	if read == nil {
		s.set(nil, nil)
		return
	}
	run.Go(func(ctx context.Context) func() {
		es, err := read(ctx)
		cells := s.cells(es)
		return func() {
			if !current() {
				return
			}
			if err != nil {
				logError("list index", err)
				es, cells = nil, nil
			}
			s.set(es, cells)
		}
	})
}

// indexCell is one tappable row label of the strip.
type indexCell struct {
	widget.BaseWidget
	entry app.IndexEntry
	text  *canvas.Text
	jump  func(app.IndexEntry)
}

func newIndexCell(e app.IndexEntry, jump func(app.IndexEntry)) *indexCell {
	c := &indexCell{entry: e, jump: jump, text: canvas.NewText(e.Label, theme.Color(theme.ColorNamePrimary))}
	c.text.TextSize = theme.CaptionTextSize()
	c.text.TextStyle = fyne.TextStyle{Bold: true}
	c.text.Alignment = fyne.TextAlignCenter
	c.ExtendBaseWidget(c)
	return c
}

// CreateRenderer implements fyne.Widget.
func (c *indexCell) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewCenter(c.text))
}

// Tapped jumps to the row's first record.
func (c *indexCell) Tapped(*fyne.PointEvent) { c.jump(c.entry) }

// Cursor shows a pointer over a row.
func (c *indexCell) Cursor() desktop.Cursor { return desktop.PointerCursor }

// columnLayout stacks equal cells in one column.
type columnLayout struct{ cell fyne.Size }

// Layout implements fyne.Layout.
func (l *columnLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	y := float32(0)
	for _, o := range objs {
		o.Move(fyne.NewPos(0, y))
		o.Resize(fyne.NewSize(size.Width, l.cell.Height))
		y += l.cell.Height
	}
}

// MinSize implements fyne.Layout.
func (l *columnLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	return fyne.NewSize(l.cell.Width, l.cell.Height*float32(len(objs)))
}
