package views

import (
	"context"
	"image/color"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tandem-crm/tandem/app"
)

// columnWidth is the width of one stage column on the board.
const columnWidth = 250

// pipelinesScreen shows one pipeline at a time, as a board of stage columns
// with record cards or as a table, and manages its stages. Both views are
// virtualised: a column is a list that loads its cards page by page, the
// table loads its rows page by page, and the counts and totals come from
// one summary query, so nothing on the UI goroutine grows with the records
// and every record of a stage can be scrolled to.
type pipelinesScreen struct {
	u          *ui
	pipelines  []app.Pipeline
	cur        int64             // id of the pipeline shown
	groups     []app.RecordGroup // counts and totals per stage and currency
	filter     app.RecordFilter  // what the board and the table show
	picker     *keySelect
	mode       *widget.RadioGroup
	search     *entry
	info       *fitLabel
	body       *fyne.Container
	table      *widget.Table
	rows       *pageCache[app.Record] // the table's rows
	columns    []*boardColumn         // the board's columns, one per stage
	board      fyne.CanvasObject
	boardRow   *container.Scroll // the board's columns side by side
	boardOf    []int64           // the stage ids the columns were built for
	boardQuery string            // the words the board was last filtered by
	root       fyne.CanvasObject
	deb        debouncer
	gen        int
	form       *recordForm
	// firsts are the first pages of the board's columns, loaded by refresh
	// with the summary so the whole board is put on screen in one step;
	// showBoard uses them once.
	firsts map[int64][]app.Record
	// picking is true while refresh sets the picker, so it does not reload.
	picking bool
}

// boardColumn is one stage on the board: its title, count and menu over a
// virtualised list of cards.
type boardColumn struct {
	stage app.Stage
	title *fitLabel
	count *widget.Label
	none  *widget.Label // "No records", shown when the stage is empty
	cards *pagedList[app.Record]
	root  fyne.CanvasObject
	body  fyne.CanvasObject // root but its width: hidden while scrolled out of sight
}

func newPipelinesScreen(u *ui) *pipelinesScreen {
	s := &pipelinesScreen{u: u, deb: debouncer{r: u.run}}
	s.picker = newKeySelect(nil, func(string) {
		if s.picking {
			return
		}
		if i := s.picker.SelectedIndex(); i >= 0 && i < len(s.pipelines) {
			s.cur = s.pipelines[i].ID
			s.refresh()
		}
	})
	s.picker.PlaceHolder = lang.L("Choose a pipeline")
	s.mode = widget.NewRadioGroup([]string{lang.L("Board"), lang.L("List")}, nil)
	s.mode.Horizontal = true
	s.mode.Required = true
	s.mode.SetSelected(lang.L("Board"))
	// A switch reads the summary again, so the board comes with its first
	// pages in one step (refresh) like any other load.
	s.mode.OnChanged = func(string) { s.refresh() }
	s.search = newEntry(u, lang.L("Filter records"))
	s.search.OnChanged = func(string) { s.deb.call(s.refresh) }
	s.info = newFitLabel(false, true)
	s.rows = newPageCache[app.Record](u.run)
	s.table = s.newTable()
	s.rows.changed = func(reset bool) {
		if reset {
			s.table.UnselectAll()
		}
		s.table.Refresh()
	}

	var more *widget.Button
	more = widget.NewButtonWithIcon("", theme.MoreVerticalIcon(), func() {
		if m := s.pipelineMenu(); m != nil {
			pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(more)
			widget.ShowPopUpMenuAtPosition(m, s.u.win.Canvas(), pos.AddXY(0, more.Size().Height))
		}
	})
	addStage := widget.NewButtonWithIcon(lang.L("Add stage"), theme.ContentAddIcon(), s.askNewStage)
	newRec := widget.NewButtonWithIcon(lang.L("New record"), theme.ContentAddIcon(), s.create)
	newRec.Importance = widget.HighImportance
	row1 := container.NewBorder(nil, nil, widget.NewLabel(lang.L("Pipeline")),
		container.NewHBox(more, addStage, newRec), s.picker)
	row2 := container.NewBorder(nil, nil, s.mode, nil, s.search)
	s.body = container.NewStack(emptyState(lang.L("Loading…")))
	s.root = container.NewBorder(container.NewVBox(row1, row2, s.info, widget.NewSeparator()), nil, nil, nil, s.body)
	return s
}

