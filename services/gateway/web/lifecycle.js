// The project page's next steps: for the project's state, the form of every step that state makes
// possible, from the joint review to the hand-over to the Archives Bureau.  A step is shown to everyone
// with who takes it; its form only to the positions that take it (the service still decides: a refusal
// shows where the form was submitted).  After a step the page is drawn again once the project has moved.
import { h, table } from './dom.js';
import { t, money, when, language } from './i18n.js';
import * as api from './api.js';
import {
  fill, notice, refusal, submitting, field, lines, select, input, textarea, submit, rows, cell, cellSelect,
  unitName, posName, unitOptions, positionOptions, today, addMonths, amountInput, toYuan, toWan, yuanOf,
} from './ui.js';

const wanText = yuan => Number(toWan(yuan)).toLocaleString('zh-CN', { maximumFractionDigits: 6 });

const enc = encodeURIComponent;
const HEADS = ['bureau_head', 'ipb_director', 'legal_director', 'gov_office_director', 'town_head'];
export const isHead = pos => HEADS.includes(pos) || /^park_head:/.test(pos);
const isReviewer = pos => ['reviewer', 'bureau_head'].includes(pos) || /^park_(head|reviewer):/.test(pos);
const PRINCIPALS = ['party_secretary', 'county_magistrate'];  // write off a remainder (policy authority.yaml)
const RECOVERY_UNITS = ['FIN', 'LAND', 'LEGAL'];  // one fee: FIN collects, LAND the land, LEGAL legal action
const HOLDERS = ['GOV', 'IPB', 'FIN', 'LAND', 'LEGAL', 'IND'];  // + the responsible unit (R13, policy thresholds)
const LAND_UNITS = [['mu', '亩 mu'], ['m2', '平方米 m²'], ['ha', '公顷 ha']];

// One step: its title, who takes it, and its form (or, for anyone else, whom it waits for).
function step(name, title, who, mine, body, ...notes) {
  return h('section.card.step', { id: `step-${name}`, 'data-step': name },
    h('h2', title), h('p.muted.who', fill(t('step.by'), { who })), notes,
    mine ? body() : h('p.waiting', { 'data-waiting': name }, fill(t('step.waiting'), { who })));
}

const ipb = () => unitName('IPB');
const button = (label, attrs = {}) => submit(label, attrs);
const form = (id, ...children) => h('form.form', { id }, children);

// A form that posts to the API; on success the page follows the project (ctx.done). The mode may depend on
// what was submitted: mode(values).
function posting(ctx, id, children, send, message, mode, options = {}) {
  let values = {};
  return submitting(form(id, children), v => send(values = v),
    () => ctx.done(message, typeof mode === 'function' ? mode(values) : mode), options);
}

// -- shared with the desks ---------------------------------------------------------------------------
export function opinionForm(projectId, onDone) {
  const f = h('form.form', { 'data-project': projectId, id: `opinion-form-${projectId}` },
    // no opinion chosen beforehand: a unit's opinion is given by choosing it, never by one click on 提交
    field(t('review.opinion'), select('opinion', [['', t('review.opinion.choose')],
      ...['pass', 'conditional', 'fail'].map(o => [o, t(`review.opinion.${o}`)])], { id: `opinion-${projectId}`, required: true })),
    field(t('review.conditions'), h('textarea', { name: 'conditions' })),
    field(t('review.reasons'), h('textarea', { name: 'reasons' })),
    submit(t('common.submit')));
  return submitting(f, v => api.post(`/api/projects/${enc(projectId)}/review/opinions`, {
    opinion: v.opinion, conditions: lines(v.conditions), reasons: lines(v.reasons) }), onDone, { final: true });
}

export function decisionForm(projectId, action, onDone) {
  const pid = enc(projectId);
  if (action === 'recommend') {
    return submitting(h('form.form', { id: `decision-form-${projectId}` },
      field(t('decide.recommendation'), h('textarea', { name: 'recommendation', required: true })),
      submit(t('decide.action.recommend'))),
    v => api.post(`/api/projects/${pid}/decision-route/recommendation`, { recommendation: v.recommendation }), onDone);
  }
  return submitting(h('form.form', { id: `decision-form-${projectId}` },
    field(t('decide.action.decide'), select('decision', [['agree', t('decide.agree')], ['refuse', t('decide.refuse')]])),
    field(t('review.reasons'), h('textarea', { name: 'reasons' })),
    submit(t('decide.action.decide'))),
  v => api.post(`/api/projects/${pid}/decision-route/decisions`, { decision: v.decision, reasons: lines(v.reasons) }), onDone,
  { final: true, confirm: v => [fill(t('confirm.decision'), { decision: v.decision === 'agree' ? t('decide.agree') : t('decide.refuse') }),
    lines(v.reasons).length ? `${t('review.reasons_read')}：${lines(v.reasons).join('；')}` : null] });
}

// A unit's head designates its custodian and cabinet (R13) — for the head's own unit only.  Where the unit has one,
// the form replaces them explicitly: it names the current custodian and asks why their term ends.
export function custodianForm(unit, current, onDone) {
  const now = current || {};
  return submitting(h('form.form', { id: 'custodian-form' },
    field(t('review.unit'), h('strong', unitName(unit))),
    current ? h('p.hint', { id: 'custodian-replaces' }, fill(t('step.custodian_replaces'),
      { who: current.name, since: when(current.since) })) : null,
    field(t('step.custodian_user'), input('user_id', { required: true, value: now.user_id || '', placeholder: t('step.custodian_user_hint') })),
    field(t('step.custodian_name'), input('name', { required: true, value: now.name || '', placeholder: '财政局 档案员' })),
    field(t('custody.cabinet'), input('cabinet', { required: true, value: now.cabinet || '', placeholder: '财政局 合同柜 F-3' })),
    current ? field(t('step.custodian_end_reason'), input('reason', { placeholder: '原保管人调离' })) : null,
    submit(t('common.save'), { id: 'save-custodian' })),
  v => api.put(`/api/custodians/${enc(unit)}`, current && ['user_id', 'name', 'cabinet'].some(k => v[k] !== current[k])
    ? { ...v, replaces: current.user_id, reason: v.reason || null } : { user_id: v.user_id, name: v.name, cabinet: v.cabinet }),
  onDone);
}

