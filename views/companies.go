package views

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/app/kana"
)

// companiesScreen is the Companies browser: a searchable, sortable list and
// the selected company's page with its contacts and pipeline records.
type companiesScreen struct {
	*browser[app.Company]
	form *companyForm
	// changed runs after a company was written, so other screens can reload.
	changed func()
}

func newCompaniesScreen(u *ui) *companiesScreen {
	s := &companiesScreen{}
	s.browser = newBrowser(u, browserSpec[app.Company]{
		searchHint: lang.L("Search companies"), addLabel: lang.L("New company"),
		emptyDetail: lang.L("Select a company to see the details."), logAction: "list companies", screen: lang.L("Companies"),
		countText: func(n int) string { return lang.N("{{.Count}} companies", n, map[string]any{"Count": n}) },
		lines: func(c app.Company) (string, string) {
			return c.Name, joinNonEmpty(" · ", c.NameReading, c.Industry, c.City, c.Country)
		},
		id:       func(c app.Company) int64 { return c.ID },
		refresh:  func() { s.refresh() },
		create:   func() { s.create() },
		selected: func(id int64) { s.showDetail(id) },
	})
	return s
}

func (s *companiesScreen) content() fyne.CanvasObject { return s.root }

func (s *companiesScreen) focusSearch() { s.u.win.Canvas().Focus(s.search) }

func (s *companiesScreen) create() { s.openForm(nil) }

// refresh reloads the list with the current search and sort.
func (s *companiesScreen) refresh() {
	f := app.CompanyFilter{Query: strings.TrimSpace(s.search.Text), Sort: app.SortByName}
	if s.byUpdated() {
		f.Sort = app.SortByUpdated
	}
	svc := s.u.crm.Companies
	s.list.count = func(ctx context.Context) (int, error) { return svc.CountCompanies(ctx, f) }
	s.list.fetch = func(ctx context.Context, offset, limit int) ([]app.Company, error) {
		g := f
		g.Offset, g.Limit = offset, limit
		return svc.ListCompanies(ctx, g)
	}
	s.list.reload()
	s.reloadIndex(func(ctx context.Context) ([]app.IndexEntry, error) { return svc.IndexCompanies(ctx, f) })
	if s.selectedID != 0 {
		s.showDetail(s.selectedID)
	}
}

// showDetail loads company id with its contacts and records.
func (s *companiesScreen) showDetail(id int64) {
	crm := s.u.crm
	s.loadDetail(id, "show company", func(ctx context.Context) (func(), error) {
		c, err := crm.Companies.FindCompany(ctx, id)
		if err != nil {
			return nil, err
		}
		people, err := crm.Contacts.ListContacts(ctx, app.ContactFilter{CompanyID: id, Limit: 100})
		if err != nil {
			return nil, err
		}
		recs, err := crm.Pipelines.ListRecords(ctx, app.RecordFilter{CompanyID: id, Limit: 100})
		return func() { s.setDetail(c, people, recs) }, err
	})
}

func (s *companiesScreen) setDetail(c *app.Company, people []app.Contact, recs []app.Record) {
	head := detailHead(c.Name, joinNonEmpty(" · ", c.Industry, c.City, c.Country),
		func() { s.openForm(c) }, func() { s.confirmDelete(c) })
	fields := detailRows(
		lang.L("Reading"), c.NameReading,
		lang.L("Email"), c.Email,
		lang.L("Website"), c.Website,
		lang.L("Phone"), c.Phone,
		lang.L("Industry"), c.Industry,
		lang.L("City"), c.City,
		lang.L("Country"), c.Country,
		lang.L("Last updated"), formatTime(c.UpdatedAt),
	)
	addTextRow(fields, lang.L("Notes"), c.Notes)
	var pbox fyne.CanvasObject = dimLabel(lang.L("None yet"))
	if len(people) > 0 {
		lines := make([]fyne.CanvasObject, len(people))
		for i, p := range people {
			l := widget.NewLabel(rowText(joinNonEmpty(" · ", p.DisplayName(), p.Title, p.Email)))
			l.Truncation = fyne.TextTruncateEllipsis
			lines[i] = l
		}
		pbox = container.NewVBox(lines...) // one layout, not one per line
	}
	body := container.NewVBox(head, fields, widget.NewSeparator(),
		sectionTitle(lang.L("Contacts")), pbox, widget.NewSeparator(),
		sectionTitle(lang.L("Pipeline records")), recordLines(recs))
	s.setPage(c, body, app.KindCompany, c.ID)
}

func (s *companiesScreen) openForm(c *app.Company) {
	s.form = newCompanyForm(s.u, c, func(id int64) {
		s.form = nil
		s.refresh()
		s.showDetail(id)
		if s.changed != nil {
			s.changed()
		}
	})
}

