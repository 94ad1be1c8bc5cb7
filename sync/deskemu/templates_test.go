package deskemu

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tandem-crm/tandem/sync/desk"
)

// errorOf decodes Desk's error body.
func errorOf(t *testing.T, b []byte) errorBody {
	t.Helper()
	var eb errorBody
	if err := json.Unmarshal(b, &eb); err != nil {
		t.Fatalf("not Desk's error body: %s", b)
	}
	return eb
}

// TestTemplatesRefuse: getTemplates, getTemplate and applyTemplate refuse
// what EmailTemplates.json does not allow, with Desk's error body.
func TestTemplatesRefuse(t *testing.T) {
	e := newTEnv(t)
	p := e.s.byOrg[e.org]
	tpl := p.templates[0].ID
	tk := p.tickets[0].ID
	for _, c := range []struct {
		method, path string
		body         any
		status       int
		code, field  string
	}{
		{"GET", "/templates", nil, 422, desk.CodeUnprocessable, "departmentId"},
		{"GET", "/templates?departmentId=" + e.dep + "&limit=0", nil, 422, desk.CodeUnprocessable, "limit"},
		{"GET", "/templates?departmentId=" + e.dep + "&limit=1001", nil, 422, desk.CodeUnprocessable, "limit"},
		{"GET", "/templates?departmentId=" + e.dep + "&from=0", nil, 422, desk.CodeUnprocessable, "from"},
		{"GET", "/templates?departmentId=" + e.dep + "&from=1001", nil, 422, desk.CodeUnprocessable, "from"},
		{"GET", "/templates?departmentId=" + e.dep + "&module=deals", nil, 422, desk.CodeUnprocessable, "module"},
		{"GET", "/templates?departmentId=" + e.dep + "&searchStr=", nil, 422, desk.CodeUnprocessable, "searchStr"},
		{"GET", "/templates?departmentId=" + e.dep + "&sortBy=templateName", nil, 422, desk.CodeUnprocessable, "sortBy"},
		{"GET", "/templates?departmentId=1", nil, 422, desk.CodeInvalidData, "/departmentId"},
		{"GET", "/templates/12345", nil, 404, desk.CodeURLNotFound, ""},
		{"POST", "/templates/12345/render?entityId=" + tk, map[string]any{"source": "TICKET_REPLY"}, 404, desk.CodeURLNotFound, ""},
		{"POST", "/templates/" + tpl + "/render", map[string]any{"source": "TICKET_REPLY"}, 422, desk.CodeUnprocessable, "entityId"},
		{"POST", "/templates/" + tpl + "/render?entityId=" + tk, map[string]any{"source": "REPLY"}, 422, desk.CodeInvalidData, "/source"},
		{"POST", "/templates/" + tpl + "/render?entityId=" + tk, map[string]any{"subject": "x"}, 422, desk.CodeInvalidData, "/subject"},
		{"POST", "/templates/" + tpl + "/render?entityId=1", map[string]any{"source": "TICKET_REPLY"}, 422, desk.CodeInvalidData, "/entityId"},
	} {
		st, b, _ := e.do(t, c.method, "/api/v1"+c.path, c.body)
		if st != c.status {
			t.Errorf("%s %s: %d %s, want %d", c.method, c.path, st, b, c.status)
			continue
		}
		eb := errorOf(t, b)
		if eb.ErrorCode != c.code {
			t.Errorf("%s %s: errorCode %q, want %q", c.method, c.path, eb.ErrorCode, c.code)
		}
		if c.field != "" && (len(eb.Errors) == 0 || eb.Errors[0].FieldName != c.field) {
			t.Errorf("%s %s: errors %+v, want the field %s", c.method, c.path, eb.Errors, c.field)
		}
	}
	e.s.ResetViolations()
}

