// The land reserve (土地储备, kept by LAND): the parcels with their status, the plan of the parks and parcels drawn
// with Leaflet from the project's own assets (vendor/leaflet: no tile server, a plain background, the shapes only),
// LAND's workbook and status changes, and the ready parcels that suit a lead or project.
import { h, table } from './dom.js';
import { t, when } from './i18n.js';
import * as api from './api.js';
import { amountInput, card, field, fill, input, notice, select, submitting, unitName, yuanOf } from './ui.js';
import { importForm } from './leadership.js';
import { mu } from './workbench.js';
import { sectorInput, sectorCode } from './app.js';  // the sector by its name (GB/T 4754), as the lead's form

const enc = encodeURIComponent;
const STATUSES = ['reserved', 'ready', 'in_listing', 'supplied'];
export const STATUS_COLOURS = { reserved: '#9e9e9e', ready: '#2e7d32', in_listing: '#ef6c00', supplied: '#1565c0' };
const yuanPerMu = v => (v === null || v === undefined ? '—' : `${(Number(v) / 10000).toLocaleString('zh-CN', { maximumFractionDigits: 2 })} ${t('land.wan_per_mu')}`);
const statusTag = s => h('span.tag.parcel-status', { 'data-status': s, class: `status-${s}` }, t(`land.status.${s}`, s));
const project = p => (p && p.project_id ? h('a', { href: `#/projects/${enc(p.project_id)}` }, `${p.ref || p.project_id}${p.name ? ' ' + p.name : ''}`) : '—');

export async function landPage(main, params) {
  const status = params.get('status') || '';
  const page = await api.get(`/api/parcels${status ? `?status=${enc(status)}` : ''}`);
  main.append(h('h1', t('land.title')),
    h('div.tabs', ['', ...STATUSES].map(s => h('button', { type: 'button', class: s === status ? 'active' : '',
      onclick: () => { location.hash = `#/land${s ? '?status=' + s : ''}`; } },
    s ? `${t(`land.status.${s}`)} ${page.by_status[s] || 0}` : `${t('common.all')} ${Object.values(page.by_status).reduce((a, b) => a + b, 0)}`))),
    h('section.card', { id: 'land-plan' }, h('h2', t('land.plan')), h('p.hint', t('land.sample_note')),
      h('div.legend', STATUSES.map(s => h('span.legend-item', h('span.swatch', { class: `status-${s}` }), `${t(`land.status.${s}`)} ${mu(page.area_by_status[s])}`))),
      h('div.plan-map', { id: 'plan-map', role: 'img', 'aria-label': t('land.plan') }), h('ul.muted', { id: 'plan-unplaced' })));
  drawPlan().catch(err => document.getElementById('plan-map').append(notice(String(err))));
  main.append(h('section.card', h('h2', t('land.parcels')), page.items.length ? table(
    [t('land.code'), t('land.name'), t('land.location'), t('land.area'), t('land.use'), t('land.plot_ratio'), t('land.status'),
      t('land.price'), t('land.project')],
    page.items.map(p => [h('a', { href: `#/land/${enc(p.code)}` }, p.code), p.name, unitName(p.location), h('td.num', mu(p.area_mu)),
      p.use_name, `${p.plot_ratio_min}–${p.plot_ratio_max}`, statusTag(p.status), h('td.num', yuanPerMu(p.delisting_price)),
      project(p.supplied_by || p.project)]), { id: 'parcels-table' }) : h('p.muted', t('land.empty'))));
  main.append(matchCard());
  if (api.may(await api.myOperations(), 'landreserve.import_parcels')) {
    main.append(h('section.card', h('h2', t('land.import')), h('p.hint', t('land.import_hint')),
      importForm('parcel-import', '/api/parcels/import', t('land.workbook'), (r, out) => {
        out.append(notice(fill(t('land.imported'), { n: r.imported, added: r.added.length, changed: r.changed.length })));
        setTimeout(() => location.reload(), 800);
      })));
  }
}

// The plan: Leaflet on a blank background, the parks and towns outlined, each parcel filled by its status with its
// project; a popup (built as DOM, never HTML text) names the parcel.
async function drawPlan() {
  const [L, plan] = await Promise.all([import('./vendor/leaflet/leaflet-src.esm.js'), api.get('/api/land-plan')]);
  const el = document.getElementById('plan-map');
  const map = L.map(el, { attributionControl: false, zoomSnap: 0.25, scrollWheelZoom: false, zoomControl: false });
  L.control.zoom({ zoomInTitle: t('land.zoom_in'), zoomOutTitle: t('land.zoom_out') }).addTo(map);
  const style = f => {
    const p = f.properties;
    if (p.kind === 'parcel') return { color: '#333', weight: 1, fillColor: STATUS_COLOURS[p.status], fillOpacity: 0.75 };
    if (p.kind === 'park') return { color: '#b71c1c', weight: 2, dashArray: '6 4', fillColor: '#ffebee', fillOpacity: 0.35 };
    return { color: '#78909c', weight: 1, fillColor: '#eceff1', fillOpacity: 0.4 };
  };
  const layer = L.geoJSON(plan, {
    style,
    onEachFeature: (f, shape) => {
      const p = f.properties;
      if (p.kind !== 'parcel') { shape.bindTooltip(h('span', unitName(p.unit)), { permanent: true, direction: 'top', className: `plan-label plan-${p.kind}` }); return; }
      const popup = h('div.parcel-popup', { 'data-code': p.code }, h('strong', `${p.code} ${p.name}`), h('br'),
        `${t(`land.status.${p.status}`)} · ${mu(p.area_mu)} · ${p.use_name}`, h('br'), `${t('land.price')}: ${yuanPerMu(p.delisting_price)}`,
        p.project ? [h('br'), `${t('land.project')}: `, project(p.project)] : null);
      shape.bindPopup(popup);
      shape.bindTooltip(h('span', `${p.code}${p.project ? ' · ' + (p.project.ref || '') : ''}`));  // text, never HTML
    },
  }).addTo(map);
  map.fitBounds(layer.getBounds(), { padding: [12, 12] });
  let drawn = 0;
  layer.eachLayer(shape => {  // each shape says what it is (tests, assistive technology)
    const p = shape.feature.properties;
    const path = shape.getElement();
    drawn += 1;
    if (!path) return;
    path.setAttribute('data-kind', p.kind);
    if (p.code) path.setAttribute('data-parcel', p.code);
    if (p.status) path.setAttribute('data-status', p.status);
  });
  const unplaced = document.getElementById('plan-unplaced');
  if (plan.unplaced.length) unplaced.append(h('li', fill(t('land.unplaced'), { codes: plan.unplaced.join('、') })));
  el.dataset.drawn = String(drawn);
}

