package desk

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/url"
	"strconv"
	"strings"
)

// page is Desk's list envelope.
type page[T any] struct {
	Data []T `json:"data"`
}

// ListOptions selects one page of a list.
type ListOptions struct {
	From    int      // 0-based start index
	Limit   int      // page size, 1..100 (100 when zero)
	SortBy  string   // a field name, "-" prefix for descending, e.g. "-modifiedTime"
	Include []string // related objects for tickets, e.g. "contacts"
	// Extra holds further query parameters (e.g. departmentId).
	Extra url.Values
}

func (o ListOptions) query() url.Values {
	q := url.Values{}
	for k, v := range o.Extra {
		q[k] = v
	}
	limit := o.Limit
	if limit <= 0 || limit > MaxLimit {
		limit = MaxLimit
	}
	q.Set("from", strconv.Itoa(o.From))
	q.Set("limit", strconv.Itoa(limit))
	if o.SortBy != "" {
		q.Set("sortBy", o.SortBy)
	}
	if len(o.Include) > 0 {
		q.Set("include", strings.Join(o.Include, ","))
	}
	return q
}

func list[T any](ctx context.Context, c *Client, op, path string, q url.Values) ([]T, error) {
	var p page[T]
	if _, err := c.call(ctx, "GET", path, q, nil, &p); err != nil {
		return nil, fmt.Errorf("desk: %s: %w", op, toAppError(err))
	}
	return p.Data, nil
}

func get[T any](ctx context.Context, c *Client, op, method, path string, q url.Values, body any) (T, error) {
	var v T
	decoded, err := c.call(ctx, method, path, q, body, &v)
	if err != nil {
		return v, fmt.Errorf("desk: %s: %w", op, toAppError(err))
	}
	if !decoded && method == "GET" {
		return v, fmt.Errorf("desk: %s: %w", op, toAppError(&APIError{Method: method, Path: path, Status: 404, Code: CodeResourceNotFound, Message: "empty response"}))
	}
	return v, nil
}

func seg(id string) string { return url.PathEscape(id) }

// Organizations lists the portals of the signed-in user (or, with ZSC
// credentials, the portal they unlock). It sends no orgId header.
func (c *Client) Organizations(ctx context.Context) ([]Organization, error) {
	return list[Organization](ctx, c, "list organizations", "/organizations", nil)
}

// MyInfo returns the signed-in agent in the client's portal.
func (c *Client) MyInfo(ctx context.Context) (Agent, error) {
	return get[Agent](ctx, c, "my info", "GET", "/myinfo", nil, nil)
}

