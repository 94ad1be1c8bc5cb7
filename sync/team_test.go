package sync_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	gosync "sync"
	"testing"
	"time"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/app/secrets/secretstest"
	tsync "github.com/tandem-crm/tandem/sync"
	"github.com/tandem-crm/tandem/sync/desk"
	"github.com/tandem-crm/tandem/sync/deskemu"
)

// team is several desktops — each its own database, outbox and service —
// on one emulated Desk portal, as a small business runs Tandem.
type team struct {
	t     testing.TB
	emu   *deskemu.Server
	desks []*env
}

// newTeam starts one strict emulator (search lag on) and n desktops on it,
// each configured for mode with the first demo user's grant. hook, when
// set, is each desktop's hook (called with the desktop's index).
func newTeam(t testing.TB, n int, o envOptions, hook func(i int, point string) error) *team {
	t.Helper()
	first := newEnv(t, o)
	tm := &team{t: t, emu: first.emu, desks: []*env{first}}
	for i := 1; i < n; i++ {
		e := &env{t: t, emu: first.emu, run: first.run, secrets: secretstest.New(), org: first.org, info: first.info, conc: o.concurrency}
		e.dbPath = filepath.Join(t.TempDir(), fmt.Sprintf("tandem%d.db", i))
		e.open()
		t.Cleanup(func() { _ = e.db.Close() })
		if o.mode != "" {
			if _, err := e.svc.Configure(context.Background(), tsync.ConfigureParams{OrgID: e.org, Mode: o.mode, RefreshToken: e.info.Users[0].RefreshToken}); err != nil {
				t.Fatalf("configure desktop %d: %v", i, err)
			}
		}
		tm.desks = append(tm.desks, e)
	}
	if hook != nil {
		for i, e := range tm.desks {
			e.hook = func(p string) error { return hook(i, p) }
		}
	}
	return tm
}

// settleAll runs passes on every desktop, Desk's search index caught up
// before each, until a whole round changes nothing on Desk and every pass
// got through (at most rounds rounds).
func (tm *team) settleAll(ctx context.Context, rounds int) {
	tm.t.Helper()
	for r := 0; r < rounds; r++ {
		ok := true
		for _, e := range tm.desks {
			if err := e.syncOnce(ctx); err != nil {
				ok = false
			}
		}
		if ok && r >= 2 {
			return
		}
	}
}

// deskContactsByEmail reads every Desk contact, by normalised email.
func (tm *team) deskContactsByEmail(ctx context.Context) map[string][]desk.Contact {
	tm.t.Helper()
	out := map[string][]desk.Contact{}
	for c, err := range tm.desks[0].client().AllContacts(ctx, desk.ListOptions{}) {
		if err != nil {
			tm.t.Fatal(err)
		}
		full, err := tm.desks[0].client().GetContact(ctx, c.ID)
		if err != nil {
			tm.t.Fatal(err)
		}
		if k := app.NormalizeEmail(full.Email); k != "" {
			out[k] = append(out[k], full)
		}
	}
	return out
}

