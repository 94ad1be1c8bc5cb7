package views

import (
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/sync/deskemu"
)

// press sends a key to a window as Fyne's desktop driver routes it
// (fyne.io/fyne/v2 internal/driver/glfw/window.go, processKeyPressed and
// triggersShortcut, v2.7.1): with Ctrl/Cmd the shortcut goes to the main
// menu's items first, then to the focused widget if it takes shortcuts,
// and only then to the canvas; without a modifier the key goes to the
// focused widget, or to the canvas' typed-key callback when nothing has
// focus. The test driver has no keyboard, so this is the real route.
func press(w fyne.Window, key fyne.KeyName, mod fyne.KeyModifier) {
	c := w.Canvas()
	if mod != 0 {
		s := &desktop.CustomShortcut{KeyName: key, Modifier: mod}
		if mm := w.MainMenu(); mm != nil {
			for _, menu := range mm.Items {
				for _, it := range menu.Items {
					if it.Shortcut != nil && it.Shortcut.ShortcutName() == s.ShortcutName() && it.Action != nil {
						it.Action()
						return
					}
				}
			}
		}
		if f, ok := c.Focused().(fyne.Shortcutable); ok {
			f.TypedShortcut(s)
			return
		}
		c.(fyne.Shortcutable).TypedShortcut(s)
		return
	}
	k := &fyne.KeyEvent{Name: key}
	if f := c.Focused(); f != nil {
		f.TypedKey(k)
		return
	}
	if on := c.OnTypedKey(); on != nil {
		on(k)
	}
}

