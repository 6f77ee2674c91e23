// Districts side by side: displays by status and the latest sensor aggregates, exportable as CSV.
import { get } from './api.js';
import { h, isoSeconds } from './dom.js';
import { listen } from './sse.js';

const METRICS = [['pm25', 'PM2.5'], ['noise_dba', 'Noise'], ['temp_c', 'Temperature'], ['humidity_pct', 'Humidity']];
const STATUSES = ['online', 'degraded', 'offline'];

export async function render(main) {
  const [districts, displays, catalogue] = await Promise.all([get('/v1/districts'), get('/v1/map/displays'), get('/v1/metrics')]);
  const units = new Map(catalogue.items.map((m) => [m.name, m.unit]));
  const rows = new Map(displays.items.map((r) => [r[0], r]));
  const aggregates = new Map();
  const body = h('tbody', {});
  const stamp = h('p', { class: 'hint' });
  const exportButton = h('button', { type: 'button', id: 'export-csv' }, 'Export CSV');
  main.append(h('h1', {}, 'Districts'),
    h('div', { class: 'row' }, stamp, exportButton),
    h('div', { class: 'table-wrap card' }, h('table', { id: 'district-table' },
      h('caption', { class: 'visually-hidden' }, 'Displays by status and the latest sensor means per district'),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'District'), h('th', { scope: 'col' }, 'Displays'),
        ...STATUSES.map((s) => h('th', { scope: 'col' }, s[0].toUpperCase() + s.slice(1))), h('th', { scope: 'col' }, 'Alert'),
        ...METRICS.map(([m, label]) => h('th', { scope: 'col' }, `${label} (${units.get(m) || ''}) mean · min–max`)))),
      body)));

  const table = () => districts.items.map((d) => {
    const mine = [...rows.values()].filter((r) => r[5] === d.code);
    const counts = Object.fromEntries(STATUSES.map((s) => [s, mine.filter((r) => r[4] === s).length]));
    return { code: d.code, name: d.name, total: mine.length, ...counts, alert: mine.filter((r) => r[7]).length,
      metrics: METRICS.map(([m]) => (aggregates.get(m) || new Map()).get(d.code) || null) };
  });

  const draw = () => {
    body.replaceChildren(...table().map((t) => h('tr', { 'data-district': t.code },
      h('th', { scope: 'row' }, `${t.name} (${t.code})`), h('td', {}, String(t.total)),
      ...STATUSES.map((s) => h('td', {}, String(t[s]))), h('td', {}, String(t.alert)),
      ...t.metrics.map((a) => h('td', {}, a ? `${a.mean.toFixed(1)} · ${a.min.toFixed(1)}–${a.max.toFixed(1)} (${a.sources})` : '—')))));
  };

  const loadAggregates = async () => {
    const at = isoSeconds(new Date());
    const answers = await Promise.all(METRICS.map(([m]) => get(`/v1/readings/aggregate?metric=${m}&at=${at}&window=3600`)));
    answers.forEach((a, i) => aggregates.set(METRICS[i][0], new Map(a.items.map((x) => [x.district, x]))));
    stamp.textContent = `Sensor values: each source's newest reading of the last hour, as of ${new Date(at).toLocaleTimeString()}.`;
    draw();
  };

  exportButton.addEventListener('click', () => {
    const header = ['district', 'name', 'displays', ...STATUSES, 'alert', ...METRICS.flatMap(([m]) => [`${m}_mean`, `${m}_min`, `${m}_max`, `${m}_sources`])];
    const quote = (v) => (/[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
    const lines = table().map((t) => [t.code, t.name, t.total, ...STATUSES.map((s) => t[s]), t.alert,
      ...t.metrics.flatMap((a) => (a ? [a.mean, a.min, a.max, a.sources] : ['', '', '', '']))].map(quote).join(','));
    const blob = new Blob([[header.join(','), ...lines].join('\n') + '\n'], { type: 'text/csv' });
    const link = h('a', { href: URL.createObjectURL(blob), download: `tentacle-districts-${new Date().toISOString().slice(0, 10)}.csv` });
    document.body.append(link);
    link.click();
    link.remove();
  });

  draw();
  await loadAggregates();
  const timer = setInterval(loadAggregates, 60000);
  const stop = listen(['displays'], {
    open: async () => {
      for (const f of (await get('/v1/map/displays')).items) { const r = rows.get(f[0]); if (r) { r[4] = f[4]; r[7] = f[7]; } }
      draw();
    },
    display: (d) => { const r = rows.get(d.id); if (r) { r[4] = d.status; r[7] = d.alert; draw(); } } });
  return () => { stop(); clearInterval(timer); };
}
