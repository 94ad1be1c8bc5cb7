package views

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tandem-crm/tandem/app"
)

// goToDialog is Go to… (Ctrl/Cmd+K): type part of a name, email or
// reading, or words a ticket says, and open the contact, company or
// ticket it finds (a ticket at the message that matched, on its contact's
// or company's Tickets tab). Enter opens the first match.
type goToDialog struct {
	m       *mainWindow
	dlg     *dialog.CustomDialog
	search  *entry
	results *fyne.Container
	first   func() // opens the first match; nil when there is none
	deb     debouncer
	gen     int
}

func (m *mainWindow) goTo() {
	if len(m.open) > 0 {
		return
	}
	g := &goToDialog{m: m, deb: debouncer{r: m.run}, results: container.NewVBox()}
	g.search = newEntry(m.ui, lang.L("Name, email, reading or words of a ticket"))
	g.search.OnChanged = func(string) { g.deb.call(g.find) }
	g.search.OnSubmitted = func(string) {
		if g.first != nil {
			g.first()
		}
	}
	body := container.NewBorder(g.search, nil, nil, nil, container.NewVScroll(g.results))
	g.dlg = dialog.NewCustom(lang.L("Go to…"), lang.L("Cancel"), body, m.win)
	g.dlg.Resize(fyne.NewSize(480, 420))
	m.show(g.dlg)
	m.win.Canvas().Focus(g.search)
	m.goToOpen = g
}

// find looks the typed text up in contacts and companies.
func (g *goToDialog) find() {
	g.gen++
	gen := g.gen
	q := strings.TrimSpace(g.search.Text)
	if q == "" {
		g.results.RemoveAll()
		g.first = nil
		return
	}
	crm, integ := g.m.crm, g.m.integ
	g.m.run.Go(func(ctx context.Context) func() {
		cs, err := crm.Contacts.ListContacts(ctx, app.ContactFilter{Query: q, Limit: 8})
		var cos []app.Company
		if err == nil {
			cos, err = crm.Companies.ListCompanies(ctx, app.CompanyFilter{Query: q, Limit: 5})
		}
		var hits []app.TicketHit
		if err == nil && integ != nil {
			var herr error
			if hits, herr = integ.SearchTickets(ctx, q, 8); herr != nil && app.ErrorCode(herr) != app.ENOTFOUND {
				logError("go to: tickets", herr) // contacts and companies still show
			}
		}
		return func() {
			if gen != g.gen {
				return
			}
			g.show(cs, cos, hits, err)
		}
	})
}

func (g *goToDialog) show(cs []app.Contact, cos []app.Company, hits []app.TicketHit, err error) {
	g.results.RemoveAll()
	g.first = nil
	if err != nil {
		logError("go to", err)
		g.results.Add(dimLabel(errText(err)))
		return
	}
	add := func(icon fyne.Resource, text string, open func()) {
		b := widget.NewButtonWithIcon(text, icon, open)
		b.Alignment = widget.ButtonAlignLeading
		g.results.Add(b)
		if g.first == nil {
			g.first = open
		}
	}
	for _, c := range cs {
		id := c.ID
		add(theme.AccountIcon(), joinNonEmpty(" · ", c.DisplayName(), c.Email, c.CompanyName), func() { g.open(app.KindContact, id, "") })
	}
	for _, c := range cos {
		id := c.ID
		add(theme.HomeIcon(), joinNonEmpty(" · ", c.Name, c.City), func() { g.open(app.KindCompany, id, "") })
	}
	for i := range hits {
		h := &hits[i]
		st := &h.Ticket
		text := joinNonEmpty(" · ", "#"+nameText(st.Ticket.Number)+"  "+rowText(st.Ticket.Subject), nameText(statusName(st.Ticket.Status)),
			nameText(firstNonEmpty(st.Ticket.ContactName, st.Ticket.ContactEmail)))
		ticketID, target := st.Ticket.ID, st.Ticket.ID
		if m := hitMessage(h); m != "" {
			target += "#" + m
		}
		add(theme.MailComposeIcon(), text, func() { g.openTicket(ticketID, target, text) })
	}
	if len(cs)+len(cos)+len(hits) == 0 {
		g.results.Add(dimLabel(lang.L("Nothing found")))
	}
}

// openTicket finds the contact or company a ticket belongs to (off the UI
// goroutine) and opens it there, at the message that matched.
func (g *goToDialog) openTicket(ticketID, target, text string) {
	integ := g.m.integ
	g.m.run.Go(func(ctx context.Context) func() {
		st, err := integ.TicketTarget(ctx, ticketID)
		return func() {
			switch {
			case err != nil:
				logError("go to: ticket", err)
				g.results.RemoveAll()
				g.results.Add(dimLabel(errText(err)))
			case st.RecordKind != app.KindContact && st.RecordKind != app.KindCompany:
				// Tickets open on a contact's or company's Tickets tab.
				g.results.RemoveAll()
				g.results.Add(dimLabel(lang.L("{{.Ticket}} (not linked to a contact or company here)", map[string]any{"Ticket": text})))
			default:
				g.open(st.RecordKind, st.RecordID, target)
			}
		}
	})
}

// open shows a record, on its Tickets tab at ticket ("id" or
// "id#message") when one is given.
func (g *goToDialog) open(kind string, id int64, ticket string) {
	g.dlg.Hide()
	g.m.openSignal(kind, id, ticket)
}
