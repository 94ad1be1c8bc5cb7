package views

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/data/binding"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tandem-crm/tandem/app"
)

// Params are what the main window needs from main.
type Params struct {
	// CRM gives access to contacts, companies and pipelines.
	CRM app.CRM
	// LoadSample loads sample data into an empty database.
	LoadSample func(ctx context.Context) error
	// IsEmpty reports whether the database has no data yet; when it does,
	// the window offers to load sample data.
	IsEmpty func(ctx context.Context) (bool, error)
	// Status is the text of the bottom status line. Optional: main may keep
	// it and call Set from any goroutine (inside fyne.Do).
	Status binding.String
	// Integration is the Zoho Desk integration; nil leaves out the Tickets
	// tabs, Settings and the help-desk status line.
	Integration app.Integration
	// Signals is the signals feed; nil leaves out the Signals screen.
	Signals app.SignalService
	// OpenURL opens an address in the system browser (sign-in).
	OpenURL func(string) error
	// Desktop adds the menu, close-to-tray, Settings › General and
	// Settings › Backups (views/desktop.go); nil leaves them out.
	Desktop *Desktop
	// QuickCheck returns what the database's quick check found (running it
	// when the open left it for later); the window calls it off the UI
	// goroutine at once and says so on damage. Nil: the open checked.
	QuickCheck func(ctx context.Context) (*app.Damage, error)
	// CheckDatabase runs the database's full integrity check (the window
	// calls it off the UI goroutine after start) and returns the damage it
	// found, or nil. On damage the window says so, with what is lost.
	CheckDatabase func(ctx context.Context) (*app.Damage, error)
	// Damage is what the quick check found when the database was opened
	// (nil: none): the window says so at once, not only once the full
	// check has run.
	Damage *app.Damage
	// Salvage copies what can be read of a damaged database into a new file
	// in its place, keeping the damaged one aside; the app then restarts.
	// Nil hides the offer.
	Salvage func(ctx context.Context) (*app.SalvageReport, error)
	// RestoreBackup puts the latest good backup in place of a damaged
	// database (kept aside) and returns the backup's name; the app then
	// restarts. Nil hides the offer.
	RestoreBackup func(ctx context.Context) (string, error)
}

// screen is one browser of the main window.
type screen interface {
	content() fyne.CanvasObject
	focusSearch() // Ctrl/Cmd+F
	create()      // Ctrl/Cmd+N
	refresh()     // reload from the services
}

// mainWindow is the state of the window NewMainWindow builds.
type mainWindow struct {
	*ui
	params Params
	// The browsers, each built the first time it is shown (nil before).
	contacts  *contactsScreen
	companies *companiesScreen
	pipelines *pipelinesScreen
	screens   []*lazyScreen
	current   int
	nav       *keyList
	center    *fyne.Container
	status    *widget.Label
	desk      *deskStatus    // the help-desk status line; nil without one
	signalsAt int            // the Signals entry of the navigation, -1 without one
	backups   *backupsScreen // Settings › Backups; nil without a Desktop
	visible   bool           // shown, not closed to the tray (Window.Visible)
	database  *databaseCare  // the damaged-database banner and dialogs
	// sampleDialog is the first-run offer, kept for tests.
	sampleDialog *dialog.CustomDialog
	// cmds are the window's keyboard shortcuts and menu items.
	cmds []command
	// quitApp ends the app (Ctrl/Cmd+Q); tests replace it.
	quitApp func()
	// goToOpen is the last Go to… dialog, kept for tests.
	goToOpen *goToDialog
	// settingsAt is the Settings screen's index (its tabs: Zoho Desk first).
	settingsAt int
	// deskSettings is Settings › Zoho Desk once built (nil before).
	deskSettings *deskSettings
	settingsTabs *container.AppTabs
	// importing and exporting are the last Import… and Export… dialogs.
	importing *importWizard
	exporting *exportDialog
}

// NewMainWindow builds the main window of a (not yet shown) Tandem app:
// navigation between Contacts, Companies and Pipelines, and a status line.
// Background work is bound to ctx. When p.IsEmpty reports an empty
// database, the window offers to load sample data.
func NewMainWindow(ctx context.Context, a fyne.App, p Params) fyne.Window {
	return newMainWindow(ctx, a, p, nil).win
}

