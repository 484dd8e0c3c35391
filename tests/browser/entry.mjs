// Reporting and review in headless Chromium, on the demo data after region.mjs: an OWES
// official uploads an XLSX (a preview, then confirmed), fills the rest of the current quarter,
// meets one validation error beside its field and corrects it; a second session of the same
// person saves over an older revision and sees the conflict, losing nothing; an unusual value
// is a warning the person confirms; the admin returns the report with a reason from the review
// queue, seeing the confirmed warning, and approves another; the official sees the reason,
// corrects and resubmits; a gmina official adopts an LPRES and files the annual report; the
// region page's figures afterwards are the JSON's. A screenshot after each step.
// Usage: node entry.mjs BASE_URL ADMIN_LOGIN ADMIN_PASSWORD OWES_LOGIN OWES_PASSWORD SCREENSHOT_DIR WORKBOOK.xlsx
import { chromium } from 'playwright-core';
import { same, expected } from './figures.mjs';

const [base, adminLogin, adminPassword, owesLogin, owesPassword, shots, workbook] = process.argv.slice(2);
const failures = [];
let checks = 0;
function check(ok, what, detail = '') {
  checks += 1;
  if (!ok) failures.push(`${what}${detail ? `: ${detail}` : ''}`);
}

async function session(browser, login, password) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'pl-PL' });
  const page = await context.newPage();
  await page.goto(`${base}/login`);
  await page.getByLabel('Login lub e-mail').fill(login);
  await page.getByLabel('Hasło').fill(password);
  await page.getByRole('button', { name: 'Zaloguj się' }).click();
  await page.waitForLoadState();
  return page;
}

let step = 0;
async function shot(page, name) {
  step += 1;
  await page.screenshot({ path: `${shots}/entry-${String(step).padStart(2, '0')}-${name}.png`, fullPage: true });
}

const FLOWS = ['initiative_groups_created', 'enterprises_created', 'local_partnerships_created',
  'procurement_procedures_supported', 'animators_employed', 'joint_projects',
  'vocational_training_participants', 'reintegration_plans'];

async function fill(page, jobs, withGrants) {
  for (const code of FLOWS) await page.fill(`#v-${code}`, '2');
  await page.fill('#v-jobs_created', jobs);
  await page.fill('#v-ps_jobs_created_with_grants', withGrants);
}

/** Submits a report form, confirming whatever unusual values it warns of. */
async function submitConfirming(page) {
  await page.getByRole('button', { name: 'Prześlij do ROPS' }).click();
  await page.waitForLoadState();
  if (await page.locator('#confirm_warnings').count()) {
    await page.check('#confirm_warnings');
    await page.getByRole('button', { name: 'Prześlij do ROPS' }).click();
  }
  await page.waitForURL(/saved=submitted/);
}

