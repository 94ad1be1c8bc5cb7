package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tandem-crm/tandem/app"
)

var _ app.ImportService = (*DB)(nil)

// MsgNoContactEmail refuses a record whose contact's email is unknown.
const MsgNoContactEmail = "No contact has this email: import the contacts first"

// errDryRun rolls back the transaction of a dry-run batch.
var errDryRun = errors.New("dry run")

// StartImport records a new import batch and forgets what earlier batches
// did, so only the newest can be undone.
func (db *DB) StartImport(ctx context.Context, b *app.ImportBatch) error {
	if !b.OnDuplicate.Valid() {
		return fmt.Errorf("store: start import: %w", app.Errorf(app.EINVALID, "Unknown duplicate policy %q.", b.OnDuplicate))
	}
	if _, ok := kindTable[b.Kind]; !ok {
		return fmt.Errorf("store: start import: %w", app.Errorf(app.EINVALID, "Unknown kind of import %q.", b.Kind))
	}
	now := db.now()
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO import_batches (kind, source, on_duplicate, started_at)
			VALUES (?, ?, ?, ?) RETURNING id`, b.Kind, b.Source, string(b.OnDuplicate), toDB(now)).Scan(&b.ID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, "DELETE FROM import_items WHERE batch_id < ?", b.ID)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: start import: %w", err)
	}
	// An import's pages are written once and rarely read again: a smaller
	// page cache keeps the import's memory low (issue 17: the writer's
	// 32 MB cache took about 60 MB of a 100k-row import's 150 MB peak
	// RSS; 10 MB costs the import about 5% of its speed, 4 MB a third).
	// Back to the usual size at FinishImport.
	if _, err := db.write.ExecContext(ctx, fmt.Sprintf("PRAGMA cache_size = -%d", importCacheKiB)); err != nil {
		return fmt.Errorf("store: start import: %w", translate(err))
	}
	// The log is copied back into the file (a checkpoint, with two fsyncs)
	// each time it passes wal_autocheckpoint pages. At the usual 1000, a
	// 100k-row import checkpointed about every batch, copying the same
	// index pages again each time; during an import the log may grow to
	// importCheckpointPages (64 MB) first. FinishImport's commit, back at
	// the usual size, copies what is left.
	if err := db.checkpointEvery(ctx, importCheckpointPages); err != nil {
		return fmt.Errorf("store: start import: %w", err)
	}
	b.StartedAt = now
	return nil
}

// The writer's page cache in KiB: usually, and during an import.
const (
	writerCacheKiB = 32000
	importCacheKiB = 10000
)

// The log's checkpoint threshold in pages: SQLite's default, and during an
// import.
const (
	writerCheckpointPages = 1000
	importCheckpointPages = 16000
)

// checkpointEvery sets the writer's log checkpoint threshold in pages.
func (db *DB) checkpointEvery(ctx context.Context, pages int) error {
	_, err := db.write.ExecContext(ctx, fmt.Sprintf("PRAGMA wal_autocheckpoint = %d", pages))
	return translate(err)
}

var kindTable = map[string]string{app.KindContact: "contacts", app.KindCompany: "companies", app.KindRecord: "pipeline_records"}

// FinishImport stores the batch's counts and end time.
func (db *DB) FinishImport(ctx context.Context, b *app.ImportBatch) error {
	now := db.now()
	defer db.write.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf("PRAGMA cache_size = -%d", writerCacheKiB))
	// Back to the usual threshold before the commit below, which then
	// checkpoints the log the import grew.
	_ = db.checkpointEvery(context.WithoutCancel(ctx), writerCheckpointPages)
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE import_batches SET finished_at = ?, created = ?, updated = ?, skipped = ?, refused = ?
			WHERE id = ?`, toDB(now), b.Created, b.Updated, b.Skipped, b.Refused, b.ID)
		if err != nil {
			return err
		}
		// The batches left their contacts unkeyed: key and index them
		// all in one pass (for a first import, in the list's order).
		return keyNewContacts(ctx, tx)
	})
	if err != nil {
		return fmt.Errorf("store: finish import: %w", err)
	}
	b.FinishedAt = now
	return nil
}

