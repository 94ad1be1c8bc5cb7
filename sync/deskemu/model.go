package deskemu

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// user is a Zoho account; its ID is the Zoho user id (ZUID) mentions carry.
type user struct {
	ID        string
	Email     string
	FirstName string
	LastName  string
}

func (u *user) name() string { return strings.TrimSpace(u.FirstName + " " + u.LastName) }

// agent is a user's membership in a portal.
type agent struct {
	ID        string
	User      *user
	ProfileID string
	RoleID    string
	Admin     bool
}

// The stored records. The wire shapes (views.go) are built from them per
// operation, as Desk answers each differently.

type contact struct {
	ID, FirstName, LastName, Email, SecondaryEmail, Phone, Mobile, Title string
	AccountID, Description, Type, OwnerID, WebURL                        string
	CF                                                                   map[string]any
	Created, Modified                                                    time.Time
}

func (c *contact) modified() time.Time { return c.Modified }

type account struct {
	ID, AccountName, Email, Website, Phone, Fax, Industry, Description string
	Street, City, State, Country, Code, WebURL                         string
	CF                                                                 map[string]any
	Created, Modified                                                  time.Time
}

func (a *account) modified() time.Time { return a.Modified }

type ticket struct {
	ID, Number, Subject, Description, Status, StatusType, Priority, Channel string
	Email, Phone, ContactID, AccountID, DepartmentID, AssigneeID, WebURL    string
	Due                                                                     time.Time // zero: none
	Escalated                                                               bool
	Created, Modified, Closed, CustomerResponse                             time.Time
	CF                                                                      map[string]any
	threads                                                                 []*thread
	comments                                                                []*comment
}

func (t *ticket) modified() time.Time { return t.Modified }

func (t *ticket) overdue(now time.Time) bool {
	return !t.Due.IsZero() && now.After(t.Due) && t.StatusType != "Closed"
}

type author struct {
	ID, Name, Email, Type string // ID: the agent id, "" for an end user
}

type thread struct {
	ID, Channel, Direction, From, To, CC, BCC, Summary, Visibility string
	Created                                                        time.Time
	Author                                                         author
	IsForward                                                      bool
	Content, ContentType                                           string
	Files                                                          []File
}

// File is an attachment of a thread: what Desk lists of it, and its
// bytes (generated from the name when a test gives none).
type File struct {
	ID   string
	Name string
	Size int64
	Data []byte
}

// withData returns f with Data filled in (Size bytes made from the name)
// and Size matching it.
func (f File) withData() File {
	if f.Data == nil {
		seed := []byte(f.Name + "\n")
		f.Data = make([]byte, f.Size)
		for i := range f.Data {
			f.Data[i] = seed[i%len(seed)]
		}
	}
	f.Size = int64(len(f.Data))
	return f
}

type comment struct {
	ID, Content, ContentType string
	TicketID                 string // for its attachments' href
	Files                    []File // attached at creation (attachmentIds)
	IsPublic                 bool
	Commenter                *agent
	Commented, Modified      time.Time // Modified zero: never edited
}

type rating struct {
	ID, Rating, Feedback, TicketID, ContactID, DepartmentID string
	Rated                                                   time.Time
}

type profile struct {
	ID, Name, Type string
	Default        bool
	Permissions    map[string]map[string]bool
}

type department struct {
	ID, Name         string
	Enabled, Default bool
}

// replyAddress is a support address of a department (mailReplyAddress).
type replyAddress struct {
	ID, Address, DisplayName, DepartmentID string
	Active, Verified                       bool
}

type field struct {
	ID, APIName, Label, Type string
	Mandatory, Custom        bool
	MaxLength                int
	Allowed                  []string
}

type org struct {
	ID, CompanyName, PortalName, PortalURL, Edition string
}

type portal struct {
	// uploads are files uploaded (POST /uploads) and not yet attached.
	uploads   map[string]*File
	org       org
	seq       int64
	prefix    string
	ticketSeq int

	agents      []*agent
	profiles    map[string]profile
	roleProfile map[string]string // "admin", "agent", "readonly" → profile id
	departments []department
	addresses   []replyAddress
	templates   []*template
	statuses    map[string]string // status name → statusType
	statusOrder []string
	fields      map[string][]field

	contacts   []*contact // creation order
	contactsBy map[string]*contact
	contactMod timeIndex[*contact]
	accounts   []*account
	accountsBy map[string]*account
	accountMod timeIndex[*account]
	tickets    []*ticket // creation order
	ticketsBy  map[string]*ticket
	ticketMod  timeIndex[*ticket]
	ratings    []*rating // rating order

	inflight int // API requests being served (the concurrency cap)
	// creditsUsed counts the API credits spent on creditDay (Options.DailyCredits).
	creditsUsed int
	creditDay   string
}

