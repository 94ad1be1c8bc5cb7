package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/widget"

	"github.com/tandem-crm/tandem/app/store"
)

// Window benchmarks (issue 17). Each runs real processes under X (make
// bench wraps them in xvfb-run): this test binary again, as the Tandem
// window on a database of 100k contacts, 20k companies and 10k pipeline
// records, and as the floor, a minimal Fyne app with a 100k-row list. The
// child measures its own UI goroutine: a heartbeat posts a fyne.Do every
// 10 ms and records how long each waited to run, and one more is posted
// 100 ms after the event loop started (the window is shown then). CPU is
// the process's rusage. The figures are reported beside the floor's from
// the same run, so the ratio holds on a busy machine.

const (
	probeEnv     = "TANDEM_GUI_PROBE"      // "tandem" or "floor": run as a probed window
	probeDirEnv  = "TANDEM_GUI_PROBE_DIR"  // the data folder of the tandem window
	probeSpawn   = "TANDEM_GUI_PROBE_T0"   // unix ns when the parent started the child
	probeHoldEnv = "TANDEM_GUI_PROBE_HOLD" // seconds the window stays (default 2.5)
	guiContacts  = 100_000
	guiCompanies = 20_000
	guiRecords   = 10_000
)

// beat is one heartbeat: when it was posted (unix ns) and how long it
// waited for the UI goroutine.
type beat struct {
	At   int64   `json:"at"`
	Wait float64 `json:"wait"` // ms
}

// probeResult is what a probed window measured of itself.
type probeResult struct {
	StartMS     float64 `json:"startMS"`     // spawn to event loop started
	WaitAt100ms float64 `json:"waitAt100ms"` // wait of the fyne.Do posted 100 ms after the start
	MaxWait2s   float64 `json:"maxWait2s"`   // the longest heartbeat wait in the first 2 s
	P99Wait2s   float64 `json:"p99Wait2s"`
	CPU2s       float64 `json:"cpu2s"`       // CPU seconds from spawn to 2 s after the start
	CPUWindow2s float64 `json:"cpuWindow2s"` // CPU seconds in the 2 s after the start
	Beats       []beat  `json:"beats"`
}

func cpuSeconds() float64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	tv := func(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }
	return tv(ru.Utime) + tv(ru.Stime)
}

// probe measures the UI goroutine of a from its start until hold has
// passed, prints the result and quits the app. It runs on the UI goroutine
// (Lifecycle.OnStarted) and starts its goroutines from there.
func probe(a fyne.App, hold time.Duration) {
	t0 := time.Now()
	cpu0 := cpuSeconds()
	var res probeResult
	if ns, err := strconv.ParseInt(os.Getenv(probeSpawn), 10, 64); err == nil {
		res.StartMS = float64(t0.UnixNano()-ns) / 1e6
	}
	at100 := make(chan float64, 1)
	go func() {
		time.Sleep(time.Until(t0.Add(100 * time.Millisecond)))
		posted := time.Now()
		fyne.DoAndWait(func() {})
		at100 <- float64(time.Since(posted).Microseconds()) / 1000
	}()
	cpu2 := make(chan float64, 1)
	go func() {
		time.Sleep(time.Until(t0.Add(2 * time.Second)))
		cpu2 <- cpuSeconds()
	}()
	go func() {
		var beats []beat
		stacks := os.Getenv("TANDEM_GUI_PROBE_STACKS") // a file for the UI goroutine's stack when it is slow
		for time.Since(t0) < hold {
			posted := time.Now()
			var slow *time.Timer
			if stacks != "" {
				slow = time.AfterFunc(150*time.Millisecond, func() { dumpStacks(stacks) })
			}
			fyne.DoAndWait(func() {})
			if slow != nil {
				slow.Stop()
			}
			beats = append(beats, beat{At: posted.UnixNano(), Wait: float64(time.Since(posted).Microseconds()) / 1000})
			time.Sleep(10 * time.Millisecond)
		}
		res.WaitAt100ms = <-at100
		c2 := <-cpu2
		res.CPU2s, res.CPUWindow2s = c2, c2-cpu0
		var first []float64
		for _, b := range beats {
			if time.Unix(0, b.At).Sub(t0) < 2*time.Second {
				first = append(first, b.Wait)
			}
		}
		res.MaxWait2s, res.P99Wait2s = maxP99(first)
		res.Beats = beats
		out, _ := json.Marshal(res)
		fmt.Printf("PROBE %s\n", out)
		fyne.Do(a.Quit)
	}()
}

