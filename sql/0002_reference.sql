-- 0002_reference.sql - seeds the reference data: the regions (用户归属地) of
-- the default dataset, Yunnan, plus the pseudo-region 省公司 (PROV, the system
-- default, no area code), and the departments: the provincial service centre
-- (PCSC, kind 'centre'), the four provincial handling departments and one
-- handling branch per region (department code = region code).
-- Later seeds refer to departments by code (subselects), never by id.

INSERT INTO regions (code, name, area_code, sort) VALUES
  ('PROV', '省公司',   NULL,   0),
  ('KM',   '昆明',     '0871', 10),
  ('QJ',   '曲靖',     '0874', 20),
  ('YX',   '玉溪',     '0877', 30),
  ('BS',   '保山',     '0875', 40),
  ('ZT',   '昭通',     '0870', 50),
  ('LJ',   '丽江',     '0888', 60),
  ('PE',   '普洱',     '0879', 70),
  ('LC',   '临沧',     '0883', 80),
  ('CX',   '楚雄',     '0878', 90),
  ('HH',   '红河',     '0873', 100),
  ('WS',   '文山',     '0876', 110),
  ('XSBN', '西双版纳', '0691', 120),
  ('DL',   '大理',     '0872', 130),
  ('DH',   '德宏',     '0692', 140),
  ('NJ',   '怒江',     '0886', 150),
  ('DQ',   '迪庆',     '0887', 160);

INSERT INTO departments (code, name, kind, region, sort) VALUES
  ('PCSC', '省客服中心',   'centre',   NULL, 0),
  ('VAS',  '增值业务中心', 'handling', NULL, 10),
  ('NET',  '网络运维部',   'handling', NULL, 20),
  ('BILL', '计费结算中心', 'handling', NULL, 30),
  ('ENT',  '政企客户部',   'handling', NULL, 40);

-- One branch per real region, in the regions' order, named after the region.
INSERT INTO departments (code, name, kind, region, sort)
SELECT code, name || '分公司', 'handling', code, 100 + sort
  FROM regions
 WHERE code <> 'PROV'
 ORDER BY sort;