// LastImport returns the newest import batch when it can still be undone,
// or ENOTFOUND.
func (db *DB) LastImport(ctx context.Context) (*app.ImportBatch, error) {
	var b app.ImportBatch
	var dup string
	var started int64
	var finished, undone sql.NullInt64
	err := db.read.QueryRowContext(ctx, `SELECT id, kind, source, on_duplicate, started_at, finished_at,
		created, updated, skipped, refused, undone_at FROM import_batches ORDER BY id DESC LIMIT 1`).
		Scan(&b.ID, &b.Kind, &b.Source, &dup, &started, &finished, &b.Created, &b.Updated, &b.Skipped, &b.Refused, &undone)
	if errors.Is(err, sql.ErrNoRows) || err == nil && undone.Valid {
		return nil, fmt.Errorf("store: last import: %w", app.Errorf(app.ENOTFOUND, "There is no import to undo."))
	}
	if err != nil {
		return nil, fmt.Errorf("store: last import: %w", translate(err))
	}
	b.OnDuplicate, b.StartedAt = app.OnDuplicate(dup), fromDB(started)
	if finished.Valid {
		b.FinishedAt = fromDB(finished.Int64)
	}
	return &b, nil
}

// batchTx is one transaction of an import batch.
type batchTx struct {
	ctx   context.Context
	tx    *sql.Tx
	now   time.Time
	batch int64 // 0 for a dry run
	cos   *companyResolver
}

// runBatch runs fn in one write transaction: with bulk, the search
// triggers are off and the rows the transaction inserted are indexed in
// one statement at its end; then what it created is recorded in the
// batch. A dry run (batch 0) is rolled back.
func (db *DB) runBatch(ctx context.Context, op string, batch int64, bulk bool, fn func(b *batchTx) error) error {
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		var maxContact, maxCompany, maxRecord int64
		if err := tx.QueryRowContext(ctx, `SELECT coalesce((SELECT max(id) FROM contacts), 0),
			coalesce((SELECT max(id) FROM companies), 0), coalesce((SELECT max(id) FROM pipeline_records), 0)`).
			Scan(&maxContact, &maxCompany, &maxRecord); err != nil {
			return err
		}
		finish := func() error { return nil }
		if bulk {
			var err error
			if finish, err = bulkSearch(ctx, tx, false); err != nil { // FinishImport keys the contacts
				return err
			}
		}
		b := &batchTx{ctx: ctx, tx: tx, now: db.now(), batch: batch, cos: newCompanyResolver()}
		if err := fn(b); err != nil {
			return err
		}
		if err := finish(); err != nil {
			return err
		}
		if batch == 0 {
			return errDryRun
		}
		for _, t := range []struct {
			table string
			max   int64
		}{{"contacts", maxContact}, {"companies", maxCompany}, {"pipeline_records", maxRecord}} {
			// Rows above the old maximum are this transaction's: the
			// tables have no AUTOINCREMENT and the writer is exclusive.
			if _, err := tx.ExecContext(ctx, `INSERT INTO import_items (batch_id, tbl, row_id, rev, before)
				SELECT ?, '`+t.table+`', id, rev, NULL FROM `+t.table+` WHERE id > ? ORDER BY id
				ON CONFLICT (batch_id, tbl, row_id) DO UPDATE SET rev = excluded.rev, before = NULL`, batch, t.max); err != nil {
				return err
			}
		}
		return nil
	})
	if errors.Is(err, errDryRun) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("store: %s: %w", op, err)
	}
	return nil
}

// updated records that the batch updated row id of table, keeping the
// row as it was before the batch's first change to it.
func (b *batchTx) updated(table string, id, rev int64, before any) error {
	if b.batch == 0 {
		return nil
	}
	js, err := json.Marshal(before)
	if err != nil {
		return err
	}
	_, err = b.tx.ExecContext(b.ctx, `INSERT INTO import_items (batch_id, tbl, row_id, rev, before) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (batch_id, tbl, row_id) DO UPDATE SET rev = excluded.rev`, b.batch, table, id, rev, string(js))
	return err
}

