package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/tandem-crm/tandem/app"
)

// This file keeps what a team on one Desk portal needs (issue 12): records
// merged on Desk, records deleted in Tandem (tombstones), and conflict
// times on Desk's clock.

// forgetMerged drops the remote copies of the Desk records ids, merged
// into keep, and their links other than CRM record crmID's (which moves to
// keep).
func forgetMerged(ctx context.Context, tx *sql.Tx, org, kind, keep string, crmID int64, ids []string) error {
	for _, id := range ids {
		if id == keep {
			continue
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM desk_remote WHERE org_id = ? AND kind = ? AND desk_id = ?", org, kind, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM desk_links WHERE org_id = ? AND kind = ? AND desk_id = ? AND crm_id <> ?", org, kind, id, crmID); err != nil {
			return err
		}
		// Queued updates of a merged record would fail (it is gone).
		if _, err := tx.ExecContext(ctx, `DELETE FROM desk_outbox WHERE org_id = ? AND crm_kind = ? AND state IN ('pending', 'sending')
			AND kind IN (?, ?) AND json_extract(payload, '$.deskId') = ?`, org, kind, app.OutboxPushContact, app.OutboxPushCompany, id); err != nil {
			return err
		}
	}
	return nil
}

func recordMerge(ctx context.Context, tx *sql.Tx, m *app.MergeNote, now time.Time) error {
	losers := slices.Clone(m.Losers)
	slices.Sort(losers)
	b, _ := json.Marshal(losers)
	m.At = now
	res, err := tx.ExecContext(ctx, `INSERT INTO desk_merges (org_id, kind, survivor_id, losers, crm_id, record_name, by_us, at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (org_id, kind, survivor_id, losers) DO NOTHING`,
		m.OrgID, m.Kind, m.SurvivorID, string(b), m.CRMID, m.RecordName, b2i(m.ByUs), toDB(now))
	if err != nil {
		return err
	}
	m.ID, _ = res.LastInsertId()
	return nil
}

const mergeCols = "id, org_id, kind, survivor_id, losers, crm_id, record_name, by_us, at, dismissed"

func scanMerge(sc interface{ Scan(...any) error }, m *app.MergeNote) error {
	var losers string
	var at int64
	if err := sc.Scan(&m.ID, &m.OrgID, &m.Kind, &m.SurvivorID, &losers, &m.CRMID, &m.RecordName, &m.ByUs, &at, &m.Dismissed); err != nil {
		return err
	}
	m.At = fromDB(at)
	return json.Unmarshal([]byte(losers), &m.Losers)
}

// Merges returns a portal's resolved duplicates, newest first (dismissed
// ones too when withDismissed).
func (db *DB) Merges(ctx context.Context, orgID string, withDismissed bool) ([]app.MergeNote, error) {
	q := "SELECT " + mergeCols + " FROM desk_merges WHERE org_id = ?"
	if !withDismissed {
		q += " AND dismissed = 0"
	}
	rows, err := db.read.QueryContext(ctx, q+" ORDER BY at DESC, id DESC", orgID)
	if err != nil {
		return nil, fmt.Errorf("store: merges: %w", translate(err))
	}
	return collect(rows, scanMerge, "merges")
}

// DismissMerge hides a merge note.
func (db *DB) DismissMerge(ctx context.Context, id int64) error {
	return db.execOne(ctx, "dismiss merge", "Merge", "UPDATE desk_merges SET dismissed = 1 WHERE id = ?", id)
}

func (db *DB) execOne(ctx context.Context, op, what, q string, args ...any) error {
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, q, args...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return notFound(what)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: %s: %w", op, err)
	}
	return nil
}

func saveTombstone(ctx context.Context, tx *sql.Tx, t *app.Tombstone, now time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO desk_tombstones (org_id, kind, desk_id, crm_id, name, state, deleted_at, desk_modified)
		VALUES (?, ?, ?, ?, ?, 'deleted', ?, ?) ON CONFLICT (org_id, kind, desk_id) DO UPDATE SET crm_id = excluded.crm_id,
		name = excluded.name, state = 'deleted', deleted_at = excluded.deleted_at, desk_modified = excluded.desk_modified, changed_at = 0`,
		t.OrgID, t.Kind, t.DeskID, t.CRMID, t.Name, toDB(now), toDBz(t.DeskModified))
	return err
}

// SaveTombstone remembers a linked record deleted in Tandem (once per Desk
// record: deleting a record restored from it starts again from 'deleted').
func (db *DB) SaveTombstone(ctx context.Context, t *app.Tombstone) error {
	err := db.writeTx(ctx, func(tx *sql.Tx) error { return saveTombstone(ctx, tx, t, db.now()) })
	if err != nil {
		return fmt.Errorf("store: save tombstone: %w", err)
	}
	return nil
}

const tombCols = "id, org_id, kind, desk_id, crm_id, name, state, deleted_at, desk_modified, changed_at"

func scanTomb(sc interface{ Scan(...any) error }, t *app.Tombstone) error {
	var del, mod, ch int64
	if err := sc.Scan(&t.ID, &t.OrgID, &t.Kind, &t.DeskID, &t.CRMID, &t.Name, &t.State, &del, &mod, &ch); err != nil {
		return err
	}
	t.DeletedAt, t.DeskModified, t.ChangedAt = fromDB(del), fromDBz(mod), fromDBz(ch)
	return nil
}

// FindTombstone returns the tombstone of a Desk record, or ENOTFOUND.
func (db *DB) FindTombstone(ctx context.Context, orgID, kind, deskID string) (*app.Tombstone, error) {
	var t app.Tombstone
	err := scanTomb(db.read.QueryRowContext(ctx, "SELECT "+tombCols+" FROM desk_tombstones WHERE org_id = ? AND kind = ? AND desk_id = ?", orgID, kind, deskID), &t)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: find tombstone: %w", notFound("Deleted record"))
	}
	if err != nil {
		return nil, fmt.Errorf("store: find tombstone: %w", translate(err))
	}
	return &t, nil
}

// FindTombstoneByID returns a tombstone by id, or ENOTFOUND.
func (db *DB) FindTombstoneByID(ctx context.Context, id int64) (*app.Tombstone, error) {
	var t app.Tombstone
	err := scanTomb(db.read.QueryRowContext(ctx, "SELECT "+tombCols+" FROM desk_tombstones WHERE id = ?", id), &t)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: find tombstone: %w", notFound("Deleted record"))
	}
	if err != nil {
		return nil, fmt.Errorf("store: find tombstone: %w", translate(err))
	}
	return &t, nil
}

// TombstoneChanged marks a deleted record changed in Zoho Desk at
// modified (when that is after what the tombstone covers); it reports
// whether the state changed.
func (db *DB) TombstoneChanged(ctx context.Context, orgID, kind, deskID string, modified time.Time) (bool, error) {
	var n int64
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE desk_tombstones SET state = 'changed', changed_at = max(changed_at, ?)
			WHERE org_id = ? AND kind = ? AND desk_id = ? AND ? > desk_modified AND (state <> 'changed' OR ? > changed_at)`,
			toDB(modified), orgID, kind, deskID, toDB(modified), toDB(modified))
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("store: tombstone changed: %w", err)
	}
	return n > 0, nil
}

