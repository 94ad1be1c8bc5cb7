package views

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tandem-crm/tandem/app"
)

// maxPicks is how many matching companies the picker offers.
const maxPicks = 6

// companyPicker is a searchable company field: typing searches the
// companies (debounced, in the background, by name or reading) and lists
// the matches under the field, with Create company “X” when the typed
// name is not one of them. (A drop-down would take the keyboard's focus
// away from the field at every result.)
type companyPicker struct {
	u       *ui
	entry   *entry
	box     *fyne.Container // the field, then the matches
	results *fyne.Container
	ids     map[string]int64 // offered name → company id
	deb     debouncer
	gen     int
	// setting is true while the picker changes its own text.
	setting bool
	// picked is the text of the last company chosen: no search for it.
	picked string
	// onChanged runs when the chosen company changes (a validation message
	// can go).
	onChanged func()
}

func newCompanyPicker(u *ui, id int64, name string) *companyPicker {
	p := &companyPicker{u: u, ids: map[string]int64{}, deb: debouncer{r: u.run}, results: container.NewVBox()}
	p.entry = newEntry(u, lang.L("Type to search companies"))
	if id != 0 {
		p.set(id, name)
	}
	p.entry.OnChanged = func(string) {
		if p.setting {
			return
		}
		if p.onChanged != nil {
			p.onChanged()
		}
		p.deb.call(p.search)
	}
	p.entry.OnSubmitted = func(string) { p.pickFirst() }
	p.box = container.NewVBox(p.entry, p.results)
	return p
}

// search lists the companies matching the typed text.
func (p *companyPicker) search() {
	p.gen++
	gen := p.gen
	q := strings.TrimSpace(p.entry.Text)
	if q == "" || q == p.picked {
		p.results.RemoveAll()
		return
	}
	svc := p.u.crm.Companies
	p.u.run.Go(func(ctx context.Context) func() {
		cs, err := svc.ListCompanies(ctx, app.CompanyFilter{Query: q, Limit: maxPicks})
		return func() {
			if gen != p.gen {
				return
			}
			p.results.RemoveAll()
			if err != nil {
				logError("search companies", err)
				p.results.Add(dimLabel(errText(err)))
				return
			}
			exact := false
			for _, c := range cs {
				p.ids[c.Name] = c.ID
				exact = exact || app.NormalizeName(c.Name) == app.NormalizeName(q)
				id, name := c.ID, c.Name
				b := widget.NewButtonWithIcon(joinNonEmpty(" · ", c.Name, c.NameReading, c.City), theme.HomeIcon(), func() { p.choose(id, name) })
				b.Alignment = widget.ButtonAlignLeading
				b.Importance = widget.LowImportance
				p.results.Add(b)
			}
			if !exact {
				create := widget.NewButtonWithIcon(lang.L("Create company “{{.Name}}”", map[string]any{"Name": q}), theme.ContentAddIcon(), func() { p.create(q) })
				create.Alignment = widget.ButtonAlignLeading
				create.Importance = widget.LowImportance
				p.results.Add(create)
			}
		}
	})
}

// pickFirst chooses the first match (Enter in the field).
func (p *companyPicker) pickFirst() {
	if len(p.results.Objects) > 0 {
		if b, ok := p.results.Objects[0].(*widget.Button); ok && b.OnTapped != nil {
			b.OnTapped()
		}
	}
}

// choose takes a company offered.
func (p *companyPicker) choose(id int64, name string) {
	p.set(id, name)
	p.results.RemoveAll()
	if p.onChanged != nil {
		p.onChanged()
	}
}

// create adds a company with the typed name and chooses it.
func (p *companyPicker) create(name string) {
	svc := p.u.crm.Companies
	p.u.run.Go(func(ctx context.Context) func() {
		c := app.Company{Name: name}
		err := svc.CreateCompany(ctx, &c)
		return func() {
			if err != nil {
				logError("create company", err)
				p.results.RemoveAll()
				msg := errText(err)
				if v := fieldErrors(err); v != nil && v.For("Name") != "" {
					msg = msgText(v.For("Name"))
				}
				l := note(msg, widget.DangerImportance)
				p.results.Add(l)
				return
			}
			p.choose(c.ID, c.Name)
		}
	})
}

// value returns the chosen company id: 0 when the field is empty, ok=false
// when the text names no company offered.
func (p *companyPicker) value() (id int64, ok bool) {
	t := strings.TrimSpace(p.entry.Text)
	if t == "" {
		return 0, true
	}
	id, ok = p.ids[t]
	return id, ok
}

// set picks a company as if the user had chosen it.
func (p *companyPicker) set(id int64, name string) {
	p.ids[name] = id
	p.picked = name
	p.setting = true
	p.entry.SetText(name)
	p.setting = false
}
