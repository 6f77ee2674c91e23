// The dashboard shell: sign-in, navigation by role, and hash routes to one module per page.
import { get, post, request, requestsSettled, showError, clearErrors, whenSignedOut } from './api.js';
import { h, field } from './dom.js';
import { can, scopeText } from './roles.js';

const pages = {
  map: { title: 'City map', load: () => import('./map-page.js') },
  displays: { title: 'Display', load: () => import('./display-page.js'), hidden: true },
  districts: { title: 'Districts', load: () => import('./districts-page.js') },
  content: { title: 'Content', load: () => import('./content-page.js') },
  alerts: { title: 'Alerts', load: () => import('./alerts-page.js') },
  rules: { title: 'Rules & alarms', load: () => import('./rules-page.js') },
};

const state = { user: null, cleanup: null, generation: 0 };
const main = document.getElementById('main');

function route() {
  const [, name = 'map', ...rest] = (location.hash || '#/map').split('/');
  return { name: pages[name] ? name : 'map', params: rest.map(decodeURIComponent) };
}

function renderNav() {
  const nav = document.getElementById('nav');
  const current = route().name;
  nav.replaceChildren(...Object.entries(pages).filter(([, p]) => !p.hidden).map(([name, p]) =>
    h('a', { href: `#/${name}`, 'aria-current': name === current || (current === 'displays' && name === 'map') ? 'page' : null }, p.title)));
  nav.hidden = false;
  document.getElementById('who').textContent = `${state.user.username} · ${state.user.role} · ${scopeText(state.user)}`;
  document.getElementById('signout').hidden = false;
}

async function show() {
  if (!state.user) return;
  if (state.cleanup) { state.cleanup(); state.cleanup = null; }
  renderNav();
  const { name, params } = route();
  document.title = `${pages[name].title} · Tentacle`;
  const module = await pages[name].load();
  main.replaceChildren();
  const generation = ++state.generation;
  try {
    const cleanup = (await module.render(main, params, { user: state.user, can: (p) => can(state.user, p) })) || null;
    // Signed out or moved on while the page loaded: its live streams and timers stop at once.
    if (generation !== state.generation) { if (cleanup) cleanup(); return; }
    state.cleanup = cleanup;
  } catch (error) {
    if (!state.user || generation !== state.generation) return;
    main.replaceChildren(h('h1', {}, pages[name].title), h('p', { class: 'form-error', role: 'alert' }, error.message));
  }
}

// Stops the page on screen: its live streams, timers and late answers.
function stopPage() {
  state.generation += 1;
  if (state.cleanup) { state.cleanup(); state.cleanup = null; }
}

function signInForm() {
  stopPage();
  document.getElementById('nav').hidden = true;
  document.getElementById('signout').hidden = true;
  document.getElementById('who').textContent = '';
  document.title = 'Sign in · Tentacle';
  const form = h('form', { class: 'card signin', novalidate: true },
    h('h1', {}, 'Sign in'),
    field('Username', h('input', { name: 'username', autocomplete: 'username', required: true })),
    field('Password', h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true })),
    h('p', { class: 'form-error', role: 'alert' }),
    h('button', { type: 'submit', class: 'primary' }, 'Sign in'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    try {
      const body = await post('/v1/auth/login', { username: form.username.value, password: form.password.value });
      state.user = body.user;
      localStorage.setItem('tentacle.signedIn', '1');
      await show();
    } catch (error) {
      showError(form, error.status === 401 ? Object.assign(error, { field: 'password' }) : error);
    }
  });
  main.replaceChildren(form);
  form.username.focus();
}

// The session cookie is HttpOnly, so the page remembers only that it signed in; asking /v1/me without a
// session would answer 401 and put an error in the console of every first visit.
const forget = () => { state.user = null; localStorage.removeItem('tentacle.signedIn'); signInForm(); };
whenSignedOut(forget);

// The page stops first and its requests on their way are answered, then the session ends.
document.getElementById('signout').addEventListener('click', async () => {
  stopPage();
  await requestsSettled();
  try { await request('POST', '/v1/auth/logout'); } finally { forget(); }
});

window.addEventListener('hashchange', () => { show().then(() => main.focus({ preventScroll: true })); });

if (localStorage.getItem('tentacle.signedIn')) {
  try {
    state.user = await get('/v1/me');
    await show();
  } catch {
    forget();
  }
} else {
  signInForm();
}
