package deskemu

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tandem-crm/tandem/sync/desk"
)

type tenv struct {
	s   *Server
	srv *httptest.Server
	tok string
	org string
	dep string // the main portal's default department
}

func newTEnv(t testing.TB) *tenv {
	s := New(Options{Seed: 3, Contacts: 40, Accounts: 10, Tickets: 120, CheckAnswers: true})
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return &tenv{s: s, srv: srv, tok: s.Info().Users[0].AccessToken, org: s.DefaultOrgID(), dep: s.Info().Portals[0].Departments[0]}
}

func (e *tenv) do(t testing.TB, method, path string, body any, hdr ...string) (int, []byte, http.Header) {
	t.Helper()
	var rdr io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rdr = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, e.srv.URL+path, rdr)
	req.Header.Set("Authorization", "Zoho-oauthtoken "+e.tok)
	req.Header.Set("orgId", e.org)
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i+1] == "" {
			req.Header.Del(hdr[i])
		} else {
			req.Header.Set(hdr[i], hdr[i+1])
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b, resp.Header
}

func (e *tenv) get(t testing.TB, path string) []byte {
	t.Helper()
	st, b, _ := e.do(t, "GET", path, nil)
	if st != 200 {
		t.Fatalf("GET %s: %d %s", path, st, b)
	}
	return b
}

// fixture reads one of the client's fixtures (written from the
// definition's examples).
func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "desk", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// keyPaths records every key path of a JSON value ("data[].contact.id"),
// "object" for objects.
func keyPaths(v any, prefix string, out map[string]string) {
	switch x := v.(type) {
	case map[string]any:
		out[prefix] = "object"
		for k, c := range x {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			keyPaths(c, p, out)
		}
	case []any:
		if _, ok := out[prefix]; !ok {
			out[prefix] = "array"
		}
		for _, c := range x {
			keyPaths(c, prefix+"[]", out)
		}
	default:
		if _, ok := out[prefix]; !ok {
			out[prefix] = "value"
		}
	}
}

// missingFields lists the response fields of op's row that an answer lacks
// although their parent object is there: the emulator must send every
// field Tandem reads (null when unset), as Desk does.
func missingFields(t *testing.T, op *desk.Op, body []byte) []string {
	t.Helper()
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("%s: %v: %s", op.ID, err, body)
	}
	have := map[string]string{}
	keyPaths(asObject(op, v), "", have)
	var out []string
	for _, f := range op.Response {
		parent := ""
		if i := strings.LastIndexByte(f.Name, '.'); i >= 0 {
			parent = f.Name[:i]
		}
		if parent != "" && have[parent] != "object" {
			continue
		}
		if _, ok := have[f.Name]; !ok {
			out = append(out, f.Name)
		}
	}
	return out
}

// fixtureOf names the client's fixture of an operation.
var fixtureOf = map[string]string{
	desk.OpGetOrganizations: "organizations.json", desk.OpGetMyInfo: "myinfo.json", desk.OpGetAgents: "agents.json",
	desk.OpGetMyProfilePermissions: "my_profile_permissions.json", desk.OpGetReplyMailAddresses: "mail_reply_addresses.json",
	desk.OpGetDepartments: "departments.json", desk.OpGetContacts: "contacts_page.json", desk.OpSearchContacts: "contacts_search.json",
	desk.OpGetAccounts: "accounts_page.json", desk.OpGetAccount: "account.json", desk.OpGetTickets: "tickets_page.json",
	desk.OpSearchTickets: "tickets_search.json", desk.OpGetTicket: "ticket.json", desk.OpGetThreads: "threads.json",
	desk.OpGetThread: "thread.json", desk.OpGetTicketComments: "comments.json", desk.OpGetCustomerHappiness: "ratings.json",
	desk.OpGetFields: "fields_tickets.json", desk.OpGetTemplates: "templates.json", desk.OpApplyTemplate: "template_render.json",
}

// asObject puts a bare array answer (Op.Array) under "data", where the
// contract's Response names its items.
func asObject(op *desk.Op, v any) any {
	if a, ok := v.([]any); ok && op.Array {
		return map[string]any{"data": a}
	}
	return v
}

// call is one request of the contract tour.
type call struct {
	op           string
	path         string
	body         any
	wantStatus   int
	mayBeMissing []string // response fields this answer may lack, and why
}

