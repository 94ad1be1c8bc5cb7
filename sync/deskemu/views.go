package deskemu

import (
	"fmt"
	"maps"
	"strconv"
	"strings"
	"time"
)

// Building the wire shapes (wire.go) from the stored records.

type anyTime interface{ isoTime | msTime }

func tm[T anyTime](t time.Time) T { return T(t) }

func str(s string) *string { return &s }

func cfCopy(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return maps.Clone(m)
}

func contactList(c *contact) contactListJSON {
	return contactListJSON{
		ID: c.ID, FirstName: nstr(c.FirstName), LastName: c.LastName, Email: nstr(c.Email),
		SecondaryEmail: nstr(c.SecondaryEmail), Phone: nstr(c.Phone), Mobile: nstr(c.Mobile),
		AccountID: nstr(c.AccountID), OwnerID: nstr(c.OwnerID), Type: nstr(c.Type),
		WebURL: c.WebURL, CreatedTime: msTime(c.Created),
	}
}

func contactFull[T anyTime](c *contact) contactJSON[T] {
	return contactJSON[T]{
		ID: c.ID, FirstName: nstr(c.FirstName), LastName: c.LastName, Email: nstr(c.Email),
		SecondaryEmail: nstr(c.SecondaryEmail), Phone: nstr(c.Phone), Mobile: nstr(c.Mobile), Title: nstr(c.Title),
		AccountID: nstr(c.AccountID), Description: nstr(c.Description), Type: nstr(c.Type), OwnerID: nstr(c.OwnerID),
		CF: cfCopy(c.CF), CustomFields: map[string]any{}, CreatedTime: tm[T](c.Created), ModifiedTime: tm[T](c.Modified),
		WebURL: c.WebURL,
	}
}

func accountList(a *account) accountListJSON {
	return accountListJSON{ID: a.ID, AccountName: a.AccountName, Email: nstr(a.Email), Website: nstr(a.Website),
		Phone: nstr(a.Phone), WebURL: a.WebURL, CreatedTime: msTime(a.Created)}
}

func accountFull[T anyTime](a *account) accountJSON[T] {
	return accountJSON[T]{
		ID: a.ID, AccountName: a.AccountName, Email: nstr(a.Email), Website: nstr(a.Website), Phone: nstr(a.Phone),
		Fax: nstr(a.Fax), Industry: nstr(a.Industry), Description: nstr(a.Description), Street: nstr(a.Street),
		City: nstr(a.City), State: nstr(a.State), Country: nstr(a.Country), Code: nstr(a.Code),
		CF: cfCopy(a.CF), CustomFields: map[string]any{}, CreatedTime: tm[T](a.Created), ModifiedTime: tm[T](a.Modified),
		WebURL: a.WebURL,
	}
}

func (p *portal) ticketContact(t *ticket) *ticketContactJSON {
	ct := p.contactsBy[t.ContactID]
	if ct == nil {
		return nil
	}
	v := &ticketContactJSON{ID: ct.ID, FirstName: nstr(ct.FirstName), LastName: ct.LastName, Email: nstr(ct.Email),
		Phone: nstr(ct.Phone), Mobile: nstr(ct.Mobile), Type: nstr(ct.Type)}
	if a := p.accountsBy[ct.AccountID]; a != nil {
		v.Account = &accountRefJSON{ID: a.ID, AccountName: a.AccountName, Website: nstr(a.Website)}
	}
	return v
}

func (p *portal) ticketList(t *ticket, withContact bool) ticketListJSON {
	v := ticketListJSON{
		ID: t.ID, TicketNumber: t.Number, Subject: t.Subject, Status: t.Status, StatusType: t.StatusType,
		Priority: nstr(t.Priority), Channel: t.Channel, Language: "English", Email: nstr(t.Email), Phone: nstr(t.Phone),
		ContactID: nstr(t.ContactID), AccountID: nstr(t.AccountID), DepartmentID: t.DepartmentID,
		AssigneeID: nstr(t.AssigneeID), DueDate: msTime(t.Due), CreatedTime: msTime(t.Created),
		ClosedTime: msTime(t.Closed), CustomerResponseTime: msTime(t.CustomerResponse),
		ThreadCount: strconv.Itoa(len(t.threads)), CommentCount: strconv.Itoa(len(t.comments)), WebURL: t.WebURL,
	}
	if n := len(t.threads); n > 0 {
		last := t.threads[n-1]
		v.LastThread = &lastThreadJSON{Channel: last.Channel, IsForward: last.IsForward, Direction: last.Direction}
	}
	if withContact {
		v.Contact = p.ticketContact(t)
	}
	return v
}

