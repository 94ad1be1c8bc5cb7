package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tandem-crm/tandem/app"
)

// This file implements app.DeskStore: the Zoho Desk integration's portals,
// mappings, cursors, remote copies, links, conflicts and per-record errors.
// The ticket cache and the outbox are in desk_tickets.go.

var _ app.DeskStore = (*DB)(nil)

// toDBz is toDB with the zero time stored as 0 ("never").
func toDBz(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return toDB(t)
}

// fromDBz reverses toDBz.
func fromDBz(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return fromDB(ms)
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func encodeMap(m map[string]string) string {
	if len(m) == 0 {
		return "{}"
	}
	b, _ := json.Marshal(m)
	return string(b)
}

func decodeMap(s string) (map[string]string, error) {
	m := map[string]string{}
	if s == "" || s == "{}" {
		return m, nil
	}
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		return nil, err
	}
	return m, nil
}

const portalCols = `org_id, name, portal_url, data_centre, base_url, mode, active, account_email, agent_id, agent_name,
	agent_email, is_admin, can_create_tickets, can_reply, read_only_reason, support_email, via_zsc, admin_email,
	last_success, last_error, created_at, updated_at, edition, concurrency, can_edit_tickets`

func scanPortal(sc interface{ Scan(...any) error }, p *app.Portal) error {
	var mode string
	var last, created, updated int64
	if err := sc.Scan(&p.OrgID, &p.Name, &p.PortalURL, &p.DataCentre, &p.BaseURL, &mode, &p.Active, &p.AccountEmail,
		&p.AgentID, &p.AgentName, &p.AgentEmail, &p.IsAdmin, &p.CanCreateTickets, &p.CanReply, &p.ReadOnlyReason,
		&p.SupportEmail, &p.ViaAdmin, &p.AdminEmail, &last, &p.LastError, &created, &updated, &p.Edition, &p.Concurrency, &p.CanEditTickets); err != nil {
		return err
	}
	p.Mode = app.SyncMode(mode)
	p.LastSuccess, p.CreatedAt, p.UpdatedAt = fromDBz(last), fromDB(created), fromDB(updated)
	return nil
}

// ListPortals returns every configured portal, the active one first.
func (db *DB) ListPortals(ctx context.Context) ([]app.Portal, error) {
	rows, err := db.read.QueryContext(ctx, "SELECT "+portalCols+" FROM desk_portals ORDER BY active DESC, name, org_id")
	if err != nil {
		return nil, fmt.Errorf("store: list portals: %w", translate(err))
	}
	return collect(rows, scanPortal, "list portals")
}

// collect scans every row with scan and closes rows; op names the caller
// in errors ("store: <op>: …").
func collect[T any](rows *sql.Rows, scan func(interface{ Scan(...any) error }, *T) error, op string) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		var v T
		if err := scan(rows, &v); err != nil {
			return nil, fmt.Errorf("store: %s: %w", op, translate(err))
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: %s: %w", op, translate(err))
	}
	return out, nil
}

// FindPortal returns a portal, or ENOTFOUND.
func (db *DB) FindPortal(ctx context.Context, orgID string) (*app.Portal, error) {
	var p app.Portal
	err := scanPortal(db.read.QueryRowContext(ctx, "SELECT "+portalCols+" FROM desk_portals WHERE org_id = ?", orgID), &p)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: find portal: %w", notFound("Portal"))
	}
	if err != nil {
		return nil, fmt.Errorf("store: find portal: %w", translate(err))
	}
	return &p, nil
}

// ActivePortal returns the active portal, or ENOTFOUND.
func (db *DB) ActivePortal(ctx context.Context) (*app.Portal, error) {
	var p app.Portal
	err := scanPortal(db.read.QueryRowContext(ctx, "SELECT "+portalCols+" FROM desk_portals WHERE active = 1"), &p)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: active portal: %w", &app.Error{Code: app.ENOTFOUND, Message: "No Zoho Desk portal is connected."})
	}
	if err != nil {
		return nil, fmt.Errorf("store: active portal: %w", translate(err))
	}
	return &p, nil
}

// SavePortal inserts or updates a portal; an active one deactivates the others.
func (db *DB) SavePortal(ctx context.Context, p *app.Portal) error {
	if !p.Mode.Valid() {
		return fmt.Errorf("store: save portal: %w", fieldError("Mode", "Unknown sync mode"))
	}
	now := db.now()
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		if p.Active {
			if _, err := tx.ExecContext(ctx, "UPDATE desk_portals SET active = 0 WHERE active = 1 AND org_id <> ?", p.OrgID); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO desk_portals (`+portalCols+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (org_id) DO UPDATE SET name = excluded.name, portal_url = excluded.portal_url,
				data_centre = excluded.data_centre, base_url = excluded.base_url, mode = excluded.mode,
				active = excluded.active, account_email = excluded.account_email, agent_id = excluded.agent_id,
				agent_name = excluded.agent_name, agent_email = excluded.agent_email, is_admin = excluded.is_admin,
				can_create_tickets = excluded.can_create_tickets, can_reply = excluded.can_reply, can_edit_tickets = excluded.can_edit_tickets,
				read_only_reason = excluded.read_only_reason, support_email = excluded.support_email,
				via_zsc = excluded.via_zsc, admin_email = excluded.admin_email, updated_at = excluded.updated_at,
				edition = excluded.edition, concurrency = excluded.concurrency`,
			p.OrgID, p.Name, p.PortalURL, p.DataCentre, p.BaseURL, string(p.Mode), b2i(p.Active), p.AccountEmail,
			p.AgentID, p.AgentName, p.AgentEmail, b2i(p.IsAdmin), b2i(p.CanCreateTickets), b2i(p.CanReply),
			p.ReadOnlyReason, p.SupportEmail, b2i(p.ViaAdmin), p.AdminEmail, toDBz(p.LastSuccess), p.LastError,
			toDB(now), toDB(now), p.Edition, p.Concurrency, b2i(p.CanEditTickets))
		return err
	})
	if err != nil {
		return fmt.Errorf("store: save portal: %w", err)
	}
	if p.CreatedAt.IsZero() {
		p.CreatedAt = now
	}
	p.UpdatedAt = now
	return nil
}

