-- 0018_admin_audit.sql - the admin audit log (管理操作日志): who changed
-- which user, token, department, category, phrase or number segments, when,
-- and the values before and after. Rows are written in the same transaction
-- as the change they describe (src/core/admin_audit.c), so a change and its
-- row commit or roll back together; refused requests change nothing and
-- write nothing. Secrets never reach it: no password or password hash, no
-- token (only its id, name and the prefix lists already show).
--
-- GET /api/v1/audit pages newest first by id; each filter it takes has an
-- index ending in id.

CREATE TABLE admin_audit (
  id          INTEGER PRIMARY KEY,
  at          INTEGER NOT NULL,             -- Unix seconds
  actor_id    INTEGER REFERENCES users(id), -- NULL: the command line
  actor       TEXT NOT NULL,                -- the username then, '(cli)' for the command line
  action      TEXT NOT NULL,                -- create, update, password_reset, revoke, delete, import
  object_kind TEXT NOT NULL,                -- user, token, department, category, phrase, segments
  object      TEXT NOT NULL,                -- username, token or phrase id, department or category code
  before      TEXT CHECK (before IS NULL OR json_valid(before)), -- the changed values before (JSON)
  after       TEXT CHECK (after IS NULL OR json_valid(after))    -- and after
);
CREATE INDEX admin_audit_object ON admin_audit(object_kind, object, id);
CREATE INDEX admin_audit_kind ON admin_audit(object_kind, id);
CREATE INDEX admin_audit_actor ON admin_audit(actor, id);

-- Append-only, like the history.
CREATE TRIGGER admin_audit_no_update BEFORE UPDATE ON admin_audit BEGIN
  SELECT RAISE(ABORT, 'the admin audit log is append-only');
END;
CREATE TRIGGER admin_audit_no_delete BEFORE DELETE ON admin_audit BEGIN
  SELECT RAISE(ABORT, 'the admin audit log is append-only');
END;
