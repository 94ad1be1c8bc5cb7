package deskemu

import (
	"encoding/json"
	"fmt"
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

// handlers maps each contract operation to its handler; routes registers
// exactly the contract's operations.
func (s *Server) handlers() map[string]handlerFunc {
	return map[string]handlerFunc{
		desk.OpGetOrganizations:            s.getOrganizations,
		desk.OpGetMyInfo:                   s.getMyInfo,
		desk.OpGetAgents:                   s.listAgents,
		desk.OpGetMyProfilePermissions:     s.getMyProfilePermissions,
		desk.OpGetDepartments:              s.getDepartments,
		desk.OpGetFields:                   s.getFields,
		desk.OpGetReplyMailAddresses:       s.listMailReplyAddresses,
		desk.OpGetCustomerHappiness:        s.listRatings,
		desk.OpGetContacts:                 s.listContacts,
		desk.OpGetContact:                  s.getContact,
		desk.OpCreateContact:               s.createContact,
		desk.OpUpdateContact:               s.updateContact,
		desk.OpMergeContacts:               s.mergeContacts,
		desk.OpTrashContacts:               s.trashContacts,
		desk.OpSearchContacts:              s.searchContacts,
		desk.OpGetAccounts:                 s.listAccounts,
		desk.OpGetAccount:                  s.getAccount,
		desk.OpCreateAccount:               s.createAccount,
		desk.OpUpdateAccount:               s.updateAccount,
		desk.OpSearchAccounts:              s.searchAccounts,
		desk.OpGetTickets:                  s.listTickets,
		desk.OpGetTicket:                   s.getTicket,
		desk.OpCreateTicket:                s.createTicket,
		desk.OpUpdateTicket:                s.updateTicket,
		desk.OpSearchTickets:               s.searchTickets,
		desk.OpGetThreads:                  s.listThreads,
		desk.OpGetThread:                   s.getThread,
		desk.OpSendReply:                   s.sendReply,
		desk.OpGetTicketComments:           s.listComments,
		desk.OpCreateTicketComment:         s.addComment,
		desk.OpUploadFile:                  s.uploadFile,
		desk.OpGetThreadAttachmentContent:  s.threadAttachment,
		desk.OpGetCommentAttachmentContent: s.commentAttachment,
		desk.OpGetTemplates:                s.listTemplates,
		desk.OpGetTemplate:                 s.getTemplate,
		desk.OpApplyTemplate:               s.renderTemplate,
	}
}

func (s *Server) routes() {
	m := http.NewServeMux()
	const v1 = "/api/v1"
	hs := s.handlers()
	for i := range desk.Contract {
		op := &desk.Contract[i]
		h, ok := hs[op.ID]
		if !ok {
			panic("deskemu: no handler for contract operation " + op.ID)
		}
		delete(hs, op.ID)
		m.HandleFunc(op.Method+" "+v1+op.Path, s.api(op, h))
	}
	if len(hs) > 0 {
		panic("deskemu: handlers without a contract row")
	}
	m.HandleFunc(v1+"/", func(w http.ResponseWriter, r *http.Request) {
		s.noteViolations(nil, r, []desk.Violation{{Field: r.URL.Path, Type: "invalid", Message: "no such operation"}}, false)
		writeErr(w, http.StatusNotFound, desk.CodeURLNotFound, "The URL you requested could not be found.")
	})
	s.oauthRoutes(m)
	s.controlRoutes(m)
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeErr(w, http.StatusNotFound, desk.CodeURLNotFound, "The URL you requested could not be found.")
	})
	s.mux = m
}

