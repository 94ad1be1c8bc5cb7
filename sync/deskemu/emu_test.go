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
	"sort"
	"strings"
	"testing"
	"time"
)

type tenv struct {
	s   *Server
	srv *httptest.Server
	tok string
	org string
}

func newTEnv(t testing.TB) *tenv {
	s := New(Options{Seed: 3, Contacts: 40, Accounts: 10, Tickets: 120})
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return &tenv{s: s, srv: srv, tok: s.Info().Users[0].AccessToken, org: s.DefaultOrgID()}
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

// shape maps each key path (array elements as []) to the JSON kinds seen
// there; "null" is tracked apart because Desk sends null for unset fields.
type shape map[string]map[string]bool

func kindOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "bool"
	case float64:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	default:
		return "object"
	}
}

func (s shape) add(path string, v any) {
	if s[path] == nil {
		s[path] = map[string]bool{}
	}
	s[path][kindOf(v)] = true
	if strings.HasSuffix(path, ".cf") {
		return // custom fields differ per portal
	}
	switch x := v.(type) {
	case map[string]any:
		for k, c := range x {
			s.add(path+"."+k, c)
		}
	case []any:
		for _, c := range x {
			s.add(path+"[]", c)
		}
	}
}

func shapeOf(t *testing.T, data []byte) shape {
	t.Helper()
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatalf("%v: %s", err, data)
	}
	s := shape{}
	s.add("$", v)
	return s
}

// compareShapes fails when a key exists on one side only, or when both
// sides have non-null values of different kinds at the same path.
func compareShapes(t *testing.T, name string, fixture, emu shape) {
	t.Helper()
	var diffs []string
	for p, fk := range fixture {
		ek, ok := emu[p]
		if !ok {
			diffs = append(diffs, "emulator lacks "+p)
			continue
		}
		fn, en := nonNull(fk), nonNull(ek)
		if fn != "" && en != "" && fn != en {
			diffs = append(diffs, fmt.Sprintf("%s: fixture %s, emulator %s", p, fn, en))
		}
	}
	for p := range emu {
		if _, ok := fixture[p]; !ok {
			diffs = append(diffs, "fixture lacks "+p)
		}
	}
	sort.Strings(diffs)
	for _, d := range diffs {
		t.Errorf("%s: %s", name, d)
	}
}

