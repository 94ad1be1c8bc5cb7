package views

import (
	"context"
	"reflect"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tandem-crm/tandem/app"
)

// Wizard steps.
const (
	stepAccount = iota + 1
	stepPortal
	stepMode
	stepMapping
	stepActivate
	wizardSteps = stepActivate
)

// deskSettings is Settings › Zoho Desk: the connect wizard
// when no portal is active, otherwise Manage and Deactivate.
type deskSettings struct {
	*deskUI
	body *fyne.Container // the page shown

	portal *app.Portal     // the active portal, nil when none
	limits *concurrencyRow // Manage's "Requests at once"

	// The wizard's answers.
	step     int
	managing bool // changing the active portal's settings, not connecting
	email    string
	choices  []app.PortalChoice
	chosen   *app.PortalChoice
	mode     app.SyncMode
	fields   []app.DeskField // Desk fields of both kinds for the chosen portal
	mappings []app.FieldMapping
	// perm is what the agent may do in the chosen portal, read before the
	// sync step; nil when it could not be read (permErr says why).
	perm    *app.AgentPermissions
	permErr error

	// helpDesk is where the sign-in goes (the demo or a Zoho data centre)
	// and with which OAuth client; read when the wizard starts.
	helpDesk app.HelpDesk

	// Widgets of the current page, kept for tests.
	deskWay      *widget.RadioGroup
	dcSelect     *keySelect
	clientBox    *fyne.Container
	signInBox    *fyne.Container
	signInText   *widget.Label
	signInForm   *widget.Form
	otherClient  *widget.Button
	clientEntry  *entry
	saveClient   *widget.Button
	connect      *widget.Button
	signInBtn    *widget.Button
	emailEntry   *entry
	accountNote  *widget.Label
	portalWay    *widget.RadioGroup
	portalSelect *keySelect
	adminEmail   *entry
	verifyBtn    *widget.Button
	portalNote   *widget.Label
	modeRadio    *widget.RadioGroup
	editor       *mappingEditor
	next, back   *widget.Button
	cancel       *widget.Button
	activateBtn  *widget.Button
	saveBtn      *widget.Button
	progress     *widget.ProgressBar
	message      *widget.Label
	deactivate   *widget.Button
	changeMode   *widget.Button
	editMapping  *widget.Button
	confirm      dialog.Dialog

	// problems is Manage's "Needs your attention" (made on first use);
	// openRecord, when set, lets it open a record.
	problems   *syncProblems
	openRecord func(kind string, id int64)

	activating string // org id whose first sync is awaited
	// previous is the portal connected before, when none is: connecting
	// again starts from its account, portal, sync option and mapping.
	previous *app.Portal
	// lastSync is Manage's Last sync value, kept current by sync events.
	lastSync *widget.Label
	// pendingMessage is shown once on the next Manage or intro page.
	pendingMessage string
}

// NewDeskSettings returns the Zoho Desk section of Settings:
// a wizard to connect a portal (sign in, choose a portal or another
// user's, sync option, field mapping, activate with a progress bar), and,
// once connected, Manage (sync option, mapping) and Deactivate. crm is
// used for the mapping preview of one real record; openURL opens the
// sign-in page in the system browser.
func NewDeskSettings(ctx context.Context, w fyne.Window, integ app.Integration, crm app.CRM, openURL func(string) error) fyne.CanvasObject {
	return newDeskSettings(newDeskUI(ctx, w, integ, crm, openURL, nil)).body
}

func newDeskSettings(d *deskUI) *deskSettings {
	s := &deskSettings{deskUI: d, body: container.NewStack()}
	s.setPage(container.NewCenter(widget.NewLabel(lang.L("Loading…"))))
	d.subscribe(d.ctx, s.event)
	s.load()
	return s
}

func (s *deskSettings) setPage(o fyne.CanvasObject) {
	s.body.Objects = []fyne.CanvasObject{container.NewPadded(o)}
	s.body.Refresh()
}

// load reads the active portal and shows Manage or the start of the wizard.
func (s *deskSettings) load() {
	s.run.Go(func(ctx context.Context) func() {
		p, err := s.integ.ActivePortal(ctx)
		var old []app.Portal
		if app.ErrorCode(err) == app.ENOTFOUND {
			old, _ = s.integ.ListPortals(ctx)
		}
		return func() {
			switch {
			case err == nil:
				s.portal = p
				s.showManage("")
			case app.ErrorCode(err) == app.ENOTFOUND:
				s.portal = nil
				s.showIntro(old)
			default:
				logError("desk settings", err)
				s.setPage(note(errorText(err), widget.DangerImportance))
			}
		}
	})
}

// event follows the first sync after Activate, and keeps Manage's last
// sync current.
func (s *deskSettings) event(e app.SyncEvent) {
	if s.activating == "" {
		switch e.Kind {
		case app.EventFinished, app.EventOffline, app.EventNeedsSignIn:
			s.refreshLastSync()
		}
		return
	}
	if e.OrgID != s.activating {
		return
	}
	switch e.Kind {
	case app.EventStarted:
		s.setProgress(0.05, lang.L("Starting the first sync…"))
	case app.EventProgress:
		s.setProgress(phaseShare(e.Phase), phaseText(e.Phase))
	case app.EventFinished, app.EventOffline, app.EventNeedsSignIn:
		s.activating = ""
		if e.Kind != app.EventFinished {
			s.pendingMessage = lang.L("Connected, but the first sync could not finish: {{.Reason}} It is tried again automatically.", map[string]any{"Reason": msgText(e.Message)})
			s.load()
			return
		}
		// The pass counts what changed, which after connecting the same
		// portal again is nothing: say how many tickets there are.
		s.run.Go(func(ctx context.Context) func() {
			n := e.Counts.Tickets
			if st, err := s.integ.Status(ctx); err == nil {
				n = st.CachedTickets
			}
			return func() {
				s.pendingMessage = lang.L("Connected. The first sync is finished: the portal's {{.N}} tickets are on this computer, each shown on the records it belongs to.", map[string]any{"N": n})
				s.load()
			}
		})
	}
}

// refreshLastSync re-reads the active portal's last sync for Manage.
func (s *deskSettings) refreshLastSync() {
	if s.lastSync == nil || s.portal == nil {
		return
	}
	l := s.lastSync
	s.run.Go(func(ctx context.Context) func() {
		p, err := s.integ.ActivePortal(ctx)
		return func() {
			if err != nil || l != s.lastSync {
				return
			}
			s.portal.LastSuccess, s.portal.LastError = p.LastSuccess, p.LastError
			l.SetText(lastSyncValue(p))
		}
	})
}

// lastSyncValue is Manage's Last sync: when, and the last error if any.
func lastSyncValue(p *app.Portal) string {
	last := lang.L("Not synced yet")
	if !p.LastSuccess.IsZero() {
		last = when(p.LastSuccess)
	}
	if p.LastError != "" {
		last += " — " + msgText(p.LastError)
	}
	return last
}

