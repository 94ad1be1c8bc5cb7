package sync

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/sync/desk"
	"golang.org/x/oauth2"
)

// signInState is a wizard in progress: the browser sign-in and what it
// yielded, kept in memory only until Activate moves the refresh token to
// the keyring.
type signInState struct {
	si      *desk.SignIn
	dc      desk.DataCentre
	refresh string
	cl      *desk.Client // without an org
	email   string
	orgs    []desk.Organization
	ts      *desk.TokenSource
	// admin, adminOrg: VerifyAdmin found the sign-in to be the named
	// administrator of adminOrg ("Configure another user's portal").
	admin    string
	adminOrg desk.Organization
}

// BeginSignIn starts the OAuth sign-in and returns the consent URL.
func (s *Service) BeginSignIn(ctx context.Context, loginHint string) (string, error) {
	dc, err := s.dataCentre(nil)
	if err != nil {
		return "", err
	}
	s.loadZohoClient(ctx)
	if err := s.needClient(dc); err != nil {
		return "", fmt.Errorf("sync: begin sign-in: %w", err)
	}
	si, err := s.oauthConfig(dc).StartSignIn(ctx, loginHint)
	if app.ErrorCode(err) == app.EUNAVAILABLE {
		return "", fmt.Errorf("sync: begin sign-in: %w", err)
	}
	if err != nil {
		return "", fmt.Errorf("sync: begin sign-in: %w", &app.Error{Code: app.EUNAVAILABLE, Message: "Tandem could not start the sign-in.", Err: err})
	}
	s.mu.Lock()
	if old := s.signIn; old != nil && old.si != nil {
		_ = old.si.Close()
	}
	s.signIn = &signInState{si: si, dc: dc}
	s.mu.Unlock()
	return si.URL, nil
}

// CompleteSignIn waits for the browser's redirect, exchanges the code and
// returns the signed-in account's email.
func (s *Service) CompleteSignIn(ctx context.Context) (string, error) {
	s.mu.Lock()
	st := s.signIn
	s.mu.Unlock()
	if st == nil || st.si == nil {
		return "", fmt.Errorf("sync: complete sign-in: %w", app.Errorf(app.EINVALID, "Start the sign-in first."))
	}
	res, err := st.si.Wait(ctx)
	_ = st.si.Close()
	if err != nil {
		return "", fmt.Errorf("sync: complete sign-in: %w", err)
	}
	if res.Token.RefreshToken == "" {
		return "", fmt.Errorf("sync: complete sign-in: %w", app.Errorf(app.EUNAUTHORIZED, "Zoho did not grant offline access; sign in again."))
	}
	return s.useRefreshToken(ctx, res.DataCentre, res.Token)
}

// useRefreshToken makes tok the wizard's credentials and returns the
// account's email.
func (s *Service) useRefreshToken(ctx context.Context, dc desk.DataCentre, tok *oauth2.Token) (string, error) {
	ts := s.oauthConfig(dc).TokenSource(tok, nil)
	cl, err := desk.New(desk.Options{DataCentre: dc, BaseURL: s.apiOverride(dc), Tokens: ts, HTTPClient: s.opts.HTTPClient, Retry: s.opts.Retry})
	if err != nil {
		return "", fmt.Errorf("sync: sign-in: %w", err)
	}
	orgs, err := cl.Organizations(ctx)
	if err != nil {
		return "", fmt.Errorf("sync: sign-in: %w", err)
	}
	s.noteEditions(orgs)
	email := ""
	if len(orgs) > 0 {
		if me, err := cl.WithOrg(orgs[0].ID).MyInfo(ctx); err == nil {
			email = me.EmailID
		}
	}
	s.mu.Lock()
	s.signIn = &signInState{dc: dc, refresh: tok.RefreshToken, cl: cl, ts: ts, email: email, orgs: orgs}
	s.mu.Unlock()
	return email, nil
}

func (s *Service) pending() (*signInState, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.signIn == nil || s.signIn.cl == nil {
		return nil, app.Errorf(app.EUNAUTHORIZED, "Sign in to Zoho Desk first.")
	}
	return s.signIn, nil
}

// ListAccountPortals lists the signed-in account's portals.
func (s *Service) ListAccountPortals(ctx context.Context) ([]app.PortalChoice, error) {
	st, err := s.pending()
	if err != nil {
		return nil, fmt.Errorf("sync: list portals: %w", err)
	}
	out := make([]app.PortalChoice, 0, len(st.orgs))
	for _, o := range st.orgs {
		out = append(out, choice(o))
	}
	return out, nil
}

func choice(o desk.Organization) app.PortalChoice {
	name := o.CompanyName
	if name == "" {
		name = o.PortalName
	}
	return app.PortalChoice{OrgID: o.ID, Name: name, PortalURL: o.PortalURL, IsAdmin: o.IsAdminInOrg, IsDefault: o.IsDefault, Edition: o.Edition}
}

// VerifyAdmin checks another user's portal: the administrator has just
// authorized Tandem (BeginSignIn with their email as the login hint, then
// CompleteSignIn), and /myinfo must name that administrator in a portal
// they administer (orgID, or their default one when ""). A grant of
// someone else is EFORBIDDEN; one Zoho no longer honours, EUNAUTHORIZED.
func (s *Service) VerifyAdmin(ctx context.Context, adminEmail, orgID string) (app.PortalChoice, error) {
	adminEmail = strings.TrimSpace(adminEmail)
	if !app.ValidEmail(adminEmail) {
		return app.PortalChoice{}, fmt.Errorf("sync: verify administrator: %w", app.Errorf(app.EINVALID, "Enter the administrator's email address."))
	}
	st, err := s.pending()
	if err != nil {
		return app.PortalChoice{}, fmt.Errorf("sync: verify administrator: %w", err)
	}
	var o desk.Organization
	for _, x := range st.orgs {
		if x.IsAdminInOrg && (x.ID == orgID || orgID == "" && (o.ID == "" || x.IsDefault)) {
			o = x
		}
	}
	me, err := st.cl.WithOrg(firstOrg(st.orgs, o)).MyInfo(ctx)
	if app.ErrorCode(err) == app.EUNAUTHORIZED {
		return app.PortalChoice{}, fmt.Errorf("sync: verify administrator: %w", &app.Error{Code: app.EUNAUTHORIZED,
			Message: "The administrator's authorization has expired or was withdrawn. Ask them to authorize Tandem again.", Err: err})
	}
	if err != nil {
		return app.PortalChoice{}, fmt.Errorf("sync: verify administrator: %w", err)
	}
	if app.NormalizeEmail(me.EmailID) != app.NormalizeEmail(adminEmail) {
		return app.PortalChoice{}, fmt.Errorf("sync: verify administrator: %w", app.Errorf(app.EFORBIDDEN,
			"Zoho signed in %s, not the administrator %s. Ask the administrator to sign in on this computer, then try again.", me.EmailID, adminEmail))
	}
	if o.ID == "" {
		msg := fmt.Sprintf("%s administers no Zoho Desk portal.", adminEmail)
		if orgID != "" {
			msg = fmt.Sprintf("%s is not an administrator of the portal %s.", adminEmail, orgID)
		}
		return app.PortalChoice{}, fmt.Errorf("sync: verify administrator: %w", app.Errorf(app.EFORBIDDEN, "%s", msg))
	}
	s.mu.Lock()
	st.admin, st.adminOrg = me.EmailID, o
	s.mu.Unlock()
	s.noteEditions([]desk.Organization{o})
	c := choice(o)
	c.ViaAdmin, c.AdminEmail, c.IsAdmin = true, me.EmailID, true
	return c, nil
}

