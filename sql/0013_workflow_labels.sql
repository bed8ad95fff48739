-- 0013_workflow_labels.sql - what the browser shows for the workflow, kept
-- with the workflow data so that a new action or input needs no UI change:
-- the label of each input (处理部门, 处理结果, …) and English names of states,
-- actions and inputs for the English UI. An empty name_en or label_en falls
-- back to the Chinese name; an empty label to the input's name.
-- (Numbered after 0012: migrations apply above a high-water mark, so a
-- lower number would never reach a database made since 0012.)

ALTER TABLE wf_states ADD COLUMN name_en TEXT NOT NULL DEFAULT '';
ALTER TABLE wf_actions ADD COLUMN name_en TEXT NOT NULL DEFAULT '';
ALTER TABLE wf_inputs ADD COLUMN label TEXT NOT NULL DEFAULT '';
ALTER TABLE wf_inputs ADD COLUMN label_en TEXT NOT NULL DEFAULT '';

UPDATE wf_states SET name_en = CASE code
  WHEN 'draft'            THEN 'Draft'
  WHEN 'pending_dispatch' THEN 'Pending dispatch'
  WHEN 'dispatched'       THEN 'Dispatched'
  WHEN 'in_progress'      THEN 'In progress'
  WHEN 'replied'          THEN 'Replied'
  WHEN 'closed'           THEN 'Closed'
  ELSE name_en END;

UPDATE wf_actions SET name_en = CASE code
  WHEN 'submit'   THEN 'Submit'
  WHEN 'resolve'  THEN 'Resolve at intake'
  WHEN 'dispatch' THEN 'Dispatch'
  WHEN 'return'   THEN 'Return'
  WHEN 'accept'   THEN 'Accept'
  WHEN 'transfer' THEN 'Transfer'
  WHEN 'reply'    THEN 'Reply'
  WHEN 'reject'   THEN 'Reject'
  WHEN 'close'    THEN 'Close'
  WHEN 'reopen'   THEN 'Reopen'
  WHEN 'urge'     THEN 'Urge'
  WHEN 'comment'  THEN 'Comment'
  ELSE name_en END;

UPDATE wf_inputs SET
  label = CASE name
    WHEN 'department'   THEN '处理部门'
    WHEN 'resolution'   THEN '处理结果'
    WHEN 'summary'      THEN '归档小结'
    WHEN 'satisfaction' THEN '满意度'
    WHEN 'comment'      THEN '备注'
    ELSE label END,
  label_en = CASE name
    WHEN 'department'   THEN 'Department'
    WHEN 'resolution'   THEN 'Resolution'
    WHEN 'summary'      THEN 'Summary'
    WHEN 'satisfaction' THEN 'Satisfaction'
    WHEN 'comment'      THEN 'Comment'
    ELSE label_en END;