func (s *deskSettings) setProgress(v float64, text string) {
	if s.progress == nil {
		return
	}
	s.progress.Show()
	s.progress.SetValue(v)
	setWrapped(s.message, text)
}

// phaseText says what a pass is doing.
func phaseText(phase string) string {
	switch phase {
	case "contacts":
		return lang.L("Syncing contacts…")
	case "companys", "companies", "accounts":
		return lang.L("Syncing companies…")
	case "tickets":
		return lang.L("Downloading tickets…")
	}
	return lang.L("Syncing…")
}

// showIntro is the page before the wizard.
func (s *deskSettings) showIntro(old []app.Portal) {
	s.managing = false
	text := wrapLabel(lang.L("Connect Tandem to your Zoho Desk help desk to see each customer's support tickets on their contact, company and pipeline records, create tickets and reply from here, and keep contacts and companies in step."))
	s.connect = widget.NewButtonWithIcon(lang.L("Connect Zoho Desk…"), theme.LoginIcon(), s.startWizard)
	s.connect.Importance = widget.HighImportance
	box := container.NewVBox(heading(lang.L("Zoho Desk")), text)
	s.previous = nil
	for i := range old {
		if s.previous == nil || old[i].UpdatedAt.After(s.previous.UpdatedAt) {
			s.previous = &old[i]
		}
	}
	if p := s.previous; p != nil {
		box.Add(note(lang.L("{{.Name}} was connected before. Connect it again to bring back its tickets and links without duplicates.", map[string]any{"Name": p.Name}), widget.LowImportance))
	}
	box.Add(container.NewHBox(s.connect))
	if s.pendingMessage != "" {
		box.Add(note(s.pendingMessage, widget.SuccessImportance))
		s.pendingMessage = ""
	}
	s.setPage(box)
}

func (s *deskSettings) startWizard() {
	s.connect.Disable()
	s.run.Go(func(ctx context.Context) func() {
		h, err := s.integ.HelpDesk(ctx)
		return func() {
			s.connect.Enable()
			if err != nil {
				logError("desk help desk", err)
				return
			}
			s.helpDesk = h
			s.startSteps()
		}
	})
}

func (s *deskSettings) startSteps() {
	s.managing = false
	s.email, s.choices, s.chosen, s.fields, s.mappings = "", nil, nil, nil, nil
	s.mode = app.SyncTwoWay
	if p := s.previous; p != nil { // connecting again: the last settings
		s.mode = p.Mode
		org := p.OrgID
		s.run.Go(func(ctx context.Context) func() {
			ms, err := s.integ.PortalMappings(ctx, org)
			return func() {
				if err == nil && len(ms) > 0 && s.mappings == nil {
					s.mappings = ms
				}
			}
		})
	}
	s.showStep(stepAccount)
	if p := s.previous; p != nil && p.AccountEmail != "" {
		s.emailEntry.SetText(p.AccountEmail)
	}
}

// stepTitle is "Step 2 of 5 · Portal".
func stepTitle(step int, title string) *widget.Label {
	return heading(lang.L("Step {{.N}} of {{.Total}} · {{.Title}}", map[string]any{"N": step, "Total": wizardSteps, "Title": title}))
}

// showStep shows one page of the wizard with Back, Next and Cancel.
func (s *deskSettings) showStep(step int) {
	s.step = step
	s.back = widget.NewButtonWithIcon(lang.L("Back"), theme.NavigateBackIcon(), s.goBack)
	s.next = widget.NewButtonWithIcon(lang.L("Next"), theme.NavigateNextIcon(), s.goNext)
	s.next.IconPlacement = widget.ButtonIconTrailingText
	s.next.Importance = widget.HighImportance
	s.cancel = widget.NewButton(lang.L("Cancel"), func() {
		if s.managing {
			s.showManage("")
		} else {
			s.load()
		}
	})
	s.message = wrapLabel("")
	s.message.Importance = widget.DangerImportance
	var page fyne.CanvasObject
	switch step {
	case stepAccount:
		page = s.accountPage()
		s.back.Hide()
	case stepPortal:
		page = s.portalPage()
	case stepMode:
		page = s.modePage()
		if s.managing {
			s.back.Hide()
		}
	case stepMapping:
		page = s.mappingPage()
		if s.managing && s.mode == "" {
			s.back.Hide()
		}
	case stepActivate:
		page = s.activatePage()
		s.next.Hide()
	}
	if s.managing && (step == stepMapping || (step == stepMode && s.mode == app.SyncNone)) {
		s.next.Hide()
	}
	nav := container.NewHBox(s.cancel, layout.NewSpacer(), s.back, s.next)
	s.setPage(container.NewBorder(nil, container.NewVBox(s.message, widget.NewSeparator(), nav), nil, nil, page))
	s.updateNext()
}

// updateNext enables Next when the step's answer is complete.
func (s *deskSettings) updateNext() {
	ok := true
	switch s.step {
	case stepAccount:
		ok = s.email != ""
	case stepPortal:
		ok = s.chosen != nil
	case stepMode:
		ok = s.mode.Valid()
	}
	if ok {
		s.next.Enable()
	} else {
		s.next.Disable()
	}
}

func (s *deskSettings) goBack() {
	switch {
	case s.step == stepActivate && s.mode == app.SyncNone:
		s.showStep(stepMode)
	case s.step > stepAccount:
		s.showStep(s.step - 1)
	}
}

func (s *deskSettings) goNext() {
	switch s.step {
	case stepAccount:
		s.loadPortals()
	case stepPortal:
		s.loadPermissions(s.chosen.OrgID, func() { s.showStep(stepMode) })
	case stepMode:
		if s.mode == app.SyncNone {
			s.showStep(stepActivate)
			return
		}
		s.showStep(stepMapping)
	case stepMapping:
		s.checkMapping(func() { s.showStep(stepActivate) })
	}
}

// accountPage is step 1: sign in with Zoho in the browser.
func (s *deskSettings) accountPage() fyne.CanvasObject {
	s.emailEntry = newEntry(s.host, "")
	s.emailEntry.SetPlaceHolder(lang.L("name@example.com (optional)"))
	s.emailEntry.SetText(s.email)
	s.signInBtn = widget.NewButtonWithIcon(lang.L("Sign in with Zoho"), theme.LoginIcon(), s.signIn)
	s.signInBtn.Importance = widget.HighImportance
	s.accountNote = wrapLabel("")
	if s.email != "" {
		s.signedIn(s.email)
	}
	form := widget.NewForm(widget.NewFormItem(lang.L("Zoho account email"), s.emailEntry))
	s.signInText = wrapLabel(lang.L("Sign in with the Zoho account you use for Zoho Desk. Your web browser opens Zoho's sign-in page; when it says you can close it, come back here. Tandem never sees your password."))
	s.signInForm = form
	signInBox := container.NewVBox(
		s.signInText,
		form,
		container.NewHBox(s.signInBtn),
		s.accountNote,
	)
	s.signInBox = signInBox
	return container.NewVBox(
		stepTitle(stepAccount, lang.L("Help desk and account")),
		s.helpDeskChoice(signInBox),
		signInBox,
	)
}

