package views

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/sync/deskemu"
)

// TestWizardOwnPortal connects the signed-in account's own portal end to
// end against the emulator: sign in, portal, two-way, mapping, Activate
// with the first sync's progress, then Manage and Deactivate.
func TestWizardOwnPortal(t *testing.T) {
	e := newDeskEnv(t, deskEnvOptions{emu: deskemu.Options{Seed: 3, Contacts: 12, Accounts: 4, Tickets: 20}, loop: true, user: -1})
	mustContact(t, e.crm, app.Contact{FirstName: "Emma", LastName: "Smith", Email: "emma@example.com", Title: "Buyer"})
	s := newDeskSettings(e.d)
	e.show(s.body)
	if s.connect == nil {
		t.Fatal("no Connect button when nothing is connected")
	}
	e.shot("desk-wizard-0-intro.png")
	e.tap(s.connect)

	// Step 1: sign in.
	if !s.next.Disabled() {
		t.Error("Next is enabled before signing in")
	}
	test.Type(s.emailEntry, e.info.Users[0].Email)
	e.tap(s.signInBtn)
	if s.email != e.info.Users[0].Email || s.emailEntry.Text != s.email {
		t.Fatalf("after sign-in email = %q, entry %q", s.email, s.emailEntry.Text)
	}
	e.shot("desk-wizard-1-account.png")
	e.tap(s.next)

	// Step 2: the account's portals.
	if s.step != stepPortal || len(s.portalSelect.Options) < 2 {
		t.Fatalf("step %d, portals %q", s.step, s.portalSelect.Options)
	}
	s.portalSelect.SetSelectedIndex(0)
	if s.chosen == nil || s.chosen.OrgID != e.org {
		t.Fatalf("chosen = %+v", s.chosen)
	}
	e.shot("desk-wizard-2-portal.png")
	e.tap(s.next)

	// Step 3: sync option.
	s.modeRadio.SetSelected(modeLabels()[app.SyncTwoWay])
	e.shot("desk-wizard-3-mode.png")
	e.tap(s.next)

	// Step 4: mapping with a type check, a required field and a preview.
	e.waitFor("the mapping editor", s.editor.ready)
	var lastName, email *mappingRow
	for _, r := range s.editor.rows {
		if r.field.Kind == app.KindContact && r.field.APIName == "lastName" {
			lastName = r
		}
		if r.field.Kind == app.KindContact && r.field.APIName == "email" {
			email = r
		}
	}
	if lastName == nil || email == nil {
		t.Fatal("no lastName or email row")
	}
	if !e.hasText("Emma Smith in Zoho Desk:") || !e.hasText("Last Name: Smith") {
		t.Error("no preview of a real record")
	}
	e.shot("desk-wizard-4-mapping.png")
	lastName.choose.SetSelected(notMapped())
	if lastName.errs.Hidden || s.editor.check() {
		t.Error("an unmapped required Desk field is not flagged")
	}
	lastName.choose.SetSelected("Last name")
	email.choose.SetSelected("Title") // text into an email field is fine…
	phone := rowFor(s.editor, app.KindContact, "phone")
	phone.choose.SetSelected("Email") // …an email into a phone field is not
	if phone.errs.Hidden {
		t.Error("a type mismatch is not flagged")
	}
	e.tap(s.next)
	if s.step != stepMapping || s.message.Text == "" {
		t.Fatal("went on with a bad mapping")
	}
	s.editor.set(e.svc.DefaultMappings())
	e.tap(s.next)
	if s.step != stepActivate {
		t.Fatalf("step = %d, message %q", s.step, s.message.Text)
	}
	e.shot("desk-wizard-5-activate.png")

	// Step 5: Activate and the first sync.
	e.tap(s.activateBtn)
	sawProgress := s.progress.Visible()
	e.waitFor("the first sync", func() bool { return s.deactivate != nil })
	if !sawProgress {
		t.Error("no progress bar during activation")
	}
	if !e.hasText("Connected. The first sync is finished") {
		t.Error("no message after the first sync")
	}
	if !e.hasText("Zoho Desk: connected to Acme Support") {
		t.Error("Manage page missing")
	}
	e.shot("desk-wizard-6-manage.png")

	// Manage: change the sync option.
	e.tap(s.changeMode)
	s.modeRadio.SetSelected(modeLabels()[app.SyncNone])
	e.tap(s.saveBtn)
	e.waitFor("settings saved", func() bool { return s.deactivate != nil && s.portal.Mode == app.SyncNone })

	// Deactivate, with a confirmation saying tickets stay in Desk.
	e.tap(s.deactivate)
	if !e.hasText("Your tickets stay in Zoho Desk") {
		t.Error("the confirmation does not say tickets stay in Desk")
	}
	e.shot("desk-wizard-7-deactivate.png")
	e.tap(e.button("Deactivate"))
	e.waitFor("the intro page", func() bool { return s.portal == nil && s.connect != nil && s.connect.Visible() })
	if _, err := e.svc.ActivePortal(e.ctx); app.ErrorCode(err) != app.ENOTFOUND {
		t.Errorf("portal still active: %v", err)
	}
}