// contactByEmail returns the desktop's contacts with the email.
func contactsByEmail(t testing.TB, e *env, email string) []app.Contact {
	t.Helper()
	cs, err := e.db.ListContacts(context.Background(), app.ContactFilter{Email: app.NormalizeEmail(email), Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

// TestTeamSimultaneousCreates: two or three desktops add the same new
// customer (same email) and sync at about the same time, Desk's search
// index lagging: Desk ends with one contact, every desktop with one contact
// linked to it, and an edit on one desktop reaches the others.
func TestTeamSimultaneousCreates(t *testing.T) {
	for _, n := range []int{2, 3} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			ctx := context.Background()
			// Every desktop has looked before any creates: each waits at
			// "outbox-before-create" until all are there.
			var arrived gosync.WaitGroup
			arrived.Add(n)
			gate := false
			tm := newTeam(t, n, envOptions{emu: deskemu.Options{Seed: 5, Contacts: 3, Accounts: 1, Tickets: 1}, mode: app.SyncTwoWay},
				func(i int, p string) error {
					if gate && p == "outbox-before-create" {
						arrived.Done()
						arrived.Wait()
					}
					return nil
				})
			tm.settleAll(ctx, 3)
			const email = "yuki.tanaka@example.jp"
			for i, e := range tm.desks {
				c := &app.Contact{FirstName: "Yuki", LastName: "Tanaka", Email: email, Title: fmt.Sprintf("title from desktop %d", i)}
				if err := e.db.CreateContact(ctx, c); err != nil {
					t.Fatal(err)
				}
			}
			// At about the same time: no desktop sees another's create in
			// the (lagging) search before it creates its own.
			gate = true
			var wg gosync.WaitGroup
			for _, e := range tm.desks {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if err := e.svc.SyncOnce(ctx); err != nil {
						t.Errorf("pass: %v", err)
					}
				}()
			}
			wg.Wait()
			gate = false
			tm.settleAll(ctx, 6)
			assertOneTeamContact(ctx, t, tm, email)

			// An edit on the last desktop reaches every other one.
			last := tm.desks[len(tm.desks)-1]
			c := contactsByEmail(t, last, email)[0]
			c.Phone = "+81 3 5555 0101"
			if err := last.db.UpdateContact(ctx, &c); err != nil {
				t.Fatal(err)
			}
			tm.settleAll(ctx, 4)
			for i, e := range tm.desks {
				if got := contactsByEmail(t, e, email)[0].Phone; got != c.Phone {
					t.Errorf("desktop %d: phone %q, want %q (the desktops drifted apart)", i, got, c.Phone)
				}
			}
		})
	}
}

// assertOneTeamContact: Desk holds one contact with email, and every
// desktop one contact with it, linked to that Desk contact.
func assertOneTeamContact(ctx context.Context, t *testing.T, tm *team, email string) string {
	t.Helper()
	on := tm.deskContactsByEmail(ctx)[app.NormalizeEmail(email)]
	if len(on) != 1 {
		ids := []string{}
		for _, c := range on {
			ids = append(ids, c.ID)
		}
		t.Fatalf("Desk has %d contacts with %s (%v), want 1", len(on), email, ids)
	}
	for i, e := range tm.desks {
		cs := contactsByEmail(t, e, email)
		if len(cs) != 1 {
			t.Errorf("desktop %d has %d contacts with %s, want 1", i, len(cs), email)
			continue
		}
		l, err := e.db.FindLink(ctx, e.org, app.KindContact, cs[0].ID)
		if err != nil {
			t.Errorf("desktop %d: contact not linked: %v", i, err)
			continue
		}
		if l.DeskID != on[0].ID {
			t.Errorf("desktop %d linked to Desk contact %s, want the survivor %s", i, l.DeskID, on[0].ID)
		}
	}
	return on[0].ID
}

// TestTeamCrashMidCreate: Tandem is killed while a contact create is in
// flight — Desk created the contact, the answer never arrived — and the
// next pass runs while Desk's search index does not show the contact yet:
// the contact is not created twice.
func TestTeamCrashMidCreate(t *testing.T) {
	for _, point := range []string{"outbox-after-send", "applied", "pull-stored"} {
		t.Run(point, func(t *testing.T) {
			ctx := context.Background()
			crash := ""
			e := newEnv(t, envOptions{emu: deskemu.Options{Seed: 6, Contacts: 3, Accounts: 1, Tickets: 1}, mode: app.SyncTwoWay,
				hook: func(p string) error {
					if crash != "" && p == crash {
						crash = ""
						return errors.New("killed at " + p)
					}
					return nil
				}})
			// This desktop's clock is five minutes fast.
			e.skew = 5 * time.Minute
			_ = e.db.Close()
			e.db = nil
			e.open()
			mustSync(t, e)
			const email = "kenji@example.jp"
			c := &app.Contact{FirstName: "Kenji", LastName: "Sato", Email: email}
			if err := e.db.CreateContact(ctx, c); err != nil {
				t.Fatal(err)
			}
			crash = point
			_ = e.svc.SyncOnce(ctx) // no settle: the search index lags
			_ = e.db.Close()
			e.db = nil
			e.open() // restarted
			// The next passes run at once, while the search index lags.
			for i := 0; i < 2; i++ {
				_ = e.svc.SyncOnce(ctx)
			}
			for i := 0; i < 3; i++ {
				_ = e.syncOnce(ctx)
			}
			tm := &team{t: t, emu: e.emu, desks: []*env{e}}
			assertOneTeamContact(ctx, t, tm, email)
		})
	}
}

