package views

import (
	"context"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tandem-crm/tandem/app"
)

// contactsScreen is the Contacts browser: a searchable, sortable list on the
// left and the selected contact's page on the right.
type contactsScreen struct {
	*browser[app.Contact]
	u          *ui
	selectedID int64
	detailGen  int
	current    *app.Contact // the contact on the detail page
	tickets    recordTickets
	// openTicket, when set, is opened on the Tickets tab of the next
	// detail page shown (a signal was selected).
	openTicket string
	form       *contactForm // the open form, if any
	// changed runs after a contact was written, so other screens can reload.
	changed func()
}

func newContactsScreen(u *ui) *contactsScreen {
	s := &contactsScreen{u: u}
	s.browser = newBrowser(u, browserSpec[app.Contact]{
		searchHint: lang.L("Search contacts"), addLabel: lang.L("New contact"),
		emptyDetail: lang.L("Select a contact to see the details."), logAction: "list contacts",
		countText: func(n int) string { return lang.N("{{.Count}} contacts", n, map[string]any{"Count": n}) },
		lines: func(c app.Contact) (string, string) {
			return c.DisplayName(), joinNonEmpty(" · ", c.Email, c.CompanyName)
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
	if s.selectedID != 0 {
		s.showDetail(s.selectedID)
	}
}

// showDetail loads contact id and its pipeline records into the detail page.
func (s *contactsScreen) showDetail(id int64) {
	s.selectedID = id
	s.detailGen++
	gen := s.detailGen
	crm := s.u.crm
	s.u.run.Go(func(ctx context.Context) func() {
		c, err := crm.Contacts.FindContact(ctx, id)
		var recs []app.Record
		if err == nil {
			recs, err = crm.Pipelines.ListRecords(ctx, app.RecordFilter{ContactID: id, Limit: 100})
		}
		return func() {
			if gen != s.detailGen {
				return
			}
			if err != nil {
				logError("show contact", err)
				s.clearDetail(lang.L(app.ErrorMessage(err)))
				return
			}
			s.setDetail(c, recs)
		}
	})
}

func (s *contactsScreen) clearDetail(text string) {
	s.tickets.close()
	s.selectedID, s.current = 0, nil
	s.detail.Objects = []fyne.CanvasObject{emptyState(text)}
	s.detail.Refresh()
}

func (s *contactsScreen) setDetail(c *app.Contact, recs []app.Record) {
	s.current = c
	edit := widget.NewButtonWithIcon(lang.L("Edit"), theme.DocumentCreateIcon(), func() { s.openForm(c) })
	del := widget.NewButtonWithIcon(lang.L("Delete"), theme.DeleteIcon(), func() { s.confirmDelete(c) })
	del.Importance = widget.DangerImportance
	head := container.NewVBox(
		heading(c.DisplayName()),
		dimLabel(joinNonEmpty(" · ", c.Title, c.CompanyName)),
		container.NewHBox(edit, del),
		widget.NewSeparator(),
	)
	fields := detailRows(
		lang.L("Email"), c.Email,
		lang.L("Phone"), c.Phone,
		lang.L("Mobile"), c.Mobile,
		lang.L("Job title"), c.Title,
		lang.L("Company"), c.CompanyName,
		lang.L("Notes"), c.Notes,
		lang.L("Last updated"), formatTime(c.UpdatedAt),
	)
	body := container.NewVBox(head, fields, widget.NewSeparator(),
		sectionTitle(lang.L("Pipeline records")), recordLines(recs))
	ticket := s.openTicket
	s.openTicket = ""
	s.detail.Objects = []fyne.CanvasObject{s.tickets.wrap(s.u, container.NewVScroll(container.NewPadded(body)), app.KindContact, c.ID, ticket)}
	s.detail.Refresh()
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
	s.u.confirmDelete(lang.L("Delete contact"), msg, func() {
		svc := s.u.crm.Contacts
		s.u.run.Go(func(ctx context.Context) func() {
			err := svc.DeleteContact(ctx, c.ID)
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
	})
}

// recordLines lists pipeline records as one line each.
func recordLines(recs []app.Record) fyne.CanvasObject {
	if len(recs) == 0 {
		return dimLabel(lang.L("None yet"))
	}
	box := container.NewVBox()
	for _, r := range recs {
		l := widget.NewLabel(joinNonEmpty(" · ", r.Name, r.StageName, app.FormatAmount(r.Amount, r.Currency), r.CompanyName))
		l.Truncation = fyne.TextTruncateEllipsis
		box.Add(l)
	}
	return box
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
