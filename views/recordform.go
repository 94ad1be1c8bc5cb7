package views

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tandem-crm/tandem/app"
)

// currencies offered by the record form; JPY is the default.
var currencies = []string{"JPY", "USD", "EUR", "GBP", "CNY", "KRW", "TWD", "HKD", "SGD", "AUD", "CAD", "CHF"}

// recordForm creates or edits one pipeline record in a dialog.
type recordForm struct {
	u        *ui
	p        app.Pipeline
	orig     *app.Record // nil for a new record
	name     *entry
	amount   *entry
	currency *keySelect
	closing  *entry
	stage    *keySelect
	comp     *companyPicker
	notes    *entry
	fields   *fieldSet

	contacts []app.RecordContact // linked, in the order they were added
	labels   map[int64]string    // contact id → its line in the primary radio
	find     *entry              // contact search
	results  *fyne.Container     // matching contacts, each an "add" button
	linked   *fyne.Container     // linked contacts, each with a remove button
	primary  *widget.RadioGroup
	deb      debouncer
	gen      int

	save  *widget.Button
	dlg   *dialog.CustomDialog
	saved func()
}

func newRecordForm(u *ui, p app.Pipeline, orig *app.Record, saved func()) *recordForm {
	f := &recordForm{u: u, p: p, orig: orig, saved: saved, fields: newFieldSet(),
		labels: map[int64]string{}, deb: debouncer{r: u.run}}
	r := app.Record{Currency: "JPY", PipelineID: p.ID}
	if len(p.Stages) > 0 {
		r.StageID = p.Stages[0].ID
	}
	if orig != nil {
		r = *orig
		f.contacts = append(f.contacts, orig.Contacts...)
	}
	f.name = newEntry(u, "")
	f.name.SetText(r.Name)
	f.amount = newEntry(u, "0")
	if r.Amount != 0 {
		f.amount.SetText(plainAmount(r.Amount, r.Currency))
	}
	f.currency = newKeySelect(currencies, nil)
	f.currency.SetSelected(r.Currency)
	f.closing = newEntry(u, "YYYY-MM-DD")
	f.closing.SetText(r.ClosingDate)
	f.closing.OnChanged = func(s string) {
		if s = strings.TrimSpace(s); s != "" && !app.ValidDate(s) {
			f.fields.setError("ClosingDate", app.MsgDateInvalid)
		} else {
			f.fields.setError("ClosingDate", "")
		}
	}
	names := make([]string, len(p.Stages))
	sel := 0
	for i, st := range p.Stages {
		names[i] = st.Name
		if st.ID == r.StageID {
			sel = i
		}
	}
	f.stage = newKeySelect(names, nil)
	if len(names) > 0 {
		f.stage.SetSelectedIndex(sel)
	}
	f.comp = newCompanyPicker(u, r.CompanyID, r.CompanyName)
	f.notes = newNotesEntry(u)
	f.notes.SetText(r.Notes)

	f.find = newEntry(u, lang.L("Type to search contacts"))
	f.find.OnChanged = func(string) { f.deb.call(f.searchContacts) }
	f.results = container.NewVBox()
	f.linked = container.NewVBox()
	f.primary = widget.NewRadioGroup(nil, f.setPrimary)
	f.showContacts()

	fs := f.fields
	fs.add("Name", lang.L("Name")+" *", f.name)
	fs.add("Amount", lang.L("Amount"), container.NewBorder(nil, nil, nil, f.currency, f.amount))
	fs.add("ClosingDate", lang.L("Closing date"), f.closing)
	fs.add("Stage", lang.L("Stage")+" *", f.stage)
	fs.add("Company", lang.L("Company"), f.comp.box)
	fs.add("Contacts", lang.L("Contacts"), container.NewVBox(f.linked, f.primary, f.find, f.results))
	fs.add("Notes", lang.L("Notes"), f.notes)

	f.save = widget.NewButton(lang.L("Save"), f.submit)
	f.save.Importance = widget.HighImportance
	buttons := []fyne.CanvasObject{widget.NewButton(lang.L("Cancel"), func() { f.dlg.Hide() })}
	title := lang.L("New record")
	if orig != nil {
		title = lang.L("Edit record")
		del := widget.NewButtonWithIcon(lang.L("Delete"), theme.DeleteIcon(), f.confirmDelete)
		del.Importance = widget.DangerImportance
		buttons = append([]fyne.CanvasObject{del}, buttons...)
	}
	buttons = append(buttons, f.save)
	var body fyne.CanvasObject = container.NewVScroll(fs.grid)
	var rt recordTickets
	if orig != nil {
		body = rt.wrap(u, body, app.KindRecord, orig.ID, "")
	}
	f.dlg = dialog.NewCustomWithoutButtons(title, body, u.win)
	f.dlg.SetButtons(buttons)
	f.dlg.Resize(fyne.NewSize(600, 640))
	linked := len(f.contacts)
	fieldsChanged := changedSince(f.name, f.amount, f.currency, f.closing, f.stage, f.comp.entry, f.notes)
	u.showForm(f.dlg, formKeys{
		dirty:  func() bool { return fieldsChanged() || len(f.contacts) != linked },
		submit: f.submit,
	})
	f.dlg.SetOnClosed(func() { rt.close(); u.forget(f.dlg) })
	u.win.Canvas().Focus(f.name)
	return f
}

