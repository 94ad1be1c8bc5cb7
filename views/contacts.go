package views

import (
	"context"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/tandem-crm/tandem/app"
)

// contactsScreen is the Contacts browser: a searchable, sortable list on the
// left and the selected contact's page on the right.
type contactsScreen struct {
	*browser[app.Contact]
	form *contactForm // the open form, if any
	// deskCheck is the delete dialog's "also in Zoho Desk" box (tests).
	deskCheck *widget.Check
	// changed runs after a contact was written, so other screens can reload.
	changed func()
}

func newContactsScreen(u *ui) *contactsScreen {
	s := &contactsScreen{}
	s.browser = newBrowser(u, browserSpec[app.Contact]{
		searchHint: lang.L("Search contacts"), addLabel: lang.L("New contact"),
		emptyDetail: lang.L("Select a contact to see the details."), logAction: "list contacts", screen: lang.L("Contacts"),
		countText: func(n int) string { return lang.N("{{.Count}} contacts", n, map[string]any{"Count": n}) },
		lines: func(c app.Contact) (string, string) {
			return c.DisplayName(), joinNonEmpty(" · ", c.Reading(), c.Email, c.CompanyName)
		},
		id:       func(c app.Contact) int64 { return c.ID },
		refresh:  func() { s.refresh() },
		create:   func() { s.create() },
		selected: func(id int64) { s.showDetail(id) },
	})
	return s
}

func (s *contactsScreen) content() fyne.CanvasObject { return s.root }

func (s *contactsScreen) focusSearch() { s.u.win.Canvas().Focus(s.search) }

func (s *contactsScreen) create() { s.openForm(nil) }

func (s *contactsScreen) filter() app.ContactFilter {
	f := app.ContactFilter{Query: strings.TrimSpace(s.search.Text), Sort: app.SortByName}
	if s.byUpdated() {
		f.Sort = app.SortByUpdated
	}
	return f
}

// refresh reloads the list with the current search and sort.
func (s *contactsScreen) refresh() {
	f := s.filter()
	svc := s.u.crm.Contacts
	s.list.count = func(ctx context.Context) (int, error) { return svc.CountContacts(ctx, f) }
	s.list.fetch = func(ctx context.Context, offset, limit int) ([]app.Contact, error) {
		g := f
		g.Offset, g.Limit = offset, limit
		return svc.ListContacts(ctx, g)
	}
	s.list.reload()
	s.reloadIndex(func(ctx context.Context) ([]app.IndexEntry, error) { return svc.IndexContacts(ctx, f) })
	if s.selectedID != 0 {
		s.showDetail(s.selectedID)
	}
}

// showDetail loads contact id and its pipeline records into the detail page.
func (s *contactsScreen) showDetail(id int64) {
	crm := s.u.crm
	s.loadDetail(id, "show contact", func(ctx context.Context) (func(), error) {
		c, err := crm.Contacts.FindContact(ctx, id)
		if err != nil {
			return nil, err
		}
		recs, err := crm.Pipelines.ListRecords(ctx, app.RecordFilter{ContactID: id, Limit: 100})
		return func() { s.setDetail(c, recs) }, err
	})
}

func (s *contactsScreen) setDetail(c *app.Contact, recs []app.Record) {
	head := detailHead(c.DisplayName(), joinNonEmpty(" · ", c.Title, c.CompanyName),
		func() { s.openForm(c) }, func() { s.confirmDelete(c) })
	fields := detailRows(
		lang.L("Reading"), c.Reading(),
		lang.L("Email"), c.Email,
		lang.L("Phone"), c.Phone,
		lang.L("Mobile"), c.Mobile,
		lang.L("Job title"), c.Title,
		lang.L("Company"), c.CompanyName,
		lang.L("Last updated"), formatTime(c.UpdatedAt),
	)
	addTextRow(fields, lang.L("Notes"), c.Notes)
	body := container.NewVBox(head, fields, widget.NewSeparator(),
		sectionTitle(lang.L("Pipeline records")), recordLines(recs))
	s.setPage(c, body, app.KindContact, c.ID)
}

// openForm opens the contact form; c is nil for a new contact.
func (s *contactsScreen) openForm(c *app.Contact) {
	s.form = newContactForm(s.u, c, func(id int64) {
		s.form = nil
		s.refresh()
		s.showDetail(id)
		if s.changed != nil {
			s.changed()
		}
	})
}

func (s *contactsScreen) confirmDelete(c *app.Contact) {
	msg := lang.L("Delete {{.Name}}? This cannot be undone.", map[string]any{"Name": c.DisplayName()})
	del := func(onDesk bool) {
		svc, integ := s.u.crm.Contacts, s.u.integ
		s.u.run.Go(func(ctx context.Context) func() {
			var err error
			if onDesk {
				err = integ.DeleteOnDesk(ctx, app.KindContact, c.ID)
			}
			if err == nil {
				err = svc.DeleteContact(ctx, c.ID)
			}
			return func() {
				if err != nil {
					s.u.showError("delete contact", err)
					return
				}
				s.clearDetail(lang.L("Select a contact to see the details."))
				s.refresh()
				if s.changed != nil {
					s.changed()
				}
			}
		})
	}
	if s.u.integ == nil {
		s.u.confirmDelete(lang.L("Delete contact"), msg, func() { del(false) })
		return
	}
	integ := s.u.integ
	s.u.run.Go(func(ctx context.Context) func() {
		linked, err := integ.LinkedOnDesk(ctx, app.KindContact, c.ID)
		return func() {
			if err != nil || !linked {
				s.u.confirmDelete(lang.L("Delete contact"), msg, func() { del(false) })
				return
			}
			// Linked: the team shares it through Zoho Desk. Deleting it
			// there too is offered, off by default.
			s.deskCheck = widget.NewCheck(lang.L("Also delete it in Zoho Desk, for everyone on your team"), nil)
			body := container.NewVBox(wrapLabel(msg), s.deskCheck,
				wrapLabel(lang.L("Otherwise it stays in Zoho Desk, and on your team's computers.")))
			d := dialog.NewCustomConfirm(lang.L("Delete contact"), lang.L("Delete"), lang.L("Cancel"), body, func(ok bool) {
				if ok {
					del(s.deskCheck.Checked)
				}
			}, s.u.win)
			d.SetConfirmImportance(widget.DangerImportance)
			d.Resize(fyne.NewSize(520, 0))
			s.u.show(d)
		}
	})
}

// recordLines lists pipeline records as one line each.
func recordLines(recs []app.Record) fyne.CanvasObject {
	if len(recs) == 0 {
		return dimLabel(lang.L("None yet"))
	}
	lines := make([]fyne.CanvasObject, len(recs))
	for i, r := range recs {
		l := newFitLabel(false, false) // up to 100 lines: no HarfBuzz font each
		l.SetText(rowText(joinNonEmpty(" · ", r.Name, r.StageName, app.FormatAmount(r.Amount, r.Currency), r.CompanyName)))
		lines[i] = l
	}
	return container.NewVBox(lines...) // one layout, not one per line
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Local().Format("2006-01-02 15:04")
}

func joinNonEmpty(sep string, parts ...string) string {
	out := parts[:0:0]
	for _, p := range parts {
		if strings.TrimSpace(p) != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}
