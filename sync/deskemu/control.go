package deskemu

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tandem-crm/tandem/sync/desk"
)

// UserInfo describes a demo user: sign in as them with login_hint=Email,
// or use the tokens directly (the access token never expires).
type UserInfo struct {
	Email        string `json:"email"`
	Name         string `json:"name"`
	AccessToken  string `json:"accessToken"`
	RefreshToken string `json:"refreshToken"`
}

// AgentInfo is a user's membership in a portal.
type AgentInfo struct {
	Email   string `json:"email"`
	AgentID string `json:"agentId"`
	ZUID    string `json:"zuid"` // the Zoho user id mentions carry
	Profile string `json:"profile"`
	IsAdmin bool   `json:"isAdmin"`
}

// PortalInfo describes a portal.
type PortalInfo struct {
	OrgID       string `json:"orgId"`
	Name        string `json:"name"`
	AdminEmail  string `json:"adminEmail"`
	SupportMail string `json:"supportEmail"`
	// Departments lists the portal's department ids, the default first.
	Departments []string    `json:"departments"`
	Statuses    []string    `json:"statuses"`
	Agents      []AgentInfo `json:"agents"`
	Contacts    int         `json:"contacts"`
	Accounts    int         `json:"accounts"`
	Tickets     int         `json:"tickets"`
}

// Info is everything a demo or a test needs to connect.
type Info struct {
	ClientID     string       `json:"clientId"`
	ClientSecret string       `json:"clientSecret"`
	Users        []UserInfo   `json:"users"`
	Portals      []PortalInfo `json:"portals"`
}

// Info returns the client credentials, demo users and portals.
func (s *Server) Info() Info {
	s.mu.Lock()
	defer s.mu.Unlock()
	in := Info{ClientID: s.opts.ClientID, ClientSecret: s.opts.ClientSecret}
	for _, u := range s.users {
		name := strings.SplitN(u.Email, "@", 2)[0]
		in.Users = append(in.Users, UserInfo{Email: u.Email, Name: u.name(),
			AccessToken: "1000.demo-" + name + ".access", RefreshToken: "1000.demo-" + name + ".refresh"})
	}
	for _, p := range s.portals {
		pi := PortalInfo{OrgID: p.org.ID, Name: p.org.CompanyName, SupportMail: p.supportMail(),
			Statuses: append([]string(nil), p.statusOrder...), Contacts: len(p.contacts), Accounts: len(p.accounts), Tickets: len(p.tickets)}
		if a := p.admin(); a != nil {
			pi.AdminEmail = a.User.Email
		}
		for _, d := range p.departments {
			pi.Departments = append(pi.Departments, d.ID)
		}
		for _, a := range p.agents {
			pi.Agents = append(pi.Agents, AgentInfo{Email: a.User.Email, AgentID: a.ID, ZUID: a.User.ID, Profile: p.profiles[a.ProfileID].Name, IsAdmin: a.Admin})
		}
		in.Portals = append(in.Portals, pi)
	}
	return in
}

// DefaultOrgID returns the main portal's id.
func (s *Server) DefaultOrgID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.portals[0].org.ID
}

// AgentID returns the agent id of the user with email in portal orgID.
func (s *Server) AgentID(orgID, email string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.portalLocked(orgID)
	if p == nil {
		return ""
	}
	if u := s.userByEmailLocked(email); u != nil {
		if a := p.agentByUser(u); a != nil {
			return a.ID
		}
	}
	return ""
}

func (s *Server) portalLocked(orgID string) *portal {
	if orgID == "" || orgID == "default" {
		return s.portals[0]
	}
	return s.byOrg[orgID]
}

// errNotFound reports an unknown portal or record in a control call.
var errNotFound = errors.New("deskemu: not found")

// withTicket runs fn on a ticket under the lock.
func (s *Server) withTicket(orgID, ticketID string, fn func(p *portal, t *ticket) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.portalLocked(orgID)
	if p == nil {
		return fmt.Errorf("portal %q: %w", orgID, errNotFound)
	}
	t := p.ticketsBy[ticketID]
	if t == nil {
		return fmt.Errorf("ticket %q: %w", ticketID, errNotFound)
	}
	return fn(p, t)
}

func asErr(e *apiError) error {
	if e == nil {
		return nil
	}
	return e
}

