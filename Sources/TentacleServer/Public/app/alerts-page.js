// The alert console: post CAP (a file or a composed form), watch coverage live, cancel, read history.
import { get, post, request, showError, clearErrors } from './api.js';
import { h, field, formatTime, ago, announce } from './dom.js';
import { listen } from './sse.js';
import { CityMap } from './map.js';

const SEVERITIES = ['Extreme', 'Severe', 'Moderate', 'Minor'];
const capTime = (d) => d.toISOString().replace(/\.\d+Z$/, '+00:00');
const esc = (s) => s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' }[c]));

export function composeCAP({ identifier, sender, event, severity, urgency, certainty, expires, infos, district, polygon }) {
  const area = (desc) => `<area><areaDesc>${esc(desc)}</areaDesc>${polygon
    ? `<polygon>${[...polygon, polygon[0]].map(([lon, lat]) => `${lat.toFixed(6)},${lon.toFixed(6)}`).join(' ')}</polygon>`
    : `<geocode><valueName>tentacle-district</valueName><value>${esc(district)}</value></geocode>`}</area>`;
  const blocks = infos.map((i) => `<info><language>${esc(i.language)}</language><category>Safety</category><event>${esc(event)}</event>` +
    `<urgency>${urgency}</urgency><severity>${severity}</severity><certainty>${certainty}</certainty><expires>${capTime(expires)}</expires>` +
    `<headline>${esc(i.headline)}</headline>${i.description ? `<description>${esc(i.description)}</description>` : ''}` +
    `${i.instruction ? `<instruction>${esc(i.instruction)}</instruction>` : ''}${area(polygon ? 'Drawn area' : district)}</info>`).join('');
  return `<?xml version="1.0" encoding="UTF-8"?><alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>${esc(identifier)}</identifier>` +
    `<sender>${esc(sender)}</sender><sent>${capTime(new Date())}</sent><status>Actual</status><msgType>Alert</msgType><scope>Public</scope>${blocks}</alert>`;
}

function cancelCAP(alert, sender) {
  return `<?xml version="1.0" encoding="UTF-8"?><alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>${esc(alert.id)}-cancel-${Date.now()}</identifier>` +
    `<sender>${esc(sender)}</sender><sent>${capTime(new Date())}</sent><status>Actual</status><msgType>Cancel</msgType><scope>Public</scope>` +
    `<references>${esc(alert.sender)},${esc(alert.id)},${capTime(new Date(alert.sent))}</references></alert>`;
}