// TestTemplatesAnswer: a department's templates come as a bare array, one
// page at a time from 1, filtered by searchStr; rendering fills Desk's
// placeholders from the ticket, its contact, the portal and the agent.
func TestTemplatesAnswer(t *testing.T) {
	e := newTEnv(t)
	var all []templateJSON
	if err := json.Unmarshal(e.get(t, "/api/v1/templates?departmentId="+e.dep), &all); err != nil || len(all) != len(sampleTemplates) {
		t.Fatalf("templates %d (%v), want %d", len(all), err, len(sampleTemplates))
	}
	var page []templateJSON
	_ = json.Unmarshal(e.get(t, "/api/v1/templates?departmentId="+e.dep+"&from=2&limit=2"), &page)
	if len(page) != 2 || page[0].TemplateID != all[1].TemplateID {
		t.Fatalf("from=2&limit=2 gave %+v", page)
	}
	for search, want := range map[string]int{"受付*": 1, "*details*": 1, "Ask for more details": 1, "Ask": 0} {
		var got []templateJSON
		_ = json.Unmarshal(e.get(t, "/api/v1/templates?departmentId="+e.dep+"&searchStr="+url.QueryEscape(search)), &got)
		if len(got) != want {
			t.Errorf("searchStr %q: %d templates, want %d", search, len(got), want)
		}
	}
	p := e.s.byOrg[e.org]
	var tk *ticket
	for _, x := range p.tickets {
		if _, ok := p.contactsBy[x.ContactID]; ok {
			tk = x
			break
		}
	}
	ct := p.contactsBy[tk.ContactID]
	st, b, _ := e.do(t, "POST", "/api/v1/templates/"+all[0].TemplateID+"/render?entityId="+tk.ID, map[string]any{"source": "TICKET_REPLY"})
	if st != http.StatusOK {
		t.Fatalf("render: %d %s", st, b)
	}
	var r renderJSON
	_ = json.Unmarshal(b, &r)
	if strings.Contains(r.Body, "${") || !strings.Contains(r.Body, ct.LastName) || !strings.Contains(r.Body, "#"+tk.Number) ||
		!strings.Contains(r.Body, p.org.CompanyName) || r.Subject != "Re: "+tk.Subject {
		t.Errorf("rendered %+v for ticket %s of %s %s", r, tk.Number, ct.FirstName, ct.LastName)
	}
	// A template's files come with it as the definition's
	// attachmentResponse: id, name and size, and nothing else.
	_, b, _ = e.do(t, "POST", "/api/v1/templates/"+all[1].TemplateID+"/render?entityId="+tk.ID, map[string]any{"source": "TICKET_REPLY"})
	var files struct {
		Attachments []map[string]any `json:"attachments"`
	}
	_ = json.Unmarshal(b, &files)
	if len(files.Attachments) != 2 || files.Attachments[0]["name"] != "How to take a screenshot.pdf" || len(files.Attachments[0]) != 3 {
		t.Errorf("the render of %q carries %v", all[1].TemplateName, files.Attachments)
	}
	var one map[string]json.RawMessage
	_ = json.Unmarshal(e.get(t, "/api/v1/templates/"+all[1].TemplateID), &one)
	if !strings.Contains(string(one["attachments"]), `"Version check.png"`) {
		t.Errorf("getTemplate's attachments: %s", one["attachments"])
	}
	for _, v := range e.s.Violations() {
		t.Errorf("%s", v)
	}
}

// TestSendReplyFromTheDepartment: sendReply takes as fromEmailAddress only
// an active, verified From address of the ticket's department.
func TestSendReplyFromTheDepartment(t *testing.T) {
	e := newTEnv(t)
	p := e.s.byOrg[e.org]
	var tk *ticket
	for _, x := range p.tickets {
		if x.DepartmentID == p.departments[0].ID {
			tk = x
			break
		}
	}
	other := p.departmentMail(p.departments[1].ID)
	send := func(from string) (int, []byte) {
		st, b, _ := e.do(t, "POST", "/api/v1/tickets/"+tk.ID+"/sendReply", map[string]any{"channel": "EMAIL", "fromEmailAddress": from,
			"to": "a@example.com", "content": "<p>hi</p>"})
		return st, b
	}
	for _, from := range []string{other, "old-help@" + p.org.PortalName + ".example", "someone@example.com"} {
		st, b := send(from)
		if eb := errorOf(t, b); st != 422 || eb.ErrorCode != desk.CodeInvalidData || len(eb.Errors) != 1 || eb.Errors[0].FieldName != "/fromEmailAddress" {
			t.Errorf("from %s: %d %s", from, st, b)
		}
	}
	care := "care@" + p.org.PortalName + ".example"
	if st, b := send(care); st != 200 || tk.threads[len(tk.threads)-1].From != care {
		t.Errorf("from %s: %d %s", care, st, b)
	}
}

// TestSenderNames: the demo's From names read as a customer would expect
// ("Acme Support", not "Acme Support Support"), a department's name after
// the company's for the others.
func TestSenderNames(t *testing.T) {
	e := newTEnv(t)
	p := e.s.byOrg[e.org]
	got := map[string]string{}
	for _, d := range p.departments {
		var page struct {
			Data []replyAddressJSON `json:"data"`
		}
		if err := json.Unmarshal(e.get(t, "/api/v1/mailReplyAddress?isActive=true&departmentId="+d.ID), &page); err != nil {
			t.Fatal(err)
		}
		for _, a := range page.Data {
			got[strings.SplitN(a.Address, "@", 2)[0]] = a.DisplayName
		}
	}
	company := p.org.CompanyName
	want := map[string]string{"support": company, "care": company + " – Customer Care", "billing": company + " – Billing", "sales": company + " – Sales"}
	for local, name := range want {
		if got[local] != name {
			t.Errorf("%s@ is named %q, want %q", local, got[local], name)
		}
	}
}
