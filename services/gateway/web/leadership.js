// The Leading Group's own work: its roster and office, investment events (招商活动) and their effectiveness, and
// the target assessment (考核) with its notice.  Pages of the hash routes #/leading-group, #/events…, #/assessment.
import { h, table } from './dom.js';
import { t, when } from './i18n.js';
import * as api from './api.js';
import { card, field, fill, input, notice, refusal, select, submitting, textarea, unitName, unitOptions, posName, today } from './ui.js';
import { readFile, wan } from './workbench.js';

const enc = encodeURIComponent;
const ROLES = ['leader', 'executive_deputy_leader', 'deputy_leader', 'member', 'office_director'];
const may = async (...ops) => api.may(await api.myOperations(), ...ops);

// A workbook chosen in a form, sent as {filename, content_base64}; the refusal names every bad row.
function importForm(id, path, label, done) {
  const form = h('form.form', { id },
    field(label, h('input', { type: 'file', name: 'file', id: `f-${id}-file`, accept: '.xlsx', required: true })),
    h('div.full', h('button.primary', { type: 'submit' }, t('lg.import'))));
  submitting(form, async () => {
    const chosen = form.elements.file.files[0];
    if (!chosen) throw new api.ApiError(422, { error: 'invalid_input', message: t('file.choose'), details: { file: [t('file.choose')] } });
    return api.post(path, { filename: chosen.name, content_base64: await readFile(chosen) });
  }, done);
  return form;
}
export { importForm };

// -- the roster ----------------------------------------------------------------------------------------------------
export async function rosterPage(main, params) {
  const on = params.get('on') || '';
  const roster = await api.get(`/api/leading-group/roster${on ? `?on=${enc(on)}` : ''}`);
  const director = roster.office.director;
  main.append(h('h1', t('lg.title')),
    h('section.card', { id: 'lg-office' }, h('h2', t('lg.office')),
      h('dl.kv', h('dt', t('lg.office_unit')), h('dd', unitName(roster.office.unit)),
        h('dt', t('lg.office_director')), h('dd', { id: 'office-director' }, director ? director.name : t('lg.vacant')),
        h('dt', t('lg.on')), h('dd', roster.on))));
  for (const role of ROLES) {
    const seats = roster.seats.filter(s => s.role === role);
    if (!seats.length) continue;
    main.append(h('section.card', { 'data-role': role }, h('h2', t(`lg.role.${role}`)),
      table([t('lg.seat'), t('lg.name'), t('lg.since'), t('lg.account'), t('lg.positions'), t('lg.history')], seats.map(s => [
        s.title_zh, h('span.holder', { 'data-seat': s.id }, s.holder ? s.holder.name : t('lg.vacant')),
        s.holder ? s.holder.since : '—', s.holder && s.holder.user_id ? s.holder.user_id : '—',
        s.positions.map(posName).join('、') || '—',
        s.history.length > 1 ? h('details', h('summary', fill(t('lg.terms'), { n: s.history.length })),
          h('ul', s.history.map(e => h('li', `${e.name} ${e.since} — ${e.until || t('lg.now')}`)))) : '—',
      ]), { class: 'roster-table' })));
  }
  if (!await may('leadership.manage_roster')) return;
  const seatOptions = roster.seats.map(s => [s.id, `${t(`lg.role.${s.role}`)} · ${s.title_zh}`]);
  const form = h('form.form', { id: 'appoint-form' },
    field(t('lg.seat'), select('seat', seatOptions)),
    field(t('lg.name'), input('name', { required: true, maxlength: 40 })),
    field(t('lg.account'), input('user_id', { maxlength: 64 })),
    field(t('lg.email'), input('email', { type: 'email' })),
    field(t('lg.since'), input('since', { type: 'date', required: true, value: today() })),
    field(t('lg.note'), input('note')),
    h('div.full', h('button.primary', { type: 'submit' }, t('lg.appoint'))));
  submitting(form, v => api.post('/api/leading-group/appointments', {
    seat: v.seat, name: v.name, user_id: v.user_id || null, email: v.email || null, since: v.since, note: v.note || null,
  }), (entry, out) => { out.append(notice(fill(t('lg.appointed'), { name: entry.name, seat: entry.seat_title }))); setTimeout(() => location.reload(), 600); });
  main.append(h('section.card', h('h2', t('lg.appoint')), h('p.hint', t('lg.appoint_hint')), form),
    h('section.card', h('h2', t('lg.import_roster')), h('p.hint', t('lg.import_roster_hint')),
      importForm('roster-import', '/api/leading-group/roster/import', t('lg.workbook'),
        (r, out) => out.append(notice(fill(t('lg.imported'), { n: r.imported }))))));
}