// CustomerReply adds an incoming email from the ticket's contact and
// returns the new thread's id.
func (s *Server) CustomerReply(orgID, ticketID, content string) (string, error) {
	return s.CustomerReplyWithFiles(orgID, ticketID, content)
}

// CustomerReplyWithFiles is CustomerReply with attachments (their names
// and sizes, and their bytes: Data, or Size bytes made from the name).
func (s *Server) CustomerReplyWithFiles(orgID, ticketID, content string, files ...File) (string, error) {
	var id string
	err := s.withTicket(orgID, ticketID, func(p *portal, t *ticket) error {
		now := s.clock.now()
		th := &thread{ID: p.newID(), Channel: "EMAIL", Direction: "in", From: t.Email, To: p.departmentMail(t.DepartmentID),
			Summary: summarize(content), Created: now, Visibility: "public", Content: content, ContentType: "html"}
		for _, f := range files {
			f.ID = p.newID()
			th.Files = append(th.Files, f.withData())
		}
		if ct := p.contactsBy[t.ContactID]; ct != nil {
			th.Author = author{Name: strings.TrimSpace(ct.FirstName + " " + ct.LastName), Email: ct.Email, Type: "END_USER"}
		}
		t.threads = append(t.threads, th)
		t.CustomerResponse = now
		p.touchTicket(t, now)
		id = th.ID
		return nil
	})
	return id, err
}

// AgentComment adds a comment by the agent with agentEmail, mentioning
// the agents with the given Desk agent ids before content (in Desk's
// zsu[@user:<zuid>]zsu markup, with their Zoho user ids).
func (s *Server) AgentComment(orgID, ticketID, agentEmail, content string, mentionAgentIDs ...string) (string, error) {
	var id string
	err := s.withTicket(orgID, ticketID, func(p *portal, t *ticket) error {
		u := s.userByEmailLocked(agentEmail)
		var a *agent
		if u != nil {
			a = p.agentByUser(u)
		}
		if a == nil {
			return fmt.Errorf("agent %q: %w", agentEmail, errNotFound)
		}
		var b strings.Builder
		for _, m := range mentionAgentIDs {
			ma := p.agentByID(m)
			if ma == nil {
				return fmt.Errorf("mentioned agent %q: %w", m, errNotFound)
			}
			b.WriteString(encodeMention(ma.User.ID) + " ")
		}
		b.WriteString(content)
		id = s.comment(p, t, a, b.String(), "plainText", false).ID
		return nil
	})
	return id, err
}

// Escalate sets or clears a ticket's isEscalated flag.
func (s *Server) Escalate(orgID, ticketID string, escalated bool) error {
	return s.withTicket(orgID, ticketID, func(p *portal, t *ticket) error {
		t.Escalated = escalated
		p.touchTicket(t, s.clock.now())
		return nil
	})
}

// SetDueDate sets a ticket's due date; a zero time clears it.
func (s *Server) SetDueDate(orgID, ticketID string, due time.Time) error {
	return s.withTicket(orgID, ticketID, func(p *portal, t *ticket) error {
		t.Due = due.UTC().Truncate(time.Millisecond)
		p.touchTicket(t, s.clock.now())
		return nil
	})
}

// SetStatus changes a ticket's status as a Desk agent would.
func (s *Server) SetStatus(orgID, ticketID, status string) error {
	return s.withTicket(orgID, ticketID, func(p *portal, t *ticket) error {
		return asErr(s.editTicket(p, t, map[string]any{"status": status}))
	})
}

// Rate adds a customer happiness rating (desk.RatingGood, desk.RatingOK,
// desk.RatingBad) to a ticket and returns its id.
func (s *Server) Rate(orgID, ticketID, value, feedback string) (string, error) {
	var id string
	err := s.withTicket(orgID, ticketID, func(p *portal, t *ticket) error {
		switch value {
		case desk.RatingGood, desk.RatingOK, desk.RatingBad:
		default:
			return fmt.Errorf("deskemu: rating %q is not GOOD, OK or BAD", value)
		}
		r := &rating{ID: p.newID(), Rating: value, Feedback: feedback, TicketID: t.ID, ContactID: t.ContactID,
			DepartmentID: t.DepartmentID, Rated: s.clock.now()}
		p.ratings = append(p.ratings, r)
		id = r.ID
		return nil
	})
	return id, err
}

