// intake.test.mjs - complaint intake (issue 4, SPEC §3, §4, §6): the category
// tree and the deck's definitions, extra fields as data (a category added
// with SQL while the server runs), create / submit / edit / read a ticket,
// validation (every error at once, lengths in characters), ticket numbers
// under 50 parallel creates, and bad input of every kind.
// Regions, segments and repeat complaints: intake-region.test.mjs; lists:
// intake-list.test.mjs; full text: intake-search.test.mjs; standard
// phrases: intake-phrases.test.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, req, errorOf, netTicket, ROOT } from './lib.mjs';
import { clients, sql, freshMobile, vasTicket, create, listAll, invalid, localDay, stopClean } from './intake-lib.mjs';

let srv, u;
before(async () => { srv = await startServer(); u = clients(srv); });
after(async () => { await stopClean(srv); });

const NET_FIELDS = ['symptom', 'calling_number', 'called_number', 'announcement', 'location', 'tried_other_device',
  'persists_after_restart', 'handset_model'];
const HOUR = 3600 * 1000;

// The tree as [{node, path: [names…]}] for every node.
function flatten(nodes, path = [], out = []) {
  for (const n of nodes) {
    out.push({ node: n, path: [...path, n.name], depth: path.length + 1 });
    flatten(n.children || [], [...path, n.name], out);
  }
  return out;
}
const isLeaf = (n) => !n.children || n.children.length === 0;

// --- categories ------------------------------------------------------------

test('GET /api/v1/categories: the whole tree in one response, every leaf complete', async () => {
  const r = await u.agent1.get('/api/v1/categories');
  assert.equal(r.status, 200);
  assert.ok(Array.isArray(r.body));
  const all = flatten(r.body);
  assert.deepEqual(r.body.map((n) => n.name), ['增值业务', '网络质量', '数据业务', '计费/资费', '服务质量', '营业']);
  const codes = all.map((x) => x.node.code);
  assert.equal(new Set(codes).size, codes.length, 'codes are unique');
  assert.ok(all.every((x) => x.depth <= 4), 'at most four levels');
  const handling = new Set((await u.agent1.get('/api/v1/departments')).body.filter((d) => d.kind === 'handling').map((d) => d.code));
  const leaves = all.filter((x) => isLeaf(x.node));
  assert.ok(leaves.length >= 30, `${leaves.length} leaves`);
  for (const { node, path } of leaves) {
    const where = path.join(' › ');
    assert.match(node.code, /^[A-Z]+(\.[A-Z]+){0,3}$/, where);
    assert.ok(typeof node.name === 'string' && node.name.length > 0, where);
    assert.ok(typeof node.description === 'string' && node.description.length >= 5, `${where}: description`);
    assert.ok(Number.isInteger(node.sla_hours), `${where}: sla_hours`);
    assert.ok(handling.has(node.department), `${where}: department ${node.department}`);
    assert.ok(Array.isArray(node.fields), `${where}: fields`);
    for (const f of node.fields) assert.ok(f.name && f.label && f.type, `${where}: field ${JSON.stringify(f)}`);
    assert.equal(node.leaf, true, where);
  }
  // a child's code extends its parent's
  for (const { node } of all) for (const c of node.children || []) assert.ok(c.code.startsWith(node.code + '.'), c.code);
  // SPEC §3's seed tree
  const names = (path) => all.find((x) => x.path.join('›') === path.join('›')).node.children.map((c) => c.name);
  assert.deepEqual(names(['增值业务', '移动多媒体邮箱']), ['强行定制', '诱导信息', '无法使用', '资费未明示', '其他']);
  assert.deepEqual(names(['增值业务', '手机下载', 'brew']), ['强行定制', '无法取消业务定制', '其他']);
  assert.deepEqual(names(['增值业务', '手机下载', 'java']), ['强行定制', '无法取消业务定制', '其他']);
  assert.ok(names(['增值业务']).includes('其他'));
  for (const n of ['信号弱/无信号', '掉话', '通话质量差', '无法上网/上网慢']) assert.ok(names(['网络质量']).includes(n), n);
  assert.ok(names(['数据业务']).includes('无线宽带'));
  for (const top of ['计费/资费', '服务质量', '营业']) assert.ok(names([top]).length >= 2, top);
});

