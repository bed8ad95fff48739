// admin.test.mjs - the 系统管理 pages (issue 13): every page in both
// languages (axe clean, every control labelled, no raw key, screenshots at
// both widths); an admin who builds a category with a new required field
// in the form editor, which an agent in another browser then fills on a
// fresh page load; a bad schema refused with the server's reason at the
// field's row; a user created and logging in; a token shown once that works
// as Bearer and stops at revocation; a department that still holds open
// tickets refused (409) on deactivation; a segment import with a bad row
// reported by line; the audit log showing those changes; non-admins kept
// out.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, as, context, login, watch, axe, unlabelled, shot, startServer, stopClean, clients, sql, netTicket, chooseCategory,
  resultNumber, WIDE, PHONE } from './lib.mjs';
import { req } from '../http/lib.mjs';

let browser, srv, u;
before(async () => {
  browser = await launch();
  srv = await startServer();
  u = clients(srv, ['admin', 'agent1', 'dispatcher1']);
});
after(async () => {
  await browser.close();
  await stopClean(srv);
});

const field = (scope, label) => scope.getByLabel(label, { exact: true });
const ZH = { users: '用户', tokens: 'API 令牌', departments: '部门', categories: '投诉类型', phrases: '常用语', segments: '号段导入', audit: '操作日志' };
const EN = { users: 'Users', tokens: 'API tokens', departments: 'Departments', categories: 'Categories', phrases: 'Standard phrases',
  segments: 'Number segments', audit: 'Audit log' };

async function checkPage(page, name) {
  assert.deepEqual(await axe(page), [], `${name}: axe`);
  assert.deepEqual(await unlabelled(page), [], `${name}: unlabelled controls`);
  const text = await page.evaluate(() => document.body.innerText);
  assert.ok(!/\badmin\.[a-z_]+/.test(text), `${name}: a raw dictionary key on screen`);
  await shot(page, `${name}-wide`);
  await page.setViewportSize(PHONE);
  await shot(page, `${name}-phone`);
  assert.deepEqual(await axe(page), [], `${name}: axe at phone width`);
  await page.setViewportSize(WIDE);
}

test('every admin page in both languages: the sub-menu, its own URL, axe clean, labelled, screenshots at both widths', async () => {
  for (const lang of ['zh-CN', 'en']) {
    const names = lang === 'en' ? EN : ZH;
    const ctx = await context(browser, { lang });
    const page = await ctx.newPage();
    const w = watch(page);
    await page.goto(srv.url + '/login');
    if (lang === 'en') {
      await page.getByRole('button', { name: 'English', exact: true }).click();
      await page.locator('html[lang=en]').waitFor();
    }
    await login(page, srv.url, 'admin', { lang });
    // the header's 系统管理 opens the first page
    await page.locator('#top nav').getByRole('link', { name: lang === 'en' ? 'Admin' : '系统管理', exact: true }).click();
    await page.waitForURL('**/admin/users');
    for (const [section, title] of Object.entries(names)) {
      await page.locator('.admin-nav').getByRole('link', { name: title, exact: true }).click();
      await page.waitForURL(`**/admin/${section}`);
      await page.locator('h1', { hasText: title }).waitFor();
      assert.equal(await page.locator('.admin-nav a[aria-current=page]').textContent(), title);
      assert.equal(await page.locator('#top nav a[aria-current=page]').count(), 1, 'the header marks 系统管理');
      await page.locator('.admin-body :is(table, form)').first().waitFor();
      await checkPage(page, `admin-${section}-${lang}`);
    }
    // the category editor, new and existing (a reload lands on the same page)
    await page.goto(srv.url + '/admin/categories/edit?code=NET.SIGNAL');
    await page.locator('.schema-row').first().waitFor();
    assert.equal(await page.locator('.schema-row').count(), 8, 'the eight 网络质量 fields');
    await checkPage(page, `admin-category-edit-${lang}`);
    await page.goto(srv.url + '/admin/categories/new?parent=NET');
    await page.locator('.schema-editor').waitFor();
    await page.getByRole('button', { name: lang === 'en' ? 'Add a field' : '添加字段' }).click();
    await page.locator('.schema-row').waitFor();
    await checkPage(page, `admin-category-new-${lang}`);
    w.assertClean(lang);
    await ctx.close();
  }
});