func (s *Server) withPortal(orgID string, fn func(p *portal) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.portalLocked(orgID)
	if p == nil {
		return fmt.Errorf("portal %q: %w", orgID, errNotFound)
	}
	return fn(p)
}

// CreateContact creates a contact as a Desk user would and returns its id.
func (s *Server) CreateContact(orgID string, fields map[string]any) (string, error) {
	var id string
	err := s.withPortal(orgID, func(p *portal) error {
		ct, err := s.newContact(p, fields)
		if err != nil {
			return err
		}
		id = ct.ID
		return nil
	})
	return id, err
}

// EditContact changes a contact as a Desk user would (bumping modifiedTime).
func (s *Server) EditContact(orgID, id string, fields map[string]any) error {
	return s.withPortal(orgID, func(p *portal) error {
		ct := p.contactsBy[id]
		if ct == nil {
			return fmt.Errorf("contact %q: %w", id, errNotFound)
		}
		return asErr(s.editContact(p, ct, fields))
	})
}

// CreateAccount creates an account as a Desk user would and returns its id.
func (s *Server) CreateAccount(orgID string, fields map[string]any) (string, error) {
	var id string
	err := s.withPortal(orgID, func(p *portal) error {
		a, err := s.newAccount(p, fields)
		if err != nil {
			return err
		}
		id = a.ID
		return nil
	})
	return id, err
}

// EditAccount changes an account as a Desk user would.
func (s *Server) EditAccount(orgID, id string, fields map[string]any) error {
	return s.withPortal(orgID, func(p *portal) error {
		a := p.accountsBy[id]
		if a == nil {
			return fmt.Errorf("account %q: %w", id, errNotFound)
		}
		return asErr(s.editAccount(p, a, fields))
	})
}

// CreateTicket creates a ticket as a Desk user would (Desk's create body)
// and returns its id.
func (s *Server) CreateTicket(orgID string, fields map[string]any) (string, error) {
	var id string
	if fields == nil {
		fields = map[string]any{}
	}
	err := s.withPortal(orgID, func(p *portal) error {
		if _, ok := fields["departmentId"]; !ok {
			fields["departmentId"] = p.departments[0].ID
		}
		t, err := s.newTicket(p, fields)
		if err != nil {
			return err
		}
		id = t.ID
		return nil
	})
	return id, err
}

// EditTicket changes a ticket as a Desk user would.
func (s *Server) EditTicket(orgID, id string, fields map[string]any) error {
	return s.withTicket(orgID, id, func(p *portal, t *ticket) error {
		return asErr(s.editTicket(p, t, fields))
	})
}

// --- HTTP control API under /_emu/ ---