export function signForm(projectId, version, onDone) {
  return submitting(h('form.form', { id: `sign-form-${projectId}` },
    field(t('sign.investor_name'), input('name', { required: true, placeholder: '张总' })),
    field(t('sign.investor_title'), input('title', { required: true, placeholder: '董事长' })),
    submit(fill(t('sign.submit'), { v: version }))),
  v => api.post(`/api/projects/${enc(projectId)}/contract/signature`,
    { version, investor_signatory: { name: v.name, title: v.title } }), onDone,
  { final: true, confirm: v => [fill(t('confirm.signature'), { v: version }), `${t('sign.investor_name')}：${v.name} ${v.title}`] });
}

// A contract version's Word document (IPB, LEGAL): read through the audited endpoint, saved by the browser.
export async function downloadVersion(projectId, version) {
  const file = await api.post(`/api/projects/${enc(projectId)}/contract/versions/${version}/reading`,
    { reason: t('contract.download_reason') });
  return api.saveBase64(file.document_base64, file.filename,
    'application/vnd.openxmlformats-officedocument.wordprocessingml.document');
}

// -- the steps by state --------------------------------------------------------------------------------
const BY_STATE = {
  filed: convene, under_review: reviewing, returned: resubmission, approved: responsibleUnit,
  assigned: negotiating, negotiating, escalated: negotiating, refused: renegotiation,
  agreed: contract, drafting: contract, legal_review: contract,
  signed: copyRegister, filed_copies: handOver, construction, accounting, closed: archives, archived: finished,
  terminated,
};

// ctx: {me, done(message, mode)} — mode 'state' (the project moves on), 'activity' (a line on its
// timeline) or 'none' (nothing the project record shows).
export async function nextSteps(project, ctx) {
  const build = BY_STATE[project.state];
  const c = { ...ctx, project, pid: project.id, p: `/api/projects/${enc(project.id)}`, facts: project.facts || {} };
  const steps = build ? [].concat(await build(c)) : [];
  if (TERMINABLE.includes(project.state)) steps.push(await termination(c));
  return steps;
}

// R2: IPB convenes the joint review.
function convene(c) {
  return step('convene', t('step.convene'), ipb(), c.me.unit === 'IPB', () => posting(c, 'convene-form', [
    field(t('step.note'), input('note', { placeholder: t('step.convene_note') })),
    button(t('step.convene'), { id: 'convene' })],
  v => api.post(`${c.p}/review`, { note: v.note || null }), t('done.convened'), 'state'));
}

// R2: each required unit's opinion (once a round); IPB records a unit's return for more information.
async function reviewing(c) {
  const r = await api.get(`${c.p}/review`);
  const awaiting = r.awaiting || [];
  const opinions = step('opinion', fill(t('step.opinions'), { round: r.round }),
    awaiting.map(unitName).join('、') || '—', isReviewer(c.me.position) && awaiting.includes(c.me.unit),
    () => opinionForm(c.pid, review => c.done(t('review.recorded'), review.state === 'concluded' ? 'state' : 'activity')),
    h('p', `${t('review.awaiting')}: `, awaiting.map(u => h('span.tag.warn', unitName(u))), ' ',
      `${t('review.deadline')} ${r.deadline}`));
  const returning = step('return', t('step.return'), ipb(), c.me.unit === 'IPB', () => posting(c, 'return-form', [
    field(t('step.return_unit'), select('unit', (r.required_units || []).map(u => [u, unitName(u)]))),
    field(t('step.return_request'), textarea('request', '', { required: true, placeholder: '请补充项目用地红线图' })),
    button(t('step.return'), { id: 'record-return' })],
  v => api.post(`${c.p}/review/returns`, { unit: v.unit, request: v.request }), t('done.returned'), 'state'));
  return [opinions, returning];
}

// R2: the investor's resubmission opens a new round.
async function resubmission(c) {
  const r = await api.get(`${c.p}/review`);
  const open = (r.returns || []).filter(x => !x.resubmitted_at);
  return step('resubmit', t('step.resubmit'), ipb(), c.me.unit === 'IPB', () => posting(c, 'resubmit-form', [
    field(t('step.resubmit_note'), textarea('note', '', { required: true, placeholder: '投资方已补充项目用地红线图' })),
    button(t('step.resubmit'), { id: 'resubmit' })],
  v => api.post(`${c.p}/review/resubmission`, { note: v.note }), t('done.resubmitted'), 'state'),
  h('ul', open.map(x => h('li', `${unitName(x.unit)}: ${x.request}`))));
}

