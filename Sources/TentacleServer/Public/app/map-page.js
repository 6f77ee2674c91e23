// The city map: every display live, coloured by status or by a sensor metric, searchable.
import { get } from './api.js';
import { h, field, announce } from './dom.js';
import { listen } from './sse.js';
import { CityMap, STATUS } from './map.js';
import { LAYERS, bandColour } from './layers.js';

export async function render(main) {
  const summary = h('p', { class: 'summary', 'aria-live': 'polite' }, 'Loading displays…');
  const search = h('input', { type: 'search', id: 'map-search', placeholder: 'Name, id or pole id', autocomplete: 'off' });
  const results = h('ul', { class: 'results', id: 'map-results' });
  const layer = h('select', { id: 'map-layer' },
    h('option', { value: '' }, 'Status'),
    ...Object.entries(LAYERS).map(([k, l]) => h('option', { value: k }, l.label)));
  const legend = h('ul', { class: 'legend', 'aria-label': 'Legend' });
  const mapBox = h('div', { class: 'map-box' });
  main.append(
    h('h1', { class: 'visually-hidden' }, 'City map'),
    h('div', { class: 'map-page' },
      h('aside', { class: 'map-side' },
        summary,
        h('form', { role: 'search', onsubmit: (e) => { e.preventDefault(); const first = results.querySelector('a'); if (first) location.hash = first.getAttribute('href'); } },
          field('Find a display', search), results),
        field('Colour markers by', layer),
        legend,
        h('p', { class: 'hint' }, 'Drag or use the arrow keys to pan; wheel, pinch or + and - to zoom; click a marker to open the display.')),
      mapBox));

  const map = new CityMap(mapBox, { onOpen: (id) => { location.hash = `#/displays/${encodeURIComponent(id)}`; } });
  const latest = new Map();
  let metric = '';

  const [districts, displays] = await Promise.all([get('/v1/districts'), get('/v1/map/displays')]);
  map.setDistricts(districts.items);
  map.setDisplays(displays.items);
  map.fit();
  mapBox.dataset.markers = String(displays.items.length);

  const counts = () => {
    const c = { online: 0, degraded: 0, offline: 0, alert: 0 };
    for (const row of map.rows) { c[row[4]] = (c[row[4]] || 0) + 1; if (row[7]) c.alert += 1; }
    summary.textContent = `${map.rows.length} displays: ${c.online} online, ${c.degraded} degraded, ${c.offline} offline, ${c.alert} with an alert`;
  };
  counts();

  const drawLegend = () => {
    const item = (swatch, text) => h('li', {}, swatch, ' ', text);
    if (!metric) {
      legend.replaceChildren(...Object.entries(STATUS).map(([k, s]) => item(h('span', { class: `swatch ${s.shape}`, style: `--c:${s.color}` }), s.label)));
    } else {
      const l = LAYERS[metric];
      legend.replaceChildren(h('li', { class: 'legend-title' }, `${l.label}, ${l.unit}`),
        ...l.bands.map(([, colour, text]) => item(h('span', { class: 'swatch circle', style: `--c:${colour}` }), text)),
        item(h('span', { class: 'swatch circle', style: '--c:#56607a' }), 'No reading'),
        h('li', { class: 'legend-title' }, 'Shape still shows status: ● online ▲ degraded ■ offline ◆ alert'));
    }
  };
  drawLegend();

  const colourBy = async () => {
    metric = layer.value;
    latest.clear();
    if (metric) {
      const body = await get(`/v1/readings/latest?metric=${metric}`);
      for (const r of body.items) latest.set(r.source, r.value);
      map.valueText = (row) => (latest.has(row[0]) ? `${LAYERS[metric].label} ${latest.get(row[0]).toFixed(1)} ${LAYERS[metric].unit}` : 'no reading');
      map.setColouring((row) => bandColour(metric, latest.get(row[0])));
    } else {
      map.setColouring(null);
    }
    drawLegend();
  };
  layer.addEventListener('change', colourBy);

  search.addEventListener('input', () => {
    const q = search.value.trim().toLowerCase();
    if (!q) { results.replaceChildren(); return; }
    const hits = map.rows.filter((r) => r[0].toLowerCase().includes(q) || r[1].toLowerCase().includes(q) || r[6].toLowerCase().includes(q)).slice(0, 8);
    results.replaceChildren(...hits.map((r) => h('li', {}, h('a', {
      href: `#/displays/${encodeURIComponent(r[0])}`, onfocus: () => map.centreOn(r[0]), onmouseenter: () => map.centreOn(r[0]),
    }, `${r[1]} (${r[0]}${r[6] ? `, pole ${r[6]}` : ''})`))));
    if (!hits.length) results.replaceChildren(h('li', {}, 'No display matches.'));
  });

  const stop = listen(['displays', 'readings'], {
    open: async () => {
      const fresh = await get('/v1/map/displays');
      let changed = false;
      for (const r of fresh.items) changed = map.updateDisplay(r[0], r[4], r[7]) || changed;
      if (changed) counts();
    },
    display: (d) => { if (map.updateDisplay(d.id, d.status, d.alert)) counts(); },
    readings: (change) => {
      if (!metric) return;
      const v = change.values.find((x) => x.metric === metric);
      if (v) { latest.set(change.source, v.value); map.schedule(); }
    },
  });
  announce('Map loaded');
  return () => { stop(); map.destroy(); };
}
