// Package localeenv keeps a "C.UTF-8" locale (the default of many Linux
// containers and services) from being reported as an error by Fyne's
// translations, which read the locale while the program initialises: the
// codeset suffix makes the language "C", which no language tag parses. It
// sets LANGUAGE=en in that case — the same meaning, English messages — so
// it must be initialised before fyne.io/fyne/v2/lang. Go initialises, of
// the packages whose dependencies are ready, the one first by import path;
// this one needs only the standard library and sorts before
// golang.org/x/text, which lang needs, so main's blank import of it is
// enough.
package localeenv

import (
	"os"
	"strings"
)

func init() { Fix(os.Getenv, os.Setenv) }

// Fix sets LANGUAGE to "en" when it is unset and the locale in effect
// (LC_ALL, else LC_MESSAGES, else LANG) is C or POSIX with a codeset.
func Fix(getenv func(string) string, setenv func(string, string) error) {
	if getenv("LANGUAGE") != "" {
		return
	}
	loc := ""
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if loc = getenv(k); loc != "" {
			break
		}
	}
	if strings.HasPrefix(loc, "C.") || strings.HasPrefix(loc, "POSIX.") {
		_ = setenv("LANGUAGE", "en")
	}
}