func (s *Server) controlRoutes(m *http.ServeMux) {
	m.HandleFunc("GET /_emu/info", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, s.Info()) })
	m.HandleFunc("GET /_emu/requests", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, s.Requests()) })
	m.HandleFunc("DELETE /_emu/requests", func(w http.ResponseWriter, r *http.Request) { s.ResetRequests(); w.WriteHeader(204) })
	m.HandleFunc("POST /_emu/faults", func(w http.ResponseWriter, r *http.Request) {
		var f struct {
			Fault
			LatencyMS int `json:"latencyMs"`
		}
		if !readCtl(w, r, &f) {
			return
		}
		if f.LatencyMS > 0 {
			f.Latency = time.Duration(f.LatencyMS) * time.Millisecond
		}
		writeJSON(w, 200, map[string]int{"id": s.AddFault(f.Fault)})
	})
	m.HandleFunc("DELETE /_emu/faults", func(w http.ResponseWriter, r *http.Request) { s.ClearFaults(); w.WriteHeader(204) })
	m.HandleFunc("DELETE /_emu/faults/{id}", func(w http.ResponseWriter, r *http.Request) {
		id, _ := strconv.Atoi(r.PathValue("id"))
		s.RemoveFault(id)
		w.WriteHeader(204)
	})
	m.HandleFunc("POST /_emu/clock/advance", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Duration string `json:"duration"` // Go duration, e.g. "2h"
		}
		if !readCtl(w, r, &in) {
			return
		}
		d, err := time.ParseDuration(in.Duration)
		if err != nil {
			ctlErr(w, err)
			return
		}
		s.Advance(d)
		writeJSON(w, 200, map[string]string{"now": s.Now().Format(timeLayout)})
	})
	t := "/_emu/orgs/{org}/tickets/{id}/"
	m.HandleFunc("POST "+t+"customer-reply", func(w http.ResponseWriter, r *http.Request) {
		var in struct{ Content string }
		if readCtl(w, r, &in) {
			id, err := s.CustomerReply(r.PathValue("org"), r.PathValue("id"), in.Content)
			ctlDone(w, id, err)
		}
	})
	m.HandleFunc("POST "+t+"comment", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			AgentEmail string   `json:"agentEmail"`
			Content    string   `json:"content"`
			Mentions   []string `json:"mentions"`
		}
		if readCtl(w, r, &in) {
			id, err := s.AgentComment(r.PathValue("org"), r.PathValue("id"), in.AgentEmail, in.Content, in.Mentions...)
			ctlDone(w, id, err)
		}
	})
	m.HandleFunc("POST "+t+"escalate", func(w http.ResponseWriter, r *http.Request) {
		var in struct{ Escalated bool }
		if readCtl(w, r, &in) {
			ctlDone(w, "", s.Escalate(r.PathValue("org"), r.PathValue("id"), in.Escalated))
		}
	})
	m.HandleFunc("POST "+t+"due", func(w http.ResponseWriter, r *http.Request) {
		var in struct{ DueDate time.Time }
		if readCtl(w, r, &in) {
			ctlDone(w, "", s.SetDueDate(r.PathValue("org"), r.PathValue("id"), in.DueDate))
		}
	})
	m.HandleFunc("POST "+t+"status", func(w http.ResponseWriter, r *http.Request) {
		var in struct{ Status string }
		if readCtl(w, r, &in) {
			ctlDone(w, "", s.SetStatus(r.PathValue("org"), r.PathValue("id"), in.Status))
		}
	})
	m.HandleFunc("POST "+t+"rating", func(w http.ResponseWriter, r *http.Request) {
		var in struct{ Rating, Feedback string }
		if readCtl(w, r, &in) {
			id, err := s.Rate(r.PathValue("org"), r.PathValue("id"), in.Rating, in.Feedback)
			ctlDone(w, id, err)
		}
	})
	for _, kind := range []string{"contacts", "accounts", "tickets"} {
		create := map[string]func(string, map[string]any) (string, error){"contacts": s.CreateContact, "accounts": s.CreateAccount, "tickets": s.CreateTicket}[kind]
		edit := map[string]func(string, string, map[string]any) error{"contacts": s.EditContact, "accounts": s.EditAccount, "tickets": s.EditTicket}[kind]
		m.HandleFunc("POST /_emu/orgs/{org}/"+kind, func(w http.ResponseWriter, r *http.Request) {
			var in map[string]any
			if readCtl(w, r, &in) {
				id, err := create(r.PathValue("org"), in)
				ctlDone(w, id, err)
			}
		})
		m.HandleFunc("PATCH /_emu/orgs/{org}/"+kind+"/{id}", func(w http.ResponseWriter, r *http.Request) {
			var in map[string]any
			if readCtl(w, r, &in) {
				ctlDone(w, "", edit(r.PathValue("org"), r.PathValue("id"), in))
			}
		})
	}
}

func readCtl(w http.ResponseWriter, r *http.Request, v any) bool {
	b, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err == nil {
		err = json.Unmarshal(b, v)
	}
	if err != nil {
		ctlErr(w, fmt.Errorf("bad control request: %w", err))
		return false
	}
	return true
}

func ctlErr(w http.ResponseWriter, err error) {
	st := http.StatusBadRequest
	var ae *apiError
	switch {
	case errors.Is(err, errNotFound):
		st = http.StatusNotFound
	case errors.As(err, &ae):
		writeJSON(w, ae.status, ae.body)
		return
	}
	writeErr(w, st, "EMULATOR_CONTROL", err.Error())
}

func ctlDone(w http.ResponseWriter, id string, err error) {
	if err != nil {
		ctlErr(w, err)
		return
	}
	writeJSON(w, 200, map[string]string{"id": id})
}
