// Sabil admin page: sign-in, the date range, key figures, charts and the latest orders.
// Plain ES module, no framework and no build step; everything it loads comes from this origin.
import { drawByStatus, drawPerDay, statusLabel } from './charts.js';

// Only the 15-minute access token is kept (per tab); the refresh token is revoked at sign-in.
const TOKEN_KEY = 'sabil.admin.accessToken';

const $ = (id) => document.getElementById(id);
const view = { stats: null, areas: new Map() };
const placed = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short' });

/** A non-2xx answer of the API, with its error body when it had one. */
class ApiFailure extends Error {
  constructor(status, body, retryAfter) {
    super(body?.error?.message ?? `The server answered ${status}.`);
    this.status = status;
    this.code = body?.error?.code ?? '';
    this.retryAfter = retryAfter;
  }
}

async function api(path, { method = 'GET', body, auth = true } = {}) {
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (auth) headers.authorization = `Bearer ${sessionStorage.getItem(TOKEN_KEY) ?? ''}`;
  const resp = await fetch(path, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'omit', cache: 'no-store',
  });
  const raw = await resp.text();
  let json = null;
  try {
    json = raw ? JSON.parse(raw) : null;
  } catch {
    json = null;
  }
  if (!resp.ok) throw new ApiFailure(resp.status, json, resp.headers.get('retry-after'));
  return json;
}

function show(id, visible) {
  $(id).hidden = !visible;
}

function message(id, text) {
  const node = $(id);
  node.textContent = text ?? '';
  node.hidden = !text;
}

// --- signing in and out ----------------------------------------------------

function showSignIn(reason) {
  sessionStorage.removeItem(TOKEN_KEY);
  view.stats = null;
  show('dashboard', false);
  show('sign-out', false);
  show('sign-in', true);
  message('sign-in-error', reason);
  $('phone').focus();
}

async function signIn(event) {
  event.preventDefault();
  const phone = $('phone').value.trim();
  const password = $('password').value;
  if (!phone || !password) {
    message('sign-in-error', 'Enter the phone number and the password.');
    return;
  }
  $('sign-in-button').disabled = true;
  message('sign-in-error', '');
  try {
    const tokens = await api('/api/auth/login', { method: 'POST', body: { phone, password }, auth: false });
    sessionStorage.setItem(TOKEN_KEY, tokens.accessToken);
    $('password').value = '';
    // The page never holds a long-lived credential: when the access token lapses, sign in again.
    await api('/api/auth/logout', { method: 'POST', body: { refreshToken: tokens.refreshToken }, auth: false }).catch(() => null);
    await showDashboard();
  } catch (e) {
    const wait = e.retryAfter ? ` Try again in ${e.retryAfter} s.` : '';
    message('sign-in-error', e instanceof ApiFailure ? `${e.message}${wait}` : 'The server could not be reached.');
  } finally {
    $('sign-in-button').disabled = false;
  }
}

function signOut() {
  showSignIn('You are signed out.');
}

/** A 401 or 403 ends the session; anything else is shown above the dashboard. */
function failed(e) {
  if (e instanceof ApiFailure && e.status === 401) {
    showSignIn('Your session has ended. Sign in again.');
  } else if (e instanceof ApiFailure && e.status === 403) {
    showSignIn('This account is not an admin. Sign in with an admin account.');
  } else {
    message('dashboard-error', e instanceof ApiFailure ? e.message : 'The server could not be reached.');
  }
}

// --- the dashboard ---------------------------------------------------------

async function showDashboard() {
  show('sign-in', false);
  show('dashboard', true);
  show('sign-out', true);
  message('sign-in-error', '');
  await load();
}

async function loadAreas() {
  if (view.areas.size) return;
  try {
    for (const area of await api('/api/delivery-areas', { auth: false })) view.areas.set(area.id, area.name);
  } catch {
    // Names are a nicety: the table falls back to the address.
  }
}

async function load(from, to) {
  message('dashboard-error', '');
  $('status').textContent = 'Loading…';
  $('apply').disabled = true;
  try {
    const range = from && to ? `?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}` : '';
    const [stats, orders] = await Promise.all([api(`/api/admin/stats${range}`), api('/api/admin/orders?limit=10'), loadAreas()]);
    for (const a of stats.byArea ?? []) if (a.name && !view.areas.has(a.areaId)) view.areas.set(a.areaId, a.name);
    view.stats = stats;
    $('from').value = stats.from;
    $('to').value = stats.to;
    renderKpis(stats);
    renderCharts();
    renderOrders(orders.items ?? []);
    $('status').textContent = `${stats.from} to ${stats.to}`;
  } catch (e) {
    $('status').textContent = '';
    failed(e);
  } finally {
    $('apply').disabled = false;
  }
}

