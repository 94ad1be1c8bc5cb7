package views

import (
	"context"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/tandem-crm/tandem/app"
)

// concurrencyRow is Manage's "Requests at once": how many requests Tandem
// sends the portal at the same time. Zoho caps it per portal by plan and
// everyone using the portal shares the cap, so the default is half of it;
// a business alone on a large plan may go higher, one sharing its portal
// with other apps lower.
type concurrencyRow struct {
	s      *deskSettings
	box    *fyne.Container
	choose *widget.Select
	help   *widget.Label
	info   app.ConcurrencyInfo
	values []int // the Select's options, 0 = automatic
	busy   bool  // set while the Select is filled, so that is not a change
}

func newConcurrencyRow(s *deskSettings) *concurrencyRow {
	r := &concurrencyRow{s: s}
	r.choose = widget.NewSelect(nil, r.changed)
	r.choose.Disable()
	r.help = wrapLabel(lang.L("Reading the portal's limits…"))
	r.help.Importance = widget.LowImportance
	r.box = container.NewVBox(
		// A Select in an HBox is as narrow as its arrow allows and cut
		// "Automatic (12)" to "Automatic …" in the real window.
		container.NewHBox(widget.NewLabel(lang.L("Requests at once")),
			container.NewGridWrap(fyne.NewSize(220, r.choose.MinSize().Height), r.choose)),
		r.help)
	r.load()
	return r
}

func (r *concurrencyRow) load() {
	r.s.run.Go(func(ctx context.Context) func() {
		info, err := r.s.integ.Concurrency(ctx)
		return func() {
			if err != nil {
				logError("desk concurrency", err)
				setWrapped(r.help, errorText(err))
				return
			}
			r.show(info)
		}
	})
}

func (r *concurrencyRow) show(info app.ConcurrencyInfo) {
	r.info = info
	r.values = []int{0}
	opts := []string{lang.L("Automatic ({{.N}})", map[string]any{"N": info.Automatic})}
	for n := 1; n <= info.Cap; n++ {
		r.values = append(r.values, n)
		opts = append(opts, strconv.Itoa(n))
	}
	r.busy = true
	r.choose.Options = opts
	r.choose.SetSelectedIndex(0)
	for i, v := range r.values {
		if v == info.Setting {
			r.choose.SetSelectedIndex(i)
		}
	}
	r.busy = false
	r.choose.Enable()
	if info.Edition != "" {
		setWrapped(r.help, lang.L("On the {{.Edition}} plan Zoho Desk serves a portal at most {{.Cap}} requests at once, shared by everyone and every app using it. Automatic uses half of that; choose fewer if other apps share the portal.", map[string]any{"Edition": info.Edition, "Cap": info.Cap}))
	} else {
		setWrapped(r.help, lang.L("Zoho Desk limits how many requests a portal serves at once by plan (Free 5, Standard 10, Professional 15, Enterprise 25), shared by everyone using it. Automatic is safe on every plan; choose more only up to your plan's limit."))
	}
}

func (r *concurrencyRow) changed(string) {
	i := r.choose.SelectedIndex()
	if r.busy || i < 0 || i >= len(r.values) || r.values[i] == r.info.Setting {
		return
	}
	n := r.values[i]
	r.choose.Disable()
	r.s.run.Go(func(ctx context.Context) func() {
		err := r.s.integ.SetConcurrency(ctx, n)
		info, ierr := r.s.integ.Concurrency(ctx)
		return func() {
			if ierr == nil {
				r.show(info)
			} else {
				r.choose.Enable()
			}
			if err != nil {
				logError("set desk concurrency", err)
				setWrapped(r.help, errorText(err))
			}
		}
	})
}
