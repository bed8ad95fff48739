// login-form.js - 用户名, 密码, 登录: the login page and the dialog that
// appears when a session ends in the middle of work. Wrong credentials,
// throttling (429, with the wait from Retry-After) and server trouble each
// get their own message.
import { h, uid } from './dom.js';
import { t } from './i18n.js';
import { login } from './session.js';

export function loginForm({ username = '', lockUsername = false, intro, onSuccess }) {
  const uId = uid('login-user'), pId = uid('login-pass'), errId = uid('login-err');
  const msg = h('p', { id: errId, class: 'form-error', role: 'alert', hidden: true });
  const user = h('input', { id: uId, name: 'username', autocomplete: 'username', value: username, readOnly: lockUsername,
    required: true, 'aria-required': 'true', autocapitalize: 'none', spellcheck: 'false' });
  const pass = h('input', { id: pId, name: 'password', type: 'password', autocomplete: 'current-password',
    required: true, 'aria-required': 'true' });
  const button = h('button', { type: 'submit', class: 'primary' }, t('login.submit'));
  const fail = (text) => {
    msg.textContent = text;
    msg.hidden = false;
    pass.setAttribute('aria-describedby', errId);
  };
  const form = h('form', { class: 'login-form', novalidate: true, on: { submit: async (e) => {
    e.preventDefault();
    if (!user.value.trim() || !pass.value) return fail(t('login.missing'));
    button.disabled = true;
    try {
      const u = await login(user.value.trim(), pass.value);
      pass.value = '';
      onSuccess(u);
    } catch (err) {
      if (err.status === 401) fail(t('login.wrong'));
      else if (err.status === 429) fail(t('login.throttled', { seconds: err.retryAfter || 60 }));
      else if (err.status) fail(t('login.server', { status: err.status }));
      else fail(t('login.network'));
      pass.select();
      pass.focus();
    } finally {
      button.disabled = false;
    }
  } } },
  intro && h('p', { class: 'intro' }, intro),
  h('div', { class: 'field' }, h('label', { for: uId }, t('login.username')), user),
  h('div', { class: 'field' }, h('label', { for: pId }, t('login.password')), pass),
  msg,
  h('div', { class: 'buttons' }, button));
  return form;
}
