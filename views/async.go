package views

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"

	"github.com/tandem-crm/tandem/app"
)

// searchDelay is how long typing must pause before a search query runs.
const searchDelay = 150 * time.Millisecond

// runner starts background work bound to the window's context and hands
// its result to the UI goroutine. It counts the work still running so tests
// can wait until everything has been applied.
type runner struct {
	ctx  context.Context
	post func(func()) // delivers results to the UI goroutine: fyne.Do, or a test's queue
	mu   sync.Mutex
	busy int // goroutines and pending timers not finished yet
}

func newRunner(ctx context.Context, post func(func())) *runner {
	if post == nil {
		post = fyne.Do
	}
	return &runner{ctx: ctx, post: post}
}

func (r *runner) begin() { r.mu.Lock(); r.busy++; r.mu.Unlock() }

func (r *runner) end() { r.mu.Lock(); r.busy--; r.mu.Unlock() }

// idle reports whether no work is running or waiting on a timer.
func (r *runner) idle() bool { r.mu.Lock(); defer r.mu.Unlock(); return r.busy == 0 }

// Go runs work in a goroutine; the function it returns, if any, runs on the
// UI goroutine unless the context has ended.
func (r *runner) Go(work func(ctx context.Context) func()) {
	r.begin()
	go func() {
		defer r.end() // after post, so idle means every result was delivered
		apply := work(r.ctx)
		if apply != nil && r.ctx.Err() == nil {
			r.post(apply)
		}
	}()
}

// debouncer runs the last function it was given once calls pause for
// searchDelay. Use it from the UI goroutine only.
type debouncer struct {
	r *runner
	t *time.Timer
}

func (d *debouncer) call(f func()) {
	if d.t != nil && d.t.Stop() {
		d.r.end() // the stopped timer will never run
	}
	d.r.begin()
	d.t = time.AfterFunc(searchDelay, func() {
		defer d.r.end()
		if d.r.ctx.Err() == nil {
			d.r.post(f)
		}
	})
}

// ui is what every screen of one window shares.
type ui struct {
	ctx  context.Context
	crm  app.CRM
	win  fyne.Window
	run  *runner
	open []dialog.Dialog // open dialogs, the top one last; Esc dismisses it
	// shortcut handles the window's shortcuts; entries forward theirs to it.
	shortcut func(*desktop.CustomShortcut) bool
	// integ is the help desk, nil when none is wired; openURL opens the
	// system browser (sign-in, "open in Desk").
	integ   app.Integration
	openURL func(string) error
}

// show displays d and remembers it so Esc can dismiss it.
func (u *ui) show(d dialog.Dialog) {
	u.open = append(u.open, d)
	d.SetOnClosed(func() { u.forget(d) })
	d.Show()
}

// forget drops d from the open dialogs; a dialog that replaces show's
// OnClosed must call it.
func (u *ui) forget(d dialog.Dialog) {
	for i, o := range u.open {
		if o == d {
			u.open = append(u.open[:i], u.open[i+1:]...)
			break
		}
	}
}

// escape dismisses the top dialog; it reports whether there was one.
func (u *ui) escape() bool {
	if len(u.open) == 0 {
		return false
	}
	u.open[len(u.open)-1].Dismiss()
	return true
}

// showError logs err in full and shows the person a message they can act on.
func (u *ui) showError(action string, err error) {
	slog.Error("views: "+action, "err", err, "code", app.ErrorCode(err))
	d := dialog.NewError(errors.New(errText(err)), u.win)
	u.show(d)
}

// logError logs a failure the person sees inline, not in a dialog.
func logError(action string, err error) {
	slog.Error("views: "+action, "err", err, "code", app.ErrorCode(err))
}

// fieldErrors returns the per-field messages of an EINVALID error, or nil.
func fieldErrors(err error) *app.ValidationError {
	var v *app.ValidationError
	if errors.As(err, &v) {
		return v
	}
	return nil
}