// api wraps a handler: it reads the body, authenticates, holds a slot of
// the portal's concurrency cap across the configured latency, enforces
// the contract (422 with Desk's error JSON), runs h under the lock, and
// encodes the answer outside it.
func (s *Server) api(op *desk.Op, h handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Date", s.Now().Format(http.TimeFormat))
		max := int64(4 << 20)
		if len(op.Multipart) > 0 {
			max = uploadLimit + 1<<20 // the file and the form around it
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, max+1))
		if err != nil {
			writeErr(w, http.StatusBadRequest, desk.CodeInvalidData, "The request body could not be read.")
			return
		}
		if int64(len(body)) > max {
			writeErr(w, http.StatusRequestEntityTooLarge, desk.CodeInvalidData, "The request body is too large.")
			return
		}
		s.mu.Lock()
		c, aerr := s.authenticate(r, !op.NoOrg)
		if aerr == nil && c.portal != nil {
			day := s.clock.now().UTC().Format(time.DateOnly)
			if c.portal.creditDay != day {
				c.portal.creditDay, c.portal.creditsUsed = day, 0
			}
			if limit := s.concurrencyCap(c.portal); s.opts.DailyCredits > 0 && c.portal.creditsUsed+op.Cost() > s.opts.DailyCredits {
				aerr = errf(http.StatusTooManyRequests, desk.CodeThresholdExceeded,
					"The API credits of this portal for the day (%d) are used up.", s.opts.DailyCredits)
			} else if limit > 0 && c.portal.inflight >= limit {
				aerr = errf(http.StatusTooManyRequests, desk.CodeTooManyRequests,
					"The number of concurrent API calls of this portal exceeds its limit of %d.", limit)
			} else {
				c.portal.creditsUsed += op.Cost()
				c.portal.inflight++
				defer func() {
					s.mu.Lock()
					c.portal.inflight--
					s.mu.Unlock()
				}()
			}
		}
		s.mu.Unlock()
		if aerr != nil {
			writeJSON(w, aerr.status, aerr.body)
			return
		}
		if d := time.Duration(s.latency.Load()); d > 0 {
			t := time.NewTimer(d)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return
			}
		}
		if vs := op.CheckQuery(r.URL.Query()); len(vs) > 0 {
			s.noteViolations(op, r, vs, false)
			writeJSON(w, http.StatusUnprocessableEntity, violationBody(desk.CodeUnprocessable, queryMessage(vs[0]), vs))
			return
		}
		vs := op.CheckBody(body)
		if len(op.Multipart) > 0 {
			vs = checkMultipart(op, r.Header.Get("Content-Type"), body)
		}
		if len(vs) > 0 {
			s.noteViolations(op, r, vs, false)
			writeJSON(w, http.StatusUnprocessableEntity, violationBody(desk.CodeInvalidData, "The data does not comply to the validation restrictions defined.", vs))
			return
		}
		s.mu.Lock()
		st, v, aerr := h(c, r, body)
		s.mu.Unlock()
		if aerr != nil {
			writeJSON(w, aerr.status, aerr.body)
			return
		}
		if st == http.StatusNoContent {
			w.WriteHeader(st)
			return
		}
		if f, ok := v.(fileAnswer); ok {
			w.Header().Set("Content-Type", f.ctype)
			w.Header().Set("Content-Disposition", "attachment")
			w.WriteHeader(st)
			_, _ = w.Write(f.data)
			return
		}
		b, err := json.Marshal(v)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		if s.opts.CheckAnswers {
			s.noteViolations(op, r, op.CheckResponse(b), true)
		}
		w.Header().Set("Content-Type", "application/json;charset=UTF-8")
		w.WriteHeader(st)
		_, _ = w.Write(b)
	}
}

func (s *Server) concurrencyCap(p *portal) int {
	switch n := s.opts.Concurrency; {
	case n < 0:
		return 0
	case n > 0:
		return n
	}
	return desk.PlanConcurrency(p.org.Edition)
}

func queryMessage(v desk.Violation) string {
	if v.Type == "missing" {
		return "The '" + v.Field + "' query parameter is missing."
	}
	return "The value passed for the '" + v.Field + "' query parameter is invalid."
}

func violationBody(code, msg string, vs []desk.Violation) errorBody {
	b := errorBody{ErrorCode: code, Message: msg}
	for _, v := range vs {
		b.Errors = append(b.Errors, errorItem{FieldName: v.Field, ErrorType: v.Type, ErrorMessage: v.Message})
	}
	return b
}

type dataPage[T any] struct {
	Data []T `json:"data"`
}

// searchPage is a search's answer: the hits and the count of all hits.
type searchPage[T any] struct {
	Data  []T `json:"data"`
	Count int `json:"count"`
}

// listResult answers a page, or 204 No Content when it is empty.
func listResult[T any](items []T) (int, any, *apiError) {
	if len(items) == 0 {
		return http.StatusNoContent, nil, nil
	}
	return http.StatusOK, dataPage[T]{Data: items}, nil
}

// paging reads from (converted to a 0-based index: the contract says each
// operation's base) and limit (default 10, Desk's default). The contract
// has checked their ranges.
func paging(r *http.Request, op *desk.Op) (from, limit int) {
	q := r.URL.Query()
	from, limit = 0, 10
	if v := q.Get("from"); v != "" {
		n, _ := strconv.Atoi(v)
		from = n - op.FromBase()
	}
	if v := q.Get("limit"); v != "" {
		limit, _ = strconv.Atoi(v)
	}
	return from, limit
}

func window[T any](items []T, from, limit int) []T {
	if from >= len(items) {
		return nil
	}
	end := min(from+limit, len(items))
	return items[from:end]
}

func includes(r *http.Request, what string) bool {
	for _, s := range strings.Split(r.URL.Query().Get("include"), ",") {
		if strings.TrimSpace(s) == what {
			return true
		}
	}
	return false
}

func errf(status int, code, format string, args ...any) *apiError {
	return &apiError{status: status, body: errorBody{ErrorCode: code, Message: fmt.Sprintf(format, args...)}}
}

// fieldErr is Desk's INVALID_DATA answer naming a body field (as a JSON
// pointer) and an errorType: invalid, duplicate or missing.
func fieldErr(field, typ, msg string) *apiError {
	return &apiError{status: http.StatusUnprocessableEntity, body: errorBody{
		ErrorCode: desk.CodeInvalidData,
		Message:   "The data does not comply to the validation restrictions defined.",
		Errors:    []errorItem{{FieldName: "/" + field, ErrorType: typ, ErrorMessage: msg}},
	}}
}

func notFound(what string) *apiError {
	return errf(http.StatusNotFound, desk.CodeURLNotFound, "The requested %s could not be found.", what)
}

func forbidden() *apiError {
	return errf(http.StatusForbidden, desk.CodeForbidden, "You are not authorized to access this resource.")
}