// TestEveryOperationAnswersTheContract calls every operation of the
// contract once, as the client would, and checks that the emulator (with
// CheckAnswers) found nothing wrong with the request or its own answer,
// that the answer carries every field Tandem reads, and that no contract
// row went uncalled.
func TestEveryOperationAnswersTheContract(t *testing.T) {
	e := newTEnv(t)
	p := e.s.portals[0]
	var tk *ticket
	for _, x := range p.tickets {
		if len(x.threads) > 1 && len(x.comments) > 0 && x.ContactID != "" && x.DepartmentID == e.dep {
			tk = x
			break
		}
	}
	if tk == nil {
		t.Fatal("no ticket with threads and comments")
	}
	ct, ac := p.contacts[0], p.accounts[0]
	kenji := e.s.AgentID(e.org, "kenji@acme-support.example")
	if _, err := e.s.AgentComment(e.org, tk.ID, "alice@acme-support.example", "look", kenji); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.Rate(e.org, tk.ID, desk.RatingOK, "fine"); err != nil {
		t.Fatal(err)
	}
	e.s.Advance(time.Minute) // the search index catches up
	from := p.departmentMail(e.dep)
	window := url.QueryEscape(desk.FormatTimeRange(e.s.Now().Add(-100*24*time.Hour), e.s.Now()))
	calls := []call{
		{op: desk.OpGetOrganizations, path: "/organizations"},
		{op: desk.OpGetMyInfo, path: "/myinfo"},
		{op: desk.OpGetAgents, path: "/agents?from=0&limit=200"},
		{op: desk.OpGetMyProfilePermissions, path: "/myProfilePermissions"},
		{op: desk.OpGetDepartments, path: "/departments?from=0&limit=200"},
		{op: desk.OpGetFields, path: "/organizationFields?module=tickets"},
		{op: desk.OpGetReplyMailAddresses, path: "/mailReplyAddress?departmentId=" + e.dep + "&from=1&limit=50"},
		{op: desk.OpGetCustomerHappiness, path: "/customerHappiness?department=allDepartment&from=0&limit=100&sortBy=-ratedTime"},
		{op: desk.OpGetContacts, path: "/contacts?from=0&limit=100&sortBy=-createdTime"},
		{op: desk.OpGetContact, path: "/contacts/" + ct.ID},
		{op: desk.OpCreateContact, path: "/contacts", body: map[string]any{"lastName": "山田", "email": "yamada@example.jp", "cf": map[string]any{"cf_customer_tier": "Gold"}}},
		{op: desk.OpUpdateContact, path: "/contacts/" + ct.ID, body: map[string]any{"title": "部長", "phone": nil}},
		{op: desk.OpMergeContacts, path: "/contacts/" + ct.ID + "/merge", body: map[string]any{"ids": []string{ct.ID, p.contacts[len(p.contacts)-1].ID}}},
		{op: desk.OpTrashContacts, path: "/contacts/moveToTrash", body: map[string]any{"contactIds": []string{p.contacts[len(p.contacts)-2].ID}}, wantStatus: 204},
		{op: desk.OpSearchContacts, path: "/contacts/search?modifiedTimeRange=" + window + "&sortBy=modifiedTime&from=0&limit=100"},
		{op: desk.OpGetAccounts, path: "/accounts?from=1&limit=99&sortBy=-createdTime"},
		{op: desk.OpGetAccount, path: "/accounts/" + ac.ID},
		{op: desk.OpCreateAccount, path: "/accounts", body: map[string]any{"accountName": "Contract Tour KK", "city": "大阪"}},
		{op: desk.OpUpdateAccount, path: "/accounts/" + ac.ID, body: map[string]any{"industry": "Retail"}},
		{op: desk.OpSearchAccounts, path: "/accounts/search?modifiedTimeRange=" + window + "&sortBy=-modifiedTime&limit=100"},
		{op: desk.OpGetTickets, path: "/tickets?departmentId=" + e.dep + "&include=contacts&from=0&limit=100&sortBy=createdTime"},
		{op: desk.OpGetTicket, path: "/tickets/" + tk.ID + "?include=contacts"},
		{op: desk.OpCreateTicket, path: "/tickets", body: map[string]any{"subject": "Tour", "departmentId": e.dep, "status": "Open",
			"contact": map[string]any{"lastName": "Tour", "email": "tour@example.com"}, "description": "<p>x</p>"},
			mayBeMissing: []string{"contact"}}, // no include on a write: no embedded contact
		{op: desk.OpUpdateTicket, path: "/tickets/" + tk.ID, body: map[string]any{"priority": "High"}, mayBeMissing: []string{"contact"}},
		{op: desk.OpSearchTickets, path: "/tickets/search?modifiedTimeRange=" + window + "&sortBy=modifiedTime&from=0&limit=100"},
		{op: desk.OpGetThreads, path: "/tickets/" + tk.ID + "/threads?from=0&limit=100"},
		{op: desk.OpGetThread, path: "/tickets/" + tk.ID + "/threads/" + tk.threads[0].ID},
		{op: desk.OpSendReply, path: "/tickets/" + tk.ID + "/sendReply", body: map[string]any{"channel": "EMAIL", "fromEmailAddress": from,
			"to": "a@example.com,b@example.com", "cc": "c@example.com, d@example.com", "bcc": "e@example.com", "content": "<p>hi</p>", "contentType": "html"}},
		// The definition's example of an agent's mention has firstName and
		// lastName but no name.
		{op: desk.OpGetTicketComments, path: "/tickets/" + tk.ID + "/comments?include=mentions&from=0&limit=100", mayBeMissing: []string{"data[].mention[].name"}},
		{op: desk.OpCreateTicketComment, path: "/tickets/" + tk.ID + "/comments", body: map[string]any{"content": "ok", "attachmentIds": []string{},
			"isPublic": false, "contentType": "plainText"}},
		{op: desk.OpGetTemplates, path: "/templates?departmentId=" + e.dep + "&module=tickets&from=1&limit=1000"},
		{op: desk.OpGetTemplate, path: "/templates/" + p.templates[0].ID},
		{op: desk.OpApplyTemplate, path: "/templates/" + p.templates[0].ID + "/render?entityId=" + tk.ID, body: map[string]any{"source": "TICKET_REPLY"}},
	}
	called := map[string]bool{}
	for _, c := range calls {
		op := desk.OpByID(c.op)
		called[c.op] = true
		if m, _ := desk.MatchOp(op.Method, strings.SplitN(c.path, "?", 2)[0]); m != op {
			t.Errorf("%s: %s routes to %v", c.op, c.path, m)
			continue
		}
		st, b, _ := e.do(t, op.Method, "/api/v1"+c.path, c.body)
		want := c.wantStatus
		if want == 0 {
			want = 200
		}
		if st != want {
			t.Errorf("%s: %d %s", c.op, st, b)
			continue
		}
		if st == http.StatusNoContent {
			continue // no body to check
		}
		if miss := missingFields(t, op, b); len(miss) > 0 && !slices.Equal(miss, c.mayBeMissing) {
			t.Errorf("%s: the answer lacks %v", c.op, miss)
		}
		// The client's fixture of the same operation (written from the
		// definition's examples) passes the same row, and every field
		// Tandem reads that the fixture has, the emulator's answer has.
		if name, ok := fixtureOf[c.op]; ok {
			fx := readFixture(t, name)
			if vs := op.CheckResponse(fx); len(vs) > 0 {
				t.Errorf("%s: %v", name, vs)
			}
			have := map[string]string{}
			var v any
			_ = json.Unmarshal(b, &v)
			keyPaths(asObject(op, v), "", have)
			fxHave := map[string]string{}
			var fv any
			_ = json.Unmarshal(fx, &fv)
			keyPaths(asObject(op, fv), "", fxHave)
			for _, f := range op.Response {
				if _, inFixture := fxHave[f.Name]; inFixture && have[f.Name] == "" && !slices.Contains(c.mayBeMissing, f.Name) {
					t.Errorf("%s: the fixture %s has %s, the emulator's answer not", c.op, name, f.Name)
				}
			}
		}
	}
	// Uploads and file contents are not JSON: TestAttachments and
	// TestCommentAttachments call them.
	called[desk.OpUploadFile], called[desk.OpGetThreadAttachmentContent], called[desk.OpGetCommentAttachmentContent] = true, true, true
	for _, op := range desk.Contract {
		if !called[op.ID] {
			t.Errorf("the tour does not call %s", op.ID)
		}
	}
	for _, v := range e.s.Violations() {
		t.Errorf("%s", v)
	}
}

