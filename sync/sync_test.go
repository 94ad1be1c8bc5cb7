package sync_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/tandem-crm/tandem/sync/desk"

	"github.com/tandem-crm/tandem/app"
	tsync "github.com/tandem-crm/tandem/sync"
	"github.com/tandem-crm/tandem/sync/deskemu"
)

func TestFirstSyncTwoWay(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, envOptions{emu: deskemu.Options{Seed: 2, Contacts: 30, Accounts: 8, Tickets: 60}, mode: app.SyncTwoWay})
	if err := e.syncOnce(ctx); err != nil {
		t.Fatalf("sync: %v", err)
	}
	n, _ := e.db.CountContacts(ctx, app.ContactFilter{})
	m, _ := e.db.CountCompanies(ctx, app.CompanyFilter{})
	st, err := e.svc.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("contacts %d companies %d tickets %d errors %v", n, m, st.CachedTickets, st.RecordErrors)
	if n != 30 || m != 8 || st.CachedTickets != 60 {
		t.Fatalf("got %d contacts, %d companies, %d tickets", n, m, st.CachedTickets)
	}
	// A second pass changes nothing.
	if err := e.syncOnce(ctx); err != nil {
		t.Fatalf("sync 2: %v", err)
	}
}

func mustSync(t *testing.T, e *env) {
	t.Helper()
	if err := e.syncOnce(context.Background()); err != nil {
		t.Fatalf("sync: %v", err)
	}
}

func deskContactByEmail(t *testing.T, e *env, email string) []desk.Contact {
	t.Helper()
	e.settle() // Desk's search finds what was written once its index caught up
	cl := e.client()
	cs, err := cl.FindContactsByEmail(context.Background(), email)
	if err != nil && app.ErrorCode(err) != app.ENOTFOUND {
		t.Fatal(err)
	}
	return cs
}

func TestPushMatchAndConflict(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, envOptions{emu: deskemu.Options{Seed: 5, Contacts: 10, Accounts: 3, Tickets: 10}, mode: app.SyncTwoWay})
	mustSync(t, e)
	// A new CRM contact is created on Desk once.
	c := &app.Contact{FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.org"}
	if err := e.db.CreateContact(ctx, c); err != nil {
		t.Fatal(err)
	}
	mustSync(t, e)
	mustSync(t, e)
	ds := deskContactByEmail(t, e, "ada@example.org")
	if len(ds) != 1 || ds[0].LastName != "Lovelace" {
		t.Fatalf("desk contacts for ada: %+v", ds)
	}
	// Desk edit reaches the CRM.
	if err := e.emu.EditContact(e.org, ds[0].ID, map[string]any{"title": "Countess"}); err != nil {
		t.Fatal(err)
	}
	mustSync(t, e)
	got, _ := e.db.FindContact(ctx, c.ID)
	if got.Title != "Countess" {
		t.Fatalf("title = %q", got.Title)
	}
	// CRM edit reaches Desk.
	got.Phone = "+44 20 7946 0000"
	if err := e.db.UpdateContact(ctx, got); err != nil {
		t.Fatal(err)
	}
	mustSync(t, e)
	d, _ := e.client().GetContact(ctx, ds[0].ID)
	if d.Phone != "+44 20 7946 0000" {
		t.Fatalf("desk phone = %q", d.Phone)
	}
	// Both change the title: the CRM's change reaches Desk after Desk's (it
	// is pushed by this pass), so it is the later one on Desk's clock and
	// wins; Desk's value is the conflict (issue 12: one clock).
	got, _ = e.db.FindContact(ctx, c.ID)
	got.Title = "Mathematician"
	if err := e.db.UpdateContact(ctx, got); err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * time.Millisecond)
	if err := e.emu.EditContact(e.org, ds[0].ID, map[string]any{"title": "Analyst"}); err != nil {
		t.Fatal(err)
	}
	mustSync(t, e)
	got, _ = e.db.FindContact(ctx, c.ID)
	cs, _ := e.svc.Conflicts(ctx)
	if got.Title != "Mathematician" || len(cs) != 1 || cs[0].DeskValue != "Analyst" || cs[0].Winner != app.WinnerCRM {
		t.Fatalf("title %q conflicts %+v", got.Title, cs)
	}
	// Restore the loser: it goes to Desk too.
	if err := e.svc.RestoreConflict(ctx, cs[0].ID); err != nil {
		t.Fatal(err)
	}
	mustSync(t, e)
	d, _ = e.client().GetContact(ctx, ds[0].ID)
	if d.Title != "Analyst" {
		t.Fatalf("desk title after restore = %q", d.Title)
	}
	// A Desk contact with the same email as an unlinked CRM contact is linked, not duplicated.
	c2 := &app.Contact{LastName: "Hopper", Email: "grace@example.org"}
	if err := e.db.CreateContact(ctx, c2); err != nil {
		t.Fatal(err)
	}
	if _, err := e.emu.CreateContact(e.org, map[string]any{"lastName": "Hopper", "firstName": "Grace", "email": "Grace@Example.org"}); err != nil {
		t.Fatal(err)
	}
	mustSync(t, e)
	mustSync(t, e)
	if n := len(deskContactByEmail(t, e, "grace@example.org")); n != 1 {
		t.Fatalf("%d desk contacts for grace", n)
	}
	if n, _ := e.db.CountContacts(ctx, app.ContactFilter{Email: "grace@example.org"}); n != 1 {
		t.Fatalf("%d crm contacts for grace", n)
	}
	g, _ := e.db.FindContact(ctx, c2.ID)
	if g.FirstName != "Grace" {
		t.Fatalf("first name not merged: %+v", g)
	}
	// A record Desk cannot take gets a per-record error and the pass goes on.
	co := &app.Company{Name: "Acme"}
	if err := e.db.CreateCompany(ctx, co); err != nil {
		t.Fatal(err)
	}
	st, _ := e.svc.Status(ctx)
	if len(st.RecordErrors) != 0 {
		t.Fatalf("errors: %+v", st.RecordErrors)
	}
}

