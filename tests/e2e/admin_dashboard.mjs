// The /admin page in headless Chromium against a running sabil-api (Node 20, ES module).
//
//   BASE_URL=http://127.0.0.1:8080 node tests/e2e/admin_dashboard.mjs
//
// Reads BASE_URL (required), ADMIN_PHONE / ADMIN_PASSWORD (default: the demo admin), CUSTOMER_PHONE /
// CUSTOMER_PASSWORD (default: the demo customer; CUSTOMER_PHONE= skips the non-admin check) and
// CHROMIUM (default /usr/bin/chromium). Checks: a wrong password shows an error; a customer is told the
// account is not an admin; the admin signs in; the orders-per-day chart has one bar per day of the range
// and its values add up to the API's `orders` (fetched here with the same token and range, and > 0);
// revenue points add up to `revenue`; the status chart adds up to `orders`; the latest-orders table has
// rows; the range form and a 375 px wide window work; an expired token returns to the form; sign-out
// forgets the token; no console errors; no request left the origin. Screenshots go to tests/e2e/out/.
// Prints one line: `admin dashboard: OK ...`, or `admin dashboard: FAIL: <why>` and exits 1.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const OUT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'out');
const env = process.env;
const ADMIN_PHONE = env.ADMIN_PHONE || '+96500000001';
const ADMIN_PASSWORD = env.ADMIN_PASSWORD || 'sabil-demo-admin';
const CUSTOMER_PHONE = env.CUSTOMER_PHONE ?? '+96500000002';
const CUSTOMER_PASSWORD = env.CUSTOMER_PASSWORD || 'sabil-demo-customer';
const TOKEN_KEY = 'sabil.admin.accessToken';
const BARS = '[data-chart="orders-per-day"] rect[data-date]';

class Failure extends Error {}
function check(condition, why) {
  if (!condition) throw new Failure(why);
}

/** Days from `from` to `to` inclusive (YYYY-MM-DD). */
function daysBetween(from, to) {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1;
}

