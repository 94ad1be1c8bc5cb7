package sync_test

import (
	"context"
	"testing"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/sync/deskemu"
)

func TestFirstSyncTwoWay(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, envOptions{emu: deskemu.Options{Seed: 2, Contacts: 30, Accounts: 8, Tickets: 60}, mode: app.SyncTwoWay})
	if err := e.svc.SyncOnce(ctx); err != nil {
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
	if err := e.svc.SyncOnce(ctx); err != nil {
		t.Fatalf("sync 2: %v", err)
	}
}
