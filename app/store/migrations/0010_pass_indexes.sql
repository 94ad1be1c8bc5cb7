-- 0008: a sync pass with nothing changed reads only what changed (issue 17).
-- Never edit a shipped migration; add a new file instead.

-- The newest modification time of a portal's tickets (the signals' cursor)
-- is one step down this index instead of a walk over the portal's tickets.
CREATE INDEX desk_tickets_modified ON desk_tickets (org_id, modified_time);

-- Overdue tickets are found from two indexes, one per reason: the due date
-- and Desk's flag. One query with "due date passed OR flagged" could use
-- neither and walked the portal. Each index holds only the open tickets
-- whose overdue signal ("overdue:<id>:<due date>") is not stored yet:
-- overdue_signalled is the due date the stored signal was for (-1 for
-- none), set when the signal is stored, so a ticket leaves the index once
-- its signal fires and comes back when its due date moves. A pass then
-- reads what is new, not every ticket ever overdue (10k of 50k tickets in
-- the emulator: their rows, long text and all, were read on every pass).
ALTER TABLE desk_tickets ADD COLUMN overdue_signalled INTEGER NOT NULL DEFAULT -1;
UPDATE desk_tickets SET overdue_signalled = due_date WHERE EXISTS (SELECT 1 FROM signals s
    WHERE s.org_id = desk_tickets.org_id AND s.key = 'overdue:' || desk_tickets.id || ':' || desk_tickets.due_date);
DROP INDEX desk_tickets_due;
CREATE INDEX desk_tickets_due_unsignalled ON desk_tickets (org_id, due_date)
    WHERE due_date > 0 AND status_type <> 'Closed' AND overdue_signalled <> due_date;
CREATE INDEX desk_tickets_flagged_unsignalled ON desk_tickets (org_id)
    WHERE is_overdue = 1 AND status_type <> 'Closed' AND overdue_signalled <> due_date;

-- The outbox items still to send, found by state: every pass asks for them,
-- and the partial index desk_outbox_open serves only a query that names
-- exactly its three states, so the planner walked the outbox, sent items
-- and all.
CREATE INDEX desk_outbox_state ON desk_outbox (org_id, state, id);

-- The contact links whose company (Desk's accountId) is held or was never
-- agreed: a sync service's first pass looks them up, and each start of the
-- app or of `tandem desk sync` is a first pass. The expressions are those
-- RecheckHeldAccounts writes.
CREATE INDEX desk_links_held_account ON desk_links (org_id, crm_id)
    WHERE kind = 'contact' AND (json_extract(agreed, '$."accountId"') IS NULL OR json_extract(agreed, '$."held:accountId"') IS NOT NULL);

-- How many tickets each portal has cached, kept by triggers: a service's
-- first pass (each start) and the status line ask, and count(*) walked the
-- portal's tickets (1,900 page reads at 50k). The ticket upsert's update
-- path fires no INSERT trigger, so a ticket is counted once.
CREATE TABLE desk_ticket_counts (
    org_id TEXT    PRIMARY KEY,
    n      INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO desk_ticket_counts (org_id, n) SELECT org_id, count(*) FROM desk_tickets GROUP BY org_id;
CREATE TRIGGER desk_tickets_counted_insert AFTER INSERT ON desk_tickets BEGIN
    INSERT OR IGNORE INTO desk_ticket_counts (org_id, n) VALUES (new.org_id, 0);
    UPDATE desk_ticket_counts SET n = n + 1 WHERE org_id = new.org_id;
END;
CREATE TRIGGER desk_tickets_counted_delete AFTER DELETE ON desk_tickets BEGIN
    UPDATE desk_ticket_counts SET n = n - 1 WHERE org_id = old.org_id;
END;

-- The stamps of the tickets a pass lists (a fresh process looks up every
-- ticket of the overlap window), from an index that holds them: a ticket's
-- row is about 1.2 KB of Desk's JSON, so the table's b-tree holds 8 rows a
-- page and is 5 levels deep, and 100 lookups read 980 pages; here 80.
CREATE INDEX desk_tickets_stamps ON desk_tickets (org_id, id, modified_time, thread_count, comment_count, detail_synced, is_overdue, is_escalated);
