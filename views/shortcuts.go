package views

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"
)

// Menus of the window's main menu, in order.
const (
	menuFile = iota
	menuEdit
	menuDesk
	menuHelp
	menuCount
)

// cmdKey is Ctrl on Windows and Linux, Cmd on macOS.
const cmdKey = fyne.KeyModifierShortcutDefault

// command is one keyboard shortcut of the window and the menu item that
// carries it. A new shortcut is one more entry in mainWindow.commands.
type command struct {
	label string // the action, translated (menu and shortcuts sheet)
	key   fyne.KeyName
	mod   fyne.KeyModifier // cmdKey, or 0 for a function key
	menu  int              // menuFile…menuHelp
	run   func()
	quit  bool // the menu's Quit item
	// sep puts a separator above the item in its menu.
	sep bool
}

// commands lists the window's shortcuts. Ctrl/Cmd shortcuts are main-menu
// items, which Fyne runs whatever has focus; keys without a modifier are
// handled by typedKey (see keys.go).
func (m *mainWindow) commands() []command {
	var cs []command
	if m.crm.Imports != nil && m.crm.Export != nil { // views/import.go, export.go
		cs = append(cs,
			command{label: lang.L("Import…"), key: shortcutImport.KeyName, mod: shortcutImport.Modifier, menu: menuFile, run: m.openImport},
			command{label: lang.L("Export…"), menu: menuFile, run: m.openExport},
			command{label: lang.L("Undo last import…"), menu: menuFile, run: func() { m.undoLastImport(m.refreshAll) }},
		)
	}
	cs = append(cs,
		command{label: lang.L("New"), key: fyne.KeyN, mod: cmdKey, menu: menuFile, run: m.newRecord, sep: len(cs) > 0},
		command{label: lang.L("Go to…"), key: fyne.KeyK, mod: cmdKey, menu: menuFile, run: m.goTo},
		command{label: lang.L("Close window"), key: fyne.KeyW, mod: cmdKey, menu: menuFile, run: m.closeWindow, sep: true},
		command{label: lang.L("Quit"), key: fyne.KeyQ, mod: cmdKey, menu: menuFile, run: m.quit, quit: true},
		command{label: lang.L("Find"), key: fyne.KeyF, mod: cmdKey, menu: menuEdit, run: m.find},
	)
	if m.desk != nil {
		cs = append(cs, command{label: lang.L("Sync now"), key: fyne.KeyF5, menu: menuDesk, run: m.syncNow})
	}
	cs = append(cs, command{label: lang.L("Keyboard shortcuts"), key: fyne.KeyF1, menu: menuHelp, run: m.showShortcuts})
	if m.params.Desktop != nil { // views/desktop.go
		cs = append(cs, command{label: lang.L("About Tandem"), menu: menuHelp, run: m.showAbout, sep: true})
	}
	return cs
}

// mainMenu builds the window's menu from commands.
func (m *mainWindow) mainMenu() *fyne.MainMenu {
	names := [menuCount]string{lang.L("File"), lang.L("Edit"), lang.L("Zoho Desk"), lang.L("Help")}
	var items [menuCount][]*fyne.MenuItem
	for _, c := range m.cmds {
		it := fyne.NewMenuItem(c.label, c.run)
		if c.key != "" {
			it.Shortcut = &desktop.CustomShortcut{KeyName: c.key, Modifier: c.mod}
		}
		it.IsQuit = c.quit
		if c.sep && len(items[c.menu]) > 0 {
			items[c.menu] = append(items[c.menu], fyne.NewMenuItemSeparator())
		}
		items[c.menu] = append(items[c.menu], it)
	}
	var menus []*fyne.Menu
	for i, its := range items {
		if len(its) > 0 {
			menus = append(menus, fyne.NewMenu(names[i], its...))
		}
	}
	return fyne.NewMainMenu(menus...)
}

// shortcut runs the command of a Ctrl/Cmd shortcut a focused widget passed
// on (the main menu takes them first in the real window), or a dialog's
// Ctrl/Cmd+Enter. It reports whether s was one.
func (m *mainWindow) shortcut(s *desktop.CustomShortcut) bool {
	if s.Modifier == cmdKey && (s.KeyName == fyne.KeyReturn || s.KeyName == fyne.KeyEnter) {
		return m.submitTop()
	}
	for _, c := range m.cmds {
		if c.key != "" && c.mod != 0 && c.mod == s.Modifier && c.key == s.KeyName {
			c.run()
			return true
		}
	}
	return false
}

// typedKeyCommand runs the command of a key without a modifier.
func (m *mainWindow) typedKeyCommand(k *fyne.KeyEvent) bool {
	for _, c := range m.cmds {
		if c.key != "" && c.mod == 0 && c.key == k.Name {
			c.run()
			return true
		}
	}
	return false
}

func (m *mainWindow) newRecord() {
	if len(m.open) == 0 {
		m.screen(m.current).create()
	}
}

func (m *mainWindow) find() {
	if len(m.open) == 0 {
		m.screen(m.current).focusSearch()
	}
}

// closeWindow closes the top dialog as Esc does, or else the window (to
// the tray when there is one, as the window's close button does).
func (m *mainWindow) closeWindow() {
	switch {
	case m.escape():
	case m.params.Desktop != nil:
		m.closeToTray()
	default:
		m.win.Close()
	}
}

func (m *mainWindow) syncNow() {
	if st := m.desk; st != nil && st.syncNow.Visible() && !st.syncNow.Disabled() {
		st.syncNow.OnTapped()
	}
}

// showShortcuts is Help › Keyboard shortcuts: every command with its
// key, and the keys of dialogs.
func (m *mainWindow) showShortcuts() {
	grid := container.New(layout.NewFormLayout())
	row := func(keys, what string) {
		k := widget.NewLabel(keys)
		k.TextStyle = fyne.TextStyle{Bold: true}
		grid.Add(k)
		grid.Add(widget.NewLabel(what))
	}
	for _, c := range m.cmds {
		if c.key != "" {
			row(shortcutText(c.key, c.mod), c.label)
		}
	}
	row("Esc", lang.L("Close the dialog (asks before discarding what you typed)"))
	row(shortcutText(fyne.KeyReturn, cmdKey), lang.L("Send a reply, save a form"))
	row("Tab", lang.L("Next field"))
	d := dialog.NewCustom(lang.L("Keyboard shortcuts"), lang.L("Close"), grid, m.win)
	m.show(d)
}
