package views

import (
	"runtime"
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"
)

// How keys reach the window whatever has focus.
//
// Fyne's desktop driver (internal/driver/glfw/window.go, triggersShortcut
// and processKeyPressed) gives a key with Ctrl/Cmd first to the items of
// the window's main menu, then to the focused widget, and only then to the
// canvas; a key without a modifier (F5, Esc) goes to the focused widget
// alone, and to the canvas' typed-key callback only when nothing has
// focus. So the window's Ctrl/Cmd shortcuts are main-menu items (they work
// whatever has focus), and the widgets that take focus here — entries,
// lists, drop-downs, checks — are our own kinds that hand Esc and the
// function keys to the window before handling a key themselves.
// (Selectable labels and radio buttons keep keys to themselves: Fyne
// gives no way in; F5 then works once focus moves, Ctrl/Cmd shortcuts
// always.)

// windowKeys maps a window's canvas to its ui, for the widgets that pass
// keys on.
var windowKeys sync.Map // fyne.Canvas → *ui

func registerKeys(c fyne.Canvas, u *ui) { windowKeys.Store(c, u) }

func unregisterKeys(c fyne.Canvas) { windowKeys.Delete(c) }

// uiFor returns the ui of the window o is drawn in, or nil.
func uiFor(o fyne.CanvasObject) *ui {
	app := fyne.CurrentApp()
	if app == nil {
		return nil
	}
	c := app.Driver().CanvasForObject(o)
	if c == nil {
		return nil
	}
	if u, ok := windowKeys.Load(c); ok {
		return u.(*ui)
	}
	return nil
}

// passKey offers a key a focused widget received to its window first.
func passKey(o fyne.CanvasObject, k *fyne.KeyEvent) bool {
	u := uiFor(o)
	return u != nil && u.typedKey(k)
}

// keyList is a widget.List that passes Esc and function keys on.
type keyList struct{ widget.List }

func newKeyList(length func() int, create func() fyne.CanvasObject, update func(widget.ListItemID, fyne.CanvasObject)) *keyList {
	l := &keyList{}
	l.Length, l.CreateItem, l.UpdateItem = length, create, update
	l.ExtendBaseWidget(l)
	return l
}

// TypedKey implements fyne.Focusable.
func (l *keyList) TypedKey(k *fyne.KeyEvent) {
	if !passKey(l, k) {
		l.List.TypedKey(k)
	}
}

// keySelect is a widget.Select that passes Esc and function keys on.
type keySelect struct{ widget.Select }

func newKeySelect(options []string, changed func(string)) *keySelect {
	s := &keySelect{}
	s.Options, s.OnChanged = options, changed
	s.ExtendBaseWidget(s)
	return s
}

// TypedKey implements fyne.Focusable.
func (s *keySelect) TypedKey(k *fyne.KeyEvent) {
	if !passKey(s, k) {
		s.Select.TypedKey(k)
	}
}

// keyCheck is a widget.Check that passes Esc and function keys on.
type keyCheck struct{ widget.Check }

func newKeyCheck(label string, changed func(bool)) *keyCheck {
	c := &keyCheck{}
	c.Text, c.OnChanged = label, changed
	c.ExtendBaseWidget(c)
	return c
}

// TypedKey implements fyne.Focusable.
func (c *keyCheck) TypedKey(k *fyne.KeyEvent) {
	if !passKey(c, k) {
		c.Check.TypedKey(k)
	}
}

// shortcutText is how a key is written in menus and the shortcuts sheet:
// "Ctrl+F" (⌘F on macOS), "F5", "Esc".
func shortcutText(key fyne.KeyName, mod fyne.KeyModifier) string {
	name := string(key)
	switch key {
	case fyne.KeyEscape:
		name = "Esc"
	case fyne.KeyReturn:
		name = lang.L("Enter")
	}
	if mod == 0 {
		return name
	}
	if runtime.GOOS == "darwin" {
		var b strings.Builder
		if mod&fyne.KeyModifierControl != 0 {
			b.WriteString("⌃")
		}
		if mod&fyne.KeyModifierAlt != 0 {
			b.WriteString("⌥")
		}
		if mod&fyne.KeyModifierShift != 0 {
			b.WriteString("⇧")
		}
		if mod&fyne.KeyModifierSuper != 0 {
			b.WriteString("⌘")
		}
		return b.String() + name
	}
	var parts []string
	if mod&fyne.KeyModifierControl != 0 {
		parts = append(parts, "Ctrl")
	}
	if mod&fyne.KeyModifierAlt != 0 {
		parts = append(parts, "Alt")
	}
	if mod&fyne.KeyModifierShift != 0 {
		parts = append(parts, "Shift")
	}
	if mod&fyne.KeyModifierSuper != 0 {
		parts = append(parts, "Super")
	}
	return strings.Join(append(parts, name), "+")
}
