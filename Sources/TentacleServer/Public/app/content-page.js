// Content: campaigns and their state, the approval queue, and the campaign and layout editor.
import { get, post, put, request, showError, clearErrors, APIError } from './api.js';
import { h, field, ago, announce } from './dom.js';
import { listen } from './sse.js';
import { CityMap } from './map.js';

const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

export async function render(main, params, ctx) {
  if (params[0] === 'edit' || params[0] === 'new') return editor(main, params[0] === 'edit' ? params[1] : null, ctx);
  return overview(main, ctx);
}

async function overview(main, { user, can }) {
  const list = h('tbody', {});
  const queue = h('div', { id: 'approval-queue' });
  main.append(h('h1', {}, 'Content'),
    can('writeContent') ? h('p', {}, h('a', { href: '#/content/new', class: 'button' }, 'New campaign')) : null,
    h('section', { class: 'card', 'aria-labelledby': 'h-queue' }, h('h2', { id: 'h-queue' }, 'Waiting for approval'), queue),
    h('section', { class: 'card', 'aria-labelledby': 'h-campaigns' }, h('h2', { id: 'h-campaigns' }, 'Campaigns'),
      h('div', { class: 'table-wrap' }, h('table', { id: 'campaign-table' }, h('thead', {}, h('tr', {},
        ...['Campaign', 'Priority', 'On air', 'Latest revision', 'Target', ''].map((t) => h('th', { scope: 'col' }, t)))), list))));

  const users = new Map();
  const who = (id) => (id === user.id ? 'you' : users.get(id) || id);
  if (can('manageUsers')) for (const u of (await get('/v1/users')).items) users.set(u.id, u.username);

  const targetText = (t) => [t.districts && t.districts.length ? `districts ${t.districts.join(', ')}` : '', t.groups && t.groups.length ? `groups ${t.groups.join(', ')}` : '',
    t.tags && t.tags.length ? `tags ${t.tags.join(', ')}` : '', t.displayIds && t.displayIds.length ? `${t.displayIds.length} displays` : '',
    t.polygon ? 'a drawn area' : '', t.circle ? 'a circle' : ''].filter(Boolean).join('; ') || 'nothing';

  const refresh = async () => {
    const campaigns = (await get('/v1/campaigns')).items;
    list.replaceChildren(...campaigns.map((c) => h('tr', { 'data-campaign': c.id },
      h('th', { scope: 'row' }, `${c.latest.campaign.name} (${c.id})`), h('td', {}, String(c.latest.campaign.priority)),
      h('td', {}, c.live ? `revision ${c.live.revision}` : 'not live'),
      h('td', {}, `revision ${c.latest.revision} `, h('span', { class: `badge ${c.latest.state}` }, c.latest.state), ` by ${who(c.latest.author)}`),
      h('td', {}, targetText(c.latest.campaign.target)),
      h('td', {}, can('writeContent') ? h('a', { href: `#/content/edit/${encodeURIComponent(c.id)}`, 'aria-label': `Edit ${c.latest.campaign.name}` }, 'Edit') : ''))));
    const pending = campaigns.filter((c) => c.pending);
    queue.replaceChildren(...(pending.length ? pending.map((c) => reviewCard(c)) : [h('p', {}, 'Nothing is waiting.')]));
  };

  const reviewCard = (c) => {
    const r = c.pending;
    const own = r.author === user.id;
    const reason = h('input', { name: 'reason', maxlength: 500 });
    const form = h('form', { class: 'review', 'data-review': c.id, novalidate: true },
      h('h3', {}, `${r.campaign.name} — revision ${r.revision}`),
      h('p', {}, `By ${who(r.author)}, ${ago(r.createdAt)}. Priority ${r.campaign.priority}; target ${targetText(r.campaign.target)}; playlist ${r.campaign.playlist.map((p) => `${p.layoutId} ${p.durationSeconds} s`).join(', ')}.`),
      h('p', {}, h('img', { class: 'preview', style: 'max-width: 384px', alt: `Preview of ${r.campaign.playlist[0].layoutId}`, src: `/v1/layouts/${encodeURIComponent(r.campaign.playlist[0].layoutId)}/preview.png?scale=2` })),
      !can('approveContent') ? h('p', { class: 'hint' }, 'Approvers and admins review revisions.')
        : own ? h('p', { class: 'hint own-work' }, 'You wrote this revision: someone else with the approver role must review it.')
          : [field('Reason (needed to reject)', reason), h('p', { class: 'form-error', role: 'alert' }),
            h('div', { class: 'actions' }, h('button', { type: 'submit', value: 'approve', class: 'primary', 'data-approve': c.id }, 'Approve'),
              h('button', { type: 'submit', value: 'reject', class: 'danger' }, 'Reject'))]);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearErrors(form);
      const approve = !e.submitter || e.submitter.value === 'approve';
      const path = `/v1/campaigns/${encodeURIComponent(c.id)}/revisions/${r.revision}/${approve ? 'approve' : 'reject'}`;
      try {
        if (approve) await post(path); else await post(path, { reason: reason.value });
        announce(`Revision ${r.revision} of ${c.id} ${approve ? 'approved' : 'rejected'}`);
        await refresh();
      } catch (error) { showError(form, error); }
    });
    return form;
  };

  await refresh();
  const stop = listen(['campaigns'], { campaign: () => refresh() });
  return stop;
}

