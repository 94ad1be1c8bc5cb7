package deskemu

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/tandem-crm/tandem/sync/desk"
)

// template is one of a department's email templates (EmailTemplates.json).
type template struct {
	ID, Name, Subject, Body, ContentType, DepartmentID string
	FolderID, FolderName, Category                     string
	Files                                              []templateFileJSON
}

// templateFileJSON is the definition's attachmentResponse: a template's
// file as id, name and size only (no href: Desk declares no download).
type templateFileJSON struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Size string `json:"size"`
}

// templateJSON is templateResponse as Desk sends it.
type templateJSON struct {
	TemplateID   string     `json:"templateId"`
	TemplateName string     `json:"templateName"`
	Subject      string     `json:"subject"`
	Body         string     `json:"body"`
	ContentType  string     `json:"contentType"`
	DepartmentID string     `json:"departmentId"`
	RecordType   string     `json:"recordType"`
	Category     string     `json:"category"`
	FromID       *string    `json:"fromId"`
	ReplyToAddr  *string    `json:"replyToAddr"`
	FolderID     string     `json:"folderId"`
	Folder       folderJSON `json:"folder"`
	// Attachments: getTemplate's answer only (templateAttachmentResponse).
	Attachments *[]templateFileJSON `json:"attachments,omitempty"`
}

type folderJSON struct {
	FolderName string `json:"folderName"`
	FolderID   string `json:"folderId"`
}

// renderJSON is applyTemplateResponse.
type renderJSON struct {
	Subject     string             `json:"subject"`
	Body        string             `json:"body"`
	Attachments []templateFileJSON `json:"attachments"`
}

// sampleTemplates are the reply templates every department of a portal
// starts with, in English and Japanese, using Desk's placeholders; files
// are the names of the files one carries.
var sampleTemplates = []struct {
	name, subject, body string
	files               []string
}{
	{"Acknowledge the request", "Re: ${Cases.Subject}",
		"<div>Dear ${Cases.Contact Name},<br><br>Thank you for contacting ${Organization.Organization Name}. " +
			"We have received your request #${Cases.Request Id} and will get back to you shortly.<br><br>Regards,<br>${User.First Name} ${User.Last Name}</div>", nil},
	{"Ask for more details", "Re: ${Cases.Subject}",
		"<div>Dear ${Cases.Contact Name},<br><br>To look into ticket #${Cases.Request Id}, could you tell us which version you use and send a screenshot?<br><br>Regards,<br>${User.First Name} ${User.Last Name}</div>",
		[]string{"How to take a screenshot.pdf", "Version check.png"}},
	{"受付のお知らせ", "Re: ${Cases.Subject}",
		"<div>${Cases.Contact Name} 様<br><br>${Organization.Organization Name}へお問い合わせいただき、ありがとうございます。" +
			"お問い合わせ（番号 ${Cases.Request Id}）を承りました。担当者より追ってご連絡いたします。<br><br>${User.Last Name} ${User.First Name}</div>", nil},
	{"解決のご報告", "Re: ${Cases.Subject}",
		"<div>${Cases.Contact Name} 様<br><br>お問い合わせ（番号 ${Cases.Request Id}）の件、対応が完了しましたのでご報告いたします。" +
			"ご不明な点がございましたら、このメールにご返信ください。<br><br>${User.Last Name} ${User.First Name}</div>", nil},
}

// extraID is an id outside the portal's sequence, so data added to every
// portal (templates, a second address) leaves the generated ids as they
// were.
func (p *portal) extraID(kind, n int) string {
	return fmt.Sprintf("%s%d%08d", p.prefix, kind, n)
}

// addSamples gives each department the sample templates, and the Support
// department a second active address (replies may go from either).
func (p *portal) addSamples(company, portalName string) {
	for i, d := range p.departments {
		folder := p.extraID(8, 900+i)
		for _, st := range sampleTemplates {
			t := &template{ID: p.extraID(8, len(p.templates)+1), Name: st.name, Subject: st.subject,
				Body: st.body, ContentType: "richtext", DepartmentID: d.ID, FolderID: folder, FolderName: "Replies", Category: "CUSTOM_TEMPLATE"}
			for j, name := range st.files {
				t.Files = append(t.Files, templateFileJSON{ID: p.extraID(6, 100*len(p.templates)+j+1), Name: name, Size: strconv.Itoa(20480 * (j + 2))})
			}
			p.templates = append(p.templates, t)
		}
	}
	p.addresses = append(p.addresses, replyAddress{ID: p.extraID(7, 1), Address: "care@" + portalName + ".example",
		DisplayName: senderName(company, "Customer Care", false), DepartmentID: p.departments[0].ID, Active: true, Verified: true})
}

