// The workbench (工作台, the landing page), the inbox, search, the project's file (basic information, documents,
// attachments) and the print views (the ledger in A4 landscape, the project file, the 呈批件/审批单).
import { h, clear, table } from './dom.js';
import { t, stateName, when } from './i18n.js';
import * as api from './api.js';
import {
  refusal, notice, card, submitting, field, select, input, textarea, unitName, posName, personName, stateTag, fill, UNITS,
} from './ui.js';

const enc = encodeURIComponent;
export const STATES = ['lead', 'filed', 'under_review', 'returned', 'approved', 'rejected', 'assigned', 'negotiating', 'escalated',
  'refused', 'agreed', 'drafting', 'legal_review', 'signed', 'filed_copies', 'construction', 'accounting', 'closed',
  'archived', 'terminated'];
export const UNITS_FOR_FILTER = ['IPB', 'PARK:hengdong', 'PARK:hexi', 'TOWN:xintang', 'TOWN:shiwan', 'TOWN:yangqiao'];

// -- amounts as a county office reads them -------------------------------------------------------------------
export function wan(yuan) {
  if (yuan === null || yuan === undefined || yuan === '') return '—';
  const n = Number(yuan) / 10000;
  return isFinite(n) ? `${n.toLocaleString('zh-CN', { maximumFractionDigits: 2 })} ${t('unit.wan')}` : '—';
}
export const mu = v => (v === null || v === undefined || v === '' ? '—' : `${Number(v).toLocaleString('zh-CN', { maximumFractionDigits: 2 })} ${t('unit.mu')}`);
const dueTag = item => (item.due ? h('span.tag', { class: item.overdue ? 'bad' : 'warn', 'data-due': item.due },
  `${item.overdue ? t('todo.overdue') : t('todo.due')} ${item.due}`) : h('span.muted', t('todo.no_due')));

// Where a to-do's form is: the desks for opinions, decisions and signatures; else the project's next steps.
export function todoHref(item) {
  if (item.kind === 'opinion') return '#/desk/review';
  if (item.kind === 'file_lead') return `#/leads/${enc(item.project_id)}`;
  if (['decide', 'principal_decision', 'sign'].includes(item.kind)) return '#/desk/decisions';
  if (item.kind === 'resolve_problem') return `#/projects/${enc(item.project_id)}?todo=resolve_problem&problem=${enc(item.problem_id)}`;
  return `#/projects/${enc(item.project_id)}?todo=${enc(item.kind)}`;
}

function todoItem(item) {
  return h('li.todo', { 'data-kind': item.kind, 'data-project': item.project_id },
    h('a.button.primary.todo-open', { href: todoHref(item) }, t('todo.open')),
    h('span.todo-what', t(`todo.${item.kind}`, item.kind)),
    h('a.todo-project', { href: `#/projects/${enc(item.project_id)}` }, `${item.ref || ''} ${item.name || ''}`),
    item.subject ? h('span.muted', item.subject) : null, dueTag(item));
}

