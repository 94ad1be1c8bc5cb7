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

// This file implements the ticket cache and the outbox of app.DeskStore.

func rawJSON(b json.RawMessage) string {
	if len(b) == 0 {
		return "{}"
	}
	return string(b)
}

// TicketStamps returns the stored stamps of cached tickets, read from the
// index that holds them (desk_tickets_stamps), not from the wide rows.
func (db *DB) TicketStamps(ctx context.Context, orgID string, ids []string) (map[string]app.TicketStamp, error) {
	out := make(map[string]app.TicketStamp, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	args := []any{orgID}
	for _, id := range ids {
		args = append(args, id)
	}
	rows, err := db.read.QueryContext(ctx, `SELECT id, modified_time, thread_count, comment_count, detail_synced, is_overdue, is_escalated
		FROM desk_tickets INDEXED BY desk_tickets_stamps WHERE org_id = ? AND id IN (`+placeholders(len(ids))+")", args...)
	if err != nil {
		return nil, fmt.Errorf("store: ticket stamps: %w", translate(err))
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var st app.TicketStamp
		var mod, synced int64
		if err := rows.Scan(&id, &mod, &st.ThreadCount, &st.CommentCount, &synced, &st.IsOverdue, &st.IsEscalated); err != nil {
			return nil, fmt.Errorf("store: ticket stamps: %w", translate(err))
		}
		st.Modified, st.DetailSynced = fromDBz(mod), fromDBz(synced)
		out[id] = st
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: ticket stamps: %w", translate(err))
	}
	return out, nil
}

const upsertTicketSQL = `INSERT INTO desk_tickets (org_id, id, number, subject, description, status, status_type, priority,
	channel, email, phone, contact_id, contact_name, contact_email, contact_email_norm, account_id, department_id,
	assignee_id, due_date, is_overdue, is_escalated, created_time, modified_time, closed_time, thread_count,
	comment_count, web_url, detail_synced, detail_wanted, raw)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (org_id, id) DO UPDATE SET number = excluded.number, subject = excluded.subject,
		description = CASE WHEN excluded.description <> '' THEN excluded.description ELSE desk_tickets.description END,
		status = excluded.status, status_type = excluded.status_type, priority = excluded.priority,
		channel = excluded.channel, email = excluded.email, phone = excluded.phone, contact_id = excluded.contact_id,
		contact_name = CASE WHEN excluded.contact_name <> '' THEN excluded.contact_name ELSE desk_tickets.contact_name END,
		contact_email = excluded.contact_email, contact_email_norm = excluded.contact_email_norm,
		account_id = excluded.account_id, department_id = excluded.department_id, assignee_id = excluded.assignee_id,
		due_date = excluded.due_date, is_overdue = excluded.is_overdue, is_escalated = excluded.is_escalated,
		created_time = excluded.created_time, modified_time = excluded.modified_time, closed_time = excluded.closed_time,
		thread_count = excluded.thread_count, comment_count = excluded.comment_count, web_url = excluded.web_url,
		detail_wanted = max(desk_tickets.detail_wanted, excluded.detail_wanted), raw = excluded.raw,
		search_indexed = CASE WHEN excluded.subject <> desk_tickets.subject
			OR (excluded.description <> '' AND excluded.description <> desk_tickets.description) THEN 0 ELSE desk_tickets.search_indexed END
	WHERE excluded.modified_time >= desk_tickets.modified_time`

func upsertTickets(ctx context.Context, tx *sql.Tx, ts []app.Ticket) error {
	st, err := tx.PrepareContext(ctx, upsertTicketSQL)
	if err != nil {
		return err
	}
	defer st.Close()
	for _, t := range ts {
		if _, err := st.ExecContext(ctx, t.OrgID, t.ID, t.Number, t.Subject, t.Description, t.Status, t.StatusType, t.Priority,
			t.Channel, t.Email, t.Phone, t.ContactID, t.ContactName, t.ContactEmail, app.NormalizeEmail(t.ContactEmail),
			t.AccountID, t.DepartmentID, t.AssigneeID, toDBz(t.DueDate), b2i(t.IsOverdue), b2i(t.IsEscalated),
			toDBz(t.CreatedTime), toDBz(t.ModifiedTime), toDBz(t.ClosedTime), t.ThreadCount, t.CommentCount, t.WebURL,
			toDBz(t.DetailSynced), b2i(t.DetailWanted), rawJSON(t.Raw)); err != nil {
			return err
		}
	}
	if len(ts) <= inlineIndex {
		return indexTickets(ctx, tx, ts)
	}
	return nil // IndexTickets, after the pass
}

// BeginBulkLoad lets the log grow to importCheckpointPages (64 MB) before
// it is copied back into the file, as an import does, until end: a first
// pass writing 50k tickets into an empty cache checkpointed every batch
// at the usual 1000 pages, copying the same index pages again each time
// (its batches slowed by half as the table grew; 20% of the writes'
// time). The first commit after end copies what is left.
func (db *DB) BeginBulkLoad(ctx context.Context) (end func(), err error) {
	if err := db.checkpointEvery(ctx, importCheckpointPages); err != nil {
		return nil, fmt.Errorf("store: bulk load: %w", err)
	}
	return func() { _ = db.checkpointEvery(context.WithoutCancel(ctx), writerCheckpointPages) }, nil
}

// UpsertTickets stores tickets in one transaction.
func (db *DB) UpsertTickets(ctx context.Context, ts []app.Ticket) error {
	if err := db.writeTx(ctx, func(tx *sql.Tx) error { return upsertTickets(ctx, tx, ts) }); err != nil {
		return fmt.Errorf("store: upsert tickets: %w", err)
	}
	return nil
}

// TicketsNeedingDetail returns ids of tickets whose conversation is wanted,
// newest first, from the partial index of those tickets alone (the planner
// would otherwise walk every ticket in desk_tickets_modified's order).
func (db *DB) TicketsNeedingDetail(ctx context.Context, orgID string, limit int) ([]string, error) {
	rows, err := db.read.QueryContext(ctx, "SELECT id FROM desk_tickets INDEXED BY desk_tickets_wanted_by_time WHERE org_id = ? AND detail_wanted = 1 ORDER BY modified_time DESC LIMIT ?", orgID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: tickets needing detail: %w", translate(err))
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("store: tickets needing detail: %w", translate(err))
		}
		out = append(out, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: tickets needing detail: %w", translate(err))
	}
	return out, nil
}

func upsertThread(ctx context.Context, tx *sql.Tx, t *app.Thread) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO desk_threads (org_id, ticket_id, id, channel, direction, from_addr, to_addr,
		cc_addr, summary, content, content_type, author_name, author_email, author_type, author_id, is_forward, created_time, raw)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (org_id, ticket_id, id) DO UPDATE SET channel = excluded.channel, direction = excluded.direction,
			from_addr = excluded.from_addr, to_addr = excluded.to_addr, cc_addr = excluded.cc_addr, summary = excluded.summary,
			content = CASE WHEN excluded.content <> '' THEN excluded.content ELSE desk_threads.content END,
			content_type = CASE WHEN excluded.content <> '' THEN excluded.content_type ELSE desk_threads.content_type END,
			author_name = excluded.author_name, author_email = excluded.author_email, author_type = excluded.author_type,
			author_id = excluded.author_id, is_forward = excluded.is_forward, created_time = excluded.created_time, raw = excluded.raw`,
		t.OrgID, t.TicketID, t.ID, t.Channel, t.Direction, t.From, t.To, t.CC, t.Summary, t.Content, t.ContentType,
		t.AuthorName, t.AuthorEmail, t.AuthorType, t.AuthorID, b2i(t.IsForward), toDBz(t.CreatedTime), rawJSON(t.Raw))
	return err
}

func upsertComment(ctx context.Context, tx *sql.Tx, c *app.Comment) error {
	mentions, _ := json.Marshal(c.Mentions)
	if c.Mentions == nil {
		mentions = []byte("[]")
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO desk_comments (org_id, ticket_id, id, content, text, mentions, content_type,
		is_public, commenter_id, commenter_name, commented_time, modified_time, raw) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (org_id, ticket_id, id) DO UPDATE SET content = excluded.content, text = excluded.text,
			mentions = excluded.mentions, content_type = excluded.content_type, is_public = excluded.is_public,
			commenter_id = excluded.commenter_id, commenter_name = excluded.commenter_name,
			commented_time = excluded.commented_time, modified_time = excluded.modified_time, raw = excluded.raw`,
		c.OrgID, c.TicketID, c.ID, c.Content, c.Text, string(mentions), c.ContentType, b2i(c.IsPublic), c.CommenterID,
		c.CommenterName, toDBz(c.CommentedTime), toDBz(c.ModifiedTime), rawJSON(c.Raw))
	return err
}

