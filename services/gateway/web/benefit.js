// The per-mu benefit evaluation (亩均效益综合评价, R17) and the enterprise data store it reads: the year's results per
// grade and per park or town, the workbook and the notice, each enterprise's card against the baselines, and the
// import of each unit's yearly figures (Excel or CSV).  Pages of the hash routes #/benefit and #/benefit/<code>.
import { h, table } from './dom.js';
import { t } from './i18n.js';
import * as api from './api.js';
import { field, fill, notice, refusal, select, submitting, toWan, unitName } from './ui.js';
import { readFile } from './workbench.js';

const enc = encodeURIComponent;
const GRADES = ['A', 'B', 'C', 'D', 'T'];
const INDICATORS = ['tax_per_mu', 'output_per_mu', 'tax_per_energy'];
const gradeTag = g => (g ? h('span.tag.grade', { 'data-grade': g, class: `grade-${g}` }, t(`bf.grade.${g}`, g)) : h('span.muted', t('bf.not_evaluated')));
const lastYear = () => Number(new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric' }).format(new Date())) - 1;

function yearQuery(year, grade, location) {
  const q = new URLSearchParams();
  if (grade) q.set('grade', grade);
  if (location) q.set('location', location);
  q.set('year', year);
  return `#/benefit?${q}`;
}

export async function benefitPage(main, params) {
  const year = Number(params.get('year')) || lastYear();
  const grade = params.get('grade') || '';
  const location = params.get('location') || '';
  const ops = await api.myOperations();
  const pick = h('select', { id: 'bf-year', 'aria-label': t('bf.year'), onchange: e => { window.location.hash = yearQuery(e.target.value, '', ''); } },
    [0, 1, 2].map(d => h('option', { value: lastYear() - d, selected: lastYear() - d === year }, `${lastYear() - d}`)));
  main.append(h('h1', fill(t('bf.title'), { year })), h('p.inline', h('label', { for: 'bf-year' }, t('bf.year')), ' ', pick));
  if (api.may(ops, 'supervision.evaluate_benefit')) {
    main.append(h('p', h('button.primary', { type: 'button', id: 'bf-run', onclick: async ev => {
      ev.target.disabled = true;
      try { await api.post(`/api/benefit-evaluations/${year}`); window.location.reload(); } catch (err) { ev.target.after(refusal(err)); ev.target.disabled = false; }
    } }, fill(t('bf.run'), { year }))));
  }
  let r = null;
  try {
    r = await api.get(`/api/benefit-evaluations/${year}${grade || location ? '?' : ''}${grade ? `grade=${enc(grade)}` : ''}${grade && location ? '&' : ''}${location ? `location=${enc(location)}` : ''}`);
  } catch (err) {
    if (!(err instanceof api.ApiError) || err.status !== 404) throw err;
    main.append(h('section.card', { id: 'bf-none' }, h('p.muted', err.message)));
  }
  if (r) {
    const download = (kind, label) => h('button', { type: 'button', id: `bf-${kind}`, onclick: async ev => {
      try { await api.download(`/api/benefit-evaluations/${year}/document.${kind}`, `benefit-${year}.${kind}`); } catch (err) { ev.target.after(refusal(err)); }
    } }, label);
    const b = r.rules.baselines;
    main.append(h('p.inline', download('docx', t('bf.notice')), ' ', download('pdf', 'PDF'), ' ', download('xlsx', t('common.download_xlsx'))),
      h('p.hint', { id: 'bf-method' }, fill(t('bf.method'), { tax: b.tax_per_mu, output: b.output_per_mu, energy: b.tax_per_energy, cap: r.rules.cap, graded: r.graded })),
      h('div.tabs', { id: 'bf-grades' }, ['', ...GRADES].map(g => h('button', { type: 'button', class: g === grade ? 'active' : '', 'data-grade': g || 'all',
        onclick: () => { window.location.hash = yearQuery(year, g, location); } },
      g ? `${t(`bf.grade.${g}`)} ${r.per_grade[g] || 0}` : `${t('common.all')} ${r.enterprises}`))),
      h('section.card', { id: 'bf-places' }, h('h2', t('bf.per_location')), table([t('bf.location'), ...GRADES.map(g => t(`bf.grade.${g}`)), t('bf.sum')],
        r.per_location.map(p => [h('a', { href: yearQuery(year, grade, p.location || ''), 'data-location': p.location || '' }, p.location ? unitName(p.location) : t('bf.unregistered')),
          ...GRADES.map(g => h('td.num', p.grades[g] || 0)), h('td.num', GRADES.reduce((s, g) => s + (p.grades[g] || 0), 0))]), { id: 'bf-places-table' })),
      h('section.card', { id: 'bf-results' }, h('h2', location ? `${t('bf.results')} · ${unitName(location)}` : t('bf.results')),
        r.items.length ? table([t('bf.rank'), t('bf.code'), t('bf.name'), t('bf.location'), ...INDICATORS.map(k => t(`bf.ind.${k}`)), t('bf.total'), t('bf.grade')],
          r.items.map(x => [x.rank || '', h('a', { href: `#/benefit/${enc(x.credit_code)}?year=${year}` }, x.credit_code), x.name || '—', unitName(x.location),
            ...INDICATORS.map(k => h('td.num', x.values[k] ?? '—')), h('td.num', x.total ?? '—'),
            x.grade ? gradeTag(x.grade) : h('span.muted', { title: x.reason || '' }, t('bf.not_evaluated'))]), { id: 'bf-table' })
          : h('p.muted', t('common.none'))));
  }
  const kinds = ['tax', 'output', 'energy', 'electricity', 'land'].filter(k => api.may(ops, `supervision.enter_figures.${k}`));
  if (kinds.length || api.may(ops, 'supervision.import_enterprises')) main.append(importCard(kinds, api.may(ops, 'supervision.import_enterprises')));
}

function importCard(kinds, register) {
  const what = select('what', [...(register ? [['register', t('bf.import.register')]] : []), ...(kinds.length ? [['figures', fill(t('bf.import.figures'), { kinds: kinds.map(k => t(`bf.kind.${k}`)).join('、') })]] : [])], { id: 'f-bf-what' });
  const form = h('form.form', { id: 'bf-import' }, field(t('bf.import.what'), what),
    field(t('bf.import.file'), h('input', { type: 'file', name: 'file', id: 'f-bf-file', accept: '.xlsx,.csv', required: true })),
    h('div.full', h('button.primary', { type: 'submit' }, t('lg.import'))));
  const out = h('div', { id: 'bf-import-result' });
  submitting(form, async () => {
    const chosen = form.elements.file.files[0];
    if (!chosen) throw new api.ApiError(422, { error: 'invalid_input', message: t('file.choose'), details: { file: [t('file.choose')] } });
    const path = form.elements.what.value === 'register' ? '/api/enterprises/import' : '/api/enterprise-figures/import';
    return api.post(path, { filename: chosen.name, content_base64: await readFile(chosen) });
  }, r => { out.replaceChildren(notice(fill(t('bf.imported'), { rows: r.rows, added: r.added, changed: r.changed }))); });
  return h('section.card', h('h2', t('bf.import')), h('p.hint', t('bf.import.hint')), form, out);
}

export async function benefitCardPage(main, params, code) {
  const year = params.get('year') || '';
  const c = await api.get(`/api/enterprises/${enc(code)}/benefit${year ? `?year=${enc(year)}` : ''}`);
  main.append(h('h1', `${c.name || c.credit_code} · ${fill(t('bf.card'), { year: c.year })}`),
    h('section.card', { id: 'bf-card' }, h('dl.kv',
      h('dt', t('bf.code')), h('dd', c.credit_code), h('dt', t('bf.location')), h('dd', unitName(c.location)),
      h('dt', t('bf.grade')), h('dd', { id: 'bf-card-grade' }, gradeTag(c.grade)),
      h('dt', t('bf.rank')), h('dd', c.rank ? `${c.rank} / ${c.of}` : '—'), h('dt', t('bf.total')), h('dd', c.total ?? '—'),
      c.reason ? [h('dt', t('bf.reason')), h('dd', c.reason)] : null),
    table([t('bf.indicator'), t('bf.value'), t('bf.baseline'), t('bf.weight'), t('bf.score')],
      c.indicators.map(i => [i.name, h('td.num', i.value === null ? '—' : `${i.value} ${i.unit}`), h('td.num', `${i.baseline} ${i.unit}`),
        h('td.num', `${Math.round(Number(i.weight) * 100)}%`), h('td.num', i.score ?? '—')]), { id: 'bf-indicators' }),
    h('p.hint', fill(t('bf.cap'), { cap: c.cap }))),
    h('section.card', h('h2', t('bf.history')), table([t('bf.year'), t('bf.grade'), t('bf.total'), t('bf.rank')],
      c.history.map(x => [x.year, gradeTag(x.grade), h('td.num', x.total ?? '—'), x.rank || '—']), { id: 'bf-history' })));
}

// §5: the forecast at the door — a lead's planned yearly figures against this year's baselines.
export function forecastCard(planned) {
  const out = h('div', { id: 'bf-forecast' });
  const show = f => out.replaceChildren(h('p', t('bf.forecast.grade'), ' ', f.grade ? gradeTag(f.grade) : h('span.muted', f.grade_name),
    f.rank ? ` · ${fill(t('bf.forecast.rank'), { rank: f.rank, of: f.of, year: f.compared_with })}` : '', ` · ${t('bf.total')} ${f.total}`),
  table([t('bf.indicator'), t('bf.value'), t('bf.baseline'), t('bf.score')],
    f.indicators.map(i => [i.name, h('td.num', i.value === null ? '—' : `${i.value} ${i.unit}`), h('td.num', `${i.baseline} ${i.unit}`), h('td.num', i.score)])));
  api.post('/api/benefit-forecast', planned).then(show, err => out.replaceChildren(refusal(err)));
  return h('section.card', { id: 'card-forecast' }, h('h2', t('bf.forecast')), h('p.hint', t('bf.forecast.hint')), out);
}

// A lead's or project's planned yearly figures (yuan; energy in 吨标准煤) and land: the forecast card, or nothing when
// the planned output and tax were not given.
export function plannedForecast(facts, land) {
  if (!facts || facts.planned_annual_output == null || facts.planned_annual_tax == null || !land) return null;
  return forecastCard({ tax: toWan(facts.planned_annual_tax), output: toWan(facts.planned_annual_output),
    energy: facts.planned_annual_energy ?? null, land_mu: String(land) });
}

// §6: the verified outcomes of signed projects on the public catalog, where the county's policy discloses them (the
// API answers 404 otherwise); only the fields policy lists as public are in the answer, and only those are shown.
export async function outcomesSection() {
  let page;
  try { page = await api.get('/api/outcomes', { anonymous: true }); } catch (err) { return null; }
  if (!page.items.length) return null;
  const shown = INDICATORS.filter(k => page.public.includes(k));
  return h('section.card', { id: 'outcomes' }, h('h2', fill(t('bf.outcomes'), { year: page.year })),
    table([t('lead.ref'), t('lead.project_name'), ...(page.public.includes('grade') ? [t('bf.grade')] : []), ...shown.map(k => t(`bf.ind.${k}`)), t('bf.commitments')],
      page.items.map(o => [o.ref, o.name || '—', ...(page.public.includes('grade') ? [gradeTag(o.grade)] : []),
        ...shown.map(k => h('td.num', o.indicators[k] ?? '—')),
        // the committed standard-land indicators beside the verified ones (the public ones only)
        h('td', (o.commitments || []).map(c => h('div.commitment', fill(t('bf.commitment_line'), {
          name: c.name, dir: c.direction === '>=' ? '≥' : '≤', committed: c.committed, verified: c.verified ?? '—' }))))]),
      { id: 'outcomes-table' }));
}
