package deskemu

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// user is a Zoho account.
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

// ticket is the stored ticket; ticketJSON holds its wire fields.
type ticket struct {
	ticketJSON
	description string
	dueSet      bool
	threads     []*thread
	comments    []*comment
}

type thread struct {
	threadJSON
	content     string
	contentType string
}

type comment = commentJSON

type portal struct {
	org         orgJSON
	zscKey      string
	supportMail string
	seq         int64
	prefix      string
	ticketSeq   int

	agents      []*agent
	profiles    map[string]profileJSON
	roleProfile map[string]string // "admin", "agent", "readonly" → profile id
	departments []departmentJSON
	statuses    map[string]string // status name → statusType
	statusOrder []string
	fields      map[string][]fieldJSON

	contacts   []*contact // creation order
	contactsBy map[string]*contact
	accounts   []*account
	accountsBy map[string]*account
	tickets    []*ticket // creation order
	byModified []*ticket // ascending modifiedTime
	ticketsBy  map[string]*ticket
	ratings    []*ratingJSON // creation order
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

func (p *portal) admin() *agent {
	for _, a := range p.agents {
		if a.Admin {
			return a
		}
	}
	return nil
}

// addTicket stores a new ticket; its modifiedTime must be the newest.
func (p *portal) addTicket(t *ticket) {
	p.tickets = append(p.tickets, t)
	p.ticketsBy[t.ID] = t
	p.insertModified(t)
}

func (p *portal) insertModified(t *ticket) {
	mt := time.Time(t.ModifiedTime)
	i, _ := slices.BinarySearchFunc(p.byModified, mt, func(e *ticket, target time.Time) int {
		return time.Time(e.ModifiedTime).Compare(target)
	})
	// after equal times, so ties keep insertion order
	for i < len(p.byModified) && !time.Time(p.byModified[i].ModifiedTime).After(mt) {
		i++
	}
	p.byModified = slices.Insert(p.byModified, i, t)
}

// touchTicket sets a ticket's modifiedTime and keeps byModified ordered.
func (p *portal) touchTicket(t *ticket, now time.Time) {
	if i := slices.Index(p.byModified, t); i >= 0 {
		p.byModified = slices.Delete(p.byModified, i, i+1)
	}
	if prev := time.Time(t.ModifiedTime); !prev.IsZero() {
		now = nextModified(now, prev)
	}
	t.ModifiedTime = etime(now)
	p.insertModified(t)
}

func (p *portal) statusType(status string) string {
	if st, ok := p.statuses[status]; ok {
		return st
	}
	return "Open"
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
