// Zhaoshang web app: one page, hash routes; /catalog (public, no sign-in) and /api/docs by path.
// Every refusal of the API ({error, message, details}) is shown with a label in the user's language
// beside the rule the server names (the rule's text is the server's own, in English).
import { h, clear, table, formValues } from './dom.js';
import { t, loadLanguage, otherLanguage, stateName, duration, when, money } from './i18n.js';
import * as api from './api.js';
import { barChart, hBarChart } from './charts.js';
import { renderApiDocs } from './apidocs.js';
import {
  refusal, notice, unavailable, stateTag, card, submitting, field, select, input, unitName, posName, fill, participantName,
  figureValue, amountInput, yuanOf,
} from './ui.js';
import { nextSteps, opinionForm, decisionForm, signForm, downloadButton, custodianForm, isHead } from './lifecycle.js';
import { usersPage } from './admin.js';
import {
  workbenchPage, inboxPage, searchPage, reservePage, searchBox, refreshBadge, basicCard, attachmentsCard, problemsCard, printLedger,
  printProject, printApproval, wan, STATES, UNITS_FOR_FILTER,
} from './workbench.js';
import { setRules, setPeople, personName } from './ui.js';
import { rosterPage, eventsPage, eventPage, effectivenessPage, assessmentPage } from './leadership.js';
import { landPage, parcelPage, parcelsCard } from './landreserve.js';
import { standardLandCard } from './standardland.js';
import { benefitCardPage, benefitPage, outcomesSection, plannedForecast } from './benefit.js';

export { refusal };
const main = document.getElementById('main');
const enc = encodeURIComponent;
const AFTER_SIGNING = ['filed_copies', 'construction', 'accounting', 'closed', 'archived'];

// -- pages ---------------------------------------------------------------------------------------
async function dashboard() {
  const year = new Date().getFullYear();
  main.append(h('h1', t('nav.dashboard')), h('div.grid',
    card(t('dash.by_state'), async () => {
      const page = await api.get('/api/projects?limit=500');
      const items = Object.entries(page.by_state || {}).map(([s, n]) => ({ label: stateName(s), value: n }));
      return h('div', h('p', t('dash.projects_total'), ': ', h('span.big', { id: 'projects-total' }, page.total)),
        items.length ? barChart(items, { title: t('dash.by_state') }) : h('p.muted', t('common.none')));
    }, { id: 'card-by-state' }),
    card(t('dash.red_flags'), redFlags, { id: 'card-red-flags' }),
    card(t('dash.reserve'), async () => {
      const path = await api.findPath(p => /reserve/.test(p) && /plan/.test(p));
      if (!path) return unavailable();
      const plan = await api.get(path.includes('{year}') ? path.replace('{year}', year) : `${path}?year=${year}`);
      return h('div', h('p', `${t('dash.year')} ${plan.year}: ${t('dash.minimum')} ${plan.minimum_per_tier}, ${t('dash.shortfall')} ${plan.shortfall}`),
        hBarChart((plan.tiers || []).map(x => ({ label: x.label || x.tier, value: x.count, minimum: x.minimum })),
          { title: t('dash.reserve') }));
    }, { id: 'card-reserve' }),
    card(t('dash.targets'), async () => {
      const path = await api.findPath(p => /targets/.test(p) && !/import|summary/.test(p));
      if (!path) return unavailable();
      const data = await api.get(path.includes('{year}') ? path.replace('{year}', year) : `${path}?year=${year}`);
      const units = data.units || [];
      if (!units.length) return h('p.muted', t('common.none'));
      return table([t('ledger.unit'), t('dash.projects_signed'), t('dash.contracted_investment'), t('dash.funds_in_place')], units.map(u => [u.unit_name || u.unit,
        ...['projects_signed', 'contracted_investment', 'funds_in_place'].map(k => {
          const rate = (u.rate || {})[k];
          return rate === null || rate === undefined ? '—' :
            h('div', `${rate}%`, h('div.progress', h('span', { style: `width:${Math.min(100, Number(rate))}%` })));
        })]));
    }, { id: 'card-targets' }),
    card(t('dash.stalled'), async () => {
      const groups = await api.get('/api/tracking/stalled');
      return hBarChart(groups.map(g => ({ label: g.label, value: g.count })), { title: t('dash.stalled') });
    }, { id: 'card-stalled' })));
}

async function redFlags() {
  const ledger = await api.findPath(p => p === '/api/ledger');
  let rows = [];
  if (ledger) {
    const page = await api.get(`${ledger}?limit=500`);
    rows = page.items.filter(r => (r.red_flags || []).length || r.overdue || r.stale).map(r => [
      h('a', { href: `#/projects/${enc(r.project_id)}` }, r.ref), r.name, stateName(r.state),
      h('span', (r.red_flags || []).map(f => h('span.flag', f)), r.overdue ? h('span.flag', t('dash.overdue')) : null,
        r.stale ? h('span.flag', t('dash.stale')) : null)]);
  } else {
    const groups = await api.get('/api/tracking/stalled');
    for (const g of groups) for (const i of g.items) if (i.stale || i.open_problems) rows.push([
      h('a', { href: `#/projects/${enc(i.project_id)}` }, i.ref || i.project_id), i.name || '', stateName(i.state),
      h('span', i.stale ? h('span.flag', t('dash.stale')) : null, `${i.days_in_state}${t('dur.d')}`)]);
  }
  return rows.length ? table([t('lead.ref'), t('lead.project_name'), t('ledger.state'), t('ledger.flags')], rows)
    : h('p.muted', t('dash.no_flags'));
}