func TestOneWayAndNone(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, envOptions{emu: deskemu.Options{Seed: 6, Contacts: 10, Accounts: 3, Tickets: 20}, mode: app.SyncOneWay})
	c := &app.Contact{LastName: "Curie", Email: "marie@example.org"}
	if err := e.db.CreateContact(ctx, c); err != nil {
		t.Fatal(err)
	}
	mustSync(t, e)
	if n, _ := e.db.CountContacts(ctx, app.ContactFilter{}); n != 1 {
		t.Fatalf("one-way pulled contacts into the CRM: %d", n)
	}
	ds := deskContactByEmail(t, e, "marie@example.org")
	if len(ds) != 1 {
		t.Fatalf("not pushed: %+v", ds)
	}
	if err := e.emu.EditContact(e.org, ds[0].ID, map[string]any{"title": "Physicist"}); err != nil {
		t.Fatal(err)
	}
	mustSync(t, e)
	if got, _ := e.db.FindContact(ctx, c.ID); got.Title != "" {
		t.Fatalf("desk edit reached the CRM in one-way mode: %q", got.Title)
	}
	// No sync: tickets still associate by email.
	if err := e.svc.UpdateSettings(ctx, app.SyncNone, nil); err != nil {
		t.Fatal(err)
	}
	tid, err := e.emu.CreateTicket(e.org, map[string]any{"subject": "Help", "contactId": ds[0].ID})
	if err != nil {
		t.Fatal(err)
	}
	c2 := &app.Contact{LastName: "Noether", Email: "emmy@example.org"}
	if err := e.db.CreateContact(ctx, c2); err != nil {
		t.Fatal(err)
	}
	mustSync(t, e)
	if n := len(deskContactByEmail(t, e, "emmy@example.org")); n != 0 {
		t.Fatalf("no-sync mode pushed a contact")
	}
	tl, err := e.svc.TicketsForRecord(ctx, app.KindContact, c.ID, app.TicketFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(tl.Tickets) != 1 || tl.Tickets[0].ID != tid {
		t.Fatalf("tickets for marie: %+v", tl.Tickets)
	}
}