// refusal is one request the contract refuses.
type refusal struct {
	name, method, path string
	body               any
	code               string // Desk's errorCode
	field              string // the errors[].fieldName the answer names
}

// TestRefusals: the emulator refuses what the contract refuses, with 422
// and Desk's error body (Common.json errorJson: errorCode, message,
// errors[] with fieldName and errorType), and records each refusal.
func TestRefusals(t *testing.T) {
	e := newTEnv(t)
	tk := e.s.portals[0].tickets[0]
	dep := "departmentId=" + e.dep
	ok := url.QueryEscape(desk.FormatTimeRange(time.Unix(0, 0), e.s.Now()))
	for _, r := range []refusal{
		{name: "undeclared parameter", method: "GET", path: "/tickets?" + dep + "&modifiedSince=2026-01-01", code: desk.CodeUnprocessable, field: "modifiedSince"},
		{name: "email is no parameter of the contact search", method: "GET", path: "/contacts/search?email=a@b.example", code: desk.CodeUnprocessable, field: "email"},
		{name: "sortBy=modifiedTime is no value of the tickets list", method: "GET", path: "/tickets?" + dep + "&sortBy=-modifiedTime", code: desk.CodeUnprocessable, field: "sortBy"},
		{name: "include outside its enum", method: "GET", path: "/tickets?" + dep + "&include=contacts,threads", code: desk.CodeUnprocessable, field: "include"},
		{name: "the contact's tickets have no include=contacts", method: "GET", path: "/contacts/search?_all=x&include=contacts", code: desk.CodeUnprocessable, field: "include"},
		{name: "rating outside good/ok/bad", method: "GET", path: "/customerHappiness?department=allDepartment&rating=neutral", code: desk.CodeUnprocessable, field: "rating"},
		{name: "the tickets list needs its department", method: "GET", path: "/tickets?limit=10", code: desk.CodeUnprocessable, field: "departmentId"},
		{name: "fields need a module", method: "GET", path: "/organizationFields", code: desk.CodeUnprocessable, field: "module"},
		{name: "reply addresses need a department", method: "GET", path: "/mailReplyAddress?from=1&limit=10", code: desk.CodeUnprocessable, field: "departmentId"},
		{name: "ratings need a department", method: "GET", path: "/customerHappiness?from=0&limit=10", code: desk.CodeUnprocessable, field: "department"},
		{name: "a search needs a criterion", method: "GET", path: "/tickets/search?from=0&limit=10", code: desk.CodeUnprocessable, field: "ticketNumber"},
		{name: "accounts count from 1", method: "GET", path: "/accounts?from=0&limit=10", code: desk.CodeUnprocessable, field: "from"},
		{name: "accounts come 99 at most", method: "GET", path: "/accounts?from=1&limit=100", code: desk.CodeUnprocessable, field: "limit"},
		{name: "lists come 100 at most", method: "GET", path: "/tickets?" + dep + "&limit=101", code: desk.CodeUnprocessable, field: "limit"},
		{name: "agents come 10 at least", method: "GET", path: "/agents?limit=5", code: desk.CodeUnprocessable, field: "limit"},
		{name: "a search reaches its first 1000 hits", method: "GET", path: "/tickets/search?modifiedTimeRange=" + ok + "&from=1000&limit=10", code: desk.CodeUnprocessable, field: "from"},
		{name: "a negative from", method: "GET", path: "/contacts?from=-1", code: desk.CodeUnprocessable, field: "from"},
		{name: "a malformed time range", method: "GET", path: "/tickets/search?modifiedTimeRange=yesterday,today", code: desk.CodeUnprocessable, field: "modifiedTimeRange"},
		{name: "a time range of one time", method: "GET", path: "/tickets/search?modifiedTimeRange=2026-01-01T00:00:00.000Z", code: desk.CodeUnprocessable, field: "modifiedTimeRange"},
		{name: "a new ticket needs a status", method: "POST", path: "/tickets", body: map[string]any{"subject": "x", "departmentId": e.dep, "contactId": tk.ContactID}, code: desk.CodeInvalidData, field: "/status"},
		{name: "a new ticket names its contact by lastName and email only", method: "POST", path: "/tickets",
			body: map[string]any{"subject": "x", "departmentId": e.dep, "status": "Open", "contact": map[string]any{"lastName": "x", "email": "x@example.com", "firstName": "y"}},
			code: desk.CodeInvalidData, field: "/contact/firstName"},
		{name: "a new ticket needs a contact", method: "POST", path: "/tickets", body: map[string]any{"subject": "x", "departmentId": e.dep, "status": "Open"}, code: desk.CodeInvalidData, field: "/contactId"},
		{name: "a reply's cc takes bare addresses", method: "POST", path: "/tickets/" + tk.ID + "/sendReply",
			body: map[string]any{"channel": "EMAIL", "fromEmailAddress": "x@example.com", "to": "a@example.com", "cc": "Bea <b@example.com>", "content": "x"}, code: desk.CodeInvalidData, field: "/cc"},
		{name: "a reply's bcc takes addresses", method: "POST", path: "/tickets/" + tk.ID + "/sendReply",
			body: map[string]any{"channel": "EMAIL", "fromEmailAddress": "x@example.com", "to": "a@example.com", "bcc": "b@example.com, not-an-address", "content": "x"}, code: desk.CodeInvalidData, field: "/bcc"},
		{name: "a reply needs its from address", method: "POST", path: "/tickets/" + tk.ID + "/sendReply",
			body: map[string]any{"channel": "EMAIL", "to": "a@example.com", "content": "x"}, code: desk.CodeInvalidData, field: "/fromEmailAddress"},
		{name: "a comment needs attachmentIds", method: "POST", path: "/tickets/" + tk.ID + "/comments", body: map[string]any{"content": "x"}, code: desk.CodeInvalidData, field: "/attachmentIds"},
		{name: "a field of the wrong type", method: "POST", path: "/accounts", body: map[string]any{"accountName": 42}, code: desk.CodeInvalidData, field: "/accountName"},
	} {
		e.s.ResetViolations()
		st, b, _ := e.do(t, r.method, "/api/v1"+r.path, r.body)
		var eb struct {
			ErrorCode string `json:"errorCode"`
			Message   string `json:"message"`
			Errors    []struct {
				FieldName string `json:"fieldName"`
				ErrorType string `json:"errorType"`
			} `json:"errors"`
		}
		if err := json.Unmarshal(b, &eb); err != nil || st != 422 || eb.ErrorCode != r.code || eb.Message == "" {
			t.Errorf("%s: %d %s", r.name, st, b)
			continue
		}
		if !slices.ContainsFunc(eb.Errors, func(x struct {
			FieldName string `json:"fieldName"`
			ErrorType string `json:"errorType"`
		}) bool {
			return x.FieldName == r.field && (x.ErrorType == "invalid" || x.ErrorType == "missing")
		}) {
			t.Errorf("%s: errors %+v lack %s", r.name, eb.Errors, r.field)
		}
		if vs := e.s.Violations(); len(vs) == 0 || vs[0].Answer {
			t.Errorf("%s: not recorded: %v", r.name, vs)
		}
	}
	// The message names the parameter as Desk's example does.
	_, b, _ := e.do(t, "GET", "/api/v1/accounts?from=0", nil)
	if !strings.Contains(string(b), `"The value passed for the 'from' query parameter is invalid."`) {
		t.Errorf("message: %s", b)
	}
}