// -- investment events ----------------------------------------------------------------------------------------------
const STATUS_CLASS = { planned: '', held: 'ok', cancelled: 'bad' };
const eventStatus = s => h('span.tag', { class: STATUS_CLASS[s], 'data-status': s }, t(`ev.status.${s}`, s));

export async function eventsPage(main, params) {
  const year = params.get('year') || today().slice(0, 4);
  main.append(h('h1', t('ev.title'), ' ', h('a.button', { href: `#/events/effectiveness?year=${year}`, id: 'to-effectiveness' }, t('ev.effectiveness'))),
    card(`${t('ev.list')} · ${year}`, async () => {
      const page = await api.get(`/api/investment-events?year=${enc(year)}`);
      return page.items.length ? table([t('ev.ref'), t('ev.name'), t('ev.kind'), t('ev.date'), t('ev.unit'), t('ev.budget'), t('ev.cost'), t('ev.status')],
        page.items.map(e => [h('a', { href: `#/events/${enc(e.id)}` }, e.ref), e.title, e.kind_name, e.held_on || e.planned_on,
          unitName(e.organising_unit), h('td.num', wan(e.budget)), h('td.num', e.actual_cost ? wan(e.actual_cost) : '—'), eventStatus(e.status)]),
        { id: 'events-table' }) : h('p.muted', t('common.none'));
    }, { id: 'card-events' }));
  if (!await may('leadership.plan_event')) return;
  const me = api.currentUser() || {};
  const form = h('form.form', { id: 'event-form' },
    field(t('ev.kind'), select('kind', [['fair', t('ev.kind.fair')], ['delegation', t('ev.kind.delegation')], ['visit', t('ev.kind.visit')], ['online', t('ev.kind.online')]])),
    field(t('ev.name'), input('title', { required: true, maxlength: 200 })),
    field(t('ev.unit'), select('organising_unit', unitOptions(), { value: me.unit })),
    field(t('ev.place'), input('place', { required: true })),
    field(t('ev.planned_on'), input('planned_on', { type: 'date', required: true })),
    field(t('ev.budget_wan'), input('budget', { required: true, inputmode: 'decimal' })),
    field(t('ev.plan_notes'), textarea('plan_notes')),
    h('div.full', h('button.primary', { type: 'submit' }, t('ev.plan'))));
  submitting(form, v => api.post('/api/investment-events', { kind: v.kind, title: v.title, organising_unit: v.organising_unit,
    place: v.place, planned_on: v.planned_on, budget: yuan(v.budget), plan_notes: v.plan_notes || null }),
  e => { location.hash = `#/events/${enc(e.id)}`; });
  main.append(h('section.card', h('h2', t('ev.plan')), form));
}

// 万元 typed, yuan sent (exact: digits only, as the lead form does)
function yuan(wanText) {
  const m = /^\s*(\d+)(?:\.(\d{1,6}))?\s*$/.exec(String(wanText).replace(/[,，]/g, ''));
  if (!m) return wanText;
  const fen = BigInt(m[1] + (m[2] || '').padEnd(6, '0'));  // 万元 to 6 places = fen
  return `${fen / 100n}.${String(fen % 100n).padStart(2, '0')}`;
}