function addDays(date, days) {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

async function main(base) {
  const origin = new URL(base).origin;
  // playwright's launch() runs Chromium with a fresh temporary user-data dir, removed on close.
  const browser = await chromium.launch({
    executablePath: env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
  const page = await context.newPage();
  page.setDefaultTimeout(Number(env.E2E_TIMEOUT_MS || 15000));

  // Expected refusals (the wrong password, the customer, the expired token) make Chromium log
  // "Failed to load resource: ... status of 401/403". Only the answers received during their step are
  // excused; the log line may come later, so it is matched by status and URL, not by time.
  let expected = null;
  const excused = new Set();
  const errors = [];
  const offsite = [];
  page.on('response', (r) => {
    if (expected && expected.test(`status of ${r.status()}`)) excused.add(`${r.status()} ${r.url()}`);
  });
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const refused = /status of (\d{3})/.exec(m.text());
    if (refused && excused.has(`${refused[1]} ${m.location().url}`)) return;
    errors.push(`console: ${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
  context.on('request', (r) => {
    const url = new URL(r.url());
    if (!['data:', 'blob:', 'about:'].includes(url.protocol) && url.origin !== origin) offsite.push(r.url());
  });

  try {
    await page.goto(`${base}/admin`);
    await page.locator('#sign-in-form').waitFor();

    // A wrong password is refused with a message.
    expected = /status of 401/;
    await page.fill('#phone', ADMIN_PHONE);
    await page.fill('#password', `${ADMIN_PASSWORD}-not-this`);
    await page.click('#sign-in-button');
    await page.locator('#sign-in-error').waitFor();
    const refused = await page.textContent('#sign-in-error');
    check(refused && refused.trim().length > 0, 'a wrong password showed no error');
    check(await page.locator('#dashboard').isHidden(), 'a wrong password opened the dashboard');

    // A customer is told the account is not an admin.
    if (CUSTOMER_PHONE) {
      expected = /status of 403/;
      await page.fill('#phone', CUSTOMER_PHONE);
      await page.fill('#password', CUSTOMER_PASSWORD);
      await page.click('#sign-in-button');
      await page.locator('#sign-in-error', { hasText: 'not an admin' }).waitFor().catch(async () => {
        throw new Failure(`a customer's sign-in did not say "not an admin" (it said: ${await page.textContent('#sign-in-error')})`);
      });
      check(!(await page.evaluate((k) => sessionStorage.getItem(k), TOKEN_KEY)), "a customer's token was kept");
    }
    expected = null;

    // The admin signs in and the charts render with the seeded data.
    await page.fill('#phone', ADMIN_PHONE);
    await page.fill('#password', ADMIN_PASSWORD);
    await page.click('#sign-in-button');
    await page.locator('[data-chart="orders-per-day"]').waitFor({ state: 'attached' }).catch(async () => {
      const said = (await page.textContent('#sign-in-error').catch(() => '')) || (await page.textContent('#dashboard-error').catch(() => ''));
      throw new Failure(`the orders-per-day chart did not appear after signing in${said ? ` (page says: ${said.trim()})` : ''}`);
    });
    const token = await page.evaluate((k) => sessionStorage.getItem(k), TOKEN_KEY);
    check(token, 'no access token in sessionStorage after signing in');
    const from = await page.inputValue('#from');
    const to = await page.inputValue('#to');
    check(/^\d{4}-\d{2}-\d{2}$/.test(from) && /^\d{4}-\d{2}-\d{2}$/.test(to), `the range inputs are not dates: ${from} ${to}`);
    const days = daysBetween(from, to);
    const stats = await statsFor(base, token, from, to);
    await checkCharts(page, stats, days, true);
    const rows = await page.locator('#latest tbody tr[data-order-id]').count();
    check(rows > 0 && rows <= 10, `the latest-orders table has ${rows} rows (expected 1 to 10)`);
    const ordersTile = (await page.textContent('[data-kpi="orders"] .kpi-value'))?.trim();
    check(ordersTile === String(stats.orders), `the orders tile says ${ordersTile}, the API ${stats.orders}`);
    const titles = await page.locator('#per-day svg > title, #by-status svg > title').count();
    check(titles === 2, `charts without a <title>: ${2 - titles}`);
    await mkdir(OUT, { recursive: true });
    await page.screenshot({ path: path.join(OUT, 'admin.png'), fullPage: true });

    // Another range through the form: one bar per day again.
    const weekFrom = addDays(to, -6);
    await page.fill('#from', weekFrom);
    await page.click('#apply');
    await page.waitForFunction((sel) => document.querySelectorAll(sel).length === 7, BARS).catch(() => {
      throw new Failure(`after applying ${weekFrom}..${to} the chart does not have 7 bars`);
    });
    await checkCharts(page, await statsFor(base, token, weekFrom, to), 7, false);

    // 375 px wide: the charts are redrawn to fit and nothing scrolls sideways.
    await page.setViewportSize({ width: 375, height: 800 });
    await page.waitForFunction(() => {
      const svg = document.querySelector('#per-day svg');
      return svg && Number(svg.getAttribute('width')) <= 375;
    }).catch(() => {
      throw new Failure('the orders-per-day chart was not redrawn for a 375 px window');
    });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
    check(overflow <= 375, `at 375 px the page is ${overflow} px wide`);
    await page.screenshot({ path: path.join(OUT, 'admin-375.png'), fullPage: true });

    check(errors.length === 0, `errors in the page: ${errors.join(' | ')}`);
    check(offsite.length === 0, `requests left the origin: ${offsite.join(' ')}`);

    // An expired or revoked token returns to the form; sign-out forgets the token.
    expected = /status of 401/;
    await page.evaluate((k) => sessionStorage.setItem(k, 'expired.token.value'), TOKEN_KEY);
    await page.click('#apply');
    await page.locator('#sign-in-form').waitFor().catch(() => {
      throw new Failure('a 401 from the API did not return to the sign-in form');
    });
    expected = null;
    await page.fill('#phone', ADMIN_PHONE);
    await page.fill('#password', ADMIN_PASSWORD);
    await page.click('#sign-in-button');
    await page.locator('#sign-out').waitFor();
    await page.click('#sign-out');
    await page.locator('#sign-in-form').waitFor();
    check(!(await page.evaluate((k) => sessionStorage.getItem(k), TOKEN_KEY)), 'sign-out left the token in sessionStorage');

    check(errors.length === 0, `errors in the page: ${errors.join(' | ')}`);
    check(offsite.length === 0, `requests left the origin: ${offsite.join(' ')}`);
    return `${days} days ${from}..${to}, ${stats.orders} orders, ${stats.byStatus.length} statuses, ${rows} latest orders; `
      + `screenshots ${path.relative(process.cwd(), OUT)}/admin.png, admin-375.png`;
  } catch (e) {
    await mkdir(OUT, { recursive: true }).catch(() => {});
    await page.screenshot({ path: path.join(OUT, 'admin-failure.png'), fullPage: true }).catch(() => {});
    throw e;
  } finally {
    await browser.close();
  }
}