// --- organizations, agents, settings ---

func (s *Server) getOrganizations(c *caller, r *http.Request, _ []byte) (int, any, *apiError) {
	var out []orgJSON
	for _, p := range s.portals {
		o := orgJSON{ID: p.org.ID, CompanyName: p.org.CompanyName, PortalName: p.org.PortalName, PortalURL: p.org.PortalURL,
			Edition: p.org.Edition, CurrencyCode: "USD", TimeZone: "Asia/Tokyo"}
		if a := p.agentByUser(c.user); a != nil {
			o.IsAdminInOrg = a.Admin
			out = append(out, o)
		}
	}
	for i := range out {
		out[i].IsDefault = strconv.FormatBool(i == 0)
	}
	return listResult(out)
}

func (s *Server) getMyInfo(c *caller, _ *http.Request, _ []byte) (int, any, *apiError) {
	return http.StatusOK, agentView(c.agent), nil
}

// listAgents lists the portal's agents, in the order they were added.
func (s *Server) listAgents(c *caller, r *http.Request, _ []byte) (int, any, *apiError) {
	from, limit := paging(r, desk.OpByID(desk.OpGetAgents))
	page := window(c.portal.agents, from, limit)
	out := make([]agentJSON, len(page))
	for i, a := range page {
		out[i] = agentView(a)
	}
	return listResult(out)
}

func (s *Server) getMyProfilePermissions(c *caller, _ *http.Request, _ []byte) (int, any, *apiError) {
	pr := c.portal.profiles[c.agent.ProfileID]
	return http.StatusOK, map[string]any{"permissions": pr.Permissions}, nil
}

func (s *Server) getDepartments(c *caller, r *http.Request, _ []byte) (int, any, *apiError) {
	from, limit := paging(r, desk.OpByID(desk.OpGetDepartments))
	var out []departmentJSON
	for _, d := range c.portal.departments {
		if v := r.URL.Query().Get("isEnabled"); v != "" && v != strconv.FormatBool(d.Enabled) {
			continue
		}
		out = append(out, departmentJSON{ID: d.ID, Name: d.Name, IsEnabled: d.Enabled, IsDefault: d.Default,
			ChatStatus: "NOT_CREATED", NameInCustomerPortal: d.Name})
	}
	return listResult(window(out, from, limit))
}

func (s *Server) getFields(c *caller, r *http.Request, _ []byte) (int, any, *apiError) {
	module := r.URL.Query().Get("module")
	fs, ok := c.portal.fields[module]
	if !ok {
		return listResult([]fieldJSON(nil)) // a module Tandem does not model: no fields
	}
	out := make([]fieldJSON, len(fs))
	for i, f := range fs {
		out[i] = fieldJSON{ID: f.ID, APIName: f.APIName, DisplayLabel: f.Label, Name: f.Label, I18NLabel: f.Label,
			Type: f.Type, IsMandatory: f.Mandatory, IsCustomField: f.Custom}
		if f.MaxLength > 0 {
			n := f.MaxLength
			out[i].MaxLength = &n
		}
		for _, v := range f.Allowed {
			av := allowedJSON{Value: v}
			if module == "tickets" && f.APIName == "status" {
				av.StatusType = c.portal.statusType(v)
			}
			out[i].AllowedValues = append(out[i].AllowedValues, av)
		}
	}
	return listResult(out)
}

// listMailReplyAddresses lists a department's support addresses.
func (s *Server) listMailReplyAddresses(c *caller, r *http.Request, _ []byte) (int, any, *apiError) {
	from, limit := paging(r, desk.OpByID(desk.OpGetReplyMailAddresses))
	dep := r.URL.Query().Get("departmentId")
	if c.portal.department(dep) == nil {
		return 0, nil, fieldErr("departmentId", "invalid", "no such department")
	}
	var out []replyAddressJSON
	for _, a := range c.portal.addresses {
		if a.DepartmentID != dep {
			continue
		}
		if v := r.URL.Query().Get("isActive"); v != "" && v != strconv.FormatBool(a.Active) {
			continue
		}
		out = append(out, replyAddressJSON{ID: a.ID, Address: a.Address, DisplayName: a.DisplayName, DepartmentID: a.DepartmentID,
			IsActive: a.Active, IsVerified: a.Verified, ServiceProviderType: "ZohoSMTP",
			IsDepartmentDefault: a.Active && a.Address == c.portal.departmentMail(dep)})
	}
	return listResult(window(out, from, limit))
}

