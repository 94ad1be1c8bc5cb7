-- 0001: the CRM core. Never edit a shipped migration; add a new file instead.
--
-- Times are unix milliseconds (UTC) written by one Go helper. sort_name,
-- name_norm, email_norm and search_extra are derived by Go on every write:
-- search_extra holds extra search tokens SQLite's tokenizer cannot produce
-- (every suffix of a Japanese word, phone numbers as bare digits).

CREATE TABLE companies (
    id           INTEGER PRIMARY KEY,
    name         TEXT    NOT NULL,
    name_norm    TEXT    NOT NULL,
    sort_name    TEXT    NOT NULL,
    email        TEXT    NOT NULL DEFAULT '',
    email_norm   TEXT    NOT NULL DEFAULT '',
    website      TEXT    NOT NULL DEFAULT '',
    phone        TEXT    NOT NULL DEFAULT '',
    industry     TEXT    NOT NULL DEFAULT '',
    city         TEXT    NOT NULL DEFAULT '',
    country      TEXT    NOT NULL DEFAULT '',
    notes        TEXT    NOT NULL DEFAULT '',
    custom       TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(custom)),
    name_extra   TEXT    NOT NULL DEFAULT '',
    search_extra TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    rev          INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX companies_sort_name  ON companies (sort_name, id);
CREATE INDEX companies_updated_at ON companies (updated_at, id);
CREATE INDEX companies_name_norm  ON companies (name_norm);

CREATE TABLE contacts (
    id           INTEGER PRIMARY KEY,
    first_name   TEXT    NOT NULL DEFAULT '',
    last_name    TEXT    NOT NULL,
    email        TEXT    NOT NULL DEFAULT '',
    email_norm   TEXT    NOT NULL DEFAULT '',
    phone        TEXT    NOT NULL DEFAULT '',
    mobile       TEXT    NOT NULL DEFAULT '',
    title        TEXT    NOT NULL DEFAULT '',
    company_id   INTEGER REFERENCES companies (id) ON DELETE SET NULL,
    notes        TEXT    NOT NULL DEFAULT '',
    custom       TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(custom)),
    sort_name    TEXT    NOT NULL,
    search_extra TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    rev          INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX contacts_sort_name  ON contacts (sort_name, id);
CREATE INDEX contacts_updated_at ON contacts (updated_at, id);
CREATE INDEX contacts_email_norm ON contacts (email_norm) WHERE email_norm <> '';
CREATE INDEX contacts_company    ON contacts (company_id, sort_name) WHERE company_id IS NOT NULL;

CREATE TABLE pipelines (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL,
    position   INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    rev        INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE stages (
    id          INTEGER PRIMARY KEY,
    pipeline_id INTEGER NOT NULL REFERENCES pipelines (id) ON DELETE CASCADE,
    name        TEXT    NOT NULL,
    position    INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    rev         INTEGER NOT NULL DEFAULT 1,
    UNIQUE (pipeline_id, id)
);
CREATE INDEX stages_pipeline ON stages (pipeline_id, position);

-- The composite foreign key makes "the stage belongs to the record's
-- pipeline" a database rule, not only a Go check.
CREATE TABLE pipeline_records (
    id           INTEGER PRIMARY KEY,
    pipeline_id  INTEGER NOT NULL REFERENCES pipelines (id),
    stage_id     INTEGER NOT NULL,
    name         TEXT    NOT NULL,
    sort_name    TEXT    NOT NULL,
    amount       INTEGER NOT NULL DEFAULT 0,
    currency     TEXT    NOT NULL,
    closing_date TEXT    NOT NULL DEFAULT '',
    company_id   INTEGER REFERENCES companies (id) ON DELETE SET NULL,
    notes        TEXT    NOT NULL DEFAULT '',
    custom       TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(custom)),
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    rev          INTEGER NOT NULL DEFAULT 1,
    FOREIGN KEY (pipeline_id, stage_id) REFERENCES stages (pipeline_id, id)
);
CREATE INDEX pipeline_records_stage   ON pipeline_records (stage_id, sort_name);
CREATE INDEX pipeline_records_list    ON pipeline_records (pipeline_id, sort_name);
CREATE INDEX pipeline_records_sort    ON pipeline_records (sort_name, id);
CREATE INDEX pipeline_records_company ON pipeline_records (company_id) WHERE company_id IS NOT NULL;

