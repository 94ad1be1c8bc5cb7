package views

import (
	"context"
	"errors"
	"io"
	"os"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/app/transfer"
)

// shortcutImport is Ctrl/Cmd+I, Import….
var shortcutImport = &desktop.CustomShortcut{KeyName: fyne.KeyI, Modifier: fyne.KeyModifierShortcutDefault}

// previewRows is how many rows the preview reads: only these, so a 100 MB
// file previews as fast as a small one.
const previewRows = 20

// importWizard is the Import… dialog: pick a file; check its encoding on a
// preview; map its columns, with the rows that would be refused and why;
// choose what to do with duplicates; watch the progress (Cancel stops
// between batches); read the summary, save the refused rows, or undo.
// Files are read and written only off the UI goroutine.
type importWizard struct {
	u     *ui
	after func() // reloads the screens once something was written

	kind      string
	path      string
	opts      transfer.OpenOptions
	det       transfer.Detection
	enc       transfer.Encoding
	delim     rune
	sheets    []string
	sheet     string
	header    []string
	sample    []*transfer.Record
	mapping   []string
	pipelines []app.Pipeline
	pipeline  *app.Pipeline
	dup       app.OnDuplicate

	step    int
	dlg     *dialog.CustomDialog
	title   *widget.Label
	body    *fyne.Container
	back    *widget.Button
	next    *widget.Button
	close   *widget.Button
	problem *widget.Label // why Next is not possible, or what failed

	// While running and after.
	cancel   context.CancelFunc
	bar      *widget.ProgressBar
	counts   *widget.Label
	summary  *transfer.Summary
	refused  string // a temporary file with the refused rows
	undoRes  *app.UndoResult
	loadGen  int
	chooseFn func() // opens the file picker (tests call choose instead)
}

// openImport opens the Import… dialog for kind (KindContact, KindCompany
// or KindRecord, the current screen's).
func (u *ui) openImport(kind string, after func()) *importWizard {
	w := &importWizard{u: u, kind: kind, after: after, dup: app.DupSkip}
	w.title = heading("")
	w.body = container.NewStack()
	w.problem = widget.NewLabel("")
	w.problem.Importance = widget.DangerImportance
	w.problem.Wrapping = fyne.TextWrapWord
	w.back = widget.NewButton(lang.L("Back"), func() { w.show(w.step - 1) })
	w.next = widget.NewButton(lang.L("Next"), w.forward)
	w.next.Importance = widget.HighImportance
	w.close = widget.NewButton(lang.L("Cancel"), w.dismiss)
	buttons := container.NewHBox(w.close, widget.NewLabel(""), w.back, w.next)
	content := container.NewBorder(w.title, container.NewVBox(w.problem, container.NewBorder(nil, nil, nil, buttons)), nil, nil, w.body)
	w.dlg = dialog.NewCustomWithoutButtons(lang.L("Import"), content, u.win)
	w.dlg.Resize(fyne.NewSize(960, 640))
	w.chooseFn = w.pickFile
	u.show(w.dlg)
	w.loadPipelines()
	w.show(0)
	return w
}

func (w *importWizard) dismiss() {
	if w.cancel != nil && w.summary == nil {
		w.cancel() // the summary follows, then Close
		return
	}
	w.cleanup()
	w.dlg.Hide()
}

func (w *importWizard) cleanup() {
	if w.refused != "" {
		os.Remove(w.refused)
		w.refused = ""
	}
}

func (w *importWizard) loadPipelines() {
	svc := w.u.crm.Pipelines
	w.u.run.Go(func(ctx context.Context) func() {
		ps, err := svc.ListPipelines(ctx)
		return func() {
			if err != nil {
				logError("import: list pipelines", err)
				return
			}
			w.pipelines = ps
			if w.pipeline == nil && len(ps) > 0 {
				w.pipeline = &w.pipelines[0]
			}
			if w.step == 0 {
				w.show(0)
			}
		}
	})
}