// SetPortalActive activates (deactivating the others) or deactivates a portal.
func (db *DB) SetPortalActive(ctx context.Context, orgID string, active bool) error {
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		if active {
			if _, err := tx.ExecContext(ctx, "UPDATE desk_portals SET active = 0 WHERE active = 1 AND org_id <> ?", orgID); err != nil {
				return err
			}
		}
		res, err := tx.ExecContext(ctx, "UPDATE desk_portals SET active = ?, updated_at = ? WHERE org_id = ?", b2i(active), toDB(db.now()), orgID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return notFound("Portal")
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: set portal active: %w", err)
	}
	return nil
}

// RecordPassResult stores a pass's outcome.
func (db *DB) RecordPassResult(ctx context.Context, orgID string, at time.Time, errMsg string) error {
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		var err error
		if errMsg == "" {
			_, err = tx.ExecContext(ctx, "UPDATE desk_portals SET last_success = ?, last_error = '' WHERE org_id = ?", toDBz(at), orgID)
		} else {
			_, err = tx.ExecContext(ctx, "UPDATE desk_portals SET last_error = ? WHERE org_id = ?", errMsg, orgID)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("store: record pass result: %w", err)
	}
	return nil
}

// FieldMappings returns a portal's mappings in order.
func (db *DB) FieldMappings(ctx context.Context, orgID string) ([]app.FieldMapping, error) {
	rows, err := db.read.QueryContext(ctx, "SELECT kind, crm_field, desk_field, type FROM desk_field_mappings WHERE org_id = ? ORDER BY position", orgID)
	if err != nil {
		return nil, fmt.Errorf("store: field mappings: %w", translate(err))
	}
	return collect(rows, func(sc interface{ Scan(...any) error }, m *app.FieldMapping) error {
		return sc.Scan(&m.Kind, &m.CRMField, &m.DeskField, &m.Type)
	}, "field mappings")
}

// SetFieldMappings replaces a portal's mappings.
func (db *DB) SetFieldMappings(ctx context.Context, orgID string, ms []app.FieldMapping) error {
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM desk_field_mappings WHERE org_id = ?", orgID); err != nil {
			return err
		}
		for i, m := range ms {
			if _, err := tx.ExecContext(ctx, "INSERT INTO desk_field_mappings (org_id, position, kind, crm_field, desk_field, type) VALUES (?, ?, ?, ?, ?, ?)",
				orgID, i, m.Kind, m.CRMField, m.DeskField, m.Type); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: set field mappings: %w", err)
	}
	return nil
}

// Cursor returns a sync cursor, "" when unset.
func (db *DB) Cursor(ctx context.Context, orgID, name string) (string, error) {
	var v string
	err := db.read.QueryRowContext(ctx, "SELECT value FROM desk_cursors WHERE org_id = ? AND name = ?", orgID, name).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: cursor: %w", translate(err))
	}
	return v, nil
}

// SetCursor stores a sync cursor.
func (db *DB) SetCursor(ctx context.Context, orgID, name, value string) error {
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO desk_cursors (org_id, name, value) VALUES (?, ?, ?)
			ON CONFLICT (org_id, name) DO UPDATE SET value = excluded.value`, orgID, name, value)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: set cursor: %w", err)
	}
	return nil
}

// PruneDeletions deletes the tombstones at or below the lowest deletions
// cursor of any portal.
func (db *DB) PruneDeletions(ctx context.Context, deletionsCursor string) (int64, error) {
	var n int64
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM crm_deletions WHERE seq <= (
			SELECT min(CAST(value AS INTEGER)) FROM desk_cursors WHERE name = ? AND value <> '')`, deletionsCursor)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: prune deletions: %w", err)
	}
	return n, nil
}