// R3: the intermediary (or none), then the responsible unit from the ranking, with its explanation.
async function responsibleUnit(c) {
  const n = await api.get(`${c.p}/negotiation`);
  if (!n.intermediary) {
    return step('intermediary', t('step.intermediary'), ipb(), c.me.unit === 'IPB', () => {
      const f = posting(c, 'intermediary-form', [
        field(t('step.intermediary_has'), select('has', [['none', t('step.intermediary_none')], ['named', t('step.intermediary_named')]])),
        field(t('step.intermediary_name'), input('name', { placeholder: '某某招商咨询有限公司' })),
        field(t('step.intermediary_contact'), input('contact', { placeholder: '联系人 电话' })),
        button(t('common.save'), { id: 'save-intermediary' })],
      v => api.post(`${c.p}/intermediary`, v.has === 'none' ? { none: true } : { name: v.name, contact: v.contact || null }),
      t('done.intermediary'), 'activity');
      const has = f.querySelector('[name=has]');
      const toggle = () => f.querySelectorAll('[name=name], [name=contact]').forEach(el => { el.disabled = has.value === 'none'; });
      has.addEventListener('change', toggle);
      toggle();
      return f;
    });
  }
  const ranking = await api.get(`${c.p}/responsible-unit/ranking`);
  const ranked = ranking.map(x => x.unit);
  const others = unitOptions().filter(([u]) => /^(PARK|TOWN):/.test(u) && !ranked.includes(u));
  const who = n.intermediary.none ? t('step.intermediary_none') : `${n.intermediary.name} ${n.intermediary.contact || ''}`;
  return step('assign', t('step.assign'), ipb(), c.me.unit === 'IPB', () => posting(c, 'assign-form', [
    field(t('step.assign_unit'), select('unit', [...ranking.map(x => [x.unit, `${x.rank}. ${unitName(x.unit)}`]),
      ...others.map(([u, label]) => [u, `${label} — ${t('step.not_ranked')}`])])),
    field(t('step.assign_reason'), textarea('reason', '', { placeholder: t('step.assign_reason_hint') })),
    button(t('step.assign_confirm'), { id: 'assign' })],
  v => api.post(`${c.p}/responsible-unit`, { unit: v.unit, reason: v.reason || null }), t('done.assigned'), 'state'),
  h('p', { id: 'intermediary-recorded' }, `${t('step.intermediary')}: `, h('strong', who)),
  h('h3', t('step.ranking')),
  ranking.length ? table(['#', t('review.unit'), t('step.why')], ranking.map(x => [x.rank, unitName(x.unit), x.why]),
    { id: 'ranking-table' }) : h('p.muted', t('step.no_ranking')));
}

// R4, R5: sessions with their participants; then the decision route's recommendation and decisions.
async function negotiating(c) {
  const n = await api.get(`${c.p}/negotiation`);
  const steps = [await session(c, n)];
  if ((n.sessions || []).length && n.route) steps.push(decision(c, n));
  return steps;
}

// A session (R4).  After the terms went to a decision (escalated, agreed, a contract being drafted) one that
// changes a decided term — land, investment, intensity, an agreed matter, a policy term — sends the project back
// to negotiation for a new decision on the route the changed terms give (R5).
async function session(c, n) {
  const unit = n.responsible_unit;
  const catalogue = await api.get('/api/policy/incentives');
  const decided = ['escalated', 'agreed', 'drafting', 'legal_review'].includes(c.project.state);
  return step('session', fill(t('step.session'), { n: (n.sessions || []).length + 1 }),
    `${ipb()} / ${unitName(unit)}`, c.me.unit === 'IPB' || c.me.unit === unit,
    () => sessionForm(c, n, catalogue), h('p.hint', fill(t('step.session_rule'), { lead: posName(n.session_lead) })),
    decided ? h('p.hint', { id: 'change-sends-back' }, t('step.change_sends_back')) : null);
}

// R5: a refused project goes back to IPB, which renegotiates it (or terminates it, below).
async function renegotiation(c) {
  const n = await api.get(`${c.p}/negotiation`);
  const refused = Object.entries(n.decisions || {}).filter(([, d]) => d === 'refuse').map(([pos]) => posName(pos));
  return step('renegotiate', t('step.renegotiate'), ipb(), c.me.unit === 'IPB', () => posting(c, 'renegotiate-form', [
    field(t('step.renegotiate_reason'), textarea('reason', '', { required: true, placeholder: '投资方承诺取得环评批复后方可开工' })),
    button(t('step.renegotiate'), { id: 'renegotiate' })],
  v => api.post(`${c.p}/negotiation/renegotiation`, { reason: v.reason }), t('done.renegotiated'), 'state'),
  h('p', { id: 'refused-by' }, `${t('step.refused_by')}: ${refused.join('、') || '—'}`),
  h('p.hint', t('step.renegotiate_rule')));
}

