// Package backup keeps the automatic backups of Tandem's database in a
// folder: it names them, lists them newest first, decides which to keep (the
// newest of each of the last 7 days with a backup and of each of the 4
// weeks before those) and runs the daily backup while the app runs.
//
// It never copies a database itself: the Scheduler is handed a function
// that writes a consistent copy (store.DB.Backup, VACUUM INTO), so this
// package imports only the standard library and app.
package backup

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/tandem-crm/tandem/app"
)

// File names: the time is UTC, so names sort by age and mean the same in
// every time zone.
const (
	stamp          = "20060102T150405Z"
	autoPrefix     = "tandem-"
	setAsidePrefix = "set-aside-"
	ext            = ".db"
)

// Keep is how many automatic backups Prune keeps.
type Keep struct {
	Daily  int // the newest backup of each of the last Daily days that have one
	Weekly int // and of each of the Weekly ISO weeks before those days
}

// DefaultKeep is 7 daily and 4 weekly backups.
var DefaultKeep = Keep{Daily: 7, Weekly: 4}

// AutomaticName returns the file name of an automatic backup made at t.
func AutomaticName(t time.Time) string { return autoPrefix + t.UTC().Format(stamp) + ext }

// SetAsideName returns the file name for the database set aside by a
// restore at t.
func SetAsideName(t time.Time) string { return setAsidePrefix + t.UTC().Format(stamp) + ext }

// parse reads a backup's kind and time from its file name.
func parse(name string) (app.BackupKind, time.Time, bool) {
	for prefix, kind := range map[string]app.BackupKind{autoPrefix: app.BackupAutomatic, setAsidePrefix: app.BackupSetAside} {
		rest, ok := strings.CutPrefix(name, prefix)
		if !ok {
			continue
		}
		rest, ok = strings.CutSuffix(rest, ext)
		if !ok {
			return "", time.Time{}, false
		}
		t, err := time.Parse(stamp, rest)
		if err != nil {
			return "", time.Time{}, false
		}
		return kind, t, true
	}
	return "", time.Time{}, false
}

// List returns the backups in dir, newest first; a missing dir has none.
// Files that are not named like a backup are left out.
func List(dir string) ([]app.Backup, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("backup: list: %w", &app.Error{Code: app.EUNAVAILABLE, Message: "Cannot read the backups folder.", Err: err})
	}
	var out []app.Backup
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		kind, t, ok := parse(e.Name())
		if !ok {
			continue
		}
		b := app.Backup{Path: filepath.Join(dir, e.Name()), Kind: kind, Time: t}
		if fi, err := e.Info(); err == nil {
			b.Size = fi.Size()
		}
		out = append(out, b)
	}
	slices.SortFunc(out, func(a, b app.Backup) int { return b.Time.Compare(a.Time) })
	return out, nil
}

// Prune returns the automatic backups among bs that Keep k does not keep,
// judging days and weeks in loc. Set-aside databases are always kept.
func Prune(bs []app.Backup, k Keep, loc *time.Location) []app.Backup {
	auto := make([]app.Backup, 0, len(bs))
	for _, b := range bs {
		if b.Kind == app.BackupAutomatic {
			auto = append(auto, b)
		}
	}
	slices.SortFunc(auto, func(a, b app.Backup) int { return b.Time.Compare(a.Time) })
	keep := map[string]bool{}
	days := map[string]bool{}
	weeks := map[string]bool{}
	var oldestDay time.Time
	for _, b := range auto {
		t := b.Time.In(loc)
		day := t.Format("2006-01-02")
		if days[day] || len(days) >= k.Daily {
			continue
		}
		days[day] = true
		keep[b.Path] = true
		oldestDay = time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
	}
	for _, b := range auto {
		t := b.Time.In(loc)
		if keep[b.Path] || !t.Before(oldestDay) {
			continue
		}
		y, w := t.ISOWeek()
		week := fmt.Sprintf("%d-%02d", y, w)
		if weeks[week] || len(weeks) >= k.Weekly {
			continue
		}
		weeks[week] = true
		keep[b.Path] = true
	}
	var drop []app.Backup
	for _, b := range auto {
		if !keep[b.Path] {
			drop = append(drop, b)
		}
	}
	return drop
}

// Scheduler makes an automatic backup once a day while the app runs and
// prunes the old ones.
type Scheduler struct {
	Dir string
	// Backup writes a consistent copy of the database to path.
	Backup func(ctx context.Context, path string) error
	Keep   Keep             // zero: DefaultKeep
	Every  time.Duration    // how often Run looks (zero: one hour)
	Delay  time.Duration    // how long Run waits before its first look (zero: none)
	Now    func() time.Time // zero: time.Now
	Loc    *time.Location   // days and weeks (zero: time.Local)
	Logger *slog.Logger     // zero: slog.Default()
}

func (s *Scheduler) defaults() {
	if s.Keep == (Keep{}) {
		s.Keep = DefaultKeep
	}
	if s.Every <= 0 {
		s.Every = time.Hour
	}
	if s.Now == nil {
		s.Now = time.Now
	}
	if s.Loc == nil {
		s.Loc = time.Local
	}
	if s.Logger == nil {
		s.Logger = slog.Default()
	}
}

// Run calls Once after Delay and then every Every until ctx ends; it
// returns ctx's error. A failed backup is logged and tried again at the
// next look.
func (s *Scheduler) Run(ctx context.Context) error {
	s.defaults()
	if s.Delay > 0 {
		d := time.NewTimer(s.Delay)
		select {
		case <-ctx.Done():
			d.Stop()
			return ctx.Err()
		case <-d.C:
		}
	}
	t := time.NewTicker(s.Every)
	defer t.Stop()
	for {
		if _, err := s.Once(ctx); err != nil && ctx.Err() == nil {
			s.Logger.Error("automatic backup failed", "dir", s.Dir, "err", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// Once makes today's automatic backup unless there is one already, then
// prunes. It returns the new backup's path, "" when none was due.
func (s *Scheduler) Once(ctx context.Context) (string, error) {
	s.defaults()
	bs, err := List(s.Dir)
	if err != nil {
		return "", err
	}
	now := s.Now()
	for _, b := range bs {
		if b.Kind == app.BackupAutomatic && sameDay(b.Time, now, s.Loc) {
			return "", s.prune(bs)
		}
	}
	path := filepath.Join(s.Dir, AutomaticName(now))
	if err := s.Backup(ctx, path); err != nil {
		return "", fmt.Errorf("backup: %w", err)
	}
	s.Logger.Info("automatic backup", "path", path)
	bs, err = List(s.Dir)
	if err != nil {
		return path, err
	}
	return path, s.prune(bs)
}

func (s *Scheduler) prune(bs []app.Backup) error {
	var errs []error
	for _, b := range Prune(bs, s.Keep, s.Loc) {
		if err := os.Remove(b.Path); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("backup: prune: %w", err)
	}
	return nil
}

func sameDay(a, b time.Time, loc *time.Location) bool {
	a, b = a.In(loc), b.In(loc)
	return a.Year() == b.Year() && a.YearDay() == b.YearDay()
}