test('a non-admin has no 系统管理 in the menu and gets the not-allowed page', async () => {
  for (const user of ['agent1', 'dispatcher1']) {
    const { ctx, page } = await as(browser, srv.url, user);
    const w = watch(page);
    assert.equal(await page.locator('#top nav a', { hasText: '系统管理' }).count(), 0);
    for (const path of ['/admin', '/admin/users', '/admin/categories/edit?code=NET']) {
      await page.goto(srv.url + path);
      await page.locator('.notfound h1', { hasText: '此页面不适用于您' }).waitFor();
      assert.equal(await page.locator('.admin-nav').count(), 0, path);
      assert.equal(await page.locator('.notfound').count(), 1, path);
    }
    w.assertClean(user);
    await ctx.close();
  }
});

test('the form editor: a new category with a new required field, which an agent fills at once; a bad schema shows at its row', async () => {
  const { ctx, page } = await as(browser, srv.url, 'admin');
  const w = watch(page, { allow: [{ url: '/api/v1/categories', status: 422 }] });
  await page.goto(srv.url + '/admin/categories');
  await page.getByRole('link', { name: '在 网络质量 下新建', exact: true }).click();
  await page.waitForURL('**/admin/categories/new?parent=NET');
  await field(page, '编码').fill('LIFT');
  await field(page, '类型名称').fill('电梯内无信号');
  await field(page, '处理时限（小时）').fill('24');
  await field(page, '定义说明').fill('电梯轿厢内无信号或通话中断。');
  // two fields, added and then moved: the second first
  const add = page.getByRole('button', { name: '添加字段' });
  await add.click();
  let row = page.locator('.schema-row').nth(0);
  await field(row, '字段名').fill('car_no');
  await field(row, '显示名称').fill('电梯编号');
  await add.click();
  row = page.locator('.schema-row').nth(1);
  await field(row, '字段名').fill('building');
  await field(row, '显示名称').fill('楼宇名称');
  await field(row, '必填').check();
  await field(row, '提示').fill('小区名称和楼号');
  await field(row, '最多字数').fill('60');
  await page.getByRole('button', { name: '字段 2 上移' }).click();
  assert.equal(await page.locator('.schema-row').nth(0).locator('[data-prop=name]').inputValue(), 'building');
  // nothing typed is lost on a reload
  await page.reload();
  await page.locator('.restored').waitFor();
  assert.equal(await field(page, '类型名称').inputValue(), '电梯内无信号');
  assert.equal(await field(page, '编码').inputValue(), 'LIFT');
  assert.equal(await page.locator('.schema-row').count(), 2);
  assert.equal(await page.locator('.schema-row').nth(0).locator('[data-prop=max]').inputValue(), '60');
  // a bad one: a choice without options, refused by the server, shown at row 3
  await add.click();
  row = page.locator('.schema-row').nth(2);
  await field(row, '字段名').fill('floor_kind');
  await field(row, '显示名称').fill('楼层类型');
  await field(row, '类型').selectOption('choice');
  await page.getByRole('button', { name: '创建', exact: true }).click();
  const err = page.locator('[data-for="fields_schema[2].options"] .error');
  await err.waitFor();
  assert.match(await err.textContent(), /必填：每行一个选项/);
  assert.equal(await page.locator('.schema-row').nth(2).locator('textarea[aria-invalid=true]').count(), 1);
  assert.equal(await page.evaluate(() => document.activeElement.dataset.prop), 'options', 'the focus is on the bad control');
  // nothing typed was lost; the options fixed, it is created
  assert.equal(await field(page, '类型名称').inputValue(), '电梯内无信号');
  await field(row, '选项').fill('地下\n地上');
  await page.getByRole('button', { name: '创建', exact: true }).click();
  await page.waitForURL('**/admin/categories');
  await page.locator('#notice', { hasText: 'NET.LIFT' }).waitFor();
  await page.locator('table.admin-table tr', { hasText: 'NET.LIFT' }).waitFor();
  const made = (await u.admin.get('/api/v1/categories/NET.LIFT')).body;
  assert.deepEqual(made.fields_schema, [
    { name: 'building', label: '楼宇名称', type: 'text', required: true, help: '小区名称和楼号', max: 60 },
    { name: 'car_no', label: '电梯编号', type: 'text' },
    { name: 'floor_kind', label: '楼层类型', type: 'choice', options: ['地下', '地上'] },
  ]);
  assert.equal(made.sla_hours, 24);
  assert.equal(made.department, 'NET', 'the parent\'s department');
  // a bad type at an existing category: the server's path at its row
  await page.goto(srv.url + '/admin/categories/edit?code=NET.LIFT');
  row = page.locator('.schema-row').nth(1);
  await field(row, '类型').selectOption('number');
  await field(row, '最小值').fill('10');
  await field(row, '最大值').fill('1');
  await page.getByRole('button', { name: '保存', exact: true }).click();
  const rowErr = page.locator('[data-for="fields_schema[1]"] > .error');
  await rowErr.waitFor();
  assert.equal(await rowErr.textContent(), '最小值大于最大值');
  await shot(page, 'admin-category-schema-error-wide');
  assert.deepEqual((await u.admin.get('/api/v1/categories/NET.LIFT')).body.fields_schema, made.fields_schema, 'nothing changed');
  w.assertClean();

  // the agent, in another browser, on a fresh page load: the new category and its required field
  const agent = await as(browser, srv.url, 'agent1');
  const aw = watch(agent.page, { allow: [{ url: '/api/v1/tickets', status: 422 }] });
  await agent.page.goto(srv.url + '/intake');
  await field(agent.page, '故障号码').fill('13812349901');
  await chooseCategory(agent.page, '电梯内无信号', '电梯内无信号');
  await field(agent.page, '楼宇名称').waitFor();
  await field(agent.page, '主题').fill('电梯里打不了电话');
  await field(agent.page, '详细描述').fill('用户称小区电梯内完全没有信号。');
  await agent.page.getByRole('button', { name: /^提交/ }).click();
  await agent.page.locator('[data-for=building] .error:not([hidden])').waitFor(); // required: refused until filled
  await field(agent.page, '楼宇名称').fill('翠湖小区 3 栋');
  await agent.page.getByLabel('楼层类型').selectOption('地下');
  await agent.page.getByRole('button', { name: /^提交/ }).click();
  const number = await resultNumber(agent.page);
  const tk = (await u.admin.get(`/api/v1/tickets/${number}`)).body;
  assert.equal(tk.category, 'NET.LIFT');
  assert.deepEqual(tk.fields, { building: '翠湖小区 3 栋', floor_kind: '地下' });
  assert.equal(tk.state, 'pending_dispatch');
  aw.assertClean();
  await agent.ctx.close();
  await ctx.close();
});