// Agents lists the portal's agents, all pages (for the names of
// mentioned agents).
func (c *Client) Agents(ctx context.Context) ([]Agent, error) {
	var out []Agent
	for a, err := range All(ctx, MaxLimit, func(ctx context.Context, from, limit int) ([]Agent, error) {
		return list[Agent](ctx, c, "list agents", "/agents", ListOptions{From: from, Limit: limit}.query())
	}) {
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// MailReplyAddress is one of the portal's support addresses as
// GET /mailReplyAddress lists them (the field names are a guess: see
// README assumption 17; Address reads the likely ones).
type MailReplyAddress struct {
	ID           string `json:"id"`
	Address      string `json:"address"`
	EmailAddress string `json:"emailAddress"`
	DepartmentID string `json:"departmentId"`
	IsVerified   *bool  `json:"isVerified"`
}

// Addr is the support address, from whichever field carries it.
func (m MailReplyAddress) Addr() string {
	if m.Address != "" {
		return m.Address
	}
	return m.EmailAddress
}

// MailReplyAddresses lists the portal's support addresses (the first page
// of 100 is plenty).
func (c *Client) MailReplyAddresses(ctx context.Context) ([]MailReplyAddress, error) {
	return list[MailReplyAddress](ctx, c, "list mail reply addresses", "/mailReplyAddress", ListOptions{Limit: MaxLimit}.query())
}

// Departments lists the portal's departments.
func (c *Client) Departments(ctx context.Context) ([]Department, error) {
	return list[Department](ctx, c, "list departments", "/departments", ListOptions{}.query())
}

// ListContacts returns one page of contacts.
func (c *Client) ListContacts(ctx context.Context, o ListOptions) ([]Contact, error) {
	return list[Contact](ctx, c, "list contacts", "/contacts", o.query())
}

// AllContacts iterates over every contact (sorted by o.SortBy).
func (c *Client) AllContacts(ctx context.Context, o ListOptions) iter.Seq2[Contact, error] {
	return All(ctx, o.Limit, func(ctx context.Context, from, limit int) ([]Contact, error) {
		o.From, o.Limit = from, limit
		return c.ListContacts(ctx, o)
	})
}

// GetContact returns one contact; ENOTFOUND when it does not exist.
func (c *Client) GetContact(ctx context.Context, id string) (Contact, error) {
	return get[Contact](ctx, c, "get contact", "GET", "/contacts/"+seg(id), nil, nil)
}

// CreateContact creates a contact (lastName is required). Not retried
// automatically; see TransportError.MaybeApplied.
func (c *Client) CreateContact(ctx context.Context, f Fields) (Contact, error) {
	return get[Contact](ctx, c, "create contact", "POST", "/contacts", nil, f)
}

// UpdateContact changes the given fields of a contact.
func (c *Client) UpdateContact(ctx context.Context, id string, f Fields) (Contact, error) {
	return get[Contact](ctx, c, "update contact", "PATCH", "/contacts/"+seg(id), nil, f)
}

// FindContactsByEmail searches contacts by email. Desk's search index can
// lag edits by seconds.
func (c *Client) FindContactsByEmail(ctx context.Context, email string) ([]Contact, error) {
	q := ListOptions{}.query()
	q.Set("email", email)
	return list[Contact](ctx, c, "find contacts by email", "/contacts/search", q)
}

// FindContactsByName searches contacts by full name (parameter fullName,
// a guess; see the README, "Assumptions about Zoho Desk").
func (c *Client) FindContactsByName(ctx context.Context, name string) ([]Contact, error) {
	q := ListOptions{}.query()
	q.Set("fullName", name)
	return list[Contact](ctx, c, "find contacts by name", "/contacts/search", q)
}

// ListAccounts returns one page of accounts.
func (c *Client) ListAccounts(ctx context.Context, o ListOptions) ([]Account, error) {
	return list[Account](ctx, c, "list accounts", "/accounts", o.query())
}

// AllAccounts iterates over every account.
func (c *Client) AllAccounts(ctx context.Context, o ListOptions) iter.Seq2[Account, error] {
	return All(ctx, o.Limit, func(ctx context.Context, from, limit int) ([]Account, error) {
		o.From, o.Limit = from, limit
		return c.ListAccounts(ctx, o)
	})
}

// GetAccount returns one account.
func (c *Client) GetAccount(ctx context.Context, id string) (Account, error) {
	return get[Account](ctx, c, "get account", "GET", "/accounts/"+seg(id), nil, nil)
}

// CreateAccount creates an account (accountName is required). Not retried
// automatically; see TransportError.MaybeApplied.
func (c *Client) CreateAccount(ctx context.Context, f Fields) (Account, error) {
	return get[Account](ctx, c, "create account", "POST", "/accounts", nil, f)
}

// UpdateAccount changes the given fields of an account.
func (c *Client) UpdateAccount(ctx context.Context, id string, f Fields) (Account, error) {
	return get[Account](ctx, c, "update account", "PATCH", "/accounts/"+seg(id), nil, f)
}

// FindAccountsByName searches accounts by name (parameter accountName).
func (c *Client) FindAccountsByName(ctx context.Context, name string) ([]Account, error) {
	q := ListOptions{}.query()
	q.Set("accountName", name)
	return list[Account](ctx, c, "find accounts by name", "/accounts/search", q)
}

// Modules with field metadata.
const (
	ModuleContacts = "contacts"
	ModuleAccounts = "accounts"
	ModuleTickets  = "tickets"
)

// Fields returns the field metadata of module (ModuleContacts, …).
func (c *Client) Fields(ctx context.Context, module string) ([]FieldMeta, error) {
	return list[FieldMeta](ctx, c, "list fields", "/organizationFields", url.Values{"module": {module}})
}

// TicketStatuses returns the portal's ticket status names, read from the
// allowedValues of the tickets module's "status" field (the exact call is
// "likely" in desk-api.md).
func (c *Client) TicketStatuses(ctx context.Context) ([]string, error) {
	fields, err := c.Fields(ctx, ModuleTickets)
	if err != nil {
		return nil, fmt.Errorf("desk: ticket statuses: %w", err)
	}
	for _, f := range fields {
		if f.APIName == "status" {
			return f.AllowedValues, nil
		}
	}
	return nil, nil
}

// ticketDefaults: newest modified first, with contacts included.
func (o ListOptions) ticketDefaults() ListOptions {
	if o.SortBy == "" {
		o.SortBy = "-modifiedTime"
	}
	if o.Include == nil {
		o.Include = []string{"contacts"}
	}
	return o
}

// ListTickets returns one page of the portal's tickets.
func (c *Client) ListTickets(ctx context.Context, o ListOptions) ([]Ticket, error) {
	return list[Ticket](ctx, c, "list tickets", "/tickets", o.ticketDefaults().query())
}

// AllTickets iterates over the portal's tickets, newest modified first by
// default; break out of the loop at the sync cursor.
func (c *Client) AllTickets(ctx context.Context, o ListOptions) iter.Seq2[Ticket, error] {
	return All(ctx, o.Limit, func(ctx context.Context, from, limit int) ([]Ticket, error) {
		o.From, o.Limit = from, limit
		return c.ListTickets(ctx, o)
	})
}

// ContactTickets returns one page of a contact's tickets.
func (c *Client) ContactTickets(ctx context.Context, contactID string, o ListOptions) ([]Ticket, error) {
	return list[Ticket](ctx, c, "list contact tickets", "/contacts/"+seg(contactID)+"/tickets", o.ticketDefaults().query())
}

// AccountTickets returns one page of an account's tickets.
func (c *Client) AccountTickets(ctx context.Context, accountID string, o ListOptions) ([]Ticket, error) {
	return list[Ticket](ctx, c, "list account tickets", "/accounts/"+seg(accountID)+"/tickets", o.ticketDefaults().query())
}

// GetTicket returns one ticket with its description.
func (c *Client) GetTicket(ctx context.Context, id string) (Ticket, error) {
	return get[Ticket](ctx, c, "get ticket", "GET", "/tickets/"+seg(id), url.Values{"include": {"contacts"}}, nil)
}

// CreateTicket creates a ticket. It is never retried automatically: on an
// error with MaybeApplied, the outbox must look for the ticket (e.g. the
// contact's newest tickets with the same subject) before sending again.
func (c *Client) CreateTicket(ctx context.Context, t NewTicket) (Ticket, error) {
	return get[Ticket](ctx, c, "create ticket", "POST", "/tickets", nil, t)
}

// UpdateTicket changes the given fields of a ticket.
func (c *Client) UpdateTicket(ctx context.Context, id string, f Fields) (Ticket, error) {
	return get[Ticket](ctx, c, "update ticket", "PATCH", "/tickets/"+seg(id), nil, f)
}

// SetTicketStatus changes a ticket's status (a name from TicketStatuses).
func (c *Client) SetTicketStatus(ctx context.Context, id, status string) (Ticket, error) {
	t, err := c.UpdateTicket(ctx, id, Fields{"status": status})
	if err != nil {
		return Ticket{}, fmt.Errorf("desk: set ticket status: %w", err)
	}
	return t, nil
}

// ListThreads returns one page of a ticket's threads (without content).
func (c *Client) ListThreads(ctx context.Context, ticketID string, o ListOptions) ([]Thread, error) {
	return list[Thread](ctx, c, "list threads", "/tickets/"+seg(ticketID)+"/threads", o.query())
}

// AllThreads iterates over a ticket's threads.
func (c *Client) AllThreads(ctx context.Context, ticketID string) iter.Seq2[Thread, error] {
	return All(ctx, MaxLimit, func(ctx context.Context, from, limit int) ([]Thread, error) {
		return c.ListThreads(ctx, ticketID, ListOptions{From: from, Limit: limit})
	})
}

// GetThread returns one thread with its content.
func (c *Client) GetThread(ctx context.Context, ticketID, threadID string) (Thread, error) {
	return get[Thread](ctx, c, "get thread", "GET", "/tickets/"+seg(ticketID)+"/threads/"+seg(threadID), nil, nil)
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
	return get[Thread](ctx, c, "send reply", "POST", "/tickets/"+seg(ticketID)+"/sendReply", nil, r)
}

// ListComments returns one page of a ticket's comments with Mentions and
// Text filled in.
func (c *Client) ListComments(ctx context.Context, ticketID string, o ListOptions) ([]Comment, error) {
	cs, err := list[Comment](ctx, c, "list comments", "/tickets/"+seg(ticketID)+"/comments", o.query())
	for i := range cs {
		cs[i].decodeMentions()
	}
	return cs, err
}

// AllComments iterates over a ticket's comments.
func (c *Client) AllComments(ctx context.Context, ticketID string) iter.Seq2[Comment, error] {
	return All(ctx, MaxLimit, func(ctx context.Context, from, limit int) ([]Comment, error) {
		return c.ListComments(ctx, ticketID, ListOptions{From: from, Limit: limit})
	})
}

// AddComment adds a comment to a ticket. Mention an agent with
// EncodeMention. Not retried automatically.
func (c *Client) AddComment(ctx context.Context, ticketID string, nc NewComment) (Comment, error) {
	if nc.ContentType == "" {
		nc.ContentType = ContentPlain
	}
	cm, err := get[Comment](ctx, c, "add comment", "POST", "/tickets/"+seg(ticketID)+"/comments", nil, nc)
	cm.decodeMentions()
	return cm, err
}

func (cm *Comment) decodeMentions() {
	cm.Mentions, cm.Text = DecodeMentions(cm.Content, nil)
}

// ListRatings returns one page of customer happiness ratings, newest first.
// Extra may carry departmentId or a time filter.
func (c *Client) ListRatings(ctx context.Context, o ListOptions) ([]Rating, error) {
	return list[Rating](ctx, c, "list ratings", "/customerHappiness", o.query())
}

// DecodeTicketsPage decodes a tickets list body (exported for tests,
// fuzzing and benchmarks).
func DecodeTicketsPage(data []byte) ([]Ticket, error) {
	var p page[Ticket]
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, fmt.Errorf("desk: decode tickets page: %w", err)
	}
	return p.Data, nil
}