export async function eventPage(main, params, id) {
  const e = await api.get(`/api/investment-events/${enc(id)}`);
  const base = `/api/investment-events/${enc(e.id)}`;
  const me = api.currentUser() || {};
  const mine = me.unit === 'IPB' || me.unit === e.organising_unit;
  main.append(h('h1', `${e.ref} ${e.title} `, eventStatus(e.status)),
    h('section.card', { id: 'event-plan' }, h('h2', t('ev.plan')), h('dl.kv',
      h('dt', t('ev.kind')), h('dd', e.kind_name), h('dt', t('ev.unit')), h('dd', unitName(e.organising_unit)),
      h('dt', t('ev.place')), h('dd', e.place), h('dt', t('ev.planned_on')), h('dd', e.planned_on),
      h('dt', t('ev.budget')), h('dd', wan(e.budget)), h('dt', t('ev.plan_notes')), h('dd', e.plan_notes || '—'),
      e.cancel_reason ? [h('dt', t('ev.cancel_reason')), h('dd', e.cancel_reason)] : null)));
  if (e.status === 'held') {
    main.append(h('section.card', { id: 'event-record' }, h('h2', t('ev.record')), h('dl.kv',
      h('dt', t('ev.held_on')), h('dd', e.held_on), h('dt', t('ev.cost')), h('dd', { id: 'event-cost' }, wan(e.actual_cost)),
      h('dt', t('ev.participants')), h('dd', e.participants.map(p => `${p.name}${p.unit ? `（${unitName(p.unit)}）` : ''}`).join('、')),
      h('dt', t('ev.investors')), h('dd', e.investors_met.map(i => `${i.name}${i.interest ? `：${i.interest}` : ''}`).join('；') || '—'),
      h('dt', t('ev.summary')), h('dd', e.summary || '—'))));
  }
  if (e.status === 'planned' && mine) {
    const form = h('form.form', { id: 'record-form' },
      field(t('ev.held_on'), input('held_on', { type: 'date', required: true, value: e.planned_on })),
      field(t('ev.place'), input('place', { value: e.place })),
      field(t('ev.participants_hint'), textarea('participants', '', { required: true })),
      field(t('ev.investors_hint'), textarea('investors')),
      field(t('ev.cost_wan'), input('actual_cost', { required: true, inputmode: 'decimal' })),
      field(t('ev.summary'), textarea('summary')),
      h('div.full', h('button.primary', { type: 'submit' }, t('ev.record'))));
    const people = text => text.split('\n').map(s => s.trim()).filter(Boolean);
    submitting(form, v => api.post(`${base}/record`, { held_on: v.held_on, place: v.place || null,
      participants: people(v.participants).map(name => ({ name })), investors_met: people(v.investors).map(line => {
        const [name, ...interest] = line.split(/[：:]/);
        return { name: name.trim(), interest: interest.join('：').trim() || null };
      }), actual_cost: yuan(v.actual_cost), summary: v.summary || null }), () => location.reload());
    const cancel = h('form.form', { id: 'cancel-form' }, field(t('ev.cancel_reason'), input('reason', { required: true })),
      h('div.full', h('button', { type: 'submit' }, t('ev.cancel'))));
    submitting(cancel, v => api.post(`${base}/cancellation`, { reason: v.reason }), () => location.reload(),
      { confirm: v => [t('ev.cancel'), v.reason] });
    main.append(h('section.card', h('h2', t('ev.record')), form), h('section.card', h('h2', t('ev.cancel')), cancel));
  }
  const materials = h('section.card', { id: 'event-materials' }, h('h2', t('ev.materials')),
    e.materials.length ? table([t('ev.material'), t('file.filename'), t('project.at'), ''], e.materials.map(m => [m.title, m.filename, when(m.at),
      h('button', { type: 'button', onclick: async ev => {
        try { await api.download(`${base}/materials/${m.n}`, m.filename); } catch (err) { ev.target.after(refusal(err)); }
      } }, t('common.download'))]), { id: 'materials-table' }) : h('p.muted', t('common.none')));
  if (mine && e.status !== 'cancelled') {
    const upload = h('form.form', { id: 'material-form' }, field(t('ev.material'), input('title', { required: true })),
      field(t('file.file'), h('input', { type: 'file', name: 'file', id: 'f-material-file', required: true })),
      h('div.full', h('button.primary', { type: 'submit' }, t('file.upload'))));
    submitting(upload, async v => {
      const chosen = upload.elements.file.files[0];
      return api.post(`${base}/materials`, { title: v.title, filename: chosen.name, content_base64: await readFile(chosen) });
    }, () => location.reload());
    materials.append(upload);
  }
  const leads = h('section.card', { id: 'event-leads' }, h('h2', t('ev.leads')),
    e.leads.length ? table([t('lead.ref'), t('lead.project_name'), t('ev.signed_on')], e.leads.map(l => [
      h('a', { href: `#/projects/${enc(l.project_id)}` }, l.ref), l.name || '—', l.signed_on || '—']), { id: 'event-leads-table' })
      : h('p.muted', t('common.none')));
  if (mine && e.status === 'held') {
    const link = h('form.form', { id: 'link-form' }, field(t('ev.link_refs'), input('refs', { required: true, placeholder: 'ZS2026-0001, ZS2026-0002' })),
      h('div.full', h('button.primary', { type: 'submit' }, t('ev.link'))));
    submitting(link, v => api.post(`${base}/leads`, { refs: v.refs.split(/[\s,，、]+/).filter(Boolean) }), () => location.reload());
    leads.append(link);
  }
  main.append(materials, leads);
}

