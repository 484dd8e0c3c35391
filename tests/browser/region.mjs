// The analysts' pages in headless Chromium against the JSON API, on the demo data: every
// figure's data-value of the region page is the JSON rollup's for the same window, before and
// after changing the window and as_of through the form; trend points are each quarter's rollup;
// the completeness grid and the map are the JSON's; hovering a gmina tells its status and its
// link opens the gmina's page; the CSV link answers; the subregion page, an indicator over
// time; an OWES official, whose account an admin makes, lands on its OWES page and sees only
// it. Screenshots of each page at 1280 px and 390 px.
// Usage: node region.mjs BASE_URL LOGIN PASSWORD SCREENSHOT_DIR (the admin exists already)
import { chromium } from 'playwright-core';

const [base, login, password, shots] = process.argv.slice(2);
const failures = [];
let checks = 0;
function check(ok, what, detail = '') {
  checks += 1;
  if (!ok) failures.push(`${what}${detail ? `: ${detail}` : ''}`);
}

import { raw, same, expected } from './figures.mjs';

const getJson = (page, url) => page.evaluate(async (u) => (await fetch(u)).json(), url);

/** Every figure, target, trend point, grid cell and map gmina of a scope page against the JSON. */
async function compare(page, path, api, query, label, trends = true) {
  const res = await page.goto(`${base}${path}?${query}`);
  check(res.status() === 200, `${label}: the page opens`, String(res.status()));
  const json = await getJson(page, `${api}?${query}`);
  if (!json.targets) {
    failures.push(`${label}: the JSON rollup of ${query} answered ${JSON.stringify(json).slice(0, 300)}`);
    return json;
  }
  const figures = await page.$$eval('[data-figure]', (els) => els.map((e) => ({
    figure: e.dataset.figure, scope: e.dataset.scope, value: e.dataset.value,
  })));
  check(figures.length > 30, `${label}: the page shows its figures`, String(figures.length));
  let wrong = 0;
  for (const f of figures) {
    const want = expected(json, f.figure, f.scope);
    if (!same(want, f.value)) {
      wrong += 1;
      if (wrong <= 5) failures.push(`${label}: ${f.figure}@${f.scope} shows ${f.value}, the JSON ${want}`);
    }
  }
  checks += 1;
  const targets = await page.$$eval('[data-target]', (els) => els.map((e) => [e.dataset.target, e.dataset.status]));
  const jsonTargets = json.targets.map((t) => [`${t.indicator}|${t.scope}|${t.unit || ''}`, t.status]);
  check(JSON.stringify(targets) === JSON.stringify(jsonTargets), `${label}: the targets and their statuses are the JSON's`,
    `${JSON.stringify(targets).slice(0, 200)} vs ${JSON.stringify(jsonTargets).slice(0, 200)}`);
  for (const status of ['achieved', 'on_track', 'at_risk', 'behind']) {
    const shown = await page.$$eval(`li.target.${status}`, (els) => els.length);
    const want = json.targets.filter((t) => t.status === status).length;
    check(shown === want, `${label}: ${want} targets coloured ${status}`, String(shown));
  }
  // The completeness grid: a cell per OWES and quarter, as the JSON says.
  const cells = await page.$$eval('[data-reporting]', (els) => els.map((e) =>
    [e.dataset.owes, e.dataset.period, e.dataset.reporting, e.dataset.status]));
  const jsonCells = json.completeness.by_owes.flatMap((o) => o.quarters.map((q) => [o.owes, q.quarter, q.reporting, q.status || '']));
  check(cells.length > 0 && JSON.stringify(cells) === JSON.stringify(jsonCells), `${label}: the completeness grid is the JSON's`,
    `${JSON.stringify(cells).slice(0, 200)} vs ${JSON.stringify(jsonCells).slice(0, 200)}`);
  // The map: each gmina of the scope coloured by its status as of the moment.
  const map = await page.$$eval('.gmina-map path', (els) => els.map((e) => [e.dataset.teryt, e.dataset.status]));
  const jsonMap = json.lpres.by_gmina.map((g) => [g.teryt, g.status]);
  check(JSON.stringify(map) === JSON.stringify(jsonMap), `${label}: the map's gminas and statuses are the JSON's`,
    `${map.length} vs ${jsonMap.length}`);
  if (trends) {
    // Each point of a trend line is the JSON rollup of its quarter alone (same moment, filter).
    const lines = await page.$$eval('svg[data-trend]', (els) => els.map((e) => ({
      code: e.dataset.trend,
      points: [...e.querySelectorAll('[data-period]')].map((p) => [p.dataset.period, p.dataset.value]),
    })));
    check(lines.length === json.indicators.length, `${label}: a trend line per indicator`, String(lines.length));
    const quarters = lines.length ? lines[0].points.map(([q]) => q) : [];
    const rest = new URLSearchParams(query);
    rest.delete('year'); rest.delete('from'); rest.delete('to');
    let off = 0;
    for (const q of quarters) {
      const one = await getJson(page, `${api}?from=${q}&to=${q}&${rest.toString()}`);
      for (const t of lines) {
        const ind = one.indicators.find((i) => i.code === t.code);
        const want = ind ? raw(ind.value) : '';
        const got = (t.points.find(([p]) => p === q) || [])[1];
        if (!same(want, got)) {
          off += 1;
          if (off <= 5) failures.push(`${label}: trend ${t.code} at ${q} shows ${got}, the JSON ${want}`);
        }
      }
    }
    checks += 1;
    check(quarters.length > 0 && quarters[0] === json.from && quarters[quarters.length - 1] === json.to,
      `${label}: the trend lines run over the window`, quarters.join(','));
  }
  return json;
}

