package views

import (
	"context"
	"image/color"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tandem-crm/tandem/app"
)

// maxBoardRecords bounds how many records of one pipeline the board loads
// (a variable so that a test can lower it).
var maxBoardRecords = 1000

// columnWidth is the width of one stage column on the board.
const columnWidth = 250

// pipelinesScreen shows one pipeline at a time, as a board of stage columns
// with record cards or as a table, and manages its stages.
type pipelinesScreen struct {
	u         *ui
	pipelines []app.Pipeline
	cur       int64 // id of the pipeline shown
	records   []app.Record
	picker    *keySelect
	mode      *widget.RadioGroup
	search    *entry
	info      *widget.Label
	body      *fyne.Container
	table     *widget.Table
	root      fyne.CanvasObject
	deb       debouncer
	gen       int
	form      *recordForm
	// picking is true while refresh sets the picker, so it does not reload.
	picking bool
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
	s.mode.OnChanged = func(string) { s.rebuild() }
	s.search = newEntry(u, lang.L("Filter records"))
	s.search.OnChanged = func(string) { s.deb.call(s.refresh) }
	s.info = widget.NewLabel("")
	s.info.Importance = widget.LowImportance
	s.info.Truncation = fyne.TextTruncateEllipsis
	s.table = s.newTable()

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
		s.u.show(dialog.NewInformation(lang.L("New record"), lang.L("Create a pipeline with at least one stage first."), s.u.win))
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

// refresh reloads the pipelines and the current pipeline's records.
func (s *pipelinesScreen) refresh() {
	s.gen++
	gen, cur, q := s.gen, s.cur, strings.TrimSpace(s.search.Text)
	svc := s.u.crm.Pipelines
	s.u.run.Go(func(ctx context.Context) func() {
		ps, err := svc.ListPipelines(ctx)
		var recs []app.Record
		if err == nil && len(ps) > 0 {
			found := false
			for _, p := range ps {
				found = found || p.ID == cur
			}
			if !found {
				cur = ps[0].ID
			}
			recs, err = svc.ListRecords(ctx, app.RecordFilter{PipelineID: cur, Query: q, Limit: maxBoardRecords})
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
			s.pipelines, s.cur, s.records = ps, cur, recs
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

// rebuild redraws the board or the table from the loaded data.
func (s *pipelinesScreen) rebuild() {
	p := s.current()
	switch {
	case p == nil:
		s.info.SetText("")
		s.body.Objects = []fyne.CanvasObject{emptyState(lang.L("No pipelines yet. Create one with “New pipeline”."))}
	case s.mode.Selected == lang.L("List"):
		s.body.Objects = []fyne.CanvasObject{s.table}
		s.table.Refresh()
	default:
		s.body.Objects = []fyne.CanvasObject{s.board(p)}
	}
	if p != nil {
		// One total per currency, in the order the currencies first appear.
		var curs []string
		totals := map[string]int64{}
		for _, r := range s.records {
			if _, ok := totals[r.Currency]; !ok {
				curs = append(curs, r.Currency)
			}
			totals[r.Currency] += r.Amount
		}
		parts := []string{lang.N("{{.Count}} records", len(s.records), map[string]any{"Count": len(s.records)})}
		if len(s.records) >= maxBoardRecords {
			parts[0] = lang.L("The first {{.Count}} records: filter to find others", map[string]any{"Count": len(s.records)})
		}
		for _, c := range curs {
			parts = append(parts, app.FormatAmount(totals[c], c))
		}
		s.info.SetText(strings.Join(parts, " · "))
	}
	s.body.Refresh()
}

// board lays the stages out as columns of record cards.
func (s *pipelinesScreen) board(p *app.Pipeline) fyne.CanvasObject {
	if len(p.Stages) == 0 {
		return emptyState(lang.L("This pipeline has no stages. Add one with “Add stage”."))
	}
	cols := container.NewHBox()
	for i, st := range p.Stages {
		cards := container.NewVBox()
		n := 0
		for _, r := range s.records {
			if r.StageID == st.ID {
				cards.Add(s.card(p, r))
				n++
			}
		}
		title := widget.NewLabel(rowText(st.Name))
		title.TextStyle = fyne.TextStyle{Bold: true}
		title.Truncation = fyne.TextTruncateEllipsis
		menu := widget.NewButtonWithIcon("", theme.MoreVerticalIcon(), nil)
		menu.Importance = widget.LowImportance
		menu.OnTapped = func() {
			pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(menu)
			widget.ShowPopUpMenuAtPosition(s.stageMenu(p, i), s.u.win.Canvas(), pos.AddXY(0, menu.Size().Height))
		}
		count := dimLabel(lang.N("{{.Count}} records", n, map[string]any{"Count": n}))
		head := container.NewBorder(nil, nil, nil, menu, container.NewVBox(title, count))
		if n == 0 {
			cards.Add(dimLabel(lang.L("No records")))
		}
		bg := canvas.NewRectangle(theme.Color(theme.ColorNameInputBackground))
		bg.CornerRadius = theme.Size(theme.SizeNameInputRadius)
		width := canvas.NewRectangle(color.Transparent)
		width.SetMinSize(fyne.NewSize(columnWidth, 0))
		col := container.NewBorder(head, nil, nil, nil, container.NewVScroll(cards))
		cols.Add(container.NewStack(width, bg, container.NewPadded(col)))
	}
	return container.NewHScroll(cols)
}

// card shows one record on the board.
func (s *pipelinesScreen) card(p *app.Pipeline, r app.Record) fyne.CanvasObject {
	name := widget.NewLabel(rowText(r.Name))
	name.TextStyle = fyne.TextStyle{Bold: true}
	name.Truncation = fyne.TextTruncateEllipsis
	lines := container.NewVBox(name, widget.NewLabel(app.FormatAmount(r.Amount, r.Currency)))
	if r.CompanyName != "" {
		lines.Add(dimLabel(rowText(r.CompanyName)))
	}
	if r.ClosingDate != "" {
		lines.Add(dimLabel(lang.L("Closes {{.Date}}", map[string]any{"Date": r.ClosingDate})))
	}
	edit := widget.NewButtonWithIcon(lang.L("Open"), theme.DocumentCreateIcon(), func() { s.openForm(p, &r) })
	edit.Importance = widget.LowImportance
	move := widget.NewButton(lang.L("Move to ▸"), nil)
	move.Importance = widget.LowImportance
	move.OnTapped = func() {
		pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(move)
		widget.ShowPopUpMenuAtPosition(s.moveMenu(p, r), s.u.win.Canvas(), pos.AddXY(0, move.Size().Height))
	}
	lines.Add(container.NewHBox(edit, layout.NewSpacer(), move))
	bg := canvas.NewRectangle(theme.Color(theme.ColorNameBackground))
	bg.CornerRadius = theme.Size(theme.SizeNameInputRadius)
	bg.StrokeColor = theme.Color(theme.ColorNameSeparator)
	bg.StrokeWidth = 1
	return container.NewStack(bg, container.NewPadded(lines))
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
				s.u.show(dialog.NewInformation(lang.L("Delete stage"),
					lang.L("This stage still has records. Move them to another stage first."), s.u.win))
			case action == "delete pipeline" && app.ErrorCode(err) == app.ECONFLICT:
				logError(action, err)
				s.u.show(dialog.NewInformation(lang.L("Delete pipeline"),
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

// newTable builds the list view: one row per record.
func (s *pipelinesScreen) newTable() *widget.Table {
	heads := []string{lang.L("Name"), lang.L("Stage"), lang.L("Amount"), lang.L("Company"), lang.L("Closing date"), lang.L("Primary contact")}
	widths := []float32{220, 130, 130, 190, 110, 170}
	t := widget.NewTableWithHeaders(
		func() (int, int) { return len(s.records), len(heads) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(id widget.TableCellID, o fyne.CanvasObject) {
			if id.Row >= len(s.records) {
				return
			}
			r := s.records[id.Row]
			text := ""
			switch id.Col {
			case 0:
				text = r.Name
			case 1:
				text = r.StageName
			case 2:
				text = app.FormatAmount(r.Amount, r.Currency)
			case 3:
				text = r.CompanyName
			case 4:
				text = r.ClosingDate
			case 5:
				if pc := r.PrimaryContact(); pc != nil {
					text = pc.Name
				}
			}
			o.(*widget.Label).SetText(text)
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
		if p := s.current(); p != nil && id.Row >= 0 && id.Row < len(s.records) {
			r := s.records[id.Row]
			s.openForm(p, &r)
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
				s.u.show(dialog.NewInformation(lang.L("Pipelines"), errText(err), s.u.win))
				return
			}
			s.openForm(p, r)
		}
	})
}