async function ledgerPage(params) {
  main.append(h('h1', t('ledger.title')));
  const path = await api.findPath(p => p === '/api/ledger');
  if (!path) { main.append(h('section.card', unavailable())); return; }
  const exportPath = await api.findPath(p => /ledger/.test(p) && /xlsx|workbook|export/.test(p));
  const book = params.get('book') || 'information';
  const tabs = h('div.tabs', ['information', 'negotiation', 'contracted'].map(b =>
    h('button', { type: 'button', class: b === book ? 'active' : '', onclick: () => go(`#/ledger?book=${b}`) }, t(`ledger.book.${b}`))));
  const filters = h('form.inline', { id: 'ledger-filters' },
    select('unit', [['', `${t('ledger.unit')}：${t('common.all')}`], ...UNITS_FOR_FILTER.map(u => [u, unitName(u)])],
      { value: params.get('unit') || '', 'aria-label': t('ledger.unit') }),
    select('state', [['', `${t('ledger.state')}：${t('common.all')}`], ...STATES.map(x => [x, stateName(x)])],
      { value: params.get('state') || '', 'aria-label': t('ledger.state') }),
    input('sector', { placeholder: t('ledger.sector'), value: params.get('sector') || '', size: 8, 'aria-label': t('ledger.sector') }),
    select('tier', [['', `${t('ledger.tier')}：${t('common.all')}`], ...['A', 'B', 'C'].map(x => [x, `${t('ledger.tier')} ${x}`])],
      { value: params.get('tier') || '', 'aria-label': t('ledger.tier') }),
    h('label', input('key', { type: 'checkbox', checked: params.get('key') === 'true' }), t('ledger.key')),
    h('label', input('overdue', { type: 'checkbox', checked: params.get('overdue') === 'true' }), t('ledger.overdue_only')),
    h('button.primary', { type: 'submit' }, t('common.filter')),
    exportPath ? h('button', { type: 'button', id: 'ledger-export', onclick: async e => {
      try { await api.download(`${exportPath}?${query()}`, 'ledger.xlsx'); } catch (err) { e.target.after(refusal(err)); }
    } }, t('ledger.export')) : null,
    h('a.button', { id: 'ledger-print', href: `#/print/ledger?${new URLSearchParams(params)}` }, t('print.ledger')));
  const query = () => {
    const q = new URLSearchParams({ book });
    const v = formValues(filters);
    for (const k of ['unit', 'state', 'sector', 'tier']) if (v[k]) q.set(k, v[k]);
    if (v.key) q.set('key', 'true');
    if (v.overdue) q.set('overdue', 'true');
    return q.toString();
  };
  filters.addEventListener('submit', e => { e.preventDefault(); go(`#/ledger?${query()}`); });
  main.append(tabs, h('section.card', filters));
  main.append(card(t(`ledger.book.${book}`), async () => {
    const page = await api.get(`${path}?${query()}&limit=500`);
    return h('div', h('p.muted', `${t('common.total')}: ${page.total}`),
      table([t('lead.ref'), t('lead.project_name'), t('ledger.unit'), t('ledger.leader'), t('ledger.state'), t('project.time_in_state'),
        t('ledger.investment'), t('ledger.tier'), t('ledger.benefit'), t('ledger.next_due'), t('ledger.flags')],
      page.items.map(r => [h('a', { href: `#/projects/${enc(r.project_id)}` }, r.ref), r.name,
        r.responsible_unit_name || unitName(r.responsible_unit),
        h('span.leader', (r.responsible_leader || {}).name || '—'),
        r.state_name || stateName(r.state), r.time_in_state_days === null ? '—' : `${r.time_in_state_days}${t('dur.d')}`,
        h('td.num', r.total_investment == null ? '—' : money(Number(r.total_investment) / 10000)), r.tier || '—',
        r.benefit ? fill(t(r.benefit.grade === 'T' ? 'ledger.benefit_t' : 'ledger.benefit_grade'), r.benefit) : '—', r.next_due || '—',
        h('span', (r.red_flags || []).map(f => h('span.flag', f)))]), { id: 'ledger-table' }));
  }));
}

async function leadsPage(params) {
  const status = params.get('status') || '';
  main.append(h('h1', t('leads.title'), ' ', h('a.button', { href: '#/leads/new', id: 'new-lead' }, t('leads.new'))),
    h('div.tabs', ['', 'lead', 'filed', 'closed'].map(s => h('button', { type: 'button', class: s === status ? 'active' : '',
      onclick: () => go(`#/leads${s ? '?status=' + s : ''}`) }, s ? t(`leads.status.${s}`) : t('common.all')))),
    card(t('leads.title'), async () => {
      const page = await api.get(`/api/leads?limit=200${status ? '&status=' + status : ''}`);
      return table([t('lead.ref'), t('lead.project_name'), t('lead.investor'), t('lead.sector'), t('lead.land_mu'), t('leads.status')],
        page.items.map(l => [h('a', { href: `#/leads/${enc(l.id)}` }, l.ref), l.project_name, (l.investor || {}).name,
          l.sector_name || l.sector, h('td.num', l.land_mu), t(`leads.status.${l.status}`, l.status)]), { id: 'leads-table' });
    }));
}

