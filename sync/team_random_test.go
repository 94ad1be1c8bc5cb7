package sync_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/sync/desk"
	"github.com/tandem-crm/tandem/sync/deskemu"
)

var (
	teamSeedsFlag = flag.Int("team-seeds", 0, "TestTeamRandomized: how many seeds to run (200; 40 under -race)")
	teamSeedFlag  = flag.Int64("team-seed", 0, "TestTeamRandomized: run only this seed (replay a failure)")
	teamFirstFlag = flag.Int64("team-first", 1, "TestTeamRandomized: the first seed of the run (batches)")
	teamTraceFlag = flag.Bool("team-trace", false, "TestTeamRandomized: log every step (with -team-seed)")
)

// teamCrashPoints are the named points a desktop is killed at: every hook
// of a pass, and (inFlightPOST) a contact POST that Desk applies but whose
// answer never arrives.
var teamCrashPoints = []string{"outbox-before-send", "outbox-after-send", "outbox-before-create", "pull-stored", "applied",
	"merge-before", "merge-after", "tickets-stored", inFlightPOST}

const inFlightPOST = "in-flight-POST"

// TestTeamRandomized: a team of 2-4 desktops (each its own database and
// outbox) on one emulator with the search lag on. Random operations: the
// same new person created on several desktops at once, creates, edits of
// mapped fields on any desktop and on Desk, deletes, kills at every named
// point (an in-flight POST too), a few Desk faults, and passes in random
// order, some before Desk's search index caught up. Once faults stop and
// every desktop settles: Desk and every desktop hold the same records (a
// desktop that deleted one holds its tombstone instead), no email twice on
// Desk or in any desktop, and no edit is lost unless it is a recorded
// conflict on some desktop.
//
//	go test ./sync -run TestTeamRandomized -team-seeds=5000   # make seeds
//	go test ./sync -run TestTeamRandomized -team-seed=123 -v  # replay one
func TestTeamRandomized(t *testing.T) {
	n := *teamSeedsFlag
	if n <= 0 {
		n = 200
		if raceEnabled {
			n = 40
		}
	}
	var seeds []int64
	if *teamSeedFlag != 0 {
		seeds = []int64{*teamSeedFlag}
	} else {
		for i := int64(0); i < int64(n); i++ {
			seeds = append(seeds, *teamFirstFlag+i)
		}
	}
	var passed, dups atomic.Int64
	var mu gosync.Mutex
	var failures []int64
	t.Run("seeds", func(t *testing.T) {
		for _, seed := range seeds {
			t.Run(fmt.Sprint(seed), func(t *testing.T) {
				t.Parallel()
				var d int
				ok := t.Run("team", func(t *testing.T) { d = runTeam(t, seed) })
				dups.Add(int64(d))
				if ok {
					passed.Add(1)
				} else {
					mu.Lock()
					failures = append(failures, seed)
					mu.Unlock()
					t.Logf("seed %d failed; replay with: go test ./sync -run TestTeamRandomized -team-seed=%d -v", seed, seed)
				}
			})
		}
	})
	slices.Sort(failures)
	fmt.Printf("TestTeamRandomized: %d of %d team seeds converged; duplicate emails left: %d\n", passed.Load(), len(seeds), dups.Load())
	if len(failures) > 0 {
		fmt.Printf("TestTeamRandomized: failing seeds: %v\n", failures)
	}
}

// teamRegressionSeeds are seeds that once failed, replayed on every run:
// 3903, 4074: a contact deleted while its create's answer was lost kept
// neither a link nor a tombstone on that desktop. 4686: the test stopped
// syncing in the round in which one desktop pushed its last edit, so
// another had not pulled it yet (settling now needs a round that changes
// nothing on Desk).
var teamRegressionSeeds = []int64{3903, 4074, 4686}

// TestTeamRandomizedRegressions replays the seeds that once failed.
func TestTeamRandomizedRegressions(t *testing.T) {
	for _, seed := range teamRegressionSeeds {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			t.Parallel()
			if d := runTeam(t, seed); d != 0 {
				t.Errorf("seed %d: %d duplicate emails", seed, d)
			}
		})
	}
}

type teamWorld struct {
	tm    *team
	r     *rand.Rand
	seq   int
	crash []string // per desktop: the point of its next kill
	// last write per email and Desk field, by sequence.
	last map[string]write
	// touched by a delete on some desktop: not compared for lost edits.
	deleted map[string]bool
	emails  []string
}

