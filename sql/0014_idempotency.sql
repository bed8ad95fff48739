-- 0014_idempotency.sql - Idempotency-Key for scripts (issue 12): the answer
-- to a POST that carried a key, written in the same transaction as the
-- write it answers, so a retry of the same request by the same user gets
-- that answer again - even when the server died between the commit and the
-- answer - instead of creating a second ticket or running an action twice.
-- A row answers for 24 hours (created_at); the server deletes older ones.

CREATE TABLE idempotency_keys (
  user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  key         TEXT NOT NULL,            -- the header's value, 1-200 printable ASCII characters
  fingerprint BLOB NOT NULL,            -- SHA-256 of method, path and the body as canonical JSON
  status      INTEGER NOT NULL,         -- the HTTP status of the first answer
  body        TEXT,                     -- a success: its JSON body, byte for byte
  etag        TEXT,                     -- its ETag header, if it had one
  location    TEXT,                     -- its Location header, if it had one
  error_code  TEXT,                     -- a refusal: the error's code ("conflict", ...)
  error_message TEXT,                   --   its message
  error_fields  TEXT,                   --   its field reasons as a JSON object, or NULL
  created_at  INTEGER NOT NULL,
  PRIMARY KEY (user_id, key)
) WITHOUT ROWID;

CREATE INDEX idempotency_keys_created ON idempotency_keys(created_at);
