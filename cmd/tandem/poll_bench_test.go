package main

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tandem-crm/tandem/sync/deskemu"
)

// The no-change poll as whole processes (issue 17): `tandem desk sync` in
// a fresh process each time (the database's pages are not in SQLite's
// cache; the OS's file cache is warm), against the emulator on loopback,
// at 1k and at 50k tickets. The child is this test binary running the
// command; it reports its own read calls and bytes (/proc/self/io) and its
// CPU, so a pass that walks the ticket table shows as reads that grow with
// the table. The request count of a pass is Desk's floor: constant.

// cliChildEnv holds the JSON arguments of a command the test binary runs
// as a child (see TestMain).
const cliChildEnv = "TANDEM_CLI_CHILD"

// childIO is what a child command measured of itself.
type childIO struct {
	Syscr  int64   `json:"syscr"`  // read system calls (SQLite reads a page per call)
	Rchar  int64   `json:"rchar"`  // bytes read, files and sockets
	CPU    float64 `json:"cpu"`    // user + system seconds
	WallMS float64 `json:"wallMS"` // the command, in the child
	Code   int     `json:"code"`
}

// cliChild runs the command in args (JSON) and prints "IO {…}" after it.
func cliChild(args string) int {
	var a []string
	if err := json.Unmarshal([]byte(args), &a); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	if path := os.Getenv("TANDEM_CLI_PROF"); path != "" { // a CPU profile of the command
		if f, err := os.Create(path); err == nil {
			if err := pprof.StartCPUProfile(f); err == nil {
				defer pprof.StopCPUProfile()
			}
		}
	}
	start := time.Now()
	code := run(context.Background(), a, os.Stdout, os.Stderr)
	res := childIO{WallMS: float64(time.Since(start).Microseconds()) / 1000, Code: code, CPU: cpuSeconds()}
	if f, err := os.Open("/proc/self/io"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			k, v, _ := strings.Cut(sc.Text(), ": ")
			n, _ := strconv.ParseInt(v, 10, 64)
			switch k {
			case "syscr":
				res.Syscr = n
			case "rchar":
				res.Rchar = n
			}
		}
		f.Close()
	}
	out, _ := json.Marshal(res)
	fmt.Printf("IO %s\n", out)
	return code
}

// runChild runs the tandem command args in a fresh process with env added.
func runChild(b *testing.B, env []string, args ...string) (string, childIO) {
	b.Helper()
	js, _ := json.Marshal(args)
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(append(os.Environ(), cliChildEnv+"="+string(js)), env...)
	out, err := cmd.CombinedOutput()
	var res childIO
	for _, line := range strings.Split(string(out), "\n") {
		if js, ok := strings.CutPrefix(line, "IO "); ok {
			_ = json.Unmarshal([]byte(js), &res)
		}
	}
	if err != nil || res.Code != 0 {
		b.Fatalf("tandem %v: %v\n%s", args, err, out)
	}
	return string(out), res
}

var requestsRE = regexp.MustCompile(`requests (\d+)`)

// portal is a synced emulator portal and the data directory of the
// tandem that syncs it.
type portal struct {
	tickets int
	env     []string
	base    []string
	close   func()
}

// syncedPortal starts an emulator of the given size and syncs it once (and
// once more to settle), so the passes that follow change nothing.
func syncedPortal(b *testing.B, contacts, accounts, tickets int) *portal {
	b.Helper()
	emu := deskemu.New(deskemu.Options{Seed: 1, Contacts: contacts, Accounts: accounts, Tickets: tickets, TokenLimit: -1})
	r, err := emu.Start("127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	info := emu.Info()
	p := &portal{
		tickets: tickets,
		env:     []string{envClientID + "=" + info.ClientID, envClientSecret + "=" + info.ClientSecret, envRefreshToken + "=" + info.Users[0].RefreshToken},
		base:    []string{"--data-dir", b.TempDir(), "--desk", r.URL},
		close:   func() { r.Close() },
	}
	if out, _ := runChild(b, p.env, append(p.base, "desk", "configure", "-org", emu.DefaultOrgID(), "-mode", "two_way")...); !strings.Contains(out, "connected portal") {
		r.Close()
		b.Fatalf("configure: %s", out)
	}
	start := time.Now()
	runChild(b, p.env, append(p.base, "desk", "sync")...)
	b.Logf("first sync of %d tickets: %.1fs", tickets, time.Since(start).Seconds())
	// The passes after a big first sync index its tickets for search, a
	// batch a pass (sync/tickets.go): they are not no-change passes yet.
	// Settle until none is left, logging each (their cost is real, once).
	for i := 1; ; i++ {
		start := time.Now()
		_, io := runChild(b, p.env, append(p.base, "desk", "sync")...)
		left := unindexed(b, filepath.Join(p.base[1], "tandem.db"))
		b.Logf("settle pass %d at %d tickets: %.0f ms, cpu %.2f s, reads %d; %d tickets left to index",
			i, tickets, float64(time.Since(start).Microseconds())/1000, io.CPU, io.Syscr, left)
		if left == 0 {
			break
		}
		if i == 20 {
			b.Fatalf("%d tickets still not indexed for search after %d passes", left, i)
		}
	}
	return p
}

// unindexed counts the tickets in the closed database file at path that
// still wait for the search index (read as an immutable file: nothing is
// written beside it, the next pass's open sees the file as it was).
func unindexed(b *testing.B, path string) int {
	b.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?immutable=1")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow("SELECT count(*) FROM desk_tickets WHERE search_indexed = 0").Scan(&n); err != nil {
		b.Fatal(err)
	}
	return n
}

