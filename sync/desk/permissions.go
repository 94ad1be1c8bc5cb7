package desk

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/tandem-crm/tandem/app"
)

// How an agent's permissions are read is UNKNOWN (desk-api.md). Our guess,
// kept here and shared with the emulator: GET /profiles/{profileId} answers
// a profile with "type" ("Administrator" for administrators) and
// "permissions" as module → action → bool, e.g.
// {"tickets": {"view": true, "create": true, "reply": true}}.
const (
	ProfileTypeAdministrator = "Administrator"
	PermModuleTickets        = "tickets"
	PermModuleContacts       = "contacts"
	PermModuleAccounts       = "accounts"
	PermCreate               = "create"
	PermEdit                 = "edit"
	PermReply                = "reply"
	PermView                 = "view"
)

// Permissions says what the signed-in agent may do in a portal.
type Permissions struct {
	AgentID          string
	ProfileID        string
	ProfileName      string
	IsAdmin          bool
	CanCreateTickets bool
	CanReply         bool
	// CanViewContacts and CanWriteContacts say whether the profile may
	// read, and create and edit, both contacts and accounts (what sync
	// pulls and pushes).
	CanViewContacts  bool
	CanWriteContacts bool
	// Reason explains, for people, why the agent is read-only.
	Reason string
}

// PermissionsFromProfile derives Permissions from an agent and its profile:
// the one place that interprets Desk's profile data.
func PermissionsFromProfile(a Agent, p Profile, isAdminInOrg bool) Permissions {
	perm := Permissions{AgentID: a.ID, ProfileID: p.ID, ProfileName: p.Name}
	perm.IsAdmin = isAdminInOrg || p.Type == ProfileTypeAdministrator
	if perm.IsAdmin {
		perm.CanCreateTickets, perm.CanReply, perm.CanViewContacts, perm.CanWriteContacts = true, true, true, true
		return perm
	}
	t := p.Permissions[PermModuleTickets]
	perm.CanCreateTickets = t[PermCreate]
	perm.CanReply = t[PermReply]
	pc, pa := p.Permissions[PermModuleContacts], p.Permissions[PermModuleAccounts]
	perm.CanViewContacts = pc[PermView] && pa[PermView]
	perm.CanWriteContacts = pc[PermCreate] && pc[PermEdit] && pa[PermCreate] && pa[PermEdit]
	if !perm.CanCreateTickets || !perm.CanReply {
		perm.Reason = fmt.Sprintf("Your Zoho Desk profile %q does not allow creating or replying to tickets.", p.Name)
	}
	return perm
}

// Profile returns an agent profile.
func (c *Client) Profile(ctx context.Context, id string) (Profile, error) {
	var p Profile
	if _, err := c.call(ctx, "GET", "/profiles/"+url.PathEscape(id), nil, nil, &p); err != nil {
		return Profile{}, fmt.Errorf("desk: get profile: %w", toAppError(err))
	}
	return p, nil
}

// MyPermissions reads the signed-in agent (myinfo) and its profile and
// derives what the agent may do. isAdminInOrg comes from Organizations.
// When Desk refuses the profile call, the agent is treated as read-only.
func (c *Client) MyPermissions(ctx context.Context, isAdminInOrg bool) (Permissions, error) {
	me, err := c.MyInfo(ctx)
	if err != nil {
		return Permissions{}, fmt.Errorf("desk: my permissions: %w", err)
	}
	if isAdminInOrg {
		return PermissionsFromProfile(me, Profile{ID: me.ProfileID}, true), nil
	}
	p, err := c.Profile(ctx, me.ProfileID)
	if err != nil {
		var ae *app.Error
		if errors.As(err, &ae) && ae.Code == app.EFORBIDDEN {
			return Permissions{AgentID: me.ID, ProfileID: me.ProfileID, Reason: "Your Zoho Desk profile does not let Tandem read its permissions."}, nil
		}
		return Permissions{}, fmt.Errorf("desk: my permissions: %w", err)
	}
	return PermissionsFromProfile(me, p, false), nil
}
