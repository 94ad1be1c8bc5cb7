-- 0009: a sync error can be dismissed (Needs your attention › Dismiss
-- all). Never edit a shipped migration; add a new file instead.
--
-- A dismissed error is not listed, but it stays: it still keeps the
-- record's failed revision from being pushed again. Recording the error
-- again for another revision or reason lists it again.

ALTER TABLE desk_sync_errors ADD COLUMN dismissed INTEGER NOT NULL DEFAULT 0 CHECK (dismissed IN (0, 1));
