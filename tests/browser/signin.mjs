// The sign-in pages in headless Chromium: the first admin from the printed link, a weak password
// refused with the reason beside its field, a wrong password, signing in, the session cookie,
// the CSRF token, a 390 px phone, signing out.
// Usage: node signin.mjs BASE_URL SETUP_LINK (playwright-core on NODE_PATH)
import { chromium } from 'playwright-core';

const [base, setupLink] = process.argv.slice(2);
const failures = [];
let checks = 0;
function check(ok, what, detail = '') {
  checks += 1;
  if (!ok) failures.push(`${what}${detail ? `: ${detail}` : ''}`);
}

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const external = [];
  page.on('request', (r) => { if (!r.url().startsWith(base)) external.push(r.url()); });

  // The first admin's page: Polish, labelled fields, the reason of a refusal beside its field.
  let res = await page.goto(setupLink);
  check(res.status() === 200, 'the setup link opens its page', String(res.status()));
  check(await page.getAttribute('html', 'lang') === 'pl', 'pages are lang="pl"');
  const csp = res.headers()['content-security-policy'] || '';
  check(csp.includes("default-src 'none'") && !csp.includes('unsafe-inline'), 'a strict Content-Security-Policy', csp);
  await page.getByLabel('Login lub e-mail').fill('admin@rops.opole.pl');
  await page.getByLabel('Imię i nazwisko').fill('Anna Nowak');
  await page.getByLabel('Hasło').fill('krótkie');
  await page.getByRole('button', { name: 'Utwórz konto' }).click();
  const error = page.locator('#password-error');
  check((await error.textContent() || '').includes('co najmniej 12'), 'a short password is refused in Polish beside its field', await error.textContent());
  check(await page.getAttribute('#password', 'aria-describedby') === 'password-error', 'the error is tied to its field');
  check(await page.inputValue('#login') === 'admin@rops.opole.pl', 'what was typed stays in the form');
  await page.getByLabel('Hasło').fill('Ekonomia-społeczna-2025');
  await page.getByRole('button', { name: 'Utwórz konto' }).click();
  check((await page.textContent('main') || '').includes('Konto administratora zostało utworzone'), 'the first admin is created');

  // Signing in: a wrong password, then the right one, by keyboard.
  await page.goto(`${base}/login`);
  await page.getByLabel('Login lub e-mail').fill('admin@rops.opole.pl');
  await page.getByLabel('Hasło').fill('to-nie-jest-haslo');
  await page.keyboard.press('Enter');
  await page.waitForLoadState();
  check((await page.textContent('[role=alert]') || '').includes('Nieprawidłowy login lub hasło'), 'a wrong password is said in Polish');
  check(await page.inputValue('#login') === 'admin@rops.opole.pl', 'the login stays typed');
  await page.getByLabel('Hasło').fill('Ekonomia-społeczna-2025');
  await page.keyboard.press('Enter');
  await page.waitForURL(`${base}/`);
  check((await page.textContent('h1') || '').includes('Witaj, Anna Nowak'), 'signed in, the home page greets by name');
  check((await page.textContent('header') || '').includes('administrator ROPS'), 'the header names the role in Polish');

  const cookie = (await context.cookies()).find((c) => c.name === 'rops_session');
  check(cookie && cookie.httpOnly && cookie.sameSite === 'Lax' && cookie.path === '/', 'the session cookie is HttpOnly, SameSite=Lax, Path=/', JSON.stringify(cookie));
  check(cookie && cookie.secure, 'the cookie is Secure by default', JSON.stringify(cookie));

  // The API from the page: the session works; a change needs the CSRF token.
  const api = await page.evaluate(async () => {
    const me = await (await fetch('/api/v1/me')).json();
    const bare = await fetch('/api/v1/me/keys', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'x' }) });
    const withToken = await fetch('/api/v1/me/keys', { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': me.csrf_token }, body: JSON.stringify({ name: 'x' }) });
    return { role: me.role, auth: me.auth, bare: bare.status, withToken: withToken.status };
  });
  check(api.role === 'admin' && api.auth === 'session', 'GET /api/v1/me with the session', JSON.stringify(api));
  check(api.bare === 403, 'a change without the CSRF token is refused', String(api.bare));
  check(api.withToken === 201, 'with the CSRF token it is made', String(api.withToken));

  // A phone: nothing wider than the screen.
  await page.setViewportSize({ width: 390, height: 844 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
  check(overflow <= 390, 'the page fits a 390 px phone', String(overflow));

  // Signing out ends the session on the server.
  await page.getByRole('button', { name: 'Wyloguj się' }).click();
  await page.waitForURL(`${base}/login`);
  const after = await page.evaluate(async () => (await fetch('/api/v1/me')).status);
  check(after === 401, 'after signing out the session is gone', String(after));
  check(external.length === 0, 'nothing is fetched from elsewhere', external.join(', '));
} finally {
  await browser.close();
}

console.log(`browser: sign-in pages, ${checks} checks, ${checks - failures.length} held`);
if (failures.length) {
  for (const f of failures) console.error(`FAILED ${f}`);
  process.exit(1);
}