test('the VAS leaves\' descriptions are the deck\'s definitions, word for word', async () => {
  // The deck's text of these two definitions, as the customer wrote them.
  const forcedMms = '指由于用户未定制而被收费引发的投诉数量。包括默认开通、SP系统有误等';
  const noCancelBrew = '指由于定制业务后无法正常取消的投诉数量';
  const deckFile = join(ROOT, '..', 'shared', 'domain', 'complaint-handling-deck.zh.txt');
  const tree = flatten((await u.agent1.get('/api/v1/categories')).body);
  const byPath = (...p) => tree.find((x) => x.path.join('›') === p.join('›')).node;
  assert.equal(byPath('增值业务', '移动多媒体邮箱', '强行定制').description, forcedMms);
  assert.equal(byPath('增值业务', '手机下载', 'brew', '无法取消业务定制').description, noCancelBrew);
  if (!existsSync(deckFile)) return; // the deck ships beside the repo (shared/); the literals above still hold
  // Every definition the deck gives for a VAS leaf, read from the deck itself:
  // the VAS section is a sequence of " name definition" pieces.
  const deck = readFileSync(deckFile, 'utf8');
  assert.ok(deck.includes(`移动多媒体邮箱 强行定制   ${forcedMms} `) && deck.includes(`无法取消业务定制 ${noCancelBrew} `));
  const section = deck.slice(deck.indexOf('投诉分类—增值业务'), deck.indexOf(' - * - '));
  const seq = [['移动多媒体邮箱'], ['移动多媒体邮箱', '强行定制'], ['移动多媒体邮箱', '诱导信息'], ['移动多媒体邮箱', '无法使用'],
    ['移动多媒体邮箱', '资费未明示'], ['移动多媒体邮箱', '其他'], ['手机下载'], ['手机下载', 'brew'],
    ['手机下载', 'brew', '强行定制'], ['手机下载', 'brew', '无法取消业务定制'], ['手机下载', 'brew', '其他'],
    ['手机下载', 'java'], ['手机下载', 'java', '强行定制'], ['手机下载', 'java', '无法取消业务定制'],
    ['手机下载', 'java', '其他'], ['其他']];
  let at = 0, checked = 0;
  for (let i = 0; i < seq.length; i++) {
    const name = seq[i].at(-1);
    const start = section.indexOf(` ${name} `, at) + name.length + 2;
    assert.ok(start > name.length + 1, `deck: ${name}`);
    const next = i + 1 < seq.length ? section.indexOf(` ${seq[i + 1].at(-1)} `, start - 1) : section.length;
    const definition = section.slice(start, next).trim();
    at = next;
    if (!definition) continue; // a heading, or 无法使用 which the deck leaves blank
    assert.equal(byPath('增值业务', ...seq[i]).description, definition, seq[i].join(' › '));
    checked++;
  }
  assert.equal(checked, 11);
});

test('every 网络质量 leaf requires the deck\'s eight fields; 计费/资费 has SLA 24 h, the rest 48 h', async () => {
  const tree = (await u.agent1.get('/api/v1/categories')).body;
  const leaves = flatten(tree).filter((x) => isLeaf(x.node)).map((x) => x.node);
  const net = leaves.filter((n) => n.code.startsWith('NET.'));
  assert.ok(net.length >= 4);
  for (const leaf of net) {
    const byName = Object.fromEntries(leaf.fields.map((f) => [f.name, f]));
    for (const name of NET_FIELDS) assert.equal(byName[name]?.required, true, `${leaf.code}: ${name} required`);
    assert.equal(byName.tried_other_device.type, 'yesno');
    assert.equal(byName.persists_after_restart.type, 'yesno');
    assert.equal(byName.symptom.label, '故障现象');
    assert.equal(byName.handset_model.label, '手机型号');
  }
  for (const leaf of leaves)
    assert.equal(leaf.sla_hours, leaf.code.startsWith('BILL.') ? 24 : 48, leaf.code);
  assert.equal(tree.find((n) => n.code === 'BILL').name, '计费/资费');
});

