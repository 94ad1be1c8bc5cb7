package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestImportable: `tandem FILE` opens Import… only for an existing file of
// a kind Import reads; anything else stays a command (and is refused as an
// unknown one).
func TestImportable(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"a.csv", "b.XLSX", "c.vcf", "d.tsv", "e.txt", "f.pdf"} {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for arg, want := range map[string]bool{
		filepath.Join(dir, "a.csv"):       true,
		filepath.Join(dir, "b.XLSX"):      true,
		filepath.Join(dir, "c.vcf"):       true,
		filepath.Join(dir, "d.tsv"):       true,
		filepath.Join(dir, "e.txt"):       true,
		filepath.Join(dir, "f.pdf"):       false,
		filepath.Join(dir, "missing.csv"): false,
		dir + "/":                         false,
		"contacts":                        false,
		"sample":                          false,
	} {
		if got := importable(arg); got != want {
			t.Errorf("importable(%q) = %v, want %v", arg, got, want)
		}
	}
}