// firstOrg is the portal to ask /myinfo in: the chosen one, else any.
func firstOrg(orgs []desk.Organization, chosen desk.Organization) string {
	if chosen.ID != "" {
		return chosen.ID
	}
	if len(orgs) > 0 {
		return orgs[0].ID
	}
	return ""
}

// DeskFields returns Desk's fields of kind for a portal (the wizard's one
// or the active one); Desk's standard fields when metadata is refused.
func (s *Service) DeskFields(ctx context.Context, orgID, kind string) ([]app.DeskField, error) {
	cl, err := s.clientFor(ctx, orgID)
	if err != nil {
		return nil, fmt.Errorf("sync: desk fields: %w", err)
	}
	module := desk.ModuleContacts
	if kind == app.KindCompany {
		module = desk.ModuleAccounts
	}
	ms, err := cl.Fields(ctx, module)
	if err != nil {
		switch app.ErrorCode(err) {
		case app.EFORBIDDEN, app.ENOTFOUND:
			return standardDeskFields(kind), nil
		}
		return nil, fmt.Errorf("sync: desk fields: %w", err)
	}
	if len(ms) == 0 {
		return standardDeskFields(kind), nil
	}
	return deskFieldsFromMeta(kind, ms), nil
}

// clientFor returns a client for orgID: the wizard's sign-in if it has
// one, else the configured portal's.
func (s *Service) clientFor(ctx context.Context, orgID string) (*desk.Client, error) {
	if st, err := s.pending(); err == nil {
		cl := st.cl.WithOrg(orgID)
		return cl, nil
	}
	p, err := s.store.FindPortal(ctx, orgID)
	if err != nil {
		return nil, err
	}
	return s.client(ctx, p)
}

// PortalPermissions reads what the signed-in agent may do in a portal:
// the wizard's choice (with its sign-in) or a configured one.
func (s *Service) PortalPermissions(ctx context.Context, orgID string) (app.AgentPermissions, error) {
	cl, err := s.clientFor(ctx, orgID)
	if err != nil {
		return app.AgentPermissions{}, fmt.Errorf("sync: portal permissions: %w", err)
	}
	admin := false
	if st, err := s.pending(); err == nil {
		for _, o := range st.orgs {
			admin = admin || o.ID == orgID && o.IsAdminInOrg
		}
		admin = admin || st.admin != "" && st.adminOrg.ID == orgID
	} else if p, err := s.store.FindPortal(ctx, orgID); err == nil {
		admin = p.IsAdmin || p.ViaAdmin
	}
	perm, err := cl.MyPermissions(ctx, admin)
	if err != nil {
		return app.AgentPermissions{}, fmt.Errorf("sync: portal permissions: %w", err)
	}
	return app.AgentPermissions{IsAdmin: perm.IsAdmin, CanCreateTickets: perm.CanCreateTickets, CanReply: perm.CanReply, CanEditTickets: perm.CanEditTickets,
		CanViewContacts: perm.CanViewContacts, CanWriteContacts: perm.CanWriteContacts, Reason: perm.Reason}, nil
}

// CRMFields returns the mappable CRM fields of kind.
func (s *Service) CRMFields(kind string) []app.CRMField { return CRMFields(kind) }

// DefaultMappings returns the default field mappings.
func (s *Service) DefaultMappings() []app.FieldMapping { return DefaultMappings() }

// ValidateMappings checks mappings against Desk's fields.
func (s *Service) ValidateMappings(ms []app.FieldMapping, fields []app.DeskField) error {
	return ValidateMappings(ms, fields)
}

// Activate connects the portal chosen in the wizard.
func (s *Service) Activate(ctx context.Context, req app.ActivateRequest) (*app.Portal, error) {
	st, err := s.pending()
	if err != nil {
		return nil, fmt.Errorf("sync: activate: %w", err)
	}
	var org desk.Organization
	adminEmail := ""
	for _, o := range st.orgs {
		if o.ID == req.OrgID {
			org = o
		}
	}
	if st.admin != "" && st.adminOrg.ID == req.OrgID {
		org, adminEmail = st.adminOrg, st.admin
	}
	if org.ID == "" {
		return nil, fmt.Errorf("sync: activate: %w", app.Errorf(app.ENOTFOUND, "The signed-in account has no portal %s.", req.OrgID))
	}
	// The wizard's access token is still good: activate keeps it for the
	// passes that follow (Token sends no request while it is valid).
	var tok *oauth2.Token
	if st.ts != nil {
		if t, err := st.ts.Token(); err == nil {
			tok = t
		}
	}
	p, err := s.activate(ctx, st.dc, st.cl.WithOrg(org.ID), st.refresh, tok, org, adminEmail, st.email, req.Mode, req.Mappings)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.signIn = nil
	s.mu.Unlock()
	return p, nil
}

// ConfigureParams configures a portal without the GUI (`tandem desk
// configure`). The refresh token comes from the caller (an environment
// variable) or, when empty, from the keyring entry of an earlier setup.
type ConfigureParams struct {
	OrgID        string // "" picks the account's default (or only) portal
	Mode         app.SyncMode
	Mappings     []app.FieldMapping // nil: DefaultMappings
	RefreshToken string
	// AdminEmail: another user's portal; RefreshToken is then that
	// administrator's grant, and OrgID (or their default portal) must be
	// one they administer.
	AdminEmail string
}