function newLeadPage() {
  const form = h('form.form', { id: 'lead-form' },
    field(t('lead.project_name'), input('project_name', { required: true })),
    field(t('lead.investor'), input('investor_name', { required: true })),
    field(t('lead.investor_kind'), select('investor_kind', [['domestic', t('lead.kind.domestic')], ['foreign', t('lead.kind.foreign')]])),
    field(t('lead.credit_code'), input('credit_code', { maxlength: 18 })),
    field(t('lead.contact'), input('contact_name', { required: true })),
    field(t('lead.phone'), input('contact_phone', { required: true })),
    field(t('lead.email'), input('contact_email', { type: 'email' })),
    field(t('lead.sector'), sectorInput('sector', { required: true })),
    field(t('lead.total'), amountInput('planned_total_investment', { required: true })),
    field(t('lead.fai'), amountInput('planned_fixed_asset_investment', { required: true })),
    field(t('lead.land'), h('div.inline', input('land_value', { required: true, inputmode: 'decimal' }),
      select('land_unit', [['mu', t('unit.mu')], ['m2', t('unit.m2')], ['ha', t('unit.ha')]]))),
    field(t('lead.annual_output'), amountInput('planned_annual_output')),
    field(t('lead.annual_tax'), amountInput('planned_annual_tax')),
    field(t('lead.annual_energy'), input('planned_annual_energy', { inputmode: 'decimal' })),
    field(t('lead.location'), h('div.inline', select('location_kind', [['park', t('lead.loc.park')], ['town', t('lead.loc.town')], ['open', t('lead.loc.open')]]),
      select('location_id', [['', t('lead.loc.choose')], ...PLACES.map(p => [p, unitName(p.startsWith('h') ? `PARK:${p}` : `TOWN:${p}`)])]))),
    field(t('lead.source'), select('source_channel', ['fair', 'visit', 'referral', 'intermediary', 'online', 'other'].map(
      c => [c, t(`channel.${c}`)]))),
    field(t('lead.notes'), h('textarea', { name: 'notes', id: 'f-notes' })),
    field(t('lead.confirmed_new'), input('confirmed_new', { type: 'checkbox' })),
    h('div.full', h('button.primary', { type: 'submit' }, t('common.submit'))));
  submitting(form, v => api.post('/api/leads', {
    ...yuanOf(v, ['planned_total_investment', 'planned_fixed_asset_investment', 'planned_annual_output', 'planned_annual_tax']),
    planned_annual_energy: v.planned_annual_energy || null,
    investor: { name: v.investor_name, kind: v.investor_kind, credit_code: v.credit_code || null },
    contact: { name: v.contact_name, phone: v.contact_phone, email: v.contact_email || null },
    project_name: v.project_name, sector: sectorCode(v.sector),
    land_demand: { value: v.land_value, unit: v.land_unit },
    preferred_location: { kind: v.location_kind, id: v.location_kind === 'open' ? null : (v.location_id || null) },
    source_channel: v.source_channel, notes: v.notes || null, confirmed_new: v.confirmed_new,
  }), lead => go(`#/leads/${enc(lead.id)}?registered=1`));
  main.append(h('h1', t('leads.new')), h('section.card', form));
}

// A park or town is picked by its name; amounts are typed in 万元 (ui.js amountInput, sent in yuan).
const PLACES = ['hengdong', 'hexi', 'xintang', 'shiwan', 'yangqiao'];

// The sector picked by its GB/T 4754-2017 name: as the user types (a name's characters or a code), the list offers
// the matching sectors of /api/sectors, each "name（code）" in the user's language; the form sends the code.
export function sectorList(id = 'sector-list') {
  const list = h('datalist', { id });
  let asked = null;
  const offer = async q => {
    if (q === asked) return;
    asked = q;
    try {
      const found = await api.get(`/api/sectors?limit=30&q=${enc(q)}`, { anonymous: true });
      if (q !== asked) return;
      clear(list);
      list.append(...found.map(x => h('option', { value: x.label })));
    } catch (e) { /* the list stays as it was */ }
  };
  list.offer = offer;
  offer('');
  return list;
}
export function sectorInput(name = 'sector', attrs = {}) {
  const list = sectorList(`list-${name}`);
  const el = input(name, { list: list.id, autocomplete: 'off', placeholder: t('lead.sector_hint'), ...attrs });
  el.addEventListener('input', () => list.offer(sectorCode(el.value) === el.value.trim().toUpperCase() ? el.value.trim()
    : el.value.replace(/[（(].*$/, '').trim()));
  return h('div.inline', el, list);
}
// "铝压延加工（C3252）" or "C3252" -> "C3252"; anything else as typed (the API names the rule it breaks).
export const sectorCode = text => {
  const m = /[（(]\s*([A-Ta-t][0-9]{0,4})\s*[）)]\s*$/.exec(text || '') || /^\s*([A-Ta-t][0-9]{0,4})\s*$/.exec(text || '');
  return m ? m[1].toUpperCase() : (text || '').trim();
};

async function leadPage(params, id) {
  const lead = await api.get(`/api/leads/${enc(id)}`);
  main.append(h('h1', `${lead.ref} ${lead.project_name}`),
    params.get('registered') ? notice(t('leads.registered_ok')) : '',
    h('section.card', h('dl.kv', { id: 'lead-detail' },
      h('dt', t('leads.status')), h('dd', { id: 'lead-status', 'data-status': lead.status }, t(`leads.status.${lead.status}`, lead.status)),
      h('dt', t('lead.investor')), h('dd', (lead.investor || {}).name),
      h('dt', t('lead.sector')), h('dd', lead.sector_name || lead.sector),
      h('dt', t('lead.total')), h('dd', wan(lead.planned_total_investment)),
      h('dt', t('lead.fai')), h('dd', wan(lead.planned_fixed_asset_investment)),
      h('dt', t('lead.land_mu')), h('dd', lead.land_mu),
      h('dt', t('lead.location')), h('dd', lead.location_name || '—'))));
  main.append(parcelsCard(id));
  const forecast = plannedForecast(lead, lead.land_mu);
  if (forecast) main.append(forecast);
  if (lead.status === 'lead') {
    const form = h('form.form', { id: 'file-form' },
      field(t('leads.file_reason'), input('reason', { placeholder: '材料齐全' })),
      h('div.full', h('button.primary', { type: 'submit', id: 'file-lead' }, t('leads.file'))));
    submitting(form, v => api.post(`/api/leads/${enc(id)}/file`, { reason: v.reason || null }),
      () => go(`#/leads/${enc(id)}?filed=1`));
    main.append(h('section.card', h('h2', t('leads.file')), form));
  } else if (lead.status === 'filed') {
    main.append(params.get('filed') ? notice(t('leads.filed_ok')) : '',
      h('p', h('a.button', { href: `#/projects/${enc(id)}`, id: 'to-project' }, `${t('project.title')} ${lead.ref} →`)));
  }
}

async function projectsPage(params) {
  const state = params.get('state') || '';
  main.append(h('h1', t('nav.projects')), card(t('nav.projects'), async () => {
    const page = await api.get(`/api/projects?limit=500${state ? '&state=' + enc(state) : ''}`);
    return table([t('lead.ref'), t('lead.project_name'), t('project.state'), t('project.since')],
      page.items.map(p => [h('a', { href: `#/projects/${enc(p.id)}` }, p.ref), p.name, stateTag(p.state), when(p.state_since)]));
  }));
}

// After a step: show its notice on the page drawn again once the project has moved (mode 'state'), its
// timeline has grown ('activity'), or at once ('none'); events take a moment to reach the coordinator.
let flash = null;
const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));