func (s *pipelinesScreen) content() fyne.CanvasObject { return s.root }

func (s *pipelinesScreen) focusSearch() { s.u.win.Canvas().Focus(s.search) }

// current returns the pipeline shown, or nil.
func (s *pipelinesScreen) current() *app.Pipeline {
	for i := range s.pipelines {
		if s.pipelines[i].ID == s.cur {
			return &s.pipelines[i]
		}
	}
	return nil
}

// create opens the form for a new record in the current pipeline.
func (s *pipelinesScreen) create() {
	p := s.current()
	if p == nil || len(p.Stages) == 0 {
		s.u.show(newInformation(lang.L("New record"), lang.L("Create a pipeline with at least one stage first."), s.u.win))
		return
	}
	s.openForm(p, nil)
}

func (s *pipelinesScreen) openForm(p *app.Pipeline, r *app.Record) {
	s.form = newRecordForm(s.u, *p, r, func() {
		s.form = nil
		s.refresh()
	})
}

// refresh reloads the pipelines and the summary of the current pipeline's
// records (counts and totals); the board's columns or the table then load
// their pages.
func (s *pipelinesScreen) refresh() {
	s.gen++
	gen, cur, q := s.gen, s.cur, strings.TrimSpace(s.search.Text)
	board := s.mode.Selected != lang.L("List")
	svc := s.u.crm.Pipelines
	s.u.run.Go(func(ctx context.Context) func() {
		ps, err := svc.ListPipelines(ctx)
		var groups []app.RecordGroup
		var firsts map[int64][]app.Record
		if err == nil && len(ps) > 0 {
			p := &ps[0]
			for i := range ps {
				if ps[i].ID == cur {
					p = &ps[i]
				}
			}
			cur = p.ID
			groups, err = svc.SummarizeRecords(ctx, app.RecordFilter{PipelineID: cur, Query: q})
			if err == nil && board {
				firsts, err = firstPages(ctx, svc, p, groups, q)
			}
		}
		return func() {
			if gen != s.gen {
				return
			}
			if err != nil {
				logError("list pipelines", err)
				s.body.Objects = []fyne.CanvasObject{emptyState(errText(err))}
				s.body.Refresh()
				return
			}
			s.pipelines, s.cur, s.groups, s.firsts = ps, cur, groups, firsts
			s.filter = app.RecordFilter{PipelineID: cur, Query: q}
			names := make([]string, len(ps))
			sel := -1
			for i, p := range ps {
				names[i] = p.Name
				if p.ID == cur {
					sel = i
				}
			}
			s.picking = true
			s.picker.SetOptions(names)
			if sel >= 0 {
				s.picker.SetSelectedIndex(sel)
			} else {
				s.picker.ClearSelected()
			}
			s.picking = false
			s.rebuild()
		}
	})
}

// firstPages reads the first page of cards of every stage of p that the
// summary counts records in, off the UI goroutine: the board then goes on
// screen in one step, not one column (and one layout) at a time.
func firstPages(ctx context.Context, svc app.PipelineService, p *app.Pipeline, groups []app.RecordGroup, q string) (map[int64][]app.Record, error) {
	counted := map[int64]bool{}
	for _, g := range groups {
		counted[g.StageID] = counted[g.StageID] || g.Count > 0
	}
	firsts := map[int64][]app.Record{}
	for _, st := range p.Stages {
		if !counted[st.ID] {
			continue
		}
		rs, err := svc.ListRecords(ctx, app.RecordFilter{PipelineID: p.ID, StageID: st.ID, Query: q, Limit: pageSize})
		if err != nil {
			return nil, err
		}
		firsts[st.ID] = rs
	}
	return firsts, nil
}

// stageCount is how many records of stage id the summary counts.
func (s *pipelinesScreen) stageCount(id int64) int {
	n := 0
	for _, g := range s.groups {
		if g.StageID == id {
			n += g.Count
		}
	}
	return n
}

