// The region page in headless Chromium against the JSON rollup: every figure's data-value is
// the JSON's value for the same window, before and after changing the window and as_of; the map
// has every gmina with its title; the CSV link answers; screenshots at 1280 px and 390 px.
// Usage: node region.mjs BASE_URL LOGIN PASSWORD SCREENSHOT_DIR (the admin exists already)
import { chromium } from 'playwright-core';

const [base, login, password, shots] = process.argv.slice(2);
const failures = [];
let checks = 0;
function check(ok, what, detail = '') {
  checks += 1;
  if (!ok) failures.push(`${what}${detail ? `: ${detail}` : ''}`);
}

/** The JSON rollup's value for a figure of the page, as the JSON writes it. */
function expected(rollup, figure, scope) {
  const region = rollup.scope.code;
  const raw = (v) => (v === null || v === undefined ? '' : JSON.stringify(v));
  if (figure === 'completeness') {
    if (scope === region) return raw(rollup.completeness.rate);
    return raw((rollup.completeness.by_subregion.find((s) => s.subregion === scope) || {}).rate);
  }
  if (figure === 'lpres_adopted') {
    if (scope === region) return raw(rollup.lpres.adopted);
    return raw((rollup.lpres.by_subregion.find((s) => s.subregion === scope) || {}).adopted);
  }
  if (figure.startsWith('result_')) {
    return raw((rollup.results.find((r) => r.code === figure.slice(7)) || {}).gminas);
  }
  const ind = rollup.indicators.find((i) => i.code === figure);
  if (!ind) return undefined;
  if (scope === region) return raw(ind.value);
  return raw(((ind.by_subregion || []).find((s) => s.subregion === scope) || {}).value);
}