// RecheckLinks clears the CRM revision of a portal's links and its push
// cursor, in one transaction.
func (db *DB) RecheckLinks(ctx context.Context, orgID, pushCursor string) error {
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "UPDATE desk_links SET crm_rev = -1 WHERE org_id = ?", orgID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO desk_cursors (org_id, name, value) VALUES (?, ?, '')
			ON CONFLICT (org_id, name) DO UPDATE SET value = excluded.value`, orgID, pushCursor)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: recheck links: %w", err)
	}
	return nil
}

// heldIndexField is the Desk field of index desk_links_held_account.
const heldIndexField = "accountId"

// RecheckHeldAccounts clears the CRM revision of the links of contacts
// whose company field was held (or never agreed) and can now be compared,
// and gives them a new change number, in one transaction.
func (db *DB) RecheckHeldAccounts(ctx context.Context, orgID, deskField string, deskLinked bool) (int, error) {
	field := strings.ReplaceAll(deskField, `"`, ``)
	// The paths are written into the statement as literals so that, for
	// Desk's accountId (the one account field there is), SQLite can use
	// the partial index of the links still held or never agreed: a fresh
	// process's first pass runs this, and a walk over the portal's contact
	// links read them all.
	lit := func(path string) string { return "'" + strings.ReplaceAll(path, "'", "''") + "'" }
	path, held := lit(`$."`+field+`"`), lit(`$."`+app.HeldMark+field+`"`)
	from := "desk_links l"
	if field == heldIndexField {
		from += " INDEXED BY desk_links_held_account"
	}
	// The search reads through the read pool; only the few found are
	// written. Marking one that changed in between is harmless: it is
	// merely looked at again.
	rows, err := db.read.QueryContext(ctx, `SELECT l.crm_id FROM `+from+`
		JOIN contacts c ON c.id = l.crm_id AND c.created_at = l.crm_created
		LEFT JOIN desk_links cl ON cl.org_id = l.org_id AND cl.kind = 'company' AND cl.crm_id = c.company_id
		LEFT JOIN desk_remote r ON r.org_id = l.org_id AND r.kind = 'contact' AND r.desk_id = l.desk_id
		LEFT JOIN desk_links al ON al.org_id = l.org_id AND al.kind = 'company' AND al.desk_id = json_extract(r.vals, `+path+`)
		WHERE l.org_id = ?1 AND l.kind = 'contact'
		  AND (json_extract(l.agreed, `+path+`) IS NULL OR json_extract(l.agreed, `+held+`) IS NOT NULL)
		  AND (c.company_id IS NULL OR cl.crm_id IS NOT NULL)
		  AND (NOT ?2 OR coalesce(json_extract(r.vals, `+path+`), '') = '' OR al.crm_id IS NOT NULL)`, orgID, deskLinked)
	if err != nil {
		return 0, fmt.Errorf("store: recheck held accounts: %w", translate(err))
	}
	ids, err := collect(rows, func(sc interface{ Scan(...any) error }, id *int64) error { return sc.Scan(id) }, "held accounts")
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	err = db.writeTx(ctx, func(tx *sql.Tx) error {
		for _, id := range ids {
			if _, err := tx.ExecContext(ctx, "UPDATE desk_links SET crm_rev = -1 WHERE org_id = ? AND kind = 'contact' AND crm_id = ?", orgID, id); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, "DELETE FROM crm_changes WHERE kind = 'contact' AND crm_id = ?", id); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, "INSERT INTO crm_changes (kind, crm_id) VALUES ('contact', ?)", id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: recheck held accounts: %w", err)
	}
	return len(ids), nil
}

// UpsertRemote stores the latest copies of Desk records.
func (db *DB) UpsertRemote(ctx context.Context, rs []app.RemoteRecord) error {
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		return upsertRemote(ctx, tx, rs)
	})
	if err != nil {
		return fmt.Errorf("store: upsert remote: %w", err)
	}
	return nil
}

func upsertRemote(ctx context.Context, tx *sql.Tx, rs []app.RemoteRecord) error {
	const q = `INSERT INTO desk_remote (org_id, kind, desk_id, match_key, modified, vals, created) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (org_id, kind, desk_id) DO UPDATE SET match_key = excluded.match_key, modified = excluded.modified, vals = excluded.vals,
			created = CASE WHEN excluded.created <> 0 THEN excluded.created ELSE desk_remote.created END
		WHERE excluded.modified >= desk_remote.modified`
	st, err := cached(ctx, tx, q)
	if err != nil {
		return err
	}
	if st == nil {
		if st, err = tx.PrepareContext(ctx, q); err != nil {
			return err
		}
		defer st.Close()
	}
	for _, r := range rs {
		if _, err := st.ExecContext(ctx, r.OrgID, r.Kind, r.DeskID, r.MatchKey, toDBz(r.Modified), encodeMap(r.Values), toDBz(r.Created)); err != nil {
			return err
		}
	}
	return nil
}

func scanRemote(sc interface{ Scan(...any) error }, r *app.RemoteRecord) error {
	var mod, created int64
	var vals string
	if err := sc.Scan(&r.OrgID, &r.Kind, &r.DeskID, &r.MatchKey, &mod, &vals, &created); err != nil {
		return err
	}
	r.Modified, r.Created = fromDBz(mod), fromDBz(created)
	m, err := decodeMap(vals)
	if err != nil {
		return fmt.Errorf("remote %s: %w", r.DeskID, err)
	}
	r.Values = m
	return nil
}

const remoteCols = "org_id, kind, desk_id, match_key, modified, vals, created"

// FindRemote returns a pulled Desk record, or ENOTFOUND.
func (db *DB) FindRemote(ctx context.Context, orgID, kind, deskID string) (*app.RemoteRecord, error) {
	var r app.RemoteRecord
	err := scanRemote(db.read.QueryRowContext(ctx, "SELECT "+remoteCols+" FROM desk_remote WHERE org_id = ? AND kind = ? AND desk_id = ?", orgID, kind, deskID), &r)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: find remote: %w", notFound("Desk record"))
	}
	if err != nil {
		return nil, fmt.Errorf("store: find remote: %w", translate(err))
	}
	return &r, nil
}

