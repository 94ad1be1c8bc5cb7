package deskemu

import (
	"encoding/json"
	"io"
	"net/http"
	"net/mail"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tandem-crm/tandem/sync/desk"
)

type handlerFunc func(c *caller, r *http.Request, body []byte) (int, any, *apiError)

// api wraps a handler: it reads the body, authenticates and runs h under
// the lock, then encodes the answer outside it.
func (s *Server) api(needOrg bool, h handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 4<<20))
		if err != nil {
			writeErr(w, http.StatusBadRequest, desk.CodeInvalidData, "The request body could not be read.")
			return
		}
		s.mu.Lock()
		c, aerr := s.authenticate(r, needOrg)
		var st int
		var v any
		if aerr == nil {
			st, v, aerr = h(c, r, body)
		}
		s.mu.Unlock()
		if aerr != nil {
			writeJSON(w, aerr.status, aerr.body)
			return
		}
		if st == http.StatusNoContent {
			w.WriteHeader(st)
			return
		}
		writeJSON(w, st, v)
	}
}

type dataPage[T any] struct {
	Data []T `json:"data"`
}

// listResult answers a page, or 204 No Content when it is empty.
func listResult[T any](items []T) (int, any, *apiError) {
	if len(items) == 0 {
		return http.StatusNoContent, nil, nil
	}
	return http.StatusOK, dataPage[T]{Data: items}, nil
}

func (s *Server) routes() {
	m := http.NewServeMux()
	const v1 = "/api/v1"
	m.HandleFunc("GET "+v1+"/organizations", s.api(false, s.getOrganizations))
	m.HandleFunc("GET "+v1+"/myinfo", s.api(true, s.getMyInfo))
	m.HandleFunc("GET "+v1+"/agents", s.api(true, s.listAgents))
	m.HandleFunc("GET "+v1+"/mailReplyAddress", s.api(true, s.listMailReplyAddresses))
	m.HandleFunc("GET "+v1+"/profiles/{id}", s.api(true, s.getProfile))
	m.HandleFunc("GET "+v1+"/departments", s.api(true, s.getDepartments))
	m.HandleFunc("GET "+v1+"/organizationFields", s.api(true, s.getFields))
	m.HandleFunc("GET "+v1+"/contacts", s.api(true, s.listContacts))
	m.HandleFunc("POST "+v1+"/contacts", s.api(true, s.createContact))
	m.HandleFunc("GET "+v1+"/contacts/search", s.api(true, s.searchContacts))
	m.HandleFunc("GET "+v1+"/contacts/{id}", s.api(true, s.getContact))
	m.HandleFunc("PATCH "+v1+"/contacts/{id}", s.api(true, s.updateContact))
	m.HandleFunc("GET "+v1+"/contacts/{id}/tickets", s.api(true, s.contactTickets))
	m.HandleFunc("GET "+v1+"/accounts", s.api(true, s.listAccounts))
	m.HandleFunc("POST "+v1+"/accounts", s.api(true, s.createAccount))
	m.HandleFunc("GET "+v1+"/accounts/search", s.api(true, s.searchAccounts))
	m.HandleFunc("GET "+v1+"/accounts/{id}", s.api(true, s.getAccount))
	m.HandleFunc("PATCH "+v1+"/accounts/{id}", s.api(true, s.updateAccount))
	m.HandleFunc("GET "+v1+"/accounts/{id}/tickets", s.api(true, s.accountTickets))
	m.HandleFunc("GET "+v1+"/tickets", s.api(true, s.listTickets))
	m.HandleFunc("POST "+v1+"/tickets", s.api(true, s.createTicket))
	m.HandleFunc("GET "+v1+"/tickets/{id}", s.api(true, s.getTicket))
	m.HandleFunc("PATCH "+v1+"/tickets/{id}", s.api(true, s.updateTicket))
	m.HandleFunc("GET "+v1+"/tickets/{id}/threads", s.api(true, s.listThreads))
	m.HandleFunc("GET "+v1+"/tickets/{id}/threads/{threadId}", s.api(true, s.getThread))
	m.HandleFunc("POST "+v1+"/tickets/{id}/sendReply", s.api(true, s.sendReply))
	m.HandleFunc("GET "+v1+"/tickets/{id}/comments", s.api(true, s.listComments))
	m.HandleFunc("POST "+v1+"/tickets/{id}/comments", s.api(true, s.addComment))
	m.HandleFunc("GET "+v1+"/customerHappiness", s.api(true, s.listRatings))
	m.HandleFunc(v1+"/", func(w http.ResponseWriter, r *http.Request) {
		writeErr(w, http.StatusNotFound, desk.CodeURLNotFound, "The URL you requested is not found.")
	})
	s.oauthRoutes(m)
	s.controlRoutes(m)
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeErr(w, http.StatusNotFound, desk.CodeURLNotFound, "The URL you requested is not found.")
	})
	s.mux = m
}