async function compare(page, query, label) {
  const res = await page.goto(`${base}/regions/16?${query}`);
  check(res.status() === 200, `${label}: the region page opens`, String(res.status()));
  const json = await page.evaluate(async (q) => (await fetch(`/api/v1/rollups/regions/16?${q}`)).json(), query);
  if (!json.targets) {
    failures.push(`${label}: the JSON rollup of ${query} answered ${JSON.stringify(json).slice(0, 300)}`);
    return json;
  }
  const figures = await page.$$eval('[data-figure]', (els) => els.map((e) => ({
    figure: e.dataset.figure, scope: e.dataset.scope, value: e.dataset.value,
  })));
  check(figures.length > 50, `${label}: the page shows its figures`, String(figures.length));
  let wrong = 0;
  for (const f of figures) {
    const want = expected(json, f.figure, f.scope);
    // JSON numbers: compare as numbers (the page writes what serde writes, e.g. 1234.50 for money).
    const same = want === f.value || (want !== '' && f.value !== '' && Number(want) === Number(f.value));
    if (!same) {
      wrong += 1;
      if (wrong <= 5) failures.push(`${label}: ${f.figure}@${f.scope} shows ${f.value}, the JSON ${want}`);
    }
  }
  checks += 1;
  const targets = await page.$$eval('[data-target]', (els) => els.map((e) => [e.dataset.target, e.dataset.status]));
  const jsonTargets = json.targets.map((t) => [`${t.indicator}|${t.scope}|${t.unit || ''}`, t.status]);
  check(JSON.stringify(targets) === JSON.stringify(jsonTargets), `${label}: the targets and their statuses are the JSON's`,
    `${JSON.stringify(targets).slice(0, 200)} vs ${JSON.stringify(jsonTargets).slice(0, 200)}`);
  // Each point of a trend line is the JSON rollup of its quarter alone (same moment, filter).
  const trends = await page.$$eval('svg[data-trend]', (els) => els.map((e) => ({
    code: e.dataset.trend,
    points: [...e.querySelectorAll('[data-period]')].map((p) => [p.dataset.period, p.dataset.value]),
  })));
  check(trends.length === json.indicators.length, `${label}: a trend line per indicator`, String(trends.length));
  const quarters = trends.length ? trends[0].points.map(([q]) => q) : [];
  const rest = new URLSearchParams(query);
  rest.delete('year'); rest.delete('from'); rest.delete('to');
  let off = 0;
  for (const q of quarters) {
    const one = await page.evaluate(async (u) => (await fetch(u)).json(),
      `/api/v1/rollups/regions/16?from=${q}&to=${q}&${rest.toString()}`);
    for (const t of trends) {
      const ind = one.indicators.find((i) => i.code === t.code);
      const want = ind && ind.value !== null ? JSON.stringify(ind.value) : '';
      const got = (t.points.find(([p]) => p === q) || [])[1];
      if (!(want === got || (want !== '' && Number(want) === Number(got)))) {
        off += 1;
        if (off <= 5) failures.push(`${label}: trend ${t.code} at ${q} shows ${got}, the JSON ${want}`);
      }
    }
  }
  checks += 1;
  check(quarters.length > 0 && quarters[0] === json.from && quarters[quarters.length - 1] === json.to,
    `${label}: the trend lines run over the window`, quarters.join(","));

  // Each target is coloured by its status (a class the stylesheet colours).
  for (const status of ['achieved', 'on_track', 'at_risk', 'behind']) {
    const shown = await page.$$eval(`li.target.${status}`, (els) => els.length);
    const want = json.targets.filter((t) => t.status === status).length;
    check(shown === want, `${label}: ${want} targets coloured ${status}`, String(shown));
  }
  return json;
}

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const external = [];
  page.on('request', (r) => { if (!r.url().startsWith(base)) external.push(r.url()); });
  await page.goto(`${base}/login`);
  await page.getByLabel('Login lub e-mail').fill(login);
  await page.getByLabel('Hasło').fill(password);
  await page.getByRole('button', { name: 'Zaloguj się' }).click();
  await page.waitForURL(`${base}/`);
  await page.getByRole('link', { name: /Opolskie|opolskie/ }).first().click();
  await page.waitForURL(/\/regions\/16/);
  check(await page.getAttribute('html', 'lang') === 'pl', 'the page is lang="pl"');

  const year = new Date().getUTCFullYear() - 1;
  const json = await compare(page, `year=${year}`, `year ${year}`);
  check(json.indicators.some((i) => i.value !== null), 'the demo region has figures');
  await page.screenshot({ path: `${shots}/region-1280.png`, fullPage: true });

  // Another window and an earlier moment, through the form.
  await page.fill('#year', '');
  await page.fill('#from', `${year}-Q2`);
  await page.fill('#to', `${year}-Q3`);
  await page.fill('#as_of', `${year}-11-01T00:00:00Z`);
  await page.getByRole('button', { name: 'Pokaż' }).click();
  await page.waitForURL(/from=/);
  // The form sends its empty fields too; the JSON is asked without them.
  const params = new URLSearchParams(new URL(page.url()).search);
  for (const [k, v] of [...params]) { if (v === '') params.delete(k); }
  const query = params.toString();
  check(query.includes('as_of='), 'the window and moment are kept in the URL', query);
  await compare(page, query, 'Q2–Q3 as of 1 November');

  // The map: every gmina, its title on hover, a link.
  await page.goto(`${base}/regions/16?year=${year}`);
  const paths = await page.$$eval('.gmina-map path', (els) => els.length);
  check(paths === 71, 'the map draws the 71 gminas of opolskie', String(paths));
  const first = page.locator('.gmina-map a').first();
  await first.hover();
  const title = await first.locator('title').textContent();
  check(/ — (przyjęty|w przygotowaniu|projekt|brak|uchylony|nie zgłoszono)/.test(title || ''), 'a gmina tells its name and status', title);
  check((await page.textContent('.gmina-map')).includes('PRG, GUGiK'), 'the map names its source');

  // The CSV link answers with the same window.
  const href = await page.getAttribute('a:has-text("Pobierz CSV")', 'href');
  const csv = await page.evaluate(async (h) => { const r = await fetch(h); return [r.status, r.headers.get('content-type')]; }, href);
  check(csv[0] === 200 && csv[1].startsWith('text/csv'), 'the CSV link answers', JSON.stringify(csv));
  check(href.includes(`year=${year}`), 'the CSV is of the window shown', href);

  // A phone.
  await page.setViewportSize({ width: 390, height: 844 });
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  check(width <= 390, 'the page fits a 390 px phone (tables scroll inside)', String(width));
  await page.screenshot({ path: `${shots}/region-390.png`, fullPage: true });
  check(external.length === 0, 'nothing is fetched from elsewhere', external.join(', '));
} finally {
  await browser.close();
}

console.log(`browser: region page, ${checks} checks, ${checks - failures.length} held`);
if (failures.length) {
  for (const f of failures) console.error(`FAILED ${f}`);
  process.exit(1);
}
