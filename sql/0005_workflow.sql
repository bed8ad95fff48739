-- 0005_workflow.sql - the workflow of SPEC §5 as data. The engine
-- (src/core/workflow.c) loads these tables at start-up and holds no copy of
-- the graph: adding an action is an INSERT here, not a rebuild.

CREATE TABLE wf_states (
  code    TEXT PRIMARY KEY,
  name    TEXT NOT NULL,                  -- 中文, shown in the UI
  is_open INTEGER NOT NULL,               -- 1 until closed: urge allowed, SLA runs
  sort    INTEGER NOT NULL
);

-- An action and what it does besides moving the state. Each effect is a flag
-- the engine applies generically.
CREATE TABLE wf_actions (
  code             TEXT PRIMARY KEY,
  name             TEXT NOT NULL,
  sort             INTEGER NOT NULL,
  starts_clock     INTEGER NOT NULL DEFAULT 0, -- sets submitted_at (first time) and deadline
  sets_assignee    INTEGER NOT NULL DEFAULT 0, -- assignee := caller
  clears_assignee  INTEGER NOT NULL DEFAULT 0,
  clears_department INTEGER NOT NULL DEFAULT 0,
  closes           INTEGER NOT NULL DEFAULT 0, -- sets closed_at, closed_by
  reopens          INTEGER NOT NULL DEFAULT 0, -- clears closed_at, summary, satisfaction; new deadline
  urges            INTEGER NOT NULL DEFAULT 0, -- priority := urgent, urge_count + 1
  requires_complete INTEGER NOT NULL DEFAULT 0  -- every required ticket field, extra fields included, must be valid
);