// runTeam plays one seed and returns how many emails are duplicated at the
// end (on Desk or any desktop).
func runTeam(t *testing.T, seed int64) int {
	ctx := context.Background()
	w := &teamWorld{r: rand.New(rand.NewPCG(uint64(seed), 12)), last: map[string]write{}, deleted: map[string]bool{}}
	n := 2 + int(seed%3)
	w.crash = make([]string, n)
	w.tm = newTeam(t, n, envOptions{emu: deskemu.Options{Seed: uint64(seed), Contacts: 3, Accounts: 1, Tickets: 1}, mode: app.SyncTwoWay},
		func(i int, p string) error {
			if w.crash[i] != "" && p == w.crash[i] {
				w.crash[i] = ""
				return errors.New("killed at " + p)
			}
			return nil
		})
	tm := w.tm
	tm.settleAll(ctx, 3)
	cs, _ := tm.desks[0].db.ListContacts(ctx, app.ContactFilter{Limit: 100})
	for _, c := range cs {
		w.emails = append(w.emails, app.NormalizeEmail(c.Email))
	}
	faults := []int{
		tm.emu.AddFault(deskemu.Fault{Kind: deskemu.FaultStatus, Status: 500, Rate: 0.02}),
		tm.emu.AddFault(deskemu.Fault{Kind: deskemu.FaultDrop, Rate: 0.02}),
	}
	_ = faults
	steps := 30
	if raceEnabled {
		steps = 20
	}
	for i := 0; i < steps; i++ {
		w.step(t)
	}
	tm.emu.ClearFaults()
	for i := range w.crash {
		w.crash[i] = ""
	}
	// The team has settled after two clean rounds (every pass without an
	// error) of which the last changed nothing on Desk: a change pushed in
	// a round reaches the desktops that passed before it only in the next.
	clean := 0
	for r := 0; r < 12 && clean < 2; r++ {
		ok := true
		before := w.deskState(t)
		for i, e := range tm.desks {
			if err := e.syncOnce(ctx); err != nil {
				ok = false
				if *teamTraceFlag {
					t.Logf("settling: desktop %d pass: %v", i, err)
				}
			}
		}
		switch {
		case !ok:
			clean = 0
		case w.deskState(t) == before:
			clean++
		default:
			clean = 1 // clean, but Desk changed: one more round
		}
	}
	if clean < 2 {
		t.Fatalf("the team did not settle: %v", tm.desks[0].syncOnce(ctx))
	}
	return w.check(t)
}

// deskState is every Desk contact's id and modification time: what a round
// of passes may change.
func (w *teamWorld) deskState(t *testing.T) string {
	var b strings.Builder
	for c, err := range w.tm.desks[0].client().AllContacts(context.Background(), desk.ListOptions{}) {
		if err != nil {
			t.Fatal(err)
		}
		full, err := w.tm.desks[0].client().GetContact(context.Background(), c.ID) // the list leaves the time out
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s@%s;", c.ID, full.ModifiedTime.UTC().Format(time.RFC3339Nano))
	}
	return b.String()
}

func (w *teamWorld) desk() (int, *env) {
	i := w.r.IntN(len(w.tm.desks))
	return i, w.tm.desks[i]
}

func (w *teamWorld) pickContact(e *env) *app.Contact {
	cs, err := e.db.ListContacts(context.Background(), app.ContactFilter{Limit: 1000})
	if err != nil || len(cs) == 0 {
		return nil
	}
	return &cs[w.r.IntN(len(cs))]
}

func (w *teamWorld) val(field string) string {
	w.seq++
	if field == "phone" {
		return fmt.Sprintf("+1 555 %04d", w.seq)
	}
	return fmt.Sprintf("v%d", w.seq)
}