// StoreConversation replaces a ticket's threads and comments, indexed for
// search as they are stored.
func (db *DB) StoreConversation(ctx context.Context, orgID, ticketID string, synced time.Time, ths []app.Thread, cms []app.Comment) error {
	return db.storeConversation(ctx, orgID, ticketID, synced, ths, cms, true)
}

// StoreConversationUnindexed is StoreConversation for a pass: what is new
// of the conversation is indexed by the next IndexTickets, with the other
// tickets the pass wrote, in one burst of FTS writes. Indexed one ticket a
// transaction, a pass's 500 conversations cost 2.8 ms each, five times
// storing them.
func (db *DB) StoreConversationUnindexed(ctx context.Context, orgID, ticketID string, synced time.Time, ths []app.Thread, cms []app.Comment) error {
	return db.storeConversation(ctx, orgID, ticketID, synced, ths, cms, false)
}

func (db *DB) storeConversation(ctx context.Context, orgID, ticketID string, synced time.Time, ths []app.Thread, cms []app.Comment, inline bool) error {
	// IndexTickets knows a ticket has a conversation by its DetailSynced.
	inline = inline || synced.IsZero()
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		keepTh := map[string]bool{}
		for i := range ths {
			keepTh[ths[i].ID] = true
			if err := upsertThread(ctx, tx, &ths[i]); err != nil {
				return err
			}
		}
		keepCm := map[string]bool{}
		for i := range cms {
			keepCm[cms[i].ID] = true
			if err := upsertComment(ctx, tx, &cms[i]); err != nil {
				return err
			}
		}
		if inline {
			if err := indexConversation(ctx, tx, ths, cms); err != nil {
				return err
			}
		}
		if err := deleteMissing(ctx, tx, "desk_threads", orgID, ticketID, keepTh); err != nil {
			return err
		}
		if err := deleteMissing(ctx, tx, "desk_comments", orgID, ticketID, keepCm); err != nil {
			return err
		}
		// Left to IndexTickets: the ticket is marked unindexed, and it
		// indexes a ticket's stored conversation once it has one.
		res, err := tx.ExecContext(ctx, `UPDATE desk_tickets SET detail_synced = ?1,
			detail_wanted = CASE WHEN modified_time > ?1 THEN detail_wanted ELSE 0 END,
			search_indexed = CASE WHEN ?4 THEN search_indexed ELSE 0 END
			WHERE org_id = ?2 AND id = ?3`, toDBz(synced), orgID, ticketID, inline || !indexing)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n > 0 || inline {
			return err
		}
		// Not cached (no row to mark): indexed now.
		return indexConversation(ctx, tx, ths, cms)
	})
	if err != nil {
		return fmt.Errorf("store: store conversation: %w", err)
	}
	return nil
}