func rowFor(ed *mappingEditor, kind, api string) *mappingRow {
	for _, r := range ed.rows {
		if r.field.Kind == kind && r.field.APIName == api {
			return r
		}
	}
	return nil
}

// TestWizardAnotherUsersPortal configures a portal the account does not
// belong to: its administrator signs in on this computer (their email as
// the login hint) and Tandem checks /myinfo and the portals they
// administer. Someone else signing in is refused by name; a grant that
// expired before Tandem could use it is refused as such; the right
// administrator goes through. No ZSC key is asked for or sent.
func TestWizardAnotherUsersPortal(t *testing.T) {
	e := newDeskEnv(t, deskEnvOptions{emu: deskemu.Options{Seed: 4, Contacts: 6, Accounts: 2, Tickets: 8}, loop: true, user: -1})
	var initech deskemu.PortalInfo
	for _, p := range e.info.Portals {
		if p.Name == "Initech Service Desk" {
			initech = p
		}
	}
	s := newDeskSettings(e.d)
	e.show(s.body)
	e.tap(s.connect)
	e.tap(s.signInBtn)
	e.tap(s.next)
	s.portalWay.SetSelected("Configure another user's portal")
	if s.adminEmail.Hidden || !s.next.Disabled() {
		t.Fatal("the other-portal form is not shown, or Next is enabled")
	}
	if e.hasText("ZSC") {
		t.Fatal("the form still asks for a ZSC key")
	}
	test.Type(s.adminEmail, initech.AdminEmail)

	// Someone else signs in in the browser (not the administrator).
	other := e.info.Users[0].Email
	e.browse = func(u string) error {
		pu, _ := url.Parse(u)
		q := pu.Query()
		q.Set("login_hint", other)
		pu.RawQuery = q.Encode()
		resp, err := http.Get(pu.String())
		if err != nil {
			return err
		}
		return resp.Body.Close()
	}
	e.tap(s.verifyBtn)
	e.waitFor("the refusal", func() bool { return !s.verifyBtn.Disabled() })
	if !strings.Contains(s.portalNote.Text, other) || !strings.Contains(s.portalNote.Text, initech.AdminEmail) || !s.next.Disabled() {
		t.Fatalf("another user's grant: note %q, next disabled %v", s.portalNote.Text, s.next.Disabled())
	}
	e.shot("desk-wizard-2-admin-other-user.png")

	// The administrator signs in, but the code expires before Tandem
	// exchanges it (Zoho: two minutes).
	e.browse = func(u string) error {
		c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := c.Get(u)
		if err != nil {
			return err
		}
		resp.Body.Close()
		e.emu.Advance(3 * time.Minute)
		back, err := http.Get(resp.Header.Get("Location"))
		if err != nil {
			return err
		}
		return back.Body.Close()
	}
	e.tap(s.verifyBtn)
	e.waitFor("the refusal", func() bool { return !s.verifyBtn.Disabled() })
	if !e.hasText("expired or was withdrawn") || !s.next.Disabled() {
		t.Fatalf("expired grant: note %q", s.portalNote.Text)
	}

	// The administrator signs in in time.
	e.browse = nil
	e.tap(s.verifyBtn)
	e.waitFor("the check", func() bool { return !s.verifyBtn.Disabled() })
	if s.chosen == nil || s.chosen.OrgID != initech.OrgID || s.next.Disabled() {
		t.Fatalf("the administrator: chosen %+v, note %q", s.chosen, s.portalNote.Text)
	}
	e.tap(s.next)
	s.modeRadio.SetSelected(modeLabels()[app.SyncNone])
	e.tap(s.next)
	if s.step != stepActivate {
		t.Fatalf("No sync should skip the mapping; step %d", s.step)
	}
	if !e.hasText("another user's portal") {
		t.Error("the summary does not say it is another user's portal")
	}
	e.tap(s.activateBtn)
	e.waitFor("the first sync", func() bool { return s.deactivate != nil })
	p, err := e.svc.ActivePortal(e.ctx)
	if err != nil || p.OrgID != initech.OrgID || !p.ViaAdmin || p.Mode != app.SyncNone || p.AdminEmail != initech.AdminEmail {
		t.Fatalf("active portal %+v, %v", p, err)
	}

}