// RemoteStamps returns the stored modification times of pulled records.
func (db *DB) RemoteStamps(ctx context.Context, orgID, kind string, ids []string) (map[string]time.Time, error) {
	out := make(map[string]time.Time, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	args := []any{orgID, kind}
	for _, id := range ids {
		args = append(args, id)
	}
	rows, err := db.read.QueryContext(ctx, `SELECT r.desk_id, min(r.modified, coalesce(l.desk_modified, r.modified)) FROM desk_remote r
		LEFT JOIN desk_links l ON l.org_id = r.org_id AND l.kind = r.kind AND l.desk_id = r.desk_id
		WHERE r.org_id = ? AND r.kind = ? AND r.desk_id IN (`+placeholders(len(ids))+")", args...)
	if err != nil {
		return nil, fmt.Errorf("store: remote stamps: %w", translate(err))
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var m int64
		if err := rows.Scan(&id, &m); err != nil {
			return nil, fmt.Errorf("store: remote stamps: %w", translate(err))
		}
		out[id] = fromDBz(m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: remote stamps: %w", translate(err))
	}
	return out, nil
}

func placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?, ", n-1) + "?"
}

// remoteByKeySQL names its index: without it SQLite's planner prefers the
// primary key (org_id, kind, desk_id), which gives the ORDER BY for free,
// and walks every record of the kind — 1.4 ms a key at 10k contacts, 14 s
// of a first sync's dedupe (issue 17). The index holds desk_id after the
// key (a WITHOUT ROWID table's), so its rows come in that order anyway.
const remoteByKeySQL = "SELECT " + remoteCols + " FROM desk_remote INDEXED BY desk_remote_key WHERE org_id = ? AND kind = ? AND match_key = ? AND match_key <> '' ORDER BY desk_id"

// FindRemoteByKey returns the pulled Desk records with a match key.
func (db *DB) FindRemoteByKey(ctx context.Context, orgID, kind, key string) ([]app.RemoteRecord, error) {
	rows, err := db.read.QueryContext(ctx, remoteByKeySQL, orgID, kind, key)
	if err != nil {
		return nil, fmt.Errorf("store: find remote by key: %w", translate(err))
	}
	return collect(rows, scanRemote, "find remote by key")
}

const linkCols = "org_id, kind, crm_id, desk_id, agreed, crm_rev, desk_modified, linked_at, updated_at"

func scanLink(sc interface{ Scan(...any) error }, l *app.Link) error {
	var agreed string
	var mod, linked, updated int64
	if err := sc.Scan(&l.OrgID, &l.Kind, &l.CRMID, &l.DeskID, &agreed, &l.CRMRev, &mod, &linked, &updated); err != nil {
		return err
	}
	l.DeskModified, l.LinkedAt, l.UpdatedAt = fromDBz(mod), fromDB(linked), fromDB(updated)
	m, err := decodeMap(agreed)
	if err != nil {
		return fmt.Errorf("link %s/%d: %w", l.Kind, l.CRMID, err)
	}
	l.Agreed = m
	return nil
}

func (db *DB) findLink(ctx context.Context, op, where string, args ...any) (*app.Link, error) {
	var l app.Link
	err := scanLink(db.read.QueryRowContext(ctx, "SELECT "+linkCols+" FROM desk_links WHERE "+where, args...), &l)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: %s: %w", op, notFound("Link"))
	}
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", op, translate(err))
	}
	return &l, nil
}

// crmTable is the CRM table of a link kind.
func crmTable(kind string) string {
	if kind == app.KindCompany {
		return "companies"
	}
	return "contacts"
}

// FindLink returns a CRM record's link, or ENOTFOUND (also when the link
// was made for an earlier record with the same id).
func (db *DB) FindLink(ctx context.Context, orgID, kind string, crmID int64) (*app.Link, error) {
	return db.findLink(ctx, "find link", "org_id = ? AND kind = ? AND crm_id = ? AND crm_created = (SELECT created_at FROM "+crmTable(kind)+" WHERE id = crm_id)", orgID, kind, crmID)
}

// FindLinkByDesk returns a Desk record's link, or ENOTFOUND.
func (db *DB) FindLinkByDesk(ctx context.Context, orgID, kind, deskID string) (*app.Link, error) {
	return db.findLink(ctx, "find link", "org_id = ? AND kind = ? AND desk_id = ?", orgID, kind, deskID)
}

// SaveLink inserts or replaces a CRM record's link; ECONFLICT when the
// Desk record is linked to another CRM record.
func (db *DB) SaveLink(ctx context.Context, l *app.Link) error {
	err := db.writeTx(ctx, func(tx *sql.Tx) error { return saveLink(ctx, tx, l, db.now()) })
	if err != nil {
		return fmt.Errorf("store: save link: %w", err)
	}
	return nil
}

