// The pieces every page is made of: refusals in the user's language, cards that load on their own,
// forms that submit to the API, form fields (with repeatable rows), names of units and positions, dates.
import { h, clear, formValues } from './dom.js';
import { t } from './i18n.js';
import * as api from './api.js';

// -- refusals ---------------------------------------------------------------------------------------
// "{who}" in a text filled from vars: fill(t('step.waiting'), { who: 'LEGAL' }).
export const fill = (text, vars = {}) => text.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));

// What a refusal means beyond the server's words (which are in the user's language): terminating without a special
// report cited (the field's rule is only "required") says that the report to the Leading Group comes first (R11).
const EXPLAIN = [
  [/^(required|必填)$/, () => t('explain.no_special_report'), 'special_report_ref'],
];

export function explanations(err) {
  const out = [];
  for (const [name, rules] of Object.entries(err.details || {})) {
    for (const rule of Array.isArray(rules) ? rules : []) {
      for (const [re, say, only] of EXPLAIN) {
        if (only && only !== name) continue;
        const m = re.exec(String(rule));
        if (m) { out.push(say(m)); break; }
      }
    }
  }
  return out;
}

// Who may do an operation of the authorization table, in the user's language (the rule as /api/me/operations
// serves it): "此操作由 县招商局 办理".
let rules = {};
export const setRules = r => { rules = r || {}; };
export function whoMay(operation) {
  const rule = rules[operation];
  if (!rule) return null;
  const names = [...(rule.positions || []).map(p => placeholder(p) || posName(p)),
    ...(rule.units || []).map(u => placeholder(u) || unitName(u))];
  return fill(t('error.who_may'), { who: [...new Set(names)].join('、') });
}
const placeholder = p => (p.includes('{') ? t(`rule.${p.replace(/[^a-z_]/g, '')}`, p) : (p.endsWith(':*') ? t(`rule.any.${p.slice(0, -2)}`, p) : null));

export function refusal(err) {
  const code = err.code || 'other';
  const label = t(`error.${code}`, t('error.other'));
  // the fields a bad input names, each with its rules (other refusals' details are codes: the message says it)
  const details = code === 'invalid_input' ? Object.entries(err.details || {}) : [];
  const meaning = explanations(err);
  const operation = (err.details || {}).operation;
  if (code === 'not_allowed' && typeof operation === 'string' && whoMay(operation)) meaning.unshift(whoMay(operation));
  else if (code === 'not_allowed') meaning.unshift(t('error.not_yours'));
  return h('div.refusal', { role: 'alert', 'data-error': code, 'data-status': err.status },
    h('div.code', label),
    meaning.length ? h('ul.explain', meaning.map(x => h('li', x))) : null,
    h('div.rule', h('span.label', t('error.rule')), h('span', err.message || '')),
    details.length ? h('ul', details.map(([f, rules]) =>
      h('li', { 'data-field': f }, h('span.label', t('error.field')), h('span.field-name', fieldName(err, f)), ' → ',
        h('span', Array.isArray(rules) ? rules.map(ruleText).join('；') : ruleText(rules))))) : null);
}

// A field of a refusal by its name (the API names each: err.fields); the code stays in data-field.
const fieldName = (err, f) => (err.fields || {})[f] || t(`field.${f}`, f);
// A rule as text: the API's words (a name, a count, a list of names) — an object says its own message.
function ruleText(rule) {
  if (rule === null || rule === undefined) return '';
  if (Array.isArray(rule)) return rule.map(ruleText).join('、');
  if (typeof rule === 'object') return rule.message || Object.values(rule).map(ruleText).join('、');
  return String(rule);
}

export const notice = text => h('div.notice', { role: 'status' }, text);
export const unavailable = () => h('p.muted.unavailable', t('common.unavailable'));
export const stateTag = (s, attrs = {}) => h('span.tag', { 'data-state': s, ...attrs }, t(`state.${s}`, s || '—'));

