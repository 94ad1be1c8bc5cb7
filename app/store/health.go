package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/tandem-crm/tandem/app"
)

// Damage detection and containment. Open runs PRAGMA quick_check (it reads
// every page but skips the index-against-table comparison); CheckIntegrity
// runs the full integrity_check, which the window does in the background
// after start and every backup or export does first. Once damage is found
// the DB refuses every write with EDAMAGED, so nothing more is written
// into a file that is known to be damaged. Salvage copies what can still be
// read into a new file, table by table and row by row, so one bad page
// loses only the rows on it.

// maxProblems is how many of SQLite's findings a Damage keeps.
const maxProblems = 10

// Damage returns the damage found on this database, or nil while none was.
func (db *DB) Damage() *app.Damage { return db.damaged.Load() }

// markDamaged records d (keeping the first damage found) and returns the
// error writes now fail with.
func (db *DB) markDamaged(d *app.Damage) error {
	db.damaged.CompareAndSwap(nil, d)
	return app.DamagedError(db.damaged.Load())
}

// writable returns the EDAMAGED error once damage was found. A write
// waits for a deferred quick check (running it when nobody has yet).
func (db *DB) writable() error {
	if db.pending != nil {
		if _, err := db.Verify(context.Background()); err != nil {
			return err
		}
	}
	if d := db.damaged.Load(); d != nil {
		return app.DamagedError(d)
	}
	return nil
}

// check runs an integrity pragma and returns its findings (none when the
// file is sound).
func check(ctx context.Context, q querier, pragma string) ([]string, error) {
	rows, err := q.QueryContext(ctx, "PRAGMA "+pragma)
	if err != nil {
		if app.ErrorCode(translate(err)) == app.EDAMAGED {
			return []string{err.Error()}, nil
		}
		return nil, translate(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, translate(err)
		}
		if s != "ok" && len(out) < maxProblems {
			out = append(out, s)
		}
	}
	if err := rows.Err(); err != nil {
		if app.ErrorCode(translate(err)) == app.EDAMAGED {
			return append(out, err.Error()), nil
		}
		return nil, translate(err)
	}
	return out, nil
}

// CheckIntegrity runs SQLite's full integrity check. It returns nil when
// the file is sound; otherwise the damage, with how many rows of each
// table cannot be read, and from then on every write fails with EDAMAGED.
func (db *DB) CheckIntegrity(ctx context.Context) (*app.Damage, error) {
	if d := db.damaged.Load(); d != nil {
		return d, nil // already known (on open, or by an earlier check)
	}
	conn, err := db.read.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: check integrity: %w", translate(err))
	}
	defer conn.Close()
	problems, err := check(ctx, conn, "integrity_check")
	if err != nil {
		return nil, fmt.Errorf("store: check integrity: %w", err)
	}
	if len(problems) == 0 {
		db.sound.Store(true)
		return nil, nil
	}
	d := &app.Damage{Path: db.path, Problems: problems, At: db.now()}
	if d.Tables, err = losses(ctx, conn); err != nil {
		return nil, fmt.Errorf("store: check integrity: %w", err)
	}
	_ = db.markDamaged(d)
	return db.damaged.Load(), nil
}

// table is a table to count or copy.
type table struct {
	name    string
	rowid   bool     // has a rowid (not WITHOUT ROWID)
	indexes []string // full (not partial) indexes, which know every rowid
}

// tables lists the database's ordinary tables in creation order (so a
// salvage copies companies before the contacts whose search text names
// them), without SQLite's own and full-text search's internal tables.
func tables(ctx context.Context, q querier) ([]table, error) {
	rows, err := q.QueryContext(ctx, `SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY rowid`)
	if err != nil {
		return nil, err
	}
	var out []table
	for rows.Next() {
		var name string
		var ddl sql.NullString
		if err := rows.Scan(&name, &ddl); err != nil {
			rows.Close()
			return nil, err
		}
		up := strings.ToUpper(ddl.String)
		if strings.HasPrefix(up, "CREATE VIRTUAL") || isShadow(name) {
			continue
		}
		out = append(out, table{name: name, rowid: !strings.Contains(up, "WITHOUT ROWID")})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		ir, err := q.QueryContext(ctx, `SELECT name FROM pragma_index_list(?) WHERE partial = 0 AND origin = 'c'`, out[i].name)
		if err != nil {
			return nil, err
		}
		for ir.Next() {
			var n string
			if err := ir.Scan(&n); err == nil {
				out[i].indexes = append(out[i].indexes, n)
			}
		}
		ir.Close()
	}
	return out, nil
}

