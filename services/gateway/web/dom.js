// Tiny DOM helpers: h('tag.class', {attrs}, ...children). Text is always set as text (no innerHTML of data).
export function h(spec, attrs = {}, ...children) {
  const [tag, ...classes] = spec.split('.');
  const el = document.createElement(tag || 'div');
  if (classes.length) el.className = classes.join(' ');
  if (attrs === null || typeof attrs !== 'object' || attrs instanceof Node || Array.isArray(attrs)) {
    children.unshift(attrs);
    attrs = {};
  }
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className += (el.className ? ' ' : '') + v;
    else if (k === 'style') el.style.cssText = String(v);  // through the CSSOM: the CSP admits no style attribute
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function clear(el) { while (el.firstChild) el.removeChild(el.firstChild); return el; }

// A table; each cell carries its column's heading (data-label), so that on a phone a row shows as a card.
export function table(headers, rows, attrs = {}) {
  const label = i => (typeof headers[i] === 'string' ? headers[i] : '');
  return h('table.cards', attrs,
    h('thead', h('tr', headers.map(x => h('th', x)))),
    h('tbody', rows.map(r => h('tr', r.map((c, i) => {
      const cell = (c instanceof Node && c.tagName === 'TD') ? c : h('td', c === null || c === undefined ? '—' : c);
      if (label(i)) cell.dataset.label = label(i);
      return cell;
    })))));
}

// A form's named fields; those inside repeatable rows (.rows, ui.js) are read by their own widget.
export function formValues(form) {
  const out = {};
  for (const el of form.elements) {
    if (!el.name || el.closest('.rows')) continue;
    out[el.name] = el.type === 'checkbox' ? el.checked : el.value.trim();
  }
  return out;
}
