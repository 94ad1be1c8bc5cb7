package views

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/sync/deskemu"
)

// TestOfflineQueueing: with Desk unreachable the cached tickets stay
// browsable, the status line says offline and when the last sync
// succeeded, a reply is queued and shown pending, and it is sent once Desk
// is back.
func TestOfflineQueueing(t *testing.T) {
	e := newDeskEnv(t, deskEnvOptions{emu: deskemu.Options{Seed: 21, Contacts: 6, Accounts: 2, Tickets: 15}, mode: app.SyncTwoWay})
	c := e.contactWithTickets(1)
	st := newDeskStatus(e.d)
	tab := newTicketsTab(e.d, app.KindContact, c.ID)
	e.show(container.NewBorder(st.banner, st.lineBox, nil, nil, tab))
	if !e.hasText("Zoho Desk: online") {
		t.Errorf("status line = %q", st.line.Text)
	}

	// Open a ticket online once, so its conversation is cached.
	p := e.openPane(tab)
	cached := len(p.detail.Threads)
	if cached == 0 {
		t.Fatal("no conversation fetched online")
	}
	e.tap(e.button("All tickets"))

	fault := e.emu.AddFault(deskemu.Fault{Kind: deskemu.FaultDrop})
	e.syncOnce()
	e.waitFor("the offline status", func() bool { return st.st != nil && st.st.State == app.StateOffline })
	if !e.hasText("offline") || !e.hasText("Last synced") {
		t.Errorf("status line = %q", st.line.Text)
	}
	if len(tab.rows) == 0 || !e.hasText("Offline: showing the tickets saved") {
		t.Fatalf("offline tab: %d rows, state %q", len(tab.rows), tab.state.Text)
	}
	p = e.openPane(tab)
	e.waitFor("the stale notice", func() bool { return p.offline })
	if !e.hasText("Offline: this is the conversation saved") || len(p.detail.Threads) != cached {
		t.Error("the cached conversation is not browsable offline")
	}
	e.tap(p.reply)
	test.Type(p.compose.body, "We will call you tomorrow.")
	e.tap(p.compose.send)
	if len(p.detail.Pending) != 1 || !e.hasText("Waiting to be sent") {
		t.Fatalf("pending = %d", len(p.detail.Pending))
	}
	st.reload()
	e.settle()
	if !e.hasText("1 action(s) waiting to be sent") {
		t.Errorf("status line = %q", st.line.Text)
	}
	e.shot("desk-offline-pending.png")

	e.emu.RemoveFault(fault)
	e.syncOnce()
	p.reload(false)
	e.settle()
	if len(p.detail.Pending) != 0 {
		t.Errorf("still pending after Desk came back: %+v", p.detail.Pending)
	}
	if !e.hasText("Zoho Desk: online") {
		t.Errorf("status line = %q", st.line.Text)
	}
}

// TestSignInExpired: a refused sign-in shows the banner; one button signs
// in again and what was queued meanwhile is still sent.
func TestSignInExpired(t *testing.T) {
	e := newDeskEnv(t, deskEnvOptions{emu: deskemu.Options{Seed: 22, Contacts: 6, Accounts: 2, Tickets: 10}, mode: app.SyncTwoWay})
	c := e.contactWithTickets(1)
	st := newDeskStatus(e.d)
	tab := newTicketsTab(e.d, app.KindContact, c.ID)
	e.show(container.NewBorder(st.banner, st.lineBox, nil, nil, tab))
	if st.banner.Visible() {
		t.Fatal("banner shown while signed in")
	}
	fault := e.emu.AddFault(deskemu.Fault{Kind: deskemu.FaultStatus, Status: 401})
	e.syncOnce()
	e.waitFor("the sign-in banner", func() bool { return st.banner.Visible() })
	p := e.openPane(tab)
	e.tap(p.comment)
	test.Type(p.compose.body, "Queued while signed out.")
	e.tap(p.compose.send)
	e.shot("desk-sign-in-expired.png")

	e.emu.RemoveFault(fault)
	e.tap(st.signIn)
	if st.bannerText.Text != "Signed in again." {
		t.Fatalf("banner = %q", st.bannerText.Text)
	}
	e.syncOnce()
	e.waitFor("the banner to go", func() bool { return !st.banner.Visible() })
	p.reload(false)
	e.settle()
	if len(p.detail.Pending) != 0 {
		t.Errorf("the queued comment was not sent: %+v", p.detail.Pending)
	}
	found := false
	for _, cm := range p.detail.Comments {
		found = found || cm.Text == "Queued while signed out." || cm.Content == "Queued while signed out."
	}
	if !found {
		t.Error("the queued comment is not on Desk")
	}
}

