// The one place the dashboard talks to the HTTP API. Errors keep the API's error body, so a form can
// show the message next to the field it names.

export class APIError extends Error {
  constructor(status, body) {
    const e = (body && body.error) || {};
    super(e.message || `HTTP ${status}`);
    this.status = status;
    this.code = e.code || 'http_' + status;
    this.field = e.field || null;
    this.issues = e.issues || [];
  }
}

let onSignedOut = () => {};
export function whenSignedOut(handler) { onSignedOut = handler; }

// Requests on their way, so signing out can wait for them: one that reached the server after the
// session ended would come back 401 (and put an error in the console) for a page already gone.
const inFlight = new Set();
// A page may ask again when an answer comes in, so this waits until a turn passes with none on the way.
export async function requestsSettled() {
  do {
    await Promise.allSettled([...inFlight]);
    await new Promise((resolve) => setTimeout(resolve, 0));
  } while (inFlight.size);
}

export async function request(method, path, { json, body, type, raw } = {}) {
  const headers = {};
  if (json !== undefined) { headers['Content-Type'] = 'application/json'; body = JSON.stringify(json); }
  else if (type) headers['Content-Type'] = type;
  const pending = fetch(path, { method, headers, body, credentials: 'same-origin' });
  inFlight.add(pending);
  let response;
  try { response = await pending; } finally { inFlight.delete(pending); }
  if (!response.ok) {
    let parsed = null;
    try { parsed = await response.json(); } catch { parsed = null; }
    const error = new APIError(response.status, parsed);
    if (response.status === 401 && !path.endsWith('/auth/login')) onSignedOut();
    throw error;
  }
  if (raw) return response;
  if (response.status === 204) return null;
  const contentType = response.headers.get('Content-Type') || '';
  return contentType.includes('json') ? response.json() : response.text();
}

export const get = (path) => request('GET', path);
export const post = (path, json) => request('POST', path, { json });
export const put = (path, json) => request('PUT', path, { json });

// Shows an API error in a form: beside the named field when the form has one, else in the form's
// summary. Issues with fields are shown beside each field.
export function showError(form, error) {
  clearErrors(form);
  const summary = form.querySelector('.form-error');
  const messages = [];
  const place = (field, message) => {
    const input = field && form.querySelector(`[data-field="${CSS.escape(field)}"], [name="${CSS.escape(field)}"]`);
    if (!input) { messages.push(field ? `${field}: ${message}` : message); return; }
    const note = document.createElement('p');
    note.className = 'field-error';
    note.id = `err-${Math.random().toString(36).slice(2)}`;
    note.textContent = message;
    input.setAttribute('aria-invalid', 'true');
    input.setAttribute('aria-describedby', note.id);
    input.insertAdjacentElement('afterend', note);
  };
  if (error instanceof APIError && error.issues.length) {
    for (const issue of error.issues) place(issue.field, (issue.row ? `row ${issue.row}: ` : '') + issue.message);
  } else {
    place(error.field, error.message);
  }
  if (summary) summary.textContent = messages.join(' · ') || (error instanceof APIError ? 'Please correct the marked field.' : '');
  const first = form.querySelector('[aria-invalid="true"]');
  if (first) first.focus();
}

export function clearErrors(form) {
  form.querySelectorAll('.field-error').forEach((n) => n.remove());
  form.querySelectorAll('[aria-invalid]').forEach((n) => { n.removeAttribute('aria-invalid'); n.removeAttribute('aria-describedby'); });
  const summary = form.querySelector('.form-error');
  if (summary) summary.textContent = '';
}