func TestOutboxActionsAndCrash(t *testing.T) {
	ctx := context.Background()
	crashAt := ""
	e := newEnv(t, envOptions{emu: deskemu.Options{Seed: 7, Contacts: 10, Accounts: 3, Tickets: 10}, mode: app.SyncTwoWay,
		hook: func(p string) error {
			if p == crashAt {
				crashAt = ""
				return errors.New("crash at " + p)
			}
			return nil
		}})
	mustSync(t, e)
	c := &app.Contact{LastName: "Turing", Email: "alan@example.org"}
	if err := e.db.CreateContact(ctx, c); err != nil {
		t.Fatal(err)
	}
	mustSync(t, e)
	it, err := e.svc.CreateTicket(ctx, app.NewTicketRequest{ContactID: c.ID, Subject: "Enigma", Description: "Broken rotor"})
	if err != nil {
		t.Fatal(err)
	}
	// Crash after Desk created the ticket but before we recorded it.
	crashAt = "outbox-after-send"
	if err := e.syncOnce(ctx); err == nil {
		t.Fatal("expected the simulated crash")
	}
	e.open() // rebuilt from the database
	mustSync(t, e)
	tl, err := e.svc.TicketsForRecord(ctx, app.KindContact, c.ID, app.TicketFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(tl.Tickets) != 1 || tl.Open != 1 || len(tl.PendingCreates) != 0 {
		t.Fatalf("after crash: %+v (item %d)", tl, it.ID)
	}
	tid := tl.Tickets[0].ID
	// Reply, comment and status change, the reply crashing mid-way.
	if _, err := e.svc.Reply(ctx, tid, app.ReplyRequest{Content: "We are on it."}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Comment(ctx, tid, "internal note", false); err != nil {
		t.Fatal(err)
	}
	sts, err := e.svc.Statuses(ctx)
	if err != nil || len(sts) == 0 {
		t.Fatalf("statuses %v %v", sts, err)
	}
	closed := sts[len(sts)-1]
	if _, err := e.svc.ChangeStatus(ctx, tid, closed); err != nil {
		t.Fatal(err)
	}
	crashAt = "outbox-after-send"
	_ = e.syncOnce(ctx)
	e.open()
	mustSync(t, e)
	td, err := e.svc.Ticket(ctx, tid, true)
	if err != nil {
		t.Fatal(err)
	}
	replies, comments := 0, 0
	for _, th := range td.Threads {
		if th.Content == "We are on it." {
			replies++
		}
	}
	for _, cm := range td.Comments {
		if cm.Content == "internal note" {
			comments++
		}
	}
	if replies != 1 || comments != 1 || td.Ticket.Status != closed || len(td.Pending) != 0 {
		t.Fatalf("replies %d comments %d status %q pending %d", replies, comments, td.Ticket.Status, len(td.Pending))
	}
	// Offline: actions queue and go out later.
	e.emu.AddFault(deskemu.Fault{Kind: deskemu.FaultStatus, Status: 503})
	if _, err := e.svc.Comment(ctx, tid, "offline note", true); err != nil {
		t.Fatal(err)
	}
	if err := e.syncOnce(ctx); app.ErrorCode(err) != app.EUNAVAILABLE {
		t.Fatalf("offline pass: %v", err)
	}
	if st, _ := e.svc.Status(ctx); st.PendingOutbox != 1 || st.State != app.StateOffline {
		t.Fatalf("status offline: %+v", st)
	}
	e.emu.ClearFaults()
	mustSync(t, e)
	if st, _ := e.svc.Status(ctx); st.PendingOutbox != 0 || st.LastSuccess.IsZero() {
		t.Fatalf("status online: %+v", st)
	}
}

func TestDeactivateActivate(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, envOptions{emu: deskemu.Options{Seed: 8, Contacts: 12, Accounts: 4, Tickets: 30}, mode: app.SyncTwoWay})
	mustSync(t, e)
	cs, _ := e.db.ListContacts(ctx, app.ContactFilter{Limit: 100})
	before := 0
	for _, c := range cs {
		tl, err := e.svc.TicketsForRecord(ctx, app.KindContact, c.ID, app.TicketFilter{})
		if err != nil {
			t.Fatal(err)
		}
		before += len(tl.Tickets)
	}
	if before == 0 {
		t.Fatal("no associated tickets")
	}
	if err := e.svc.Deactivate(ctx); err != nil {
		t.Fatal(err)
	}
	if e.secrets.Len() != 0 {
		t.Fatal("secrets left in the keyring")
	}
	if _, err := e.svc.TicketsForRecord(ctx, app.KindContact, cs[0].ID, app.TicketFilter{}); app.ErrorCode(err) != app.ENOTFOUND {
		t.Fatalf("tickets visible after deactivate: %v", err)
	}
	if err := e.syncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	// Sign in through the browser flow again and activate the same portal.
	url, err := e.svc.BeginSignIn(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
		}
	}()
	if _, err := e.svc.CompleteSignIn(ctx); err != nil {
		t.Fatal(err)
	}
	ps, err := e.svc.ListAccountPortals(ctx)
	if err != nil || len(ps) == 0 {
		t.Fatalf("portals %v %v", ps, err)
	}
	if _, err := e.svc.Activate(ctx, app.ActivateRequest{OrgID: e.org, Mode: app.SyncTwoWay}); err != nil {
		t.Fatal(err)
	}
	mustSync(t, e)
	n, _ := e.db.CountContacts(ctx, app.ContactFilter{})
	if n != 12 {
		t.Fatalf("contacts duplicated: %d", n)
	}
	after := 0
	for _, c := range cs {
		tl, _ := e.svc.TicketsForRecord(ctx, app.KindContact, c.ID, app.TicketFilter{})
		after += len(tl.Tickets)
	}
	if after != before {
		t.Fatalf("tickets before %d after %d", before, after)
	}
}

