package views

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tandem-crm/tandem/app"
)

// deskStatus is the Zoho Desk status line and the sign-in-expired banner.
type deskStatus struct {
	*deskUI
	line     *widget.Label
	icon     *widget.Icon
	progress *widget.ProgressBar
	syncNow  *widget.Button
	// attention says once, beside the line, what needs the user: the
	// number of problems, or what to do when they have one cause (a
	// read-only profile); it opens Settings › Zoho Desk.
	attention *widget.Button
	lineBox   *fyne.Container
	// openSettings shows Settings › Zoho Desk; nil hides the button's action.
	openSettings func()

	banner     *fyne.Container
	bannerText *widget.Label
	signIn     *widget.Button

	// problem names why passes fail when it is not the network (the
	// keyring, an answer Tandem cannot read, the database), with what to do.
	problem     *fyne.Container
	problemText *widget.Label
	retry       *widget.Button

	st    *app.SyncStatus
	phase string // during a pass
	reads latest // only the newest status read is shown
}

// NewDeskStatus returns the Zoho Desk status line (online, offline,
// syncing with progress, or needs sign-in, and when the last sync
// succeeded) and a banner shown while the sign-in has expired, with one
// button to sign in again. Both follow the integration's events until ctx
// ends; openURL opens the sign-in page in the system browser.
func NewDeskStatus(ctx context.Context, w fyne.Window, integ app.Integration, openURL func(string) error) (statusLine, banner fyne.CanvasObject) {
	s := newDeskStatus(newDeskUI(ctx, w, integ, app.CRM{}, openURL, nil))
	return s.lineBox, s.banner
}

func newDeskStatus(d *deskUI) *deskStatus {
	s := &deskStatus{deskUI: d}
	s.line = widget.NewLabel(lang.L("Zoho Desk: checking…"))
	s.line.Truncation = fyne.TextTruncateEllipsis
	s.icon = widget.NewIcon(theme.InfoIcon())
	s.progress = widget.NewProgressBar()
	s.progress.TextFormatter = func() string { return "" }
	s.progress.Hide()
	prog := container.NewGridWrap(fyne.NewSize(120, 8), s.progress)
	s.syncNow = widget.NewButtonWithIcon(lang.L("Sync now"), theme.ViewRefreshIcon(), func() {
		s.syncNow.Disable() // until the pass reports
		s.integ.SyncNow()
	})
	s.syncNow.Importance = widget.LowImportance
	s.syncNow.Hide()
	s.attention = widget.NewButtonWithIcon("", theme.WarningIcon(), func() {
		if s.openSettings != nil {
			s.openSettings()
		}
	})
	s.attention.Importance = widget.WarningImportance
	s.attention.Hide()
	s.lineBox = container.NewBorder(nil, nil, s.icon, container.NewHBox(s.attention, container.NewCenter(prog), s.syncNow), s.line)

	s.bannerText = wrapLabel(lang.L("Your Zoho Desk sign-in has expired. Tickets stay readable here and nothing you queued is lost; it is sent once you sign in again."))
	s.bannerText.Importance = widget.WarningImportance
	s.signIn = widget.NewButtonWithIcon(lang.L("Sign in again"), theme.LoginIcon(), s.reauth)
	s.signIn.Importance = widget.HighImportance
	s.banner = container.NewPadded(container.NewBorder(nil, nil, widget.NewIcon(theme.WarningIcon()), container.NewCenter(s.signIn), s.bannerText))
	s.banner.Hide()
	s.problemText = wrapLabel("")
	s.problemText.Importance = widget.WarningImportance
	s.retry = widget.NewButtonWithIcon(lang.L("Try again"), theme.ViewRefreshIcon(), func() {
		s.retry.Disable()
		s.integ.SyncNow()
	})
	s.problem = container.NewPadded(container.NewBorder(nil, nil, widget.NewIcon(theme.WarningIcon()), container.NewCenter(s.retry), s.problemText))
	s.problem.Hide()

	d.subscribe(d.ctx, s.event)
	s.reload()
	return s
}

// event applies a sync event at once (progress) and re-reads the status.
func (s *deskStatus) event(e app.SyncEvent) {
	switch e.Kind {
	case app.EventStarted:
		s.phase = "start"
	case app.EventProgress:
		s.phase = e.Phase
	case app.EventFinished, app.EventOffline, app.EventNeedsSignIn, app.EventPortal:
		s.phase = ""
	}
	if s.st != nil && s.phase != "" {
		s.st.State = app.StateSyncing
	}
	s.show()
	if e.Kind != app.EventProgress {
		s.reload()
	}
}

func (s *deskStatus) reload() {
	read := s.reads.next()
	s.run.Go(func(ctx context.Context) func() {
		st, err := s.integ.Status(ctx)
		return func() {
			if !s.reads.current(read) {
				return // a newer read was asked for; its answer counts
			}
			if err != nil {
				logError("desk status", err)
				s.line.SetText(lang.L("Zoho Desk: status unknown"))
				return
			}
			s.st = st
			if st.State != app.StateSyncing {
				s.phase = ""
			}
			s.show()
		}
	})
}

// phaseShare is how far a pass has come, by the phase it reported.
func phaseShare(phase string) float64 {
	switch phase {
	case "start":
		return 0.05
	case "companys", "companies", "accounts":
		return 0.3
	case "contacts":
		return 0.55
	case "tickets":
		return 0.8
	case "outbox":
		return 0.95
	}
	return 0.1
}