function sessionForm(c, n, catalogue) {
  const people = rows('participants', [
    { name: 'unit', label: t('review.unit'), make: cellSelect(() => unitOptions([n.responsible_unit])) },
    { name: 'position', label: t('step.position'), make: cellSelect(() => positionOptions([n.session_lead])) },
    { name: 'name', label: t('step.person'), make: cell({ placeholder: t('step.optional') }) },
  ], [{ unit: n.responsible_unit, position: n.session_lead }, { unit: 'IPB', position: c.me.unit === 'IPB' ? c.me.position : 'ipb_director' }],
  { addLabel: t('step.add_participant') });
  const land = c.facts.land_mu;
  // policy terms picked from the county's catalogue (policy/incentives.yaml): beyond a clause's limit is beyond policy
  const clauses = catalogue.map(x => [x.id, `${language() === 'en' ? x.name_en : x.name_zh}（${t('step.policy_limit')} ${x.limit}）`]);
  const terms = rows('policy_terms', [
    { name: 'clause', label: t('step.policy_clause'), make: cellSelect(() => clauses) },
    { name: 'value', label: t('step.policy_value'), make: cell({ size: 6, inputmode: 'decimal' }) },
  ], [], { addLabel: t('step.add_policy_term') });
  const open = (n.policy_terms || []).filter(x => x.status === 'open');
  const withdrawals = rows('withdrawn', [
    { name: 'term', label: t('step.withdraw_term'), make: cellSelect(() => open.map(x => [x.term_id, `${x.term_id} ${x.text}`])) },
    { name: 'reason', label: t('step.withdraw_reason'), make: cell({ size: 24 }) },
  ], [], { addLabel: t('step.add_withdrawal') });
  return posting(c, 'session-form', [
    field(t('step.held_on'), input('held_on', { type: 'date', required: true, value: today() })),
    field(t('step.stage'), select('stage', [['early', t('stage.early')], ['final', t('stage.final')]],
      { value: (n.sessions || []).length ? 'final' : 'early' })),
    field(t('step.participants'), people.el),
    field(t('step.agreed'), textarea('agreed', '', { placeholder: t('step.one_per_line') })),
    field(t('step.open'), textarea('open', '', { placeholder: t('step.one_per_line') })),
    field(t('step.policy_terms'), terms.el),
    field(t('step.exceeding'), textarea('exceeding', '', { placeholder: t('step.exceeding_hint') })),
    open.length ? field(t('step.withdrawn'), withdrawals.el) : null,
    field(t('step.land'), h('div.inline', input('land_value', { inputmode: 'decimal', placeholder: land ? `${land}` : '' }),
      select('land_unit', LAND_UNITS), h('span.muted', t('step.land_hint')))),
    field(t('step.total_agreed'), amountInput('total_investment')),
    field(t('step.fai_agreed'), amountInput('fixed_asset_investment')), h('p.hint', t('step.investment_hint')),
    button(t('step.session_save'), { id: 'save-session' })],
  v => api.post(`${c.p}/negotiation/sessions`, {
    held_on: v.held_on, stage: v.stage,
    participants: people.values().map(x => ({ unit: x.unit, position: x.position, name: x.name || null })),
    agreed: lines(v.agreed), open: lines(v.open), exceeding_terms: lines(v.exceeding),
    policy_terms: terms.values().map(x => ({ clause: x.clause, value: x.value })),
    withdrawn: open.length ? withdrawals.values().map(x => ({ term: x.term, reason: x.reason })) : [],
    land: v.land_value ? { value: v.land_value, unit: v.land_unit } : null,
    ...yuanOf(v, ['total_investment', 'fixed_asset_investment']),
  }), t('done.session'), (n.sessions || []).length ? 'activity' : 'state');
}

function decision(c, n) {
  const r = n.route;
  const decided = n.decisions || {};
  let action = 'decide', names = r.decides || [];
  if (c.project.state === 'negotiating' && r.escalated) { action = 'recommend'; names = [r.recommends]; }
  const pending = names.filter(x => x && !(x in decided));
  return step('decision', t(`step.decision.${action}`), pending.map(posName).join('、') || '—',
    pending.includes(c.me.position), () => decisionForm(c.pid, action, // the stage moves: the project follows
      answer => c.done(t('decide.done'), answer.stage !== c.project.state ? 'state' : 'activity')),
    h('p', h('span.tag', { class: r.escalated ? 'warn' : 'ok' }, r.escalated ? t('project.route.escalated') : t('project.route.within')),
      ` ${t('project.route.decides')}: ${(r.decides || []).map(posName).join(' + ')} · ${t('project.route.signs')}: ${posName(r.signs)}`),
    h('ul', (r.reasons || []).map(x => h('li', { lang: 'en' }, x))),
    (r.exceeding || []).length ? [h('h3', t('project.route.exceeding')),
      h('ul', { id: 'exceeding-terms' }, r.exceeding.map(x => h('li', x)))] : null,
    n.legal_attended ? null : h('p.hint', { id: 'legal-first' }, t('step.legal_first')),
    Object.keys(decided).length ? h('p', Object.entries(decided).map(([pos, d]) => h('span.tag', `${posName(pos)}: ${t(`decide.${d}`, d)}`))) : null,
    h('p', h('a', { href: '#/desk/decisions', id: 'to-decisions-desk' }, `${t('nav.desk.decisions')} →`)));
}

// R6: IPB drafts versions from the agreed terms, submits them; LEGAL approves or returns; the route's signatory signs.
async function contract(c) {
  let k = { versions: [] };
  try { k = await api.get(`${c.p}/contract`); } catch (err) { if (err.status !== 404) throw err; }
  const latest = k.versions[k.versions.length - 1];
  const state = c.project.state;
  const change = ['IPB', k.responsible_unit].includes(c.me.unit) ? [await changeOfTerms(c)] : [];
  if (state === 'agreed' || (state === 'drafting' && (!latest || latest.status === 'returned'))) {
    return [step('draft', latest ? fill(t('step.redraft'), { v: latest.version + 1 }) : t('step.draft'), ipb(), c.me.unit === 'IPB',
      () => draftForm(c, latest, k), latest ? h('div.refusal', h('div.code', fill(t('step.legal_returned'), { v: latest.version })),
        h('ul', (latest.legal_comments || []).map(x => h('li', x)))) : null), ...change];
  }
  if (state === 'drafting' && latest.status === 'draft') {
    return [step('submit', fill(t('step.submit_legal'), { v: latest.version }), ipb(), c.me.unit === 'IPB', () => posting(c, 'submit-form',
      [button(fill(t('step.submit_legal'), { v: latest.version }), { id: 'submit-to-legal' })],
    () => api.post(`${c.p}/contract/submission`, { version: latest.version }), t('done.submitted'), 'state'),
    versionLine(c, latest)), ...change];
  }
  if (state === 'legal_review' && latest && latest.status === 'submitted') {
    return [step('legal', fill(t('step.legal_review'), { v: latest.version }), unitName('LEGAL'), c.me.unit === 'LEGAL', () => posting(c, 'legal-form', [
      field(t('step.legal_decision'), select('decision', [['approve', t('step.legal_approve')], ['return', t('step.legal_return')]])),
      field(t('step.legal_comments'), textarea('comments', '', { placeholder: t('step.one_per_line') })),
      button(t('common.submit'), { id: 'legal-submit' })],
    v => api.post(`${c.p}/contract/legal-review`, { version: latest.version, decision: v.decision, comments: lines(v.comments) }),
    t('done.legal'), v => (v.decision === 'return' ? 'state' : 'activity')), versionLine(c, latest)), ...change];
  }
  if (state === 'legal_review' && latest && latest.status === 'approved') {
    return [step('sign', fill(t('step.sign'), { v: latest.version }), posName(k.signatory), c.me.position === k.signatory,
      () => signForm(c.pid, latest.version, () => c.done(t('done.signed'), 'state')), versionLine(c, latest),
      h('p.hint', t('step.sign_rule'))), ...change];
  }
  return change;
}