// plainAmount writes minor units as a person would type them: "1200000", "12.50".
func plainAmount(minor int64, cur string) string {
	d := app.CurrencyDigits(cur)
	if d == 0 {
		return fmt.Sprint(minor)
	}
	scale := int64(1)
	for range d {
		scale *= 10
	}
	return fmt.Sprintf("%d.%0*d", minor/scale, d, minor%scale)
}

// searchContacts offers the contacts matching the search text.
func (f *recordForm) searchContacts() {
	f.gen++
	gen := f.gen
	q := strings.TrimSpace(f.find.Text)
	if q == "" {
		f.results.RemoveAll()
		return
	}
	svc := f.u.crm.Contacts
	f.u.run.Go(func(ctx context.Context) func() {
		cs, err := svc.ListContacts(ctx, app.ContactFilter{Query: q, Limit: 8})
		return func() {
			if gen != f.gen {
				return
			}
			f.results.RemoveAll()
			if err != nil {
				logError("search contacts", err)
				f.results.Add(dimLabel(errText(err)))
				return
			}
			if len(cs) == 0 {
				f.results.Add(dimLabel(lang.L("No matching contacts")))
			}
			for _, c := range cs {
				b := widget.NewButtonWithIcon(joinNonEmpty(" · ", c.DisplayName(), c.Email), theme.ContentAddIcon(), func() {
					f.addContact(app.RecordContact{ContactID: c.ID, Name: c.DisplayName(), Email: c.Email})
				})
				b.Alignment = widget.ButtonAlignLeading
				b.Importance = widget.LowImportance
				f.results.Add(b)
			}
		}
	})
}

// addContact links c; the first linked contact becomes the primary one.
func (f *recordForm) addContact(c app.RecordContact) {
	for _, o := range f.contacts {
		if o.ContactID == c.ContactID {
			return
		}
	}
	c.Primary = len(f.contacts) == 0
	f.contacts = append(f.contacts, c)
	f.find.SetText("")
	f.results.RemoveAll()
	f.showContacts()
}

func (f *recordForm) removeContact(id int64) {
	wasPrimary := false
	for i, c := range f.contacts {
		if c.ContactID == id {
			wasPrimary = c.Primary
			f.contacts = append(f.contacts[:i], f.contacts[i+1:]...)
			break
		}
	}
	if wasPrimary && len(f.contacts) > 0 {
		f.contacts[0].Primary = true
	}
	f.showContacts()
}

