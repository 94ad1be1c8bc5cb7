// Package store keeps Tandem's CRM data in a local SQLite database
// (modernc.org/sqlite, pure Go). It implements app.ContactService,
// app.CompanyService and app.PipelineService: embedded numbered migrations
// with a backup before each upgrade, FTS5 search-as-you-type, bulk imports,
// and optimistic concurrency through a per-row revision counter.
//
// One writer connection serialises every write; a separate pool of
// query-only connections serves reads, so in WAL mode a screen never waits
// behind a long sync write.
//
// Search: contacts_fts and companies_fts are FTS5 tables (unicode61,
// remove_diacritics 2, a two-character prefix index) kept current by
// triggers. What a person types becomes one quoted prefix term per word,
// so no input is ever FTS5 syntax. Japanese has no spaces between words, so
// unicode61 sees "株式会社山田商事" as one token; the store therefore also
// indexes every suffix of each Japanese word ("山田商事", "商事", ...) and of
// family+given name written together, which makes a prefix query find
// Japanese text anywhere inside a word, from one character up. (A trigram
// tokenizer cannot match queries shorter than three characters, and "山田"
// is two.) Results are ordered by name, not by rank: contacts_fts numbers
// each contact's row by its search key, which grows in the list's order,
// so a page of a contact search is its first matches in rowid order
// (searchkeys.go, migration 0018).
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/tandem-crm/tandem/app"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Compile-time checks that *DB implements the CRM services.
var (
	_ app.ContactService  = (*DB)(nil)
	_ app.CompanyService  = (*DB)(nil)
	_ app.PipelineService = (*DB)(nil)
)

// Options tune Open. The zero value is what the app uses.
type Options struct {
	// BusyTimeout is how long a statement waits for a lock held by another
	// program before failing with EUNAVAILABLE. Zero means 5 seconds.
	BusyTimeout time.Duration
	// ReadConns is the size of the read pool. Zero means max(4, GOMAXPROCS).
	ReadConns int
	// ReadOnly opens the file without ever writing to it: no migrations run
	// (an out-of-date file is an error) and every write fails with EUNAVAILABLE.
	ReadOnly bool
	// AllowDamaged opens a file that fails its integrity check instead of
	// returning EDAMAGED: nothing is migrated or written, every write fails
	// with EDAMAGED, and Damage says what was found, so the window can show
	// what is readable and offer to salvage it.
	AllowDamaged bool
	// DeferCheck leaves the quick check of a file that changed since its
	// last checked close (see marker.go) for Verify to run, so the window
	// opens without reading the whole file first; writes wait for the
	// check. A file that needs migrating is still checked before.
	DeferCheck bool
	// ImportBatch is how many rows an import writes per transaction. Zero
	// means 5,000.
	ImportBatch int
	// now replaces time.Now in tests.
	now func() time.Time
	// Clock, when set, replaces time.Now (a desktop whose clock is off,
	// in tests of several desktops).
	Clock func() time.Time
}

// driverName is the database/sql driver Open uses: modernc's, or in tests
// a wrapper around it that records the statements run.
var driverName = "sqlite"

// DB is a Tandem database: a writer connection and a read pool on one file.
type DB struct {
	path  string
	opts  Options
	write *sql.DB // exactly one connection; BEGIN IMMEDIATE
	read  *sql.DB // query_only connections
	// damaged is set once an integrity check or a statement found the file
	// damaged; from then on every write fails with EDAMAGED.
	damaged atomic.Pointer[app.Damage]
	// checkedBy says how the quick check went at open (checkRan,
	// checkSkipped or checkDeferred); pending is the deferred check.
	checkedBy string
	pending   *pendingCheck
	// sound is set once a check passed (or the marker vouched for the
	// file): only then does Close write the marker.
	sound atomic.Bool
}

// Open opens (creating if needed) the database at path with default Options
// and brings its schema up to date.
func Open(ctx context.Context, path string) (*DB, error) {
	return OpenOptions(ctx, path, Options{})
}

