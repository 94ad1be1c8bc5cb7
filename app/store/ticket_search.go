package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"html"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/app/kana"
)

// This file implements full-text search over cached tickets: one document
// per ticket subject, per description (the original request), per thread
// and per comment (desk_search_docs, desk_search_fts of migration 0012),
// and one document per ticket with all of its text (desk_search_tickets,
// desk_search_ticket_fts of migration 0014), written again whenever one of
// its documents changes. A search ranks the tickets' documents, so its top
// 50 costs one FTS query; the message a hit opens at is found in the
// per-message index when the ticket is opened (LocateTicketHit).
// Documents are written with the rows they index, in the same transaction.

// Kinds of search documents.
const (
	docTicket  = "ticket"  // the subject
	docRequest = "request" // the description
	docThread  = "thread"
	docComment = "comment"
)

// maxDocText is how much of one message is indexed: the start of a long
// mail is what people remember, and indexing cost grows with the text.
const maxDocText = 8 << 10

// indexing can be turned off by benchmarks that measure what it costs.
var indexing = true

// searchText is what is indexed of a body: without markup, entities
// decoded, cut to maxDocText.
func searchText(body string) string {
	if strings.ContainsAny(body, "<&") {
		var b strings.Builder
		b.Grow(len(body))
		in := false
		for _, r := range body {
			switch {
			case r == '<':
				in = true
				b.WriteByte(' ')
			case r == '>' && in:
				in = false
			case !in:
				b.WriteRune(r)
			}
		}
		body = html.UnescapeString(b.String())
	}
	return cut(body, maxDocText)
}

// cut shortens s to at most n bytes at a rune boundary.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && (s[n]&0xc0) == 0x80 {
		n--
	}
	return s[:n]
}