test('a user created on the page logs in; role change, disable and password reset as the API answers', async () => {
  const { ctx, page } = await as(browser, srv.url, 'admin');
  const w = watch(page, { allow: [{ url: '/api/v1/users', status: 422 }] });
  await page.goto(srv.url + '/admin/users');
  await page.getByRole('button', { name: '新建用户' }).click();
  let dlg = page.getByRole('dialog', { name: '新建用户' });
  await field(dlg, '用户名').fill('handler_km9');
  await field(dlg, '显示名称').fill('昆明处理员九');
  await field(dlg, '角色').selectOption('handler');
  await field(dlg, '初始密码').fill('short');
  await dlg.getByRole('button', { name: '创建' }).click();
  await dlg.locator('[data-for=password] .error:not([hidden])').waitFor(); // 8 characters at least (and a department)
  await field(dlg, '部门').selectOption('NET');
  await field(dlg, '初始密码').fill('demo-handler_km9');
  await dlg.getByRole('button', { name: '创建' }).click();
  await page.locator('#notice', { hasText: 'handler_km9' }).waitFor();
  const row = page.locator('table.admin-table tr', { hasText: 'handler_km9' });
  await row.waitFor();
  assert.match(await row.textContent(), /昆明处理员九.*处理部门/);
  // it logs in, in its own browser
  const other = await context(browser);
  const p2 = await other.newPage();
  await login(p2, srv.url, 'handler_km9');
  assert.equal(await p2.locator('#top .user-name').textContent(), '昆明处理员九');
  await other.close();
  // reset the password: the old one stops working
  await page.getByRole('button', { name: '重置 handler_km9 的密码' }).click();
  dlg = page.getByRole('dialog', { name: '重置 handler_km9 的密码' });
  await field(dlg, '新密码').fill('another-password-9');
  await dlg.getByRole('button', { name: '重置密码' }).click();
  await page.locator('#notice', { hasText: '已重置 handler_km9 的密码' }).waitFor();
  assert.equal((await req(srv.url, 'POST', '/api/v1/session', { body: { username: 'handler_km9', password: 'demo-handler_km9' } })).status, 401);
  assert.equal((await req(srv.url, 'POST', '/api/v1/session', { body: { username: 'handler_km9', password: 'another-password-9' } })).status, 200);
  // disable it (after a confirmation)
  await page.getByRole('button', { name: '停用 handler_km9' }).click();
  await page.getByRole('dialog', { name: '停用用户 handler_km9？' }).getByRole('button', { name: '停用' }).click();
  await page.locator('table.admin-table tr.off', { hasText: 'handler_km9' }).waitFor();
  const users = (await u.admin.get('/api/v1/users')).body.items;
  assert.equal(users.find((x) => x.username === 'handler_km9').disabled, true);
  w.assertClean();
  await ctx.close();
});

