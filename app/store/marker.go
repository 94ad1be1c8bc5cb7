package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	gosync "sync"
	"time"

	"github.com/tandem-crm/tandem/app"
)

// The checked marker (issue 17). PRAGMA quick_check reads every page of
// the file: at 50k tickets it made a fresh process's no-change poll 10×
// its 1k time and the window's start 6.6× a minimal Fyne app. A file that
// has not changed since Tandem closed it, checked and sound, does not need
// checking again, so a clean close records beside the file (in
// "<file>-checked") what the file then was:
//
//   - its size and modification time, which Close first sets to a time
//     a second or two in the past (random below the second), so a later
//     write by anything — even in the same clock tick as the close —
//     gives the file another time (on a file system that cannot keep
//     the time to 100 ns no marker is written);
//   - a digest of its 100-byte header (page count, change counter, schema
//     cookie);
//   - and the schema version.
//
// Open skips quick_check only when all of these still match and there is
// no write-ahead log with content (a session that wrote and then crashed
// leaves one; its checkpoints change the time). Anything else — a crash, a
// copy, a restore, another program's write, a stray byte written by a
// failing disk through the file system — runs the check as before. What
// the marker cannot see (a disk that changes bytes without the file
// system knowing) the full integrity_check still finds: the window runs it
// in the background after start, and every backup and export first.

// markerVersion is the marker's format.
const markerVersion = 1

// marker is what "<file>-checked" holds.
type marker struct {
	V      int    `json:"v"`
	Size   int64  `json:"size"`
	MTime  int64  `json:"mtimeNs"`
	Header string `json:"header"` // sha256 of the first 100 bytes, hex
	Schema int    `json:"schema"`
}

func markerPath(path string) string { return path + "-checked" }

// fileState reads what a marker records of the file at path now.
func fileState(path string) (marker, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return marker{}, err
	}
	f, err := os.Open(path)
	if err != nil {
		return marker{}, err
	}
	defer f.Close()
	head := make([]byte, 100)
	if _, err := io.ReadFull(f, head); err != nil {
		return marker{}, err
	}
	sum := sha256.Sum256(head)
	return marker{V: markerVersion, Size: fi.Size(), MTime: fi.ModTime().UnixNano(), Header: hex.EncodeToString(sum[:]), Schema: SchemaVersion()}, nil
}

// walEmpty reports whether the file's write-ahead log is absent or empty.
func walEmpty(path string) bool {
	fi, err := os.Stat(path + "-wal")
	return errors.Is(err, os.ErrNotExist) || (err == nil && fi.Size() == 0)
}

// markerValid reports whether the file at path is as a clean, checked
// close left it.
func markerValid(path string) bool {
	raw, err := os.ReadFile(markerPath(path))
	if err != nil {
		return false
	}
	var m marker
	if json.Unmarshal(raw, &m) != nil || m.V != markerVersion {
		return false
	}
	if !walEmpty(path) {
		return false
	}
	now, err := fileState(path)
	return err == nil && now == m
}

// removeMarker forgets the marker (a write-ahead log that could not be
// emptied, damage, a file that was never checked).
func removeMarker(path string) { _ = os.Remove(markerPath(path)) }

// writeMarker records the closed file at path as checked and sound. It
// first gives the file a modification time no later write can repeat.
func writeMarker(path string) error {
	if !walEmpty(path) {
		return errors.New("the write-ahead log is not empty")
	}
	var r [4]byte
	if _, err := rand.Read(r[:]); err != nil {
		return err
	}
	// A time one to two seconds in the past, in NTFS's 100 ns steps: a
	// later write stamps the file with the time of the write, which is
	// later (unless the clock is set back meanwhile), so it cannot repeat
	// this one.
	ns := int64(binary.LittleEndian.Uint32(r[:])%10_000_000) * 100
	mt := time.Now().Truncate(time.Second).Add(time.Duration(ns) - time.Second)
	if err := os.Chtimes(path, time.Time{}, mt); err != nil {
		return err
	}
	m, err := fileState(path)
	if err != nil {
		return err
	}
	if m.MTime != mt.UnixNano() {
		return errors.New("the file system does not keep the time to 100 ns")
	}
	raw, err := json.Marshal(m)
	if err != nil {
		return err
	}
	tmp := markerPath(path) + ".tmp"
	if err := os.WriteFile(tmp, raw, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, markerPath(path))
}

// How a DB's quick check went at open (for tests and the log).
const (
	checkRan      = "quick_check" // ran at open
	checkSkipped  = "marker"      // the marker said the file is as a checked close left it
	checkDeferred = "deferred"    // Options.DeferCheck: Verify runs it
)

// pendingCheck is a quick check Options.DeferCheck left for later.
type pendingCheck struct {
	once gosync.Once
	err  error
}

// Verify returns the damage the quick check found, running the check
// first when Options.DeferCheck left it for later (once; callers at the
// same time wait for the one run). Writes wait for it too, so nothing is
// written into a file before it is known to be sound. Without a deferred
// check it returns what Open found at once.
func (db *DB) Verify(ctx context.Context) (*app.Damage, error) {
	p := db.pending
	if p == nil {
		return db.Damage(), nil
	}
	p.once.Do(func() {
		// The check is not abandoned half-way: writers wait for its answer.
		ctx := context.WithoutCancel(ctx)
		problems, err := check(ctx, db.read, "quick_check")
		if err != nil {
			p.err = fmt.Errorf("store: quick check: %w", err)
			return
		}
		if len(problems) > 0 {
			d := &app.Damage{Path: db.path, Problems: problems, At: db.now()}
			if d.Tables, err = losses(ctx, db.read); err != nil {
				p.err = fmt.Errorf("store: quick check: %w", err)
				return
			}
			_ = db.markDamaged(d)
			return
		}
		db.sound.Store(true)
	})
	return db.Damage(), p.err
}