// Configure connects and activates a portal headlessly and returns it.
func (s *Service) Configure(ctx context.Context, cp ConfigureParams) (*app.Portal, error) {
	refresh := cp.RefreshToken
	if refresh == "" && cp.OrgID != "" {
		r, err := s.opts.Secrets.GetSecret(ctx, app.PortalSecretKey(cp.OrgID, app.SecretRefreshToken))
		if err != nil {
			return nil, fmt.Errorf("sync: configure: %w", &app.Error{Code: app.EUNAUTHORIZED, Message: "No Zoho refresh token was given and none is in the keyring for this portal.", Err: err})
		}
		refresh = r
	}
	if refresh == "" {
		return nil, fmt.Errorf("sync: configure: %w", app.Errorf(app.EINVALID, "A Zoho refresh token is required."))
	}
	dc, err := s.dataCentre(nil)
	if err != nil {
		return nil, err
	}
	if _, err := s.useRefreshToken(ctx, dc, &oauth2.Token{RefreshToken: refresh}); err != nil {
		return nil, fmt.Errorf("sync: configure: %w", err)
	}
	orgID := cp.OrgID
	if cp.AdminEmail != "" {
		c, err := s.VerifyAdmin(ctx, cp.AdminEmail, cp.OrgID)
		if err != nil {
			return nil, fmt.Errorf("sync: configure: %w", err)
		}
		orgID = c.OrgID
	}
	if orgID == "" {
		ps, err := s.ListAccountPortals(ctx)
		if err != nil {
			return nil, fmt.Errorf("sync: configure: %w", err)
		}
		for _, p := range ps {
			if p.IsDefault || len(ps) == 1 {
				orgID = p.OrgID
			}
		}
		if orgID == "" {
			return nil, fmt.Errorf("sync: configure: %w", app.Errorf(app.EINVALID, "The account has several portals; choose one with its org id."))
		}
	}
	mode := cp.Mode
	if mode == "" {
		mode = app.SyncTwoWay
	}
	return s.Activate(ctx, app.ActivateRequest{OrgID: orgID, Mode: mode, Mappings: cp.Mappings})
}

// activate saves a portal, its secrets and mappings, and makes it active.
func (s *Service) activate(ctx context.Context, dc desk.DataCentre, cl *desk.Client, refresh string, tok *oauth2.Token, org desk.Organization,
	adminEmail, accountEmail string, mode app.SyncMode, ms []app.FieldMapping,
) (*app.Portal, error) {
	if mode == "" {
		mode = app.SyncTwoWay
	}
	if !mode.Valid() {
		return nil, fmt.Errorf("sync: activate: %w", app.Errorf(app.EINVALID, "Choose two-way, one-way or no sync."))
	}
	if mode != app.SyncNone {
		if ms == nil {
			ms = DefaultMappings()
		}
		var fields []app.DeskField
		for _, k := range []string{app.KindContact, app.KindCompany} {
			fs, err := s.fieldsWith(ctx, cl, k)
			if err != nil {
				return nil, fmt.Errorf("sync: activate: %w", err)
			}
			fields = append(fields, fs...)
		}
		if err := ValidateMappings(ms, fields); err != nil {
			return nil, fmt.Errorf("sync: activate: %w", err)
		}
	}
	perm, err := cl.MyPermissions(ctx, org.IsAdminInOrg || adminEmail != "")
	if err != nil {
		return nil, fmt.Errorf("sync: activate: %w", err)
	}
	me, err := cl.MyInfo(ctx)
	if err != nil {
		return nil, fmt.Errorf("sync: activate: %w", err)
	}
	p, err := s.store.FindPortal(ctx, org.ID)
	if app.ErrorCode(err) == app.ENOTFOUND {
		p = &app.Portal{OrgID: org.ID}
	} else if err != nil {
		return nil, fmt.Errorf("sync: activate: %w", err)
	}
	p.Name = choice(org).Name
	p.PortalURL = org.PortalURL
	if org.Edition != "" {
		p.Edition = org.Edition
	}
	p.DataCentre = dc.ID // the demo's address changes with every start: not kept
	if dc.ID == "custom" {
		p.BaseURL = dc.DeskURL
	} else {
		p.BaseURL = ""
	}
	p.Mode, p.Active = mode, true
	p.AccountEmail = accountEmail
	p.AgentID, p.AgentName, p.AgentEmail = me.ID, me.Name, me.EmailID
	p.IsAdmin, p.CanCreateTickets, p.CanReply, p.ReadOnlyReason = perm.IsAdmin, perm.CanCreateTickets, perm.CanReply, perm.Reason
	p.CanEditTickets = perm.CanEditTickets
	p.ViaAdmin, p.AdminEmail = adminEmail != "", adminEmail
	if err := s.opts.Secrets.SetSecret(ctx, app.PortalSecretKey(org.ID, app.SecretRefreshToken), refresh); err != nil {
		return nil, fmt.Errorf("sync: activate: %w", err)
	}
	if tok != nil {
		s.keepAccessToken(ctx, org.ID, tok)
	}
	s.passMu.Lock()
	defer s.passMu.Unlock()
	if err := s.store.SavePortal(ctx, p); err != nil {
		return nil, fmt.Errorf("sync: activate: %w", err)
	}
	if mode != app.SyncNone {
		if err := s.store.SetFieldMappings(ctx, org.ID, ms); err != nil {
			return nil, fmt.Errorf("sync: activate: %w", err)
		}
	}
	s.forgetClient(org.ID)
	s.publish(app.SyncEvent{Kind: app.EventPortal, OrgID: org.ID, Message: "Connected to " + p.Name + "."})
	s.SyncNow()
	return p, nil
}

func (s *Service) fieldsWith(ctx context.Context, cl *desk.Client, kind string) ([]app.DeskField, error) {
	module := desk.ModuleContacts
	if kind == app.KindCompany {
		module = desk.ModuleAccounts
	}
	ms, err := cl.Fields(ctx, module)
	if err != nil {
		switch app.ErrorCode(err) {
		case app.EFORBIDDEN, app.ENOTFOUND:
			return standardDeskFields(kind), nil
		}
		return nil, err
	}
	if len(ms) == 0 {
		return standardDeskFields(kind), nil
	}
	return deskFieldsFromMeta(kind, ms), nil
}

