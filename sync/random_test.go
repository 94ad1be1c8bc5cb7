package sync_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"slices"
	gosync "sync"
	"sync/atomic"
	"testing"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/sync/desk"
	"github.com/tandem-crm/tandem/sync/deskemu"
)

var (
	seedsFlag = flag.Int("seeds", 200, "TestRandomized: how many seeds to run")
	seedFlag  = flag.Int64("seed", 0, "TestRandomized: run only this seed (replay a failure)")
	stepsFlag = flag.Int("steps", 0, "TestRandomized: operations per seed (40; 25 under -race)")
)

// TestRandomized runs random operations on both sides — creates, edits of
// mapped fields, deletes, ticket creates, replies and comments, offline
// periods — with about 10% of Desk calls failing (429 with Retry-After,
// 5xx, dropped connections, malformed JSON) and simulated crashes (the
// service rebuilt from the database in the middle of a pass). When the
// faults stop and sync settles it checks that mapped fields converged,
// that nothing is duplicated, that every queued action was applied exactly
// once, and that no local edit was lost unless it lost a recorded conflict.
//
//	go test ./sync -run TestRandomized -seeds=5000   # many seeds
//	go test ./sync -run TestRandomized -seed=1234 -v # replay one
func TestRandomized(t *testing.T) {
	seeds := make([]int64, 0, *seedsFlag)
	if *seedFlag != 0 {
		seeds = append(seeds, *seedFlag)
	} else {
		for i := 1; i <= *seedsFlag; i++ {
			seeds = append(seeds, int64(i))
		}
	}
	var passed, failed atomic.Int64
	var mu gosync.Mutex
	var failures []int64
	t.Run("seeds", func(t *testing.T) {
		for _, seed := range seeds {
			t.Run(fmt.Sprint(seed), func(t *testing.T) {
				t.Parallel()
				ok := t.Run("world", func(t *testing.T) { runWorld(t, seed) })
				if ok {
					passed.Add(1)
				} else {
					failed.Add(1)
					mu.Lock()
					failures = append(failures, seed)
					mu.Unlock()
					t.Logf("seed %d failed; replay with: go test ./sync -run TestRandomized -seed=%d -v", seed, seed)
				}
			})
		}
	})
	fmt.Printf("TestRandomized: %d of %d seeds passed\n", passed.Load(), len(seeds))
	if len(failures) > 0 {
		fmt.Printf("TestRandomized: failing seeds: %v\n", failures)
	}
}

// world tracks what the random operations did, to check the outcome.
type world struct {
	e     *env
	r     *rand.Rand
	seq   int
	crash string // hook point of the next simulated crash

	crmContacts []int64  // CRM contact ids created or pulled
	deskIDs     []string // Desk contact ids known
	tickets     []string // Desk ticket ids usable for replies
	deleted     map[int64]bool

	// last writes per field: key "crm/<id>/<field>" or "desk/<id>/<field>"
	last map[string]write
	// maybe: values a Desk record's field may hold instead, by the same
	// key: edits of a deleted CRM twin
	maybe map[string][]string
	// actions queued, by unique content
	creates  map[string]bool // subjects
	replies  map[string]string
	comments map[string]string
	faults   []int
}

type write struct {
	seq   int
	value string
}

var contactFields = []struct{ crm, desk string }{{"Title", "title"}, {"Phone", "phone"}, {"FirstName", "firstName"}}