// dataCentreName is a Zoho data centre as people know it.
func dataCentreName(id string) string {
	switch id {
	case "us":
		return lang.L("United States")
	case "eu":
		return lang.L("Europe")
	case "uk":
		return lang.L("United Kingdom")
	case "in":
		return lang.L("India")
	case "au":
		return lang.L("Australia")
	case "jp":
		return lang.L("Japan")
	case "cn":
		return lang.L("China")
	case "ca":
		return lang.L("Canada")
	case "sa":
		return lang.L("Saudi Arabia")
	}
	return id
}

// helpDeskChoice is the top of step 1: Zoho Desk (in which data centre)
// or the demo help desk, and, for a build without a Zoho client id, how
// to register one and a field to paste it. signInBox is shown only when
// a sign-in can work.
func (s *deskSettings) helpDeskChoice(signInBox *fyne.Container) fyne.CanvasObject {
	h := s.helpDesk
	zoho, demo := lang.L("Zoho Desk"), lang.L("The demo help desk (sample tickets, not a real help desk)")
	if h.Target == "custom" {
		return note(lang.L("Help desk at {{.URL}} (set when Tandem was started).", map[string]any{"URL": h.CustomURL}), widget.LowImportance)
	}
	var names []string
	ids := map[string]string{}
	for _, dc := range h.DataCentres {
		n := dataCentreName(dc.ID)
		names = append(names, n)
		ids[n] = dc.ID
	}
	dcID := h.Target
	if dcID == app.DemoHelpDesk || dcID == "" {
		dcID = h.DefaultDataCentre
	}
	if _, ok := ids[dataCentreName(dcID)]; !ok {
		dcID = "us"
	}
	s.clientEntry = newEntry(s.host, "")
	s.clientEntry.SetPlaceHolder("1000.XXXXXXXXXXXXXXXXXXXXXXXXXXXXXX")
	s.saveClient = widget.NewButtonWithIcon(lang.L("Use this client id"), theme.ConfirmIcon(), func() {
		id := strings.TrimSpace(s.clientEntry.Text)
		if id == "" {
			setWrapped(s.message, lang.L("Paste the client id first."))
			return
		}
		s.applyClientID(id)
	})
	intro := lang.L("Your organisation can use its own Zoho OAuth client instead: register it at api-console.zoho.com as a “Mobile-based application” with the redirect URI {{.Redirect}}, turn on Multi DC, and paste its client id here.", map[string]any{"Redirect": h.RedirectURI})
	if h.ClientID == "" {
		intro = lang.L("This copy of Tandem was built without a Zoho OAuth client id, so it cannot sign in to Zoho Desk yet. Your organisation can register its own at api-console.zoho.com: choose the client type “Mobile-based application”, enter the redirect URI {{.Redirect}}, and under Settings turn on Multi DC for the data centres your people use. Then paste its client id here.", map[string]any{"Redirect": h.RedirectURI})
	}
	s.clientBox = container.NewVBox(
		note(intro, widget.WarningImportance),
		widget.NewForm(widget.NewFormItem(lang.L("Client id"), s.clientEntry)),
		container.NewHBox(s.saveClient),
	)
	// With a client id: say whose, and let an organisation use its own.
	s.otherClient = widget.NewButton(lang.L("Use another client id…"), func() {
		s.clientBox.Show()
		s.otherClient.Hide()
		s.body.Refresh()
	})
	s.otherClient.Importance = widget.LowImportance
	clientLine := container.NewHBox(s.otherClient)
	if h.FromSettings {
		clientLine.Add(widget.NewButton(lang.L("Use this build's client id"), func() { s.applyClientID("") }))
	}
	zohoBox := container.NewVBox()
	s.dcSelect = newKeySelect(names, func(n string) {
		if id := ids[n]; id != "" && s.deskWay.Selected == zoho {
			s.setHelpDesk(id)
		}
	})
	zohoBox.Add(widget.NewForm(widget.NewFormItem(lang.L("Data centre"), s.dcSelect)))
	zohoBox.Add(wrapLabel(lang.L("The data centre your Zoho account was created in. If Zoho says it is another one when you sign in, Tandem uses that one.")))
	zohoBox.Add(s.clientBox)
	if h.ClientID != "" {
		zohoBox.Add(clientLine)
	}
	show := func(way string) {
		if way == demo {
			zohoBox.Hide()
			signInBox.Show()
			setWrapped(s.signInText, lang.L("The demo help desk runs inside Tandem with sample contacts and tickets, so every help-desk screen can be tried without a Zoho account. Nothing you do there reaches a real customer, and it forgets its changes when Tandem quits."))
			s.signInForm.Hide()
			s.signInBtn.SetText(lang.L("Sign in to the demo help desk"))
			return
		}
		zohoBox.Show()
		setWrapped(s.signInText, lang.L("Sign in with the Zoho account you use for Zoho Desk. Your web browser opens Zoho's sign-in page; when it says you can close it, come back here. Tandem never sees your password."))
		s.signInForm.Show()
		s.signInBtn.SetText(lang.L("Sign in with Zoho"))
		if s.helpDesk.ClientID == "" {
			s.clientBox.Show()
			signInBox.Hide()
		} else {
			s.clientBox.Hide()
			signInBox.Show()
		}
	}
	ways := []string{zoho}
	if h.DemoAvailable {
		ways = append(ways, demo)
	}
	s.deskWay = widget.NewRadioGroup(ways, func(v string) {
		show(v)
		if v == demo {
			s.setHelpDesk(app.DemoHelpDesk)
		} else if id := ids[s.dcSelect.Selected]; id != "" {
			s.setHelpDesk(id)
		}
		s.body.Refresh()
	})
	s.deskWay.Required = true
	s.dcSelect.SetSelected(dataCentreName(dcID))
	if h.Target == app.DemoHelpDesk {
		s.deskWay.SetSelected(demo)
	} else {
		s.deskWay.SetSelected(zoho)
	}
	return container.NewVBox(s.deskWay, zohoBox)
}

// setHelpDesk tells the service where the next sign-in goes; a change
// forgets a sign-in made elsewhere.
func (s *deskSettings) setHelpDesk(target string) {
	if s.helpDesk.Target == target {
		return
	}
	s.helpDesk.Target = target
	if s.email != "" {
		s.email = ""
		setWrapped(s.accountNote, "")
		s.signInBtn.Importance = widget.HighImportance
		s.signInBtn.Refresh()
		s.updateNext()
	}
	s.run.Go(func(ctx context.Context) func() {
		err := s.integ.SetHelpDesk(ctx, target)
		return func() {
			if err != nil {
				logError("desk help desk", err)
				setWrapped(s.message, errorText(err))
			}
		}
	})
}