// searchExtra is the extra tokens of a document: suffixes of its Japanese
// words, and each word that folding changes (kana.Hiragana: katakana and
// half-width kana to hiragana, full-width letters to ASCII) as folded, with
// its suffixes, so a prefix query finds a word inside Japanese text (the
// approach of the contact search, store/text.go). Words of ASCII only
// have none: most text is skipped at the cost of one look at its bytes.
func searchExtra(texts ...string) string {
	var set map[string]struct{}
	for _, s := range texts {
		if isASCII(s) {
			continue
		}
		for _, w := range words(s) {
			if isASCII(w) {
				continue
			}
			if set == nil {
				set = map[string]struct{}{}
			}
			japaneseSuffixes(set, w)
			if h := kana.Hiragana(w); h != w {
				for _, hw := range words(h) {
					set[hw] = struct{}{}
				}
				japaneseSuffixes(set, h)
			}
		}
	}
	if set == nil {
		return ""
	}
	return joinSet(set)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func textHash(parts ...string) int64 {
	h := fnv.New64a()
	for _, p := range parts {
		_, _ = h.Write([]byte(p))
		_, _ = h.Write([]byte{0})
	}
	return int64(h.Sum64() >> 1)
}

// searchIndexer writes search documents in one transaction with statements
// prepared once (on first use): preparing them for every ticket was a sixth
// of indexing a pass's tickets. The FTS writes wait for flush, which makes
// them in one burst: FTS5 flushes the terms it holds in memory as a new
// segment (and merges segments) at every statement that opens a savepoint,
// such as the upserts of desk_search_docs; written between them, every
// ticket made a segment, and indexing a first pass's 10k tickets took 12 s
// instead of about 1.
type searchIndexer struct {
	tx      *sql.Tx
	stmts   map[string]*sql.Stmt
	maxDoc  int64       // the newest document desk_search_fts held when the indexer began, -1 until read
	touched []ticketKey // tickets whose documents changed, in order
	seen    map[ticketKey]bool
	pending []pendingDoc // documents to write into desk_search_fts
}

type ticketKey struct{ org, id string }

// pendingDoc is a document whose text is new, not yet in the FTS index.
type pendingDoc struct {
	key                  ticketKey
	doc                  int64
	subject, body, extra string
}

// The statements of a searchIndexer.
const (
	// RETURNING answers only for a document inserted or whose text
	// changed: unchanged text costs one index lookup.
	putDocSQL = `INSERT INTO desk_search_docs (org_id, ticket_id, kind, msg_id, hash) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (org_id, ticket_id, kind, msg_id) DO UPDATE SET hash = excluded.hash WHERE hash <> excluded.hash
		RETURNING doc`
	deleteMsgFTSSQL    = "DELETE FROM desk_search_fts WHERE rowid = ?"
	insertMsgFTSSQL    = "INSERT INTO desk_search_fts (rowid, subject, body, extra) VALUES (?, ?, ?, ?)"
	deleteTicketFTSSQL = "DELETE FROM desk_search_ticket_fts WHERE rowid = ?"
	insertTicketFTSSQL = "INSERT INTO desk_search_ticket_fts (rowid, text) VALUES (?, ?)"
	deleteTicketDocSQL = "DELETE FROM desk_search_tickets WHERE org_id = ? AND ticket_id = ? RETURNING doc"
	ticketDocsSQL      = `SELECT d.doc, f.subject, f.body, f.extra FROM desk_search_docs d CROSS JOIN desk_search_fts f
		WHERE d.org_id = ? AND d.ticket_id = ? AND f.rowid = d.doc ORDER BY d.doc`
	hasThreadDocSQL = "SELECT count(*) FROM desk_search_docs WHERE org_id = ? AND ticket_id = ? AND kind = 'thread' AND msg_id = ?"
	// A ticket to index: its subject and description as stored, and
	// whether its conversation was ever stored (what a pass stored without
	// indexing it, StoreConversationUnindexed, is indexed with the ticket).
	markIndexedSQL = `UPDATE desk_tickets SET search_indexed = 1 WHERE org_id = ? AND id = ?
		RETURNING subject, description, detail_synced <> 0`
	storedThreadsSQL  = "SELECT id, summary, content FROM desk_threads WHERE org_id = ? AND ticket_id = ?"
	storedCommentsSQL = "SELECT id, text, content FROM desk_comments WHERE org_id = ? AND ticket_id = ?"
)

func newSearchIndexer(tx *sql.Tx) *searchIndexer {
	return &searchIndexer{tx: tx, stmts: map[string]*sql.Stmt{}, seen: map[ticketKey]bool{}, maxDoc: -1}
}

// stmt returns the transaction's statement for query, prepared on first use.
func (ix *searchIndexer) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st := ix.stmts[query]; st != nil {
		return st, nil
	}
	st, err := ix.tx.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	ix.stmts[query] = st
	return st, nil
}

func (ix *searchIndexer) exec(ctx context.Context, query string, args ...any) error {
	st, err := ix.stmt(ctx, query)
	if err != nil {
		return err
	}
	_, err = st.ExecContext(ctx, args...)
	return err
}

func (ix *searchIndexer) queryRow(ctx context.Context, query string, args ...any) (*sql.Row, error) {
	st, err := ix.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryRowContext(ctx, args...), nil
}

func (ix *searchIndexer) close() {
	for _, st := range ix.stmts {
		st.Close()
	}
}

// put indexes one document (in flush); unchanged text is left alone.
func (ix *searchIndexer) put(ctx context.Context, org, ticketID, kind, msgID, subject, body string) error {
	if !indexing || strings.TrimSpace(subject+body) == "" {
		return nil
	}
	if ix.maxDoc < 0 {
		// The newest row of the index's own table of texts (its rowid
		// is the key; max is one lookup), read before any is written.
		if err := ix.tx.QueryRowContext(ctx, "SELECT coalesce(max(id), 0) FROM desk_search_fts_content").Scan(&ix.maxDoc); err != nil {
			return err
		}
	}
	row, err := ix.queryRow(ctx, putDocSQL, org, ticketID, kind, msgID, textHash(subject, body))
	if err != nil {
		return err
	}
	var doc int64
	err = row.Scan(&doc)
	if err == sql.ErrNoRows {
		return nil // unchanged
	}
	if err != nil {
		return err
	}
	k := ticketKey{org, ticketID}
	ix.pending = append(ix.pending, pendingDoc{key: k, doc: doc, subject: subject, body: body, extra: searchExtra(subject, body)})
	if !ix.seen[k] {
		ix.seen[k] = true
		ix.touched = append(ix.touched, k)
	}
	return nil
}