func TestPagingAndErrors(t *testing.T) {
	e := newTEnv(t)
	dep := "departmentId=" + e.dep
	st, b, _ := e.do(t, "GET", "/api/v1/tickets?"+dep+"&from=100000&limit=10", nil)
	if st != 204 || len(b) != 0 {
		t.Fatalf("empty page: %d %q", st, b)
	}
	st, b, _ = e.do(t, "GET", "/api/v1/tickets?"+dep, nil, "Authorization", "")
	if st != 401 || !strings.Contains(string(b), `"errorCode":"INVALID_OAUTH"`) {
		t.Fatalf("no token: %d %s", st, b)
	}
	st, b, _ = e.do(t, "GET", "/api/v1/tickets?"+dep, nil, "Authorization", "Zoho-oauthtoken bogus")
	if st != 401 {
		t.Fatalf("bad token: %d %s", st, b)
	}
	st, b, _ = e.do(t, "GET", "/api/v1/tickets?"+dep, nil, "orgId", "")
	if st != 422 || !strings.Contains(string(b), `"fieldName":"orgId"`) {
		t.Fatalf("no orgId: %d %s", st, b)
	}
	st, _, _ = e.do(t, "GET", "/api/v1/tickets?"+dep, nil, "orgId", "42")
	if st != 403 {
		t.Fatalf("unknown org: %d", st)
	}
	st, _, _ = e.do(t, "GET", "/api/v1/organizations", nil, "orgId", "")
	if st != 200 {
		t.Fatalf("organizations without orgId: %d", st)
	}
	e.s.ResetViolations()
	st, b, _ = e.do(t, "GET", "/api/v1/nothing/here", nil)
	if st != 404 || !strings.Contains(string(b), "URL_NOT_FOUND") || len(e.s.Violations()) != 1 {
		t.Fatalf("unknown URL: %d %s", st, b)
	}
	e.s.ResetViolations()
	st, b, _ = e.do(t, "GET", "/api/v1/tickets/123", nil)
	if st != 404 || !strings.Contains(string(b), "URL_NOT_FOUND") { // Common.json has no RESOURCE_NOT_FOUND
		t.Fatalf("unknown ticket: %d %s", st, b)
	}
	// A reply from an inactive support address is refused (not a
	// contract violation: the address exists, but may not send).
	p := e.s.portals[0]
	var inactive string
	for _, a := range p.addresses {
		if !a.Active {
			inactive = a.Address
		}
	}
	st, b, _ = e.do(t, "POST", "/api/v1/tickets/"+p.tickets[0].ID+"/sendReply", map[string]any{"channel": "EMAIL", "fromEmailAddress": inactive, "to": "a@example.com", "content": "x"})
	if inactive == "" || st != 422 || !strings.Contains(string(b), "fromEmailAddress") {
		t.Fatalf("inactive address %q: %d %s", inactive, st, b)
	}
}

// listIDs pages a list or search to its end and returns the items.
func (e *tenv) pageAll(t *testing.T, path string, from int) []map[string]any {
	t.Helper()
	var out []map[string]any
	for ; ; from += 100 {
		st, b, _ := e.do(t, "GET", fmt.Sprintf("%s&from=%d&limit=100", path, from), nil)
		if st == 204 {
			return out
		}
		if st != 200 {
			t.Fatalf("%s: %d %s", path, st, b)
		}
		var p struct{ Data []map[string]any }
		_ = json.Unmarshal(b, &p)
		out = append(out, p.Data...)
		if len(p.Data) < 100 {
			return out
		}
	}
}