// deleteMissing deletes a ticket's rows of table whose id is not in keep.
func deleteMissing(ctx context.Context, tx *sql.Tx, table, orgID, ticketID string, keep map[string]bool) error {
	rows, err := tx.QueryContext(ctx, "SELECT id FROM "+table+" WHERE org_id = ? AND ticket_id = ?", orgID, ticketID)
	if err != nil {
		return err
	}
	var gone []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		if !keep[id] {
			gone = append(gone, id)
		}
	}
	if err := rows.Err(); err != nil {
		rows.Close()
		return err
	}
	rows.Close()
	kind := docThread
	if table == "desk_comments" {
		kind = docComment
	}
	for _, id := range gone {
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+table+" WHERE org_id = ? AND ticket_id = ? AND id = ?", orgID, ticketID, id); err != nil {
			return err
		}
		if err := unindex(ctx, tx, orgID, ticketID, kind, id); err != nil {
			return err
		}
	}
	return nil
}

// SetThreadContent stores a thread's content.
func (db *DB) SetThreadContent(ctx context.Context, orgID, ticketID, threadID, content, contentType string) error {
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE desk_threads SET content = ?, content_type = ? WHERE org_id = ? AND ticket_id = ? AND id = ?",
			content, contentType, orgID, ticketID, threadID)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: set thread content: %w", err)
	}
	return nil
}

