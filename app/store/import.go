package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/tandem-crm/tandem/app"
)

// bulkRows is the batch size from which an import switches the per-row
// search triggers off and indexes the batch in one statement instead.
const bulkRows = 256

// Statements that index rows written while search_suspended was set. They
// must build the same text as the triggers in migrations/0001_crm.sql and
// 0018_contact_search_keys.sql. The contacts are given as a JSON array of
// ids (keyNewContacts) and indexed in key order: FTS5 writes rows that
// come in rowid order as one segment.
const (
	reindexContactsSQL = `INSERT INTO contacts_fts (rowid, name, email, phone, company, extra)
		SELECT c.search_key, c.first_name || ' ' || c.last_name, c.email, c.phone || ' ' || c.mobile,
		       coalesce(co.name || ' ' || co.name_extra, ''), c.search_extra
		FROM json_each(?) AS j JOIN contacts c ON c.id = j.value LEFT JOIN companies co ON co.id = c.company_id
		ORDER BY c.search_key`
	reindexCompaniesSQL = `INSERT INTO companies_fts (rowid, name, email, phone, city, extra)
		SELECT id, name || ' ' || name_extra, email, phone, city, search_extra FROM companies WHERE id > ?`
)

// rowErrors turns a validation failure of row into RowErrors, one per field.
func rowErrors(row int, err error) []app.RowError {
	var ve *app.ValidationError
	if errors.As(err, &ve) {
		out := make([]app.RowError, len(ve.Fields))
		for i, f := range ve.Fields {
			out[i] = app.RowError{Row: row, Field: f.Field, Message: f.Message}
		}
		return out
	}
	return []app.RowError{{Row: row, Message: app.ErrorMessage(err)}}
}

func sortRowErrors(errs []app.RowError) {
	sort.SliceStable(errs, func(i, j int) bool { return errs[i].Row < errs[j].Row })
}

// bulkSearch suspends the search triggers for the rest of tx and returns a
// function that indexes every company inserted meanwhile, and with
// keyContacts every contact, and turns the triggers back on. New
// companies have ids above the current maximum because the table has no
// AUTOINCREMENT and the writer is exclusive; new contacts are the ones
// without a search key. Without keyContacts they stay without a key (and
// out of the search) until keyNewContacts runs: an import keys its
// contacts when it finishes, in one pass over the list, instead of
// threading each batch's contacts among the others.
func bulkSearch(ctx context.Context, tx *sql.Tx, keyContacts bool) (finish func() error, err error) {
	var maxCompany int64
	if err := tx.QueryRowContext(ctx, "SELECT coalesce((SELECT max(id) FROM companies), 0)").Scan(&maxCompany); err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO search_suspended (id) VALUES (1)"); err != nil {
		return nil, err
	}
	return func() error {
		// An update trigger may have indexed a company this transaction
		// inserted (an import that updates a row it created): drop those
		// before indexing every new company once.
		if _, err := tx.ExecContext(ctx, "DELETE FROM companies_fts WHERE rowid > ?", maxCompany); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, reindexCompaniesSQL, maxCompany); err != nil {
			return err
		}
		// The new contacts have no key yet (the update trigger indexes
		// only keyed contacts): key them among the others and index them.
		if keyContacts {
			if err := keyNewContacts(ctx, tx); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, "DELETE FROM search_suspended")
		return err
	}, nil
}

// companyResolver finds companies by id or normalised name during an
// import, creating the named ones that do not exist yet.
type companyResolver struct {
	byName map[string]int64
	exists map[int64]bool
	absent map[string]bool // looked up by prefetch and not found
}

func newCompanyResolver() *companyResolver {
	return &companyResolver{byName: map[string]int64{}, exists: map[int64]bool{}, absent: map[string]bool{}}
}

// prefetch looks up every name of names (normalised) in one query, so
// resolve needs no query per row (issue 17: one look-up per row cost an
// import of 100k contacts about a second).
func (cr *companyResolver) prefetch(ctx context.Context, tx *sql.Tx, names []string) error {
	var want []string
	for _, n := range names {
		norm := app.NormalizeName(n)
		if _, ok := cr.byName[norm]; !ok && !cr.absent[norm] {
			cr.absent[norm] = true // until the query finds it
			want = append(want, norm)
		}
	}
	if len(want) == 0 {
		return nil
	}
	found, err := lookupMin(ctx, tx, "SELECT name_norm, min(id) FROM companies WHERE name_norm IN (%s) GROUP BY name_norm", want)
	if err != nil {
		return err
	}
	for norm, id := range found {
		delete(cr.absent, norm)
		cr.byName[norm] = id
		cr.exists[id] = true
	}
	return nil
}