function matchCard() {
  const out = h('div', { id: 'match-results' });
  const form = h('form.form.inline', { id: 'match-form' },
    field(t('land.demand'), input('land_mu', { required: true, inputmode: 'decimal', size: 6 })),
    field(t('lead.sector'), sectorInput('sector', { required: true })),
    field(t('land.preferred'), select('location', [['', t('lead.loc.open')], ...['PARK:hengdong', 'PARK:hexi', 'TOWN:xintang', 'TOWN:shiwan', 'TOWN:yangqiao'].map(u => [u, unitName(u)])])),
    h('div.full', h('button.primary', { type: 'submit' }, t('land.match'))));
  submitting(form, v => api.get(`/api/parcel-matches?${new URLSearchParams({ land_mu: v.land_mu, sector: sectorCode(v.sector), ...(v.location ? { location: v.location } : {}) })}`),
    found => { out.replaceChildren(matches(found)); });
  return h('section.card', { id: 'card-match' }, h('h2', t('land.match_title')), form, out);
}

export function matches(found) {
  return found.length ? table([t('land.rank'), t('land.code'), t('land.location'), t('land.area'), t('land.price'), t('land.reasons')],
    found.map(m => [m.rank, h('a', { href: `#/land/${enc(m.parcel.code)}` }, `${m.parcel.code} ${m.parcel.name}`), unitName(m.parcel.location),
      h('td.num', mu(m.parcel.area_mu)), h('td.num', yuanPerMu(m.parcel.delisting_price)),
      h('ul', m.reasons.map(r => h('li', { class: /below|低于/.test(r) ? 'flag' : '' }, r)))]), { class: 'matches-table' })
    : h('p.muted', t('land.no_match'));
}

// On a lead's or project's page: the ready parcels that suit it.
export function parcelsCard(projectId) {
  return card(t('land.suitable'), async () => matches(await api.get(`/api/projects/${enc(projectId)}/parcels`)), { id: 'card-parcels' });
}

export async function parcelPage(main, params, code) {
  const p = await api.get(`/api/parcels/${enc(code)}`);
  const ind = p.indicators || {};
  main.append(h('h1', `${p.code} ${p.name} `, statusTag(p.status)),
    h('section.card', { id: 'parcel-detail' }, h('dl.kv',
      h('dt', t('land.location')), h('dd', `${unitName(p.location)}${p.address ? ' · ' + p.address : ''}`),
      h('dt', t('land.area')), h('dd', mu(p.area_mu)), h('dt', t('land.use')), h('dd', `${p.use} ${p.use_name}`),
      h('dt', t('land.plot_ratio')), h('dd', `${p.plot_ratio_min}–${p.plot_ratio_max}`),
      h('dt', t('land.price')), h('dd', yuanPerMu(p.delisting_price)),
      h('dt', t('land.indicators')), h('dd', ['investment_intensity', 'output_per_mu', 'tax_per_mu', 'energy_per_output']
        .filter(k => ind[k]).map(k => `${t(`land.ind.${k}`)} ${ind[k]}`).join('；') || '—'),
      h('dt', t('land.project')), h('dd', project(p.supplied_by || p.project)),
      h('dt', t('lg.note')), h('dd', p.notes || '—'),
      h('dt', t('land.source')), h('dd', `${p.source} · ${when(p.updated_at)}`))),
    h('section.card', h('h2', t('land.history')), table([t('land.status'), t('project.at'), t('project.reason')],
      p.history.map(x => [t(`land.status.${x.status}`, x.status), when(x.at), typeof x.reason === 'string' ? x.reason : '—']))));
  if (!api.may(await api.myOperations(), 'landreserve.change_parcel') || p.status === 'supplied') return;
  const form = h('form.form', { id: 'status-form' },
    field(t('land.status'), select('status', ['reserved', 'ready', 'in_listing'].filter(s => s !== p.status).map(s => [s, t(`land.status.${s}`)]))),
    field(t('land.price'), amountInput('delisting_price', { yuan: p.delisting_price, perMu: true })),
    field(t('project.reason'), input('reason', { required: true })),
    h('div.full', h('button.primary', { type: 'submit' }, t('land.change'))));
  submitting(form, v => api.post(`/api/parcels/${enc(code)}/status`, { status: v.status, reason: v.reason,
    ...yuanOf(v, ['delisting_price']) }), () => location.reload());
  main.append(h('section.card', h('h2', t('land.change')), form));
}