func saveLink(ctx context.Context, tx *sql.Tx, l *app.Link, now time.Time) error {
	var other int64
	err := queryRowTx(ctx, tx, "SELECT crm_id FROM desk_links WHERE org_id = ? AND kind = ? AND desk_id = ?", l.OrgID, l.Kind, l.DeskID).Scan(&other)
	switch {
	case err == nil && other != l.CRMID:
		return app.Errorf(app.ECONFLICT, "The Desk record is already linked to another Tandem record.")
	case err != nil && !errors.Is(err, sql.ErrNoRows):
		return err
	}
	// A link left by a deleted CRM record whose id SQLite gave to this one:
	// its Desk record was deleted here (issue 12: remembered, so a change
	// in Desk asks rather than bringing it back).
	if _, err := execTx(ctx, tx, `INSERT INTO desk_tombstones (org_id, kind, desk_id, crm_id, name, state, deleted_at, desk_modified)
		SELECT org_id, kind, desk_id, crm_id, trim(coalesce(json_extract(agreed, '$.firstName'), '') || ' ' ||
			coalesce(json_extract(agreed, '$.lastName'), json_extract(agreed, '$.accountName'), '')), 'deleted', ?, desk_modified
		FROM desk_links WHERE org_id = ? AND kind = ? AND crm_id = ? AND desk_id <> ?
			AND crm_created <> coalesce((SELECT created_at FROM `+crmTable(l.Kind)+` WHERE id = ?), 0)
		ON CONFLICT (org_id, kind, desk_id) DO NOTHING`, toDB(now), l.OrgID, l.Kind, l.CRMID, l.DeskID, l.CRMID); err != nil {
		return err
	}
	if l.LinkedAt.IsZero() {
		l.LinkedAt = now
	}
	l.UpdatedAt = now
	_, err = execTx(ctx, tx, `INSERT INTO desk_links (`+linkCols+`, crm_created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?,
			coalesce((SELECT created_at FROM `+crmTable(l.Kind)+` WHERE id = ?3), 0))
		ON CONFLICT (org_id, kind, crm_id) DO UPDATE SET desk_id = excluded.desk_id, agreed = excluded.agreed,
			crm_rev = excluded.crm_rev, desk_modified = excluded.desk_modified, updated_at = excluded.updated_at,
			crm_created = excluded.crm_created`,
		l.OrgID, l.Kind, l.CRMID, l.DeskID, encodeMap(l.Agreed), l.CRMRev, toDBz(l.DeskModified), toDB(l.LinkedAt), toDB(now))
	return err
}

// dropQueuedUpdates deletes the pending or sending pushes of a CRM record
// to the Desk record deskID.
func dropQueuedUpdates(ctx context.Context, tx *sql.Tx, orgID, kind string, crmID int64, deskID string) error {
	_, err := execTx(ctx, tx, `DELETE FROM desk_outbox WHERE org_id = ? AND crm_kind = ? AND crm_id = ?
		AND state IN ('pending', 'sending') AND kind IN (?, ?) AND json_extract(payload, '$.deskId') = ?`,
		orgID, kind, crmID, app.OutboxPushContact, app.OutboxPushCompany, deskID)
	return err
}

// DeleteLink removes a CRM record's link and the queued updates of its
// Desk record (pending or sending): they belong to the link.
func (db *DB) DeleteLink(ctx context.Context, orgID, kind string, crmID int64) error {
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		var deskID string
		err := tx.QueryRowContext(ctx, "DELETE FROM desk_links WHERE org_id = ? AND kind = ? AND crm_id = ? RETURNING desk_id", orgID, kind, crmID).Scan(&deskID)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		return dropQueuedUpdates(ctx, tx, orgID, kind, crmID, deskID)
	})
	if err != nil {
		return fmt.Errorf("store: delete link: %w", err)
	}
	return nil
}

// OrphanLinks returns links whose CRM record was deleted: with after < 0,
// by looking at every link; otherwise from the tombstones after that
// sequence number (CRMMarks).
func (db *DB) OrphanLinks(ctx context.Context, orgID string, after int64) ([]app.Link, error) {
	q := "SELECT " + linkCols + ` FROM desk_links l WHERE org_id = ? AND (
		(kind = 'contact' AND NOT EXISTS (SELECT 1 FROM contacts c WHERE c.id = l.crm_id AND c.created_at = l.crm_created)) OR
		(kind = 'company' AND NOT EXISTS (SELECT 1 FROM companies c WHERE c.id = l.crm_id AND c.created_at = l.crm_created)))`
	args := []any{orgID}
	if after >= 0 {
		// CROSS JOIN: tombstones after the cursor drive the search (few), not links.
		q = "SELECT DISTINCT " + prefixCols("l.", linkCols) + ` FROM crm_deletions d
			CROSS JOIN desk_links l ON l.org_id = ? AND l.kind = d.kind AND l.crm_id = d.crm_id AND l.crm_created = d.crm_created
			WHERE d.seq > ?`
		args = append(args, after)
	}
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: orphan links: %w", translate(err))
	}
	return collect(rows, scanLink, "orphan links")
}

// prefixCols qualifies a comma-separated column list with a table alias.
func prefixCols(prefix, cols string) string {
	parts := strings.Split(cols, ",")
	for i, p := range parts {
		parts[i] = prefix + strings.TrimSpace(p)
	}
	return strings.Join(parts, ", ")
}