func (w *teamWorld) step(t *testing.T) {
	ctx := context.Background()
	tm := w.tm
	tr := func(format string, args ...any) {
		if *teamTraceFlag {
			t.Logf("step %d: "+format, append([]any{w.seq}, args...)...)
		}
	}
	switch op := w.r.IntN(100); {
	case op < 14: // the same new person on several desktops at once
		w.seq++
		email := fmt.Sprintf("person%d@example.org", w.seq)
		w.emails = append(w.emails, email)
		k := 2 + w.r.IntN(len(tm.desks)-1)
		for _, i := range w.r.Perm(len(tm.desks))[:k] {
			title := w.val("title")
			c := &app.Contact{FirstName: "P", LastName: fmt.Sprintf("L%d", w.seq), Email: email, Title: title}
			if err := tm.desks[i].db.CreateContact(ctx, c); err != nil {
				t.Fatal(err)
			}
			w.last[email+"/title"] = write{w.seq, title}
		}
		// They sync at about the same time: before the search shows any.
		for _, i := range w.r.Perm(len(tm.desks)) {
			_ = tm.desks[i].svc.SyncOnce(ctx)
		}
	case op < 20: // a new person on one desktop
		w.seq++
		_, e := w.desk()
		email := fmt.Sprintf("one%d@example.org", w.seq)
		w.emails = append(w.emails, email)
		if err := e.db.CreateContact(ctx, &app.Contact{FirstName: "O", LastName: fmt.Sprintf("L%d", w.seq), Email: email}); err != nil {
			t.Fatal(err)
		}
	case op < 24: // a new person on Desk
		w.seq++
		email := fmt.Sprintf("desk%d@example.org", w.seq)
		w.emails = append(w.emails, email)
		if _, err := tm.emu.CreateContact(tm.desks[0].org, map[string]any{"lastName": fmt.Sprintf("D%d", w.seq), "email": email}); err != nil {
			t.Fatal(err)
		}
	case op < 44: // an edit on a desktop
		_, e := w.desk()
		c := w.pickContact(e)
		if c == nil {
			return
		}
		f := contactFields[w.r.IntN(len(contactFields))]
		v := w.val(f.desk)
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
		tr("desktop %d edits %s %s = %q", slices.Index(tm.desks, e), c.Email, f.desk, v)
		w.last[app.NormalizeEmail(c.Email)+"/"+f.desk] = write{w.seq, v}
	case op < 52: // an edit on Desk
		e := tm.desks[0]
		var ids []string
		for c, err := range e.client().AllContacts(ctx, desk.ListOptions{}) {
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, c.ID)
		}
		if len(ids) == 0 {
			return
		}
		id := ids[w.r.IntN(len(ids))]
		full, err := e.client().GetContact(ctx, id)
		if err != nil {
			return
		}
		f := contactFields[w.r.IntN(len(contactFields))]
		v := w.val(f.desk)
		if err := tm.emu.EditContact(e.org, id, map[string]any{f.desk: v}); err != nil {
			t.Fatal(err)
		}
		tr("Desk edits %s (%s) %s = %q", full.Email, id, f.desk, v)
		w.last[app.NormalizeEmail(full.Email)+"/"+f.desk] = write{w.seq, v}
	case op < 56: // a delete on a desktop
		_, e := w.desk()
		c := w.pickContact(e)
		if c == nil {
			return
		}
		w.deleted[app.NormalizeEmail(c.Email)] = true
		if err := e.db.DeleteContact(ctx, c.ID); err != nil {
			t.Fatal(err)
		}
		tr("desktop %d deletes %s", slices.Index(tm.desks, e), c.Email)
	case op < 68: // a kill in the middle of a pass
		i, e := w.desk()
		point := teamCrashPoints[w.r.IntN(len(teamCrashPoints))]
		fid := -1
		if point == inFlightPOST {
			fid = tm.emu.AddFault(deskemu.Fault{Kind: deskemu.FaultDrop, Method: "POST", Path: "/api/v1/contacts", AfterApply: true, Times: 1})
		} else {
			w.crash[i] = point
		}
		if w.r.IntN(2) == 0 {
			e.settle()
		}
		err := e.svc.SyncOnce(ctx)
		tr("desktop %d killed at %s: %v", i, point, err)
		w.crash[i] = ""
		if fid >= 0 {
			tm.emu.RemoveFault(fid)
		}
		_ = e.db.Close()
		e.db = nil
		e.open()
	case op < 80: // a pass before Desk's search index caught up
		i, e := w.desk()
		err := e.svc.SyncOnce(ctx)
		tr("desktop %d pass (lagging search): %v", i, err)
	default: // passes in random order, the index caught up
		for _, i := range w.r.Perm(len(tm.desks)) {
			err := tm.desks[i].syncOnce(ctx)
			tr("desktop %d pass: %v", i, err)
		}
	}
}