// TestSyncNowButton: Sync now on the status line runs a pass at once (the
// service's loop waits a minute otherwise), and is hidden when no help desk
// is connected.
func TestSyncNowButton(t *testing.T) {
	e := newDeskEnv(t, deskEnvOptions{emu: deskemu.Options{Seed: 23, Contacts: 3, Accounts: 1, Tickets: 3}, mode: app.SyncTwoWay, loop: true})
	st := newDeskStatus(e.d)
	e.show(container.NewBorder(nil, st.lineBox, nil, nil, nil))
	e.waitFor("a first pass", func() bool { return st.st != nil && !st.st.LastSuccess.IsZero() && st.st.State != app.StateSyncing })
	if !st.syncNow.Visible() || st.syncNow.Disabled() {
		t.Fatal("Sync now is not offered")
	}
	before := st.st.LastSuccess
	time.Sleep(5 * time.Millisecond)
	e.tap(st.syncNow)
	e.waitFor("the pass Sync now asked for", func() bool { return st.st.LastSuccess.After(before) && !st.syncNow.Disabled() })

	if err := e.svc.Deactivate(e.ctx); err != nil {
		t.Fatal(err)
	}
	e.waitFor("not connected", func() bool { return st.st.State == app.StateNotConnected || st.st.Portal == nil })
	if st.syncNow.Visible() {
		t.Error("Sync now is offered without a help desk")
	}
}

// TestF5SyncsNow: in the main window, F5 asks for a pass at once.
func TestF5SyncsNow(t *testing.T) {
	e := newDeskEnv(t, deskEnvOptions{emu: deskemu.Options{Seed: 24, Contacts: 3, Accounts: 1, Tickets: 3}, mode: app.SyncTwoWay, loop: true})
	m := newTestWindow(t, e.crm, Params{Integration: e.svc})
	until := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s", what)
			}
			time.Sleep(5 * time.Millisecond)
			settle(m)
		}
	}
	st := m.desk
	until("a first pass", func() bool { return st.st != nil && !st.st.LastSuccess.IsZero() && !st.syncNow.Disabled() })
	before := st.st.LastSuccess
	time.Sleep(5 * time.Millisecond)
	m.win.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyF5})
	until("the pass F5 asked for", func() bool { return st.st.LastSuccess.After(before) })
}

// gatedStatus is the real integration whose first Status call reads the
// status at once but answers only when released: a slow read that
// finishes after a later one, as happens on a loaded machine.
type gatedStatus struct {
	app.Integration
	calls     atomic.Int32
	firstRead chan struct{} // closed once the first read has the status
	release   chan struct{}
}

func (g *gatedStatus) Status(ctx context.Context) (*app.SyncStatus, error) {
	st, err := g.Integration.Status(ctx)
	if g.calls.Add(1) == 1 {
		close(g.firstRead)
		<-g.release
	}
	return st, err
}

// TestStatusLineKeepsLatest: a status read that finishes after a newer one
// must not put the older status back on the line. The stale answer left
// the previous pass's time (and, when read during a pass, "syncing…" with
// Sync now disabled) on screen until the next pass a minute later; on a
// loaded machine TestSyncNowButton timed out on it.
func TestStatusLineKeepsLatest(t *testing.T) {
	e := newDeskEnv(t, deskEnvOptions{emu: deskemu.Options{Seed: 25, Contacts: 2, Accounts: 1, Tickets: 2}, mode: app.SyncTwoWay})
	g := &gatedStatus{Integration: e.svc, firstRead: make(chan struct{}), release: make(chan struct{})}
	d := newDeskUI(e.ctx, e.win, g, e.crm, e.openURL, e.q.post)
	st := newDeskStatus(d) // its first read (before any pass) waits at the gate
	<-g.firstRead
	e.emu.Advance(time.Second)
	if err := e.svc.SyncOnce(e.ctx); err != nil {
		t.Fatal(err)
	}
	want, err := e.svc.Status(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	st.reload() // a newer read, after the pass
	waitIdle := func() {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for {
			idle := d.run.idle() // before the queue: work posts before it ends
			fs := e.q.take()
			for _, f := range fs {
				f()
			}
			if idle && len(fs) == 0 {
				return
			}
			if time.Now().After(deadline) {
				t.Fatal("status reads did not finish")
			}
			time.Sleep(time.Millisecond)
		}
	}
	deadline := time.Now().Add(20 * time.Second)
	for st.st == nil || !st.st.LastSuccess.Equal(want.LastSuccess) {
		for _, f := range e.q.take() {
			f()
		}
		if time.Now().After(deadline) {
			t.Fatal("the newer status never reached the line")
		}
		time.Sleep(time.Millisecond)
	}
	close(g.release) // the older read answers last
	waitIdle()
	if !st.st.LastSuccess.Equal(want.LastSuccess) {
		t.Errorf("the older status (last success %v) replaced the newer one (%v): the line says %q", st.st.LastSuccess, want.LastSuccess, st.line.Text)
	}
}