// applyClientID keeps an organisation's own Zoho client id (keyring); ""
// goes back to the one this build was made with.
func (s *deskSettings) applyClientID(id string) {
	setWrapped(s.message, "")
	s.saveClient.Disable()
	s.run.Go(func(ctx context.Context) func() {
		err := s.integ.SetZohoClient(ctx, id, "")
		var h app.HelpDesk
		if err == nil {
			h, err = s.integ.HelpDesk(ctx)
		}
		return func() {
			s.saveClient.Enable()
			if err != nil {
				logError("desk client id", err)
				setWrapped(s.message, errorText(err))
				return
			}
			target := s.helpDesk.Target
			s.helpDesk = h
			s.helpDesk.Target = target
			s.showStep(stepAccount)
		}
	})
}

func (s *deskSettings) signIn() {
	hint := strings.TrimSpace(s.emailEntry.Text)
	s.signInBtn.Disable()
	setWrapped(s.message, "")
	s.accountNote.Importance = widget.MediumImportance
	setWrapped(s.accountNote, lang.L("Waiting for you to finish signing in in your browser…"))
	s.run.Go(func(ctx context.Context) func() {
		email, err := func() (string, error) {
			u, err := s.integ.BeginSignIn(ctx, hint)
			if err != nil {
				return "", err
			}
			if err := s.openURL(u); err != nil {
				return "", app.Errorf(app.EUNAVAILABLE, "The browser could not be opened.")
			}
			return s.integ.CompleteSignIn(ctx)
		}()
		return func() {
			s.signInBtn.Enable()
			if err != nil {
				logError("desk sign in", err)
				setWrapped(s.accountNote, "")
				setWrapped(s.message, errorText(err))
				return
			}
			s.signedIn(email)
			s.updateNext()
		}
	})
}

func (s *deskSettings) signedIn(email string) {
	s.email = email
	if email == "" {
		s.email = lang.L("(email not shared by Zoho)")
	}
	s.emailEntry.SetText(email)
	s.signInBtn.Importance = widget.MediumImportance
	s.signInBtn.Refresh()
	s.accountNote.Importance = widget.SuccessImportance
	setWrapped(s.accountNote, lang.L("Signed in as {{.Email}}.", map[string]any{"Email": email}))
}

// loadPortals fetches the account's portals, then shows step 2.
func (s *deskSettings) loadPortals() {
	s.next.Disable()
	s.run.Go(func(ctx context.Context) func() {
		cs, err := s.integ.ListAccountPortals(ctx)
		return func() {
			if err != nil {
				s.updateNext()
				logError("desk portals", err)
				setWrapped(s.message, errorText(err))
				return
			}
			s.choices = cs
			if s.chosen == nil && s.previous != nil {
				for i := range cs {
					if cs[i].OrgID == s.previous.OrgID {
						c := cs[i]
						s.chosen = &c
					}
				}
			}
			if s.chosen == nil {
				for i := range cs {
					if cs[i].IsDefault || len(cs) == 1 {
						c := cs[i]
						s.chosen = &c
					}
				}
			}
			s.showStep(stepPortal)
		}
	})
}

// choiceLabel is a portal in the list; the demo help desk's say so.
func (s *deskSettings) choiceLabel(c app.PortalChoice) string {
	l := c.Name
	if s.helpDesk.Target == app.DemoHelpDesk {
		l = lang.L("{{.Name}} (demo help desk)", map[string]any{"Name": c.Name})
	}
	if c.PortalURL != "" {
		l += " — " + c.PortalURL
	}
	if c.IsAdmin {
		l += " " + lang.L("(administrator)")
	}
	return l
}

// portalPage is step 2: one of the account's portals, or another user's
// portal, which its administrator authorizes Tandem for on this computer
// (Zoho's sign-in with their email as the login hint).
func (s *deskSettings) portalPage() fyne.CanvasObject {
	mine, other := lang.L("One of my portals"), lang.L("Configure another user's portal")
	var labels []string
	for _, c := range s.choices {
		labels = append(labels, s.choiceLabel(c))
	}
	s.portalSelect = newKeySelect(labels, func(l string) {
		for i := range s.choices {
			if s.choiceLabel(s.choices[i]) == l {
				c := s.choices[i]
				s.chosen = &c
			}
		}
		s.updateNext()
	})
	s.portalSelect.PlaceHolder = lang.L("Choose a portal")
	if len(labels) == 0 {
		s.portalSelect.PlaceHolder = lang.L("This account belongs to no portal")
		s.portalSelect.Disable()
	}
	s.adminEmail = newEntry(s.host, "")
	s.adminEmail.SetPlaceHolder("admin@example.com")
	s.verifyBtn = widget.NewButtonWithIcon(lang.L("Administrator: sign in with Zoho"), theme.LoginIcon(), s.verifyAdmin)
	s.portalNote = wrapLabel("")
	otherBox := container.NewVBox(
		wrapLabel(lang.L("Use this when the portal belongs to someone else. Its administrator signs in with Zoho here, on this computer, and allows Tandem; Tandem then checks with Zoho Desk that it is that administrator and a portal they administer. Tandem works in the portal with the administrator's authorization, kept in this computer's keyring.")),
		widget.NewForm(widget.NewFormItem(lang.L("Administrator email"), s.adminEmail)),
		container.NewHBox(s.verifyBtn),
	)
	mineBox := container.NewVBox(s.portalSelect)
	s.portalWay = widget.NewRadioGroup([]string{mine, other}, func(v string) {
		if v == other {
			mineBox.Hide()
			otherBox.Show()
			if s.chosen != nil && !s.chosen.ViaAdmin {
				s.chosen = nil
			}
		} else {
			otherBox.Hide()
			mineBox.Show()
			s.chosen = nil
			if sel := s.portalSelect.Selected; sel != "" {
				s.portalSelect.SetSelected(sel)
			}
		}
		s.updateNext()
		s.body.Refresh() // lay out the part just shown
	})
	s.portalWay.Required = true
	chosen := s.chosen
	if chosen != nil && chosen.ViaAdmin {
		s.portalWay.SetSelected(other)
		s.adminEmail.SetText(chosen.AdminEmail)
		setWrapped(s.portalNote, lang.L("Checked: {{.Name}}.", map[string]any{"Name": chosen.Name}))
		s.chosen = chosen
	} else {
		s.portalWay.SetSelected(mine)
		if chosen != nil {
			s.portalSelect.SetSelected(s.choiceLabel(*chosen))
		}
	}
	return container.NewVBox(
		stepTitle(stepPortal, lang.L("Help desk portal")),
		wrapLabel(lang.L("Signed in as {{.Email}}. Choose the Zoho Desk portal whose tickets Tandem shows.", map[string]any{"Email": s.email})),
		s.portalWay, mineBox, otherBox, s.portalNote,
	)
}