// Until the signature a session may still change a decided term: the project then goes back to negotiation.
async function changeOfTerms(c) {
  return session(c, await api.get(`${c.p}/negotiation`));
}

function versionLine(c, v) {
  return h('p', `${fill(t('version.nth'), { n: v.version })} · ${t(`version.${v.status}`, v.status)} · ${when(v.drafted_at)} `,
    ['IPB', 'LEGAL'].includes(c.me.unit) ? downloadButton(c.pid, v.version) : null);
}

export function downloadButton(projectId, version) {
  return h('button', { type: 'button', class: 'download-version', 'data-version': version, onclick: async e => {
    try { await downloadVersion(projectId, version); } catch (err) { e.target.after(refusal(err)); }
  } }, `${t('common.download')} ${fill(t('version.nth'), { n: version })}（${t('file.kind.docx')}）`);
}

// R5/R6: the draft is composed from the decided terms, shown here and not typed again; IPB adds the dates (the
// server makes them obligations at signing), the other obligations and terms.
function draftForm(c, latest, k) {
  const start = addMonths(today(), 3), completion = addMonths(start, 12), production = addMonths(completion, 3);
  const d = k.decided_terms || {};
  const obligations = rows('obligations', [
    { name: 'id', label: t('step.obligation_id'), make: cell({ size: 4 }) },
    { name: 'text', label: t('step.obligation_text'), make: cell({ size: 28 }) },
    { name: 'due', label: t('step.obligation_due'), make: cell({ type: 'date' }) },
    { name: 'party', label: t('step.obligation_party'), make: cellSelect(() => [['investor', t('party.investor')], ['county', t('party.county')]]) },
  ], [
    { id: 'O1', text: '取得项目用地并缴清土地出让金', due: start, party: 'investor' },
    { id: 'O2', text: '取得环境影响评价批复', due: start, party: 'investor' },
  ], { addLabel: t('step.add_obligation') });
  const shown = (id, value) => h('output', { id, 'data-decided': id }, value || '—');
  // R6/R17: the standard-land indicators policy sets for the project's park or town and sector, shown at drafting;
  // each is committed at its floor unless a stronger value is typed (the intensity is the contract's own)
  const standardLand = h('div', { id: 'draft-standard-land' }, h('p.muted', t('common.loading')));
  api.get(`${c.p}/standard-land/floors`).then(floors => {
    standardLand.replaceChildren(...(floors.length ? [h('p.hint', t('sl.draft_hint')),
      table([t('sl.indicator'), t('sl.floor'), t('sl.committed')], floors.map(f => [f.name,
        `${f.direction === '>=' ? '≥' : '≤'} ${f.floor} ${(f.unit || {})[language().startsWith('en') ? 'en' : 'zh'] || ''}`,
        f.indicator === 'intensity' ? (d.intensity_wan_per_mu || '—')
          : h('input', { name: `sl_${f.indicator}`, placeholder: f.floor, inputmode: 'decimal', size: 8 })]),
      { id: 'draft-commitments' })] : [h('p.muted', t('sl.none'))]));
  }).catch(() => standardLand.replaceChildren(h('p.muted', t('sl.none'))));
  const draft = posting(c, 'draft-form', [
    h('p.hint.full', t('terms.decided_hint')),
    field(t('terms.total'), shown('decided-total', d.total_investment ? `${money(Number(d.total_investment) / 10000)} ${t('unit.wan')}` : '')),
    field(t('terms.fai'), shown('decided-fai', d.fixed_asset_investment ? `${money(Number(d.fixed_asset_investment) / 10000)} ${t('unit.wan')}` : '')),
    field(t('terms.land_mu'), shown('decided-land', d.land_mu ? `${d.land_mu} ${t('unit.mu')}` : '')),
    field(t('terms.intensity'), shown('intensity', d.intensity_wan_per_mu ? `${d.intensity_wan_per_mu} 万元/亩` : '')),
    field(t('terms.agreed'), shown('decided-agreed', (d.agreed || []).join('；'))),
    field(t('terms.policy_terms'), shown('decided-policy', (d.policy_terms || []).join('；'))),
    field(t('terms.party_a'), shown('party-a', k.party_a)),
    field(t('terms.start'), input('construction_start', { type: 'date', required: true, value: start })),
    field(t('terms.completion'), input('completion', { type: 'date', required: true, value: completion })),
    field(t('terms.production'), input('production', { type: 'date', required: true, value: production })),
    field(t('terms.obligations'), h('div', obligations.el, h('p.hint', t('terms.dates_are_obligations')))),
    field(t('sl.commitments'), standardLand),
    field(t('terms.other'), textarea('other_terms', '', { placeholder: t('step.one_per_line') })),
    field(t('terms.dispute'), input('dispute_resolution', { placeholder: '提交县仲裁委员会仲裁' })),
    button(latest ? fill(t('step.redraft'), { v: latest.version + 1 }) : t('step.draft'), { id: 'draft-contract' })],
  v => api.post(`${c.p}/contract/versions`, {
    construction_start: v.construction_start, completion: v.completion, production: v.production,
    obligations: obligations.values().map(o => ({ id: o.id, text: o.text, due: o.due, party: o.party })),
    other_terms: lines(v.other_terms), dispute_resolution: v.dispute_resolution || null,
    commitments: Object.keys(v).filter(k => k.startsWith('sl_') && String(v[k]).trim())
      .map(k => ({ indicator: k.slice(3), value: String(v[k]).trim() })),
  }), t('done.drafted'), latest ? 'activity' : 'state');
  return draft;
}

