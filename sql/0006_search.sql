-- 0006_search.sql - full-text search over tickets (subject, description and
-- the values of the extra fields) with the 'cjk' tokenizer
-- (src/store/fts_cjk.c): overlapping bigrams for Chinese, so two-character
-- words such as 停机 and 扣费 are found. Kept in step by triggers, inside the
-- same transaction as the ticket write. Any connection writing tickets must
-- have the tokenizer registered (every gongdan connection does).
CREATE VIRTUAL TABLE tickets_fts USING fts5(subject, description, fields, tokenize = 'cjk');

CREATE TRIGGER tickets_fts_insert AFTER INSERT ON tickets BEGIN
  INSERT INTO tickets_fts (rowid, subject, description, fields)
  VALUES (new.id, new.subject, new.description,
          (SELECT group_concat(value, ' ') FROM json_each(new.fields)));
END;

CREATE TRIGGER tickets_fts_update AFTER UPDATE OF subject, description, fields ON tickets BEGIN
  DELETE FROM tickets_fts WHERE rowid = old.id;
  INSERT INTO tickets_fts (rowid, subject, description, fields)
  VALUES (new.id, new.subject, new.description,
          (SELECT group_concat(value, ' ') FROM json_each(new.fields)));
END;

-- Lists filtered by state alone (the dispatcher's queue) stay index-backed
-- and in id order.
CREATE INDEX tickets_state ON tickets(state, id);
