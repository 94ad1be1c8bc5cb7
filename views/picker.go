package views

import (
	"context"
	"strings"

	"fyne.io/fyne/v2/lang"

	"github.com/tandem-crm/tandem/app"
)

// companyPicker is a searchable company field: typing queries the companies
// (debounced, in the background) and offers the matches in its drop-down.
type companyPicker struct {
	u     *ui
	entry *keySelectEntry
	ids   map[string]int64 // offered name → company id
	deb   debouncer
	gen   int
	// setting is true while the picker changes its own text.
	setting bool
}

func newCompanyPicker(u *ui, id int64, name string) *companyPicker {
	p := &companyPicker{u: u, ids: map[string]int64{}, deb: debouncer{r: u.run}}
	p.entry = newKeySelectEntry(nil)
	p.entry.PlaceHolder = lang.L("Type to search companies")
	if id != 0 {
		p.ids[name] = id
		p.setting = true
		p.entry.SetText(name)
		p.setting = false
	}
	p.entry.OnChanged = func(string) {
		if !p.setting {
			p.deb.call(p.search)
		}
	}
	p.search()
	return p
}

// search offers the companies matching the typed text.
func (p *companyPicker) search() {
	p.gen++
	gen := p.gen
	q := strings.TrimSpace(p.entry.Text)
	if _, ok := p.ids[q]; ok {
		q = "" // an exact pick: offer everything again
	}
	svc := p.u.crm.Companies
	p.u.run.Go(func(ctx context.Context) func() {
		cs, err := svc.ListCompanies(ctx, app.CompanyFilter{Query: q, Limit: 20})
		return func() {
			if gen != p.gen {
				return
			}
			if err != nil {
				logError("search companies", err)
				return
			}
			names := make([]string, 0, len(cs))
			for _, c := range cs {
				if _, dup := p.ids[c.Name]; !dup || p.ids[c.Name] == c.ID {
					p.ids[c.Name] = c.ID
					names = append(names, c.Name)
				}
			}
			p.entry.SetOptions(names)
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
	p.setting = true
	p.entry.SetText(name)
	p.setting = false
}
