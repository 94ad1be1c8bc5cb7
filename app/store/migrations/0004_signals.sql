-- 0004: signals (DESIGN §6). Never edit a shipped migration; add a new file
-- instead. Times are unix milliseconds (UTC).

-- One row per event. (org_id, key) is unique, so an event found again —
-- a repeated pass, a restart — is never stored or notified twice. Hidden
-- rows only remember keys that must never fire (a first sync's baseline,
-- kinds switched off); the feed leaves them out.
CREATE TABLE signals (
    id            INTEGER PRIMARY KEY,
    org_id        TEXT    NOT NULL,
    key           TEXT    NOT NULL,
    kind          TEXT    NOT NULL,
    ticket_id     TEXT    NOT NULL DEFAULT '',
    ticket_number TEXT    NOT NULL DEFAULT '',
    title         TEXT    NOT NULL DEFAULT '',
    body          TEXT    NOT NULL DEFAULT '',
    record_kind   TEXT    NOT NULL DEFAULT '',
    record_id     INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL,
    read          INTEGER NOT NULL DEFAULT 0 CHECK (read IN (0, 1)),
    notified      INTEGER NOT NULL DEFAULT 0 CHECK (notified IN (0, 1)),
    hidden        INTEGER NOT NULL DEFAULT 0 CHECK (hidden IN (0, 1)),
    UNIQUE (org_id, key)
);
CREATE INDEX signals_feed   ON signals (created_at DESC, id DESC) WHERE hidden = 0;
CREATE INDEX signals_unread ON signals (org_id) WHERE hidden = 0 AND read = 0;

-- Settings › Signals, per channel ('desk'): kinds is a JSON object of
-- kind → on/off; a kind missing from it is on.
CREATE TABLE signal_prefs (
    channel        TEXT    PRIMARY KEY,
    kinds          TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(kinds)),
    do_not_disturb INTEGER NOT NULL DEFAULT 0 CHECK (do_not_disturb IN (0, 1)),
    all_tickets    INTEGER NOT NULL DEFAULT 0 CHECK (all_tickets IN (0, 1))
) WITHOUT ROWID;

-- The Desk time up to which a portal's past was recorded by its first sync:
-- threads, comments and ratings from before it never fire.
CREATE TABLE signal_baselines (
    org_id TEXT    PRIMARY KEY,
    at     INTEGER NOT NULL
) WITHOUT ROWID;

-- The local overdue check (every minute, offline too) looks for open
-- tickets past their due date.
CREATE INDEX desk_tickets_due ON desk_tickets (org_id, due_date) WHERE due_date > 0 AND status_type <> 'Closed';