async function editor(main, id, { can }) {
  const [state, layouts, templates, districts, groups, displays] = await Promise.all([
    id ? get(`/v1/campaigns/${encodeURIComponent(id)}`) : null, get('/v1/layouts'), get('/v1/layouts/templates'),
    get('/v1/districts'), get('/v1/groups'), get('/v1/map/displays')]);
  const c = state ? state.latest.campaign : {
    name: '', priority: 10, schedule: {}, target: { districts: [] }, playlist: [{ layoutId: layouts.items[0] ? layouts.items[0].id : '', durationSeconds: 30 }],
  };
  const s = c.schedule || {};
  const t = c.target || {};
  const first = c.playlist[0] || { layoutId: '', durationSeconds: 30 };
  let polygon = t.polygon ? t.polygon.coordinates[0].slice(0, -1) : null;
  let doc = null;
  let docChanged = false;

  const layoutSelect = h('select', { name: 'layoutId', id: 'layout-select' }, ...layouts.items.map((l) => h('option', { value: l.id }, `${l.name} (${l.width}×${l.height})`)));
  layoutSelect.value = first.layoutId;
  const templateSelect = h('select', { id: 'template-select' }, h('option', { value: '' }, 'Keep the chosen layout'), ...templates.items.map((tp) => h('option', { value: tp.id }, `${tp.name} (${tp.width}×${tp.height})`)));
  const texts = h('div', { id: 'layout-texts' });
  const previewImg = h('img', { class: 'preview', id: 'layout-preview', alt: 'Preview of the layout as the panel draws it' });
  const previewNote = h('p', { class: 'form-error', role: 'alert', 'data-field': 'layout' });
  const mapBox = h('div', { class: 'mini-map' });
  const polygonNote = h('small', { id: 'polygon-note' }, polygon ? `Area with ${polygon.length} corners.` : 'No area drawn.');
  const drawButton = h('button', { type: 'button' }, 'Draw target area');
  const checkboxes = (name, items, chosen) => h('fieldset', { 'data-field': `target.${name}` }, h('legend', {}, name === 'districts' ? 'Districts' : 'Groups'),
    ...items.map((x) => h('label', { class: 'check' }, h('input', { type: 'checkbox', name, value: x.code, checked: (chosen || []).includes(x.code) }), ` ${x.name} `)));

  const form = h('form', { class: 'card', id: 'campaign-form', novalidate: true },
    h('h1', {}, id ? `Edit ${c.name}` : 'New campaign'),
    state && state.pending ? h('p', { class: 'hint' }, `Revision ${state.pending.revision} is waiting for approval; saving adds a newer one.`) : null,
    !id ? field('Id (optional)', h('input', { name: 'id', 'data-field': 'id' })) : null,
    field('Name', h('input', { name: 'name', value: c.name, required: true })),
    field('Priority (0–1000, higher wins)', h('input', { name: 'priority', type: 'number', min: 0, max: 1000, value: c.priority })),
    h('fieldset', {}, h('legend', {}, 'Schedule'),
      h('div', { class: 'row' },
        field('From date', h('input', { name: 'startDate', type: 'date', value: s.startDate || '', 'data-field': 'schedule.startDate' })),
        field('To date', h('input', { name: 'endDate', type: 'date', value: s.endDate || '', 'data-field': 'schedule.endDate' })),
        field('Daily from', h('input', { name: 'windowStart', type: 'time', value: s.windows && s.windows[0] ? s.windows[0].start : '', 'data-field': 'schedule.windows' })),
        field('Daily until', h('input', { name: 'windowEnd', type: 'time', value: s.windows && s.windows[0] ? s.windows[0].end : '' }))),
      h('p', { class: 'hint' }, 'Leave dates and times empty to play every day, all day.'),
      h('div', { class: 'row' }, ...DAYS.map((d, i) => h('label', { class: 'check' },
        h('input', { type: 'checkbox', name: 'days', value: i + 1, checked: (s.daysOfWeek || []).includes(i + 1) }), ` ${d}`))),
      h('small', {}, 'No day ticked means every day.')),
    h('fieldset', {}, h('legend', {}, 'Target (a display matches any criterion)'),
      checkboxes('districts', districts.items, t.districts), checkboxes('groups', groups.items, t.groups),
      field('Tags (comma-separated)', h('input', { name: 'tags', value: (t.tags || []).join(', '), 'data-field': 'target.tags' })),
      drawButton, ' ', polygonNote, mapBox),
    h('fieldset', {}, h('legend', {}, 'Layout'),
      h('div', { class: 'row' }, field('Layout', layoutSelect), field('Or start from a template', templateSelect),
        field('Seconds on screen', h('input', { name: 'duration', type: 'number', min: 1, max: 86400, value: first.durationSeconds, 'data-field': 'playlist' }))),
      texts, previewImg, previewNote),
    h('p', { class: 'form-error', role: 'alert' }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', id: 'save-campaign', disabled: !can('writeContent') }, 'Save for approval'),
      h('a', { href: '#/content' }, 'Back to content')));
  main.append(form);

  const map = new CityMap(mapBox, { label: 'Target map' });
  map.setDistricts(districts.items);
  map.setDisplays(displays.items);
  map.fit();
  map.setPolygon(polygon);
  drawButton.addEventListener('click', () => {
    if (map.drawing) {
      const points = map.finishDrawing();
      polygon = points.length >= 3 ? points : null;
      drawButton.textContent = 'Draw target area';
      polygonNote.textContent = polygon ? `Area with ${polygon.length} corners.` : 'No area drawn.';
    } else {
      map.startDrawing((points) => { polygonNote.textContent = `${points.length} corners; click Finish area.`; });
      drawButton.textContent = 'Finish area';
    }
  });

  // Every widget gets the controls for what it shows (texts, colour, speed, clock, live value);
  // each change re-renders the preview on the server.
  const editTexts = () => {
    const groups = [];
    (doc.regions || []).forEach((region, ri) => (region.playlist || []).forEach((item, pi) => {
      const w = item.widget || {};
      const name = (key) => `${key}-${ri}-${pi}`;
      const changed = () => { docChanged = true; schedulePreview(); };
      const bind = (input, apply) => { input.addEventListener('input', () => { apply(input); changed(); }); return input; };
      const controls = [];
      if (typeof w.text === 'string') {
        controls.push(field(w.type === 'marquee' ? 'Scrolling text' : 'Text',
          bind(h('input', { value: w.text, 'data-region': region.id || ri, class: 'layout-text', name: name('text') }), (i) => { w.text = i.value; })));
      }
      if (w.type === 'marquee') {
        controls.push(field('Speed (pixels per second)', bind(h('input', { type: 'number', min: 1, max: 1000, value: w.speed ?? 32, name: name('speed') }),
          (i) => { if (i.value !== '') w.speed = Number(i.value); })));
      }
      if (w.type === 'clock') {
        controls.push(field('Time zone', bind(h('input', { value: w.timezone || '', name: name('timezone') }), (i) => { w.timezone = i.value.trim(); })));
        controls.push(h('label', { class: 'check' }, bind(h('input', { type: 'checkbox', checked: !!w.showSeconds, name: name('seconds') }),
          (i) => { w.showSeconds = i.checked; }), ' Show seconds'));
      }
      if (w.type === 'liveValue') {
        controls.push(field('Label', bind(h('input', { value: w.label || '', name: name('label') }), (i) => { w.label = i.value; })));
        controls.push(field('Metric', bind(h('input', { value: w.metric || '', name: name('metric') }), (i) => { w.metric = i.value.trim(); })));
        controls.push(field('Unit', bind(h('input', { value: w.unit || '', name: name('unit') }), (i) => { w.unit = i.value; })));
      }
      if (['text', 'marquee', 'clock', 'liveValue'].includes(w.type)) {
        const colour = (w.style && w.style.color) || '#FFFFFF';
        controls.push(field('Colour', bind(h('input', { type: 'color', value: colour.toLowerCase(), name: name('color') }),
          (i) => { w.style = { ...(w.style || {}), color: i.value.toUpperCase() }; })));
      }
      if (!controls.length) return;
      groups.push(h('fieldset', { class: 'widget-fields', 'data-field': `layout.regions[${ri}].playlist[${pi}]` },
        h('legend', {}, `${region.id || `Region ${ri + 1}`}: ${w.type}`), h('div', { class: 'row' }, ...controls)));
    }));
    texts.replaceChildren(...(groups.length ? groups : [h('p', { class: 'hint' }, 'This layout has no widgets to edit.')]));
  };
  let previewTimer = 0;
  let previewURL = null;
  const schedulePreview = () => { clearTimeout(previewTimer); previewTimer = setTimeout(renderPreview, 200); };
  const renderPreview = async () => {
    try {
      const response = await request('POST', '/v1/layouts/preview.png?scale=3', { body: JSON.stringify(doc), type: 'application/json', raw: true });
      if (previewURL) URL.revokeObjectURL(previewURL);
      previewURL = URL.createObjectURL(await response.blob());
      previewImg.src = previewURL;
      previewNote.textContent = '';
    } catch (error) { previewNote.textContent = error instanceof APIError && error.issues.length ? error.issues.map((i) => `${i.field}: ${i.message}`).join(' · ') : error.message; }
  };
  const loadLayout = async () => {
    const tp = templates.items.find((x) => x.id === templateSelect.value);
    doc = structuredClone(tp ? tp.layout : (await get(`/v1/layouts/${encodeURIComponent(layoutSelect.value)}`)).layout);
    docChanged = !!tp;
    editTexts();
    await renderPreview();
  };
  layoutSelect.addEventListener('change', () => { templateSelect.value = ''; loadLayout(); });
  templateSelect.addEventListener('change', loadLayout);
  if (layoutSelect.value || templates.items.length) await loadLayout();

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const checked = (name) => [...form.querySelectorAll(`input[name=${name}]:checked`)].map((x) => x.value);
    try {
      let layoutId = layoutSelect.value;
      if (docChanged) {
        // A changed layout is saved as a new one, so what is on air now stays as approved.
        const saved = await post('/v1/layouts', { name: `${form.name.value.trim() || 'campaign'} layout`, layout: doc });
        layoutId = saved.id;
      }
      const schedule = {};
      if (form.startDate.value) schedule.startDate = form.startDate.value;
      if (form.endDate.value) schedule.endDate = form.endDate.value;
      const days = checked('days').map(Number);
      if (days.length) schedule.daysOfWeek = days;
      if (form.windowStart.value || form.windowEnd.value) schedule.windows = [{ start: form.windowStart.value, end: form.windowEnd.value }];
      const target = { districts: checked('districts'), groups: checked('groups'), tags: form.tags.value.split(',').map((x) => x.trim()).filter(Boolean) };
      if (polygon) target.polygon = { type: 'Polygon', coordinates: [[...polygon, polygon[0]]] };
      const body = { name: form.name.value.trim(), priority: Number(form.priority.value), schedule, target, playlist: [{ layoutId, durationSeconds: Number(form.duration.value) }] };
      if (!id && form.id.value.trim()) body.id = form.id.value.trim();
      const saved = id ? await put(`/v1/campaigns/${encodeURIComponent(id)}`, { id, ...body }) : await post('/v1/campaigns', body);
      announce(`Saved revision ${saved.latest.revision} of ${saved.id}`);
      docChanged = false;
      location.hash = '#/content';
    } catch (error) { showError(form, error); }
  });
  return () => map.destroy();
}