// check compares the end state; it returns the duplicated emails counted.
func (w *teamWorld) check(t *testing.T) int {
	ctx := context.Background()
	tm := w.tm
	dups := 0
	byEmail := map[string][]desk.Contact{}
	deskBy := map[string]desk.Contact{}
	cl := tm.desks[0].client()
	for c, err := range cl.AllContacts(ctx, desk.ListOptions{}) {
		if err != nil {
			t.Fatal(err)
		}
		full, err := cl.GetContact(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		deskBy[c.ID] = full
		if k := app.NormalizeEmail(full.Email); k != "" {
			byEmail[k] = append(byEmail[k], full)
		}
	}
	for email, cs := range byEmail {
		if len(cs) > 1 {
			dups++
			t.Errorf("Desk holds %d contacts for %s", len(cs), email)
		}
	}
	var conflicts []app.Conflict
	for _, e := range tm.desks {
		cf, err := e.db.Conflicts(ctx, e.org, true)
		if err != nil {
			t.Fatal(err)
		}
		conflicts = append(conflicts, cf...)
	}
	for i, e := range tm.desks {
		cs, err := e.db.ListContacts(ctx, app.ContactFilter{Limit: 100000})
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]int64{}
		linked := map[string]bool{}
		for _, c := range cs {
			k := app.NormalizeEmail(c.Email)
			if other, dup := seen[k]; dup && k != "" {
				dups++
				t.Errorf("desktop %d holds contacts %d and %d for %s", i, other, c.ID, k)
			}
			seen[k] = c.ID
			l, err := e.db.FindLink(ctx, e.org, app.KindContact, c.ID)
			if err != nil {
				t.Errorf("desktop %d: contact %d (%s) not linked: %v", i, c.ID, k, err)
				continue
			}
			d, ok := deskBy[l.DeskID]
			if !ok {
				t.Errorf("desktop %d: contact %d (%s) linked to %s, not on Desk", i, c.ID, k, l.DeskID)
				continue
			}
			linked[l.DeskID] = true
			got := map[string][2]string{"firstName": {c.FirstName, d.FirstName}, "lastName": {c.LastName, d.LastName},
				"email": {c.Email, d.Email}, "phone": {c.Phone, d.Phone}, "title": {c.Title, d.Title}}
			for f, v := range got {
				if v[0] != v[1] {
					t.Errorf("desktop %d: %s field %s: Tandem %q, Desk %q", i, k, f, v[0], v[1])
					if *teamTraceFlag {
						rr, rerr := e.db.FindRemote(ctx, e.org, app.KindContact, l.DeskID)
						t.Logf("link %+v rev %d; remote %+v %v; Desk modified %v", l.Agreed, c.Rev, rr, rerr, d.ModifiedTime)
					}
				}
			}
		}
		// Every Desk contact is on every desktop, unless deleted there.
		for id, d := range deskBy {
			if linked[id] {
				continue
			}
			if _, err := e.db.FindTombstone(ctx, e.org, app.KindContact, id); err != nil {
				t.Errorf("desktop %d lacks Desk contact %s (%s) and did not delete it: %v", i, id, d.Email, err)
				if testing.Verbose() {
					r, rerr := e.db.FindRemote(ctx, e.org, app.KindContact, id)
					es, _ := e.db.SyncErrors(ctx, e.org)
					t.Logf("remote %+v %v; errors %+v; deleted somewhere: %v", r, rerr, es, w.deleted[app.NormalizeEmail(d.Email)])
				}
			}
		}
		items, err := e.db.Outbox(ctx, e.org, app.OutboxPending, app.OutboxSending, app.OutboxFailed)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range items {
			t.Errorf("desktop %d: outbox item %d %s left %s: %s", i, it.ID, it.Kind, it.State, it.LastError)
		}
	}
	// No edit lost unless recorded as a conflict somewhere.
	for key, wr := range w.last {
		email, field, _ := cut(key, "/")
		if w.deleted[email] {
			continue
		}
		cs := byEmail[email]
		if len(cs) != 1 {
			continue // reported above
		}
		d := cs[0]
		have := map[string]string{"title": d.Title, "phone": d.Phone, "firstName": d.FirstName}[field]
		if have == wr.value {
			continue
		}
		recorded := false
		for _, cf := range conflicts {
			if cf.DeskField == field && (cf.CRMValue == wr.value || cf.DeskValue == wr.value) {
				recorded = true
				break
			}
		}
		if !recorded && testing.Verbose() {
			for i, e := range tm.desks {
				ms, _ := e.db.Merges(ctx, e.org, true)
				cs := contactsByEmail(t, e, email)
				t.Logf("desktop %d: merges %+v; contacts %+v", i, ms, cs)
			}
			t.Logf("conflicts %+v", conflicts)
		}
		if !recorded {
			t.Errorf("%s %s: the last edit %q was lost (Desk has %q) without a recorded conflict", email, field, wr.value, have)
		}
	}
	return dups
}

func cut(s, sep string) (string, string, bool) {
	for i := 0; i+len(sep) <= len(s); i++ {
		if s[i:i+len(sep)] == sep {
			return s[:i], s[i+len(sep):], true
		}
	}
	return s, "", false
}