// flush writes the documents put gathered and, again, the ticket documents
// of the tickets they belong to: first every read and write of the plain
// tables, then the FTS writes, one after the other.
func (ix *searchIndexer) flush(ctx context.Context) error {
	type ticketDoc struct {
		old, doc int64
		text     string
	}
	byTicket := map[ticketKey][]pendingDoc{}
	for _, d := range ix.pending {
		byTicket[d.key] = append(byTicket[d.key], d)
	}
	tds := make([]ticketDoc, 0, len(ix.touched))
	for _, k := range ix.touched {
		var td ticketDoc
		var err error
		if td.old, td.doc, td.text, err = ix.renumberTicketDoc(ctx, k, byTicket[k]); err != nil {
			return err
		}
		tds = append(tds, td)
	}
	for _, d := range ix.pending {
		// A document numbered after the newest the index held has
		// nothing in it to delete (a catch-up's documents all are).
		if d.doc <= ix.maxDoc {
			if err := ix.exec(ctx, deleteMsgFTSSQL, d.doc); err != nil {
				return err
			}
		}
		if err := ix.exec(ctx, insertMsgFTSSQL, d.doc, d.subject, d.body, d.extra); err != nil {
			return err
		}
	}
	for _, td := range tds {
		if td.old != 0 {
			if err := ix.exec(ctx, deleteTicketFTSSQL, td.old); err != nil {
				return err
			}
		}
		if td.doc != 0 {
			if err := ix.exec(ctx, insertTicketFTSSQL, td.doc, td.text); err != nil {
				return err
			}
		}
	}
	ix.touched, ix.seen, ix.pending = nil, map[ticketKey]bool{}, nil
	return nil
}

// renumberTicketDoc removes a ticket's document from desk_search_tickets
// (old: its number, 0 when it had none) and numbers it again as the
// newest (doc, 0 when it has no text), with the text of all its documents:
// those in news as given, the others as desk_search_fts holds them. It
// writes nothing into the FTS indexes.
func (ix *searchIndexer) renumberTicketDoc(ctx context.Context, k ticketKey, news []pendingDoc) (old, doc int64, text string, err error) {
	row, err := ix.queryRow(ctx, deleteTicketDocSQL, k.org, k.id)
	if err != nil {
		return 0, 0, "", err
	}
	if err = row.Scan(&old); err == sql.ErrNoRows {
		old, err = 0, nil
	}
	if err != nil {
		return 0, 0, "", err
	}
	parts := map[int64][3]string{}
	for _, d := range news {
		parts[d.doc] = [3]string{d.subject, d.body, d.extra}
	}
	// A ticket without a document had no text indexed (every document
	// has text, and its ticket's document holds it): only news is its
	// text. Not reading the others saved a query a ticket in a catch-up.
	if old != 0 || len(news) == 0 {
		if err := ix.readTicketDocs(ctx, k, parts); err != nil {
			return 0, 0, "", err
		}
	}
	docs := make([]int64, 0, len(parts))
	for n := range parts {
		docs = append(docs, n)
	}
	slices.Sort(docs)
	var b strings.Builder
	for _, n := range docs {
		for _, t := range parts[n] {
			if t != "" {
				if b.Len() > 0 {
					b.WriteByte(' ')
				}
				b.WriteString(t)
			}
		}
	}
	if b.Len() == 0 {
		return old, 0, "", nil
	}
	if row, err = ix.queryRow(ctx, insertTicketDocSQL, k.org, k.id); err != nil {
		return 0, 0, "", err
	}
	if err := row.Scan(&doc); err != nil {
		return 0, 0, "", err
	}
	return old, doc, b.String(), nil
}

// readTicketDocs adds to parts the texts of a ticket's documents as the
// per-message index holds them, except those parts has.
func (ix *searchIndexer) readTicketDocs(ctx context.Context, k ticketKey, parts map[int64][3]string) error {
	st, err := ix.stmt(ctx, ticketDocsSQL)
	if err != nil {
		return err
	}
	rows, err := st.QueryContext(ctx, k.org, k.id)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var n int64
		var p [3]string
		if err := rows.Scan(&n, &p[0], &p[1], &p[2]); err != nil {
			return err
		}
		if _, changed := parts[n]; !changed {
			parts[n] = p
		}
	}
	return rows.Err()
}

