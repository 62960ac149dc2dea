// Sabil admin page: the two charts, drawn as inline SVG (no library). Every bar and point carries
// data-date / data-status and data-value, and every chart group a data-chart name, for the e2e test.

const SVG = 'http://www.w3.org/2000/svg';

/** The order statuses in lifecycle order, with their labels. */
export const STATUSES = [
  ['pending_payment', 'Pending payment'],
  ['paid', 'Paid'],
  ['confirmed', 'Confirmed'],
  ['out_for_delivery', 'Out for delivery'],
  ['delivered', 'Delivered'],
  ['cancelled', 'Cancelled'],
  ['payment_failed', 'Payment failed'],
  ['refunded', 'Refunded'],
];

export function statusLabel(status) {
  const found = STATUSES.find(([s]) => s === status);
  return found ? found[1] : String(status).replaceAll('_', ' ');
}

/** An SVG element with attributes, appended to `parent` when given. */
function svg(name, attrs = {}, parent = null) {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (parent) parent.appendChild(node);
  return node;
}

function text(parent, x, y, content, attrs = {}) {
  const node = svg('text', { x, y, ...attrs }, parent);
  node.textContent = content;
  return node;
}

/** Adds a <title> (the tooltip and accessible name) to `node`; returns the title. */
function titled(node, title) {
  const t = svg('title', {}, node);
  t.textContent = title;
  return t;
}

/** Round axis steps (1, 2, 5 × 10^n) covering `max` in about `count` steps. */
function ticks(max, count, integer) {
  if (!(max > 0)) return { top: 1, values: [0, 1] };
  const raw = max / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  let step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? 10 * magnitude;
  if (integer) step = Math.max(1, Math.round(step));
  const top = Math.ceil(max / step) * step;
  const values = [];
  for (let v = 0; v <= top + step / 2; v += step) values.push(Number(v.toPrecision(12)));
  return { top, values };
}

const compact = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 });
const shortDate = new Intl.DateTimeFormat('en', { day: 'numeric', month: 'short', timeZone: 'UTC' });

function dayLabel(date) {
  return shortDate.format(new Date(`${date}T00:00:00Z`));
}

/** Digits after the point of a currency's minor unit (KWD 3, AED 2). */
export function minorDigits(currency) {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits;
  } catch {
    return 2;
  }
}

function widthOf(container) {
  return Math.max(280, Math.floor(container.clientWidth || 600));
}

/**
 * Orders per day as bars (left axis) with revenue per day as a line (right axis, major units).
 * `stats` is the answer of GET /api/admin/stats.
 */