// rebuild shows the board or the table for the loaded summary and starts
// loading their first pages.
func (s *pipelinesScreen) rebuild() {
	p := s.current()
	switch {
	case p == nil:
		s.info.SetText("")
		s.body.Objects = []fyne.CanvasObject{emptyState(lang.L("No pipelines yet. Create one with “New pipeline”."))}
	case s.mode.Selected == lang.L("List"):
		total := 0
		for _, g := range s.groups {
			total += g.Count
		}
		svc, f := s.u.crm.Pipelines, s.filter
		s.rows.count = func(context.Context) (int, error) { return total, nil }
		s.rows.fetch = func(ctx context.Context, offset, limit int) ([]app.Record, error) {
			g := f
			g.Offset, g.Limit = offset, limit
			return svc.ListRecords(ctx, g)
		}
		s.rows.reload()
		s.body.Objects = []fyne.CanvasObject{s.table}
	default:
		s.body.Objects = []fyne.CanvasObject{s.showBoard(p)}
	}
	if p != nil {
		// One total per currency, in the order the currencies first appear.
		var curs []string
		totals := map[string]int64{}
		n := 0
		for _, g := range s.groups {
			if _, ok := totals[g.Currency]; !ok {
				curs = append(curs, g.Currency)
			}
			totals[g.Currency] += g.Amount
			n += g.Count
		}
		parts := []string{lang.N("{{.Count}} records", n, map[string]any{"Count": n})}
		for _, c := range curs {
			parts = append(parts, app.FormatAmount(totals[c], c))
		}
		s.info.SetText(strings.Join(parts, " · "))
	}
	// Laid out and redrawn, not refreshed: a container's Refresh refreshes
	// everything inside it, and on the board that was every card's labels
	// and icons (Fyne parses a themed icon's SVG again on each refresh),
	// a large share of the switch to Pipelines and of each filtered
	// reload (issue 17). What showBoard and the table change refreshes
	// itself.
	s.body.Layout.Layout(s.body.Objects, s.body.Size())
	canvas.Refresh(s.body)
}

// showBoard returns the board of p's stages, each column reloading its
// cards. The columns are kept while the stages stay the same, so a move or
// a filter keeps each column where it was scrolled.
func (s *pipelinesScreen) showBoard(p *app.Pipeline) fyne.CanvasObject {
	if len(p.Stages) == 0 {
		s.board, s.columns, s.boardOf = nil, nil, nil
		return emptyState(lang.L("This pipeline has no stages. Add one with “Add stage”."))
	}
	ids := make([]int64, len(p.Stages))
	for i, st := range p.Stages {
		ids[i] = st.ID
	}
	if s.board == nil || !slices.Equal(ids, s.boardOf) {
		cols := make([]fyne.CanvasObject, len(p.Stages))
		s.columns = make([]*boardColumn, len(p.Stages))
		for i, st := range p.Stages {
			s.columns[i] = s.newColumn(st)
			cols[i] = s.columns[i].root
		}
		s.boardRow = container.NewHScroll(container.NewHBox(cols...))
		s.boardRow.OnScrolled = func(fyne.Position) { s.cullColumns() }
		s.board = container.New(boardLayout{s}, s.boardRow)
		s.boardOf = ids
	}
	svc, f := s.u.crm.Pipelines, s.filter
	// Other words to filter by: each column shows its matches from the
	// top (a move keeps where each column was scrolled).
	newQuery := f.Query != s.boardQuery
	s.boardQuery = f.Query
	firsts := s.firsts
	s.firsts = nil // a later rebuild (a mode switch) reads the pages again
	for i, st := range p.Stages {
		col := s.columns[i]
		col.stage = st
		col.title.SetText(rowText(st.Name))
		n := s.stageCount(st.ID)
		col.count.SetText(lang.N("{{.Count}} records", n, map[string]any{"Count": n}))
		if n > 0 {
			col.none.Hide()
		} else {
			col.none.Show()
		}
		g := f
		g.StageID = st.ID
		col.cards.count = func(context.Context) (int, error) { return n, nil }
		col.cards.fetch = func(ctx context.Context, offset, limit int) ([]app.Record, error) {
			h := g
			h.Offset, h.Limit = offset, limit
			return svc.ListRecords(ctx, h)
		}
		if first, ok := firsts[st.ID]; ok || (firsts != nil && n == 0) {
			col.cards.prime(n, first)
		} else {
			col.cards.reload()
		}
		if newQuery {
			col.cards.list.ScrollToTop()
		}
	}
	return s.board
}

