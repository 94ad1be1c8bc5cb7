-- 0018: a contact search stops after its page (issue 17). Never edit a
-- shipped migration; add a new file instead.
--
-- contacts_fts numbered its rows by contact id, so the first page of a
-- search by name had to find every match, then sort them all by name (or
-- walk the name index probing each contact): a common two-letter prefix
-- took 8 times the time of a rare one. Now each contact has a search key
-- that grows in the list's own order (sort_name, id) and numbers its row of
-- contacts_fts: the first page of a search is its first 50 matches in
-- rowid order, which FTS5 reads in order and stops after.
--
-- Keys leave room between them. A contact written one at a time takes a
-- key between its two neighbours' (the triggers below); when two
-- neighbours have no room left, the trigger refuses with "tandem: no room
-- for a search key" and the store renumbers every key and writes the
-- statement again (store's renumberContacts, which numbers as this file
-- does). Rows written while search_suspended is set get no key until the
-- store keys and indexes them together (keyNewContacts): a sync's page at
-- the end of its transaction, an import when it finishes. Statements that
-- change a key themselves must index the contact again: no trigger
-- watches search_key.

ALTER TABLE contacts ADD COLUMN search_key INTEGER;

DROP TRIGGER contacts_fts_insert;
DROP TRIGGER contacts_fts_update;
DROP TRIGGER contacts_fts_delete;
DROP TRIGGER companies_fts_rename_contacts;

-- Keys 1..n times 2^32: room for 32 halvings between two neighbours, and
-- small enough steps that FTS5's doclists (which store the differences
-- of rowids) stay short.
UPDATE contacts SET search_key = k.n * 4294967296
FROM (SELECT id, row_number() OVER (ORDER BY sort_name, id) AS n FROM contacts) AS k
WHERE k.id = contacts.id;

CREATE UNIQUE INDEX contacts_search_key ON contacts (search_key);
-- The keyed contacts in the list's order, with their keys: a key's
-- neighbours are one seek of this index, even next to many contacts a
-- bulk write has not keyed yet.
CREATE INDEX contacts_keyed ON contacts (sort_name, id, search_key) WHERE search_key IS NOT NULL;

-- The index again, numbered by key, written in key order (FTS5 writes
-- rows that arrive in rowid order as one segment).
DROP TABLE contacts_fts;
CREATE VIRTUAL TABLE contacts_fts USING fts5 (
    name, email, phone, company, extra,
    tokenize = 'unicode61 remove_diacritics 2', prefix = '2'
);
INSERT INTO contacts_fts (rowid, name, email, phone, company, extra)
    SELECT c.search_key, c.first_name || ' ' || c.last_name, c.email, c.phone || ' ' || c.mobile,
           coalesce(co.name || ' ' || co.name_extra, ''), c.search_extra
    FROM contacts c LEFT JOIN companies co ON co.id = c.company_id
    ORDER BY c.search_key;

-- A new contact's key: between its neighbours' in (sort_name, id) order,
-- at most 2^16 past the one before (contacts created one after another
-- with the same name each take the next 2^16 of the 2^32 between two
-- keys, not half of what is left); 2^32 past the last or before the first.
-- The subqueries p and n are the neighbours' keys, from contacts_keyed.
CREATE TRIGGER contacts_fts_insert AFTER INSERT ON contacts
WHEN NOT EXISTS (SELECT 1 FROM search_suspended)
BEGIN
    SELECT RAISE(ABORT, 'tandem: no room for a search key')
    FROM (SELECT
        (SELECT x.search_key FROM contacts x WHERE x.search_key IS NOT NULL AND (x.sort_name, x.id) < (new.sort_name, new.id)
         ORDER BY x.sort_name DESC, x.id DESC LIMIT 1) AS p,
        (SELECT x.search_key FROM contacts x WHERE x.search_key IS NOT NULL AND (x.sort_name, x.id) > (new.sort_name, new.id)
         ORDER BY x.sort_name, x.id LIMIT 1) AS n)
    WHERE new.search_key IS NULL AND (n - p < 2 OR p > 6917529027641081856 OR n < -6917529027641081856);

    UPDATE contacts SET search_key = (SELECT CASE
            WHEN p IS NULL AND n IS NULL THEN 2305843009213693952
            WHEN n IS NULL THEN p + 4294967296
            WHEN p IS NULL THEN n - 4294967296
            ELSE p + min(65536, (n - p) / 2) END
        FROM (SELECT
            (SELECT x.search_key FROM contacts x WHERE x.search_key IS NOT NULL AND (x.sort_name, x.id) < (new.sort_name, new.id)
             ORDER BY x.sort_name DESC, x.id DESC LIMIT 1) AS p,
            (SELECT x.search_key FROM contacts x WHERE x.search_key IS NOT NULL AND (x.sort_name, x.id) > (new.sort_name, new.id)
             ORDER BY x.sort_name, x.id LIMIT 1) AS n))
    WHERE id = new.id AND new.search_key IS NULL;

    INSERT INTO contacts_fts (rowid, name, email, phone, company, extra)
    SELECT c.search_key, c.first_name || ' ' || c.last_name, c.email, c.phone || ' ' || c.mobile,
           coalesce((SELECT co.name || ' ' || co.name_extra FROM companies co WHERE co.id = c.company_id), ''),
           c.search_extra
    FROM contacts c WHERE c.id = new.id;