async function follow(before, message, mode) {
  flash = message;
  if (mode !== 'none') {
    const until = Date.now() + (mode === 'state' ? 10000 : 5000);
    while (Date.now() < until) {
      await sleep(200);
      let now;
      try { now = await api.get(`/api/projects/${enc(before.id)}`); } catch (e) { break; }
      if (mode === 'state' ? now.state !== before.state : now.timeline.length !== before.timeline.length) break;
    }
  }
  await route();
}

const ORDER = ['lead', 'filed', 'under_review', 'returned', 'rejected', 'approved', 'assigned', 'negotiating', 'escalated',
  'refused', 'agreed', 'drafting', 'legal_review', 'signed', 'filed_copies', 'construction', 'accounting', 'closed', 'archived'];
const FIRST = Object.fromEntries([
  [['approved', 'assigned', 'negotiating', 'escalated', 'refused', 'agreed'], ['card-negotiation', 'card-route']],
  [['drafting', 'legal_review', 'signed', 'filed_copies'], ['card-contract', 'card-route']],
  [['construction', 'accounting', 'closed', 'archived'], ['card-accounting', 'card-contract']],
].flatMap(([states, ids]) => states.map(s => [s, ids])));
const FIGURES = ['actual_fixed_asset_investment', 'land_used', 'actual_intensity', 'contracted_intensity', 'reasonable_land',
  'excess_land', 'delisting_price', 'fee_to_recover'];