// -- the workbench -----------------------------------------------------------------------------------------------
export async function workbenchPage(main) {
  const me = api.currentUser() || {};
  const bench = await api.get('/api/workbench');
  const counts = Object.entries(bench.counts || {});
  main.append(h('h1', t('nav.workbench')),
    h('p.muted', { id: 'greeting' }, fill(t('bench.greeting'), { who: me.name && me.name !== me.user_id ? me.name : posName(me.position), unit: unitName(me.unit), today: bench.today })),
    h('div.grid.bench',
      h('section.card', { id: 'card-todo' }, h('h2', t('bench.todo'), ' ', h('span.badge', { id: 'todo-total' }, bench.total)),
        counts.length ? h('p.chips', counts.map(([kind, n]) => h('span.tag', { 'data-count': kind }, `${t(`todo.${kind}`, kind)} ${n}`))) : null,
        bench.items.length ? h('ul.todos', bench.items.map(todoItem)) : h('p.muted', { id: 'todo-none' }, t('bench.nothing')),
        bench.total > bench.items.length ? h('p.hint', fill(t('bench.nearest'), { n: bench.items.length, total: bench.total })) : null),
      h('section.card', { id: 'card-due' }, h('h2', t('bench.due_soon')),
        bench.due_soon.length ? h('ul.todos', bench.due_soon.map(todoItem)) : h('p.muted', t('bench.none_due'))),
      card(t('bench.inbox'), async () => {
        const inbox = await api.get('/api/inbox?limit=5');
        return h('div', h('p', fill(t('inbox.unread_n'), { n: inbox.unread }), ' ', h('a', { href: '#/inbox', id: 'to-inbox' }, t('inbox.all'))),
          inbox.items.length ? h('ul.notices', inbox.items.map(n => noticeItem(n, () => workbenchPageReload(main)))) : h('p.muted', t('inbox.empty')));
      }, { id: 'card-inbox' }),
      h('section.card', { id: 'card-done' }, h('h2', t('bench.done')),
        bench.done.length ? table([t('project.at'), t('lead.ref'), t('lead.project_name'), t('project.event')],
          bench.done.map(d => [when(d.at), h('a', { href: `#/projects/${enc(d.project_id)}` }, d.ref || ''), d.name || '',
            d.type === 'coordinator.project_state_changed' && d.state ? `${t('bench.moved_to')}${stateName(d.state)}`
              : t(`event.${d.type}`, t('bench.other_act'))])) : h('p.muted', t('bench.nothing_done')))));
}
const workbenchPageReload = () => window.dispatchEvent(new HashChangeEvent('hashchange'));

// -- the inbox -------------------------------------------------------------------------------------------------
export async function refreshBadge() {
  const badge = document.getElementById('inbox-badge');
  if (!badge || !api.signedIn()) return;
  try {
    const inbox = await api.get('/api/inbox?unread=1&limit=1');
    badge.textContent = inbox.unread ? String(inbox.unread) : '';
    badge.dataset.unread = String(inbox.unread);
    badge.hidden = !inbox.unread;
  } catch (e) { badge.hidden = true; }
}

function noticeItem(n, after) {
  const read = Boolean(n.read_at);
  return h('li.notice-item', { 'data-id': n.id, 'data-read': String(read), class: read ? 'read' : 'unread' },
    h('div.notice-head', h('strong', n.title), ' ', h('span.muted', when(n.created_at)),
      n.project_id ? [' ', h('a', { href: `#/projects/${enc(n.project_id)}` }, n.ref || t('project.title'))] : null),
    h('div', n.text),
    read ? h('span.muted', t('inbox.read')) : h('button.mark-read', { type: 'button', onclick: async e => {
      e.target.disabled = true;
      try { await api.post(`/api/inbox/${n.id}/read`); await refreshBadge(); after(); } catch (err) { e.target.after(refusal(err)); }
    } }, t('inbox.mark_read')));
}

export async function inboxPage(main, params) {
  const unread = params.get('unread') === '1';
  const inbox = await api.get(`/api/inbox?limit=200${unread ? '&unread=1' : ''}`);
  const again = () => window.dispatchEvent(new HashChangeEvent('hashchange'));
  main.append(h('h1', t('nav.inbox'), ' ', h('span.badge', { id: 'inbox-unread' }, inbox.unread)),
    h('div.tabs', h('button', { type: 'button', class: unread ? '' : 'active', onclick: () => { location.hash = '#/inbox'; } }, t('common.all')),
      h('button', { type: 'button', class: unread ? 'active' : '', onclick: () => { location.hash = '#/inbox?unread=1'; } }, t('inbox.unread')),
      inbox.unread ? h('button', { type: 'button', id: 'mark-all', onclick: async () => {
        for (const n of inbox.items.filter(x => !x.read_at)) await api.post(`/api/inbox/${n.id}/read`);
        await refreshBadge(); again();
      } }, t('inbox.mark_all')) : null),
    h('section.card', { id: 'inbox' }, inbox.items.length ? h('ul.notices', inbox.items.map(n => noticeItem(n, again))) : h('p.muted', t('inbox.empty'))));
}

