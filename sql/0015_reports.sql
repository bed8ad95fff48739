-- 0015_reports.sql - what GET /api/v1/reports/* reads instead of scanning
-- tickets (issue 11). Counters kept by the engine in the same transaction
-- as every move (src/core/report_count.c), a covering index of the open
-- tickets SQLite keeps itself, and the views that recount every counter from the tickets
-- and the history: the backfill below and `gongdan audit verify` use them.
--
-- p is a period of the server's local time (TZ, like ticket numbers): a
-- day YYYYMMDD or a month YYYYMM. Every fact is counted in its day and in
-- its month, so a report over a year reads twelve month cells and the days
-- at its edges (or a month less the days outside the range), never the
-- tickets. Eight-digit days and six-digit months
-- never overlap, so `p BETWEEN 20261103 AND 20261130` reads days and
-- `p BETWEEN 202511 AND 202610` months. Rows are never deleted: a cell that
-- went back to zero stays (cells are bounded by categories x regions x
-- departments x periods, not by tickets).

-- Tickets by the day they were created (complaint counts, 重复投诉率):
-- n tickets, of which `repeats` have repeat_count > 0. department_id is
-- the ticket's handling department now (0: none - at the centre, or
-- resolved at intake); it moves on dispatch, transfer, return and reopen.
-- Narrow cubes serve the common questions with few rows; the wider ones
-- serve filters and a handler's own department.
CREATE TABLE report_created (
  p INTEGER NOT NULL, n INTEGER NOT NULL, repeats INTEGER NOT NULL,
  PRIMARY KEY (p)) WITHOUT ROWID;
CREATE TABLE report_created_category (
  p INTEGER NOT NULL, category_id INTEGER NOT NULL, n INTEGER NOT NULL, repeats INTEGER NOT NULL,
  PRIMARY KEY (p, category_id)) WITHOUT ROWID;
CREATE TABLE report_created_region (
  p INTEGER NOT NULL, region TEXT NOT NULL, n INTEGER NOT NULL, repeats INTEGER NOT NULL,
  PRIMARY KEY (p, region)) WITHOUT ROWID;
CREATE TABLE report_created_department (
  department_id INTEGER NOT NULL, p INTEGER NOT NULL, category_id INTEGER NOT NULL,
  n INTEGER NOT NULL, repeats INTEGER NOT NULL,
  PRIMARY KEY (department_id, p, category_id)) WITHOUT ROWID;
CREATE TABLE report_created_cell (
  department_id INTEGER NOT NULL, category_id INTEGER NOT NULL, p INTEGER NOT NULL, region TEXT NOT NULL,
  n INTEGER NOT NULL, repeats INTEGER NOT NULL,
  PRIMARY KEY (department_id, category_id, p, region)) WITHOUT ROWID;

-- An agent's reports count the tickets it created: the same facts by
-- creator (u), narrow for the tree and the periods, wide for the rest.
CREATE TABLE report_created_user_category (
  u INTEGER NOT NULL, p INTEGER NOT NULL, category_id INTEGER NOT NULL, n INTEGER NOT NULL, repeats INTEGER NOT NULL,
  PRIMARY KEY (u, p, category_id)) WITHOUT ROWID;
CREATE TABLE report_created_user_cell (
  u INTEGER NOT NULL, p INTEGER NOT NULL, department_id INTEGER NOT NULL, category_id INTEGER NOT NULL,
  region TEXT NOT NULL, n INTEGER NOT NULL, repeats INTEGER NOT NULL,
  PRIMARY KEY (u, p, department_id, category_id, region)) WITHOUT ROWID;

-- The state filter reads the open tickets (few: the work in flight; a
-- closed count is all minus open) through a covering index: no counter to
-- keep, nothing to recount.
CREATE INDEX tickets_report_open ON tickets(created_at, state, department_id, category_id, region, created_by, repeat_count, closed_at)
  WHERE closed_at IS NULL;

-- Tickets closed, by the day of their closing (closed_at: a reopened
-- ticket leaves its cell and counts again when it is closed again), per
-- department at closing (0: resolved at intake). u is 0 for everyone's
-- count and the creator's user id for the copy an agent's report reads.
-- timely: closed_at <= deadline, or no deadline (never submitted: 一次解决
-- at intake); reopened: reopened at least once before this closing;
-- s1..s5: satisfaction given.
CREATE TABLE report_closed (
  u INTEGER NOT NULL, p INTEGER NOT NULL, department_id INTEGER NOT NULL,
  closed INTEGER NOT NULL, timely INTEGER NOT NULL, no_deadline INTEGER NOT NULL, resolved INTEGER NOT NULL,
  reopened INTEGER NOT NULL, s1 INTEGER NOT NULL, s2 INTEGER NOT NULL, s3 INTEGER NOT NULL, s4 INTEGER NOT NULL,
  s5 INTEGER NOT NULL,
  PRIMARY KEY (u, p, department_id)) WITHOUT ROWID;

-- Events, by the day they happened, against the department the ticket was
-- with just before (0: the centre; history rows are numbered 1, 2, ... per
-- ticket, so "before" is the department of the row seq - 1): returns (退回), transfers (转派, against
-- the department that passed the ticket on), urges (催单), reopens (重开,
-- against the department whose closing was reopened), overdue (the SLA
-- sweep's mark: a ticket passed its deadline), and handling episodes: from
-- the dispatch or transfer that gave a department the ticket to its first
-- reply after that (replies, reply_seconds in total), on the day of the
-- reply.
CREATE TABLE report_events (
  u INTEGER NOT NULL, p INTEGER NOT NULL, department_id INTEGER NOT NULL,
  returns INTEGER NOT NULL, transfers INTEGER NOT NULL, urges INTEGER NOT NULL, reopens INTEGER NOT NULL,
  overdue INTEGER NOT NULL, replies INTEGER NOT NULL, reply_seconds INTEGER NOT NULL,
  PRIMARY KEY (u, p, department_id)) WITHOUT ROWID;

-- The distribution of handling episodes, for an exact p90 at the minute:
-- episodes per whole hour of duration, and within each hour per minute
-- (0-59). A p90 reads the hours, then the minutes of one hour.
CREATE TABLE report_handling (
  u INTEGER NOT NULL, department_id INTEGER NOT NULL, p INTEGER NOT NULL, hour INTEGER NOT NULL, n INTEGER NOT NULL,
  PRIMARY KEY (u, department_id, p, hour)) WITHOUT ROWID;
CREATE TABLE report_handling_minutes (
  u INTEGER NOT NULL, department_id INTEGER NOT NULL, hour INTEGER NOT NULL, p INTEGER NOT NULL,
  minute INTEGER NOT NULL, n INTEGER NOT NULL,
  PRIMARY KEY (u, department_id, hour, p, minute)) WITHOUT ROWID;

-- --- recounts: what every counter must hold, from the tickets and history

-- A ticket's creation facts and its local day of creation.
CREATE VIEW report_ticket_facts AS
SELECT id, CAST(strftime('%Y%m%d', created_at, 'unixepoch', 'localtime') AS INTEGER) AS day, category_id, region,
       coalesce(department_id, 0) AS department_id, created_by, repeat_count > 0 AS repeated
  FROM tickets;

CREATE VIEW report_created_recount (p, n, repeats) AS
WITH f AS MATERIALIZED (SELECT day, repeated FROM report_ticket_facts)
SELECT p, count(*), sum(repeated) FROM (SELECT day AS p, repeated FROM f UNION ALL SELECT day / 100, repeated FROM f)
 GROUP BY p;

CREATE VIEW report_created_category_recount (p, category_id, n, repeats) AS
WITH f AS MATERIALIZED (SELECT day, category_id, repeated FROM report_ticket_facts)
SELECT p, category_id, count(*), sum(repeated)
  FROM (SELECT day AS p, category_id, repeated FROM f UNION ALL SELECT day / 100, category_id, repeated FROM f)
 GROUP BY p, category_id;

CREATE VIEW report_created_region_recount (p, region, n, repeats) AS
WITH f AS MATERIALIZED (SELECT day, region, repeated FROM report_ticket_facts)
SELECT p, region, count(*), sum(repeated)
  FROM (SELECT day AS p, region, repeated FROM f UNION ALL SELECT day / 100, region, repeated FROM f)
 GROUP BY p, region;

CREATE VIEW report_created_department_recount (department_id, p, category_id, n, repeats) AS
WITH f AS MATERIALIZED (SELECT day, department_id, category_id, repeated FROM report_ticket_facts)
SELECT department_id, p, category_id, count(*), sum(repeated)
  FROM (SELECT department_id, day AS p, category_id, repeated FROM f
        UNION ALL SELECT department_id, day / 100, category_id, repeated FROM f)
 GROUP BY department_id, p, category_id;

CREATE VIEW report_created_cell_recount (department_id, category_id, p, region, n, repeats) AS
WITH f AS MATERIALIZED (SELECT day, department_id, category_id, region, repeated FROM report_ticket_facts)
SELECT department_id, category_id, p, region, count(*), sum(repeated)
  FROM (SELECT department_id, category_id, day AS p, region, repeated FROM f
        UNION ALL SELECT department_id, category_id, day / 100, region, repeated FROM f)
 GROUP BY department_id, category_id, p, region;

CREATE VIEW report_created_user_category_recount (u, p, category_id, n, repeats) AS
WITH f AS MATERIALIZED (SELECT created_by, day, category_id, repeated FROM report_ticket_facts)
SELECT u, p, category_id, count(*), sum(repeated)
  FROM (SELECT created_by AS u, day AS p, category_id, repeated FROM f
        UNION ALL SELECT created_by, day / 100, category_id, repeated FROM f)
 GROUP BY u, p, category_id;

CREATE VIEW report_created_user_cell_recount (u, p, department_id, category_id, region, n, repeats) AS
WITH f AS MATERIALIZED (SELECT created_by, day, department_id, category_id, region, repeated FROM report_ticket_facts)
SELECT u, p, department_id, category_id, region, count(*), sum(repeated)
  FROM (SELECT created_by AS u, day AS p, department_id, category_id, region, repeated FROM f
        UNION ALL SELECT created_by, day / 100, department_id, category_id, region, repeated FROM f)
 GROUP BY u, p, department_id, category_id, region;

CREATE VIEW report_closed_recount (u, p, department_id, closed, timely, no_deadline, resolved, reopened, s1, s2, s3, s4, s5) AS
WITH c AS MATERIALIZED (
  SELECT t.created_by AS creator, CAST(strftime('%Y%m%d', t.closed_at, 'unixepoch', 'localtime') AS INTEGER) AS day,
         coalesce(t.department_id, 0) AS department_id,
         (t.deadline IS NULL OR t.closed_at <= t.deadline) AS timely, t.deadline IS NULL AS no_deadline,
         coalesce(t.closed_by = 'resolve', 0) AS resolved,
         EXISTS (SELECT 1 FROM history h WHERE h.ticket_id = t.id AND h.action = 'reopen') AS reopened,
         coalesce(t.satisfaction, 0) AS sat
    FROM tickets t WHERE t.closed_at IS NOT NULL),
k AS (SELECT 0 AS u, day AS p, * FROM c UNION ALL SELECT 0, day / 100, * FROM c
      UNION ALL SELECT creator, day, * FROM c UNION ALL SELECT creator, day / 100, * FROM c)
SELECT u, p, department_id, count(*), sum(timely), sum(no_deadline), sum(resolved), sum(reopened),
       sum(sat = 1), sum(sat = 2), sum(sat = 3), sum(sat = 4), sum(sat = 5)
  FROM k GROUP BY u, p, department_id;

-- Handling episodes: an episode of department D ends at a reply by D; it
-- began with the oldest row of the stretch of history rows with D just
-- before it (each row holds the department after its action, so that is
-- the dispatch or transfer that brought the ticket to D); only the first
-- reply of a stretch ends an episode (a reply sent back by 驳回 and
-- answered again does not begin another). edge: the newest row before the
-- reply with another department (seq 0 when there is none).
CREATE VIEW report_episodes (ticket_id, department_id, started, replied) AS
SELECT ticket_id, d, (SELECT x.at FROM history x WHERE x.ticket_id = b.ticket_id AND x.seq > b.edge ORDER BY x.seq LIMIT 1), at
  FROM (SELECT h.ticket_id, h.seq, h.at, h.department_id AS d,
               coalesce((SELECT max(y.seq) FROM history y WHERE y.ticket_id = h.ticket_id AND y.seq < h.seq
                                AND coalesce(y.department_id, 0) <> h.department_id), 0) AS edge
          FROM history h WHERE h.action = 'reply' AND h.department_id IS NOT NULL) b
 WHERE NOT EXISTS (SELECT 1 FROM history z WHERE z.ticket_id = b.ticket_id AND z.seq > b.edge AND z.seq < b.seq
                      AND z.action = 'reply');

CREATE VIEW report_events_recount (u, p, department_id, returns, transfers, urges, reopens, overdue, replies, reply_seconds) AS
WITH e AS MATERIALIZED (
  SELECT t.created_by AS creator, CAST(strftime('%Y%m%d', h.at, 'unixepoch', 'localtime') AS INTEGER) AS day,
         h.before AS department_id, h.action = 'return' AS returns, h.action = 'transfer' AS transfers,
         h.action = 'urge' AS urges, h.action = 'reopen' AS reopens, h.action = 'overdue' AS overdue,
         0 AS replies, 0 AS secs
    FROM (SELECT ticket_id, at, action,
                 coalesce((SELECT y.department_id FROM history y WHERE y.ticket_id = x.ticket_id AND y.seq = x.seq - 1), 0)
                   AS before
            FROM history x WHERE x.action IN ('return', 'transfer', 'urge', 'reopen', 'overdue')) h
    JOIN tickets t ON t.id = h.ticket_id
  UNION ALL
  SELECT t.created_by, CAST(strftime('%Y%m%d', x.replied, 'unixepoch', 'localtime') AS INTEGER), x.department_id,
         0, 0, 0, 0, 0, 1, max(x.replied - x.started, 0)
    FROM report_episodes x JOIN tickets t ON t.id = x.ticket_id),
k AS (SELECT 0 AS u, day AS p, * FROM e UNION ALL SELECT 0, day / 100, * FROM e
      UNION ALL SELECT creator, day, * FROM e UNION ALL SELECT creator, day / 100, * FROM e)
SELECT u, p, department_id, sum(returns), sum(transfers), sum(urges), sum(reopens), sum(overdue), sum(replies), sum(secs)
  FROM k GROUP BY u, p, department_id;

CREATE VIEW report_handling_recount (u, department_id, p, hour, n) AS
WITH x AS MATERIALIZED (
  SELECT t.created_by AS creator, e.department_id,
         CAST(strftime('%Y%m%d', e.replied, 'unixepoch', 'localtime') AS INTEGER) AS day,
         max(e.replied - e.started, 0) / 3600 AS hour
    FROM report_episodes e JOIN tickets t ON t.id = e.ticket_id),
k AS (SELECT 0 AS u, day AS p, * FROM x UNION ALL SELECT 0, day / 100, * FROM x
      UNION ALL SELECT creator, day, * FROM x UNION ALL SELECT creator, day / 100, * FROM x)
SELECT u, department_id, p, hour, count(*) FROM k GROUP BY u, department_id, p, hour;

CREATE VIEW report_handling_minutes_recount (u, department_id, hour, p, minute, n) AS
WITH x AS MATERIALIZED (
  SELECT t.created_by AS creator, e.department_id,
         CAST(strftime('%Y%m%d', e.replied, 'unixepoch', 'localtime') AS INTEGER) AS day,
         max(e.replied - e.started, 0) / 3600 AS hour, max(e.replied - e.started, 0) % 3600 / 60 AS minute
    FROM report_episodes e JOIN tickets t ON t.id = e.ticket_id),
k AS (SELECT 0 AS u, day AS p, * FROM x UNION ALL SELECT 0, day / 100, * FROM x
      UNION ALL SELECT creator, day, * FROM x UNION ALL SELECT creator, day / 100, * FROM x)
SELECT u, department_id, hour, p, minute, count(*) FROM k GROUP BY u, department_id, hour, p, minute;

-- --- the counters of a database that already holds tickets

INSERT INTO report_created SELECT * FROM report_created_recount;
INSERT INTO report_created_category SELECT * FROM report_created_category_recount;
INSERT INTO report_created_region SELECT * FROM report_created_region_recount;
INSERT INTO report_created_department SELECT * FROM report_created_department_recount;
INSERT INTO report_created_cell SELECT * FROM report_created_cell_recount;
INSERT INTO report_created_user_category SELECT * FROM report_created_user_category_recount;
INSERT INTO report_created_user_cell SELECT * FROM report_created_user_cell_recount;
INSERT INTO report_closed SELECT * FROM report_closed_recount;
INSERT INTO report_events SELECT * FROM report_events_recount;
INSERT INTO report_handling SELECT * FROM report_handling_recount;
INSERT INTO report_handling_minutes SELECT * FROM report_handling_minutes_recount;
