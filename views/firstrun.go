package views

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"
)

// firstRun offers sample data when the database is empty.
func (m *mainWindow) firstRun() {
	if m.params.IsEmpty == nil || m.params.LoadSample == nil {
		return
	}
	m.run.Go(func(ctx context.Context) func() {
		empty, err := m.params.IsEmpty(ctx)
		if err != nil {
			logError("check for an empty database", err)
			return nil
		}
		if !empty {
			return nil
		}
		return m.offerSample
	})
}

// offerSample asks whether to load sample data or start empty.
func (m *mainWindow) offerSample() {
	msg := widget.NewLabel(breakable(lang.L("Your database is empty. Load sample contacts, companies and pipelines to look around, or start with an empty database.")))
	msg.Wrapping = fyne.TextWrapWord
	var d *dialog.CustomDialog
	load := widget.NewButton(lang.L("Load sample data"), func() {
		d.Hide()
		m.loadSample()
	})
	load.Importance = widget.HighImportance
	empty := widget.NewButton(lang.L("Start empty"), func() { d.Hide() })
	d = dialog.NewCustomWithoutButtons(lang.L("Welcome to Tandem"), msg, m.win)
	d.SetButtons([]fyne.CanvasObject{empty, load})
	d.Resize(fyne.NewSize(460, 220))
	m.sampleDialog = d
	m.show(d)
}

// loadSample loads the sample data in the background behind a progress dialog.
func (m *mainWindow) loadSample() {
	bar := widget.NewProgressBarInfinite()
	d := dialog.NewCustomWithoutButtons(lang.L("Loading sample data…"), container.NewPadded(bar), m.win)
	d.Resize(fyne.NewSize(360, 120))
	d.Show() // not in m.open: Esc must not hide it while the load runs
	m.run.Go(func(ctx context.Context) func() {
		err := m.params.LoadSample(ctx)
		return func() {
			bar.Stop()
			d.Hide()
			if err != nil {
				m.showError("load sample data", err)
				return
			}
			m.refreshAll()
		}
	})
}