CREATE TABLE pipeline_record_contacts (
    record_id  INTEGER NOT NULL REFERENCES pipeline_records (id) ON DELETE CASCADE,
    contact_id INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    is_primary INTEGER NOT NULL DEFAULT 0 CHECK (is_primary IN (0, 1)),
    PRIMARY KEY (record_id, contact_id)
) WITHOUT ROWID;
CREATE INDEX pipeline_record_contacts_contact ON pipeline_record_contacts (contact_id);
-- At most one primary contact per record.
CREATE UNIQUE INDEX pipeline_record_contacts_primary ON pipeline_record_contacts (record_id) WHERE is_primary = 1;

-- Full-text search. The FTS tables keep their own copy of the text (not
-- external content), so triggers can delete by rowid without knowing the
-- old values. search_suspended lets a bulk import turn the per-row triggers
-- off inside its own transaction and index the new rows in one statement.
CREATE TABLE search_suspended (id INTEGER PRIMARY KEY CHECK (id = 1));

CREATE VIRTUAL TABLE contacts_fts USING fts5 (
    name, email, phone, company, extra,
    tokenize = 'unicode61 remove_diacritics 2', prefix = '2'
);

CREATE VIRTUAL TABLE companies_fts USING fts5 (
    name, email, phone, city, extra,
    tokenize = 'unicode61 remove_diacritics 2', prefix = '2'
);

CREATE TRIGGER contacts_fts_insert AFTER INSERT ON contacts
WHEN NOT EXISTS (SELECT 1 FROM search_suspended)
BEGIN
    INSERT INTO contacts_fts (rowid, name, email, phone, company, extra)
    VALUES (new.id,
            new.first_name || ' ' || new.last_name,
            new.email,
            new.phone || ' ' || new.mobile,
            coalesce((SELECT co.name || ' ' || co.name_extra FROM companies co WHERE co.id = new.company_id), ''),
            new.search_extra);
END;

CREATE TRIGGER contacts_fts_update
AFTER UPDATE OF first_name, last_name, email, phone, mobile, company_id, search_extra ON contacts
BEGIN
    DELETE FROM contacts_fts WHERE rowid = old.id;
    INSERT INTO contacts_fts (rowid, name, email, phone, company, extra)
    VALUES (new.id,
            new.first_name || ' ' || new.last_name,
            new.email,
            new.phone || ' ' || new.mobile,
            coalesce((SELECT co.name || ' ' || co.name_extra FROM companies co WHERE co.id = new.company_id), ''),
            new.search_extra);
END;

CREATE TRIGGER contacts_fts_delete AFTER DELETE ON contacts
BEGIN
    DELETE FROM contacts_fts WHERE rowid = old.id;
END;

CREATE TRIGGER companies_fts_insert AFTER INSERT ON companies
WHEN NOT EXISTS (SELECT 1 FROM search_suspended)
BEGIN
    INSERT INTO companies_fts (rowid, name, email, phone, city, extra)
    VALUES (new.id, new.name || ' ' || new.name_extra, new.email, new.phone, new.city, new.search_extra);
END;

CREATE TRIGGER companies_fts_update
AFTER UPDATE OF name, name_extra, email, phone, city, search_extra ON companies
BEGIN
    DELETE FROM companies_fts WHERE rowid = old.id;
    INSERT INTO companies_fts (rowid, name, email, phone, city, extra)
    VALUES (new.id, new.name || ' ' || new.name_extra, new.email, new.phone, new.city, new.search_extra);
END;

-- A renamed company renames itself in its contacts' search text too.
CREATE TRIGGER companies_fts_rename_contacts
AFTER UPDATE OF name, name_extra ON companies
BEGIN
    UPDATE contacts_fts SET company = new.name || ' ' || new.name_extra
    WHERE rowid IN (SELECT id FROM contacts WHERE company_id = new.id);
END;

CREATE TRIGGER companies_fts_delete AFTER DELETE ON companies
BEGIN
    DELETE FROM companies_fts WHERE rowid = old.id;
END;
