-- 0003: the Zoho Desk integration (DESIGN §4). Never edit a shipped
-- migration; add a new file instead.
--
-- Times are unix milliseconds (UTC), 0 for "never". Secrets (refresh
-- tokens, ZSC keys) are never stored here: they live in the OS keyring.
-- Rows are kept per portal (org_id), so deactivating a portal only hides
-- them and activating it again brings them back; another portal starts clean.

CREATE TABLE desk_portals (
    org_id             TEXT    PRIMARY KEY,
    name               TEXT    NOT NULL DEFAULT '',
    portal_url         TEXT    NOT NULL DEFAULT '',
    data_centre        TEXT    NOT NULL DEFAULT '',
    base_url           TEXT    NOT NULL DEFAULT '',
    mode               TEXT    NOT NULL CHECK (mode IN ('two_way', 'one_way', 'none')),
    active             INTEGER NOT NULL DEFAULT 0 CHECK (active IN (0, 1)),
    account_email      TEXT    NOT NULL DEFAULT '',
    agent_id           TEXT    NOT NULL DEFAULT '',
    agent_name         TEXT    NOT NULL DEFAULT '',
    agent_email        TEXT    NOT NULL DEFAULT '',
    is_admin           INTEGER NOT NULL DEFAULT 0,
    can_create_tickets INTEGER NOT NULL DEFAULT 0,
    can_reply          INTEGER NOT NULL DEFAULT 0,
    read_only_reason   TEXT    NOT NULL DEFAULT '',
    support_email      TEXT    NOT NULL DEFAULT '',
    via_zsc            INTEGER NOT NULL DEFAULT 0,
    admin_email        TEXT    NOT NULL DEFAULT '',
    last_success       INTEGER NOT NULL DEFAULT 0,
    last_error         TEXT    NOT NULL DEFAULT '',
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
) WITHOUT ROWID;
-- At most one active portal.
CREATE UNIQUE INDEX desk_portals_active ON desk_portals (active) WHERE active = 1;