function applyRange(event) {
  event.preventDefault();
  const from = $('from').value;
  const to = $('to').value;
  if (!from || !to) {
    message('dashboard-error', 'Choose both dates.');
  } else if (to < from) {
    message('dashboard-error', 'The end date is before the start date.');
  } else {
    load(from, to);
  }
}

function age(seconds) {
  if (seconds < 120) return `${Math.round(seconds)} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 3600)} h`;
}

function count(n, one, many) {
  return `${n} ${n === 1 ? one : many}`;
}

function tile(key, label, value, sub, warn = false) {
  const node = document.createElement('div');
  node.className = warn ? 'kpi warn' : 'kpi';
  node.dataset.kpi = key;
  const parts = [['kpi-label', label], ['kpi-value', value], ['kpi-sub', sub]];
  for (const [cls, content] of parts) {
    const span = document.createElement('span');
    span.className = cls;
    span.textContent = content;
    node.appendChild(span);
  }
  return node;
}

function renderKpis(s) {
  const rating = s.ratings?.average == null ? '–' : s.ratings.average.toFixed(1);
  const sync = s.sync ?? {};
  const oldest = sync.oldestPendingSeconds ? `, oldest ${age(sync.oldestPendingSeconds)}` : '';
  $('kpis').replaceChildren(
    tile('orders', 'Orders', String(s.orders), `${s.revenueOrders} paid or on their way`),
    tile('revenue', 'Revenue', s.revenue.formatted, 'paid, confirmed and delivered orders'),
    tile('average-basket', 'Average basket', s.averageBasket.formatted, 'revenue per paid order'),
    tile('new-customers', 'New customers', String(s.newCustomers), 'accounts created'),
    tile('rating', 'Average rating', rating, count(s.ratings?.count ?? 0, 'rating', 'ratings')),
    tile('sync', 'SAP sync', `${sync.pending ?? 0} pending`, `${count(sync.deadLetters ?? 0, 'dead letter', 'dead letters')}${oldest}`, (sync.deadLetters ?? 0) > 0),
  );
}

function renderCharts() {
  if (!view.stats) return;
  drawPerDay($('per-day'), view.stats);
  drawByStatus($('by-status'), view.stats);
}

function cell(row, content, className) {
  const td = document.createElement('td');
  if (className) td.className = className;
  if (content instanceof Node) td.appendChild(content);
  else td.textContent = content;
  row.appendChild(td);
  return td;
}

function delivery(order) {
  const d = order.delivery ?? {};
  const area = view.areas.get(d.areaId);
  const where = d.kind === 'mosque' ? `Mosque donation${d.dedication ? ` (${d.dedication})` : ''}` : (d.address ?? '');
  return [area, where].filter(Boolean).join(' · ') || '–';
}

function renderOrders(orders) {
  const body = $('latest').tBodies[0];
  const rows = orders.map((o) => {
    const tr = document.createElement('tr');
    tr.dataset.orderId = o.id;
    cell(tr, `#${o.number}`);
    cell(tr, placed.format(new Date(o.createdAt)));
    cell(tr, delivery(o), 'delivery').title = delivery(o);
    const badge = document.createElement('span');
    badge.className = `badge status-${o.status}`;
    badge.textContent = statusLabel(o.status);
    cell(tr, badge);
    cell(tr, o.totals?.amountToPay?.formatted ?? '', 'num');
    return tr;
  });
  if (!rows.length) {
    const tr = document.createElement('tr');
    cell(tr, 'No orders yet.', 'empty').colSpan = 5;
    rows.push(tr);
  }
  body.replaceChildren(...rows);
}

// --- start -----------------------------------------------------------------

let resizeFrame = 0;
window.addEventListener('resize', () => {
  cancelAnimationFrame(resizeFrame);
  resizeFrame = requestAnimationFrame(renderCharts);
});
$('sign-in-form').addEventListener('submit', signIn);
$('range-form').addEventListener('submit', applyRange);
$('sign-out').addEventListener('click', signOut);

if (sessionStorage.getItem(TOKEN_KEY)) showDashboard();
else showSignIn();
