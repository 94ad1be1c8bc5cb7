package desk_test

import (
	"strings"
	"testing"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/sync/desk"
)

// TestTemplates: the client lists a department's reply templates (the
// definition's bare array), reads one, and has Desk render one for a
// ticket, against the strict emulator over loopback HTTP.
func TestTemplates(t *testing.T) {
	e := newEnv(t)
	c := e.client(t, kenji)
	ts, err := c.Templates(ctx(t), e.dep)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]desk.Template{}
	for _, tp := range ts {
		names[tp.Name] = tp
		if tp.DepartmentID != e.dep || tp.RecordType != "tickets" || tp.ID == "" {
			t.Errorf("template %+v", tp)
		}
	}
	ja, ok := names["受付のお知らせ"]
	if !ok || names["Acknowledge the request"].ID == "" {
		t.Fatalf("templates %+v", ts)
	}
	one, err := c.Template(ctx(t), ja.ID)
	if err != nil || one.Name != ja.Name || !strings.Contains(one.Body, "${Cases.Contact Name}") {
		t.Fatalf("template %+v %v", one, err)
	}
	tickets, err := c.ListTickets(ctx(t), e.dep, desk.ListOptions{Limit: 5})
	if err != nil {
		t.Fatal(err)
	}
	tk, err := c.GetTicket(ctx(t), tickets[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.RenderTemplate(ctx(t), ja.ID, tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(r.Body, "${") || !strings.Contains(r.Body, tk.TicketNumber) || !strings.Contains(r.Body, "様") || r.Subject != "Re: "+tk.Subject {
		t.Errorf("rendered %+v for #%s %q", r, tk.TicketNumber, tk.Subject)
	}
	// An unknown template: ENOTFOUND, for reading and for rendering.
	_, err = c.Template(ctx(t), "99999")
	wantCode(t, err, app.ENOTFOUND)
	_, err = c.RenderTemplate(ctx(t), "99999", tk.ID)
	wantCode(t, err, app.ENOTFOUND)
	// A department Desk does not have: EINVALID.
	_, err = c.Templates(ctx(t), "1")
	wantCode(t, err, app.EINVALID)
}

// TestReplyAddressesOfADepartment: the department's From addresses say
// which is its default; a reply may go from any active, verified one of
// them, and Desk refuses one of another department.
func TestReplyAddressesOfADepartment(t *testing.T) {
	e := newEnv(t)
	c := e.client(t, kenji)
	tickets, err := c.ListTickets(ctx(t), e.dep, desk.ListOptions{Limit: 5})
	if err != nil {
		t.Fatal(err)
	}
	tk := tickets[0]
	mras, err := c.MailReplyAddresses(ctx(t), e.dep)
	if err != nil {
		t.Fatal(err)
	}
	var usable []string
	defaults := 0
	for _, m := range mras {
		if m.Usable() {
			usable = append(usable, m.Address)
		}
		if m.IsDepartmentDefault {
			defaults++
		}
	}
	if len(usable) < 2 || defaults != 1 {
		t.Fatalf("addresses %+v", mras)
	}
	th, err := c.SendReply(ctx(t), tk.ID, desk.Reply{Channel: "EMAIL", FromEmailAddress: usable[1], To: "a@example.com", Content: "x"})
	if err != nil || th.FromEmailAddress != usable[1] {
		t.Fatalf("reply from %s: %+v %v", usable[1], th, err)
	}
	other := e.info.Portals[0].Departments[1]
	oas, err := c.MailReplyAddresses(ctx(t), other)
	if err != nil || len(oas) == 0 {
		t.Fatalf("addresses of %s: %+v %v", other, oas, err)
	}
	_, err = c.SendReply(ctx(t), tk.ID, desk.Reply{Channel: "EMAIL", FromEmailAddress: oas[0].Address, To: "a@example.com", Content: "x"})
	wantCode(t, err, app.EINVALID)
}