// verifyAdmin has the administrator sign in (their email as the login
// hint), then checks that the grant is theirs and a portal they administer.
func (s *deskSettings) verifyAdmin() {
	email := strings.TrimSpace(s.adminEmail.Text)
	setWrapped(s.message, "")
	if !app.ValidEmail(email) {
		s.portalNote.Importance = widget.DangerImportance
		setWrapped(s.portalNote, lang.L("Enter the administrator's email address."))
		return
	}
	s.verifyBtn.Disable()
	s.chosen = nil
	s.updateNext()
	s.portalNote.Importance = widget.MediumImportance
	setWrapped(s.portalNote, lang.L("Waiting for the administrator to finish signing in in the browser…"))
	s.run.Go(func(ctx context.Context) func() {
		c, err := func() (app.PortalChoice, error) {
			u, err := s.integ.BeginSignIn(ctx, email)
			if err != nil {
				return app.PortalChoice{}, err
			}
			if err := s.openURL(u); err != nil {
				return app.PortalChoice{}, app.Errorf(app.EUNAVAILABLE, "The browser could not be opened.")
			}
			if _, err := s.integ.CompleteSignIn(ctx); err != nil {
				return app.PortalChoice{}, err
			}
			return s.integ.VerifyAdmin(ctx, email, "")
		}()
		return func() {
			s.verifyBtn.Enable()
			if err != nil {
				logError("verify administrator", err)
				s.portalNote.Importance = widget.DangerImportance
				switch app.ErrorCode(err) {
				case app.EFORBIDDEN, app.EINVALID:
					setWrapped(s.portalNote, translateMessage(app.ErrorMessage(err)))
				case app.EUNAUTHORIZED:
					setWrapped(s.portalNote, lang.L("Zoho did not accept the administrator's authorization (it expired or was withdrawn). Ask the administrator to sign in again."))
				default:
					setWrapped(s.portalNote, errorText(err))
				}
				return
			}
			s.chosen = &c
			s.portalNote.Importance = widget.SuccessImportance
			setWrapped(s.portalNote, lang.L("Checked: {{.Name}}.", map[string]any{"Name": c.Name}))
			s.updateNext()
		}
	})
}

// modeLabels are the sync options as the radio buttons name them; short,
// so the page fits a narrow window (modeHelp explains each below).
func modeLabels() map[app.SyncMode]string {
	return map[app.SyncMode]string{app.SyncTwoWay: modeName(app.SyncTwoWay), app.SyncOneWay: modeName(app.SyncOneWay), app.SyncNone: modeName(app.SyncNone)}
}

// modeHelp says what each sync option does.
func modeHelp(m app.SyncMode) string {
	switch m {
	case app.SyncTwoWay:
		return lang.L("Two-way: contacts and companies changed on either side are updated on the other")
	case app.SyncOneWay:
		return lang.L("One-way: Tandem's contacts and companies are sent to Zoho Desk; edits in Desk never change Tandem")
	}
	return lang.L("No sync: nothing is copied; tickets still show on contacts and companies that match by email or name")
}

func modeName(m app.SyncMode) string {
	switch m {
	case app.SyncTwoWay:
		return lang.L("Two-way")
	case app.SyncOneWay:
		return lang.L("One-way (Tandem → Zoho Desk)")
	}
	return lang.L("No sync")
}

// modePage is step 3: the sync option.
func (s *deskSettings) modePage() fyne.CanvasObject {
	labels := modeLabels()
	order := s.allowedModes()
	if !slices.Contains(order, s.mode) {
		s.mode = order[0] // the best option the profile allows
		if len(order) == 1 {
			s.mode = app.SyncNone
		}
	}
	var opts []string
	for _, m := range order {
		opts = append(opts, labels[m])
	}
	s.modeRadio = widget.NewRadioGroup(opts, func(v string) {
		for _, m := range order {
			if labels[m] == v {
				s.mode = m
			}
		}
		if s.managing {
			if s.mode == app.SyncNone {
				s.next.Hide()
				s.saveBtn.Show()
			} else {
				s.next.Show()
				s.saveBtn.Hide()
			}
		}
		s.updateNext()
	})
	s.modeRadio.Required = true
	box := container.NewVBox(
		stepTitle(stepMode, lang.L("Sync option")),
		wrapLabel(lang.L("How should Tandem's contacts and companies follow Zoho Desk? Tickets show on your records whichever you choose.")),
		s.modeRadio,
	)
	if limit := s.modeLimit(); limit != "" {
		box.Add(note(limit, widget.WarningImportance))
	}
	for _, m := range order {
		box.Add(note(modeHelp(m), widget.LowImportance))
	}
	s.saveBtn = widget.NewButtonWithIcon(lang.L("Save"), theme.DocumentSaveIcon(), s.save)
	s.saveBtn.Importance = widget.HighImportance
	s.saveBtn.Hide()
	if s.managing {
		s.stepTitleManage(box, lang.L("Change the sync option"))
		box.Add(container.NewHBox(s.saveBtn))
	}
	if s.mode != "" {
		s.modeRadio.SetSelected(labels[s.mode])
	}
	return box
}

// stepTitleManage replaces the wizard's step title when managing.
func (s *deskSettings) stepTitleManage(box *fyne.Container, title string) {
	box.Objects[0] = heading(title)
}

// mappingPage is step 4: which CRM field fills which Desk field.
func (s *deskSettings) mappingPage() fyne.CanvasObject {
	s.editor = newMappingEditor(s.deskUI)
	box := container.NewVBox(
		stepTitle(stepMapping, lang.L("Field mapping")),
		wrapLabel(lang.L("Choose which Tandem field fills each Zoho Desk field. Fields marked * are required by Zoho Desk. Only mapped fields are synced.")),
	)
	s.saveBtn = widget.NewButtonWithIcon(lang.L("Save"), theme.DocumentSaveIcon(), s.save)
	s.saveBtn.Importance = widget.HighImportance
	if s.managing {
		s.stepTitleManage(box, lang.L("Edit the field mapping"))
	} else {
		s.saveBtn.Hide()
	}
	reset := widget.NewButtonWithIcon(lang.L("Use the defaults"), theme.HistoryIcon(), func() {
		s.editor.set(s.integ.DefaultMappings())
	})
	top := container.NewVBox(box)
	bottom := container.NewHBox(reset, layout.NewSpacer(), s.saveBtn)
	s.editor.loading()
	orgID := ""
	if s.chosen != nil {
		orgID = s.chosen.OrgID
	} else if s.portal != nil {
		orgID = s.portal.OrgID
	}
	s.run.Go(func(ctx context.Context) func() {
		var fields []app.DeskField
		var err error
		for _, k := range []string{app.KindContact, app.KindCompany} {
			fs, ferr := s.integ.DeskFields(ctx, orgID, k)
			if ferr != nil {
				err = ferr
				break
			}
			fields = append(fields, fs...)
		}
		ms := s.mappings
		if ms == nil && s.managing {
			ms, _ = s.integ.FieldMappings(ctx)
		}
		if len(ms) == 0 {
			ms = s.integ.DefaultMappings()
		}
		crmFields := map[string][]app.CRMField{app.KindContact: s.integ.CRMFields(app.KindContact), app.KindCompany: s.integ.CRMFields(app.KindCompany)}
		sample := loadSample(ctx, s.crm)
		return func() {
			if err != nil {
				logError("desk fields", err)
				setWrapped(s.message, errorText(err))
				return
			}
			s.fields = fields
			s.editor.build(fields, crmFields, ms, sample)
		}
	})
	return container.NewBorder(top, bottom, nil, nil, s.editor.content)
}

