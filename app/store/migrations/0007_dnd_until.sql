-- 0007: do not disturb for a while (the tray's "for 1 hour" and "until
-- tomorrow"): unix ms until which notifications are held back, 0 when none.

ALTER TABLE signal_prefs ADD COLUMN dnd_until INTEGER NOT NULL DEFAULT 0;
