// lib.mjs - what every browser test shares: Debian's chromium driven by
// playwright-core (pinned in tests/package.json), a fresh context per user
// in Asia/Shanghai time, logging in through the page, a watch on console
// errors and failed requests, axe-core run inside the page, and screenshots
// at the two widths the UI is made for.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export { startServer, stopClean, clients, cli, sql, netTicket, ROOT } from '../http/lib.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
export const SHOTS = join(HERE, 'screenshots');
export const WIDE = { width: 1366, height: 768 };
export const PHONE = { width: 390, height: 844 };
const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

// The demo users' passwords (gongdan init --demo-users).
export const password = (user) => `demo-${user}`;

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}

// A browser context (its own cookies and storage) for one person.
export async function context(browser, { lang = 'zh-CN', viewport = WIDE } = {}) {
  const ctx = await browser.newContext({ viewport, timezoneId: 'Asia/Shanghai', locale: lang });
  ctx.setDefaultTimeout(15000);
  return ctx;
}

// Requests of a page under way, except the event stream (live.js keeps one
// open on every list and ticket page, so 'networkidle' never comes).
const underWay = new WeakMap();
export function track(page) {
  if (underWay.has(page)) return underWay.get(page);
  const open = new Set();
  const stream = (r) => new URL(r.url()).pathname === '/api/v1/events';
  page.on('request', (r) => { if (!stream(r)) open.add(r); });
  page.on('requestfinished', (r) => open.delete(r));
  page.on('requestfailed', (r) => open.delete(r));
  // a new document: what the old one had under way is gone (a request cut
  // off by the navigation does not always report that it failed)
  page.on('framenavigated', (f) => { if (f === page.mainFrame()) open.clear(); });
  underWay.set(page, open);
  return open;
}

// Like waitForLoadState('networkidle') but for pages with an event stream:
// no request under way (of those seen since track or watch) and no new
// resource loaded for 500 ms.
export async function settled(page, { timeout = 15000 } = {}) {
  const open = track(page);
  const end = Date.now() + timeout;
  let count = -1, since = Date.now();
  for (;;) {
    const n = await page.evaluate(() => performance.getEntriesByType('resource').length);
    if (n !== count || open.size) { count = n; since = Date.now(); }
    if (Date.now() - since >= 500) return;
    if (Date.now() > end) {
      throw new Error(`settled: still loading after ${timeout} ms: ${page.url()}; under way: ${[...open].map((r) => r.url()).join(', ')
      }; resources: ${count}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

// Collects what must never happen on a page: console errors, uncaught
// exceptions, failed requests, HTTP errors (except those in allow; and
// except the live stream's end when its page is left).
export function watch(page, { allow = [] } = {}) {
  track(page);
  const problems = [];
  const allowed = (url, status) => allow.some((a) => (a.status === undefined || a.status === status) && url.includes(a.url || ''));
  page.on('console', (m) => { if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => {
    const why = r.failure() ? r.failure().errorText : '';
    // the live stream (live.js) is closed when the page that used it is left
    if (why === 'net::ERR_ABORTED' && new URL(r.url()).pathname === '/api/v1/events') return;
    if (why !== 'net::ERR_ABORTED' || !allowed(r.url())) problems.push(`request failed: ${r.method()} ${r.url()} ${why}`);
  });
  page.on('response', (r) => { if (r.status() >= 400 && !allowed(r.url(), r.status())) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
  return {
    problems,
    assertClean(what = '') { assert.deepEqual(problems, [], `${what}: ${problems.join('\n')}`); },
  };
}

// Logs in through the login page and waits for the role's home page.
export async function login(page, url, user, { lang = 'zh-CN' } = {}) {
  if (new URL(page.url()).pathname !== '/login') await page.goto(url + '/login');
  const L = lang === 'en' ? { u: 'Username', p: 'Password', b: 'Log in' } : { u: '用户名', p: '密码', b: '登录' };
  await page.getByLabel(L.u, { exact: true }).fill(user);
  await page.getByLabel(L.p, { exact: true }).fill(password(user));
  await page.getByRole('button', { name: L.b, exact: true }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
  await page.locator('#top .user-name').waitFor();
}

// A page of its own context, logged in as user.
export async function as(browser, url, user, opts = {}) {
  const ctx = await context(browser, opts);
  const page = await ctx.newPage();
  await login(page, url, user, opts);
  return { ctx, page };
}

// axe-core inside the page: the violations of impact serious or critical.
export async function axe(page) {
  await page.evaluate(AXE);
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5) }));
  });
  return result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

// Every input, select and textarea has a <label for> (or is inside a
// labelled fieldset as a radio with its own label).
export async function unlabelled(page) {
  return page.evaluate(() => [...document.querySelectorAll('input, select, textarea')]
    .filter((el) => el.type !== 'hidden' && !(el.id && document.querySelector(`label[for="${CSS.escape(el.id)}"]`)))
    .map((el) => el.outerHTML.slice(0, 120)));
}

// The dictionary keys visible as text anywhere on the page (should be none).
export async function rawKeys(page, keys) {
  const text = await page.evaluate(() => document.body.innerText + ' ' + [...document.querySelectorAll('[aria-label],[placeholder],[title]')]
    .map((e) => [e.getAttribute('aria-label'), e.getAttribute('placeholder'), e.getAttribute('title')].join(' ')).join(' '));
  return keys.filter((k) => text.includes(k));
}

export async function shot(page, name) {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

// The page's shown ticket number after 提交 / 一次解决.
export async function resultNumber(page) {
  const box = page.locator('.result .number-box');
  await box.waitFor();
  return box.inputValue();
}

// Fills the eight fields of a 网络质量 complaint on the intake form.
export async function fillNetFields(page, values = {}) {
  const v = {
    symptom: '室内无信号，通话经常中断', calling_number: '13812345678', called_number: '13987654321',
    announcement: '无提示音', location: '昆明市五华区翠湖小区', handset_model: 'Huawei P40', ...values,
  };
  await page.getByLabel('故障现象', { exact: true }).fill(v.symptom);
  await page.getByLabel('主叫号码', { exact: true }).fill(v.calling_number);
  await page.getByLabel('被叫号码', { exact: true }).fill(v.called_number);
  await page.getByLabel('听到的提示音', { exact: true }).fill(v.announcement);
  await page.getByLabel('故障地点', { exact: true }).fill(v.location);
  await page.getByRole('radiogroup', { name: '是否换卡/换机试过' }).getByLabel('是', { exact: true }).check();
  await page.getByRole('radiogroup', { name: '开关机后是否依旧' }).getByLabel('是', { exact: true }).check();
  await page.getByLabel('手机型号', { exact: true }).fill(v.handset_model);
}

// Chooses a category with the picker: types the query, Enter takes the first match.
export async function chooseCategory(page, query, expectText) {
  const box = page.getByRole('combobox', { name: /投诉类型|Category/ });
  await box.click();
  await box.fill(query);
  if (expectText) await page.locator('.picker-list [role=option][aria-selected=true]', { hasText: expectText }).waitFor();
  await box.press('Enter');
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
