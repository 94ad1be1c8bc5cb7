//go:build !windows && !darwin

package autostart

import (
	"os"
	"path/filepath"
	"testing"
)

// TestXDGWrittenAndRemoved switches the login item on and off in a
// temporary home and looks at the file itself.
func TestXDGWrittenAndRemoved(t *testing.T) {
	home := t.TempDir()
	it := item(home)
	path := filepath.Join(home, ".config", "autostart", "com.tandemcrm.tandem.desktop")
	if on, err := it.Enabled(); on || err != nil {
		t.Fatalf("enabled at first: %v %v", on, err)
	}
	if err := it.SetEnabled(true); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("no autostart file: %v", err)
	}
	if string(b) != it.desktopEntry() {
		t.Errorf("file:\n%s", b)
	}
	if on, err := it.Enabled(); !on || err != nil {
		t.Errorf("enabled after on: %v %v", on, err)
	}
	// A desktop's own switch (Hidden=true) counts as off.
	os.WriteFile(path, []byte("[Desktop Entry]\nType=Application\nHidden=true\n"), 0o600)
	if on, _ := it.Enabled(); on {
		t.Error("Hidden=true counted as on")
	}
	if err := it.SetEnabled(false); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("file still there: %v", err)
	}
	if err := it.SetEnabled(false); err != nil {
		t.Errorf("off twice: %v", err)
	}
}

// XDG_CONFIG_HOME is honoured when no Home is given.
func TestXDGConfigHome(t *testing.T) {
	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	it := item("")
	if err := it.SetEnabled(true); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(cfg, "autostart", "com.tandemcrm.tandem.desktop")); err != nil {
		t.Error(err)
	}
	it.SetEnabled(false)
}