// show puts the current status on screen.
func (s *deskStatus) show() {
	st := s.st
	if st == nil {
		return
	}
	last := lastSyncText(st.LastSuccess)
	pending := ""
	if st.PendingOutbox > 0 {
		pending = " · " + lang.L("{{.N}} action(s) waiting to be sent", map[string]any{"N": st.PendingOutbox})
	}
	s.showAttention(st)
	s.progress.Hide()
	s.banner.Hide()
	s.problem.Hide()
	s.retry.Enable()
	s.syncNow.Show()
	s.syncNow.Enable()
	switch st.State {
	case app.StateNotConnected:
		s.icon.SetResource(theme.InfoIcon())
		s.line.SetText(lang.L("Zoho Desk: not connected"))
		s.syncNow.Hide()
	case app.StateSyncing:
		s.icon.SetResource(theme.ViewRefreshIcon())
		s.line.SetText(lang.L("Zoho Desk: syncing…") + " · " + last + pending)
		s.progress.SetValue(phaseShare(s.phase))
		s.progress.Show()
		s.syncNow.Disable()
	case app.StateOffline:
		s.icon.SetResource(theme.WarningIcon())
		if why := passProblem(st.LastError); why != "" {
			// Not the network: say what it is, there and in a banner.
			s.line.SetText(lang.L("Zoho Desk: not synced — {{.Reason}}", map[string]any{"Reason": why}) + " · " + last + pending)
			s.problemText.SetText(why)
			s.problem.Show()
		} else {
			s.line.SetText(lang.L("Zoho Desk: offline — showing saved tickets") + " · " + last + pending)
		}
	case app.StateNeedsSignIn:
		s.icon.SetResource(theme.ErrorIcon())
		s.line.SetText(lang.L("Zoho Desk: sign-in expired") + " · " + last + pending)
		s.banner.Show()
	default:
		s.icon.SetResource(theme.ConfirmIcon())
		s.line.SetText(lang.L("Zoho Desk: online") + " · " + last + pending)
	}
	if st.Portal == nil && st.State != app.StateNotConnected {
		s.line.SetText(lang.L("Zoho Desk: not connected"))
		s.syncNow.Hide()
	}
	// The demo help desk says so on the status line (the window title
	// stays "Tandem": scripts find the window by it), so nobody takes its
	// tickets for real ones.
	if st.Portal != nil && st.Portal.DataCentre == app.DemoHelpDesk {
		s.line.SetText(lang.L("Demo help desk") + " · " + s.line.Text)
	}
}

// showAttention puts the problems on the button beside the line: what to
// do when they all come from a profile that may not change contacts,
// else how many there are.
func (s *deskStatus) showAttention(st *app.SyncStatus) {
	if st.Problems == 0 || st.State == app.StateNotConnected {
		s.attention.Hide()
		return
	}
	forbidden := len(st.RecordErrors) > 0
	for _, e := range st.RecordErrors {
		forbidden = forbidden && isForbidden(e.Message)
	}
	if forbidden {
		s.attention.SetText(lang.L("Zoho Desk does not let you change contacts: choose No sync"))
	} else {
		s.attention.SetText(lang.N("{{.Count}} problems need your attention", st.Problems, map[string]any{"Count": st.Problems}))
	}
	s.attention.Show()
}

// passProblem is why the last pass failed, translated, unless it was that
// Desk could not be reached (the status line says offline then).
func passProblem(lastError string) string {
	if lastError == "" || lastError == msgUnreachable {
		return ""
	}
	return translateMessage(lastError)
}

// reauth signs in again in the browser and re-activates the same portal
// with its mode and mapping; the outbox is kept, so nothing queued is lost.
func (s *deskStatus) reauth() {
	s.signIn.Disable()
	setWrapped(s.bannerText, lang.L("Finish signing in in your browser…"))
	s.run.Go(func(ctx context.Context) func() {
		err := reauthorize(ctx, s.integ, s.openURL)
		return func() {
			s.signIn.Enable()
			if err != nil {
				setWrapped(s.bannerText, errorText(err))
				logError("sign in again", err)
				return
			}
			setWrapped(s.bannerText, lang.L("Signed in again."))
			s.integ.SyncNow()
			s.reload()
		}
	})
}

// reauthorize runs the browser sign-in and reconnects the active portal.
func reauthorize(ctx context.Context, integ app.Integration, openURL func(string) error) error {
	p, err := integ.ActivePortal(ctx)
	if err != nil {
		return err
	}
	ms, err := integ.FieldMappings(ctx)
	if err != nil {
		return err
	}
	// Sign in where the portal is (the demo, or its data centre), as its
	// administrator for another user's portal.
	if p.DataCentre != "" && p.DataCentre != "custom" {
		if err := integ.SetHelpDesk(ctx, p.DataCentre); err != nil {
			return err
		}
	}
	hint := p.AccountEmail
	if p.ViaAdmin {
		hint = p.AdminEmail
	}
	u, err := integ.BeginSignIn(ctx, hint)
	if err != nil {
		return err
	}
	if err := openURL(u); err != nil {
		return app.Errorf(app.EUNAVAILABLE, "The browser could not be opened.")
	}
	if _, err := integ.CompleteSignIn(ctx); err != nil {
		return err
	}
	if p.ViaAdmin {
		if _, err := integ.VerifyAdmin(ctx, p.AdminEmail, p.OrgID); err != nil {
			return err
		}
	}
	if p.Mode == app.SyncNone {
		ms = nil
	}
	_, err = integ.Activate(ctx, app.ActivateRequest{OrgID: p.OrgID, Mode: p.Mode, Mappings: ms})
	return err
}