// OpenOptions opens the database at path with opts. A file that is not a
// SQLite database, is damaged, is newer than this program or cannot be
// written returns an *app.Error a person can act on.
func OpenOptions(ctx context.Context, path string, opts Options) (*DB, error) {
	if path == "" {
		return nil, fmt.Errorf("store: open: %w", app.Errorf(app.EINVALID, "No database file was given."))
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("store: open: %w", err)
	}
	if opts.BusyTimeout <= 0 {
		opts.BusyTimeout = 5 * time.Second
	}
	if opts.ReadConns <= 0 {
		opts.ReadConns = max(4, runtime.GOMAXPROCS(0))
	}
	if opts.ImportBatch <= 0 {
		opts.ImportBatch = 5000
	}
	if opts.now == nil && opts.Clock != nil {
		opts.now = opts.Clock
	}
	if opts.now == nil {
		opts.now = time.Now
	}
	db := &DB{path: abs, opts: opts}
	// Read before any connection touches the file.
	unchanged := markerValid(abs)

	busy := fmt.Sprint(opts.BusyTimeout.Milliseconds())
	wq := url.Values{}
	wq.Add("_pragma", "busy_timeout("+busy+")")
	wq.Add("_pragma", "foreign_keys(1)")
	wq.Add("_pragma", "synchronous(NORMAL)")
	wq.Add("_pragma", fmt.Sprintf("cache_size(-%d)", writerCacheKiB))
	wq.Add("_pragma", "temp_store(MEMORY)")
	wq.Set("_txlock", "immediate")
	if opts.ReadOnly {
		wq.Set("mode", "ro")
		wq.Add("_pragma", "query_only(1)")
	}
	db.write, err = sql.Open(driverName, dsn(abs, wq))
	if err != nil {
		return nil, fmt.Errorf("store: open: %w", err)
	}
	db.write.SetMaxOpenConns(1)
	db.write.SetMaxIdleConns(1)
	db.write.SetConnMaxLifetime(0)
	db.write.SetConnMaxIdleTime(0)

	if err := db.prepare(ctx, unchanged); err != nil {
		db.write.Close()
		return nil, fmt.Errorf("store: open %s: %w", abs, diskFull(filepath.Dir(abs), err))
	}

	rq := url.Values{}
	rq.Add("_pragma", "busy_timeout("+busy+")")
	rq.Add("_pragma", "cache_size(-16000)")
	rq.Add("_pragma", "temp_store(MEMORY)")
	rq.Add("_pragma", "query_only(1)")
	if opts.ReadOnly {
		rq.Set("mode", "ro")
	}
	db.read, err = sql.Open(driverName, dsn(abs, rq))
	if err != nil {
		db.write.Close()
		return nil, fmt.Errorf("store: open: %w", err)
	}
	db.read.SetMaxOpenConns(opts.ReadConns)
	db.read.SetMaxIdleConns(opts.ReadConns)
	if err := db.read.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: open %s: %w", abs, diskFull(filepath.Dir(abs), translate(err)))
	}
	if !opts.ReadOnly {
		if err := db.rekey(ctx); err != nil {
			db.Close()
			return nil, fmt.Errorf("store: open %s: %w", abs, err)
		}
		// An import that ended before it finished (the app closed, the
		// power cut) left its contacts unkeyed, out of the search. Not a
		// reason to refuse the file: when this fails (a damaged page, a
		// full disk), the health check reports why, and the next start
		// or import keys them.
		var unfinished bool
		if err := db.read.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM import_batches WHERE finished_at IS NULL)").Scan(&unfinished); err == nil && unfinished {
			_ = db.keyContacts(ctx)
		}
	}
	return db, nil
}

func dsn(path string, q url.Values) string {
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(path), RawQuery: q.Encode()}
	if runtime.GOOS == "windows" {
		// file:///C:/x, the form SQLite's URI parser expects on Windows.
		u.Path = "/" + u.Path
	}
	return u.String()
}

