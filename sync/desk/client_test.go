package desk_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/sync/desk"
	"github.com/tandem-crm/tandem/sync/deskemu"
)

var fastRetry = desk.RetryPolicy{MaxAttempts: 4, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond, MaxWait: 3 * time.Second}

type env struct {
	emu  *deskemu.Server
	srv  *httptest.Server
	info deskemu.Info
	org  string
	dep  string // the main portal's default department
}

// searchLag is how far the emulator's search index lags writes in these
// tests (real Desk: seconds).
const searchLag = 2 * time.Second

// newEnv starts a strict emulator: it refuses requests that break the
// contract and checks its own answers against it. The test fails if any
// request the client sent, or any answer, broke the contract, unless the
// test took the violations it provoked with e.refused.
func newEnv(t *testing.T) *env {
	t.Helper()
	emu := deskemu.New(deskemu.Options{Seed: 7, Contacts: 40, Accounts: 10, Tickets: 120, SearchLag: searchLag, CheckAnswers: true})
	srv := httptest.NewServer(emu)
	t.Cleanup(srv.Close)
	t.Cleanup(func() {
		for _, v := range emu.Violations() {
			t.Errorf("contract violation: %s", v)
		}
	})
	info := emu.Info()
	return &env{emu: emu, srv: srv, info: info, org: emu.DefaultOrgID(), dep: info.Portals[0].Departments[0]}
}

// settle lets the search index catch up with every write so far.
func (e *env) settle() { e.emu.Advance(searchLag + time.Millisecond) }

// refused returns the contract violations the emulator saw and forgets
// them (for tests that provoke a refusal on purpose).
func (e *env) refused() []deskemu.Violation {
	vs := e.emu.Violations()
	e.emu.ResetViolations()
	return vs
}

// zuid returns the Zoho user id of an agent of the main portal.
func (e *env) zuid(email string) string {
	for _, a := range e.info.Portals[0].Agents {
		if a.Email == email {
			return a.ZUID
		}
	}
	return ""
}

// client returns a client for the user with email (static demo token).
func (e *env) client(t *testing.T, email string) *desk.Client {
	t.Helper()
	var tok string
	for _, u := range e.info.Users {
		if u.Email == email {
			tok = u.AccessToken
		}
	}
	c, err := desk.New(desk.Options{BaseURL: e.srv.URL, OrgID: e.org, Tokens: desk.StaticToken(tok), Retry: fastRetry})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

const (
	alice  = "alice@acme-support.example"
	kenji  = "kenji@acme-support.example"
	carol  = "carol@acme-support.example"
	hanako = "hanako@initech.example"
)

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if err == nil {
		t.Fatalf("want error %s, got nil", code)
	}
	if got := app.ErrorCode(err); got != code {
		t.Fatalf("want code %s, got %s (%v)", code, got, err)
	}
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return c
}

