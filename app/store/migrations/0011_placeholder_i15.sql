-- Placeholder on branch i15 only: migrations must be contiguous and
-- 0011 belongs to another branch. Drop this file at merge, when that
-- branch's 0011 takes its place.
SELECT 1;
