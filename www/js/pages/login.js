// pages/login.js - /login: 用户名, 密码, 登录, and the language switch (the
// header is not shown before login). ?next= is where to go afterwards.
import { h } from '../dom.js';
import { t, useLang, currentLang } from '../i18n.js';
import { currentUser } from '../session.js';
import { loginForm } from '../login-form.js';
import * as router from '../router.js';

export function render(ctx) {
  const { afterLogin } = ctx;
  const next = ctx.query.get('next');
  if (currentUser()) return afterLogin(next);
  const other = currentLang() === 'en' ? 'zh-CN' : 'en';
  const form = loginForm({ onSuccess: () => afterLogin(next) });
  ctx.main.append(h('section', { class: 'login-page' },
    h('h1', {}, t('login.title')),
    h('p', { class: 'muted' }, t('app.tagline')),
    form,
    h('p', {}, h('button', { type: 'button', class: 'link lang', lang: other,
      on: { click: async () => { await useLang(other, { remember: true }); router.go(); } } }, t('lang.switch')))));
  form.querySelector('input').focus();
}