// findID returns the id stmt finds for args, or 0.
func findID(ctx context.Context, stmt *sql.Stmt, args ...any) (int64, error) {
	var id int64
	err := stmt.QueryRowContext(ctx, args...).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return id, err
}

// refuse fills o with the reasons of a validation error; other errors are
// returned, so they end the import.
func refuse(o *app.RowOutcome, err error) error {
	if app.ErrorCode(err) != app.EINVALID {
		return err
	}
	o.Action, o.Errors = app.ActionRefused, rowErrors(o.Row, err)
	return nil
}

// overlay copies each non-empty field of src over dst; it reports whether
// anything changed.
func overlay(dst *string, src string, changed *bool) {
	if src != "" && src != *dst {
		*dst, *changed = src, true
	}
}

// ImportContactRows writes one batch of contacts. A duplicate is the
// oldest contact with the same normalised email; a company named in
// CompanyName is found by name or created.
func (db *DB) ImportContactRows(ctx context.Context, batch int64, dup app.OnDuplicate, rows []app.ImportRow[app.Contact]) ([]app.RowOutcome, error) {
	outs := make([]app.RowOutcome, len(rows))
	// Always in bulk: its contacts are keyed together when the import
	// finishes (keyed one at a time by the triggers, as they come, a big
	// import's contacts would crowd the gaps between keys).
	err := db.runBatch(ctx, "import contacts", batch, true, func(b *batchTx) error {
		ins := newContactInserter(b)
		defer ins.close()
		now := toDB(b.now)
		cs, invalid := normalizeContacts(rows)
		// The duplicates and the companies of the whole batch are looked
		// up in one query each, not one per row.
		byEmail, err := b.contactsByEmail(cs, invalid, dup)
		if err != nil {
			return err
		}
		if err := b.cos.prefetch(ctx, b.tx, companyNames(cs, invalid)); err != nil {
			return err
		}
		for i := range rows {
			o := &outs[i]
			o.Row = rows[i].Row
			c := cs[i]
			if err := invalid[i]; err != nil {
				if err := refuse(o, err); err != nil {
					return err
				}
				continue
			}
			e := app.NormalizeEmail(c.Email)
			var existing int64
			if e != "" && dup != app.DupCreate {
				if ins.pending[e] {
					// A duplicate of a row still waiting to be inserted.
					if err := ins.flush(byEmail); err != nil {
						return err
					}
				}
				existing = byEmail[e]
			}
			if existing != 0 && dup == app.DupSkip {
				o.Action, o.ID = app.ActionSkipped, existing
				continue
			}
			if c.CompanyID == 0 && c.CompanyName != "" {
				id, err := b.cos.resolve(ctx, b.tx, c.CompanyName, now)
				if app.ErrorCode(err) == app.EINVALID {
					err = fieldError("CompanyName", app.MsgTooLong)
				}
				if err != nil {
					if err := refuse(o, err); err != nil {
						return err
					}
					continue
				}
				c.CompanyID = id
			}
			if existing == 0 {
				o.Action = app.ActionCreated
				if err := ins.add(o, &c, e, now, byEmail); err != nil {
					return err
				}
				continue
			}
			var old app.Contact
			if err := scanContact(b.tx.QueryRowContext(ctx, "SELECT "+contactCols+contactFrom+" WHERE c.id = ?", existing), &old); err != nil {
				return err
			}
			upd, changed := old, false
			overlay(&upd.FirstName, c.FirstName, &changed)
			overlay(&upd.LastName, c.LastName, &changed)
			overlay(&upd.Email, c.Email, &changed)
			overlay(&upd.Phone, c.Phone, &changed)
			overlay(&upd.Mobile, c.Mobile, &changed)
			overlay(&upd.Title, c.Title, &changed)
			overlay(&upd.Notes, c.Notes, &changed)
			if c.CompanyID != 0 && c.CompanyID != old.CompanyID {
				upd.CompanyID, changed = c.CompanyID, true
			}
			o.ID = existing
			if !changed {
				o.Action = app.ActionSkipped
				continue
			}
			if err := updateContactTx(ctx, b.tx, &upd, b.now); err != nil {
				if err := refuse(o, err); err != nil {
					return err
				}
				continue
			}
			if err := b.updated("contacts", existing, upd.Rev, old); err != nil {
				return err
			}
			o.Action = app.ActionUpdated
		}
		return ins.flush(byEmail)
	})
	return outs, err
}

