package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// tandem runs the CLI in-process on dataDir and returns exit code, stdout, stderr.
func tandem(t testing.TB, dataDir string, args ...string) (int, string, string) {
	t.Helper()
	var out, errw bytes.Buffer
	code := run(context.Background(), append([]string{"--data-dir", dataDir}, args...), &out, &errw)
	return code, out.String(), errw.String()
}

func TestImportExportRoundTrip(t *testing.T) {
	dir := t.TempDir()
	csv := filepath.Join(dir, "in.csv")
	in := "first_name,last_name,email,phone,company,notes\n" +
		"太郎,山田,taro@example.jp,090-1234-5678,山田商事,\"複数行\nのメモ 🎉\"\n" +
		"Emma,Smith,emma@example.com,+44 20 1234 5678,Acme Trading,\n" +
		"Bad,Row,not-an-email,,,\n" +
		",,nolast@example.com,,,\n" +
		"Dup,Mail,EMMA@example.com,,,\n"
	if err := os.WriteFile(csv, []byte(in), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errs := tandem(t, dir, "contacts", "import", csv)
	if code != 3 {
		t.Fatalf("want exit 3 (rows rejected), got %d\n%s\n%s", code, out, errs)
	}
	// The same email twice is a duplicate: skipped by default.
	if !strings.Contains(out, "imported 2 contacts: 2 created, 0 updated, 1 duplicates skipped, 2 refused") {
		t.Errorf("summary: %q", out)
	}
	// Row 1 spans two lines, so row 3 is on line 5.
	for _, want := range []string{"row 3 (line 5): refused: email", "row 4 (line 6): refused: last_name"} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errs)
		}
	}
	code, out, _ = tandem(t, dir, "contacts", "list", "-q", "山田")
	if code != 0 || !strings.Contains(out, "山田 太郎") || !strings.Contains(out, "山田商事") {
		t.Fatalf("search 山田: %d %q", code, out)
	}
	exp := filepath.Join(dir, "out.csv")
	if code, _, errs = tandem(t, dir, "contacts", "export", exp); code != 0 {
		t.Fatalf("export: %d %s", code, errs)
	}
	b, err := os.ReadFile(exp)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(string(b), "@"); got != 2 {
		t.Errorf("export has %d emails, want 2:\n%s", got, b)
	}
	if !strings.Contains(string(b), "複数行\nのメモ 🎉") {
		t.Errorf("multi-line Japanese note lost:\n%s", b)
	}
}

func TestAddValidationAndCompanies(t *testing.T) {
	dir := t.TempDir()
	if code, _, errs := tandem(t, dir, "contacts", "add", "-first", "X", "-email", "bad@"); code != 1 || !strings.Contains(errs, "lastname: Required") || !strings.Contains(errs, "email: Not a valid email address") {
		t.Fatalf("want field errors, got %d %q", code, errs)
	}
	if code, _, errs := tandem(t, dir, "companies", "add", "-name", "株式会社 桜"); code != 0 {
		t.Fatal(errs)
	}
	if code, _, errs := tandem(t, dir, "contacts", "add", "-last", "Lee", "-company", "No Such Co"); code != 1 || !strings.Contains(errs, "No company is named") {
		t.Fatalf("unknown company: %d %q", code, errs)
	}
	if code, out, errs := tandem(t, dir, "contacts", "add", "-last", "桜井", "-company", "株式会社 桜"); code != 0 || strings.TrimSpace(out) == "" {
		t.Fatalf("add: %d %q %q", code, out, errs)
	}
	if code, out, _ := tandem(t, dir, "companies", "list"); code != 0 || !strings.Contains(out, "株式会社 桜") {
		t.Fatalf("companies list: %q", out)
	}
}