// newColumn builds the (empty) column of stage st; showBoard fills it.
func (s *pipelinesScreen) newColumn(st app.Stage) *boardColumn {
	col := &boardColumn{stage: st}
	col.title = newFitLabel(true, false)
	col.title.SetText(rowText(st.Name))
	col.count = dimLabel("")
	col.none = dimLabel(lang.L("No records"))
	col.none.Hidden = true
	menu := widget.NewButtonWithIcon("", theme.MoreVerticalIcon(), nil)
	menu.Importance = widget.LowImportance
	menu.OnTapped = func() {
		p := s.current()
		if p == nil {
			return
		}
		for i := range p.Stages {
			if p.Stages[i].ID == col.stage.ID {
				pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(menu)
				widget.ShowPopUpMenuAtPosition(s.stageMenu(p, i), s.u.win.Canvas(), pos.AddXY(0, menu.Size().Height))
			}
		}
	}
	col.cards = newPagedList[app.Record](s.u.run, newCard)
	col.cards.show = func(r app.Record, o fyne.CanvasObject) { s.setCard(o, r) }
	col.cards.blank = func(o fyne.CanvasObject, text string) { blankCard(o, text) }
	col.cards.list.OnSelected = func(i widget.ListItemID) {
		col.cards.list.Unselect(i)
		if r, ok := col.cards.item(i); ok {
			if p := s.current(); p != nil {
				s.openForm(p, &r)
			}
		}
	}
	head := container.NewBorder(nil, nil, nil, menu, container.NewVBox(col.title, col.count))
	// No background of its own: a column is its title and its cards. The
	// rounded panel behind each column was a large share of what the
	// software renderer fills per frame (a focused entry's cursor repaints
	// the whole window some 12 times a second), for a panel the dark theme
	// hardly shows (issue 17).
	width := canvas.NewRectangle(color.Transparent)
	width.SetMinSize(fyne.NewSize(columnWidth, 0))
	body := container.NewBorder(head, nil, nil, nil, container.NewStack(col.cards.list, container.NewVBox(col.none)))
	col.body = container.NewPadded(body)
	col.root = container.NewStack(width, col.body)
	return col
}

// boardLayout sizes the board's row of columns to the screen and then
// hides the columns out of sight (cullColumns).
type boardLayout struct{ s *pipelinesScreen }

func (l boardLayout) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objects {
		o.Resize(size)
		o.Move(fyne.NewPos(0, 0))
	}
	l.s.cullColumns()
}

func (l boardLayout) MinSize(objects []fyne.CanvasObject) fyne.Size {
	return layout.NewStackLayout().MinSize(objects)
}

// cullColumns hides the body of each column scrolled out of the board's
// sight and shows the others. Fyne draws every visible object of a window
// in each frame, on screen or not: at 1100 px the two last of six
// columns were a third of the board's draw calls and of the text it
// rasterised when it was put on screen, for cards nobody saw (issue 17).
// A column keeps its width while hidden, so the scroll does not change.
func (s *pipelinesScreen) cullColumns() {
	row := s.boardRow
	if row == nil || row.Size().Width <= 0 {
		return
	}
	left, right := row.Offset.X, row.Offset.X+row.Size().Width
	for _, col := range s.columns {
		x, w := col.root.Position().X, col.root.Size().Width
		seen := w <= 0 || (x < right && x+w > left) // not laid out yet: shown
		switch {
		case seen && !col.body.Visible():
			col.body.Show()
			col.body.Refresh()
		case !seen && col.body.Visible():
			col.body.Hide()
		}
	}
}

// card is the parts of one card on the board, which a column's list
// reuses for whichever record scrolls into view.
type card struct {
	name, amount, company, closes *fitLabel
	open, move                    *widget.Button
}

