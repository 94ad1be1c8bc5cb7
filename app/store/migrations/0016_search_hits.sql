-- 0016: a ticket search reads each hit from the row that numbers its
-- document (issue 15). Never edit a shipped migration; add a new file
-- instead.

-- A hit's id and list columns, packed into one value: each text column as
-- its length in bytes, a colon and the text, then the created time
-- (store's decodeHit reads it). Reading eight columns of desk_tickets_list
-- per hit cost as much as the FTS query itself (2.4 times the raw FTS query
-- in all); one value of the row the search joins anyway costs a fifth.
CREATE VIEW desk_ticket_hits AS SELECT org_id, id,
    length(CAST(id AS BLOB)) || ':' || id ||
    length(CAST(number AS BLOB)) || ':' || number ||
    length(CAST(subject AS BLOB)) || ':' || subject ||
    length(CAST(status AS BLOB)) || ':' || status ||
    length(CAST(status_type AS BLOB)) || ':' || status_type ||
    length(CAST(contact_name AS BLOB)) || ':' || contact_name ||
    length(CAST(contact_email AS BLOB)) || ':' || contact_email ||
    created_time AS hit
    FROM desk_tickets;

-- NULL while the ticket has no row in desk_tickets (a search skips it).
ALTER TABLE desk_search_tickets ADD COLUMN hit TEXT;
UPDATE desk_search_tickets SET hit =
    (SELECT h.hit FROM desk_ticket_hits h WHERE h.org_id = desk_search_tickets.org_id AND h.id = desk_search_tickets.ticket_id);

-- Kept current by the ticket's writes: a new row, a change of a listed
-- column (most upserts change none of them: the WHEN clause costs no
-- lookup), a deleted row.
CREATE TRIGGER desk_tickets_hit_insert AFTER INSERT ON desk_tickets BEGIN
    UPDATE desk_search_tickets SET hit = (SELECT h.hit FROM desk_ticket_hits h WHERE h.org_id = NEW.org_id AND h.id = NEW.id)
        WHERE org_id = NEW.org_id AND ticket_id = NEW.id;
END;
CREATE TRIGGER desk_tickets_hit_update AFTER UPDATE OF number, subject, status, status_type, contact_name, contact_email, created_time
    ON desk_tickets
    WHEN OLD.number IS NOT NEW.number OR OLD.subject IS NOT NEW.subject OR OLD.status IS NOT NEW.status
        OR OLD.status_type IS NOT NEW.status_type OR OLD.contact_name IS NOT NEW.contact_name
        OR OLD.contact_email IS NOT NEW.contact_email OR OLD.created_time IS NOT NEW.created_time
BEGIN
    UPDATE desk_search_tickets SET hit = (SELECT h.hit FROM desk_ticket_hits h WHERE h.org_id = NEW.org_id AND h.id = NEW.id)
        WHERE org_id = NEW.org_id AND ticket_id = NEW.id;
END;
CREATE TRIGGER desk_tickets_hit_delete AFTER DELETE ON desk_tickets BEGIN
    UPDATE desk_search_tickets SET hit = NULL WHERE org_id = OLD.org_id AND ticket_id = OLD.id;
END;

-- The search no longer reads this index; every ticket write paid for it.
DROP INDEX desk_tickets_list;
