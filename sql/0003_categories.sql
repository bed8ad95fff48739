-- 0003_categories.sql - seeds the complaint category tree (投诉分类), SPEC §3:
-- codes, names, descriptions shown to the agent, SLA hours, default handling
-- departments and the extra-field schemas (the language is documented in
-- include/gongdan/fields.h).
--
-- Codes are uppercase ASCII segments joined by '.', one segment per level
-- (at most four). Parents and departments are referenced by code.
-- Descriptions of the 增值业务 leaves are the customer's deck, character for
-- character (including its ASCII commas, the missing 量/句号 of some
-- definitions and the space in 不认 可); 移动多媒体邮箱 › 无法使用 has no
-- definition in the deck, its text here is ours in the deck's style.
-- SLA: 48 h everywhere, 24 h for 计费/资费. Every node carries a department
-- (non-leaf: the default for children added later); each one is of kind
-- 'handling'. 服务质量 and 营业 go to 计费结算中心 (it owns customer accounts
-- and business records; the dispatcher re-routes hall matters to the user's
-- branch), 集团客户业务 to 政企客户部.

-- Level 1 ------------------------------------------------------------------
INSERT INTO categories (code, parent_id, name, description, sla_hours, department_id, sort)
SELECT v.column1, NULL, v.column2, v.column3, v.column4, d.id, v.column6
  FROM (VALUES
    ('VAS',  '增值业务', '增值业务（增值短信、彩信、WAP、彩铃、下载、IVR等，区别于语音、点对点短信等传统通信业务）引发的投诉。', 48, 'VAS', 10),
    ('NET',  '网络质量', '语音通话和手机上网的网络覆盖与质量问题。受理时须记录故障现象、主叫、被叫、听到的提示音、故障地点、是否换卡/换机试过、开关机后是否依旧、手机型号。', 48, 'NET', 20),
    ('DATA', '数据业务', '3G无线宽带等数据业务引发的投诉（手机上网问题请选“网络质量 › 无法上网/上网慢”）。', 48, 'NET', 30),
    ('BILL', '计费/资费', '话费、套餐资费、停复机及充值缴费引发的投诉，处理时限24小时。', 24, 'BILL', 40),
    ('SVC',  '服务质量', '服务态度、服务承诺及服务规范引发的投诉。', 48, 'BILL', 50),
    ('BIZ',  '营业', '营业厅及各渠道业务办理引发的投诉。', 48, 'BILL', 60)
  ) AS v
  JOIN departments d ON d.code = v.column5
 ORDER BY v.column6;

-- Level 2 ------------------------------------------------------------------
INSERT INTO categories (code, parent_id, name, description, sla_hours, department_id, sort)
SELECT v.column1, p.id, v.column3, v.column4, v.column5, d.id, v.column7
  FROM (VALUES
    -- 增值业务
    ('VAS.MMS',   'VAS', '移动多媒体邮箱', '移动多媒体邮箱业务引发的投诉。', 48, 'VAS', 10),
    ('VAS.DL',    'VAS', '手机下载', '手机下载业务（brew、java）引发的投诉。', 48, 'VAS', 20),
    ('VAS.OTHER', 'VAS', '其他', '指上述问题外的投诉数量', 48, 'VAS', 90),
    -- 网络质量
    ('NET.SIGNAL', 'NET', '信号弱/无信号', '指由于所在地点手机信号弱或无信号，无法正常拨打、接听电话引发的投诉数量。', 48, 'NET', 10),
    ('NET.DROP',   'NET', '掉话', '指由于通话过程中通话意外中断引发的投诉数量。', 48, 'NET', 20),
    ('NET.VOICE',  'NET', '通话质量差', '指由于通话中出现杂音、回声、断续、单通等，通话质量差引发的投诉数量。', 48, 'NET', 30),
    ('NET.DATA',   'NET', '无法上网/上网慢', '指由于用手机上网时无法连接或网速慢引发的投诉数量（无线宽带上网卡的问题请选“数据业务 › 无线宽带”）。', 48, 'NET', 40),
    ('NET.OTHER',  'NET', '其他', '指上述问题外的网络质量投诉数量。', 48, 'NET', 90),
    -- 数据业务
    ('DATA.WBB', 'DATA', '无线宽带', '3G无线宽带（上网卡、无线上网终端）业务引发的投诉。', 48, 'NET', 10),
    -- 计费/资费
    ('BILL.DISPUTE', 'BILL', '费用争议', '指由于用户对话费金额、扣费项目或详单不认可引发的投诉数量。', 24, 'BILL', 10),
    ('BILL.PLAN',    'BILL', '套餐资费', '指由于套餐内容、资费标准、优惠未生效或资费变更引发的投诉数量。', 24, 'BILL', 20),
    ('BILL.SUSPEND', 'BILL', '停机/复机', '指由于欠费停机、停机提醒、缴费后未及时复机等停复机问题引发的投诉数量。', 24, 'BILL', 30),
    ('BILL.TOPUP',   'BILL', '充值缴费', '指由于充值、缴费不到账或重复扣款等引发的投诉数量。', 24, 'BILL', 40),
    ('BILL.OTHER',   'BILL', '其他', '指上述问题外的计费、资费投诉数量。', 24, 'BILL', 90),
    -- 服务质量
    ('SVC.ATTITUDE', 'SVC', '服务态度', '指由于营业厅、热线或其他服务人员态度差、用语不规范引发的投诉数量。', 48, 'BILL', 10),
    ('SVC.PROMISE',  'SVC', '服务承诺未兑现', '指由于向用户作出的服务承诺（如处理时限、回复、赠送、退费）未兑现引发的投诉数量。', 48, 'BILL', 20),
    ('SVC.OTHER',    'SVC', '其他', '指上述问题外的服务质量投诉数量。', 48, 'BILL', 90),
    -- 营业
    ('BIZ.HANDLING', 'BIZ', '业务办理', '指由于开户、过户、销户、业务开通或变更办理不成功、办理错误或未经用户同意办理引发的投诉数量。', 48, 'BILL', 10),
    ('BIZ.NUMBER',   'BIZ', '号码/实名', '指由于选号、补卡换卡、号码归属、实名登记信息等引发的投诉数量。', 48, 'BILL', 20),
    ('BIZ.GROUP',    'BIZ', '集团客户业务', '指由于集团客户、政企客户的业务办理、合同及服务引发的投诉数量。', 48, 'ENT', 30),
    ('BIZ.OTHER',    'BIZ', '其他', '指上述问题外的营业投诉数量。', 48, 'BILL', 90)
  ) AS v
  JOIN categories p ON p.code = v.column2
  JOIN departments d ON d.code = v.column6
 ORDER BY p.sort, v.column7;