// show renders step i: 0 file, 1 encoding and preview, 2 columns,
// 3 duplicates, 4 progress, 5 summary.
func (w *importWizard) show(i int) {
	if i < 0 {
		return
	}
	w.step = i
	w.problem.SetText("")
	w.back.Show()
	w.next.Show()
	w.next.Enable()
	w.next.SetText(lang.L("Next"))
	w.close.SetText(lang.L("Cancel"))
	var body fyne.CanvasObject
	switch i {
	case 0:
		w.title.SetText(lang.L("Step 1 of 4: choose a file"))
		w.back.Hide()
		body = w.fileStep()
		if w.path == "" || w.header == nil {
			w.next.Disable()
		}
	case 1:
		w.title.SetText(lang.L("Step 2 of 4: check the text"))
		body = w.previewStep()
	case 2:
		w.title.SetText(lang.L("Step 3 of 4: match the columns"))
		body = w.columnsStep()
	case 3:
		w.title.SetText(lang.L("Step 4 of 4: duplicates"))
		w.next.SetText(lang.L("Import"))
		body = w.duplicatesStep()
	case 4:
		w.title.SetText(lang.L("Importing…"))
		w.back.Hide()
		w.next.Hide()
		body = w.progressStep()
	case 5:
		w.title.SetText(lang.L("Import finished"))
		w.back.Hide()
		w.next.Hide()
		w.close.SetText(lang.L("Close"))
		body = w.summaryStep()
	}
	w.body.Objects = []fyne.CanvasObject{body}
	w.body.Refresh()
}

func (w *importWizard) forward() {
	switch w.step {
	case 2:
		if err := transfer.CheckMapping(w.kind, w.mapping); err != nil {
			w.problem.SetText(errText(err))
			return
		}
		if w.kind == app.KindRecord && w.pipeline == nil {
			w.problem.SetText(lang.L("Create a pipeline first: records are imported into one."))
			return
		}
	case 3:
		w.start()
		return
	}
	w.show(w.step + 1)
}

var kindLabels = []struct{ kind, label string }{
	{app.KindContact, "Contacts"}, {app.KindCompany, "Companies"}, {app.KindRecord, "Pipeline records"},
}

func (w *importWizard) fileStep() fyne.CanvasObject {
	var opts []string
	sel := ""
	for _, k := range kindLabels {
		opts = append(opts, lang.L(k.label))
		if k.kind == w.kind {
			sel = lang.L(k.label)
		}
	}
	what := widget.NewRadioGroup(opts, nil)
	what.Horizontal = true
	what.SetSelected(sel)
	what.OnChanged = func(s string) {
		for _, k := range kindLabels {
			if lang.L(k.label) == s && k.kind != w.kind {
				w.kind = k.kind
				w.mapping = transfer.Guess(w.kind, w.header)
				w.show(0)
			}
		}
	}
	items := []fyne.CanvasObject{sectionTitle(lang.L("What do you want to import?")), what}
	if w.kind == app.KindRecord {
		var names []string
		for _, p := range w.pipelines {
			names = append(names, p.Name)
		}
		pick := widget.NewSelect(names, func(s string) {
			for i := range w.pipelines {
				if w.pipelines[i].Name == s {
					w.pipeline = &w.pipelines[i]
				}
			}
		})
		if w.pipeline != nil {
			pick.SetSelected(w.pipeline.Name)
		}
		items = append(items, container.NewBorder(nil, nil, widget.NewLabel(lang.L("Into the pipeline")), nil, pick))
	}
	name := lang.L("No file chosen yet.")
	if w.path != "" {
		name = fileName(w.path)
	}
	choose := widget.NewButton(lang.L("Choose file…"), func() { w.chooseFn() })
	items = append(items, widget.NewSeparator(), sectionTitle(lang.L("File")),
		container.NewBorder(nil, nil, choose, nil, widget.NewLabel(name)),
		dimLabel(lang.L("CSV or TSV (any encoding Excel writes, Shift_JIS included), Excel workbooks (.xlsx), vCard (.vcf) for contacts.")))
	return container.NewVScroll(container.NewVBox(items...))
}