func TestStartStop(t *testing.T) {
	e := newEnv(t, envOptions{emu: deskemu.Options{Seed: 9, Contacts: 5, Accounts: 2, Tickets: 5}, mode: app.SyncTwoWay})
	ctx, cancel := context.WithCancel(context.Background())
	var mu gosync.Mutex
	var kinds []string
	finished := make(chan struct{}, 10)
	unsub := e.svc.Subscribe(func(ev app.SyncEvent) {
		mu.Lock()
		kinds = append(kinds, ev.Kind)
		mu.Unlock()
		if ev.Kind == app.EventFinished {
			finished <- struct{}{}
		}
	})
	defer unsub()
	done := make(chan error, 1)
	go func() { done <- e.svc.Run(ctx) }()
	<-finished
	e.svc.SyncNow()
	<-finished
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("run: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if kinds[0] != app.EventStarted {
		t.Fatalf("events %v", kinds)
	}
}

// TestMappingChangeBringsRecordsIntoStep maps a field after records were
// linked without it: the next pass sends the CRM's values of the new field
// to Desk and brings Desk's into the CRM, without a conflict and without
// listing Desk's contacts again.
func TestMappingChangeBringsRecordsIntoStep(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, envOptions{emu: deskemu.Options{Seed: 7, Contacts: 5, Accounts: 2, Tickets: 5}})
	var noTitle []app.FieldMapping
	for _, m := range tsync.DefaultMappings() {
		if m.Kind != app.KindContact || m.CRMField != "Title" {
			noTitle = append(noTitle, m)
		}
	}
	p := configureParams(e)
	p.Mappings = noTitle
	if _, err := e.svc.Configure(ctx, p); err != nil {
		t.Fatal(err)
	}
	ada := &app.Contact{FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.org", Title: "Countess"}
	if err := e.db.CreateContact(ctx, ada); err != nil {
		t.Fatal(err)
	}
	if _, err := e.emu.CreateContact(e.org, map[string]any{"firstName": "Bob", "lastName": "Builder", "email": "bob@example.org", "title": "Engineer"}); err != nil {
		t.Fatal(err)
	}
	mustSync(t, e)
	mustSync(t, e)
	ds := deskContactByEmail(t, e, "ada@example.org")
	if len(ds) != 1 || ds[0].Title != "" {
		t.Fatalf("ada on Desk before the mapping: %+v", ds)
	}
	bob, err := e.db.ListContacts(ctx, app.ContactFilter{Query: "bob@example.org"})
	if err != nil || len(bob) != 1 || bob[0].Title != "" {
		t.Fatalf("bob in the CRM before the mapping: %+v %v", bob, err)
	}

	// Saving the same settings again changes nothing and looks at nothing.
	if err := e.svc.UpdateSettings(ctx, app.SyncTwoWay, noTitle); err != nil {
		t.Fatal(err)
	}
	e.emu.ResetRequests()
	mustSync(t, e)
	if c := countRequests(e.emu); c.other != 0 {
		t.Errorf("an unchanged mapping sent %d requests besides lists: %+v", c.other, c)
	}

	if err := e.svc.UpdateSettings(ctx, app.SyncTwoWay, tsync.DefaultMappings()); err != nil {
		t.Fatal(err)
	}
	e.emu.ResetRequests()
	mustSync(t, e)
	if c := countRequests(e.emu); c.contacts > 1 {
		t.Errorf("the mapping change listed Desk's contacts %d times", c.contacts)
	}
	d, err := e.client().GetContact(ctx, ds[0].ID)
	if err != nil || d.Title != "Countess" {
		t.Errorf("ada's title on Desk after the mapping = %q (%v)", d.Title, err)
	}
	got, err := e.db.FindContact(ctx, bob[0].ID)
	if err != nil || got.Title != "Engineer" {
		t.Errorf("bob's title in the CRM after the mapping = %q (%v)", got.Title, err)
	}
	if cs, _ := e.svc.Conflicts(ctx); len(cs) != 0 {
		t.Errorf("conflicts: %+v", cs)
	}
	if st, _ := e.svc.Status(ctx); len(st.RecordErrors) != 0 {
		t.Errorf("record errors: %+v", st.RecordErrors)
	}
}