// checkMapping validates the editor's mapping (locally, then with the
// integration's rules) and calls ok when it is acceptable.
func (s *deskSettings) checkMapping(ok func()) {
	if s.editor == nil || !s.editor.ready() {
		return
	}
	ms := s.editor.mappings()
	if !s.editor.check() {
		setWrapped(s.message, lang.L("Please correct the field mapping."))
		return
	}
	fields := s.fields
	s.run.Go(func(ctx context.Context) func() {
		err := s.integ.ValidateMappings(ms, fields)
		return func() {
			if err != nil {
				logError("validate mapping", err)
				msg := lang.L("Please correct the field mapping.")
				if v := fieldErrors(err); v != nil && len(v.Fields) > 0 {
					msg += " " + v.Fields[0].Message
				}
				setWrapped(s.message, msg)
				return
			}
			setWrapped(s.message, "")
			s.mappings = ms
			ok()
		}
	})
}

// activatePage is step 5: a summary, Activate and the first sync's progress.
func (s *deskSettings) activatePage() fyne.CanvasObject {
	c := s.chosen
	name, who := "", s.email
	if c != nil {
		name = c.Name
		if s.helpDesk.Target == app.DemoHelpDesk {
			name = lang.L("{{.Name}} (demo help desk)", map[string]any{"Name": c.Name})
		}
		if c.ViaAdmin {
			who = lang.L("{{.Email}} (another user's portal, administrator {{.Admin}})", map[string]any{"Email": s.email, "Admin": c.AdminEmail})
		}
	}
	nc, nco := 0, 0
	for _, m := range s.mappings {
		if m.Kind == app.KindContact {
			nc++
		} else {
			nco++
		}
	}
	mapping := lang.L("{{.Contacts}} contact fields, {{.Companies}} company fields", map[string]any{"Contacts": nc, "Companies": nco})
	if s.mode == app.SyncNone {
		mapping = lang.L("Not used with No sync")
	}
	s.activateBtn = widget.NewButtonWithIcon(lang.L("Activate"), theme.ConfirmIcon(), s.activate)
	s.activateBtn.Importance = widget.HighImportance
	s.progress = widget.NewProgressBar()
	s.progress.Hide()
	return container.NewVBox(
		stepTitle(stepActivate, lang.L("Activate")),
		detailRows(lang.L("Portal"), name, lang.L("Account"), who, lang.L("Sync option"), modeName(s.mode), lang.L("Field mapping"), mapping),
		wrapLabel(lang.L("When you activate, Tandem downloads the portal's tickets and, unless you chose No sync, matches contacts and companies by email and name before creating anything, so nothing is duplicated.")),
		container.NewHBox(s.activateBtn),
		s.progress,
	)
}

func (s *deskSettings) activate() {
	if s.chosen == nil {
		return
	}
	req := app.ActivateRequest{OrgID: s.chosen.OrgID, Mode: s.mode, Mappings: s.mappings}
	if s.mode == app.SyncNone {
		req.Mappings = nil
	}
	s.activateBtn.Disable()
	s.back.Disable()
	s.cancel.Disable()
	s.activating = req.OrgID
	s.setProgress(0.02, lang.L("Connecting…"))
	s.message.Importance = widget.MediumImportance
	s.run.Go(func(ctx context.Context) func() {
		p, err := s.integ.Activate(ctx, req)
		return func() {
			if err != nil {
				s.activating = ""
				logError("activate desk", err)
				s.activateBtn.Enable()
				s.back.Enable()
				s.cancel.Enable()
				s.progress.Hide()
				s.message.Importance = widget.DangerImportance
				setWrapped(s.message, errorText(err))
				return
			}
			s.portal = p
		}
	})
}

// showManage is the page of a connected portal.
func (s *deskSettings) showManage(msg string) {
	p := s.portal
	s.managing = false
	if msg == "" {
		msg = s.pendingMessage
	}
	s.pendingMessage = ""
	perm := lang.L("Can create tickets and reply")
	if !p.CanReply || !p.CanCreateTickets {
		perm = lang.L("Read-only: {{.Reason}}", map[string]any{"Reason": readOnlyReason(p)})
	}
	if p.IsAdmin {
		perm = lang.L("Portal administrator")
	}
	account := p.AccountEmail
	if p.ViaAdmin {
		account = lang.L("{{.Email}} (another user's portal, administrator {{.Admin}})", map[string]any{"Email": p.AccountEmail, "Admin": p.AdminEmail})
	}
	s.changeMode = widget.NewButtonWithIcon(lang.L("Change sync option"), theme.SettingsIcon(), s.startChangeMode)
	s.editMapping = widget.NewButtonWithIcon(lang.L("Edit field mapping"), theme.DocumentCreateIcon(), func() {
		s.managing, s.mode, s.mappings = true, p.Mode, nil
		s.showStep(stepMapping)
	})
	if p.Mode == app.SyncNone {
		s.editMapping.Disable()
	}
	s.deactivate = widget.NewButtonWithIcon(lang.L("Deactivate…"), theme.CancelIcon(), s.askDeactivate)
	s.deactivate.Importance = widget.DangerImportance
	rows := detailRows(lang.L("Portal"), portalLabel(p), lang.L("Address"), p.PortalURL, lang.L("Account"), account,
		lang.L("Agent"), agentLine(p.AgentName, p.AgentEmail), lang.L("Permissions"), perm,
		lang.L("Sync option"), modeName(p.Mode), lang.L("Last sync"), lastSyncValue(p))
	s.lastSync = rows.Objects[len(rows.Objects)-1].(*widget.Label)
	box := container.NewVBox(
		heading(lang.L("Zoho Desk: connected to {{.Name}}", map[string]any{"Name": portalLabel(p)})),
		rows,
		container.NewHBox(s.changeMode, s.editMapping, layout.NewSpacer(), s.deactivate),
	)
	s.limits = newConcurrencyRow(s)
	box.Add(s.limits.box)
	if msg != "" {
		box.Add(note(msg, widget.SuccessImportance))
	}
	if s.problems == nil {
		s.problems = newSyncProblems(s.deskUI, s.openRecord)
		s.problems.changeMode = s.startChangeMode
	} else {
		s.problems.reload()
	}
	box.Add(s.problems.box)
	s.setPage(container.NewVScroll(box))
}

// startChangeMode is Manage › Change sync option: the agent's permissions
// are read again first, so the page offers what they allow today.
func (s *deskSettings) startChangeMode() {
	p := s.portal
	if p == nil {
		return
	}
	s.managing, s.mode, s.mappings = true, p.Mode, nil
	s.loadPermissions(p.OrgID, func() { s.showStep(stepMode) })
}