// contactInserter inserts an import's new contacts insertRows at a time,
// with one multi-row INSERT: one statement per row cost more than the
// rows (issue 17: the statement journal saved each touched page of the
// table and its six indexes again for every row).
type contactInserter struct {
	b       *batchTx
	stmts   map[int]*sql.Stmt // by number of rows
	args    []any
	outs    []*app.RowOutcome // waiting for their ids
	emails  []string
	pending map[string]bool // normalised emails of the waiting rows
}

const insertRows = 100 // 1,700 parameters, well under SQLite's limit

func newContactInserter(b *batchTx) *contactInserter {
	return &contactInserter{b: b, stmts: map[int]*sql.Stmt{}, pending: map[string]bool{}}
}

// add queues c, whose outcome is o and normalised email e; the queue is
// inserted when it is full. byEmail (nil without duplicate checks) learns
// the ids of the rows inserted.
func (ci *contactInserter) add(o *app.RowOutcome, c *app.Contact, e string, now int64, byEmail map[string]int64) error {
	ci.args = append(ci.args, contactArgs(c, now)...)
	ci.outs = append(ci.outs, o)
	ci.emails = append(ci.emails, e)
	if e != "" {
		ci.pending[e] = true
	}
	if len(ci.outs) >= insertRows {
		return ci.flush(byEmail)
	}
	return nil
}

// flush inserts the queued rows and sets their outcomes' ids. The rows go
// in in order and each takes the next rowid (contacts has no
// AUTOINCREMENT and the writer is exclusive), so the n rows have the n ids
// that end with the last one inserted. (RETURNING gave the same ids at the
// cost of a temporary table and a row to read back for each contact.)
func (ci *contactInserter) flush(byEmail map[string]int64) error {
	n := len(ci.outs)
	if n == 0 {
		return nil
	}
	stmt, err := ci.stmt(n)
	if err != nil {
		return err
	}
	var res sql.Result
	err = keyed(ci.b.ctx, ci.b.tx, func() (err error) {
		res, err = stmt.ExecContext(ci.b.ctx, ci.args...)
		return err
	})
	if err != nil {
		return err
	}
	last, err := res.LastInsertId()
	if err != nil {
		return err
	}
	if got, err := res.RowsAffected(); err != nil || got != int64(n) || last < int64(n) {
		return errors.Join(err, fmt.Errorf("inserted %d contacts of %d (last id %d)", got, n, last))
	}
	first := last - int64(n) + 1
	for i, o := range ci.outs {
		o.ID = first + int64(i)
		if e := ci.emails[i]; e != "" && byEmail != nil {
			if _, seen := byEmail[e]; !seen {
				byEmail[e] = o.ID // a later row of the batch with this email is its duplicate
			}
		}
	}
	ci.args, ci.outs, ci.emails = ci.args[:0], ci.outs[:0], ci.emails[:0]
	clear(ci.pending)
	return nil
}

// stmt returns the prepared INSERT of n rows.
func (ci *contactInserter) stmt(n int) (*sql.Stmt, error) {
	if st, ok := ci.stmts[n]; ok {
		return st, nil
	}
	head, tuple, _ := strings.Cut(insertContactSQL, "VALUES")
	tuple = strings.TrimSpace(tuple)
	q := head + "VALUES " + tuple + strings.Repeat(", "+tuple, n-1)
	st, err := ci.b.tx.PrepareContext(ci.b.ctx, q)
	if err != nil {
		return nil, err
	}
	ci.stmts[n] = st
	return st, nil
}

func (ci *contactInserter) close() {
	for _, st := range ci.stmts {
		st.Close()
	}
}

