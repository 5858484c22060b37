// The API reference page, rendered from the gateway's own /api/openapi.json (no swagger-ui, no CDN).
import { h } from './dom.js';
import { t } from './i18n.js';

function ref(schema) {
  if (!schema) return '—';
  if (schema.$ref) { const name = schema.$ref.split('/').pop(); return h('a', { href: `#schema-${name}` }, name); }
  if (schema.type === 'array') return h('span', 'array of ', ref(schema.items));
  return schema.type || 'object';
}

function schemaTable(schema) {
  const props = schema.properties || {};
  const required = new Set(schema.required || []);
  return h('table', h('tbody', Object.entries(props).map(([name, p]) => h('tr',
    h('td', h('code', name), required.has(name) ? ' *' : ''),
    h('td', ref(p), p.enum ? ` (${p.enum.join(' | ')})` : '', p.format ? ` ${p.format}` : ''),
    h('td.muted', p.description || '')))));
}

export function renderApiDocs(root, spec) {
  const byTag = {};
  for (const [path, ops] of Object.entries(spec.paths || {})) {
    for (const [method, op] of Object.entries(ops)) {
      const tag = (op.tags || ['other'])[0];
      (byTag[tag] = byTag[tag] || []).push({ path, method, op });
    }
  }
  root.append(h('h1', `${t('apidocs.title')} — ${spec.info.title} ${spec.info.version}`),
    h('p.muted', spec.info.description || ''),
    h('p', h('a', { href: '/api/openapi.json' }, '/api/openapi.json')));
  for (const [tag, ops] of Object.entries(byTag)) {
    root.append(h('section.card', { id: `tag-${tag}` }, h('h2', tag), ops.map(({ path, method, op }) =>
      h('details.op', { 'data-path': path, 'data-method': method },
        h('summary', h(`span.method.m-${method}`, method.toUpperCase()), h('code', path), ' ', h('span.muted', op.summary || '')),
        h('div.body',
          (op.parameters || []).length ? [h('h3', t('apidocs.params')), h('table', h('tbody', op.parameters.map(p =>
            h('tr', h('td', h('code', p.name), p.required ? ' *' : ''), h('td', p.in), h('td', ref(p.schema)),
              h('td.muted', p.description || '')))))] : null,
          op.requestBody ? [h('h3', t('apidocs.body')), ref(Object.values(op.requestBody.content)[0].schema)] : null,
          h('h3', t('apidocs.responses')),
          h('table', h('tbody', Object.entries(op.responses || {}).map(([code, r]) =>
            h('tr', h('td', code), h('td', r.description || ''),
              h('td', r.content ? ref(Object.values(r.content)[0].schema) : '')))))))))); 
  }
  const schemas = (spec.components || {}).schemas || {};
  root.append(h('section.card', h('h2', t('apidocs.schemas')), Object.entries(schemas).map(([name, schema]) =>
    h('div', { id: `schema-${name}` }, h('h3', name), schemaTable(schema)))));
}