// -- search: as you type in the top bar; the full page with filters -----------------------------------------------
export function searchBox() {
  const box = h('input', { type: 'search', id: 'search-box', name: 'q', placeholder: t('search.placeholder'),
    'aria-label': t('search.title'), autocomplete: 'off' });
  const list = h('ul', { id: 'search-results', hidden: true });
  let timer = null, asked = 0;
  const show = async () => {
    const q = box.value.trim();
    const mine = ++asked;
    if (q.length < 2) { list.hidden = true; return; }
    try {
      const found = await api.get(`/api/search?q=${enc(q)}&limit=8`);
      if (mine !== asked) return;
      clear(list);
      list.append(...(found.items.length ? found.items.map(hitItem) : [h('li.muted', t('search.none'))]));
      list.hidden = false;
    } catch (err) { list.hidden = true; }
  };
  box.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(show, 150); });
  box.addEventListener('keydown', e => {
    if (e.key === 'Enter') { list.hidden = true; location.hash = `#/search?q=${enc(box.value.trim())}`; }
    if (e.key === 'Escape') list.hidden = true;
  });
  box.addEventListener('blur', () => setTimeout(() => { list.hidden = true; }, 200));
  return h('div.search', { role: 'search' }, box, list);
}

// A hit: a lead or project (its page), an entry of the project reserve (its page, #/reserve/<id>), or a parcel of the
// land reserve (its page on the plan's side)
const hitHref = x => (x.kind === 'parcel' ? `#/land/${enc(x.ref)}` : x.kind === 'reserve' ? `#/reserve/${enc(x.reserve.id)}`
  : `#/projects/${enc(x.project_id)}`);
const hitWhat = x => (x.kind === 'parcel' ? [t('search.parcel'), x.parcel.location_name, mu(x.parcel.area_mu)]
  : x.kind === 'reserve' ? [t('search.reserve'), x.reserve.location_name, wan(x.reserve.total_investment), x.investor]
    : [x.investor, x.credit_code]).filter(Boolean).join(' · ');
const hitState = x => (x.kind === 'parcel' ? h('span.tag', { 'data-status': x.state }, x.parcel.status_name)
  : x.kind === 'reserve' ? h('span.tag', x.reserve.tier_label) : h('span.tag', { 'data-state': x.state }, stateName(x.state)));
const hitData = x => (x.kind === 'parcel' ? { 'data-parcel': x.ref } : x.kind === 'reserve' ? { 'data-reserve': x.ref }
  : { 'data-project': x.project_id });
const hitItem = x => h('li', hitData(x),
  h('a', { href: hitHref(x) }, h('strong', `${x.ref || ''} ${x.name}`), ' ', h('span.muted', hitWhat(x)), ' ', hitState(x)));
const hitInvestor = x => (x.kind === 'parcel' ? `${t('search.parcel')} ${mu(x.parcel.area_mu)}`
  : x.kind === 'reserve' ? [t('search.reserve'), x.investor].filter(Boolean).join(' · ') : x.investor || '—');

export async function searchPage(main, params) {
  const q = params.get('q') || '';
  const form = h('form.inline', { id: 'search-form' },
    input('q', { value: q, placeholder: t('search.placeholder'), required: true, type: 'search' }),
    select('state', [['', `${t('ledger.state')}：${t('common.all')}`], ...STATES.map(s => [s, stateName(s)])], { value: params.get('state') || '' }),
    select('unit', [['', `${t('ledger.unit')}：${t('common.all')}`], ...UNITS_FOR_FILTER.map(u => [u, unitName(u)])], { value: params.get('unit') || '' }),
    input('year', { value: params.get('year') || '', placeholder: t('search.year'), inputmode: 'numeric', size: 6 }),
    h('button.primary', { type: 'submit' }, t('search.title')));
  form.addEventListener('submit', e => {
    e.preventDefault();
    const query = new URLSearchParams();
    for (const k of ['q', 'state', 'unit', 'year']) if (form.elements[k].value.trim()) query.set(k, form.elements[k].value.trim());
    location.hash = `#/search?${query}`;
  });
  main.append(h('h1', t('search.title')), h('section.card', form));
  if (!q) return;
  const query = new URLSearchParams({ q, limit: '50' });
  for (const k of ['state', 'unit', 'year']) if (params.get(k)) query.set(k, params.get(k));
  const found = await api.get(`/api/search?${query}`);
  main.append(h('section.card', { id: 'search-hits' }, h('p.muted', fill(t('search.found'), { n: found.items.length, q })),
    found.items.length ? table([t('lead.ref'), t('search.name'), t('lead.investor'), t('lead.credit_code'), t('ledger.state'), t('ledger.unit')],
      found.items.map(x => [h('a', { href: hitHref(x) }, x.ref || ''), x.name, hitInvestor(x), x.credit_code || '—',
        x.kind === 'project' || x.kind === 'lead' ? stateTag(x.state) : hitState(x), x.unit ? unitName(x.unit) : '—']),
      { id: 'search-table' }) : h('p.muted', t('search.none'))));
}