// --- extra fields are data -----------------------------------------------

test('a category added with SQL while serving: new fields validated at once, no rebuild or restart', async () => {
  const schema = JSON.stringify([
    { name: 'game_type', label: '游戏类型', type: 'choice', options: ['单机', '网络游戏', '不清楚'], required: true },
    { name: 'charged_yuan', label: '扣费金额（元）', type: 'number', min: 0, max: 500 },
  ]);
  sql(srv.db, `INSERT INTO categories (code, parent_id, name, description, sla_hours, department_id, fields_schema, sort)
    VALUES ('VAS.GAME', (SELECT id FROM categories WHERE code = 'VAS'), '手机游戏', '指由于手机游戏业务引发的投诉数量。', 48,
            (SELECT id FROM departments WHERE code = 'VAS'), '${schema}', 50)`);
  const tree = flatten((await u.agent1.get('/api/v1/categories')).body);
  const leaf = tree.find((x) => x.node.code === 'VAS.GAME');
  assert.ok(leaf, 'the new category is served');
  assert.deepEqual(leaf.path, ['增值业务', '手机游戏']);
  assert.deepEqual(leaf.node.fields.map((f) => f.name), ['game_type', 'charged_yuan']);

  const body = (fields, extra = {}) => ({ category: 'VAS.GAME', fault_number: freshMobile(), subject: '游戏扣费', fields, ...extra });
  let t = await create(u.agent1, body({ game_type: '网络游戏', charged_yuan: 30 }, { submit: true }));
  assert.equal(t.category, 'VAS.GAME');
  assert.equal(t.category_name, '手机游戏');
  assert.equal(t.state, 'pending_dispatch');
  assert.deepEqual(t.fields, { game_type: '网络游戏', charged_yuan: 30 });
  t = await create(u.agent1, body({ game_type: '单机', charged_yuan: 0.5 }));
  assert.equal(t.fields.charged_yuan, 0.5);

  let f = invalid(await u.agent1.post('/api/v1/tickets', body({ game_type: '棋牌', charged_yuan: 600 })),
    ['fields.game_type', 'fields.charged_yuan']);
  assert.match(f['fields.game_type'], /单机/);
  assert.match(f['fields.charged_yuan'], /500/);
  f = invalid(await u.agent1.post('/api/v1/tickets', body({ game_type: 1, charged_yuan: '30', level: 3 })),
    ['fields.game_type', 'fields.charged_yuan', 'fields.level']);
  assert.match(f['fields.charged_yuan'], /number/);
  assert.match(f['fields.level'], /unknown/);
  invalid(await u.agent1.post('/api/v1/tickets', body({ charged_yuan: -1 })), ['fields.charged_yuan']);
  // the draft may wait for the required choice; submitting may not
  const draft = await create(u.agent1, body({ charged_yuan: 12 }));
  f = invalid(await u.agent1.post(`/api/v1/tickets/${draft.number}/actions/submit`, {}), ['fields.game_type']);
  invalid(await u.agent1.post('/api/v1/tickets', body({}, { submit: true })), ['fields.game_type']);

  // an edit of the schema is read on the next request too
  sql(srv.db, `UPDATE categories SET fields_schema = json_insert(fields_schema, '$[#]',
    json('{"name":"platform","label":"手机系统","type":"choice","options":["安卓","苹果"],"required":true}')) WHERE code = 'VAS.GAME'`);
  invalid(await u.agent1.post(`/api/v1/tickets/${draft.number}/actions/submit`, {}), ['fields.game_type', 'fields.platform']);
  const p = await u.agent1.patch(`/api/v1/tickets/${draft.number}`, { fields: { game_type: '不清楚', charged_yuan: 12, platform: '安卓' } });
  assert.equal(p.status, 200, p.text);
  const s = await u.agent1.post(`/api/v1/tickets/${draft.number}/actions/submit`, {});
  assert.equal(s.status, 200, s.text);
  assert.equal(s.body.state, 'pending_dispatch');
});

