// Health alarms to acknowledge and city rules: what each watches, whether it is approved, which
// sources hold it raised, and a form to write one. The server enforces every permission shown here.
import { get, post, showError, clearErrors } from './api.js';
import { h, field, ago, announce } from './dom.js';

const KINDS = {
  offline: 'Offline', panelTemperature: 'Panel temperature', supplyVoltage: 'Supply voltage',
  lowFrameRate: 'Low frame rate', brightnessStuck: 'Brightness stuck',
};

const since = (ms) => (ms ? ago(new Date(ms).toISOString()) : '—');

function conditionText(c) {
  const area = c.area.districts ? `in ${c.area.districts.join(', ')}` : `within ${c.area.circle.radiusMeters} m of ${c.area.circle.lat}, ${c.area.circle.lon}`;
  return `${c.function} of ${c.metric} per ${c.windowSeconds / 60} min ${c.comparison} ${c.threshold} for ${c.forSeconds / 60} min ${area}; `
    + `clears at ${c.clearThreshold} for ${c.clearForSeconds / 60} min`;
}

function actionsText(a) {
  const parts = [];
  if (a.layoutId) parts.push(`shows ${a.layoutId}${a.radiusMeters ? ` within ${a.radiusMeters} m` : ' on the whole area'} (priority ${a.priority})`);
  if (a.webhook) parts.push(`calls ${a.webhook}`);
  return parts.join('; ');
}

export async function render(main, _params, { user, can }) {
  const [districts, layouts, catalogue] = await Promise.all([get('/v1/districts'), get('/v1/layouts'), get('/v1/metrics')]);
  const alarmBody = h('tbody', {});
  const history = h('input', { type: 'checkbox', id: 'alarm-history' });
  const ruleBody = h('tbody', {});
  main.append(
    h('h1', {}, 'Rules & alarms'),
    h('section', { class: 'card', 'aria-labelledby': 'alarms-title' },
      h('h2', { id: 'alarms-title' }, 'Display health alarms'),
      h('label', { class: 'inline' }, history, ' Show cleared alarms too'),
      h('div', { class: 'table-wrap' }, h('table', { id: 'alarm-table' },
        h('thead', {}, h('tr', {}, ...['Display', 'Alarm', 'Severity', 'State', 'Raised', 'What', ''].map((t) => h('th', { scope: 'col' }, t)))),
        alarmBody))),
    h('section', { class: 'card', 'aria-labelledby': 'rules-title' },
      h('h2', { id: 'rules-title' }, 'City rules'),
      h('p', { class: 'hint' }, 'A rule acts once someone with the approver role, not its author, approved it. Any edit needs approval again.'),
      h('div', { class: 'table-wrap' }, h('table', { id: 'rule-table' },
        h('thead', {}, h('tr', {}, ...['Rule', 'Watches', 'Does', 'State', 'Raised by', ''].map((t) => h('th', { scope: 'col' }, t)))),
        ruleBody))));

  const drawAlarms = async () => {
    const alarms = (await get(`/v1/alarms?state=${history.checked ? 'all' : 'open'}&limit=200`)).items;
    alarmBody.replaceChildren(...(alarms.length ? alarms.map((a) => h('tr', { 'data-alarm': a.id },
      h('td', {}, h('a', { href: `#/displays/${encodeURIComponent(a.display)}` }, a.display)),
      h('td', {}, KINDS[a.kind] || a.kind),
      h('td', {}, h('span', { class: `badge ${a.severity}` }, a.severity)),
      h('td', {}, a.state, a.acknowledgedBy ? ` by ${a.acknowledgedBy}` : ''),
      h('td', {}, since(a.raisedAt)),
      h('td', {}, a.message),
      h('td', {}, a.state === 'raised' && can('writeDisplays')
        ? h('button', { type: 'button', class: 'acknowledge', onclick: async (e) => {
          e.target.disabled = true;
          try { await post(`/v1/alarms/${a.id}/acknowledge`); announce(`Alarm on ${a.display} acknowledged`); } finally { await drawAlarms(); }
        } }, 'Acknowledge')
        : ''))) : [h('tr', {}, h('td', { colspan: 7 }, history.checked ? 'No alarms yet.' : 'No open alarms.'))]));
  };

  const drawRules = async () => {
    const rules = (await get('/v1/rules')).items;
    ruleBody.replaceChildren(...(rules.length ? rules.map((r) => h('tr', { 'data-rule': r.id },
      h('th', { scope: 'row' }, `${r.name} (${r.id})`),
      h('td', {}, conditionText(r.condition)),
      h('td', {}, actionsText(r.actions)),
      h('td', {}, h('span', { class: `badge ${r.state}` }, r.state)),
      h('td', {}, r.raisedSources.length ? `${r.raisedSources.join(', ')} since ${since(r.raisedAt)}` : '—'),
      h('td', {}, r.state === 'pending' && can('approveContent')
        ? (r.createdBy === user.id
          ? h('span', { class: 'hint own-work' }, 'Your rule: someone else approves it.')
          : h('button', { type: 'button', class: 'approve', onclick: async (e) => {
            e.target.disabled = true;
            try { await post(`/v1/rules/${encodeURIComponent(r.id)}/approve`); announce(`Rule ${r.name} approved`); } finally { await drawRules(); }
          } }, 'Approve'))
        : ''))) : [h('tr', {}, h('td', { colspan: 6 }, 'No rules yet.'))]));
  };

  if (can('manageRules')) main.append(ruleForm(districts.items, layouts.items, catalogue.items, user, drawRules));
  history.addEventListener('change', drawAlarms);
  await Promise.all([drawAlarms(), drawRules()]);
  const timer = setInterval(() => { drawAlarms(); drawRules(); }, 5000);
  return () => clearInterval(timer);
}