// TestPollFetchesOnlyWhatChanged: a customer reply to a cached ticket costs
// its thread list and the new thread's content; its comments are fetched
// only when their count changed.
func TestPollFetchesOnlyWhatChanged(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, envOptions{emu: deskemu.Options{Seed: 21, Contacts: 4, Accounts: 1, Tickets: 6}, mode: app.SyncTwoWay})
	mustSync(t, e)
	id := firstTicket(t, e)
	if _, err := e.svc.Ticket(ctx, id, true); err != nil { // opened: everything cached
		t.Fatal(err)
	}
	mustSync(t, e)
	if _, err := e.emu.CustomerReply(e.org, id, "one more thing"); err != nil {
		t.Fatal(err)
	}
	e.emu.ResetRequests()
	mustSync(t, e)
	c := countRequests(e.emu)
	if c.comments != 0 || c.threads != 2 {
		t.Errorf("after a reply: %d comment and %d thread requests (want 0 and 2: the list and the new thread)", c.comments, c.threads)
	}
	if _, err := e.emu.AgentComment(e.org, id, e.info.Users[0].Email, "internal note"); err != nil {
		t.Fatal(err)
	}
	e.emu.ResetRequests()
	mustSync(t, e)
	if c := countRequests(e.emu); c.comments != 1 {
		t.Errorf("after a comment: %d comment requests", c.comments)
	}
	td, err := e.svc.Ticket(ctx, id, false)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(td.Comments); n == 0 || td.Comments[n-1].Text != "internal note" && !strings.Contains(td.Comments[n-1].Content, "internal note") {
		t.Errorf("the new comment is not cached: %+v", td.Comments)
	}
}

// TestMentionsNamed: a comment mentioning agents shows their names once the
// ticket is opened (Desk's content carries only ids), also from the cache.
func TestMentionsNamed(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, envOptions{emu: deskemu.Options{Seed: 22, Contacts: 3, Accounts: 1, Tickets: 3}, mode: app.SyncTwoWay})
	mustSync(t, e)
	id := firstTicket(t, e)
	me, other := e.info.Users[0], e.info.Users[1]
	myID, otherID := e.emu.AgentID(e.org, me.Email), e.emu.AgentID(e.org, other.Email)
	if myID == "" || otherID == "" {
		t.Fatal("demo users are not agents of the portal")
	}
	if _, err := e.emu.AgentComment(e.org, id, me.Email, "please look", otherID, myID); err != nil {
		t.Fatal(err)
	}
	mustSync(t, e)
	td, err := e.svc.Ticket(ctx, id, true)
	if err != nil {
		t.Fatal(err)
	}
	last := td.Comments[len(td.Comments)-1]
	if !strings.Contains(last.Text, "@"+other.Name) || !strings.Contains(last.Text, "@"+me.Name) || strings.Contains(last.Text, otherID) {
		t.Errorf("comment text %q; want @%s and @%s", last.Text, other.Name, me.Name)
	}
	// Reading the cache (no refresh) names them too, without asking Desk.
	e.emu.ResetRequests()
	td, err = e.svc.Ticket(ctx, id, false)
	if err != nil {
		t.Fatal(err)
	}
	if got := td.Comments[len(td.Comments)-1].Text; !strings.Contains(got, "@"+other.Name) {
		t.Errorf("from the cache: %q", got)
	}
	if n := len(e.emu.Requests()); n != 0 {
		t.Errorf("reading the cache sent %d requests", n)
	}
}

// firstTicket returns the id of a ticket on Desk.
func firstTicket(t *testing.T, e *env) string {
	t.Helper()
	for tk, err := range e.allTickets(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		return tk.ID
	}
	t.Fatal("no tickets on Desk")
	return ""
}