const ticketCols = `t.org_id, t.id, t.number, t.subject, t.description, t.status, t.status_type, t.priority, t.channel,
	t.email, t.phone, t.contact_id, t.contact_name, t.contact_email, t.account_id, t.department_id, t.assignee_id,
	t.due_date, t.is_overdue, t.is_escalated, t.created_time, t.modified_time, t.closed_time, t.thread_count,
	t.comment_count, t.web_url, t.detail_synced, t.detail_wanted, t.raw`

func scanTicket(sc interface{ Scan(...any) error }, t *app.Ticket) error {
	var due, created, modified, closed, synced int64
	var raw string
	if err := sc.Scan(&t.OrgID, &t.ID, &t.Number, &t.Subject, &t.Description, &t.Status, &t.StatusType, &t.Priority,
		&t.Channel, &t.Email, &t.Phone, &t.ContactID, &t.ContactName, &t.ContactEmail, &t.AccountID, &t.DepartmentID,
		&t.AssigneeID, &due, &t.IsOverdue, &t.IsEscalated, &created, &modified, &closed, &t.ThreadCount, &t.CommentCount,
		&t.WebURL, &synced, &t.DetailWanted, &raw); err != nil {
		return err
	}
	t.DueDate, t.CreatedTime, t.ModifiedTime, t.ClosedTime, t.DetailSynced = fromDBz(due), fromDBz(created), fromDBz(modified), fromDBz(closed), fromDBz(synced)
	t.Raw = json.RawMessage(raw)
	return nil
}