// paging reads from (0-based) and limit (1..100, default 10).
func paging(r *http.Request) (from, limit int, err *apiError) {
	q := r.URL.Query()
	from, limit = 0, 10
	if v := q.Get("from"); v != "" {
		n, e := strconv.Atoi(v)
		if e != nil || n < 0 {
			return 0, 0, fieldErr("from", "invalid", "from must be a number of at least 0")
		}
		from = n
	}
	if v := q.Get("limit"); v != "" {
		n, e := strconv.Atoi(v)
		if e != nil || n < 1 || n > 100 {
			return 0, 0, &apiError{status: http.StatusUnprocessableEntity, body: errorBody{
				ErrorCode: desk.CodeUnprocessable, Message: "limit must be between 1 and 100.",
				Errors: []errorItem{{FieldName: "limit", ErrorType: "invalid", ErrorMessage: "limit must be between 1 and 100"}},
			}}
		}
		limit = n
	}
	return from, limit, nil
}

func window[T any](items []T, from, limit int) []T {
	if from >= len(items) {
		return nil
	}
	end := min(from+limit, len(items))
	return items[from:end]
}

// --- organizations, agents, settings ---

func (s *Server) getOrganizations(c *caller, r *http.Request, _ []byte) (int, any, *apiError) {
	var out []orgJSON
	for _, p := range s.portals {
		if c.zsc != nil {
			if p == c.zsc {
				o := p.org
				o.IsAdminInOrg = true
				out = append(out, o)
			}
			continue
		}
		if a := p.agentByUser(c.user); a != nil {
			o := p.org
			o.IsAdminInOrg = a.Admin
			out = append(out, o)
		}
	}
	for i := range out {
		out[i].IsDefault = i == 0
	}
	return listResult(out)
}

func agentView(a *agent) agentJSON {
	return agentJSON{
		ID: a.ID, FirstName: a.User.FirstName, LastName: a.User.LastName, Name: a.User.name(),
		EmailID: a.User.Email, RoleID: a.RoleID, ProfileID: a.ProfileID, Status: "ACTIVE",
	}
}

func (s *Server) getMyInfo(c *caller, _ *http.Request, _ []byte) (int, any, *apiError) {
	return http.StatusOK, agentView(c.agent), nil
}

// listMailReplyAddresses lists the portal's support address (one per
// portal in the emulator, for its first department).
func (s *Server) listMailReplyAddresses(c *caller, r *http.Request, _ []byte) (int, any, *apiError) {
	if _, _, err := paging(r); err != nil {
		return 0, nil, err
	}
	type address struct {
		ID           string `json:"id"`
		Address      string `json:"address"`
		DisplayName  string `json:"displayName"`
		DepartmentID string `json:"departmentId"`
		IsVerified   bool   `json:"isVerified"`
	}
	p := c.portal
	return listResult([]address{{ID: "mra-" + p.org.ID, Address: p.supportMail, DisplayName: p.org.CompanyName,
		DepartmentID: p.departments[0].ID, IsVerified: true}})
}

// listAgents lists the portal's agents, in the order they were added.
func (s *Server) listAgents(c *caller, r *http.Request, _ []byte) (int, any, *apiError) {
	from, limit, err := paging(r)
	if err != nil {
		return 0, nil, err
	}
	page := window(c.portal.agents, from, limit)
	out := make([]agentJSON, len(page))
	for i, a := range page {
		out[i] = agentView(a)
	}
	return listResult(out)
}

func (s *Server) getProfile(c *caller, r *http.Request, _ []byte) (int, any, *apiError) {
	p, ok := c.portal.profiles[r.PathValue("id")]
	if !ok {
		return 0, nil, notFound("profile")
	}
	return http.StatusOK, p, nil
}

func (s *Server) getDepartments(c *caller, r *http.Request, _ []byte) (int, any, *apiError) {
	from, limit, err := paging(r)
	if err != nil {
		return 0, nil, err
	}
	return listResult(window(c.portal.departments, from, limit))
}

func (s *Server) getFields(c *caller, r *http.Request, _ []byte) (int, any, *apiError) {
	f, ok := c.portal.fields[r.URL.Query().Get("module")]
	if !ok {
		return 0, nil, fieldErr("module", "invalid", "module must be contacts, accounts or tickets")
	}
	return listResult(f)
}

// --- contacts ---