// normalizeContacts normalises and validates each row's contact; invalid
// holds the validation error of each refused row.
func normalizeContacts(rows []app.ImportRow[app.Contact]) (cs []app.Contact, invalid []error) {
	cs, invalid = make([]app.Contact, len(rows)), make([]error, len(rows))
	for i := range rows {
		c := &cs[i]
		*c = rows[i].Value
		c.Normalize()
		c.CompanyName = app.TrimField(c.CompanyName)
		invalid[i] = c.Validate()
	}
	return cs, invalid
}

// contactsByEmail returns the oldest contact of each normalised email of
// the valid contacts of cs, in one query; nil when dup creates every row.
func (b *batchTx) contactsByEmail(cs []app.Contact, invalid []error, dup app.OnDuplicate) (map[string]int64, error) {
	if dup == app.DupCreate {
		return nil, nil
	}
	emails := make([]string, 0, len(cs))
	for i := range cs {
		if e := app.NormalizeEmail(cs[i].Email); e != "" && invalid[i] == nil {
			emails = append(emails, e)
		}
	}
	return lookupMin(b.ctx, b.tx, `SELECT email_norm, min(id) FROM contacts
		WHERE email_norm IN (%s) AND email_norm <> '' GROUP BY email_norm`, emails)
}

// companyNames lists the company names the valid contacts of cs name
// without a company id.
func companyNames(cs []app.Contact, invalid []error) []string {
	var out []string
	for i := range cs {
		if invalid[i] == nil && cs[i].CompanyID == 0 && cs[i].CompanyName != "" {
			out = append(out, cs[i].CompanyName)
		}
	}
	return out
}

// ImportCompanyRows writes one batch of companies. A duplicate is the
// oldest company with the same normalised name.
func (db *DB) ImportCompanyRows(ctx context.Context, batch int64, dup app.OnDuplicate, rows []app.ImportRow[app.Company]) ([]app.RowOutcome, error) {
	outs := make([]app.RowOutcome, len(rows))
	err := db.runBatch(ctx, "import companies", batch, len(rows) >= bulkRows, func(b *batchTx) error {
		ins, err := b.tx.PrepareContext(ctx, insertCompanySQL)
		if err != nil {
			return err
		}
		defer ins.Close()
		find, err := b.tx.PrepareContext(ctx, "SELECT id FROM companies WHERE name_norm = ? ORDER BY id LIMIT 1")
		if err != nil {
			return err
		}
		defer find.Close()
		now := toDB(b.now)
		for i := range rows {
			o := &outs[i]
			o.Row = rows[i].Row
			c := rows[i].Value
			c.Normalize()
			if err := c.Validate(); err != nil {
				if err := refuse(o, err); err != nil {
					return err
				}
				continue
			}
			var existing int64
			if dup != app.DupCreate {
				if existing, err = findID(ctx, find, app.NormalizeName(c.Name)); err != nil {
					return err
				}
			}
			switch {
			case existing != 0 && dup == app.DupSkip:
				o.Action, o.ID = app.ActionSkipped, existing
				continue
			case existing == 0:
				res, err := ins.ExecContext(ctx, companyArgs(&c, now)...)
				if err != nil {
					return err
				}
				o.Action = app.ActionCreated
				if o.ID, err = res.LastInsertId(); err != nil {
					return err
				}
				continue
			}
			var old app.Company
			if err := scanCompany(b.tx.QueryRowContext(ctx, "SELECT "+companyCols+" FROM companies co WHERE co.id = ?", existing), &old); err != nil {
				return err
			}
			upd, changed := old, false
			overlay(&upd.Name, c.Name, &changed)
			overlay(&upd.Email, c.Email, &changed)
			overlay(&upd.Website, c.Website, &changed)
			overlay(&upd.Phone, c.Phone, &changed)
			overlay(&upd.Industry, c.Industry, &changed)
			overlay(&upd.City, c.City, &changed)
			overlay(&upd.Country, c.Country, &changed)
			overlay(&upd.Notes, c.Notes, &changed)
			o.ID = existing
			if !changed {
				o.Action = app.ActionSkipped
				continue
			}
			if err := updateCompanyTx(ctx, b.tx, &upd, b.now); err != nil {
				if err := refuse(o, err); err != nil {
					return err
				}
				continue
			}
			if err := b.updated("companies", existing, upd.Rev, old); err != nil {
				return err
			}
			o.Action = app.ActionUpdated
		}
		return nil
	})
	return outs, err
}