func msOf(t *testing.T, v any) int64 {
	t.Helper()
	switch x := v.(type) {
	case float64:
		return int64(x)
	case string:
		if n, err := strconv.ParseInt(x, 10, 64); err == nil {
			return n
		}
		tm, err := time.Parse(time.RFC3339Nano, x)
		if err != nil {
			t.Fatalf("time %q: %v", x, err)
		}
		return tm.UnixMilli()
	}
	t.Fatalf("time %v (%T)", v, v)
	return 0
}

func TestSortOrders(t *testing.T) {
	e := newTEnv(t)
	total := 0
	for _, d := range e.s.Info().Portals[0].Departments {
		for _, sb := range []string{"createdTime", "-createdTime"} {
			ts := e.pageAll(t, "/api/v1/tickets?departmentId="+d+"&sortBy="+sb, 0)
			for i := 1; i < len(ts); i++ {
				c := msOf(t, ts[i-1]["createdTime"]) - msOf(t, ts[i]["createdTime"])
				if (sb == "createdTime" && c > 0) || (sb == "-createdTime" && c < 0) {
					t.Fatalf("%s out of order at %d", sb, i)
				}
				if _, ok := ts[i]["modifiedTime"]; ok {
					t.Fatal("the list's items carry no modifiedTime")
				}
			}
			if sb == "createdTime" {
				total += len(ts)
			}
		}
	}
	if total != 120 {
		t.Fatalf("departments hold %d tickets, want 120", total)
	}
	window := url.QueryEscape(desk.FormatTimeRange(time.Unix(0, 0), e.s.Now()))
	for _, sb := range []string{"modifiedTime", "-modifiedTime"} {
		ts := e.pageAll(t, "/api/v1/tickets/search?modifiedTimeRange="+window+"&sortBy="+sb, 0)
		if len(ts) != 120 {
			t.Fatalf("%s: %d", sb, len(ts))
		}
		for i := 1; i < len(ts); i++ {
			c := msOf(t, ts[i-1]["modifiedTime"]) - msOf(t, ts[i]["modifiedTime"])
			if (sb == "modifiedTime" && c > 0) || (sb == "-modifiedTime" && c < 0) {
				t.Fatalf("%s out of order at %d", sb, i)
			}
		}
	}
	// Comments: oldest first unless asked otherwise.
	tk := e.s.portals[0].tickets[0]
	for i := 0; i < 3; i++ {
		e.s.Advance(time.Second)
		if _, err := e.s.AgentComment(e.org, tk.ID, "alice@acme-support.example", fmt.Sprint("c", i)); err != nil {
			t.Fatal(err)
		}
	}
	cs := e.pageAll(t, "/api/v1/tickets/"+tk.ID+"/comments?sortBy=commentedTime", 0)
	def := e.pageAll(t, "/api/v1/tickets/"+tk.ID+"/comments?include=mentions", 0)
	if len(cs) < 3 || cs[len(cs)-1]["content"] != "c2" || def[len(def)-1]["content"] != "c2" {
		t.Fatalf("comments %v", cs)
	}
}

