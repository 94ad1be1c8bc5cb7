// Package licenses collects the licence texts of every module linked into
// Tandem on Windows, macOS and Linux (go list -deps over each), plus Go's
// own, into one text file that the build embeds and Help › About shows.
// A small generator rather than a tool such as go-licenses: that needs
// its own install and classifies licences, while all we need is to ship
// each module's own files. `go generate ./cmd/tandem` runs it; a test
// fails when the embedded file is out of date.
package licenses

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// Platforms are the GOOS values Tandem ships for.
var Platforms = []string{"linux", "windows", "darwin"}

type module struct{ path, version, dir string }

// Generate returns the licence file for the main package pkg (e.g.
// "./cmd/tandem") built with tags, run from the module's root dir.
func Generate(dir, pkg, tags string) (string, error) {
	mods := map[string]module{}
	for _, goos := range Platforms {
		cmd := exec.Command("go", "list", "-deps", "-tags", tags,
			"-f", "{{with .Module}}{{if not .Main}}{{.Path}} {{.Version}} {{.Dir}}{{end}}{{end}}", pkg)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOOS="+goos, "GOARCH=amd64", "CGO_ENABLED=1", "GOFLAGS=-mod=mod")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			return "", fmt.Errorf("licenses: go list for %s: %v\n%s", goos, err, stderr.String())
		}
		sc := bufio.NewScanner(bytes.NewReader(out))
		for sc.Scan() {
			f := strings.SplitN(sc.Text(), " ", 3)
			if len(f) != 3 {
				continue
			}
			mods[f[0]] = module{path: f[0], version: f[1], dir: f[2]}
		}
	}
	paths := make([]string, 0, len(mods))
	for p := range mods {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	var b strings.Builder
	b.WriteString("Third-party software in Tandem\n\nTandem is built from the Go standard library and the modules below; each is\nused under its own licence, reproduced here as the module ships it.\n")
	goroot, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		return "", fmt.Errorf("licenses: go env GOROOT: %w", err)
	}
	goLicence, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(goroot)), "LICENSE"))
	if err != nil {
		return "", fmt.Errorf("licenses: Go's licence: %w", err)
	}
	section(&b, "The Go programming language and standard library", []string{"LICENSE"}, [][]byte{goLicence})
	for _, p := range paths {
		m := mods[p]
		names, texts, err := licenceFiles(m.dir)
		if err != nil {
			return "", err
		}
		if len(names) == 0 {
			return "", fmt.Errorf("licenses: %s %s ships no licence file in %s", m.path, m.version, m.dir)
		}
		section(&b, m.path+" "+m.version, names, texts)
	}
	return b.String(), nil
}

func section(b *strings.Builder, title string, names []string, texts [][]byte) {
	for i, name := range names {
		b.WriteString("\n" + strings.Repeat("=", 78) + "\n" + title + " — " + name + "\n" + strings.Repeat("=", 78) + "\n\n")
		b.WriteString(strings.TrimSpace(strings.ReplaceAll(string(texts[i]), "\r\n", "\n")) + "\n")
	}
}

// licenceFiles reads the licence and notice files at a module's root.
func licenceFiles(dir string) ([]string, [][]byte, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("licenses: %w", err)
	}
	var names []string
	var texts [][]byte
	for _, e := range entries {
		n := strings.ToUpper(e.Name())
		if e.IsDir() || !(strings.HasPrefix(n, "LICENSE") || strings.HasPrefix(n, "LICENCE") || strings.HasPrefix(n, "COPYING") || strings.HasPrefix(n, "NOTICE") || strings.HasPrefix(n, "UNLICENSE")) {
			continue
		}
		t, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, nil, fmt.Errorf("licenses: %w", err)
		}
		names = append(names, e.Name())
		texts = append(texts, t)
	}
	return names, texts, nil
}