func runWorld(t *testing.T, seed int64) {
	ctx := context.Background()
	w := &world{r: rand.New(rand.NewPCG(uint64(seed), 77)), deleted: map[int64]bool{}, last: map[string]write{}, maybe: map[string][]string{},
		creates: map[string]bool{}, replies: map[string]string{}, comments: map[string]string{}}
	w.e = newEnv(t, envOptions{emu: deskemu.Options{Seed: uint64(seed), Contacts: 6, Accounts: 2, Tickets: 6}, mode: app.SyncTwoWay,
		hook: func(p string) error {
			if w.crash != "" && p == w.crash {
				w.crash = ""
				return errors.New("simulated crash at " + p)
			}
			return nil
		}})
	e := w.e
	mustSync(t, e)
	cs, _ := e.db.ListContacts(ctx, app.ContactFilter{Limit: 1000})
	for _, c := range cs {
		w.crmContacts = append(w.crmContacts, c.ID)
	}

	for c, err := range e.client().AllContacts(ctx, desk.ListOptions{}) {
		if err != nil {
			t.Fatal(err)
		}
		w.deskIDs = append(w.deskIDs, c.ID)
	}
	for tk, err := range e.allTickets(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		w.tickets = append(w.tickets, tk.ID)
	}
	// Faults on about 10% of calls.
	w.faultsOn()
	steps := *stepsFlag
	if steps <= 0 {
		steps = 40
		if raceEnabled {
			steps = 25
		}
	}
	for i := 0; i < steps; i++ {
		w.step(t)
	}
	// Settle: no faults, passes until two clean ones in a row.
	e.emu.ClearFaults()
	w.crash = ""
	clean := 0
	for i := 0; i < 12 && clean < 2; i++ {
		if err := e.syncOnce(ctx); err != nil {
			clean = 0
			continue
		}
		clean++
	}
	if clean < 2 {
		t.Fatalf("sync did not settle: %v", e.syncOnce(ctx))
	}
	w.check(t)
}

func (w *world) faultsOn() {
	emu := w.e.emu
	w.faults = []int{
		emu.AddFault(deskemu.Fault{Kind: deskemu.FaultStatus, Status: 429, RetryAfter: "1", Rate: 0.03}),
		emu.AddFault(deskemu.Fault{Kind: deskemu.FaultStatus, Status: 500, Rate: 0.025}),
		emu.AddFault(deskemu.Fault{Kind: deskemu.FaultDrop, Rate: 0.025}),
		emu.AddFault(deskemu.Fault{Kind: deskemu.FaultMalformed, Rate: 0.025}),
	}
}

func (w *world) pick(n int) int { return w.r.IntN(n) }

func (w *world) value(field string) string {
	w.seq++
	if field == "Phone" || field == "phone" {
		return fmt.Sprintf("+1 555 %04d", w.seq)
	}
	return fmt.Sprintf("v%d", w.seq)
}

func (w *world) liveCRM() []int64 {
	var out []int64
	for _, id := range w.crmContacts {
		if !w.deleted[id] {
			out = append(out, id)
		}
	}
	return out
}

// pickContact reads a random live CRM contact; nil when there is none.
func (w *world) pickContact() *app.Contact {
	live := w.liveCRM()
	if len(live) == 0 {
		return nil
	}
	c, err := w.e.db.FindContact(context.Background(), live[w.pick(len(live))])
	if err != nil {
		return nil
	}
	return c
}

