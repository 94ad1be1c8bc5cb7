package views

import (
	"context"
	"fmt"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"github.com/tandem-crm/tandem/app"
)

func TestCreateContactThenFindIt(t *testing.T) {
	crm := newTestCRM(t)
	m := newTestWindow(t, crm)
	s := m.contacts

	tap(m, button(t, m, "New contact"))
	f := s.form
	if f == nil {
		t.Fatal("no form after tapping New contact")
	}
	typeIn(m, f.last, "Smith")
	typeIn(m, f.first, "Emma")
	typeIn(m, f.email, "emma@example.com")
	typeIn(m, f.phone, "+44 20 7946 0000")
	tap(m, f.save)

	if s.list.total != 1 || s.count.Text != "1 contact" {
		t.Fatalf("list has %d rows, count %q; want 1", s.list.total, s.count.Text)
	}
	if !hasText(m, "Emma Smith") || !hasText(m, "emma@example.com") {
		t.Error("the detail page does not show the new contact")
	}
	mustContact(t, crm, app.Contact{FirstName: "Liam", LastName: "Brown"})
	s.refresh()
	settle(m)
	if s.list.total != 2 {
		t.Fatalf("list has %d rows, want 2", s.list.total)
	}

	typeIn(m, s.search, "smi")
	if s.list.total != 1 {
		t.Fatalf("search found %d, want 1", s.list.total)
	}
	if c, _ := s.list.item(0); c.LastName != "Smith" {
		t.Errorf("search found %q", c.LastName)
	}
	s.search.SetText("")
	settle(m)
	if s.list.total != 2 {
		t.Errorf("after clearing the search the list has %d rows", s.list.total)
	}
}

func TestContactFormShowsValidationErrors(t *testing.T) {
	crm := newTestCRM(t)
	m := newTestWindow(t, crm)
	s := m.contacts
	s.create()
	settle(m)
	f := s.form

	typeIn(m, f.email, "not-an-email")
	if got := f.fields.errorText("Email"); got != app.MsgEmailInvalid {
		t.Errorf("live email error = %q", got)
	}
	tap(m, f.save)
	if got := f.fields.errorText("LastName"); got != app.MsgRequired {
		t.Errorf("last name error = %q", got)
	}
	if n, _ := crm.Contacts.CountContacts(context.Background(), app.ContactFilter{}); n != 0 {
		t.Errorf("an invalid contact was saved")
	}
	f.email.SetText("")
	settle(m)
	if got := f.fields.errorText("Email"); got != "" {
		t.Errorf("email error stays after clearing: %q", got)
	}

	// Esc inside the form closes it.
	f.last.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if len(m.open) != 0 {
		t.Error("Esc did not close the form")
	}
}

func TestDeleteContactAsksFirst(t *testing.T) {
	crm := newTestCRM(t)
	mustContact(t, crm, app.Contact{FirstName: "Ava", LastName: "Miller"})
	m := newTestWindow(t, crm)
	s := m.contacts
	s.list.list.Select(0)
	settle(m)
	if s.current == nil {
		t.Fatal("selecting the row did not open the contact")
	}

	tap(m, button(t, m, "Delete"))
	if len(m.open) != 1 {
		t.Fatal("no confirmation dialog")
	}
	tap(m, button(t, m, "Cancel"))
	if n, _ := crm.Contacts.CountContacts(context.Background(), app.ContactFilter{}); n != 1 {
		t.Fatal("Cancel deleted the contact")
	}

	tap(m, button(t, m, "Delete"))
	tap(m, button(t, m, "Delete")) // the dialog's button is on top
	if n, _ := crm.Contacts.CountContacts(context.Background(), app.ContactFilter{}); n != 0 {
		t.Fatal("the contact was not deleted")
	}
	if s.list.total != 0 || s.current != nil {
		t.Error("the screen still shows the deleted contact")
	}
}

func TestDuplicateEmail(t *testing.T) {
	for _, merge := range []bool{false, true} {
		t.Run(fmt.Sprint("merge=", merge), func(t *testing.T) {
			crm := newTestCRM(t)
			old := mustContact(t, crm, app.Contact{LastName: "Garcia", Email: "sam@example.com"})
			m := newTestWindow(t, crm)
			s := m.contacts
			s.create()
			settle(m)
			f := s.form
			typeIn(m, f.last, "Garcia")
			typeIn(m, f.first, "Samuel")
			typeIn(m, f.email, "Sam@Example.com")
			tap(m, f.save)
			if f.dup == nil || len(m.open) != 2 {
				t.Fatal("no duplicate warning")
			}
			if merge {
				tap(m, f.merge)
			} else {
				tap(m, f.keepBoth)
			}
			ctx := context.Background()
			n, _ := crm.Contacts.CountContacts(ctx, app.ContactFilter{})
			if merge {
				c, err := crm.Contacts.FindContact(ctx, old.ID)
				if n != 1 || err != nil || c.FirstName != "Samuel" {
					t.Fatalf("after merge: %d contacts, kept %+v, %v", n, c, err)
				}
				if s.selectedID != old.ID {
					t.Error("the merged contact is not shown")
				}
			} else if n != 2 {
				t.Fatalf("keep both: %d contacts", n)
			}
		})
	}
}

