-- 0012: the ticket conversation (issue 15): the agent's right to edit
-- tickets (priority, assignee), and full-text search over cached tickets.
-- Never edit a shipped migration; add a new file instead.

-- tickets.edit of Desk's GET /myProfilePermissions (administrators may).
-- Portals activated before this read it at their next activation; until
-- then an agent who may reply is taken to be one who may edit, as Desk's
-- default agent profiles allow both.
ALTER TABLE desk_portals ADD COLUMN can_edit_tickets INTEGER NOT NULL DEFAULT 0;
UPDATE desk_portals SET can_edit_tickets = (is_admin OR can_reply);

-- Ticket search: one document per ticket (subject and description), per
-- thread and per comment, so a hit opens the ticket at its message. The
-- FTS table keeps its own copy of the text (as contacts_fts does); extra
-- holds the suffixes of Japanese words, written by the store (see
-- store/text.go), so a prefix query finds a word inside Japanese text.
-- Documents are numbered in the order they were indexed; a search reads
-- the newest hits first, down the FTS index's rowid order, with no
-- ranking pass over every hit.
CREATE TABLE desk_search_docs (
    doc         INTEGER PRIMARY KEY,
    org_id      TEXT    NOT NULL,
    ticket_id   TEXT    NOT NULL,
    kind        TEXT    NOT NULL, -- 'ticket', 'thread', 'comment'
    msg_id      TEXT    NOT NULL DEFAULT '',
    hash        INTEGER NOT NULL DEFAULT 0, -- of the indexed text: unchanged text is not indexed again
    UNIQUE (org_id, ticket_id, kind, msg_id)
);

-- A ticket whose subject or description is not indexed yet. A first sync
-- writes 50k tickets; indexing them inline made that 2.5 times slower, so
-- big batches are indexed after the pass, a batch per pass, found through
-- this partial index (empty once all are indexed: a constant cost).
ALTER TABLE desk_tickets ADD COLUMN search_indexed INTEGER NOT NULL DEFAULT 0;
CREATE INDEX desk_tickets_unindexed ON desk_tickets (org_id) WHERE search_indexed = 0;

CREATE VIRTUAL TABLE desk_search_fts USING fts5 (
    subject, body, extra,
    tokenize = 'unicode61 remove_diacritics 2', prefix = '2'
);