// FindTicket returns a cached ticket with its conversation and pending
// actions, or ENOTFOUND.
func (db *DB) FindTicket(ctx context.Context, orgID, ticketID string) (*app.TicketDetail, error) {
	var td app.TicketDetail
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		if err := scanTicket(tx.QueryRowContext(ctx, "SELECT "+ticketCols+" FROM desk_tickets t WHERE t.org_id = ? AND t.id = ?", orgID, ticketID), &td.Ticket); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return notFound("Ticket")
			}
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT org_id, ticket_id, id, channel, direction, from_addr, to_addr, cc_addr, summary,
			content, content_type, author_name, author_email, author_type, author_id, is_forward, created_time, raw
			FROM desk_threads WHERE org_id = ? AND ticket_id = ? ORDER BY created_time, id`, orgID, ticketID)
		if err != nil {
			return err
		}
		for rows.Next() {
			var t app.Thread
			var created int64
			var raw string
			if err := rows.Scan(&t.OrgID, &t.TicketID, &t.ID, &t.Channel, &t.Direction, &t.From, &t.To, &t.CC, &t.Summary,
				&t.Content, &t.ContentType, &t.AuthorName, &t.AuthorEmail, &t.AuthorType, &t.AuthorID, &t.IsForward, &created, &raw); err != nil {
				rows.Close()
				return err
			}
			t.CreatedTime, t.Raw = fromDBz(created), json.RawMessage(raw)
			td.Threads = append(td.Threads, t)
		}
		if err := rows.Err(); err != nil {
			rows.Close()
			return err
		}
		rows.Close()
		rows, err = tx.QueryContext(ctx, `SELECT org_id, ticket_id, id, content, text, mentions, content_type, is_public,
			commenter_id, commenter_name, commented_time, modified_time, raw
			FROM desk_comments WHERE org_id = ? AND ticket_id = ? ORDER BY commented_time, id`, orgID, ticketID)
		if err != nil {
			return err
		}
		for rows.Next() {
			var c app.Comment
			var commented, modified int64
			var mentions, raw string
			if err := rows.Scan(&c.OrgID, &c.TicketID, &c.ID, &c.Content, &c.Text, &mentions, &c.ContentType, &c.IsPublic,
				&c.CommenterID, &c.CommenterName, &commented, &modified, &raw); err != nil {
				rows.Close()
				return err
			}
			c.CommentedTime, c.ModifiedTime, c.Raw = fromDBz(commented), fromDBz(modified), json.RawMessage(raw)
			_ = json.Unmarshal([]byte(mentions), &c.Mentions)
			td.Comments = append(td.Comments, c)
		}
		if err := rows.Err(); err != nil {
			rows.Close()
			return err
		}
		rows.Close()
		td.Pending, err = outboxWhere(ctx, tx, "org_id = ? AND ticket_id = ? AND state IN ('pending', 'sending', 'failed')", orgID, ticketID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: find ticket: %w", err)
	}
	return &td, nil
}

// contactTickets is the condition "the ticket belongs to one of the CRM
// contacts cids": its Desk contact is linked to one of them, or (when that
// Desk contact is linked to nobody) its contact email is one of theirs.
func contactTickets(cids string) string {
	return "t.id IN (" + contactTicketIDs(cids) + ") AND " + contactTicketFilter(cids)
}

// contactTicketIDs selects the ids of the tickets of the contacts cids (a
// list or a subquery) may have: by their linked Desk contact, and by email.
// Each is an index search; an OR across the two columns would walk every
// ticket of the portal.
func contactTicketIDs(cids string) string {
	return `SELECT t1.id FROM desk_tickets t1 WHERE t1.org_id = ?1
			AND t1.contact_id IN (SELECT l.desk_id FROM desk_links l WHERE l.org_id = ?1 AND l.kind = 'contact' AND l.crm_id IN (` + cids + `))
		UNION ALL SELECT t2.id FROM desk_tickets t2 WHERE t2.org_id = ?1 AND t2.contact_email_norm <> ''
			AND t2.contact_email_norm IN (SELECT email_norm FROM contacts WHERE id IN (` + cids + `) AND email_norm <> '')`
}

// contactTicketFilter keeps, of those, the tickets matched by email only
// when their Desk contact is linked to no CRM contact (a linked one's
// tickets belong to it). It runs on the few rows found, not as a search.
func contactTicketFilter(cids string) string {
	return `(t.contact_id IN (SELECT l.desk_id FROM desk_links l WHERE l.org_id = ?1 AND l.kind = 'contact' AND l.crm_id IN (` + cids + `))
		OR NOT EXISTS (SELECT 1 FROM desk_links l2 WHERE l2.org_id = ?1 AND l2.kind = 'contact' AND l2.desk_id = t.contact_id))`
}

// ticketCond is the condition on desk_tickets t (?1 the portal, ?2 the
// record) selecting a CRM record's tickets; "" for an unknown kind. The
// tickets are found by index searches into a list of ids.
func ticketCond(kind string) string {
	switch kind {
	case app.KindContact:
		return contactTickets("?2")
	case app.KindCompany:
		// The account's tickets and those of the company's contacts, as
		// Bigin gathers an account's people's tickets.
		const cids = "SELECT c.id FROM contacts c WHERE c.company_id = ?2"
		acc := accountIDs("?2")
		return "t.id IN (" + accountTicketIDs(acc) + " UNION ALL " + contactTicketIDs(cids) + ") AND (t.account_id IN (" + acc + ") OR " + contactTicketFilter(cids) + ")"
	case app.KindRecord:
		// What the record was created with, its linked contacts' tickets and
		// its company's (the account's and its contacts', as on the
		// company's tab).
		const origins = `SELECT o.ticket_id FROM desk_ticket_origins o WHERE o.org_id = ?1 AND o.crm_kind = 'record' AND o.crm_id = ?2`
		const cids = `SELECT contact_id FROM pipeline_record_contacts WHERE record_id = ?2
			UNION ALL SELECT c.id FROM contacts c WHERE c.company_id = (SELECT company_id FROM pipeline_records WHERE id = ?2)`
		acc := accountIDs("(SELECT company_id FROM pipeline_records WHERE id = ?2)")
		return "t.id IN (" + origins + " UNION ALL " + contactTicketIDs(cids) + " UNION ALL " + accountTicketIDs(acc) + ") AND (t.id IN (" + origins + ") OR " +
			contactTicketFilter(cids) + " OR t.account_id IN (" + acc + "))"
	}
	return ""
}

// accountIDs selects the Desk account ids of the CRM company co (an
// expression): its link, or (unlinked, "no sync") the account of the same
// name that is linked to no company.
func accountIDs(co string) string {
	return `SELECT l.desk_id FROM desk_links l WHERE l.org_id = ?1 AND l.kind = 'company' AND l.crm_id = ` + co + `
			UNION ALL SELECT r.desk_id FROM desk_remote r WHERE r.org_id = ?1 AND r.kind = 'company'
				AND r.match_key = (SELECT name_norm FROM companies WHERE id = ` + co + `)
				AND NOT EXISTS (SELECT 1 FROM desk_links l2 WHERE l2.org_id = ?1 AND l2.kind = 'company' AND l2.desk_id = r.desk_id)`
}

// accountTicketIDs selects the ids of the tickets of the accounts acc.
func accountTicketIDs(acc string) string {
	return "SELECT t3.id FROM desk_tickets t3 WHERE t3.org_id = ?1 AND t3.account_id <> '' AND t3.account_id IN (" + acc + ")"
}

// nameContacts fills in the contact's name of tickets whose Desk contact
// came without one, from the CRM contact of the same email, so a company's
// or record's rows say whose ticket each is.
func nameContacts(ctx context.Context, tx *sql.Tx, ts []app.Ticket) error {
	for i := range ts {
		t := &ts[i]
		if t.ContactName != "" {
			continue
		}
		e := app.NormalizeEmail(firstNonEmptyStr(t.ContactEmail, t.Email))
		if e == "" {
			continue
		}
		var first, last string
		err := tx.QueryRowContext(ctx, "SELECT first_name, last_name FROM contacts WHERE email_norm = ? ORDER BY id LIMIT 1", e).Scan(&first, &last)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return err
		}
		t.ContactName = app.PersonName(first, last)
	}
	return nil
}

func firstNonEmptyStr(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

// TicketsForRecord lists a CRM record's cached tickets, newest first.
func (db *DB) TicketsForRecord(ctx context.Context, orgID string, mode app.SyncMode, kind string, id int64, f app.TicketFilter) (*app.TicketList, error) {
	cond := ticketCond(kind)
	if cond == "" {
		return nil, fmt.Errorf("store: tickets for record: %w", fieldError("Kind", "Unknown kind of record"))
	}
	where := " FROM desk_tickets t WHERE t.org_id = ?1 AND " + cond
	status := ""
	switch f.Status {
	case "open":
		status = " AND t.status_type <> 'Closed'"
	case "closed":
		status = " AND t.status_type = 'Closed'"
	}
	offset, limit := page(f.Offset, f.Limit)
	tl := &app.TicketList{}
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		var open, closed sql.NullInt64
		if err := tx.QueryRowContext(ctx, "SELECT sum(t.status_type <> 'Closed'), sum(t.status_type = 'Closed')"+where, orgID, id).Scan(&open, &closed); err != nil {
			return err
		}
		tl.Open, tl.Resolved = int(open.Int64), int(closed.Int64)
		rows, err := tx.QueryContext(ctx, "SELECT "+ticketCols+where+status+" ORDER BY t.created_time DESC, t.id DESC LIMIT ?3 OFFSET ?4", orgID, id, limit, offset)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var t app.Ticket
			if err := scanTicket(rows, &t); err != nil {
				return err
			}
			tl.Tickets = append(tl.Tickets, t)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()
		if kind != app.KindContact {
			if err := nameContacts(ctx, tx, tl.Tickets); err != nil {
				return err
			}
		}
		tl.PendingCreates, err = outboxWhere(ctx, tx, "org_id = ? AND kind = 'create_ticket' AND crm_kind = ? AND crm_id = ? AND state IN ('pending', 'sending', 'failed')", orgID, kind, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: tickets for record: %w", err)
	}
	_ = mode // association rules are the same in every mode; links exist only where sync made them
	return tl, nil
}

// SetTicketOrigin remembers the CRM record a ticket was created from.
func (db *DB) SetTicketOrigin(ctx context.Context, orgID, ticketID, kind string, id int64) error {
	err := db.writeTx(ctx, func(tx *sql.Tx) error { return setOrigin(ctx, tx, orgID, ticketID, kind, id) })
	if err != nil {
		return fmt.Errorf("store: set ticket origin: %w", err)
	}
	return nil
}

func setOrigin(ctx context.Context, tx *sql.Tx, orgID, ticketID, kind string, id int64) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO desk_ticket_origins (org_id, ticket_id, crm_kind, crm_id) VALUES (?, ?, ?, ?)
		ON CONFLICT (org_id, ticket_id) DO UPDATE SET crm_kind = excluded.crm_kind, crm_id = excluded.crm_id`, orgID, ticketID, kind, id)
	return err
}

