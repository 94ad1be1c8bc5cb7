package sync_test

import (
	"context"
	"strings"
	"testing"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/sync/desk"
	"github.com/tandem-crm/tandem/sync/deskemu"
)

// TestComposerListsOfflineAndChosenSender: the From addresses and reply
// templates of a ticket's department come from Desk and are kept, so
// offline the composer still has them; rendering a template needs Desk; a
// reply queued offline keeps the sender chosen for it.
func TestComposerListsOfflineAndChosenSender(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, envOptions{emu: deskemu.Options{Seed: 41, Contacts: 3, Accounts: 1, Tickets: 3}, mode: app.SyncNone})
	mustSync(t, e)
	tid, err := e.emu.CreateTicket(e.org, map[string]any{"subject": "Toner", "description": "<p>Empty again.</p>",
		"contact": map[string]any{"email": "grace@example.org", "lastName": "Hopper"}})
	if err != nil {
		t.Fatal(err)
	}
	e.settle()
	mustSync(t, e)
	if _, err := e.svc.Ticket(ctx, tid, true); err != nil {
		t.Fatal(err)
	}
	support := e.info.Portals[0].SupportMail
	as, err := e.svc.ReplyAddresses(ctx, tid)
	if err != nil {
		t.Fatal(err)
	}
	var care string
	for _, a := range as {
		if strings.HasPrefix(a.Address, "care@") {
			care = a.Address
		}
		if strings.HasPrefix(a.Address, "old-help@") {
			t.Errorf("an inactive address is offered: %+v", a)
		}
	}
	if len(as) != 2 || as[0].Address != support || !as[0].Default || care == "" {
		t.Fatalf("reply addresses %+v (support %s)", as, support)
	}
	ts, err := e.svc.ReplyTemplates(ctx, tid)
	if err != nil || len(ts) != 4 {
		t.Fatalf("templates %+v %v", ts, err)
	}
	r, err := e.svc.RenderTemplate(ctx, tid, ts[0].ID)
	if err != nil || !r.HTML || strings.Contains(r.Body, "${") || !strings.Contains(r.Body, "Hopper") {
		t.Fatalf("rendered %+v %v", r, err)
	}

	// Offline: the lists as last read; rendering refused, nothing queued.
	fault := e.emu.AddFault(deskemu.Fault{Kind: deskemu.FaultDrop})
	if off, err := e.svc.ReplyAddresses(ctx, tid); err != nil || len(off) != 2 || off[1].Address != care {
		t.Errorf("offline reply addresses %+v %v", off, err)
	}
	if off, err := e.svc.ReplyTemplates(ctx, tid); err != nil || len(off) != 4 || off[2].Name != ts[2].Name {
		t.Errorf("offline templates %+v %v", off, err)
	}
	if _, err := e.svc.RenderTemplate(ctx, tid, ts[0].ID); app.ErrorCode(err) != app.EUNAVAILABLE {
		t.Errorf("offline render: %v", err)
	}
	if _, err := e.svc.Reply(ctx, tid, app.ReplyRequest{Content: "We are sending toner.", From: care}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Reply(ctx, tid, app.ReplyRequest{Content: "x", From: "not an address"}); app.ErrorCode(err) != app.EINVALID {
		t.Errorf("a sender that is no address: %v", err)
	}
	_ = e.syncOnce(ctx)
	e.emu.RemoveFault(fault)
	mustSync(t, e)
	var last *desk.Thread
	for th, err := range e.client().AllThreads(ctx, tid) {
		if err != nil {
			t.Fatal(err)
		}
		if th.Direction == desk.DirectionOut && last == nil {
			last = &th // newest first
		}
	}
	if last == nil || last.FromEmailAddress != care {
		t.Fatalf("the reply Desk got: %+v, want it from %s", last, care)
	}
}

// TestReplyFromTheTicketsDepartment: with no sender chosen and none in the
// conversation, a reply goes from the default From address of the
// ticket's own department, not from the portal's (another department's),
// which Desk refuses.
func TestReplyFromTheTicketsDepartment(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, envOptions{emu: deskemu.Options{Seed: 44, Contacts: 2, Accounts: 1, Tickets: 0}, mode: app.SyncNone})
	mustSync(t, e)
	deps := e.info.Portals[0].Departments
	newTicket := func(dep string) string {
		id, err := e.emu.CreateTicket(e.org, map[string]any{"subject": "Invoice", "description": "<p>Wrong amount.</p>", "departmentId": dep,
			"contact": map[string]any{"email": "grace@example.org", "lastName": "Hopper"}})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	support, billing := newTicket(deps[0]), newTicket(deps[1])
	e.settle()
	mustSync(t, e)
	for _, id := range []string{support, billing} {
		if _, err := e.svc.Ticket(ctx, id, true); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Reply(ctx, id, app.ReplyRequest{Content: "We are on it."}); err != nil {
			t.Fatal(err)
		}
		mustSync(t, e)
	}
	addrs, err := e.client().MailReplyAddresses(ctx, deps[1])
	if err != nil {
		t.Fatal(err)
	}
	want := ""
	for _, a := range addrs {
		if a.IsDepartmentDefault {
			want = a.Address
		}
	}
	for th, err := range e.client().AllThreads(ctx, billing) {
		if err != nil {
			t.Fatal(err)
		}
		if th.Direction != desk.DirectionOut || th.FromEmailAddress != want {
			t.Errorf("the Billing ticket's reply: %+v, want it from %s", th, want)
		}
		return
	}
	out, _ := e.svc.Outbox(ctx)
	t.Fatalf("the Billing ticket got no reply; outbox %+v", out)
}