test('the tree follows categories rearranged with SQL: a subtree moved under a newer node, a branch switched off', async () => {
  sql(srv.db, `INSERT INTO categories (code, parent_id, name, description, department_id, sort)
      VALUES ('VAS.STORE', (SELECT id FROM categories WHERE code = 'VAS'), '应用商店', '指由于应用商店业务引发的投诉数量。',
              (SELECT id FROM departments WHERE code = 'VAS'), 25);
    UPDATE categories SET parent_id = (SELECT id FROM categories WHERE code = 'VAS.STORE') WHERE code = 'VAS.DL';
    UPDATE categories SET active = 0 WHERE code = 'SVC';`);
  try {
    const tree = (await u.agent1.get('/api/v1/categories')).body;
    assert.deepEqual(tree.map((n) => n.code), ['VAS', 'NET', 'DATA', 'BILL', 'BIZ'], 'no stray roots; 服务质量 hidden with its leaves');
    const all = flatten(tree);
    const at = (code) => all.find((x) => x.node.code === code);
    assert.deepEqual(at('VAS.DL.BREW.NOCANCEL').path, ['增值业务', '应用商店', '手机下载', 'brew', '无法取消业务定制']);
    assert.equal(at('VAS.DL').node.leaf, false);
    assert.equal(at('VAS.DL.BREW').node.children.length, 3);
    assert.equal(at('SVC.ATTITUDE'), undefined);
    assert.equal((await create(u.agent1, vasTicket({ category: 'VAS.DL.JAVA.FORCED' }))).category, 'VAS.DL.JAVA.FORCED');
    invalid(await u.agent1.post('/api/v1/tickets', vasTicket({ category: 'VAS.DL' })), ['category']);
    // a leaf under a switched-off branch is off too
    invalid(await u.agent1.post('/api/v1/tickets', vasTicket({ category: 'SVC.ATTITUDE' })), ['category']);
  } finally {
    sql(srv.db, `UPDATE categories SET parent_id = (SELECT id FROM categories WHERE code = 'VAS') WHERE code = 'VAS.DL';
      DELETE FROM categories WHERE code = 'VAS.STORE'; UPDATE categories SET active = 1 WHERE code = 'SVC';`);
  }
});

// --- create, submit, edit, read --------------------------------------------

test('POST creates a draft owned by the caller: 201, Location, ETag "1", GET returns it', async () => {
  const before = Date.now() - 1500;
  const body = netTicket({ fault_number: freshMobile(), contact_number: '087165432100' });
  const r = await u.agent1.post('/api/v1/tickets', body);
  assert.equal(r.status, 201, r.text);
  const t = r.body;
  assert.equal(r.headers.get('location'), `/api/v1/tickets/${t.number}`);
  assert.equal(r.headers.get('etag'), '"1"');
  assert.equal(t.state, 'draft');
  assert.equal(t.created_by, 'agent1');
  assert.equal(t.version, 1);
  assert.equal(t.submitted_at, null);
  assert.equal(t.deadline, null);
  assert.equal(t.department, null);
  assert.equal(t.priority, 'normal');
  assert.equal(t.repeat_count, 0);
  assert.ok(Date.parse(t.created_at) >= before && Date.parse(t.created_at) <= Date.now() + 1500, t.created_at);
  for (const k of ['category', 'fault_number', 'subject', 'customer_name', 'description', 'contact_number'])
    assert.equal(t[k], body[k], k);
  assert.deepEqual(t.fields, body.fields);
  assert.ok(t.allowed_actions.includes('submit'), JSON.stringify(t.allowed_actions));

  const g = await u.agent1.get(`/api/v1/tickets/${t.number}`);
  assert.equal(g.status, 200);
  assert.equal(g.headers.get('etag'), '"1"');
  const { allowed_actions: a1, ...rest1 } = g.body;
  const { allowed_actions: a2, ...rest2 } = t;
  assert.deepEqual(rest1, rest2);
  assert.deepEqual(a1, a2);
  // the draft is saved under the agent's own ID (步骤四): agent2 cannot see it
  assert.equal((await u.agent2.get(`/api/v1/tickets/${t.number}`)).status, 404);
  assert.ok(!(await listAll(u.agent2)).some((x) => x.number === t.number));
});