func (w *world) step(t *testing.T) {
	ctx := context.Background()
	e := w.e
	switch op := w.pick(100); {
	case op < 12: // CRM create
		w.seq++
		c := &app.Contact{FirstName: "F", LastName: fmt.Sprintf("L%d", w.seq), Email: fmt.Sprintf("crm%d@example.org", w.seq)}
		if err := e.db.CreateContact(ctx, c); err != nil {
			t.Fatal(err)
		}
		// SQLite may reuse a deleted contact's id: forget the old one.
		delete(w.deleted, c.ID)
		w.forget(c.ID)
		w.crmContacts = append(w.crmContacts, c.ID)
	case op < 30: // CRM edit
		c := w.pickContact()
		if c == nil {
			return
		}
		id := c.ID
		f := contactFields[w.pick(len(contactFields))]
		v := w.value(f.crm)
		switch f.crm {
		case "Title":
			c.Title = v
		case "Phone":
			c.Phone = v
		case "FirstName":
			c.FirstName = v
		}
		if err := e.db.UpdateContact(ctx, c); err != nil {
			t.Fatal(err)
		}
		w.last[fmt.Sprintf("crm/%d/%s", id, f.desk)] = write{w.seq, v}
	case op < 34: // CRM delete
		live := w.liveCRM()
		if len(live) < 3 {
			return
		}
		id := live[w.pick(len(live))]
		// Its edits may have reached its Desk twin before the delete, and
		// stay there (deletes do not cascade) when the twin comes back.
		if l, err := e.db.FindLink(ctx, e.org, app.KindContact, id); err == nil {
			for _, f := range append([]string{"account"}, contactDeskFields()...) {
				if wr, ok := w.last[fmt.Sprintf("crm/%d/%s", id, f)]; ok {
					k := fmt.Sprintf("desk/%s/%s", l.DeskID, f)
					w.maybe[k] = append(w.maybe[k], wr.value)
				}
			}
		}
		if err := e.db.DeleteContact(ctx, id); err != nil {
			t.Fatal(err)
		}
		w.deleted[id] = true
		w.forget(id)
	case op < 42: // Desk create
		w.seq++
		id, err := e.emu.CreateContact(e.org, map[string]any{"lastName": fmt.Sprintf("D%d", w.seq), "email": fmt.Sprintf("desk%d@example.org", w.seq)})
		if err != nil {
			t.Fatal(err)
		}
		w.deskIDs = append(w.deskIDs, id)
	case op < 58: // Desk edit
		id := w.deskIDs[w.pick(len(w.deskIDs))]
		f := contactFields[w.pick(len(contactFields))]
		v := w.value(f.desk)
		if err := e.emu.EditContact(e.org, id, map[string]any{f.desk: v}); err != nil {
			t.Fatal(err)
		}
		w.last[fmt.Sprintf("desk/%s/%s", id, f.desk)] = write{w.seq, v}
	case op < 63: // ticket create from a CRM contact
		live := w.liveCRM()
		if len(live) == 0 {
			return
		}
		w.seq++
		subj := fmt.Sprintf("Subject %d", w.seq)
		if _, err := e.svc.CreateTicket(ctx, app.NewTicketRequest{ContactID: live[w.pick(len(live))], Subject: subj}); err == nil {
			w.creates[subj] = true
		} else if app.ErrorCode(err) != app.EINVALID && app.ErrorCode(err) != app.ENOTFOUND {
			t.Fatal(err)
		}
	case op < 70: // reply
		tid := w.tickets[w.pick(len(w.tickets))]
		w.seq++
		content := fmt.Sprintf("Reply %d", w.seq)
		if _, err := e.svc.Reply(ctx, tid, app.ReplyRequest{Content: content}); err == nil {
			w.replies[content] = tid
		} else if app.ErrorCode(err) != app.EINVALID {
			t.Fatal(err)
		}
	case op < 76: // comment
		tid := w.tickets[w.pick(len(w.tickets))]
		w.seq++
		content := fmt.Sprintf("Comment %d", w.seq)
		if _, err := e.svc.Comment(ctx, tid, content, false); err != nil {
			t.Fatal(err)
		}
		w.comments[content] = tid
	case op < 79: // a customer writes on Desk
		tid := w.tickets[w.pick(len(w.tickets))]
		if _, err := e.emu.CustomerReply(e.org, tid, "customer says hi"); err != nil {
			t.Fatal(err)
		}
	case op < 82: // offline period: every call fails for a while
		id := e.emu.AddFault(deskemu.Fault{Kind: deskemu.FaultStatus, Status: 503, Times: 5 + w.pick(20)})
		_ = id
	case op < 88: // crash in the middle of the next pass
		points := []string{"pull-stored", "applied", "outbox-before-send", "outbox-after-send", "tickets-stored"}
		w.crash = points[w.pick(len(points))]
		_ = e.syncOnce(ctx)
		w.crash = ""
		e.open()
	case op < 91: // CRM: move a contact to a new company
		// Moves go to new companies and accounts only: a value a field had
		// before could come back, and a change undone between two passes
		// is, rightly, no change to sync.
		c := w.pickContact()
		if c == nil {
			return
		}
		id := c.ID
		w.seq++
		co := &app.Company{Name: fmt.Sprintf("Co%d", w.seq)}
		if err := e.db.CreateCompany(ctx, co); err != nil {
			t.Fatal(err)
		}
		c.CompanyID = co.ID
		if err := e.db.UpdateContact(ctx, c); err != nil {
			t.Fatal(err)
		}
		w.last[fmt.Sprintf("crm/%d/account", id)] = write{w.seq, co.Name}
	case op < 94: // Desk: move a contact to a new account
		id := w.deskIDs[w.pick(len(w.deskIDs))]
		w.seq++
		name := fmt.Sprintf("Acc%d", w.seq)
		acc, err := e.emu.CreateAccount(e.org, map[string]any{"accountName": name})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.emu.EditContact(e.org, id, map[string]any{"accountId": acc}); err != nil {
			t.Fatal(err)
		}
		w.last[fmt.Sprintf("desk/%s/account", id)] = write{w.seq, name}
	default: // a pass
		_ = e.syncOnce(ctx)
	}
}

