package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tandem-crm/tandem/app"
)

// This file implements app.SignalStore: the signals feed, Settings ›
// Signals, first-sync baselines, and the reads over the ticket cache that
// signals need (which CRM record a ticket belongs to, overdue tickets).

var _ app.SignalStore = (*DB)(nil)

// signalChannel is the one channel signals come from so far.
const signalChannel = "desk"

const signalCols = "id, org_id, key, kind, ticket_id, ticket_number, title, body, record_kind, record_id, created_at, read, notified, hidden"

func scanSignal(sc interface{ Scan(...any) error }, s *app.Signal) error {
	var created int64
	var kind string
	if err := sc.Scan(&s.ID, &s.OrgID, &s.Key, &kind, &s.TicketID, &s.TicketNumber, &s.Title, &s.Body,
		&s.RecordKind, &s.RecordID, &created, &s.Read, &s.Notified, &s.Hidden); err != nil {
		return err
	}
	s.Kind, s.CreatedAt = app.SignalKind(kind), fromDB(created)
	return nil
}

// InsertSignals stores the signals whose (OrgID, Key) is new, in one
// transaction, and returns those with their ID set.
func (db *DB) InsertSignals(ctx context.Context, ss []app.Signal) ([]app.Signal, error) {
	if len(ss) == 0 {
		return nil, nil
	}
	var out []app.Signal
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		st, err := tx.PrepareContext(ctx, `INSERT INTO signals (org_id, key, kind, ticket_id, ticket_number, title, body,
			record_kind, record_id, created_at, read, notified, hidden) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (org_id, key) DO NOTHING`)
		if err != nil {
			return err
		}
		defer st.Close()
		// An overdue signal takes its ticket out of the overdue indexes
		// (stored now or before: either way it never fires again).
		seen, err := tx.PrepareContext(ctx, `UPDATE desk_tickets SET overdue_signalled = ?3
			WHERE org_id = ?1 AND id = ?2 AND due_date = ?3 AND overdue_signalled <> ?3`)
		if err != nil {
			return err
		}
		defer seen.Close()
		now := db.now()
		for _, s := range ss {
			if s.Key == "" || s.OrgID == "" {
				return fieldError("Key", "A signal needs a portal and a key")
			}
			if id, due, ok := overdueKey(s.Key); ok {
				if _, err := seen.ExecContext(ctx, s.OrgID, id, due); err != nil {
					return err
				}
			}
			if s.CreatedAt.IsZero() {
				s.CreatedAt = now
			}
			res, err := st.ExecContext(ctx, s.OrgID, s.Key, string(s.Kind), s.TicketID, s.TicketNumber, s.Title, s.Body,
				s.RecordKind, s.RecordID, toDB(s.CreatedAt), b2i(s.Read), b2i(s.Notified), b2i(s.Hidden))
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil {
				return err
			} else if n == 0 {
				continue // the key was stored before: this event already fired
			}
			if s.ID, err = res.LastInsertId(); err != nil {
				return err
			}
			s.CreatedAt = s.CreatedAt.UTC().Truncate(time.Millisecond)
			out = append(out, s)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: insert signals: %w", err)
	}
	return out, nil
}

// MarkSignalsNotified records that the signals were shown.
func (db *DB) MarkSignalsNotified(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE signals SET notified = 1 WHERE id IN ("+placeholders(len(ids))+")", args...)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: mark signals notified: %w", err)
	}
	return nil
}

// ListSignals returns a page of the feed, newest first.
func (db *DB) ListSignals(ctx context.Context, f app.SignalFilter) ([]app.Signal, error) {
	where, args := "hidden = 0", []any{}
	if f.OrgID != "" {
		where += " AND org_id = ?"
		args = append(args, f.OrgID)
	}
	if f.UnreadOnly {
		where += " AND read = 0"
	}
	offset, limit := page(f.Offset, f.Limit)
	args = append(args, limit, offset)
	rows, err := db.read.QueryContext(ctx, "SELECT "+signalCols+" FROM signals WHERE "+where+
		" ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?", args...)
	if err != nil {
		return nil, fmt.Errorf("store: list signals: %w", translate(err))
	}
	return collect(rows, scanSignal, "list signals")
}

// UnreadSignalCount counts unread signals in the feed.
func (db *DB) UnreadSignalCount(ctx context.Context, orgID string) (int, error) {
	q, args := "SELECT count(*) FROM signals WHERE hidden = 0 AND read = 0", []any{}
	if orgID != "" {
		q += " AND org_id = ?"
		args = append(args, orgID)
	}
	var n int
	if err := db.read.QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: unread signals: %w", translate(err))
	}
	return n, nil
}

