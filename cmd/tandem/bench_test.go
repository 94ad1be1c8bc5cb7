package main

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	_ "github.com/tandem-crm/tandem/app/store" // the "sqlite" driver of the floor
)

// Import benchmarks (issue 13, issue 17 item 4). Each reports its figure
// beside a floor measured in the same run, so the ratio holds on a busy
// machine:
//   - the same rows through the same engine with the least SQL that
//     leaves the same tables and indexes and a current search index
//     (one transaction, one prepared INSERT, one bulk FTS insert);
//   - the same rows loaded by Debian's sqlite3 shell (.import into a
//     table with the same indexes, then one bulk FTS insert), when the
//     shell is installed.
// Peak memory is measured on a child process (the whole `tandem contacts
// import` command), from its rusage.

var companiesForBench = func() []string {
	out := make([]string, 500)
	for i := range out {
		if i%2 == 0 {
			out[i] = fmt.Sprintf("株式会社 テスト%d", i)
		} else {
			out[i] = fmt.Sprintf("Bench Trading %d Ltd", i)
		}
	}
	return out
}()

// writeBenchCSV writes n contact rows.
func writeBenchCSV(tb testing.TB, path string, n int) {
	tb.Helper()
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	w := csv.NewWriter(bw)
	w.Write([]string{"first_name", "last_name", "email", "phone", "company", "notes"})
	west := []string{"Emma", "Liam", "Olivia", "Noah", "Ava", "Mason"}
	ja := []string{"山田", "佐藤", "鈴木", "高橋", "田中", "伊藤"}
	for i := range n {
		first, last := west[i%len(west)], fmt.Sprintf("Smith%d", i%977)
		if i%2 == 1 {
			first, last = "太郎", ja[i%len(ja)]
		}
		w.Write([]string{first, last, fmt.Sprintf("user%d@example.com", i), fmt.Sprintf("03-%04d-%04d", i%10000, (i/7)%10000),
			companiesForBench[i%len(companiesForBench)], "note " + strconv.Itoa(i)})
	}
	w.Flush()
	bw.Flush()
	f.Close()
}

var benchFiles = map[string]string{}

func benchCSV(b *testing.B, n int) string {
	key := fmt.Sprintf("csv-%d", n)
	if p, ok := benchFiles[key]; ok {
		return p
	}
	p := filepath.Join(os.TempDir(), fmt.Sprintf("tandem-bench-%d.csv", n))
	if _, err := os.Stat(p); err != nil {
		writeBenchCSV(b, p, n)
	}
	benchFiles[key] = p
	return p
}