// UpdateSettings changes the active portal's mode and mappings.
func (s *Service) UpdateSettings(ctx context.Context, mode app.SyncMode, ms []app.FieldMapping) error {
	if !mode.Valid() {
		return fmt.Errorf("sync: update settings: %w", app.Errorf(app.EINVALID, "Choose two-way, one-way or no sync."))
	}
	if mode != app.SyncNone {
		if err := ValidateMappings(ms, nil); err != nil {
			return fmt.Errorf("sync: update settings: %w", err)
		}
	}
	s.passMu.Lock()
	defer s.passMu.Unlock()
	p, err := s.store.ActivePortal(ctx)
	if err != nil {
		return fmt.Errorf("sync: update settings: %w", err)
	}
	old, err := s.store.FieldMappings(ctx, p.OrgID)
	if err != nil {
		return fmt.Errorf("sync: update settings: %w", err)
	}
	changed := p.Mode != mode || (mode != app.SyncNone && !sameMappings(old, ms))
	p.Mode = mode
	if err := s.store.SavePortal(ctx, p); err != nil {
		return fmt.Errorf("sync: update settings: %w", err)
	}
	if mode != app.SyncNone {
		if err := s.store.SetFieldMappings(ctx, p.OrgID, ms); err != nil {
			return fmt.Errorf("sync: update settings: %w", err)
		}
	}
	if changed {
		// Look at every linked record again on the next pass: a newly
		// mapped field (or a mode that now pulls) brings records into step
		// from their stored Desk copies, without listing Desk again.
		if err := s.store.RecheckLinks(ctx, p.OrgID, cursorCRMChanges); err != nil {
			return fmt.Errorf("sync: update settings: %w", err)
		}
	}
	s.publish(app.SyncEvent{Kind: app.EventPortal, OrgID: p.OrgID, Message: "Sync settings saved."})
	s.SyncNow()
	return nil
}

// Deactivate stops sync for the active portal, removes its secrets from
// the keyring and hides its tickets. Links, cache and outbox stay, so
// activating the same portal again picks up where it left off.
func (s *Service) Deactivate(ctx context.Context) error {
	s.passMu.Lock()
	defer s.passMu.Unlock()
	p, err := s.store.ActivePortal(ctx)
	if app.ErrorCode(err) == app.ENOTFOUND {
		return nil
	}
	if err != nil {
		return fmt.Errorf("sync: deactivate: %w", err)
	}
	if err := s.store.SetPortalActive(ctx, p.OrgID, false); err != nil {
		return fmt.Errorf("sync: deactivate: %w", err)
	}
	var errs []error
	for _, name := range []string{app.SecretRefreshToken, app.SecretAccessToken, app.SecretZSCKey} {
		if err := s.opts.Secrets.DeleteSecret(ctx, app.PortalSecretKey(p.OrgID, name)); err != nil {
			errs = append(errs, err)
		}
	}
	s.forgetClient(p.OrgID)
	s.mu.Lock()
	s.state = app.StateNotConnected
	s.mu.Unlock()
	s.publish(app.SyncEvent{Kind: app.EventPortal, OrgID: p.OrgID, Message: "Disconnected from " + p.Name + "."})
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("sync: deactivate: remove secrets: %w", err)
	}
	return nil
}

// ListPortals returns every configured portal.
func (s *Service) ListPortals(ctx context.Context) ([]app.Portal, error) {
	ps, err := s.store.ListPortals(ctx)
	if err != nil {
		return nil, fmt.Errorf("sync: list portals: %w", err)
	}
	return ps, nil
}

// ActivePortal returns the active portal or ENOTFOUND.
func (s *Service) ActivePortal(ctx context.Context) (*app.Portal, error) {
	p, err := s.store.ActivePortal(ctx)
	if err != nil {
		return nil, fmt.Errorf("sync: active portal: %w", err)
	}
	return p, nil
}

// FieldMappings returns the active portal's mappings.
func (s *Service) FieldMappings(ctx context.Context) ([]app.FieldMapping, error) {
	p, err := s.ActivePortal(ctx)
	if err != nil {
		return nil, err
	}
	ms, err := s.store.FieldMappings(ctx, p.OrgID)
	if err != nil {
		return nil, fmt.Errorf("sync: field mappings: %w", err)
	}
	return ms, nil
}

// PortalMappings returns the mappings kept for a portal, active or not.
func (s *Service) PortalMappings(ctx context.Context, orgID string) ([]app.FieldMapping, error) {
	ms, err := s.store.FieldMappings(ctx, orgID)
	if err != nil {
		return nil, fmt.Errorf("sync: portal mappings: %w", err)
	}
	return ms, nil
}

// TicketsForRecord lists a record's cached tickets.
func (s *Service) TicketsForRecord(ctx context.Context, kind string, id int64, f app.TicketFilter) (*app.TicketList, error) {
	p, err := s.ActivePortal(ctx)
	if err != nil {
		return nil, err
	}
	tl, err := s.store.TicketsForRecord(ctx, p.OrgID, p.Mode, kind, id, f)
	if err != nil {
		return nil, fmt.Errorf("sync: tickets for record: %w", err)
	}
	return tl, nil
}

// Ticket returns a ticket with its conversation; refresh fetches what is
// missing or changed first (the cache is returned, Stale, when offline).
func (s *Service) Ticket(ctx context.Context, ticketID string, refresh bool) (*app.TicketDetail, error) {
	p, err := s.ActivePortal(ctx)
	if err != nil {
		return nil, err
	}
	stale := false
	if refresh {
		if err := s.refreshTicket(ctx, p, ticketID); err != nil {
			if !isTransient(err) {
				return nil, fmt.Errorf("sync: ticket: %w", err)
			}
			stale = true
		}
	}
	td, err := s.store.FindTicket(ctx, p.OrgID, ticketID)
	if err != nil {
		return nil, fmt.Errorf("sync: ticket: %w", err)
	}
	td.Stale = stale
	s.nameMentions(ctx, p, td.Comments, refresh && !stale)
	return td, nil
}

// agentNames are a portal's agent names by agent id and by Zoho user id
// (mentions carry the latter).
type agentNames struct {
	names map[string]string
	at    time.Time
}

// agentsEvery is how often an unknown mentioned agent makes the names be
// read again.
const agentsEvery = 10 * time.Minute

// nameMentions names the agents mentioned in comments. A comment's Text
// was made readable when it was synced, from the mention list Desk sends
// with the comments; a mention Desk did not name (a comment Tandem just
// added: createTicketComment's answer has no mention list) still shows
// the Zoho user id. With online (the ticket was just refreshed from Desk)
// the agents are read when such a mention is seen, at most every
// agentsEvery; a comment is only rewritten when every mention gets a name.
func (s *Service) nameMentions(ctx context.Context, p *app.Portal, cms []app.Comment, online bool) {
	s.mu.Lock()
	if s.agents == nil {
		s.agents = map[string]agentNames{}
	}
	known := s.agents[p.OrgID]
	s.mu.Unlock()
	unnamed := func(c app.Comment) []string {
		if !desk.HasMentions(c.Content) {
			return nil
		}
		zuids, _ := desk.DecodeMentions(c.Content, nil)
		var out []string
		for _, z := range zuids {
			if strings.Contains(c.Text, "@"+z) {
				out = append(out, z)
			}
		}
		return out
	}
	var unknown bool
	for _, c := range cms {
		for _, z := range unnamed(c) {
			if known.names[z] == "" {
				unknown = true
			}
		}
	}
	if unknown && online && s.opts.Now().Sub(known.at) >= agentsEvery {
		if cl, err := s.client(ctx, p); err == nil {
			if as, err := cl.Agents(ctx); err == nil {
				known = agentNames{names: map[string]string{}, at: s.opts.Now()}
				for _, a := range as {
					n := a.Name
					if n == "" {
						n = app.PersonName(a.FirstName, a.LastName)
					}
					known.names[a.ID] = n
					if a.ZUID != "" {
						known.names[a.ZUID] = n
					}
				}
				s.mu.Lock()
				s.agents[p.OrgID] = known
				s.mu.Unlock()
			} else {
				s.log.Warn("agent names", "err", err)
			}
		}
	}
	for i := range cms {
		if len(unnamed(cms[i])) == 0 {
			continue
		}
		all, _ := desk.DecodeMentions(cms[i].Content, nil)
		if slices.ContainsFunc(all, func(z string) bool { return known.names[z] == "" }) {
			continue
		}
		_, cms[i].Text = desk.DecodeMentions(cms[i].Content, func(z string) string { return known.names[z] })
	}
}

