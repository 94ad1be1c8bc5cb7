package views

import (
	"context"
	"strings"
	"testing"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/sync/deskemu"
)

// TestManageRequestsAtOnce: Settings › Zoho Desk › Manage offers "Requests
// at once" (automatic by default, up to the plan's cap), says what the
// plan allows, and a choice is stored and used at once.
func TestManageRequestsAtOnce(t *testing.T) {
	e := newDeskEnv(t, deskEnvOptions{emu: deskemu.Options{Seed: 3, Contacts: 6, Accounts: 2, Tickets: 6}, mode: app.SyncTwoWay})
	s := newDeskSettings(e.d)
	e.show(s.body)
	e.waitFor("Manage", func() bool { return s.limits != nil && !s.limits.choose.Disabled() })
	r := s.limits
	info, err := e.svc.Concurrency(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(r.choose.Options), info.Cap+1; got != want || !strings.HasPrefix(r.choose.Selected, "Automatic (") {
		t.Fatalf("options %q (want %d), selected %q", r.choose.Options, want, r.choose.Selected)
	}
	if !strings.Contains(r.help.Text, info.Edition) {
		t.Errorf("the help does not name the plan %q: %q", info.Edition, r.help.Text)
	}
	r.choose.SetSelected("3")
	e.waitFor("the choice saved", func() bool { return r.info.Setting == 3 && !r.choose.Disabled() })
	if info, _ = e.svc.Concurrency(context.Background()); info.Setting != 3 || info.InUse != 3 {
		t.Errorf("after choosing 3: %+v", info)
	}
	e.shot("desk-manage-requests-at-once.png")
}