func fileName(path string) string {
	if i := strings.LastIndexAny(path, `/\`); i >= 0 {
		return path[i+1:]
	}
	return path
}

// pickFile opens Fyne's file dialog.
func (w *importWizard) pickFile() {
	fd := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		path := r.URI().Path()
		r.Close()
		w.choose(path)
	}, w.u.win)
	fd.SetFilter(storage.NewExtensionFileFilter([]string{".csv", ".tsv", ".txt", ".xlsx", ".vcf", ".CSV", ".TXT", ".XLSX", ".VCF"}))
	fd.Resize(fyne.NewSize(900, 600))
	fd.Show()
}

// choose takes the file at path: detection and a fresh mapping.
func (w *importWizard) choose(path string) {
	w.path = path
	w.opts = transfer.OpenOptions{}
	w.mapping = nil
	w.load(func() { w.show(0) })
}

// load opens the file with w.opts off the UI goroutine and reads the
// preview rows, then runs done on the UI goroutine.
func (w *importWizard) load(done func()) {
	w.loadGen++
	gen := w.loadGen
	path, opts, kind := w.path, w.opts, w.kind
	w.next.Disable()
	w.u.run.Go(func(ctx context.Context) func() {
		f, err := transfer.Open(path, opts)
		var rows []*transfer.Record
		if err == nil {
			defer f.Close()
			for len(rows) < previewRows {
				r, e := f.Next()
				if errors.Is(e, io.EOF) {
					break
				}
				if e != nil {
					err = e
					break
				}
				rows = append(rows, r)
			}
		}
		return func() {
			if gen != w.loadGen {
				return
			}
			w.next.Enable()
			if err != nil {
				logError("import: open", err)
				w.header, w.sample = nil, nil
				done()
				w.problem.SetText(errText(err))
				w.next.Disable()
				return
			}
			w.det, w.enc, w.delim, w.sheets, w.sheet = f.Detected, f.Encoding, f.Delimiter, f.Sheets, f.Sheet
			if w.mapping == nil || len(w.mapping) != len(f.Header()) {
				w.mapping = transfer.Guess(kind, f.Header())
			}
			w.header, w.sample = f.Header(), rows
			done()
		}
	})
}

var delimiters = []struct {
	r     rune
	label string
}{{',', "Comma"}, {'\t', "Tab"}, {';', "Semicolon"}}

func (w *importWizard) previewStep() fyne.CanvasObject {
	form := container.New(layout.NewFormLayout())
	switch w.det.Format {
	case transfer.FormatXLSX:
		sheet := widget.NewSelect(w.sheets, func(s string) {
			if s != w.sheet {
				w.opts.Sheet = s
				w.mapping = nil
				w.load(func() { w.show(1) })
			}
		})
		sheet.SetSelected(w.sheet)
		form.Add(widget.NewLabel(lang.L("Sheet")))
		form.Add(sheet)
	default:
		detected := w.det.Encoding.Label()
		if w.det.BOM {
			detected = lang.L("{{.Encoding}} with a byte-order mark", map[string]any{"Encoding": detected})
		}
		form.Add(widget.NewLabel(lang.L("Detected")))
		form.Add(widget.NewLabel(detected))
		var labels []string
		for _, e := range transfer.Encodings {
			labels = append(labels, e.Label())
		}
		enc := widget.NewSelect(labels, func(s string) {
			for _, e := range transfer.Encodings {
				if e.Label() == s && e != w.enc {
					w.opts.Encoding = e
					w.load(func() { w.show(1) })
				}
			}
		})
		enc.SetSelected(w.enc.Label())
		form.Add(widget.NewLabel(lang.L("Read as")))
		form.Add(enc)
		if w.det.Format == transfer.FormatDelimited {
			var ds []string
			cur := ""
			for _, d := range delimiters {
				ds = append(ds, lang.L(d.label))
				if d.r == w.delim {
					cur = lang.L(d.label)
				}
			}
			sep := widget.NewSelect(ds, func(s string) {
				for _, d := range delimiters {
					if lang.L(d.label) == s && d.r != w.delim {
						w.opts.Delimiter = d.r
						w.mapping = nil
						w.load(func() { w.show(1) })
					}
				}
			})
			sep.SetSelected(cur)
			form.Add(widget.NewLabel(lang.L("Separator")))
			form.Add(sep)
		}
	}
	bad := 0
	for _, r := range w.sample {
		if r.Problem != "" {
			bad++
		}
	}
	hint := dimLabel(lang.L("Check that names and other text read correctly below. If they look garbled, choose another encoding."))
	hint.Wrapping = fyne.TextWrapWord
	items := []fyne.CanvasObject{form, hint}
	if bad > 0 {
		warn := widget.NewLabel(lang.N("{{.Count}} rows of the preview cannot be read as they are: see the last column.", bad, map[string]any{"Count": bad}))
		warn.Importance = widget.WarningImportance
		warn.Wrapping = fyne.TextWrapWord
		items = append(items, warn)
	}
	cols := append(append([]string{}, w.header...), lang.L("Problem"))
	table := grid(cols, len(w.sample), func(row, col int) string {
		r := w.sample[row]
		if col == len(w.header) {
			if r.Problem == "" {
				return ""
			}
			return lang.L(r.Problem, r.ProblemArgs)
		}
		if col < len(r.Fields) {
			return r.Fields[col]
		}
		return ""
	})
	table.SetColumnWidth(len(cols)-1, 420)
	return container.NewBorder(container.NewVBox(items...), nil, nil, nil, table)
}

// fieldLabel is the translated name of a field key (or a Go field name
// from a validation error).
func fieldLabel(kind, key string) string {
	key = transfer.FieldKey(key)
	for _, f := range transfer.FieldsOf(kind) {
		if f.Key == key {
			return lang.L(f.Label)
		}
	}
	return key
}

// describeRefusal is a refusal as the person reads it, translated.
func describeRefusal(kind string, e app.RowError) string {
	msg := lang.L(e.Message, e.Args)
	if e.Field == "" {
		return msg
	}
	return fieldLabel(kind, e.Field) + ": " + msg
}

func describeAll(kind string, errs []app.RowError) string {
	if len(errs) == 0 {
		return ""
	}
	parts := make([]string, len(errs))
	for i, e := range errs {
		parts[i] = describeRefusal(kind, e)
	}
	return strings.Join(parts, "; ")
}

func (w *importWizard) mapper() transfer.Mapper {
	return transfer.Mapper{Kind: w.kind, Header: w.header, Mapping: w.mapping, Pipeline: w.pipeline, Delim: w.delim}
}

func (w *importWizard) columnsStep() fyne.CanvasObject {
	fields := transfer.FieldsOf(w.kind)
	options := []string{lang.L("Skip")}
	for _, f := range fields {
		options = append(options, lang.L(f.Label))
	}
	preview := container.NewStack()
	refresh := func() { preview.Objects = []fyne.CanvasObject{w.mappedPreview()}; preview.Refresh() }
	form := container.New(layout.NewFormLayout())
	for i, h := range w.header {
		sel := widget.NewSelect(options, nil)
		sel.SetSelectedIndex(0)
		for j, f := range fields {
			if f.Key == w.mapping[i] {
				sel.SetSelectedIndex(j + 1)
			}
		}
		sel.OnChanged = func(string) {
			if k := sel.SelectedIndex(); k <= 0 {
				w.mapping[i] = transfer.KeySkip
			} else {
				w.mapping[i] = fields[k-1].Key
			}
			refresh()
		}
		label := h
		if strings.TrimSpace(label) == "" {
			label = lang.L("(no name)")
		}
		form.Add(widget.NewLabel(label))
		form.Add(sel)
	}
	refresh()
	hint := dimLabel(lang.L("Each column of the file goes into the Tandem field chosen beside it. The preview shows the first rows as Tandem will store them."))
	hint.Wrapping = fyne.TextWrapWord
	split := container.NewVSplit(container.NewVScroll(form), container.NewBorder(sectionTitle(lang.L("Preview")), nil, nil, nil, preview))
	split.Offset = 0.45
	return container.NewBorder(hint, nil, nil, nil, split)
}

// mappedPreview shows the sample rows as they would be stored, with the
// reason each refused row would be refused.
func (w *importWizard) mappedPreview() fyne.CanvasObject {
	mp := w.mapper()
	var keys []string
	seen := map[string]bool{}
	for _, f := range transfer.FieldsOf(w.kind) {
		for _, k := range w.mapping {
			if k == f.Key && !seen[k] {
				keys = append(keys, k)
				seen[k] = true
			}
		}
	}
	cols := []string{lang.L("Row"), lang.L("Refused because")}
	for _, k := range keys {
		cols = append(cols, fieldLabel(w.kind, k))
	}
	ms := make([]*transfer.Mapped, len(w.sample))
	refused := 0
	for i, r := range w.sample {
		ms[i] = mp.Map(r)
		if ms[i].Refused() {
			refused++
		}
	}
	table := grid(cols, len(ms), func(row, col int) string {
		m := ms[row]
		switch {
		case col == 0:
			return lang.L("row {{.Row}}", map[string]any{"Row": m.Record.Row})
		case col == 1:
			return describeAll(w.kind, m.Refusals)
		}
		return storedValue(w.kind, m, keys[col-2])
	})
	table.SetColumnWidth(0, 90)
	table.SetColumnWidth(1, 380)
	note := lang.N("{{.Count}} of these rows would be refused.", refused, map[string]any{"Count": refused})
	if refused == 0 {
		note = lang.L("None of these rows would be refused.")
	}
	l := widget.NewLabel(note)
	if refused > 0 {
		l.Importance = widget.WarningImportance
	}
	return container.NewBorder(l, nil, nil, nil, table)
}

// storedValue is what the import would store in field key of m.
func storedValue(kind string, m *transfer.Mapped, key string) string {
	switch kind {
	case app.KindCompany:
		c := m.Company
		return map[string]string{"name": c.Name, "email": c.Email, "website": c.Website, "phone": c.Phone, "industry": c.Industry,
			"city": c.City, "country": c.Country, "notes": c.Notes, transfer.KeyAddNotes: c.Notes}[key]
	case app.KindRecord:
		r := m.Item
		var emails []string
		for _, c := range r.Contacts {
			emails = append(emails, c.Email)
		}
		return map[string]string{"name": r.Name, "stage": r.StageName, "amount": app.FormatAmount(r.Amount, r.Currency),
			"currency": r.Currency, "closing_date": r.ClosingDate, "company": r.CompanyName, "contact_email": strings.Join(emails, ", "),
			"notes": r.Notes, transfer.KeyAddNotes: r.Notes}[key]
	}
	c := m.Contact
	return map[string]string{"full_name": c.DisplayName(), "last_name": c.LastName, "first_name": c.FirstName, "email": c.Email,
		"phone": c.Phone, "mobile": c.Mobile, "title": c.Title, "company": c.CompanyName, "notes": c.Notes, transfer.KeyAddNotes: c.Notes}[key]
}

var dupChoices = []struct {
	dup          app.OnDuplicate
	label, about string
}{
	{app.DupSkip, "Skip them", "Keep the record already in Tandem as it is."},
	{app.DupUpdate, "Update the existing record", "Fill the existing record with the file's values; empty cells change nothing."},
	{app.DupCreate, "Create another record anyway", "Both will be in Tandem."},
}

func (w *importWizard) duplicatesStep() fyne.CanvasObject {
	what := map[string]string{
		app.KindContact: lang.L("A row is a duplicate when a contact with the same email is already in Tandem (or earlier in the file)."),
		app.KindCompany: lang.L("A row is a duplicate when a company with the same name is already in Tandem (or earlier in the file)."),
		app.KindRecord:  lang.L("A row is a duplicate when a record with the same name is already in the pipeline (or earlier in the file)."),
	}[w.kind]
	intro := widget.NewLabel(what)
	intro.Wrapping = fyne.TextWrapWord
	var labels []string
	for _, c := range dupChoices {
		labels = append(labels, lang.L(c.label))
	}
	about := dimLabel("")
	about.Wrapping = fyne.TextWrapWord
	radio := widget.NewRadioGroup(labels, func(s string) {
		for _, c := range dupChoices {
			if lang.L(c.label) == s {
				w.dup = c.dup
				about.SetText(lang.L(c.about))
			}
		}
	})
	for _, c := range dupChoices {
		if c.dup == w.dup {
			radio.SetSelected(lang.L(c.label))
		}
	}
	undo := dimLabel(lang.L("You can undo the whole import afterwards, until the next import."))
	undo.Wrapping = fyne.TextWrapWord
	return container.NewVBox(intro, radio, about, widget.NewSeparator(), undo)
}

func (w *importWizard) progressStep() fyne.CanvasObject {
	w.bar = widget.NewProgressBar()
	w.counts = widget.NewLabel(lang.L("Starting…"))
	w.close.SetText(lang.L("Cancel"))
	return container.NewVBox(widget.NewLabel(fileName(w.path)), w.bar, w.counts)
}

// start runs the import off the UI goroutine, posting progress.
func (w *importWizard) start() {
	w.show(4)
	ctx, cancel := context.WithCancel(w.u.ctx)
	w.cancel = cancel
	path, opts, kind, dup, mp := w.path, w.opts, w.kind, w.dup, w.mapper()
	mp.Mapping = append([]string(nil), w.mapping...)
	svc := w.u.crm.Imports
	post := w.u.run.post
	w.u.run.Go(func(context.Context) func() {
		defer cancel()
		f, err := transfer.Open(path, opts)
		if err != nil {
			return func() { w.finish(nil, err) }
		}
		defer f.Close()
		tmp, err := os.CreateTemp("", "tandem-refused-*.csv")
		if err != nil {
			return func() { w.finish(nil, err) }
		}
		defer tmp.Close()
		sum, err := transfer.Import(ctx, f, svc, transfer.Options{
			Mapper: mp, OnDuplicate: dup, Source: fileName(path), Refused: tmp,
			ReasonHeader: lang.L("Reason"), Describe: func(e app.RowError) string { return describeRefusal(kind, e) },
			Progress: func(p transfer.Progress) {
				done := 0.0
				if f.Size > 0 && f.Read() > 0 {
					done = float64(f.Read()) / float64(f.Size)
				}
				post(func() { w.showProgress(p, done) })
			},
		})
		name := tmp.Name()
		return func() {
			w.refused = name
			w.finish(sum, err)
		}
	})
}

func (w *importWizard) showProgress(p transfer.Progress, done float64) {
	if w.bar == nil || w.step != 4 {
		return
	}
	if done > 0 {
		w.bar.SetValue(done)
	}
	w.counts.SetText(lang.L("{{.Rows}} rows read: {{.Created}} created, {{.Updated}} updated, {{.Skipped}} skipped, {{.Refused}} refused",
		map[string]any{"Rows": p.Rows, "Created": p.Created, "Updated": p.Updated, "Skipped": p.Skipped, "Refused": p.Refused}))
}

func (w *importWizard) finish(sum *transfer.Summary, err error) {
	w.summary = sum
	if sum == nil {
		w.summary = &transfer.Summary{}
	}
	if w.summary.Batch.Created+w.summary.Batch.Updated > 0 && w.after != nil {
		w.after()
	}
	w.show(5)
	if err != nil {
		logError("import", err)
		w.problem.SetText(errText(err))
	}
}

func (w *importWizard) summaryStep() fyne.CanvasObject {
	s := w.summary
	b := s.Batch
	form := container.New(layout.NewFormLayout())
	for _, kv := range []struct {
		k string
		v int
	}{{"Created", b.Created}, {"Updated", b.Updated}, {"Skipped (duplicates)", b.Skipped}, {"Refused", b.Refused}} {
		form.Add(widget.NewLabel(lang.L(kv.k)))
		form.Add(widget.NewLabel(lang.N("{{.Count}} rows", kv.v, map[string]any{"Count": kv.v})))
	}
	items := []fyne.CanvasObject{form}
	if s.Cancelled {
		l := widget.NewLabel(lang.L("Cancelled: the rows before were imported. Undo import takes them back."))
		l.Importance = widget.WarningImportance
		items = append(items, l)
	}
	var actions []fyne.CanvasObject
	if b.Refused > 0 && w.refused != "" {
		actions = append(actions, widget.NewButton(lang.L("Save refused rows…"), w.pickRefused))
	}
	if b.ID != 0 && b.Created+b.Updated > 0 && w.undoRes == nil {
		undo := widget.NewButton(lang.L("Undo import"), w.undo)
		undo.Importance = widget.DangerImportance
		actions = append(actions, undo)
	}
	if w.undoRes != nil {
		r := w.undoRes
		l := widget.NewLabel(lang.L("Import undone: {{.Removed}} removed, {{.Restored}} restored, {{.Kept}} kept because they were changed since.",
			map[string]any{"Removed": r.Removed, "Restored": r.Restored, "Kept": r.Kept}))
		l.Importance = widget.SuccessImportance
		l.Wrapping = fyne.TextWrapWord
		items = append(items, l)
	}
	items = append(items, container.NewHBox(actions...))
	var list fyne.CanvasObject = widget.NewLabel("")
	if len(s.Refusals) > 0 {
		list = grid([]string{lang.L("Row"), lang.L("Refused because")}, len(s.Refusals), func(row, col int) string {
			r := s.Refusals[row]
			if col == 0 {
				return lang.L("row {{.Row}}", map[string]any{"Row": r.Row})
			}
			return describeAll(w.kind, r.Errors)
		})
		list.(*widget.Table).SetColumnWidth(0, 90)
		list.(*widget.Table).SetColumnWidth(1, 800)
		items = append(items, sectionTitle(lang.L("Refused rows")))
	}
	return container.NewBorder(container.NewVBox(items...), nil, nil, nil, list)
}

func (w *importWizard) pickRefused() {
	fd := dialog.NewFileSave(func(wc fyne.URIWriteCloser, err error) {
		if err != nil || wc == nil {
			return
		}
		path := wc.URI().Path()
		wc.Close()
		w.saveRefused(path)
	}, w.u.win)
	fd.SetFileName(strings.TrimSuffix(fileName(w.path), ".csv") + "-refused.csv")
	fd.Resize(fyne.NewSize(900, 600))
	fd.Show()
}

// saveRefused copies the refused rows to path, off the UI goroutine.
func (w *importWizard) saveRefused(path string) {
	src := w.refused
	w.u.run.Go(func(context.Context) func() {
		err := copyFile(src, path)
		return func() {
			if err != nil {
				w.u.showError("save refused rows", err)
				return
			}
			w.problem.Importance = widget.SuccessImportance
			w.problem.SetText(lang.L("The refused rows were saved to {{.File}}: fix them and import that file.", map[string]any{"File": fileName(path)}))
		}
	})
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return &app.Error{Code: app.EINVALID, Message: "The file cannot be read.", Err: err}
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		return &app.Error{Code: app.EINVALID, Message: "The file cannot be written there. Choose another folder.", Err: err}
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return &app.Error{Code: app.EINVALID, Message: "The file cannot be written there. Choose another folder.", Err: err}
	}
	return out.Close()
}

func (w *importWizard) undo() {
	svc := w.u.crm.Imports
	id := w.summary.Batch.ID
	w.u.run.Go(func(ctx context.Context) func() {
		res, err := svc.UndoImport(ctx, id)
		return func() {
			if err != nil {
				w.u.showError("undo import", err)
				return
			}
			w.undoRes = &res
			if w.after != nil {
				w.after()
			}
			w.show(5)
		}
	})
}

// grid is a read-only table with a header row; cell gives the text of
// a data row's column.
func grid(cols []string, rows int, cell func(row, col int) string) *widget.Table {
	t := widget.NewTableWithHeaders(
		func() (int, int) { return rows, len(cols) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(id widget.TableCellID, o fyne.CanvasObject) {
			o.(*widget.Label).SetText(strings.ReplaceAll(cell(id.Row, id.Col), "\n", " ⏎ "))
		})
	t.ShowHeaderColumn = false
	t.CreateHeader = func() fyne.CanvasObject {
		return widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	t.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Row < 0 && id.Col >= 0 && id.Col < len(cols) {
			o.(*widget.Label).SetText(cols[id.Col])
		}
	}
	for i := range cols {
		t.SetColumnWidth(i, 150)
	}
	return t
}

// undoLastImport asks, then undoes the newest import (the menu item).
func (u *ui) undoLastImport(after func()) {
	svc := u.crm.Imports
	u.run.Go(func(ctx context.Context) func() {
		b, err := svc.LastImport(ctx)
		return func() {
			if err != nil {
				if app.ErrorCode(err) != app.ENOTFOUND {
					u.showError("last import", err)
					return
				}
				u.show(newInformation(lang.L("Undo last import"), lang.L("There is no import to undo."), u.win))
				return
			}
			msg := lang.L("Undo the import of {{.File}}? The {{.Created}} records it created are removed and the {{.Updated}} it updated get their earlier values back. Records changed since are kept.",
				map[string]any{"File": b.Source, "Created": b.Created, "Updated": b.Updated})
			u.confirmAction(lang.L("Undo last import"), msg, lang.L("Undo import"), func() {
				u.run.Go(func(ctx context.Context) func() {
					res, err := svc.UndoImport(ctx, b.ID)
					return func() {
						if err != nil {
							u.showError("undo import", err)
							return
						}
						after()
						u.show(newInformation(lang.L("Undo last import"),
							lang.L("Import undone: {{.Removed}} removed, {{.Restored}} restored, {{.Kept}} kept because they were changed since.",
								map[string]any{"Removed": res.Removed, "Restored": res.Restored, "Kept": res.Kept}), u.win))
					}
				})
			})
		}
	})
}

// confirmAction asks before a weighty action, with the action's name on
// the button (in the danger colour) and Cancel.
func (u *ui) confirmAction(title, msg, verb string, yes func()) {
	d := newConfirm(title, msg, func(ok bool) {
		if ok {
			yes()
		}
	}, u.win)
	d.SetConfirmText(verb)
	d.SetDismissText(lang.L("Cancel"))
	d.SetConfirmImportance(widget.DangerImportance)
	u.show(d)
}