test('"submit": true submits at once: pending_dispatch, submitted_at, deadline = + SLA', async () => {
  const t = await create(u.agent1, netTicket({ fault_number: freshMobile(), submit: true }));
  assert.equal(t.state, 'pending_dispatch');
  assert.ok(t.submitted_at);
  assert.equal(Date.parse(t.deadline) - Date.parse(t.submitted_at), 48 * HOUR);
  assert.ok(!t.allowed_actions.includes('submit'));
  const b = await create(u.agent1, { category: 'BILL.DISPUTE', fault_number: freshMobile(), subject: '话费扣费异常', submit: true });
  assert.equal(Date.parse(b.deadline) - Date.parse(b.submitted_at), 24 * HOUR, '计费/资费: 24 h');
  const d = await create(u.agent1, netTicket({ fault_number: freshMobile(), submit: false }));
  assert.equal(d.state, 'draft');
});

test('PATCH edits a draft: creator only, If-Match honoured, not once submitted', async () => {
  const t = await create(u.agent1, netTicket({ fault_number: freshMobile() }));
  const path = `/api/v1/tickets/${t.number}`;
  // agent2 cannot see it: 404, not 403 (existence not leaked)
  let r = await u.agent2.patch(path, { subject: '改' });
  assert.equal(r.status, 404);
  assert.equal(errorOf(r).code, 'not_found');
  // the dispatcher sees every ticket, so refusing it with 403 leaks nothing
  r = await u.dispatcher1.patch(path, { subject: '改' });
  assert.equal(r.status, 403);
  assert.match(errorOf(r).message, /created/);
  assert.equal((await u.handler_net1.patch(path, { subject: '改' })).status, 404);

  r = await u.agent1.patch(path, { subject: '用户补充：地下车库也无信号', description: '补充说明' }, { 'if-match': '"1"' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.headers.get('etag'), '"2"');
  assert.equal(r.body.subject, '用户补充：地下车库也无信号');
  assert.equal(r.body.description, '补充说明');
  assert.equal(r.body.customer_name, t.customer_name, 'members not sent stay as they were');
  assert.deepEqual(r.body.fields, t.fields);
  // a stale If-Match changes nothing
  r = await u.agent1.patch(path, { subject: '过期的修改' }, { 'if-match': '"1"' });
  assert.equal(r.status, 412);
  assert.equal(errorOf(r).code, 'precondition_failed');
  let g = await u.agent1.get(path);
  assert.equal(g.body.subject, '用户补充：地下车库也无信号');
  assert.equal(g.body.version, 2);
  // unknown and read-only members
  invalid(await u.agent1.patch(path, { state: 'closed', number: 'TS1', submit: true }), ['state', 'number', 'submit']);
  // every error of the merged ticket at once
  invalid(await u.agent1.patch(path, { subject: '', fault_number: '12345', fields: { tried_other_device: '是' } }),
    ['subject', 'fault_number', 'fields.tried_other_device']);
  assert.equal((await u.agent1.get(path)).body.version, 2);
  // submitted: no more edits
  r = await u.agent1.post(`${path}/actions/submit`, {});
  assert.equal(r.status, 200, r.text);
  r = await u.agent1.patch(path, { subject: '提交后修改' });
  assert.equal(r.status, 409);
  assert.equal(errorOf(r).code, 'conflict');
  g = await u.agent1.get(path);
  assert.equal(g.body.subject, '用户补充：地下车库也无信号');
  assert.equal(g.body.state, 'pending_dispatch');
});

test('validation reports every field error at once, each with its reason', async () => {
  const r = await u.agent1.post('/api/v1/tickets', {
    category: 'NET', fault_number: '1381234567', subject: '字'.repeat(101), contact_number: '0871-1234567',
    region: 'MARS', priority: 'high', description: 7, customer_name: '一'.repeat(51),
    fields: { tried_other_device: 'maybe' }, submit: 'yes', colour: 'red',
  });
  const f = invalid(r, ['category', 'fault_number', 'subject', 'contact_number', 'region', 'priority', 'description',
    'customer_name', 'submit', 'colour'], { only: false });
  assert.match(f.category, /leaf|sub-categor/);
  assert.match(f.fault_number, /11 digits/);
  assert.match(f.subject, /100 characters/);
  assert.match(f.contact_number, /digits/);
  assert.match(f.region, /region/);
  assert.match(f.priority, /normal/);
  assert.match(f.description, /string/);
  assert.match(f.customer_name, /50 characters/);
  assert.match(f.colour, /unknown/);
  // a missing body: every required member named
  invalid(await u.agent1.post('/api/v1/tickets', {}), ['category', 'fault_number', 'subject']);
  invalid(await u.agent1.post('/api/v1/tickets', { category: 'NET.SIGNAL', fault_number: '13812345678', subject: '   ' }), ['subject']);
});

test('lengths count characters: subject 100 / 101, description 4000 / 4001 (Chinese)', async () => {
  const ok = await create(u.agent1, vasTicket({ subject: '扣'.repeat(100), description: '费'.repeat(4000) }));
  assert.equal([...ok.subject].length, 100);
  assert.equal(ok.description, '费'.repeat(4000));
  const emoji = await create(u.agent1, vasTicket({ subject: '😀'.repeat(100) }));
  assert.equal(emoji.subject, '😀'.repeat(100));
  invalid(await u.agent1.post('/api/v1/tickets', vasTicket({ subject: '扣'.repeat(101) })), ['subject']);
  invalid(await u.agent1.post('/api/v1/tickets', vasTicket({ description: '费'.repeat(4001) })), ['description']);
  invalid(await u.agent1.post('/api/v1/tickets', vasTicket({ subject: '扣'.repeat(101), description: '费'.repeat(4001) })),
    ['subject', 'description']);
  // the same limits on PATCH
  const path = `/api/v1/tickets/${ok.number}`;
  invalid(await u.agent1.patch(path, { subject: '扣'.repeat(101) }), ['subject']);
  const p = await u.agent1.patch(path, { subject: 'a'.repeat(100), description: '😀'.repeat(4000) });
  assert.equal(p.status, 200, p.text.slice(0, 300));
});

test('drafts may leave required extra fields empty; submit names the missing ones', async () => {
  const t = await create(u.agent1, netTicket({ fault_number: freshMobile(), fields: { symptom: '室内无信号', tried_other_device: 'no' } }));
  assert.equal(t.state, 'draft');
  const missing = NET_FIELDS.filter((n) => n !== 'symptom' && n !== 'tried_other_device').map((n) => `fields.${n}`);
  let f = invalid(await u.agent1.post(`/api/v1/tickets/${t.number}/actions/submit`, {}), missing);
  assert.ok(Object.values(f).every((why) => why === 'required'));
  assert.equal((await u.agent1.get(`/api/v1/tickets/${t.number}`)).body.state, 'draft', 'a refused submit changes nothing');
  // "submit": true refuses too, and creates nothing
  const before = (await listAll(u.agent1)).length;
  invalid(await u.agent1.post('/api/v1/tickets', netTicket({ fault_number: freshMobile(), fields: {}, submit: true })),
    NET_FIELDS.map((n) => `fields.${n}`));
  f = invalid(await u.agent1.post('/api/v1/tickets', netTicket({ fields: { ...netTicket().fields, location: '' }, submit: true })),
    ['fields.location']);
  assert.equal((await listAll(u.agent1)).length, before);
  // types are checked even in a draft
  invalid(await u.agent1.post('/api/v1/tickets', netTicket({ fields: { tried_other_device: '是', calling_number: 'abc' } })),
    ['fields.tried_other_device', 'fields.calling_number']);
  invalid(await u.agent1.post('/api/v1/tickets', netTicket({ fields: ['symptom'] })), ['fields']);
  // filled in, the draft submits
  const p = await u.agent1.patch(`/api/v1/tickets/${t.number}`, { fields: netTicket().fields });
  assert.equal(p.status, 200, p.text);
  const s = await u.agent1.post(`/api/v1/tickets/${t.number}/actions/submit`, {});
  assert.equal(s.status, 200, s.text);
  assert.equal(s.body.state, 'pending_dispatch');
});

test('only agents (and admins) take complaints', async () => {
  for (const who of ['dispatcher1', 'supervisor1', 'handler_net1']) {
    const r = await u[who].post('/api/v1/tickets', vasTicket());
    assert.equal(r.status, 403, who);
  }
  assert.equal((await create(u.admin, vasTicket())).created_by, 'admin');
});

// --- numbers ----------------------------------------------------------------

test('ticket numbers: TS + local date + 6 digits, increasing; 50 parallel creates get 50 distinct numbers', async () => {
  const days = [localDay()];
  const first = await create(u.agent1, vasTicket());
  const results = await Promise.all(Array.from({ length: 50 }, (_, i) =>
    u[i % 2 ? 'agent1' : 'agent2'].post('/api/v1/tickets', vasTicket({ subject: `并发受理 ${i}` }))));
  const last = await create(u.agent2, vasTicket());
  days.push(localDay());
  for (const r of results) assert.equal(r.status, 201, r.text);
  const nums = results.map((r) => r.body.number);
  assert.equal(new Set(nums).size, 50, 'distinct');
  for (const n of [first.number, ...nums, last.number]) {
    assert.match(n, /^TS\d{8}\d{6}$/);
    assert.ok(days.includes(n.slice(2, 10)), `${n}: local date ${days}`);
  }
  const seqOf = (n) => Number(n.slice(10));
  assert.ok(nums.every((n) => seqOf(n) > seqOf(first.number) && seqOf(n) < seqOf(last.number)), 'increasing');
  assert.equal(seqOf(last.number) - seqOf(first.number), 51, 'none skipped or reused');
  // each number names its own ticket
  const got = await Promise.all(results.map((r, i) => u[i % 2 ? 'agent1' : 'agent2'].get(`/api/v1/tickets/${r.body.number}`)));
  got.forEach((g, i) => assert.equal(g.body.subject, `并发受理 ${i}`));
  // sequential creates increase too
  const a = await create(u.agent1, vasTicket());
  const b = await create(u.agent1, vasTicket());
  assert.ok(b.number > a.number);
});

// --- bad input ---------------------------------------------------------------

test('unknown category or a non-leaf: 422 naming category', async () => {
  for (const category of ['NOPE', 'VAS', 'VAS.MMS', 'VAS.DL.BREW', 'net.signal', '']) {
    const f = invalid(await u.agent1.post('/api/v1/tickets', vasTicket({ category })), ['category']);
    assert.ok(f.category, category);
  }
  invalid(await u.agent1.post('/api/v1/tickets', vasTicket({ category: 42 })), ['category']);
});

test('fault numbers an agent mistypes: 422 with a reason in plain words', async () => {
  const cases = [
    ['1381234567a', /digits only/], ['138 1234 5678', /digits only/], ['１３８１２３４５６７８', /full-width/],
    ['1381234567', /11 digits/], ['138123456789', /11 digits/], ['+8613812345678', /digits only/],
    ['08711234', /area code|7-8 digits/], ['23812345678', /area code/],
  ];
  for (const [fault_number, why] of cases) {
    const f = invalid(await u.agent1.post('/api/v1/tickets', vasTicket({ fault_number })), ['fault_number']);
    assert.match(f.fault_number, why, fault_number);
  }
  invalid(await u.agent1.post('/api/v1/tickets', vasTicket({ fault_number: 13812345678 })), ['fault_number']);
  // the good shapes: mobile, 0 + 3-digit area code + 7 or 8 digits, 0 + 2-digit area code + 8 digits
  for (const fault_number of ['13812345678', '08711234567', '087112345678', '02012345678'])
    assert.equal((await create(u.agent1, vasTicket({ fault_number }))).fault_number, fault_number);
});

test('unknown JSON members: 422 naming each', async () => {
  const f = invalid(await u.agent1.post('/api/v1/tickets', vasTicket({ faultnumber: '13812345678', state: 'closed', id: 1 })),
    ['faultnumber', 'state', 'id']);
  assert.match(f.faultnumber, /unknown/);
});

test('invalid UTF-8 anywhere in the body: 400, nothing stored', async () => {
  const before = (await listAll(u.agent1)).length;
  const head = Buffer.from(JSON.stringify(vasTicket()).slice(0, -1) + ',"customer_name":"');
  for (const bad of [[0xff, 0xfe], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe6, 0x89], [0xf8, 0x88, 0x80, 0x80, 0x80]]) {
    const raw = Buffer.concat([head, Buffer.from(bad), Buffer.from('"}')]);
    const r = await req(srv.url, 'POST', '/api/v1/tickets', { raw, headers: { authorization: `Bearer ${u.agent1.token}`, 'content-type': 'application/json' } });
    assert.equal(r.status, 400, `${bad}: ${r.text}`);
    assert.equal(errorOf(r).code, 'bad_request');
  }
  assert.equal((await listAll(u.agent1)).length, before);
});