func (s *Service) refreshTicket(ctx context.Context, p *app.Portal, ticketID string) error {
	cl, err := s.client(ctx, p)
	if err != nil {
		return err
	}
	t, err := cl.GetTicket(ctx, ticketID)
	if err != nil {
		return err
	}
	tk := ticketFromDesk(p.OrgID, t)
	if err := s.store.UpsertTickets(ctx, []app.Ticket{tk}); err != nil {
		return err
	}
	return s.fetchConversation(ctx, p, cl, ticketID, true, nil, nil)
}

// Statuses returns the portal's ticket status names.
func (s *Service) Statuses(ctx context.Context) ([]string, error) {
	p, err := s.ActivePortal(ctx)
	if err != nil {
		return nil, err
	}
	cl, err := s.client(ctx, p)
	if err != nil {
		return nil, err
	}
	sts, err := s.ticketStatuses(ctx, p, cl)
	if err != nil {
		return nil, fmt.Errorf("sync: statuses: %w", err)
	}
	names := make([]string, len(sts))
	for i, st := range sts {
		names[i] = st.Name
	}
	return names, nil
}

// ticketStatuses returns a portal's ticket statuses, cached in memory.
func (s *Service) ticketStatuses(ctx context.Context, p *app.Portal, cl *desk.Client) ([]desk.TicketStatus, error) {
	s.mu.Lock()
	st, ok := s.statuses[p.OrgID]
	s.mu.Unlock()
	if ok {
		return st, nil
	}
	st, err := cl.TicketStatuses(ctx)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.statuses[p.OrgID] = st
	s.mu.Unlock()
	return st, nil
}

// Departments returns the portal's departments.
func (s *Service) Departments(ctx context.Context) ([]app.Department, error) {
	p, err := s.ActivePortal(ctx)
	if err != nil {
		return nil, err
	}
	cl, err := s.client(ctx, p)
	if err != nil {
		return nil, err
	}
	ds, err := s.departments(ctx, p, cl)
	if err != nil {
		return nil, fmt.Errorf("sync: departments: %w", err)
	}
	return ds, nil
}

func newKey() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// enqueue stores an action and asks for a pass.
func (s *Service) enqueue(ctx context.Context, p *app.Portal, kind, ticketID, crmKind string, crmID int64, payload any) (*app.OutboxItem, error) {
	b, err := json.Marshal(payload)
	if err != nil {
		return nil, fmt.Errorf("sync: enqueue: %w", err)
	}
	it := &app.OutboxItem{OrgID: p.OrgID, Kind: kind, IdempotencyKey: kind + ":" + newKey(), TicketID: ticketID,
		CRMKind: crmKind, CRMID: crmID, Payload: b, State: app.OutboxPending}
	if err := s.store.Enqueue(ctx, it); err != nil {
		return nil, fmt.Errorf("sync: enqueue: %w", err)
	}
	s.publish(app.SyncEvent{Kind: app.EventOutbox, OrgID: p.OrgID, Message: "Queued."})
	s.SyncNow()
	return it, nil
}

func (s *Service) writablePortal(ctx context.Context, create bool) (*app.Portal, error) {
	p, err := s.ActivePortal(ctx)
	if err != nil {
		return nil, err
	}
	if (create && !p.CanCreateTickets) || (!create && !p.CanReply) {
		msg := p.ReadOnlyReason
		if msg == "" {
			msg = "Your Zoho Desk profile does not allow this."
		}
		return nil, app.Errorf(app.EFORBIDDEN, "%s", msg)
	}
	return p, nil
}

// CreateTicket queues a new ticket for a CRM contact.
func (s *Service) CreateTicket(ctx context.Context, req app.NewTicketRequest) (*app.OutboxItem, error) {
	req.Subject = strings.TrimSpace(req.Subject)
	if err := req.Validate(); err != nil {
		return nil, fmt.Errorf("sync: create ticket: %w", err)
	}
	p, err := s.writablePortal(ctx, true)
	if err != nil {
		return nil, fmt.Errorf("sync: create ticket: %w", err)
	}
	c, err := s.crm.Contacts.FindContact(ctx, req.ContactID)
	if err != nil {
		return nil, fmt.Errorf("sync: create ticket: %w", err)
	}
	if !app.ValidEmail(c.Email) {
		return nil, fmt.Errorf("sync: create ticket: %w", app.Errorf(app.EINVALID, "%s has no valid email address.", c.DisplayName()))
	}
	pl := createTicketPayload{Subject: req.Subject, Description: req.Description, DepartmentID: req.DepartmentID, Priority: req.Priority,
		Email: c.Email, FirstName: c.FirstName, LastName: c.LastName}
	if l, err := s.store.FindLink(ctx, p.OrgID, app.KindContact, c.ID); err == nil {
		pl.ContactDeskID = l.DeskID
	}
	kind, id := req.CRMKind, req.CRMID
	if kind == "" {
		kind, id = app.KindContact, c.ID
	}
	return s.enqueue(ctx, p, app.OutboxCreateTicket, "", kind, id, pl)
}

// Reply queues a reply to the ticket's contact.
func (s *Service) Reply(ctx context.Context, ticketID string, req app.ReplyRequest) (*app.OutboxItem, error) {
	return s.reply(ctx, app.OutboxReply, ticketID, req)
}

// ReplyAll queues a reply to the contact and everyone on the thread.
func (s *Service) ReplyAll(ctx context.Context, ticketID string, req app.ReplyRequest) (*app.OutboxItem, error) {
	return s.reply(ctx, app.OutboxReplyAll, ticketID, req)
}