async function projectPage(params, id) {
  const p = `/api/projects/${enc(id)}`;
  const project = await api.get(p);
  const me = api.currentUser() || {};
  const message = flash;
  flash = null;
  const steps = h('div', { id: 'steps' });
  main.append(h('h1', `${project.ref} ${project.name} `, stateTag(project.state, { id: 'project-state' })),
    h('p.muted', `${t('project.since')} ${when(project.state_since)}`,
      project.facts && project.facts.responsible_unit ? ` · ${t('ledger.unit')}: ${unitName(project.facts.responsible_unit)}` : ''),
    h('div', { id: 'step-done' }, message ? notice(message) : ''),
    basicCard(project), steps);
  try {
    steps.append(...await nextSteps(project, { me, done: (text, mode) => follow(project, text, mode) }));
  } catch (err) {
    // a stage the reader may not read (LEGAL and a project's joint review): no step of it is theirs, as its card says
    if (!(err instanceof api.ApiError && err.status === 403)) {
      steps.append(err instanceof api.ApiError ? refusal(err) : refusal({ code: 'other', message: String(err) }));
    }
  }
  // a card of a later stage loads once the project has reached it (before: "not yet", no refused reads)
  const at = ORDER.indexOf(project.state);
  const reached = (stage, load) => () => (project.state === 'terminated' || at >= ORDER.indexOf(stage) ? load()
    : h('p.muted', t('project.not_yet')));
  const cards = [
      card(t('project.review'), async () => {
        const r = await api.get(`${p}/review`);
        return h('div',
          h('p', `${t('review.round')} ${r.round} · ${t('review.deadline')} ${r.deadline} · ${t('review.outcome')}: ${r.outcome ? t(`outcome.${r.outcome}`, r.outcome) : '—'}`,
            r.awaiting && r.awaiting.length ? ` · ${t('review.awaiting')}: ${r.awaiting.map(unitName).join('、')}` : ''),
          h('h3', t('project.findings')),
          table([t('review.check'), t('review.unit'), t('review.verdict'), t('review.reason')], r.findings.map(f =>
            [t(`check.${f.check}`, f.check), unitName(f.unit), h('span.tag', { class: f.verdict === 'ok' ? 'ok' : 'bad' }, t(`verdict.${f.verdict}`, f.verdict)), f.reason])),
          h('h3', t('project.opinions')),
          r.opinions.length ? table([t('review.round'), t('review.unit'), t('review.opinion'), t('review.conditions_read'), t('review.reasons_read'), t('project.at')],
            r.opinions.map(o => [o.round, unitName(o.unit), t(`review.opinion.${o.opinion}`, o.opinion), (o.conditions || []).join('；'),
              (o.reasons || []).join('；'), when(o.at)]), { id: 'opinions-table' }) : h('p.muted', { id: 'opinions-table' }, t('review.no_opinions')),
          (r.returns || []).length ? [h('h3', t('project.returns')), table([t('review.round'), t('review.unit'), t('step.return_request'),
            t('step.resubmit_note')], r.returns.map(x => [x.round, unitName(x.unit), x.request, x.resubmission_note || '—']), { id: 'returns-table' })] : null);
      }, { id: 'card-review' }),
      card(t('project.negotiation'), reached('approved', async () => {
        const n = await api.get(`${p}/negotiation`);
        const i = n.intermediary;
        return h('div',
          h('dl.kv', h('dt', t('step.intermediary')), h('dd', { id: 'negotiation-intermediary' },
            !i ? '—' : i.none ? t('step.intermediary_none') : `${i.name} ${i.contact || ''}`),
          h('dt', t('ledger.unit')), h('dd', { id: 'negotiation-unit' }, n.responsible_unit ? unitName(n.responsible_unit) : '—'),
          n.assignment_reason ? [h('dt', t('step.assign_reason')), h('dd', n.assignment_reason)] : null,
          h('dt', t('step.session_lead')), h('dd', n.session_lead ? posName(n.session_lead) : '—')),
          h('h3', t('project.sessions')),
          table(['#', t('step.held_on'), t('step.stage'), t('step.participants'), t('step.agreed'), t('step.open'), t('step.exceeding'), t('step.land')],
            (n.sessions || []).map(x => [x.seq, x.held_on, t(`stage.${x.stage}`, x.stage),
              x.participants.map(participantName).join('；'), x.agreed.join('；'),
              x.open.join('；'), x.exceeding_terms.join('；'), x.land_mu ? `${x.land_mu} ${t('unit.mu')}` : '—']), { id: 'sessions-table' }),
          (n.policy_terms || []).length ? [h('h3', t('project.policy_terms')),
            table(['', t('terms.policy_terms'), t('project.policy_exceeds'), t('ledger.state'), t('project.policy_recorded'),
              t('step.withdraw_reason')], n.policy_terms.map(x => [x.term_id, x.text,
              h('span.tag', { class: x.exceeds ? 'warn' : 'ok' }, x.exceeds ? t('project.policy_beyond') : t('project.policy_within')),
              t(`policy_term.${x.status}`, x.status), `${x.recorded_in} (${x.recorded_on})`,
              x.withdrawal_reason || '']), { id: 'policy-terms-table' })] : null,
          n.decided_terms ? [h('h3', t('project.decided_terms')), h('dl.kv', { id: 'decided-terms' },
            h('dt', t('terms.land_mu')), h('dd', n.decided_terms.land_mu),
            h('dt', t('terms.total')), h('dd', wan(n.decided_terms.total_investment)),
            h('dt', t('terms.fai')), h('dd', wan(n.decided_terms.fixed_asset_investment)),
            h('dt', t('terms.intensity')), h('dd', `${n.decided_terms.intensity_wan_per_mu} 万元/亩`))] : null);
      }), { id: 'card-negotiation' }),
      card(t('project.route'), reached('assigned', async () => {
        const r = await api.get(`${p}/decision-route`);
        return h('div', h('p', h('span.tag', { class: r.escalated ? 'warn' : 'ok' }, r.escalated ? t('project.route.escalated') : t('project.route.within'))),
          h('dl.kv', h('dt', t('project.route.decides')), h('dd', r.decides.map(posName).join('、')),
            h('dt', t('project.route.recommends')), h('dd', r.recommends ? posName(r.recommends) : '—'),
            h('dt', t('project.route.signs')), h('dd', posName(r.signs))),
          h('h3', t('project.route.reasons')), h('ul', r.reasons.map(x => h('li', x))),
          h('p', h('a', { href: '#/desk/decisions' }, `${t('nav.desk.decisions')} →`)));
      }), { id: 'card-route' }),
      card(t('project.contract'), reached('agreed', async () => {
        const c = await api.get(`${p}/contract`);
        const drafts = ['IPB', 'LEGAL'].includes(me.unit);
        return h('div',
          h('h3', t('project.versions')), table([t('version.number'), t('ledger.state'), t('project.at'), t('version.legal_comments'), ''], c.versions.map(v =>
            [v.version, t(`version.${v.status}`, v.status), when(v.drafted_at), (v.legal_comments || []).join('；'),
              drafts ? downloadButton(id, v.version) : '']), { id: 'versions-table' }),
          c.signed_at ? h('p', { id: 'signed-by' }, `${t('project.signed')}: ${fill(t('version.nth'), { n: c.signed_version })} · ${posName((c.signed_by || {}).position)} · `
            + `${(c.investor_signatory || {}).name || ''} ${(c.investor_signatory || {}).title || ''} · ${when(c.signed_at)}`) : null,
          h('h3', t('project.copies')), table([t('custody.copy_no'), t('review.unit'), t('custody.custodian'), t('custody.cabinet')],
            (c.copies || []).map(x => [x.number, unitName(x.unit), x.custodian_name || '', x.cabinet || '']), { id: 'copies-table' }),
          h('h3', t('project.obligations')), table([t('project.obligation'), t('review.deadline'), t('ledger.state'), t('reports.due')],
            c.obligations.map(o => [o.text, o.due, h('span.tag', { 'data-status': o.status, class: o.status === 'lapsed' ? 'bad' : o.status === 'met' ? 'ok' : '' },
              t(`obligation.${o.status}`, o.status)), o.report_due || ''])),
          c.archived ? h('p', { id: 'archived' }, notice(`${t('project.archived')}: ${unitName(c.archived.to)} · ${when(c.archived.at)} · ${c.archived.note || ''}`)) : null);
      }), { id: 'card-contract' }),
      card(t('project.accounting'), reached('accounting', async () => {
        const a = await api.get(`${p}/accounting`);
        const links = a.report ? h('p', { id: 'report-downloads' }, ['docx', 'pdf'].map(kind => h('button', { type: 'button', id: `download-report-${kind}`, onclick: async e => {
          try { await api.download(`${p}/accounting/report.${kind}`, `${project.ref}-${t('accounting.report_file')}.${kind}`); } catch (err) { e.target.after(refusal(err)); }
        } }, `${t('common.download')} ${t(`file.kind.${kind}`)}`)), a.report.opinion ? h('p', a.report.opinion) : null)
          : h('p.muted', `${t('project.report')}: ${t('project.not_yet')}`);
        return h('div', h('p', `${t(`accounting.${a.state}`, a.state)} · ${(a.participants || []).map(unitName).join('、')}`),
          table([t('project.figures'), '', '', t('project.formula')], (a.figures || []).map(f =>
            [FIGURES.includes(f.name) ? t(`fig.${f.name}`) : f.name, h('td.num', figureValue(f)), t(`fig.unit.${f.unit}`, f.unit), f.formula]),
          { id: 'figures-table' }), links);
      }), { id: 'card-accounting' })];
  if (!['lead', 'rejected'].includes(project.state)) cards.push(problemsCard(project, params, () => route()));
  if (project.state === 'terminated' || at >= ORDER.indexOf('signed')) cards.push(standardLandCard(project, me, () => route()));
  cards.push(attachmentsCard(project, () => route()));
  if (!AFTER_SIGNING.includes(project.state) && !['signed', 'terminated', 'rejected'].includes(project.state)) {
    cards.push(parcelsCard(project.id));
    const forecast = plannedForecast(project.facts || {}, (project.facts || {}).land_mu);
    if (forecast) cards.push(forecast);
  }
  const first = params.get('todo') === 'resolve_problem' ? ['card-problems'] : FIRST[project.state] || [];  // the cards of the present stage first
  cards.sort((a, b) => (first.includes(b.id) ? 1 : 0) - (first.includes(a.id) ? 1 : 0));
  main.append(h('div.grid.wide', cards),
    h('section.card', { id: 'timeline' }, h('h2', t('project.timeline')),
      table([t('project.at'), t('project.event'), t('project.state'), t('project.time_in_state'), t('project.actor'), t('project.reason')],
        project.timeline.map(s => [when(s.at), s.kind === 'transition' ? `${stateName(s.from_state)} → ${stateName(s.to_state)}`
          : t(`event.${s.kind}`, s.summary), s.to_state ? stateTag(s.to_state) : '',
          s.kind === 'transition' ? duration(s.time_in_state_seconds) : '',
          personName(s.actor), s.reason || '']))),
    h('p.no-print', { id: 'approval-links' },
      h('a.button', { href: `#/print/approval/${enc(project.id)}?kind=review`, id: 'approval-review' }, t('approval.review_title')), ' ',
      h('a.button', { href: `#/print/approval/${enc(project.id)}?kind=decision`, id: 'approval-decision' }, t('approval.decision_title'))));
  if (params.get('todo') && params.get('todo') !== 'resolve_problem') (document.querySelector('#steps form') || steps).scrollIntoView({ block: 'start' });
}