test('a body that is not a JSON object: 400; wrong Content-Type: 415', async () => {
  const auth = { authorization: `Bearer ${u.agent1.token}`, 'content-type': 'application/json' };
  for (const raw of ['[]', JSON.stringify([vasTicket()]), '"13812345678"', 'null', '42', '{"subject":', '{"a":1,"a":2}']) {
    const r = await req(srv.url, 'POST', '/api/v1/tickets', { raw, headers: auth });
    assert.equal(r.status, 400, raw);
    assert.equal(errorOf(r).code, 'bad_request');
  }
  const body = JSON.stringify(vasTicket());
  for (const ct of ['text/plain', 'application/x-www-form-urlencoded', 'application/jsonp', 'multipart/form-data; boundary=x']) {
    const r = await req(srv.url, 'POST', '/api/v1/tickets', { raw: body, headers: { ...auth, 'content-type': ct } });
    assert.equal(r.status, 415, ct);
    assert.equal(errorOf(r).code, 'unsupported_media_type');
  }
  const t = await create(u.agent1, vasTicket());
  const r = await req(srv.url, 'PATCH', `/api/v1/tickets/${t.number}`, { raw: '{"subject":"x"}', headers: { ...auth, 'content-type': 'text/plain' } });
  assert.equal(r.status, 415);
  const ok = await req(srv.url, 'POST', '/api/v1/tickets', { raw: body, headers: { ...auth, 'content-type': 'application/json; charset=utf-8' } });
  assert.equal(ok.status, 201, ok.text);
});