// R13: each holding unit's custodian and cabinet, then IPB files the numbered copies (all at once).
async function copyRegister(c) {
  const k = await api.get(`${c.p}/contract`);
  const holders = [...HOLDERS, k.responsible_unit];
  let byUnit = null, listed;  // the list of custodians is read by the units the register names (not every park)
  try { byUnit = Object.fromEntries((await api.get('/api/custodians')).map(x => [x.unit, x])); } catch (err) { listed = h('p.muted', t('step.custodians_hidden')); }
  const custody = step('custodians', t('step.custodians'), t('step.unit_heads'), isHead(c.me.position),
    () => custodianForm(c.me.unit, (byUnit || {})[c.me.unit], () => c.done(t('done.custodian'), 'none')),
  listed || table([t('review.unit'), t('custody.custodian'), t('custody.cabinet')], holders.map(u => [unitName(u),
    byUnit[u] ? byUnit[u].name : h('span.flag', t('step.no_custodian')), byUnit[u] ? byUnit[u].cabinet : '—']),
  { id: 'custodians-table' }));
  const copies = rows('copies', [
    { name: 'number', label: t('custody.copy_no'), make: cell({ size: 3, readonly: true }), auto: true },
    { name: 'unit', label: t('review.unit'), make: cellSelect(() => unitOptions([k.responsible_unit])) },
  ], [...holders, 'IPB'].map((u, i) => ({ number: String(i + 1), unit: u })), { addLabel: t('step.add_copy') });
  const register = step('copies', t('step.copies'), ipb(), c.me.unit === 'IPB', () => posting(c, 'copies-form', [
    field(t('project.copies'), copies.el),
    button(t('step.copies_file'), { id: 'file-copies' })],
  () => api.post(`${c.p}/contract/copies`, { copies: copies.values().map(x => ({ number: Number(x.number), unit: x.unit })) }),
  t('done.copies'), 'state', { confirm: () => [fill(t('confirm.copies'), { n: copies.values().length }),
    copies.values().map(x => `${fill(t('custody.copy_nth'), { n: x.number })} ${unitName(x.unit)}`).join('、')] }), h('p.hint', t('step.copies_rule')));
  return [custody, register];
}

// R7: IPB hands the filed contract to the park or town for construction.
async function handOver(c) {
  const k = await api.get(`${c.p}/contract`);
  return step('hand-over', t('step.hand_over'), ipb(), c.me.unit === 'IPB', () => posting(c, 'hand-over-form',
    [button(fill(t('step.hand_over_to'), { unit: unitName(k.responsible_unit) }), { id: 'hand-over' })],
  () => api.post(`${c.p}/contract/hand-over`), t('done.handed_over'), 'state'));
}

// R7, R12: progress against the obligations; IPB opens the investment accounting.
async function construction(c) {
  const k = await api.get(`${c.p}/contract`);
  const open = k.obligations.filter(o => o.status !== 'met');
  const unit = k.responsible_unit;
  const steps = [];
  if (open.length) {
    steps.push(step('progress', t('step.progress'), `${unitName(unit)} / ${ipb()}`, [unit, 'IPB'].includes(c.me.unit), () => {
      const f = posting(c, 'progress-form', [
        field(t('project.obligations'), select('key', open.map(o => [o.key, `${o.text}（${o.due}）`]))),
        field(t('step.progress_note'), textarea('note', '', { required: true, placeholder: '已完成土地摘牌，出让金已缴 60%' })),
        field(t('step.progress_met'), input('met', { type: 'checkbox' })),
        button(t('common.save'), { id: 'save-progress' })],
      v => api.post(`${c.p}/obligations/${enc(v.key)}/progress`, { note: v.note, met: v.met }), t('done.progress'), 'activity');
      return f;
    }));
  }
  steps.push(step('open-accounting', t('step.open_accounting'), ipb(), c.me.unit === 'IPB', () => posting(c, 'open-accounting-form', [
    field(t('project.reason'), input('reason', { value: t('step.open_accounting_reason') })),
    button(t('step.open_accounting'), { id: 'open-accounting' })],
  v => api.post(`${c.p}/accounting`, { reason: v.reason || null }), t('done.accounting_opened'), 'state'),
  h('p.hint', t('step.open_accounting_rule'))));
  return steps;
}