// newCard builds an empty card (the column list's template). Its lines
// shorten themselves (fitLabel): Fyne's ellipsis shaped each line with a
// new HarfBuzz font whenever a card scrolled into view (issue 17).
func newCard() fyne.CanvasObject {
	name := newFitLabel(true, false)
	amount := newFitLabel(false, false)
	open := widget.NewButtonWithIcon(lang.L("Open"), theme.DocumentCreateIcon(), nil)
	open.Importance = widget.LowImportance
	move := widget.NewButton(lang.L("Move to ▸"), nil)
	move.Importance = widget.LowImportance
	lines := container.NewVBox(name, amount, newFitLabel(false, true), newFitLabel(false, true), container.NewHBox(open, layout.NewSpacer(), move))
	return container.NewStack(newOutline(), container.NewPadded(lines))
}

// newOutline is a card's frame: four one-pixel edges in the separator
// colour. The rounded rectangle it replaces filled the whole card with
// the window's own background, and a software renderer (llvmpipe, as
// under Xvfb or in a VM) shades and blends every pixel of it in every
// frame: some 40% of its work while the board scrolled or was filtered
// (issue 17). The edges draw only themselves.
func newOutline() fyne.CanvasObject {
	edge := func() fyne.CanvasObject { return canvas.NewRectangle(theme.Color(theme.ColorNameSeparator)) }
	return container.New(outlineLayout{}, edge(), edge(), edge(), edge())
}

// outlineLayout puts its four objects on the top, bottom, left and right
// edges of its size, one pixel thick.
type outlineLayout struct{}

func (outlineLayout) Layout(edges []fyne.CanvasObject, size fyne.Size) {
	const t = 1
	at := []struct{ x, y, w, h float32 }{
		{0, 0, size.Width, t}, {0, size.Height - t, size.Width, t},
		{0, 0, t, size.Height}, {size.Width - t, 0, t, size.Height},
	}
	for i, e := range edges {
		e.Move(fyne.NewPos(at[i].x, at[i].y))
		e.Resize(fyne.NewSize(at[i].w, at[i].h))
	}
}

func (outlineLayout) MinSize([]fyne.CanvasObject) fyne.Size { return fyne.Size{} }

// cardOf returns the parts of a card newCard built.
func cardOf(o fyne.CanvasObject) card {
	lines := o.(*fyne.Container).Objects[1].(*fyne.Container).Objects[0].(*fyne.Container).Objects
	buttons := lines[4].(*fyne.Container).Objects
	return card{
		name: lines[0].(*fitLabel), amount: lines[1].(*fitLabel),
		company: lines[2].(*fitLabel), closes: lines[3].(*fitLabel),
		open: buttons[0].(*widget.Button), move: buttons[2].(*widget.Button),
	}
}

// setCard shows record r on card o.
func (s *pipelinesScreen) setCard(o fyne.CanvasObject, r app.Record) {
	c := cardOf(o)
	c.name.SetText(rowText(r.Name))
	c.amount.SetText(app.FormatAmount(r.Amount, r.Currency))
	c.company.SetText(rowText(r.CompanyName))
	closes := ""
	if r.ClosingDate != "" {
		closes = lang.L("Closes {{.Date}}", map[string]any{"Date": r.ClosingDate})
	}
	c.closes.SetText(closes)
	c.open.OnTapped = func() {
		if p := s.current(); p != nil {
			s.openForm(p, &r)
		}
	}
	move := c.move
	move.OnTapped = func() {
		if p := s.current(); p != nil {
			pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(move)
			widget.ShowPopUpMenuAtPosition(s.moveMenu(p, r), s.u.win.Canvas(), pos.AddXY(0, move.Size().Height))
		}
	}
	c.open.Enable()
	c.move.Enable()
}

// blankCard shows text on card o while its record loads.
func blankCard(o fyne.CanvasObject, text string) {
	c := cardOf(o)
	c.name.SetText(text)
	c.amount.SetText("")
	c.company.SetText("")
	c.closes.SetText("")
	c.open.OnTapped, c.move.OnTapped = nil, nil
	c.open.Disable()
	c.move.Disable()
}

