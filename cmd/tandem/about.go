package main

import (
	_ "embed"
	"fmt"
	"runtime"
	"runtime/debug"
)

//go:generate go run ./internal/licenses/gen -C ../.. -o third_party_licenses.txt

// thirdPartyLicenses are the licence texts of every module in the build
// (Help › About › Third-party licences; the .deb ships them as its
// copyright file). A test fails when they are out of date.
//
//go:embed third_party_licenses.txt
var thirdPartyLicenses string

// version is Tandem's version; packaging sets it from FyneApp.toml with
// -ldflags "-X main.version=…".
var version = "0.1.0-dev"

// versionString is the version with the commit it was built from, when
// the build recorded one.
func versionString() string {
	v := version
	if bi, ok := debug.ReadBuildInfo(); ok {
		var rev, dirty string
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				if s.Value == "true" {
					dirty = "+changes"
				}
			}
		}
		if len(rev) > 7 {
			v += " (" + rev[:7] + dirty + ")"
		}
	}
	return v
}

// versionLine is what `tandem --version` prints.
func versionLine() string {
	return fmt.Sprintf("Tandem %s, %s %s/%s", versionString(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