export async function effectivenessPage(main, params) {
  const year = params.get('year') || today().slice(0, 4);
  const r = await api.get(`/api/event-effectiveness/${enc(year)}`);
  const tally = (label, x) => [label, x.events, x.leads, x.signed, h('td.num', wan(x.cost)), h('td.num', wan(x.contracted_investment)),
    h('td.num', x.cost_per_signed === null ? '—' : wan(x.cost_per_signed))];
  const heads = [t('ev.events_n'), t('ev.leads_n'), t('ev.signed_n'), t('ev.cost'), t('ev.contracted'), t('ev.cost_per_signed')];
  main.append(h('h1', `${t('ev.effectiveness')} · ${r.year}`),
    h('p', h('button.primary', { type: 'button', id: 'effectiveness-xlsx', onclick: async ev => {
      try { await api.download(`/api/event-effectiveness/${enc(year)}.xlsx`, `events-${year}.xlsx`); } catch (err) { ev.target.after(refusal(err)); }
    } }, t('common.download_xlsx'))),
    h('section.card', h('h2', t('ev.by_event')), r.events.length ? table([t('ev.ref'), t('ev.name'), t('ev.date'), t('ev.leads_n'), t('ev.signed_n'),
      t('ev.cost'), t('ev.cost_per_signed')], r.events.map(e => [h('a', { href: `#/events/${enc(e.id)}` }, e.ref), e.title, e.date, e.leads, e.signed,
      h('td.num', `${wan(e.cost)}${e.cost_basis === 'budget' ? ` ${t('ev.budgeted')}` : ''}`),
      h('td.num', e.cost_per_signed === null ? '—' : wan(e.cost_per_signed))]), { id: 'effectiveness-events' }) : h('p.muted', t('common.none'))),
    h('section.card', h('h2', t('ev.by_kind')), table([t('ev.kind'), ...heads],
      [...r.kinds.map(k => tally(t(`ev.kind.${k.kind}`, k.kind), k)), tally(t('common.total'), r.total)], { id: 'effectiveness-kinds' })),
    h('section.card', h('h2', t('ev.by_channel')), h('p.hint', t('ev.channel_hint')),
      table([t('lead.source'), ...heads], r.channels.map(c => tally(t(`channel.${c.channel}`, c.channel), c)), { id: 'effectiveness-channels' })));
}

// -- the target assessment ------------------------------------------------------------------------------------------
const MARK_CLASS = { green: 'ok', yellow: 'warn', red: 'bad' };
const INDICATORS = ['projects_signed', 'contracted_investment', 'funds_in_place', 'key_projects_started', 'special_reports_on_time', 'progress_on_time'];

export async function assessmentPage(main, params) {
  const now = today();
  const quarter = Math.floor((Number(now.slice(5, 7)) - 1) / 3) + 1;
  const period = params.get('period') || `${now.slice(0, 4)}-Q${quarter}`;
  const year = period.slice(0, 4);
  const choices = [...[1, 2, 3, 4].map(q => [`${year}-Q${q}`, fill(t('as.quarter'), { year, q })]), [year, fill(t('as.year'), { year })]];
  const pick = select('period', choices, { value: period, 'aria-label': t('as.period') });
  pick.addEventListener('change', () => { location.hash = `#/assessment?period=${enc(pick.value)}`; });
  const r = await api.get(`/api/assessments/${enc(period)}`);
  const download = (kind, name) => h('button', { type: 'button', id: `assessment-${kind}`, onclick: async ev => {
    try { await api.download(`/api/assessments/${enc(period)}/document.${kind}`, `assessment-${period}.${kind}`); } catch (err) { ev.target.after(refusal(err)); }
  } }, name);
  main.append(h('h1', `${t('as.title')} · ${r.label}`),
    h('p.inline', pick, ' ', download('docx', t('as.notice')), ' ', download('xlsx', t('common.download_xlsx'))),
    h('p.hint', fill(t('as.method'), { weights: INDICATORS.map(k => `${t(`as.ind.${k}`)} ${Number(r.weights[k])}`).join('、'), end: r.end })),
    h('section.card', r.units.length ? table([t('as.rank'), t('ledger.unit'), ...INDICATORS.map(k => t(`as.ind.${k}`)), t('as.total'), t('as.mark')],
      r.units.map(u => [u.rank, unitName(u.unit), ...INDICATORS.map(k => h('td.num', { title: `${u.measures[k]}` }, u.scores[k])),
        h('td.num.total', u.total), h('span.tag', { class: MARK_CLASS[u.mark], 'data-mark': u.mark }, t(`as.mark.${u.mark}`))]), { id: 'assessment-table' })
      : h('p.muted', t('as.no_targets'))));
}