async function reviewDesk() {
  main.append(h('h1', t('nav.desk.review')));
  const queue = await api.get('/api/review/queue');
  if (!queue.length) { main.append(h('section.card', h('p.muted', t('review.queue_empty')))); return; }
  for (const item of queue) {
    const form = opinionForm(item.project_id, (review, out) => out.append(notice(`${t('review.recorded')} — ${review.ref}: ${t(`review_state.${review.state}`, review.state)}`)));
    main.append(h('section.card.queue-item', { 'data-project': item.project_id },
      h('h2', h('a', { href: `#/projects/${enc(item.project_id)}` }, `${item.ref} ${item.project_name}`)),
      h('p.muted', `${t('review.round')} ${item.round} · ${t('review.deadline')} ${item.deadline}`), form));
  }
}

async function decisionsDesk() {
  const me = api.currentUser() || {};
  main.append(h('h1', t('nav.desk.decisions')));
  const desk = await api.get('/api/decisions/awaiting');
  const section = h('section', { id: 'decisions' }, h('h2', t('decide.title')));
  main.append(section);
  if (!desk.length) section.append(h('section.card', h('p.muted', t('decide.none'))));
  for (const item of desk) {
    const pid = enc(item.project_id);
    const form = decisionForm(item.project_id, item.action,
      (_, out) => out.append(notice(item.action === 'recommend' ? t('common.done') : t('decide.done'))));
    const r = item.route || {};
    section.append(h('section.card.decision-item', { 'data-project': item.project_id },
      h('h2', h('a', { href: `#/projects/${pid}` }, `${item.ref} ${item.project_name}`), ' ', h('span.tag', t(`decide.action.${item.action}`))),
      h('p', h('span.tag', { class: r.escalated ? 'warn' : 'ok' }, r.escalated ? t('project.route.escalated') : t('project.route.within')),
        ` ${t('project.route.decides')}: ${(r.decides || []).map(posName).join('、')} · ${t('project.route.signs')}: ${posName(r.signs)}`),
      h('ul', (r.reasons || []).map(x => h('li', x))), form));
  }
  main.append(card(t('decide.signatures'), async () => {
    const page = await api.get('/api/projects?state=legal_review&limit=200');
    const rows = [];
    for (const p of page.items) {
      let c; try { c = await api.get(`/api/projects/${enc(p.id)}/contract`); } catch (e) { continue; }
      const latest = c.versions[c.versions.length - 1];
      if (c.signatory !== me.position || !latest || latest.status !== 'approved') continue;
      const form = signForm(p.id, latest.version, (_, out) => out.append(notice(t('common.done'))));
      rows.push([h('a', { href: `#/projects/${enc(p.id)}` }, c.ref), c.project_name, fill(t('version.nth'), { n: latest.version }), form]);
    }
    return rows.length ? table([t('lead.ref'), t('lead.project_name'), '', ''], rows) : h('p.muted', t('common.none'));
  }, { id: 'card-signatures' }));
}

async function reportsDesk() {
  main.append(h('h1', t('nav.desk.reports')), h('div.grid',
    card(t('reports.due'), async () => {
      const deadlines = await api.get('/api/deadlines');
      const due = deadlines.filter(d => d.kind === 'special_report_due');
      return due.length ? table([t('lead.ref'), t('project.event'), t('review.deadline')], due.map(d =>
        [h('a', { href: `#/projects/${enc(d.project_id)}` }, d.ref || t('project.title')), (d.payload || {}).obligation_text || d.subject, when(d.due_at)])) : h('p.muted', t('common.none'));
    }, { id: 'card-reports-due' }),
    card(t('reports.lapsed'), async () => {
      const page = await api.get('/api/projects?state=construction&limit=200');
      const rows = [];
      for (const p of page.items) {
        let c; try { c = await api.get(`/api/projects/${enc(p.id)}/contract`); } catch (e) { continue; }
        for (const o of c.obligations) if (o.status === 'lapsed' && !o.report) rows.push(
          [h('a', { href: `#/projects/${enc(p.id)}` }, c.ref), o.text, o.due, h('span.flag', o.report_due || '')]);
      }
      return rows.length ? table([t('lead.ref'), t('project.obligations'), t('review.deadline'), t('reports.due')], rows) : h('p.muted', t('common.none'));
    }, { id: 'card-lapsed' }),
    card(t('reports.register'), async () => {
      const reports = await api.get('/api/special-reports');
      return reports.length ? table([t('report.ref'), t('lead.project_name'), t('report.cause'), t('report.summary'), t('project.at')],
        reports.map(r => [r.ref, h('a', { href: `#/projects/${enc(r.project_id)}` }, [r.project_ref, r.project_name].filter(Boolean).join(' ') || t('project.title')),
          r.cause_name || t(`cause.${r.cause}`, r.cause), r.summary, when(r.filed_at)])) : h('p.muted', t('common.none'));
    }, { id: 'card-register' })));
}