// sortedWindow returns the items from..from+limit of items (stored in
// creation order) sorted by sortBy, ties in creation order. A first page
// does not sort the whole list: the emulator answers in time independent
// of the portal's size, as Desk's indexes do.
func sortedWindow[T any](items []T, sortBy string, from, limit int, created, modified func(T) time.Time) ([]T, *apiError) {
	var key func(T) time.Time
	desc := strings.HasPrefix(sortBy, "-")
	switch strings.TrimPrefix(sortBy, "-") {
	case "", "createdTime":
		if !desc {
			return window(items, from, limit), nil // creation order is storage order
		}
		key = created
	case "modifiedTime":
		key = modified
	default:
		return nil, fieldErr("sortBy", "invalid", "sortBy must be createdTime or modifiedTime, optionally with a - prefix")
	}
	// before reports whether item i sorts before item j.
	before := func(i, j int) bool {
		c := key(items[i]).Compare(key(items[j]))
		if desc {
			c = -c
		}
		return c < 0 || (c == 0 && i < j)
	}
	k := from + limit
	var idx []int
	if k >= len(items)/4 {
		idx = make([]int, len(items))
		for i := range idx {
			idx[i] = i
		}
		slices.SortFunc(idx, func(a, b int) int {
			if before(a, b) {
				return -1
			}
			if before(b, a) {
				return 1
			}
			return 0
		})
	} else {
		// The k first by a heap whose root is the last of those kept.
		h := make([]int, 0, k)
		down := func(i int) {
			for {
				l, m := 2*i+1, i
				if l < len(h) && before(h[m], h[l]) {
					m = l
				}
				if r := l + 1; r < len(h) && before(h[m], h[r]) {
					m = r
				}
				if m == i {
					return
				}
				h[i], h[m] = h[m], h[i]
				i = m
			}
		}
		for i := range items {
			switch {
			case len(h) < k:
				h = append(h, i)
				for j := len(h) - 1; j > 0; {
					p := (j - 1) / 2
					if !before(h[p], h[j]) {
						break
					}
					h[p], h[j] = h[j], h[p]
					j = p
				}
			case k > 0 && before(i, h[0]):
				h[0] = i
				down(0)
			}
		}
		idx = h
		slices.SortFunc(idx, func(a, b int) int {
			if before(a, b) {
				return -1
			}
			return 1
		})
	}
	idx = window(idx, from, limit)
	out := make([]T, len(idx))
	for i, j := range idx {
		out[i] = items[j]
	}
	return out, nil
}

func (s *Server) listContacts(c *caller, r *http.Request, _ []byte) (int, any, *apiError) {
	from, limit, err := paging(r)
	if err != nil {
		return 0, nil, err
	}
	items, err := sortedWindow(c.portal.contacts, r.URL.Query().Get("sortBy"), from, limit,
		func(x *contact) time.Time { return time.Time(x.CreatedTime) },
		func(x *contact) time.Time { return time.Time(x.ModifiedTime) })
	if err != nil {
		return 0, nil, err
	}
	return listResult(derefAll(items))
}

func derefAll[T any](ps []*T) []T {
	out := make([]T, len(ps))
	for i, p := range ps {
		out[i] = *p
	}
	return out
}

func (s *Server) getContact(c *caller, r *http.Request, _ []byte) (int, any, *apiError) {
	ct, ok := c.portal.contactsBy[r.PathValue("id")]
	if !ok {
		return 0, nil, notFound("contact")
	}
	return http.StatusOK, *ct, nil
}

// matchName compares case-insensitively; a trailing * matches a prefix.
func matchName(have, want string) bool {
	have, want = strings.ToLower(strings.TrimSpace(have)), strings.ToLower(strings.TrimSpace(want))
	if p, ok := strings.CutSuffix(want, "*"); ok {
		return strings.HasPrefix(have, p)
	}
	return have == want
}

func (s *Server) searchContacts(c *caller, r *http.Request, _ []byte) (int, any, *apiError) {
	from, limit, err := paging(r)
	if err != nil {
		return 0, nil, err
	}
	q := r.URL.Query()
	email, name := q.Get("email"), q.Get("fullName")
	if email == "" && name == "" {
		return 0, nil, fieldErr("email", "missing", "give email or fullName")
	}
	var out []contact
	for _, ct := range c.portal.contacts {
		if email != "" && !strings.EqualFold(string(ct.Email), email) && !strings.EqualFold(string(ct.SecondaryEmail), email) {
			continue
		}
		if name != "" && !matchName(strings.TrimSpace(string(ct.FirstName)+" "+ct.LastName), name) {
			continue
		}
		out = append(out, *ct)
	}
	return listResult(window(out, from, limit))
}

var emailRE = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)

func validEmail(s string) bool {
	if !emailRE.MatchString(s) {
		return false
	}
	_, err := mail.ParseAddress(s)
	return err == nil
}

func decodeFields(body []byte) (map[string]any, *apiError) {
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil || m == nil {
		return nil, errf(http.StatusBadRequest, desk.CodeInvalidData, "The request body is not a JSON object.")
	}
	return m, nil
}

func setStr(dst *nstr, field string, v any) *apiError {
	switch x := v.(type) {
	case nil:
		*dst = ""
	case string:
		*dst = nstr(x)
	default:
		return fieldErr(field, "invalid", field+" must be a string")
	}
	return nil
}

func mergeCF(old map[string]any, v any) (map[string]any, *apiError) {
	m, ok := v.(map[string]any)
	if !ok && v != nil {
		return nil, fieldErr("cf", "invalid", "cf must be an object")
	}
	out := make(map[string]any, len(old)+len(m))
	for k, x := range old {
		out[k] = x
	}
	for k, x := range m {
		if !strings.HasPrefix(k, "cf_") {
			return nil, fieldErr("cf."+k, "invalid", "custom field names start with cf_")
		}
		out[k] = x
	}
	return out, nil
}