func BenchmarkImportCSV100k(b *testing.B) {
	const n = 100_000
	path := benchCSV(b, n)
	var imp, floor, shell time.Duration
	var impCPU, floorCPU, shellCPU time.Duration // CPU time: steadier than wall time on a shared machine
	runs := 0
	for b.Loop() {
		runs++
		dir := b.TempDir()
		start, cpu0 := time.Now(), processCPU()
		code, out, errs := tandem(b, dir, "contacts", "import", path)
		imp += time.Since(start)
		impCPU += processCPU() - cpu0
		if code != 0 || !strings.Contains(out, "imported 100000 contacts") {
			b.Fatalf("import: %d %s %s", code, out, errs)
		}
		// The search index is current: a prefix finds the imported rows.
		if _, out, _ := tandem(b, dir, "contacts", "list", "-q", "user99999@"); !strings.Contains(out, "user99999@example.com") {
			b.Fatalf("search after import: %q", out)
		}
		b.StopTimer()
		stage := stageRows(b, filepath.Join(dir, "tandem.db"))
		// The floors start with the disk's queue empty: without this, the
		// writeback of the import's last pages slowed the floor after it
		// (3 to 4 times), which flattered the import's ratio.
		syscall.Sync()
		cpu0 = processCPU()
		floor += engineFloor(b, stage)
		floorCPU += processCPU() - cpu0
		if d, c, ok := shellFloor(b, stage); ok {
			shell += d
			shellCPU += c
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(n*runs)/imp.Seconds(), "rows/s")
	b.ReportMetric(float64(n*runs)/floor.Seconds(), "floor-rows/s")
	b.ReportMetric(imp.Seconds()/floor.Seconds(), "x-engine-floor")
	b.ReportMetric(impCPU.Seconds()/floorCPU.Seconds(), "x-engine-floor-cpu")
	if shell > 0 {
		b.ReportMetric(imp.Seconds()/shell.Seconds(), "x-sqlite3-shell")
		b.ReportMetric(impCPU.Seconds()/shellCPU.Seconds(), "x-sqlite3-shell-cpu")
	}
}

// processCPU is the CPU time (user and system) this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// childCPU is the CPU time (user and system) a finished child used.
func childCPU(ps *os.ProcessState) time.Duration { return ps.UserTime() + ps.SystemTime() }

// staged is the rows an import stored, as CSV files a floor loads: the
// same values (derived columns included) into the same tables.
type staged struct{ companies, contacts string }

const (
	companyCols = "id, name, name_norm, sort_name, email, email_norm, website, phone, industry, city, country, notes, custom, name_extra, search_extra, created_at, updated_at, rev"
	contactCols = "id, first_name, last_name, email, email_norm, phone, mobile, title, company_id, notes, custom, sort_name, search_extra, created_at, updated_at, rev, search_key"
)

// stageRows writes the companies and contacts of the imported database
// to CSV files.
func stageRows(b *testing.B, dbPath string) staged {
	db, err := sql.Open("sqlite", "file:"+dbPath+"?mode=ro")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	dir := b.TempDir()
	out := staged{filepath.Join(dir, "companies.csv"), filepath.Join(dir, "contacts.csv")}
	for _, t := range []struct{ table, cols, file string }{{"companies", companyCols, out.companies}, {"contacts", contactCols, out.contacts}} {
		rows, err := db.Query("SELECT " + t.cols + " FROM " + t.table + " ORDER BY id")
		if err != nil {
			b.Fatal(err)
		}
		f, _ := os.Create(t.file)
		w := csv.NewWriter(bufio.NewWriter(f))
		n := len(strings.Split(t.cols, ","))
		vals := make([]sql.NullString, n)
		ptrs := make([]any, n)
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		rec := make([]string, n)
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				b.Fatal(err)
			}
			for i, v := range vals {
				rec[i] = v.String
			}
			w.Write(rec)
		}
		rows.Close()
		w.Flush()
		f.Close()
	}
	return out
}

// floorSchema is the CRM tables with the same indexes and search tables,
// without the triggers: what the floors load into. Contacts have their
// search keys (migration 0018), and contacts_fts is numbered by them.
func floorSchema(b *testing.B) string {
	src, err := os.ReadFile("../../app/store/migrations/0001_crm.sql")
	if err != nil {
		b.Fatal(err)
	}
	s := string(src)
	s = s[:strings.Index(s, "CREATE TRIGGER")]
	s = s[:strings.Index(s, "CREATE TABLE pipelines")] + s[strings.Index(s, "CREATE VIRTUAL TABLE contacts_fts"):]
	return s + "\nALTER TABLE contacts ADD COLUMN search_key INTEGER;\nCREATE UNIQUE INDEX contacts_search_key ON contacts (search_key);\n"
}

const (
	floorFTS = `INSERT INTO companies_fts (rowid, name, email, phone, city, extra)
		SELECT id, name || ' ' || name_extra, email, phone, city, search_extra FROM companies;
	INSERT INTO contacts_fts (rowid, name, email, phone, company, extra)
		SELECT c.search_key, c.first_name || ' ' || c.last_name, c.email, c.phone || ' ' || c.mobile,
		       coalesce(co.name || ' ' || co.name_extra, ''), c.search_extra
		FROM contacts c LEFT JOIN companies co ON co.id = c.company_id ORDER BY c.search_key`
)

