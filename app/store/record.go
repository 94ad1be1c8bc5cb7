package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/tandem-crm/tandem/app"
)

const recordCols = `r.id, r.pipeline_id, r.stage_id, s.name, r.name, r.amount, r.currency, r.closing_date,
	coalesce(r.company_id, 0), coalesce(co.name, ''), r.notes, r.created_at, r.updated_at, r.rev`

const recordFrom = ` FROM pipeline_records r JOIN stages s ON s.id = r.stage_id
	LEFT JOIN companies co ON co.id = r.company_id`

const insertRecordSQL = `INSERT INTO pipeline_records (pipeline_id, stage_id, name, sort_name, amount, currency,
	closing_date, company_id, notes, created_at, updated_at, rev) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`

func scanRecord(sc interface{ Scan(...any) error }, r *app.Record) error {
	var created, updated int64
	if err := sc.Scan(&r.ID, &r.PipelineID, &r.StageID, &r.StageName, &r.Name, &r.Amount, &r.Currency, &r.ClosingDate,
		&r.CompanyID, &r.CompanyName, &r.Notes, &created, &updated, &r.Rev); err != nil {
		return err
	}
	r.CreatedAt, r.UpdatedAt = fromDB(created), fromDB(updated)
	return nil
}

// fillRecordContacts reads the linked contacts of recs, primary first, then
// by name.
func fillRecordContacts(ctx context.Context, q querier, recs []app.Record) error {
	if len(recs) == 0 {
		return nil
	}
	index := make(map[int64]int, len(recs))
	ids := make([]string, len(recs))
	args := make([]any, len(recs))
	for i := range recs {
		index[recs[i].ID] = i
		recs[i].Contacts = nil
		ids[i] = "?"
		args[i] = recs[i].ID
	}
	rows, err := q.QueryContext(ctx, `SELECT l.record_id, l.contact_id, l.is_primary, c.first_name, c.last_name, c.email
		FROM pipeline_record_contacts l JOIN contacts c ON c.id = l.contact_id
		WHERE l.record_id IN (`+strings.Join(ids, ",")+`)
		ORDER BY l.record_id, l.is_primary DESC, c.sort_name, c.id`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var rid int64
		var rc app.RecordContact
		var first, last string
		if err := rows.Scan(&rid, &rc.ContactID, &rc.Primary, &first, &last, &rc.Email); err != nil {
			return err
		}
		rc.Name = app.PersonName(first, last)
		i := index[rid]
		recs[i].Contacts = append(recs[i].Contacts, rc)
	}
	return rows.Err()
}

// FindRecord returns a record with its stage, company and contacts filled
// in, or ENOTFOUND.
func (db *DB) FindRecord(ctx context.Context, id int64) (*app.Record, error) {
	var r app.Record
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		return findRecord(ctx, tx, id, &r)
	})
	if err != nil {
		return nil, fmt.Errorf("store: find record: %w", err)
	}
	return &r, nil
}

func findRecord(ctx context.Context, q querier, id int64, r *app.Record) error {
	err := scanRecord(q.QueryRowContext(ctx, "SELECT "+recordCols+recordFrom+" WHERE r.id = ?", id), r)
	if errors.Is(err, sql.ErrNoRows) {
		return notFound("Record")
	}
	if err != nil {
		return err
	}
	recs := []app.Record{*r}
	if err := fillRecordContacts(ctx, q, recs); err != nil {
		return err
	}
	*r = recs[0]
	return nil
}

// ListRecords returns one page of the records f selects, ordered by name,
// with stage, company and contacts filled in. Query matches any part of
// the record's name, ignoring case and accents.
func (db *DB) ListRecords(ctx context.Context, f app.RecordFilter) ([]app.Record, error) {
	where, args := recordWhere(f)
	offset, limit := page(f.Offset, f.Limit)
	args = append(args, limit, offset)
	var out []app.Record
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, "SELECT "+recordCols+recordFrom+where+" ORDER BY r.sort_name, r.id LIMIT ? OFFSET ?", args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		out = make([]app.Record, 0, limit)
		for rows.Next() {
			var r app.Record
			if err := scanRecord(rows, &r); err != nil {
				return err
			}
			out = append(out, r)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()
		return fillRecordContacts(ctx, tx, out)
	})
	if err != nil {
		return nil, fmt.Errorf("store: list records: %w", err)
	}
	return out, nil
}