func (p *portal) template(id string) *template {
	for _, t := range p.templates {
		if t.ID == id {
			return t
		}
	}
	return nil
}

func (t *template) json() templateJSON {
	return templateJSON{TemplateID: t.ID, TemplateName: t.Name, Subject: t.Subject, Body: t.Body, ContentType: t.ContentType,
		DepartmentID: t.DepartmentID, RecordType: "tickets", Category: t.Category, FolderID: t.FolderID,
		Folder: folderJSON{FolderName: t.FolderName, FolderID: t.FolderID}}
}

// listTemplates lists a department's templates (a bare array, as the
// definition's templateListResponse), 1-based from.
func (s *Server) listTemplates(c *caller, r *http.Request, _ []byte) (int, any, *apiError) {
	from, limit := paging(r, desk.OpByID(desk.OpGetTemplates))
	q := r.URL.Query()
	if q.Get("limit") == "" {
		limit = 1000 // the definition's default
	}
	dep := q.Get("departmentId")
	if c.portal.department(dep) == nil {
		return 0, nil, fieldErr("departmentId", "invalid", "no such department")
	}
	if m := q.Get("module"); m != "" && m != "tickets" {
		return http.StatusOK, []templateJSON{}, nil // the emulator keeps tickets' templates only
	}
	out := []templateJSON{}
	for _, t := range c.portal.templates {
		if t.DepartmentID != dep || (q.Get("folderId") != "" && t.FolderID != q.Get("folderId")) || !nameMatches(t.Name, q.Get("searchStr")) {
			continue
		}
		out = append(out, t.json())
	}
	if page := window(out, from, limit); page != nil {
		return http.StatusOK, page, nil
	}
	return http.StatusOK, []templateJSON{}, nil
}

// nameMatches is searchStr's three ways: "abc*" a prefix, "*abc*" within,
// "abc" the exact name (case-insensitive).
func nameMatches(name, search string) bool {
	if search == "" {
		return true
	}
	n := strings.ToLower(name)
	s := strings.ToLower(search)
	switch {
	case len(s) > 1 && strings.HasPrefix(s, "*") && strings.HasSuffix(s, "*"):
		return strings.Contains(n, strings.Trim(s, "*"))
	case strings.HasSuffix(s, "*"):
		return strings.HasPrefix(n, strings.TrimSuffix(s, "*"))
	}
	return n == s
}

func (s *Server) getTemplate(c *caller, r *http.Request, _ []byte) (int, any, *apiError) {
	t := c.portal.template(r.PathValue("emailTemplateId"))
	if t == nil {
		return 0, nil, notFound("template")
	}
	v := t.json()
	v.Attachments = &[]templateFileJSON{}
	*v.Attachments = append(*v.Attachments, t.Files...)
	return http.StatusOK, v, nil
}

// renderTemplate fills a template's placeholders for a ticket (entityId).
func (s *Server) renderTemplate(c *caller, r *http.Request, _ []byte) (int, any, *apiError) {
	t := c.portal.template(r.PathValue("emailTemplateId"))
	if t == nil {
		return 0, nil, notFound("template")
	}
	tk, ok := c.portal.ticketsBy[r.URL.Query().Get("entityId")]
	if !ok {
		return 0, nil, fieldErr("entityId", "invalid", "no ticket, contact or account has this id")
	}
	contact := ""
	if ct, ok := c.portal.contactsBy[tk.ContactID]; ok {
		contact = strings.TrimSpace(ct.FirstName + " " + ct.LastName)
	}
	fill := strings.NewReplacer(
		"${Cases.Contact Name}", contact,
		"${Cases.Request Id}", tk.Number,
		"${Cases.Subject}", tk.Subject,
		"${Cases.Status}", tk.Status,
		"${Cases.Priority}", tk.Priority,
		"${Organization.Organization Name}", c.portal.org.CompanyName,
		"${User.First Name}", c.agent.User.FirstName,
		"${User.Last Name}", c.agent.User.LastName,
	)
	return http.StatusOK, renderJSON{Subject: fill.Replace(t.Subject), Body: fill.Replace(t.Body), Attachments: append([]templateFileJSON{}, t.Files...)}, nil
}