test('HTML and SQL in text are stored and returned exactly as typed', async () => {
  const html = '<script>alert(1)</script><img src=x onerror=alert(2)>&amp;';
  const sqlText = "'; DROP TABLE tickets; -- \" OR 1=1 /*";
  const t = await create(u.agent1, netTicket({
    fault_number: freshMobile(), subject: html, description: sqlText, customer_name: "O'Brien \\ %_",
    fields: { ...netTicket().fields, symptom: sqlText, location: html },
  }));
  const g = (await u.agent1.get(`/api/v1/tickets/${t.number}`)).body;
  assert.equal(g.subject, html);
  assert.equal(g.description, sqlText);
  assert.equal(g.customer_name, "O'Brien \\ %_");
  assert.equal(g.fields.symptom, sqlText);
  assert.equal(g.fields.location, html);
  const p = await u.agent1.patch(`/api/v1/tickets/${t.number}`, { description: html + sqlText });
  assert.equal(p.body.description, html + sqlText);
  // the tickets table still works
  const after = await create(u.agent1, vasTicket());
  assert.equal((await u.agent1.get(`/api/v1/tickets/${after.number}`)).status, 200);
  const listed = await listAll(u.agent1);
  assert.ok(listed.some((x) => x.number === t.number && x.subject === html));
  assert.equal(sql(srv.db, `SELECT count(*) FROM tickets WHERE number = '${t.number}'`), '1');
});

test('GET of a number nobody has, or a malformed one: 404', async () => {
  for (const n of ['TS20000101000001', 'nope', "x'or'1'='1"]) {
    const r = await u.admin.get(`/api/v1/tickets/${encodeURIComponent(n)}`);
    assert.equal(r.status, 404, n);
    assert.equal(errorOf(r).code, 'not_found');
  }
  assert.equal((await u.admin.patch('/api/v1/tickets/TS20000101000001', { subject: 'x' })).status, 404);
});