async function custodyDesk() {
  const me = api.currentUser() || {};
  main.append(h('h1', t('nav.desk.custody')));
  let custodians = [], listed;  // the list is read by the units the register names (a park's staff may not)
  try { custodians = await api.get('/api/custodians'); } catch (err) { listed = refusal(err); }
  const mine = custodians.find(c => c.unit === me.unit);
  main.append(h('section.card', { id: 'custodians' }, h('h2', t('custody.custodians')),
    listed || table([t('review.unit'), t('custody.custodian'), t('custody.cabinet')], custodians.map(c =>
      [unitName(c.unit), c.name, c.cabinet]))));
  if (isHead(me.position)) {
    main.append(h('section.card', { id: 'designate' }, h('h2', t('step.custodians')),
      custodianForm(me.unit, mine, () => route())));
  }
  main.append(card(`${t('custody.held')} — ${unitName(me.unit)}${mine ? ' · ' + mine.cabinet : ''}`, async () => {
    const page = await api.get('/api/projects?limit=500');
    const rows = [];
    for (const p of page.items.filter(x => AFTER_SIGNING.includes(x.state))) {
      let c; try { c = await api.get(`/api/projects/${enc(p.id)}/contract`); } catch (e) { continue; }
      const held = (c.copies || []).filter(x => x.unit === me.unit);
      if (held.length) rows.push([h('a', { href: `#/projects/${enc(p.id)}` }, c.ref), c.project_name, stateTag(p.state),
        held.map(x => fill(t('custody.copy_nth'), { n: x.number })).join('、'), mine ? mine.cabinet : '—',
        c.archived ? unitName(c.archived.to) : '']);
    }
    return rows.length ? table([t('lead.ref'), t('lead.project_name'), t('ledger.state'), t('custody.copy_no'), t('custody.cabinet'), ''], rows,
      { id: 'held-table' }) : h('p.muted', t('common.none'));
  }, { id: 'card-held' }));
}

const PUBLIC_FIELDS = ['ref', 'name', 'sector', 'location', 'investment_scale', 'cooperation_mode', 'contact_office'];

async function catalogPage() {
  main.append(h('h1', t('catalog.title')), h('p.muted', t('catalog.intro')));
  const path = await api.findPath(p => p.startsWith('/api/') && /catalog/.test(p) && !p.includes('{'));
  if (!path) { main.append(h('section.card', { id: 'catalog' }, unavailable())); return; }
  const page = await api.get(`${path}?limit=200`, { anonymous: true });
  const list = h('div', { id: 'catalog' });
  if (!page.items.length) list.append(h('section.card', h('p.muted', t('common.none'))));
  // only the public fields are ever rendered, whatever else an answer might carry
  for (const e of page.items) list.append(h('section.card.catalog-item', { 'data-ref': e.ref },
    h('h2', e.name), h('dl.kv', PUBLIC_FIELDS.filter(k => k !== 'name').map(k => [h('dt', t(`catalog.${k}`)), h('dd', e[k] || '—')]))));
  main.append(list);
  const outcomes = await outcomesSection();  // R17 §6: only where the county's policy discloses them
  if (outcomes) main.append(outcomes);
}

// Sign-in; ?next=<route> (a page opened before signing in, e.g. a project's link) is shown after it.
const nextRoute = params => {
  const next = params.get('next') || '';
  return next.startsWith('/') && next !== '/signin' && !next.startsWith('/signin?') ? next : null;
};

function signinPage(params) {
  const next = nextRoute(params);
  const form = h('form.form', { id: 'signin-form', 'data-next': next || undefined },
    field(t('signin.user'), input('user_id', { required: true, autocomplete: 'username' })),
    field(t('signin.password'), input('password', { type: 'password', required: true, autocomplete: 'current-password' })),
    h('div.full', h('button.primary', { type: 'submit' }, t('signin.submit'))));
  submitting(form, async v => {
    try { return await api.signIn(v.user_id, v.password); } catch (err) {
      if (err.status === 401) err.message = `${t('signin.bad')} — ${err.message}`;
      if (err.status === 404 || err.status === 405) err.message = t('signin.unavailable');
      throw err;
    }
  }, async () => { await knowUser(); renderChrome(); go(`#${next || '/'}`); });
  main.append(h('h1', t('signin.title')), h('section.card', form),
    h('p.muted', h('a', { href: '/catalog' }, t('nav.catalog')), ' · ', h('a', { href: '/api/docs' }, t('nav.apidocs'))));
}

async function apiDocsPage() { renderApiDocs(main, await api.openapi()); }

// -- chrome and routing --------------------------------------------------------------------------
// The menu: each page for the positions whose operations (the authorization table, /api/me/operations) use it.
const NAV = [['#/', 'nav.workbench'], ['#/inbox', 'nav.inbox'],
  ['#/overview', 'nav.dashboard', ['coordinator.read_summary']],
  ['#/ledger', 'nav.ledger', ['coordinator.read_ledger']],
  ['#/leads', 'nav.leads', ['intake.register_lead']], ['#/projects', 'nav.projects', ['coordinator.read_project']],
  ['#/desk/review', 'nav.desk.review', ['review.record_opinion']],
  ['#/desk/decisions', 'nav.desk.decisions', ['negotiation.decide']],
  ['#/desk/reports', 'nav.desk.reports', ['contracts.file_special_report', 'supervision.file_special_report']],
  ['#/desk/custody', 'nav.desk.custody', ['contracts.read_custodians']],
  ['#/leading-group', 'nav.leading_group', ['leadership.read_roster']], ['#/events', 'nav.events', ['leadership.read_events']],
  ['#/assessment', 'nav.assessment', ['coordinator.read_assessment']], ['#/land', 'nav.land', ['landreserve.read_parcels']],
  ['#/benefit', 'nav.benefit', ['supervision.read_benefit']],
  ['#/admin/users', 'nav.users', 'admin'],
  ['/catalog', 'nav.catalog'], ['/api/docs', 'nav.apidocs']];
let operations = null;

