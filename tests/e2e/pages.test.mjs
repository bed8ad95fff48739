// pages.test.mjs - every page, as each role sees it, in both languages: no
// console error or failed request, axe-core without serious or critical
// violations, a <label for> for every input, no raw dictionary key on
// screen, and a screenshot at 1366×768 and 390×844 (tests/e2e/screenshots/,
// to be looked at). Also: both dictionaries have the same keys and hold
// every key the code asks for; the first page's JS and CSS stay under
// 150 KB; a fresh intake is usable after at most three API requests and the
// reference data is revalidated (304), not fetched again.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  launch, context, login, watch, settled, axe, unlabelled, rawKeys, shot, startServer, stopClean, clients, sql, netTicket, ROOT, WIDE, PHONE,
} from './lib.mjs';

const DICT = {
  'zh-CN': JSON.parse(readFileSync(join(ROOT, 'www/i18n/zh-CN.json'), 'utf8')),
  en: JSON.parse(readFileSync(join(ROOT, 'www/i18n/en.json'), 'utf8')),
};
const KEYS = Object.keys(DICT['zh-CN']);

let browser, srv, u, closed, draft;
before(async () => {
  browser = await launch();
  srv = await startServer({ demo: 'tickets' });
  u = clients(srv, ['agent1', 'admin', 'dispatcher1', 'handler_net1']);
  // something in every handler list, and an overdue row
  for (const [fault, steps] of [['13812300001', ['dispatch']], ['13812300002', ['dispatch', 'accept']], ['13812300003', []]]) {
    const t = (await u.agent1.post('/api/v1/tickets', { ...netTicket({ fault_number: fault }), submit: true })).body;
    for (const a of steps) {
      const r = await (a === 'dispatch' ? u.dispatcher1 : u.handler_net1).post(`/api/v1/tickets/${t.number}/actions/${a}`,
        a === 'dispatch' ? { department: 'NET' } : {});
      assert.equal(r.status, 200, r.text);
    }
    if (!steps.length) sql(srv.db, `UPDATE tickets SET deadline = unixepoch() - 7500 WHERE number = '${t.number}';`);
  }
  const all = (await u.admin.get('/api/v1/tickets?limit=50')).body.items;
  closed = all.find((x) => x.state === 'closed' && Object.keys(x.fields).length).number;
  draft = all.find((x) => x.state === 'draft' && x.created_by === 'agent1').number;
});
after(async () => {
  await browser.close();
  await stopClean(srv);
});

test('both dictionaries have the same keys, and every key the code uses is in them', () => {
  assert.deepEqual(Object.keys(DICT.en).sort(), [...KEYS].sort());
  // (Chinese needs no space between 3小时 and 20分)
  for (const [k, v] of Object.entries(DICT.en)) assert.ok(v.length > 0 && (DICT['zh-CN'][k].length > 0 || k === 'dur.sep'), k);
  const files = [];
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name));
      else if (e.name.endsWith('.js')) files.push(join(dir, e.name));
    }
  };
  walk(join(ROOT, 'www/js'));
  const used = new Set();
  for (const f of files) {
    const src = readFileSync(f, 'utf8');
    for (const m of src.matchAll(/\bt\('([a-z_]+\.[a-z_0-9.]+)'/g)) used.add(m[1]);
    for (const m of src.matchAll(/(?:menu|title|desc): '([a-z_]+\.[a-z_0-9.]+)'/g)) used.add(m[1]);
  }
  assert.ok(used.size > 100, `found ${used.size} keys in the code`);
  for (const k of used) assert.ok(k in DICT['zh-CN'], `the code uses '${k}', which the dictionaries lack`);
  // the keys made at run time from data
  for (const k of ['role.agent', 'role.dispatcher', 'role.handler', 'role.supervisor', 'role.admin', 'priority.normal', 'priority.urgent',
    'event.create', 'event.overdue', 'satisfaction.1', 'satisfaction.5', 'phrase.greeting', 'phrase.hold', 'phrase.apology',
    'phrase.closing', 'phrase.follow_up', 'phrase.resolution', 'phrase.summary']) assert.ok(k in DICT['zh-CN'], k);
});