// pass runs one no-change pass in a fresh process and returns its measures
// and request count.
func (p *portal) pass(b *testing.B, env ...string) (childIO, int) {
	b.Helper()
	text, io := runChild(b, append(p.env, env...), append(p.base, "desk", "sync")...)
	reqs := 0
	if m := requestsRE.FindStringSubmatch(text); m != nil {
		reqs, _ = strconv.Atoi(m[1])
	}
	return io, reqs
}

// BenchmarkPollNoChangeProcess reports a no-change pass as a fresh process
// at 1k and at 50k tickets (10k contacts, 2k accounts): wall time, CPU,
// read calls and bytes, requests, and the ratios 50k / 1k of the medians.
// The passes alternate small, large, small, … so a change in the machine's
// load hits both sizes alike; every pass is logged (-v shows them). It
// needs the OS keyring (make bench runs it inside .ci/with-session.sh).
// TANDEM_POLL_PASSES sets the passes per size (default 11).
func BenchmarkPollNoChangeProcess(b *testing.B) {
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		b.Skip("needs a D-Bus session with a keyring: run inside .ci/with-session.sh (make bench does)")
	}
	passes := 11
	if n, err := strconv.Atoi(os.Getenv("TANDEM_POLL_PASSES")); err == nil && n > 0 {
		passes = n
	}
	for b.Loop() {
		sp := syncedPortal(b, 200, 40, 1_000)
		defer sp.close()
		lp := syncedPortal(b, 10_000, 2_000, 50_000)
		defer lp.close()
		var small, large []childIO
		reqSmall, reqLarge := 0, 0
		for i := range passes {
			s, rs := sp.pass(b)
			var env []string
			if dir := os.Getenv("TANDEM_POLL_PROF"); dir != "" {
				env = append(env, fmt.Sprintf("TANDEM_CLI_PROF=%s/50k-pass-%d.prof", dir, i+1))
			}
			l, rl := lp.pass(b, env...)
			small, large = append(small, s), append(large, l)
			reqSmall, reqLarge = rs, rl
			b.Logf("pass %2d: 1k %7.1f ms cpu %.3f s reads %5d | 50k %7.1f ms cpu %.3f s reads %5d | wall x%.2f",
				i+1, s.WallMS, s.CPU, s.Syscr, l.WallMS, l.CPU, l.Syscr, l.WallMS/s.WallMS)
		}
		med := func(xs []childIO, get func(childIO) float64) float64 {
			vs := make([]float64, len(xs))
			for i, x := range xs {
				vs[i] = get(x)
			}
			slices.Sort(vs)
			return vs[len(vs)/2]
		}
		for _, m := range []struct {
			name string
			get  func(childIO) float64
		}{
			{"wall-ms", func(x childIO) float64 { return x.WallMS }},
			{"cpu-s", func(x childIO) float64 { return x.CPU }},
			{"read-calls", func(x childIO) float64 { return float64(x.Syscr) }},
			{"read-MB", func(x childIO) float64 { return float64(x.Rchar) / 1e6 }},
		} {
			s, l := med(small, m.get), med(large, m.get)
			b.ReportMetric(s, "1k-"+m.name)
			b.ReportMetric(l, "50k-"+m.name)
			b.ReportMetric(l/s, "x-50k/1k-"+m.name)
		}
		b.ReportMetric(float64(reqSmall), "1k-requests")
		b.ReportMetric(float64(reqLarge), "50k-requests")
	}
}