func TestOrganizationsAndMyInfo(t *testing.T) {
	e := newEnv(t)
	c := e.client(t, alice)
	orgs, err := c.Organizations(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(orgs) != 2 || orgs[0].ID != e.org || !orgs[0].IsAdminInOrg || !orgs[0].IsDefault {
		t.Fatalf("orgs = %+v", orgs)
	}
	me, err := c.MyInfo(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if me.EmailID != alice || me.ID == "" || me.ProfileID == "" {
		t.Fatalf("me = %+v", me)
	}
	// organizations must not carry orgId; everything else must.
	for _, r := range e.emu.Requests() {
		if strings.HasSuffix(r.Path, "/organizations") != (r.OrgID == "") {
			t.Errorf("request %s orgId=%q", r.Path, r.OrgID)
		}
	}
}

func TestPermissions(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		email          string
		admin, create  bool
		reply, reasonE bool
	}{
		{alice, true, true, true, false},
		{kenji, false, true, true, false},
		{carol, false, false, false, true},
	} {
		c := e.client(t, tc.email)
		orgs, err := c.Organizations(ctx(t))
		if err != nil {
			t.Fatal(err)
		}
		p, err := c.MyPermissions(ctx(t), orgs[0].IsAdminInOrg)
		if err != nil {
			t.Fatal(err)
		}
		if p.IsAdmin != tc.admin || p.CanCreateTickets != tc.create || p.CanReply != tc.reply || (p.Reason != "") != tc.reasonE {
			t.Errorf("%s: %+v", tc.email, p)
		}
	}
}

func TestSettings(t *testing.T) {
	e := newEnv(t)
	c := e.client(t, alice)
	deps, err := c.Departments(ctx(t))
	if err != nil || len(deps) == 0 || deps[0].Name == "" {
		t.Fatalf("departments %v %v", deps, err)
	}
	for _, m := range []string{desk.ModuleContacts, desk.ModuleAccounts, desk.ModuleTickets} {
		f, err := c.Fields(ctx(t), m)
		if err != nil || len(f) == 0 {
			t.Fatalf("fields %s: %v %v", m, f, err)
		}
	}
	sts, err := c.TicketStatuses(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range sts {
		names = append(names, s.Name)
		if s.Type == "" {
			t.Errorf("status %q has no status type", s.Name)
		}
	}
	if strings.Join(names, ",") != strings.Join(e.info.Portals[0].Statuses, ",") || desk.FirstOpenStatus(sts) != "Open" {
		t.Fatalf("statuses %v", sts)
	}
	_, err = c.Fields(ctx(t), "bogus")
	wantCode(t, err, app.EINVALID)
	if vs := e.refused(); len(vs) != 1 || vs[0].Field != "module" {
		t.Fatalf("refusal %v", vs)
	}
}

func TestContacts(t *testing.T) {
	e := newEnv(t)
	c := e.client(t, kenji)
	page, err := c.ListContacts(ctx(t), desk.ListOptions{Limit: 15, SortBy: "-createdTime"})
	if err != nil || len(page) != 15 {
		t.Fatalf("page: %d %v", len(page), err)
	}
	for i := 1; i < len(page); i++ {
		if page[i].CreatedTime.After(page[i-1].CreatedTime.Time) {
			t.Fatalf("not sorted by -createdTime at %d", i)
		}
	}
	n := 0
	for ct, err := range c.AllContacts(ctx(t), desk.ListOptions{Limit: 7}) {
		if err != nil {
			t.Fatal(err)
		}
		if ct.ID == "" || ct.LastName == "" || ct.CreatedTime.IsZero() {
			t.Fatalf("contact %+v", ct)
		}
		n++
	}
	if n != e.info.Portals[0].Contacts {
		t.Fatalf("AllContacts = %d, want %d", n, e.info.Portals[0].Contacts)
	}

	created, err := c.CreateContact(ctx(t), desk.Fields{"firstName": "太郎", "lastName": "山田", "email": "Taro.Yamada@Example.jp", "cf": map[string]any{"cf_customer_tier": "Gold"}})
	if err != nil {
		t.Fatal(err)
	}
	if created.ID == "" || created.CF["cf_customer_tier"] != "Gold" {
		t.Fatalf("created %+v", created)
	}
	got, err := c.GetContact(ctx(t), created.ID)
	if err != nil || got.LastName != "山田" {
		t.Fatalf("get %+v %v", got, err)
	}
	upd, err := c.UpdateContact(ctx(t), created.ID, desk.Fields{"phone": "+81 3 0000 1111"})
	if err != nil || upd.Phone != "+81 3 0000 1111" || upd.ModifiedTime.Before(created.ModifiedTime.Time) {
		t.Fatalf("update %+v %v", upd, err)
	}
	// Desk's search index lags writes: the new contact is found once it
	// caught up.
	found, err := c.FindContactsByEmail(ctx(t), "taro.yamada@example.JP")
	if err != nil || len(found) != 0 {
		t.Fatalf("found before the index caught up: %v %v", found, err)
	}
	e.settle()
	found, err = c.FindContactsByEmail(ctx(t), "taro.yamada@example.JP")
	if err != nil || len(found) != 1 || found[0].ID != created.ID {
		t.Fatalf("find by email %v %v", found, err)
	}
	none, err := c.FindContactsByEmail(ctx(t), "nobody@nowhere.example")
	if err != nil || len(none) != 0 {
		t.Fatalf("find none (204) %v %v", none, err)
	}

	_, err = c.CreateContact(ctx(t), desk.Fields{"firstName": "No last name"})
	wantCode(t, err, app.EINVALID)
	var ae *desk.APIError
	if !errors.As(err, &ae) || ae.Status != 422 || ae.Code != desk.CodeInvalidData || len(ae.Fields) != 1 ||
		ae.Fields[0].FieldName != "/lastName" || ae.Fields[0].ErrorType != "missing" {
		t.Fatalf("api error %+v", ae)
	}
	if vs := e.refused(); len(vs) != 1 {
		t.Fatalf("refusals %v", vs)
	}
	_, err = c.GetContact(ctx(t), "999")
	wantCode(t, err, app.ENOTFOUND)
	_, err = e.client(t, carol).CreateContact(ctx(t), desk.Fields{"lastName": "X"})
	wantCode(t, err, app.EFORBIDDEN)
}

func TestAccounts(t *testing.T) {
	e := newEnv(t)
	c := e.client(t, alice)
	n := 0
	for _, err := range c.AllAccounts(ctx(t), desk.ListOptions{SortBy: "-modifiedTime"}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != e.info.Portals[0].Accounts {
		t.Fatalf("accounts %d", n)
	}
	a, err := c.CreateAccount(ctx(t), desk.Fields{"accountName": "Tandem Test GmbH", "city": "Köln"})
	if err != nil {
		t.Fatal(err)
	}
	// Desk refuses a second account of the same name with INVALID_DATA,
	// errorType duplicate (Common.json).
	_, err = c.CreateAccount(ctx(t), desk.Fields{"accountName": "tandem test gmbh"})
	wantCode(t, err, app.EINVALID)
	if !desk.IsDuplicate(err, "accountName") {
		t.Fatalf("not a duplicate: %v", err)
	}
	got, err := c.GetAccount(ctx(t), a.ID)
	if err != nil || got.City != "Köln" {
		t.Fatalf("%+v %v", got, err)
	}
	if _, err := c.UpdateAccount(ctx(t), a.ID, desk.Fields{"industry": "Software"}); err != nil {
		t.Fatal(err)
	}
	e.settle()
	found, err := c.FindAccountsByName(ctx(t), "TANDEM TEST GMBH")
	if err != nil || len(found) != 1 || found[0].Industry != "Software" {
		t.Fatalf("%v %v", found, err)
	}
}

func TestTickets(t *testing.T) {
	e := newEnv(t)
	c := e.client(t, kenji)
	page, err := c.ListTickets(ctx(t), e.dep, desk.ListOptions{Limit: 50, SortBy: "-createdTime"})
	if err != nil || len(page) != 50 {
		t.Fatalf("%d %v", len(page), err)
	}
	for i := 1; i < len(page); i++ {
		if page[i].CreatedTime.After(page[i-1].CreatedTime.Time) {
			t.Fatalf("not sorted by -createdTime at %d", i)
		}
		if !page[i].ModifiedTime.IsZero() {
			t.Fatal("the list's items carry no modifiedTime in the definition")
		}
	}
	if page[0].Contact == nil || page[0].Contact.ID != page[0].ContactID {
		t.Fatalf("include=contacts missing: %+v", page[0].Contact)
	}
	n := 0
	for _, dep := range e.info.Portals[0].Departments {
		for _, err := range c.AllTickets(ctx(t), dep, desk.ListOptions{SortBy: "createdTime"}) {
			if err != nil {
				t.Fatal(err)
			}
			n++
		}
	}
	if n != e.info.Portals[0].Tickets {
		t.Fatalf("AllTickets %d want %d", n, e.info.Portals[0].Tickets)
	}
	// early stop at a cursor costs one request
	e.emu.ResetRequests()
	for range c.AllTickets(ctx(t), e.dep, desk.ListOptions{Limit: 10}) {
		break
	}
	if got := len(e.emu.Requests()); got != 1 {
		t.Fatalf("early stop made %d requests", got)
	}

	first := page[0]
	full, err := c.GetTicket(ctx(t), first.ID)
	if err != nil || full.Description == "" || full.ID != first.ID || full.ModifiedTime.IsZero() {
		t.Fatalf("%+v %v", full, err)
	}
	if first.Contact.AccountID() != first.AccountID {
		t.Fatalf("contact.account %+v vs accountId %s", first.Contact.Account, first.AccountID)
	}

	// createTicket requires a status: the client sends the first open one.
	nt, err := c.CreateTicket(ctx(t), desk.NewTicket{Subject: "Printer on fire", DepartmentID: e.dep, ContactID: first.ContactID, Description: "<p>help</p>"})
	if err != nil || nt.ID == "" || nt.TicketNumber == "" || nt.Status != "Open" {
		t.Fatalf("%+v %v", nt, err)
	}
	nt2, err := c.CreateTicket(ctx(t), desk.NewTicket{Subject: "New person", DepartmentID: e.dep,
		Contact: &desk.NewContactRef{Email: "new.person@example.org", LastName: "Person"}})
	if err != nil || nt2.ContactID == "" {
		t.Fatalf("%+v %v", nt2, err)
	}
	latest, _ := c.ListTickets(ctx(t), e.dep, desk.ListOptions{Limit: 1, SortBy: "-createdTime"})
	if latest[0].ID != nt2.ID {
		t.Fatalf("newest created should be the new ticket")
	}
	closed, err := c.SetTicketStatus(ctx(t), nt.ID, "Closed")
	if err != nil || closed.StatusType != desk.StatusTypeClosed || closed.ClosedTime.IsZero() {
		t.Fatalf("%+v %v", closed, err)
	}
	_, err = c.SetTicketStatus(ctx(t), nt.ID, "Nonsense")
	wantCode(t, err, app.EINVALID)
	_, err = e.client(t, carol).CreateTicket(ctx(t), desk.NewTicket{Subject: "x", DepartmentID: e.dep, ContactID: first.ContactID})
	wantCode(t, err, app.EFORBIDDEN)

	// Changes are found by searching a modifiedTime range, once the index
	// caught up.
	window := desk.TimeWindow{From: e.emu.Now().Add(-time.Minute), To: e.emu.Now().Add(time.Hour)}
	res, err := c.SearchTickets(ctx(t), desk.SearchQuery{Modified: window, SortBy: "modifiedTime"})
	if err != nil || len(res.Hits) != 0 {
		t.Fatalf("found before the index caught up: %+v %v", res, err)
	}
	e.settle()
	res, err = c.SearchTickets(ctx(t), desk.SearchQuery{Modified: window, SortBy: "modifiedTime"})
	if err != nil || len(res.Hits) != 2 || res.Count != 2 || res.Hits[0].ID != nt2.ID || res.Hits[1].ID != nt.ID ||
		res.Hits[1].ModifiedTime.Before(res.Hits[0].ModifiedTime.Time) {
		t.Fatalf("search %+v %v", res, err)
	}
}

func TestThreadsRepliesComments(t *testing.T) {
	e := newEnv(t)
	c := e.client(t, kenji)
	tickets, _ := c.ListTickets(ctx(t), e.dep, desk.ListOptions{Limit: 5})
	tk := tickets[0]
	var threads []desk.Thread
	for th, err := range c.AllThreads(ctx(t), tk.ID) {
		if err != nil {
			t.Fatal(err)
		}
		threads = append(threads, th)
	}
	if len(threads) != int(tk.ThreadCount) || threads[0].Content != "" {
		t.Fatalf("threads %d vs %d", len(threads), tk.ThreadCount)
	}
	one, err := c.GetThread(ctx(t), tk.ID, threads[0].ID)
	if err != nil || one.Content == "" || one.ContentType == "" || one.Author == nil {
		t.Fatalf("%+v %v", one, err)
	}
	// The support address replies go from: the listed one, which the
	// conversation shows too.
	// The department lists an inactive address too: it is not usable.
	mras, err := c.MailReplyAddresses(ctx(t), tk.DepartmentID)
	if err != nil || len(mras) < 2 {
		t.Fatalf("mail reply addresses %+v %v", mras, err)
	}
	var from, inactive string
	for _, m := range mras {
		switch {
		case m.Usable() && from == "":
			from = m.Address
		case !m.Usable():
			inactive = m.Address
		}
	}
	if !app.ValidEmail(from) || inactive == "" {
		t.Fatalf("mail reply addresses %+v", mras)
	}
	if _, err := c.SendReply(ctx(t), tk.ID, desk.Reply{Channel: "EMAIL", To: tk.Email, Content: "x"}); app.ErrorCode(err) != app.EINVALID {
		t.Fatalf("a reply without fromEmailAddress: %v", err)
	}
	if vs := e.refused(); len(vs) != 1 || vs[0].Field != "/fromEmailAddress" {
		t.Fatalf("refusals %v", vs)
	}
	if _, err := c.SendReply(ctx(t), tk.ID, desk.Reply{Channel: "EMAIL", FromEmailAddress: inactive, To: tk.Email, Content: "x"}); app.ErrorCode(err) != app.EINVALID {
		t.Fatalf("a reply from an inactive address: %v", err)
	}
	for _, r := range []desk.Reply{
		{To: tk.Email, Content: "<p>reply</p>"},
		{To: tk.Email + ",someone@example.com", Content: "<p>reply all</p>"},
		{To: "boss@example.net", Content: "<p>fwd</p>", IsForward: true},
	} {
		r.FromEmailAddress = from
		if r.To == "" {
			r.To = "fallback@example.com"
		}
		th, err := c.SendReply(ctx(t), tk.ID, r)
		if err != nil {
			t.Fatal(err)
		}
		if th.Direction != desk.DirectionOut || th.IsForward != r.IsForward || th.To != r.To || th.FromEmailAddress != from {
			t.Fatalf("%+v", th)
		}
	}
	_, err = c.SendReply(ctx(t), tk.ID, desk.Reply{FromEmailAddress: from, To: "", Content: "x"})
	wantCode(t, err, app.EINVALID)
	// carol's profile lacks tickets.mailSend.
	_, err = e.client(t, carol).SendReply(ctx(t), tk.ID, desk.Reply{FromEmailAddress: from, To: "a@b.example", Content: "x"})
	wantCode(t, err, app.EFORBIDDEN)

	kenjiID := e.emu.AgentID(e.org, kenji)
	if _, err := e.emu.AgentComment(e.org, tk.ID, alice, "please look", kenjiID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.emu.AgentComment(e.org, tk.ID, alice, "and a second one"); err != nil {
		t.Fatal(err)
	}
	// Oldest first (Desk's default order); the mention's markup carries
	// kenji's Zoho user id, the client reports his agent id and name.
	cs, err := c.ListComments(ctx(t), tk.ID, desk.ListOptions{})
	if err != nil || len(cs) < 2 {
		t.Fatal(err)
	}
	last, prev := cs[len(cs)-1], cs[len(cs)-2]
	if last.Text != "and a second one" || prev.CommentedTime.After(last.CommentedTime.Time) {
		t.Fatalf("not oldest first: %+v", cs)
	}
	if !strings.Contains(prev.Content, desk.EncodeMention(e.zuid(kenji))) || e.zuid(kenji) == kenjiID {
		t.Fatalf("mention markup %q", prev.Content)
	}
	if len(prev.Mentions) != 1 || prev.Mentions[0] != kenjiID || prev.Text != "@Kenji Sato please look" {
		t.Fatalf("mentions %+v text %q", prev.Mentions, prev.Text)
	}
	added, err := c.AddComment(ctx(t), tk.ID, desk.NewComment{Content: desk.EncodeMention(e.zuid(alice)) + " done"})
	// createTicketComment's answer carries no mention list: the mention
	// stays a Zoho user id until the comments are listed again.
	if err != nil || len(added.Mentions) != 1 || added.Mentions[0] != e.zuid(alice) || added.CommenterID != kenjiID {
		t.Fatalf("%+v %v", added, err)
	}
	cs, err = c.ListComments(ctx(t), tk.ID, desk.ListOptions{})
	if err != nil || cs[len(cs)-1].ID != added.ID || cs[len(cs)-1].Mentions[0] != e.emu.AgentID(e.org, alice) ||
		cs[len(cs)-1].Text != "@Alice Moreau done" {
		t.Fatalf("%+v %v", cs[len(cs)-1], err)
	}
}

func TestSignalsFromDeskUsers(t *testing.T) {
	e := newEnv(t)
	c := e.client(t, alice)
	tickets, _ := c.ListTickets(ctx(t), e.dep, desk.ListOptions{Limit: 100, SortBy: "createdTime"})
	old := tickets[0]
	if _, err := e.emu.CustomerReply(e.org, old.ID, "<p>any news?</p>"); err != nil {
		t.Fatal(err)
	}
	e.settle()
	top, _ := c.SearchTickets(ctx(t), desk.SearchQuery{Modified: desk.TimeWindow{From: e.emu.Now().Add(-time.Minute), To: e.emu.Now()}, SortBy: "-modifiedTime", Limit: 1})
	if len(top.Hits) != 1 || top.Hits[0].ID != old.ID || int(top.Hits[0].ThreadCount) != int(old.ThreadCount)+1 {
		t.Fatalf("customer reply did not bump the ticket: %+v", top)
	}
	if err := e.emu.Escalate(e.org, old.ID, true); err != nil {
		t.Fatal(err)
	}
	if err := e.emu.SetStatus(e.org, old.ID, "Open"); err != nil {
		t.Fatal(err)
	}
	if err := e.emu.SetDueDate(e.org, old.ID, e.emu.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	got, _ := c.GetTicket(ctx(t), old.ID)
	if !got.IsEscalated || got.IsOverDue {
		t.Fatalf("%+v", got)
	}
	e.emu.Advance(2 * time.Hour)
	got, _ = c.GetTicket(ctx(t), old.ID)
	if !got.IsOverDue {
		t.Fatal("not overdue after the clock moved")
	}
	id, err := e.emu.Rate(e.org, old.ID, desk.RatingBad, "slow")
	if err != nil {
		t.Fatal(err)
	}
	rs, err := c.ListRatings(ctx(t), desk.RatingQuery{Newest: true, Limit: 5})
	if err != nil || rs[0].ID != id || rs[0].Rating != desk.RatingBad || rs[0].TicketRef() != old.ID || rs[0].RatedTime.IsZero() {
		t.Fatalf("%+v %v", rs, err)
	}
	if _, err := e.emu.Rate(e.org, old.ID, desk.RatingOK, ""); err != nil {
		t.Fatal(err)
	}
	// Oldest first from a time on: the two new ratings, in order.
	rs, err = c.ListRatings(ctx(t), desk.RatingQuery{Since: e.emu.Now().Add(-time.Minute)})
	if err != nil || len(rs) != 2 || rs[0].ID != id || rs[1].Rating != desk.RatingOK {
		t.Fatalf("%+v %v", rs, err)
	}
	if _, err := e.emu.Rate(e.org, old.ID, "NEUTRAL", ""); err == nil {
		t.Fatal("Desk's ratings are GOOD, OK or BAD")
	}
}

func TestHeaderErrors(t *testing.T) {
	e := newEnv(t)
	c := e.client(t, alice)
	_, err := c.WithOrg("").MyInfo(ctx(t))
	wantCode(t, err, app.EINVALID)
	_, err = c.WithOrg("123").MyInfo(ctx(t))
	wantCode(t, err, app.EFORBIDDEN)
	_, err = e.client(t, hanako).MyInfo(ctx(t)) // not a member of Acme
	wantCode(t, err, app.EFORBIDDEN)
	bad, _ := desk.New(desk.Options{BaseURL: e.srv.URL, OrgID: e.org, Tokens: desk.StaticToken("nope"), Retry: fastRetry})
	_, err = bad.MyInfo(ctx(t))
	wantCode(t, err, app.EUNAUTHORIZED)
	if app.ErrorMessage(err) != "Sign in to Zoho Desk again." {
		t.Fatalf("message %q", app.ErrorMessage(err))
	}
	var ae *desk.APIError
	if !errors.As(err, &ae) || ae.Code != desk.CodeInvalidOAuth {
		t.Fatalf("%+v", ae)
	}
	if s := bad.Stats(); s.Requests != 1 || s.Refreshes != 1 {
		t.Fatalf("static token: %+v", s)
	}
}

func TestBaseURLSafety(t *testing.T) {
	for _, u := range []string{"http://example.com", "ftp://127.0.0.1", "http://10.0.0.1:80", "https://"} {
		if _, err := desk.New(desk.Options{BaseURL: u, Tokens: desk.StaticToken("x")}); err == nil {
			t.Errorf("%s accepted", u)
		}
	}
	for _, u := range []string{"http://127.0.0.1:1", "http://localhost:8765", "http://[::1]:9", "https://desk.zoho.eu"} {
		if _, err := desk.New(desk.Options{BaseURL: u, Tokens: desk.StaticToken("x")}); err != nil {
			t.Errorf("%s refused: %v", u, err)
		}
	}
	// a redirect from loopback to plain http elsewhere is refused too
	redir := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://example.com/api/v1/myinfo", http.StatusFound)
	}))
	defer redir.Close()
	c, _ := desk.New(desk.Options{BaseURL: redir.URL, OrgID: "1", Tokens: desk.StaticToken("x"), Retry: desk.RetryPolicy{MaxAttempts: 1}})
	_, err := c.MyInfo(ctx(t))
	if err == nil || !strings.Contains(err.Error(), "plain http") {
		t.Fatalf("redirect: %v", err)
	}
}

func TestFault429RetryAfter(t *testing.T) {
	e := newEnv(t)
	c := e.client(t, alice)
	e.emu.AddFault(deskemu.Fault{Kind: deskemu.FaultStatus, Status: 429, RetryAfter: "1", Path: "/api/v1/tickets", Times: 1})
	start := time.Now()
	if _, err := c.ListTickets(ctx(t), e.dep, desk.ListOptions{Limit: 5}); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 950*time.Millisecond {
		t.Fatalf("Retry-After not honoured: %v", d)
	}
	if s := c.Stats(); s.Retries != 1 || s.Requests != 2 {
		t.Fatalf("%+v", s)
	}
	// A Retry-After beyond the budget gives up at once with EUNAVAILABLE.
	e.emu.AddFault(deskemu.Fault{Kind: deskemu.FaultStatus, Status: 429, RetryAfter: "3600", Path: "/api/v1/tickets"})
	start = time.Now()
	_, err := c.ListTickets(ctx(t), e.dep, desk.ListOptions{Limit: 5})
	wantCode(t, err, app.EUNAVAILABLE)
	if d, ok := desk.RetryAfter(err); !ok || d != time.Hour {
		t.Fatalf("RetryAfter %v %v", d, ok)
	}
	if time.Since(start) > time.Second {
		t.Fatal("waited although the budget was exceeded")
	}
	e.emu.ClearFaults()
	// 429 on a POST is retried: the request was not acted on.
	e.emu.AddFault(deskemu.Fault{Kind: deskemu.FaultStatus, Status: 429, Method: "POST", Times: 1})
	if _, err := c.CreateAccount(ctx(t), desk.Fields{"accountName": "Retry Ltd"}); err != nil {
		t.Fatal(err)
	}
}

func TestFault5xx(t *testing.T) {
	e := newEnv(t)
	c := e.client(t, alice)
	e.emu.AddFault(deskemu.Fault{Kind: deskemu.FaultStatus, Status: 500, Path: "/api/v1/myinfo", Times: 2})
	if _, err := c.MyInfo(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if s := c.Stats(); s.Requests != 3 {
		t.Fatalf("%+v", s)
	}
	e.emu.AddFault(deskemu.Fault{Kind: deskemu.FaultStatus, Status: 503, Path: "/api/v1/myinfo"})
	_, err := c.MyInfo(ctx(t))
	wantCode(t, err, app.EUNAVAILABLE)
	var ae *desk.APIError
	if !errors.As(err, &ae) || ae.Status != 503 {
		t.Fatalf("%v", err)
	}
	if s := c.Stats(); s.Requests != 3+4 {
		t.Fatalf("attempt budget not respected: %+v", s)
	}
	e.emu.ClearFaults()

	// A POST that fails with 500 is not retried and may have been applied.
	e.emu.AddFault(deskemu.Fault{Kind: deskemu.FaultStatus, Status: 500, Method: "POST", Times: 1})
	before := c.Stats().Requests
	_, err = c.CreateAccount(ctx(t), desk.Fields{"accountName": "Maybe Ltd"})
	wantCode(t, err, app.EUNAVAILABLE)
	if !desk.MaybeApplied(err) || c.Stats().Requests != before+1 {
		t.Fatalf("maybeApplied=%v requests=%d", desk.MaybeApplied(err), c.Stats().Requests-before)
	}
}

func TestFaultDroppedConnection(t *testing.T) {
	e := newEnv(t)
	c := e.client(t, alice)
	e.emu.AddFault(deskemu.Fault{Kind: deskemu.FaultDrop, Path: "/api/v1/tickets", Times: 1})
	if _, err := c.ListTickets(ctx(t), e.dep, desk.ListOptions{Limit: 3}); err != nil {
		t.Fatal(err)
	}
	e.emu.AddFault(deskemu.Fault{Kind: deskemu.FaultDrop, Method: "POST", Times: 1})
	tk, _ := c.ListTickets(ctx(t), e.dep, desk.ListOptions{Limit: 1})
	_, err := c.AddComment(ctx(t), tk[0].ID, desk.NewComment{Content: "hi"})
	wantCode(t, err, app.EUNAVAILABLE)
	var te *desk.TransportError
	if !errors.As(err, &te) || !te.MaybeApplied || !desk.MaybeApplied(err) {
		t.Fatalf("%v", err)
	}
	// connection refused: nothing reached a server, so even a POST is retried
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close()
	dc, _ := desk.New(desk.Options{BaseURL: deadURL, OrgID: "1", Tokens: desk.StaticToken("x"), Retry: fastRetry})
	_, err = dc.CreateAccount(ctx(t), desk.Fields{"accountName": "x"})
	wantCode(t, err, app.EUNAVAILABLE)
	if desk.MaybeApplied(err) || dc.Stats().Requests != 4 {
		t.Fatalf("refused: maybe=%v %+v", desk.MaybeApplied(err), dc.Stats())
	}
}

func TestFaultMalformedAndHuge(t *testing.T) {
	e := newEnv(t)
	c := e.client(t, alice)
	e.emu.AddFault(deskemu.Fault{Kind: deskemu.FaultMalformed, Path: "/api/v1/tickets"})
	_, err := c.ListTickets(ctx(t), e.dep, desk.ListOptions{})
	wantCode(t, err, app.EUNAVAILABLE)
	if !strings.Contains(err.Error(), "malformed JSON") {
		t.Fatal(err)
	}
	e.emu.ClearFaults()
	e.emu.AddFault(deskemu.Fault{Kind: deskemu.FaultHuge, Path: "/api/v1/tickets"})
	_, err = c.ListTickets(ctx(t), e.dep, desk.ListOptions{})
	wantCode(t, err, app.EUNAVAILABLE)
	if !strings.Contains(err.Error(), "16 MiB") {
		t.Fatal(err)
	}
}

func TestFaultLatencyAndRandom(t *testing.T) {
	e := newEnv(t)
	c := e.client(t, alice)
	e.emu.AddFault(deskemu.Fault{Kind: deskemu.FaultLatency, Latency: 500 * time.Millisecond, Path: "/api/v1/myinfo"})
	cx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := c.MyInfo(cx)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("%v", err)
	}
	e.emu.ClearFaults()
	// 30% random 500s on GETs: the retry budget absorbs them.
	e.emu.AddFault(deskemu.Fault{Kind: deskemu.FaultStatus, Status: 500, Method: "GET", Rate: 0.3})
	c2, _ := desk.New(desk.Options{BaseURL: e.srv.URL, OrgID: e.org, Tokens: desk.StaticToken(e.info.Users[0].AccessToken),
		Retry: desk.RetryPolicy{MaxAttempts: 8, BaseDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond}})
	n := 0
	for _, err := range c2.AllTickets(ctx(t), e.dep, desk.ListOptions{Limit: 20}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != e.deptTickets(t) || c2.Stats().Retries == 0 {
		t.Fatalf("n=%d %+v", n, c2.Stats())
	}
}

type memStore struct {
	mu   sync.Mutex
	toks []*oauth2.Token
}

func (m *memStore) SaveToken(t *oauth2.Token) {
	m.mu.Lock()
	m.toks = append(m.toks, t)
	m.mu.Unlock()
}

func TestRefreshOn401(t *testing.T) {
	e := newEnv(t)
	dc, err := desk.CustomDataCentre(e.srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	oc := desk.OAuthConfig{ClientID: e.info.ClientID, ClientSecret: e.info.ClientSecret, DataCentre: dc}
	access, refresh, err := e.emu.IssueToken(kenji)
	if err != nil {
		t.Fatal(err)
	}
	store := &memStore{}
	ts := oc.TokenSource(&oauth2.Token{AccessToken: access, RefreshToken: refresh, Expiry: time.Now().Add(time.Hour)}, store)
	c, _ := desk.New(desk.Options{DataCentre: dc, OrgID: e.org, Tokens: ts, Retry: fastRetry})
	if _, err := c.MyInfo(ctx(t)); err != nil {
		t.Fatal(err)
	}
	e.emu.RevokeAccessToken(access) // Desk now answers 401
	if _, err := c.MyInfo(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if s := c.Stats(); s.Refreshes != 1 || s.Requests != 3 {
		t.Fatalf("%+v", s)
	}
	if len(store.toks) != 1 || store.toks[0].RefreshToken != refresh || store.toks[0].AccessToken == access {
		t.Fatalf("store %+v", store.toks)
	}
	// Emulator clock passes the hour: the token expires server-side.
	e.emu.Advance(2 * time.Hour)
	if _, err := c.MyInfo(ctx(t)); err != nil {
		t.Fatal(err)
	}
	// Refresh token revoked: sign in again, after exactly one refresh try.
	e.emu.RevokeRefreshToken(refresh)
	e.emu.Advance(2 * time.Hour)
	before := c.Stats()
	_, err = c.MyInfo(ctx(t))
	wantCode(t, err, app.EUNAUTHORIZED)
	if app.ErrorMessage(err) != "Sign in to Zoho Desk again." {
		t.Fatal(app.ErrorMessage(err))
	}
	if s := c.Stats(); s.Requests-before.Requests != 1 || s.Refreshes-before.Refreshes != 1 {
		t.Fatalf("%+v vs %+v", s, before)
	}
	if strings.Contains(err.Error(), refresh) || strings.Contains(err.Error(), access) {
		t.Fatal("error leaks a token")
	}
}

func TestSignInLoopback(t *testing.T) {
	e := newEnv(t)
	dc, _ := desk.CustomDataCentre(e.srv.URL)
	oc := desk.OAuthConfig{ClientID: e.info.ClientID, ClientSecret: e.info.ClientSecret, DataCentre: dc}
	si, err := oc.StartSignIn(ctx(t), kenji)
	if err != nil {
		t.Fatal(err)
	}
	defer si.Close()
	u, _ := url.Parse(si.URL)
	q := u.Query()
	if q.Get("scope") != strings.Join(desk.DefaultScopes, ",") || q.Get("access_type") != "offline" || q.Get("prompt") != "consent" ||
		q.Get("response_type") != "code" || q.Get("code_challenge") == "" || !strings.HasPrefix(q.Get("redirect_uri"), "http://127.0.0.1:") {
		t.Fatalf("auth URL %s", si.URL)
	}
	// the "browser": follow the auto-approving consent page back to the listener
	resp, err := http.Get(si.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	res, err := si.Wait(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if res.Token.RefreshToken == "" || res.APIDomain != e.srv.URL || res.DataCentre.DeskURL != e.srv.URL {
		t.Fatalf("%+v", res)
	}
	c, _ := desk.New(desk.Options{DataCentre: res.DataCentre, OrgID: e.org, Tokens: oc.TokenSource(res.Token, nil)})
	me, err := c.MyInfo(ctx(t))
	if err != nil || me.EmailID != kenji {
		t.Fatalf("%+v %v", me, err)
	}
	// a wrong code is refused with a sign-in error
	_, err = oc.Exchange(ctx(t), "bogus", si.RedirectURL(), "")
	wantCode(t, err, app.EUNAUTHORIZED)
}

func TestConcurrentUse(t *testing.T) {
	e := newEnv(t)
	c := e.client(t, alice)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			if i%4 == 0 {
				_, err := e.emu.CustomerReply(e.org, "", "x") // unknown ticket: error, no race
				if err == nil {
					errs <- errors.New("want error")
				}
				return
			}
			_, err := c.ListTickets(context.Background(), e.dep, desk.ListOptions{From: i, Limit: 10})
			if err != nil {
				errs <- err
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if got, want := c.Stats().Requests, int64(12); got != want {
		t.Fatalf("requests %d", got)
	}
}

// deptTickets counts the tickets of the default department.
func (e *env) deptTickets(t *testing.T) int {
	t.Helper()
	c := e.client(t, alice)
	n := 0
	for _, err := range c.AllTickets(ctx(t), e.dep, desk.ListOptions{}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	return n
}

// TestConcurrencyAndThrottling: a client within the portal's cap of
// concurrent calls is never refused; one beyond it gets 429
// TOO_MANY_REQUESTS, backs off and gets through; a portal whose credits
// are used up (THRESHOLD_EXCEEDED) gives up at once with a message a
// person can act on. The credits each call costs are counted.
func TestConcurrencyAndThrottling(t *testing.T) {
	run := func(emuCap, clientConc int) (*desk.Client, *deskemu.Server) {
		emu := deskemu.New(deskemu.Options{Seed: 7, Contacts: 5, Accounts: 2, Tickets: 5, Concurrency: emuCap, Latency: 30 * time.Millisecond})
		srv := httptest.NewServer(emu)
		t.Cleanup(srv.Close)
		c, err := desk.New(desk.Options{BaseURL: srv.URL, OrgID: emu.DefaultOrgID(), Tokens: desk.StaticToken(emu.Info().Users[0].AccessToken),
			Concurrency: clientConc, Retry: desk.RetryPolicy{MaxAttempts: 8, BaseDelay: 20 * time.Millisecond, MaxDelay: 200 * time.Millisecond, MaxWait: 10 * time.Second}})
		if err != nil {
			t.Fatal(err)
		}
		return c, emu
	}
	burst := func(c *desk.Client) error {
		var wg sync.WaitGroup
		errs := make(chan error, 12)
		for range 12 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := c.MyInfo(ctx(t))
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				return err
			}
		}
		return nil
	}
	within, _ := run(3, 3)
	if err := burst(within); err != nil || within.Stats().Throttled != 0 || within.Stats().Requests != 12 || within.Stats().Credits != 12 {
		t.Fatalf("within the cap: %v %+v", err, within.Stats())
	}
	beyond, _ := run(2, 6)
	if err := burst(beyond); err != nil || beyond.Stats().Throttled == 0 || beyond.Stats().Retries == 0 {
		t.Fatalf("beyond the cap: %v %+v", err, beyond.Stats())
	}

	emu := deskemu.New(deskemu.Options{Seed: 7, Contacts: 5, Accounts: 2, Tickets: 5, DailyCredits: 2})
	srv := httptest.NewServer(emu)
	t.Cleanup(srv.Close)
	c, _ := desk.New(desk.Options{BaseURL: srv.URL, OrgID: emu.DefaultOrgID(), Tokens: desk.StaticToken(emu.Info().Users[0].AccessToken), Retry: fastRetry})
	for range 2 {
		if _, err := c.MyInfo(ctx(t)); err != nil {
			t.Fatal(err)
		}
	}
	before := c.Stats().Requests
	_, err := c.MyInfo(ctx(t))
	wantCode(t, err, app.EUNAVAILABLE)
	var ae *desk.APIError
	if !errors.As(err, &ae) || ae.Code != desk.CodeThresholdExceeded || c.Stats().Requests != before+1 ||
		!strings.Contains(app.ErrorMessage(err), "API credits") {
		t.Fatalf("%v (%q) %+v", err, app.ErrorMessage(err), c.Stats())
	}
}

// TestTokenLimited: Zoho allows a refresh token only a few access tokens
// in ten minutes. Past them the refresh is "Zoho is limiting sign-ins;
// trying again at HH:MM" (EUNAVAILABLE), never "sign in again", and no
// further token request is sent before that time; a revoked refresh token
// is "sign in again".
func TestTokenLimited(t *testing.T) {
	emu := deskemu.New(deskemu.Options{Seed: 7, TokenLimit: 2, CheckAnswers: true})
	srv := httptest.NewServer(emu)
	t.Cleanup(srv.Close)
	info := emu.Info()
	dc, _ := desk.CustomDataCentre(srv.URL)
	oc := desk.OAuthConfig{ClientID: info.ClientID, ClientSecret: info.ClientSecret, DataCentre: dc}
	_, refresh, err := emu.IssueToken(kenji)
	if err != nil {
		t.Fatal(err)
	}
	ts := oc.TokenSource(&oauth2.Token{RefreshToken: refresh}, nil)
	first, err := ts.AccessToken(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	second, err := ts.Refresh(ctx(t), first) // the second of two allowed
	if err != nil {
		t.Fatal(err)
	}
	before := emu.TokenRequests("refresh_token")
	_, err = ts.Refresh(ctx(t), second)
	wantCode(t, err, app.EUNAVAILABLE)
	var le *desk.LimitedError
	if !errors.As(err, &le) || le.RetryAt.Before(time.Now().Add(9*time.Minute)) {
		t.Fatalf("want a LimitedError about ten minutes ahead, got %v", err)
	}
	want := "Zoho is limiting sign-ins; trying again at " + le.RetryAt.Local().Format("15:04") + "."
	if app.ErrorMessage(err) != want {
		t.Fatalf("message %q, want %q", app.ErrorMessage(err), want)
	}
	if _, err := ts.Refresh(ctx(t), second); app.ErrorCode(err) != app.EUNAVAILABLE {
		t.Fatalf("second try: %v", err)
	}
	if n := emu.TokenRequests("refresh_token") - before; n != 1 {
		t.Fatalf("%d token requests while limited, want 1 (the refused one)", n)
	}

	// A revoked refresh token (or the 21st of a user, which silently
	// revokes the oldest) is a sign-in, at once.
	_, refresh2, _ := emu.IssueToken(kenji)
	emu.RevokeRefreshToken(refresh2)
	_, err = oc.TokenSource(&oauth2.Token{RefreshToken: refresh2}, nil).AccessToken(ctx(t))
	wantCode(t, err, app.EUNAUTHORIZED)
	if app.ErrorMessage(err) != "Sign in to Zoho Desk again." {
		t.Fatal(app.ErrorMessage(err))
	}
	// A client Zoho does not know is named as such.
	bad := desk.OAuthConfig{ClientID: "1000.WRONG", ClientSecret: "x", DataCentre: dc}
	_, err = bad.TokenSource(&oauth2.Token{RefreshToken: refresh2}, nil).AccessToken(ctx(t))
	wantCode(t, err, app.EUNAUTHORIZED)
	if app.ErrorMessage(err) != desk.MsgWrongClient {
		t.Fatal(app.ErrorMessage(err))
	}
}