END;

-- A changed contact is indexed again under its key; a contact whose name
-- moved it past a neighbour takes a new key first (a name change that
-- keeps its place keeps its key). A statement that sets the key to NULL
-- leaves the contact for keyNewContacts.
CREATE TRIGGER contacts_fts_update
AFTER UPDATE OF first_name, last_name, email, phone, mobile, company_id, search_extra, sort_name ON contacts
BEGIN
    DELETE FROM contacts_fts WHERE rowid = old.search_key;

    SELECT RAISE(ABORT, 'tandem: no room for a search key')
    FROM (SELECT
        (SELECT x.search_key FROM contacts x WHERE x.search_key IS NOT NULL AND (x.sort_name, x.id) < (new.sort_name, new.id)
         ORDER BY x.sort_name DESC, x.id DESC LIMIT 1) AS p,
        (SELECT x.search_key FROM contacts x WHERE x.search_key IS NOT NULL AND (x.sort_name, x.id) > (new.sort_name, new.id)
         ORDER BY x.sort_name, x.id LIMIT 1) AS n)
    WHERE new.search_key IS NOT NULL AND new.sort_name IS NOT old.sort_name
      AND NOT (coalesce(p < new.search_key, 1) AND coalesce(new.search_key < n, 1))
      AND (n - p < 2 OR p > 6917529027641081856 OR n < -6917529027641081856);

    UPDATE contacts SET search_key = (SELECT CASE
            WHEN p IS NULL AND n IS NULL THEN 2305843009213693952
            WHEN n IS NULL THEN p + 4294967296
            WHEN p IS NULL THEN n - 4294967296
            ELSE p + min(65536, (n - p) / 2) END
        FROM (SELECT
            (SELECT x.search_key FROM contacts x WHERE x.search_key IS NOT NULL AND (x.sort_name, x.id) < (new.sort_name, new.id)
             ORDER BY x.sort_name DESC, x.id DESC LIMIT 1) AS p,
            (SELECT x.search_key FROM contacts x WHERE x.search_key IS NOT NULL AND (x.sort_name, x.id) > (new.sort_name, new.id)
             ORDER BY x.sort_name, x.id LIMIT 1) AS n))
    WHERE id = new.id AND new.search_key IS NOT NULL AND new.sort_name IS NOT old.sort_name
      AND NOT (SELECT coalesce(p < new.search_key, 1) AND coalesce(new.search_key < n, 1)
        FROM (SELECT
            (SELECT x.search_key FROM contacts x WHERE x.search_key IS NOT NULL AND (x.sort_name, x.id) < (new.sort_name, new.id)
             ORDER BY x.sort_name DESC, x.id DESC LIMIT 1) AS p,
            (SELECT x.search_key FROM contacts x WHERE x.search_key IS NOT NULL AND (x.sort_name, x.id) > (new.sort_name, new.id)
             ORDER BY x.sort_name, x.id LIMIT 1) AS n));

    INSERT INTO contacts_fts (rowid, name, email, phone, company, extra)
    SELECT c.search_key, c.first_name || ' ' || c.last_name, c.email, c.phone || ' ' || c.mobile,
           coalesce((SELECT co.name || ' ' || co.name_extra FROM companies co WHERE co.id = c.company_id), ''),
           c.search_extra
    FROM contacts c WHERE c.id = new.id AND c.search_key IS NOT NULL;
END;

CREATE TRIGGER contacts_fts_delete AFTER DELETE ON contacts
BEGIN
    DELETE FROM contacts_fts WHERE rowid = old.search_key;
END;

-- A renamed company renames itself in its contacts' search text too.
CREATE TRIGGER companies_fts_rename_contacts
AFTER UPDATE OF name, name_extra ON companies
BEGIN
    UPDATE contacts_fts SET company = new.name || ' ' || new.name_extra
    WHERE rowid IN (SELECT search_key FROM contacts WHERE company_id = new.id);
END;