// prepare checks the file (unless unchanged says a checked close left it
// as it is), switches it to WAL and applies pending migrations.
func (db *DB) prepare(ctx context.Context, unchanged bool) error {
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return translate(err)
	}
	defer conn.Close()
	// Reading the header first turns "not a database" into a clear error
	// before anything tries to write.
	var version int
	if err := conn.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return translate(err)
	}
	// A damaged file must not be migrated or written: check it first.
	var problems []string
	switch {
	case unchanged:
		db.checkedBy = checkSkipped
		db.sound.Store(true)
	case db.opts.DeferCheck && !db.opts.ReadOnly && version == SchemaVersion():
		db.checkedBy = checkDeferred
		db.pending = &pendingCheck{}
	default:
		db.checkedBy = checkRan
		if problems, err = check(ctx, conn, "quick_check"); err != nil {
			return err
		}
		db.sound.Store(len(problems) == 0)
	}
	if len(problems) > 0 {
		d := &app.Damage{Path: db.path, Problems: problems, At: db.now()}
		if d.Tables, err = losses(ctx, conn); err != nil {
			return err
		}
		err := db.markDamaged(d)
		if db.opts.AllowDamaged {
			return nil
		}
		return err
	}
	if !db.opts.ReadOnly {
		var mode string
		if err := conn.QueryRowContext(ctx, "PRAGMA journal_mode=WAL").Scan(&mode); err != nil {
			return translate(err)
		}
	}
	return db.migrate(ctx, conn, version)
}

// Close closes both connection pools. It is safe to call more than once.
func (db *DB) Close() error {
	var errs []error
	if db.read != nil {
		errs = append(errs, db.read.Close())
	}
	if db.write != nil {
		// A best-effort checkpoint keeps the -wal file small between runs
		// and, when it emptied the log of a file known to be sound, lets
		// the next open skip the quick check (marker.go).
		clean := false
		if !db.opts.ReadOnly && db.damaged.Load() == nil {
			var busy, log, done int
			err := db.write.QueryRow("PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &log, &done)
			clean = err == nil && busy == 0 && db.sound.Load() && db.damaged.Load() == nil
		}
		errs = append(errs, db.write.Close())
		if clean {
			if err := writeMarker(db.path); err != nil {
				removeMarker(db.path)
			}
		} else if !db.opts.ReadOnly {
			removeMarker(db.path)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("store: close: %w", err)
	}
	return nil
}

// Path returns the absolute path of the database file.
func (db *DB) Path() string { return db.path }

// IsEmpty reports whether the database holds no contacts, companies or
// pipelines, so the app can offer to load sample data.
func (db *DB) IsEmpty(ctx context.Context) (bool, error) {
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT
		EXISTS (SELECT 1 FROM contacts) OR EXISTS (SELECT 1 FROM companies) OR EXISTS (SELECT 1 FROM pipelines)`).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("store: is empty: %w", translate(err))
	}
	return n == 0, nil
}

// Setting returns the value stored under key and whether it exists.
func (db *DB) Setting(ctx context.Context, key string) (string, bool, error) {
	var v string
	err := db.read.QueryRowContext(ctx, "SELECT value FROM settings WHERE key = ?", key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("store: setting: %w", translate(err))
	}
	return v, true, nil
}

// SetSetting stores value under key, replacing any earlier value.
func (db *DB) SetSetting(ctx context.Context, key, value string) error {
	if err := db.writable(); err != nil {
		return fmt.Errorf("store: set setting: %w", err)
	}
	_, err := db.write.ExecContext(ctx,
		"INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", key, value)
	if err != nil {
		return fmt.Errorf("store: set setting: %w", translate(err))
	}
	return nil
}

// now returns the current time at the precision the database keeps.
func (db *DB) now() time.Time { return db.opts.now().UTC().Truncate(time.Millisecond) }

// writeTx runs fn in one write transaction (BEGIN IMMEDIATE on the writer),
// committing when fn returns nil.
func (db *DB) writeTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if db.opts.ReadOnly {
		return errReadOnly
	}
	if err := db.writable(); err != nil {
		return err
	}
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return translate(err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return diskFull(filepath.Dir(db.path), translate(err))
	}
	return diskFull(filepath.Dir(db.path), translate(tx.Commit()))
}

// readTx runs fn in one read transaction on the read pool, so the reads it
// makes see one consistent snapshot.
func (db *DB) readTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.read.BeginTx(ctx, nil)
	if err != nil {
		return translate(err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return translate(err)
	}
	return translate(tx.Commit())
}

// toDB is the one place a time becomes a stored value: unix milliseconds, UTC.
func toDB(t time.Time) int64 { return t.UnixMilli() }

// fromDB reverses toDB.
func fromDB(ms int64) time.Time { return time.UnixMilli(ms).UTC() }
