//go:build darwin

package autostart

import (
	"errors"
	"os"
	"path/filepath"
)

// path is ~/Library/LaunchAgents/<id>.plist; launchd reads it at the next
// login (RunAtLoad), so nothing has to be loaded now.
func (it *Item) path() (string, error) {
	home := it.Home
	if home == "" {
		h, err := os.UserHomeDir()
		if err != nil {
			return "", err
		}
		home = h
	}
	return filepath.Join(home, "Library", "LaunchAgents", it.ID+".plist"), nil
}

func (it *Item) enabled() (bool, error) {
	p, err := it.path()
	if err != nil {
		return false, err
	}
	_, err = os.Stat(p)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}

func (it *Item) enable() error {
	p, err := it.path()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	tmp := p + ".tmp"
	if err := os.WriteFile(tmp, []byte(it.launchAgent()), 0o644); err != nil {
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