func TestJapaneseNameRoundTrip(t *testing.T) {
	crm := newTestCRM(t)
	co := app.Company{Name: "富士商事", City: "東京"}
	if err := crm.Companies.CreateCompany(context.Background(), &co); err != nil {
		t.Fatal(err)
	}
	m := newTestWindow(t, crm)
	s := m.contacts
	s.create()
	settle(m)
	f := s.form
	typeIn(m, f.last, "山田")
	typeIn(m, f.first, "太郎")
	typeIn(m, f.title, "営業部長")
	typeIn(m, f.comp.entry, "富士")
	tap(m, f.save)
	if f.fields.errorText("Company") == "" {
		t.Error("a partial company name was accepted") // the user must pick one
	}
	f.comp.entry.SetText("富士商事")
	settle(m)
	tap(m, f.save)

	if !hasText(m, "山田 太郎") {
		t.Error("the detail page does not show 山田 太郎")
	}
	c, ok := s.list.item(0)
	if !ok || c.DisplayName() != "山田 太郎" || c.CompanyID != co.ID {
		t.Fatalf("list row = %+v", c)
	}
	got, err := crm.Contacts.FindContact(context.Background(), c.ID)
	if err != nil || got.LastName != "山田" || got.FirstName != "太郎" || got.Title != "営業部長" || got.CompanyName != "富士商事" {
		t.Fatalf("stored %+v, %v", got, err)
	}
	s.openForm(got)
	settle(m)
	if s.form.last.Text != "山田" || s.form.comp.entry.Text != "富士商事" {
		t.Error("the edit form does not show the stored values")
	}
	typeIn(m, s.search, "山田")
	if s.list.total != 1 {
		t.Errorf("search for 山田 found %d", s.list.total)
	}
}

func TestContactListFetchesPages(t *testing.T) {
	fake := newFake()
	cs := make([]app.Contact, 500)
	for i := range cs {
		cs[i] = app.Contact{LastName: fmt.Sprintf("Person %03d", i)}
	}
	if _, err := fake.ImportContacts(context.Background(), cs); err != nil {
		t.Fatal(err)
	}
	m := newTestWindow(t, fake.crm())
	s := m.contacts
	if s.list.total != 500 {
		t.Fatalf("total = %d", s.list.total)
	}
	for _, f := range fake.listCalls {
		if f.Limit != pageSize || f.Offset > pageSize {
			t.Fatalf("initial load asked for offset %d limit %d", f.Offset, f.Limit)
		}
	}
	s.list.list.ScrollTo(420)
	settle(m)
	if c, ok := s.list.item(420); !ok || c.LastName != "Person 420" {
		t.Fatalf("row 420 = %+v, %v", c, ok)
	}
	if len(s.list.pages) >= 10 {
		t.Errorf("%d pages cached; scrolling should not load everything", len(s.list.pages))
	}
}

func TestKeyboardShortcuts(t *testing.T) {
	m := newTestWindow(t, newTestCRM(t))
	sc := m.win.Canvas().(fyne.Shortcutable)
	sc.TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyF, Modifier: fyne.KeyModifierShortcutDefault})
	settle(m)
	if m.win.Canvas().Focused() != m.contacts.search {
		t.Error("Ctrl+F did not focus the contact search")
	}
	// The focused search entry passes Ctrl+N on to the window.
	m.contacts.search.TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyN, Modifier: fyne.KeyModifierShortcutDefault})
	settle(m)
	if m.contacts.form == nil || len(m.open) != 1 {
		t.Fatal("Ctrl+N did not open a new contact form")
	}
	m.win.Canvas().Unfocus()
	m.win.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if len(m.open) != 0 {
		t.Error("Esc did not close the form")
	}

	m.nav.Select(1)
	settle(m)
	sc.TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyF, Modifier: fyne.KeyModifierShortcutDefault})
	if m.win.Canvas().Focused() != m.companies.search {
		t.Error("Ctrl+F on Companies did not focus the company search")
	}
	sc.TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyN, Modifier: fyne.KeyModifierShortcutDefault})
	settle(m)
	if m.companies.form == nil {
		t.Error("Ctrl+N on Companies did not open a company form")
	}
}

var _ = widget.NewLabel
