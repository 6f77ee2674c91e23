// One display: what it is, whether it is up, what it shows and why, its sensors and its commands.
import { get, post, showError, clearErrors } from './api.js';
import { h, field, ago, announce, isoSeconds } from './dom.js';
import { listen } from './sse.js';
import { chart } from './chart.js';

const CHART_METRICS = ['pm25', 'pm10', 'no2', 'noise_dba', 'temp_c', 'humidity_pct', 'lux'];
const HEALTH_METRICS = ['panel_temp_c', 'supply_v', 'fps', 'brightness_pct'];

export async function render(main, [id], { can }) {
  const display = await get(`/v1/displays/${encodeURIComponent(id)}`);
  const catalogue = new Map((await get('/v1/metrics')).items.map((m) => [m.name, m]));
  const unit = (m) => (catalogue.get(m) ? catalogue.get(m).unit : '');
  const status = h('span', { class: `badge ${display.status}`, id: 'display-status' }, display.status);
  const lastSeen = h('span', {}, ago(display.lastSeen));
  const preview = h('img', { class: 'preview', id: 'display-preview', alt: `What ${display.name} shows now`, width: display.width * 3, height: display.height * 3 });
  const nowBox = h('div', { id: 'display-now' });
  const health = h('dl', { class: 'meta', id: 'display-health' });
  const sensors = h('dl', { class: 'meta' });
  const charts = h('div', { id: 'display-charts' });
  const range = h('select', { id: 'chart-range' }, h('option', { value: '24h' }, 'Last 24 hours'), h('option', { value: '7d' }, 'Last 7 days'));
  const commandList = h('ul', { class: 'commands', id: 'command-list' });

  main.append(
    h('p', {}, h('a', { href: '#/map' }, '← Map')),
    h('h1', {}, display.name, ' ', status),
    h('div', { class: 'grid' },
      h('section', { class: 'card', 'aria-labelledby': 'h-preview' },
        h('h2', { id: 'h-preview' }, 'Live preview'), preview, h('h2', {}, 'On now'), nowBox),
      h('section', { class: 'card', 'aria-labelledby': 'h-meta' },
        h('h2', { id: 'h-meta' }, 'Display'),
        h('dl', { class: 'meta' },
          h('dt', {}, 'Id'), h('dd', {}, display.id),
          h('dt', {}, 'Last seen'), h('dd', {}, lastSeen),
          h('dt', {}, 'Resolution'), h('dd', {}, `${display.width} × ${display.height}`),
          h('dt', {}, 'Location'), h('dd', {}, `${display.lat.toFixed(5)}, ${display.lon.toFixed(5)}`),
          h('dt', {}, 'District'), h('dd', {}, display.district),
          h('dt', {}, 'Pole'), h('dd', {}, display.poleId || '—'),
          h('dt', {}, 'Groups'), h('dd', {}, display.groups.join(', ') || '—'),
          h('dt', {}, 'Tags'), h('dd', {}, display.tags.join(', ') || '—'),
          h('dt', {}, 'Timezone'), h('dd', {}, display.timezone)),
        h('h2', {}, 'Panel health'), health,
        h('h2', {}, 'Sensors now'), sensors),
      can('writeDisplays') ? commandsCard() : null),
    h('section', { class: 'card', 'aria-labelledby': 'h-charts' },
      h('div', { class: 'row' }, h('h2', { id: 'h-charts' }, 'Sensor history'), field('Range', range)),
      charts));

  function commandsCard() {
    const form = h('form', { class: 'card', id: 'command-form', novalidate: true, 'aria-labelledby': 'h-commands' },
      h('h2', { id: 'h-commands' }, 'Commands'),
      field('Brightness (0–100)', h('input', { type: 'number', name: 'level', min: 0, max: 100, value: 80, id: 'brightness-level' })),
      h('p', { class: 'form-error', role: 'alert' }),
      h('div', { class: 'actions' },
        h('button', { type: 'submit', value: 'brightness', class: 'primary', id: 'cmd-brightness' }, 'Set brightness'),
        h('button', { type: 'submit', value: 'auto' }, 'Auto brightness'),
        h('button', { type: 'submit', value: 'identify' }, 'Identify'),
        h('button', { type: 'submit', value: 'screenshot' }, 'Screenshot'),
        h('button', { type: 'submit', value: 'reload' }, 'Reload schedule')),
      h('h2', {}, 'Recent commands'), commandList,
      h('div', { id: 'screenshot-box' }));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearErrors(form);
      const which = e.submitter ? e.submitter.value : 'brightness';
      const body = which === 'brightness' ? { command: 'brightness', level: Number(form.level.value) }
        : which === 'auto' ? { command: 'brightness', auto: true } : { command: which };
      try {
        const sent = await post(`/v1/displays/${encodeURIComponent(id)}/commands`, body);
        announce(`${sent.command} sent`);
        refreshCommands();
      } catch (error) { showError(form, error); }
    });
    return form;
  }

  async function refreshCommands() {
    if (!can('writeDisplays')) return;
    const body = await get(`/v1/displays/${encodeURIComponent(id)}/commands`);
    commandList.replaceChildren(...body.items.map((c) => h('li', {},
      `${c.command}${c.level !== undefined ? ` ${c.level}` : ''}${c.auto ? ' auto' : ''} `,
      h('span', { class: `badge ${c.state === 'done' ? 'approved' : c.state === 'failed' ? 'rejected' : 'pending'}` }, c.state),
      ` ${c.message || ''} · ${c.issuedBy} · ${ago(c.issuedAt)}`)));
    if (!body.items.length) commandList.replaceChildren(h('li', {}, 'No commands sent yet.'));
    const shot = body.items.find((c) => c.command === 'screenshot' && c.state === 'done');
    const box = main.querySelector('#screenshot-box');
    if (shot && box && !box.dataset.shown) {
      box.dataset.shown = shot.id;
      box.replaceChildren(h('h2', {}, 'Latest screenshot'), h('img', { class: 'preview', alt: `Screenshot sent by ${display.name}`, src: `/v1/displays/${encodeURIComponent(id)}/screenshot.png?c=${shot.id}` }));
    }
  }

  async function refreshNow() {
    const now = await get(`/v1/displays/${encodeURIComponent(id)}/now`);
    const p = now.playing;
    const what = p.kind === 'alert' ? `Alert ${p.alertId}` : p.kind === 'campaign' ? `Campaign ${p.campaignId} (revision ${p.revision}), layout ${p.layoutId}`
      : p.kind === 'default' ? `Default layout ${p.layoutId} (from ${p.defaultFrom})` : 'Nothing';
    nowBox.replaceChildren(h('p', { id: 'now-playing' }, what),
      now.candidates.length ? h('ul', {}, ...now.candidates.map((c) => h('li', {}, `${c.campaignId} r${c.revision}: ${c.outcome}${c.detail ? ` — ${c.detail}` : ''}`))) : null);
  }

  const latest = new Map();
  function drawLatest() {
    const row = (m) => [h('dt', {}, m), h('dd', {}, `${latest.get(m).value.toFixed(1)} ${unit(m)} · ${ago(latest.get(m).time)}`)];
    const healthKeys = [...latest.keys()].filter((m) => HEALTH_METRICS.includes(m)).sort();
    const sensorKeys = [...latest.keys()].filter((m) => !HEALTH_METRICS.includes(m)).sort();
    health.replaceChildren(...(healthKeys.length ? healthKeys.flatMap(row) : [h('dd', {}, 'No health report yet.')]));
    sensors.replaceChildren(...(sensorKeys.length ? sensorKeys.flatMap(row) : [h('dd', {}, 'No sensor readings yet.')]));
  }
  for (const r of (await get(`/v1/readings/latest?source=${encodeURIComponent(id)}`)).items) latest.set(r.metric, r);
  drawLatest();

  async function drawCharts() {
    const to = new Date();
    const week = range.value === '7d';
    const from = new Date(to.getTime() - (week ? 7 * 86400e3 : 86400e3));
    const metrics = [...latest.keys()].filter((m) => CHART_METRICS.includes(m) || HEALTH_METRICS.includes(m)).sort();
    const series = await Promise.all(metrics.map((m) =>
      get(`/v1/readings?source=${encodeURIComponent(id)}&metric=${m}&from=${isoSeconds(from)}&to=${isoSeconds(to)}&step=${week ? '1h' : '1m'}`)));
    charts.replaceChildren(...series.map((s, i) => h('figure', { class: 'chart-figure', 'data-metric': metrics[i] },
      h('figcaption', {}, `${metrics[i]} (${unit(metrics[i])}), ${week ? '1-hour' : '1-minute'} buckets`),
      chart(s.points, { from: s.from, to: s.to, unit: unit(metrics[i]), title: metrics[i] }))));
    if (!metrics.length) charts.replaceChildren(h('p', {}, 'This display has reported no readings yet.'));
  }
  range.addEventListener('change', drawCharts);

  // The next frame loads off-screen and replaces the shown one, so the preview never flickers.
  let frameTimer = 0;
  const nextFrame = () => {
    const next = new Image();
    next.onload = () => { preview.src = next.src; frameTimer = setTimeout(nextFrame, 1000); };
    next.onerror = () => { frameTimer = setTimeout(nextFrame, 3000); };
    next.src = `/v1/displays/${encodeURIComponent(id)}/preview.png?scale=3&t=${Date.now()}`;
  };
  nextFrame();
  await Promise.all([refreshNow(), drawCharts(), refreshCommands()]);
  const timers = [setInterval(refreshNow, 10000), setInterval(refreshCommands, 2000), setInterval(() => { lastSeen.textContent = ago(display.lastSeen); }, 5000)];

  const stop = listen(['displays', 'readings'], {
    display: (d) => {
      if (d.id !== id) return;
      display.status = d.status;
      display.lastSeen = d.lastSeen;
      status.className = `badge ${d.status}`;
      status.textContent = d.status + (d.alert === 2 ? ' · showing an alert' : d.alert === 1 ? ' · alert pending' : '');
      lastSeen.textContent = ago(d.lastSeen);
      refreshNow();
    },
    readings: (change) => {
      if (change.source !== id) return;
      for (const v of change.values) latest.set(v.metric, v);
      drawLatest();
    },
  });
  return () => { stop(); clearTimeout(frameTimer); timers.forEach(clearInterval); };
}
