// pages/notfound.js - any path the route table does not know, and pages that
// are not for the user's role: a friendly page with a way back.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { roleName } from '../reference.js';

export function render(ctx) {
  ctx.main.append(h('section', { class: 'notfound' },
    h('h1', {}, ctx.forbidden ? t('notfound.role_title') : t('notfound.title')),
    h('p', {}, ctx.forbidden ? t('notfound.role_text', { role: roleName(ctx.user.role) }) : t('notfound.text')),
    h('p', {}, h('a', { href: ctx.home }, t('notfound.home')))));
}
