-- 0013: a team on one help desk (issue 12): several desktops converge with
-- no duplicates and no silent resurrection.
-- Never edit a shipped migration; add a new file instead.

-- Desk's createdTime of each pulled record: duplicates (one email on two
-- Desk contacts) are resolved the same way on every desktop, the oldest
-- record winning (then the smallest id).
ALTER TABLE desk_remote ADD COLUMN created INTEGER NOT NULL DEFAULT 0;

-- Both sides' times of a conflict on the one clock every desktop shares:
-- Desk's modifiedTime of its change, and the time Desk accepted Tandem's
-- push (0 while it is not sent, or when Tandem's value lost).
ALTER TABLE desk_conflicts ADD COLUMN crm_time  INTEGER NOT NULL DEFAULT 0;
ALTER TABLE desk_conflicts ADD COLUMN desk_time INTEGER NOT NULL DEFAULT 0;

-- A linked record deleted in Tandem: its Desk record is remembered, so a
-- later change in Zoho Desk does not bring it back silently. state:
-- 'deleted' (nothing changed since), 'changed' (changed in Zoho Desk since:
-- the user is asked, restore or keep deleted), 'kept' (the user chose to
-- keep it deleted; a further change asks again). desk_modified is Desk's
-- modifiedTime the decision covers.
CREATE TABLE desk_tombstones (
    id            INTEGER PRIMARY KEY,
    org_id        TEXT    NOT NULL,
    kind          TEXT    NOT NULL,
    desk_id       TEXT    NOT NULL,
    crm_id        INTEGER NOT NULL DEFAULT 0,
    name          TEXT    NOT NULL DEFAULT '',
    state         TEXT    NOT NULL DEFAULT 'deleted' CHECK (state IN ('deleted', 'changed', 'kept')),
    deleted_at    INTEGER NOT NULL,
    desk_modified INTEGER NOT NULL DEFAULT 0,
    changed_at    INTEGER NOT NULL DEFAULT 0,
    UNIQUE (org_id, kind, desk_id)
);
CREATE INDEX desk_tombstones_changed ON desk_tombstones (org_id) WHERE state = 'changed';

-- Duplicates on Desk resolved: the survivor, the records merged into it (or
-- found merged by another desktop), and the Tandem record re-linked to it.
-- Shown in Needs your attention until dismissed.
CREATE TABLE desk_merges (
    id          INTEGER PRIMARY KEY,
    org_id      TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    survivor_id TEXT    NOT NULL,
    losers      TEXT    NOT NULL DEFAULT '[]',
    crm_id      INTEGER NOT NULL DEFAULT 0,
    record_name TEXT    NOT NULL DEFAULT '',
    by_us       INTEGER NOT NULL DEFAULT 0,
    at          INTEGER NOT NULL,
    dismissed   INTEGER NOT NULL DEFAULT 0,
    UNIQUE (org_id, kind, survivor_id, losers)
);
CREATE INDEX desk_merges_open ON desk_merges (org_id, at) WHERE dismissed = 0;