// Forward queues a forward to the addresses in req.To.
func (s *Service) Forward(ctx context.Context, ticketID string, req app.ReplyRequest) (*app.OutboxItem, error) {
	return s.reply(ctx, app.OutboxForward, ticketID, req)
}

func (s *Service) reply(ctx context.Context, kind, ticketID string, req app.ReplyRequest) (*app.OutboxItem, error) {
	p, err := s.writablePortal(ctx, false)
	if err != nil {
		return nil, fmt.Errorf("sync: %s: %w", kind, err)
	}
	if strings.TrimSpace(req.Content) == "" {
		return nil, fmt.Errorf("sync: %s: %w", kind, app.Errorf(app.EINVALID, "Write a message first."))
	}
	td, err := s.store.FindTicket(ctx, p.OrgID, ticketID)
	if err != nil {
		return nil, fmt.Errorf("sync: %s: %w", kind, err)
	}
	contact := td.Ticket.ContactEmail
	if contact == "" {
		contact = td.Ticket.Email
	}
	to, cc := strings.TrimSpace(req.To), strings.TrimSpace(req.CC)
	switch kind {
	case app.OutboxReply:
		if to == "" {
			to = contact
		}
	case app.OutboxReplyAll:
		if to == "" {
			to = contact
		}
		if cc == "" {
			support := app.SupportAddress(td.Threads)
			if support == "" {
				support = p.SupportEmail
			}
			cc = replyAllCC(td, support, to)
		}
	case app.OutboxForward:
		if to == "" {
			return nil, fmt.Errorf("sync: %s: %w", kind, app.Errorf(app.EINVALID, "Enter an address to forward to."))
		}
	}
	bcc := strings.TrimSpace(req.BCC)
	for _, a := range splitAddrs(bareList(to + "," + cc + "," + bcc)) { // "Name <a@b>" accepted
		if !app.ValidEmail(a) {
			return nil, fmt.Errorf("sync: %s: %w", kind, app.Errorf(app.EINVALID, "%q is not a valid email address.", a))
		}
	}
	if to == "" {
		return nil, fmt.Errorf("sync: %s: %w", kind, app.Errorf(app.EINVALID, "The ticket has no contact email to reply to."))
	}
	from := strings.TrimSpace(req.From)
	if from != "" && !app.ValidEmail(from) {
		return nil, fmt.Errorf("sync: %s: %w", kind, app.Errorf(app.EINVALID, "%q is not a valid email address.", from))
	}
	ct := desk.ContentPlain
	if req.HTML {
		ct = desk.ContentHTML
	}
	files, staged, err := s.stage(req.Files)
	if err != nil {
		return nil, fmt.Errorf("sync: %s: %w", kind, err)
	}
	pl := replyPayload{To: to, CC: cc, BCC: bcc, Content: req.Content, ContentType: ct, IsForward: kind == app.OutboxForward, Status: strings.TrimSpace(req.Status), Files: files, From: from}
	it, err := s.enqueue(ctx, p, kind, ticketID, "", 0, pl)
	if err != nil && staged != "" {
		_ = os.RemoveAll(staged)
	}
	return it, err
}

func splitAddrs(s string) []string {
	var out []string
	for _, a := range strings.Split(s, ",") {
		if a = strings.TrimSpace(a); a != "" {
			out = append(out, a)
		}
	}
	return out
}

// replyAllCC collects everyone on the conversation's To and CC lines (and
// senders) except the support address and the main recipient.
func replyAllCC(td *app.TicketDetail, support, to string) string {
	seen := map[string]bool{app.NormalizeEmail(to): true}
	if support != "" {
		seen[app.NormalizeEmail(support)] = true
	}
	var out []string
	for _, th := range td.Threads {
		if th.Direction == desk.DirectionOut && support == "" {
			seen[app.NormalizeEmail(th.From)] = true // our own support address
		}
	}
	for _, th := range td.Threads {
		addrs := splitAddrs(th.To + "," + th.CC)
		if th.Direction == desk.DirectionIn {
			addrs = append(addrs, th.From)
		}
		for _, a := range addrs {
			n := app.NormalizeEmail(a)
			if n == "" || seen[n] || !app.ValidEmail(a) {
				continue
			}
			seen[n] = true
			out = append(out, a)
		}
	}
	return strings.Join(out, ",")
}

// Comment queues a comment on a ticket.
func (s *Service) Comment(ctx context.Context, ticketID, content string, public bool) (*app.OutboxItem, error) {
	return s.CommentWithFiles(ctx, ticketID, content, public, nil)
}

// CommentWithFiles queues a comment carrying files: staged like a reply's,
// uploaded when the comment is sent, their ids in createTicketComment's
// attachmentIds (TicketComment.json addCommentPayload).
func (s *Service) CommentWithFiles(ctx context.Context, ticketID, content string, public bool, paths []string) (*app.OutboxItem, error) {
	p, err := s.writablePortal(ctx, false)
	if err != nil {
		return nil, fmt.Errorf("sync: comment: %w", err)
	}
	if strings.TrimSpace(content) == "" {
		return nil, fmt.Errorf("sync: comment: %w", app.Errorf(app.EINVALID, "Write a comment first."))
	}
	files, staged, err := s.stage(paths)
	if err != nil {
		return nil, fmt.Errorf("sync: comment: %w", err)
	}
	it, err := s.enqueue(ctx, p, app.OutboxComment, ticketID, "", 0, commentPayload{Content: content, IsPublic: public, Files: files})
	if err != nil && staged != "" {
		_ = os.RemoveAll(staged)
	}
	return it, err
}

// ChangeStatus queues a status change.
func (s *Service) ChangeStatus(ctx context.Context, ticketID, status string) (*app.OutboxItem, error) {
	p, err := s.writablePortal(ctx, false)
	if err != nil {
		return nil, fmt.Errorf("sync: change status: %w", err)
	}
	if strings.TrimSpace(status) == "" {
		return nil, fmt.Errorf("sync: change status: %w", app.Errorf(app.EINVALID, "Choose a status."))
	}
	return s.enqueue(ctx, p, app.OutboxStatus, ticketID, "", 0, statusPayload{Status: status})
}

// UpdateTicket queues a change of a ticket's priority or assignee.
func (s *Service) UpdateTicket(ctx context.Context, ticketID string, u app.TicketUpdate) (*app.OutboxItem, error) {
	p, err := s.ActivePortal(ctx)
	if err != nil {
		return nil, fmt.Errorf("sync: update ticket: %w", err)
	}
	if !p.CanEditTickets {
		return nil, fmt.Errorf("sync: update ticket: %w", app.Errorf(app.EFORBIDDEN, "Your Zoho Desk profile does not allow editing tickets."))
	}
	if u.Priority == nil && u.AssigneeID == nil {
		return nil, fmt.Errorf("sync: update ticket: %w", app.Errorf(app.EINVALID, "Nothing to change."))
	}
	return s.enqueue(ctx, p, app.OutboxTicketUpdate, ticketID, "", 0, u)
}