// ImportRecordRows writes one batch of pipeline records. A duplicate is
// the oldest record with the same name (ignoring case) in the same
// pipeline; contacts are found by email (a row naming an unknown one is
// refused), a company by name or created.
func (db *DB) ImportRecordRows(ctx context.Context, batch int64, dup app.OnDuplicate, rows []app.ImportRow[app.Record]) ([]app.RowOutcome, error) {
	outs := make([]app.RowOutcome, len(rows))
	err := db.runBatch(ctx, "import records", batch, false, func(b *batchTx) error {
		find, err := b.tx.PrepareContext(ctx, "SELECT id FROM pipeline_records WHERE pipeline_id = ? AND sort_name = ? ORDER BY id LIMIT 1")
		if err != nil {
			return err
		}
		defer find.Close()
		byEmail, err := b.tx.PrepareContext(ctx, "SELECT id FROM contacts WHERE email_norm = ? AND email_norm <> '' ORDER BY id LIMIT 1")
		if err != nil {
			return err
		}
		defer byEmail.Close()
		now := toDB(b.now)
		for i := range rows {
			o := &outs[i]
			o.Row = rows[i].Row
			r := rows[i].Value
			given := func(f string) bool { return rows[i].Given == nil || slices.Contains(rows[i].Given, f) }
			if err := b.prepareRecord(&r, byEmail, now); err != nil {
				if err := refuse(o, err); err != nil {
					return err
				}
				continue
			}
			var existing int64
			if dup != app.DupCreate {
				if existing, err = findID(ctx, find, r.PipelineID, sortKey(r.Name)); err != nil {
					return err
				}
			}
			switch {
			case existing != 0 && dup == app.DupSkip:
				o.Action, o.ID = app.ActionSkipped, existing
				continue
			case existing == 0:
				res, err := b.tx.ExecContext(ctx, insertRecordSQL, r.PipelineID, r.StageID, r.Name, sortKey(r.Name), r.Amount,
					r.Currency, r.ClosingDate, nullID(r.CompanyID), r.Notes, now, now)
				if err != nil {
					return err
				}
				if o.ID, err = res.LastInsertId(); err != nil {
					return err
				}
				if err := writeLinks(ctx, b.tx, o.ID, r.Contacts); err != nil {
					return err
				}
				o.Action = app.ActionCreated
				continue
			}
			var old app.Record
			if err := findRecord(ctx, b.tx, existing, &old); err != nil {
				return err
			}
			upd := old
			if given("StageID") && r.StageID != 0 {
				upd.StageID = r.StageID
			}
			if given("Amount") && r.Amount != 0 {
				upd.Amount = r.Amount
			}
			if given("Currency") && r.Currency != "" {
				upd.Currency = r.Currency
			}
			if given("ClosingDate") && r.ClosingDate != "" {
				upd.ClosingDate = r.ClosingDate
			}
			if r.CompanyID != 0 {
				upd.CompanyID = r.CompanyID
			}
			if r.Notes != "" {
				upd.Notes = r.Notes
			}
			if len(r.Contacts) > 0 {
				upd.Contacts = r.Contacts
			}
			o.ID = existing
			if recordSame(&old, &upd) {
				o.Action = app.ActionSkipped
				continue
			}
			res, err := b.tx.ExecContext(ctx, `UPDATE pipeline_records SET stage_id = ?, amount = ?, currency = ?,
				closing_date = ?, company_id = ?, notes = ?, updated_at = ?, rev = rev + 1 WHERE id = ? AND rev = ?`,
				upd.StageID, upd.Amount, upd.Currency, upd.ClosingDate, nullID(upd.CompanyID), upd.Notes, now, upd.ID, upd.Rev)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil || n == 0 {
				return errors.Join(err, errors.New("record changed during its import"))
			}
			if len(r.Contacts) > 0 {
				if err := writeLinks(ctx, b.tx, upd.ID, upd.Contacts); err != nil {
					return err
				}
			}
			if err := b.updated("pipeline_records", existing, upd.Rev+1, old); err != nil {
				return err
			}
			o.Action = app.ActionUpdated
		}
		return nil
	})
	return outs, err
}