/** GET /api/admin/stats for the range, as the page asked for it. */
async function statsFor(base, token, from, to) {
  const resp = await fetch(`${base}/api/admin/stats?from=${from}&to=${to}`, { headers: { authorization: `Bearer ${token}` } });
  const body = await resp.text();
  check(resp.ok, `GET /api/admin/stats?from=${from}&to=${to} answered ${resp.status}: ${body.slice(0, 200)}`);
  return JSON.parse(body);
}

/** The charts on the page against the API's figures for the same range. */
async function checkCharts(page, stats, days, seeded) {
  const bars = await page.$$eval(BARS, (els) => els.map((e) => [e.dataset.date, Number(e.dataset.value)]));
  check(bars.length === days, `the orders-per-day chart has ${bars.length} bars for ${days} days`);
  check(stats.days.length === days, `the API answered ${stats.days.length} days for a range of ${days}`);
  const wrongDay = bars.findIndex(([date], i) => date !== stats.days[i].date);
  check(wrongDay < 0, `bar ${wrongDay + 1} is dated ${bars[wrongDay]?.[0]}, the API's day is ${stats.days[wrongDay]?.date}`);
  const orders = bars.reduce((sum, [, v]) => sum + v, 0);
  check(orders === stats.orders, `the bars add up to ${orders} orders, the API says ${stats.orders}`);
  if (seeded) check(orders > 0, `no orders in ${stats.from}..${stats.to}: is the demo order history seeded?`);
  const revenue = await page.$$eval('[data-chart="revenue-per-day"] [data-date]', (els) => els.map((e) => Number(e.dataset.value)));
  check(revenue.length === days, `the revenue line has ${revenue.length} points for ${days} days`);
  const revenueSum = revenue.reduce((a, b) => a + b, 0);
  check(revenueSum === stats.revenue.amount, `revenue points add up to ${revenueSum}, the API says ${stats.revenue.amount}`);
  const statuses = await page.$$eval('[data-chart="orders-by-status"] [data-status]', (els) => els.map((e) => Number(e.dataset.value)));
  check(statuses.length === stats.byStatus.length, `the status chart has ${statuses.length} bars, the API ${stats.byStatus.length} statuses`);
  const byStatus = statuses.reduce((a, b) => a + b, 0);
  check(byStatus === stats.orders, `the status bars add up to ${byStatus}, the API's orders are ${stats.orders}`);
  if (seeded) check(statuses.length > 0, 'the orders-by-status chart is empty');
}

const base = (env.BASE_URL || '').replace(/\/+$/, '');
if (!base) {
  console.error('admin dashboard: FAIL: set BASE_URL to a running sabil-api, e.g. BASE_URL=http://127.0.0.1:8080');
  process.exit(2);
}
try {
  console.log(`admin dashboard: OK: ${await main(base)}`);
} catch (e) {
  const why = e instanceof Failure ? e.message : `${e?.name ?? 'Error'}: ${String(e?.message ?? e).split('\n')[0]}`;
  console.error(`admin dashboard: FAIL: ${why}`);
  process.exit(1);
}