// writeTicketDoc writes a ticket's document again from its documents in
// desk_search_docs (none: it has no document), numbered as the newest.
func writeTicketDoc(ctx context.Context, tx *sql.Tx, org, ticketID string) error {
	ix := newSearchIndexer(tx)
	defer ix.close()
	old, doc, text, err := ix.renumberTicketDoc(ctx, ticketKey{org, ticketID}, nil)
	if err != nil {
		return err
	}
	if old != 0 {
		if err := ix.exec(ctx, deleteTicketFTSSQL, old); err != nil {
			return err
		}
	}
	if doc != 0 {
		return ix.exec(ctx, insertTicketFTSSQL, doc, text)
	}
	return nil
}

// inlineIndex is the largest batch of tickets indexed as it is written (a
// ticket opened, an action's answer); bigger ones (a pass's pages) are
// left to IndexTickets.
const inlineIndex = 10

// indexTickets indexes tickets' subjects and (when Desk sent one) their
// descriptions, as stored (the upsert keeps a description a list item
// lacks), with their stored conversations, and marks them indexed.
func indexTickets(ctx context.Context, tx *sql.Tx, ts []app.Ticket) error {
	if !indexing || len(ts) == 0 {
		return nil
	}
	ix := newSearchIndexer(tx)
	defer ix.close()
	for i := range ts {
		t := &ts[i]
		row, err := ix.queryRow(ctx, markIndexedSQL, t.OrgID, t.ID)
		if err != nil {
			return err
		}
		var subject, desc string
		var conversation bool
		err = row.Scan(&subject, &desc, &conversation)
		if err == sql.ErrNoRows {
			continue
		}
		if err != nil {
			return err
		}
		if err := ix.put(ctx, t.OrgID, t.ID, docTicket, "", subject, ""); err != nil {
			return err
		}
		if desc != "" {
			if err := ix.put(ctx, t.OrgID, t.ID, docRequest, "", "", searchText(desc)); err != nil {
				return err
			}
		}
		if conversation {
			ths, cms, err := ix.storedConversation(ctx, t.OrgID, t.ID)
			if err != nil {
				return err
			}
			if err := ix.putConversation(ctx, ths, cms); err != nil {
				return err
			}
		}
	}
	return ix.flush(ctx)
}

// storedConversation reads what putConversation indexes of a ticket's
// stored threads and comments.
func (ix *searchIndexer) storedConversation(ctx context.Context, org, ticketID string) ([]app.Thread, []app.Comment, error) {
	var ths []app.Thread
	var cms []app.Comment
	for _, q := range []string{storedThreadsSQL, storedCommentsSQL} {
		st, err := ix.stmt(ctx, q)
		if err != nil {
			return nil, nil, err
		}
		rows, err := st.QueryContext(ctx, org, ticketID)
		if err != nil {
			return nil, nil, err
		}
		for rows.Next() {
			var id, a, b string
			if err := rows.Scan(&id, &a, &b); err != nil {
				rows.Close()
				return nil, nil, err
			}
			if q == storedThreadsSQL {
				ths = append(ths, app.Thread{OrgID: org, TicketID: ticketID, ID: id, Summary: a, Content: b})
			} else {
				cms = append(cms, app.Comment{OrgID: org, TicketID: ticketID, ID: id, Text: a, Content: b})
			}
		}
		if err := rows.Err(); err != nil {
			rows.Close()
			return nil, nil, err
		}
		rows.Close()
	}
	return ths, cms, nil
}