func (p *portal) newID() string {
	p.seq++
	return fmt.Sprintf("%s%09d", p.prefix, p.seq)
}

func (p *portal) agentByUser(u *user) *agent {
	for _, a := range p.agents {
		if a.User == u {
			return a
		}
	}
	return nil
}

func (p *portal) agentByID(id string) *agent {
	for _, a := range p.agents {
		if a.ID == id {
			return a
		}
	}
	return nil
}

func (p *portal) agentByZUID(zuid string) *agent {
	for _, a := range p.agents {
		if a.User.ID == zuid {
			return a
		}
	}
	return nil
}

func (p *portal) admin() *agent {
	for _, a := range p.agents {
		if a.Admin {
			return a
		}
	}
	return nil
}

func (p *portal) department(id string) *department {
	for i := range p.departments {
		if p.departments[i].ID == id {
			return &p.departments[i]
		}
	}
	return nil
}

// supportMail is the portal's main support address (its first
// department's first active one).
func (p *portal) supportMail() string {
	for _, a := range p.addresses {
		if a.Active && a.DepartmentID == p.departments[0].ID {
			return a.Address
		}
	}
	return ""
}

// departmentMail is a department's first active support address.
func (p *portal) departmentMail(dep string) string {
	for _, a := range p.addresses {
		if a.Active && a.DepartmentID == dep {
			return a.Address
		}
	}
	return p.supportMail()
}

// departmentAddress reports whether replies on a ticket of department dep
// may go from addr: an active, verified From address of that department
// (a ticket without a department: of any).
func (p *portal) departmentAddress(dep, addr string) bool {
	return slices.ContainsFunc(p.addresses, func(a replyAddress) bool {
		return a.Active && a.Verified && (dep == "" || a.DepartmentID == dep) && strings.EqualFold(a.Address, addr)
	})
}

func (p *portal) statusType(status string) string {
	if st, ok := p.statuses[status]; ok {
		return st
	}
	return "Open"
}

// addTicket stores a new ticket.
func (p *portal) addTicket(t *ticket) {
	p.tickets = append(p.tickets, t)
	p.ticketsBy[t.ID] = t
	p.ticketMod.insert(t)
}

// touchTicket sets a ticket's modifiedTime to now (at least a millisecond
// after the previous one) and keeps the index ordered.
func (p *portal) touchTicket(t *ticket, now time.Time) {
	p.ticketMod.remove(t)
	t.Modified = nextModified(now, t.Modified)
	p.ticketMod.insert(t)
}

// nextModified is a record's modifiedTime after an edit at now: now, but
// always at least a millisecond after the previous one, so every edit is
// visible to a client that pulls what changed since a time (Desk's times
// have millisecond precision).
func nextModified(now, prev time.Time) time.Time {
	if prev.IsZero() {
		return now
	}
	return maxTime(now, prev.Add(time.Millisecond))
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// timed is a record with a modification time.
type timed interface {
	comparable
	modified() time.Time
}

// timeIndex keeps records ordered by modification time (ties in insertion
// order), for the searches by modifiedTimeRange.
type timeIndex[T timed] struct{ items []T }

// lower returns the index of the first record modified at or after t.
func (x *timeIndex[T]) lower(t time.Time) int {
	i, _ := slices.BinarySearchFunc(x.items, t, func(e T, target time.Time) int {
		if e.modified().Before(target) {
			return -1
		}
		return 1
	})
	return i
}

func (x *timeIndex[T]) insert(e T) {
	mt := e.modified()
	i := x.lower(mt)
	for i < len(x.items) && !x.items[i].modified().After(mt) {
		i++ // after equal times
	}
	x.items = slices.Insert(x.items, i, e)
}

func (x *timeIndex[T]) remove(e T) {
	mt := e.modified()
	for i := x.lower(mt); i < len(x.items) && !x.items[i].modified().After(mt); i++ {
		if x.items[i] == e {
			x.items = slices.Delete(x.items, i, i+1)
			return
		}
	}
}

// clock is the emulator's time: real time plus an offset tests advance.
type clock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().UTC().Add(c.offset).Truncate(time.Millisecond)
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.offset += d
	c.mu.Unlock()
}

type tokenInfo struct {
	user    *user
	expires time.Time // zero: never
}

type codeInfo struct {
	user          *user
	clientID      string
	redirectURI   string
	challenge     string
	expires       time.Time
	scope         string
	challengeMeth string
}