// prepareRecord validates r and resolves its company (by name, created
// when missing) and contacts (by email) inside the batch's transaction.
func (b *batchTx) prepareRecord(r *app.Record, byEmail *sql.Stmt, now int64) error {
	for i := range r.Contacts {
		if r.Contacts[i].ContactID != 0 {
			continue
		}
		id, err := findID(b.ctx, byEmail, app.NormalizeEmail(r.Contacts[i].Email))
		if err != nil {
			return err
		}
		if id == 0 {
			return fieldError("Contacts", MsgNoContactEmail)
		}
		r.Contacts[i].ContactID = id
	}
	if err := normalizeRecord(r); err != nil {
		return err
	}
	if r.CompanyID == 0 && strings.TrimSpace(r.CompanyName) != "" {
		id, err := b.cos.resolve(b.ctx, b.tx, strings.TrimSpace(r.CompanyName), now)
		if app.ErrorCode(err) == app.EINVALID {
			return fieldError("CompanyName", app.MsgTooLong)
		}
		if err != nil {
			return err
		}
		r.CompanyID = id
	}
	return checkRecordRefs(b.ctx, b.tx, r)
}

func recordSame(a, b *app.Record) bool {
	if a.StageID != b.StageID || a.Amount != b.Amount || a.Currency != b.Currency || a.ClosingDate != b.ClosingDate ||
		a.CompanyID != b.CompanyID || a.Notes != b.Notes || len(a.Contacts) != len(b.Contacts) {
		return false
	}
	for i := range a.Contacts {
		if a.Contacts[i].ContactID != b.Contacts[i].ContactID || a.Contacts[i].Primary != b.Contacts[i].Primary {
			return false
		}
	}
	return true
}

// UndoImport takes back import batch id in one transaction: every row it
// updated gets its earlier values back and every row it created is
// removed, except rows changed since (their rev moved on), which are kept
// and counted, so no later edit is lost. A company the import created is
// kept while anything else still refers to it. ECONFLICT when id is not
// the newest import or was undone already.
func (db *DB) UndoImport(ctx context.Context, id int64) (app.UndoResult, error) {
	var res app.UndoResult
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		res = app.UndoResult{}
		var last int64
		var undone sql.NullInt64
		err := tx.QueryRowContext(ctx, "SELECT id, undone_at FROM import_batches ORDER BY id DESC LIMIT 1").Scan(&last, &undone)
		if errors.Is(err, sql.ErrNoRows) || err == nil && last != id {
			return app.Errorf(app.ECONFLICT, "Only the last import can be undone.")
		}
		if err != nil {
			return err
		}
		if undone.Valid {
			return app.Errorf(app.ECONFLICT, "This import was undone already.")
		}
		now := db.now()
		if err := restoreUpdated(ctx, tx, id, now, &res); err != nil {
			return err
		}
		for _, t := range []struct{ table, extra string }{
			{"pipeline_records", ""},
			{"contacts", ""},
			{"companies", ` AND NOT EXISTS (SELECT 1 FROM contacts x WHERE x.company_id = t.id)
				AND NOT EXISTS (SELECT 1 FROM pipeline_records x WHERE x.company_id = t.id)`},
		} {
			var created int64
			if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM import_items WHERE batch_id = ? AND tbl = ? AND before IS NULL",
				id, t.table).Scan(&created); err != nil {
				return err
			}
			if created == 0 {
				continue
			}
			out, err := tx.ExecContext(ctx, `DELETE FROM `+t.table+` WHERE id IN (
				SELECT t.id FROM import_items i JOIN `+t.table+` t ON t.id = i.row_id AND t.rev = i.rev
				WHERE i.batch_id = ? AND i.tbl = ? AND i.before IS NULL`+t.extra+`)`, id, t.table)
			if err != nil {
				return err
			}
			n, err := out.RowsAffected()
			if err != nil {
				return err
			}
			res.Removed += int(n)
			res.Kept += int(created - n)
		}
		if _, err := tx.ExecContext(ctx, "UPDATE import_batches SET undone_at = ? WHERE id = ?", toDB(now), id); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, "DELETE FROM import_items WHERE batch_id = ?", id)
		return err
	})
	if err != nil {
		return app.UndoResult{}, fmt.Errorf("store: undo import: %w", err)
	}
	return res, nil
}

