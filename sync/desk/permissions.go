package desk

import (
	"context"
	"errors"
	"fmt"

	"github.com/tandem-crm/tandem/app"
)

// Permission names of GET /myProfilePermissions (Profile.json,
// ticketsPermissionJson): module → action → allowed.
const (
	PermModuleTickets  = "tickets"
	PermModuleContacts = "contacts"
	PermModuleAccounts = "accounts"
	PermView           = "view"
	PermCreate         = "create"
	PermEdit           = "edit"
	// PermMailSend is the right to answer a ticket by email (there is no
	// "reply" permission).
	PermMailSend = "mailSend"
)

// Permissions says what the signed-in agent may do in a portal.
type Permissions struct {
	AgentID string
	IsAdmin bool
	// CanCreateTickets: tickets.create.
	CanCreateTickets bool
	// CanReply: tickets.mailSend — may send replies and forwards by email.
	CanReply bool
	// CanEditTickets: tickets.edit — may change a ticket's fields
	// (priority, assignee; updateTicket).
	CanEditTickets bool
	// CanViewContacts: contacts.view and accounts.view (two-way sync pulls
	// them); CanWriteContacts: their create and edit (sync pushes them).
	CanViewContacts  bool
	CanWriteContacts bool
	// Reason explains, for people, why the agent is (partly) read-only.
	Reason string
}

// PermissionsFromProfile derives Permissions from the signed-in agent and
// its profile's permissions: the one place that interprets them. An
// administrator of the portal (isAdminInOrg) may do everything.
func PermissionsFromProfile(a Agent, pp ProfilePermissions, isAdminInOrg bool) Permissions {
	perm := Permissions{AgentID: a.ID, IsAdmin: isAdminInOrg}
	if perm.IsAdmin {
		perm.CanCreateTickets, perm.CanReply, perm.CanViewContacts, perm.CanWriteContacts = true, true, true, true
		perm.CanEditTickets = true
		return perm
	}
	t := pp.Permissions[PermModuleTickets]
	perm.CanCreateTickets = t[PermCreate]
	perm.CanReply = t[PermMailSend]
	perm.CanEditTickets = t[PermEdit]
	pc, pa := pp.Permissions[PermModuleContacts], pp.Permissions[PermModuleAccounts]
	perm.CanViewContacts = pc[PermView] && pa[PermView]
	perm.CanWriteContacts = pc[PermCreate] && pc[PermEdit] && pa[PermCreate] && pa[PermEdit]
	switch {
	case !perm.CanCreateTickets && !perm.CanReply:
		perm.Reason = "Your Zoho Desk profile does not allow creating tickets or sending replies."
	case !perm.CanCreateTickets:
		perm.Reason = "Your Zoho Desk profile does not allow creating tickets."
	case !perm.CanReply:
		perm.Reason = "Your Zoho Desk profile does not allow sending replies by email."
	}
	return perm
}

// MyProfilePermissions returns the signed-in agent's profile permissions
// (GET /myProfilePermissions: no profile id needed).
func (c *Client) MyProfilePermissions(ctx context.Context) (ProfilePermissions, error) {
	return get[ProfilePermissions](ctx, c, OpGetMyProfilePermissions, nil, nil)
}

// MyPermissions reads the signed-in agent (myinfo) and its profile's
// permissions and derives what the agent may do. isAdminInOrg comes from
// Organizations. When Desk refuses the permissions call, the agent is
// treated as read-only.
func (c *Client) MyPermissions(ctx context.Context, isAdminInOrg bool) (Permissions, error) {
	me, err := c.MyInfo(ctx)
	if err != nil {
		return Permissions{}, fmt.Errorf("desk: my permissions: %w", err)
	}
	if isAdminInOrg {
		return PermissionsFromProfile(me, ProfilePermissions{}, true), nil
	}
	pp, err := c.MyProfilePermissions(ctx)
	if err != nil {
		var ae *app.Error
		if errors.As(err, &ae) && ae.Code == app.EFORBIDDEN {
			return Permissions{AgentID: me.ID, Reason: "Your Zoho Desk profile does not let Tandem read its permissions."}, nil
		}
		return Permissions{}, fmt.Errorf("desk: my permissions: %w", err)
	}
	return PermissionsFromProfile(me, pp, false), nil
}