function ruleForm(districts, layouts, metrics, user, done) {
  const mine = user.districts && user.districts.length ? districts.filter((d) => user.districts.includes(d.code)) : districts;
  const select = (name, options) => h('select', { name }, ...options.map(([value, label]) => h('option', { value }, label)));
  const number = (name, value, attrs = {}) => h('input', { name, type: 'number', step: 'any', value, ...attrs });
  const form = h('form', { class: 'card', id: 'rule-form', novalidate: true },
    h('h2', {}, 'New rule'),
    h('div', { class: 'grid' },
      field('Id', h('input', { name: 'id', required: true, placeholder: 'pm25-north' })),
      field('Name', h('input', { name: 'name', required: true, placeholder: 'Dirty air in the north' })),
      field('Metric', select('metric', metrics.map((m) => [m.name, `${m.name} (${m.unit})`]))),
      field('Raised when the 1-minute mean is', select('comparison', [['above', 'above'], ['below', 'below']])),
      field('Threshold', number('threshold', 75)),
      field('For minutes', number('forMinutes', 10, { min: 0 })),
      field('Clears at', number('clearThreshold', 55), 'At or below it for “above”, at or above for “below”'),
      field('Clear for minutes', number('clearMinutes', 10, { min: 0 })),
      field('District', select('district', mine.map((d) => [d.code, d.name]))),
      field('Show layout', select('layoutId', [['', '— none —'], ...layouts.map((l) => [l.id, l.name])])),
      field('Within metres of the source', number('radiusMeters', 300, { min: 1 }), 'Leave empty for the whole district'),
      field('Webhook', h('input', { name: 'webhook', type: 'url', placeholder: 'https://…' }))),
    h('p', { class: 'form-error', role: 'alert' }),
    h('button', { type: 'submit', class: 'primary' }, 'Save rule (waits for approval)'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    const f = form.elements;
    const value = (name) => f[name].value.trim();
    const actions = { layoutId: value('layoutId') || undefined, webhook: value('webhook') || undefined,
      radiusMeters: value('radiusMeters') ? Number(value('radiusMeters')) : undefined };
    const body = { id: value('id'), name: value('name'), actions,
      condition: { metric: value('metric'), comparison: value('comparison'), threshold: Number(value('threshold')),
        forSeconds: Math.round(Number(value('forMinutes')) * 60), clearThreshold: Number(value('clearThreshold')),
        clearForSeconds: Math.round(Number(value('clearMinutes')) * 60), area: { districts: [value('district')] } } };
    try {
      await post('/v1/rules', body);
      announce(`Rule ${body.name} saved; it waits for approval`);
      form.reset();
      await done();
    } catch (error) {
      showError(form, error);
    }
  });
  return form;
}
