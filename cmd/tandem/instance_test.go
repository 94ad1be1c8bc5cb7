package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/app/backup"
	"github.com/tandem-crm/tandem/app/instance"
)

// TestMain lets this test binary be Tandem itself, in another process:
// with TANDEM_TEST_MAIN=1 it runs the program on the arguments after "--",
// with Fyne's test driver in place of OpenGL (no display is needed; the
// window, its menus and the tray are Fyne's own objects all the same).
func TestMain(m *testing.M) {
	benchChild() // a benchmark's child process: gui_bench_test.go
	if os.Getenv("TANDEM_TEST_MAIN") == "1" {
		args := os.Args[1:]
		for i, a := range args {
			if a == "--" {
				args = args[i+1:]
				break
			}
		}
		useTestDriver()
		// A safety net: a window a failed test left behind ends by itself.
		time.AfterFunc(3*time.Minute, func() { os.Exit(3) })
		ctx, cancel := context.WithCancel(context.Background())
		code := run(ctx, args, os.Stdout, os.Stderr)
		cancel()
		os.Exit(code)
	}
	os.Exit(m.Run())
}

// trayApp is Fyne's test app with a tray (desktop.App) and a Quit that
// ends runApp, as the real driver's does.
type trayApp struct {
	fyne.App
	mu   gosync.Mutex
	menu *fyne.Menu
	icon fyne.Resource
	once gosync.Once
	quit chan struct{}
	ui   chan func()
	// drained, when set, is closed once drain has returned.
	drained chan struct{}
}

// newTrayApp returns the test app as fyne.CurrentApp, with a driver whose
// fyne.Do queues work for one UI goroutine (drain), as the real driver
// does: Fyne's test driver runs it on the calling goroutine, which only
// suits tests that have a single goroutine.
func newTrayApp() *trayApp {
	a := &trayApp{App: test.NewApp(), quit: make(chan struct{}), ui: make(chan func(), 1024)}
	fyne.SetCurrentApp(a)
	return a
}

func (a *trayApp) Driver() fyne.Driver { return uiDriver{Driver: a.App.Driver(), q: a.ui} }

// drain runs the queued UI work until Quit or ctx ends.
func (a *trayApp) drain(ctx context.Context) {
	defer func() {
		if a.drained != nil {
			close(a.drained)
		}
	}()
	for {
		select {
		case fn := <-a.ui:
			fn()
		case <-a.quit:
			return
		case <-ctx.Done():
			return
		}
	}
}

// uiDriver is the test driver with fyne.Do going to the UI goroutine.
type uiDriver struct {
	fyne.Driver
	q chan func()
}

func (d uiDriver) DoFromGoroutine(fn func(), wait bool) {
	if !wait {
		select {
		case d.q <- fn: // in order, as the real driver keeps it
		default:
			go func() { d.q <- fn }()
		}
		return
	}
	done := make(chan struct{})
	d.q <- func() { fn(); close(done) }
	<-done
}

func (a *trayApp) SetSystemTrayMenu(m *fyne.Menu) {
	a.mu.Lock()
	a.menu = m
	a.mu.Unlock()
}

func (a *trayApp) SetSystemTrayIcon(r fyne.Resource) {
	a.mu.Lock()
	a.icon = r
	a.mu.Unlock()
}

func (a *trayApp) SetSystemTrayWindow(fyne.Window) {}

func (a *trayApp) Quit() { a.once.Do(func() { close(a.quit) }) }

func (a *trayApp) trayMenu() *fyne.Menu {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.menu
}

func useTestDriver() {
	newFyneApp = func() fyne.App { return newTrayApp() }
	runApp = func(ctx context.Context, a fyne.App) { a.(*trayApp).drain(ctx) }
}

// proc is Tandem running in another process.
type proc struct {
	cmd      *exec.Cmd
	out, err *syncBuffer
}

type syncBuffer struct {
	mu gosync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// start runs this test binary as `tandem --data-dir dir args...`.
func start(t *testing.T, dir string, args ...string) *proc {
	t.Helper()
	// A help desk at an address where nothing listens: the window has a
	// sync service (desk sync can go through it) and no fixed port is taken.
	return startOn(t, dir, "http://127.0.0.1:9", args...)
}

// startOn starts Tandem in another process on the help desk target.
func startOn(t *testing.T, dir, target string, args ...string) *proc {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"-test.run=^$", "--", "--data-dir", dir, "--desk", target}, args...)...)
	cmd.Env = append(os.Environ(), "TANDEM_TEST_MAIN=1", "LANG=en_US.UTF-8")
	p := &proc{cmd: cmd, out: &syncBuffer{}, err: &syncBuffer{}}
	cmd.Stdout, cmd.Stderr = p.out, p.err
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	return p
}

// runProc runs Tandem in another process to its end.
func runProc(t *testing.T, dir string, args ...string) (int, string, string) {
	t.Helper()
	return runProcOn(t, dir, "http://127.0.0.1:9", args...)
}

// runProcOn runs Tandem on the help desk target in another process to its end.
func runProcOn(t *testing.T, dir, target string, args ...string) (int, string, string) {
	t.Helper()
	p := startOn(t, dir, target, args...)
	err := p.cmd.Wait()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, p.out.String(), p.err.String()
}