// loadPermissions reads the agent's permissions in a portal, then runs
// next (also when they cannot be read: the page then says so).
func (s *deskSettings) loadPermissions(orgID string, next func()) {
	if s.next != nil {
		s.next.Disable()
	}
	if s.changeMode != nil {
		s.changeMode.Disable()
	}
	if s.message != nil {
		s.message.Importance = widget.MediumImportance
		setWrapped(s.message, lang.L("Reading your Zoho Desk permissions…"))
	}
	s.run.Go(func(ctx context.Context) func() {
		perm, err := s.integ.PortalPermissions(ctx, orgID)
		return func() {
			if s.changeMode != nil {
				s.changeMode.Enable()
			}
			if s.message != nil {
				s.message.Importance = widget.DangerImportance
				setWrapped(s.message, "")
			}
			s.perm, s.permErr = nil, err
			if err != nil {
				logError("desk permissions", err)
			} else {
				s.perm = &perm
			}
			next()
		}
	})
}

// allowedModes are the sync options the agent's permissions let succeed
// (all three when they could not be read).
func (s *deskSettings) allowedModes() []app.SyncMode {
	if s.perm == nil {
		return []app.SyncMode{app.SyncTwoWay, app.SyncOneWay, app.SyncNone}
	}
	return s.perm.SyncModes()
}

// modeLimit says why sync options are missing, "" when none is.
func (s *deskSettings) modeLimit() string {
	if s.perm == nil {
		if s.permErr != nil {
			return lang.L("Tandem could not read your Zoho Desk permissions ({{.Reason}}). If your profile may not change contacts, choose No sync.", map[string]any{"Reason": errorText(s.permErr)})
		}
		return ""
	}
	profile := s.perm.ProfileName
	switch len(s.perm.SyncModes()) {
	case 1:
		if profile == "" {
			return lang.L("Your Zoho Desk profile may not create or change contacts and accounts, so Tandem cannot send them: only No sync can work. Tickets still show on your records.")
		}
		return lang.L("Your Zoho Desk profile “{{.Profile}}” may not create or change contacts and accounts, so Tandem cannot send them: only No sync can work. Tickets still show on your records.", map[string]any{"Profile": profile})
	case 2:
		if profile == "" {
			return lang.L("Your Zoho Desk profile may not read contacts and accounts, so two-way sync cannot work.")
		}
		return lang.L("Your Zoho Desk profile “{{.Profile}}” may not read contacts and accounts, so two-way sync cannot work.", map[string]any{"Profile": profile})
	}
	return ""
}

func readOnlyReason(p *app.Portal) string {
	if p.ReadOnlyReason != "" {
		return msgText(p.ReadOnlyReason)
	}
	return lang.L("Your Zoho Desk profile does not allow creating tickets or replying.")
}

// save stores a changed sync option or mapping (Manage).
func (s *deskSettings) save() {
	doSave := func() {
		mode, ms := s.mode, s.mappings
		if mode == app.SyncNone {
			ms = nil
		}
		s.saveBtn.Disable()
		s.run.Go(func(ctx context.Context) func() {
			err := s.integ.UpdateSettings(ctx, mode, ms)
			return func() {
				s.saveBtn.Enable()
				if err != nil {
					logError("update desk settings", err)
					setWrapped(s.message, errorText(err))
					return
				}
				s.pendingMessage = lang.L("Saved. The next sync uses the new settings.")
				s.load()
			}
		})
	}
	if s.step == stepMapping {
		s.checkMapping(doSave)
		return
	}
	doSave()
}

func (s *deskSettings) askDeactivate() {
	p := s.portal
	c := newConfirm(lang.L("Deactivate Zoho Desk?"),
		lang.L("Tandem stops syncing with {{.Name}} and hides its tickets on your records. Your tickets stay in Zoho Desk, and nothing in Tandem is deleted. Connecting the same portal again brings everything back.", map[string]any{"Name": p.Name}),
		func(ok bool) {
			if !ok {
				return
			}
			s.deactivate.Disable()
			s.run.Go(func(ctx context.Context) func() {
				err := s.integ.Deactivate(ctx)
				return func() {
					if err != nil {
						s.deactivate.Enable()
						s.showErr("deactivate desk", err)
						return
					}
					s.pendingMessage = lang.L("Zoho Desk is disconnected. Your tickets stay in Zoho Desk.")
					s.load()
				}
			})
		}, s.win)
	c.SetConfirmText(lang.L("Deactivate"))
	c.SetDismissText(lang.L("Cancel"))
	c.SetConfirmImportance(widget.DangerImportance)
	s.confirm = c
	s.showDialog(c, formKeys{})
}

// sampleRecords are one real contact and company for the mapping preview.
type sampleRecords struct {
	contact *app.Contact
	company *app.Company
}

func loadSample(ctx context.Context, crm app.CRM) sampleRecords {
	var r sampleRecords
	if crm.Contacts != nil {
		if cs, err := crm.Contacts.ListContacts(ctx, app.ContactFilter{Sort: app.SortByUpdated, Limit: 1}); err == nil && len(cs) > 0 {
			r.contact = &cs[0]
		}
	}
	if crm.Companies != nil {
		if cs, err := crm.Companies.ListCompanies(ctx, app.CompanyFilter{Sort: app.SortByUpdated, Limit: 1}); err == nil && len(cs) > 0 {
			r.company = &cs[0]
		}
	}
	return r
}

// fieldValue reads a CRM field (by FieldMapping.CRMField name) of a
// contact or company for the preview.
func fieldValue(rec any, name string) string {
	if rec == nil || reflect.ValueOf(rec).IsNil() {
		return ""
	}
	v := reflect.ValueOf(rec).Elem()
	if name == app.CRMFieldCompany {
		name = "CompanyName" // the contact's company, by name
	}
	if key, ok := strings.CutPrefix(name, app.CRMCustomPrefix); ok {
		if m, ok := v.FieldByName("Custom").Interface().(map[string]string); ok {
			return m[key]
		}
		return ""
	}
	f := v.FieldByName(name)
	if f.IsValid() && f.Kind() == reflect.String {
		return f.String()
	}
	return ""
}

// mappingEditor edits the mappings of contacts and companies: one row per
// Desk field with the CRM field that fills it, a type check per row, the
// required fields marked, and a preview of one real record.
type mappingEditor struct {
	*deskUI
	content *fyne.Container
	rows    []*mappingRow
	crm     map[string][]app.CRMField
	sample  sampleRecords
	preview map[string]*widget.Label
}

type mappingRow struct {
	field  app.DeskField
	choose *keySelect
	errs   *widget.Label
	names  map[string]string // label shown → CRM field name
}

func newMappingEditor(d *deskUI) *mappingEditor {
	return &mappingEditor{deskUI: d, content: container.NewStack(), preview: map[string]*widget.Label{}}
}

func (e *mappingEditor) loading() {
	e.content.Objects = []fyne.CanvasObject{container.NewCenter(widget.NewLabel(lang.L("Reading the portal's fields…")))}
	e.content.Refresh()
}

func (e *mappingEditor) ready() bool { return e.rows != nil }

func notMapped() string { return lang.L("— not synced —") }

func crmLabel(f app.CRMField) string { return msgText(f.Label) }