// listRatings lists happiness ratings: of a department (or all), rated at
// or after startTime, oldest first unless sorted -ratedTime.
func (s *Server) listRatings(c *caller, r *http.Request, _ []byte) (int, any, *apiError) {
	from, limit := paging(r, desk.OpByID(desk.OpGetCustomerHappiness))
	q := r.URL.Query()
	dep := q.Get("department")
	var since, until time.Time
	if v := q.Get("startTime"); v != "" {
		ms, _ := strconv.ParseInt(v, 10, 64)
		since = time.UnixMilli(ms).UTC()
	}
	if v := q.Get("endTime"); v != "" {
		ms, _ := strconv.ParseInt(v, 10, 64)
		until = time.UnixMilli(ms).UTC()
	}
	var out []ratingJSON
	for _, rt := range c.portal.ratings {
		if (dep != "allDepartment" && rt.DepartmentID != dep) || (!since.IsZero() && rt.Rated.Before(since)) ||
			(!until.IsZero() && rt.Rated.After(until)) {
			continue
		}
		if v := q.Get("rating"); v != "" && !strings.EqualFold(v, rt.Rating) {
			continue
		}
		out = append(out, ratingJSON{ID: rt.ID, Rating: rt.Rating, Feedback: nstr(rt.Feedback), TicketID: rt.TicketID,
			ContactID: nstr(rt.ContactID), RatedTime: isoTime(rt.Rated)})
	}
	if q.Get("sortBy") == "-ratedTime" {
		slices.Reverse(out)
	}
	return listResult(window(out, from, limit))
}

// --- contacts ---

// sortOrder returns a comparison for sortBy (createdTime or modifiedTime,
// "-" for descending); other fields sort by creation.
func sortOrder[T any](sortBy string, created, modified func(T) time.Time) func(a, b T) int {
	key := created
	desc := strings.HasPrefix(sortBy, "-")
	if strings.TrimPrefix(sortBy, "-") == "modifiedTime" {
		key = modified
	}
	return func(a, b T) int {
		c := key(a).Compare(key(b))
		if desc {
			c = -c
		}
		return c
	}
}

func (s *Server) listContacts(c *caller, r *http.Request, _ []byte) (int, any, *apiError) {
	from, limit := paging(r, desk.OpByID(desk.OpGetContacts))
	items := sortedPage(c.portal.contacts, r.URL.Query().Get("sortBy"), from, limit,
		func(x *contact) time.Time { return x.Created }, func(x *contact) time.Time { return x.Modified })
	out := make([]contactListJSON, len(items))
	for i, ct := range items {
		out[i] = contactList(ct)
	}
	return listResult(out)
}

// sortedPage returns items from..from+limit of items (stored in creation
// order) in sortBy's order; the creation order needs no sort.
func sortedPage[T any](items []T, sortBy string, from, limit int, created, modified func(T) time.Time) []T {
	switch sortBy {
	case "", "createdTime":
		return window(items, from, limit)
	case "-createdTime":
		n := len(items)
		var out []T
		for i := n - 1 - from; i >= 0 && len(out) < limit; i-- {
			out = append(out, items[i])
		}
		return out
	}
	sorted := slices.Clone(items)
	slices.SortStableFunc(sorted, sortOrder(sortBy, created, modified))
	return window(sorted, from, limit)
}

func (s *Server) getContact(c *caller, r *http.Request, _ []byte) (int, any, *apiError) {
	ct, ok := c.portal.contactsBy[r.PathValue("contactId")]
	if !ok {
		return 0, nil, notFound("contact")
	}
	return http.StatusOK, contactFull[msTime](ct), nil
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

func setStr(dst *string, field string, v any) *apiError {
	switch x := v.(type) {
	case nil:
		*dst = ""
	case string:
		*dst = x
	case float64:
		*dst = strconv.FormatFloat(x, 'f', -1, 64)
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
			return nil, fieldErr("cf/"+k, "invalid", "custom field names start with cf_")
		}
		out[k] = x
	}
	return out, nil
}

