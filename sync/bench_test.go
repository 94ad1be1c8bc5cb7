package sync_test

import (
	"context"
	"fmt"
	"slices"
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
		case r.Method == "GET" && (p == "/contacts" || p == "/contacts/search"):
			c.contacts++
		case r.Method == "GET" && (p == "/accounts" || p == "/accounts/search"):
			c.accounts++
		case r.Method == "GET" && (p == "/tickets" || p == "/tickets/search"):
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
		if err := e.syncOnce(ctx); err != nil {
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
	if err := e.syncOnce(ctx); err != nil {
		b.Fatal(err)
	}
	if err := e.syncOnce(ctx); err != nil {
		b.Fatal(err)
	}
	e.emu.ResetRequests()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := e.syncOnce(ctx); err != nil {
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
	if err := e.syncOnce(ctx); err != nil {
		b.Fatal(err)
	}
	ids := make([]string, 0, k)
	for tk, err := range e.allTickets(ctx) {
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
		if err := e.syncOnce(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	countRequests(e.emu).report(b, b.N)
}

// BenchmarkReadsDuringFirstSync measures the UI's reads while a first sync
// of 10k contacts, 2k accounts and 50k tickets writes: a page of contacts
// and the newest contact's Tickets tab, one after the other, through the
// read pool. It reports each read's latency (p50, p99, max) over the sync.
func BenchmarkReadsDuringFirstSync(b *testing.B) {
	ctx := context.Background()
	e := benchEnv(b, 10_000, 2_000, 50_000)
	var lat, tab []time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		_ = e.db.Close()
		e.db = nil
		e.dbPath = fmt.Sprintf("%s.r%d", e.dbPath, i)
		e.open()
		if _, err := e.svc.Configure(ctx, configureParams(e)); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		done := make(chan error, 1)
		go func() { done <- e.syncOnce(ctx) }()
		var newest int64
		for running := true; running; {
			select {
			case err := <-done:
				if err != nil {
					b.Fatal(err)
				}
				running = false
			default:
				start := time.Now()
				cs, err := e.db.ListContacts(ctx, app.ContactFilter{Sort: app.SortByUpdated, Limit: 50})
				if err != nil {
					b.Fatal(err)
				}
				if len(cs) > 0 {
					newest = cs[0].ID
				}
				lat = append(lat, time.Since(start))
				if newest != 0 {
					start = time.Now()
					if _, err := e.svc.TicketsForRecord(ctx, app.KindContact, newest, app.TicketFilter{}); err != nil && app.ErrorCode(err) != app.ENOTFOUND {
						b.Fatal(err)
					}
					tab = append(tab, time.Since(start))
				}
				time.Sleep(2 * time.Millisecond) // a person, not a loop
			}
		}
	}
	b.StopTimer()
	if len(lat) == 0 || len(tab) == 0 {
		b.Fatal("no reads during the sync")
	}
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	for _, r := range []struct {
		name string
		lat  []time.Duration
	}{{"list", lat}, {"tickets", tab}} {
		slices.Sort(r.lat)
		b.ReportMetric(ms(r.lat[len(r.lat)/2]), r.name+"-p50-ms")
		b.ReportMetric(ms(r.lat[len(r.lat)*99/100]), r.name+"-p99-ms")
		b.ReportMetric(ms(r.lat[len(r.lat)-1]), r.name+"-max-ms")
	}
	b.ReportMetric(float64(len(lat)+len(tab))/float64(b.N), "reads/op")
}