// Tombstones returns a portal's records deleted in Tandem and changed in
// Zoho Desk since (state 'changed'), newest change first.
func (db *DB) Tombstones(ctx context.Context, orgID string) ([]app.Tombstone, error) {
	rows, err := db.read.QueryContext(ctx, "SELECT "+tombCols+" FROM desk_tombstones WHERE org_id = ? AND state = 'changed' ORDER BY changed_at DESC, id DESC", orgID)
	if err != nil {
		return nil, fmt.Errorf("store: tombstones: %w", translate(err))
	}
	return collect(rows, scanTomb, "tombstones")
}

// KeepDeleted records the user's choice to keep a record deleted: changes
// in Desk up to the one shown are covered; a later one asks again.
func (db *DB) KeepDeleted(ctx context.Context, id int64) error {
	return db.execOne(ctx, "keep deleted", "Deleted record",
		"UPDATE desk_tombstones SET state = 'kept', desk_modified = max(desk_modified, changed_at) WHERE id = ?", id)
}

// DeleteTombstone forgets a tombstone (the record was restored).
func (db *DB) DeleteTombstone(ctx context.Context, id int64) error {
	return db.execOne(ctx, "delete tombstone", "Deleted record", "DELETE FROM desk_tombstones WHERE id = ?", id)
}

// SetConflictCRMTime fills in when Desk accepted the push that won a
// record's open conflicts (those Tandem's value won, with no time yet).
func (db *DB) SetConflictCRMTime(ctx context.Context, orgID, kind string, crmID int64, at time.Time) error {
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE desk_conflicts SET crm_time = ? WHERE org_id = ? AND kind = ? AND crm_id = ?
			AND winner = 'crm' AND crm_time = 0`, toDB(at), orgID, kind, crmID)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: conflict time: %w", err)
	}
	return nil
}

// DeskPageKnown returns what a page of pulled Desk records has in the
// store (see app.DeskStore): one indexed IN query per table instead of a
// lookup per record, ~0.1 ms each at a first sync's 12k records.
func (db *DB) DeskPageKnown(ctx context.Context, orgID, kind string, deskIDs, keys []string) (*app.DeskPageKnown, error) {
	k := &app.DeskPageKnown{}
	var err error
	if k.Linked, err = db.present(ctx, "SELECT desk_id FROM desk_links WHERE org_id = ? AND kind = ? AND desk_id IN", []any{orgID, kind}, deskIDs); err != nil {
		return nil, fmt.Errorf("store: desk page: %w", err)
	}
	if k.Tombstoned, err = db.present(ctx, "SELECT desk_id FROM desk_tombstones WHERE org_id = ? AND kind = ? AND desk_id IN", []any{orgID, kind}, deskIDs); err != nil {
		return nil, fmt.Errorf("store: desk page: %w", err)
	}
	if kind == app.KindContact {
		// The same test as ListContacts' Email filter (matchCRM's lookup).
		if k.CRMKeys, err = db.present(ctx, "SELECT email_norm FROM contacts WHERE email_norm <> '' AND email_norm IN", nil, keys); err != nil {
			return nil, fmt.Errorf("store: desk page: %w", err)
		}
	}
	return k, nil
}

// present runs query (ending in IN) over vals, in chunks below SQLite's
// parameter limit, and returns the values of its first column.
func (db *DB) present(ctx context.Context, query string, args []any, vals []string) (map[string]bool, error) {
	out := map[string]bool{}
	const chunk = 500
	for len(vals) > 0 {
		part := vals[:min(chunk, len(vals))]
		vals = vals[len(part):]
		a := append(append([]any{}, args...), make([]any, 0, len(part))...)
		for _, v := range part {
			a = append(a, v)
		}
		rows, err := db.read.QueryContext(ctx, query+" ("+placeholders(len(part))+")", a...)
		if err != nil {
			return nil, translate(err)
		}
		for rows.Next() {
			var v string
			if err := rows.Scan(&v); err != nil {
				rows.Close()
				return nil, translate(err)
			}
			out[v] = true
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, translate(err)
		}
	}
	return out, nil
}