func (s *companiesScreen) confirmDelete(c *app.Company) {
	msg := lang.L("Delete {{.Name}}? Its contacts and pipeline records are kept.", map[string]any{"Name": c.Name})
	s.u.confirmDelete(lang.L("Delete company"), msg, func() {
		svc := s.u.crm.Companies
		s.u.run.Go(func(ctx context.Context) func() {
			err := svc.DeleteCompany(ctx, c.ID)
			return func() {
				if err != nil {
					s.u.showError("delete company", err)
					return
				}
				s.clearDetail(lang.L("Select a company to see the details."))
				s.refresh()
				if s.changed != nil {
					s.changed()
				}
			}
		})
	})
}

// companyForm creates or edits one company in a dialog.
type companyForm struct {
	u                                                          *ui
	orig                                                       *app.Company
	name, reading, email, website, phone, industry, city, land *entry
	notes                                                      *entry
	fields                                                     *fieldSet
	save                                                       *widget.Button
	dlg                                                        *dialog.CustomDialog
	saved                                                      func(id int64)
}

func newCompanyForm(u *ui, orig *app.Company, saved func(id int64)) *companyForm {
	f := &companyForm{u: u, orig: orig, saved: saved, fields: newFieldSet()}
	c := app.Company{}
	if orig != nil {
		c = *orig
	}
	mk := func(text, placeholder string) *entry {
		e := newEntry(u, placeholder)
		e.SetText(text)
		return e
	}
	f.name = mk(c.Name, "")
	f.reading = mk(c.NameReading, lang.L("e.g. やまだしょうじ"))
	f.email = mk(c.Email, "info@example.com")
	f.email.OnChanged = func(s string) {
		s = strings.TrimSpace(s)
		if s != "" && !app.ValidEmail(s) {
			f.fields.setError("Email", app.MsgEmailInvalid)
		} else {
			f.fields.setError("Email", "")
		}
	}
	f.website = mk(c.Website, "https://")
	f.phone = mk(c.Phone, "")
	f.industry = mk(c.Industry, "")
	f.city = mk(c.City, "")
	f.land = mk(c.Country, "")
	f.notes = newNotesEntry(u)
	f.notes.SetText(c.Notes)

	fs := f.fields
	fs.add("Name", lang.L("Name")+" *", f.name)
	fs.add("NameReading", lang.L("Name reading"), f.reading)
	fs.add("Email", lang.L("Email"), f.email)
	fs.add("Website", lang.L("Website"), f.website)
	fs.add("Phone", lang.L("Phone"), f.phone)
	fs.add("Industry", lang.L("Industry"), f.industry)
	fs.add("City", lang.L("City"), f.city)
	fs.add("Country", lang.L("Country"), f.land)
	fs.add("Notes", lang.L("Notes"), f.notes)

	f.save = widget.NewButton(lang.L("Save"), f.submit)
	f.save.Importance = widget.HighImportance
	cancel := widget.NewButton(lang.L("Cancel"), func() { f.dlg.Hide() })
	title := lang.L("New company")
	if orig != nil {
		title = lang.L("Edit company")
	}
	f.dlg = dialog.NewCustomWithoutButtons(title, container.NewVScroll(fs.grid), u.win)
	f.dlg.SetButtons([]fyne.CanvasObject{cancel, f.save})
	f.dlg.Resize(fyne.NewSize(560, 560))
	u.showForm(f.dlg, formKeys{
		dirty:  changedSince(f.name, f.reading, f.email, f.website, f.phone, f.industry, f.city, f.land, f.notes),
		submit: f.submit,
	})
	u.win.Canvas().Focus(f.name)
	return f
}

func (f *companyForm) submit() {
	c := app.Company{}
	if f.orig != nil {
		c = *f.orig
	}
	c.Name, c.Email, c.Website, c.Phone = f.name.Text, f.email.Text, f.website.Text, f.phone.Text
	c.NameReading = kana.Normalize(f.reading.Text)
	c.Industry, c.City, c.Country, c.Notes = f.industry.Text, f.city.Text, f.land.Text, f.notes.Text
	c.Normalize()
	err := c.Validate()
	f.fields.showErrors(fieldErrors(err))
	if err != nil {
		return
	}
	svc := f.u.crm.Companies
	isNew := f.orig == nil
	f.u.submitForm(f.fields, f.save, f.dlg, "save company", func(ctx context.Context) error {
		if isNew {
			return svc.CreateCompany(ctx, &c)
		}
		return svc.UpdateCompany(ctx, &c)
	}, func() { f.saved(c.ID) })
}
