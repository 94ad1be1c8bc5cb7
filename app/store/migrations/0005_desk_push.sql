-- 0005: incremental Desk pushes (DESIGN §5). Never edit a shipped
-- migration; add a new file instead.
--
-- A poll with nothing changed must not cost time proportional to the CRM.
-- crm_changes keeps, per CRM contact or company, the sequence number of its
-- latest insert or update (one row per record, kept by triggers), so the
-- records to push are those after a per-portal cursor (desk_cursors). The
-- numbers are taken in the writer's transactions, so they follow commit
-- order: unlike a time, a cursor on them never misses a slow transaction.
-- crm_deletions keeps a tombstone per deleted record, read after another
-- per-portal cursor to find links whose CRM record was deleted.

CREATE TABLE crm_changes (
    seq    INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused: always above every earlier one
    kind   TEXT    NOT NULL CHECK (kind IN ('contact', 'company')),
    crm_id INTEGER NOT NULL
);
CREATE UNIQUE INDEX crm_changes_record ON crm_changes (kind, crm_id);

-- Records that exist now count as changed once.
INSERT INTO crm_changes (kind, crm_id) SELECT 'company', id FROM companies ORDER BY id;
INSERT INTO crm_changes (kind, crm_id) SELECT 'contact', id FROM contacts ORDER BY id;

CREATE TRIGGER contacts_changed_insert AFTER INSERT ON contacts BEGIN
    DELETE FROM crm_changes WHERE kind = 'contact' AND crm_id = new.id;
    INSERT INTO crm_changes (kind, crm_id) VALUES ('contact', new.id);
END;
CREATE TRIGGER contacts_changed_update AFTER UPDATE ON contacts BEGIN
    DELETE FROM crm_changes WHERE kind = 'contact' AND crm_id = new.id;
    INSERT INTO crm_changes (kind, crm_id) VALUES ('contact', new.id);
END;
CREATE TRIGGER companies_changed_insert AFTER INSERT ON companies BEGIN
    DELETE FROM crm_changes WHERE kind = 'company' AND crm_id = new.id;
    INSERT INTO crm_changes (kind, crm_id) VALUES ('company', new.id);
END;
CREATE TRIGGER companies_changed_update AFTER UPDATE ON companies BEGIN
    DELETE FROM crm_changes WHERE kind = 'company' AND crm_id = new.id;
    INSERT INTO crm_changes (kind, crm_id) VALUES ('company', new.id);
END;

CREATE TABLE crm_deletions (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    kind        TEXT    NOT NULL CHECK (kind IN ('contact', 'company')),
    crm_id      INTEGER NOT NULL,
    crm_created INTEGER NOT NULL
);

CREATE TRIGGER contacts_deleted AFTER DELETE ON contacts BEGIN
    DELETE FROM crm_changes WHERE kind = 'contact' AND crm_id = old.id;
    INSERT INTO crm_deletions (kind, crm_id, crm_created) VALUES ('contact', old.id, old.created_at);
END;
CREATE TRIGGER companies_deleted AFTER DELETE ON companies BEGIN
    DELETE FROM crm_changes WHERE kind = 'company' AND crm_id = old.id;
    INSERT INTO crm_deletions (kind, crm_id, crm_created) VALUES ('company', old.id, old.created_at);
END;

-- The tickets whose conversation is wanted, newest first, without a walk
-- over the portal's whole ticket cache (desk_tickets_wanted matched the
-- portal only, and the planner preferred the primary key).
CREATE INDEX desk_tickets_wanted_by_time ON desk_tickets (org_id, modified_time) WHERE detail_wanted = 1;