func ticketFull[T anyTime](p *portal, t *ticket, now time.Time, withContact bool) ticketJSON[T] {
	v := ticketJSON[T]{
		ID: t.ID, TicketNumber: t.Number, Subject: t.Subject, Description: nstr(t.Description), Status: t.Status,
		StatusType: t.StatusType, Priority: nstr(t.Priority), Channel: t.Channel, Language: "English",
		Email: nstr(t.Email), Phone: nstr(t.Phone), ContactID: nstr(t.ContactID), AccountID: nstr(t.AccountID),
		DepartmentID: t.DepartmentID, AssigneeID: nstr(t.AssigneeID), DueDate: tm[T](t.Due),
		IsOverDue: t.overdue(now), IsEscalated: t.Escalated, IsDeleted: "false",
		CreatedTime: tm[T](t.Created), ModifiedTime: tm[T](t.Modified), ClosedTime: tm[T](t.Closed),
		CustomerResponseTime: tm[T](t.CustomerResponse),
		ThreadCount:          strconv.Itoa(len(t.threads)), CommentCount: strconv.Itoa(len(t.comments)),
		TaskCount: "0", AttachmentCount: "0", Source: sourceJSON{Type: "SYSTEM"}, SharedDepartments: []struct{}{},
		WebURL: t.WebURL, CF: cfCopy(t.CF),
	}
	if withContact {
		v.Contact = p.ticketContact(t)
	}
	return v
}

func threadView(th *thread, withContent bool) threadJSON {
	v := threadJSON{
		ID: th.ID, Channel: th.Channel, Direction: th.Direction, FromEmailAddress: th.From, To: nstr(th.To),
		CC: nstr(th.CC), BCC: nstr(th.BCC), Summary: th.Summary, CreatedTime: isoTime(th.Created),
		Author:          authorJSON{ID: nstr(th.Author.ID), Name: th.Author.Name, Email: nstr(th.Author.Email), Type: th.Author.Type},
		AttachmentCount: "0", Visibility: th.Visibility, IsForward: th.IsForward, Status: "SUCCESS",
		CanReply: true,
	}
	if withContent {
		v.Content, v.ContentType = str(th.Content), th.ContentType
	}
	v.Attachments = []fileJSON{}
	for _, f := range th.Files {
		v.Attachments = append(v.Attachments, fileJSON{ID: f.ID, Name: f.Name, Size: fmt.Sprint(f.Size),
			Href: "https://desk.example.invalid/api/v1/tickets/attachments/" + f.ID + "/content"})
	}
	if n := len(th.Files); n > 0 {
		v.HasAttach, v.AttachmentCount = true, fmt.Sprint(n)
	}
	return v
}

func commenterView(a *agent) commenterJSON {
	role := "Agent"
	if a.Admin {
		role = "CEO"
	}
	return commenterJSON{ID: a.ID, Name: a.User.name(), FirstName: nstr(a.User.FirstName), LastName: a.User.LastName,
		Email: a.User.Email, Type: []string{"AGENT"}, RoleName: role}
}

// commentView answers a comment; withMentions adds the mention list
// (include=mentions), found from the zsu[@user:<zuid>]zsu markup.
func (p *portal) commentView(cm *comment, withMentions bool) commentJSON {
	v := commentJSON{ID: cm.ID, Content: cm.Content, ContentType: cm.ContentType, IsPublic: cm.IsPublic,
		CommenterID: cm.Commenter.ID, Commenter: commenterView(cm.Commenter), CommentedTime: msTime(cm.Commented),
		ModifiedTime: msTime(cm.Modified), Attachments: []fileJSON{}}
	for _, f := range cm.Files { // TicketComment.json attachmentResponse
		v.Attachments = append(v.Attachments, fileJSON{ID: f.ID, Name: f.Name, Size: fmt.Sprint(f.Size),
			Href: "https://desk.example.invalid/api/v1/tickets/" + cm.TicketID + "/comments/" + cm.ID + "/attachments/" + f.ID + "/content"})
	}
	if withMentions {
		ms := []mentionJSON{}
		rest, off := cm.Content, 0
		for {
			i := strings.Index(rest, mentionOpen)
			if i < 0 {
				break
			}
			j := strings.Index(rest[i:], mentionClose)
			if j < 0 {
				break
			}
			zuid := rest[i+len(mentionOpen) : i+j]
			if a := p.agentByZUID(zuid); a != nil {
				ms = append(ms, mentionJSON{ID: a.ID, ZUID: zuid, Type: []string{"AGENT"}, FirstName: a.User.FirstName,
					LastName: a.User.LastName, Email: a.User.Email, OffSet: strconv.Itoa(off + i),
					Length: strconv.Itoa(j + len(mentionClose))})
			}
			off += i + j + len(mentionClose)
			rest = rest[i+j+len(mentionClose):]
		}
		v.Mention = &ms
	}
	return v
}

// The mention markup (TicketComment.json): zsu[@user:<zuid>]zsu.
const (
	mentionOpen  = "zsu[@user:"
	mentionClose = "]zsu"
)

func encodeMention(zuid string) string { return mentionOpen + zuid + mentionClose }

func agentView(a *agent) agentJSON {
	return agentJSON{
		ID: a.ID, ZUID: a.User.ID, FirstName: a.User.FirstName, LastName: a.User.LastName, Name: a.User.name(),
		EmailID: a.User.Email, RoleID: a.RoleID, ProfileID: a.ProfileID, Status: "ACTIVE",
	}
}