func nonNull(k map[string]bool) string {
	var out []string
	for x := range k {
		if x != "null" {
			out = append(out, x)
		}
	}
	sort.Strings(out)
	return strings.Join(out, "|")
}

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "desk", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestFixtureShapes keeps the emulator and the client's golden fixtures
// (written from desk-api.md) in step: same keys, same JSON kinds.
func TestFixtureShapes(t *testing.T) {
	e := newTEnv(t)
	var page struct {
		Data []struct {
			ID           string `json:"id"`
			ThreadCount  string `json:"threadCount"`
			CommentCount string `json:"commentCount"`
		} `json:"data"`
	}
	tickets := e.get(t, "/api/v1/tickets?from=0&limit=100&sortBy=-modifiedTime&include=contacts")
	_ = json.Unmarshal(tickets, &page)
	var withThreads, withComments string
	for _, tk := range page.Data {
		if tk.ThreadCount >= "2" && withThreads == "" {
			withThreads = tk.ID
		}
		if tk.CommentCount >= "1" && withComments == "" {
			withComments = tk.ID
		}
	}
	threads := e.get(t, "/api/v1/tickets/"+withThreads+"/threads?limit=100")
	var th struct {
		Data []struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	_ = json.Unmarshal(threads, &th)
	st, errBody, _ := e.do(t, "POST", "/api/v1/contacts", map[string]any{"firstName": "x"})
	if st != 422 {
		t.Fatalf("create without lastName: %d", st)
	}
	for fixture, body := range map[string][]byte{
		"organizations.json":  e.get(t, "/api/v1/organizations"),
		"myinfo.json":         e.get(t, "/api/v1/myinfo"),
		"contacts_page.json":  e.get(t, "/api/v1/contacts?limit=100"),
		"accounts_page.json":  e.get(t, "/api/v1/accounts?limit=100"),
		"tickets_page.json":   tickets,
		"ticket.json":         e.get(t, "/api/v1/tickets/"+page.Data[0].ID),
		"threads.json":        threads,
		"thread.json":         e.get(t, "/api/v1/tickets/"+withThreads+"/threads/"+th.Data[0].ID),
		"comments.json":       e.get(t, "/api/v1/tickets/"+withComments+"/comments?limit=100"),
		"ratings.json":        e.get(t, "/api/v1/customerHappiness?limit=100"),
		"fields_tickets.json": e.get(t, "/api/v1/organizationFields?module=tickets"),
		"error.json":          errBody,
	} {
		compareShapes(t, fixture, shapeOf(t, readFixture(t, fixture)), shapeOf(t, body))
	}
}

func TestPagingAndErrors(t *testing.T) {
	e := newTEnv(t)
	st, b, _ := e.do(t, "GET", "/api/v1/tickets?limit=101", nil)
	if st != 422 || !strings.Contains(string(b), `"errorCode":"UNPROCESSABLE_ENTITY"`) || !strings.Contains(string(b), `"fieldName":"limit"`) {
		t.Fatalf("%d %s", st, b)
	}
	st, b, _ = e.do(t, "GET", "/api/v1/tickets?from=100000&limit=10", nil)
	if st != 204 || len(b) != 0 {
		t.Fatalf("empty page: %d %q", st, b)
	}
	st, b, _ = e.do(t, "GET", "/api/v1/tickets?sortBy=subject", nil)
	if st != 422 {
		t.Fatalf("sortBy: %d %s", st, b)
	}
	st, b, _ = e.do(t, "GET", "/api/v1/tickets", nil, "Authorization", "")
	if st != 401 || !strings.Contains(string(b), `"errorCode":"INVALID_OAUTH"`) {
		t.Fatalf("no token: %d %s", st, b)
	}
	st, b, _ = e.do(t, "GET", "/api/v1/tickets", nil, "Authorization", "Zoho-oauthtoken bogus")
	if st != 401 {
		t.Fatalf("bad token: %d %s", st, b)
	}
	st, b, _ = e.do(t, "GET", "/api/v1/tickets", nil, "orgId", "")
	if st != 422 || !strings.Contains(string(b), `"fieldName":"orgId"`) {
		t.Fatalf("no orgId: %d %s", st, b)
	}
	st, _, _ = e.do(t, "GET", "/api/v1/tickets", nil, "orgId", "42")
	if st != 403 {
		t.Fatalf("unknown org: %d", st)
	}
	st, _, _ = e.do(t, "GET", "/api/v1/organizations", nil, "orgId", "")
	if st != 200 {
		t.Fatalf("organizations without orgId: %d", st)
	}
	st, b, _ = e.do(t, "GET", "/api/v1/nothing/here", nil)
	if st != 404 || !strings.Contains(string(b), "URL_NOT_FOUND") {
		t.Fatalf("unknown URL: %d %s", st, b)
	}
	st, b, _ = e.do(t, "GET", "/api/v1/tickets/123", nil)
	if st != 404 || !strings.Contains(string(b), "RESOURCE_NOT_FOUND") {
		t.Fatalf("unknown ticket: %d %s", st, b)
	}
}

func TestSortOrders(t *testing.T) {
	e := newTEnv(t)
	type tk struct {
		ID           string    `json:"id"`
		CreatedTime  time.Time `json:"createdTime"`
		ModifiedTime time.Time `json:"modifiedTime"`
	}
	all := func(sortBy string) []tk {
		var out []tk
		for from := 0; ; from += 100 {
			st, b, _ := e.do(t, "GET", fmt.Sprintf("/api/v1/tickets?from=%d&limit=100&sortBy=%s", from, sortBy), nil)
			if st == 204 {
				return out
			}
			var p struct{ Data []tk }
			_ = json.Unmarshal(b, &p)
			out = append(out, p.Data...)
			if len(p.Data) < 100 {
				return out
			}
		}
	}
	for _, sb := range []string{"modifiedTime", "-modifiedTime", "createdTime", "-createdTime"} {
		ts := all(sb)
		if len(ts) != 120 {
			t.Fatalf("%s: %d", sb, len(ts))
		}
		for i := 1; i < len(ts); i++ {
			a, b := ts[i-1], ts[i]
			var c int
			if strings.HasSuffix(sb, "modifiedTime") {
				c = a.ModifiedTime.Compare(b.ModifiedTime)
			} else {
				c = a.CreatedTime.Compare(b.CreatedTime)
			}
			if strings.HasPrefix(sb, "-") {
				c = -c
			}
			if c > 0 {
				t.Fatalf("%s out of order at %d", sb, i)
			}
		}
	}
	// an edit moves a ticket to the top of -modifiedTime
	last := all("-modifiedTime")[119]
	if err := e.s.EditTicket(e.org, last.ID, map[string]any{"priority": "Low"}); err != nil {
		t.Fatal(err)
	}
	if top := all("-modifiedTime")[0]; top.ID != last.ID {
		t.Fatalf("edit did not bump modifiedTime")
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
	if a.Info().Portals[0].ZSCKey != b.Info().Portals[0].ZSCKey {
		t.Fatal("ZSC keys differ")
	}
	// realistic data: Japanese names and hostile HTML are present
	var jp, hostileHTML bool
	for _, ct := range a.portals[0].contacts {
		if strings.ContainsAny(ct.LastName, "山佐鈴高田伊渡中小加") {
			jp = true
		}
	}
	for _, t := range a.portals[0].tickets {
		if strings.Contains(t.description, "<script>") || strings.Contains(t.description, "onerror") {
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
	if len(info.Portals) != 3 || info.Portals[2].ZSCKey == "" || info.ClientID == "" {
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
	var cm struct{ Data []map[string]any }
	_ = json.Unmarshal(e.get(t, "/api/v1/tickets/"+tid+"/comments"), &cm)
	if !strings.HasPrefix(cm.Data[0]["content"].(string), "zsu[@user:"+kenjiID+"]zsu ") {
		t.Fatalf("%v", cm.Data[0])
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
// sortBy=-modifiedTime) over loopback HTTP; target ≤ 2 ms.
func BenchmarkEmulatorTicketsPage(b *testing.B) {
	s := New(Options{Seed: 1, Contacts: 500, Accounts: 100, Tickets: 5000})
	srv := httptest.NewServer(s)
	defer srv.Close()
	tok := s.Info().Users[0].AccessToken
	org := s.DefaultOrgID()
	hc := srv.Client()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		from := (i * 100) % 4900
		i++
		req, _ := http.NewRequest("GET", fmt.Sprintf("%s/api/v1/tickets?from=%d&limit=100&sortBy=-modifiedTime&include=contacts", srv.URL, from), nil)
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
			if time.Time(c.ModifiedTime).After(now) {
				t.Errorf("contact %s modified at %v, after the clock %v", c.ID, time.Time(c.ModifiedTime), now)
			}
		}
		for _, a := range p.accounts {
			if time.Time(a.ModifiedTime).After(now) {
				t.Errorf("account %s modified at %v, after the clock %v", a.ID, time.Time(a.ModifiedTime), now)
			}
		}
		for _, tk := range p.tickets {
			if time.Time(tk.ModifiedTime).After(now) {
				t.Errorf("ticket %s modified at %v, after the clock %v", tk.ID, time.Time(tk.ModifiedTime), now)
			}
		}
		cid, aid = p.contacts[0].ID, p.accounts[0].ID
		return nil
	})
	stamp := func(contact bool) time.Time {
		var m time.Time
		_ = s.withPortal(org, func(p *portal) error {
			if contact {
				m = time.Time(p.contactsBy[cid].ModifiedTime)
			} else {
				m = time.Time(p.accountsBy[aid].ModifiedTime)
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

// TestSortedWindowMatchesFullSort: a first page picked without sorting the
// whole list is the same as the window of a stable full sort.
func TestSortedWindowMatchesFullSort(t *testing.T) {
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	type rec struct{ c, m time.Time }
	items := make([]rec, 400)
	for i := range items {
		items[i] = rec{base.Add(time.Duration(i) * time.Second), base.Add(time.Duration((i*7919)%37) * time.Millisecond)} // many ties
	}
	created := func(r rec) time.Time { return r.c }
	modified := func(r rec) time.Time { return r.m }
	for _, sortBy := range []string{"modifiedTime", "-modifiedTime", "-createdTime", "createdTime"} {
		all, err := sortedWindow(items, sortBy, 0, len(items), created, modified)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range [][2]int{{0, 10}, {0, 50}, {10, 20}, {90, 10}, {390, 50}} {
			got, _ := sortedWindow(items, sortBy, w[0], w[1], created, modified)
			want := window(all, w[0], w[1])
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("%s window %v: got %v, want %v", sortBy, w, got, want)
			}
		}
	}
}