test('a token: shown once with a copy button, works as Bearer, revoked after a confirmation → 401', async () => {
  const { ctx, page } = await as(browser, srv.url, 'admin');
  const w = watch(page);
  await page.goto(srv.url + '/admin/tokens');
  await page.getByRole('button', { name: '新建令牌' }).click();
  const dlg = page.getByRole('dialog', { name: '新建令牌' });
  await field(dlg, '所属用户').selectOption('agent1');
  await field(dlg, '名称').fill('软电话接口');
  await dlg.getByRole('button', { name: '创建' }).click();
  const box = page.locator('#fresh-token');
  await box.waitFor();
  const token = await box.inputValue();
  assert.match(token, /^gd_/);
  await page.locator('.fresh-token', { hasText: '只显示这一次' }).waitFor();
  assert.ok(await page.getByRole('button', { name: '复制', exact: true }).isVisible());
  await shot(page, 'admin-token-shown-wide');
  const me = await req(srv.url, 'GET', '/api/v1/me', { headers: { authorization: `Bearer ${token}` } });
  assert.equal(me.status, 200, me.text);
  assert.equal(me.body.user.username, 'agent1');
  // never again: not after a reload, not in the list (the first characters only)
  await page.reload();
  await page.locator('table.admin-table tr', { hasText: '软电话接口' }).waitFor();
  assert.equal(await page.locator('#fresh-token').count(), 0);
  assert.ok(!(await page.evaluate(() => document.body.innerText)).includes(token));
  await page.getByRole('button', { name: '吊销 软电话接口' }).click();
  await page.getByRole('dialog', { name: '吊销令牌 软电话接口？' }).getByRole('button', { name: '吊销' }).click();
  await page.locator('table.admin-table tr.off', { hasText: '软电话接口' }).waitFor();
  const after = await req(srv.url, 'GET', '/api/v1/me', { headers: { authorization: `Bearer ${token}` } });
  assert.equal(after.status, 401);
  w.assertClean();
  await ctx.close();
});