// CRMMarks returns the sequence numbers a portal's push cursors may move
// to once a pass has handled every CRM change up to now: the latest CRM
// change (held back before the oldest change of a record whose push is
// still queued, so the record is looked at again once it is sent) and the
// latest deletion.
func (db *DB) CRMMarks(ctx context.Context, orgID string) (changes, deletions int64, err error) {
	err = db.read.QueryRowContext(ctx, `SELECT
		min(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'crm_changes'), 0),
		    coalesce((SELECT min(ch.seq) - 1 FROM desk_outbox o JOIN crm_changes ch ON ch.kind = o.crm_kind AND ch.crm_id = o.crm_id
		              WHERE o.org_id = ? AND o.state IN ('pending', 'sending') AND o.crm_kind <> ''), 1 << 62)),
		coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'crm_deletions'), 0)`, orgID).Scan(&changes, &deletions)
	if err != nil {
		return 0, 0, fmt.Errorf("store: crm marks: %w", translate(err))
	}
	return changes, deletions, nil
}

// toPushWhere selects records of kind (table alias c) that have no link
// or changed since it, have no push in the outbox, and whose current
// revision has not already failed; with after >= 0, only those changed
// after that sequence number.
func toPushWhere(kind, c string, after int64) string {
	changed := "?3 < 0"
	if after >= 0 {
		// Driven by crm_changes_seq: the cost follows the changes, not the CRM.
		// By seq, the primary key (+kind keeps the planner off the kind index).
		changed = c + `.id IN (SELECT crm_id FROM crm_changes WHERE seq > ?3 AND +kind = '` + kind + `')`
	}
	return ` WHERE ` + changed + `
		AND NOT EXISTS (SELECT 1 FROM desk_links l WHERE l.org_id = ?1 AND l.kind = '` + kind + `' AND l.crm_id = ` + c + `.id AND l.crm_rev = ` + c + `.rev AND l.crm_created = ` + c + `.created_at)
		AND NOT EXISTS (SELECT 1 FROM desk_outbox o WHERE o.org_id = ?1 AND o.crm_kind = '` + kind + `' AND o.crm_id = ` + c + `.id AND o.state IN ('pending', 'sending'))
		AND NOT EXISTS (SELECT 1 FROM desk_sync_errors e WHERE e.org_id = ?1 AND e.kind = '` + kind + `' AND e.crm_id = ` + c + `.id AND e.crm_rev = ` + c + `.rev)
		ORDER BY ` + c + `.id LIMIT ?2`
}

// ContactsToPush returns contacts that are new or changed for Desk: all
// of them with after < 0, else those changed after that sequence number.
func (db *DB) ContactsToPush(ctx context.Context, orgID string, after int64, limit int) ([]app.Contact, error) {
	rows, err := db.read.QueryContext(ctx, "SELECT "+contactCols+contactFrom+toPushWhere(app.KindContact, "c", after), orgID, limit, after)
	if err != nil {
		return nil, fmt.Errorf("store: contacts to push: %w", translate(err))
	}
	return collect(rows, scanContact, "contacts to push")
}

// CompaniesToPush is ContactsToPush for companies.
func (db *DB) CompaniesToPush(ctx context.Context, orgID string, after int64, limit int) ([]app.Company, error) {
	rows, err := db.read.QueryContext(ctx, "SELECT "+companyCols+" FROM companies co"+toPushWhere(app.KindCompany, "co", after), orgID, limit, after)
	if err != nil {
		return nil, fmt.Errorf("store: companies to push: %w", translate(err))
	}
	return collect(rows, scanCompany, "companies to push")
}

// bulkApplyRows is how many new records an ApplyFromDesk batch needs for
// its search text to be indexed in bulk.
const bulkApplyRows = 8

// ApplyFromDesk writes each reconciliation in one transaction: a batch is
// tried in one transaction first, then (when an item fails) item by item.
func (db *DB) ApplyFromDesk(ctx context.Context, items []app.DeskApply) ([]error, error) {
	errs := make([]error, len(items))
	now := db.now()
	// Snapshot what applyOne mutates, so a rolled-back batch can be redone.
	type snap struct {
		contact *app.Contact
		company *app.Company
		link    *app.Link
	}
	snaps := make([]snap, len(items))
	for i, a := range items {
		if a.Contact != nil {
			c := *a.Contact
			snaps[i].contact = &c
		}
		if a.Company != nil {
			c := *a.Company
			snaps[i].company = &c
		}
		if a.Link != nil {
			l := *a.Link
			snaps[i].link = &l
		}
	}
	inserts := 0
	for _, a := range items {
		if a.Contact != nil && a.Contact.ID == 0 || a.Company != nil && a.Company.ID == 0 {
			inserts++
		}
	}
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		defer cacheStatements(tx)()
		// A first sync's pages insert many records: their search text is
		// indexed in one statement at the end (issue 17). Row by row, FTS5
		// wrote each row's terms as a segment of its own at the next
		// statement and then merged them, a large part of the ~0.7 ms a
		// record cost.
		finish := func() error { return nil }
		if inserts >= bulkApplyRows {
			var err error
			if finish, err = bulkSearch(ctx, tx, true); err != nil {
				return err
			}
		}
		for i := range items {
			if err := applyOne(ctx, tx, &items[i], now); err != nil {
				return err
			}
		}
		return finish()
	})
	if err == nil {
		return errs, nil
	}
	if len(items) == 1 {
		errs[0] = fmt.Errorf("store: apply from desk: %w", err)
		if app.ErrorCode(err) == app.EUNAVAILABLE {
			return nil, errs[0]
		}
		return errs, nil
	}
	for i := range items {
		if s := snaps[i]; s.contact != nil {
			*items[i].Contact = *s.contact
		}
		if s := snaps[i]; s.company != nil {
			*items[i].Company = *s.company
		}
		if s := snaps[i]; s.link != nil {
			*items[i].Link = *s.link
		}
		err := db.writeTx(ctx, func(tx *sql.Tx) error { return applyOne(ctx, tx, &items[i], now) })
		if err != nil {
			if app.ErrorCode(err) == app.EUNAVAILABLE {
				return nil, fmt.Errorf("store: apply from desk: %w", err)
			}
			errs[i] = fmt.Errorf("store: apply from desk: %w", err)
		}
	}
	return errs, nil
}

