// apidoc.test.mjs - the API page (www/api.html, issue 12): it renders
// /api/v1/openapi.json under the server's strict CSP with no console error,
// one card per documented operation with the Chinese examples, links to the
// schemas, passes axe; markup smuggled into the document is shown as text
// and runs nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launch, context, watch, axe, SHOTS, startServer, stopClean } from './lib.mjs';
import { req } from '../http/lib.mjs';

let browser, srv, doc;
before(async () => {
  browser = await launch();
  srv = await startServer();
  doc = (await req(srv.url, 'GET', '/api/v1/openapi.json')).body;
});
after(async () => {
  await browser.close();
  await stopClean(srv);
});

const operations = (d) => Object.values(d.paths).reduce((n, item) =>
  n + Object.keys(item).filter((k) => ['get', 'post', 'put', 'patch', 'delete'].includes(k)).length, 0);

test('the API page renders every operation within the strict CSP', async () => {
  const ctx = await context(browser);
  const page = await ctx.newPage();
  const w = watch(page);
  const resp = await page.goto(srv.url + '/api.html');
  const csp = resp.headers()['content-security-policy'];
  assert.match(csp, /script-src 'self'/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  assert.match(csp, /require-trusted-types-for 'script'/);
  await page.locator('.op').first().waitFor();
  assert.equal(await page.locator('.op').count(), operations(doc));
  const create = page.locator('#op-post--api-v1-tickets');
  await create.getByRole('heading', { name: 'POST /api/v1/tickets' }).waitFor();
  assert.match(await create.innerText(), /Idempotency-Key/);
  // the request example, in Chinese, once opened
  await create.locator('details', { hasText: '示例' }).first().locator('summary').click();
  assert.match(await create.innerText(), /家中信号弱，通话经常中断/);
  // a schema link leads to the schema
  await create.getByRole('link', { name: 'TicketCreate' }).first().click();
  await page.locator('#schema-TicketCreate').waitFor();
  assert.match(page.url(), /#schema-TicketCreate$/);
  assert.equal(await page.locator('#toc a').count() >= operations(doc), true);
  assert.deepEqual(await axe(page), []);
  // the first screen only: the whole page is too long for one image
  mkdirSync(SHOTS, { recursive: true });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(SHOTS, 'api-doc.png') });
  w.assertClean('api page');
  await ctx.close();
});

test('markup inside the document is shown as text and runs nothing', async () => {
  const ctx = await context(browser);
  const page = await ctx.newPage();
  const w = watch(page);
  const dialogs = [];
  page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss(); });
  const evil = structuredClone(doc);
  const IMG = '<img src=x onerror=alert(1)>';
  evil.info.description = IMG;
  evil.paths['/healthz'].get.summary = '<script>window.__xss = 1</script>';
  await page.route('**/api/v1/openapi.json', (route) => route.fulfill({
    status: 200, contentType: 'application/json', body: JSON.stringify(evil),
  }));
  await page.goto(srv.url + '/api.html');
  await page.locator('.op').first().waitFor();
  assert.match(await page.locator('main').innerText(), /<img src=x onerror=alert\(1\)>/);
  assert.match(await page.locator('#op-get--healthz').innerText(), /<script>window.__xss = 1<\/script>/);
  assert.equal(await page.locator('main img').count(), 0);
  assert.equal(await page.evaluate(() => window.__xss), undefined);
  assert.deepEqual(dialogs, []);
  w.assertClean('api page with markup');
  await ctx.close();
});
