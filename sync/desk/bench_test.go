package desk_test

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/tandem-crm/tandem/sync/desk"
	"github.com/tandem-crm/tandem/sync/deskemu"
)

// BenchmarkClientListTickets is one ListTickets call (100 tickets with
// contacts) against the emulator over loopback: request, serve, decode.
func BenchmarkClientListTickets(b *testing.B) {
	emu := deskemu.New(deskemu.Options{Seed: 1, Contacts: 500, Accounts: 100, Tickets: 5000})
	srv := httptest.NewServer(emu)
	defer srv.Close()
	c, err := desk.New(desk.Options{BaseURL: srv.URL, OrgID: emu.DefaultOrgID(), Tokens: desk.StaticToken(emu.Info().Users[0].AccessToken)})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	dep := emu.Info().Portals[0].Departments[0]
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		ts, err := c.ListTickets(ctx, dep, desk.ListOptions{From: (i * 100) % 4900, Limit: 100})
		if err != nil || len(ts) != 100 {
			b.Fatal(err)
		}
		i++
		if i%1000 == 0 {
			emu.ResetRequests()
		}
	}
}
