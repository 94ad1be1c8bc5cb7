package views

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

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

// latest keeps only the newest of several answers: reads that run in
// parallel can answer out of order, and an older one arriving last would
// put stale data back on screen. next is called when a read is asked for
// (from any goroutine); current, on the UI goroutine, says whether that
// read is still the newest.
type latest struct{ n atomic.Int64 }

func (l *latest) next() int64 { return l.n.Add(1) }

func (l *latest) current(read int64) bool { return l.n.Load() == read }

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
	// forms are the open dialogs that hold typed text (see showForm).
	forms map[dialog.Dialog]formKeys
	// shortcut handles the window's shortcuts; entries forward theirs to it.
	shortcut func(*desktop.CustomShortcut) bool
	// keys handles the window's keys without a modifier (F5, F1).
	keys func(*fyne.KeyEvent) bool
	// openSettings shows Settings › Zoho Desk (Connect, Manage).
	openSettings func()
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

// formKeys are what a dialog of typed text does with the keyboard: dirty
// reports text that closing it would lose (Esc then asks first); submit,
// when set, is Ctrl/Cmd+Enter (Send, Save).
type formKeys struct {
	dirty  func() bool
	submit func()
}

// showForm displays a dialog of typed text (see formKeys).
func (u *ui) showForm(d dialog.Dialog, k formKeys) {
	if u.forms == nil {
		u.forms = map[dialog.Dialog]formKeys{}
	}
	u.forms[d] = k
	u.show(d)
}

// forget drops d from the open dialogs; a dialog that replaces show's
// OnClosed must call it.
func (u *ui) forget(d dialog.Dialog) {
	delete(u.forms, d)
	for i, o := range u.open {
		if o == d {
			u.open = append(u.open[:i], u.open[i+1:]...)
			break
		}
	}
}

// escape closes the top dialog in one press; a form with typed text asks
// first whether to discard it. It reports whether there was a dialog.
func (u *ui) escape() bool {
	if len(u.open) == 0 {
		return false
	}
	top := u.open[len(u.open)-1]
	if k, ok := u.forms[top]; ok && k.dirty != nil && k.dirty() {
		u.askDiscard(top)
		return true
	}
	top.Dismiss()
	return true
}

// askDiscard asks before closing a form whose typed text would be lost;
// Esc on the question keeps the form.
func (u *ui) askDiscard(form dialog.Dialog) {
	d := newConfirm(lang.L("Discard your changes?"), lang.L("What you typed in this form is not saved."), func(discard bool) {
		if discard {
			form.Dismiss()
		}
	}, u.win)
	d.SetConfirmText(lang.L("Discard"))
	d.SetDismissText(lang.L("Keep editing"))
	d.SetConfirmImportance(widget.DangerImportance)
	u.show(d)
}

// submitTop runs the top dialog's Ctrl/Cmd+Enter; it reports whether it had one.
func (u *ui) submitTop() bool {
	if len(u.open) == 0 {
		return false
	}
	if k, ok := u.forms[u.open[len(u.open)-1]]; ok && k.submit != nil {
		k.submit()
		return true
	}
	return false
}

// typedKey handles Esc and the window's keys without a modifier for
// whichever widget received them; it reports whether it took the key.
func (u *ui) typedKey(k *fyne.KeyEvent) bool {
	if k.Name == fyne.KeyEscape {
		return u.escape()
	}
	return u.keys != nil && u.keys(k)
}

// showError logs err in full and shows the person a message they can act on.
func (u *ui) showError(action string, err error) {
	slog.Error("views: "+action, "err", err, "code", app.ErrorCode(err))
	d := dialog.NewError(wrappedError(errText(err)), u.win)
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
