-- 0010_search_queue.sql - the full-text index is written once per write
-- transaction instead of once per ticket. FTS5 flushes its pending terms to
-- a new segment at every savepoint, and the group commit opens one per job,
-- so indexing inside the insert trigger wrote a segment for every ticket
-- (and the merges to clean up after it). Now the trigger only queues the
-- ticket id; the store (src/store/search_index.c) indexes the queued rows
-- in one statement just before each write transaction commits, so the
-- index is still in step with what is committed.
--
-- The index also becomes contentless with no column sizes: results are
-- ordered by recency, not rank, and highlighting is done from the ticket
-- text by the server, so FTS5 needs neither a copy of the text nor the
-- column sizes (a third of the full-text storage).

DROP TRIGGER tickets_fts_insert;
DROP TRIGGER tickets_fts_update;
DROP TABLE tickets_fts;

CREATE VIRTUAL TABLE tickets_fts USING fts5(subject, description, fields, tokenize = 'cjk', content = '', columnsize = 0);

-- Tickets written but not yet in the index (emptied before every commit).
CREATE TABLE tickets_fts_queue (id INTEGER PRIMARY KEY);

-- What the index holds for a ticket: the extra fields' values, not their names.
CREATE VIEW tickets_fts_source (id, subject, description, fields) AS
  SELECT id, subject, description, (SELECT group_concat(value, ' ') FROM json_each(tickets.fields)) FROM tickets;

CREATE TRIGGER tickets_fts_insert AFTER INSERT ON tickets BEGIN
  INSERT OR IGNORE INTO tickets_fts_queue (id) VALUES (new.id);
END;

-- An edit (drafts only) takes the old words out now, while they are known,
-- unless the ticket is still queued (then nothing of it is indexed yet).
CREATE TRIGGER tickets_fts_update AFTER UPDATE OF subject, description, fields ON tickets
WHEN NOT EXISTS (SELECT 1 FROM tickets_fts_queue WHERE id = old.id) BEGIN
  INSERT INTO tickets_fts (tickets_fts, rowid, subject, description, fields)
  VALUES ('delete', old.id, old.subject, old.description, (SELECT group_concat(value, ' ') FROM json_each(old.fields)));
  INSERT INTO tickets_fts_queue (id) VALUES (new.id);
END;

INSERT INTO tickets_fts (rowid, subject, description, fields) SELECT id, subject, description, fields FROM tickets_fts_source;