// A card whose body loads on its own; a failure shows in the card (404: nothing yet), never breaks the page.
// While it loads the card carries data-loading (screenshots wait for no card to have it).
export function card(title, load, attrs = {}) {
  const body = h('div', h('p.muted', t('common.loading')));
  const el = h('section.card', { ...attrs, 'data-loading': 'true' }, h('h2', title), body);
  Promise.resolve().then(load).then(content => { clear(body); if (content) body.append(content); }).catch(err => {
    clear(body);
    if (err instanceof api.ApiError && err.status === 404) body.append(h('p.muted', t('project.not_yet')));
    else if (err instanceof api.ApiError && err.status === 403) body.append(h('p.muted', t('project.not_for_you')));
    else if (err instanceof api.ApiError) body.append(refusal(err));
    else { body.append(unavailable()); console.error(err); }
  }).finally(() => el.removeAttribute('data-loading'));
  return el;
}

// Submit a form to the API: the refusal (or the success notice) shows above the button; a refusal naming fields
// (422 details) is also shown at each field.  Options: confirm(values) -> the lines of a summary shown before an
// irreversible step (a decision, a signature, a filing), sent only once confirmed; final: the form is then shown
// read-only with its outcome.
export function submitting(form, action, onDone, { confirm, final } = {}) {
  const out = h('div.result');
  form.append(out);
  const send = async (values, button) => {
    if (button) button.disabled = true;
    try {
      const answer = await action(values);
      if (final) readOnly(form);
      if (onDone) await onDone(answer, out);
    } catch (err) {
      const error = err instanceof api.ApiError ? err : { code: 'other', message: String(err) };
      markFields(form, error);
      out.append(refusal(error));
    } finally {
      if (button && !form.classList.contains('submitted')) button.disabled = false;
    }
  };
  form.addEventListener('submit', e => {
    e.preventDefault();
    clear(out);
    clearMarks(form);
    const values = formValues(form);
    const button = form.querySelector('button[type=submit]');
    if (!confirm) { send(values, button); return; }
    const lines = confirm(values);
    out.append(h('div.confirm', { role: 'alertdialog' },
      h('p.confirm-title', t('confirm.title')), h('ul', lines.filter(Boolean).map(x => h('li', x))),
      h('p.hint', t('confirm.irreversible')),
      h('div.inline', h('button.primary.confirm-yes', { type: 'button', onclick: () => { clear(out); send(values, button); } },
        t('confirm.yes')), h('button.confirm-no', { type: 'button', onclick: () => clear(out) }, t('confirm.no')))));
  });
  return form;
}

function readOnly(form) {
  form.classList.add('submitted');
  for (const el of form.elements) el.disabled = true;
}

function clearMarks(form) {
  for (const el of form.querySelectorAll('.field-error')) el.remove();
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
}

// The fields a refusal names (details: "land_demand.value", "investor.name", "file.content" …) marked in place.
function markFields(form, err) {
  for (const [name, rules] of Object.entries(err.details || {})) {
    const parts = String(name).split('.');
    const candidates = [name, parts.join('_'), parts[parts.length - 1], parts[0], `${parts[0]}_${parts[parts.length - 1]}`];
    const el = candidates.map(n => form.querySelector(`[name="${CSS.escape(n)}"]`)).find(Boolean);
    if (!el) continue;
    el.setAttribute('aria-invalid', 'true');
    const text = Array.isArray(rules) ? rules.map(ruleText).join('；') : ruleText(rules);
    (el.closest('.inline') || el).after(h('div.field-error', { 'data-field': name, role: 'alert' }, `${t('error.at_field')}${text}`));
  }
}

// -- fields -------------------------------------------------------------------------------------------
let ids = 0;
export const field = (label, input) => [h('label', { for: input.id || undefined }, label), input];
export const lines = text => (text || '').split('\n').map(s => s.trim()).filter(Boolean);
export const select = (name, options, attrs = {}) => h('select', { name, id: `f-${name}`, ...attrs },
  options.map(([value, label]) => h('option', { value, selected: attrs.value === value }, label)));