func typeName(t string) string {
	switch t {
	case app.FieldEmail:
		return lang.L("email")
	case app.FieldPhone:
		return lang.L("phone")
	case app.FieldURL:
		return lang.L("web address")
	case app.FieldNumber:
		return lang.L("number")
	case app.FieldBoolean:
		return lang.L("yes/no")
	case app.FieldDate:
		return lang.L("date")
	case app.FieldAccount:
		return lang.L("company")
	}
	return lang.L("text")
}

// compatibleTypes mirrors the integration's rule: text holds anything;
// other types must agree, and a Desk text field takes email, phone and
// web addresses.
func compatibleTypes(crm, desk string) bool {
	if crm == app.FieldAccount || desk == app.FieldAccount {
		return crm == desk // only a contact's company holds a Desk account
	}
	if crm == desk || crm == app.FieldText {
		return true
	}
	if desk == app.FieldText {
		return crm != app.FieldNumber && crm != app.FieldBoolean && crm != app.FieldDate
	}
	return false
}

func (e *mappingEditor) build(fields []app.DeskField, crm map[string][]app.CRMField, ms []app.FieldMapping, sample sampleRecords) {
	e.crm, e.sample = crm, sample
	e.rows = []*mappingRow{}
	kinds := container.NewAppTabs()
	for _, kind := range []string{app.KindContact, app.KindCompany} {
		grid := container.New(layout.NewFormLayout())
		for _, f := range fields {
			if f.Kind != kind {
				continue
			}
			r := &mappingRow{field: f, names: map[string]string{}}
			opts := []string{notMapped()}
			for _, cf := range crm[kind] {
				l := crmLabel(cf)
				r.names[l] = cf.Name
				opts = append(opts, l)
			}
			r.choose = newKeySelect(opts, func(string) { e.check(); e.updatePreview() })
			r.errs = wrapLabel("")
			r.errs.Importance = widget.DangerImportance
			r.errs.SizeName = theme.SizeNameCaptionText
			r.errs.Hide()
			label := f.Label
			if f.Required {
				label += " *"
			}
			l := widget.NewLabel(label + "  (" + typeName(f.Type) + ")")
			l.Alignment = fyne.TextAlignTrailing
			grid.Add(l)
			grid.Add(container.NewVBox(r.choose, r.errs))
			e.rows = append(e.rows, r)
		}
		prev := wrapLabel("")
		prev.TextStyle = fyne.TextStyle{Monospace: true}
		e.preview[kind] = prev
		previewBox := container.NewVBox(sectionTitle(lang.L("Preview")), prev)
		split := container.NewHSplit(container.NewVScroll(grid), container.NewVScroll(previewBox))
		split.Offset = 0.62
		title := lang.L("Contacts")
		if kind == app.KindCompany {
			title = lang.L("Companies (Desk accounts)")
		}
		kinds.Append(container.NewTabItem(title, split))
	}
	e.content.Objects = []fyne.CanvasObject{kinds}
	e.content.Refresh()
	e.set(ms)
}

// set shows a mapping set in the rows.
func (e *mappingEditor) set(ms []app.FieldMapping) {
	for _, r := range e.rows {
		sel := notMapped()
		for _, m := range ms {
			if m.Kind == r.field.Kind && m.DeskField == r.field.APIName {
				for l, n := range r.names {
					if n == m.CRMField {
						sel = l
					}
				}
			}
		}
		r.choose.SetSelected(sel)
	}
	e.check()
	e.updatePreview()
}

func (r *mappingRow) crmName() string { return r.names[r.choose.Selected] }

// mappings returns what the rows say.
func (e *mappingEditor) mappings() []app.FieldMapping {
	var ms []app.FieldMapping
	for _, r := range e.rows {
		if n := r.crmName(); n != "" {
			ms = append(ms, app.FieldMapping{Kind: r.field.Kind, CRMField: n, DeskField: r.field.APIName, Type: r.field.Type})
		}
	}
	return ms
}

func (e *mappingEditor) crmType(kind, name string) string {
	for _, f := range e.crm[kind] {
		if f.Name == name {
			return f.Type
		}
	}
	return app.FieldText
}

// check marks each row's problem and reports whether there is none.
func (e *mappingEditor) check() bool {
	ok := true
	used := map[string]int{}
	for _, r := range e.rows {
		if n := r.crmName(); n != "" {
			used[r.field.Kind+"/"+n]++
		}
	}
	for _, r := range e.rows {
		msg := ""
		n := r.crmName()
		switch {
		case n == "" && r.field.Required && !r.field.Custom:
			msg = lang.L("Zoho Desk requires this field; choose the Tandem field that fills it.")
		case n == "":
		case !compatibleTypes(e.crmType(r.field.Kind, n), r.field.Type):
			msg = lang.L("A {{.From}} field cannot fill a {{.To}} field.", map[string]any{"From": typeName(e.crmType(r.field.Kind, n)), "To": typeName(r.field.Type)})
		case used[r.field.Kind+"/"+n] > 1:
			msg = lang.L("This Tandem field is already used for another Desk field.")
		}
		if msg == "" {
			r.errs.Hide()
		} else {
			ok = false
			setWrapped(r.errs, msg)
			r.errs.Show()
		}
	}
	return ok
}

func (e *mappingEditor) updatePreview() {
	for kind, l := range e.preview {
		var rec any
		name := ""
		if kind == app.KindContact && e.sample.contact != nil {
			rec, name = e.sample.contact, e.sample.contact.DisplayName()
		}
		if kind == app.KindCompany && e.sample.company != nil {
			rec, name = e.sample.company, e.sample.company.Name
		}
		if rec == nil {
			l.SetText(lang.L("Add a record to see a preview."))
			continue
		}
		var sb strings.Builder
		sb.WriteString(lang.L("{{.Name}} in Zoho Desk:", map[string]any{"Name": name}) + "\n")
		for _, r := range e.rows {
			if r.field.Kind != kind {
				continue
			}
			if n := r.crmName(); n != "" {
				v := fieldValue(rec, n)
				if v == "" {
					v = "—"
				}
				sb.WriteString(r.field.Label + ": " + v + "\n")
			}
		}
		l.SetText(strings.TrimSpace(sb.String()))
	}
}

// agentLine is the signed-in agent as the ticket pane writes a person:
// "Carol Diaz <carol@…>" (the two ran together as "Carol Diaz carol@…").
func agentLine(name, email string) string {
	name, email = strings.TrimSpace(name), strings.TrimSpace(email)
	switch {
	case name == "":
		return email
	case email == "":
		return name
	}
	return name + " <" + email + ">"
}

// portalLabel names a portal for people; the demo help desk's says it is
// the demo, so nobody takes its tickets for real ones.
func portalLabel(p *app.Portal) string {
	if p != nil && p.DataCentre == app.DemoHelpDesk {
		return lang.L("{{.Name}} (demo help desk)", map[string]any{"Name": p.Name})
	}
	if p == nil {
		return ""
	}
	return p.Name
}