// An entry of the project reserve (R8), as its readers see it (the search links here; confidential fields included)
export async function reservePage(main, params, id) {
  const r = await api.get(`/api/reserve/${enc(id)}`);
  const investor = r.intended_investor ? [r.intended_investor.name, r.intended_investor.credit_code].filter(Boolean).join(' · ') : '—';
  main.append(h('h1', `${r.ref} ${r.name} `, h('span.tag', r.tier_label)),
    h('section.card', { id: 'reserve-detail' }, h('dl.kv',
      h('dt', t('reserve.year')), h('dd', String(r.year)),
      h('dt', t('catalog.investment_scale')), h('dd', `${wan(r.total_investment)}（${r.tier_label}）`),
      h('dt', t('catalog.sector')), h('dd', r.sector_name), h('dt', t('catalog.location')), h('dd', r.location_name),
      h('dt', t('catalog.cooperation_mode')), h('dd', r.cooperation_mode), h('dt', t('catalog.contact_office')), h('dd', r.contact_office),
      h('dt', t('reserve.investor')), h('dd', investor), h('dt', t('reserve.description')), h('dd', r.description || '—'),
      h('dt', t('reserve.owner')), h('dd', unitName(r.owner_unit)),
      h('dt', t('reserve.published')), h('dd', t(r.published ? 'reserve.published_yes' : 'reserve.published_no')))));
}

// -- the project file: basic information, documents, attachments -----------------------------------------------------
export function basicCard(project) {
  const b = project.basic || {};
  const person = b.responsible_person ? [personName(b.responsible_person).replace(/（.*$/, ''), b.responsible_person.phone]
    .filter(Boolean).join(' ') : '—';
  const leader = b.liaison_leader ? [b.liaison_leader.name, posName(b.liaison_leader.position)].filter(Boolean).join(' ') : '—';
  const rows = [
    ['file.investor', b.investor_name], ['file.credit_code', b.credit_code], ['file.sector', b.sector_name || b.sector],
    ['file.total', wan(b.contracted_investment || b.planned_total_investment)], ['file.fai', wan(b.fixed_asset_investment)],
    ['file.land', mu(b.land_mu)], ['file.location', b.location_name || b.location], ['file.unit', unitName(b.responsible_unit)],
    ['file.person', person], ['file.liaison', leader],
    ['file.key', b.is_key ? t(`file.key.${b.key_basis || 'threshold'}`) : t('common.no')], ['file.tier', b.tier ? b.tier_name || b.tier : '—'],
    ['file.registered', `${unitName(b.registered_unit)} ${b.registered_on || ''}`]];
  const contact = h('dd', { id: 'basic-contact' }, '—');
  api.get(`/api/leads/${enc(project.id)}`).then(lead => {   // the contact is the lead's (IPB, the LG, the registering unit)
    clear(contact).append([lead.contact && lead.contact.name, lead.contact && lead.contact.phone].filter(Boolean).join(' ') || '—');
  }).catch(() => { clear(contact).append(h('span.muted', t('file.contact_not_yours'))); });
  return h('section.card', { id: 'card-basic' }, h('h2', t('file.basic'), ' ',
    h('a.button.no-print', { href: `#/print/project/${enc(project.id)}`, id: 'print-project' }, t('print.project'))),
  h('dl.kv.basic', rows.map(([key, value]) => [h('dt', t(key)), h('dd', { 'data-field': key }, value || '—')]),
    h('dt', t('file.contact')), contact));
}

const size = n => (n >= 1048576 ? `${(n / 1048576).toFixed(1)} MB` : `${Math.max(1, Math.round(n / 1024))} KB`);
// A chosen file as base64 (what the API takes as {filename, content_base64}).
export const readFile = file => new Promise((resolve, reject) => {
  const reader = new FileReader();
  reader.onload = () => resolve(String(reader.result).split(',', 2)[1] || '');
  reader.onerror = () => reject(reader.error);
  reader.readAsDataURL(file);
});