// dumpStacks appends every goroutine's stack to path (a slow heartbeat:
// what is the UI goroutine doing?).
func dumpStacks(path string) {
	buf := make([]byte, 1<<22)
	n := runtime.Stack(buf, true)
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return
	}
	defer f.Close()
	fmt.Fprintf(f, "==== %s\n%s\n", time.Now().Format(time.StampMilli), buf[:n])
}

// sampleMain samples the main (UI) goroutine's stack every 5 ms and, when
// stopped, writes each sample's time since the start and its frames to
// path: what the UI goroutine did, and when (TANDEM_GUI_PROBE_SAMPLE).
func sampleMain(path string) (stop func()) {
	t0 := time.Now()
	done := make(chan struct{})
	var out strings.Builder
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		buf := make([]byte, 1<<22)
		for {
			select {
			case <-done:
				return
			case <-time.After(5 * time.Millisecond):
			}
			n := runtime.Stack(buf, true)
			st := string(buf[:n])
			i := strings.Index(st, "goroutine 1 [")
			if i < 0 {
				continue
			}
			g := st[i:]
			if j := strings.Index(g, "\n\n"); j >= 0 {
				g = g[:j]
			}
			var frames []string
			for k, line := range strings.Split(g, "\n") {
				if k == 0 || strings.HasPrefix(line, "\t") {
					continue
				}
				if p := strings.LastIndex(line, "("); p > 0 {
					line = line[:p]
				}
				frames = append(frames, line)
			}
			state := strings.SplitN(g, "\n", 2)[0]
			fmt.Fprintf(&out, "%d %d %s | %s\n", time.Since(t0).Milliseconds(), time.Now().UnixMilli(), state, strings.Join(frames, " < "))
		}
	}()
	return func() {
		close(done)
		<-finished
		_ = os.WriteFile(path, []byte(out.String()), 0o600)
	}
}

func maxP99(ws []float64) (float64, float64) {
	if len(ws) == 0 {
		return 0, 0
	}
	s := slices.Clone(ws)
	slices.Sort(s)
	return s[len(s)-1], s[len(s)*99/100]
}

