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
// reading, and open the contact or company it finds. Enter opens the
// first match.
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
	g.search = newEntry(m.ui, lang.L("Name, email or reading"))
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
	crm := g.m.crm
	g.m.run.Go(func(ctx context.Context) func() {
		cs, err := crm.Contacts.ListContacts(ctx, app.ContactFilter{Query: q, Limit: 8})
		var cos []app.Company
		if err == nil {
			cos, err = crm.Companies.ListCompanies(ctx, app.CompanyFilter{Query: q, Limit: 5})
		}
		return func() {
			if gen != g.gen {
				return
			}
			g.show(cs, cos, err)
		}
	})
}

func (g *goToDialog) show(cs []app.Contact, cos []app.Company, err error) {
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
		add(theme.AccountIcon(), joinNonEmpty(" · ", c.DisplayName(), c.Email, c.CompanyName), func() { g.open(app.KindContact, id) })
	}
	for _, c := range cos {
		id := c.ID
		add(theme.HomeIcon(), joinNonEmpty(" · ", c.Name, c.City), func() { g.open(app.KindCompany, id) })
	}
	if len(cs)+len(cos) == 0 {
		g.results.Add(dimLabel(lang.L("Nothing found")))
	}
}

func (g *goToDialog) open(kind string, id int64) {
	g.dlg.Hide()
	g.m.openSignal(kind, id, "")
}