// MarkSignalRead marks one signal read; ENOTFOUND when there is none.
func (db *DB) MarkSignalRead(ctx context.Context, id int64) error {
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE signals SET read = 1 WHERE id = ?", id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return notFound("Signal")
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: mark signal read: %w", err)
	}
	return nil
}

// MarkAllSignalsRead marks every signal of orgID ("" for all) read.
func (db *DB) MarkAllSignalsRead(ctx context.Context, orgID string) error {
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		q, args := "UPDATE signals SET read = 1 WHERE read = 0", []any{}
		if orgID != "" {
			q += " AND org_id = ?"
			args = append(args, orgID)
		}
		_, err := tx.ExecContext(ctx, q, args...)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: mark all signals read: %w", err)
	}
	return nil
}

// SignalPrefs returns the saved switches, app.DefaultSignalPrefs when none
// were saved.
func (db *DB) SignalPrefs(ctx context.Context) (app.SignalPrefs, error) {
	p := app.DefaultSignalPrefs()
	var kinds string
	var until int64
	err := db.read.QueryRowContext(ctx, "SELECT kinds, do_not_disturb, dnd_until, all_tickets FROM signal_prefs WHERE channel = ?", signalChannel).
		Scan(&kinds, &p.DoNotDisturb, &until, &p.AllTickets)
	if errors.Is(err, sql.ErrNoRows) {
		return p, nil
	}
	if err != nil {
		return p, fmt.Errorf("store: signal prefs: %w", translate(err))
	}
	if until != 0 {
		p.DoNotDisturbUntil = fromDB(until)
	}
	var m map[app.SignalKind]bool
	if err := json.Unmarshal([]byte(kinds), &m); err != nil {
		return p, fmt.Errorf("store: signal prefs: %w", err)
	}
	for k, on := range m {
		p.Enabled[k] = on
	}
	return p, nil
}

// SetSignalPrefs saves the switches.
func (db *DB) SetSignalPrefs(ctx context.Context, p app.SignalPrefs) error {
	m := map[app.SignalKind]bool{}
	for k, on := range p.Enabled {
		if !k.Valid() {
			return fmt.Errorf("store: set signal prefs: %w", fieldError("Kind", "Unknown kind of signal"))
		}
		m[k] = on
	}
	kinds, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("store: set signal prefs: %w", err)
	}
	err = db.writeTx(ctx, func(tx *sql.Tx) error {
		var until int64
		if !p.DoNotDisturbUntil.IsZero() {
			until = toDB(p.DoNotDisturbUntil)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO signal_prefs (channel, kinds, do_not_disturb, dnd_until, all_tickets) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (channel) DO UPDATE SET kinds = excluded.kinds, do_not_disturb = excluded.do_not_disturb,
			dnd_until = excluded.dnd_until, all_tickets = excluded.all_tickets`,
			signalChannel, string(kinds), b2i(p.DoNotDisturb), until, b2i(p.AllTickets))
		return err
	})
	if err != nil {
		return fmt.Errorf("store: set signal prefs: %w", err)
	}
	return nil
}

// SignalBaseline returns a portal's first-sync baseline and whether one exists.
func (db *DB) SignalBaseline(ctx context.Context, orgID string) (time.Time, bool, error) {
	var at int64
	err := db.read.QueryRowContext(ctx, "SELECT at FROM signal_baselines WHERE org_id = ?", orgID).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("store: signal baseline: %w", translate(err))
	}
	return fromDB(at), true, nil
}

// SetSignalBaseline records (replaces) a portal's baseline.
func (db *DB) SetSignalBaseline(ctx context.Context, orgID string, at time.Time) error {
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO signal_baselines (org_id, at) VALUES (?, ?)
			ON CONFLICT (org_id) DO UPDATE SET at = excluded.at`, orgID, toDB(at))
		return err
	})
	if err != nil {
		return fmt.Errorf("store: set signal baseline: %w", err)
	}
	return nil
}

// latestTicketSQL is one step down index desk_tickets_modified.
const latestTicketSQL = "SELECT max(modified_time) FROM desk_tickets WHERE org_id = ?"

// LatestTicketModified returns the newest modification time of a portal's
// cached tickets, zero when none are cached.
func (db *DB) LatestTicketModified(ctx context.Context, orgID string) (time.Time, error) {
	var ms sql.NullInt64
	if err := db.read.QueryRowContext(ctx, latestTicketSQL, orgID).Scan(&ms); err != nil {
		return time.Time{}, fmt.Errorf("store: latest ticket: %w", translate(err))
	}
	return fromDBz(ms.Int64), nil
}

