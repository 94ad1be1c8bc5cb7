// Package autostart starts Tandem when the user logs in: an XDG autostart
// entry on Linux and the BSDs (~/.config/autostart), a value under the
// Run key of the user's registry on Windows, a LaunchAgent on macOS
// (~/Library/LaunchAgents). Each is per user and needs no administrator.
// The platform parts are behind build tags; the text of each file is
// built by a plain function here, so every platform's content is tested
// on any machine.
package autostart

import (
	"fmt"
	"strings"

	"github.com/tandem-crm/tandem/app"
)

var _ app.LoginItem = (*Item)(nil)

// Item is Tandem's login item.
type Item struct {
	ID   string   // reverse-DNS app id, e.g. com.tandemcrm.tandem
	Name string   // shown to people, e.g. Tandem
	Exe  string   // absolute path of the program
	Args []string // e.g. --hidden --data-dir DIR
	// Home replaces the user's home and config folders (tests); "" means
	// the real ones.
	Home string
}

// Enabled reports whether the login item exists.
func (it *Item) Enabled() (bool, error) {
	on, err := it.enabled()
	if err != nil {
		return false, fmt.Errorf("autostart: %w", &app.Error{Code: app.EUNAVAILABLE, Message: "Cannot tell whether Tandem starts when you log in.", Err: err})
	}
	return on, nil
}

// SetEnabled adds or removes the login item.
func (it *Item) SetEnabled(on bool) error {
	var err error
	if on {
		err = it.enable()
	} else {
		err = it.disable()
	}
	if err != nil {
		return fmt.Errorf("autostart: %w", &app.Error{Code: app.EUNAVAILABLE, Message: "Cannot change whether Tandem starts when you log in.", Err: err})
	}
	return nil
}

// desktopEntry is the XDG autostart file.
func (it *Item) desktopEntry() string {
	exec := []string{desktopQuote(it.Exe)}
	for _, a := range it.Args {
		exec = append(exec, desktopQuote(a))
	}
	return "[Desktop Entry]\nType=Application\nName=" + it.Name + "\nExec=" + strings.Join(exec, " ") +
		"\nIcon=" + it.ID + "\nX-GNOME-Autostart-enabled=true\nHidden=false\nNoDisplay=false\nTerminal=false\n"
}

// desktopQuote quotes one Exec argument as the Desktop Entry
// Specification asks: in double quotes when it has reserved characters,
// with ", `, $ and \ escaped; % is always doubled.
func desktopQuote(s string) string {
	s = strings.ReplaceAll(s, "%", "%%")
	if s != "" && !strings.ContainsAny(s, " \t\n\"'\\><~|&;$*?#()`=") {
		return s
	}
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "`", "\\`", `$`, `\$`)
	return `"` + r.Replace(s) + `"`
}

// launchAgent is the macOS LaunchAgent property list.
func (it *Item) launchAgent() string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>Label</key>
	<string>` + xmlEscape(it.ID) + `</string>
	<key>ProgramArguments</key>
	<array>
`)
	for _, a := range append([]string{it.Exe}, it.Args...) {
		b.WriteString("\t\t<string>" + xmlEscape(a) + "</string>\n")
	}
	b.WriteString(`	</array>
	<key>RunAtLoad</key>
	<true/>
	<key>ProcessType</key>
	<string>Interactive</string>
</dict>
</plist>
`)
	return b.String()
}

func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;").Replace(s)
}

// runValue is the command line stored under the Windows Run key.
func (it *Item) runValue() string {
	parts := []string{windowsQuote(it.Exe)}
	for _, a := range it.Args {
		parts = append(parts, windowsQuote(a))
	}
	return strings.Join(parts, " ")
}

// windowsQuote quotes one argument the way CommandLineToArgvW reads it
// (the rules of syscall.EscapeArg, which exists only on Windows).
func windowsQuote(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\"") {
		return s
	}
	b := []byte{'"'}
	slashes := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '\\':
			slashes++
		case '"':
			for ; slashes > 0; slashes-- {
				b = append(b, '\\')
			}
			b = append(b, '\\')
		default:
			slashes = 0
		}
		b = append(b, c)
	}
	for ; slashes > 0; slashes-- {
		b = append(b, '\\')
	}
	return string(append(b, '"'))
}