// TestSearchLag: a write reaches the searches SearchLag later; the lists
// show it at once.
func TestSearchLag(t *testing.T) {
	s := New(Options{Seed: 3, Contacts: 10, Accounts: 3, Tickets: 10, SearchLag: 5 * time.Second, CheckAnswers: true})
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	e := &tenv{s: s, srv: srv, tok: s.Info().Users[0].AccessToken, org: s.DefaultOrgID(), dep: s.Info().Portals[0].Departments[0]}
	id, err := s.CreateContact(e.org, map[string]any{"lastName": "Lagged", "email": "lag@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	since := url.QueryEscape(desk.FormatTimeRange(s.Now().Add(-time.Second), s.Now().Add(time.Hour)))
	count := func(path string) int {
		st, b, _ := e.do(t, "GET", path, nil)
		if st == 204 {
			return 0
		}
		var p struct {
			Data  []map[string]any
			Count any
		}
		if err := json.Unmarshal(b, &p); err != nil {
			t.Fatalf("%s: %s", path, b)
		}
		if p.Count != nil && fmt.Sprint(p.Count) != strconv.Itoa(len(p.Data)) {
			t.Fatalf("count %s for %d hits", p.Count, len(p.Data))
		}
		return len(p.Data)
	}
	if n := count("/api/v1/contacts/search?_all=lag@example.com"); n != 0 {
		t.Fatalf("found at once: %d", n)
	}
	if n := count("/api/v1/contacts/search?modifiedTimeRange=" + since); n != 0 {
		t.Fatalf("found by time at once: %d", n)
	}
	if n := count("/api/v1/contacts?sortBy=-createdTime&limit=1"); n != 1 {
		t.Fatal("the list does not lag")
	}
	s.Advance(4 * time.Second)
	if n := count("/api/v1/contacts/search?_all=lag@example.com"); n != 0 {
		t.Fatalf("found before the lag passed: %d", n)
	}
	s.Advance(time.Second + time.Millisecond)
	if n := count("/api/v1/contacts/search?_all=lag@example.com"); n != 1 {
		t.Fatalf("not found after the lag: %d", n)
	}
	if n := count("/api/v1/contacts/search?modifiedTimeRange=" + since); n != 1 {
		t.Fatalf("not found by time after the lag: %d", n)
	}
	// An edit hides the record's new version until the index has it: the
	// search still finds the old one by its old modifiedTime.
	if err := s.EditContact(e.org, id, map[string]any{"title": "CTO"}); err != nil {
		t.Fatal(err)
	}
	after := url.QueryEscape(desk.FormatTimeRange(s.Now().Add(-time.Millisecond), s.Now().Add(time.Hour)))
	if n := count("/api/v1/contacts/search?modifiedTimeRange=" + after); n != 0 {
		t.Fatalf("the edit is searchable at once: %d", n)
	}
	s.Advance(6 * time.Second)
	if n := count("/api/v1/contacts/search?modifiedTimeRange=" + after); n != 1 {
		t.Fatalf("the edit never reached the index: %d", n)
	}
	for _, v := range s.Violations() {
		t.Error(v)
	}
}

// TestConcurrencyCap: beyond the portal's cap of concurrent calls, Desk
// answers 429 TOO_MANY_REQUESTS; beyond its daily credits, 429
// THRESHOLD_EXCEEDED.
func TestConcurrencyCap(t *testing.T) {
	s := New(Options{Seed: 3, Contacts: 5, Accounts: 2, Tickets: 5, Concurrency: 2, Latency: 300 * time.Millisecond})
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	e := &tenv{s: s, srv: srv, tok: s.Info().Users[0].AccessToken, org: s.DefaultOrgID()}
	var wg sync.WaitGroup
	codes := make(chan string, 5)
	for range 5 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, b, _ := e.do(t, "GET", "/api/v1/myinfo", nil)
			if st == 429 {
				var eb struct{ ErrorCode string }
				_ = json.Unmarshal(b, &eb)
				codes <- eb.ErrorCode
				return
			}
			codes <- strconv.Itoa(st)
		}()
	}
	wg.Wait()
	close(codes)
	got := map[string]int{}
	for c := range codes {
		got[c]++
	}
	if got["200"] != 2 || got[desk.CodeTooManyRequests] != 3 {
		t.Fatalf("%v", got)
	}
	if desk.PlanConcurrency("ENTERPRISE") != 25 || desk.PlanConcurrency("Professional") != 15 || desk.PlanConcurrency("standard") != 10 ||
		desk.PlanConcurrency("Express") != 10 || desk.PlanConcurrency("FREE") != 5 || desk.PlanConcurrency("unknown") != 5 {
		t.Fatal("plan caps")
	}

	s = New(Options{Seed: 3, Contacts: 5, Accounts: 2, Tickets: 5, DailyCredits: 3})
	srv2 := httptest.NewServer(s)
	t.Cleanup(srv2.Close)
	e = &tenv{s: s, srv: srv2, tok: s.Info().Users[0].AccessToken, org: s.DefaultOrgID()}
	for i := range 4 {
		st, b, _ := e.do(t, "GET", "/api/v1/myinfo", nil)
		if (i < 3) != (st == 200) || (i == 3 && !strings.Contains(string(b), desk.CodeThresholdExceeded)) {
			t.Fatalf("call %d: %d %s", i, st, b)
		}
	}
	s.Advance(24 * time.Hour)
	if st, _, _ := e.do(t, "GET", "/api/v1/myinfo", nil); st != 200 {
		t.Fatalf("credits did not come back the next day: %d", st)
	}
}
func TestDeterministicBySeed(t *testing.T) {
	summary := func(s *Server) string {
		var b strings.Builder
		p := s.portals[0]
		for _, t := range p.tickets {
			fmt.Fprintf(&b, "%s|%s|%s|%s|%d\n", t.ID, t.Subject, t.ContactID, t.Status, len(t.threads))
		}
		for _, c := range p.contacts {
			fmt.Fprintf(&b, "%s|%s|%s|%s\n", c.ID, c.FirstName, c.LastName, c.Email)
		}
		return b.String()
	}
	a, b, c := New(Options{Seed: 9}), New(Options{Seed: 9}), New(Options{Seed: 10})
	if summary(a) != summary(b) {
		t.Fatal("same seed, different data")
	}
	if summary(a) == summary(c) {
		t.Fatal("different seeds, same data")
	}
	// realistic data: Japanese names and hostile HTML are present
	var jp, hostileHTML bool
	for _, ct := range a.portals[0].contacts {
		if strings.ContainsAny(ct.LastName, "山佐鈴高田伊渡中小加") {
			jp = true
		}
	}
	for _, t := range a.portals[0].tickets {
		if strings.Contains(t.Description, "<script>") || strings.Contains(t.Description, "onerror") {
			hostileHTML = true
		}
	}
	if !jp || !hostileHTML {
		t.Fatalf("jp=%v hostile=%v", jp, hostileHTML)
	}
}