// applyContact sets fields on ct (a copy); Desk's PATCH semantics. The
// contract has refused fields createContact and updateContact do not take;
// those Desk takes and Tandem never sends are accepted and dropped.
func applyContact(p *portal, ct *contact, m map[string]any) *apiError {
	for k, v := range m {
		var err *apiError
		switch k {
		case "firstName":
			err = setStr(&ct.FirstName, k, v)
		case "lastName":
			err = setStr(&ct.LastName, k, v)
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
			if err == nil && ct.AccountID != "" && p.accountsBy[ct.AccountID] == nil {
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
		}
		if err != nil {
			return err
		}
	}
	if strings.TrimSpace(ct.LastName) == "" {
		return fieldErr("lastName", "missing", "lastName is required")
	}
	for _, e := range []struct{ name, v string }{{"email", ct.Email}, {"secondaryEmail", ct.SecondaryEmail}} {
		if e.v != "" && !validEmail(e.v) {
			return fieldErr(e.name, "invalid", "not a valid email address")
		}
	}
	return nil
}

func (s *Server) createContact(c *caller, r *http.Request, body []byte) (int, any, *apiError) {
	if !c.can(desk.PermModuleContacts, desk.PermCreate) {
		return 0, nil, forbidden()
	}
	m, err := decodeFields(body)
	if err != nil {
		return 0, nil, err
	}
	ct, err := s.newContact(c.portal, m)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, contactFull[msTime](ct), nil
}

func (s *Server) newContact(p *portal, m map[string]any) (*contact, *apiError) {
	now := s.clock.now()
	ct := &contact{ID: p.newID(), Created: now, Modified: now, CF: map[string]any{}}
	if err := applyContact(p, ct, m); err != nil {
		p.seq--
		return nil, err
	}
	ct.WebURL = p.org.PortalURL + "/agent/contacts/" + ct.ID
	p.contacts = append(p.contacts, ct)
	p.contactsBy[ct.ID] = ct
	p.contactMod.insert(ct)
	return ct, nil
}

func (s *Server) updateContact(c *caller, r *http.Request, body []byte) (int, any, *apiError) {
	if !c.can(desk.PermModuleContacts, desk.PermEdit) {
		return 0, nil, forbidden()
	}
	ct, ok := c.portal.contactsBy[r.PathValue("contactId")]
	if !ok {
		return 0, nil, notFound("contact")
	}
	m, err := decodeFields(body)
	if err != nil {
		return 0, nil, err
	}
	if err := s.editContact(c.portal, ct, m); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, contactFull[msTime](ct), nil
}

func (s *Server) editContact(p *portal, ct *contact, m map[string]any) *apiError {
	cp := *ct
	if err := applyContact(p, &cp, m); err != nil {
		return err
	}
	p.contactMod.remove(ct)
	cp.Modified = nextModified(s.clock.now(), ct.Modified)
	*ct = cp
	p.contactMod.insert(ct)
	return nil
}

// mergeContacts folds the contacts of ids into the path's contact (the one
// kept): fields named in source take that contact's value, the rest keep
// the kept contact's; the others' tickets move to it and they are gone.
func (s *Server) mergeContacts(c *caller, r *http.Request, body []byte) (int, any, *apiError) {
	if !c.can(desk.PermModuleContacts, desk.PermEdit) {
		return 0, nil, forbidden()
	}
	p := c.portal
	keep, ok := p.contactsBy[r.PathValue("contactId")]
	if !ok {
		return 0, nil, notFound("contact")
	}
	var req struct {
		IDs    []string          `json:"ids"`
		Source map[string]string `json:"source"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return 0, nil, fieldErr("ids", "invalid", "ids must be a list of contact ids")
	}
	var others []*contact
	for _, id := range req.IDs {
		if id == keep.ID {
			continue
		}
		ct, ok := p.contactsBy[id]
		if !ok {
			return 0, nil, fieldErr("ids", "invalid", "no such contact: "+id)
		}
		others = append(others, ct)
	}
	if len(others) == 0 {
		return 0, nil, fieldErr("ids", "invalid", "at least two contacts are merged")
	}
	fields := map[string]any{}
	for f, id := range req.Source {
		src, ok := p.contactsBy[id]
		if !ok || (id != keep.ID && !slices.Contains(req.IDs, id)) {
			return 0, nil, fieldErr("source/"+f, "invalid", "not one of the merged contacts")
		}
		v, ok := contactValue(src, f)
		if !ok {
			return 0, nil, fieldErr("source/"+f, "invalid", "no such field")
		}
		fields[f] = v
	}
	if err := s.editContact(p, keep, fields); err != nil {
		return 0, nil, err
	}
	now := s.clock.now()
	for _, o := range others {
		for _, t := range p.tickets {
			if t.ContactID == o.ID {
				t.ContactID = keep.ID
				p.touchTicket(t, now)
			}
		}
		p.contactMod.remove(o)
		delete(p.contactsBy, o.ID)
		p.contacts = slices.DeleteFunc(p.contacts, func(x *contact) bool { return x == o })
	}
	return http.StatusOK, contactFull[msTime](keep), nil
}

// trashContacts moves contacts to the Recycle Bin: they are gone from the
// lists, searches and reads.
func (s *Server) trashContacts(c *caller, r *http.Request, body []byte) (int, any, *apiError) {
	// The emulator's profiles have no delete right: edit stands for it.
	if !c.can(desk.PermModuleContacts, desk.PermEdit) {
		return 0, nil, forbidden()
	}
	var req struct {
		IDs []string `json:"contactIds"`
	}
	if err := json.Unmarshal(body, &req); err != nil || len(req.IDs) == 0 {
		return 0, nil, fieldErr("contactIds", "invalid", "contactIds must be a list of contact ids")
	}
	p := c.portal
	for _, id := range req.IDs {
		if _, ok := p.contactsBy[id]; !ok {
			return 0, nil, fieldErr("contactIds", "invalid", "no such contact: "+id)
		}
	}
	for _, id := range req.IDs {
		o := p.contactsBy[id]
		p.contactMod.remove(o)
		delete(p.contactsBy, id)
		p.contacts = slices.DeleteFunc(p.contacts, func(x *contact) bool { return x == o })
	}
	return http.StatusNoContent, nil, nil
}

func contactValue(ct *contact, f string) (string, bool) {
	switch f {
	case "firstName":
		return ct.FirstName, true
	case "lastName":
		return ct.LastName, true
	case "email":
		return ct.Email, true
	case "secondaryEmail":
		return ct.SecondaryEmail, true
	case "phone":
		return ct.Phone, true
	case "mobile":
		return ct.Mobile, true
	case "title":
		return ct.Title, true
	case "accountId":
		return ct.AccountID, true
	case "description":
		return ct.Description, true
	case "type":
		return ct.Type, true
	}
	return "", false
}

// --- accounts ---

func (s *Server) listAccounts(c *caller, r *http.Request, _ []byte) (int, any, *apiError) {
	from, limit := paging(r, desk.OpByID(desk.OpGetAccounts))
	items := sortedPage(c.portal.accounts, r.URL.Query().Get("sortBy"), from, limit,
		func(x *account) time.Time { return x.Created }, func(x *account) time.Time { return x.Modified })
	out := make([]accountListJSON, len(items))
	for i, a := range items {
		out[i] = accountList(a)
	}
	return listResult(out)
}

func (s *Server) getAccount(c *caller, r *http.Request, _ []byte) (int, any, *apiError) {
	a, ok := c.portal.accountsBy[r.PathValue("accountId")]
	if !ok {
		return 0, nil, notFound("account")
	}
	return http.StatusOK, accountFull[msTime](a), nil
}

func applyAccount(a *account, m map[string]any) *apiError {
	for k, v := range m {
		var err *apiError
		switch k {
		case "accountName":
			err = setStr(&a.AccountName, k, v)
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
		}
		if err != nil {
			return err
		}
	}
	if strings.TrimSpace(a.AccountName) == "" {
		return fieldErr("accountName", "missing", "accountName is required")
	}
	if a.Email != "" && !validEmail(a.Email) {
		return fieldErr("email", "invalid", "not a valid email address")
	}
	return nil
}

func (s *Server) createAccount(c *caller, r *http.Request, body []byte) (int, any, *apiError) {
	if !c.can(desk.PermModuleAccounts, desk.PermCreate) {
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
	return http.StatusOK, accountFull[msTime](a), nil
}

// newAccount creates an account; Desk refuses a second account with the
// same name (INVALID_DATA, errorType duplicate on accountName).
func (s *Server) newAccount(p *portal, m map[string]any) (*account, *apiError) {
	for _, a := range p.accounts {
		if n, ok := m["accountName"].(string); ok && strings.EqualFold(a.AccountName, strings.TrimSpace(n)) {
			return nil, fieldErr("accountName", "duplicate", "an account with this name already exists")
		}
	}
	now := s.clock.now()
	a := &account{ID: p.newID(), Created: now, Modified: now, CF: map[string]any{}}
	if err := applyAccount(a, m); err != nil {
		p.seq--
		return nil, err
	}
	a.WebURL = p.org.PortalURL + "/agent/accounts/" + a.ID
	p.accounts = append(p.accounts, a)
	p.accountsBy[a.ID] = a
	p.accountMod.insert(a)
	return a, nil
}

func (s *Server) updateAccount(c *caller, r *http.Request, body []byte) (int, any, *apiError) {
	if !c.can(desk.PermModuleAccounts, desk.PermEdit) {
		return 0, nil, forbidden()
	}
	a, ok := c.portal.accountsBy[r.PathValue("accountId")]
	if !ok {
		return 0, nil, notFound("account")
	}
	m, err := decodeFields(body)
	if err != nil {
		return 0, nil, err
	}
	if err := s.editAccount(c.portal, a, m); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, accountFull[msTime](a), nil
}

func (s *Server) editAccount(p *portal, a *account, m map[string]any) *apiError {
	cp := *a
	if err := applyAccount(&cp, m); err != nil {
		return err
	}
	p.accountMod.remove(a)
	cp.Modified = nextModified(s.clock.now(), a.Modified)
	*a = cp
	p.accountMod.insert(a)
	return nil
}

// --- tickets ---

// listTickets serves a page of a department's tickets in the sortBy order
// (creation order is storage order, so a page costs O(limit)).
func (s *Server) listTickets(c *caller, r *http.Request, _ []byte) (int, any, *apiError) {
	from, limit := paging(r, desk.OpByID(desk.OpGetTickets))
	p := c.portal
	q := r.URL.Query()
	dep := q.Get("departmentId")
	if p.department(dep) == nil {
		return 0, nil, errf(http.StatusUnprocessableEntity, desk.CodeUnprocessable, "The value passed for the 'departmentId' query parameter is invalid.")
	}
	src := p.tickets
	switch sb := q.Get("sortBy"); sb {
	case "", "createdTime", "-createdTime":
		if sb == "-createdTime" {
			src = slices.Clone(src)
			slices.Reverse(src)
		}
	default: // dueDate, recentThread: sorted on demand
		src = slices.Clone(src)
		desc := strings.HasPrefix(sb, "-")
		key := func(t *ticket) time.Time { return t.Due }
		if strings.TrimPrefix(sb, "-") == "recentThread" {
			key = func(t *ticket) time.Time { return t.CustomerResponse }
		}
		slices.SortStableFunc(src, func(a, b *ticket) int {
			c := key(a).Compare(key(b))
			if desc {
				c = -c
			}
			return c
		})
	}
	withContact := includes(r, "contacts")
	out := make([]ticketListJSON, 0, limit)
	skipped := 0
	for _, t := range src {
		if len(out) >= limit {
			break
		}
		if t.DepartmentID != dep {
			continue
		}
		if skipped < from {
			skipped++
			continue
		}
		out = append(out, p.ticketList(t, withContact))
	}
	return listResult(out)
}

func (s *Server) getTicket(c *caller, r *http.Request, _ []byte) (int, any, *apiError) {
	t, ok := c.portal.ticketsBy[r.PathValue("ticketId")]
	if !ok {
		return 0, nil, notFound("ticket")
	}
	return http.StatusOK, ticketFull[msTime](c.portal, t, s.clock.now(), includes(r, "contacts")), nil
}

func (s *Server) createTicket(c *caller, r *http.Request, body []byte) (int, any, *apiError) {
	if !c.can(desk.PermModuleTickets, desk.PermCreate) {
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
	return http.StatusOK, ticketFull[msTime](c.portal, t, s.clock.now(), false), nil
}

// newTicket creates a ticket from Desk's create body.
func (s *Server) newTicket(p *portal, m map[string]any) (*ticket, *apiError) {
	now := s.clock.now()
	t := &ticket{Channel: "Email", CF: map[string]any{}}
	t.Status, t.StatusType = p.statusOrder[0], p.statusType(p.statusOrder[0])
	if cref, ok := m["contact"]; ok {
		cm, ok := cref.(map[string]any)
		if !ok {
			return nil, fieldErr("contact", "invalid", "contact must be an object")
		}
		email, _ := cm["email"].(string)
		var found *contact
		for _, ct := range p.contacts {
			if email != "" && strings.EqualFold(ct.Email, email) {
				found = ct
				break
			}
		}
		if found == nil {
			ct, err := s.newContact(p, cm)
			if err != nil {
				return nil, err
			}
			found = ct
		}
		t.ContactID = found.ID
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
	ct := p.contactsBy[t.ContactID]
	if t.Email == "" {
		t.Email = ct.Email
	}
	if t.AccountID == "" {
		t.AccountID = ct.AccountID
	}
	p.ticketSeq++
	t.ID = p.newID()
	t.Number = strconv.Itoa(p.ticketSeq)
	t.Created, t.Modified = now, now
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
			err = setStr(&t.Subject, k, v)
		case "description":
			err = setStr(&t.Description, k, v)
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
			err = setStr(&t.Channel, k, v)
		case "email":
			err = setStr(&t.Email, k, v)
		case "phone":
			err = setStr(&t.Phone, k, v)
		case "contactId":
			err = setStr(&t.ContactID, k, v)
			if err == nil && p.contactsBy[t.ContactID] == nil {
				err = fieldErr(k, "invalid", "no such contact")
			}
		case "departmentId":
			err = setStr(&t.DepartmentID, k, v)
			if err == nil && p.department(t.DepartmentID) == nil {
				err = fieldErr(k, "invalid", "no such department")
			}
		case "assigneeId":
			err = setStr(&t.AssigneeID, k, v)
			if err == nil && t.AssigneeID != "" && p.agentByID(t.AssigneeID) == nil {
				err = fieldErr(k, "invalid", "no such agent")
			}
		case "dueDate":
			var n string
			if err = setStr(&n, k, v); err != nil {
				break
			}
			if n == "" {
				t.Due = time.Time{}
				break
			}
			d, e := time.Parse(time.RFC3339Nano, n)
			if e != nil {
				err = fieldErr(k, "invalid", "dueDate must be an ISO-8601 time")
				break
			}
			t.Due = d.UTC()
		case "cf":
			t.CF, err = mergeCF(t.CF, v)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (s *Server) updateTicket(c *caller, r *http.Request, body []byte) (int, any, *apiError) {
	if !c.can(desk.PermModuleTickets, desk.PermEdit) {
		return 0, nil, forbidden()
	}
	t, ok := c.portal.ticketsBy[r.PathValue("ticketId")]
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
	return http.StatusOK, ticketFull[msTime](c.portal, t, s.clock.now(), false), nil
}

// editTicket applies m to t atomically and bumps modifiedTime.
func (s *Server) editTicket(p *portal, t *ticket, m map[string]any) *apiError {
	cp := *t
	if err := applyTicket(p, &cp, m); err != nil {
		return err
	}
	now := s.clock.now()
	if cp.StatusType == "Closed" && t.StatusType != "Closed" {
		cp.Closed = now
	} else if cp.StatusType != "Closed" {
		cp.Closed = time.Time{}
	}
	p.ticketMod.remove(t)
	*t = cp
	t.Modified = nextModified(now, t.Modified)
	p.ticketMod.insert(t)
	return nil
}

// --- threads and comments ---

func (s *Server) listThreads(c *caller, r *http.Request, _ []byte) (int, any, *apiError) {
	t, ok := c.portal.ticketsBy[r.PathValue("ticketId")]
	if !ok {
		return 0, nil, notFound("ticket")
	}
	from, limit := paging(r, desk.OpByID(desk.OpGetThreads))
	ths := slices.Clone(t.threads) // oldest first as stored
	if r.URL.Query().Get("sortBy") != "sendDateTime" {
		slices.Reverse(ths) // Desk's default: newest first
	}
	out := make([]threadJSON, 0, limit)
	for _, th := range window(ths, from, limit) {
		out = append(out, threadView(th, false))
	}
	return listResult(out)
}

func (s *Server) getThread(c *caller, r *http.Request, _ []byte) (int, any, *apiError) {
	t, ok := c.portal.ticketsBy[r.PathValue("ticketId")]
	if !ok {
		return 0, nil, notFound("ticket")
	}
	id := r.PathValue("threadId")
	for _, th := range t.threads {
		if th.ID == id {
			return http.StatusOK, threadView(th, true), nil
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
	if !c.can(desk.PermModuleTickets, desk.PermMailSend) {
		return 0, nil, forbidden()
	}
	t, ok := c.portal.ticketsBy[r.PathValue("ticketId")]
	if !ok {
		return 0, nil, notFound("ticket")
	}
	var in struct {
		Channel          string   `json:"channel"`
		FromEmailAddress string   `json:"fromEmailAddress"`
		To               string   `json:"to"`
		CC               string   `json:"cc"`
		BCC              string   `json:"bcc"`
		Content          string   `json:"content"`
		ContentType      string   `json:"contentType"`
		IsForward        bool     `json:"isForward"`
		TicketStatus     string   `json:"ticketStatus"`
		AttachmentIDs    []string `json:"attachmentIds"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return 0, nil, errf(http.StatusBadRequest, desk.CodeInvalidData, "The request body is not valid JSON.")
	}
	files, aerr := c.portal.takeUploads(in.AttachmentIDs)
	if aerr != nil {
		return 0, nil, aerr
	}
	switch {
	case in.TicketStatus != "" && !slices.Contains(c.portal.statusOrder, in.TicketStatus):
		return 0, nil, fieldErr("ticketStatus", "invalid", "not a status of this portal: "+in.TicketStatus)
	case in.Channel != "EMAIL":
		return 0, nil, fieldErr("channel", "invalid", "this ticket is answered by EMAIL")
	case strings.TrimSpace(in.To) == "":
		return 0, nil, fieldErr("to", "missing", "to is required for an email")
	case strings.TrimSpace(in.Content) == "":
		return 0, nil, fieldErr("content", "missing", "content is required")
	case !c.portal.departmentAddress(t.DepartmentID, in.FromEmailAddress):
		return 0, nil, fieldErr("fromEmailAddress", "invalid", "fromEmailAddress must be an active, verified From address of the ticket's department")
	}
	for _, addr := range strings.FieldsFunc(in.To, func(r rune) bool { return r == ',' || r == ';' }) {
		if a := strings.TrimSpace(addr); a != "" && !validEmail(a) {
			return 0, nil, fieldErr("to", "invalid", "not a valid email address: "+a)
		}
	}
	if in.ContentType == "" || in.ContentType == "text/html" {
		in.ContentType = "html"
	}
	now := s.clock.now()
	th := &thread{ID: c.portal.newID(), Channel: "EMAIL", Direction: "out", From: in.FromEmailAddress, To: in.To, CC: in.CC, BCC: in.BCC,
		Summary: summarize(in.Content), Created: now, Visibility: "public", IsForward: in.IsForward,
		Author:  author{ID: c.agent.ID, Name: c.agent.User.name(), Email: c.agent.User.Email, Type: "AGENT"},
		Content: in.Content, ContentType: in.ContentType, Files: files}
	t.threads = append(t.threads, th)
	if in.TicketStatus != "" {
		t.Status, t.StatusType = in.TicketStatus, c.portal.statusType(in.TicketStatus)
	}
	c.portal.touchTicket(t, now)
	return http.StatusOK, threadView(th, true), nil
}

func (s *Server) listComments(c *caller, r *http.Request, _ []byte) (int, any, *apiError) {
	t, ok := c.portal.ticketsBy[r.PathValue("ticketId")]
	if !ok {
		return 0, nil, notFound("ticket")
	}
	from, limit := paging(r, desk.OpByID(desk.OpGetTicketComments))
	cms := t.comments // oldest first: Desk's default
	if r.URL.Query().Get("sortBy") == "-commentedTime" {
		cms = slices.Clone(cms)
		slices.Reverse(cms)
	}
	withMentions := includes(r, "mentions")
	out := make([]commentJSON, 0, limit)
	for _, cm := range window(cms, from, limit) {
		out = append(out, c.portal.commentView(cm, withMentions))
	}
	return listResult(out)
}

func (s *Server) addComment(c *caller, r *http.Request, body []byte) (int, any, *apiError) {
	if !c.can(desk.PermModuleTickets, desk.PermEdit) {
		return 0, nil, forbidden()
	}
	t, ok := c.portal.ticketsBy[r.PathValue("ticketId")]
	if !ok {
		return 0, nil, notFound("ticket")
	}
	var in struct {
		Content       string   `json:"content"`
		ContentType   string   `json:"contentType"`
		IsPublic      bool     `json:"isPublic"`
		AttachmentIDs []string `json:"attachmentIds"`
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
	// TicketComment.json addCommentPayload: attachmentIds are upload ids
	// (Upload.json), taken like sendReply's.
	files, aerr := c.portal.takeUploads(in.AttachmentIDs)
	if aerr != nil {
		return 0, nil, aerr
	}
	cm := s.comment(c.portal, t, c.agent, in.Content, in.ContentType, in.IsPublic)
	cm.Files = files
	return http.StatusOK, c.portal.commentView(cm, false), nil
}

func (s *Server) comment(p *portal, t *ticket, a *agent, content, contentType string, public bool) *comment {
	now := s.clock.now()
	cm := &comment{ID: p.newID(), TicketID: t.ID, Content: content, ContentType: contentType, IsPublic: public, Commenter: a, Commented: now}
	t.comments = append(t.comments, cm)
	p.touchTicket(t, now)
	return cm
}