// isShadow reports an FTS5 table's internal tables (contacts_fts_data…).
func isShadow(name string) bool {
	for _, s := range []string{"_data", "_idx", "_content", "_docsize", "_config"} {
		if strings.HasSuffix(name, s) && strings.Contains(name, "_fts") {
			return true
		}
	}
	return false
}

func quote(name string) string { return `"` + strings.ReplaceAll(name, `"`, `""`) + `"` }

// knownRowids reads every rowid the table's indexes hold: rows that an
// index knows but the table cannot give back are the ones lost.
func knownRowids(ctx context.Context, q querier, t table) map[int64]bool {
	known := map[int64]bool{}
	for _, idx := range t.indexes {
		rows, err := q.QueryContext(ctx, "SELECT rowid FROM "+quote(t.name)+" INDEXED BY "+quote(idx))
		if err != nil {
			continue
		}
		for rows.Next() {
			var id int64
			if rows.Scan(&id) == nil {
				known[id] = true
			}
		}
		rows.Close() // an error part-way keeps what was read
	}
	return known
}

// scanRows reads a table's rows (cols, after the rowid for rowid tables)
// in rowid order, stepping over what cannot be read: after an error it
// goes on from the next rowid an index knows. each gets the rowid and the
// values; it may keep neither.
func scanRows(ctx context.Context, q querier, t table, cols []string, known map[int64]bool, each func(rowid int64, vals []any) error) error {
	list := strings.Join(quoteAll(cols), ", ")
	if !t.rowid {
		rows, err := q.QueryContext(ctx, "SELECT "+list+" FROM "+quote(t.name))
		if err != nil {
			return nil // unreadable from the start
		}
		defer rows.Close()
		for rows.Next() {
			vals, err := scanValues(rows, len(cols))
			if err != nil {
				return nil
			}
			if err := each(0, vals); err != nil {
				return err
			}
		}
		return nil
	}
	ids := make([]int64, 0, len(known))
	for id := range known {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	after := int64(-1 << 63)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		last, n, failed, err := scanFrom(ctx, q, t, list, len(cols), "rowid > ? ORDER BY rowid LIMIT 1000", after, known, each)
		if err != nil {
			return err
		}
		switch {
		case !failed && n == 0:
			return nil // the end of the table
		case n > 0:
			after = last // go on (or find out at once what failed)
			continue
		}
		// Reading right after `after` fails: step over the damage to the
		// next rowid an index knows, reading that row alone.
		i := sort.Search(len(ids), func(i int) bool { return ids[i] > after })
		if i == len(ids) {
			return nil
		}
		after = ids[i]
		if _, _, _, err := scanFrom(ctx, q, t, list, len(cols), "rowid = ?", after, known, each); err != nil {
			return err
		}
	}
}

// scanFrom reads the rows matching where (with one argument, arg), only
// those an index knows when known is not empty. It
// returns the last rowid read, how many rows, and whether reading stopped
// on an error.
func scanFrom(ctx context.Context, q querier, t table, list string, ncols int, where string, arg int64, known map[int64]bool, each func(int64, []any) error) (last int64, n int, failed bool, err error) {
	last = arg
	exact := where == "rowid = ?"
	if exact {
		last = arg - 1
	}
	rows, qerr := q.QueryContext(ctx, "SELECT rowid, "+list+" FROM "+quote(t.name)+" WHERE "+where, arg)
	if qerr != nil {
		return last, 0, true, nil
	}
	defer rows.Close()
	for rows.Next() {
		vals, serr := scanValues(rows, ncols+1)
		if serr != nil {
			return last, n, true, nil
		}
		id, _ := vals[0].(int64)
		if len(known) > 0 && !known[id] {
			continue // a rowid no index knows: garbage from a damaged page
		}
		if exact && id != arg || !exact && id <= last {
			// Out of order (a damaged page can give back rowids the
			// search already passed): stop here, so reading always moves on.
			return last, n, true, nil
		}
		last = id
		n++
		if err := each(id, vals[1:]); err != nil {
			return last, n, false, err
		}
	}
	return last, n, rows.Err() != nil, nil
}