// newMainWindow builds the window; post delivers background results to the
// UI goroutine (nil means fyne.Do; tests pass a queue they drain).
func newMainWindow(ctx context.Context, a fyne.App, p Params, post func(func())) *mainWindow {
	w := a.NewWindow(lang.L("Tandem"))
	w.Resize(fyne.NewSize(1100, 720))
	u := &ui{ctx: ctx, crm: p.CRM, win: w, run: newRunner(ctx, post), integ: p.Integration, openURL: p.OpenURL}
	m := &mainWindow{ui: u, params: p, quitApp: a.Quit}
	u.shortcut = m.shortcut
	u.openSettings = m.showDeskSettings
	u.keys = m.typedKeyCommand
	registerKeys(w.Canvas(), u)
	w.SetOnClosed(func() { unregisterKeys(w.Canvas()) })

	m.screens = []*lazyScreen{
		{build: func() screen {
			m.contacts = newContactsScreen(u)
			m.contacts.changed = func() { m.refreshBuilt(1) } // contact counts and lists on company pages
			return m.contacts
		}},
		{build: func() screen {
			m.companies = newCompaniesScreen(u)
			m.companies.changed = func() { m.refreshBuilt(0) } // company names shown on contacts
			return m.companies
		}},
		{build: func() screen {
			m.pipelines = newPipelinesScreen(u)
			return m.pipelines
		}},
	}

	type navItem struct {
		label string
		icon  fyne.Resource
	}
	items := []navItem{
		{lang.L("Contacts"), theme.AccountIcon()},
		{lang.L("Companies"), theme.HomeIcon()},
		{lang.L("Pipelines"), theme.ListIcon()},
	}
	signalsAt := -1
	if p.Signals != nil {
		signalsAt = len(m.screens)
		m.screens = append(m.screens, &lazyScreen{build: func() screen {
			feed := newSignalsFeed(ctx, w, p.Signals, m.openSignal, post)
			return &staticScreen{body: feed.content, reload: feed.reload}
		}})
		items = append(items, navItem{lang.L("Signals"), theme.InfoIcon()})
	}
	if p.Integration != nil || p.Signals != nil || p.Desktop != nil {
		m.settingsAt = len(m.screens)
		m.screens = append(m.screens, &lazyScreen{build: func() screen {
			tabs := container.NewAppTabs()
			m.settingsTabs = tabs
			if p.Integration != nil {
				d := newDeskUI(ctx, w, p.Integration, p.CRM, p.OpenURL, post)
				d.host = u
				ds := newDeskSettings(d)
				m.deskSettings = ds
				ds.openRecord = func(kind string, id int64) { m.openSignal(kind, id, "") }
				tabs.Append(container.NewTabItem(lang.L("Zoho Desk"), ds.body))
			}
			if p.Signals != nil {
				ss := newSignalsSettings(ctx, w, p.Signals, post)
				tabs.Append(container.NewTabItem(lang.L("Signals"), container.NewVScroll(ss.content)))
			}
			reload := m.desktopTabs(tabs) // General and Backups: views/desktop.go
			return &staticScreen{body: tabs, reload: reload}
		}})
		items = append(items, navItem{lang.L("Settings"), theme.SettingsIcon()})
	}
	m.nav = newKeyList(
		func() int { return len(items) },
		func() fyne.CanvasObject {
			return container.NewHBox(widget.NewIcon(theme.AccountIcon()), widget.NewLabel("Companies wide"))
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			row := o.(*fyne.Container)
			row.Objects[0].(*widget.Icon).SetResource(items[id].icon)
			row.Objects[1].(*widget.Label).SetText(items[id].label)
		})
	m.center = container.NewStack()
	m.nav.OnSelected = m.showScreen

	if p.Status == nil {
		p.Status = binding.NewString()
	}
	m.status = widget.NewLabelWithData(p.Status)
	m.status.Importance = widget.LowImportance
	m.status.SizeName = theme.SizeNameCaptionText

	title := widget.NewLabelWithStyle(lang.L("Tandem"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	left := container.NewBorder(title, nil, nil, widget.NewSeparator(), m.nav)
	bottom := container.NewVBox(widget.NewSeparator(), m.status)
	var top fyne.CanvasObject
	var st *deskStatus
	if p.Integration != nil {
		d := newDeskUI(ctx, w, p.Integration, p.CRM, p.OpenURL, post)
		d.host = u
		st = newDeskStatus(d)
		m.desk = st
		st.openSettings = m.showDeskSettings
		bottom = container.NewVBox(widget.NewSeparator(), container.NewBorder(nil, nil, m.status, nil, st.lineBox))
		top = container.NewVBox(st.banner, st.problem)
	}
	if signalsAt >= 0 {
		base := items[signalsAt].label
		watchUnread(ctx, p.Signals, func(n int) {
			items[signalsAt].label = base
			if n > 0 {
				items[signalsAt].label = fmt.Sprintf("%s (%d)", base, n)
			}
			m.nav.RefreshItem(signalsAt)
		}, post)
	}
	m.database = newDatabaseCare(m)
	if top != nil {
		top = container.NewVBox(m.database.banner, top)
	} else {
		top = m.database.banner
	}
	w.SetContent(container.NewBorder(top, bottom, left, nil, m.center))
	m.signalsAt = signalsAt
	if p.Desktop != nil {
		w.SetCloseIntercept(m.closeToTray)
	}

	// The keyboard: commands (shortcuts.go) as menu items, which Fyne
	// runs whatever has focus, and the canvas' own keys for when nothing
	// has focus (keys.go explains the routes).
	m.cmds = m.commands()
	w.SetMainMenu(m.mainMenu())
	for _, c := range m.cmds {
		if c.key != "" && c.mod != 0 {
			run := c.run
			w.Canvas().AddShortcut(&desktop.CustomShortcut{KeyName: c.key, Modifier: c.mod}, func(fyne.Shortcut) { run() })
		}
	}
	w.Canvas().SetOnTypedKey(func(k *fyne.KeyEvent) { u.typedKey(k) })

	m.nav.Select(0) // builds and loads the first screen only
	m.firstRun()
	m.database.check()
	return m
}

// lazyScreen is a navigation entry whose screen is built, and starts
// loading, the first time it is shown: the window opens at once whatever
// the size of the data behind the screens not yet looked at.
type lazyScreen struct {
	build func() screen
	s     screen
}

// get returns the screen, building it (and starting its first load) on
// first use.
func (l *lazyScreen) get() screen {
	if l.s == nil {
		l.s = l.build()
		l.s.refresh()
	}
	return l.s
}

// screen returns browser i, built.
func (m *mainWindow) screen(i int) screen { return m.screens[i].get() }

// showScreen swaps the centre to browser i.
func (m *mainWindow) showScreen(i int) {
	if i < 0 || i >= len(m.screens) {
		return
	}
	m.current = i
	m.center.Objects = []fyne.CanvasObject{m.screen(i).content()}
	m.center.Refresh()
}

// showDeskSettings shows Settings › Zoho Desk (building Settings when it
// was never shown).
func (m *mainWindow) showDeskSettings() {
	if m.params.Integration == nil || m.settingsAt == 0 {
		return
	}
	m.nav.Select(m.settingsAt)
	if m.settingsTabs != nil {
		m.settingsTabs.SelectIndex(0)
	}
}

// refreshBuilt reloads screen i if it was built; one not built yet loads
// when first shown.
func (m *mainWindow) refreshBuilt(i int) {
	if s := m.screens[i].s; s != nil {
		s.refresh()
	}
}

// refreshAll reloads every browser built so far, e.g. after sample data
// was loaded; the others load when first shown.
func (m *mainWindow) refreshAll() {
	for i := range m.screens {
		m.refreshBuilt(i)
	}
}

// staticScreen is a navigation entry without search or create: Signals and
// Settings.
type staticScreen struct {
	body   fyne.CanvasObject
	reload func()
}

func (s *staticScreen) content() fyne.CanvasObject { return s.body }
func (s *staticScreen) focusSearch()               {}
func (s *staticScreen) create()                    {}
func (s *staticScreen) refresh() {
	if s.reload != nil {
		s.reload()
	}
}

// openSignal shows a signal's record with its Tickets tab on the ticket.
func (m *mainWindow) openSignal(kind string, id int64, ticketID string) {
	switch kind {
	case app.KindContact:
		m.nav.Select(0)
		m.contacts.openTicket = ticketID
		m.contacts.showDetail(id)
	case app.KindCompany:
		m.nav.Select(1)
		m.companies.openTicket = ticketID
		m.companies.showDetail(id)
	case app.KindRecord:
		m.nav.Select(2)
		m.pipelines.openRecordByID(id)
	}
}