// TestTeamCrashInFlightPOST: the process dies while the create's POST is
// on the wire: Desk applies it, the answer never arrives. The next passes
// (search index lagging) do not create the contact again.
func TestTeamCrashInFlightPOST(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, envOptions{emu: deskemu.Options{Seed: 7, Contacts: 3, Accounts: 1, Tickets: 1}, mode: app.SyncTwoWay})
	e.skew = 5 * time.Minute // this desktop's clock is fast
	_ = e.db.Close()
	e.db = nil
	e.open()
	mustSync(t, e)
	const email = "inflight@example.jp"
	if err := e.db.CreateContact(ctx, &app.Contact{FirstName: "Aoi", LastName: "Mori", Email: email}); err != nil {
		t.Fatal(err)
	}
	id := e.emu.AddFault(deskemu.Fault{Kind: deskemu.FaultDrop, Method: "POST", Path: "/api/v1/contacts", AfterApply: true, Times: 1})
	_ = e.svc.SyncOnce(ctx)
	e.emu.RemoveFault(id)
	_ = e.db.Close()
	e.db = nil
	e.open()
	for i := 0; i < 2; i++ {
		_ = e.svc.SyncOnce(ctx)
	}
	for i := 0; i < 3; i++ {
		_ = e.syncOnce(ctx)
	}
	assertOneTeamContact(ctx, t, &team{t: t, emu: e.emu, desks: []*env{e}}, email)
}