func TestControlAPI(t *testing.T) {
	e := newTEnv(t)
	post := func(path string, body any) (int, map[string]any) {
		st, b, _ := e.do(t, "POST", path, body)
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		return st, m
	}
	var info Info
	_ = json.Unmarshal(e.get(t, "/_emu/info"), &info)
	if len(info.Portals) != 3 || info.Portals[2].AdminEmail == "" || info.ClientID == "" {
		t.Fatalf("%+v", info)
	}
	tid := e.s.portals[0].tickets[0].ID
	base := "/_emu/orgs/default/tickets/" + tid + "/"
	kenjiID := e.s.AgentID(e.org, "kenji@acme-support.example")
	for path, body := range map[string]any{
		"customer-reply": map[string]any{"content": "<p>hello?</p>"},
		"comment":        map[string]any{"agentEmail": "alice@acme-support.example", "content": "look", "mentions": []string{kenjiID}},
		"escalate":       map[string]any{"escalated": true},
		"due":            map[string]any{"dueDate": time.Now().Add(-time.Hour)},
		"status":         map[string]any{"status": "On Hold"},
		"rating":         map[string]any{"rating": "GOOD", "feedback": "great"},
	} {
		if st, m := post(base+path, body); st != 200 {
			t.Fatalf("%s: %d %v", path, st, m)
		}
	}
	var tk map[string]any
	_ = json.Unmarshal(e.get(t, "/api/v1/tickets/"+tid), &tk)
	if tk["isEscalated"] != true || tk["isOverDue"] != true || tk["status"] != "On Hold" || tk["statusType"] != "On Hold" {
		t.Fatalf("%v", tk)
	}
	// Comments come oldest first; the mention carries kenji's Zoho user id.
	var cm struct{ Data []map[string]any }
	_ = json.Unmarshal(e.get(t, "/api/v1/tickets/"+tid+"/comments"), &cm)
	kenjiZUID := e.s.portals[0].agentByID(kenjiID).User.ID
	if last := cm.Data[len(cm.Data)-1]; kenjiZUID == kenjiID || !strings.HasPrefix(last["content"].(string), "zsu[@user:"+kenjiZUID+"]zsu ") {
		t.Fatalf("%v", last)
	}
	if st, m := post(base+"status", map[string]any{"status": "Bogus"}); st != 422 {
		t.Fatalf("%d %v", st, m)
	}
	if st, _ := post("/_emu/orgs/default/tickets/nope/escalate", map[string]any{}); st != 404 {
		t.Fatalf("unknown ticket: %d", st)
	}
	st, m := post("/_emu/orgs/default/contacts", map[string]any{"lastName": "鈴木", "firstName": "一郎", "email": "ichiro@example.jp"})
	if st != 200 {
		t.Fatalf("%d %v", st, m)
	}
	if st, _, _ := e.do(t, "PATCH", "/_emu/orgs/default/contacts/"+m["id"].(string), map[string]any{"title": "CTO"}); st != 200 {
		t.Fatal(st)
	}
	st, m = post("/_emu/orgs/default/tickets", map[string]any{"subject": "from Desk", "contactId": m["id"]})
	if st != 200 {
		t.Fatalf("%d %v", st, m)
	}
	if st, m := post("/_emu/clock/advance", map[string]any{"duration": "90m"}); st != 200 || m["now"] == "" {
		t.Fatal(st, m)
	}
	// faults over HTTP
	if st, m := post("/_emu/faults", map[string]any{"kind": "status", "status": 503, "path": "/api/v1/myinfo", "retryAfter": "2", "times": 1}); st != 200 || m["id"] == nil {
		t.Fatal(st, m)
	}
	st, b, h := e.do(t, "GET", "/api/v1/myinfo", nil)
	if st != 503 || h.Get("Retry-After") != "2" || !strings.Contains(string(b), "SERVICE_UNAVAILABLE") {
		t.Fatalf("%d %s", st, b)
	}
	if st, _, _ := e.do(t, "GET", "/api/v1/myinfo", nil); st != 200 {
		t.Fatal("fault with times=1 should be gone")
	}
	post("/_emu/faults", map[string]any{"kind": "latency", "latencyMs": 1})
	if st, _, _ := e.do(t, "DELETE", "/_emu/faults", nil); st != 204 {
		t.Fatal(st)
	}
	// request log
	var log []LogEntry
	_ = json.Unmarshal(e.get(t, "/_emu/requests"), &log)
	found := false
	for _, l := range log {
		if l.Path == "/api/v1/myinfo" && l.Status == 503 && l.Method == "GET" && l.OrgID == e.org {
			found = true
		}
	}
	if !found {
		t.Fatalf("log lacks the 503: %+v", log)
	}
	e.do(t, "DELETE", "/_emu/requests", nil)
	if n := len(e.s.Requests()); n != 1 { // the DELETE itself
		t.Fatalf("log not reset: %d", n)
	}
}

func TestRandomFaultsAreSeeded(t *testing.T) {
	run := func() string {
		e := newTEnv(t)
		e.s.AddFault(Fault{Kind: FaultStatus, Status: 500, Rate: 0.5, Path: "/api/v1/myinfo"})
		var b strings.Builder
		for i := 0; i < 30; i++ {
			st, _, _ := e.do(t, "GET", "/api/v1/myinfo", nil)
			fmt.Fprint(&b, st/100)
		}
		return b.String()
	}
	a, b := run(), run()
	if a != b || !strings.Contains(a, "5") || !strings.Contains(a, "2") {
		t.Fatalf("%s vs %s", a, b)
	}
}

func TestDropAndMalformed(t *testing.T) {
	e := newTEnv(t)
	e.s.AddFault(Fault{Kind: FaultDrop, Path: "/api/v1/myinfo", Times: 1})
	req, _ := http.NewRequest("GET", e.srv.URL+"/api/v1/myinfo", nil)
	if _, err := http.DefaultClient.Do(req); err == nil {
		t.Fatal("dropped connection answered")
	}
	e.s.AddFault(Fault{Kind: FaultMalformed, Path: "/api/v1/myinfo", Times: 1})
	_, b, _ := e.do(t, "GET", "/api/v1/myinfo", nil)
	if json.Valid(b) {
		t.Fatalf("malformed fault produced valid JSON: %s", b)
	}
	// The dropped request is logged by its handler after the connection is
	// closed, so the client may be told before the log is: wait for both.
	var logs []LogEntry
	for deadline := time.Now().Add(2 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if logs = e.s.Requests(); len(logs) >= 2 || time.Now().After(deadline) {
			break
		}
	}
	statuses := map[int]int{}
	for _, l := range logs {
		statuses[l.Status]++
	}
	if len(logs) != 2 || statuses[0] != 1 || statuses[200] != 1 {
		t.Fatalf("%+v", logs)
	}
}

