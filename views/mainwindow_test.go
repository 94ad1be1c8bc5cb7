package views

import (
	"context"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/app/sample"
)

func TestFirstRunLoadsSampleData(t *testing.T) {
	db := newTestDB(t)
	crm := app.CRM{Contacts: db, Companies: db, Pipelines: db}
	m := newTestWindow(t, crm, Params{
		IsEmpty:    db.IsEmpty,
		LoadSample: func(ctx context.Context) error { return sample.Load(ctx, crm, 1, sample.Demo) },
	})
	if m.sampleDialog == nil || len(m.open) != 1 {
		t.Fatal("no sample-data offer on an empty database")
	}
	tap(m, button(t, m, "Load sample data"))
	if m.companies != nil || m.pipelines != nil {
		t.Error("screens not shown yet were built at start")
	}
	m.nav.Select(1)
	settle(m)
	m.nav.Select(2)
	settle(m)
	if m.contacts.list.total != sample.Demo.Contacts || m.companies.list.total != sample.Demo.Companies {
		t.Errorf("after loading: %d contacts, %d companies", m.contacts.list.total, m.companies.list.total)
	}
	if _, ok := firstCard(m.pipelines); len(m.pipelines.pipelines) == 0 || !ok {
		t.Error("no pipelines or records after loading the sample")
	}
}

func TestFirstRunStartEmpty(t *testing.T) {
	fake := newFake()
	loaded := false
	m := newTestWindow(t, fake.crm(), Params{
		IsEmpty:    fake.IsEmpty,
		LoadSample: func(context.Context) error { loaded = true; return nil },
	})
	tap(m, button(t, m, "Start empty"))
	if loaded || len(m.open) != 0 {
		t.Error("Start empty loaded data or left the dialog open")
	}
	// A database with data is not offered the sample.
	mustContact(t, fake.crm(), app.Contact{LastName: "Young"})
	m2 := newTestWindow(t, fake.crm(), Params{IsEmpty: fake.IsEmpty, LoadSample: func(context.Context) error { return nil }})
	if m2.sampleDialog != nil {
		t.Error("sample data offered on a database with data")
	}
}

func TestErrorsShowAMessageNotTheCause(t *testing.T) {
	fake := newFake()
	m := newTestWindow(t, fake.crm())
	m.showError("test", &app.Error{Code: app.EUNAVAILABLE, Message: "The disk is full. Free some space and try again.",
		Err: os.ErrPermission})
	if !hasText(m, "The disk is full. Free some space and try again.") {
		t.Error("the error's message is not shown")
	}
	m.escape()
	m.showError("test", os.ErrPermission) // not an *app.Error: its text is for the log only
	if !hasText(m, "Something went wrong. The details are in the log.") || hasText(m, os.ErrPermission.Error()) {
		t.Error("a raw error reached the screen")
	}
}

// TestScreenshot renders the main window with the sample data to PNGs in
// testdata/failed (ignored by git) for a person to look at.
func TestScreenshot(t *testing.T) {
	crm := newTestCRM(t)
	if err := sample.Load(context.Background(), crm, 1, sample.Demo); err != nil {
		t.Fatal(err)
	}
	m := newTestWindow(t, crm)
	shot := func(name string) { writePNG(t, m, name) }
	m.contacts.list.list.Select(2)
	shot("contacts.png")
	m.nav.Select(1)
	m.companies.list.list.Select(0)
	shot("companies.png")
	m.nav.Select(2)
	shot("pipelines.png")
	m.pipelines.mode.SetSelected("List")
	shot("pipelines-list.png")
	m.pipelines.mode.SetSelected("Board")
	settle(m)
	first, ok := firstCard(m.pipelines)
	if !ok {
		t.Fatal("the board's first column shows no card")
	}
	m.pipelines.openForm(m.pipelines.current(), &first)
	shot("recordform.png")
	m.escape()
	m.nav.Select(0)
	settle(m)
	m.contacts.create()
	settle(m)
	tap(m, m.contacts.form.save)
	m.win.Resize(fyne.NewSize(1100, 720))
	shot("contactform.png")
}

// writePNG renders the window to testdata/failed/name (ignored by git).
func writePNG(t *testing.T, m *mainWindow, name string) {
	t.Helper()
	settle(m)
	dir := filepath.Join("testdata", "failed")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, m.win.Canvas().Capture()); err != nil {
		t.Fatal(err)
	}
}

// firstCard returns the first card on the board.
func firstCard(s *pipelinesScreen) (app.Record, bool) {
	for _, col := range s.columns {
		if r, ok := col.cards.item(0); ok {
			return r, true
		}
	}
	return app.Record{}, false
}
