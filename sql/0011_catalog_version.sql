-- 0011_catalog_version.sql - a counter that moves whenever a category
-- changes, however it is changed (admin API, gongdan CLI, plain SQL), so the
-- server can keep the parsed categories in memory and know at the cost of
-- one row read when they must be read again (src/core/catalog.c).

CREATE TABLE catalog_version (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  v  INTEGER NOT NULL
);
INSERT INTO catalog_version (id, v) VALUES (1, 1);

CREATE TRIGGER categories_changed_insert AFTER INSERT ON categories BEGIN
  UPDATE catalog_version SET v = v + 1;
END;
CREATE TRIGGER categories_changed_update AFTER UPDATE ON categories BEGIN
  UPDATE catalog_version SET v = v + 1;
END;
CREATE TRIGGER categories_changed_delete AFTER DELETE ON categories BEGIN
  UPDATE catalog_version SET v = v + 1;
END;
