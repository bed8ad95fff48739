-- 0001_schema.sql - the tables of gongdan. Times are INTEGER Unix seconds (UTC);
-- the API renders them as ISO 8601. Seed data lives in later migrations.

CREATE TABLE regions (
  code       TEXT PRIMARY KEY,            -- 'KM'; 'PROV' is 省公司, the default
  name       TEXT NOT NULL,               -- 昆明
  area_code  TEXT UNIQUE,                 -- '0871'; NULL for 省公司
  sort       INTEGER NOT NULL DEFAULT 0
);

-- Mobile number segments: the first 7 digits of an 11-digit number -> region.
CREATE TABLE number_segments (
  prefix     TEXT PRIMARY KEY CHECK (length(prefix) = 7),
  region     TEXT NOT NULL REFERENCES regions(code)
) WITHOUT ROWID;

CREATE TABLE departments (
  id         INTEGER PRIMARY KEY,
  code       TEXT NOT NULL UNIQUE,
  name       TEXT NOT NULL,
  kind       TEXT NOT NULL CHECK (kind IN ('centre', 'handling')),
  region     TEXT REFERENCES regions(code), -- set for regional branches
  active     INTEGER NOT NULL DEFAULT 1,
  sort       INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE users (
  id            INTEGER PRIMARY KEY,
  username      TEXT NOT NULL UNIQUE,
  display_name  TEXT NOT NULL DEFAULT '',
  role          TEXT NOT NULL CHECK (role IN ('agent', 'dispatcher', 'handler', 'supervisor', 'admin')),
  department_id INTEGER REFERENCES departments(id),
  password_hash TEXT,                     -- 'scrypt$N$r$p$salt$hash' (base64); NULL: cannot log in
  disabled      INTEGER NOT NULL DEFAULT 0,
  created_at    INTEGER NOT NULL
);
CREATE INDEX users_department ON users(department_id);

-- Browser sessions: only the SHA-256 of the session id is stored.
CREATE TABLE sessions (
  id_hash     BLOB PRIMARY KEY,
  user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  csrf_token  TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  last_seen   INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL            -- absolute expiry
) WITHOUT ROWID;
CREATE INDEX sessions_user ON sessions(user_id);

-- API tokens for scripts: only the SHA-256 of the token is stored.
CREATE TABLE api_tokens (
  id           INTEGER PRIMARY KEY,
  user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  name         TEXT NOT NULL DEFAULT '',
  token_hash   BLOB NOT NULL UNIQUE,
  prefix       TEXT NOT NULL,             -- first characters, to recognise a token in lists
  created_at   INTEGER NOT NULL,
  last_used_at INTEGER,
  revoked_at   INTEGER
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);

-- Complaint categories (投诉分类): a tree of up to four levels; leaves are
-- selectable. fields_schema is a JSON array describing the extra fields.
CREATE TABLE categories (
  id            INTEGER PRIMARY KEY,
  code          TEXT NOT NULL UNIQUE,
  parent_id     INTEGER REFERENCES categories(id),
  name          TEXT NOT NULL,
  description   TEXT NOT NULL DEFAULT '',
  sla_hours     INTEGER NOT NULL DEFAULT 48 CHECK (sla_hours BETWEEN 1 AND 360),
  department_id INTEGER REFERENCES departments(id), -- default handling department
  fields_schema TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(fields_schema)),
  sort          INTEGER NOT NULL DEFAULT 0,
  active        INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX categories_parent ON categories(parent_id, sort);

CREATE TABLE tickets (
  id             INTEGER PRIMARY KEY,
  number         TEXT NOT NULL UNIQUE,    -- TS + YYYYMMDD + 6 digits
  category_id    INTEGER NOT NULL REFERENCES categories(id),
  fault_number   TEXT NOT NULL,
  subject        TEXT NOT NULL,
  customer_name  TEXT NOT NULL DEFAULT '',
  region         TEXT NOT NULL REFERENCES regions(code),
  contact_number TEXT NOT NULL DEFAULT '',
  description    TEXT NOT NULL DEFAULT '',
  fields         TEXT NOT NULL DEFAULT '{}',
  priority       TEXT NOT NULL DEFAULT 'normal' CHECK (priority IN ('normal', 'urgent')),
  state          TEXT NOT NULL DEFAULT 'draft',
  department_id  INTEGER REFERENCES departments(id), -- handling department now
  assignee_id    INTEGER REFERENCES users(id),
  created_by     INTEGER NOT NULL REFERENCES users(id),
  created_at     INTEGER NOT NULL,
  updated_at     INTEGER NOT NULL,
  submitted_at   INTEGER,
  deadline       INTEGER,
  closed_at      INTEGER,
  overdue        INTEGER NOT NULL DEFAULT 0,
  resolution     TEXT,
  summary        TEXT,
  satisfaction   INTEGER CHECK (satisfaction BETWEEN 1 AND 5),
  closed_by      TEXT,                    -- the action that closed it: 'close' or 'resolve'
  repeat_count   INTEGER NOT NULL DEFAULT 0,
  urge_count     INTEGER NOT NULL DEFAULT 0,
  version        INTEGER NOT NULL DEFAULT 1,
  history_hash   TEXT                     -- hash of the newest history row: anchors the chain
);
-- Lists are newest first by id; every filter has an index ending in id.
CREATE INDEX tickets_state_dept   ON tickets(state, department_id, id);
CREATE INDEX tickets_dept         ON tickets(department_id, id);
CREATE INDEX tickets_category     ON tickets(category_id, id);
CREATE INDEX tickets_region       ON tickets(region, id);
CREATE INDEX tickets_assignee     ON tickets(assignee_id, id);
CREATE INDEX tickets_created_by   ON tickets(created_by, id);
CREATE INDEX tickets_fault_number ON tickets(fault_number, id);
CREATE INDEX tickets_created_at   ON tickets(created_at);
CREATE INDEX tickets_closed_at    ON tickets(closed_at) WHERE closed_at IS NOT NULL;
CREATE INDEX tickets_open_deadline ON tickets(deadline) WHERE closed_at IS NULL AND deadline IS NOT NULL AND overdue = 0;
CREATE INDEX tickets_overdue      ON tickets(overdue, id) WHERE overdue = 1;

-- Every department a ticket has been dispatched to (visibility for handlers).
CREATE TABLE ticket_departments (
  department_id INTEGER NOT NULL REFERENCES departments(id),
  ticket_id     INTEGER NOT NULL REFERENCES tickets(id),
  PRIMARY KEY (department_id, ticket_id)
) WITHOUT ROWID;

-- Per-day counter behind ticket numbers; never reused.
CREATE TABLE ticket_numbers (
  day   TEXT PRIMARY KEY,                 -- YYYYMMDD
  last  INTEGER NOT NULL
) WITHOUT ROWID;

-- The flow (查看流程): append-only, hash-chained per ticket.
CREATE TABLE history (
  id            INTEGER PRIMARY KEY,
  ticket_id     INTEGER NOT NULL REFERENCES tickets(id),
  seq           INTEGER NOT NULL,         -- 1, 2, ... per ticket
  at            INTEGER NOT NULL,
  actor_id      INTEGER REFERENCES users(id), -- NULL: the server itself (SLA sweep)
  actor_role    TEXT,
  action        TEXT NOT NULL,
  from_state    TEXT,
  to_state      TEXT,
  department_id INTEGER REFERENCES departments(id),
  text          TEXT,                     -- the comment, resolution or summary
  inputs        TEXT,                     -- every input of the action, as JSON
  prev_hash     TEXT NOT NULL,
  hash          TEXT NOT NULL,
  UNIQUE (ticket_id, seq)
);

-- Standard phrases (常用语).
CREATE TABLE phrases (
  id          INTEGER PRIMARY KEY,
  kind        TEXT NOT NULL,              -- greeting, hold, apology, closing, follow_up
  text        TEXT NOT NULL,
  category_id INTEGER REFERENCES categories(id),
  state       TEXT,
  sort        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX phrases_category ON phrases(category_id, sort);
