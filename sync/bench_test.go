package sync_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/sync/deskemu"
)

// requestCounts sorts the emulator's request log into list calls per
// resource and conversation fetches.
type requestCounts struct {
	contacts, accounts, tickets, threads, comments, other, total int
}

func countRequests(emu *deskemu.Server) requestCounts {
	var c requestCounts
	for _, r := range emu.Requests() {
		p := strings.TrimPrefix(r.Path, "/api/v1")
		c.total++
		switch {
		case r.Method == "GET" && p == "/contacts":
			c.contacts++
		case r.Method == "GET" && p == "/accounts":
			c.accounts++
		case r.Method == "GET" && p == "/tickets":
			c.tickets++
		case r.Method == "GET" && strings.Contains(p, "/threads"):
			c.threads++
		case r.Method == "GET" && strings.HasSuffix(p, "/comments"):
			c.comments++
		default:
			c.other++
		}
	}
	return c
}

func (c requestCounts) report(b *testing.B, n int) {
	f := float64(n)
	b.ReportMetric(float64(c.contacts)/f, "contact-lists/op")
	b.ReportMetric(float64(c.accounts)/f, "account-lists/op")
	b.ReportMetric(float64(c.tickets)/f, "ticket-lists/op")
	b.ReportMetric(float64(c.threads+c.comments)/f, "conversation-fetches/op")
	b.ReportMetric(float64(c.total)/f, "requests/op")
}

func benchEnv(b *testing.B, contacts, accounts, tickets int) *env {
	b.Helper()
	return newEnv(b, envOptions{emu: deskemu.Options{Seed: 1, Contacts: contacts, Accounts: accounts, Tickets: tickets, LogLimit: 1 << 20},
		mode: app.SyncTwoWay})
}

// BenchmarkFirstSync is a portal's first pass over 10k contacts, 2k
// accounts and 50k tickets, two-way, into an empty CRM.
func BenchmarkFirstSync(b *testing.B) {
	ctx := context.Background()
	e := benchEnv(b, 10_000, 2_000, 50_000)
	var total requestCounts
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		// A fresh database and service each time; same emulator.
		_ = e.db.Close()
		e.db = nil
		e.dbPath = fmt.Sprintf("%s.%d", e.dbPath, i)
		e.open()
		if _, err := e.svc.Configure(ctx, configureParams(e)); err != nil {
			b.Fatal(err)
		}
		e.emu.ResetRequests()
		b.StartTimer()
		start := time.Now()
		if err := e.svc.SyncOnce(ctx); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(time.Since(start).Seconds(), "s/sync")
		c := countRequests(e.emu)
		total.contacts += c.contacts
		total.accounts += c.accounts
		total.tickets += c.tickets
		total.threads += c.threads
		total.comments += c.comments
		total.total += c.total
	}
	total.report(b, b.N)
}

func benchPollNoChange(b *testing.B, contacts, accounts, tickets int) {
	ctx := context.Background()
	e := benchEnv(b, contacts, accounts, tickets)
	if err := e.svc.SyncOnce(ctx); err != nil {
		b.Fatal(err)
	}
	if err := e.svc.SyncOnce(ctx); err != nil {
		b.Fatal(err)
	}
	e.emu.ResetRequests()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := e.svc.SyncOnce(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	countRequests(e.emu).report(b, b.N)
}

// BenchmarkPollNoChange1k is a pass with nothing changed at 1k tickets.
func BenchmarkPollNoChange1k(b *testing.B) { benchPollNoChange(b, 200, 40, 1_000) }

// BenchmarkPollNoChange50k is a pass with nothing changed at 50k tickets.
func BenchmarkPollNoChange50k(b *testing.B) { benchPollNoChange(b, 10_000, 2_000, 50_000) }

// BenchmarkPollKChanged is a pass after k = 150 tickets got a customer
// reply, at 50k tickets.
func BenchmarkPollKChanged(b *testing.B) {
	const k = 150
	ctx := context.Background()
	e := benchEnv(b, 10_000, 2_000, 50_000)
	if err := e.svc.SyncOnce(ctx); err != nil {
		b.Fatal(err)
	}
	ids := make([]string, 0, k)
	for tk, err := range e.client().AllTickets(ctx, deskListOptions()) {
		if err != nil {
			b.Fatal(err)
		}
		ids = append(ids, tk.ID)
		if len(ids) == 5*k {
			break
		}
	}
	e.emu.ResetRequests()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		for j := 0; j < k; j++ {
			if _, err := e.emu.CustomerReply(e.org, ids[(i*k+j)%len(ids)], fmt.Sprintf("update %d/%d", i, j)); err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
		if err := e.svc.SyncOnce(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	countRequests(e.emu).report(b, b.N)
}
