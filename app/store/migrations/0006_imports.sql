-- 0006: imports the store remembers, so the last one can be undone.
--
-- import_items lists what a batch created (before IS NULL) or updated
-- (before holds the row as it was, as JSON), with the row's rev right after
-- the import: undo touches a row only while its rev is still that one, so
-- an edit made since is never lost. Only the newest batch keeps its items.

CREATE TABLE import_batches (
    id           INTEGER PRIMARY KEY,
    kind         TEXT    NOT NULL CHECK (kind IN ('contact', 'company', 'record')),
    source       TEXT    NOT NULL DEFAULT '',
    on_duplicate TEXT    NOT NULL CHECK (on_duplicate IN ('skip', 'update', 'create')),
    started_at   INTEGER NOT NULL,
    finished_at  INTEGER,
    created      INTEGER NOT NULL DEFAULT 0,
    updated      INTEGER NOT NULL DEFAULT 0,
    skipped      INTEGER NOT NULL DEFAULT 0,
    refused      INTEGER NOT NULL DEFAULT 0,
    undone_at    INTEGER
);

CREATE TABLE import_items (
    batch_id INTEGER NOT NULL REFERENCES import_batches (id) ON DELETE CASCADE,
    tbl      TEXT    NOT NULL CHECK (tbl IN ('contacts', 'companies', 'pipeline_records')),
    row_id   INTEGER NOT NULL,
    rev      INTEGER NOT NULL,
    before   TEXT,
    PRIMARY KEY (batch_id, tbl, row_id)
) WITHOUT ROWID;
