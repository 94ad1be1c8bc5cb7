package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/tandem-crm/tandem/app"
)

// This file makes and restores backups of the database. A live WAL
// database is never copied as a file: a backup is VACUUM INTO on a
// connection of its own, which reads one consistent snapshot (writers go
// on meanwhile) and writes a compact, self-contained file without a WAL.

// BackupInfo is what CheckBackup found in a backup file.
type BackupInfo struct {
	SchemaVersion int
	Contacts      int
	Companies     int
	Records       int
}

// Backup writes a consistent copy of the database to dest, replacing an
// existing file only once the copy is complete and has passed PRAGMA
// integrity_check. Neither the writer connection nor the read pool is
// held meanwhile, so the sync service and the screens go on.
func (db *DB) Backup(ctx context.Context, dest string) error {
	if err := writeBackup(ctx, db.path, dest); err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	return nil
}

// writeBackup copies the database at src to dest with VACUUM INTO (through
// a temporary file beside dest, then a rename) and checks the copy.
func writeBackup(ctx context.Context, src, dest string) error {
	dest, err := filepath.Abs(dest)
	if err != nil {
		return err
	}
	if same(src, dest) {
		return app.Errorf(app.EINVALID, "A backup cannot replace the database itself; choose another file.")
	}
	if err := os.MkdirAll(filepath.Dir(dest), 0o700); err != nil {
		return &app.Error{Code: app.EINVALID, Message: "Cannot create the folder for the backup.", Err: err}
	}
	tmp := dest + ".part-" + randomSuffix()
	defer os.Remove(tmp)
	conn, err := openRaw(src, true)
	if err != nil {
		return err
	}
	_, err = conn.ExecContext(ctx, "VACUUM INTO ?", tmp)
	conn.Close()
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return backupWriteError(dest, err)
	}
	if _, err := CheckBackup(ctx, tmp); err != nil {
		return fmt.Errorf("the new backup failed its check: %w", err)
	}
	if err := syncFile(tmp); err != nil {
		return backupWriteError(dest, err)
	}
	if err := os.Rename(tmp, dest); err != nil {
		return backupWriteError(dest, err)
	}
	return nil
}

func backupWriteError(dest string, err error) error {
	return &app.Error{Code: app.EINVALID, Message: "Cannot write the backup: is the disk full, or the folder read-only?", Err: fmt.Errorf("%s: %w", dest, err)}
}