// signalTicketCols adds to ticketCols the CRM record a ticket belongs to,
// by the rules of TicketsForRecord: the record it was created from, else
// its linked contact (or, when its Desk contact is unlinked, the CRM
// contact with the same email), else its linked account's company (or the
// company with the unlinked account's name).
const signalTicketCols = ticketCols + `,
	coalesce((SELECT o.crm_kind FROM desk_ticket_origins o WHERE o.org_id = t.org_id AND o.ticket_id = t.id), ''),
	coalesce((SELECT o.crm_id FROM desk_ticket_origins o WHERE o.org_id = t.org_id AND o.ticket_id = t.id), 0),
	coalesce(
		(SELECT l.crm_id FROM desk_links l WHERE l.org_id = t.org_id AND l.kind = 'contact' AND l.desk_id = t.contact_id AND t.contact_id <> ''),
		(SELECT c.id FROM contacts c WHERE t.contact_email_norm <> '' AND c.email_norm <> '' AND c.email_norm = t.contact_email_norm
			AND NOT EXISTS (SELECT 1 FROM desk_links l2 WHERE l2.org_id = t.org_id AND l2.kind = 'contact' AND l2.desk_id = t.contact_id)
			ORDER BY c.id LIMIT 1),
		0),
	coalesce(
		(SELECT l.crm_id FROM desk_links l WHERE l.org_id = t.org_id AND l.kind = 'company' AND l.desk_id = t.account_id AND t.account_id <> ''),
		(SELECT co.id FROM desk_remote r JOIN companies co ON co.name_norm = r.match_key
			WHERE t.account_id <> '' AND r.org_id = t.org_id AND r.kind = 'company' AND r.desk_id = t.account_id AND r.match_key <> ''
			AND NOT EXISTS (SELECT 1 FROM desk_links l2 WHERE l2.org_id = t.org_id AND l2.kind = 'company' AND l2.desk_id = t.account_id)
			ORDER BY co.id LIMIT 1),
		0)`

// SignalTickets returns the cached tickets among ids with their CRM record.
func (db *DB) SignalTickets(ctx context.Context, orgID string, ids []string) (map[string]app.SignalTicket, error) {
	var out map[string]app.SignalTicket
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = signalTicketsTx(ctx, tx, orgID, ids)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: signal tickets: %w", err)
	}
	return out, nil
}

func signalTicketsTx(ctx context.Context, tx *sql.Tx, orgID string, ids []string) (map[string]app.SignalTicket, error) {
	out := make(map[string]app.SignalTicket, len(ids))
	// Chunks keep the statement under SQLite's variable limit.
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		args := []any{orgID}
		for _, id := range chunk {
			args = append(args, id)
		}
		sts, err := querySignalTickets(ctx, tx, "WHERE t.org_id = ? AND t.id IN ("+placeholders(len(chunk))+")", args...)
		if err != nil {
			return nil, err
		}
		for _, st := range sts {
			out[st.Ticket.ID] = st
		}
	}
	return out, nil
}

