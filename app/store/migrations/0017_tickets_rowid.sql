-- 0017: desk_tickets becomes a rowid table (issue 17). Never edit a shipped
-- migration; add a new file instead.
--
-- As a WITHOUT ROWID table keyed by (org_id, id), every ticket's whole row
-- (its description and Desk's raw JSON, a few kB) sat in a B-tree ordered
-- by Desk's ticket ids, which arrive in no order: each insert of a first
-- sync landed on a random page of a table far larger than the page cache,
-- read it back from disk and split it. SQLite advises WITHOUT ROWID only
-- for small rows. As a rowid table, new rows are appended, and the key
-- (org_id, id) is a small unique index. The columns, indexes, triggers
-- and the hit view are the same as before.

DROP VIEW desk_ticket_hits;

CREATE TABLE desk_tickets_new (
    org_id        TEXT    NOT NULL,
    id            TEXT    NOT NULL,
    number        TEXT    NOT NULL DEFAULT '',
    subject       TEXT    NOT NULL DEFAULT '',
    description   TEXT    NOT NULL DEFAULT '',
    status        TEXT    NOT NULL DEFAULT '',
    status_type   TEXT    NOT NULL DEFAULT '',
    priority      TEXT    NOT NULL DEFAULT '',
    channel       TEXT    NOT NULL DEFAULT '',
    email         TEXT    NOT NULL DEFAULT '',
    phone         TEXT    NOT NULL DEFAULT '',
    contact_id    TEXT    NOT NULL DEFAULT '',
    contact_name  TEXT    NOT NULL DEFAULT '',
    contact_email TEXT    NOT NULL DEFAULT '',
    contact_email_norm TEXT NOT NULL DEFAULT '',
    account_id    TEXT    NOT NULL DEFAULT '',
    department_id TEXT    NOT NULL DEFAULT '',
    assignee_id   TEXT    NOT NULL DEFAULT '',
    due_date      INTEGER NOT NULL DEFAULT 0,
    is_overdue    INTEGER NOT NULL DEFAULT 0,
    is_escalated  INTEGER NOT NULL DEFAULT 0,
    created_time  INTEGER NOT NULL DEFAULT 0,
    modified_time INTEGER NOT NULL DEFAULT 0,
    closed_time   INTEGER NOT NULL DEFAULT 0,
    thread_count  INTEGER NOT NULL DEFAULT 0,
    comment_count INTEGER NOT NULL DEFAULT 0,
    web_url       TEXT    NOT NULL DEFAULT '',
    detail_synced INTEGER NOT NULL DEFAULT 0,
    detail_wanted INTEGER NOT NULL DEFAULT 0,
    raw           TEXT    NOT NULL DEFAULT '{}',
    overdue_signalled INTEGER NOT NULL DEFAULT -1,
    search_indexed    INTEGER NOT NULL DEFAULT 0,
    UNIQUE (org_id, id)
);
INSERT INTO desk_tickets_new (org_id, id, number, subject, description, status, status_type, priority, channel, email,
    phone, contact_id, contact_name, contact_email, contact_email_norm, account_id, department_id, assignee_id, due_date,
    is_overdue, is_escalated, created_time, modified_time, closed_time, thread_count, comment_count, web_url,
    detail_synced, detail_wanted, raw, overdue_signalled, search_indexed)
SELECT org_id, id, number, subject, description, status, status_type, priority, channel, email,
    phone, contact_id, contact_name, contact_email, contact_email_norm, account_id, department_id, assignee_id, due_date,
    is_overdue, is_escalated, created_time, modified_time, closed_time, thread_count, comment_count, web_url,
    detail_synced, detail_wanted, raw, overdue_signalled, search_indexed
FROM desk_tickets ORDER BY org_id, modified_time;
DROP TABLE desk_tickets;
ALTER TABLE desk_tickets_new RENAME TO desk_tickets;

CREATE INDEX desk_tickets_contact ON desk_tickets (org_id, contact_id, created_time);
CREATE INDEX desk_tickets_email   ON desk_tickets (org_id, contact_email_norm) WHERE contact_email_norm <> '';
CREATE INDEX desk_tickets_account ON desk_tickets (org_id, account_id, created_time) WHERE account_id <> '';
CREATE INDEX desk_tickets_wanted  ON desk_tickets (org_id) WHERE detail_wanted = 1;
CREATE INDEX desk_tickets_wanted_by_time ON desk_tickets (org_id, modified_time) WHERE detail_wanted = 1;
CREATE INDEX desk_tickets_modified ON desk_tickets (org_id, modified_time);
CREATE INDEX desk_tickets_due_unsignalled ON desk_tickets (org_id, due_date)
    WHERE due_date > 0 AND status_type <> 'Closed' AND overdue_signalled <> due_date;
CREATE INDEX desk_tickets_flagged_unsignalled ON desk_tickets (org_id)
    WHERE is_overdue = 1 AND status_type <> 'Closed' AND overdue_signalled <> due_date;
CREATE INDEX desk_tickets_stamps ON desk_tickets (org_id, id, modified_time, thread_count, comment_count, detail_synced, is_overdue, is_escalated);
CREATE INDEX desk_tickets_unindexed ON desk_tickets (org_id) WHERE search_indexed = 0;

CREATE TRIGGER desk_tickets_counted_insert AFTER INSERT ON desk_tickets BEGIN
    INSERT OR IGNORE INTO desk_ticket_counts (org_id, n) VALUES (new.org_id, 0);
    UPDATE desk_ticket_counts SET n = n + 1 WHERE org_id = new.org_id;
END;
CREATE TRIGGER desk_tickets_counted_delete AFTER DELETE ON desk_tickets BEGIN
    UPDATE desk_ticket_counts SET n = n - 1 WHERE org_id = old.org_id;
END;

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
