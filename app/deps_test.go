package app_test

import (
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/tandem-crm/tandem"

// rule bans imports for the packages under a prefix. Direct bans apply to
// the package's own imports; deep bans to everything it pulls in.
type rule struct {
	pkgs   string // package path prefix (relative to the module), "" = all
	direct []string
	deep   []string
	why    string
}

var rules = []rule{
	{pkgs: "app/", deep: []string{"fyne.io/", module + "/sync", module + "/views", module + "/cmd"}, why: "adapters never import the UI or the sync service (DESIGN §3.2)"},
	{pkgs: "app/store", deep: []string{module + "/app/secrets", module + "/app/notify", "github.com/zalando/", "github.com/gen2brain/"}, why: "adapters never import each other"},
	{pkgs: "app/secrets", deep: []string{module + "/app/store", module + "/app/notify", "modernc.org/"}, why: "adapters never import each other"},
	{pkgs: "app/notify", deep: []string{module + "/app/store", module + "/app/secrets", "modernc.org/"}, why: "adapters never import each other"},
	{pkgs: "sync", deep: []string{"fyne.io/", module + "/views", module + "/app/store", module + "/app/secrets", module + "/app/notify", module + "/cmd", "modernc.org/", "database/sql"}, why: "sync works through app interfaces (DESIGN §3.3)"},
	{pkgs: "sync/desk", deep: []string{module + "/sync/deskemu"}, why: "the client must not lean on the emulator"},
	{pkgs: "views", direct: []string{"database/sql", "net/http", "fyne.io/fyne/v2/app"}, deep: []string{module + "/sync", module + "/app/store", module + "/app/secrets", module + "/app/notify", "modernc.org/"}, why: "views go through app interfaces (DESIGN §3.4)"},
	{pkgs: "", deep: []string{"fyne.io/fyne/v2/app"}, why: "only package main imports fyne.io/fyne/v2/app: it needs cgo/OpenGL (DESIGN §3.5)"},
}

type pkg struct {
	ImportPath string
	Name       string
	Imports    []string
	Deps       []string
	Standard   bool
}

func listPackages(t *testing.T) []pkg {
	t.Helper()
	out, err := exec.Command("go", "list", "-json", module+"/...").Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("go list: %v\n%s", err, ee.Stderr)
		}
		t.Fatalf("go list: %v", err)
	}
	var ps []pkg
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p pkg
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		ps = append(ps, p)
	}
	return ps
}

func under(path, prefix string) bool {
	rel := strings.TrimPrefix(strings.TrimPrefix(path, module), "/")
	if prefix == "" {
		return true
	}
	return rel == strings.TrimSuffix(prefix, "/") && !strings.HasSuffix(prefix, "/") || strings.HasPrefix(rel, strings.TrimSuffix(prefix, "/")+"/")
}

func TestDependencyDirection(t *testing.T) {
	ps := listPackages(t)
	if len(ps) < 3 {
		t.Fatalf("go list found only %d packages", len(ps))
	}
	for _, p := range ps {
		rel := strings.TrimPrefix(strings.TrimPrefix(p.ImportPath, module), "/")
		if strings.HasPrefix(rel, "cmd/") && p.Name == "main" {
			continue // main wires concrete types
		}
		if rel == "app" {
			for _, d := range p.Deps {
				if !isStd(d) {
					t.Errorf("app imports %s: the domain package uses the standard library only (DESIGN §3.1)", d)
				}
			}
		}
		for _, r := range rules {
			if !under(p.ImportPath, r.pkgs) {
				continue
			}
			for _, imp := range p.Imports {
				for _, ban := range r.direct {
					if imp == ban {
						t.Errorf("%s imports %s: %s", rel, imp, r.why)
					}
				}
			}
			for _, d := range p.Deps {
				for _, ban := range r.deep {
					if d == ban || strings.HasPrefix(d, ban) && (strings.HasSuffix(ban, "/") || strings.HasPrefix(d, ban+"/")) {
						t.Errorf("%s depends on %s: %s", rel, d, r.why)
					}
				}
			}
		}
	}
}

func TestUnderRule(t *testing.T) {
	cases := []struct {
		path, prefix string
		want         bool
	}{
		{module + "/sync", "sync", true},
		{module + "/sync/desk", "sync", true},
		{module + "/syncx", "sync", false},
		{module + "/app/store", "app/", true},
		{module + "/app", "app/", false},
		{module + "/views", "", true},
	}
	for _, c := range cases {
		if got := under(c.path, c.prefix); got != c.want {
			t.Errorf("under(%s, %q) = %v", c.path, c.prefix, got)
		}
	}
}

func isStd(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".") && path != module && !strings.HasPrefix(path, module+"/")
}
