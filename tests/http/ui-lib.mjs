// ui-lib.mjs - a fixture the HTTP and browser tests of the UI share: a
// scratch database whose workflow has one more action, added as rows only
// (the graph is data): 回访 (callback) on replied tickets, for supervisors,
// with a labelled text input and an optional satisfaction.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { cli, sql } from './lib.mjs';

// Returns the folder holding test.db (startServer({dir}) serves it).
export function scratchWithCallback() {
  const dir = mkdtempSync(join(tmpdir(), 'gongdan-wf-callback-'));
  const db = join(dir, 'test.db');
  assert.equal(cli(['init', '--db', db, '--demo-users']).status, 0);
  sql(db, `INSERT INTO wf_actions(code, name, name_en, sort) VALUES('callback', '回访', 'Call back', 13);
    INSERT INTO wf_transitions VALUES('callback', 'replied', NULL, 'supervisor', 'any');
    INSERT INTO wf_inputs(action, name, kind, required, max_chars, label, label_en)
      VALUES('callback', 'comment', 'text', 1, 300, '回访记录', 'Call notes');
    INSERT INTO wf_inputs(action, name, kind, required, label, label_en)
      VALUES('callback', 'satisfaction', 'satisfaction', 0, '回访满意度', 'Satisfaction on the call');`);
  return dir;
}
