-- 0007: a sync pass with nothing changed reads only what changed (issue 17).
-- Never edit a shipped migration; add a new file instead.

-- The newest modification time of a portal's tickets (the signals' cursor)
-- is one step down this index instead of a walk over the portal's tickets.
CREATE INDEX desk_tickets_modified ON desk_tickets (org_id, modified_time);

-- Overdue tickets are found from two indexes, one per reason: the due date
-- (desk_tickets_due, from 0004) and Desk's flag (this one). One query with
-- "due date passed OR flagged" could use neither and walked the portal.
CREATE INDEX desk_tickets_flagged ON desk_tickets (org_id) WHERE is_overdue = 1 AND status_type <> 'Closed';

-- The outbox items still to send, found by state: every pass asks for them,
-- and the partial index desk_outbox_open serves only a query that names
-- exactly its three states, so the planner walked the outbox, sent items
-- and all.
CREATE INDEX desk_outbox_state ON desk_outbox (org_id, state, id);
