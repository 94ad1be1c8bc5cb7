package views

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/container"

	"fyne.io/fyne/v2/test"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/sync/deskemu"
)

// walkConnect goes through the whole wizard from Connect to Activate with
// No sync, choosing the portal of the signed-in account.
func walkConnect(t *testing.T, e *deskEnv, s *deskSettings) *app.Portal {
	t.Helper()
	e.tap(s.signInBtn)
	if s.email == "" {
		t.Fatalf("not signed in: %q %q", s.accountNote.Text, s.message.Text)
	}
	e.tap(s.next)
	if s.chosen == nil {
		t.Fatalf("no portal chosen: %q", s.message.Text)
	}
	e.tap(s.next)
	s.modeRadio.SetSelected(modeLabels()[app.SyncNone])
	e.tap(s.next)
	e.tap(s.activateBtn)
	e.waitFor("the first sync", func() bool { return s.deactivate != nil })
	p, err := e.svc.ActivePortal(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestConnectZohoDataCentres walks Connect for Zoho Desk against the
// emulator serving the accounts and Desk hosts of a data centre: the UK
// (the locale's choice), Japan (chosen on the page), and an account that
// lives in Japan while the UK was chosen (Zoho's redirect names
// location=jp and its accounts server; Tandem follows it).
func TestConnectZohoDataCentres(t *testing.T) {
	for _, tc := range []struct {
		name, locale, choose, location, want string
	}{
		{"uk", "uk", "", "uk", "uk"},
		{"japan", "us", "jp", "jp", "jp"},
		{"location differs", "uk", "", "jp", "jp"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newDeskEnv(t, deskEnvOptions{emu: deskemu.Options{Seed: 4, Contacts: 6, Accounts: 2, Tickets: 8, Location: tc.location,
				PublicClient: true}, loop: true, user: -1, zoho: true, dc: tc.locale})
			s := newDeskSettings(e.d)
			e.show(s.body)
			e.tap(s.connect)
			if s.deskWay == nil || s.deskWay.Selected != "Zoho Desk" || s.dcSelect.Selected != dataCentreName(tc.locale) {
				t.Fatalf("Connect page: way %v, data centre %q", s.deskWay, s.dcSelect.Selected)
			}
			if len(s.deskWay.Options) != 2 || !strings.Contains(s.deskWay.Options[1], "demo") {
				t.Fatalf("the demo help desk is not offered, labelled as such: %q", s.deskWay.Options)
			}
			if s.clientBox.Visible() {
				t.Fatal("a build with a client id asks for one")
			}
			if tc.choose != "" {
				s.dcSelect.SetSelected(dataCentreName(tc.choose))
				e.settle()
			}
			if tc.name == "uk" {
				e.shot("desk-connect-zoho-uk.png")
			}
			p := walkConnect(t, e, s)
			if p.DataCentre != tc.want || p.BaseURL != "" {
				t.Fatalf("portal data centre %q base %q, want %q", p.DataCentre, p.BaseURL, tc.want)
			}
			hosts := e.router.Hosts()
			chosen := tc.choose
			if chosen == "" {
				chosen = tc.locale
			}
			acct := map[string]string{"uk": "accounts.zoho.uk", "jp": "accounts.zoho.jp", "us": "accounts.zoho.com"}
			deskHost := map[string]string{"uk": "desk.zoho.uk", "jp": "desk.zoho.jp"}
			if hosts[acct[chosen]] == 0 {
				t.Errorf("the consent page was not asked at %s: %v", acct[chosen], hosts)
			}
			if hosts[acct[tc.want]] == 0 || hosts[deskHost[tc.want]] == 0 {
				t.Errorf("the code was not exchanged or Desk not asked in %s: %v", tc.want, hosts)
			}
			for h := range hosts {
				if h != acct[chosen] && h != acct[tc.want] && h != deskHost[tc.want] {
					t.Errorf("asked %s, outside the data centres of this sign-in: %v", h, hosts)
				}
			}
			e.syncOnce()
			if n := e.emu.TokenRequests("refresh_token"); n != 0 {
				t.Errorf("%d refreshes: the sign-in's access token was not kept", n)
			}
		})
	}
}

// TestConnectDemo walks Connect for the demo help desk: offered beside
// Zoho Desk, labelled a demo on the page, in Manage and on the status line.
func TestConnectDemo(t *testing.T) {
	e := newDeskEnv(t, deskEnvOptions{emu: deskemu.Options{Seed: 4, Contacts: 6, Accounts: 2, Tickets: 8}, loop: true, user: -1,
		zoho: true, dc: "us"})
	s := newDeskSettings(e.d)
	e.show(s.body)
	e.tap(s.connect)
	s.deskWay.SetSelected(s.deskWay.Options[1])
	e.settle()
	if s.dcSelect.Selected != dataCentreName("us") {
		t.Fatalf("data centre %q, want the locale's", s.dcSelect.Selected)
	}
	if s.signInBtn.Text != "Sign in to the demo help desk" {
		t.Fatalf("sign-in button %q", s.signInBtn.Text)
	}
	e.shot("desk-connect-demo.png")
	p := walkConnect(t, e, s)
	if p.DataCentre != app.DemoHelpDesk || p.BaseURL != "" {
		t.Fatalf("demo portal %q %q", p.DataCentre, p.BaseURL)
	}
	if !e.hasText("(demo help desk)") {
		t.Error("Manage does not say the portal is the demo help desk")
	}
	st := newDeskStatus(e.d)
	e.show(st.lineBox)
	e.waitFor("the status line", func() bool { return strings.Contains(st.line.Text, "Demo help desk") })
	if len(e.router.Hosts()) != 0 {
		t.Errorf("the demo asked Zoho: %v", e.router.Hosts())
	}
}

// TestConnectWithoutClientID: a build without a Zoho client id says so,
// with the steps to register one and a field to paste it (no dead
// button); the pasted id is kept in the keyring and signs in.
func TestConnectWithoutClientID(t *testing.T) {
	const orgClient = "1000.ORGANISATIONCLIENT42"
	e := newDeskEnv(t, deskEnvOptions{emu: deskemu.Options{Seed: 4, Contacts: 6, Accounts: 2, Tickets: 8, ClientID: orgClient,
		PublicClient: true, Location: "eu"}, loop: true, user: -1, zoho: true, dc: "eu", noClient: true})
	s := newDeskSettings(e.d)
	e.show(s.body)
	e.tap(s.connect)
	if s.dcSelect.Selected != dataCentreName("eu") {
		t.Fatalf("data centre %q, want the locale's (eu) while no client id is set", s.dcSelect.Selected)
	}
	if !s.clientBox.Visible() || s.signInBox.Visible() {
		t.Fatal("no client id: the page must ask for one instead of offering the sign-in")
	}
	if !e.hasText("Mobile-based application") || !e.hasText("http://127.0.0.1:47619/callback") {
		t.Fatal("the registration steps (client type, redirect URI) are missing")
	}
	e.shot("desk-connect-no-client.png")
	test.Type(s.clientEntry, "not a client id")
	e.tap(s.saveClient)
	if !strings.Contains(s.message.Text, "Zoho client id") {
		t.Fatalf("a wrong id: %q", s.message.Text)
	}
	s.clientEntry.SetText(orgClient)
	e.tap(s.saveClient)
	if s.clientBox.Visible() || !s.signInBox.Visible() {
		t.Fatal("after pasting the client id the sign-in is not offered")
	}
	if id, err := e.sec.GetSecret(e.ctx, app.SecretZohoClientID); err != nil || id != orgClient {
		t.Fatalf("keyring client id %q %v", id, err)
	}
	// Entered in Settings, it can be replaced (here: the same one again).
	e.tap(s.otherClient)
	if !s.clientBox.Visible() {
		t.Fatal("Use another client id does not open the field")
	}
	s.clientEntry.SetText("")
	e.tap(s.saveClient)
	if !strings.Contains(s.message.Text, "Paste the client id first") {
		t.Fatalf("an empty field: %q", s.message.Text)
	}
	s.clientEntry.SetText(orgClient)
	e.tap(s.saveClient)
	p := walkConnect(t, e, s)
	if p.DataCentre != "eu" {
		t.Fatalf("portal in %q", p.DataCentre)
	}
}

// TestStatusTokenLimits: Zoho limiting token requests is "Zoho is
// limiting sign-ins; trying again at HH:MM" on the status line (in
// Japanese too), never the sign-in banner; a revoked refresh token is the
// banner with its one Sign in again button.
func TestStatusTokenLimits(t *testing.T) {
	for _, language := range []string{"en", "ja_JP.UTF-8"} {
		t.Run(language, func(t *testing.T) {
			useLanguage(language)
			t.Cleanup(func() { useLanguage("en") })
			// One token per ten minutes: configuring used it.
			e := newDeskEnv(t, deskEnvOptions{emu: deskemu.Options{Seed: 4, Contacts: 4, Accounts: 2, Tickets: 5, TokenLimit: 1},
				user: 0, mode: app.SyncNone, noFirst: true})
			st := newDeskStatus(e.d)
			e.show(container.NewVBox(st.lineBox, st.banner))
			// The kept access token expires: one refresh (the one allowed in
			// these ten minutes); then Desk refuses the new token (401), and
			// the second refresh within ten minutes is refused by Zoho.
			e.emu.Advance(61 * time.Minute)
			e.syncOnce()
			raw, err := e.sec.GetSecret(e.ctx, app.PortalSecretKey(e.org, app.SecretAccessToken))
			if err != nil {
				t.Fatal(err)
			}
			var kept struct {
				AccessToken string `json:"access_token"`
			}
			if err := json.Unmarshal([]byte(raw), &kept); err != nil {
				t.Fatal(err)
			}
			e.emu.RevokeAccessToken(kept.AccessToken)
			e.syncOnce()
			st.reload()
			want := "Zoho is limiting sign-ins"
			if language != "en" {
				want = "Zoho がサインインの回数を制限しています"
			}
			e.waitFor("the limit on the status line", func() bool { return strings.Contains(st.line.Text, want) })
			if st.banner.Visible() {
				t.Fatal("a limited refresh shows the sign-in banner")
			}
			e.shot("desk-status-limited-" + language[:2] + ".png")
		})
	}
	t.Run("revoked", func(t *testing.T) {
		e := newDeskEnv(t, deskEnvOptions{emu: deskemu.Options{Seed: 4, Contacts: 4, Accounts: 2, Tickets: 5},
			user: 0, mode: app.SyncNone, noFirst: true})
		st := newDeskStatus(e.d)
		e.show(container.NewVBox(st.lineBox, st.banner))
		refresh, err := e.sec.GetSecret(e.ctx, app.PortalSecretKey(e.org, app.SecretRefreshToken))
		if err != nil {
			t.Fatal(err)
		}
		e.emu.RevokeRefreshToken(refresh)
		e.emu.Advance(61 * time.Minute)
		e.syncOnce()
		st.reload()
		e.waitFor("the sign-in banner", func() bool { return st.banner.Visible() })
		if st.signIn.Disabled() || st.signIn.Hidden {
			t.Fatal("no Sign in again button")
		}
	})
}
