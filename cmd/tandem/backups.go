package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/app/backup"
	"github.com/tandem-crm/tandem/app/instance"
	"github.com/tandem-crm/tandem/app/store"
)

// This file wires backups: the folder they live in, the app.BackupService
// of Settings › Backups, `tandem backup [FILE]`, `tandem restore FILE` and
// restoring the newest good backup (for a database that no longer opens).

// backupsDir is where the automatic backups and set-aside databases are.
func backupsDir(dataDir string) string { return filepath.Join(dataDir, "backups") }

// backupService is app.BackupService on the open database; restore hands
// the chosen file to the session, which restarts on it.
type backupService struct {
	db      *store.DB
	dataDir string
	restore func(ctx context.Context, path string) error
}

var _ app.BackupService = (*backupService)(nil)

func (b *backupService) Folder() string { return backupsDir(b.dataDir) }

func (b *backupService) ListBackups(ctx context.Context) ([]app.Backup, error) {
	return backup.List(b.Folder())
}

func (b *backupService) BackUp(ctx context.Context, path string) (app.Backup, error) {
	if err := b.db.Backup(ctx, path); err != nil {
		return app.Backup{}, err
	}
	out := app.Backup{Path: path, Time: time.Now()}
	if fi, err := os.Stat(path); err == nil {
		out.Size = fi.Size()
	}
	return out, nil
}

func (b *backupService) Restore(ctx context.Context, path string) error {
	return b.restore(ctx, path)
}

// setAsidePath is where a restore now puts the current database.
func setAsidePath(dataDir string) string {
	return filepath.Join(backupsDir(dataDir), backup.SetAsideName(time.Now()))
}

// restoreFile restores the database of dataDir from path, setting the
// current one aside; the caller holds the folder. It returns the path the
// current database was moved to ("" when there was none).
func restoreFile(ctx context.Context, dataDir, path string) (string, error) {
	dbFile, err := dbPath(dataDir)
	if err != nil {
		return "", err
	}
	aside := setAsidePath(dataDir)
	if err := store.Restore(ctx, dbFile, path, aside); err != nil {
		return "", err
	}
	if _, err := os.Stat(aside); err != nil {
		aside = ""
	}
	return aside, nil
}

// RestoreLatestGood restores the newest backup of dataDir that passes its
// check, setting the current (e.g. damaged) database aside. The caller
// holds the folder and has the database closed. It returns the backup
// used and where the old database went; ENOTFOUND when no backup is good.
func RestoreLatestGood(ctx context.Context, dataDir string) (used app.Backup, aside string, err error) {
	bs, err := backup.List(backupsDir(dataDir))
	if err != nil {
		return app.Backup{}, "", err
	}
	var reasons []error
	for _, b := range bs {
		if _, err := store.CheckBackup(ctx, b.Path); err != nil {
			reasons = append(reasons, err)
			continue
		}
		aside, err := restoreFile(ctx, dataDir, b.Path)
		if err != nil {
			return app.Backup{}, "", err
		}
		return b, aside, nil
	}
	return app.Backup{}, "", &app.Error{Code: app.ENOTFOUND, Message: "There is no good backup to restore.", Err: errors.Join(reasons...)}
}

// backupCmd is `tandem backup [FILE]`: a consistent copy of the database,
// beside a running window too (it only reads). Without FILE it goes into
// the backups folder as today's automatic backup would.
func backupCmd(ctx context.Context, dataDir string, args []string, out func(string)) error {
	if len(args) > 1 {
		return errUsage
	}
	dbFile, err := dbPath(dataDir)
	if err != nil {
		return err
	}
	if _, err := os.Stat(dbFile); err != nil {
		return app.Errorf(app.ENOTFOUND, "There is no database in %s to back up.", dataDir)
	}
	dest := filepath.Join(backupsDir(dataDir), backup.AutomaticName(time.Now()))
	if len(args) == 1 {
		dest = args[0]
	}
	db, err := store.Open(ctx, dbFile)
	if err != nil {
		return err
	}
	defer db.Close()
	start := time.Now()
	if err := db.Backup(ctx, dest); err != nil {
		return err
	}
	info, err := store.CheckBackup(ctx, dest)
	if err != nil {
		return err
	}
	fi, _ := os.Stat(dest)
	var size int64
	if fi != nil {
		size = fi.Size()
	}
	out(fmt.Sprintf("backed up %d contacts, %d companies, %d records to %s (%d bytes, %.2fs); checked: ok",
		info.Contacts, info.Companies, info.Records, dest, size, time.Since(start).Seconds()))
	return nil
}

// restoreCmd is `tandem restore FILE`. With the window running it goes
// through the window, which sets its database aside and restarts on the
// backup; otherwise it takes the folder (waiting for a headless command
// that holds it) and restores here.
func restoreCmd(ctx context.Context, dataDir string, args []string, out func(string)) error {
	if len(args) != 1 {
		return errUsage
	}
	path, err := filepath.Abs(args[0])
	if err != nil {
		return err
	}
	if _, err := store.CheckBackup(ctx, path); err != nil {
		return err
	}
	lock, err := instance.Acquire(dataDir, versionString())
	var held *instance.HeldError
	if errors.As(err, &held) && held.Info.Addr != "" {
		resp, err := instance.Call(ctx, dataDir, "restore", path)
		if err != nil {
			return err
		}
		if !resp.OK {
			return &app.Error{Code: resp.Code, Message: resp.Message}
		}
		out(resp.Message)
		return nil
	}
	if errors.As(err, &held) {
		wctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
		lock, err = instance.AcquireWait(wctx, dataDir, versionString())
		cancel()
	}
	if err != nil {
		return err
	}
	defer lock.Release()
	aside, err := restoreFile(ctx, dataDir, path)
	if err != nil {
		return err
	}
	msg := "restored " + path
	if aside != "" {
		msg += "; the database before it is kept at " + aside
	}
	out(msg + ". After restoring on another computer, sign in to Zoho Desk again (the sign-in is not in a backup).")
	return nil
}