// moveMenu offers the other stages of p as targets for r.
func (s *pipelinesScreen) moveMenu(p *app.Pipeline, r app.Record) *fyne.Menu {
	var items []*fyne.MenuItem
	for _, st := range p.Stages {
		if st.ID == r.StageID {
			continue
		}
		items = append(items, fyne.NewMenuItem(st.Name, func() { s.moveRecord(r.ID, st.ID) }))
	}
	return fyne.NewMenu(lang.L("Move to ▸"), items...)
}

func (s *pipelinesScreen) moveRecord(id, stageID int64) {
	svc := s.u.crm.Pipelines
	s.u.run.Go(func(ctx context.Context) func() {
		err := svc.MoveRecord(ctx, id, stageID)
		return func() {
			if err != nil {
				s.u.showError("move record", err)
			}
			s.refresh()
		}
	})
}

// stageMenu offers rename, reorder and delete for stage i of p.
func (s *pipelinesScreen) stageMenu(p *app.Pipeline, i int) *fyne.Menu {
	st := p.Stages[i]
	rename := fyne.NewMenuItem(lang.L("Rename…"), func() {
		s.u.askText(lang.L("Rename stage"), lang.L("Name"), st.Name, func(name string) {
			s.stageOp("rename stage", func(ctx context.Context, svc app.PipelineService) error {
				return svc.RenameStage(ctx, st.ID, name)
			})
		})
	})
	left := fyne.NewMenuItem(lang.L("Move left"), func() { s.moveStage(st.ID, i-1) })
	left.Disabled = i == 0
	right := fyne.NewMenuItem(lang.L("Move right"), func() { s.moveStage(st.ID, i+1) })
	right.Disabled = i == len(p.Stages)-1
	del := fyne.NewMenuItem(lang.L("Delete stage"), func() { s.confirmDeleteStage(st) })
	return fyne.NewMenu(st.Name, rename, left, right, fyne.NewMenuItemSeparator(), del)
}

func (s *pipelinesScreen) moveStage(id int64, pos int) {
	s.stageOp("move stage", func(ctx context.Context, svc app.PipelineService) error {
		return svc.MoveStage(ctx, id, pos)
	})
}

func (s *pipelinesScreen) confirmDeleteStage(st app.Stage) {
	msg := lang.L("Delete the stage {{.Name}}?", map[string]any{"Name": st.Name})
	s.u.confirmDelete(lang.L("Delete stage"), msg, func() {
		s.stageOp("delete stage", func(ctx context.Context, svc app.PipelineService) error {
			return svc.DeleteStage(ctx, st.ID)
		})
	})
}

// stageOp runs a change to a pipeline or its stages, then reloads.
func (s *pipelinesScreen) stageOp(action string, op func(context.Context, app.PipelineService) error) {
	svc := s.u.crm.Pipelines
	s.u.run.Go(func(ctx context.Context) func() {
		err := op(ctx, svc)
		return func() {
			switch {
			case err == nil:
			case action == "delete stage" && app.ErrorCode(err) == app.ECONFLICT:
				logError(action, err)
				s.u.show(newInformation(lang.L("Delete stage"),
					lang.L("This stage still has records. Move them to another stage first."), s.u.win))
			case action == "delete pipeline" && app.ErrorCode(err) == app.ECONFLICT:
				logError(action, err)
				s.u.show(newInformation(lang.L("Delete pipeline"),
					lang.L("This pipeline still has records. Delete them first."), s.u.win))
			default:
				s.u.showError(action, err)
			}
			s.refresh()
		}
	})
}

func (s *pipelinesScreen) askNewStage() {
	p := s.current()
	if p == nil {
		return
	}
	pid := p.ID
	s.u.askText(lang.L("Add stage"), lang.L("Name"), "", func(name string) {
		s.stageOp("add stage", func(ctx context.Context, svc app.PipelineService) error {
			return svc.CreateStage(ctx, &app.Stage{PipelineID: pid, Name: name})
		})
	})
}

