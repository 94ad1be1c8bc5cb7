-- 0015: ticket search reads its hits' list columns from an index (issue
-- 15). Never edit a shipped migration; add a new file instead.

-- A search's 50 hits are looked up in desk_tickets by key. A ticket's row
-- holds its description and Desk's JSON, so it does not fit in its leaf
-- page: reading the list columns read a leaf page and an overflow page per
-- hit, from a table of about 250 MB at 50k tickets (4 of the 5 to 7 ms of
-- a search). This index holds only the columns a hit shows, about 7 MB at
-- 50k tickets, so a hit is one page of an index that stays in the cache.
CREATE INDEX desk_tickets_list ON desk_tickets
    (org_id, id, number, subject, status, status_type, contact_name, contact_email, created_time);
