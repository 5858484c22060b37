// The administrator's page: the users, each with one position in one unit (SPEC §1); create one,
// change one's position, unit or password, or deactivate one.  The gateway refuses anyone but an administrator.
import { h, clear, table } from './dom.js';
import { t } from './i18n.js';
import * as api from './api.js';
import { card, notice, submitting, field, select, input, submit, unitName, posName, unitOptions, POSITIONS, fill } from './ui.js';

// A position picked by its name (the code is the option's value).
const positionSelect = id => select('position', POSITIONS.map(p => [p, posName(p)]), { id, required: true });

const usersTable = users => table(
  [t('signin.user'), t('users.name'), t('users.position'), t('review.unit'), t('users.admin'), t('users.active')],
  users.map(u => [u.user_id, u.name, posName(u.position), unitName(u.unit), u.is_admin ? t('common.yes') : '',
    u.active ? t('common.yes') : h('span.flag', t('common.no'))]), { id: 'users-table' });

export async function usersPage(main) {
  main.append(h('h1', t('users.title')));
  let users = [];
  const list = card(t('users.list'), async () => {
    users = await api.get('/api/users');
    fillEdit();
    return usersTable(users);
  }, { id: 'card-users' });

  const create = submitting(h('form.form', { id: 'user-form' },
    field(t('signin.user'), input('user_id', { required: true, autocomplete: 'off' })),
    field(t('users.name'), input('name', { required: true })),
    field(t('signin.password'), input('password', { type: 'password', required: true, autocomplete: 'new-password',
      placeholder: t('users.password_rule') })),
    field(t('users.position'), positionSelect('f-position')),
    field(t('review.unit'), select('unit', unitOptions())),
    field(t('users.admin'), input('is_admin', { type: 'checkbox' })),
    submit(t('users.create'), { id: 'create-user' })),
  v => api.post('/api/users', { user_id: v.user_id, name: v.name, password: v.password, position: v.position, unit: v.unit,
    is_admin: v.is_admin }),
  async (user, out) => {
    create.reset();
    out.append(notice(fill(t('users.created'), { user: `${user.name}（${user.user_id}）` })));
    await reload();
  });

  const who = select('user_id', [], { id: 'f-edit-user' });
  const edit = submitting(h('form.form', { id: 'user-edit-form' },
    field(t('signin.user'), who),
    field(t('users.name'), input('name', { id: 'f-edit-name', required: true })),
    field(t('users.position'), positionSelect('f-edit-position')),
    field(t('review.unit'), select('unit', unitOptions(), { id: 'f-edit-unit' })),
    field(t('users.new_password'), input('password', { type: 'password', id: 'f-edit-password', autocomplete: 'new-password' })),
    field(t('users.admin'), input('is_admin', { type: 'checkbox', id: 'f-edit-admin' })),
    field(t('users.active'), input('active', { type: 'checkbox', id: 'f-edit-active' })),
    submit(t('common.save'), { id: 'save-user' })),
  v => api.put(`/api/users/${encodeURIComponent(v.user_id)}`, { name: v.name, position: v.position, unit: v.unit,
    is_admin: v.is_admin, active: v.active, ...(v.password ? { password: v.password } : {}) }),
  async (user, out) => { out.append(notice(fill(t('users.saved'), { user: user.user_id }))); await reload(); });

  function fillEdit() {
    const chosen = who.value;
    clear(who).append(...users.map(u => h('option', { value: u.user_id, selected: u.user_id === chosen }, `${u.name}（${u.user_id}）`)));
    const u = users.find(x => x.user_id === who.value);
    if (!u) return;
    const el = name => edit.elements.namedItem(name);
    el('name').value = u.name;
    if (![...el('position').options].some(o => o.value === u.position)) el('position').append(h('option', { value: u.position }, posName(u.position)));
    el('position').value = u.position;
    if (![...el('unit').options].some(o => o.value === u.unit)) el('unit').append(h('option', { value: u.unit }, unitName(u.unit)));
    el('unit').value = u.unit;
    el('is_admin').checked = u.is_admin;
    el('active').checked = u.active;
    el('password').value = '';
  }
  who.addEventListener('change', fillEdit);

  async function reload() {
    users = await api.get('/api/users');
    list.querySelector('#users-table').replaceWith(usersTable(users));
    fillEdit();
  }

  main.append(list, h('div.grid',
    h('section.card', { id: 'card-new-user' }, h('h2', t('users.create')), create),
    h('section.card', { id: 'card-edit-user' }, h('h2', t('users.edit')), edit)),
  h('p.muted', t('users.hint')));
}