// CheckBackup opens the file at path read-only and checks that it is a
// Tandem database this program can use: PRAGMA integrity_check passes and
// its schema is not newer than this program's. It never writes to path.
func CheckBackup(ctx context.Context, path string) (BackupInfo, error) {
	var info BackupInfo
	if st, err := os.Stat(path); err != nil {
		return info, &app.Error{Code: app.EINVALID, Message: "Cannot open the backup file.", Err: err}
	} else if st.IsDir() {
		return info, &app.Error{Code: app.EINVALID, Message: "That is a folder, not a backup file.", Err: errors.New(path)}
	}
	conn, err := openRaw(path, true)
	if err != nil {
		return info, err
	}
	defer conn.Close()
	notOurs := &app.Error{Code: app.EINVALID, Message: "This file is not a Tandem backup.", Err: errors.New(path)}
	if err := conn.QueryRowContext(ctx, "PRAGMA user_version").Scan(&info.SchemaVersion); err != nil {
		notOurs.Err = err
		return info, notOurs
	}
	switch latest := SchemaVersion(); {
	case info.SchemaVersion == 0:
		return info, notOurs
	case info.SchemaVersion > latest:
		return info, &app.Error{Code: app.EINVALID, Message: "The backup was made by a newer version of Tandem. Update Tandem to restore it.",
			Err: fmt.Errorf("%s: schema %d, this version knows %d", path, info.SchemaVersion, latest)}
	}
	rows, err := conn.QueryContext(ctx, "PRAGMA integrity_check")
	if err != nil {
		return info, damaged(path, err)
	}
	var problems []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			rows.Close()
			return info, damaged(path, err)
		}
		if s != "ok" {
			problems = append(problems, s)
		}
	}
	if err := rows.Err(); err != nil {
		rows.Close()
		return info, damaged(path, err)
	}
	rows.Close()
	if len(problems) > 0 {
		return info, damaged(path, errors.New(strings.Join(problems, "; ")))
	}
	err = conn.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM contacts), (SELECT count(*) FROM companies),
		(SELECT count(*) FROM pipeline_records)`).Scan(&info.Contacts, &info.Companies, &info.Records)
	if err != nil {
		notOurs.Err = err
		return info, notOurs
	}
	return info, nil
}

func damaged(path string, err error) error {
	return &app.Error{Code: app.EINVALID, Message: "The backup is damaged and cannot be restored.", Err: fmt.Errorf("%s: %w", path, err)}
}

// Restore replaces the database at dbPath with the backup at backupPath.
// The database must not be open in this process (the caller holds the
// data folder's instance lock). The backup is checked first; the current
// database (with its -wal and -shm files) is then renamed to aside — never
// copied, so even a damaged database is kept as it was — and a fresh copy
// of the backup takes its place and is opened once, which brings an older
// backup's schema up to date. Any failure after the rename puts the old
// database back. The backup file itself is never changed.
func Restore(ctx context.Context, dbPath, backupPath, aside string) error {
	dbPath, err := filepath.Abs(dbPath)
	if err != nil {
		return fmt.Errorf("store: restore: %w", err)
	}
	if same(dbPath, backupPath) {
		return fmt.Errorf("store: restore: %w", app.Errorf(app.EINVALID, "That file is the database itself; choose a backup."))
	}
	if _, err := CheckBackup(ctx, backupPath); err != nil {
		return fmt.Errorf("store: restore: %w", err)
	}
	tmp := dbPath + ".restoring-" + randomSuffix()
	defer removeDB(tmp) //nolint:errcheck // best effort: a leftover temporary file
	if err := writeBackup(ctx, backupPath, tmp); err != nil {
		return fmt.Errorf("store: restore: %w", err)
	}
	moved, err := moveDB(dbPath, aside)
	if err != nil {
		return fmt.Errorf("store: restore: %w", &app.Error{Code: app.EUNAVAILABLE,
			Message: "Cannot set the current database aside: is Tandem still open somewhere?", Err: err})
	}
	undo := func(cause error) error {
		removeDB(dbPath)
		if moved {
			if _, err := moveDB(aside, dbPath); err != nil {
				return fmt.Errorf("store: restore: %w (and putting the old database back failed: %v; it is at %s)", cause, err, aside)
			}
		}
		return fmt.Errorf("store: restore: %w", cause)
	}
	if err := os.Rename(tmp, dbPath); err != nil {
		return undo(err)
	}
	db, err := Open(ctx, dbPath)
	if err != nil {
		return undo(err)
	}
	if err := db.Close(); err != nil {
		return undo(err)
	}
	return nil
}

// moveDB renames a database file with its -wal and -shm companions (SQLite
// finds them by name, so they must travel together). It reports whether
// there was a database to move.
func moveDB(from, to string) (bool, error) {
	if _, err := os.Stat(from); errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o700); err != nil {
		return false, err
	}
	if _, err := os.Stat(to); err == nil {
		return false, fmt.Errorf("%s already exists", to)
	}
	if err := os.Rename(from, to); err != nil {
		return false, err
	}
	for _, sfx := range []string{"-wal", "-shm"} {
		if err := os.Rename(from+sfx, to+sfx); err != nil && !errors.Is(err, os.ErrNotExist) {
			return true, err
		}
	}
	return true, nil
}

// openRaw opens one plain connection on path, outside any DB's pools.
func openRaw(path string, readOnly bool) (*sql.DB, error) {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(5000)")
	if readOnly {
		q.Set("mode", "ro")
	}
	conn, err := sql.Open("sqlite", dsn(path, q))
	if err != nil {
		return nil, err
	}
	conn.SetMaxOpenConns(1)
	return conn, nil
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// same reports whether two paths name one file.
func same(a, b string) bool {
	sa, err1 := os.Stat(a)
	sb, err2 := os.Stat(b)
	if err1 == nil && err2 == nil {
		return os.SameFile(sa, sb)
	}
	aa, _ := filepath.Abs(a)
	ab, _ := filepath.Abs(b)
	return aa == ab
}

func randomSuffix() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