// SummarizeRecords returns, per stage and currency, how many records f
// selects and their total amount (Offset and Limit are ignored).
func (db *DB) SummarizeRecords(ctx context.Context, f app.RecordFilter) ([]app.RecordGroup, error) {
	where, args := recordWhere(f)
	rows, err := db.read.QueryContext(ctx, "SELECT r.stage_id, r.currency, count(*), coalesce(sum(r.amount), 0) FROM pipeline_records r"+
		where+" GROUP BY r.stage_id, r.currency ORDER BY r.stage_id, min(r.sort_name)", args...)
	if err != nil {
		return nil, fmt.Errorf("store: summarize records: %w", translate(err))
	}
	defer rows.Close()
	var out []app.RecordGroup
	for rows.Next() {
		var g app.RecordGroup
		if err := rows.Scan(&g.StageID, &g.Currency, &g.Count, &g.Amount); err != nil {
			return nil, fmt.Errorf("store: summarize records: %w", translate(err))
		}
		out = append(out, g)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: summarize records: %w", translate(err))
	}
	return out, nil
}

// recordWhere builds the WHERE clause of f (Offset and Limit aside).
func recordWhere(f app.RecordFilter) (string, []any) {
	var conds []string
	var args []any
	for _, c := range []struct {
		id   int64
		cond string
	}{
		{f.PipelineID, "r.pipeline_id = ?"},
		{f.StageID, "r.stage_id = ?"},
		{f.CompanyID, "r.company_id = ?"},
		{f.ContactID, "r.id IN (SELECT record_id FROM pipeline_record_contacts WHERE contact_id = ?)"},
	} {
		if c.id != 0 {
			conds = append(conds, c.cond)
			args = append(args, c.id)
		}
	}
	if q := sortKey(f.Query); q != "" {
		conds = append(conds, `r.sort_name LIKE ? ESCAPE '\'`)
		args = append(args, likePattern(q))
	}
	where := ""
	if len(conds) > 0 {
		where = " WHERE " + strings.Join(conds, " AND ")
	}
	return where, args
}

// normalizeRecord trims and upper-cases what a person may type loosely,
// then validates with the app's rules.
func normalizeRecord(r *app.Record) error {
	r.Currency = strings.ToUpper(strings.TrimSpace(r.Currency))
	r.ClosingDate = strings.TrimSpace(r.ClosingDate)
	return r.Validate()
}

// checkRecordRefs resolves and checks what a record points at: the stage
// (setting PipelineID when 0, EINVALID when the stage is in another
// pipeline), the company, and the contacts (each once, each existing, at
// most one primary).
func checkRecordRefs(ctx context.Context, tx *sql.Tx, r *app.Record) error {
	pid, err := stagePipeline(ctx, tx, r.StageID)
	if app.ErrorCode(err) == app.ENOTFOUND {
		return fieldError("Stage", "The stage no longer exists")
	}
	if err != nil {
		return err
	}
	if r.PipelineID == 0 {
		r.PipelineID = pid
	} else if r.PipelineID != pid {
		return fieldError("Stage", "The stage belongs to another pipeline")
	}
	if err := checkCompany(ctx, tx, r.CompanyID); err != nil {
		return err
	}
	seen := map[int64]bool{}
	primaries := 0
	for _, c := range r.Contacts {
		if seen[c.ContactID] {
			return fieldError("Contacts", "A contact is listed twice")
		}
		seen[c.ContactID] = true
		if c.Primary {
			primaries++
		}
		var one int
		err := tx.QueryRowContext(ctx, "SELECT 1 FROM contacts WHERE id = ?", c.ContactID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return fieldError("Contacts", "A linked contact no longer exists")
		}
		if err != nil {
			return err
		}
	}
	if primaries > 1 {
		return fieldError("Contacts", app.MsgOnePrimary)
	}
	return nil
}

