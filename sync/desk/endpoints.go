package desk

import (
	"context"
	"fmt"
	"iter"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// page is Desk's list envelope; searches add a count of all hits.
type page[T any] struct {
	Data  []T   `json:"data"`
	Count Count `json:"count"`
}

// ListOptions selects one page of a list.
type ListOptions struct {
	// From is the 0-based index of the first item; the client converts it
	// to the operation's own base (some count from 1: see Op.FromBase).
	From   int
	Limit  int    // page size (the operation's largest when zero)
	SortBy string // a field name, "-" prefix for descending, e.g. "-createdTime"
}

func (o ListOptions) query(op *Op) url.Values {
	q := url.Values{}
	limit := o.Limit
	if max := op.MaxPage(); limit <= 0 || limit > max {
		limit = max
	}
	q.Set("from", strconv.Itoa(o.From+op.FromBase()))
	q.Set("limit", strconv.Itoa(limit))
	if o.SortBy != "" {
		q.Set("sortBy", o.SortBy)
	}
	return q
}

// do calls an operation of the contract: its method and path (filled with
// args), the query and body, decoding the answer into out.
func (c *Client) do(ctx context.Context, op *Op, args []string, q url.Values, in, out any) (bool, error) {
	c.stats.credits.Add(int64(op.Cost()))
	decoded, err := c.call(ctx, op.Method, op.Expand(args...), q, in, out)
	if err != nil {
		return false, fmt.Errorf("desk: %s: %w", op.ID, toAppError(err))
	}
	return decoded, nil
}

func list[T any](ctx context.Context, c *Client, id string, q url.Values, args ...string) ([]T, error) {
	var p page[T]
	if _, err := c.do(ctx, OpByID(id), args, q, nil, &p); err != nil {
		return nil, err
	}
	return p.Data, nil
}

func get[T any](ctx context.Context, c *Client, id string, q url.Values, body any, args ...string) (T, error) {
	var v T
	op := OpByID(id)
	decoded, err := c.do(ctx, op, args, q, body, &v)
	if err != nil {
		return v, err
	}
	if !decoded && op.Method == "GET" {
		return v, fmt.Errorf("desk: %s: %w", op.ID, toAppError(&APIError{Method: op.Method, Path: op.Path, Status: 404, Code: CodeResourceNotFound, Message: "empty response"}))
	}
	return v, nil
}

// Organizations lists the portals of the signed-in user. It sends no
// orgId header.
func (c *Client) Organizations(ctx context.Context) ([]Organization, error) {
	return list[Organization](ctx, c, OpGetOrganizations, nil)
}

// MyInfo returns the signed-in agent in the client's portal.
func (c *Client) MyInfo(ctx context.Context) (Agent, error) {
	return get[Agent](ctx, c, OpGetMyInfo, nil, nil)
}

// Agents lists the portal's agents, all pages (for the names of mentioned
// agents, by Zoho user id).
func (c *Client) Agents(ctx context.Context) ([]Agent, error) {
	op := OpByID(OpGetAgents)
	const limit = 200 // the operation's maximum
	var out []Agent
	for a, err := range All(ctx, limit, func(ctx context.Context, from, limit int) ([]Agent, error) {
		return list[Agent](ctx, c, OpGetAgents, ListOptions{From: from, Limit: limit}.queryLimit(op, limit))
	}) {
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// queryLimit is query with a page size above MaxLimit (agents,
// departments), within the operation's own maximum.
func (o ListOptions) queryLimit(op *Op, limit int) url.Values {
	q := o.query(op)
	q.Set("limit", strconv.Itoa(limit))
	return q
}

// MailReplyAddress is one of the portal's support addresses, as
// GET /mailReplyAddress lists them per department.
type MailReplyAddress struct {
	ID           string `json:"id"`
	Address      string `json:"address"`
	DisplayName  string `json:"displayName"`
	DepartmentID string `json:"departmentId"`
	IsActive     *bool  `json:"isActive"`
	IsVerified   *bool  `json:"isVerified"`
	// IsDepartmentDefault marks the department's default From address.
	IsDepartmentDefault bool `json:"isDepartmentDefault"`
}

// Usable reports whether replies may go from the address: not marked
// inactive or unverified.
func (m MailReplyAddress) Usable() bool {
	return m.Address != "" && (m.IsActive == nil || *m.IsActive) && (m.IsVerified == nil || *m.IsVerified)
}

// MailReplyAddresses lists a department's support addresses, every page
// (Desk counts this list's `from` from 1).
func (c *Client) MailReplyAddresses(ctx context.Context, departmentID string) ([]MailReplyAddress, error) {
	op := OpByID(OpGetReplyMailAddresses)
	var out []MailReplyAddress
	for a, err := range All(ctx, op.MaxPage(), func(ctx context.Context, from, limit int) ([]MailReplyAddress, error) {
		q := ListOptions{From: from, Limit: limit}.query(op)
		q.Set("departmentId", departmentID)
		return list[MailReplyAddress](ctx, c, OpGetReplyMailAddresses, q)
	}) {
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// Departments lists the portal's departments (every page).
func (c *Client) Departments(ctx context.Context) ([]Department, error) {
	op := OpByID(OpGetDepartments)
	const limit = 200
	var out []Department
	for d, err := range All(ctx, limit, func(ctx context.Context, from, limit int) ([]Department, error) {
		return list[Department](ctx, c, OpGetDepartments, ListOptions{From: from}.queryLimit(op, limit))
	}) {
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// SearchQuery selects one page of a search (contacts, accounts, tickets).
type SearchQuery struct {
	// Criteria are the operation's search parameters, e.g. "_all",
	// "accountName"; a search needs at least one (or a time range).
	Criteria url.Values
	// Modified, when not zero, restricts the hits to records modified in
	// [Modified.From, Modified.To] (modifiedTimeRange).
	Modified TimeWindow
	SortBy   string // e.g. "modifiedTime"
	From     int    // 0-based, at most SearchMaxFrom
	Limit    int    // MaxLimit when zero
}

// TimeWindow is a closed interval of Desk times.
type TimeWindow struct{ From, To time.Time }

// IsZero reports an unset window.
func (w TimeWindow) IsZero() bool { return w.From.IsZero() && w.To.IsZero() }

func (s SearchQuery) query(op *Op) url.Values {
	q := url.Values{}
	for k, v := range s.Criteria {
		q[k] = v
	}
	if !s.Modified.IsZero() {
		q.Set("modifiedTimeRange", FormatTimeRange(s.Modified.From, s.Modified.To))
	}
	if s.SortBy != "" {
		q.Set("sortBy", s.SortBy)
	}
	limit := s.Limit
	if limit <= 0 || limit > op.MaxPage() {
		limit = op.MaxPage()
	}
	q.Set("from", strconv.Itoa(s.From))
	q.Set("limit", strconv.Itoa(limit))
	return q
}

// SearchResult is one page of hits and the number of all hits, when Desk
// says (-1 when it does not).
type SearchResult[T any] struct {
	Hits  []T
	Count int
}

func search[T any](ctx context.Context, c *Client, id string, s SearchQuery) (SearchResult[T], error) {
	op := OpByID(id)
	var p page[T]
	p.Count = -1
	if _, err := c.do(ctx, op, nil, s.query(op), nil, &p); err != nil {
		return SearchResult[T]{}, err
	}
	if p.Data == nil && p.Count < 0 {
		p.Count = 0 // 204: no hits
	}
	return SearchResult[T]{Hits: p.Data, Count: int(p.Count)}, nil
}

// SearchContacts returns one page of a contact search. Desk's search index
// lags edits by seconds.
func (c *Client) SearchContacts(ctx context.Context, s SearchQuery) (SearchResult[Contact], error) {
	return search[Contact](ctx, c, OpSearchContacts, s)
}

// SearchAccounts returns one page of an account search.
func (c *Client) SearchAccounts(ctx context.Context, s SearchQuery) (SearchResult[Account], error) {
	return search[Account](ctx, c, OpSearchAccounts, s)
}

// SearchTickets returns one page of a ticket search; hits carry their
// contact (with its account) and modifiedTime.
func (c *Client) SearchTickets(ctx context.Context, s SearchQuery) (SearchResult[Ticket], error) {
	return search[Ticket](ctx, c, OpSearchTickets, s)
}

// FindContactsByEmail returns the contacts whose email or secondary email
// is email. The definition's contact search has no email parameter: it
// searches every field (_all) and keeps the exact matches. Desk's search
// index lags edits by seconds.
func (c *Client) FindContactsByEmail(ctx context.Context, email string) ([]Contact, error) {
	res, err := c.SearchContacts(ctx, SearchQuery{Criteria: url.Values{"_all": {email}}})
	if err != nil {
		return nil, err
	}
	var out []Contact
	for _, ct := range res.Hits {
		if strings.EqualFold(strings.TrimSpace(ct.Email), strings.TrimSpace(email)) ||
			strings.EqualFold(strings.TrimSpace(ct.SecondaryEmail), strings.TrimSpace(email)) {
			out = append(out, ct)
		}
	}
	return out, nil
}

// FindAccountsByName searches accounts by name (parameter accountName).
func (c *Client) FindAccountsByName(ctx context.Context, name string) ([]Account, error) {
	res, err := c.SearchAccounts(ctx, SearchQuery{Criteria: url.Values{"accountName": {name}}})
	return res.Hits, err
}

// ListContacts returns one page of the contacts list. Its items carry no
// modifiedTime, title, description or cf (use GetContact for those).
func (c *Client) ListContacts(ctx context.Context, o ListOptions) ([]Contact, error) {
	return list[Contact](ctx, c, OpGetContacts, o.query(OpByID(OpGetContacts)))
}

// AllContacts iterates over the contacts list (sorted by o.SortBy).
func (c *Client) AllContacts(ctx context.Context, o ListOptions) iter.Seq2[Contact, error] {
	return All(ctx, o.Limit, func(ctx context.Context, from, limit int) ([]Contact, error) {
		o.From, o.Limit = from, limit
		return c.ListContacts(ctx, o)
	})
}

// GetContact returns one contact; ENOTFOUND when it does not exist.
func (c *Client) GetContact(ctx context.Context, id string) (Contact, error) {
	return get[Contact](ctx, c, OpGetContact, nil, nil, id)
}

// CreateContact creates a contact (lastName is required). Not retried
// automatically; see TransportError.MaybeApplied.
func (c *Client) CreateContact(ctx context.Context, f Fields) (Contact, error) {
	return get[Contact](ctx, c, OpCreateContact, nil, f)
}

// UpdateContact changes the given fields of a contact.
func (c *Client) UpdateContact(ctx context.Context, id string, f Fields) (Contact, error) {
	return get[Contact](ctx, c, OpUpdateContact, nil, f, id)
}

// MergeContacts merges the contacts ids into keepID on Desk (mergeContacts:
// the others are gone afterwards) and returns the merged contact. ids may
// include keepID. Not retried automatically: a lost answer is checked by
// reading the contacts again.
func (c *Client) MergeContacts(ctx context.Context, keepID string, ids []string) (Contact, error) {
	all := []string{keepID}
	for _, id := range ids {
		if id != keepID {
			all = append(all, id)
		}
	}
	return get[Contact](ctx, c, OpMergeContacts, nil, map[string]any{"ids": all}, keepID)
}

// TrashContacts moves contacts to Desk's Recycle Bin (deleteContact).
func (c *Client) TrashContacts(ctx context.Context, ids []string) error {
	_, err := get[struct{}](ctx, c, OpTrashContacts, nil, map[string]any{"contactIds": ids})
	return err
}

// ListAccounts returns one page of the accounts list (Desk counts its
// `from` from 1 and serves at most 99 a page; o.From stays 0-based).
func (c *Client) ListAccounts(ctx context.Context, o ListOptions) ([]Account, error) {
	return list[Account](ctx, c, OpGetAccounts, o.query(OpByID(OpGetAccounts)))
}

// AllAccounts iterates over the accounts list.
func (c *Client) AllAccounts(ctx context.Context, o ListOptions) iter.Seq2[Account, error] {
	limit := o.Limit
	if max := OpByID(OpGetAccounts).MaxPage(); limit <= 0 || limit > max {
		limit = max
	}
	return All(ctx, limit, func(ctx context.Context, from, limit int) ([]Account, error) {
		o.From, o.Limit = from, limit
		return c.ListAccounts(ctx, o)
	})
}

// GetAccount returns one account.
func (c *Client) GetAccount(ctx context.Context, id string) (Account, error) {
	return get[Account](ctx, c, OpGetAccount, nil, nil, id)
}

// CreateAccount creates an account (accountName is required). Not retried
// automatically; see TransportError.MaybeApplied.
func (c *Client) CreateAccount(ctx context.Context, f Fields) (Account, error) {
	return get[Account](ctx, c, OpCreateAccount, nil, f)
}

// UpdateAccount changes the given fields of an account.
func (c *Client) UpdateAccount(ctx context.Context, id string, f Fields) (Account, error) {
	return get[Account](ctx, c, OpUpdateAccount, nil, f, id)
}

// Modules with field metadata.
const (
	ModuleContacts = "contacts"
	ModuleAccounts = "accounts"
	ModuleTickets  = "tickets"
)

// Fields returns the field metadata of module (ModuleContacts, …).
func (c *Client) Fields(ctx context.Context, module string) ([]FieldMeta, error) {
	return list[FieldMeta](ctx, c, OpGetFields, url.Values{"module": {module}})
}

// TicketStatus is one of the portal's ticket statuses.
type TicketStatus struct {
	Name string
	Type string // StatusTypeOpen, StatusTypeOnHold, StatusTypeClosed; "" when Desk does not say
}

// TicketStatuses returns the portal's ticket statuses, read from the
// allowedValues of the tickets module's "status" field.
func (c *Client) TicketStatuses(ctx context.Context) ([]TicketStatus, error) {
	fields, err := c.Fields(ctx, ModuleTickets)
	if err != nil {
		return nil, fmt.Errorf("desk: ticket statuses: %w", err)
	}
	for _, f := range fields {
		if f.APIName != "status" {
			continue
		}
		var out []TicketStatus
		for _, v := range f.AllowedValues {
			if v.Value != "" {
				out = append(out, TicketStatus{Name: v.Value, Type: v.StatusType})
			}
		}
		return out, nil
	}
	return nil, nil
}

// FirstOpenStatus is the status a new ticket takes: the first of type
// Open, else the first one, else "Open".
func FirstOpenStatus(sts []TicketStatus) string {
	for _, s := range sts {
		if s.Type == StatusTypeOpen {
			return s.Name
		}
	}
	if len(sts) > 0 {
		return sts[0].Name
	}
	return StatusTypeOpen
}

// ListTickets returns one page of a department's tickets, with their
// contacts. The definition requires departmentId; list items carry no
// modifiedTime, isOverDue or isEscalated (SearchTickets' hits do).
func (c *Client) ListTickets(ctx context.Context, departmentID string, o ListOptions) ([]Ticket, error) {
	op := OpByID(OpGetTickets)
	q := o.query(op)
	q.Set("departmentId", departmentID)
	q.Set("include", "contacts")
	return list[Ticket](ctx, c, OpGetTickets, q)
}

// AllTickets iterates over a department's tickets (sorted by o.SortBy).
func (c *Client) AllTickets(ctx context.Context, departmentID string, o ListOptions) iter.Seq2[Ticket, error] {
	return All(ctx, o.Limit, func(ctx context.Context, from, limit int) ([]Ticket, error) {
		o.From, o.Limit = from, limit
		return c.ListTickets(ctx, departmentID, o)
	})
}

// GetTicket returns one ticket with its description and contact.
func (c *Client) GetTicket(ctx context.Context, id string) (Ticket, error) {
	return get[Ticket](ctx, c, OpGetTicket, url.Values{"include": {"contacts"}}, nil, id)
}

// CreateTicket creates a ticket. It is never retried automatically: on an
// error with MaybeApplied, the outbox must look for the ticket (e.g. the
// department's newest tickets with the same subject) before sending again.
func (c *Client) CreateTicket(ctx context.Context, t NewTicket) (Ticket, error) {
	if t.Status == "" {
		t.Status = StatusTypeOpen
	}
	return get[Ticket](ctx, c, OpCreateTicket, nil, t)
}

// UpdateTicket changes the given fields of a ticket.
func (c *Client) UpdateTicket(ctx context.Context, id string, f Fields) (Ticket, error) {
	return get[Ticket](ctx, c, OpUpdateTicket, nil, f, id)
}

// SetTicketStatus changes a ticket's status (a name from TicketStatuses).
func (c *Client) SetTicketStatus(ctx context.Context, id, status string) (Ticket, error) {
	t, err := c.UpdateTicket(ctx, id, Fields{"status": status})
	if err != nil {
		return Ticket{}, fmt.Errorf("desk: set ticket status: %w", err)
	}
	return t, nil
}

// ListThreads returns one page of a ticket's threads (without content),
// newest first (Desk's default order).
func (c *Client) ListThreads(ctx context.Context, ticketID string, o ListOptions) ([]Thread, error) {
	return list[Thread](ctx, c, OpGetThreads, o.query(OpByID(OpGetThreads)), ticketID)
}

// AllThreads iterates over a ticket's threads.
func (c *Client) AllThreads(ctx context.Context, ticketID string) iter.Seq2[Thread, error] {
	return All(ctx, MaxLimit, func(ctx context.Context, from, limit int) ([]Thread, error) {
		return c.ListThreads(ctx, ticketID, ListOptions{From: from, Limit: limit})
	})
}

// GetThread returns one thread with its content.
func (c *Client) GetThread(ctx context.Context, ticketID, threadID string) (Thread, error) {
	return get[Thread](ctx, c, OpGetThread, nil, nil, ticketID, threadID)
}

// SendReply sends a reply, reply all or forward (Reply.IsForward) and
// returns the new thread. Not retried automatically.
func (c *Client) SendReply(ctx context.Context, ticketID string, r Reply) (Thread, error) {
	if r.Channel == "" {
		r.Channel = "EMAIL"
	}
	if r.ContentType == "" {
		r.ContentType = ContentHTML
	}
	return get[Thread](ctx, c, OpSendReply, nil, r, ticketID)
}

// ListComments returns one page of a ticket's comments, oldest first (Desk's
// default order), with Mentions and Text filled in from the mentions Desk
// includes.
func (c *Client) ListComments(ctx context.Context, ticketID string, o ListOptions) ([]Comment, error) {
	q := o.query(OpByID(OpGetTicketComments))
	q.Set("include", "mentions")
	cs, err := list[Comment](ctx, c, OpGetTicketComments, q, ticketID)
	for i := range cs {
		cs[i].decodeMentions()
	}
	return cs, err
}

// AllComments iterates over a ticket's comments, oldest first.
func (c *Client) AllComments(ctx context.Context, ticketID string) iter.Seq2[Comment, error] {
	return All(ctx, MaxLimit, func(ctx context.Context, from, limit int) ([]Comment, error) {
		return c.ListComments(ctx, ticketID, ListOptions{From: from, Limit: limit})
	})
}

// AddComment adds a comment to a ticket. Mention an agent with
// EncodeMention and its Zoho user id. Not retried automatically.
func (c *Client) AddComment(ctx context.Context, ticketID string, nc NewComment) (Comment, error) {
	if nc.ContentType == "" {
		nc.ContentType = ContentPlain
	}
	if nc.AttachmentIDs == nil {
		nc.AttachmentIDs = []string{}
	}
	cm, err := get[Comment](ctx, c, OpCreateTicketComment, nil, nc, ticketID)
	cm.decodeMentions()
	return cm, err
}

// decodeMentions fills Mentions (Desk agent ids) and Text from Content's
// mention markup (Zoho user ids) and the Mention list Desk includes.
func (cm *Comment) decodeMentions() {
	byZUID := map[string]Mention{}
	for _, m := range cm.Mention {
		if m.ZUID != "" {
			byZUID[m.ZUID] = m
		}
	}
	zuids, text := DecodeMentions(cm.Content, func(zuid string) string {
		m := byZUID[zuid]
		if m.Name != "" {
			return m.Name
		}
		return strings.TrimSpace(m.FirstName + " " + m.LastName)
	})
	cm.Text, cm.Mentions = text, nil
	for _, z := range zuids {
		if m, ok := byZUID[z]; ok && m.ID != "" {
			cm.Mentions = append(cm.Mentions, m.ID)
		} else {
			cm.Mentions = append(cm.Mentions, z) // unknown agent: keep the Zoho user id
		}
	}
}

// RatingQuery selects customer happiness ratings.
type RatingQuery struct {
	Department string    // a department id, or "" for every department (allDepartment)
	Since      time.Time // ratings at or after this time (startTime), when not zero
	Newest     bool      // newest rated first (sortBy=-ratedTime)
	From       int       // 0-based
	Limit      int       // MaxLimit when zero
}

// ListRatings returns one page of customer happiness ratings, oldest rated
// first (sortBy=ratedTime) unless rq.Newest.
func (c *Client) ListRatings(ctx context.Context, rq RatingQuery) ([]Rating, error) {
	op := OpByID(OpGetCustomerHappiness)
	sortBy := "ratedTime"
	if rq.Newest {
		sortBy = "-ratedTime"
	}
	q := ListOptions{From: rq.From, Limit: rq.Limit, SortBy: sortBy}.query(op)
	dep := rq.Department
	if dep == "" {
		dep = "allDepartment"
	}
	q.Set("department", dep)
	if !rq.Since.IsZero() {
		q.Set("startTime", strconv.FormatInt(rq.Since.UnixMilli(), 10))
	}
	return list[Rating](ctx, c, OpGetCustomerHappiness, q)
}

// DecodeTicketsPage decodes a tickets list body (exported for tests,
// fuzzing and benchmarks).
func DecodeTicketsPage(data []byte) ([]Ticket, error) {
	var p page[Ticket]
	if err := decodeJSON(data, &p); err != nil {
		return nil, fmt.Errorf("desk: decode tickets page: %w", err)
	}
	return p.Data, nil
}