// R12: AUDIT's actual FAI, LAND's land used, IPB's report; the fee is one receivable: FIN, LAND and LEGAL record
// payments against it (or their acts), the principals may write off a remainder; nothing owed closes the accounting.
async function accounting(c) {
  const a = await api.get(`${c.p}/accounting`);
  const steps = [];
  if (!a.report) {
    steps.push(step('actual-fai', t('step.actual_fai'), unitName('AUDIT'), c.me.unit === 'AUDIT', () => posting(c, 'actual-fai-form', [
      field(t('step.amount'), amountInput('amount', { required: true, yuan: a.actual_fai })),
      field(t('step.basis'), input('basis', { required: true, placeholder: '县审计局审计报告〔2026〕31号' })),
      button(t('common.save'), { id: 'save-actual-fai' })],
    v => api.put(`${c.p}/accounting/actual-fai`, { amount: toYuan(v.amount, v.amount_unit), basis: v.basis }), t('done.figure'),
    a.land_used_mu ? 'activity' : 'none'), recorded(a.actual_fai && wanText(a.actual_fai), t('unit.wan'))));
    steps.push(step('land-used', t('step.land_used'), unitName('LAND'), c.me.unit === 'LAND', () => posting(c, 'land-used-form', [
      field(t('step.land_used_value'), h('div.inline', input('land_value', { required: true, inputmode: 'decimal', value: a.land_used_mu || '' }),
        select('land_unit', LAND_UNITS))),
      field(t('step.basis'), input('basis', { required: true, placeholder: '县国土资源局实测' })),
      field(t('step.delisting_price'), amountInput('delisting_price_per_mu', { perMu: true })), h('p.hint', t('step.delisting_hint')),
      button(t('common.save'), { id: 'save-land-used' })],
    v => api.put(`${c.p}/accounting/land-used`, { land: { value: v.land_value, unit: v.land_unit }, basis: v.basis,
      ...yuanOf(v, ['delisting_price_per_mu']) }), t('done.figure'), a.actual_fai ? 'activity' : 'none'),
    recorded(a.land_used_mu, t('unit.mu'))));
  }
  if (a.state === 'computed' && !a.report) {
    steps.push(step('report', t('step.report'), ipb(), c.me.unit === 'IPB', () => posting(c, 'report-form', [
      field(t('step.report_opinion'), textarea('opinion', '', { placeholder: t('step.report_opinion_hint') })),
      button(t('step.report'), { id: 'issue-report' })],
    v => api.post(`${c.p}/accounting/report`, { opinion: v.opinion || null }), t('done.report'), 'activity')));
  }
  if (a.report) {
    steps.push(step('recovery', t('step.recovery'), RECOVERY_UNITS.map(unitName).join('、'), true, () => receivable(c, a)));
  }
  return steps;
}

const recorded = (value, unit) => (value ? h('p', `${t('step.recorded')}: `, h('strong.recorded', `${money(value)} ${unit}`)) : null);

function receivable(c, a) {
  const r = a.receivable;
  if (!r) return h('p.muted', t('step.no_recovery'));
  const owed = r.status === 'outstanding';
  const pending = (r.write_off || {}).pending;
  const forms = [];
  if (owed && RECOVERY_UNITS.includes(c.me.unit)) {
    forms.push(posting(c, 'recovery-form', [
      field(t('step.paid_amount'), amountInput('amount', { yuan: r.outstanding })),
      field(t('step.voucher'), input('voucher', { placeholder: 'FIN-2026-031' })),
      field(t('step.recovery_note'), input('note', { required: true, placeholder: '投资方已缴清' })),
      button(t('common.save'), { id: 'record-recovery' })],
    v => api.post(`${c.p}/accounting/recovery`, { ...yuanOf(v, ['amount']), voucher: v.voucher || null, note: v.note }),
    t('done.recovery'), 'activity'), h('p.hint', t('step.paid_amount_hint')));
  }
  if (owed && PRINCIPALS.includes(c.me.position) && !(pending && pending.decisions[c.me.position])) {
    forms.push(posting(c, 'write-off-form', [
      field(t('decide.action.decide'), select('decision', [['agree', t('decide.agree')], ['refuse', t('decide.refuse')]])),
      field(t('step.write_off_reason'), input('reason', { required: true, placeholder: '企业经营困难，经县政府常务会议研究' })),
      button(fill(t('step.write_off'), { amount: money(r.outstanding) }), { id: 'write-off' })],
    v => api.post(`${c.p}/accounting/write-off`, { decision: v.decision, reason: v.reason }), t('done.write_off'), 'activity'));
  }
  const decisions = (r.write_off || {}).decisions || [];
  return h('div.receivable', { id: 'receivable', 'data-status': r.status },
    h('p', `${t('step.fee_owed')}: `, h('strong', `${money(r.amount)} ${t('unit.yuan')}`), ' ',
      h('span.tag', { class: owed ? 'warn' : 'ok' }, t(`receivable.${r.status}`, r.status))),
    h('p', `${t('step.recovered')}: ${money(r.paid)} · ${t('step.written_off')}: ${money(r.written_off)} · `
      + `${t('step.outstanding')}: ${money(r.outstanding)} ${t('unit.yuan')}`),
    h('ul.roles', r.roles.map(x => h('li', { 'data-unit': x.unit }, `${unitName(x.unit)}：${t(`role.${x.unit}`, x.role)}`))),
    r.entries.length ? table([t('review.unit'), '', t('step.amount_yuan'), t('step.voucher'), t('step.recovery_note'), ''],
      r.entries.map(e => [unitName(e.unit), t(`entry.${e.kind}`, e.kind), e.amount ? h('td.num', money(e.amount)) : '—',
        e.voucher || '', e.note, when(e.at)]), { id: 'recovery-entries' }) : null,
    decisions.length ? h('ul.decisions', decisions.map(d => h('li',
      `${posName(d.position)}：${d.decision === 'agree' ? t('decide.agree') : t('decide.refuse')} ${money(d.amount)} ${t('unit.yuan')} — ${d.reason}`))) : null,
    forms.length ? forms : (owed ? h('p.waiting', fill(t('step.waiting'), { who: `${RECOVERY_UNITS.map(unitName).join('、')} / ${t('step.principals')}` })) : null));
}

// R13: once closed (or terminated after signing), IPB hands the contract to the County Archives Bureau.
function archives(c, mode = 'state') {
  return step('archives', t('step.archives'), ipb(), c.me.unit === 'IPB', () => posting(c, 'archives-form', [
    field(t('step.note'), input('note', { value: t('step.archives_note') })),
    button(t('step.archives'), { id: 'hand-to-archives' })],
  v => api.post(`${c.p}/contract/archives`, { note: v.note || null }), t('done.archived'), mode));
}