export function attachmentsCard(project, again) {
  const base = `/api/projects/${enc(project.id)}/attachments`;
  return card(t('file.documents'), async () => {
    const file = await api.get(base);
    const body = h('div');
    const current = file.items.filter(a => !a.replaced_by);
    const older = file.items.filter(a => a.replaced_by);
    const row = a => [a.kind_name, h('span.filename', a.filename), size(a.size), h('code.sha', { title: a.sha256 }, a.sha256.slice(0, 12)),
      personName(a.by), when(a.at),
      h('span.inline', h('button.download', { type: 'button', 'data-id': a.id, onclick: async e => {
        try { await api.download(`${base}/${a.id}`, a.filename); } catch (err) { e.target.after(refusal(err)); }
      } }, t('common.download')),
      file.may_attach.some(k => k.kind === a.kind) && !a.replaced_by ? h('button.replace', { type: 'button', 'data-id': a.id, onclick: () => {
        form.dataset.replaces = a.id;
        form.elements.kind.value = a.kind;
        form.querySelector('.replacing').textContent = fill(t('file.replacing'), { name: a.filename });
        form.scrollIntoView({ block: 'center' });
      } }, t('file.replace')) : null)];
    const headers = [t('file.kind'), t('file.filename'), t('file.size'), 'SHA-256', t('project.actor'), t('project.at'), ''];
    body.append(current.length ? table(headers, current.map(row), { id: 'attachments-table' }) : h('p.muted', { id: 'attachments-none' }, t('file.no_attachments')));
    if (older.length) body.append(h('details', h('summary', fill(t('file.older'), { n: older.length })), table(headers, older.map(row))));
    body.append(await otherDocuments(project));
    const form = h('form.form', { id: 'attach-form' },
      field(t('file.kind'), select('kind', file.may_attach.map(k => [k.kind, k.name]), { required: true })),
      field(t('file.file'), h('input', { type: 'file', name: 'file', id: 'f-file', required: true })),
      field(t('file.note'), input('note', { maxlength: 500 })),
      h('p.hint.full', fill(t('file.rules'), { max: size(file.max_size_bytes) }), ' ', h('span.replacing')),
      h('div.full', h('button.primary', { type: 'submit' }, t('file.upload'))));
    submitting(form, async v => {
      const chosen = form.elements.file.files[0];
      if (!chosen) throw new api.ApiError(422, { error: 'invalid_input', message: t('file.choose'), details: { file: [t('file.choose')] } });
      const payload = { kind: v.kind, filename: chosen.name, content_base64: await readFile(chosen), note: v.note || null };
      const path = form.dataset.replaces ? `${base}/${form.dataset.replaces}/replacement` : base;
      return api.post(path, payload);
    }, (added, out) => { out.append(notice(fill(t('file.uploaded'), { name: added.filename, sha: added.sha256 }))); setTimeout(again, 600); });
    if (file.may_attach.length) body.append(h('h3', t('file.upload')), form);
    return body;
  }, { id: 'card-attachments' });
}

// -- the problems raised on the project (R11: supervision's tracking): each open one resolved by its owner's unit,
// the responsible unit or IPB; a new one raised by IPB, the LG or the responsible unit ---------------------------------
const ownerName = owner => {
  const [kind, value] = String(owner || '').split(/:(.*)/s);
  return kind === 'unit' ? unitName(value) : kind === 'position' ? posName(value) : (value || owner || '—');
};