// holder returns what the folder's holder published, waiting for a window
// (one that answers requests) other than not.
func holder(t *testing.T, dir string, not int) instance.Info {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		b, err := os.ReadFile(filepath.Join(dir, instance.InfoFile))
		var info instance.Info
		if err == nil && json.Unmarshal(b, &info) == nil && info.Addr != "" && info.PID != not {
			if _, err := instance.Call(context.Background(), dir, "changed"); err == nil {
				return info
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("no window holds %s", dir)
	return instance.Info{}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestSingleInstance runs Tandem in real processes on one data folder: a
// window in the tray; a second start that brings it to the front instead
// of opening the database again; reads and writes beside it; a sync pass
// and a restore that go through it; a configure it refuses.
func TestSingleInstance(t *testing.T) {
	if testing.Short() {
		t.Skip("starts several processes")
	}
	dir := t.TempDir()
	if code, _, errs := tandem(t, dir, "sample"); code != 0 {
		t.Fatal(errs)
	}
	early := filepath.Join(t.TempDir(), "early.db")
	if code, _, errs := tandem(t, dir, "backup", early); code != 0 {
		t.Fatal(errs)
	}

	win := start(t, dir, "--hidden")
	info := holder(t, dir, 0)
	if info.PID != win.cmd.Process.Pid {
		t.Fatalf("the folder is held by %d, not the window %d", info.PID, win.cmd.Process.Pid)
	}

	t.Run("second start shows the window", func(t *testing.T) {
		code, out, errs := runProc(t, dir)
		if code != 0 || !strings.Contains(out, fmt.Sprintf("already running (process %d)", info.PID)) {
			t.Fatalf("second start: %d %q %q", code, out, errs)
		}
		waitFor(t, "the window to log that it was shown", func() bool { return strings.Contains(win.err.String(), "window shown") })
	})

	t.Run("reads and writes beside the window", func(t *testing.T) {
		if code, out, errs := runProc(t, dir, "contacts", "add", "-last", "Beside"); code != 0 || strings.TrimSpace(out) == "" {
			t.Fatalf("add beside: %d %q %q", code, out, errs)
		}
		waitFor(t, "the window to reload", func() bool { return strings.Contains(win.err.String(), "data changed outside the window") })
		code, out, errs := runProc(t, dir, "contacts", "list", "-q", "Beside")
		if code != 0 || !strings.Contains(out, "Beside") {
			t.Fatalf("list beside: %d %q %q", code, out, errs)
		}
		b := filepath.Join(t.TempDir(), "beside.db")
		if code, out, errs := runProc(t, dir, "backup", b); code != 0 || !strings.Contains(out, "checked: ok") {
			t.Fatalf("backup beside: %d %q %q", code, out, errs)
		}
	})

	t.Run("desk sync goes through the window", func(t *testing.T) {
		code, out, errs := runProc(t, dir, "desk", "sync")
		if code != 0 || !strings.Contains(out, "by the running window") {
			t.Fatalf("desk sync: %d %q %q", code, out, errs)
		}
	})

	t.Run("desk configure is refused while the window runs", func(t *testing.T) {
		code, _, errs := runProc(t, dir, "desk", "deactivate")
		if code != 1 || !strings.Contains(errs, fmt.Sprint(info.PID)) || !strings.Contains(errs, "Settings › Zoho Desk") {
			t.Fatalf("deactivate: %d %q", code, errs)
		}
	})

	t.Run("restore goes through the window, which restarts", func(t *testing.T) {
		code, out, errs := runProc(t, dir, "restore", early)
		if code != 0 || !strings.Contains(out, "starts again") {
			t.Fatalf("restore: %d %q %q", code, out, errs)
		}
		if err := win.cmd.Wait(); err != nil {
			t.Fatalf("the old window ended with %v\n%s", err, win.err.String())
		}
		again := holder(t, dir, info.PID)
		t.Cleanup(func() {
			if p, err := os.FindProcess(again.PID); err == nil {
				p.Kill()
			}
		})
		code, out, _ = runProc(t, dir, "contacts", "list", "-q", "Beside")
		if code != 0 || strings.Contains(out, "Beside") {
			t.Errorf("after restoring the early backup: %d %q", code, out)
		}
		bs, err := backup.List(backupsDir(dir))
		if err != nil {
			t.Fatal(err)
		}
		var aside string
		for _, b := range bs {
			if b.Kind == app.BackupSetAside {
				aside = b.Path
			}
		}
		if aside == "" {
			t.Fatalf("no set-aside database in %v", bs)
		}
		code, out, _ = tandemOn(t, aside, "contacts", "list", "-q", "Beside")
		if code != 0 || !strings.Contains(out, "Beside") {
			t.Errorf("the set-aside database lacks the contact added before the restore: %q", out)
		}
	})
}

// tandemOn runs the CLI in-process on a copy of one database file.
func tandemOn(t *testing.T, db string, args ...string) (int, string, string) {
	t.Helper()
	dir := t.TempDir()
	b, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "tandem.db"), b, 0o600); err != nil {
		t.Fatal(err)
	}
	return tandem(t, dir, args...)
}
