// The audit page (`nianbao check --format html`) in headless Chromium: it loads with no
// console error and no request leaving the page, lists every report of the JSON output
// with the same finding counts, and the agency filter and the status filter work.
// Usage: node audit.mjs PAGE.html JSON_OUTPUT.json [SCREENSHOT.png]
import fs from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { chromium } = require(process.env.PLAYWRIGHT_CORE ?? 'playwright-core');
const [page_path, json_path, shot] = process.argv.slice(2);
const expected = JSON.parse(fs.readFileSync(json_path, 'utf8'));

let failed = 0;
const check = (ok, what, detail) => {
  console.log(`${ok ? 'ok' : 'FAIL'} ${what}${ok || detail === undefined ? '' : ': ' + JSON.stringify(detail)}`);
  if (!ok) failed++;
};

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu'],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
const errors = [];
const requests = [];
page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
page.on('pageerror', (e) => errors.push(String(e)));
page.on('request', (r) => { if (!r.url().startsWith('file:')) requests.push(r.url()); });
await page.goto('file://' + fs.realpathSync(page_path));
await page.waitForSelector('#summary tbody tr');

check(errors.length === 0, 'no console error', errors);
check(requests.length === 0, 'no request leaves the page', requests);

const rows = await page.$$eval('#summary tbody tr', (trs) =>
  trs.map((tr) => ({
    path: tr.cells[0].textContent,
    agency: tr.cells[1].textContent,
    errors: Number(tr.cells[4].textContent),
    warnings: Number(tr.cells[5].textContent),
    status: tr.dataset.status,
  })),
);
check(rows.length === expected.files.length, `every report listed (${rows.length})`, rows.length);
for (const f of expected.files) {
  const r = rows.find((x) => x.path === f.path);
  const e = f.diagnostics.filter((d) => d.severity === 'error').length;
  const w = f.diagnostics.filter((d) => d.severity === 'warning').length;
  check(r && r.errors === e && r.warnings === w, `${f.path}: ${e} errors, ${w} warnings as in --format json`, r);
}
const sections = await page.$$eval('section.report', (s) => s.length);
check(sections === expected.files.length, 'one findings section per report', sections);
const findingRows = await page.$$eval('section.report table.findings tbody tr', (t) => t.length);
const findings = expected.files.reduce((n, f) => n + f.diagnostics.length, 0);
check(findingRows === findings, `every finding shown (${findings})`, findingRows);
check((await page.$$('figure.chart svg')).length >= 3, 'the charts are drawn');

// Filter by an agency: only its reports stay visible, with their sections.
const agency = rows.find((r) => r.agency)?.agency;
if (agency) {
  await page.fill('#filter', agency);
  const visible = await page.$$eval('#summary tbody tr', (trs) => trs.filter((t) => t.style.display !== 'none').map((t) => t.cells[1].textContent));
  const want = rows.filter((r) => [r.path, r.agency].some((x) => x.toLowerCase().includes(agency.toLowerCase()))).length;
  check(visible.length === want && visible.length > 0 && visible.length < rows.length, `filter "${agency}" shows its ${want} report(s)`, visible);
  const shownSections = await page.$$eval('section.report', (s) => s.filter((x) => x.style.display !== 'none').length);
  check(shownSections === visible.length, 'and only their findings', shownSections);
  await page.fill('#filter', '');
}
// Status filter: errors only.
await page.selectOption('#status', 'error');
const withErrors = await page.$$eval('#summary tbody tr', (trs) => trs.filter((t) => t.style.display !== 'none').length);
check(withErrors === rows.filter((r) => r.errors > 0).length, 'status filter: reports with errors', withErrors);
await page.selectOption('#status', '');
// Sorting by errors puts the largest count first on the second click.
await page.click('#summary th:nth-child(5)');
await page.click('#summary th:nth-child(5)');
const first = await page.$eval('#summary tbody tr', (t) => Number(t.cells[4].textContent));
check(first === Math.max(...rows.map((r) => r.errors)), 'sorting by errors', first);

if (shot) {
  await page.screenshot({ path: shot, fullPage: false });
  const charts = await page.$('h2:has-text("图表"), h2:has-text("Charts")');
  if (charts) {
    await charts.scrollIntoViewIfNeeded();
    await page.evaluate(() => window.scrollBy(0, document.querySelector('h2 + figure, h2 ~ figure').getBoundingClientRect().top - 40));
    await page.screenshot({ path: shot.replace(/\.png$/, '-charts.png') });
  }
}
await browser.close();
console.log(failed ? `audit page: ${failed} failed` : 'audit page: all passed');
process.exit(failed ? 1 : 0);