// TestShortcutsWithAFocusedEntry: every shortcut works while the search
// field has focus (F5 was lost there: only the canvas' typed-key callback
// handled it, and a focused widget takes every key first).
func TestShortcutsWithAFocusedEntry(t *testing.T) {
	e := newDeskEnv(t, deskEnvOptions{emu: deskemu.Options{Seed: 3, Contacts: 4, Accounts: 2, Tickets: 4}, mode: app.SyncTwoWay, loop: true})
	a := fyne.CurrentApp()
	q := e.q
	m := newMainWindow(e.ctx, a, Params{CRM: e.crm, Integration: e.svc}, q.post)
	queues[m] = q
	m.win.Resize(fyne.NewSize(1100, 720))
	quit := 0
	m.quitApp = func() { quit++ }
	settleBoth := func() { settle(m); e.settle() }
	settleBoth()
	t.Cleanup(func() { settleBoth(); m.win.Close() })

	focusSearch := func() {
		m.win.Canvas().Focus(m.contacts.search)
		if m.win.Canvas().Focused() != m.contacts.search {
			t.Fatal("the search field did not take focus")
		}
	}

	// F5: sync now. F5 does what the Sync now button does, which is
	// disabled while a pass runs: wait for the loop's first pass to end
	// (on a loaded machine F5 came during it, and nothing followed).
	st := m.desk
	deadline := time.Now().Add(60 * time.Second)
	for st.st == nil || st.st.LastSuccess.IsZero() || !st.syncNow.Visible() || st.syncNow.Disabled() {
		if time.Now().After(deadline) {
			t.Fatal("timed out waiting for the first pass")
		}
		time.Sleep(5 * time.Millisecond)
		settleBoth()
	}
	focusSearch()
	e.emu.ResetRequests()
	press(m.win, fyne.KeyF5, 0)
	e.waitFor("a pass started by F5", func() bool { return len(e.emu.Requests()) > 0 })

	// Ctrl/Cmd+N: the new-contact form, whose first field takes focus.
	focusSearch()
	press(m.win, fyne.KeyN, cmdKey)
	settleBoth()
	if m.contacts.form == nil || len(m.open) != 1 {
		t.Fatal("Ctrl+N did not open the form")
	}
	// Esc in a focused field closes the empty form in one press.
	press(m.win, fyne.KeyEscape, 0)
	if len(m.open) != 0 {
		t.Fatalf("one Esc left %d dialogs", len(m.open))
	}

	// Esc with typed text asks first; Esc on the question keeps the form;
	// Discard closes it.
	press(m.win, fyne.KeyN, cmdKey)
	settleBoth()
	f := m.contacts.form
	test.Type(f.last, "山田")
	m.win.Canvas().Focus(f.last)
	press(m.win, fyne.KeyEscape, 0)
	if len(m.open) != 2 || !hasText(m, "What you typed in this form is not saved.") {
		t.Fatalf("Esc with typed text: %d dialogs", len(m.open))
	}
	press(m.win, fyne.KeyEscape, 0) // the question has focus nowhere: the canvas gets Esc
	if len(m.open) != 1 || f.last.Text != "山田" {
		t.Fatalf("Esc on the question: %d dialogs, %q", len(m.open), f.last.Text)
	}
	m.win.Canvas().Focus(f.last)
	press(m.win, fyne.KeyEscape, 0)
	tap(m, button(t, m, "Discard"))
	if len(m.open) != 0 {
		t.Fatalf("Discard left %d dialogs", len(m.open))
	}

	// Esc in the company field (a drop-down entry) closes the form too.
	press(m.win, fyne.KeyN, cmdKey)
	settleBoth()
	m.win.Canvas().Focus(m.contacts.form.comp.entry)
	press(m.win, fyne.KeyEscape, 0)
	if len(m.open) != 0 {
		t.Fatal("Esc in the company field did not close the form")
	}

	// Ctrl/Cmd+Enter saves the form.
	press(m.win, fyne.KeyN, cmdKey)
	settleBoth()
	f = m.contacts.form
	test.Type(f.last, "鈴木")
	m.win.Canvas().Focus(f.last)
	press(m.win, fyne.KeyReturn, cmdKey)
	settleBoth()
	if len(m.open) != 0 || m.contacts.list.total == 0 {
		t.Fatalf("Ctrl+Enter did not save: %d dialogs", len(m.open))
	}
	found := false
	for i := 0; i < m.contacts.list.total; i++ {
		c, _ := m.contacts.list.item(i)
		found = found || c.LastName == "鈴木"
	}
	if !found {
		t.Error("the contact saved by Ctrl+Enter is not listed")
	}

	// Ctrl/Cmd+F from a focused list row puts focus in the search field.
	m.contacts.list.list.Select(0)
	m.win.Canvas().Focus(m.contacts.list.list)
	press(m.win, fyne.KeyF, cmdKey)
	if m.win.Canvas().Focused() != m.contacts.search {
		t.Error("Ctrl+F did not focus the search field")
	}

	// F1 (Help › Keyboard shortcuts) from the list, listing every key.
	m.win.Canvas().Focus(m.contacts.list.list)
	press(m.win, fyne.KeyF1, 0)
	for _, want := range []string{"F5", shortcutText(fyne.KeyN, cmdKey), shortcutText(fyne.KeyQ, cmdKey), "Esc"} {
		if !hasText(m, want) {
			t.Errorf("the shortcuts sheet lacks %s", want)
		}
	}
	press(m.win, fyne.KeyEscape, 0)

	// Ctrl/Cmd+K: Go to…, Enter opens the first match.
	focusSearch()
	press(m.win, fyne.KeyK, cmdKey)
	settleBoth()
	g := m.goToOpen
	if g == nil || len(m.open) != 1 {
		t.Fatal("Ctrl+K did not open Go to…")
	}
	typeIn(m, g.search, "鈴木")
	g.search.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	settleBoth()
	if len(m.open) != 0 || m.contacts.current == nil || m.contacts.current.LastName != "鈴木" {
		t.Error("Go to… did not open the contact")
	}

	// Ctrl/Cmd+Q quits, from a focused field.
	focusSearch()
	press(m.win, fyne.KeyQ, cmdKey)
	if quit != 1 {
		t.Errorf("Ctrl+Q: quit %d times", quit)
	}
}

// TestCtrlEnterSendsAReply: in the reply dialog, Ctrl/Cmd+Enter in the
// message field sends it.
func TestCtrlEnterSendsAReply(t *testing.T) {
	e := newDeskEnv(t, deskEnvOptions{emu: deskemu.Options{Seed: 11, Contacts: 8, Accounts: 3, Tickets: 30}, mode: app.SyncTwoWay, user: 1})
	u := &ui{ctx: e.ctx, win: e.win, run: e.d.run}
	u.shortcut = func(s *desktop.CustomShortcut) bool {
		return s.Modifier == cmdKey && s.KeyName == fyne.KeyReturn && u.submitTop()
	}
	registerKeys(e.win.Canvas(), u)
	t.Cleanup(func() { unregisterKeys(e.win.Canvas()) })
	e.d.host = u
	c := e.contactWithTickets(1)
	tab := e.tab(app.KindContact, c.ID)
	p := e.openPane(tab)
	e.tap(p.reply)
	f := p.compose
	test.Type(f.body, "ありがとうございます。")
	e.win.Canvas().Focus(f.body)
	press(e.win, fyne.KeyReturn, cmdKey)
	e.settle()
	if len(u.open) != 0 {
		t.Fatal("Ctrl+Enter did not send the reply")
	}
	items, err := e.svc.Outbox(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	sent := false
	for _, it := range items {
		sent = sent || it.Kind == app.OutboxReply
	}
	if !sent {
		t.Error("no reply was queued")
	}
}
