//go:build !windows && !darwin

package autostart

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
)

// path is $XDG_CONFIG_HOME/autostart/<id>.desktop.
func (it *Item) path() (string, error) {
	cfg := os.Getenv("XDG_CONFIG_HOME")
	if it.Home != "" {
		cfg = filepath.Join(it.Home, ".config")
	}
	if cfg == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", err
		}
		cfg = filepath.Join(home, ".config")
	}
	return filepath.Join(cfg, "autostart", it.ID+".desktop"), nil
}

func (it *Item) enabled() (bool, error) {
	p, err := it.path()
	if err != nil {
		return false, err
	}
	b, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	// A desktop may switch an entry off instead of deleting it.
	s := string(b)
	return !strings.Contains(s, "\nHidden=true") && !strings.Contains(s, "X-GNOME-Autostart-enabled=false"), nil
}

func (it *Item) enable() error {
	p, err := it.path()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return err
	}
	tmp := p + ".tmp"
	if err := os.WriteFile(tmp, []byte(it.desktopEntry()), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, p)
}

func (it *Item) disable() error {
	p, err := it.path()
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}