// SearchTickets finds cached tickets by what they say.
func (s *Service) SearchTickets(ctx context.Context, query string, limit int) ([]app.TicketHit, error) {
	p, err := s.ActivePortal(ctx)
	if err != nil {
		return nil, err
	}
	hits, err := s.store.SearchTickets(ctx, p.OrgID, query, limit)
	if err != nil {
		return nil, fmt.Errorf("sync: search tickets: %w", err)
	}
	return hits, nil
}

// LocateTicketHit finds the message of a ticket a search opens at.
func (s *Service) LocateTicketHit(ctx context.Context, ticketID, query string) (string, string, error) {
	p, err := s.ActivePortal(ctx)
	if err != nil {
		return "", "", err
	}
	kind, msg, err := s.store.LocateTicketHit(ctx, p.OrgID, ticketID, query)
	if err != nil {
		return "", "", fmt.Errorf("sync: locate ticket hit: %w", err)
	}
	return kind, msg, nil
}

func draftKey(org, ticketID, kind string) string {
	return "desk.draft." + org + "." + ticketID + "." + kind
}

// Draft returns the unsent reply of a ticket ({} when none); its Files
// are the copies SaveDraft kept.
func (s *Service) Draft(ctx context.Context, ticketID, kind string) (app.ReplyDraft, error) {
	p, err := s.ActivePortal(ctx)
	if err != nil {
		return app.ReplyDraft{}, err
	}
	d, err := s.storedDraft(ctx, draftKey(p.OrgID, ticketID, kind))
	return d.ReplyDraft, err
}

// SaveDraft keeps (or, empty, clears) the unsent reply of a ticket, with
// a copy of each attached file (see keepDraftFiles).
func (s *Service) SaveDraft(ctx context.Context, ticketID, kind string, d app.ReplyDraft) error {
	p, err := s.ActivePortal(ctx)
	if err != nil {
		return err
	}
	s.draftMu.Lock()
	defer s.draftMu.Unlock()
	key := draftKey(p.OrgID, ticketID, kind)
	prev, err := s.storedDraft(ctx, key)
	if err != nil {
		return err
	}
	sd, ferr := s.keepDraftFiles(key, prev, d)
	v := ""
	if !sd.Empty() {
		b, _ := json.Marshal(sd)
		v = string(b)
	}
	if err := s.store.SetSetting(ctx, key, v); err != nil {
		return fmt.Errorf("sync: save draft: %w", err)
	}
	s.dropDraftFiles(key, sd) // only once the draft no longer names them
	return ferr
}

// TicketTarget names the CRM record a cached ticket opens on.
func (s *Service) TicketTarget(ctx context.Context, ticketID string) (app.SignalTicket, error) {
	p, err := s.ActivePortal(ctx)
	if err != nil {
		return app.SignalTicket{}, err
	}
	st, err := s.store.TicketTarget(ctx, p.OrgID, ticketID)
	if err != nil {
		return st, fmt.Errorf("sync: ticket target: %w", err)
	}
	return st, nil
}

// Agents returns the active portal's agents, cached in memory.
func (s *Service) Agents(ctx context.Context) ([]app.Agent, error) {
	p, err := s.ActivePortal(ctx)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	as, ok := s.agentList[p.OrgID]
	s.mu.Unlock()
	if ok {
		return as, nil
	}
	cl, err := s.client(ctx, p)
	if err != nil {
		return nil, fmt.Errorf("sync: agents: %w", err)
	}
	list, err := cl.Agents(ctx)
	if err != nil {
		return nil, fmt.Errorf("sync: agents: %w", err)
	}
	for _, a := range list {
		n := a.Name
		if n == "" {
			n = app.PersonName(a.FirstName, a.LastName)
		}
		as = append(as, app.Agent{ID: a.ID, Name: n, Email: a.EmailID})
	}
	s.mu.Lock()
	s.agentList[p.OrgID] = as
	s.mu.Unlock()
	return as, nil
}

// Outbox lists the active portal's unfinished and failed actions.
func (s *Service) Outbox(ctx context.Context) ([]app.OutboxItem, error) {
	p, err := s.ActivePortal(ctx)
	if err != nil {
		return nil, err
	}
	items, err := s.store.Outbox(ctx, p.OrgID, app.OutboxPending, app.OutboxSending, app.OutboxFailed)
	if err != nil {
		return nil, fmt.Errorf("sync: outbox: %w", err)
	}
	return items, nil
}

// RetryOutbox sends a failed action again.
func (s *Service) RetryOutbox(ctx context.Context, id int64) error {
	if err := s.store.RetryOutbox(ctx, id); err != nil {
		return fmt.Errorf("sync: retry: %w", err)
	}
	s.SyncNow()
	return nil
}

// DismissOutbox gives a failed action up; a failed push's record error
// is dismissed with it (the record is pushed again after it changes).
func (s *Service) DismissOutbox(ctx context.Context, id int64) error {
	p, err := s.ActivePortal(ctx)
	if err != nil {
		return fmt.Errorf("sync: dismiss: %w", err)
	}
	items, err := s.store.Outbox(ctx, p.OrgID, app.OutboxFailed)
	if err != nil {
		return fmt.Errorf("sync: dismiss: %w", err)
	}
	for _, it := range items {
		if it.ID != id {
			continue
		}
		if err := s.store.DismissOutbox(ctx, id); err != nil {
			return fmt.Errorf("sync: dismiss: %w", err)
		}
		unstage(&it) // a given-up reply's staged files
		if it.CRMID != 0 && (it.Kind == app.OutboxPushContact || it.Kind == app.OutboxPushCompany) {
			if err := s.store.DismissSyncError(ctx, p.OrgID, it.CRMKind, it.CRMID, ""); err != nil {
				return fmt.Errorf("sync: dismiss: %w", err)
			}
		}
		s.publish(app.SyncEvent{Kind: app.EventOutbox, OrgID: p.OrgID})
		return nil
	}
	return fmt.Errorf("sync: dismiss: %w", app.Errorf(app.ENOTFOUND, "This action is no longer waiting to be sent."))
}

// DismissSyncError hides a record's sync error until it fails again.
func (s *Service) DismissSyncError(ctx context.Context, kind string, crmID int64, deskID string) error {
	p, err := s.ActivePortal(ctx)
	if err != nil {
		return fmt.Errorf("sync: dismiss error: %w", err)
	}
	if err := s.store.DismissSyncError(ctx, p.OrgID, kind, crmID, deskID); err != nil {
		return fmt.Errorf("sync: dismiss error: %w", err)
	}
	s.publish(app.SyncEvent{Kind: app.EventRecordError, OrgID: p.OrgID})
	return nil
}