function finished() {
  return h('section.card.step', { id: 'step-finished', 'data-step': 'finished' }, notice(t('step.finished')));
}

// -- R11: a project that cannot go ahead -----------------------------------------------------------------
// Up to and during construction a project may be terminated for objective reasons, and only with a special report to
// the Leading Group: IPB or the responsible unit files the report (cause, summary, the document), then the IPB
// director terminates the project citing it (the coordinator checks its copy of supervision's register).
const TERMINABLE = ['lead', 'filed', 'under_review', 'returned', 'approved', 'assigned', 'negotiating', 'escalated',
  'refused', 'agreed', 'drafting', 'legal_review', 'signed', 'filed_copies', 'construction'];
const REPORT_CAUSES = ['cannot_go_ahead', 'unfinished_review'];
const DOCUMENT_TYPES = '.pdf,.docx,.doc,.xlsx,.jpg,.png';  // policy/documents.yaml

// A chosen file as base64 (what the API takes as {filename, content_base64}).
const base64Of = file => new Promise((resolve, reject) => {
  const reader = new FileReader();
  reader.onload = () => resolve(String(reader.result).split(',', 2)[1] || '');
  reader.onerror = () => reject(reader.error);
  reader.readAsDataURL(file);
});

async function termination(c) {
  const unit = c.facts.responsible_unit;
  const files = c.me.unit === 'IPB' || Boolean(unit && c.me.unit === unit);
  const terminates = c.me.position === 'ipb_director';
  let reports = [], listed = null;  // the register is read by IPB, the LG and the responsible unit only
  if (files || terminates || c.me.unit === 'LG') {
    try { reports = await api.get(`/api/special-reports?project_id=${enc(c.pid)}`); } catch (err) {
      if (!(err instanceof api.ApiError)) throw err;
      listed = err.status === 403 ? null : refusal(err);
    }
  }
  const filers = unit ? `${ipb()} / ${unitName(unit)}` : ipb();
  const upload = input('document', { type: 'file', accept: DOCUMENT_TYPES });
  const report = files ? submitting(form('special-report-form',
    field(t('report.cause'), select('cause', REPORT_CAUSES.map(x => [x, t(`cause.${x}`)]))),
    field(t('report.summary'), textarea('summary', '', { required: true, placeholder: t('report.summary_hint') })),
    field(t('report.document'), upload),
    button(t('report.file'), { id: 'file-special-report' })),
  async v => {
    const file = upload.files[0];
    return api.post(`${c.p}/special-reports`, { cause: v.cause, summary: v.summary,
      document: file ? { filename: file.name, content_base64: await base64Of(file) } : undefined });
  }, answer => c.done(fill(t('done.special_report'), { ref: answer.ref }), 'none'))
    : h('p.waiting', fill(t('step.waiting'), { who: filers }));
  const usable = reports.filter(x => x.cause === 'cannot_go_ahead');
  const latest = usable.length ? usable[usable.length - 1].ref : '';
  const terminate = terminates ? posting(c, 'terminate-form', [
    field(t('terminate.report'), select('special_report_ref', [['', t('terminate.no_report')],
      ...reports.map(x => [x.ref, `${x.ref} · ${t(`cause.${x.cause}`, x.cause)}`])], { value: latest })),
    field(t('terminate.reason'), textarea('reason', '', { required: true, placeholder: t('terminate.reason_hint') })),
    button(t('terminate.submit'), { id: 'terminate' })],
  // no report chosen: sent without one, the coordinator refuses it as required (R11) and the refusal explains why
  v => api.post(`${c.p}/terminate`, { reason: v.reason, special_report_ref: v.special_report_ref || undefined }),
  t('done.terminated'), 'state', { confirm: v => [t('confirm.terminate'), `${t('terminate.reason')}：${v.reason}`,
    v.special_report_ref ? `${t('terminate.report')}：${v.special_report_ref}` : t('terminate.no_report')] }) : h('p.waiting', fill(t('step.waiting'), { who: posName('ipb_director') }));
  return h('details.card.step', { id: 'step-terminate', 'data-step': 'terminate', open: reports.length > 0 },
    h('summary', h('h2', t('terminate.title'))),
    h('p.hint', t('terminate.rule')),
    listed || (reports.length ? table([t('report.ref'), t('report.cause'), t('report.summary'), t('project.actor'), t('project.at')],
      reports.map(x => [x.ref, t(`cause.${x.cause}`, x.cause), x.summary, unitName((x.filed_by || {}).unit), when(x.filed_at)]),
    { id: 'special-reports-table' }) : null),
    h('h3', t('report.title')), h('p.muted.who', fill(t('step.by'), { who: filers })), report,
    h('h3', t('terminate.submit')), h('p.muted.who', fill(t('step.by'), { who: posName('ipb_director') })), terminate);
}

// A project terminated after signing stays terminated; its contract file still goes to the Archives Bureau (R13).
function terminated(c) {
  const r = c.facts.special_report || {};
  const card = h('section.card.step', { id: 'step-terminated', 'data-step': 'terminated' },
    notice(t('step.terminated')),
    c.facts.special_report_ref ? h('p', { id: 'terminated-report' }, `${t('report.title')}: ${c.facts.special_report_ref}`,
      r.cause ? ` · ${t(`cause.${r.cause}`, r.cause)}` : '', r.summary ? ` · ${r.summary}` : '') : null);
  const archived = (c.project.timeline || []).some(e => e.kind === 'contracts.archive');
  return c.facts.signed_by && !archived ? [card, archives(c, 'activity')] : card;
}
