// Standard land (标准地, R17): the contract's commitments, their checks, rectifications and damages on the project page.
import { h, table } from './dom.js';
import { t, when } from './i18n.js';
import * as api from './api.js';
import { card, submitting, field, select, input, submit, notice, amountInput, toYuan, toWan, posName, fill } from './ui.js';

const enc = encodeURIComponent;
const FIGURES = { FIN: ['tax'], IND: ['output'], DRB: ['energy'], LAND: ['plot_ratio', 'land_used_mu'], AUDIT: ['fixed_asset_investment'] };
const MONEY = ['tax', 'output', 'fixed_asset_investment'];
const RECOVERS = ['FIN', 'LAND', 'LEGAL'];
const PRINCIPALS = ['party_secretary', 'county_magistrate'];
const unitText = u => (u && (u.zh !== undefined) ? (document.documentElement.lang === 'en' ? u.en : u.zh) : '') || '';
const tag = (text, cls, attrs = {}) => h('span.tag', { class: cls, ...attrs }, text);
const wanText = yuan => `${toWan(yuan)} ${t('unit.wan')}`;

export function standardLandCard(project, me, reload) {
  const p = `/api/projects/${enc(project.id)}/standard-land`;
  return card(t('sl.title'), async () => {
    const v = await api.get(p);
    if (!v.commitments.length) return h('p.muted', { id: 'sl-none' }, t('sl.none'));
    const out = h('div');
    out.append(
      h('h3', t('sl.commitments')),
      table([t('sl.indicator'), t('sl.committed'), t('sl.floor'), t('sl.stage'), t('sl.clause')], v.commitments.map(c => [
        c.name, `${c.direction === '>=' ? '≥' : '≤'} ${c.value} ${unitText(c.unit_text)}`, c.floor,
        t(`sl.stage.${c.stage}`), c.base_amount ? `${c.clause_name}（${t('sl.base')} ${wanText(c.base_amount)}）` : c.clause_name]),
      { id: 'sl-commitments' }),
      h('h3', t('sl.checks')),
      table([t('sl.check'), t('review.deadline'), t('sl.data_year'), t('ledger.state'), t('sl.results')], v.checks.map(c => [
        c.stage_name, c.due, c.data_year || '—', c.status_name,
        h('ul', (c.results || []).map(r => h('li', { 'data-indicator': r.indicator, 'data-result': r.result },
          `${r.name}：${r.actual === null ? '—' : r.actual}（${t('sl.committed')} ${r.committed}） `,
          tag(r.result_name, r.result === 'met' ? 'ok' : r.result === 'short' ? 'bad' : ''), r.formula ? ` ${r.formula}` : '')))]),
      { id: 'sl-checks' }),
      h('h3', t('sl.rectifications')),
      v.rectifications.length ? table([t('sl.indicator'), t('sl.opened'), t('sl.due'), t('ledger.state'), ''], v.rectifications.map(r => [
        r.name, r.opened_on, r.due, h('span', tag(r.status_name, r.status === 'rectified' ? 'ok' : r.status === 'damages' ? 'bad' : 'warn',
          { 'data-status': r.status }), r.special_report_ref
          ? h('span.report', { 'data-report': r.special_report_ref }, ` ${t('sl.special_report')} ${r.special_report_ref}`) : ''),
        r.status === 'open' && (me.unit === 'IPB' || me.unit === project.facts?.responsible_unit)
          ? h('button', { type: 'button', id: `sl-recheck-${r.id}`, onclick: async e => {
            try { await api.post(`${p}/rectifications/${r.id}/recheck`, {}); await reload(); } catch (err) { e.target.after(notice(err.message)); }
          } }, t('sl.recheck')) : '']), { id: 'sl-rectifications' }) : h('p.muted', t('sl.no_rectification')),
      h('h3', t('sl.damages')),
      v.damages.length ? table([t('sl.indicator'), t('sl.amount'), t('sl.paid'), t('sl.reduced'), t('sl.outstanding'), t('ledger.state'), t('project.formula')],
        v.damages.map(d => [d.name, wanText(d.amount), wanText(d.paid), wanText(d.reduced), wanText(d.outstanding),
          tag(d.status_name, d.status === 'settled' ? 'ok' : 'bad', { 'data-status': d.status }), d.formula]), { id: 'sl-damages' })
        : h('p.muted', t('sl.no_damages')));
    const open = v.damages.filter(d => d.status === 'outstanding');
    if (open.length && RECOVERS.includes(me.unit)) out.append(damagesForm(p, open, 'payments', reload));
    v.damages.forEach(d => out.append(reductionRound(p, d, me, reload)));
    if (FIGURES[me.unit]) out.append(figureForm(p, FIGURES[me.unit], reload));
    if (v.figures.length) out.append(h('h3', t('sl.figures')), table([t('sl.figure'), t('sl.year'), t('sl.value'), t('project.actor'), t('project.at'), t('sl.source')],
      v.figures.map(f => [f.figure_name, f.year || '—', MONEY.includes(f.figure) ? wanText(f.value) : f.figure === 'land_used_mu' ? `${f.value} ${t('unit.mu')}` : f.value, (f.entered_by || {}).name || (f.entered_by || {}).position || '',
        when(f.entered_at), f.reason || t('sl.from_accounting')]), { id: 'sl-figures' }));
    return out;
  }, { id: 'card-standard-land' });
}