func applyOne(ctx context.Context, tx *sql.Tx, a *app.DeskApply, now time.Time) error {
	var kind string
	var crmID, rev int64
	switch {
	case a.Contact != nil:
		c := a.Contact
		kind = app.KindContact
		if err := c.Validate(); err != nil {
			return err
		}
		if c.ID == 0 {
			var res sql.Result
			err := keyed(ctx, tx, func() (err error) {
				res, err = execTx(ctx, tx, insertContactSQL, contactArgs(c, toDB(now))...)
				return err
			})
			if err != nil {
				return err
			}
			if c.ID, err = res.LastInsertId(); err != nil {
				return err
			}
			c.Rev, c.CreatedAt = 1, now
		} else if err := updateContactTx(ctx, tx, c, now); err != nil {
			return err
		}
		c.UpdatedAt = now
		crmID, rev = c.ID, c.Rev
	case a.Company != nil:
		c := a.Company
		kind = app.KindCompany
		if err := c.Validate(); err != nil {
			return err
		}
		if c.ID == 0 {
			res, err := execTx(ctx, tx, insertCompanySQL, companyArgs(c, toDB(now))...)
			if err != nil {
				return err
			}
			if c.ID, err = res.LastInsertId(); err != nil {
				return err
			}
			c.Rev, c.CreatedAt = 1, now
		} else if err := updateCompanyTx(ctx, tx, c, now); err != nil {
			return err
		}
		c.UpdatedAt = now
		crmID, rev = c.ID, c.Rev
	}
	if a.Remote != nil {
		if err := upsertRemote(ctx, tx, []app.RemoteRecord{*a.Remote}); err != nil {
			return err
		}
	}
	if len(a.Forget) > 0 && a.Remote != nil {
		var keepCRM int64
		if a.Link != nil {
			keepCRM = a.Link.CRMID
			if crmID != 0 {
				keepCRM = crmID
			}
		}
		if err := forgetMerged(ctx, tx, a.Remote.OrgID, a.Remote.Kind, a.Remote.DeskID, keepCRM, a.Forget); err != nil {
			return err
		}
	}
	if a.Link != nil {
		if crmID != 0 {
			a.Link.CRMID, a.Link.CRMRev = crmID, rev
		}
		kind, crmID = a.Link.Kind, a.Link.CRMID
		if err := saveLink(ctx, tx, a.Link, now); err != nil {
			return err
		}
		// The reconciliation supersedes queued updates of the record: they
		// were decided against an older Desk copy.
		if a.Link.DeskID != "" {
			if err := dropQueuedUpdates(ctx, tx, a.Link.OrgID, a.Link.Kind, a.Link.CRMID, a.Link.DeskID); err != nil {
				return err
			}
		}
	}
	if a.Push != nil {
		if crmID != 0 {
			a.Push.CRMID = crmID
		}
		kind, crmID = a.Push.CRMKind, a.Push.CRMID
		if err := enqueue(ctx, tx, a.Push, now); err != nil {
			return err
		}
	}
	for i := range a.Conflicts {
		c := &a.Conflicts[i]
		if crmID != 0 {
			c.CRMID = crmID
		}
		c.At = now
		res, err := tx.ExecContext(ctx, `INSERT INTO desk_conflicts (org_id, kind, crm_id, desk_id, desk_field, crm_field,
			crm_value, desk_value, winner, record_name, at, crm_time, desk_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (org_id, kind, crm_id, desk_field, crm_value, desk_value) DO NOTHING`,
			c.OrgID, c.Kind, c.CRMID, c.DeskID, c.DeskField, c.CRMField, c.CRMValue, c.DeskValue, c.Winner, c.RecordName, toDB(now),
			toDBz(c.CRMTime), toDBz(c.DeskTime))
		if err != nil {
			return err
		}
		c.ID, _ = res.LastInsertId()
	}
	if m := a.Merge; m != nil {
		if crmID != 0 {
			m.CRMID = crmID
		}
		if err := recordMerge(ctx, tx, m, now); err != nil {
			return err
		}
	}
	if a.ClearErrors && crmID != 0 {
		org := ""
		switch {
		case a.Link != nil:
			org = a.Link.OrgID
		case a.Push != nil:
			org = a.Push.OrgID
		}
		if _, err := execTx(ctx, tx, "DELETE FROM desk_sync_errors WHERE org_id = ? AND kind = ? AND crm_id = ?", org, kind, crmID); err != nil {
			return err
		}
		if a.Link != nil && a.Link.DeskID != "" {
			if _, err := execTx(ctx, tx, "DELETE FROM desk_sync_errors WHERE org_id = ? AND kind = ? AND crm_id = 0 AND desk_id = ?", org, kind, a.Link.DeskID); err != nil {
				return err
			}
		}
	}
	return nil
}