// pipelineMenu offers rename and delete for the pipeline shown; nil when
// there is none.
func (s *pipelinesScreen) pipelineMenu() *fyne.Menu {
	newPipe := fyne.NewMenuItem(lang.L("New pipeline")+"…", s.askNewPipeline)
	p := s.current()
	if p == nil {
		return fyne.NewMenu("", newPipe)
	}
	id, name := p.ID, p.Name
	rename := fyne.NewMenuItem(lang.L("Rename pipeline…"), func() {
		s.u.askText(lang.L("Rename pipeline"), lang.L("Name"), name, func(newName string) {
			s.stageOp("rename pipeline", func(ctx context.Context, svc app.PipelineService) error {
				return svc.RenamePipeline(ctx, id, newName)
			})
		})
	})
	del := fyne.NewMenuItem(lang.L("Delete pipeline…"), func() {
		msg := lang.L("Delete the pipeline {{.Name}} and its stages?", map[string]any{"Name": name})
		s.u.confirmDelete(lang.L("Delete pipeline"), msg, func() {
			s.stageOp("delete pipeline", func(ctx context.Context, svc app.PipelineService) error {
				return svc.DeletePipeline(ctx, id)
			})
		})
	})
	return fyne.NewMenu(name, newPipe, fyne.NewMenuItemSeparator(), rename, fyne.NewMenuItemSeparator(), del)
}

func (s *pipelinesScreen) askNewPipeline() {
	s.u.askText(lang.L("New pipeline"), lang.L("Name"), "", func(name string) {
		p := &app.Pipeline{Name: name}
		for _, n := range []string{lang.L("Lead"), lang.L("Qualified"), lang.L("Proposal"), lang.L("Won"), lang.L("Lost")} {
			p.Stages = append(p.Stages, app.Stage{Name: n})
		}
		svc := s.u.crm.Pipelines
		s.u.run.Go(func(ctx context.Context) func() {
			err := svc.CreatePipeline(ctx, p)
			return func() {
				if err != nil {
					s.u.showError("create pipeline", err)
					return
				}
				s.cur = p.ID
				s.refresh()
			}
		})
	})
}

// newTable builds the list view: one row per record, loaded page by page.
func (s *pipelinesScreen) newTable() *widget.Table {
	heads := []string{lang.L("Name"), lang.L("Stage"), lang.L("Amount"), lang.L("Company"), lang.L("Closing date"), lang.L("Primary contact")}
	widths := []float32{220, 130, 130, 190, 110, 170}
	t := widget.NewTableWithHeaders(
		func() (int, int) { return s.rows.total, len(heads) },
		func() fyne.CanvasObject { return newFitLabel(false, false) },
		func(id widget.TableCellID, o fyne.CanvasObject) {
			r, ok := s.rows.want(id.Row)
			text := ""
			switch {
			case !ok:
				if id.Col == 0 {
					text = lang.L("Loading…")
				}
			case id.Col == 0:
				text = r.Name
			case id.Col == 1:
				text = r.StageName
			case id.Col == 2:
				text = app.FormatAmount(r.Amount, r.Currency)
			case id.Col == 3:
				text = r.CompanyName
			case id.Col == 4:
				text = r.ClosingDate
			case id.Col == 5:
				if pc := r.PrimaryContact(); pc != nil {
					text = pc.Name
				}
			}
			o.(*fitLabel).SetText(text)
		})
	t.ShowHeaderColumn = false
	t.CreateHeader = func() fyne.CanvasObject { return sectionTitle("") }
	t.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Col >= 0 && id.Col < len(heads) {
			o.(*widget.Label).SetText(heads[id.Col])
		}
	}
	for i, w := range widths {
		t.SetColumnWidth(i, w)
	}
	t.OnSelected = func(id widget.TableCellID) {
		t.UnselectAll()
		if p := s.current(); p != nil {
			if r, ok := s.rows.item(id.Row); ok {
				s.openForm(p, &r)
			}
		}
	}
	return t
}

// openRecordByID opens the form of record id (a signal was selected).
func (s *pipelinesScreen) openRecordByID(id int64) {
	crm := s.u.crm
	s.u.run.Go(func(ctx context.Context) func() {
		r, err := crm.Pipelines.FindRecord(ctx, id)
		var p *app.Pipeline
		if err == nil {
			p, err = crm.Pipelines.FindPipeline(ctx, r.PipelineID)
		}
		return func() {
			if err != nil {
				logError("open record", err)
				s.u.show(newInformation(lang.L("Pipelines"), errText(err), s.u.win))
				return
			}
			s.openForm(p, r)
		}
	})
}