func scanValues(rows *sql.Rows, n int) ([]any, error) {
	vals := make([]any, n)
	ptrs := make([]any, n)
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := rows.Scan(ptrs...); err != nil {
		return nil, err
	}
	return vals, nil
}

func quoteAll(cols []string) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = quote(c)
	}
	return out
}

func columns(ctx context.Context, q querier, schema, table string) ([]string, error) {
	rows, err := q.QueryContext(ctx, "SELECT name FROM pragma_table_info(?, ?)", table, schema)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// losses counts, for every table with rows an index knows of, how many can
// and cannot be read.
func losses(ctx context.Context, q querier) ([]app.TableLoss, error) {
	ts, err := tables(ctx, q)
	if err != nil {
		return nil, translate(err)
	}
	var out []app.TableLoss
	for _, t := range ts {
		known := map[int64]bool{}
		if t.rowid {
			known = knownRowids(ctx, q, t)
		}
		// Every column, as a salvage reads them: a row whose rowid can be
		// read but not the rest of it is lost too.
		cols, cerr := columns(ctx, q, "main", t.name)
		if cerr != nil || len(cols) == 0 {
			cols = []string{"rowid"}
		}
		read := map[int64]bool{}
		readable := 0
		err := scanRows(ctx, q, t, cols, known, func(id int64, _ []any) error {
			read[id] = true
			readable++
			return nil
		})
		if err != nil {
			return nil, err
		}
		lost := 0
		for id := range known {
			if !read[id] {
				lost++
			}
		}
		out = append(out, app.TableLoss{Table: t.name, Readable: readable, Unreadable: lost})
	}
	return out, nil
}

// Salvage copies every row that can still be read from this (damaged)
// database into a new database file at dest, with the current schema, and
// reports per table how many rows were copied and how many are known to be
// lost. dest must not exist. The DB itself is not changed.
func (db *DB) Salvage(ctx context.Context, dest string) (*app.SalvageReport, error) {
	if _, err := os.Stat(dest); err == nil {
		return nil, fmt.Errorf("store: salvage: %w", app.Errorf(app.ECONFLICT, "%s already exists.", dest))
	}
	nd, err := Open(ctx, dest)
	if err != nil {
		return nil, fmt.Errorf("store: salvage: %w", err)
	}
	defer nd.Close()
	src, err := db.read.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: salvage: %w", translate(err))
	}
	defer src.Close()
	ts, err := tables(ctx, nd.write)
	if err != nil {
		return nil, fmt.Errorf("store: salvage: %w", translate(err))
	}
	old := map[string]table{}
	if ots, err := tables(ctx, src); err == nil {
		for _, t := range ots {
			old[t.name] = t
		}
	}
	rep := &app.SalvageReport{Path: dest}
	for _, t := range ts {
		ot, ok := old[t.name]
		if !ok || t.name == "schema_migrations" {
			continue
		}
		loss, err := nd.copyTable(ctx, src, ot, t)
		if err != nil {
			return nil, fmt.Errorf("store: salvage %s: %w", t.name, err)
		}
		rep.Tables = append(rep.Tables, loss)
	}
	if problems, err := check(ctx, nd.write, "integrity_check"); err != nil || len(problems) > 0 {
		return nil, fmt.Errorf("store: salvage: the new file fails its check: %v %v", problems, err)
	}
	return rep, nil
}

