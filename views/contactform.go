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

// msgNoSuchCompany is shown when the company field names no company.
const msgNoSuchCompany = "Choose a company from the list"

// contactForm creates or edits one contact in a dialog.
type contactForm struct {
	u     *ui
	orig  *app.Contact // nil for a new contact
	first *entry
	last  *entry
	// firstReading and lastReading are the names' readings (furigana).
	firstReading *entry
	lastReading  *entry
	email        *entry
	phone        *entry
	mobile       *entry
	title        *entry
	notes        *entry
	comp         *companyPicker
	fields       *fieldSet
	save         *widget.Button
	cancel       *widget.Button
	dlg          *dialog.CustomDialog
	dup          *dialog.CustomDialog // the duplicate-email question, when shown
	// keepBoth, merge answer the duplicate-email question (kept for tests).
	keepBoth, merge *widget.Button
	saved           func(id int64)
}

func newContactForm(u *ui, orig *app.Contact, saved func(id int64)) *contactForm {
	f := &contactForm{u: u, orig: orig, saved: saved, fields: newFieldSet()}
	c := app.Contact{}
	if orig != nil {
		c = *orig
	}
	f.first = newEntry(u, "")
	f.first.SetText(c.FirstName)
	f.last = newEntry(u, "")
	f.last.SetText(c.LastName)
	f.lastReading = newEntry(u, lang.L("e.g. やまだ"))
	f.lastReading.SetText(c.LastNameReading)
	f.firstReading = newEntry(u, lang.L("e.g. たろう"))
	f.firstReading.SetText(c.FirstNameReading)
	f.email = newEntry(u, "name@example.com")
	f.email.SetText(c.Email)
	f.email.OnChanged = func(s string) {
		s = strings.TrimSpace(s)
		if s != "" && !app.ValidEmail(s) {
			f.fields.setError("Email", app.MsgEmailInvalid)
		} else {
			f.fields.setError("Email", "")
		}
	}
	f.phone = newEntry(u, "")
	f.phone.SetText(c.Phone)
	f.mobile = newEntry(u, "")
	f.mobile.SetText(c.Mobile)
	f.title = newEntry(u, "")
	f.title.SetText(c.Title)
	f.notes = newNotesEntry(u)
	f.notes.SetText(c.Notes)
	f.comp = newCompanyPicker(u, c.CompanyID, c.CompanyName)

	fs := f.fields
	// Japanese forms ask for the family name first; the translation decides.
	if lang.X("form.name-order", "first-last") == "last-first" {
		fs.add("LastName", lang.L("Last name")+" *", f.last)
		fs.add("FirstName", lang.L("First name"), f.first)
		fs.add("LastNameReading", lang.L("Last name reading"), f.lastReading)
		fs.add("FirstNameReading", lang.L("First name reading"), f.firstReading)
	} else {
		fs.add("FirstName", lang.L("First name"), f.first)
		fs.add("LastName", lang.L("Last name")+" *", f.last)
		fs.add("FirstNameReading", lang.L("First name reading"), f.firstReading)
		fs.add("LastNameReading", lang.L("Last name reading"), f.lastReading)
	}
	fs.add("Email", lang.L("Email"), f.email)
	fs.add("Phone", lang.L("Phone"), f.phone)
	fs.add("Mobile", lang.L("Mobile"), f.mobile)
	fs.add("Title", lang.L("Job title"), f.title)
	fs.add("Company", lang.L("Company"), f.comp.box)
	f.comp.onChanged = func() { f.fields.setError("Company", "") }
	fs.add("Notes", lang.L("Notes"), f.notes)

	f.save = widget.NewButton(lang.L("Save"), f.submit)
	f.save.Importance = widget.HighImportance
	f.cancel = widget.NewButton(lang.L("Cancel"), func() { f.dlg.Hide() })
	title := lang.L("New contact")
	if orig != nil {
		title = lang.L("Edit contact")
	}
	f.dlg = dialog.NewCustomWithoutButtons(title, container.NewVScroll(fs.grid), u.win)
	f.dlg.SetButtons([]fyne.CanvasObject{f.cancel, f.save})
	f.dlg.Resize(fyne.NewSize(560, 600))
	u.showForm(f.dlg, formKeys{
		dirty:  changedSince(f.first, f.last, f.firstReading, f.lastReading, f.email, f.phone, f.mobile, f.title, f.notes, f.comp.entry),
		submit: f.submit,
	})
	u.win.Canvas().Focus(f.fields.grid.Objects[1].(*fyne.Container).Objects[0].(*entry))
	return f
}