const conflictCols = "id, org_id, kind, crm_id, desk_id, desk_field, crm_field, crm_value, desk_value, winner, record_name, at, resolved, crm_time, desk_time"

func scanConflict(sc interface{ Scan(...any) error }, c *app.Conflict) error {
	var at, ct, dt int64
	if err := sc.Scan(&c.ID, &c.OrgID, &c.Kind, &c.CRMID, &c.DeskID, &c.DeskField, &c.CRMField, &c.CRMValue, &c.DeskValue,
		&c.Winner, &c.RecordName, &at, &c.Resolved, &ct, &dt); err != nil {
		return err
	}
	c.At, c.CRMTime, c.DeskTime = fromDB(at), fromDBz(ct), fromDBz(dt)
	return nil
}

// Conflicts returns a portal's conflicts, newest first.
func (db *DB) Conflicts(ctx context.Context, orgID string, withResolved bool) ([]app.Conflict, error) {
	q := "SELECT " + conflictCols + " FROM desk_conflicts WHERE org_id = ?"
	if !withResolved {
		q += " AND resolved = 0"
	}
	rows, err := db.read.QueryContext(ctx, q+" ORDER BY at DESC, id DESC", orgID)
	if err != nil {
		return nil, fmt.Errorf("store: conflicts: %w", translate(err))
	}
	return collect(rows, scanConflict, "conflicts")
}

// FindConflict returns a conflict, or ENOTFOUND.
func (db *DB) FindConflict(ctx context.Context, id int64) (*app.Conflict, error) {
	var c app.Conflict
	err := scanConflict(db.read.QueryRowContext(ctx, "SELECT "+conflictCols+" FROM desk_conflicts WHERE id = ?", id), &c)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: find conflict: %w", notFound("Conflict"))
	}
	if err != nil {
		return nil, fmt.Errorf("store: find conflict: %w", translate(err))
	}
	return &c, nil
}

// ResolveConflict marks a conflict resolved.
func (db *DB) ResolveConflict(ctx context.Context, id int64) error {
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE desk_conflicts SET resolved = 1 WHERE id = ?", id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return notFound("Conflict")
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: resolve conflict: %w", err)
	}
	return nil
}

// SetSyncError records a per-record error.
func (db *DB) SetSyncError(ctx context.Context, e app.SyncError) error {
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO desk_sync_errors (org_id, kind, crm_id, desk_id, crm_rev, message, at)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (org_id, kind, crm_id, desk_id) DO UPDATE SET
			dismissed = CASE WHEN crm_rev = excluded.crm_rev AND message = excluded.message THEN dismissed ELSE 0 END,
			crm_rev = excluded.crm_rev, message = excluded.message, at = excluded.at`,
			e.OrgID, e.Kind, e.CRMID, e.DeskID, e.CRMRev, e.Message, toDB(e.At))
		return err
	})
	if err != nil {
		return fmt.Errorf("store: set sync error: %w", err)
	}
	return nil
}

// DismissSyncError hides a record's error (see app.DeskStore).
func (db *DB) DismissSyncError(ctx context.Context, orgID, kind string, crmID int64, deskID string) error {
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		var err error
		if crmID != 0 {
			_, err = tx.ExecContext(ctx, "UPDATE desk_sync_errors SET dismissed = 1 WHERE org_id = ? AND kind = ? AND crm_id = ?", orgID, kind, crmID)
		} else {
			_, err = tx.ExecContext(ctx, "UPDATE desk_sync_errors SET dismissed = 1 WHERE org_id = ? AND kind = ? AND crm_id = 0 AND desk_id = ?", orgID, kind, deskID)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("store: dismiss sync error: %w", err)
	}
	return nil
}

// ClearSyncError removes a record's errors.
func (db *DB) ClearSyncError(ctx context.Context, orgID, kind string, crmID int64, deskID string) error {
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		var err error
		if crmID != 0 {
			_, err = tx.ExecContext(ctx, "DELETE FROM desk_sync_errors WHERE org_id = ? AND kind = ? AND crm_id = ?", orgID, kind, crmID)
		} else {
			_, err = tx.ExecContext(ctx, "DELETE FROM desk_sync_errors WHERE org_id = ? AND kind = ? AND crm_id = 0 AND desk_id = ?", orgID, kind, deskID)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("store: clear sync error: %w", err)
	}
	return nil
}

// SyncErrors returns a portal's per-record errors, newest first.
func (db *DB) SyncErrors(ctx context.Context, orgID string) ([]app.SyncError, error) {
	rows, err := db.read.QueryContext(ctx, "SELECT org_id, kind, crm_id, desk_id, crm_rev, message, at FROM desk_sync_errors WHERE org_id = ? AND dismissed = 0 ORDER BY at DESC", orgID)
	if err != nil {
		return nil, fmt.Errorf("store: sync errors: %w", translate(err))
	}
	return collect(rows, func(sc interface{ Scan(...any) error }, e *app.SyncError) error {
		var at int64
		err := sc.Scan(&e.OrgID, &e.Kind, &e.CRMID, &e.DeskID, &e.CRMRev, &e.Message, &at)
		e.At = fromDB(at)
		return err
	}, "sync errors")
}