// benchChild runs, and exits with, the child process of a benchmark when
// the environment asks for one (TestMain calls it first): a command for
// the process poll, or a probed window (on the main goroutine, as Fyne
// requires).
func benchChild() {
	if args := os.Getenv(cliChildEnv); args != "" {
		os.Exit(cliChild(args))
	}
	if which := os.Getenv(probeEnv); which != "" {
		if err := probeChild(which); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
}

// probeChild runs the probed window which ("tandem" or "floor"), with a
// CPU profile written to $TANDEM_GUI_PROBE_PROF when set.
func probeChild(which string) error {
	if path := os.Getenv("TANDEM_GUI_PROBE_PROF"); path != "" {
		f, err := os.Create(path + "." + which)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	if path := os.Getenv("TANDEM_GUI_PROBE_SAMPLE"); path != "" {
		stop := sampleMain(path + "." + which)
		defer stop()
	}
	hold := 2500 * time.Millisecond
	if s, err := strconv.ParseFloat(os.Getenv(probeHoldEnv), 64); err == nil {
		hold = time.Duration(s * float64(time.Second))
	}
	switch which {
	case "tandem":
		started = func(a fyne.App) { probe(a, hold) }
		var out, errw strings.Builder
		if code := run(context.Background(), []string{"--data-dir", os.Getenv(probeDirEnv)}, &out, &errw); code != 0 {
			return fmt.Errorf("tandem: %d %s", code, errw.String())
		}
	case "floor":
		a := fyneapp.NewWithID("com.tandemcrm.floor")
		w := a.NewWindow("Tandem floor")
		l := widget.NewList(func() int { return guiContacts },
			func() fyne.CanvasObject { return widget.NewLabel("Contact 000000 template") },
			func(i widget.ListItemID, o fyne.CanvasObject) {
				o.(*widget.Label).SetText("Contact " + strconv.Itoa(i))
			})
		w.SetContent(l)
		w.Resize(fyne.NewSize(1100, 720))
		a.Lifecycle().SetOnStarted(func() { probe(a, hold) })
		w.ShowAndRun()
	default:
		return fmt.Errorf("%s=%q: want tandem or floor", probeEnv, which)
	}
	return nil
}

// needDisplay skips a window benchmark without an X display.
func needDisplay(b *testing.B) {
	if os.Getenv("DISPLAY") == "" {
		b.Skip("needs an X display: run under xvfb-run (make bench does)")
	}
}

// guiData returns a data folder seeded with the benchmark's data set,
// built once per schema version and kept under os.TempDir.
func guiData(b *testing.B) string {
	b.Helper()
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("tandem-gui-bench-s%d", store.SchemaVersion()))
	if _, err := os.Stat(filepath.Join(dir, "seeded")); err == nil {
		return dir
	}
	os.RemoveAll(dir)
	var out, errw strings.Builder
	if code := run(context.Background(), []string{"--data-dir", dir, "seed",
		"-contacts", strconv.Itoa(guiContacts), "-companies", strconv.Itoa(guiCompanies), "-records", strconv.Itoa(guiRecords)}, &out, &errw); code != 0 {
		b.Fatalf("seed: %s %s", out.String(), errw.String())
	}
	b.Logf("%s", strings.TrimSpace(out.String()))
	if err := os.WriteFile(filepath.Join(dir, "seeded"), nil, 0o600); err != nil {
		b.Fatal(err)
	}
	return dir
}

// probedWindow is a running probed child.
type probedWindow struct {
	cmd    *exec.Cmd
	stderr *strings.Builder
	done   chan probeResult
}

// startProbe starts a probed window (which is "tandem" or "floor") that
// stays hold long.
func startProbe(b *testing.B, which, dir string, hold time.Duration) *probedWindow {
	b.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), probeEnv+"="+which, probeDirEnv+"="+dir,
		probeHoldEnv+"="+strconv.FormatFloat(hold.Seconds(), 'f', 3, 64),
		probeSpawn+"="+strconv.FormatInt(time.Now().UnixNano(), 10))
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	stderr := &strings.Builder{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	p := &probedWindow{cmd: cmd, stderr: stderr, done: make(chan probeResult, 1)}
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 1<<20), 16<<20)
		var res probeResult
		for sc.Scan() {
			if line, ok := strings.CutPrefix(sc.Text(), "PROBE "); ok {
				_ = json.Unmarshal([]byte(line), &res)
			}
		}
		_ = cmd.Wait()
		p.done <- res
	}()
	b.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
		}
	})
	return p
}

func (p *probedWindow) wait(b *testing.B) probeResult {
	b.Helper()
	select {
	case res := <-p.done:
		if res.Beats == nil {
			b.Fatalf("the probed window reported nothing (%v):\n%s", p.cmd.ProcessState, p.stderr)
		}
		return res
	case <-time.After(2 * time.Minute):
		_ = p.cmd.Process.Kill()
		b.Fatal("the probed window did not finish in 2 minutes")
	}
	return probeResult{}
}

