-- 0020_queue_by_deadline.sql - a work queue in the order a dispatcher works
-- it (sort=deadline: most urgent first) for one open state, with or
-- without its department: the queue page's cells (待派单, 已派单 · NET).
-- The walk by deadline used to go through every open ticket with a
-- deadline (tickets_open_by_deadline) and keep those of the state: a queue
-- that is a twentieth of the open tickets examined twenty candidates per
-- row shown (20 ms at 1 million tickets). These two are that walk
-- restricted to one state (and department), covering like those of
-- sql/0016: every other filter is checked from the index entry.
CREATE INDEX tickets_open_state_by_deadline ON tickets(state, deadline, id, department_id, category_id, region,
  assignee_id, created_by, fault_number, priority, overdue, closed_at) WHERE closed_at IS NULL AND deadline IS NOT NULL;
CREATE INDEX tickets_open_state_dept_by_deadline ON tickets(state, department_id, deadline, id, category_id, region,
  assignee_id, created_by, fault_number, priority, overdue, closed_at) WHERE closed_at IS NULL AND deadline IS NOT NULL;
