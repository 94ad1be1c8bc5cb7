package signals_test

import (
	"context"
	"testing"
	"time"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/sync/deskemu"
)

// BenchmarkPassDetection runs sync passes against the emulator (150
// tickets, 60 contacts) — each after a customer reply, a comment mentioning
// the agent and an escalation, or with nothing changed — and reports how much of a pass the
// Detector takes (detect-%) besides the pass itself.
func BenchmarkPassDetection(b *testing.B) {
	b.Run("changes", func(b *testing.B) { benchPass(b, true) })
	b.Run("idle", func(b *testing.B) { benchPass(b, false) })
}

func benchPass(b *testing.B, change bool) {
	ctx := context.Background()
	w := newWorld(b, deskemu.Options{Seed: 4}, &recorder{})
	w.sync()
	w.sync()
	st := w.crmTicket()
	p, err := w.db.ActivePortal(ctx)
	if err != nil {
		b.Fatal(err)
	}
	colleague := w.otherAgent()
	w.spy.took = 0
	var pass time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		if !change {
			b.StartTimer()
			start := time.Now()
			w.sync()
			pass += time.Since(start)
			continue
		}
		if _, err := w.emu.CustomerReply(w.org, st.Ticket.ID, "Any news?"); err != nil {
			b.Fatal(err)
		}
		if _, err := w.emu.AgentComment(w.org, st.Ticket.ID, colleague, "please look", p.AgentID); err != nil {
			b.Fatal(err)
		}
		if err := w.emu.Escalate(w.org, st.Ticket.ID, i%2 == 0); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		w.sync()
		pass += time.Since(start)
	}
	b.StopTimer()
	w.spy.mu.Lock()
	took := w.spy.took
	w.spy.mu.Unlock()
	b.ReportMetric(float64(took.Microseconds())/float64(b.N), "µs-detect/op")
	b.ReportMetric(100*float64(took)/float64(pass), "detect-%")
	if feed, _ := w.det.ListSignals(ctx, app.SignalFilter{Limit: 1}); change && len(feed) == 0 {
		b.Fatal("no signals were found")
	}
}