// BenchmarkWindowStart opens the Tandem window on 100k contacts, 20k
// companies and 10k records, and the floor (a minimal Fyne app with a
// 100k-row list), one after the other, and reports what each measured of
// its UI goroutine and its CPU.
func BenchmarkWindowStart(b *testing.B) {
	needDisplay(b)
	dir := guiData(b)
	var t, f []probeResult
	for b.Loop() {
		t = append(t, startProbe(b, "tandem", dir, 2500*time.Millisecond).wait(b))
		f = append(f, startProbe(b, "floor", "", 2500*time.Millisecond).wait(b))
	}
	med := func(rs []probeResult, get func(probeResult) float64) float64 {
		vs := make([]float64, len(rs))
		for i, r := range rs {
			vs[i] = get(r)
		}
		slices.Sort(vs)
		return vs[len(vs)/2]
	}
	for _, m := range []struct {
		name string
		get  func(probeResult) float64
	}{
		{"start-ms", func(r probeResult) float64 { return r.StartMS }},
		{"wait-at-100ms-ms", func(r probeResult) float64 { return r.WaitAt100ms }},
		{"max-wait-2s-ms", func(r probeResult) float64 { return r.MaxWait2s }},
		{"cpu-2s-s", func(r probeResult) float64 { return r.CPU2s }},
		{"cpu-window-2s-s", func(r probeResult) float64 { return r.CPUWindow2s }},
	} {
		tv, fv := med(t, m.get), med(f, m.get)
		b.ReportMetric(tv, m.name)
		b.ReportMetric(fv, "floor-"+m.name)
		if fv > 0 && (strings.HasPrefix(m.name, "cpu") || m.name == "start-ms") {
			b.ReportMetric(tv/fv, "x-floor-"+m.name)
		}
	}
}

// tourStep is one action of a window tour: what xdotool does, then how
// long the tour waits before the screenshot that ends the step.
type tourStep struct {
	name   string
	do     [][]string // xdotool commands, window-relative ("WID" is the window)
	settle time.Duration
}

// tourSteps switch to Pipelines, scroll the board, type a filter, switch to
// Contacts and type a search. Coordinates are those of the 1100×720 window
// under a File menu bar (the navigation's rows, a board column, the filter).
var tourSteps = []tourStep{
	{name: "contacts", settle: 1500 * time.Millisecond},
	{name: "pipelines", do: [][]string{{"mousemove", "--window", "WID", "70", "166"}, {"click", "1"}}, settle: 1500 * time.Millisecond},
	{name: "board-scroll", do: [][]string{{"mousemove", "--window", "WID", "420", "450"}, {"click", "--repeat", "40", "--delay", "25", "5"}}, settle: 1200 * time.Millisecond},
	{name: "board-filter", do: [][]string{{"mousemove", "--window", "WID", "600", "88"}, {"click", "1"}, {"type", "--delay", "120", "Website"}}, settle: 1500 * time.Millisecond},
	{name: "contacts-again", do: [][]string{{"mousemove", "--window", "WID", "70", "88"}, {"click", "1"}}, settle: 1200 * time.Millisecond},
	{name: "contacts-search", do: [][]string{{"key", "--window", "WID", "ctrl+f"}, {"type", "--delay", "120", "ma"}}, settle: 1500 * time.Millisecond},
	{name: "contacts-search-more", do: [][]string{{"type", "--delay", "120", "tsu"}}, settle: 1500 * time.Millisecond},
	{name: "contacts-scroll", do: [][]string{{"mousemove", "--window", "WID", "300", "450"}, {"click", "--repeat", "60", "--delay", "20", "5"}}, settle: 1200 * time.Millisecond},
}

// windowOf waits for the window of process pid and returns its X id.
func windowOf(b *testing.B, pid int) string {
	b.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		out, err := exec.Command("xdotool", "search", "--onlyvisible", "--pid", strconv.Itoa(pid)).Output()
		if f := strings.Fields(string(out)); err == nil && len(f) > 0 {
			return f[len(f)-1]
		}
		time.Sleep(50 * time.Millisecond)
	}
	b.Fatalf("no window for process %d", pid)
	return ""
}