-- Level 3 ------------------------------------------------------------------
INSERT INTO categories (code, parent_id, name, description, sla_hours, department_id, sort)
SELECT v.column1, p.id, v.column3, v.column4, v.column5, d.id, v.column7
  FROM (VALUES
    -- 增值业务 › 移动多媒体邮箱 (deck; 无法使用 is ours)
    ('VAS.MMS.FORCED',   'VAS.MMS', '强行定制', '指由于用户未定制而被收费引发的投诉数量。包括默认开通、SP系统有误等', 48, 'VAS', 10),
    ('VAS.MMS.INDUCED',  'VAS.MMS', '诱导信息', '指由于SP擅自以点对点或其他push方式,向用户发送业务宣传,迷惑、诱骗用户使用业务的投诉数', 48, 'VAS', 20),
    ('VAS.MMS.UNUSABLE', 'VAS.MMS', '无法使用', '指由于用户已定制业务,但因系统、网络或SP原因无法正常登录、收发或查看邮件引发的投诉数量。', 48, 'VAS', 30),
    ('VAS.MMS.TARIFF',   'VAS.MMS', '资费未明示', '指由于SP/CP业务资费错误、没有资费说明、资费说明有歧义或没有详细资费介绍,造成用户对产生费用不认 可的投诉数量。', 48, 'VAS', 40),
    ('VAS.MMS.OTHER',    'VAS.MMS', '其他', '指由于本地SP其他原因引发的投诉数量。', 48, 'VAS', 90),
    -- 增值业务 › 手机下载
    ('VAS.DL.BREW', 'VAS.DL', 'brew', '基于brew平台的手机下载业务引发的投诉。', 48, 'VAS', 10),
    ('VAS.DL.JAVA', 'VAS.DL', 'java', '基于java平台的手机下载业务引发的投诉。', 48, 'VAS', 20),
    -- 数据业务 › 无线宽带
    ('DATA.WBB.CONNECT', 'DATA.WBB', '无法连接', '指由于无线宽带无法拨号或无法连接网络引发的投诉数量。', 48, 'NET', 10),
    ('DATA.WBB.SLOW',    'DATA.WBB', '速率慢', '指由于无线宽带连接后速率明显偏慢引发的投诉数量。', 48, 'NET', 20),
    ('DATA.WBB.DROP',    'DATA.WBB', '频繁掉线', '指由于无线宽带使用中频繁断线引发的投诉数量。', 48, 'NET', 30),
    ('DATA.WBB.OTHER',   'DATA.WBB', '其他', '指由于无线宽带其他原因引发的投诉数量。', 48, 'NET', 90)
  ) AS v
  JOIN categories p ON p.code = v.column2
  JOIN departments d ON d.code = v.column6
 ORDER BY p.id, v.column7;