// TestReplyFromSupportAddress: Desk needs the support address a reply
// goes from. A reply on a ticket never opened takes it from the ticket's
// conversation on Desk; the portal remembers it; reply all leaves it out
// of the copies.
func TestReplyFromSupportAddress(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, envOptions{emu: deskemu.Options{Seed: 25, Contacts: 3, Accounts: 1}, mode: app.SyncTwoWay})
	mustSync(t, e)
	support := e.info.Portals[0].SupportMail
	c := &app.Contact{LastName: "Hopper", Email: "grace@example.org"}
	if err := e.db.CreateContact(ctx, c); err != nil {
		t.Fatal(err)
	}
	mustSync(t, e)
	dc := deskContactByEmail(t, e, "grace@example.org")
	tid, err := e.emu.CreateTicket(e.org, map[string]any{"subject": "Printer", "contactId": dc[0].ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.emu.CustomerReply(e.org, tid, "It still does not print. Adding my colleague."); err != nil {
		t.Fatal(err)
	}
	mustSync(t, e)
	if p, _ := e.svc.ActivePortal(ctx); p.SupportEmail != "" {
		t.Fatalf("support address known before any reply: %q", p.SupportEmail)
	}
	it, err := e.svc.ReplyAll(ctx, tid, app.ReplyRequest{Content: "We are on it."})
	if err != nil {
		t.Fatal(err)
	}
	var pl struct{ CC string }
	_ = json.Unmarshal(it.Payload, &pl)
	if strings.Contains(strings.ToLower(pl.CC), strings.ToLower(support)) {
		t.Errorf("reply all copies the help desk's own address: %q", pl.CC)
	}
	mustSync(t, e)
	td, err := e.svc.Ticket(ctx, tid, true)
	if err != nil {
		t.Fatal(err)
	}
	last := td.Threads[len(td.Threads)-1]
	if len(td.Pending) != 0 || last.Direction != desk.DirectionOut || !strings.EqualFold(last.From, support) {
		t.Fatalf("the reply: pending %d, last thread %+v", len(td.Pending), last)
	}
	if p, _ := e.svc.ActivePortal(ctx); !strings.EqualFold(p.SupportEmail, support) {
		t.Errorf("the portal's support address = %q, want %q", p.SupportEmail, support)
	}
}

// TestReplyCCAndBCCReachDesk: sendReply takes cc and bcc (Thread.json,
// commonSendReplyJson): a reply's copies go in cc as bare addresses, not
// folded into to, and the reply is sent once.
func TestReplyCCAndBCCReachDesk(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, envOptions{emu: deskemu.Options{Seed: 26, Contacts: 3, Accounts: 1}, mode: app.SyncTwoWay})
	mustSync(t, e)
	c := &app.Contact{LastName: "Lovelace", Email: "ada@example.org"}
	if err := e.db.CreateContact(ctx, c); err != nil {
		t.Fatal(err)
	}
	mustSync(t, e)
	dc := deskContactByEmail(t, e, "ada@example.org")
	tid, err := e.emu.CreateTicket(e.org, map[string]any{"subject": "Engine", "contactId": dc[0].ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.emu.CustomerReply(e.org, tid, "The engine stops."); err != nil {
		t.Fatal(err)
	}
	mustSync(t, e)
	if _, err := e.svc.Reply(ctx, tid, app.ReplyRequest{To: "ada@example.org", CC: "Bea <bea@example.org>, cy@example.org",
		BCC: "boss@example.org", Content: "Looking at it."}); err != nil {
		t.Fatal(err)
	}
	mustSync(t, e)
	mustSync(t, e)
	td, err := e.svc.Ticket(ctx, tid, true)
	if err != nil {
		t.Fatal(err)
	}
	var out []app.Thread
	for _, th := range td.Threads {
		if th.Direction == desk.DirectionOut {
			out = append(out, th)
		}
	}
	if len(out) != 1 || len(td.Pending) != 0 {
		t.Fatalf("replies on Desk %d (want 1), pending %d", len(out), len(td.Pending))
	}
	if out[0].To != "ada@example.org" || out[0].CC != "bea@example.org,cy@example.org" {
		t.Errorf("to %q cc %q", out[0].To, out[0].CC)
	}
	if vs := e.emu.Violations(); len(vs) != 0 {
		t.Errorf("contract violations: %v", vs)
	}
}