// IndexTickets indexes up to limit of a portal's tickets written since
// they were last indexed (a pass's big batches, the conversations a pass
// stored), and returns how many.
func (db *DB) IndexTickets(ctx context.Context, orgID string, limit int) (int, error) {
	if !indexing {
		return 0, nil
	}
	n := 0
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, "SELECT id FROM desk_tickets INDEXED BY desk_tickets_unindexed WHERE org_id = ? AND search_indexed = 0 LIMIT ?", orgID, limit)
		if err != nil {
			return err
		}
		var ts []app.Ticket
		for rows.Next() {
			t := app.Ticket{OrgID: orgID}
			if err := rows.Scan(&t.ID); err != nil {
				rows.Close()
				return err
			}
			ts = append(ts, t)
		}
		if err := rows.Err(); err != nil {
			rows.Close()
			return err
		}
		rows.Close()
		n = len(ts)
		return indexTickets(ctx, tx, ts)
	})
	if err != nil {
		return 0, fmt.Errorf("store: index tickets: %w", err)
	}
	return n, nil
}

// indexConversation indexes threads and comments (see putConversation).
func indexConversation(ctx context.Context, tx *sql.Tx, ths []app.Thread, cms []app.Comment) error {
	if !indexing || len(ths)+len(cms) == 0 {
		return nil
	}
	ix := newSearchIndexer(tx)
	defer ix.close()
	if err := ix.putConversation(ctx, ths, cms); err != nil {
		return err
	}
	return ix.flush(ctx)
}

// putConversation puts threads (their content; the summary until the
// content is known) and comments.
func (ix *searchIndexer) putConversation(ctx context.Context, ths []app.Thread, cms []app.Comment) error {
	for i := range ths {
		t := &ths[i]
		body := t.Content
		if body == "" {
			// Only the summary: index it for a thread not indexed yet,
			// never over what its content gave.
			row, err := ix.queryRow(ctx, hasThreadDocSQL, t.OrgID, t.TicketID, t.ID)
			if err != nil {
				return err
			}
			var n int
			if err := row.Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				continue
			}
			body = t.Summary
		}
		if err := ix.put(ctx, t.OrgID, t.TicketID, docThread, t.ID, "", searchText(body)); err != nil {
			return err
		}
	}
	for i := range cms {
		c := &cms[i]
		if err := ix.put(ctx, c.OrgID, c.TicketID, docComment, c.ID, "", searchText(firstNonEmptyStr(c.Text, c.Content))); err != nil {
			return err
		}
	}
	return nil
}

