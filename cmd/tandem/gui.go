package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	gosync "sync"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/driver/desktop"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/app/autostart"
	"github.com/tandem-crm/tandem/app/backup"
	"github.com/tandem-crm/tandem/app/instance"
	"github.com/tandem-crm/tandem/app/notify"
	"github.com/tandem-crm/tandem/app/sample"
	"github.com/tandem-crm/tandem/app/store"
	"github.com/tandem-crm/tandem/assets"
	"github.com/tandem-crm/tandem/sync/signals"
	"github.com/tandem-crm/tandem/views"
)

// guiOptions are the window's command-line options.
type guiOptions struct {
	dataDir    string
	deskTarget string
	hidden     bool   // start in the tray (at login)
	importFile string // open Import… on this file once the window is up
}

// newFyneApp and runApp are the real driver; the two-process tests swap
// in Fyne's test driver, which has no event loop of its own.
var (
	newFyneApp = func() fyne.App { return fyneapp.NewWithID(appID) }
	runApp     = func(ctx context.Context, a fyne.App) { a.Run() }
)

// started, when set (benchmarks of the real window), runs on the UI
// goroutine once the app's event loop has started.
var started func(a fyne.App)

// runGUI holds the data folder and runs the window until Quit. A second
// start on the same folder asks the running window to come to the front
// and exits.
func runGUI(ctx context.Context, o guiOptions, stdout, stderr io.Writer) int {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	lock, err := instance.Acquire(o.dataDir, versionString())
	var held *instance.HeldError
	if errors.As(err, &held) && held.Info.Addr != "" {
		op, args := "show", []string(nil)
		if o.importFile != "" {
			op, args = "import", []string{o.importFile}
		}
		resp, cerr := instance.Call(ctx, o.dataDir, op, args...)
		if cerr == nil && resp.OK {
			fmt.Fprintf(stdout, "Tandem is already running (process %d); its window was brought to the front.\n", held.Info.PID)
			return 0
		}
		fmt.Fprintln(stderr, "tandem:", held.Error(), app.ErrorMessage(cerr))
		return 1
	}
	if errors.As(err, &held) {
		// A headless command (a sync pass, a restore) has the folder: wait.
		fmt.Fprintf(stderr, "tandem: waiting for %s\n", held.Error())
		wctx, wcancel := context.WithTimeout(ctx, 2*time.Minute)
		lock, err = instance.AcquireWait(wctx, o.dataDir, versionString())
		wcancel()
	}
	if err != nil {
		fmt.Fprintln(stderr, "tandem:", app.ErrorMessage(err))
		return 1
	}
	defer lock.Release()

	if os.Getenv("GOMEMLIMIT") == "" {
		// A soft heap limit, so that the collector does not let the heap
		// double before it runs. It must stay well above the live heap:
		// at 100k contacts that is 44 MB in English and 57–62 MB with the
		// Japanese fonts, and at 64 MB the collector ran back to back in
		// Japanese (1,215 cycles in a 35 s tour of the window, 13% of the
		// CPU, beside the UI goroutine on two cores) against 13 cycles at
		// 96 MB, for a peak RSS of 271 MB against 275 MB (issue 17).
		debug.SetMemoryLimit(96 << 20)
	}
	a := newFyneApp()
	a.Settings().SetTheme(views.Theme())
	if err := views.LoadTranslations(); err != nil {
		slog.Warn("translations", "err", err)
	}
	s, err := newSession(ctx, a, o, newNotifier())
	if err != nil {
		// A locked, read-only or corrupt database: say so in a window
		// rather than crash, and touch nothing. Said once for people (the
		// details go to the debug log).
		slog.Debug("open database", "dir", o.dataDir, "err", err)
		fmt.Fprintln(stderr, "tandem:", app.ErrorMessage(err))
		views.ShowCannotOpen(a, o.dataDir, app.ErrorMessage(err))
		runApp(ctx, a)
		return 1
	}
	if err := lock.Serve(ctx, s.handle); err != nil {
		slog.Warn("single instance: a second start cannot reach this window", "err", err)
	}
	if !o.hidden {
		s.win.Show()
	}
	if started != nil || o.importFile != "" {
		a.Lifecycle().SetOnStarted(func() {
			if o.importFile != "" {
				s.win.Import(o.importFile)
			}
			if started != nil {
				started(a)
			}
		})
	}
	ran := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done(): // Ctrl+C in the terminal
			fyne.Do(a.Quit)
		case <-ran: // after the loop, Fyne's driver is gone
		}
	}()
	runApp(ctx, a)
	close(ran)
	cancel()
	s.close()
	if s.restoreFrom == "" {
		return 0
	}
	if _, err := restoreFile(context.Background(), o.dataDir, s.restoreFrom); err != nil {
		slog.Error("restore", "from", s.restoreFrom, "err", err)
		fmt.Fprintln(stderr, "tandem: restore:", app.ErrorMessage(err))
	}
	lock.Release()
	relaunch()
	return 0
}