// What each role opens, and how to bring a page into the state worth checking.
const PAGES = [
  { name: 'login', user: null, path: '/login' },
  { name: 'intake', user: 'agent1', path: '/intake' },
  { name: 'intake-filled', user: 'agent1', path: '/intake?number=13908711234', prepare: async (p) => {
    await p.locator('.repeat-warning:not([hidden])').waitFor();
    const box = p.getByRole('combobox', { name: /投诉类型|Category/ });
    await box.fill('掉话');
    await box.press('Enter');
    await p.locator('.extra-fields').waitFor();
  } },
  { name: 'intake-picker', user: 'agent1', path: '/intake', prepare: async (p) => {
    await p.getByRole('combobox', { name: /投诉类型|Category/ }).fill('定制');
    await p.locator('.picker-list li[aria-selected=true]').waitFor();
  } },
  { name: 'intake-phrases', user: 'agent1', path: '/intake', prepare: async (p) => {
    await p.locator('#f-description').focus();
    await p.keyboard.press('Control+.');
    await p.getByRole('dialog').waitFor();
  } },
  { name: 'drafts', user: 'agent1', path: '/drafts' },
  { name: 'mine', user: 'agent1', path: '/mine' },
  { name: 'tickets', user: 'dispatcher1', path: '/tickets' },
  { name: 'tickets-filtered', user: 'dispatcher1', path: '/tickets?state=in_progress&q=%E4%BF%A1%E5%8F%B7' },
  { name: 'pending', user: 'dispatcher1', path: '/pending' },
  { name: 'replied', user: 'supervisor1', path: '/replied' },
  { name: 'todo', user: 'handler_net1', path: '/todo' },
  { name: 'working', user: 'handler_net1', path: '/working' },
  { name: 'search', user: 'dispatcher1', path: '/search?q=%E4%BF%A1%E5%8F%B7' },
  { name: 'ticket-closed', user: 'supervisor1', path: () => `/tickets/${closed}` },
  { name: 'ticket-action', user: 'supervisor1', path: () => `/tickets/${closed}`, prepare: async (p) => {
    await p.locator('.action-bar button').first().click();
    await p.locator('form.action-form').waitFor();
  } },
  { name: 'ticket-draft-edit', user: 'agent1', path: () => `/tickets/${draft}`, prepare: async (p) => {
    await p.locator('.action-bar button').first().click();
    await p.locator('.edit-draft').waitFor();
  } },
  { name: 'shortcuts', user: 'agent1', path: '/tickets', prepare: async (p) => {
    await p.locator('main h1').click();
    await p.keyboard.press('?');
    await p.getByRole('dialog').waitFor();
  } },
  { name: 'notfound', user: 'agent1', path: '/no/such/page' },
  { name: 'not-for-role', user: 'handler_net1', path: '/intake' },
  { name: 'ticket-missing', user: 'agent1', path: '/tickets/TS19990101000001', allow: [{ status: 404, url: '/api/v1/tickets/TS19990101000001' }] },
];

