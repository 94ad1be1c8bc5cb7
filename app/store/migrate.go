package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/tandem-crm/tandem/app"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// migration is one numbered schema change.
type migration struct {
	version int
	name    string
	sql     string
}

// migrations returns the embedded migrations in version order. Files are
// named NNNN_name.sql; versions start at 1 and have no gaps.
func migrations() ([]migration, error) {
	files, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, f := range files {
		base := path.Base(f)
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must start with a number and an underscore", base)
		}
		b, err := migrationFS.ReadFile(f)
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: base, sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %s: expected version %d", m.name, i+1)
		}
	}
	return ms, nil
}

// SchemaVersion is the schema version this program writes (the number of
// the newest embedded migration).
func SchemaVersion() int {
	ms, err := migrations()
	if err != nil {
		panic(err) // the embedded files are fixed at build time; a test covers this
	}
	return len(ms)
}

// migrate applies the migrations newer than version (PRAGMA user_version),
// each in its own transaction. An existing database is first copied to
// <path>.bak-v<N>-<timestamp> with VACUUM INTO, so a failed or regretted
// upgrade can be undone by hand.
func (db *DB) migrate(ctx context.Context, conn *sql.Conn, version int) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	latest := len(ms)
	switch {
	case version == latest:
		return nil
	case version > latest:
		return &app.Error{Code: app.EINVALID, Message: fmt.Sprintf(
			"The database was written by a newer version of Tandem (schema %d; this version knows %d). Update Tandem to open it.", version, latest)}
	case db.opts.ReadOnly:
		return &app.Error{Code: app.EUNAVAILABLE, Message: fmt.Sprintf(
			"The database needs an upgrade (schema %d to %d), which a read-only open cannot do.", version, latest)}
	}
	if version > 0 {
		if _, err := db.backup(ctx, conn, version); err != nil {
			return err
		}
	} else {
		// A file with tables but no version is not ours; refuse to touch it.
		var n int
		if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema").Scan(&n); err != nil {
			return translate(err)
		}
		if n > 0 {
			return &app.Error{Code: app.EINVALID, Message: msgNotDB}
		}
	}
	for _, m := range ms[version:] {
		if err := applyMigration(ctx, conn, m); err != nil {
			return fmt.Errorf("migration %s: %w", m.name, translate(err))
		}
	}
	return nil
}

func applyMigration(ctx context.Context, conn *sql.Conn, m migration) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return err
	}
	// user_version lives in the file header and is covered by the transaction.
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", m.version)); err != nil {
		return err
	}
	return tx.Commit()
}

// backup copies the database to <path>.bak-v<version>-<UTC timestamp> and
// returns the copy's path.
func (db *DB) backup(ctx context.Context, conn *sql.Conn, version int) (string, error) {
	name := fmt.Sprintf("%s.bak-v%d-%s", db.path, version, db.opts.now().UTC().Format("20060102T150405.000Z"))
	if _, err := conn.ExecContext(ctx, "VACUUM INTO ?", name); err != nil {
		return "", fmt.Errorf("backup before upgrade to %s: %w", name, translate(err))
	}
	return name, nil
}