function figureForm(p, figures, reload) {
  const f = h('form.form', { id: 'sl-figure-form' }, h('h3.full', t('sl.enter_figure')),
    field(t('sl.figure'), select('figure', figures.map(x => [x, t(`sl.figure.${x}`)]))),
    field(t('sl.year'), input('year', { inputmode: 'numeric', value: String(new Date().getFullYear() - 1) })),
    field(t('sl.value'), figures.some(x => MONEY.includes(x)) ? amountInput('value', { required: true }) : input('value', { required: true })),
    field(t('sl.source'), input('reason', { required: true })),
    submit(t('common.submit')));
  return submitting(f, v => api.post(`${p}/figures`, {
    figure: v.figure, year: ['plot_ratio', 'land_used_mu', 'fixed_asset_investment'].includes(v.figure) ? null : Number(v.year) || null,
    value: MONEY.includes(v.figure) ? toYuan(v.value, v.value_unit) : v.value, reason: v.reason }), reload);
}

function damagesForm(p, open, kind, reload) {
  const f = h('form.form', { id: `sl-${kind}-form` }, h('h3.full', t(`sl.${kind}`)),
    field(t('sl.damages'), select('damages', open.map(d => [String(d.id), `${d.name} · ${t('sl.outstanding')} ${wanText(d.outstanding)}`]))),
    field(t('sl.amount'), amountInput('amount', { required: true })),
    field(t('sl.voucher'), input('voucher')),
    submit(t('common.submit')));
  return submitting(f, v => api.post(`${p}/damages/${v.damages}/${kind}`, {
    amount: toYuan(v.amount, v.amount_unit), voucher: v.voucher || null }), reload);
}

// The principals reduce damages together: one proposes an amount (agreeing), each other agrees or refuses it; every
// principal agreeing reduces it, a refusal ends the round, a payment meanwhile starts it again.
function reductionRound(p, d, me, reload) {
  const r = d.reduction || {};
  const pending = r.pending;
  const box = h('div.reduction', { id: `sl-reduction-${d.id}`, 'data-pending': pending ? 'yes' : 'no' });
  if (!pending && !r.decisions.length && (d.status !== 'outstanding' || !PRINCIPALS.includes(me.position))) return box;
  box.append(h('h3', `${t('sl.reductions')} · ${d.name}`));
  if (pending) {
    box.append(h('p.waiting', fill(t('sl.reduction_pending'), {
      amount: wanText(pending.amount), agreed: Object.keys(pending.decisions).map(posName).join('、') || '—',
      waiting: pending.awaiting.map(posName).join('、') })));
  }
  if (r.decisions.length) {
    box.append(h('ul.decisions', r.decisions.map(x => h('li', { 'data-outcome': x.outcome || 'pending' },
      `${posName(x.position)}：${x.decision === 'agree' ? t('decide.agree') : t('decide.refuse')} ${wanText(x.amount)} — ${x.reason}`
      + (x.outcome ? `（${t(`sl.reduction.${x.outcome}`)}）` : '')))));
  }
  if (d.status !== 'outstanding' || !PRINCIPALS.includes(me.position) || (pending && pending.decisions[me.position])) return box;
  const f = h('form.form', { id: `sl-reductions-form-${d.id}` },
    pending
      ? field(t('decide.action.decide'), select('decision', [['agree', t('decide.agree')], ['refuse', t('decide.refuse')]]))
      : field(t('sl.amount'), amountInput('amount', { required: true })),
    field(t('sl.reason'), input('reason', { required: true })),
    submit(pending ? t('common.submit') : t('sl.propose_reduction')));
  box.append(submitting(f, v => api.post(`${p}/damages/${d.id}/reductions`, pending
    ? { decision: v.decision, reason: v.reason }
    : { decision: 'agree', amount: toYuan(v.amount, v.amount_unit), reason: v.reason }), reload));
  return box;
}