func TestOAuthEndpoints(t *testing.T) {
	e := newTEnv(t)
	info := e.s.Info()
	token := func(form url.Values) map[string]any {
		resp, err := http.PostForm(e.srv.URL+"/oauth/v2/token", form)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&m)
		return m
	}
	if m := token(url.Values{"grant_type": {"refresh_token"}, "client_id": {info.ClientID}, "client_secret": {"wrong"}, "refresh_token": {info.Users[0].RefreshToken}}); m["error"] != "invalid_client" {
		t.Fatal(m)
	}
	m := token(url.Values{"grant_type": {"refresh_token"}, "client_id": {info.ClientID}, "client_secret": {info.ClientSecret}, "refresh_token": {info.Users[0].RefreshToken}})
	if m["access_token"] == nil || m["expires_in"] != float64(3600) || m["api_domain"] != e.srv.URL || m["refresh_token"] != nil {
		t.Fatal(m)
	}
	// auth: space-separated scopes are refused; comma-separated work
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for scope, wantErr := range map[string]bool{"Desk.tickets.ALL Desk.basic.READ": true, "Desk.tickets.ALL,Desk.basic.READ": false} {
		q := url.Values{"response_type": {"code"}, "client_id": {info.ClientID}, "scope": {scope}, "redirect_uri": {"http://127.0.0.1:9/cb"}, "state": {"s1"}, "login_hint": {"carol@acme-support.example"}}
		resp, err := noFollow.Get(e.srv.URL + "/oauth/v2/auth?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc, _ := url.Parse(resp.Header.Get("Location"))
		if resp.StatusCode != 302 || loc.Query().Get("state") != "s1" || (loc.Query().Get("error") != "") != wantErr {
			t.Fatalf("%q: %d %s", scope, resp.StatusCode, loc)
		}
		if !wantErr {
			m := token(url.Values{"grant_type": {"authorization_code"}, "client_id": {info.ClientID}, "client_secret": {info.ClientSecret},
				"code": {loc.Query().Get("code")}, "redirect_uri": {"http://127.0.0.1:9/cb"}})
			if m["refresh_token"] == nil {
				t.Fatal(m)
			}
			e.tok = m["access_token"].(string)
			var me map[string]any
			_ = json.Unmarshal(e.get(t, "/api/v1/myinfo"), &me)
			if me["emailId"] != "carol@acme-support.example" {
				t.Fatal(me)
			}
			// codes are single-use
			if m := token(url.Values{"grant_type": {"authorization_code"}, "client_id": {info.ClientID}, "client_secret": {info.ClientSecret},
				"code": {loc.Query().Get("code")}, "redirect_uri": {"http://127.0.0.1:9/cb"}}); m["error"] != "invalid_code" {
				t.Fatal(m)
			}
		}
	}
	q := url.Values{"response_type": {"code"}, "client_id": {info.ClientID}, "scope": {"x"}, "redirect_uri": {"https://evil.example/cb"}}
	resp, _ := noFollow.Get(e.srv.URL + "/oauth/v2/auth?" + q.Encode())
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Fatalf("non-loopback redirect: %d", resp.StatusCode)
	}
}

func TestStartLoopbackOnly(t *testing.T) {
	s := New(Options{Contacts: 3, Accounts: 2, Tickets: 5})
	if _, err := s.Start("0.0.0.0:0"); err == nil {
		t.Fatal("listened on a public address")
	}
	r, err := s.Start("")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	resp, err := http.Get(r.URL + "/_emu/info")
	if err != nil || resp.StatusCode != 200 {
		t.Fatal(err)
	}
	resp.Body.Close()
}

// BenchmarkEmulatorTicketsPage serves a 100-ticket page (include=contacts,
// sortBy=createdTime) over loopback HTTP; target ≤ 2 ms.
func BenchmarkEmulatorTicketsPage(b *testing.B) {
	s := New(Options{Seed: 1, Contacts: 500, Accounts: 100, Tickets: 5000})
	srv := httptest.NewServer(s)
	defer srv.Close()
	tok := s.Info().Users[0].AccessToken
	org := s.DefaultOrgID()
	dep := s.Info().Portals[0].Departments[0]
	hc := srv.Client()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		from := (i * 100) % 2000
		i++
		req, _ := http.NewRequest("GET", fmt.Sprintf("%s/api/v1/tickets?departmentId=%s&from=%d&limit=100&sortBy=createdTime&include=contacts", srv.URL, dep, from), nil)
		req.Header.Set("Authorization", "Zoho-oauthtoken "+tok)
		req.Header.Set("orgId", org)
		resp, err := hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || n < 10000 {
			b.Fatalf("%d %d", resp.StatusCode, n)
		}
		if i%1000 == 0 {
			s.ResetRequests()
		}
	}
}

// TestModifiedTimeMovesOnEveryEdit: generated records are not dated after
// the emulator's clock, and every edit moves a record's modifiedTime
// forward by at least a millisecond, even within one millisecond.
func TestModifiedTimeMovesOnEveryEdit(t *testing.T) {
	s := New(Options{Seed: 5, Contacts: 50, Accounts: 20, Tickets: 50})
	org := s.DefaultOrgID()
	now := s.Now()
	var cid, aid string
	_ = s.withPortal(org, func(p *portal) error {
		for _, c := range p.contacts {
			if c.Modified.After(now) {
				t.Errorf("contact %s modified at %v, after the clock %v", c.ID, c.Modified, now)
			}
		}
		for _, a := range p.accounts {
			if a.Modified.After(now) {
				t.Errorf("account %s modified at %v, after the clock %v", a.ID, a.Modified, now)
			}
		}
		for _, tk := range p.tickets {
			if tk.Modified.After(now) {
				t.Errorf("ticket %s modified at %v, after the clock %v", tk.ID, tk.Modified, now)
			}
		}
		cid, aid = p.contacts[0].ID, p.accounts[0].ID
		return nil
	})
	stamp := func(contact bool) time.Time {
		var m time.Time
		_ = s.withPortal(org, func(p *portal) error {
			if contact {
				m = p.contactsBy[cid].Modified
			} else {
				m = p.accountsBy[aid].Modified
			}
			return nil
		})
		return m
	}
	prevC, prevA := stamp(true), stamp(false)
	for i := 0; i < 20; i++ {
		if err := s.EditContact(org, cid, map[string]any{"title": fmt.Sprint("t", i)}); err != nil {
			t.Fatal(err)
		}
		if err := s.EditAccount(org, aid, map[string]any{"city": fmt.Sprint("c", i)}); err != nil {
			t.Fatal(err)
		}
		c, a := stamp(true), stamp(false)
		if !c.After(prevC) || !a.After(prevA) {
			t.Fatalf("edit %d: modifiedTime did not move: contact %v → %v, account %v → %v", i, prevC, c, prevA, a)
		}
		prevC, prevA = c, a
	}
}
