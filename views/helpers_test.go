package views

import (
	"context"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/tandem-crm/tandem/app"
)

// newTestWindow builds the main window on a test app and waits for its first loads.
func newTestWindow(t *testing.T, crm app.CRM, p ...Params) *mainWindow {
	t.Helper()
	a := test.NewTempApp(t)
	ctx, cancel := context.WithCancel(context.Background())
	var params Params
	if len(p) > 0 {
		params = p[0]
	}
	params.CRM = crm
	q := &uiQueue{}
	m := newMainWindow(ctx, a, params, q.post)
	queues[m] = q
	t.Cleanup(func() {
		settle(m)
		cancel()
		m.win.Close()
	})
	m.win.Resize(fyne.NewSize(1100, 720))
	settle(m)
	return m
}

// uiQueue stands in for the UI goroutine's queue: background work posts its
// results here and settle runs them on the test goroutine, so widgets are
// only ever touched from one goroutine, as in the real app.
type uiQueue struct {
	mu sync.Mutex
	fs []func()
}

func (q *uiQueue) post(f func()) { q.mu.Lock(); q.fs = append(q.fs, f); q.mu.Unlock() }

func (q *uiQueue) take() []func() {
	q.mu.Lock()
	defer q.mu.Unlock()
	fs := q.fs
	q.fs = nil
	return fs
}

var queues = map[*mainWindow]*uiQueue{}

// settle runs posted results on the test goroutine until no background work
// (loads, debounced searches) is left, polling with a deadline.
func settle(m *mainWindow) {
	q := queues[m]
	deadline := time.Now().Add(10 * time.Second)
	for {
		idle := m.run.idle() // read before the queue: work posts before it ends
		fs := q.take()
		for _, f := range fs {
			f()
		}
		if idle && len(fs) == 0 {
			return
		}
		if time.Now().After(deadline) {
			panic("views test: background work did not finish within 10s")
		}
		if len(fs) == 0 {
			time.Sleep(time.Millisecond)
		}
	}
}

// objects lists what is drawn on the window: the top overlay's objects first.
func objects(m *mainWindow) []fyne.CanvasObject {
	c := m.win.Canvas()
	var out []fyne.CanvasObject
	ov := c.Overlays().List()
	for i := len(ov) - 1; i >= 0; i-- {
		out = walk(out, ov[i])
	}
	return walk(out, c.Content())
}

// walk collects o and everything inside it. (test.LaidOutObjects would do,
// but it lays objects out again, which upsets a List that has grown.)
func walk(out []fyne.CanvasObject, o fyne.CanvasObject) []fyne.CanvasObject {
	out = append(out, o)
	switch o := o.(type) {
	case *fitLabel: // a list row's line: its whole text, as a label would hold it
		full := widget.NewLabel(o.Full())
		if !o.Visible() {
			full.Hide()
		}
		return append(out, full)
	case *fyne.Container:
		for _, c := range o.Objects {
			out = walk(out, c)
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(o).Objects() {
			out = walk(out, c)
		}
	}
	return out
}

// button finds a visible button with the given text, in the top overlay first.
func button(t *testing.T, m *mainWindow, text string) *widget.Button {
	t.Helper()
	for _, o := range objects(m) {
		if b, ok := o.(*widget.Button); ok && b.Text == text && b.Visible() {
			return b
		}
	}
	t.Fatalf("no button %q on screen", text)
	return nil
}

// hasText reports whether a visible label shows text.
func hasText(m *mainWindow, text string) bool {
	for _, o := range objects(m) {
		if l, ok := o.(*widget.Label); ok && unbreakable(l.Text) == text && l.Visible() {
			return true
		}
	}
	return false
}

// tap taps b and waits for what it started.
func tap(m *mainWindow, b *widget.Button) {
	test.Tap(b)
	settle(m)
}

// typeIn types s into e and waits for debounced searches.
func typeIn(m *mainWindow, e fyne.Focusable, s string) {
	test.Type(e, s)
	settle(m)
}

func mustContact(t *testing.T, crm app.CRM, c app.Contact) app.Contact {
	t.Helper()
	if err := crm.Contacts.CreateContact(context.Background(), &c); err != nil {
		t.Fatal(err)
	}
	return c
}