-- Who may move a ticket from one state with an action, and to where.
-- to_state NULL: the state stays. scope: 'any' (the role suffices),
-- 'creator' (the caller created the ticket), 'department' (the caller
-- belongs to the ticket's current department), 'assignee_or_department'.
-- Admins may do whatever any role may do.
CREATE TABLE wf_transitions (
  action     TEXT NOT NULL REFERENCES wf_actions(code),
  from_state TEXT NOT NULL REFERENCES wf_states(code),
  to_state   TEXT REFERENCES wf_states(code),
  role       TEXT NOT NULL,
  scope      TEXT NOT NULL DEFAULT 'any' CHECK (scope IN ('any', 'creator', 'department', 'assignee_or_department')),
  PRIMARY KEY (action, from_state, role)
);

-- Inputs of an action. kind: 'text' (stored in history; the named ticket
-- column when there is one: resolution, summary), 'department' (a handling
-- department, different from the current one), 'satisfaction' (1-5).
CREATE TABLE wf_inputs (
  action   TEXT NOT NULL REFERENCES wf_actions(code),
  name     TEXT NOT NULL,
  kind     TEXT NOT NULL CHECK (kind IN ('text', 'department', 'satisfaction')),
  required INTEGER NOT NULL,
  max_chars INTEGER NOT NULL DEFAULT 2000,
  PRIMARY KEY (action, name)
);

INSERT INTO wf_states (code, name, is_open, sort) VALUES
  ('draft',            '草稿',   1, 1),
  ('pending_dispatch', '待派单', 1, 2),
  ('dispatched',       '已派单', 1, 3),
  ('in_progress',      '处理中', 1, 4),
  ('replied',          '已回复', 1, 5),
  ('closed',           '已归档', 0, 6);

INSERT INTO wf_actions (code, name, sort, starts_clock, sets_assignee, clears_assignee, clears_department, closes, reopens, urges) VALUES
  ('submit',   '提交',     1, 1, 0, 0, 0, 0, 0, 0),
  ('resolve',  '一次解决', 2, 0, 0, 0, 0, 1, 0, 0),
  ('dispatch', '派单',     3, 0, 0, 1, 0, 0, 0, 0),
  ('return',   '退回',     4, 0, 0, 1, 1, 0, 0, 0),
  ('accept',   '接单',     5, 0, 1, 0, 0, 0, 0, 0),
  ('transfer', '转派',     6, 0, 0, 1, 0, 0, 0, 0),
  ('reply',    '回复',     7, 0, 0, 0, 0, 0, 0, 0),
  ('reject',   '驳回',     8, 0, 0, 0, 0, 0, 0, 0),
  ('close',    '归档',     9, 0, 0, 0, 0, 1, 0, 0),
  ('reopen',   '重开',    10, 0, 0, 1, 1, 0, 1, 0),
  ('urge',     '催单',    11, 0, 0, 0, 0, 0, 0, 1),
  ('comment',  '备注',    12, 0, 0, 0, 0, 0, 0, 0);

UPDATE wf_actions SET requires_complete = 1 WHERE code = 'submit';

INSERT INTO wf_transitions (action, from_state, to_state, role, scope) VALUES
  ('submit',   'draft',            'pending_dispatch', 'agent',      'creator'),
  ('resolve',  'draft',            'closed',           'agent',      'creator'),
  ('dispatch', 'pending_dispatch', 'dispatched',       'dispatcher', 'any'),
  ('dispatch', 'pending_dispatch', 'dispatched',       'supervisor', 'any'),
  ('return',   'pending_dispatch', 'draft',            'dispatcher', 'any'),
  ('return',   'pending_dispatch', 'draft',            'supervisor', 'any'),
  ('return',   'dispatched',       'pending_dispatch', 'handler',    'department'),
  ('return',   'in_progress',      'pending_dispatch', 'handler',    'department'),
  ('accept',   'dispatched',       'in_progress',      'handler',    'department'),
  ('transfer', 'dispatched',       'dispatched',       'handler',    'department'),
  ('transfer', 'in_progress',      'dispatched',       'handler',    'department'),
  ('transfer', 'dispatched',       'dispatched',       'dispatcher', 'any'),
  ('transfer', 'in_progress',      'dispatched',       'dispatcher', 'any'),
  ('transfer', 'dispatched',       'dispatched',       'supervisor', 'any'),
  ('transfer', 'in_progress',      'dispatched',       'supervisor', 'any'),
  ('reply',    'in_progress',      'replied',          'handler',    'assignee_or_department'),
  ('reject',   'replied',          'in_progress',      'dispatcher', 'any'),
  ('reject',   'replied',          'in_progress',      'supervisor', 'any'),
  ('close',    'replied',          'closed',           'dispatcher', 'any'),
  ('close',    'replied',          'closed',           'supervisor', 'any'),
  ('reopen',   'closed',           'pending_dispatch', 'agent',      'any'),
  ('reopen',   'closed',           'pending_dispatch', 'dispatcher', 'any'),
  ('reopen',   'closed',           'pending_dispatch', 'supervisor', 'any');

-- urge: any open state, anyone who can see the ticket; comment: any state.
INSERT INTO wf_transitions (action, from_state, to_state, role, scope)
  SELECT 'urge', s.code, NULL, r.role, 'any' FROM wf_states s,
    (SELECT 'agent' AS role UNION ALL SELECT 'dispatcher' UNION ALL SELECT 'handler' UNION ALL SELECT 'supervisor') r
  WHERE s.is_open;
INSERT INTO wf_transitions (action, from_state, to_state, role, scope)
  SELECT 'comment', s.code, NULL, r.role, 'any' FROM wf_states s,
    (SELECT 'agent' AS role UNION ALL SELECT 'dispatcher' UNION ALL SELECT 'handler' UNION ALL SELECT 'supervisor') r;

INSERT INTO wf_inputs (action, name, kind, required, max_chars) VALUES
  ('resolve',  'resolution',   'text',         1, 2000),
  ('resolve',  'summary',      'text',         1, 2000),
  ('dispatch', 'department',   'department',   1, 0),
  ('dispatch', 'comment',      'text',         0, 2000),
  ('return',   'comment',      'text',         1, 2000),
  ('accept',   'comment',      'text',         0, 2000),
  ('transfer', 'department',   'department',   1, 0),
  ('transfer', 'comment',      'text',         1, 2000),
  ('reply',    'resolution',   'text',         1, 2000),
  ('reject',   'comment',      'text',         1, 2000),
  ('close',    'summary',      'text',         1, 2000),
  ('close',    'satisfaction', 'satisfaction', 0, 0),
  ('reopen',   'comment',      'text',         1, 2000),
  ('urge',     'comment',      'text',         0, 2000),
  ('submit',   'comment',      'text',         0, 2000),
  ('comment',  'comment',      'text',         1, 2000);

-- Queue counters (GET /api/v1/queues), updated in the same transaction as
-- every move: O(1) counts whatever the number of tickets. department_id 0:
-- no department (draft, pending_dispatch).
CREATE TABLE queue_counts (
  state         TEXT NOT NULL,
  department_id INTEGER NOT NULL,
  total         INTEGER NOT NULL DEFAULT 0,
  overdue       INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (state, department_id)
) WITHOUT ROWID;

-- History is append-only: the database itself refuses edits and deletes
-- (the hash chain still detects them if someone drops these triggers).
CREATE TRIGGER history_no_update BEFORE UPDATE ON history BEGIN
  SELECT RAISE(ABORT, 'history is append-only');
END;
CREATE TRIGGER history_no_delete BEFORE DELETE ON history BEGIN
  SELECT RAISE(ABORT, 'history is append-only');
END;