// OverdueTickets returns a portal's open cached tickets that Desk flags
// overdue or whose due date has passed at now, and that have no signal
// keyed "overdue:<id>:<due date in unix ms, 0 when none>" yet — so each
// pass and each tick of the local check only looks at what is new. The two
// reasons are two searches, each through its own index, which holds all
// they read (overdueByDate, overdueByFlag); only the tickets found are then
// read whole.
func (db *DB) OverdueTickets(ctx context.Context, orgID string, now time.Time) ([]app.SignalTicket, error) {
	var out []app.SignalTicket
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		var ids []string
		seen := map[string]bool{}
		for _, q := range []struct {
			query string
			args  []any
		}{{overdueByDate, []any{orgID, toDB(now)}}, {overdueByFlag, []any{orgID}}} {
			rows, err := tx.QueryContext(ctx, q.query, q.args...)
			if err != nil {
				return err
			}
			for rows.Next() {
				var id string
				if err := rows.Scan(&id); err != nil {
					rows.Close()
					return err
				}
				if !seen[id] {
					seen[id] = true
					ids = append(ids, id)
				}
			}
			if err := rows.Close(); err != nil {
				return err
			}
			if err := rows.Err(); err != nil {
				return err
			}
		}
		found, err := signalTicketsTx(ctx, tx, orgID, ids)
		if err != nil {
			return err
		}
		for _, id := range ids {
			if st, ok := found[id]; ok {
				out = append(out, st)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: overdue tickets: %w", err)
	}
	return out, nil
}

// The searches of OverdueTickets (?1 the org, ?2 now): past the due date,
// or flagged by Desk, each without its signal yet. Their indexes hold only
// the tickets whose signal is not stored (overdue_signalled, which
// InsertSignals keeps); NOT EXISTS still checks the signal itself. The
// indexes are named: without statistics the planner ties a partial index
// with the primary key's (org_id) prefix and picks the key, which walks the
// portal's tickets.
const (
	overdueNotSignalled = ` AND t.overdue_signalled <> t.due_date
		AND NOT EXISTS (SELECT 1 FROM signals s WHERE s.org_id = t.org_id AND s.key = 'overdue:' || t.id || ':' || t.due_date)`
	overdueByDate = `SELECT t.id FROM desk_tickets t INDEXED BY desk_tickets_due_unsignalled
		WHERE t.org_id = ?1 AND t.due_date > 0 AND t.status_type <> 'Closed' AND t.due_date <= ?2` + overdueNotSignalled
	overdueByFlag = `SELECT t.id FROM desk_tickets t INDEXED BY desk_tickets_flagged_unsignalled
		WHERE t.org_id = ?1 AND t.is_overdue = 1 AND t.status_type <> 'Closed'` + overdueNotSignalled
)

// overdueKey splits an overdue signal's key ("overdue:<ticket id>:<due
// date in unix ms>"); ok is false for any other key.
func overdueKey(key string) (ticketID string, due int64, ok bool) {
	rest, ok := strings.CutPrefix(key, "overdue:")
	if !ok {
		return "", 0, false
	}
	i := strings.LastIndexByte(rest, ':')
	if i <= 0 {
		return "", 0, false
	}
	due, err := strconv.ParseInt(rest[i+1:], 10, 64)
	if err != nil {
		return "", 0, false
	}
	return rest[:i], due, true
}

// querySignalTickets reads the tickets "FROM desk_tickets t " + where
// selects (where may start with INDEXED BY).
func querySignalTickets(ctx context.Context, tx *sql.Tx, where string, args ...any) ([]app.SignalTicket, error) {
	rows, err := tx.QueryContext(ctx, "SELECT "+signalTicketCols+" FROM desk_tickets t "+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []app.SignalTicket
	for rows.Next() {
		var st app.SignalTicket
		var t app.Ticket
		var originKind string
		var originID, contactID, companyID int64
		var due, created, modified, closed, synced int64
		var raw string
		if err := rows.Scan(&t.OrgID, &t.ID, &t.Number, &t.Subject, &t.Description, &t.Status, &t.StatusType, &t.Priority,
			&t.Channel, &t.Email, &t.Phone, &t.ContactID, &t.ContactName, &t.ContactEmail, &t.AccountID, &t.DepartmentID,
			&t.AssigneeID, &due, &t.IsOverdue, &t.IsEscalated, &created, &modified, &closed, &t.ThreadCount, &t.CommentCount,
			&t.WebURL, &synced, &t.DetailWanted, &raw, &originKind, &originID, &contactID, &companyID); err != nil {
			return nil, err
		}
		t.DueDate, t.CreatedTime, t.ModifiedTime, t.ClosedTime, t.DetailSynced = fromDBz(due), fromDBz(created), fromDBz(modified), fromDBz(closed), fromDBz(synced)
		st.Ticket = t
		switch {
		case originKind != "" && originID != 0:
			st.RecordKind, st.RecordID = originKind, originID
		case contactID != 0:
			st.RecordKind, st.RecordID = app.KindContact, contactID
		case companyID != 0:
			st.RecordKind, st.RecordID = app.KindCompany, companyID
		}
		out = append(out, st)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	for i := range out {
		if err := recordName(ctx, tx, &out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// recordName fills in the name of a signal ticket's CRM record; a record
// deleted since leaves the ticket without one.
func recordName(ctx context.Context, tx *sql.Tx, st *app.SignalTicket) error {
	var err error
	switch st.RecordKind {
	case "":
		return nil
	case app.KindContact:
		var first, last string
		err = tx.QueryRowContext(ctx, "SELECT first_name, last_name FROM contacts WHERE id = ?", st.RecordID).Scan(&first, &last)
		st.RecordName = app.PersonName(first, last)
	case app.KindCompany:
		err = tx.QueryRowContext(ctx, "SELECT name FROM companies WHERE id = ?", st.RecordID).Scan(&st.RecordName)
	case app.KindRecord:
		err = tx.QueryRowContext(ctx, "SELECT name FROM pipeline_records WHERE id = ?", st.RecordID).Scan(&st.RecordName)
	default:
		err = sql.ErrNoRows
	}
	if errors.Is(err, sql.ErrNoRows) {
		st.RecordKind, st.RecordID, st.RecordName = "", 0, ""
		return nil
	}
	return err
}

// ActiveSignalOrg returns the active portal's org id, "" when none.
func (db *DB) ActiveSignalOrg(ctx context.Context) (string, error) {
	var org string
	err := db.read.QueryRowContext(ctx, "SELECT org_id FROM desk_portals WHERE active = 1").Scan(&org)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: active signal org: %w", translate(err))
	}
	return org, nil
}