CREATE TABLE desk_field_mappings (
    org_id     TEXT    NOT NULL REFERENCES desk_portals (org_id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    kind       TEXT    NOT NULL CHECK (kind IN ('contact', 'company')),
    crm_field  TEXT    NOT NULL,
    desk_field TEXT    NOT NULL,
    type       TEXT    NOT NULL,
    PRIMARY KEY (org_id, position)
) WITHOUT ROWID;

CREATE TABLE desk_cursors (
    org_id TEXT NOT NULL,
    name   TEXT NOT NULL,
    value  TEXT NOT NULL,
    PRIMARY KEY (org_id, name)
) WITHOUT ROWID;

-- The last copy of each Desk contact / account pulled: the match key
-- (normalised email / name) and every field as JSON text.
CREATE TABLE desk_remote (
    org_id    TEXT    NOT NULL,
    kind      TEXT    NOT NULL,
    desk_id   TEXT    NOT NULL,
    match_key TEXT    NOT NULL DEFAULT '',
    modified  INTEGER NOT NULL,
    vals      TEXT    NOT NULL DEFAULT '{}',
    PRIMARY KEY (org_id, kind, desk_id)
) WITHOUT ROWID;
CREATE INDEX desk_remote_key ON desk_remote (org_id, kind, match_key) WHERE match_key <> '';

-- Links: one per CRM record and one per Desk record, per portal. No foreign
-- key to the CRM tables: a deleted record leaves an orphan link that sync
-- drops and reports (deletes do not cascade across systems).
CREATE TABLE desk_links (
    org_id        TEXT    NOT NULL,
    kind          TEXT    NOT NULL CHECK (kind IN ('contact', 'company')),
    crm_id        INTEGER NOT NULL,
    desk_id       TEXT    NOT NULL,
    agreed        TEXT    NOT NULL DEFAULT '{}',
    crm_rev       INTEGER NOT NULL DEFAULT 0,
    -- The CRM record's created_at: SQLite may reuse a deleted record's id,
    -- and a link must never pass to the newcomer.
    crm_created   INTEGER NOT NULL DEFAULT 0,
    desk_modified INTEGER NOT NULL DEFAULT 0,
    linked_at     INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    PRIMARY KEY (org_id, kind, crm_id),
    UNIQUE (org_id, kind, desk_id)
) WITHOUT ROWID;
CREATE INDEX desk_links_crm ON desk_links (kind, crm_id);

CREATE TABLE desk_tickets (
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
    PRIMARY KEY (org_id, id)
) WITHOUT ROWID;
CREATE INDEX desk_tickets_contact ON desk_tickets (org_id, contact_id, created_time);
CREATE INDEX desk_tickets_email   ON desk_tickets (org_id, contact_email_norm) WHERE contact_email_norm <> '';
CREATE INDEX desk_tickets_account ON desk_tickets (org_id, account_id, created_time) WHERE account_id <> '';
CREATE INDEX desk_tickets_wanted  ON desk_tickets (org_id) WHERE detail_wanted = 1;

CREATE TABLE desk_threads (
    org_id       TEXT    NOT NULL,
    ticket_id    TEXT    NOT NULL,
    id           TEXT    NOT NULL,
    channel      TEXT    NOT NULL DEFAULT '',
    direction    TEXT    NOT NULL DEFAULT '',
    from_addr    TEXT    NOT NULL DEFAULT '',
    to_addr      TEXT    NOT NULL DEFAULT '',
    cc_addr      TEXT    NOT NULL DEFAULT '',
    summary      TEXT    NOT NULL DEFAULT '',
    content      TEXT    NOT NULL DEFAULT '',
    content_type TEXT    NOT NULL DEFAULT '',
    author_name  TEXT    NOT NULL DEFAULT '',
    author_email TEXT    NOT NULL DEFAULT '',
    author_type  TEXT    NOT NULL DEFAULT '',
    author_id    TEXT    NOT NULL DEFAULT '',
    is_forward   INTEGER NOT NULL DEFAULT 0,
    created_time INTEGER NOT NULL DEFAULT 0,
    raw          TEXT    NOT NULL DEFAULT '{}',
    PRIMARY KEY (org_id, ticket_id, id)
) WITHOUT ROWID;

CREATE TABLE desk_comments (
    org_id         TEXT    NOT NULL,
    ticket_id      TEXT    NOT NULL,
    id             TEXT    NOT NULL,
    content        TEXT    NOT NULL DEFAULT '',
    text           TEXT    NOT NULL DEFAULT '',
    mentions       TEXT    NOT NULL DEFAULT '[]',
    content_type   TEXT    NOT NULL DEFAULT '',
    is_public      INTEGER NOT NULL DEFAULT 0,
    commenter_id   TEXT    NOT NULL DEFAULT '',
    commenter_name TEXT    NOT NULL DEFAULT '',
    commented_time INTEGER NOT NULL DEFAULT 0,
    modified_time  INTEGER NOT NULL DEFAULT 0,
    raw            TEXT    NOT NULL DEFAULT '{}',
    PRIMARY KEY (org_id, ticket_id, id)
) WITHOUT ROWID;

-- Tickets created from a CRM record (a pipeline record's tickets).
CREATE TABLE desk_ticket_origins (
    org_id    TEXT    NOT NULL,
    ticket_id TEXT    NOT NULL,
    crm_kind  TEXT    NOT NULL,
    crm_id    INTEGER NOT NULL,
    PRIMARY KEY (org_id, ticket_id)
) WITHOUT ROWID;
CREATE INDEX desk_ticket_origins_crm ON desk_ticket_origins (org_id, crm_kind, crm_id);

CREATE TABLE desk_outbox (
    id         INTEGER PRIMARY KEY,
    org_id     TEXT    NOT NULL,
    kind       TEXT    NOT NULL,
    idem_key   TEXT    NOT NULL UNIQUE,
    ticket_id  TEXT    NOT NULL DEFAULT '',
    crm_kind   TEXT    NOT NULL DEFAULT '',
    crm_id     INTEGER NOT NULL DEFAULT 0,
    payload    TEXT    NOT NULL DEFAULT '{}',
    state      TEXT    NOT NULL CHECK (state IN ('pending', 'sending', 'done', 'failed')),
    attempts   INTEGER NOT NULL DEFAULT 0,
    last_error TEXT    NOT NULL DEFAULT '',
    result_id  TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    sent_at    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX desk_outbox_open   ON desk_outbox (org_id, state) WHERE state IN ('pending', 'sending', 'failed');
CREATE INDEX desk_outbox_record ON desk_outbox (org_id, crm_kind, crm_id) WHERE state IN ('pending', 'sending');
CREATE INDEX desk_outbox_ticket ON desk_outbox (org_id, ticket_id) WHERE ticket_id <> '';

CREATE TABLE desk_conflicts (
    id          INTEGER PRIMARY KEY,
    org_id      TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    crm_id      INTEGER NOT NULL,
    desk_id     TEXT    NOT NULL DEFAULT '',
    desk_field  TEXT    NOT NULL,
    crm_field   TEXT    NOT NULL,
    crm_value   TEXT    NOT NULL,
    desk_value  TEXT    NOT NULL,
    winner      TEXT    NOT NULL CHECK (winner IN ('crm', 'desk')),
    record_name TEXT    NOT NULL DEFAULT '',
    at          INTEGER NOT NULL,
    resolved    INTEGER NOT NULL DEFAULT 0
);
-- The same conflict found again (a pass repeated after a crash) is kept once.
CREATE UNIQUE INDEX desk_conflicts_once ON desk_conflicts (org_id, kind, crm_id, desk_field, crm_value, desk_value);
CREATE INDEX desk_conflicts_open ON desk_conflicts (org_id, at) WHERE resolved = 0;

CREATE TABLE desk_sync_errors (
    org_id  TEXT    NOT NULL,
    kind    TEXT    NOT NULL,
    crm_id  INTEGER NOT NULL DEFAULT 0,
    desk_id TEXT    NOT NULL DEFAULT '',
    crm_rev INTEGER NOT NULL DEFAULT 0,
    message TEXT    NOT NULL,
    at      INTEGER NOT NULL,
    PRIMARY KEY (org_id, kind, crm_id, desk_id)
) WITHOUT ROWID;
