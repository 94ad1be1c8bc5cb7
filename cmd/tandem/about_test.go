package main

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/tandem-crm/tandem/cmd/tandem/internal/licenses"
)

// TestLicencesAreCurrent: the embedded licence file names every module
// the build links on each platform (go generate ./cmd/tandem refreshes it).
func TestLicencesAreCurrent(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
	want, err := licenses.Generate("../..", "./cmd/tandem", "migrated_fynedo")
	if err != nil {
		t.Fatal(err)
	}
	if thirdPartyLicenses != want {
		t.Fatal("cmd/tandem/third_party_licenses.txt is out of date: run `go generate ./cmd/tandem`")
	}
	for _, m := range []string{"fyne.io/fyne/v2", "modernc.org/sqlite", "github.com/zalando/go-keyring", "LICENSE-SQLITE", "The Go programming language"} {
		if !strings.Contains(thirdPartyLicenses, m) {
			t.Errorf("licences lack %s", m)
		}
	}
}

func TestVersionFlag(t *testing.T) {
	code, out, _ := tandem(t, t.TempDir(), "--version")
	if code != 0 || !strings.HasPrefix(out, "Tandem "+version) || !strings.Contains(out, "go1.") {
		t.Errorf("--version: %d %q", code, out)
	}
}