// TestTeamDeleteStaysDeleted: a contact deleted on one desktop does not
// come back there when Desk or another desktop edits it; the user is asked
// instead (two-way), and in one-way mode nothing comes back at all.
func TestTeamDeleteStaysDeleted(t *testing.T) {
	for _, mode := range []app.SyncMode{app.SyncTwoWay, app.SyncOneWay} {
		t.Run(string(mode), func(t *testing.T) {
			ctx := context.Background()
			tm := newTeam(t, 2, envOptions{emu: deskemu.Options{Seed: 8, Contacts: 3, Accounts: 1, Tickets: 1}, mode: mode}, nil)
			a, b := tm.desks[0], tm.desks[1]
			const email = "gone@example.jp"
			c := &app.Contact{FirstName: "Ren", LastName: "Ito", Email: email}
			if err := a.db.CreateContact(ctx, c); err != nil {
				t.Fatal(err)
			}
			if mode == app.SyncTwoWay {
				tm.settleAll(ctx, 3)
				if len(contactsByEmail(t, b, email)) != 1 {
					t.Fatal("the contact did not reach the second desktop")
				}
			} else {
				mustSync(t, a)
			}
			l, err := a.db.FindLink(ctx, a.org, app.KindContact, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if err := a.db.DeleteContact(ctx, c.ID); err != nil {
				t.Fatal(err)
			}
			mustSync(t, a)
			// Edited on Desk, and (two-way) on the other desktop.
			if err := tm.emu.EditContact(a.org, l.DeskID, map[string]any{"title": "Edited in Desk"}); err != nil {
				t.Fatal(err)
			}
			if mode == app.SyncTwoWay {
				bc := contactsByEmail(t, b, email)[0]
				bc.Phone = "+81 6 5555 0102"
				if err := b.db.UpdateContact(ctx, &bc); err != nil {
					t.Fatal(err)
				}
				tm.settleAll(ctx, 3)
			} else {
				for i := 0; i < 3; i++ {
					mustSync(t, a)
				}
			}
			if n := len(contactsByEmail(t, a, email)); n != 0 {
				t.Fatalf("the contact deleted in Tandem came back (%d copies) when it was edited in Zoho Desk", n)
			}
			assertDeletedChanged(ctx, t, a, mode, l.DeskID)
		})
	}
}

// TestTeamOneClock: "the later change wins" is decided on one clock that
// every desktop shares, not by comparing one machine's clock with another's.
// Desktop A's clock is ten minutes slow; B changes a title and syncs, then
// A changes it (later, and it reaches Desk later): A's change is kept on
// every desktop and B's is the recorded conflict.
func TestTeamOneClock(t *testing.T) {
	ctx := context.Background()
	tm := newTeam(t, 2, envOptions{emu: deskemu.Options{Seed: 9, Contacts: 3, Accounts: 1, Tickets: 1}, mode: app.SyncTwoWay}, nil)
	a, b := tm.desks[0], tm.desks[1]
	a.skew = -10 * time.Minute
	_ = a.db.Close()
	a.db = nil
	a.open()
	const email = "clock@example.jp"
	if err := b.db.CreateContact(ctx, &app.Contact{FirstName: "Mei", LastName: "Abe", Email: email}); err != nil {
		t.Fatal(err)
	}
	tm.settleAll(ctx, 3)
	bc := contactsByEmail(t, b, email)[0]
	bc.Title = "B's title"
	if err := b.db.UpdateContact(ctx, &bc); err != nil {
		t.Fatal(err)
	}
	mustSync(t, b)
	ac := contactsByEmail(t, a, email)[0]
	ac.Title = "A's later title"
	if err := a.db.UpdateContact(ctx, &ac); err != nil {
		t.Fatal(err)
	}
	tm.settleAll(ctx, 4)
	for i, e := range tm.desks {
		if got := contactsByEmail(t, e, email)[0].Title; got != ac.Title {
			t.Errorf("desktop %d: title %q, want the later change %q", i, got, ac.Title)
		}
	}
	cfs, err := a.db.Conflicts(ctx, a.org, true)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, cf := range cfs {
		if cf.DeskField == "title" && cf.Winner == app.WinnerCRM && cf.DeskValue == bc.Title {
			found = true
			assertConflictTimes(t, &cf)
		}
	}
	if !found {
		t.Errorf("no conflict keeps B's title on desktop A: %+v", cfs)
	}
}

// assertDeletedChanged: in two-way mode the user is asked about the
// record deleted here and changed in Zoho Desk (Needs your attention), and
// restoring it brings Desk's copy back, linked; keeping it deleted holds
// until Desk changes it again. One-way mode asks nothing.
func assertDeletedChanged(ctx context.Context, t *testing.T, e *env, mode app.SyncMode, deskID string) {
	t.Helper()
	ts, err := e.svc.DeletedChanged(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if mode != app.SyncTwoWay {
		if len(ts) != 0 {
			t.Errorf("one-way: %d deleted-and-changed items, want none (Desk edits never reach Tandem)", len(ts))
		}
		return
	}
	if len(ts) != 1 || ts[0].DeskID != deskID || ts[0].State != app.TombChanged || ts[0].ChangedAt.IsZero() {
		t.Fatalf("deleted-here-changed-there items: %+v, want one for Desk contact %s", ts, deskID)
	}
	// Keep deleted: gone from the list, and stays deleted after passes.
	if err := e.svc.KeepDeleted(ctx, ts[0].ID); err != nil {
		t.Fatal(err)
	}
	mustSync(t, e)
	if ts, _ := e.svc.DeletedChanged(ctx); len(ts) != 0 {
		t.Errorf("kept deleted, still listed: %+v", ts)
	}
	// Desk changes it again: asked again; restore brings it back, linked.
	if err := e.emu.EditContact(e.org, deskID, map[string]any{"title": "Edited again"}); err != nil {
		t.Fatal(err)
	}
	mustSync(t, e)
	ts, _ = e.svc.DeletedChanged(ctx)
	if len(ts) != 1 {
		t.Fatalf("changed again after keep deleted: %d items, want 1", len(ts))
	}
	if err := e.svc.RestoreDeleted(ctx, ts[0].ID); err != nil {
		t.Fatal(err)
	}
	mustSync(t, e)
	l, err := e.db.FindLinkByDesk(ctx, e.org, app.KindContact, deskID)
	if err != nil {
		t.Fatalf("restored record not linked: %v", err)
	}
	c, err := e.db.FindContact(ctx, l.CRMID)
	if err != nil || c.Title != "Edited again" {
		t.Fatalf("restored record: %+v, %v; want Desk's copy (title %q)", c, err, "Edited again")
	}
	if ts, _ := e.svc.DeletedChanged(ctx); len(ts) != 0 {
		t.Errorf("restored, still listed: %+v", ts)
	}
}

// assertConflictTimes: a conflict shows both times on Desk's clock: the
// Desk change's modifiedTime and when Desk accepted Tandem's push, later.
func assertConflictTimes(t *testing.T, cf *app.Conflict) {
	t.Helper()
	if cf.DeskTime.IsZero() || cf.CRMTime.IsZero() || !cf.CRMTime.After(cf.DeskTime) {
		t.Errorf("conflict times: Desk %v, Tandem (accepted by Desk) %v; want both, Tandem's later", cf.DeskTime, cf.CRMTime)
	}
}

// TestTeamDeleteOnDesk: deleting a linked record may delete it in Zoho
// Desk too (the user ticks it; off by default): the Desk contact goes to
// the Recycle Bin, and a record deleted only here stays in Desk.
func TestTeamDeleteOnDesk(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, envOptions{emu: deskemu.Options{Seed: 10, Contacts: 3, Accounts: 1, Tickets: 1}, mode: app.SyncTwoWay})
	keep := &app.Contact{FirstName: "Only", LastName: "Here", Email: "only-here@example.jp"}
	gone := &app.Contact{FirstName: "Every", LastName: "Where", Email: "everywhere@example.jp"}
	for _, c := range []*app.Contact{keep, gone} {
		if err := e.db.CreateContact(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	mustSync(t, e)
	if ok, err := e.svc.LinkedOnDesk(ctx, app.KindContact, gone.ID); err != nil || !ok {
		t.Fatalf("linked: %v %v", ok, err)
	}
	if err := e.svc.DeleteOnDesk(ctx, app.KindContact, gone.ID); err != nil {
		t.Fatal(err)
	}
	for _, c := range []*app.Contact{keep, gone} {
		if err := e.db.DeleteContact(ctx, c.ID); err != nil {
			t.Fatal(err)
		}
	}
	mustSync(t, e)
	mustSync(t, e)
	on := (&team{t: t, emu: e.emu, desks: []*env{e}}).deskContactsByEmail(ctx)
	if len(on["everywhere@example.jp"]) != 0 {
		t.Errorf("deleted in Zoho Desk too, still there: %+v", on["everywhere@example.jp"])
	}
	if len(on["only-here@example.jp"]) != 1 {
		t.Errorf("deleted only in Tandem: %d in Desk, want 1 (deletes do not cascade by default)", len(on["only-here@example.jp"]))
	}
	if items, _ := e.db.Outbox(ctx, e.org, app.OutboxPending, app.OutboxSending, app.OutboxFailed); len(items) != 0 {
		t.Errorf("outbox left: %+v", items)
	}
}

// TestTeamDeletedDuringCreate: a contact is deleted here while its create
// is unsettled — the POST applied but its answer lost (in flight, or a
// kill right after it), or deleted while the POST is on the wire. Desk
// keeps the contact it made (deletes do not cascade), so this desktop holds
// a tombstone for it: it does not come back, a change in Desk asks the
// user, and another desktop of the team has the contact (seeds 3903 and
// 4074 of TestTeamRandomized: no link and no tombstone were left).
func TestTeamDeletedDuringCreate(t *testing.T) {
	for _, how := range []string{inFlightPOST, "outbox-after-send", "during-POST"} {
		t.Run(how, func(t *testing.T) {
			ctx := context.Background()
			var tm *team
			var victim int64
			crash := ""
			tm = newTeam(t, 2, envOptions{emu: deskemu.Options{Seed: 11, Contacts: 3, Accounts: 1, Tickets: 1}, mode: app.SyncTwoWay},
				func(i int, p string) error {
					switch {
					case i != 0:
					case how == "during-POST" && p == "outbox-before-create" && victim != 0:
						// The user deletes the contact while the POST is on its way.
						if err := tm.desks[0].db.DeleteContact(ctx, victim); err != nil {
							t.Error(err)
						}
						victim = 0
					case crash != "" && p == crash:
						crash = ""
						return errors.New("killed at " + p)
					}
					return nil
				})
			tm.settleAll(ctx, 3)
			a, b := tm.desks[0], tm.desks[1]
			const email = "deleted-mid-create@example.jp"
			c := &app.Contact{FirstName: "Sora", LastName: "Kato", Email: email}
			if err := a.db.CreateContact(ctx, c); err != nil {
				t.Fatal(err)
			}
			switch how {
			case inFlightPOST:
				id := tm.emu.AddFault(deskemu.Fault{Kind: deskemu.FaultDrop, Method: "POST", Path: "/api/v1/contacts", AfterApply: true, Times: 1})
				_ = a.svc.SyncOnce(ctx)
				tm.emu.RemoveFault(id)
			case "outbox-after-send":
				crash = how
				_ = a.svc.SyncOnce(ctx)
			case "during-POST":
				victim = c.ID
				_ = a.svc.SyncOnce(ctx)
			}
			if how != "during-POST" {
				// Deleted before the next pass learns what the POST did.
				if err := a.db.DeleteContact(ctx, c.ID); err != nil {
					t.Fatal(err)
				}
			}
			_ = a.db.Close()
			a.db = nil
			a.open()                // restarted
			_ = a.svc.SyncOnce(ctx) // the search index lags
			tm.settleAll(ctx, 4)

			on := tm.deskContactsByEmail(ctx)[email]
			if len(on) != 1 {
				t.Fatalf("Desk holds %d contacts with %s, want the one the POST made", len(on), email)
			}
			if n := len(contactsByEmail(t, a, email)); n != 0 {
				t.Fatalf("the contact deleted here came back (%d copies)", n)
			}
			if _, err := a.db.FindTombstone(ctx, a.org, app.KindContact, on[0].ID); err != nil {
				t.Fatalf("no tombstone for Desk contact %s after the delete: %v", on[0].ID, err)
			}
			if len(contactsByEmail(t, b, email)) != 1 {
				t.Errorf("the other desktop lacks the contact Desk keeps")
			}
			if err := tm.emu.EditContact(a.org, on[0].ID, map[string]any{"title": "Edited in Desk"}); err != nil {
				t.Fatal(err)
			}
			a.settle()
			mustSync(t, a)
			assertDeletedChanged(ctx, t, a, app.SyncTwoWay, on[0].ID)
		})
	}
}

// TestTeamLostUpdateAnswer: an update of a linked contact reaches Desk but
// its answer is lost (a kill right after the send); someone then edits the
// same field in Desk, later. The update still counts as the later change
// (it is sent again), but the Desk edit is never lost: it is on Desk or
// kept as a conflict Needs your attention offers back.
func TestTeamLostUpdateAnswer(t *testing.T) {
	ctx := context.Background()
	crash := ""
	e := newEnv(t, envOptions{emu: deskemu.Options{Seed: 12, Contacts: 3, Accounts: 1, Tickets: 1}, mode: app.SyncTwoWay,
		hook: func(p string) error {
			if crash != "" && p == crash {
				crash = ""
				return errors.New("killed at " + p)
			}
			return nil
		}})
	c := &app.Contact{FirstName: "Hana", LastName: "Ueda", Email: "lost-answer@example.jp", Title: "Clerk"}
	if err := e.db.CreateContact(ctx, c); err != nil {
		t.Fatal(err)
	}
	mustSync(t, e)
	l, err := e.db.FindLink(ctx, e.org, app.KindContact, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	c.Title = "Manager"
	if err := e.db.UpdateContact(ctx, c); err != nil {
		t.Fatal(err)
	}
	crash = "outbox-after-send"
	_ = e.svc.SyncOnce(ctx)
	if d, _ := e.client().GetContact(ctx, l.DeskID); d.Title != "Manager" {
		t.Fatalf("the update did not reach Desk before the kill: %q", d.Title)
	}
	if err := e.emu.EditContact(e.org, l.DeskID, map[string]any{"title": "Director"}); err != nil {
		t.Fatal(err)
	}
	_ = e.db.Close()
	e.db = nil
	e.open()
	for i := 0; i < 3; i++ {
		_ = e.syncOnce(ctx)
	}
	d, err := e.client().GetContact(ctx, l.DeskID)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := e.db.FindContact(ctx, c.ID)
	if got.Title != d.Title {
		t.Errorf("Tandem %q, Desk %q", got.Title, d.Title)
	}
	if d.Title == "Director" {
		return
	}
	cfs, _ := e.db.Conflicts(ctx, e.org, true)
	for _, cf := range cfs {
		if cf.DeskField == "title" && cf.DeskValue == "Director" {
			t.Logf("Desk's later edit is kept as a conflict (winner %s); Desk holds %q", cf.Winner, d.Title)
			return
		}
	}
	t.Errorf("Desk's later edit %q was lost: Desk holds %q, no conflict (%+v)", "Director", d.Title, cfs)
}