export function problemsCard(project, params, again) {
  const base = `/api/projects/${enc(project.id)}/tracking`;
  const me = api.currentUser() || {};
  return card(t('problems.title'), async () => {
    const [tracking, ops] = await Promise.all([api.get(base), api.myOperations()]);
    const unit = tracking.responsible_unit;
    const mayResolve = pr => api.may(ops, 'supervision.resolve_problem')
      && (me.unit === 'IPB' || me.unit === unit || pr.owner === `unit:${me.unit}`);
    const status = pr => (pr.resolved_at ? h('span.tag.ok', t('problems.resolved'))
      : pr.escalated_at ? h('span.tag.bad', t('problems.escalated')) : h('span.tag.warn', t('problems.open')));
    const item = pr => h('li.problem', { 'data-id': pr.id, 'data-open': String(!pr.resolved_at) },
      h('div', h('strong', pr.description), ' ', status(pr)),
      h('div.muted', `${t('problems.owner')}：${ownerName(pr.owner)} · ${t('problems.raised')}：${when(pr.raised_at)} · `
        + `${t('problems.escalation_due')}：${String(pr.escalation_due || '').slice(0, 10)}`),
      pr.resolved_at ? h('div', `${t('problems.resolution')}：${pr.resolution || ''}（${personName(pr.resolved_by)}，${when(pr.resolved_at)}）`) : null,
      !pr.resolved_at && mayResolve(pr) ? submitting(h('form.form.resolve-form', { 'data-problem': pr.id },
        field(t('problems.resolution'), textarea(`resolution-${pr.id}`, '', { name: 'resolution', required: true, maxlength: 1000 })),
        h('div.full', h('button.primary', { type: 'submit' }, t('problems.resolve')))),
      v => api.post(`${base}/problems/${pr.id}/resolution`, { resolution: v.resolution }),
      (_, out) => { out.append(notice(t('problems.resolved_notice'))); setTimeout(again, 600); }) : null);
    const body = h('div', tracking.problems.length ? h('ul.problems', { id: 'problems-list' }, tracking.problems.map(item))
      : h('p.muted', { id: 'problems-none' }, t('problems.none')));
    if (api.may(ops, 'supervision.raise_problem') && ['IPB', 'LG', unit].includes(me.unit)) {
      const owners = [...new Set([unit, ...UNITS.filter(u => u !== 'LG')].filter(Boolean))];
      body.append(h('details', { id: 'raise-problem' }, h('summary', t('problems.raise')),
        submitting(h('form.form', { id: 'raise-problem-form' },
          field(t('problems.description'), textarea('description', '', { required: true, maxlength: 1000 })),
          field(t('problems.owner'), select('owner', owners.map(u => [`unit:${u}`, unitName(u)]), { required: true })),
          h('div.full', h('button.primary', { type: 'submit' }, t('problems.raise')))),
        v => api.post(`${base}/problems`, { description: v.description, owner: v.owner }),
        (_, out) => { out.append(notice(t('problems.raised_notice'))); setTimeout(again, 600); })));
    }
    if (params && params.get('todo') === 'resolve_problem') {
      const wanted = params.get('problem');
      setTimeout(() => {
        const form = document.querySelector(`#card-problems form.resolve-form[data-problem="${CSS.escape(wanted || '')}"]`)
          || document.querySelector('#card-problems form.resolve-form');
        (form || document.getElementById('card-problems')).scrollIntoView({ block: 'start' });
        if (form) form.querySelector('textarea').focus();
      }, 0);
    }
    return body;
  }, { id: 'card-problems' });
}

// The project's other documents (the contract's versions, the accounting report), where the user may read them.
async function otherDocuments(project) {
  const rows = [];
  const p = `/api/projects/${enc(project.id)}`;
  try {
    const c = await api.get(`${p}/contract`);
    for (const v of c.versions || []) rows.push([t('file.contract_version'), `${fill(t('version.nth'), { n: v.version })} · ${t(`version.${v.status}`, v.status)}`, when(v.drafted_at || v.at)]);
  } catch (e) { /* not drafted, or not for this reader */ }
  try {
    const a = await api.get(`${p}/accounting`);
    if (a.report) rows.push([t('file.accounting_report'), 'Word / PDF', when(a.report.issued_at)]);
  } catch (e) { /* not yet, or not for this reader */ }
  return rows.length ? h('div', h('h3', t('file.other_documents')), table([t('file.kind'), '', t('project.at')], rows, { id: 'documents-table' })) : '';
}

// -- print views ---------------------------------------------------------------------------------------------------
function printChrome(main, title, landscape) {
  document.body.classList.add('print-view');
  document.body.classList.toggle('print-landscape', Boolean(landscape));
  main.append(h('div.print-actions.no-print', h('button.primary', { type: 'button', id: 'print-now', onclick: () => window.print() }, t('print.now')),
    ' ', h('button', { type: 'button', onclick: () => history.back() }, t('common.back'))));
  main.append(h('h1.print-title', title));
}

