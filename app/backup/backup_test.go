package backup

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/tandem-crm/tandem/app"
)

var tokyo = time.FixedZone("JST", 9*3600)

func at(day, hour int) time.Time {
	return time.Date(2026, 11, day, hour, 0, 0, 0, tokyo)
}

func autos(ts ...time.Time) []app.Backup {
	var bs []app.Backup
	for _, t := range ts {
		bs = append(bs, app.Backup{Path: AutomaticName(t), Kind: app.BackupAutomatic, Time: t.UTC()})
	}
	return bs
}

func names(bs []app.Backup) []string {
	var out []string
	for _, b := range bs {
		out = append(out, b.Path)
	}
	slices.Sort(out)
	return out
}

func TestPrune(t *testing.T) {
	// 2026-11-30 is a Monday.
	var daily []time.Time
	for d := 1; d <= 30; d++ {
		daily = append(daily, at(d, 10))
	}
	cases := []struct {
		name string
		bs   []app.Backup
		want []string // dropped
	}{
		{"few", autos(at(1, 10), at(2, 10)), nil},
		{"two on one day keep the newer", autos(at(3, 8), at(3, 20)), []string{AutomaticName(at(3, 8))}},
		{
			// Days 24–30 are the 7 daily (the 24th is a Tuesday of ISO week
			// 48); before them, the newest of each of four weeks: the 23rd
			// (week 48), 22nd (47), 15th (46) and 8th (45).
			"thirty days", autos(daily...),
			func() []string {
				keep := map[int]bool{24: true, 25: true, 26: true, 27: true, 28: true, 29: true, 30: true, 23: true, 22: true, 15: true, 8: true}
				var out []string
				for d := 1; d <= 30; d++ {
					if !keep[d] {
						out = append(out, AutomaticName(at(d, 10)))
					}
				}
				return out
			}(),
		},
		{
			// Tandem was not run for weeks: the last 7 days with a backup
			// are kept however old they are.
			"gaps", autos(at(1, 9), at(2, 9), at(9, 9), at(10, 9), at(20, 9), at(21, 9), at(28, 9), at(29, 9)),
			nil,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := names(Prune(c.bs, DefaultKeep, tokyo))
			want := slices.Clone(c.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("dropped %v\nwant    %v", got, want)
			}
		})
	}
	// Set-aside databases are never dropped, however many.
	bs := autos(daily...)
	for d := 1; d <= 30; d++ {
		bs = append(bs, app.Backup{Path: SetAsideName(at(d, 11)), Kind: app.BackupSetAside, Time: at(d, 11)})
	}
	for _, b := range Prune(bs, DefaultKeep, tokyo) {
		if b.Kind != app.BackupAutomatic {
			t.Errorf("dropped %s", b.Path)
		}
	}
}

// The day boundary is the user's, not UTC's: 08:00 and 10:00 in Tokyo on
// one date are one day although UTC sees two.
func TestPruneUsesLocalDays(t *testing.T) {
	got := Prune(autos(at(5, 8), at(5, 10)), DefaultKeep, tokyo)
	if len(got) != 1 || got[0].Path != AutomaticName(at(5, 8)) {
		t.Errorf("dropped %v", names(got))
	}
}

func TestNamesParse(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 30, 15, 0, time.UTC)
	for _, c := range []struct {
		name string
		kind app.BackupKind
	}{{AutomaticName(now), app.BackupAutomatic}, {SetAsideName(now), app.BackupSetAside}} {
		k, tm, ok := parse(c.name)
		if !ok || k != c.kind || !tm.Equal(now) {
			t.Errorf("parse(%s) = %v %v %v", c.name, k, tm, ok)
		}
	}
	for _, bad := range []string{"tandem.db", "tandem-2026.db", "set-aside-20261201T093015Z.db-wal", "notes.txt", "tandem-20261201T093015Z.db.part-1234"} {
		if _, _, ok := parse(bad); ok {
			t.Errorf("parse(%s) ok", bad)
		}
	}
}

func TestSchedulerOnce(t *testing.T) {
	dir := t.TempDir()
	now := at(10, 12)
	var made []string
	s := &Scheduler{
		Dir: dir, Loc: tokyo, Now: func() time.Time { return now },
		Backup: func(ctx context.Context, path string) error {
			made = append(made, path)
			return os.WriteFile(path, []byte("db"), 0o600)
		},
	}
	ctx := context.Background()
	p, err := s.Once(ctx)
	if err != nil || p == "" {
		t.Fatalf("first look: %q %v", p, err)
	}
	now = at(10, 18) // later the same day: nothing due
	if p, err := s.Once(ctx); err != nil || p != "" {
		t.Fatalf("same day: %q %v", p, err)
	}
	for d := 11; d <= 30; d++ { // three weeks of daily use
		now = at(d, 9)
		if _, err := s.Once(ctx); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(dir, SetAsideName(at(12, 9))), []byte("old"), 0o600)
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o600)
	now = at(2, 9).AddDate(0, 1, 0) // 2 December
	if _, err := s.Once(ctx); err != nil {
		t.Fatal(err)
	}
	bs, err := List(dir)
	if err != nil {
		t.Fatal(err)
	}
	var auto int
	for i, b := range bs {
		if i > 0 && b.Time.After(bs[i-1].Time) {
			t.Errorf("not newest first: %v", names(bs))
		}
		if b.Kind == app.BackupAutomatic {
			auto++
		}
	}
	if auto > 11 || auto < 7 {
		t.Errorf("%d automatic backups kept, want 7 daily + up to 4 weekly: %v", auto, names(bs))
	}
	if _, err := os.Stat(filepath.Join(dir, SetAsideName(at(12, 9)))); err != nil {
		t.Error("the set-aside database was pruned")
	}
	if _, err := os.Stat(filepath.Join(dir, "notes.txt")); err != nil {
		t.Error("a file that is not a backup was removed")
	}
	if len(made) != 22 {
		t.Errorf("%d backups made, want one a day (22)", len(made))
	}
}

func TestSchedulerFailureIsReported(t *testing.T) {
	s := &Scheduler{Dir: t.TempDir(), Backup: func(context.Context, string) error { return errors.New("disk full") }}
	if _, err := s.Once(context.Background()); err == nil {
		t.Fatal("a failed backup reported success")
	}
	if bs, _ := List(s.Dir); len(bs) != 0 {
		t.Errorf("listed %v", names(bs))
	}
}

func TestListMissingFolder(t *testing.T) {
	bs, err := List(filepath.Join(t.TempDir(), "none"))
	if err != nil || len(bs) != 0 {
		t.Errorf("%v %v", bs, err)
	}
}

// TestSchedulerDelay: Run makes no backup before Delay (the window's
// first seconds, issue 17) and one after it.
func TestSchedulerDelay(t *testing.T) {
	made := make(chan string, 1)
	s := &Scheduler{Dir: t.TempDir(), Delay: time.Hour, Backup: func(_ context.Context, p string) error {
		made <- p
		return os.WriteFile(p, []byte("x"), 0o600)
	}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	cancel()
	<-done
	if len(made) != 0 {
		t.Fatal("a backup was made before the delay")
	}
	s.Delay = time.Millisecond
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	go func() { done <- s.Run(ctx) }()
	<-made // after the delay
	cancel()
	<-done
}