// CountTickets returns how many tickets of a portal are cached.
func (db *DB) CountTickets(ctx context.Context, orgID string) (int, error) {
	var n int
	// Kept by triggers (desk_ticket_counts): counting walked the tickets.
	if err := db.read.QueryRowContext(ctx, "SELECT coalesce((SELECT n FROM desk_ticket_counts WHERE org_id = ?), 0)", orgID).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count tickets: %w", translate(err))
	}
	return n, nil
}

const outboxCols = "id, org_id, kind, idem_key, ticket_id, crm_kind, crm_id, payload, state, attempts, last_error, result_id, created_at, updated_at, sent_at"

func outboxWhere(ctx context.Context, q querier, where string, args ...any) ([]app.OutboxItem, error) {
	rows, err := q.QueryContext(ctx, "SELECT "+outboxCols+" FROM desk_outbox WHERE "+where+" ORDER BY id", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []app.OutboxItem
	for rows.Next() {
		var it app.OutboxItem
		var payload string
		var created, updated, sent int64
		if err := rows.Scan(&it.ID, &it.OrgID, &it.Kind, &it.IdempotencyKey, &it.TicketID, &it.CRMKind, &it.CRMID, &payload,
			&it.State, &it.Attempts, &it.LastError, &it.ResultID, &created, &updated, &sent); err != nil {
			return nil, err
		}
		it.Payload = json.RawMessage(payload)
		it.CreatedAt, it.UpdatedAt, it.SentAt = fromDB(created), fromDB(updated), fromDBz(sent)
		out = append(out, it)
	}
	return out, rows.Err()
}

func enqueue(ctx context.Context, tx *sql.Tx, it *app.OutboxItem, now time.Time) error {
	if it.State == "" {
		it.State = app.OutboxPending
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO desk_outbox (org_id, kind, idem_key, ticket_id, crm_kind, crm_id, payload,
		state, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (idem_key) DO NOTHING`,
		it.OrgID, it.Kind, it.IdempotencyKey, it.TicketID, it.CRMKind, it.CRMID, rawJSON(it.Payload), it.State, toDB(now), toDB(now)); err != nil {
		return err
	}
	items, err := outboxWhere(ctx, tx, "idem_key = ?", it.IdempotencyKey)
	if err != nil {
		return err
	}
	if len(items) == 1 {
		*it = items[0]
	}
	return nil
}

// Enqueue stores an outbox item; the same idempotency key is stored once.
func (db *DB) Enqueue(ctx context.Context, it *app.OutboxItem) error {
	now := db.now()
	if err := db.writeTx(ctx, func(tx *sql.Tx) error { return enqueue(ctx, tx, it, now) }); err != nil {
		return fmt.Errorf("store: enqueue: %w", err)
	}
	return nil
}

// Outbox returns a portal's items in the given states, oldest first. The
// states are written into the statement as literals (each is one of the
// four known ones), so that SQLite can see that the partial index of open
// items (desk_outbox_open) holds every row asked for: with parameters it
// walks the whole outbox, sent items included, on every pass.
func (db *DB) Outbox(ctx context.Context, orgID string, states ...string) ([]app.OutboxItem, error) {
	if len(states) == 0 {
		states = []string{app.OutboxPending, app.OutboxSending, app.OutboxFailed, app.OutboxDone}
	}
	lits := make([]string, len(states))
	for i, s := range states {
		switch s {
		case app.OutboxPending, app.OutboxSending, app.OutboxFailed, app.OutboxDone:
			lits[i] = "'" + s + "'"
		default:
			return nil, fmt.Errorf("store: outbox: %w", fieldError("State", "Unknown outbox state"))
		}
	}
	items, err := outboxWhere(ctx, db.read, "org_id = ? AND state IN ("+strings.Join(lits, ", ")+")", orgID)
	if err != nil {
		return nil, fmt.Errorf("store: outbox: %w", translate(err))
	}
	return items, nil
}

func (db *DB) setOutbox(ctx context.Context, op string, id int64, set string, args ...any) error {
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE desk_outbox SET "+set+", updated_at = ? WHERE id = ?", append(args, toDB(db.now()), id)...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return notFound("Outbox item")
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: %s: %w", op, err)
	}
	return nil
}

// MarkSending marks an item as being sent.
func (db *DB) MarkSending(ctx context.Context, id int64, at time.Time) error {
	return db.setOutbox(ctx, "mark sending", id, "state = 'sending', attempts = attempts + 1, sent_at = ?", toDBz(at))
}

// MarkPending puts an item back to pending with an error message.
func (db *DB) MarkPending(ctx context.Context, id int64, msg string) error {
	return db.setOutbox(ctx, "mark pending", id, "state = 'pending', last_error = ?", msg)
}

// MarkFailed makes an item failed for good.
func (db *DB) MarkFailed(ctx context.Context, id int64, msg string) error {
	return db.setOutbox(ctx, "mark failed", id, "state = 'failed', last_error = ?", msg)
}

// RetryOutbox puts a failed item back to pending.
func (db *DB) RetryOutbox(ctx context.Context, id int64) error {
	return db.setOutbox(ctx, "retry outbox", id, "state = CASE WHEN state = 'failed' THEN 'pending' ELSE state END")
}

// DismissOutbox ends a failed item without sending it: it is done, with
// no result and its last error kept (see app.DeskStore).
func (db *DB) DismissOutbox(ctx context.Context, id int64) error {
	now := db.now()
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE desk_outbox SET state = 'done', updated_at = ? WHERE id = ? AND state = 'failed'", toDB(now), id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return notFound("Failed action")
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: dismiss outbox: %w", err)
	}
	return nil
}

// CompleteOutbox marks an item done and stores what it produced.
func (db *DB) CompleteOutbox(ctx context.Context, id int64, r app.OutboxResult) error {
	now := db.now()
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		var org string
		if err := tx.QueryRowContext(ctx, "UPDATE desk_outbox SET state = 'done', result_id = ?, last_error = '', updated_at = ? WHERE id = ? RETURNING org_id",
			r.ResultID, toDB(now), id).Scan(&org); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return notFound("Outbox item")
			}
			return err
		}
		if r.Remote != nil {
			if err := upsertRemote(ctx, tx, []app.RemoteRecord{*r.Remote}); err != nil {
				return err
			}
		}
		if r.Link != nil {
			if err := saveLink(ctx, tx, r.Link, now); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, "DELETE FROM desk_sync_errors WHERE org_id = ? AND kind = ? AND crm_id = ?", r.Link.OrgID, r.Link.Kind, r.Link.CRMID); err != nil {
				return err
			}
		}
		if r.Tombstone != nil {
			if err := saveTombstone(ctx, tx, r.Tombstone, now); err != nil {
				return err
			}
		}
		if r.Ticket != nil {
			if err := upsertTickets(ctx, tx, []app.Ticket{*r.Ticket}); err != nil {
				return err
			}
			if r.OriginKind != "" {
				if err := setOrigin(ctx, tx, r.Ticket.OrgID, r.Ticket.ID, r.OriginKind, r.OriginID); err != nil {
					return err
				}
			}
		}
		if r.Thread != nil {
			if err := upsertThread(ctx, tx, r.Thread); err != nil {
				return err
			}
			if err := indexConversation(ctx, tx, []app.Thread{*r.Thread}, nil); err != nil {
				return err
			}
		}
		if r.Comment != nil {
			if err := upsertComment(ctx, tx, r.Comment); err != nil {
				return err
			}
			if err := indexConversation(ctx, tx, nil, []app.Comment{*r.Comment}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: complete outbox: %w", err)
	}
	return nil
}

// SupportAddressSeen returns the support address the newest cached
// messages show, those of departmentID's tickets first.
func (db *DB) SupportAddressSeen(ctx context.Context, orgID, departmentID string) (string, error) {
	for _, dept := range []string{departmentID, ""} {
		q := `SELECT th.direction, th.from_addr, th.to_addr FROM desk_threads th
			JOIN desk_tickets t ON t.org_id = th.org_id AND t.id = th.ticket_id
			WHERE th.org_id = ?1 AND (?2 = '' OR t.department_id = ?2)
			  AND ((th.direction = 'out' AND th.from_addr <> '') OR (th.direction = 'in' AND th.to_addr <> ''))
			ORDER BY th.created_time DESC LIMIT 20`
		rows, err := db.read.QueryContext(ctx, q, orgID, dept)
		if err != nil {
			return "", fmt.Errorf("store: support address: %w", translate(err))
		}
		ths, err := collect(rows, func(sc interface{ Scan(...any) error }, t *app.Thread) error {
			return sc.Scan(&t.Direction, &t.From, &t.To)
		}, "support address")
		if err != nil {
			return "", err
		}
		slices.Reverse(ths) // oldest first, as SupportAddress reads them
		if a := app.SupportAddress(ths); a != "" {
			return a, nil
		}
	}
	return "", nil
}