// restoreUpdated puts back the rows batch id updated, a page at a time.
func restoreUpdated(ctx context.Context, tx *sql.Tx, id int64, now time.Time, res *app.UndoResult) error {
	type item struct {
		table  string
		row    int64
		rev    int64
		before string
	}
	lastTable, lastRow := "", int64(0)
	for {
		rows, err := tx.QueryContext(ctx, `SELECT tbl, row_id, rev, before FROM import_items
			WHERE batch_id = ? AND before IS NOT NULL AND (tbl, row_id) > (?, ?) ORDER BY tbl, row_id LIMIT 500`, id, lastTable, lastRow)
		if err != nil {
			return err
		}
		var items []item
		for rows.Next() {
			var it item
			if err := rows.Scan(&it.table, &it.row, &it.rev, &it.before); err != nil {
				rows.Close()
				return err
			}
			items = append(items, it)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()
		if len(items) == 0 {
			return nil
		}
		for _, it := range items {
			err := restoreRow(ctx, tx, it.table, it.rev, it.before, now)
			switch app.ErrorCode(err) {
			case "":
				res.Restored++
			case app.ECONFLICT, app.ENOTFOUND:
				res.Kept++
			default:
				return err
			}
		}
		lastTable, lastRow = items[len(items)-1].table, items[len(items)-1].row
	}
}

// restoreRow writes before back over a row whose rev is still rev.
func restoreRow(ctx context.Context, tx *sql.Tx, table string, rev int64, before string, now time.Time) error {
	exists := func(id int64) (int64, error) {
		if id == 0 {
			return 0, nil
		}
		err := checkCompany(ctx, tx, id)
		if app.ErrorCode(err) == app.EINVALID {
			return 0, nil // deleted since: the restored row has no company
		}
		return id, err
	}
	var err error
	switch table {
	case "contacts":
		var c app.Contact
		if err := json.Unmarshal([]byte(before), &c); err != nil {
			return err
		}
		if c.CompanyID, err = exists(c.CompanyID); err != nil {
			return err
		}
		c.Rev = rev
		return updateContactTx(ctx, tx, &c, now)
	case "companies":
		var c app.Company
		if err := json.Unmarshal([]byte(before), &c); err != nil {
			return err
		}
		c.Rev = rev
		return updateCompanyTx(ctx, tx, &c, now)
	case "pipeline_records":
		var r app.Record
		if err := json.Unmarshal([]byte(before), &r); err != nil {
			return err
		}
		if r.CompanyID, err = exists(r.CompanyID); err != nil {
			return err
		}
		out, err := tx.ExecContext(ctx, `UPDATE pipeline_records SET stage_id = ?, amount = ?, currency = ?, closing_date = ?,
			company_id = ?, notes = ?, updated_at = ?, rev = rev + 1 WHERE id = ? AND rev = ?`,
			r.StageID, r.Amount, r.Currency, r.ClosingDate, nullID(r.CompanyID), r.Notes, toDB(now), r.ID, rev)
		if err != nil {
			return err
		}
		if n, err := out.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return app.Errorf(app.ECONFLICT, "changed since the import")
		}
		var live []app.RecordContact
		for _, c := range r.Contacts {
			var one int
			if err := tx.QueryRowContext(ctx, "SELECT 1 FROM contacts WHERE id = ?", c.ContactID).Scan(&one); err == nil {
				live = append(live, c)
			}
		}
		if len(live) > 0 && !slices.ContainsFunc(live, func(c app.RecordContact) bool { return c.Primary }) {
			live[0].Primary = true
		}
		return writeLinks(ctx, tx, r.ID, live)
	}
	return fmt.Errorf("unknown table %s", table)
}