export const input = (name, attrs = {}) => h('input', { name, id: `f-${name}`, ...attrs });
export const textarea = (name, value = '', attrs = {}) => {
  const el = h('textarea', { name, id: `f-${name}`, ...attrs });
  el.value = value;
  return el;
};
export const submit = (label, attrs = {}) => h('div.full', h('button.primary', { type: 'submit', ...attrs }, label));

// Repeatable rows (participants, obligations, copies): columns [{name, label, make(value) -> input}].
// values() gives one object per row whose first column is filled in.
export function rows(name, columns, initial, { addLabel } = {}) {
  const body = h('tbody');
  const addRow = (value = {}) => {
    const tr = h('tr.row', columns.map(c => h('td', { 'data-label': c.label }, c.make(value[c.name] === undefined ? '' : value[c.name], c))),
      h('td', h('button.remove', { type: 'button', title: t('common.remove'), onclick: () => { tr.remove(); renumber(); } }, '×')));
    body.append(tr);
    renumber();
  };
  const renumber = () => columns.forEach(c => {
    if (c.auto) [...body.querySelectorAll(`[data-col=${c.name}]`)].forEach((el, i) => { el.value = String(i + 1); });
  });
  initial.forEach(addRow);
  const el = h('div.rows', { 'data-rows': name, id: `rows-${name}` },
    h('table', h('thead', h('tr', columns.map(c => h('th', c.label)), h('th', ''))), body),
    h('button.add', { type: 'button', 'data-add': name, onclick: () => addRow() }, `+ ${addLabel || t('common.add_row')}`));
  const values = () => [...body.querySelectorAll('tr.row')].map(tr => Object.fromEntries(columns.map(c =>
    [c.name, tr.querySelector(`[data-col=${c.name}]`).value.trim()]))).filter(v => v[columns[0].name]);
  return { el, values };
}

// A cell of a row: an input (or a select of options) that knows its column.
export const cell = (attrs = {}) => (value, c) => h('input', { 'data-col': c.name, value, 'aria-label': c.label, ...attrs });
export const cellSelect = options => (value, c) => h('select', { 'data-col': c.name, 'aria-label': c.label },
  options().map(([v, label]) => h('option', { value: v, selected: v === value }, label)));
export const datalist = (id, values) => h('datalist', { id: `list-${id}-${++ids}` }, values.map(v => h('option', { value: v })));

// -- amounts ----------------------------------------------------------------------------------------------
// Amounts as a county office types them: in 万元 by default (the select beside the field says which; 元 for an exact
// figure to the fen, 亿元), or with 亿/万/元 written after the figure ("1.5亿", "9000万"); sent to the API in yuan.
const SCALE = { '亿': 100000000n, '万': 10000n, '元': 1n, '亿元': 100000000n, '万元': 10000n };
export function amountInput(name, { required = false, yuan = null, perMu = false } = {}) {
  const unit = perMu ? [['万元', t('unit.wan_per_mu')], ['元', t('unit.yuan_per_mu')]]
    : [['万元', t('unit.wan')], ['元', t('unit.yuan')], ['亿元', t('unit.yi')]];
  return h('div.inline', input(name, { required, inputmode: 'decimal', placeholder: t('lead.amount_hint'),
    value: yuan === null || yuan === undefined || yuan === '' ? '' : toWan(yuan) }),
  select(`${name}_unit`, unit, { 'aria-label': t('lead.amount_unit') }));
}
// 810000.00 (yuan) -> "81" (万元), exact: up to 6 places.
export const toWan = yuan => {
  const m = /^\s*(\d+)(?:\.(\d{1,2}))?\s*$/.exec(String(yuan));
  if (!m) return String(yuan);
  const fen = BigInt(m[1]) * 100n + BigInt((m[2] || '').padEnd(2, '0'));
  const whole = fen / 1000000n, rest = String(fen % 1000000n).padStart(6, '0').replace(/0+$/, '');
  return rest ? `${whole}.${rest}` : String(whole);
};
// "1.5亿" -> "150000000"; a figure with its unit chosen beside it; anything else stays as typed (the API says why).
export function toYuan(text, unit) {
  const m = /^\s*([0-9]+(?:\.[0-9]+)?)\s*(亿元|万元|亿|万|元)?\s*$/.exec(String(text).replace(/[,，]/g, ''));
  if (!m) return text;
  const scale = SCALE[m[2] || unit] || 1n;
  const [whole, frac = ''] = m[1].split('.');
  const digits = BigInt(whole + frac.padEnd(8, '0').slice(0, 8)) * scale;
  const yuan = digits / 100000000n, rest = digits % 100000000n;
  const cents = rest ? `.${String(rest).padStart(8, '0').slice(0, 2)}` : '';
  return `${yuan}${cents === '.00' ? '' : cents}`;
}
// The amounts of a form's values (each with its unit beside it) in yuan; an empty one is null.
export const yuanOf = (v, names) => Object.fromEntries(names.map(n => [n, v[n] ? toYuan(v[n], v[`${n}_unit`]) : null]));