// engineFloor loads the staged rows with the least SQL on the embedded
// engine through database/sql: one transaction, one prepared INSERT per
// table, one bulk insert into each search index.
func engineFloor(b *testing.B, st staged) time.Duration {
	db, err := sql.Open("sqlite", "file:"+filepath.Join(b.TempDir(), "floor.db")+"?_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(floorSchema(b)); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	tx, _ := db.Begin()
	for _, t := range []struct{ table, cols, file string }{{"companies", companyCols, st.companies}, {"contacts", contactCols, st.contacts}} {
		n := len(strings.Split(t.cols, ","))
		ins, err := tx.Prepare("INSERT INTO " + t.table + " (" + t.cols + ") VALUES (?" + strings.Repeat(", ?", n-1) + ")")
		if err != nil {
			b.Fatal(err)
		}
		f, _ := os.Open(t.file)
		r := csv.NewReader(bufio.NewReader(f))
		r.ReuseRecord = true
		args := make([]any, n)
		for {
			rec, err := r.Read()
			if err == io.EOF {
				break
			}
			for i, v := range rec {
				args[i] = v
			}
			if args[8] == "" && t.table == "contacts" {
				args[8] = nil
			}
			if _, err := ins.Exec(args...); err != nil {
				b.Fatal(err)
			}
		}
		f.Close()
	}
	if _, err := tx.Exec(floorFTS); err != nil {
		b.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	return time.Since(start)
}

// shellFloor loads the same staged rows with Debian's sqlite3 shell
// (.import straight into the indexed tables, then one bulk insert into
// each search index) and returns its wall and CPU time. ok is false
// without the shell.
func shellFloor(b *testing.B, st staged) (took, cpu time.Duration, ok bool) {
	if _, err := exec.LookPath("sqlite3"); err != nil {
		return 0, 0, false
	}
	script := "PRAGMA journal_mode=WAL;\nPRAGMA synchronous=NORMAL;\n" + floorSchema(b) + `
BEGIN;
.mode csv
.import '` + st.companies + `' companies
.import '` + st.contacts + `' contacts
UPDATE contacts SET company_id = NULL WHERE company_id = '';
` + floorFTS + `;
COMMIT;
`
	cmd := exec.Command("sqlite3", filepath.Join(b.TempDir(), "shell.db"))
	cmd.Stdin = strings.NewReader(script)
	start := time.Now()
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("sqlite3: %v\n%s", err, out)
	}
	return time.Since(start), childCPU(cmd.ProcessState), true
}

// childImport runs `tandem contacts import` in a child process (this test
// binary again) and returns its wall time and peak RSS in MB.
func childImport(b *testing.B, file string) (time.Duration, float64) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestBenchChild$")
	cmd.Env = append(os.Environ(), "TANDEM_BENCH_CHILD="+file, "TANDEM_BENCH_DIR="+b.TempDir())
	start := time.Now()
	out, err := cmd.CombinedOutput()
	took := time.Since(start)
	if err != nil || !strings.Contains(string(out), "imported") {
		b.Fatalf("child: %v\n%s", err, out)
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	return took, float64(ru.Maxrss) / 1024 // KB on Linux
}

// TestBenchChild is the child of childImport; it does nothing otherwise.
func TestBenchChild(t *testing.T) {
	file := os.Getenv("TANDEM_BENCH_CHILD")
	if file == "" {
		return
	}
	var out, errw strings.Builder
	code := run(context.Background(), []string{"--data-dir", os.Getenv("TANDEM_BENCH_DIR"), "contacts", "import", file}, &out, &errw)
	fmt.Print(out.String())
	if code != 0 {
		t.Fatalf("%d %s", code, errw.String())
	}
}

func benchRSS(b *testing.B, file string, n int) {
	var took time.Duration
	var peak float64
	for b.Loop() {
		d, rss := childImport(b, file)
		took += d
		peak = max(peak, rss)
	}
	b.ReportMetric(float64(n*b.N)/took.Seconds(), "rows/s")
	b.ReportMetric(peak, "peak-RSS-MB")
	b.ReportMetric(peak/100, "x-goal-100MB-peak-RSS") // issue 17: at most 100 MB at 100k and at 1M rows
}

func BenchmarkImportRSS100k(b *testing.B) { benchRSS(b, benchCSV(b, 100_000), 100_000) }

func BenchmarkImportRSS1M(b *testing.B) { benchRSS(b, benchCSV(b, 1_000_000), 1_000_000) }

func BenchmarkImportXLSX100k(b *testing.B) {
	const n = 100_000
	path := filepath.Join(os.TempDir(), "tandem-bench-100k.xlsx")
	if _, err := os.Stat(path); err != nil {
		f := excelize.NewFile()
		sw, _ := f.NewStreamWriter("Sheet1")
		src, _ := os.Open(benchCSV(b, n))
		r := csv.NewReader(src)
		for i := 1; ; i++ {
			rec, err := r.Read()
			if err == io.EOF {
				break
			}
			row := make([]any, len(rec))
			for j, c := range rec {
				row[j] = c
			}
			cell, _ := excelize.CoordinatesToCellName(1, i)
			sw.SetRow(cell, row)
		}
		src.Close()
		sw.Flush()
		if err := f.SaveAs(path); err != nil {
			b.Fatal(err)
		}
	}
	benchRSS(b, path, n)
}
