-- 0016_open_lists.sql - the work queues (an open state, with or without its
-- department, and the open overdue tickets) are walked in covering indexes
-- of the open tickets: every filter of a list (and the caller's scope) is
-- checked from the index entry, never from the ticket's row. At 10 million
-- tickets a row is a random read of the file for each candidate, and an
-- open state of a busy centre holds thousands of them. Open tickets are
-- the work in flight, so these indexes stay small whatever the size of the
-- table. An open state has no closed_at (only a closing action sets it and
-- a reopen clears it), which is how a list finds them here.
--
-- sort=deadline walks the open tickets that have a deadline in (deadline,
-- id) order, in a covering index of its own; sort=priority walks the
-- urgent tickets first (few: a partial index).
CREATE INDEX tickets_open_state ON tickets(state, id, department_id, category_id, region, assignee_id, created_by,
  fault_number, priority, deadline, overdue, closed_at) WHERE closed_at IS NULL;
CREATE INDEX tickets_open_state_dept ON tickets(state, department_id, id, category_id, region, assignee_id,
  created_by, fault_number, priority, deadline, overdue, closed_at) WHERE closed_at IS NULL;
DROP INDEX tickets_open_overdue;
CREATE INDEX tickets_open_overdue ON tickets(id, state, department_id, category_id, region, assignee_id, created_by,
  fault_number, priority, deadline, overdue, closed_at) WHERE overdue = 1 AND closed_at IS NULL;
CREATE INDEX tickets_open_by_deadline ON tickets(deadline, id, state, department_id, category_id, region,
  assignee_id, created_by, fault_number, priority, overdue, closed_at) WHERE closed_at IS NULL AND deadline IS NOT NULL;
CREATE INDEX tickets_urgent ON tickets(id) WHERE priority = 'urgent';
