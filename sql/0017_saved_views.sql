-- 0017_saved_views.sql - a user's saved views (issue 13): the filters of a
-- list under a name, shown as buttons on the list pages. `query` is the
-- list's query string (state=pending_dispatch&region=KM), checked when it
-- is saved; a view belongs to its user and goes with them.
CREATE TABLE saved_views (
  id         INTEGER PRIMARY KEY,
  user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  name       TEXT NOT NULL,
  query      TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  UNIQUE (user_id, name)
);
