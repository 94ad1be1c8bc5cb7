-- 0011: what Tandem knows of a portal's limits. edition is the Zoho
-- edition /organizations reports (its plan caps concurrent API calls);
-- concurrency is the requests at once the user chose in Settings › Zoho
-- Desk (0: automatic, half the plan's cap).

ALTER TABLE desk_portals ADD COLUMN edition TEXT NOT NULL DEFAULT '';
ALTER TABLE desk_portals ADD COLUMN concurrency INTEGER NOT NULL DEFAULT 0;