// unindex removes the documents of a deleted thread or comment.
func unindex(ctx context.Context, tx *sql.Tx, org, ticketID, kind, msgID string) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM desk_search_fts WHERE rowid IN
		(SELECT doc FROM desk_search_docs WHERE org_id = ? AND ticket_id = ? AND kind = ? AND msg_id = ?)`, org, ticketID, kind, msgID)
	if err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, "DELETE FROM desk_search_docs WHERE org_id = ? AND ticket_id = ? AND kind = ? AND msg_id = ?", org, ticketID, kind, msgID)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return err
	}
	return writeTicketDoc(ctx, tx, org, ticketID)
}

// SearchTickets finds cached tickets by what they say: subject,
// description, threads and comments, the tickets whose text was written
// last first, at most limit tickets. Every word of the query is found
// somewhere in the ticket (not necessarily in one message). A hit carries
// the ticket's list columns and the query; LocateTicketHit finds the
// message it opens at, and TicketTarget its CRM record, when a person opens
// it (finding them for every hit cost 10 times the search).
func (db *DB) SearchTickets(ctx context.Context, orgID, query string, limit int) ([]app.TicketHit, error) {
	q := ftsQuery(query)
	if q == "" {
		return nil, nil
	}
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	hits := make([]app.TicketHit, 0, limit)
	// One statement, so no transaction around it (its BEGIN and COMMIT
	// cost a sixth of the search).
	err := func() error {
		// Down the FTS index's rowid order, stopping at the limit: the
		// planner must not reorder the joins (CROSS JOIN).
		rows, err := db.read.QueryContext(ctx, searchTicketsSQL, q, orgID, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			h := app.TicketHit{Query: query}
			t := &h.Ticket.Ticket
			t.OrgID = orgID
			var packed string
			if err := rows.Scan(&packed); err != nil {
				return err
			}
			if err := decodeHit(packed, t); err != nil {
				return err
			}
			hits = append(hits, h)
		}
		return rows.Err()
	}()
	if err != nil {
		return nil, fmt.Errorf("store: search tickets: %w", translate(err))
	}
	return hits, nil
}

// searchTicketsSQL reads a portal's tickets a query finds down the ticket
// documents' FTS index, in rowid order, stopping at the limit, each hit's
// id and list columns packed in the row that numbers its document (hit, migration
// 0016; NULL while the ticket has no row); locateHitSQL probes a ticket's
// documents in the per-message index by rowid. Both keep their join order
// (CROSS JOIN): the other order reads every match. insertTicketDocSQL
// numbers a ticket's document with its hit as desk_tickets has it.
const (
	searchTicketsSQL = `SELECT t.hit FROM desk_search_ticket_fts f CROSS JOIN desk_search_tickets t
		WHERE desk_search_ticket_fts MATCH ? AND t.doc = f.rowid AND t.org_id = ? AND t.hit IS NOT NULL
		ORDER BY f.rowid DESC LIMIT ?`
	insertTicketDocSQL = `INSERT INTO desk_search_tickets (org_id, ticket_id, hit)
		VALUES (?1, ?2, (SELECT h.hit FROM desk_ticket_hits h WHERE h.org_id = ?1 AND h.id = ?2)) RETURNING doc`
	locateHitSQL = `SELECT d.kind, d.msg_id FROM desk_search_docs d CROSS JOIN desk_search_fts f
		WHERE d.org_id = ? AND d.ticket_id = ? AND f.rowid = d.doc AND desk_search_fts MATCH ?
		ORDER BY d.doc DESC LIMIT 1`
)

// decodeHit reads the list columns a search hit shows from their packed
// form (the view desk_ticket_hits of migration 0016): seven texts, each
// its length in bytes, a colon and the text, then the created time.
func decodeHit(packed string, t *app.Ticket) error {
	for _, f := range []*string{&t.ID, &t.Number, &t.Subject, &t.Status, &t.StatusType, &t.ContactName, &t.ContactEmail} {
		n, rest, ok := strings.Cut(packed, ":")
		size, err := strconv.Atoi(n)
		if !ok || err != nil || size < 0 || size > len(rest) {
			return errors.New("store: unreadable search hit")
		}
		*f, packed = rest[:size], rest[size:]
	}
	created, err := strconv.ParseInt(packed, 10, 64)
	if err != nil {
		return errors.New("store: unreadable search hit")
	}
	t.CreatedTime = fromDBz(created)
	return nil
}

// LocateTicketHit returns the message of a ticket a search for query opens
// at: the newest of its documents the whole query finds, else the newest
// one finds the query's first word that is found (the words of a hit may be
// spread over its messages); kind "ticket" (its subject) when none does.
func (db *DB) LocateTicketHit(ctx context.Context, orgID, ticketID, query string) (kind, msgID string, err error) {
	q := ftsQuery(query)
	if q == "" {
		return docTicket, "", nil
	}
	tries := []string{q}
	if ws := strings.Split(q, " "); len(ws) > 1 {
		tries = append(tries, ws...)
	}
	err = db.readTx(ctx, func(tx *sql.Tx) error {
		for _, t := range tries {
			// The ticket's documents first, each probed by rowid (CROSS
			// JOIN): not every document the query finds.
			err := tx.QueryRowContext(ctx, locateHitSQL, orgID, ticketID, t).Scan(&kind, &msgID)
			if err == nil {
				return nil
			}
			if err != sql.ErrNoRows {
				return err
			}
		}
		kind, msgID = docTicket, ""
		return nil
	})
	if err != nil {
		return "", "", fmt.Errorf("store: locate ticket hit: %w", translate(err))
	}
	return kind, msgID, nil
}

// TicketTarget returns a cached ticket with the CRM record it belongs to
// (RecordKind "" when none), or ENOTFOUND.
func (db *DB) TicketTarget(ctx context.Context, orgID, ticketID string) (app.SignalTicket, error) {
	var st app.SignalTicket
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		m, err := signalTicketsTx(ctx, tx, orgID, []string{ticketID})
		if err != nil {
			return err
		}
		var ok bool
		if st, ok = m[ticketID]; !ok {
			return notFound("Ticket")
		}
		return nil
	})
	if err != nil {
		return st, fmt.Errorf("store: ticket target: %w", err)
	}
	return st, nil
}