// contact returns the form's contents, and whether the company field is valid.
func (f *contactForm) contact() (app.Contact, bool) {
	c := app.Contact{}
	if f.orig != nil {
		c = *f.orig
	}
	c.FirstName, c.LastName = f.first.Text, f.last.Text
	c.FirstNameReading, c.LastNameReading = kana.Normalize(f.firstReading.Text), kana.Normalize(f.lastReading.Text)
	c.Email, c.Phone, c.Mobile = f.email.Text, f.phone.Text, f.mobile.Text
	c.Title, c.Notes = f.title.Text, f.notes.Text
	id, ok := f.comp.value()
	c.CompanyID = id
	c.CompanyName = strings.TrimSpace(f.comp.entry.Text)
	c.Normalize()
	return c, ok
}

// submit validates, checks the email for a duplicate, then saves.
func (f *contactForm) submit() {
	c, compOK := f.contact()
	err := c.Validate()
	f.fields.showErrors(fieldErrors(err))
	if !compOK {
		f.fields.setError("Company", msgNoSuchCompany)
	}
	if err != nil || !compOK {
		return
	}
	f.save.Disable()
	if c.Email == "" {
		f.write(c, 0)
		return
	}
	svc := f.u.crm.Contacts
	f.u.run.Go(func(ctx context.Context) func() {
		same, err := svc.ListContacts(ctx, app.ContactFilter{Email: c.Email, Limit: 5})
		return func() {
			if err != nil {
				f.save.Enable()
				f.u.showError("check for a duplicate email", err)
				return
			}
			for i := range same {
				if same[i].ID != c.ID {
					f.askDuplicate(c, &same[i])
					return
				}
			}
			f.write(c, 0)
		}
	})
}

// askDuplicate lets the user keep both contacts or merge into the existing one.
func (f *contactForm) askDuplicate(c app.Contact, other *app.Contact) {
	msg := widget.NewLabel(breakable(lang.L("{{.Name}} already has the email address {{.Email}}.",
		map[string]any{"Name": other.DisplayName(), "Email": other.Email}) + "\n" +
		lang.L("Keep both contacts, or merge this one into the existing contact?")))
	msg.Wrapping = fyne.TextWrapWord
	f.keepBoth = widget.NewButton(lang.L("Keep both"), func() { f.dup.Hide(); f.write(c, 0) })
	f.merge = widget.NewButton(lang.L("Merge into existing"), func() { f.dup.Hide(); f.write(c, other.ID) })
	f.merge.Importance = widget.HighImportance
	back := widget.NewButton(lang.L("Cancel"), func() { f.dup.Hide(); f.save.Enable() })
	f.dup = dialog.NewCustomWithoutButtons(lang.L("Duplicate email"), msg, f.u.win)
	f.dup.SetButtons([]fyne.CanvasObject{back, f.keepBoth, f.merge})
	f.dup.Resize(fyne.NewSize(520, 200))
	f.u.show(f.dup)
}

// write saves c; when mergeInto is not 0, c is then merged into that contact.
func (f *contactForm) write(c app.Contact, mergeInto int64) {
	svc := f.u.crm.Contacts
	isNew := f.orig == nil
	id := c.ID
	f.u.submitForm(f.fields, f.save, f.dlg, "save contact", func(ctx context.Context) error {
		var err error
		if isNew {
			err = svc.CreateContact(ctx, &c)
		} else {
			err = svc.UpdateContact(ctx, &c)
		}
		id = c.ID
		if err == nil && mergeInto != 0 {
			err = svc.MergeContacts(ctx, mergeInto, c.ID)
			id = mergeInto
		}
		return err
	}, func() { f.saved(id) })
}
