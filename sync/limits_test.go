package sync_test

import (
	"context"
	"testing"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/sync/desk"
	"github.com/tandem-crm/tandem/sync/deskemu"
)

// TestConcurrencySetting: the requests Tandem sends a portal at once are a
// setting with a safe default (issue 10, item 4). The portal's edition is
// kept with it, so a fresh process uses half the plan's cap instead of
// falling back to the minimum; a choice is stored, used at once and after a
// restart, and refused above the plan's cap.
func TestConcurrencySetting(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, envOptions{emu: deskemu.Options{Seed: 7, Contacts: 10, Accounts: 3, Tickets: 10}, mode: app.SyncTwoWay})
	info, err := e.svc.Concurrency(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.Edition == "" || info.Cap != desk.PlanConcurrency(info.Edition) || info.Automatic != desk.SafeConcurrency(info.Edition) || info.Setting != 0 {
		t.Fatalf("after activation: %+v", info)
	}
	auto := info.Automatic

	// A fresh process: the edition comes from the database.
	e.open()
	if err := e.syncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if info, _ = e.svc.Concurrency(ctx); info.Automatic != auto || info.InUse != auto {
		t.Errorf("after a restart: %+v, want automatic and in use %d", info, auto)
	}

	// A choice applies to the running client and survives a restart.
	if err := e.svc.SetConcurrency(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if info, _ = e.svc.Concurrency(ctx); info.Setting != 1 || info.InUse != 1 {
		t.Errorf("after choosing 1: %+v", info)
	}
	if err := e.syncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	e.open()
	if err := e.syncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if info, _ = e.svc.Concurrency(ctx); info.Setting != 1 || info.InUse != 1 {
		t.Errorf("after a restart with 1 chosen: %+v", info)
	}

	// Above the plan's cap: refused, nothing changed.
	if err := e.svc.SetConcurrency(ctx, info.Cap+1); app.ErrorCode(err) != app.EINVALID {
		t.Errorf("choosing %d on a cap of %d: %v, want EINVALID", info.Cap+1, info.Cap, err)
	}
	if err := e.svc.SetConcurrency(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if info, _ = e.svc.Concurrency(ctx); info.Setting != 0 || info.InUse != auto {
		t.Errorf("back to automatic: %+v", info)
	}
}
