-- 0012_list_indexes.sql - the overdue list walks the open overdue tickets
-- only: a ticket closed late keeps its overdue mark (reports count it), so
-- the old index on every overdue ticket grew with the closed ones.
DROP INDEX tickets_overdue;
CREATE INDEX tickets_open_overdue ON tickets(id) WHERE overdue = 1 AND closed_at IS NULL;