// relaunch starts Tandem again with the same arguments (after a restore).
func relaunch() {
	exe, err := os.Executable()
	if err == nil {
		// Not our standard output and error: whoever waits for this
		// process to end (a terminal, a test) must not wait for the next.
		cmd := exec.Command(exe, os.Args[1:]...)
		err = cmd.Start()
		if err == nil {
			go cmd.Wait() //nolint:errcheck // reaps it if it ends before we do
		}
	}
	if err != nil {
		slog.Error("restart after restore; start Tandem again", "err", err)
	}
}

func newNotifier() *notify.Desktop {
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	return notify.New("Tandem", assets.IconPNG, filepath.Join(cache, "tandem"))
}

// session is one run of the window on a data folder: the database, the
// signals detector, the sync service, the daily backups, the window and
// the tray.
type session struct {
	a        fyne.App
	o        guiOptions
	cancel   context.CancelFunc
	wg       gosync.WaitGroup
	db       *store.DB
	det      *signals.Detector
	dw       *deskWiring
	win      *views.Window
	tray     *views.Tray
	notifier *notify.Desktop

	mu          gosync.Mutex
	restoreFrom string // set by a restore: main restores and restarts after quitting
}

// newSession opens the database and builds everything on it; a is the
// Fyne app (the real one, or the test driver's).
func newSession(ctx context.Context, a fyne.App, o guiOptions, notifier *notify.Desktop) (*session, error) {
	path, err := dbPath(o.dataDir)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	// A damaged file opens read-only, so the window can say what is lost
	// and salvage what is not. The quick check of a file that changed since
	// its last checked close runs in the background (writes wait for it);
	// sync and backups start once it passed.
	db, err := store.OpenOptions(ctx, path, store.Options{AllowDamaged: true, DeferCheck: true})
	if err != nil {
		cancel()
		return nil, err
	}
	s := &session{a: a, o: o, cancel: cancel, db: db, notifier: notifier}
	crm := app.CRM{Contacts: db, Companies: db, Pipelines: db, Imports: db, Export: db}
	det := newDetectorWith(db, notifier)
	s.det = det
	s.goRun(ctx, det.Run)
	params := views.Params{
		CRM:        crm,
		IsEmpty:    db.IsEmpty,
		LoadSample: func(ctx context.Context) error { return sample.Load(ctx, crm, 1, sample.Demo) },
		Signals:    det,

		QuickCheck:    db.Verify,
		CheckDatabase: db.CheckIntegrity,
		Damage:        db.Damage(),
		Salvage:       func(ctx context.Context) (*app.SalvageReport, error) { return store.SalvageInPlace(ctx, db) },
		RestoreBackup: s.restoreLatestGood,
	}
	dw, err := newDesk(ctx, o.deskTarget, true, filepath.Join(filepath.Dir(db.Path()), demoJournalName), db, crm, det)
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
		dw = nil
	} else {
		s.dw = dw
		params.Integration = dw.svc
	}
	bsvc := &backupService{db: db, dataDir: o.dataDir, restore: s.requestRestore}
	s.goRun(ctx, func(ctx context.Context) error {
		// Nothing is synced into a damaged file, and it is not backed up
		// over the good backups it may be restored from; the window says
		// why (Params.QuickCheck).
		if d, err := db.Verify(ctx); err != nil || d != nil {
			slog.Error("database damaged or unreadable: sync and backups stopped", "path", path, "damage", d, "err", err)
			return nil
		}
		if ctx.Err() != nil {
			return nil
		}
		if s.dw != nil {
			s.goRun(ctx, s.dw.svc.Run)
		}
		// The day's backup reads and checks the whole file (2 s of CPU at
		// 100k contacts): not in the window's first seconds (issue 17).
		sched := &backup.Scheduler{Dir: backupsDir(o.dataDir), Backup: db.Backup, Delay: backupDelay}
		s.goRun(ctx, sched.Run)
		return nil
	})
	params.Desktop = &views.Desktop{
		About:      views.About{Version: versionString(), DataDir: o.dataDir, Licenses: thirdPartyLicenses},
		Backups:    bsvc,
		LoginItem:  loginItem(o.dataDir),
		OpenFolder: func(p string) error { return a.OpenURL(&url.URL{Scheme: "file", Path: filepath.ToSlash(p)}) },
		Quit:       s.quit,
	}
	if notifier != nil {
		params.Desktop.Notifier = notifier
	}
	s.win = views.NewWindow(ctx, a, params)
	if notifier != nil {
		notifier.OnClick(func(t app.NotificationTarget) { fyne.Do(func() { s.win.Open(t) }) })
	}
	tp := views.TrayParams{Show: s.win.Show, Signals: det, Quit: s.quit}
	if s.dw != nil {
		tp.SyncNow = s.dw.svc.SyncNow
	}
	if d, ok := a.(desktop.App); ok {
		var shown fyne.Resource
		tp.Set = func(m *fyne.Menu, icon fyne.Resource) {
			d.SetSystemTrayMenu(m)
			if icon != shown { // each icon is sent over D-Bus as pixels
				shown = icon
				d.SetSystemTrayIcon(icon)
			}
		}
	}
	s.tray = views.NewTray(ctx, tp)
	return s, nil
}

