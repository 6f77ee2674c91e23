// A time-series chart in SVG: the min/max band of each rollup bucket and its mean as a line.

const NS = 'http://www.w3.org/2000/svg';
const el = (tag, attrs) => {
  const node = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  return node;
};

export function chart(points, { from, to, unit, title }) {
  const W = 560, H = 180, L = 46, R = 10, T = 12, B = 24;
  const svg = el('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img' });
  const usable = points.filter((p) => p.mean !== undefined && p.mean !== null);
  const label = usable.length
    ? `${title}: ${usable.length} buckets, mean from ${Math.min(...usable.map((p) => p.min)).toFixed(1)} to ${Math.max(...usable.map((p) => p.max)).toFixed(1)} ${unit}`
    : `${title}: no readings in this range`;
  svg.append(el('title', {}));
  svg.firstChild.textContent = label;
  svg.setAttribute('aria-label', label);
  const t0 = new Date(from).getTime(), t1 = new Date(to).getTime();
  let lo = Math.min(...usable.map((p) => p.min)), hi = Math.max(...usable.map((p) => p.max));
  if (!usable.length) { lo = 0; hi = 1; }
  if (hi - lo < 1e-9) { lo -= 1; hi += 1; }
  const x = (t) => L + ((t - t0) / (t1 - t0)) * (W - L - R);
  const y = (v) => T + (1 - (v - lo) / (hi - lo)) * (H - T - B);
  svg.append(el('line', { x1: L, y1: H - B, x2: W - R, y2: H - B, class: 'axis' }), el('line', { x1: L, y1: T, x2: L, y2: H - B, class: 'axis' }));
  for (const v of [lo, (lo + hi) / 2, hi]) {
    const text = el('text', { x: L - 4, y: y(v) + 4, 'text-anchor': 'end' });
    text.textContent = v.toFixed(1);
    svg.append(text);
  }
  for (const t of [t0, (t0 + t1) / 2, t1]) {
    const text = el('text', { x: x(t), y: H - 6, 'text-anchor': 'middle' });
    const d = new Date(t);
    text.textContent = t1 - t0 > 2 * 86400e3 ? d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' }) : d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
    svg.append(text);
  }
  if (!usable.length) {
    const text = el('text', { x: W / 2, y: H / 2, 'text-anchor': 'middle' });
    text.textContent = 'No readings yet';
    svg.append(text);
    return svg;
  }
  const xs = usable.map((p) => x(new Date(p.time).getTime()));
  const upper = usable.map((p, i) => `${xs[i]},${y(p.max)}`);
  const lower = usable.map((p, i) => `${xs[i]},${y(p.min)}`).reverse();
  if (usable.length === 1) {
    svg.append(el('rect', { x: xs[0] - 2, y: y(usable[0].max), width: 4, height: Math.max(1, y(usable[0].min) - y(usable[0].max)), class: 'band' }));
    svg.append(el('circle', { cx: xs[0], cy: y(usable[0].mean), r: 3, class: 'mean' }));
  } else {
    svg.append(el('polygon', { points: [...upper, ...lower].join(' '), class: 'band' }));
    svg.append(el('polyline', { points: usable.map((p, i) => `${xs[i]},${y(p.mean)}`).join(' '), class: 'mean' }));
  }
  return svg;
}