function renderChrome() {
  const nav = clear(document.getElementById('nav'));
  nav.setAttribute('aria-label', t('nav.label'));
  const publicPage = location.pathname !== '/';
  const user = api.currentUser();
  for (const [href, key, only] of NAV) {
    if (!api.signedIn() && href.startsWith('#')) continue;
    if (only === 'admin' && !(user && user.is_admin)) continue;
    if (Array.isArray(only) && api.signedIn() && !api.may(operations, ...only)) continue;
    const target = href.startsWith('#') ? (publicPage ? '/' + href : href) : href;
    nav.append(h('a', { href: target, 'data-nav': key }, t(key),
      key === 'nav.inbox' ? h('span.badge', { id: 'inbox-badge', hidden: true }) : null));
  }
  const tools = clear(document.getElementById('tools'));
  if (api.signedIn() && !publicPage) tools.append(searchBox());
  const who = clear(document.getElementById('who'));
  if (api.signedIn() && user) {
    who.append(user.dev ? h('span.tag.warn', { title: t('dev.actor') }, 'DEV') : '',
      h('span.who-name', ` ${user.name && !user.dev ? user.name : ''} ${posName(user.position)} · ${unitName(user.unit)}`),
      h('button', { type: 'button', id: 'signout', onclick: async () => {
        await api.signOut();
        operations = null;
        if (location.pathname === '/') { renderChrome(); go('#/signin'); } else location.href = '/#/signin';
      } }, t('signout')));
  } else if (location.pathname === '/') {
    who.append(h('a', { href: '#/signin' }, t('signin.title')));
  }
  const lang = document.getElementById('lang');
  lang.textContent = t('lang.switch');
  lang.onclick = async () => { await loadLanguage(otherLanguage()); renderChrome(); route(); };
  document.querySelector('.brand').textContent = t('app.title');
  refreshBadge();
}

// What the signed-in user may do, and every user's name (timelines name persons): read once a sign-in.
async function knowUser() {
  if (!api.signedIn() || location.pathname !== '/') return;
  try {
    operations = await api.myOperations();
    setRules(operations.rules);
  } catch (e) { operations = null; }
  try { setPeople(await api.get('/api/people/names')); } catch (e) { /* names stay positions */ }
}

const ROUTES = [
  [/^\/?$/, () => workbenchPage(main)], [/^\/overview$/, dashboard], [/^\/inbox$/, params => inboxPage(main, params)],
  [/^\/search$/, params => searchPage(main, params)], [/^\/reserve\/([^/]+)$/, (params, id) => reservePage(main, params, id)], [/^\/print\/ledger$/, params => printLedger(main, params)],
  [/^\/print\/project\/([^/]+)$/, (params, id) => printProject(main, id)],
  [/^\/print\/approval\/([^/]+)$/, (params, id) => printApproval(main, params, id)], [/^\/ledger$/, ledgerPage], [/^\/leads$/, leadsPage], [/^\/leads\/new$/, newLeadPage],
  [/^\/leads\/([^/]+)$/, leadPage], [/^\/projects$/, projectsPage], [/^\/projects\/([^/]+)$/, projectPage],
  [/^\/desk\/review$/, reviewDesk], [/^\/desk\/decisions$/, decisionsDesk], [/^\/desk\/reports$/, reportsDesk],
  [/^\/desk\/custody$/, custodyDesk], [/^\/admin\/users$/, () => usersPage(main)], [/^\/signin$/, signinPage],
  [/^\/leading-group$/, params => rosterPage(main, params)], [/^\/events$/, params => eventsPage(main, params)],
  [/^\/events\/effectiveness$/, params => effectivenessPage(main, params)],
  [/^\/events\/([^/]+)$/, (params, id) => eventPage(main, params, id)],
  [/^\/assessment$/, params => assessmentPage(main, params)], [/^\/land$/, params => landPage(main, params)],
  [/^\/land\/([^/]+)$/, (params, code) => parcelPage(main, params, code)],
  [/^\/benefit$/, params => benefitPage(main, params)], [/^\/benefit\/([^/]+)$/, (params, code) => benefitCardPage(main, params, code)],
];

function go(hash) { if (location.hash === hash) route(); else location.hash = hash; }

// The sign-in page, coming back afterwards to the page asked for (not to the dashboard's default); on the
// sign-in page already, the page it was asked for is kept.
function signinHash() {
  const here = location.hash.replace(/^#/, '');
  if (here.startsWith('/signin')) return `#${here}`;
  return here && here !== '/' ? `#/signin?next=${enc(here)}` : '#/signin';
}

let routing = 0;
async function route() {
  const mine = ++routing;
  clear(main);
  document.body.classList.remove('print-view', 'print-landscape');
  const results = document.getElementById('search-results');
  if (results) results.hidden = true;
  document.body.dataset.ready = 'false';
  let view, args = [];
  if (location.pathname === '/catalog') view = catalogPage;
  else if (location.pathname === '/api/docs') view = apiDocsPage;
  else {
    const [path, query] = (location.hash.replace(/^#/, '') || '/').split('?');
    const params = new URLSearchParams(query || '');
    if (!api.signedIn() && path !== '/signin') { go(signinHash()); return; }
    for (const [re, fn] of ROUTES) { const m = re.exec(path); if (m) { view = fn; args = [params, ...m.slice(1).map(decodeURIComponent)]; break; } }
    for (const a of document.querySelectorAll('#nav a')) a.classList.toggle('active', a.getAttribute('href') === '#' + path);
    if (!view) { main.append(refusal({ code: 'not_found', status: 404, message: path })); return; }
  }
  try { await view(...args); } catch (err) {
    if (mine !== routing) return;
    main.append(err instanceof api.ApiError ? refusal(err) : refusal({ code: 'other', message: String(err) }));
  } finally {
    if (mine === routing) document.body.dataset.ready = 'true';
  }
}

async function boot() {
  api.adoptDevActor();
  api.whenUnauthenticated(() => {
    if (location.pathname === '/' && !api.devActor()) { api.signOut(); go(signinHash()); }
  });
  await loadLanguage();
  await knowUser();
  renderChrome();
  window.addEventListener('hashchange', route);
  await route();
}

boot();