// copyTable copies ot's readable rows from src into nd's table t.
func (nd *DB) copyTable(ctx context.Context, src *sql.Conn, ot, t table) (app.TableLoss, error) {
	loss := app.TableLoss{Table: t.name}
	newCols, err := columns(ctx, nd.write, "main", t.name)
	if err != nil {
		return loss, translate(err)
	}
	oldCols, err := columns(ctx, src, "main", t.name)
	if err != nil {
		return loss, nil // the table cannot even be described: nothing to copy
	}
	have := map[string]bool{}
	for _, c := range oldCols {
		have[c] = true
	}
	var cols []string
	for _, c := range newCols {
		if have[c] && !(t.name == "contacts" && c == "search_key") {
			cols = append(cols, c)
		}
	}
	// A contact's search key is not copied: a garbled one would refuse a
	// readable row, and keyed one at a time in the old file's order they
	// would soon run out of room. The contacts come in unkeyed, with the
	// search triggers off, and are keyed and indexed together at the end.
	keys := t.name == "contacts"
	known := map[int64]bool{}
	if ot.rowid {
		known = knownRowids(ctx, src, ot)
	}
	copied := map[int64]bool{}
	err = nd.writeTx(ctx, func(tx *sql.Tx) error {
		// Rows triggers wrote while earlier tables were copied (changes to
		// push) are replaced by the old file's own.
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+quote(t.name)); err != nil {
			return err
		}
		if keys {
			if _, err := tx.ExecContext(ctx, "INSERT OR IGNORE INTO search_suspended (id) VALUES (1)"); err != nil {
				return err
			}
		}
		ph := strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ")
		ins, err := tx.PrepareContext(ctx, "INSERT OR IGNORE INTO "+quote(t.name)+" ("+strings.Join(quoteAll(cols), ", ")+") VALUES ("+ph+")")
		if err != nil {
			return err
		}
		defer ins.Close()
		err = scanRows(ctx, src, ot, cols, known, func(id int64, vals []any) error {
			res, err := ins.ExecContext(ctx, vals...)
			if err != nil {
				return nil // a row the damage garbled: it breaks the schema's rules
			}
			if n, _ := res.RowsAffected(); n == 1 {
				loss.Readable++
				copied[id] = true
			}
			return nil
		})
		if err != nil || !keys {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM search_suspended"); err != nil {
			return err
		}
		return keyNewContacts(ctx, tx)
	})
	if err != nil {
		return loss, err
	}
	for id := range known {
		if !copied[id] {
			loss.Unreadable++
		}
	}
	return loss, nil
}

// SalvageInPlace salvages db (see Salvage) into a new file beside it,
// closes db, keeps the damaged file (with its -wal and -shm) in the
// folder's "damaged" subfolder and puts the new file in its place. The
// report says where each is. db cannot be used afterwards: open the path
// again.
func SalvageInPlace(ctx context.Context, db *DB) (*app.SalvageReport, error) {
	path := db.path
	stamp := time.Now().Format("20060102-150405")
	tmp := filepath.Join(filepath.Dir(path), "salvaged-"+stamp+".db")
	rep, err := db.Salvage(ctx, tmp)
	if err != nil {
		_ = removeDB(tmp)
		return nil, err
	}
	if err := db.Close(); err != nil {
		return nil, fmt.Errorf("store: salvage: %w", err)
	}
	aside, err := SetAside(path, stamp)
	if err != nil {
		return nil, fmt.Errorf("store: salvage: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return nil, fmt.Errorf("store: salvage: put the new file in place: %w", err)
	}
	rep.Path, rep.Damaged = path, aside
	return rep, nil
}

// SetAside moves the database at path and its -wal and -shm files into the
// folder's "damaged" subfolder, named with stamp, and returns the new path
// of the database file.
func SetAside(path, stamp string) (string, error) {
	dir := filepath.Join(filepath.Dir(path), "damaged")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	base := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	dest := filepath.Join(dir, base+"-"+stamp+filepath.Ext(path))
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := os.Rename(path+suffix, dest+suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return "", err
		}
	}
	return dest, nil
}

func removeDB(path string) error {
	var errs []error
	for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
		if err := os.Remove(path + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
