-- 0004_phrases.sql - seeds the standard phrases (常用语) the UI offers while an
-- agent, handler or supervisor writes a description, resolution or summary,
-- in the centre's usual style (the deck's good examples: 聆听、理解、解决情感).
-- kind: greeting | hold | apology (apology and commitment) | closing |
-- follow_up (回访) | resolution | summary. category_id, when set, ties a phrase
-- to that category and the categories below it (here: top-level nodes);
-- state ties it to tickets in that state. ××月××日 / ×× are for the writer to
-- fill in. Categories are referenced by code.

INSERT INTO phrases (kind, text, category_id, state, sort)
SELECT v.column1, v.column2, c.id, v.column4, v.column5
  FROM (VALUES
    -- 接受投诉: greeting, listening, calming
    ('greeting',   '您好！很高兴为您服务，请问有什么可以帮您？', NULL, NULL, 10),
    ('greeting',   '早上好！很高兴为您服务，请问有什么可以帮您？', NULL, NULL, 20),
    ('hold',       '请您不要着急，我马上为您查询，请您稍等。', NULL, NULL, 10),
    ('hold',       '感谢您的耐心等待，您的问题我已经查询清楚了。', NULL, NULL, 20),
    ('hold',       '麻烦您将手机关机后重新开机，再试一下故障是否依旧。', 'NET', NULL, 30),
    ('hold',       '请问您换过手机或换卡试过吗？故障发生时您所在的具体位置是哪里？听到的提示音是什么？', 'NET', NULL, 40),
    -- 理解澄清: empathy, apology, commitment with a time frame
    ('apology',    '我非常理解您的心情，给您带来的不便我们深表歉意。', NULL, NULL, 10),
    ('apology',    '您反映的问题我已经详细记录，并会立即提交相关部门处理，我们会在48小时内给您答复，请您保持电话畅通。', NULL, NULL, 20),
    ('apology',    '您反映的费用问题我已经记录，我们会在24小时内核实清楚并给您回复，请您放心。', 'BILL', NULL, 30),
    ('apology',    '您能不能告诉我您家人或朋友的电话，我可以和他们取得联系帮您缴费，您看可以吗？', 'BILL', NULL, 40),
    -- 解决处理 / closing the call
    ('closing',    '请问还有什么可以帮您的吗？感谢您的来电，再见！', NULL, NULL, 10),
    ('closing',    '感谢您对我们工作的理解和支持，祝您生活愉快，再见！', NULL, NULL, 20),
    -- handler's resolution
    ('resolution', '经核查，您反映的问题已处理完毕，现已恢复正常，给您带来的不便深表歉意。', NULL, 'in_progress', 10),
    ('resolution', '经核查，该业务系用户未定制而被收费，已为用户取消该业务并退还相关费用。', 'VAS', 'in_progress', 20),
    ('resolution', '经现场测试，故障地点信号覆盖不足，已安排网络优化，预计××月××日前完成。', 'NET', 'in_progress', 30),
    -- 回访 before closing
    ('follow_up',  '您好！这里是省客服中心，您于××月××日反映的问题现已处理完毕，请问现在是否已恢复正常？', NULL, 'replied', 10),
    ('follow_up',  '请问您对本次投诉的处理结果是否满意？感谢您对我们工作的支持。', NULL, 'replied', 20),
    -- 小结 when archiving
    ('summary',    '已回访用户，故障已恢复，用户对处理结果表示满意，同意归档。', NULL, 'closed', 10),
    ('summary',    '已回访用户，用户认可处理结果，但对处理时间不满意，已致歉，归档。', NULL, 'closed', 20),
    ('summary',    '受理时已向用户解释清楚，用户表示认可，一次解决，归档。', NULL, 'closed', 30)
  ) AS v
  LEFT JOIN categories c ON c.code = v.column3
 ORDER BY v.column1, v.column5;