// applyContact sets fields on ct (a copy); Desk's PATCH semantics.
func applyContact(p *portal, ct *contact, m map[string]any) *apiError {
	for k, v := range m {
		var err *apiError
		switch k {
		case "firstName":
			err = setStr(&ct.FirstName, k, v)
		case "lastName":
			var n nstr
			err = setStr(&n, k, v)
			ct.LastName = string(n)
		case "email":
			err = setStr(&ct.Email, k, v)
		case "secondaryEmail":
			err = setStr(&ct.SecondaryEmail, k, v)
		case "phone":
			err = setStr(&ct.Phone, k, v)
		case "mobile":
			err = setStr(&ct.Mobile, k, v)
		case "title":
			err = setStr(&ct.Title, k, v)
		case "accountId":
			err = setStr(&ct.AccountID, k, v)
			if err == nil && ct.AccountID != "" && p.accountsBy[string(ct.AccountID)] == nil {
				err = fieldErr(k, "invalid", "no such account")
			}
		case "description":
			err = setStr(&ct.Description, k, v)
		case "type":
			err = setStr(&ct.Type, k, v)
		case "ownerId":
			err = setStr(&ct.OwnerID, k, v)
		case "cf":
			ct.CF, err = mergeCF(ct.CF, v)
		default:
			err = fieldErr(k, "invalid", "unknown field "+k)
		}
		if err != nil {
			return err
		}
	}
	if strings.TrimSpace(ct.LastName) == "" {
		return fieldErr("lastName", "missing", "lastName is required")
	}
	for _, e := range []struct {
		name string
		v    nstr
	}{{"email", ct.Email}, {"secondaryEmail", ct.SecondaryEmail}} {
		if e.v != "" && !validEmail(string(e.v)) {
			return fieldErr(e.name, "invalid", "not a valid email address")
		}
	}
	return nil
}

func (c *caller) canModule(module, action string) bool {
	if c.agent == nil {
		return false
	}
	if c.agent.Admin {
		return true
	}
	return c.portal.profiles[c.agent.ProfileID].Permissions[module][action]
}

func forbidden() *apiError {
	return errf(http.StatusForbidden, desk.CodeForbidden, "You do not have permission to perform this operation.")
}

func (s *Server) createContact(c *caller, r *http.Request, body []byte) (int, any, *apiError) {
	if !c.canModule("contacts", "create") {
		return 0, nil, forbidden()
	}
	m, err := decodeFields(body)
	if err != nil {
		return 0, nil, err
	}
	ct, err := s.newContact(c.portal, m, c.base)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, *ct, nil
}

func (s *Server) newContact(p *portal, m map[string]any, base string) (*contact, *apiError) {
	now := s.clock.now()
	ct := &contact{ID: p.newID(), CreatedTime: etime(now), ModifiedTime: etime(now), CF: map[string]any{}}
	if err := applyContact(p, ct, m); err != nil {
		p.seq--
		return nil, err
	}
	ct.WebURL = p.org.PortalURL + "/agent/contacts/" + ct.ID
	p.contacts = append(p.contacts, ct)
	p.contactsBy[ct.ID] = ct
	return ct, nil
}

func (s *Server) updateContact(c *caller, r *http.Request, body []byte) (int, any, *apiError) {
	if !c.canModule("contacts", "edit") {
		return 0, nil, forbidden()
	}
	ct, ok := c.portal.contactsBy[r.PathValue("id")]
	if !ok {
		return 0, nil, notFound("contact")
	}
	m, err := decodeFields(body)
	if err != nil {
		return 0, nil, err
	}
	v, err := s.editContact(c.portal, ct, m)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, v, nil
}

func (s *Server) editContact(p *portal, ct *contact, m map[string]any) (contact, *apiError) {
	cp := *ct
	if err := applyContact(p, &cp, m); err != nil {
		return contact{}, err
	}
	cp.ModifiedTime = etime(nextModified(s.clock.now(), time.Time(ct.ModifiedTime)))
	*ct = cp
	return cp, nil
}

