package filecache

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestSafeName(t *testing.T) {
	for in, want := range map[string]string{
		"../../etc/passwd":               "passwd",
		`..\..\boot.ini`:                 "boot.ini",
		".bashrc":                        "bashrc",
		"report\u202egnp.exe":            "report_gnp.exe",
		"a\x00b.txt":                     "a_b.txt",
		"CON.txt":                        "_CON.txt",
		"":                               "file",
		"..":                             "file",
		"請求書 2291.pdf":                   "請求書 2291.pdf",
		strings.Repeat("é", 80) + ".pdf": strings.Repeat("é", 48) + ".pdf",
	} {
		if got := SafeName(in); got != want {
			t.Errorf("SafeName(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestCacheSurvivesAndEvicts: a file put is found again by a new Cache on
// the same folder (a restart); over the cap, the least recently used
// goes first, never the file just put.
func TestCacheSurvivesAndEvicts(t *testing.T) {
	dir := t.TempDir()
	c := New(dir, 10)
	clock := time.Unix(1_700_000_000, 0)
	c.now = func() time.Time { clock = clock.Add(time.Minute); return clock }
	pa, err := c.Put("a", "../a.txt", []byte("aaaa"))
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(filepath.Dir(pa)) != dir || filepath.Base(pa) != "a.txt" {
		t.Fatalf("path %s is not inside %s", pa, dir)
	}
	if _, err := c.Put("b", "b.txt", []byte("bbbb")); err != nil {
		t.Fatal(err)
	}
	if _, ok := c.Get("a"); !ok { // a is now used more recently than b
		t.Fatal("a not cached")
	}
	if _, err := c.Put("c", "c.txt", []byte("cccc")); err != nil {
		t.Fatal(err)
	}
	re := New(dir, 10)
	if _, ok := re.Get("b"); ok {
		t.Error("b, the least recently used, was kept")
	}
	for _, k := range []string{"a", "c"} {
		p, ok := re.Get(k)
		if !ok {
			t.Errorf("%s lost", k)
			continue
		}
		if b, _ := os.ReadFile(p); string(b) != strings.Repeat(k, 4) {
			t.Errorf("%s holds %q", k, b)
		}
	}
	if _, err := c.Put("big", "big.bin", make([]byte, 11)); err == nil {
		t.Error("a file larger than the cap was accepted")
	}
}