export function drawPerDay(container, stats) {
  const days = stats.days ?? [];
  const currency = stats.currency ?? stats.revenue?.currency ?? '';
  const scale = 10 ** minorDigits(currency);
  const width = widthOf(container);
  const height = width < 480 ? 220 : 280;
  const m = { top: 22, right: 52, bottom: 30, left: 36 };
  const plotW = width - m.left - m.right;
  const plotH = height - m.top - m.bottom;
  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-labelledby': 'per-day-svg-title' });
  titled(root, `Orders per day (bars) and revenue per day in ${currency} (line), ${stats.from} to ${stats.to}`).id = 'per-day-svg-title';

  const orderAxis = ticks(Math.max(0, ...days.map((d) => d.orders)), 4, true);
  const revenueAxis = ticks(Math.max(0, ...days.map((d) => d.revenue.amount / scale)), 4, false);
  const yOrders = (v) => m.top + plotH - (v / orderAxis.top) * plotH;
  const yRevenue = (v) => m.top + plotH - (v / revenueAxis.top) * plotH;

  const grid = svg('g', { class: 'grid' }, root);
  for (const v of orderAxis.values) {
    const y = yOrders(v);
    svg('line', { x1: m.left, x2: m.left + plotW, y1: y, y2: y }, grid);
    text(grid, m.left - 6, y + 4, compact.format(v), { class: 'axis axis-orders', 'text-anchor': 'end' });
  }
  text(grid, 2, 10, 'orders', { class: 'axis unit', 'text-anchor': 'start' });
  text(grid, width - 2, 10, currency, { class: 'axis unit', 'text-anchor': 'end' });
  for (const v of revenueAxis.values) {
    text(grid, m.left + plotW + 6, yRevenue(v) + 4, compact.format(v), { class: 'axis axis-revenue', 'text-anchor': 'start' });
  }

  const band = days.length ? plotW / days.length : plotW;
  const barW = Math.max(1, band * 0.72);
  const bars = svg('g', { 'data-chart': 'orders-per-day', class: 'bars' }, root);
  days.forEach((d, i) => {
    const y = yOrders(d.orders);
    const bar = svg('rect', {
      x: (m.left + i * band + (band - barW) / 2).toFixed(2),
      y: y.toFixed(2),
      width: barW.toFixed(2),
      height: Math.max(0, m.top + plotH - y).toFixed(2),
      class: 'bar-orders',
      'data-date': d.date,
      'data-value': d.orders,
    }, bars);
    titled(bar, `${d.date}: ${d.orders} orders, ${d.revenue.formatted}`);
  });

  const line = svg('g', { 'data-chart': 'revenue-per-day', class: 'line' }, root);
  const points = days.map((d, i) => [m.left + i * band + band / 2, yRevenue(d.revenue.amount / scale)]);
  if (points.length) {
    svg('polyline', { points: points.map(([x, y]) => `${x.toFixed(2)},${y.toFixed(2)}`).join(' '), class: 'line-revenue' }, line);
  }
  const radius = band >= 8 ? 2.5 : 1.5;
  days.forEach((d, i) => {
    const dot = svg('circle', {
      cx: points[i][0].toFixed(2), cy: points[i][1].toFixed(2), r: radius, class: 'dot-revenue',
      'data-date': d.date, 'data-value': d.revenue.amount,
    }, line);
    titled(dot, `${d.date}: revenue ${d.revenue.formatted}`);
  });

  const axis = svg('g', { class: 'x-axis' }, root);
  svg('line', { x1: m.left, x2: m.left + plotW, y1: m.top + plotH, y2: m.top + plotH }, axis);
  const every = Math.max(1, Math.ceil(days.length / Math.max(1, Math.floor(plotW / 56))));
  days.forEach((d, i) => {
    if (i % every !== 0) return;
    text(axis, m.left + i * band + band / 2, height - 10, dayLabel(d.date), { class: 'axis', 'text-anchor': 'middle' });
  });
  if (!days.length) text(root, width / 2, height / 2, 'No days in this range.', { class: 'empty', 'text-anchor': 'middle' });
  container.replaceChildren(root);
}

/** Orders by status as horizontal bars, in lifecycle order. */
export function drawByStatus(container, stats) {
  const rank = (s) => { const i = STATUSES.findIndex(([k]) => k === s); return i < 0 ? STATUSES.length : i; };
  const rows = [...(stats.byStatus ?? [])].sort((a, b) => rank(a.status) - rank(b.status));
  const width = widthOf(container);
  const rowH = 28;
  const m = { top: 8, right: 48, bottom: 8, left: 122 };
  const height = m.top + m.bottom + Math.max(1, rows.length) * rowH;
  const plotW = width - m.left - m.right;
  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-labelledby': 'by-status-svg-title' });
  titled(root, `Orders by status, ${stats.from} to ${stats.to}`).id = 'by-status-svg-title';
  const bars = svg('g', { 'data-chart': 'orders-by-status', class: 'bars' }, root);
  const max = Math.max(1, ...rows.map((r) => r.orders));
  rows.forEach((r, i) => {
    const y = m.top + i * rowH;
    text(bars, m.left - 8, y + rowH / 2 + 4, statusLabel(r.status), { class: 'label', 'text-anchor': 'end' });
    const w = (r.orders / max) * plotW;
    const bar = svg('rect', {
      x: m.left, y: y + 5, width: w.toFixed(2), height: rowH - 10, rx: 2,
      class: `bar-status status-${r.status}`, 'data-status': r.status, 'data-value': r.orders,
    }, bars);
    titled(bar, `${statusLabel(r.status)}: ${r.orders} orders`);
    text(bars, m.left + w + 6, y + rowH / 2 + 4, String(r.orders), { class: 'value', 'text-anchor': 'start' });
  });
  if (!rows.length) text(root, width / 2, height / 2 + 4, 'No orders in this range.', { class: 'empty', 'text-anchor': 'middle' });
  container.replaceChildren(root);
}