export async function printLedger(main, params) {
  const book = params.get('book') || 'information';
  const query = new URLSearchParams(params);
  query.set('book', book);
  query.set('limit', '500');
  const page = await api.get(`/api/ledger?${query}`);
  printChrome(main, `${t(`ledger.book.${book}`)}`, true);
  const today = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', dateStyle: 'long' }).format(new Date());
  main.append(h('p.print-meta', `${t('print.as_of')}：${today} · ${t('common.total')} ${page.total}`),
    table([t('print.no'), t('lead.ref'), t('lead.project_name'), t('lead.investor'), t('ledger.unit'), t('ledger.state'),
      t('ledger.investment'), t('file.land'), t('ledger.next_due'), t('print.progress'), t('ledger.flags')],
    page.items.map((r, i) => [String(i + 1), r.ref, r.name, r.investor_name || '—', unitName(r.responsible_unit), r.state_name || stateName(r.state),
      wan(r.total_investment), mu(r.land_mu), r.next_due || '—', (r.last_progress || {}).summary || '—', (r.red_flags || []).join('；') || '—']),
    { id: 'print-ledger', class: 'print-table' }));
}

export async function printProject(main, id) {
  const project = await api.get(`/api/projects/${enc(id)}`);
  printChrome(main, `${t('file.title')}：${project.name}`, false);
  main.append(basicCard(project), h('section.card', h('h2', t('project.timeline')),
    table([t('project.at'), t('project.event'), t('project.actor'), t('project.reason')],
      project.timeline.map(s => [when(s.at), s.to_state ? `${stateName(s.from_state)} → ${stateName(s.to_state)}` : t(`event.${s.kind}`, s.summary),
        personName(s.actor), s.reason || '']), { class: 'print-table' })),
  attachmentsCard(project, () => {}));
}

// 呈批件 (a decision) and 审批单 (the review's conclusion): the figures, the route or the opinions, and blocks for
// the signatures on paper.
export async function printApproval(main, params, id) {
  const kind = params.get('kind') === 'review' ? 'review' : 'decision';
  const project = await api.get(`/api/projects/${enc(id)}`);
  const b = project.basic || {};
  printChrome(main, kind === 'review' ? t('approval.review_title') : t('approval.decision_title'), false);
  const rows = [[t('lead.project_name'), project.name], [t('lead.ref'), project.ref], [t('file.investor'), b.investor_name || '—'],
    [t('file.total'), wan(b.planned_total_investment)], [t('file.fai'), wan(b.fixed_asset_investment)], [t('file.land'), mu(b.land_mu)],
    [t('file.location'), b.location_name || b.location || '—'], [t('file.unit'), unitName(b.responsible_unit)]];
  let matter = [], signers = [];
  if (kind === 'review') {
    const r = await api.get(`/api/projects/${enc(id)}/review`);
    matter = [[t('review.outcome'), t(`review.outcome.${r.outcome}`, r.outcome || t('approval.pending'))],
      ...r.opinions.map(o => [unitName(o.unit), `${t(`review.opinion.${o.opinion}`, o.opinion)} ${[...(o.conditions || []), ...(o.reasons || [])].join('；')}`])];
    signers = [t('approval.sign.ipb_director'), t('approval.sign.leader')];
  } else {
    const n = await api.get(`/api/projects/${enc(id)}/negotiation`);
    const route = n.route || {};
    matter = [[t('project.route.decides'), (route.decides || []).map(posName).join('、') || '—'],
      [t('project.route.signs'), posName(route.signs)], [t('approval.reasons'), (route.reasons || []).join('；') || '—'],
      [t('approval.agreed'), ((n.sessions || []).flatMap(s => s.agreed || [])).join('；') || '—']];
    signers = (route.decides || []).map(posName);
  }
  main.append(h('table.approval', { id: 'approval-form' }, h('tbody',
    [...rows, ...matter].map(([k, v]) => h('tr', h('th', k), h('td', v))),
    h('tr', h('th', t('approval.proposed')), h('td.sign-space', '')),
    (signers.length ? signers : [t('approval.sign.leader')]).map(who => h('tr.signature', h('th', who),
      h('td', h('div.sign-line', `${t('approval.signature')}：`), h('div.sign-line', `${t('approval.date')}：　　年　　月　　日`)))))));
}