// BenchmarkWindowTour drives the real window at 100k contacts and 10k
// records with xdotool (switch to Pipelines, scroll the board, filter it,
// search contacts, scroll them) while the window's heartbeat records how
// long the UI goroutine made each fyne.Do wait; the floor app gets the
// same input. Each step reports the longest and the 99th-percentile wait
// beside the floor's, and a screenshot of each step goes to $TANDEM_SHOTS
// when set.
func BenchmarkWindowTour(b *testing.B) {
	needDisplay(b)
	for _, tool := range []string{"xdotool", "import"} {
		if _, err := exec.LookPath(tool); err != nil {
			b.Skipf("needs %s", tool)
		}
	}
	dir := guiData(b)
	shots := os.Getenv("TANDEM_SHOTS")
	var hold time.Duration
	for _, s := range tourSteps {
		hold += s.settle + time.Second
	}
	hold += 5 * time.Second // the wait for the window
	type span struct{ from, to int64 }
	tour := func(which string) (probeResult, []span) {
		p := startProbe(b, which, dir, hold)
		wid := windowOf(b, p.cmd.Process.Pid)
		var spans []span
		for _, s := range tourSteps {
			from := time.Now().UnixNano()
			for _, c := range s.do {
				args := slices.Clone(c)
				for i := range args {
					if args[i] == "WID" {
						args[i] = wid
					}
				}
				if out, err := exec.Command("xdotool", args...).CombinedOutput(); err != nil {
					b.Fatalf("xdotool %v: %v %s", args, err, out)
				}
			}
			time.Sleep(s.settle)
			spans = append(spans, span{from, time.Now().UnixNano()})
			if shots != "" {
				png := filepath.Join(shots, fmt.Sprintf("tour-%s-%s.png", which, s.name))
				if out, err := exec.Command("import", "-window", wid, png).CombinedOutput(); err != nil {
					b.Logf("screenshot %s: %v %s", png, err, out)
				}
			}
		}
		res := p.wait(b)
		if path := os.Getenv("TANDEM_GUI_PROBE_STDERR"); path != "" { // e.g. GODEBUG=gctrace=1's lines
			_ = os.WriteFile(path+"."+which, []byte(p.stderr.String()), 0o600)
		}
		if path := os.Getenv("TANDEM_GUI_PROBE_TIMELINE"); path != "" {
			// The timeline beside the samples (TANDEM_GUI_PROBE_SAMPLE): each step's span and each beat
			// (unix ms), to match a slow beat with what the UI goroutine did.
			var tl strings.Builder
			for i, s := range spans {
				fmt.Fprintf(&tl, "step %s %d %d\n", tourSteps[i].name, s.from/1e6, s.to/1e6)
			}
			for _, bt := range res.Beats {
				fmt.Fprintf(&tl, "beat %d %.1f\n", bt.At/1e6, bt.Wait)
			}
			_ = os.WriteFile(path+"."+which+".timeline", []byte(tl.String()), 0o600)
		}
		return res, spans
	}
	// The beats that waited during the step: posted before its end and
	// run after its start (a frozen window's one long wait counts in
	// every step it spans).
	in := func(r probeResult, s span) []float64 {
		var ws []float64
		for _, bt := range r.Beats {
			if bt.At < s.to && bt.At+int64(bt.Wait*1e6) > s.from {
				ws = append(ws, bt.Wait)
			}
		}
		return ws
	}
	for b.Loop() {
		t, ts := tour("tandem")
		if os.Getenv("TANDEM_TOUR_NO_FLOOR") != "" { // a quicker look while working on the window
			for i, s := range tourSteps {
				if s.do != nil {
					tm, tp := maxP99(in(t, ts[i]))
					b.ReportMetric(tm, s.name+"-max-ms")
					b.ReportMetric(tp, s.name+"-p99-ms")
				}
			}
			continue
		}
		f, fs := tour("floor")
		for i, s := range tourSteps {
			if s.do == nil {
				continue
			}
			tm, tp := maxP99(in(t, ts[i]))
			fm, fp := maxP99(in(f, fs[i]))
			b.ReportMetric(tm, s.name+"-max-ms")
			b.ReportMetric(tp, s.name+"-p99-ms")
			b.ReportMetric(fm, s.name+"-floor-max-ms")
			b.ReportMetric(fp, s.name+"-floor-p99-ms")
		}
	}
}