-- Level 4 ------------------------------------------------------------------
INSERT INTO categories (code, parent_id, name, description, sla_hours, department_id, sort)
SELECT v.column1, p.id, v.column3, v.column4, v.column5, d.id, v.column7
  FROM (VALUES
    -- 增值业务 › 手机下载 › brew (deck)
    ('VAS.DL.BREW.FORCED',   'VAS.DL.BREW', '强行定制', '指由于用户未定制而被收费引发的投诉数量。包括默认开通、系统有误等', 48, 'VAS', 10),
    ('VAS.DL.BREW.NOCANCEL', 'VAS.DL.BREW', '无法取消业务定制', '指由于定制业务后无法正常取消的投诉数量', 48, 'VAS', 20),
    ('VAS.DL.BREW.OTHER',    'VAS.DL.BREW', '其他', '指由于其他原因造成的投诉数量。', 48, 'VAS', 90),
    -- 增值业务 › 手机下载 › java (deck)
    ('VAS.DL.JAVA.FORCED',   'VAS.DL.JAVA', '强行定制', '指由于用户未定制而被收费引发的投诉数量。包括默认开通、SP系统有误等', 48, 'VAS', 10),
    ('VAS.DL.JAVA.NOCANCEL', 'VAS.DL.JAVA', '无法取消业务定制', '指由于定制业务后无法正常取消的投诉数量', 48, 'VAS', 20),
    ('VAS.DL.JAVA.OTHER',    'VAS.DL.JAVA', '其他', '指由于其他原因造成的投诉数量。', 48, 'VAS', 90)
  ) AS v
  JOIN categories p ON p.code = v.column2
  JOIN departments d ON d.code = v.column6
 ORDER BY p.id, v.column7;

-- Extra fields -------------------------------------------------------------
-- 网络质量: the deck's list (网络质量类工单填写要求), all required on every leaf.
UPDATE categories SET fields_schema = json('[
  {"name":"symptom","label":"故障现象","type":"text","required":true,"max":500},
  {"name":"calling_number","label":"主叫号码","type":"phone","required":true},
  {"name":"called_number","label":"被叫号码","type":"phone","required":true},
  {"name":"announcement","label":"听到的提示音","type":"text","required":true,"max":200},
  {"name":"location","label":"故障地点","type":"text","required":true,"max":200},
  {"name":"tried_other_device","label":"是否换卡/换机试过","type":"yesno","required":true},
  {"name":"persists_after_restart","label":"开关机后是否依旧","type":"yesno","required":true},
  {"name":"handset_model","label":"手机型号","type":"text","required":true,"max":100}
]')
 WHERE code GLOB 'NET.*';

-- 数据业务 › 无线宽带: the same questions, asked of a data card.
UPDATE categories SET fields_schema = json('[
  {"name":"symptom","label":"故障现象","type":"text","required":true,"max":500,"help":"如：拨号提示的错误代码、能连接但打不开网页、速率只有几十K"},
  {"name":"location","label":"故障地点","type":"text","required":true,"max":200,"help":"尽量具体到街道、小区或楼层"},
  {"name":"device_model","label":"上网卡/终端型号","type":"text","required":true,"max":100},
  {"name":"network_mode","label":"连接的网络","type":"choice","options":["3G","2G","无信号","不清楚"]},
  {"name":"os","label":"电脑操作系统","type":"text","max":100},
  {"name":"measured_kbps","label":"实测速率（kbps）","type":"number","min":0,"max":100000},
  {"name":"tried_other_location","label":"是否换地点试过","type":"yesno"},
  {"name":"persists_after_restart","label":"重新插拔/重启后是否依旧","type":"yesno","required":true}
]')
 WHERE code GLOB 'DATA.WBB.*';

-- 增值业务 leaves: which SP and service, optional (the ISMP shows both).
UPDATE categories SET fields_schema = json('[
  {"name":"sp_name","label":"SP/业务名称","type":"text","max":100},
  {"name":"service_code","label":"SP代码/业务代码","type":"text","max":50,"help":"扣费短信、详单或ISMP中显示的代码"}
]')
 WHERE code GLOB 'VAS.*'
   AND NOT EXISTS (SELECT 1 FROM categories c WHERE c.parent_id = categories.id);

-- 计费/资费 › 费用争议: the disputed amount and bill period, optional.
UPDATE categories SET fields_schema = json('[
  {"name":"disputed_amount","label":"争议金额（元）","type":"number","min":0,"max":100000},
  {"name":"bill_month","label":"争议账期","type":"text","max":20,"help":"如：2026年11月"}
]')
 WHERE code = 'BILL.DISPUTE';