// setPrimary marks the contact whose radio line was chosen as primary.
func (f *recordForm) setPrimary(label string) {
	for i := range f.contacts {
		f.contacts[i].Primary = label != "" && f.labels[f.contacts[i].ContactID] == label
	}
}

// showContacts redraws the linked contacts and the primary radio.
func (f *recordForm) showContacts() {
	f.linked.RemoveAll()
	f.labels = map[int64]string{}
	seen := map[string]bool{}
	var opts []string
	selected := ""
	for _, c := range f.contacts {
		label := joinNonEmpty(" · ", c.Name, c.Email)
		if seen[label] {
			label = fmt.Sprintf("%s (#%d)", label, c.ContactID)
		}
		seen[label] = true
		f.labels[c.ContactID] = label
		opts = append(opts, label)
		if c.Primary {
			selected = label
		}
		id := c.ContactID
		rm := widget.NewButtonWithIcon(lang.L("Remove"), theme.ContentRemoveIcon(), func() { f.removeContact(id) })
		rm.Importance = widget.LowImportance
		f.linked.Add(container.NewBorder(nil, nil, nil, rm, widget.NewLabel(label)))
	}
	if len(f.contacts) == 0 {
		f.linked.Add(dimLabel(lang.L("No linked contacts")))
		f.primary.Hide()
	} else {
		f.linked.Add(dimLabel(lang.L("Primary contact")))
		f.primary.Show()
	}
	f.primary.Options = opts
	f.primary.Selected = selected
	f.primary.Refresh()
}

// record returns the form's contents and the errors only the form can find.
func (f *recordForm) record() (app.Record, *app.ValidationError) {
	r := app.Record{PipelineID: f.p.ID}
	if f.orig != nil {
		r = *f.orig
	}
	var extra app.ValidationError
	r.Name = f.name.Text
	r.Currency = f.currency.Selected
	amt, err := app.ParseAmount(f.amount.Text, r.Currency)
	if err != nil {
		extra.Fields = append(extra.Fields, app.FieldError{Field: "Amount", Message: app.MsgAmountBad})
	}
	r.Amount = amt
	r.ClosingDate = strings.TrimSpace(f.closing.Text)
	r.StageID = 0
	if i := f.stage.SelectedIndex(); i >= 0 && i < len(f.p.Stages) {
		r.StageID = f.p.Stages[i].ID
	}
	id, ok := f.comp.value()
	if !ok {
		extra.Fields = append(extra.Fields, app.FieldError{Field: "Company", Message: msgNoSuchCompany})
	}
	r.CompanyID = id
	r.Contacts = append([]app.RecordContact(nil), f.contacts...)
	r.Notes = f.notes.Text
	return r, &extra
}

func (f *recordForm) submit() {
	r, extra := f.record()
	all := app.ValidationError{}
	if v := fieldErrors(r.Validate()); v != nil {
		all.Fields = append(all.Fields, v.Fields...)
	}
	all.Fields = append(all.Fields, extra.Fields...)
	f.fields.showErrors(&all)
	if len(all.Fields) > 0 {
		return
	}
	svc := f.u.crm.Pipelines
	isNew := f.orig == nil
	f.u.submitForm(f.fields, f.save, f.dlg, "save record", func(ctx context.Context) error {
		if isNew {
			return svc.CreateRecord(ctx, &r)
		}
		return svc.UpdateRecord(ctx, &r)
	}, f.saved)
}

func (f *recordForm) confirmDelete() {
	msg := lang.L("Delete {{.Name}}? This cannot be undone.", map[string]any{"Name": f.orig.Name})
	f.u.confirmDelete(lang.L("Delete record"), msg, func() {
		id, svc := f.orig.ID, f.u.crm.Pipelines
		f.u.run.Go(func(ctx context.Context) func() {
			err := svc.DeleteRecord(ctx, id)
			return func() {
				if err != nil {
					f.u.showError("delete record", err)
					return
				}
				f.dlg.Hide()
				f.saved()
			}
		})
	})
}