for (const lang of ['zh-CN', 'en']) {
  test(`every page in ${lang}: clean console, axe, labels, no raw keys, screenshots at both widths`, async () => {
    const sessions = {};
    const failures = [];
    for (const pg of PAGES) {
      if (!sessions[pg.user || '-']) {
        const ctx = await context(browser, { lang });
        const page = await ctx.newPage();
        await page.goto(srv.url + '/login');
        if (lang === 'en') {
          await page.getByRole('button', { name: 'English', exact: true }).click();
          await page.getByLabel('Username', { exact: true }).waitFor();
        }
        if (pg.user) await login(page, srv.url, pg.user, { lang });
        sessions[pg.user || '-'] = { ctx, page };
      }
      const { page } = sessions[pg.user || '-'];
      const w = watch(page, { allow: pg.allow || [] });
      const path = typeof pg.path === 'function' ? pg.path() : pg.path;
      for (const [width, vp] of [['1366', WIDE], ['390', PHONE]]) {
        await page.setViewportSize(vp);
        await page.goto(srv.url + path);
        await page.locator('main h1').waitFor();
        await settled(page); // not 'networkidle': lists and tickets keep the event stream open
        if (pg.prepare) await pg.prepare(page);
        await shot(page, `${pg.name}-${lang}-${width}`);
        if (width === '1366') {
          const v = await axe(page);
          if (v.length) failures.push(`${pg.name}: axe ${JSON.stringify(v)}`);
          const nl = await unlabelled(page);
          if (nl.length) failures.push(`${pg.name}: inputs without <label for>: ${nl.join(' | ')}`);
          const raw = await rawKeys(page, KEYS);
          if (raw.length) failures.push(`${pg.name}: raw keys on screen: ${raw.join(', ')}`);
          const text = await page.evaluate(() => document.body.innerText);
          if (/undefined|\[object |NaN|\bnull\b/.test(text)) failures.push(`${pg.name}: 'undefined', 'null', 'NaN' or '[object' on screen`);
          if (lang === 'en' && /用户名称|投诉类型|处理部门/.test(await page.locator('#top, main h1, label').allInnerTexts().then((x) => x.join(' '))))
            failures.push(`${pg.name}: Chinese UI labels in the English UI`);
        }
      }
      if (w.problems.length) failures.push(`${pg.name}: ${w.problems.join('; ')}`);
    }
    for (const s of Object.values(sessions)) await s.ctx.close();
    assert.deepEqual(failures, []);
  });
}

test('the first page loads under 150 KB of JS and CSS, is usable after at most three API requests, and revalidates its reference data', async () => {
  const ctx = await context(browser);
  const page = await ctx.newPage();
  await login(page, srv.url, 'agent1');
  // a fresh load of intake in a new tab of the same session (cold cache)
  const fresh = await ctx.newPage();
  const api = [];
  const assets = [];
  const bodies = [];
  const onResponse = (r) => {
    const url = new URL(r.url());
    if (url.pathname.startsWith('/api/')) api.push({ path: url.pathname, status: r.status() });
    else if (/\.(js|css)$/.test(url.pathname)) {
      bodies.push(r.body().then((b) => assets.push({ path: url.pathname, bytes: b.length })));
    }
  };
  fresh.on('response', onResponse);
  await fresh.goto(srv.url + '/intake');
  await fresh.locator('#f-fault_number:focus').waitFor();
  const usable = api.length;
  assert.ok(usable <= 3, `API requests before the form was usable: ${JSON.stringify(api)}`);
  await fresh.waitForLoadState('networkidle');
  fresh.off('response', onResponse);
  await Promise.all(bodies);
  const total = assets.reduce((n, a) => n + a.bytes, 0);
  assert.ok(total < 150 * 1024, `JS+CSS of the first page: ${total} bytes`);
  assert.ok(assets.some((a) => a.path === '/js/app.js') && assets.some((a) => a.path === '/style.css'));
  // the next load: the browser revalidates the reference data and the
  // server answers 304 without a body (its access log says so; the page
  // sees the cached 200)
  const before = srv.stderr().split('\n').filter((l) => /access GET \/api\/v1\/reference 304 0 /.test(l)).length;
  await fresh.reload();
  await fresh.locator('#f-fault_number:focus').waitFor();
  await fresh.waitForLoadState('networkidle');
  const log = srv.stderr().split('\n');
  assert.equal(log.filter((l) => /access GET \/api\/v1\/reference 304 0 /.test(l)).length, before + 1, log.slice(-12).join('\n'));
  console.log(`# first page: ${usable} API requests, ${total} bytes of JS and CSS in ${assets.length} files`);
  await ctx.close();
});