// -- units, positions, dates ------------------------------------------------------------------------------
export const UNITS = ['IPB', 'LG', 'DRB', 'IND', 'FIN', 'EPB', 'LAND', 'PLAN', 'AUDIT', 'LEGAL', 'GOV', 'ARCH',
  'PARK:hengdong', 'PARK:hexi', 'TOWN:xintang', 'TOWN:shiwan', 'TOWN:yangqiao'];
export const POSITIONS = ['ipb_clerk', 'ipb_director', 'ipb_deputy_director', 'ipb_admin', 'reviewer', 'bureau_head',
  'clerk', 'archivist', 'auditor', 'legal_officer', 'legal_director', 'gov_office_director', 'park_head:hengdong',
  'park_head:hexi', 'park_reviewer:hengdong', 'park_reviewer:hexi', 'park_clerk', 'town_head', 'county_leader_in_charge',
  'deputy_magistrate_investment', 'county_magistrate', 'party_secretary'];
export const unitName = code => (code ? t(`unit.${code}`, code) : '—');
export const posName = code => (code ? t(`pos.${code}`, code) : '—');
// A person by user id: their name from /api/people/names (loaded once), else the position's name.
let people = {};
export const setPeople = p => { people = p || {}; };
export const personName = actor => {
  if (!actor) return '—';
  const known = people[actor.user_id];
  if (actor.user_id === 'system') return t('person.system');
  const name = (known && known.name) || (actor.name && actor.name !== actor.user_id ? actor.name : null);
  const position = actor.position || (known && known.position);
  if (!position) return name || actor.name || '—';
  return name ? `${name}（${posName(position)}）` : `${posName(position)}（${unitName(actor.unit || (known && known.unit))}）`;
};
// A session's participant: the person's name where given, the position (its unit where the position does not say it).
export const participantName = q => {
  const position = posName(q.position);
  // 县法制办 + 法制办主任 reads 县法制办主任, 县国土资源局 + 局长 县国土资源局局长: the unit is not named twice
  const unit = unitName(q.unit), short = unit.replace(/^县/, '');
  const who = q.position && q.position.includes(':') ? position
    : `${unit}${short && position.startsWith(short) ? position.slice(short.length) : position}`;
  return q.name ? `${q.name}（${who}）` : who;
};
// An accounting figure's value as a person reads it: money in 万元, land in 亩 (the unit column names it).
export const figureValue = f => (f.unit === 'yuan' || f.unit === 'yuan/mu'
  ? (Number(f.value) / 10000).toLocaleString('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 6 }) : f.value);
export const positionOptions = (extra = []) => [...new Set([...POSITIONS, ...extra.filter(Boolean)])].map(p => [p, posName(p)]);
export const unitOptions = (extra = []) => [...new Set([...UNITS, ...extra.filter(Boolean)])].map(u => [u, unitName(u)]);

// Today's date in Asia/Shanghai (R16), as YYYY-MM-DD; plus whole months for sensible default dates.
export const today = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
export function addMonths(iso, months) {
  const [y, m, d] = iso.split('-').map(Number);
  const date = new Date(Date.UTC(y, m - 1 + months, 1));
  const last = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
  date.setUTCDate(Math.min(d, last));
  return date.toISOString().slice(0, 10);
}