// writeLinks replaces the contact links of record id.
func writeLinks(ctx context.Context, tx *sql.Tx, id int64, cs []app.RecordContact) error {
	if _, err := tx.ExecContext(ctx, "DELETE FROM pipeline_record_contacts WHERE record_id = ?", id); err != nil {
		return err
	}
	for _, c := range cs {
		if _, err := tx.ExecContext(ctx, "INSERT INTO pipeline_record_contacts (record_id, contact_id, is_primary) VALUES (?, ?, ?)",
			id, c.ContactID, c.Primary); err != nil {
			return err
		}
	}
	return nil
}

// CreateRecord validates r (EINVALID), inserts it with its contact links
// and sets its ID, times, Rev and the filled-in names. PipelineID may be 0:
// it is taken from the stage.
func (db *DB) CreateRecord(ctx context.Context, r *app.Record) error {
	if err := normalizeRecord(r); err != nil {
		return fmt.Errorf("store: create record: %w", err)
	}
	now := toDB(db.now())
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		if err := checkRecordRefs(ctx, tx, r); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, insertRecordSQL, r.PipelineID, r.StageID, r.Name, sortKey(r.Name), r.Amount,
			r.Currency, r.ClosingDate, nullID(r.CompanyID), r.Notes, now, now)
		if err != nil {
			return err
		}
		id, err := res.LastInsertId()
		if err != nil {
			return err
		}
		if err := writeLinks(ctx, tx, id, r.Contacts); err != nil {
			return err
		}
		return findRecord(ctx, tx, id, r)
	})
	if err != nil {
		return fmt.Errorf("store: create record: %w", err)
	}
	return nil
}

// UpdateRecord saves r (fields and contact links) when r.Rev is still the
// stored revision, then bumps Rev and UpdatedAt and refreshes the filled-in
// names. It returns ENOTFOUND, EINVALID or ECONFLICT.
func (db *DB) UpdateRecord(ctx context.Context, r *app.Record) error {
	if err := normalizeRecord(r); err != nil {
		return fmt.Errorf("store: update record: %w", err)
	}
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		if err := checkRecordRefs(ctx, tx, r); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE pipeline_records SET pipeline_id = ?, stage_id = ?, name = ?, sort_name = ?,
			amount = ?, currency = ?, closing_date = ?, company_id = ?, notes = ?, updated_at = ?, rev = rev + 1
			WHERE id = ? AND rev = ?`,
			r.PipelineID, r.StageID, r.Name, sortKey(r.Name), r.Amount, r.Currency, r.ClosingDate, nullID(r.CompanyID),
			r.Notes, toDB(db.now()), r.ID, r.Rev)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return staleOrMissing(ctx, tx, "pipeline_records", r.ID, "Record")
		}
		if err := writeLinks(ctx, tx, r.ID, r.Contacts); err != nil {
			return err
		}
		return findRecord(ctx, tx, r.ID, r)
	})
	if err != nil {
		return fmt.Errorf("store: update record: %w", err)
	}
	return nil
}

// MoveRecord puts a record in another stage of the same pipeline. It
// returns ENOTFOUND for a missing record or stage and EINVALID when the
// stage belongs to another pipeline.
func (db *DB) MoveRecord(ctx context.Context, id, stageID int64) error {
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		var pid int64
		err := tx.QueryRowContext(ctx, "SELECT pipeline_id FROM pipeline_records WHERE id = ?", id).Scan(&pid)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("Record")
		}
		if err != nil {
			return err
		}
		spid, err := stagePipeline(ctx, tx, stageID)
		if err != nil {
			return err
		}
		if spid != pid {
			return fieldError("Stage", "The stage belongs to another pipeline")
		}
		_, err = tx.ExecContext(ctx, `UPDATE pipeline_records SET stage_id = ?, updated_at = ?, rev = rev + 1
			WHERE id = ? AND stage_id <> ?`, stageID, toDB(db.now()), id, stageID)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: move record: %w", err)
	}
	return nil
}

// DeleteRecord deletes a record and its contact links (ENOTFOUND).
func (db *DB) DeleteRecord(ctx context.Context, id int64) error {
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		return deleteRow(ctx, tx, "pipeline_records", id, "Record")
	})
	if err != nil {
		return fmt.Errorf("store: delete record: %w", err)
	}
	return nil
}