// backupDelay is how long after the window opens the day's automatic
// backup starts; a variable so tests can set it to 0.
var backupDelay = time.Minute

// goRun runs fn in a goroutine close waits for.
func (s *session) goRun(ctx context.Context, fn func(context.Context) error) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		_ = fn(ctx)
	}()
}

// quit ends Tandem: the menu, the tray, Ctrl/Cmd+Q and a close with
// close-to-tray off all come here.
func (s *session) quit() { s.a.Quit() }

// close stops the background work and closes the database.
func (s *session) close() {
	s.cancel()
	s.wg.Wait()
	if s.dw != nil {
		s.dw.Close()
	}
	s.db.Close()
}

// requestRestore checks a backup and, when it is good, quits so that
// runGUI restores it (with the database closed) and starts again.
func (s *session) requestRestore(ctx context.Context, path string) error {
	if _, err := store.CheckBackup(ctx, path); err != nil {
		return err
	}
	s.mu.Lock()
	s.restoreFrom = path
	s.mu.Unlock()
	fyne.Do(s.quit)
	return nil
}

// restoreLatestGood is the damaged-database dialog's Restore: it picks the
// newest backup that passes its check and quits, so that runGUI restores
// it (the damaged file set aside) and starts again on it.
func (s *session) restoreLatestGood(ctx context.Context) (string, error) {
	bs, err := backup.List(backupsDir(s.o.dataDir))
	if err != nil {
		return "", err
	}
	for _, b := range bs {
		if err := s.requestRestore(ctx, b.Path); err == nil {
			return filepath.Base(b.Path), nil
		}
	}
	return "", &app.Error{Code: app.ENOTFOUND, Message: "There is no good backup to restore."}
}

// handle answers another process that started on the same folder.
func (s *session) handle(ctx context.Context, op string, args []string) instance.Response {
	switch op {
	case "show":
		slog.Info("window shown: Tandem was started again on this data folder")
		fyne.Do(s.win.Show)
		return instance.Response{OK: true, Message: "shown"}
	case "import":
		if len(args) != 1 {
			return instance.Response{Code: app.EINVALID, Message: "import needs one file"}
		}
		slog.Info("import asked for by a second start", "file", args[0])
		fyne.Do(func() { s.win.Import(args[0]) })
		return instance.Response{OK: true, Message: "shown"}
	case "changed":
		slog.Info("data changed outside the window: reloading")
		fyne.Do(s.win.Reload)
		return instance.Response{OK: true}
	case "sync":
		if s.dw == nil {
			return instance.Response{Code: app.EUNAVAILABLE, Message: "The window has no help desk connected."}
		}
		msg, err := syncPass(ctx, s.dw.svc)
		if err != nil {
			return instance.Response{Code: app.ErrorCode(err), Message: app.ErrorMessage(err)}
		}
		fyne.Do(s.win.Reload)
		return instance.Response{OK: true, Message: msg + " (by the running window)"}
	case "restore":
		if len(args) != 1 {
			return instance.Response{Code: app.EINVALID, Message: "restore needs one file"}
		}
		// Answer first, then quit: the caller hears back before the window goes.
		if _, err := store.CheckBackup(ctx, args[0]); err != nil {
			return instance.Response{Code: app.ErrorCode(err), Message: app.ErrorMessage(err)}
		}
		s.mu.Lock()
		s.restoreFrom = args[0]
		s.mu.Unlock()
		time.AfterFunc(200*time.Millisecond, func() { fyne.Do(s.quit) })
		return instance.Response{OK: true, Message: "The running Tandem restores " + args[0] + " and starts again; the database before it is kept in " + backupsDir(s.o.dataDir) + "."}
	}
	return instance.Response{Code: app.EINVALID, Message: "unknown request " + op}
}

// loginItem is "Start Tandem when I log in": this program, in the tray,
// on this data folder.
func loginItem(dataDir string) app.LoginItem {
	exe, err := os.Executable()
	if err != nil {
		return nil
	}
	if p, err := filepath.EvalSymlinks(exe); err == nil {
		exe = p
	}
	args := []string{"--hidden"}
	if dataDir != defaultDataDir() {
		args = append(args, "--data-dir", dataDir)
	}
	return &autostart.Item{ID: appID, Name: "Tandem", Exe: exe, Args: args}
}