async function shoot(page, name) {
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.screenshot({ path: `${shots}/${name}-1280.png`, fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  check(width <= 390, `${name}: the page fits a 390 px phone (tables scroll inside)`, String(width));
  await page.screenshot({ path: `${shots}/${name}-390.png`, fullPage: true });
  await page.setViewportSize({ width: 1280, height: 900 });
}

async function signIn(page, who, pass) {
  await page.goto(`${base}/login`);
  await page.getByLabel('Login lub e-mail').fill(who);
  await page.getByLabel('Hasło').fill(pass);
  await page.getByRole('button', { name: 'Zaloguj się' }).click();
}

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--lang=pl-PL'] });
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'pl-PL', timezoneId: 'Europe/Warsaw' });
  const page = await context.newPage();
  const external = [];
  page.on('request', (r) => { if (!r.url().startsWith(base)) external.push(r.url()); });
  await signIn(page, login, password);
  await page.waitForURL(`${base}/`);
  await page.getByRole('link', { name: /Opolskie|opolskie/ }).first().click();
  await page.waitForURL(/\/regions\/16/);
  check(await page.getAttribute('html', 'lang') === 'pl', 'the page is lang="pl"');
  check((await page.textContent('header')).includes('administrator ROPS'), 'the header names the role');

  const year = new Date().getUTCFullYear() - 1;
  const json = await compare(page, '/regions/16', '/api/v1/rollups/regions/16', `year=${year}`, `year ${year}`);
  check(json.indicators.some((i) => i.value !== null), 'the demo region has figures');
  check(json.targets.length > 0 && json.lpres.by_gmina.length === 71, 'the demo region has targets and 71 gminas');
  // The first screen, for the README; then the whole page at both widths.
  await page.setViewportSize({ width: 1280, height: 1400 });
  await page.screenshot({ path: `${shots}/region-top-1280.png` });
  await shoot(page, 'region');

  // Another window and an earlier moment, through the form (the date-time picker, UTC).
  await page.fill('#year', '');
  await page.fill('#from', `${year}-Q2`);
  await page.fill('#to', `${year}-Q3`);
  await page.fill('#as_of', `${year}-11-01T00:00`);
  await page.getByRole('button', { name: 'Pokaż' }).click();
  await page.waitForURL(/from=/);
  const query = new URL(page.url()).search.slice(1);
  check(/as_of=\d{4}-11-01T00%3A00%3A00Z/.test(query) && !query.includes('year='), 'the view has one address, kept in the URL', query);
  await compare(page, '/regions/16', '/api/v1/rollups/regions/16', query, 'Q2–Q3 as of 1 November');
  // Chromium shows whole minutes without their seconds.
  check((await page.inputValue('#as_of')).startsWith(`${year}-11-01T00:00`), 'the picker shows the moment', await page.inputValue('#as_of'));

  // The map: hover a gmina, then open its page through its link.
  await page.goto(`${base}/regions/16?year=${year}`);
  const adopted = page.locator('.gmina-map a:has(path[data-status="adopted"])').first();
  await adopted.hover();
  const title = await adopted.locator('title').textContent();
  check(/ — przyjęty, uchwała .+ z \d\d\.\d\d\.\d{4}/.test(title || ''), 'a gmina tells its name, status and resolution', title);
  check((await page.textContent('.gmina-map')).includes('PRG, GUGiK'), 'the map names its source');
  const teryt = await adopted.locator('path').getAttribute('data-teryt');
  await adopted.click();
  await page.waitForURL(new RegExp(`/gminas/${teryt}$`));
  const lpres = await getJson(page, `/api/v1/gminas/${teryt}/lpres`);
  check(await page.getAttribute('.lpres-now', 'data-status') === lpres.status && lpres.status === 'adopted', 'the gmina page shows its LPRES status');
  check(await page.locator('[data-revision]').count() === lpres.history.length, 'with every change of it');
  await shoot(page, 'gmina');

  // The CSV link answers with the same window.
  await page.goto(`${base}/regions/16?year=${year}`);
  const href = await page.getAttribute('a:has-text("Pobierz CSV")', 'href');
  const csv = await page.evaluate(async (h) => { const r = await fetch(h); return [r.status, r.headers.get('content-type')]; }, href);
  check(csv[0] === 200 && csv[1].startsWith('text/csv'), 'the CSV link answers', JSON.stringify(csv));
  check(href.includes(`year=${year}`), 'the CSV is of the window shown', href);

  // An indicator over time, from its row.
  await page.getByRole('link', { name: 'Liczba powstałych miejsc pracy w PS i PES' }).click();
  await page.waitForURL(/\/indicators\/jobs_created/);
  const cells = await page.$$eval('td[data-figure]', (els) => els.map((e) => [e.dataset.scope, e.dataset.period, e.dataset.value]));
  check(cells.length === 16, 'a cell per quarter and subregion and the region', String(cells.length));
  let off = 0;
  for (const q of [1, 2, 3, 4].map((n) => `${year}-Q${n}`)) {
    const one = await getJson(page, `/api/v1/rollups/regions/16?from=${q}&to=${q}`);
    for (const [scope, period, value] of cells.filter((c) => c[1] === q)) {
      if (!same(expected(one, 'jobs_created', scope), value)) off += 1;
    }
  }
  check(off === 0, 'each quarter of the comparison is that quarter\'s rollup', `${off} differ`);
  const points = await page.locator('.chart circle[data-period]').count();
  check(points > 0, 'the chart draws the points', String(points));
  await shoot(page, 'indicator');

  // A subregion's page.
  await compare(page, '/subregions/OPL-PN', '/api/v1/rollups/subregions/OPL-PN', `year=${year}`, 'subregion OPL-PN', false);
  await shoot(page, 'subregion');

  // An admin makes an OWES official's account; the official changes the initial password,
  // lands on their own OWES page, and may open nothing else.
  const csrf = (await getJson(page, '/api/v1/me')).csrf_token;
  const made = await page.evaluate(async ([token]) => {
    const r = await fetch('/api/v1/users', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': token },
      body: JSON.stringify({ login: 'jan.kowalski@owes-pn.pl', name: 'Jan Kowalski', role: 'owes', org: 'OWES-PN', password: 'Pierwsze-hasło-2025' }),
    });
    return r.status;
  }, [csrf]);
  check(made === 201, 'the admin makes an OWES account', String(made));
  await page.getByRole('button', { name: 'Wyloguj się' }).click();
  await page.waitForURL(/\/login/);
  await signIn(page, 'jan.kowalski@owes-pn.pl', 'Pierwsze-hasło-2025');
  await page.waitForURL(`${base}/`);
  await page.getByLabel('Obecne hasło').fill('Pierwsze-hasło-2025');
  await page.getByLabel('Nowe hasło').fill('Własne-hasło-OWES-2025');
  await page.getByRole('button', { name: 'Zmień hasło' }).click();
  await page.getByRole('link', { name: 'Mój OWES' }).click();
  await page.waitForURL(/\/owes\/OWES-PN/);
  await page.getByRole('button', { name: 'Wyloguj się' }).click();
  await signIn(page, 'jan.kowalski@owes-pn.pl', 'Własne-hasło-OWES-2025');
  await page.waitForURL(`${base}/owes/OWES-PN`);
  check(true, 'an OWES official lands on their own page');
  check(!(await page.textContent('header')).includes('Region'), 'their header offers no region');
  await compare(page, '/owes/OWES-PN', '/api/v1/rollups/owes/OWES-PN', `year=${year}`, 'OWES-PN', false);
  const reports = await page.$$eval('[data-report]', (els) => els.map((e) => [e.dataset.report, e.dataset.status]));
  const listed = await getJson(page, `/api/v1/owes/OWES-PN/reports?from=${year}-Q1&to=${year}-Q4`);
  const want = (Array.isArray(listed) ? listed : listed.items || []).map((r) => [r.quarter || r.period, r.status]);
  check(reports.length > 0 && JSON.stringify(reports) === JSON.stringify(want), 'the OWES page lists its reports and their statuses',
    `${JSON.stringify(reports)} vs ${JSON.stringify(want)}`);
  await shoot(page, 'owes');
  const other = await page.goto(`${base}/owes/OWES-OP`);
  check(other.status() === 403 && (await page.textContent('main')).includes('Brak dostępu'), 'another OWES is refused in Polish', String(other.status()));
  const region = await page.goto(`${base}/regions/16`);
  check(region.status() === 403, 'the region page is refused', String(region.status()));

  // Keyboard: the window form and the map's links are reached with Tab.
  await page.goto(`${base}/owes/OWES-PN?year=${year}`);
  let reached = false;
  for (let i = 0; i < 120 && !reached; i += 1) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate(() => document.activeElement && document.activeElement.closest('.gmina-map') !== null);
  }
  check(reached, 'a gmina of the map is reached with the keyboard');
  check(external.length === 0, 'nothing is fetched from elsewhere', external.join(', '));
} finally {
  await browser.close();
}

console.log(`browser: analysts' pages, ${checks} checks, ${checks - failures.length} held`);
if (failures.length) {
  for (const f of failures) console.error(`FAILED ${f}`);
  process.exit(1);
}