func (w *world) check(t *testing.T) {
	ctx := context.Background()
	e := w.e
	cl := e.client()
	// Desk contacts, by id and email.
	deskBy := map[string]desk.Contact{}
	emails := map[string]string{}
	for c, err := range cl.AllContacts(ctx, desk.ListOptions{}) {
		if err != nil {
			t.Fatal(err)
		}
		// The list's items lack title and the other details: read each.
		if c, err = cl.GetContact(ctx, c.ID); err != nil {
			t.Fatal(err)
		}
		deskBy[c.ID] = c
		if k := app.NormalizeEmail(c.Email); k != "" {
			if other, dup := emails[k]; dup {
				t.Errorf("duplicate Desk contacts %s and %s for %s", other, c.ID, k)
			}
			emails[k] = c.ID
		}
	}
	names := map[string]string{}
	accountName := func(id string) string {
		if id == "" {
			return ""
		}
		if n, ok := names[id]; ok {
			return n
		}
		acc, err := cl.GetAccount(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		names[id] = acc.AccountName
		return acc.AccountName
	}
	crm, err := e.db.ListContacts(ctx, app.ContactFilter{Limit: 100000})
	if err != nil {
		t.Fatal(err)
	}
	crmEmails := map[string]int64{}
	linkedDesk := map[string]int64{}
	ms := tsyncDefaultContactMappings()
	for _, c := range crm {
		if k := app.NormalizeEmail(c.Email); k != "" {
			if other, dup := crmEmails[k]; dup {
				t.Errorf("duplicate CRM contacts %d and %d for %s", other, c.ID, k)
			}
			crmEmails[k] = c.ID
		}
		l, err := e.db.FindLink(ctx, e.org, app.KindContact, c.ID)
		if err != nil {
			t.Errorf("CRM contact %d (%s) is not linked: %v", c.ID, c.Email, err)
			continue
		}
		if other, dup := linkedDesk[l.DeskID]; dup {
			t.Errorf("Desk contact %s linked to %d and %d", l.DeskID, other, c.ID)
		}
		linkedDesk[l.DeskID] = c.ID
		d, ok := deskBy[l.DeskID]
		if !ok {
			t.Errorf("link %d → %s: no such Desk contact", c.ID, l.DeskID)
			continue
		}
		// A contact's company, compared by name: the CRM company's and
		// the Desk account's (ids differ by side).
		deskAccount := accountName(d.AccountID)
		got := map[string][2]string{
			"firstName": {c.FirstName, d.FirstName}, "lastName": {c.LastName, d.LastName}, "email": {c.Email, d.Email},
			"phone": {c.Phone, d.Phone}, "mobile": {c.Mobile, d.Mobile}, "title": {c.Title, d.Title},
			"account": {c.CompanyName, deskAccount},
		}
		for _, f := range ms {
			if v := got[f]; v[0] != v[1] {
				t.Errorf("contact %d / %s field %s: CRM %q, Desk %q", c.ID, d.ID, f, v[0], v[1])
			}
		}
		// No edit lost unless it lost a recorded conflict (recorded for this
		// CRM record, or for its Desk record when an earlier CRM twin was
		// deleted and the record came back from Desk).
		conflicts, _ := e.db.Conflicts(ctx, e.org, true)
		for _, f := range []string{"title", "phone", "firstName", "account"} {
			a, okA := w.last[fmt.Sprintf("crm/%d/%s", c.ID, f)]
			b, okB := w.last[fmt.Sprintf("desk/%s/%s", d.ID, f)]
			var want write
			switch {
			case okA && (!okB || a.seq > b.seq):
				want = a
			case okB:
				want = b
			default:
				continue
			}
			if got[f][0] == want.value || slices.Contains(w.maybe[fmt.Sprintf("desk/%s/%s", d.ID, f)], got[f][0]) {
				continue
			}
			lost := false
			for _, cf := range conflicts {
				cv, dv, df := cf.CRMValue, cf.DeskValue, f
				if cf.DeskField == "accountId" { // conflicts keep account ids
					cv, dv, df = accountName(cv), accountName(dv), "accountId"
				}
				if (cf.CRMID == c.ID || cf.DeskID == d.ID) && cf.DeskField == df && (cv == want.value || dv == want.value) {
					lost = true
				}
			}
			if !lost {
				t.Errorf("contact %d field %s: the last edit %q was lost (now %q) without a conflict", c.ID, f, want.value, got[f][0])
			}
		}
	}
	// Every Desk contact is linked (two-way pulls them all), unless its CRM
	// twin was deleted (deletes do not cascade).
	for id, d := range deskBy {
		if _, ok := linkedDesk[id]; !ok {
			if _, err := e.db.FindLinkByDesk(ctx, e.org, app.KindContact, id); err == nil {
				t.Errorf("Desk contact %s linked to a missing CRM record", id)
			}
			_ = d
		}
	}
	// Outbox: everything done, nothing pending or failed.
	items, err := e.db.Outbox(ctx, e.org, app.OutboxPending, app.OutboxSending, app.OutboxFailed)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		t.Errorf("outbox item %d %s left %s: %s", it.ID, it.Kind, it.State, it.LastError)
	}
	// Each queued action applied exactly once.
	subjects := map[string]int{}
	for tk, err := range e.allTickets(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		subjects[tk.Subject]++
	}
	for s := range w.creates {
		if subjects[s] != 1 {
			t.Errorf("ticket %q created %d times", s, subjects[s])
		}
	}
	threads := map[string]map[string]int{}
	comments := map[string]map[string]int{}
	for _, tid := range w.tickets {
		threads[tid], comments[tid] = map[string]int{}, map[string]int{}
		for th, err := range cl.AllThreads(ctx, tid) {
			if err != nil {
				t.Fatal(err)
			}
			full, err := cl.GetThread(ctx, tid, th.ID)
			if err != nil {
				t.Fatal(err)
			}
			threads[tid][full.Content]++
		}
		for cm, err := range cl.AllComments(ctx, tid) {
			if err != nil {
				t.Fatal(err)
			}
			comments[tid][cm.Content]++
		}
	}
	for content, tid := range w.replies {
		if n := threads[tid][content]; n != 1 {
			t.Errorf("reply %q sent %d times", content, n)
		}
	}
	for content, tid := range w.comments {
		if n := comments[tid][content]; n != 1 {
			t.Errorf("comment %q added %d times", content, n)
		}
	}
}

func tsyncDefaultContactMappings() []string {
	return []string{"firstName", "lastName", "email", "phone", "mobile", "title", "account"}
}

// forget drops the tracked CRM edits of a contact id.
func (w *world) forget(id int64) {
	for _, f := range contactFields {
		delete(w.last, fmt.Sprintf("crm/%d/%s", id, f.desk))
	}
	delete(w.last, fmt.Sprintf("crm/%d/account", id))
}

func contactDeskFields() []string {
	out := make([]string, len(contactFields))
	for i, f := range contactFields {
		out[i] = f.desk
	}
	return out
}
