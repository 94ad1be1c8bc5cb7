package views

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Widths of a browser (the area right of the navigation). From oneColumn
// up, the list and the detail page are side by side, the list taking
// listShare of the width between listMin and listMax, so on a 1920-px
// screen the list is a column, not half the window. Below oneColumn (a
// half-screen window, a small laptop) they take turns: a record opens
// over the list, with Back.
const (
	oneColumn = 760
	listShare = 0.34
	listMin   = 280
	listMax   = 440
)

// twoPane lays a browser's list and its detail page out for the width it
// has (see oneColumn).
type twoPane struct {
	widget.BaseWidget
	list, detail fyne.CanvasObject
	back         *widget.Button
	detailBox    *fyne.Container // Back above the detail page
	sep          *widget.Separator
	// showing is true when a record is open: in one column the detail
	// page is shown instead of the list.
	showing bool
	narrow  bool
	// backed runs when Back is tapped (the browser unselects the row).
	backed func()
}

func newTwoPane(list, detail fyne.CanvasObject, backLabel string) *twoPane {
	p := &twoPane{list: list, detail: detail, sep: widget.NewSeparator()}
	p.back = widget.NewButtonWithIcon(backLabel, theme.NavigateBackIcon(), p.goBack)
	p.back.Importance = widget.LowImportance
	p.back.Alignment = widget.ButtonAlignLeading
	p.detailBox = container.NewBorder(container.NewHBox(p.back), nil, nil, nil, detail)
	p.ExtendBaseWidget(p)
	return p
}

// setShowing says whether a record is open (its page shown in one column).
func (p *twoPane) setShowing(on bool) {
	if p.showing == on {
		return
	}
	p.showing = on
	p.Refresh()
}

func (p *twoPane) goBack() {
	p.setShowing(false)
	if p.backed != nil {
		p.backed()
	}
}

// CreateRenderer implements fyne.Widget.
func (p *twoPane) CreateRenderer() fyne.WidgetRenderer {
	return &twoPaneRenderer{p: p, objs: []fyne.CanvasObject{p.list, p.sep, p.detailBox}}
}

type twoPaneRenderer struct {
	p    *twoPane
	objs []fyne.CanvasObject
}

func (r *twoPaneRenderer) Layout(size fyne.Size) {
	p := r.p
	pad := theme.Padding()
	// Side by side, the list gives way to the record's page down to
	// listMin; when even that leaves the page too little, one column.
	w := min(max(size.Width*listShare, listMin, p.list.MinSize().Width), listMax)
	if need := p.detail.MinSize().Width; size.Width-w-pad < need {
		w = max(listMin, p.list.MinSize().Width, size.Width-pad-need)
	}
	p.narrow = size.Width < oneColumn || size.Width-w-pad < p.detail.MinSize().Width
	if p.narrow {
		p.sep.Hide()
		p.back.Show()
		if p.showing {
			p.list.Hide()
			p.detailBox.Show()
			p.detailBox.Move(fyne.NewPos(0, 0))
			p.detailBox.Resize(size)
		} else {
			p.detailBox.Hide()
			p.list.Show()
			p.list.Move(fyne.NewPos(0, 0))
			p.list.Resize(size)
		}
		return
	}
	p.back.Hide()
	p.list.Show()
	p.sep.Show()
	p.detailBox.Show()
	p.list.Move(fyne.NewPos(0, 0))
	p.list.Resize(fyne.NewSize(w, size.Height))
	p.sep.Move(fyne.NewPos(w+pad/2, 0))
	p.sep.Resize(fyne.NewSize(theme.SeparatorThicknessSize(), size.Height))
	x := w + pad
	p.detailBox.Move(fyne.NewPos(x, 0))
	p.detailBox.Resize(fyne.NewSize(size.Width-x, size.Height))
}

// MinSize is what one column needs: the window may be as narrow as the
// wider of the list and the detail page.
func (r *twoPaneRenderer) MinSize() fyne.Size {
	l, d := r.p.list.MinSize(), r.p.detailBox.MinSize()
	return fyne.NewSize(max(l.Width, d.Width), max(l.Height, d.Height))
}

func (r *twoPaneRenderer) Refresh() {
	r.Layout(r.p.Size())
	for _, o := range r.objs {
		o.Refresh()
	}
}

func (r *twoPaneRenderer) Objects() []fyne.CanvasObject { return r.objs }

func (r *twoPaneRenderer) Destroy() {}

// backLabel is the Back button of a browser in one column.
func backLabel(screen string) string {
	return lang.L("Back to {{.Screen}}", map[string]any{"Screen": screen})
}