test('departments: created, edited; switching off one that still holds open tickets shows the 409 and changes nothing', async () => {
  const t = await u.agent1.post('/api/v1/tickets', { ...netTicket({ fault_number: '13812349902' }), submit: true });
  assert.equal(t.status, 201, t.text);
  const { ctx, page } = await as(browser, srv.url, 'admin');
  const w = watch(page, { allow: [{ url: '/api/v1/departments/', status: 409 }] });
  await page.goto(srv.url + '/admin/departments');
  await page.getByRole('button', { name: '新建部门' }).click();
  let dlg = page.getByRole('dialog', { name: '新建部门' });
  await field(dlg, '编码').fill('QJ2');
  await field(dlg, '部门名称').fill('曲靖第二分公司');
  await field(dlg, '地区').selectOption('QJ');
  await field(dlg, '排序').fill('125');
  await dlg.getByRole('button', { name: '创建' }).click();
  await page.locator('table.admin-table tr', { hasText: '曲靖第二分公司' }).waitFor();
  // a dispatcher sends the ticket there; then it cannot be switched off
  const d = await u.dispatcher1.post(`/api/v1/tickets/${t.body.number}/actions/dispatch`, { department: 'QJ2' });
  assert.equal(d.status, 200, d.text);
  await page.getByRole('button', { name: '编辑 曲靖第二分公司' }).click();
  dlg = page.getByRole('dialog', { name: '修改部门 曲靖第二分公司 (QJ2)' });
  await field(dlg, '启用').uncheck();
  await dlg.getByRole('button', { name: '保存' }).click();
  const msg = dlg.locator('.form-error:not([hidden])');
  await msg.waitFor();
  assert.match(await msg.textContent(), /还有 1 张未归档的工单，不能停用/);
  await shot(page, 'admin-department-409-wide');
  assert.equal((await u.admin.get('/api/v1/departments/QJ2')).body.active, true);
  // the rest of the form works: a rename
  await field(dlg, '启用').check();
  await field(dlg, '部门名称').fill('曲靖二分公司');
  await dlg.getByRole('button', { name: '保存' }).click();
  await page.locator('table.admin-table tr', { hasText: '曲靖二分公司' }).waitFor();
  w.assertClean();
  await ctx.close();
});

test('号段导入: pasted CSV sent as text/csv, counts and the bad row with its line number', async () => {
  const { ctx, page } = await as(browser, srv.url, 'admin');
  const w = watch(page);
  await page.goto(srv.url + '/admin/segments');
  const sent = page.waitForRequest((r) => r.url().endsWith('/api/v1/segments') && r.method() === 'POST');
  await field(page, 'CSV 内容').fill('prefix,region\n1390871,KM\n13A0872,KM\n1390874,QJ\n');
  await page.getByRole('button', { name: '导入', exact: true }).click();
  assert.match((await sent).headers()['content-type'], /^text\/csv/);
  const res = page.locator('.segment-result');
  await res.locator('h2', { hasText: '导入完成' }).waitFor();
  assert.match(await res.textContent(), /新增 2.*更新 0.*未变 0.*错误行 1/);
  const bad = res.locator('table.admin-table tbody tr');
  assert.equal(await bad.count(), 1);
  assert.equal(await bad.locator('td').first().textContent(), '3');
  assert.match(await bad.locator('td').nth(1).textContent(), /前缀须为手机号的前 7 位/);
  assert.equal(sql(srv.db, "SELECT region FROM number_segments WHERE prefix = '1390874';"), 'QJ');
  // a file: its content shown in the box, then imported
  await page.locator('#seg-file').setInputFiles({ name: 'segments.csv', mimeType: 'text/csv', buffer: Buffer.from('1390875,BS\n1390876,XX\n') });
  await page.waitForFunction(() => document.querySelector('textarea[name=csv]').value.includes('1390875,BS'));
  await page.getByRole('button', { name: '导入', exact: true }).click();
  await res.locator('li', { hasText: '新增 1' }).waitFor();
  assert.match(await res.locator('table.admin-table tbody tr').first().textContent(), /^2未知的地区编码/);
  assert.equal(sql(srv.db, "SELECT region FROM number_segments WHERE prefix = '1390875';"), 'BS');
  await shot(page, 'admin-segments-result-wide');
  await page.setViewportSize(PHONE);
  await shot(page, 'admin-segments-result-phone');
  w.assertClean();
  await ctx.close();
});