export async function render(main, _params, { user, can }) {
  const [districts, displays] = await Promise.all([get('/v1/districts'), get('/v1/map/displays')]);
  const active = h('div', { id: 'active-alerts' });
  const history = h('tbody', {});
  const mapBox = h('div', { class: 'mini-map' });
  const coverage = new Map();
  const records = new Map();
  let selected = null;
  let polygon = null;
  let feedTimer = 0;

  main.append(h('h1', {}, 'Alerts'), h('div', { class: 'grid' },
    h('section', { class: 'card', 'aria-labelledby': 'h-active' }, h('h2', { id: 'h-active' }, 'Active alerts'), active,
      h('p', { class: 'hint' }, 'On the map, a white ring marks a targeted display that has not confirmed yet.'), mapBox),
    can('postAlerts') ? composeCard() : h('p', { class: 'card' }, 'Your role can watch alerts; alerters and admins post them.')),
    feedsCard(),
    h('section', { class: 'card' }, h('h2', {}, 'History'),
      h('div', { class: 'table-wrap' }, h('table', { id: 'alert-history' }, h('thead', {}, h('tr', {}, ...['Received', 'Headline', 'Severity', 'Type', 'State', 'Targeted', 'Posted by'].map((t) => h('th', { scope: 'col' }, t)))), history))));

  const map = new CityMap(mapBox, { label: 'Alert map', onOpen: (id) => { location.hash = `#/displays/${encodeURIComponent(id)}`; } });
  map.setDistricts(districts.items);
  map.setDisplays(displays.items);
  map.fit();

  function composeCard() {
    const languages = h('div', { id: 'alert-languages' });
    const addLanguage = (code) => {
      const n = languages.children.length + 1;
      languages.append(h('fieldset', { class: 'language' }, h('legend', {}, `Text ${n}`),
        field('Language', h('input', { name: 'language', value: code, required: true })),
        field('Headline', h('input', { name: 'headline', required: true, maxlength: 160 })),
        field('Description', h('textarea', { name: 'description', rows: 2 })),
        field('Instruction', h('input', { name: 'instruction' }))));
    };
    addLanguage('en-US');
    const district = h('select', { name: 'district', id: 'alert-district' },
      h('option', { value: '' }, 'Draw an area on the map instead'), ...districts.items.map((d) => h('option', { value: d.code }, d.name)));
    district.value = districts.items[0] ? districts.items[0].code : '';
    const drawButton = h('button', { type: 'button', id: 'draw-area' }, 'Draw area on map');
    const areaNote = h('small', { id: 'area-note' }, '');
    drawButton.addEventListener('click', () => {
      if (map.drawing) {
        const points = map.finishDrawing();
        polygon = points.length >= 3 ? points : null;
        drawButton.textContent = 'Draw area on map';
        areaNote.textContent = polygon ? `Area with ${polygon.length} corners.` : 'An area needs at least three corners.';
        if (polygon) district.value = '';
      } else {
        map.startDrawing((points) => { areaNote.textContent = `${points.length} corners; click Finish area when done.`; });
        drawButton.textContent = 'Finish area';
        areaNote.textContent = 'Click the map to add corners.';
      }
    });
    const form = h('form', { id: 'alert-form', novalidate: true, 'aria-labelledby': 'h-compose' },
      h('h2', { id: 'h-compose' }, 'Compose an alert'),
      field('Event', h('input', { name: 'event', required: true, value: '' })),
      h('div', { class: 'row' },
        field('Severity', h('select', { name: 'severity' }, ...SEVERITIES.map((s) => h('option', {}, s)))),
        field('Urgency', h('select', { name: 'urgency' }, ...['Immediate', 'Expected', 'Future'].map((s) => h('option', {}, s)))),
        field('Certainty', h('select', { name: 'certainty' }, ...['Observed', 'Likely', 'Possible'].map((s) => h('option', {}, s)))),
        field('Expires in (hours)', h('input', { name: 'hours', type: 'number', min: 1, max: 720, value: 6 }))),
      languages,
      h('button', { type: 'button', onclick: () => addLanguage('zh-CN') }, 'Add a language'),
      field('Area: district', district), drawButton, ' ', areaNote,
      h('p', { class: 'form-error', role: 'alert' }),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', id: 'post-alert' }, 'Post alert')));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearErrors(form);
      const infos = [...languages.children].map((fs) => ({
        language: fs.querySelector('[name=language]').value.trim(), headline: fs.querySelector('[name=headline]').value.trim(),
        description: fs.querySelector('[name=description]').value.trim(), instruction: fs.querySelector('[name=instruction]').value.trim(),
      }));
      const missing = !form.event.value.trim() ? ['event', 'give the event, e.g. Flood'] : infos.some((i) => !i.headline) ? ['headline', 'every text needs a headline']
        : !district.value && !polygon ? ['district', 'choose a district or draw an area'] : null;
      if (missing) { showError(form, { field: missing[0], message: missing[1] }); return; }
      const xml = composeCAP({
        identifier: `tentacle-${Date.now().toString(36)}`, sender: `${user.username}@tentacle`, event: form.event.value.trim(),
        severity: form.severity.value, urgency: form.urgency.value, certainty: form.certainty.value,
        expires: new Date(Date.now() + Number(form.hours.value || 6) * 3600e3), infos, district: district.value, polygon: district.value ? null : polygon,
      });
      await postCAP(form, xml);
    });
    const file = h('input', { type: 'file', name: 'file', accept: '.xml,application/xml,application/cap+xml', id: 'cap-file' });
    const fileForm = h('form', { novalidate: true }, h('h2', {}, 'Post a CAP 1.2 file'), field('CAP file', file), h('p', { class: 'form-error', role: 'alert' }),
      h('button', { type: 'submit' }, 'Post file'));
    fileForm.addEventListener('submit', async (e) => {
      e.preventDefault();
      if (!file.files[0]) { showError(fileForm, { field: 'file', message: 'choose a CAP file first' }); return; }
      await postCAP(fileForm, await file.files[0].text());
    });
    return h('section', { class: 'card' }, form, fileForm);
  }

  async function postCAP(form, xml) {
    try {
      const posted = await request('POST', '/v1/alerts', { body: xml, type: 'application/cap+xml' });
      announce(`Alert ${posted.id} posted to ${posted.targeted} displays`);
      selected = posted.id;
      await refresh();
    } catch (error) { showError(form, error); }
  }

  // Warning feeds Tentacle follows, with their health; alerters add, poll and remove them.
  function feedsCard() {
    const rows = h('tbody', { id: 'feed-rows' });
    const form = can('postAlerts') ? h('form', { id: 'feed-form', class: 'row', novalidate: true },
      field('Name', h('input', { name: 'name', 'data-field': 'name', maxlength: 200 })),
      field('Feed address', h('input', { name: 'url', type: 'url', required: true, 'data-field': 'url', placeholder: 'https://…' })),
      field('Kind', h('select', { name: 'kind', 'data-field': 'kind' }, h('option', { value: 'atom' }, 'Atom'), h('option', { value: 'rss' }, 'RSS'), h('option', { value: 'cap' }, 'One CAP document'))),
      field('Every (seconds)', h('input', { name: 'interval', type: 'number', min: 30, max: 86400, value: 300, 'data-field': 'intervalSeconds' })),
      h('p', { class: 'form-error', role: 'alert' }),
      h('div', { class: 'actions' }, h('button', { type: 'submit', id: 'add-feed' }, 'Follow feed'))) : null;
    const load = async () => {
      const feeds = (await get('/v1/alert-feeds')).items;
      rows.replaceChildren(...(feeds.length ? feeds.map((f) => h('tr', { 'data-feed': f.id },
        h('td', {}, f.name), h('td', {}, `${f.kind} · `, h('span', { class: 'muted' }, f.url)),
        h('td', {}, h('span', { class: `badge ${f.health.state === 'failing' ? 'offline' : f.health.state === 'ok' ? 'online' : 'degraded'}` }, f.enabled ? f.health.state : 'paused')),
        h('td', {}, f.health.lastPolledAt ? ago(f.health.lastPolledAt) : 'not yet'),
        h('td', {}, String(f.health.alertsTaken)),
        h('td', {}, f.health.lastError || '—'),
        h('td', {}, can('postAlerts') ? h('div', { class: 'actions' },
          h('button', { type: 'button', 'data-poll': f.id, onclick: () => pollNow(f) }, 'Poll now'),
          h('button', { type: 'button', class: 'danger', onclick: () => remove(f) }, 'Remove')) : null)))
        : [h('tr', {}, h('td', { colspan: 7 }, 'No feeds yet.'))]));
    };
    const pollNow = async (f) => {
      try {
        const result = await post(`/v1/alert-feeds/${encodeURIComponent(f.id)}/poll`);
        announce(`${f.name}: ${result.taken.length} new alerts, ${result.skipped.length} skipped`);
        await load();
        await refresh();
      } catch (error) { rows.prepend(h('tr', {}, h('td', { colspan: 7, class: 'form-error', role: 'alert' }, error.message))); }
    };
    const remove = async (f) => {
      if (!window.confirm(`Stop following ${f.name}? Alerts it brought stay.`)) return;
      try { await request('DELETE', `/v1/alert-feeds/${encodeURIComponent(f.id)}`); await load(); } catch (error) { announce(error.message); }
    };
    if (form) {
      form.addEventListener('submit', async (e) => {
        e.preventDefault();
        clearErrors(form);
        try {
          const body = { url: form.url.value.trim(), kind: form.kind.value, intervalSeconds: Number(form.interval.value) };
          if (form.name.value.trim()) body.name = form.name.value.trim();
          await post('/v1/alert-feeds', body);
          form.reset();
          await load();
        } catch (error) { showError(form, error); }
      });
    }
    load();
    feedTimer = setInterval(load, 15000);
    return h('section', { class: 'card', 'aria-labelledby': 'h-feeds' }, h('h2', { id: 'h-feeds' }, 'Warning feeds'),
      h('p', { class: 'hint' }, 'Atom, RSS or CAP feeds of warning agencies, polled by the server; their alerts go out like posted ones.'),
      h('div', { class: 'table-wrap' }, h('table', {}, h('thead', {}, h('tr', {},
        ...['Feed', 'Address', 'Health', 'Last poll', 'Alerts', 'Last problem', ''].map((t) => h('th', { scope: 'col' }, t)))), rows)), form);
  }

  async function refresh() {
    const alerts = (await get('/v1/alerts?limit=50')).items;
    history.replaceChildren(...alerts.map((a) => h('tr', {},
      h('td', {}, formatTime(a.receivedAt)), h('td', {}, a.headline || '—'), h('td', {}, a.severity || '—'), h('td', {}, `${a.msgType} · ${a.status}`),
      h('td', {}, h('span', { class: `badge ${a.state}` }, a.state)), h('td', {}, String(a.targeted ?? 0)), h('td', {}, a.postedBy || '—'))));
    const live = alerts.filter((a) => a.state === 'active');
    for (const a of live) records.set(a.id, a);
    for (const a of live) {
      if (!coverage.has(a.id)) {
        const detail = await get(`/v1/alerts/${encodeURIComponent(a.id)}`);
        coverage.set(a.id, { targeted: detail.deliveries.length, shown: detail.counts.shown || 0 });
      }
    }
    if (!live.some((a) => a.id === selected)) selected = live[0] ? live[0].id : null;
    active.replaceChildren(...(live.length ? live.map((a) => alertCard(a)) : [h('p', {}, 'No active alert.')]));
    await highlight();
  }

  function alertCard(a) {
    const c = coverage.get(a.id) || { targeted: a.targeted, shown: 0 };
    const pct = c.targeted ? Math.round((100 * c.shown) / c.targeted) : 100;
    return h('article', { class: 'alert-card', 'data-alert': a.id, 'aria-current': a.id === selected ? 'true' : null },
      h('h3', {}, `${a.severity}: ${a.headline || a.id}`),
      h('p', { class: 'coverage', 'data-alert-coverage': a.id }, `${c.shown} of ${c.targeted} displays confirmed (${pct} %)`),
      h('progress', { max: c.targeted || 1, value: c.shown, 'aria-label': `Coverage of ${a.headline || a.id}` }),
      h('div', { class: 'actions' },
        h('button', { type: 'button', onclick: () => { selected = a.id; refresh(); } }, 'Show on map'),
        can('postAlerts') ? h('button', { type: 'button', class: 'danger', 'data-cancel': a.id, onclick: () => cancel(a) }, 'Cancel alert') : null));
  }

  async function cancel(a) {
    if (!window.confirm(`Cancel "${a.headline || a.id}" on every display?`)) return;
    try {
      await request('POST', '/v1/alerts', { body: cancelCAP(a, a.sender), type: 'application/cap+xml' });
      announce(`Alert ${a.id} cancelled`);
      coverage.delete(a.id);
      await refresh();
    } catch (error) { active.prepend(h('p', { class: 'form-error', role: 'alert' }, error.message)); }
  }

  let highlightAt = 0;
  async function highlight() {
    if (!selected) { map.setHighlight(null); return; }
    highlightAt = Date.now();
    const detail = await get(`/v1/alerts/${encodeURIComponent(selected)}`);
    map.setHighlight(detail.deliveries.filter((d) => d.state !== 'shown').map((d) => d.displayId));
  }

  await refresh();
  const stop = listen(['alerts', 'displays'], {
    open: async () => { for (const r of (await get('/v1/map/displays')).items) map.updateDisplay(r[0], r[4], r[7]); },
    alert: (change) => {
      if (!change.active) { coverage.delete(change.id); refresh(); return; }
      coverage.set(change.id, { targeted: change.targeted, shown: change.shown });
      const card = active.querySelector(`[data-alert="${CSS.escape(change.id)}"]`);
      if (!card || !records.has(change.id)) { refresh(); return; }
      card.replaceWith(alertCard(records.get(change.id)));
      if (change.id === selected && Date.now() - highlightAt > 1000) highlight();
    },
    display: (d) => map.updateDisplay(d.id, d.status, d.alert),
  });
  return () => { stop(); clearInterval(feedTimer); map.destroy(); };
}
