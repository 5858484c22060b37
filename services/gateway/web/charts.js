// A small self-written SVG chart helper (no library): vertical bars, horizontal bars with a minimum line.
const NS = 'http://www.w3.org/2000/svg';
function s(tag, attrs = {}, text) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

// items: [{label, value, cls?}] -> vertical bar chart
export function barChart(items, { width = 560, height = 220, title = '' } = {}) {
  const svg = s('svg', { class: 'chart', viewBox: `0 0 ${width} ${height}`, width: '100%', role: 'img', 'aria-label': title });
  const pad = { l: 28, r: 8, t: 14, b: 54 };
  const max = Math.max(1, ...items.map(i => i.value));
  const w = (width - pad.l - pad.r) / Math.max(1, items.length);
  const scale = v => (height - pad.t - pad.b) * v / max;
  svg.append(s('line', { x1: pad.l, y1: height - pad.b, x2: width - pad.r, y2: height - pad.b, stroke: '#999' }));
  items.forEach((it, i) => {
    const x = pad.l + i * w + w * 0.15, bw = w * 0.7, bh = scale(it.value), y = height - pad.b - bh;
    const rect = s('rect', { class: `bar ${it.cls || ''}`, x, y, width: bw, height: bh });
    rect.append(s('title', {}, `${it.label}: ${it.value}`));
    svg.append(rect);
    svg.append(s('text', { x: x + bw / 2, y: y - 3, 'text-anchor': 'middle' }, it.value));
    svg.append(s('text', { x: x + bw / 2, y: height - pad.b + 12, 'text-anchor': 'end',
      transform: `rotate(-35 ${x + bw / 2} ${height - pad.b + 12})` }, it.label));
  });
  return svg;
}

// items: [{label, value, minimum?}] -> horizontal bars, a dashed line at each item's minimum
export function hBarChart(items, { width = 560, row = 26, title = '' } = {}) {
  // the labels' column as wide as the longest label (11px text: a Chinese character 11px, a Latin one about 6.6px)
  const textW = l => [...String(l ?? '')].reduce((w, c) => w + (c.charCodeAt(0) > 255 ? 11 : 6.6), 0);
  const labelW = Math.min(width * 0.45, Math.max(80, ...items.map(i => textW(i.label) + 12))), pad = 40;
  const height = items.length * row + 10;
  const max = Math.max(1, ...items.map(i => Math.max(i.value, i.minimum || 0)));
  const scale = v => (width - labelW - pad) * v / max;
  const svg = s('svg', { class: 'chart', viewBox: `0 0 ${width} ${height}`, width: '100%', role: 'img', 'aria-label': title });
  items.forEach((it, i) => {
    const y = 5 + i * row;
    svg.append(s('text', { x: labelW - 6, y: y + row * 0.6, 'text-anchor': 'end' }, it.label));
    const below = it.minimum !== undefined && it.value < it.minimum;
    svg.append(s('rect', { class: `bar ${below ? 'red' : 'ok'}`, x: labelW, y: y + 3, width: scale(it.value), height: row - 8 }));
    svg.append(s('text', { x: labelW + scale(it.value) + 4, y: y + row * 0.6 }, it.minimum !== undefined ? `${it.value} / ${it.minimum}` : it.value));
    if (it.minimum !== undefined) {
      const x = labelW + scale(it.minimum);
      svg.append(s('line', { class: 'min', x1: x, x2: x, y1: y, y2: y + row - 2 }));
    }
  });
  return svg;
}