// nextModified is a record's modifiedTime after an edit at now: now, but
// always at least a millisecond after the previous one, so every edit is
// visible to a client that pulls what changed since a time (Desk's times
// have millisecond precision).
func nextModified(now, prev time.Time) time.Time {
	return maxTime(now, prev.Add(time.Millisecond))
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// --- accounts ---

func (s *Server) listAccounts(c *caller, r *http.Request, _ []byte) (int, any, *apiError) {
	from, limit, err := paging(r)
	if err != nil {
		return 0, nil, err
	}
	items, err := sortedWindow(c.portal.accounts, r.URL.Query().Get("sortBy"), from, limit,
		func(x *account) time.Time { return time.Time(x.CreatedTime) },
		func(x *account) time.Time { return time.Time(x.ModifiedTime) })
	if err != nil {
		return 0, nil, err
	}
	return listResult(derefAll(items))
}

func (s *Server) getAccount(c *caller, r *http.Request, _ []byte) (int, any, *apiError) {
	a, ok := c.portal.accountsBy[r.PathValue("id")]
	if !ok {
		return 0, nil, notFound("account")
	}
	return http.StatusOK, *a, nil
}

func (s *Server) searchAccounts(c *caller, r *http.Request, _ []byte) (int, any, *apiError) {
	from, limit, err := paging(r)
	if err != nil {
		return 0, nil, err
	}
	name := r.URL.Query().Get("accountName")
	if name == "" {
		return 0, nil, fieldErr("accountName", "missing", "give accountName")
	}
	var out []account
	for _, a := range c.portal.accounts {
		if matchName(a.AccountName, name) {
			out = append(out, *a)
		}
	}
	return listResult(window(out, from, limit))
}

func applyAccount(a *account, m map[string]any) *apiError {
	for k, v := range m {
		var err *apiError
		switch k {
		case "accountName":
			var n nstr
			err = setStr(&n, k, v)
			a.AccountName = string(n)
		case "email":
			err = setStr(&a.Email, k, v)
		case "website":
			err = setStr(&a.Website, k, v)
		case "phone":
			err = setStr(&a.Phone, k, v)
		case "fax":
			err = setStr(&a.Fax, k, v)
		case "industry":
			err = setStr(&a.Industry, k, v)
		case "description":
			err = setStr(&a.Description, k, v)
		case "street":
			err = setStr(&a.Street, k, v)
		case "city":
			err = setStr(&a.City, k, v)
		case "state":
			err = setStr(&a.State, k, v)
		case "country":
			err = setStr(&a.Country, k, v)
		case "code":
			err = setStr(&a.Code, k, v)
		case "cf":
			a.CF, err = mergeCF(a.CF, v)
		default:
			err = fieldErr(k, "invalid", "unknown field "+k)
		}
		if err != nil {
			return err
		}
	}
	if strings.TrimSpace(a.AccountName) == "" {
		return fieldErr("accountName", "missing", "accountName is required")
	}
	if a.Email != "" && !validEmail(string(a.Email)) {
		return fieldErr("email", "invalid", "not a valid email address")
	}
	return nil
}

func (s *Server) createAccount(c *caller, r *http.Request, body []byte) (int, any, *apiError) {
	if !c.canModule("accounts", "create") {
		return 0, nil, forbidden()
	}
	m, err := decodeFields(body)
	if err != nil {
		return 0, nil, err
	}
	a, err := s.newAccount(c.portal, m)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, *a, nil
}

func (s *Server) newAccount(p *portal, m map[string]any) (*account, *apiError) {
	for _, a := range p.accounts {
		if n, ok := m["accountName"].(string); ok && strings.EqualFold(a.AccountName, strings.TrimSpace(n)) {
			return nil, &apiError{status: http.StatusConflict, body: errorBody{ErrorCode: "DUPLICATE_DATA", Message: "An account with this name already exists."}}
		}
	}
	now := s.clock.now()
	a := &account{ID: p.newID(), CreatedTime: etime(now), ModifiedTime: etime(now), CF: map[string]any{}}
	if err := applyAccount(a, m); err != nil {
		p.seq--
		return nil, err
	}
	a.WebURL = p.org.PortalURL + "/agent/accounts/" + a.ID
	p.accounts = append(p.accounts, a)
	p.accountsBy[a.ID] = a
	return a, nil
}

func (s *Server) updateAccount(c *caller, r *http.Request, body []byte) (int, any, *apiError) {
	if !c.canModule("accounts", "edit") {
		return 0, nil, forbidden()
	}
	a, ok := c.portal.accountsBy[r.PathValue("id")]
	if !ok {
		return 0, nil, notFound("account")
	}
	m, err := decodeFields(body)
	if err != nil {
		return 0, nil, err
	}
	v, err := s.editAccount(a, m)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, v, nil
}

func (s *Server) editAccount(a *account, m map[string]any) (account, *apiError) {
	cp := *a
	if err := applyAccount(&cp, m); err != nil {
		return account{}, err
	}
	cp.ModifiedTime = etime(nextModified(s.clock.now(), time.Time(a.ModifiedTime)))
	*a = cp
	return cp, nil
}

// --- tickets ---

func (p *portal) ticketView(t *ticket, now time.Time, withContact bool) ticketJSON {
	v := t.ticketJSON
	v.IsOverDue = t.dueSet && now.After(time.Time(t.DueDate)) && v.StatusType != "Closed"
	v.ThreadCount = strconv.Itoa(len(t.threads))
	v.CommentCount = strconv.Itoa(len(t.comments))
	if withContact {
		if ct := p.contactsBy[string(t.ContactID)]; ct != nil {
			v.Contact = &contactRef{ID: ct.ID, FirstName: ct.FirstName, LastName: ct.LastName, Email: ct.Email, Phone: ct.Phone, AccountID: ct.AccountID}
		}
	}
	return v
}

func includes(r *http.Request, what string) bool {
	for _, s := range strings.Split(r.URL.Query().Get("include"), ",") {
		if strings.TrimSpace(s) == what {
			return true
		}
	}
	return false
}

// pageTickets serves a page of tickets that pass keep, in the sortBy
// order, without sorting: the portal keeps creation and modification order.
func (s *Server) pageTickets(c *caller, r *http.Request, keep func(*ticket) bool) (int, any, *apiError) {
	from, limit, err := paging(r)
	if err != nil {
		return 0, nil, err
	}
	p := c.portal
	var src []*ticket
	desc := false
	switch sb := r.URL.Query().Get("sortBy"); sb {
	case "", "createdTime":
		src = p.tickets
	case "-createdTime":
		src, desc = p.tickets, true
	case "modifiedTime":
		src = p.byModified
	case "-modifiedTime":
		src, desc = p.byModified, true
	default:
		return 0, nil, fieldErr("sortBy", "invalid", "sortBy must be createdTime or modifiedTime, optionally with a - prefix")
	}
	if dep := r.URL.Query().Get("departmentId"); dep != "" {
		prev := keep
		keep = func(t *ticket) bool { return t.DepartmentID == dep && (prev == nil || prev(t)) }
	}
	now := s.clock.now()
	withContact := includes(r, "contacts")
	out := make([]ticketJSON, 0, min(limit, len(src)))
	skipped := 0
	n := len(src)
	if keep == nil && from < n {
		skipped = from // direct indexing: O(limit)
	}
	for i := skipped; i < n && len(out) < limit; i++ {
		t := src[i]
		if desc {
			t = src[n-1-i]
		}
		if keep != nil && !keep(t) {
			continue
		}
		if skipped < from {
			skipped++
			continue
		}
		out = append(out, p.ticketView(t, now, withContact))
	}
	return listResult(out)
}

func (s *Server) listTickets(c *caller, r *http.Request, _ []byte) (int, any, *apiError) {
	return s.pageTickets(c, r, nil)
}

func (s *Server) contactTickets(c *caller, r *http.Request, _ []byte) (int, any, *apiError) {
	id := r.PathValue("id")
	if c.portal.contactsBy[id] == nil {
		return 0, nil, notFound("contact")
	}
	return s.pageTickets(c, r, func(t *ticket) bool { return string(t.ContactID) == id })
}

func (s *Server) accountTickets(c *caller, r *http.Request, _ []byte) (int, any, *apiError) {
	id := r.PathValue("id")
	if c.portal.accountsBy[id] == nil {
		return 0, nil, notFound("account")
	}
	return s.pageTickets(c, r, func(t *ticket) bool { return string(t.AccountID) == id })
}

func (p *portal) ticketDetail(t *ticket, now time.Time) ticketDetailJSON {
	return ticketDetailJSON{ticketJSON: p.ticketView(t, now, true), Description: nstr(t.description)}
}

func (s *Server) getTicket(c *caller, r *http.Request, _ []byte) (int, any, *apiError) {
	t, ok := c.portal.ticketsBy[r.PathValue("id")]
	if !ok {
		return 0, nil, notFound("ticket")
	}
	return http.StatusOK, c.portal.ticketDetail(t, s.clock.now()), nil
}

func (s *Server) createTicket(c *caller, r *http.Request, body []byte) (int, any, *apiError) {
	if !c.can(desk.PermCreate) {
		return 0, nil, forbidden()
	}
	m, err := decodeFields(body)
	if err != nil {
		return 0, nil, err
	}
	t, err := s.newTicket(c.portal, m)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, c.portal.ticketDetail(t, s.clock.now()), nil
}

// newTicket creates a ticket from Desk's create body.
func (s *Server) newTicket(p *portal, m map[string]any) (*ticket, *apiError) {
	now := s.clock.now()
	t := &ticket{}
	t.Status, t.StatusType, t.Channel = p.statusOrder[0], p.statusType(p.statusOrder[0]), "Email"
	t.CF = map[string]any{}
	if cref, ok := m["contact"]; ok {
		cm, ok := cref.(map[string]any)
		if !ok {
			return nil, fieldErr("contact", "invalid", "contact must be an object")
		}
		email, _ := cm["email"].(string)
		var found *contact
		for _, ct := range p.contacts {
			if email != "" && strings.EqualFold(string(ct.Email), email) {
				found = ct
				break
			}
		}
		if found == nil {
			ct, err := s.newContact(p, cm, "")
			if err != nil {
				return nil, err
			}
			found = ct
		}
		t.ContactID = nstr(found.ID)
		delete(m, "contact")
	}
	if err := applyTicket(p, t, m); err != nil {
		return nil, err
	}
	if strings.TrimSpace(t.Subject) == "" {
		return nil, fieldErr("subject", "missing", "subject is required")
	}
	if t.DepartmentID == "" {
		return nil, fieldErr("departmentId", "missing", "departmentId is required")
	}
	if t.ContactID == "" {
		return nil, fieldErr("contactId", "missing", "contactId or contact is required")
	}
	ct := p.contactsBy[string(t.ContactID)]
	if t.Email == "" {
		t.Email = ct.Email
	}
	if t.AccountID == "" {
		t.AccountID = ct.AccountID
	}
	p.ticketSeq++
	t.ID = p.newID()
	t.TicketNumber = strconv.Itoa(p.ticketSeq)
	t.CreatedTime, t.ModifiedTime = etime(now), etime(now)
	if len(p.byModified) > 0 {
		t.ModifiedTime = etime(maxTime(now, time.Time(p.byModified[len(p.byModified)-1].ModifiedTime)))
	}
	t.WebURL = p.org.PortalURL + "/agent/tickets/" + t.ID
	p.addTicket(t)
	return t, nil
}

// applyTicket sets fields on t; Desk's PATCH semantics.
func applyTicket(p *portal, t *ticket, m map[string]any) *apiError {
	for k, v := range m {
		var err *apiError
		switch k {
		case "subject":
			var n nstr
			err = setStr(&n, k, v)
			t.Subject = string(n)
		case "description":
			var n nstr
			err = setStr(&n, k, v)
			t.description = string(n)
		case "status":
			st, ok := v.(string)
			if _, known := p.statuses[st]; !ok || !known {
				err = fieldErr(k, "invalid", "status must be one of "+strings.Join(p.statusOrder, ", "))
				break
			}
			t.Status, t.StatusType = st, p.statusType(st)
		case "priority":
			err = setStr(&t.Priority, k, v)
		case "channel":
			var n nstr
			err = setStr(&n, k, v)
			t.Channel = string(n)
		case "email":
			err = setStr(&t.Email, k, v)
		case "phone":
			err = setStr(&t.Phone, k, v)
		case "contactId":
			err = setStr(&t.ContactID, k, v)
			if err == nil && p.contactsBy[string(t.ContactID)] == nil {
				err = fieldErr(k, "invalid", "no such contact")
			}
		case "accountId":
			err = setStr(&t.AccountID, k, v)
			if err == nil && t.AccountID != "" && p.accountsBy[string(t.AccountID)] == nil {
				err = fieldErr(k, "invalid", "no such account")
			}
		case "departmentId":
			var n nstr
			err = setStr(&n, k, v)
			t.DepartmentID = string(n)
			if err == nil && !slices.ContainsFunc(p.departments, func(d departmentJSON) bool { return d.ID == t.DepartmentID }) {
				err = fieldErr(k, "invalid", "no such department")
			}
		case "assigneeId":
			err = setStr(&t.AssigneeID, k, v)
			if err == nil && t.AssigneeID != "" && p.agentByID(string(t.AssigneeID)) == nil {
				err = fieldErr(k, "invalid", "no such agent")
			}
		case "dueDate":
			var n nstr
			if err = setStr(&n, k, v); err != nil {
				break
			}
			if n == "" {
				t.DueDate, t.dueSet = etime{}, false
				break
			}
			d, e := time.Parse(time.RFC3339Nano, string(n))
			if e != nil {
				err = fieldErr(k, "invalid", "dueDate must be an ISO-8601 time")
				break
			}
			t.DueDate, t.dueSet = etime(d.UTC()), true
		case "cf":
			t.CF, err = mergeCF(t.CF, v)
		default:
			err = fieldErr(k, "invalid", "unknown field "+k)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (s *Server) updateTicket(c *caller, r *http.Request, body []byte) (int, any, *apiError) {
	if !c.can("edit") {
		return 0, nil, forbidden()
	}
	t, ok := c.portal.ticketsBy[r.PathValue("id")]
	if !ok {
		return 0, nil, notFound("ticket")
	}
	m, err := decodeFields(body)
	if err != nil {
		return 0, nil, err
	}
	if err := s.editTicket(c.portal, t, m); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, c.portal.ticketDetail(t, s.clock.now()), nil
}

// editTicket applies m to t atomically and bumps modifiedTime.
func (s *Server) editTicket(p *portal, t *ticket, m map[string]any) *apiError {
	cp := *t
	if err := applyTicket(p, &cp, m); err != nil {
		return err
	}
	now := s.clock.now()
	if cp.StatusType == "Closed" && t.StatusType != "Closed" {
		cp.ClosedTime = etime(now)
	} else if cp.StatusType != "Closed" {
		cp.ClosedTime = etime{}
	}
	*t = cp
	p.touchTicket(t, now)
	return nil
}

// --- threads and comments ---

func (s *Server) listThreads(c *caller, r *http.Request, _ []byte) (int, any, *apiError) {
	t, ok := c.portal.ticketsBy[r.PathValue("id")]
	if !ok {
		return 0, nil, notFound("ticket")
	}
	from, limit, err := paging(r)
	if err != nil {
		return 0, nil, err
	}
	// newest first
	out := make([]threadJSON, 0, limit)
	for i := len(t.threads) - 1 - from; i >= 0 && len(out) < limit; i-- {
		out = append(out, t.threads[i].threadJSON)
	}
	return listResult(out)
}

func (s *Server) getThread(c *caller, r *http.Request, _ []byte) (int, any, *apiError) {
	t, ok := c.portal.ticketsBy[r.PathValue("id")]
	if !ok {
		return 0, nil, notFound("ticket")
	}
	id := r.PathValue("threadId")
	for _, th := range t.threads {
		if th.ID == id {
			return http.StatusOK, threadDetailJSON{threadJSON: th.threadJSON, Content: th.content, ContentType: th.contentType}, nil
		}
	}
	return 0, nil, notFound("thread")
}

var tagRE = regexp.MustCompile(`<[^>]*>?`)

// summarize makes a thread summary: text without tags, at most 100 runes.
func summarize(content string) string {
	txt := strings.Join(strings.Fields(tagRE.ReplaceAllString(content, " ")), " ")
	if r := []rune(txt); len(r) > 100 {
		return string(r[:100])
	}
	return txt
}

func (s *Server) sendReply(c *caller, r *http.Request, body []byte) (int, any, *apiError) {
	if !c.can(desk.PermReply) {
		return 0, nil, forbidden()
	}
	t, ok := c.portal.ticketsBy[r.PathValue("id")]
	if !ok {
		return 0, nil, notFound("ticket")
	}
	var in struct {
		Channel          string `json:"channel"`
		FromEmailAddress string `json:"fromEmailAddress"`
		To               string `json:"to"`
		CC               string `json:"cc"`
		BCC              string `json:"bcc"`
		Content          string `json:"content"`
		ContentType      string `json:"contentType"`
		IsForward        bool   `json:"isForward"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return 0, nil, errf(http.StatusBadRequest, desk.CodeInvalidData, "The request body is not valid JSON.")
	}
	switch {
	case !strings.EqualFold(in.Channel, "EMAIL"):
		return 0, nil, fieldErr("channel", "invalid", "channel must be EMAIL")
	case strings.TrimSpace(in.To) == "":
		return 0, nil, fieldErr("to", "missing", "to is required")
	case strings.TrimSpace(in.Content) == "":
		return 0, nil, fieldErr("content", "missing", "content is required")
	case in.ContentType != "" && in.ContentType != "html" && in.ContentType != "plainText":
		return 0, nil, fieldErr("contentType", "invalid", "contentType must be html or plainText")
	case strings.TrimSpace(in.FromEmailAddress) == "":
		return 0, nil, fieldErr("fromEmailAddress", "missing", "fromEmailAddress is required")
	case !strings.EqualFold(in.FromEmailAddress, c.portal.supportMail):
		return 0, nil, fieldErr("fromEmailAddress", "invalid", "fromEmailAddress must be a support address of the portal")
	}
	for _, addr := range strings.Split(in.To+","+in.CC+","+in.BCC, ",") {
		if a := strings.TrimSpace(addr); a != "" && !validEmail(a) {
			return 0, nil, fieldErr("to", "invalid", "not a valid email address: "+a)
		}
	}
	if in.ContentType == "" {
		in.ContentType = "html"
	}
	now := s.clock.now()
	th := &thread{content: in.Content, contentType: in.ContentType}
	th.threadJSON = threadJSON{
		ID: c.portal.newID(), Channel: "EMAIL", Direction: "out", FromEmailAddress: c.portal.supportMail,
		To: nstr(in.To), CC: nstr(in.CC), BCC: nstr(in.BCC), Summary: summarize(in.Content), CreatedTime: etime(now),
		Author:          authorJSON{ID: nstr(c.agent.ID), Name: c.agent.User.name(), Email: nstr(c.agent.User.Email), Type: "AGENT"},
		AttachmentCount: "0", Visibility: "public", IsForward: in.IsForward,
	}
	t.threads = append(t.threads, th)
	c.portal.touchTicket(t, now)
	return http.StatusOK, threadDetailJSON{threadJSON: th.threadJSON, Content: th.content, ContentType: th.contentType}, nil
}

func (s *Server) listComments(c *caller, r *http.Request, _ []byte) (int, any, *apiError) {
	t, ok := c.portal.ticketsBy[r.PathValue("id")]
	if !ok {
		return 0, nil, notFound("ticket")
	}
	from, limit, err := paging(r)
	if err != nil {
		return 0, nil, err
	}
	out := make([]commentJSON, 0, limit)
	for i := len(t.comments) - 1 - from; i >= 0 && len(out) < limit; i-- {
		out = append(out, *t.comments[i])
	}
	return listResult(out)
}

func (s *Server) addComment(c *caller, r *http.Request, body []byte) (int, any, *apiError) {
	if !c.can(desk.PermReply) {
		return 0, nil, forbidden()
	}
	t, ok := c.portal.ticketsBy[r.PathValue("id")]
	if !ok {
		return 0, nil, notFound("ticket")
	}
	var in struct {
		Content     string `json:"content"`
		ContentType string `json:"contentType"`
		IsPublic    bool   `json:"isPublic"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return 0, nil, errf(http.StatusBadRequest, desk.CodeInvalidData, "The request body is not valid JSON.")
	}
	if strings.TrimSpace(in.Content) == "" {
		return 0, nil, fieldErr("content", "missing", "content is required")
	}
	if in.ContentType == "" {
		in.ContentType = "plainText"
	}
	cm := s.comment(c.portal, t, c.agent, in.Content, in.ContentType, in.IsPublic)
	return http.StatusOK, *cm, nil
}

func (s *Server) comment(p *portal, t *ticket, a *agent, content, contentType string, public bool) *comment {
	now := s.clock.now()
	cm := &comment{
		ID: p.newID(), Content: content, ContentType: contentType, IsPublic: public, CommenterID: a.ID,
		Commenter:     commenterJSON{ID: a.ID, Name: a.User.name(), FirstName: nstr(a.User.FirstName), LastName: a.User.LastName, Email: a.User.Email, Type: "AGENT"},
		CommentedTime: etime(now), ModifiedTime: etime(now),
	}
	t.comments = append(t.comments, cm)
	p.touchTicket(t, now)
	return cm
}

func (s *Server) listRatings(c *caller, r *http.Request, _ []byte) (int, any, *apiError) {
	from, limit, err := paging(r)
	if err != nil {
		return 0, nil, err
	}
	rs := c.portal.ratings
	out := make([]ratingJSON, 0, limit)
	for i := len(rs) - 1 - from; i >= 0 && len(out) < limit; i-- {
		out = append(out, *rs[i])
	}
	return listResult(out)
}