// TestReadingFlags: readings given on the command line sort and find a
// contact by kana; a reading in kanji is refused with its field named.
func TestReadingFlags(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"contacts", "add", "-last", "渡辺", "-first", "誠", "-last-reading", "わたなべ", "-first-reading", "まこと"},
		{"contacts", "add", "-last", "山田", "-first", "太郎", "-last-reading", "ﾔﾏﾀﾞ", "-first-reading", "タロウ"},
		{"contacts", "add", "-last", "伊藤"},
		{"companies", "add", "-name", "株式会社山田商事", "-reading", "やまだしょうじ"},
	} {
		if code, _, errs := tandem(t, dir, args...); code != 0 {
			t.Fatalf("%q: %s", args, errs)
		}
	}
	code, out, _ := tandem(t, dir, "contacts", "list")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 3 || !strings.Contains(lines[0], "山田 太郎") || !strings.HasSuffix(lines[0], "ヤマダ タロウ") ||
		!strings.Contains(lines[1], "渡辺 誠") || !strings.Contains(lines[2], "伊藤") {
		t.Fatalf("contacts list by reading:\n%s", out)
	}
	if code, out, _ := tandem(t, dir, "contacts", "list", "-q", "やまだ"); code != 0 || !strings.Contains(out, "山田 太郎") {
		t.Fatalf("search by reading: %q", out)
	}
	if code, out, _ := tandem(t, dir, "companies", "list", "-q", "ヤマダ"); code != 0 || !strings.Contains(out, "やまだしょうじ") {
		t.Fatalf("company by reading: %q", out)
	}
	if code, _, errs := tandem(t, dir, "contacts", "add", "-last", "鈴木", "-last-reading", "鈴木"); code != 1 || !strings.Contains(strings.ToLower(errs), "lastnamereading") {
		t.Fatalf("a kanji reading: %d %q", code, errs)
	}
}

func TestSampleOnlyIntoEmptyDatabase(t *testing.T) {
	dir := t.TempDir()
	if code, out, errs := tandem(t, dir, "sample"); code != 0 || !strings.Contains(out, "sample data loaded") {
		t.Fatalf("sample: %d %q %q", code, out, errs)
	}
	if code, _, errs := tandem(t, dir, "sample"); code != 1 || !strings.Contains(errs, "already has data") {
		t.Fatalf("second sample: %d %q", code, errs)
	}
	if code, out, _ := tandem(t, dir, "contacts", "list", "-limit", "100"); code != 0 || strings.Count(out, "\n") < 40 {
		t.Fatalf("want the demo contacts, got %q", out)
	}
}

func TestCorruptDatabaseIsAClearError(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "tandem.db"), bytes.Repeat([]byte("garbage!"), 1000), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errs := tandem(t, dir, "contacts", "list")
	if code != 1 || strings.Contains(errs, "panic") || len(errs) < 20 {
		t.Fatalf("corrupt db: %d %q", code, errs)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "tandem.db"))
	if !bytes.Equal(b, bytes.Repeat([]byte("garbage!"), 1000)) {
		t.Fatal("the corrupt file was changed")
	}
}

func TestUnknownCommand(t *testing.T) {
	if code, _, errs := tandem(t, t.TempDir(), "frobnicate"); code != 2 || !strings.Contains(errs, "Usage") {
		t.Fatalf("%d %q", code, errs)
	}
}

// TestNoLocaleNoise runs this test binary again under LANG=C.UTF-8 (what
// many containers and services have): Fyne must not log that it cannot
// parse the locale, which it would without localeenv running first.
func TestNoLocaleNoise(t *testing.T) {
	if os.Getenv("TANDEM_LOCALE_CHILD") == "1" {
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestNoLocaleNoise$", "-test.count=1")
	var env []string
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); k != "LANG" && k != "LC_ALL" && k != "LC_MESSAGES" && k != "LANGUAGE" {
			env = append(env, kv)
		}
	}
	cmd.Env = append(env, "LANG=C.UTF-8", "TANDEM_LOCALE_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	if strings.Contains(string(out), "Error parsing user locale") {
		t.Errorf("Fyne complained about the locale:\n%s", out)
	}
}
