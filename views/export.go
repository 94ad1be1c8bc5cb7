package views

import (
	"context"
	"os"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/app/transfer"
)

// exportDialog is the Export… dialog: what (all or the current search),
// the format (CSV for Excel by default), and formula protection, on by
// default and explained. The file is written off the UI goroutine.
type exportDialog struct {
	u       *ui
	kind    string
	search  transfer.ExportOptions // the current search's filters
	scope   *widget.RadioGroup
	format  *widget.RadioGroup
	protect *widget.Check
	status  *widget.Label
	save    *widget.Button
	dlg     *dialog.CustomDialog
	// pickFn opens the save dialog (tests call write instead).
	pickFn func()
}

var exportFormats = []struct {
	f     transfer.ExportFormat
	label string
}{
	{transfer.CSVWithBOM, "CSV for Excel (UTF-8 with BOM)"},
	{transfer.CSVPlain, "CSV (plain UTF-8, for other programs)"},
	{transfer.XLSX, "Excel workbook (.xlsx)"},
}

// openExport opens the Export… dialog for kind; search holds the current
// screen's search (an empty query means the search is all).
func (u *ui) openExport(kind string, search transfer.ExportOptions) *exportDialog {
	d := &exportDialog{u: u, kind: kind, search: search}
	all := map[string]string{app.KindContact: lang.L("All contacts"), app.KindCompany: lang.L("All companies"),
		app.KindRecord: lang.L("All records of every pipeline")}[kind]
	d.scope = widget.NewRadioGroup([]string{all, lang.L("Only what the current search shows")}, nil)
	d.scope.SetSelected(all)
	if !d.hasSearch() {
		d.scope.Disable()
	}
	var fl []string
	for _, f := range exportFormats {
		fl = append(fl, lang.L(f.label))
	}
	d.format = widget.NewRadioGroup(fl, nil)
	d.format.SetSelected(fl[0])
	d.format.Required = true
	d.protect = widget.NewCheck(lang.L("Protect against spreadsheet formulas (recommended)"), nil)
	d.protect.SetChecked(true)
	about := dimLabel(lang.L("Cells that start with = + - or @ get a ' in front, so Excel shows them as text and never runs them as formulas (OWASP's advice against CSV injection). Tandem's import removes the ' again. Turn this off only for a program that needs the exact text."))
	about.Wrapping = fyne.TextWrapWord
	d.status = widget.NewLabel("")
	d.status.Wrapping = fyne.TextWrapWord
	d.save = widget.NewButton(lang.L("Export…"), func() { d.pickFn() })
	d.save.Importance = widget.HighImportance
	cancel := widget.NewButton(lang.L("Close"), func() { d.dlg.Hide() })
	body := container.NewVBox(
		sectionTitle(lang.L("What")), d.scope,
		sectionTitle(lang.L("Format")), d.format,
		sectionTitle(lang.L("Safety")), d.protect, about,
		d.status,
		container.NewBorder(nil, nil, nil, container.NewHBox(cancel, d.save)),
	)
	d.dlg = dialog.NewCustomWithoutButtons(lang.L("Export"), body, u.win)
	d.dlg.Resize(fyne.NewSize(640, 520))
	d.pickFn = d.pick
	u.show(d.dlg)
	return d
}

func (d *exportDialog) hasSearch() bool {
	s := d.search
	return s.Contacts.Query != "" || s.Companies.Query != "" || s.Records.Query != "" || s.Records.PipelineID != 0
}

func (d *exportDialog) options() transfer.ExportOptions {
	o := transfer.ExportOptions{Kind: d.kind, Raw: !d.protect.Checked, Format: transfer.CSVWithBOM, Pipelines: d.search.Pipelines}
	for _, f := range exportFormats {
		if lang.L(f.label) == d.format.Selected {
			o.Format = f.f
		}
	}
	if d.scope.Selected != d.scope.Options[0] {
		o.Contacts, o.Companies, o.Records = d.search.Contacts, d.search.Companies, d.search.Records
	}
	return o
}

func (d *exportDialog) pick() {
	ext := ".csv"
	if d.options().Format == transfer.XLSX {
		ext = ".xlsx"
	}
	name := map[string]string{app.KindContact: lang.L("contacts"), app.KindCompany: lang.L("companies"), app.KindRecord: lang.L("records")}[d.kind]
	fd := dialog.NewFileSave(func(wc fyne.URIWriteCloser, err error) {
		if err != nil || wc == nil {
			return
		}
		path := wc.URI().Path()
		wc.Close()
		d.write(path)
	}, d.u.win)
	fd.SetFileName(name + ext)
	fd.Resize(fyne.NewSize(900, 600))
	fd.Show()
}

// write exports to path off the UI goroutine: into path.part, renamed at
// the end, so a failed export never leaves half a file behind.
func (d *exportDialog) write(path string) {
	opts := d.options()
	svc := d.u.crm.Export
	post := d.u.run.post
	d.save.Disable()
	d.status.Importance = widget.MediumImportance
	d.status.SetText(lang.L("Exporting…"))
	opts.Progress = func(n int) {
		post(func() { d.status.SetText(lang.N("Exporting… {{.Count}} rows", n, map[string]any{"Count": n})) })
	}
	d.u.run.Go(func(ctx context.Context) func() {
		n, err := exportTo(ctx, path, svc, opts)
		return func() {
			d.save.Enable()
			if err != nil {
				logError("export", err)
				d.status.Importance = widget.DangerImportance
				d.status.SetText(errText(err))
				return
			}
			d.status.Importance = widget.SuccessImportance
			d.status.SetText(lang.N("Exported {{.Count}} rows to {{.File}}.", n, map[string]any{"Count": n, "File": fileName(path)}))
		}
	})
}

func exportTo(ctx context.Context, path string, svc app.ExportService, opts transfer.ExportOptions) (int, error) {
	tmp := path + ".part"
	f, err := os.Create(tmp)
	if err != nil {
		return 0, &app.Error{Code: app.EINVALID, Message: "The file cannot be written there. Choose another folder.", Err: err}
	}
	n, err := transfer.Export(ctx, f, svc, opts)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp)
		return n, err
	}
	return n, os.Rename(tmp, path)
}

// currentKind is the kind of record the current screen shows.
func (m *mainWindow) currentKind() string {
	switch m.current {
	case 1:
		return app.KindCompany
	case 2:
		return app.KindRecord
	}
	return app.KindContact
}

func (m *mainWindow) openImport() {
	if m.crm.Imports == nil || len(m.open) > 0 {
		return
	}
	m.importing = m.ui.openImport(m.currentKind(), m.refreshAll)
}

func (m *mainWindow) openExport() {
	if m.crm.Export == nil || len(m.open) > 0 {
		return
	}
	kind := m.currentKind()
	var s transfer.ExportOptions
	switch kind {
	case app.KindContact:
		s.Contacts = m.contacts.filter()
	case app.KindCompany:
		s.Companies = app.CompanyFilter{Query: strings.TrimSpace(m.companies.search.Text)}
	case app.KindRecord:
		s.Records = app.RecordFilter{PipelineID: m.pipelines.cur, Query: strings.TrimSpace(m.pipelines.search.Text)}
		s.Pipelines = map[int64]string{}
		for _, p := range m.pipelines.pipelines {
			s.Pipelines[p.ID] = p.Name
		}
	}
	m.exporting = m.ui.openExport(kind, s)
}