test('常用语: created for a category and state, changed, deleted after a confirmation', async () => {
  const { ctx, page } = await as(browser, srv.url, 'admin');
  const w = watch(page);
  await page.goto(srv.url + '/admin/phrases');
  await page.getByRole('button', { name: '新建常用语' }).click();
  let dlg = page.getByRole('dialog', { name: '新建常用语' });
  await field(dlg, '用途').selectOption('resolution');
  await field(dlg, '投诉类型').selectOption('NET.SIGNAL');
  await field(dlg, '工单状态').selectOption('in_progress');
  await field(dlg, '内容').fill('经现场测试，已调整基站天线，信号恢复正常。');
  await dlg.getByRole('button', { name: '创建' }).click();
  const row = page.locator('table.admin-table tr', { hasText: '已调整基站天线' });
  await row.waitFor();
  assert.match(await row.textContent(), /处理结果|信号弱\/无信号/);
  const made = (await u.admin.get('/api/v1/phrases')).body.items.find((p) => p.text.includes('已调整基站天线'));
  assert.deepEqual([made.kind, made.category, made.state], ['resolution', 'NET.SIGNAL', 'in_progress']);
  await page.getByRole('button', { name: `修改常用语 #${made.id}` }).click();
  dlg = page.getByRole('dialog', { name: `修改常用语 #${made.id}` });
  await field(dlg, '投诉类型').selectOption('');
  await field(dlg, '内容').fill('经现场测试，已调整天线，信号恢复正常。');
  await dlg.getByRole('button', { name: '保存' }).click();
  await page.locator('table.admin-table tr', { hasText: '已调整天线，' }).waitFor();
  const changed = (await u.admin.get('/api/v1/phrases')).body.items.find((p) => p.id === made.id);
  assert.deepEqual([changed.category, changed.state, changed.text], [null, 'in_progress', '经现场测试，已调整天线，信号恢复正常。']);
  await page.getByRole('button', { name: `删除常用语 #${made.id}？` }).click();
  await page.getByRole('dialog', { name: `删除常用语 #${made.id}？` }).getByRole('button', { name: '删除' }).click();
  await page.locator('#notice', { hasText: `已删除常用语 #${made.id}` }).waitFor();
  assert.equal((await u.admin.get('/api/v1/phrases')).body.items.some((p) => p.id === made.id), false);
  w.assertClean();
  await ctx.close();
});

test('操作日志 shows those changes, filtered and paged to the end', async () => {
  const { ctx, page } = await as(browser, srv.url, 'admin');
  const w = watch(page);
  await page.goto(srv.url + '/admin/audit');
  const rows = page.locator('table.admin-table tbody tr');
  await rows.first().waitFor();
  const all = await page.locator('table.admin-table').textContent();
  for (const s of ['NET.LIFT', 'handler_km9', 'QJ2', 'number_segments', '重置密码', '吊销']) assert.ok(all.includes(s), s);
  assert.ok(!all.includes('gd_'), 'no token in the log');
  assert.match(await page.locator('table.admin-table tr', { hasText: 'number_segments' }).first().textContent(), /号段/);
  // filter: one department's rows, newest first: the rename, then the create
  await field(page, '对象类型').selectOption('department');
  await field(page, '对象').fill('QJ2');
  await page.getByRole('button', { name: '筛选' }).click();
  await page.waitForURL('**/admin/audit?object_kind=department&object=QJ2');
  await page.locator('table.admin-table caption', { hasText: '已显示 2 条' }).waitFor();
  assert.match(await rows.nth(0).textContent(), /修改.*曲靖第二分公司.*曲靖二分公司/);
  assert.match(await rows.nth(1).textContent(), /创建/);
  assert.deepEqual(await axe(page), []);
  await shot(page, 'admin-audit-filtered-wide');
  await page.setViewportSize(PHONE);
  await shot(page, 'admin-audit-filtered-phone');
  await page.setViewportSize(WIDE);
  // paging: 60 more phrase changes (3 before) make two pages
  for (let i = 0; i < 60; i++) assert.equal((await u.admin.post('/api/v1/phrases', { kind: 'hold', text: `请稍等 ${i}` })).status, 201);
  await page.goto(srv.url + '/admin/audit?object_kind=phrase');
  await rows.nth(49).waitFor();
  assert.equal(await rows.count(), 50);
  await page.getByRole('button', { name: '加载更多' }).click();
  await rows.nth(62).waitFor();
  await page.locator('.more', { hasText: '共 63 条' }).waitFor();
  assert.equal(await rows.count(), 63);
  w.assertClean();
  await ctx.close();
});
