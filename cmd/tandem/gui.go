package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"runtime/debug"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/app/sample"
	"github.com/tandem-crm/tandem/app/store"
	"github.com/tandem-crm/tandem/views"
)

// started, when set (benchmarks and tests of the real window), runs on the
// UI goroutine once the app's event loop has started, with the main window.
var started func(a fyne.App, w fyne.Window)

// runGUI opens the database and the main window and runs until it closes.
func runGUI(ctx context.Context, dataDir, deskTarget string, stderr io.Writer) int {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if os.Getenv("GOMEMLIMIT") == "" {
		// A soft heap limit: the window's live heap is ~50 MB, and without
		// it the collector lets the heap double before running, which
		// pushes the process past 200 MB with Japanese fonts loaded.
		debug.SetMemoryLimit(64 << 20)
	}
	a := fyneapp.NewWithID(appID)
	a.Settings().SetTheme(views.Theme())
	if err := views.LoadTranslations(); err != nil {
		slog.Warn("translations", "err", err)
	}
	path, err := dbPath(dataDir)
	var db *store.DB
	if err == nil {
		db, err = store.Open(ctx, path)
	}
	if err != nil {
		// A locked, read-only or corrupt database: say so in a window
		// rather than crash, and touch nothing.
		slog.Error("open database", "path", path, "err", err)
		fmt.Fprintln(stderr, "tandem:", app.ErrorMessage(err))
		showFatal(a, fmt.Sprintf("Tandem cannot open its database:\n%s\n\n%s", path, app.ErrorMessage(err)))
		return 1
	}
	defer db.Close()
	crm := app.CRM{Contacts: db, Companies: db, Pipelines: db, Imports: db, Export: db}
	det := newDetector(db, true)
	go func() { _ = det.Run(ctx) }()
	params := views.Params{
		CRM:        crm,
		IsEmpty:    db.IsEmpty,
		LoadSample: func(ctx context.Context) error { return sample.Load(ctx, crm, 1, sample.Demo) },
		Signals:    det,
	}
	dw, err := newDesk(ctx, deskTarget, db, crm, det)
	params.OpenURL = func(s string) error {
		if dw != nil && dw.demoSignIn(ctx, s) {
			return nil
		}
		u, err := url.Parse(s)
		if err != nil {
			return err
		}
		return a.OpenURL(u)
	}
	if err != nil {
		// The CRM works without the help desk: say why in the log and go on.
		slog.Error("help desk", "err", err)
	} else {
		defer dw.Close()
		params.Integration = dw.svc
		go func() { _ = dw.svc.Run(ctx) }()
	}
	w := views.NewMainWindow(ctx, a, params)
	if started != nil {
		a.Lifecycle().SetOnStarted(func() { started(a, w) })
	}
	go func() {
		<-ctx.Done()
		fyne.Do(a.Quit)
	}()
	w.ShowAndRun()
	return 0
}

func showFatal(a fyne.App, msg string) {
	w := a.NewWindow("Tandem")
	w.SetContent(container.NewPadded(container.NewVBox(
		widget.NewLabel(msg),
		widget.NewButton("Quit", a.Quit),
	)))
	w.ShowAndRun()
}