const getJson = (page, url) => page.evaluate(async (u) => (await fetch(u)).json(), url);

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--lang=pl-PL'] });
try {
  const owes = await session(browser, owesLogin, owesPassword);
  await owes.getByRole('link', { name: 'Sprawozdania' }).click();
  await owes.waitForURL(/\/owes\/OWES-PN\/reports$/);
  const current = await owes.getAttribute('tr.current', 'data-period');
  check(/^\d{4}-Q[1-4]$/.test(current || ''), 'the current quarter is marked in the list', current);
  await shot(owes, 'owes-list');

  // The spreadsheet export, as XLSX: a preview of what would change, then confirmed.
  await owes.getByRole('link', { name: 'Wczytaj arkusz (CSV lub XLSX)' }).click();
  await owes.setInputFiles('#file', workbook);
  await owes.getByRole('button', { name: 'Pokaż podgląd' }).click();
  check(await owes.locator(`[data-period="${current}"][data-outcome="created"]`).count() === 1, 'the preview says the quarter would be created');
  const notYet = await owes.evaluate(async (u) => (await fetch(u)).status, `/api/v1/owes/OWES-PN/reports/${current}`);
  check(notYet === 404, 'a preview stores nothing', String(notYet));
  await shot(owes, 'owes-upload-preview');
  await owes.getByRole('button', { name: 'Zapisz te sprawozdania' }).click();
  await owes.waitForURL(/imported=1/);
  const uploaded = await getJson(owes, `/api/v1/owes/OWES-PN/reports/${current}`);
  check(uploaded.values.jobs_created === 3 && uploaded.status === 'draft', 'confirmed, the workbook is stored as a draft', JSON.stringify(uploaded.values));
  await owes.getByRole('link', { name: current, exact: true }).click();
  await owes.waitForURL(new RegExp(`/reports/${current}$`));

  // As the person types: the same rules, said at once (the server's answer stays authoritative).
  await owes.locator('#v-joint_projects').pressSequentially('abc');
  check(((await owes.textContent('#v-joint_projects-live')) || '').includes('nie jest liczbą całkowitą'), 'a value that is no number is said as it is typed',
    await owes.textContent('#v-joint_projects-live'));
  await owes.fill('#v-joint_projects', '');
  await owes.locator('#v-joint_projects').pressSequentially('2');
  check(((await owes.textContent('#v-joint_projects-live')) || '') === '', 'and cleared once corrected');
  // One error, beside its field, in Polish; what was typed stays.
  await fill(owes, '3', '1 234');
  await owes.locator('#v-ps_jobs_created_with_grants').dispatchEvent('input');
  check(((await owes.textContent('#v-ps_jobs_created_with_grants-live')) || '').includes('przekracza jobs_created'), 'a value above its bound is said as it is typed');
  await owes.getByRole('button', { name: 'Prześlij do ROPS' }).click();
  const error = owes.locator('#v-ps_jobs_created_with_grants-error');
  check(((await error.textContent()) || '').includes('przekracza jobs_created'), 'the error is beside its field, in Polish', await error.textContent());
  check(await owes.getAttribute('#v-ps_jobs_created_with_grants', 'aria-describedby') === 'v-ps_jobs_created_with_grants-error', 'and tied to it');
  check(await owes.inputValue('#v-jobs_created') === '3' && await owes.inputValue('#v-initiative_groups_created') === '2', 'nothing typed is lost');
  await shot(owes, 'owes-error');
  await owes.fill('#v-ps_jobs_created_with_grants', '2');
  await owes.getByRole('button', { name: 'Zapisz wersję roboczą' }).click();
  await owes.waitForURL(/saved=draft/);
  check((await owes.textContent('main')).includes('Zapisano wersję roboczą'), 'the draft is saved');

  // A second session of the same person opens the draft; the first changes it meanwhile.
  const second = await session(browser, owesLogin, owesPassword);
  await second.goto(`${base}/owes/OWES-PN/reports/${current}`);
  await owes.fill('#v-jobs_created', '9');
  await owes.getByRole('button', { name: 'Zapisz wersję roboczą' }).click();
  await owes.waitForURL(/saved=draft/);
  await second.fill('#v-jobs_created', '500');
  await second.getByRole('button', { name: 'Prześlij do ROPS' }).click();
  check(await second.locator('#conflict').isVisible(), 'the second session sees the conflict');
  check(await second.inputValue('#v-jobs_created') === '500', 'its own value is kept');
  check(await second.getAttribute('[data-theirs="jobs_created"]', 'data-value') === '9', 'beside what is stored now');
  const stored = await getJson(second, `/api/v1/owes/OWES-PN/reports/${current}`);
  check(stored.values.jobs_created === 9 && stored.status === 'draft', 'nothing was overwritten', JSON.stringify(stored.values));
  await shot(second, 'owes-conflict');
  // 500 jobs in a quarter is unusual for this OWES: a warning to confirm, which never blocks.
  await second.getByRole('button', { name: 'Prześlij do ROPS' }).click();
  check(await second.locator('[data-warning="jobs_created"]').isVisible(), 'an unusual value is a warning beside its field');
  check((await second.getAttribute('#v-jobs_created', 'aria-describedby') || '').includes('v-jobs_created-warning'), 'tied to it');
  check((await getJson(second, `/api/v1/owes/OWES-PN/reports/${current}`)).status === 'draft', 'unconfirmed, it is not submitted');
  await shot(second, 'owes-warning');
  await second.check('#confirm_warnings');
  await second.getByRole('button', { name: 'Prześlij do ROPS' }).click();
  await second.waitForURL(/saved=submitted/);
  check(await second.locator('#locked').isVisible(), 'submitted: read-only, saying why');
  await shot(second, 'owes-submitted');

  // The admin returns it with a reason and approves another from the queue.
  const admin = await session(browser, adminLogin, adminPassword);
  await admin.getByRole('link', { name: 'Do sprawdzenia' }).click();
  await admin.waitForURL(/\/review$/);
  const refs = await admin.$$eval('[data-report]', (els) => els.map((e) => e.dataset.report));
  check(refs.some((r) => r.startsWith(`owes|OWES-PN|${current}|`)), 'the submitted report waits in the queue', refs.join(', '));
  await shot(admin, 'review-queue');
  await admin.goto(`${base}/review/owes/OWES-PN/${current}`);
  check(await admin.locator('tr.changed').count() === 0, 'a first submission has nothing marked changed');
  check(await admin.locator('#confirmed-warnings [data-warning="jobs_created"]').count() === 1, 'the analyst sees the confirmed warning');
  await admin.fill('#reason', 'Liczba miejsc pracy nie zgadza się z listą umów');
  await shot(admin, 'review-return');
  await admin.getByRole('button', { name: 'Zwróć do poprawy' }).click();
  await admin.waitForURL(/done=returned/);
  const other = refs.find((r) => !r.startsWith(`owes|OWES-PN|${current}|`));
  if (other) {
    await admin.check(`input[value="${other}"]`);
    await admin.getByRole('button', { name: 'Zatwierdź zaznaczone' }).click();
    await admin.waitForURL(/approved=1&skipped=0/);
    const [stream, unit, period] = other.split('|');
    const api = stream === 'owes' ? `/api/v1/owes/${unit}/reports/${period}` : `/api/v1/gminas/${unit}/reports/${period}`;
    check((await getJson(admin, api)).status === 'approved', 'another report is approved from the queue', other);
  } else {
    check(false, 'the demo data has another submitted report to approve');
  }
  await shot(admin, 'review-done');

  // The official sees the reason, corrects and resubmits.
  await owes.goto(`${base}/owes/OWES-PN/reports`);
  check(await owes.locator(`tr.returned[data-period="${current}"]`).count() === 1, 'the returned report is marked in the list');
  check((await owes.textContent(`tr[data-period="${current}"]`)).includes('nie zgadza się z listą umów'), 'with its reason');
  await owes.goto(`${base}/owes/OWES-PN/reports/${current}`);
  check((await owes.textContent('#return-reason')).includes('nie zgadza się z listą umów'), 'the form shows why it came back');
  await owes.fill('#v-jobs_created', '7');
  await submitConfirming(owes);
  const resubmitted = await getJson(owes, `/api/v1/owes/OWES-PN/reports/${current}`);
  check(resubmitted.status === 'submitted' && resubmitted.values.jobs_created === 7, 'corrected and resubmitted', JSON.stringify(resubmitted));
  await shot(owes, 'owes-resubmitted');
  await admin.goto(`${base}/review/owes/OWES-PN/${current}`);
  check(await admin.locator('tr.changed[data-changed="jobs_created"]').count() === 1, 'the analyst sees what changed since the returned version');
  await shot(admin, 'review-changed');

  // A gmina official (an account the admin makes) adopts an LPRES and files the annual report
  // with its results.
  const gminas = await getJson(admin, '/api/v1/gminas?region=16');
  // A gmina with no annual report yet.
  let teryt = null;
  for (const g of gminas) {
    if ((await getJson(admin, `/api/v1/gminas/${g.teryt}/reports`)).length === 0) { teryt = g.teryt; break; }
  }
  const csrf = (await getJson(admin, '/api/v1/me')).csrf_token;
  const made = await admin.evaluate(async ([token, org]) => (await fetch('/api/v1/users', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': token },
    body: JSON.stringify({ login: 'urzad@gmina.example.pl', name: 'Ewa Gminna', role: 'gmina', org, password: 'Pierwsze-hasło-gminy-2025' }),
  })).status, [csrf, teryt]);
  check(made === 201, 'the admin makes a gmina account', String(made));
  const gmina = await session(browser, 'urzad@gmina.example.pl', 'Pierwsze-hasło-gminy-2025');
  await gmina.getByLabel('Obecne hasło').fill('Pierwsze-hasło-gminy-2025');
  await gmina.getByLabel('Nowe hasło').fill('Własne-hasło-gminy-2025');
  await gmina.getByRole('button', { name: 'Zmień hasło' }).click();
  await gmina.getByRole('link', { name: 'Moja gmina' }).click();
  await gmina.waitForURL(new RegExp(`/gminas/${teryt}$`));
  check(!(await gmina.isVisible('#lpres-resolution_number')) || (await gmina.getAttribute('.lpres-now', 'data-status')) === 'adopted',
    'the resolution field is hidden until the status needs it');
  await gmina.check('#status-adopted');
  check(await gmina.isVisible('#lpres-resolution_number'), 'choosing "adopted" shows the resolution field');
  await gmina.fill('#lpres-adopted_on', `${Number(current.slice(0, 4)) - 1}-03-20`);
  await gmina.fill('#lpres-plan_from', current.slice(0, 4));
  await gmina.fill('#lpres-plan_to', String(Number(current.slice(0, 4)) + 4));
  await gmina.fill('#lpres-resolution_number', '');
  await gmina.getByRole('button', { name: 'Zapisz status LPRES' }).click();
  check(((await gmina.textContent('#lpres-resolution_number-error')) || '').includes('numeru uchwały'), 'a missing resolution is refused beside its field');
  await gmina.fill('#lpres-resolution_number', 'XII/98/2025');
  await gmina.getByRole('button', { name: 'Zapisz status LPRES' }).click();
  await gmina.waitForURL(/saved=lpres/);
  check(await gmina.getAttribute('.lpres-now', 'data-status') === 'adopted', 'the gmina adopted its LPRES');
  await shot(gmina, 'gmina-lpres');
  const due = Number(current.slice(0, 4)) - 1;
  await gmina.getByRole('link', { name: `Sprawozdanie roczne za ${due}` }).click();
  await gmina.waitForURL(new RegExp(`/gminas/${teryt}/reports/${due}`));
  const codes = await gmina.$$eval('input[name^="values["]', (els) => els.map((e) => e.name.slice(7, -1)));
  for (const code of codes) {
    const value = code === 'procurement_value_pln' ? '1 234 567,89' : code === 'sr_procurement_value_pln' ? '234 567,80' : code.endsWith('_pln') ? '1 000,00' : '2';
    await gmina.fill(`#v-${code}`, value);
  }
  await gmina.check('#r-A1');
  await gmina.check('#r-D6');
  await shot(gmina, 'gmina-report');
  await submitConfirming(gmina);
  const annual = await getJson(gmina, `/api/v1/gminas/${teryt}/reports/${due}`);
  check(annual.status === 'submitted' && annual.values.procurement_value_pln === 1234567.89
    && JSON.stringify(annual.results) === '["A1","D6"]', 'the annual report is filed with its results', JSON.stringify(annual).slice(0, 300));
  await shot(gmina, 'gmina-submitted');

  // The region page afterwards: every figure is the JSON's.
  const year = current.slice(0, 4);
  await admin.goto(`${base}/regions/16?year=${year}`);
  const json = await getJson(admin, `/api/v1/rollups/regions/16?year=${year}`);
  const figures = await admin.$$eval('[data-figure]', (els) => els.map((e) => [e.dataset.figure, e.dataset.scope, e.dataset.value]));
  const wrong = figures.filter(([f, s, v]) => !same(expected(json, f, s), v));
  check(figures.length > 30 && wrong.length === 0, 'the region page afterwards equals the JSON', JSON.stringify(wrong.slice(0, 3)));
  await shot(admin, 'region-after');
} finally {
  await browser.close();
}

console.log(`browser: reporting and review, ${checks} checks, ${checks - failures.length} held`);
if (failures.length) {
  for (const f of failures) console.error(`FAILED ${f}`);
  process.exit(1);
}