// lookupMin runs query once per chunk of keys (its "IN (%s)" takes the
// placeholders) and returns the (key, lowest id) pairs it answers. The keys
// are bound as they are, byte for byte.
func lookupMin(ctx context.Context, tx *sql.Tx, query string, keys []string) (map[string]int64, error) {
	const chunk = 500 // well under SQLite's limit on bound parameters
	out := make(map[string]int64, len(keys))
	for start := 0; start < len(keys); start += chunk {
		part := keys[start:min(len(keys), start+chunk)]
		args := make([]any, len(part))
		for i, k := range part {
			args[i] = k
		}
		marks := strings.Repeat(", ?", len(part))[2:]
		if err := scanPairs(ctx, tx, fmt.Sprintf(query, marks), args, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func scanPairs(ctx context.Context, tx *sql.Tx, query string, args []any, out map[string]int64) error {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		var id int64
		if err := rows.Scan(&k, &id); err != nil {
			return err
		}
		out[k] = id
	}
	return rows.Err()
}

func (cr *companyResolver) has(ctx context.Context, tx *sql.Tx, id int64) (bool, error) {
	if ok, seen := cr.exists[id]; seen {
		return ok, nil
	}
	err := checkCompany(ctx, tx, id)
	if app.ErrorCode(err) == app.EINVALID {
		cr.exists[id] = false
		return false, nil
	}
	if err != nil {
		return false, err
	}
	cr.exists[id] = true
	return true, nil
}

// resolve returns the id of the company named name (the lowest id when
// several share the normalised name), creating it when there is none.
func (cr *companyResolver) resolve(ctx context.Context, tx *sql.Tx, name string, now int64) (int64, error) {
	norm := app.NormalizeName(name)
	if id, ok := cr.byName[norm]; ok {
		return id, nil
	}
	var id int64
	err := sql.ErrNoRows
	if !cr.absent[norm] {
		err = tx.QueryRowContext(ctx, "SELECT id FROM companies WHERE name_norm = ? ORDER BY id LIMIT 1", norm).Scan(&id)
	}
	if errors.Is(err, sql.ErrNoRows) {
		co := app.Company{Name: name}
		co.Normalize()
		if err := co.Validate(); err != nil {
			return 0, err
		}
		res, err := tx.ExecContext(ctx, insertCompanySQL, companyArgs(&co, now)...)
		if err != nil {
			return 0, err
		}
		if id, err = res.LastInsertId(); err != nil {
			return 0, err
		}
	} else if err != nil {
		return 0, err
	}
	delete(cr.absent, norm)
	cr.byName[norm] = id
	cr.exists[id] = true
	return id, nil
}

type importRow[T any] struct {
	row int // 1-based
	v   T
}

// importRows is what the imports share. prepare normalises and checks
// each row (its error goes into the report); the valid rows go in with
// batched write transactions. In each, begin readies the statements and
// returns the function that inserts one row: an EINVALID error from it
// reports the row, any other aborts the import. With bulk, big batches
// index their search text in one statement instead of per row.
func importRows[T any](ctx context.Context, db *DB, op string, items []T, prepare func(*T) error, bulk bool,
	begin func(tx *sql.Tx, now int64) (insert func(*T) error, done func(), err error)) (app.ImportResult, error) {
	var res app.ImportResult
	valid := make([]importRow[T], 0, len(items))
	for i := range items {
		v := items[i]
		if err := prepare(&v); err != nil {
			res.Errors = append(res.Errors, rowErrors(i+1, err)...)
			continue
		}
		valid = append(valid, importRow[T]{i + 1, v})
	}
	// A big import's batches all leave their contacts unkeyed (a small
	// last batch too); the contacts are keyed and indexed once, at the end.
	bulk = bulk && len(valid) >= bulkRows
	for start := 0; start < len(valid); start += db.opts.ImportBatch {
		batch := valid[start:min(len(valid), start+db.opts.ImportBatch)]
		var inserted int
		var errs []app.RowError
		err := db.writeTx(ctx, func(tx *sql.Tx) error {
			inserted, errs = 0, nil
			finish := func() error { return nil }
			if bulk {
				var err error
				if finish, err = bulkSearch(ctx, tx, false); err != nil {
					return err
				}
			}
			insert, done, err := begin(tx, toDB(db.now()))
			if err != nil {
				return err
			}
			defer done()
			for i := range batch {
				err := insert(&batch[i].v)
				if app.ErrorCode(err) == app.EINVALID {
					errs = append(errs, rowErrors(batch[i].row, err)...)
					continue
				}
				if err != nil {
					return err
				}
				inserted++
			}
			return finish()
		})
		if err != nil {
			sortRowErrors(res.Errors)
			if bulk {
				err = errors.Join(err, db.keyContacts(ctx)) // the batches before it stay imported: make them searchable
			}
			return res, fmt.Errorf("store: %s: %w", op, err)
		}
		res.Inserted += inserted
		res.Errors = append(res.Errors, errs...)
	}
	sortRowErrors(res.Errors)
	if bulk {
		if err := db.keyContacts(ctx); err != nil {
			return res, fmt.Errorf("store: %s: %w", op, err)
		}
	}
	return res, nil
}

// ImportContacts validates every contact and inserts the valid ones in
// transactions of Options.ImportBatch rows; invalid rows are reported in
// the result, not inserted. A contact with CompanyID 0 and a CompanyName is
// linked to the company with that name after NormalizeName (the oldest when
// several match), which is created when there is none. When a batch fails
// (a lock, a full disk) the batches before it stay imported and the result
// counts them.
func (db *DB) ImportContacts(ctx context.Context, cs []app.Contact) (app.ImportResult, error) {
	cr := newCompanyResolver()
	return importRows(ctx, db, "import contacts", cs, func(c *app.Contact) error {
		c.Normalize()
		c.CompanyName = strings.TrimSpace(c.CompanyName)
		return c.Validate()
	}, true, func(tx *sql.Tx, now int64) (func(*app.Contact) error, func(), error) {
		stmt, err := tx.PrepareContext(ctx, insertContactSQL)
		if err != nil {
			return nil, nil, err
		}
		return func(c *app.Contact) error {
			switch {
			case c.CompanyID != 0:
				ok, err := cr.has(ctx, tx, c.CompanyID)
				if err != nil {
					return err
				}
				if !ok {
					return fieldError("CompanyID", "No such company")
				}
			case c.CompanyName != "":
				id, err := cr.resolve(ctx, tx, c.CompanyName, now)
				if app.ErrorCode(err) == app.EINVALID {
					return fieldError("CompanyName", app.MsgTooLong)
				}
				if err != nil {
					return err
				}
				c.CompanyID = id
			}
			return keyed(ctx, tx, func() error {
				_, err := stmt.ExecContext(ctx, contactArgs(c, now)...)
				return err
			})
		}, func() { stmt.Close() }, nil
	})
}

// ImportCompanies validates every company and inserts the valid ones in
// batched transactions; invalid rows are reported in the result.
func (db *DB) ImportCompanies(ctx context.Context, cs []app.Company) (app.ImportResult, error) {
	return importRows(ctx, db, "import companies", cs, func(c *app.Company) error {
		c.Normalize()
		return c.Validate()
	}, true, func(tx *sql.Tx, now int64) (func(*app.Company) error, func(), error) {
		stmt, err := tx.PrepareContext(ctx, insertCompanySQL)
		if err != nil {
			return nil, nil, err
		}
		return func(c *app.Company) error {
			_, err := stmt.ExecContext(ctx, companyArgs(c, now)...)
			return err
		}, func() { stmt.Close() }, nil
	})
}

// ImportRecords validates every record (fields, stage and pipeline,
// company, contacts) and inserts the valid ones with their contact links in
// batched transactions; invalid rows are reported in the result.
func (db *DB) ImportRecords(ctx context.Context, rs []app.Record) (app.ImportResult, error) {
	return importRows(ctx, db, "import records", rs, normalizeRecord, false,
		func(tx *sql.Tx, now int64) (func(*app.Record) error, func(), error) {
			stmt, err := tx.PrepareContext(ctx, insertRecordSQL)
			if err != nil {
				return nil, nil, err
			}
			link, err := tx.PrepareContext(ctx, "INSERT INTO pipeline_record_contacts (record_id, contact_id, is_primary) VALUES (?, ?, ?)")
			if err != nil {
				stmt.Close()
				return nil, nil, err
			}
			return func(r *app.Record) error {
				if err := checkRecordRefs(ctx, tx, r); err != nil {
					return err // EINVALID reports the row
				}
				out, err := stmt.ExecContext(ctx, r.PipelineID, r.StageID, r.Name, sortKey(r.Name), r.Amount,
					r.Currency, r.ClosingDate, nullID(r.CompanyID), r.Notes, now, now)
				if err != nil {
					return err
				}
				id, err := out.LastInsertId()
				if err != nil {
					return err
				}
				for _, c := range r.Contacts {
					if _, err := link.ExecContext(ctx, id, c.ContactID, c.Primary); err != nil {
						return err
					}
				}
				return nil
			}, func() { stmt.Close(); link.Close() }, nil
		})
}