// Conflicts lists the active portal's unresolved conflicts.
func (s *Service) Conflicts(ctx context.Context) ([]app.Conflict, error) {
	p, err := s.ActivePortal(ctx)
	if err != nil {
		return nil, err
	}
	cs, err := s.store.Conflicts(ctx, p.OrgID, false)
	if err != nil {
		return nil, fmt.Errorf("sync: conflicts: %w", err)
	}
	for i := range cs {
		c := &cs[i]
		c.CRMText, c.DeskText = c.CRMValue, c.DeskValue
		if c.Kind == app.KindContact && c.CRMField == app.CRMFieldCompany {
			c.CRMText, c.DeskText = s.accountName(ctx, p.OrgID, c.CRMValue), s.accountName(ctx, p.OrgID, c.DeskValue)
		}
	}
	return cs, nil
}

// accountName names a Desk account for people: its CRM company's name,
// else the name Desk gave it, else its id.
func (s *Service) accountName(ctx context.Context, org, deskID string) string {
	if deskID == "" {
		return ""
	}
	if l, err := s.store.FindLinkByDesk(ctx, org, app.KindCompany, deskID); err == nil {
		if c, err := s.crm.Companies.FindCompany(ctx, l.CRMID); err == nil {
			return c.Name
		}
	}
	if r, err := s.store.FindRemote(ctx, org, app.KindCompany, deskID); err == nil && r.Values["accountName"] != "" {
		return r.Values["accountName"]
	}
	return deskID
}

// RestoreConflict writes a conflict's losing value into the CRM record;
// the next pass sends it to Desk like any edit.
func (s *Service) RestoreConflict(ctx context.Context, id int64) error {
	c, err := s.store.FindConflict(ctx, id)
	if err != nil {
		return fmt.Errorf("sync: restore conflict: %w", err)
	}
	m := app.FieldMapping{Kind: c.Kind, CRMField: c.CRMField, DeskField: c.DeskField, Type: app.FieldText}
	if c.Kind == app.KindContact && c.CRMField == app.CRMFieldCompany {
		m.Type = app.FieldAccount
	}
	p, err := s.store.ActivePortal(ctx)
	if err != nil {
		return fmt.Errorf("sync: restore conflict: %w", err)
	}
	ps := &pass{s: s, p: p}
	rec, err := ps.findRecord(ctx, c.Kind, c.CRMID)
	if err != nil {
		return fmt.Errorf("sync: restore conflict: %w", err)
	}
	if !ps.set(ctx, rec, m, c.LoserValue()) {
		return fmt.Errorf("sync: restore conflict: %w", app.Errorf(app.ECONFLICT,
			"That company is no longer in Tandem, so it cannot be restored."))
	}
	if rec.contact != nil {
		err = s.crm.Contacts.UpdateContact(ctx, rec.contact)
	} else {
		err = s.crm.Companies.UpdateCompany(ctx, rec.company)
	}
	if err != nil {
		return fmt.Errorf("sync: restore conflict: %w", err)
	}
	if err := s.store.ResolveConflict(ctx, id); err != nil {
		return fmt.Errorf("sync: restore conflict: %w", err)
	}
	s.SyncNow()
	return nil
}

// DismissConflict hides a conflict without changing anything.
func (s *Service) DismissConflict(ctx context.Context, id int64) error {
	if err := s.store.ResolveConflict(ctx, id); err != nil {
		return fmt.Errorf("sync: dismiss conflict: %w", err)
	}
	s.problemsChanged(ctx)
	return nil
}

// Status returns the sync status of the active portal.
func (s *Service) Status(ctx context.Context) (*app.SyncStatus, error) {
	s.mu.Lock()
	state := s.state
	s.mu.Unlock()
	p, err := s.store.ActivePortal(ctx)
	if app.ErrorCode(err) == app.ENOTFOUND {
		return &app.SyncStatus{State: app.StateNotConnected}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("sync: status: %w", err)
	}
	st := &app.SyncStatus{Portal: p, State: state, LastSuccess: p.LastSuccess, LastError: p.LastError}
	items, err := s.store.Outbox(ctx, p.OrgID, app.OutboxPending, app.OutboxSending, app.OutboxFailed)
	if err != nil {
		return nil, fmt.Errorf("sync: status: %w", err)
	}
	for _, it := range items {
		if it.State == app.OutboxFailed {
			st.FailedOutbox++
		} else {
			st.PendingOutbox++
		}
	}
	cs, err := s.store.Conflicts(ctx, p.OrgID, false)
	if err != nil {
		return nil, fmt.Errorf("sync: status: %w", err)
	}
	st.Conflicts = len(cs)
	if st.RecordErrors, err = s.store.SyncErrors(ctx, p.OrgID); err != nil {
		return nil, fmt.Errorf("sync: status: %w", err)
	}
	if st.CachedTickets, err = s.store.CountTickets(ctx, p.OrgID); err != nil {
		return nil, fmt.Errorf("sync: status: %w", err)
	}
	// A push that failed is one problem, though it is both a failed action
	// and a record error.
	failedPush := map[string]bool{}
	for _, it := range items {
		if it.State == app.OutboxFailed && (it.Kind == app.OutboxPushContact || it.Kind == app.OutboxPushCompany) {
			failedPush[it.CRMKind+"/"+strconv.FormatInt(it.CRMID, 10)] = true
		}
	}
	st.Problems = st.Conflicts + st.FailedOutbox
	for _, e := range st.RecordErrors {
		if e.CRMID == 0 || !failedPush[e.Kind+"/"+strconv.FormatInt(e.CRMID, 10)] {
			st.Problems++
		}
	}
	// A team's cards too (issue 12): merged duplicates not dismissed, and
	// records deleted here and changed in Desk since.
	ms, err := s.store.Merges(ctx, p.OrgID, false)
	if err != nil {
		return nil, fmt.Errorf("sync: status: %w", err)
	}
	ts, err := s.store.Tombstones(ctx, p.OrgID)
	if err != nil {
		return nil, fmt.Errorf("sync: status: %w", err)
	}
	st.Merges, st.DeletedChanged = len(ms), len(ts)
	st.Problems += st.Merges + st.DeletedChanged
	return st, nil
}

// sameMappings reports whether a and b map the same fields the same way,
// in any order.
func sameMappings(a, b []app.FieldMapping) bool {
	if len(a) != len(b) {
		return false
	}
	set := map[app.FieldMapping]bool{}
	for _, m := range a {
		set[m] = true
	}
	for _, m := range b {
		if !set[m] {
			return false
		}
	}
	return true
}
