/** The report as a reader sees it: opened from disk in Debian's headless Chromium. */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { stringify } from 'csv-stringify/sync';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactName } from '../../src/artifacts/naming.js';
import { LEDGER_COLUMNS, emptyRow, type LedgerRow } from '../../src/ledger/schema.js';
import { dayWindow } from '../../src/plan/dates.js';
import { HEATMAP_CELL_CLASS, HEATMAP_ID } from '../../src/report/charts.js';
import { writeReport } from '../../src/report/report.js';
import { loadSensorIds } from '../../src/report/sensors.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const DAYS = ['2026-03-01', '2026-03-02', '2026-03-03', '2026-03-04', '2026-03-05'];

/** Five days: two full ALL days (CSV, JSON), one with a dead and a half-dark sensor, one FAILED, one never run. */
async function fixture(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'report-browser-'));
  const sensors = await loadSensorIds();
  const perSensor = (day: string, _sensor: string, i: number) => (i === 3 ? 0 : day === DAYS[2] && i === 7 ? 5 : 10);
  const ledger: string[][] = [[...LEDGER_COLUMNS]];
  const row = (day: string, status: string, over: Partial<LedgerRow> = {}) => {
    const r: LedgerRow = { ...emptyRow(), run_id: 'r1', chunk_date_utc: day, status, sensor_id: 'ALL', output_format: 'csv', started_at_utc: `${day}T23:00:00.000000+00:00`, ...over };
    ledger.push(LEDGER_COLUMNS.map((c) => r[c]));
  };
  for (const day of [DAYS[0]!, DAYS[2]!]) {
    const rows = sensors.flatMap((s, i) => Array.from({ length: perSensor(day, s, i) }, (_, k) => [`${s}-${k}`, s, `[{'obDescription': 'DOSE1, "X"'}]`]));
    await writeFile(join(dir, artifactName('ALL', dayWindow(day), 'csv')), stringify([['id', 'idSensor', 'seoList'], ...rows]));
    row(day, 'DOWNLOADED', { records_downloaded: String(rows.length) });
  }
  const records = sensors.flatMap((s, i) => Array.from({ length: perSensor(DAYS[1]!, s, i) }, (_, k) => ({ id: `${s}-${k}`, idSensor: s })));
  await writeFile(join(dir, artifactName('ALL', dayWindow(DAYS[1]!), 'json')), JSON.stringify(records));
  row(DAYS[1]!, 'DOWNLOADED', { records_downloaded: String(records.length), output_format: 'json' });
  row(DAYS[3]!, 'FAILED', { error_type: 'UdlHttpError', error_message: 'HTTP 503 after 5 retries' });
  row(DAYS[4]!, 'DOWNLOAD_PENDING');
  await writeFile(join(dir, 'download_telemetry.csv'), stringify(ledger));
  return dir;
}

/** Every request the page makes, and every console error (a CSP refusal shows up there, not as a request). */
function watch(page: Page): { requests: string[]; consoleErrors: string[] } {
  const seen = { requests: [] as string[], consoleErrors: [] as string[] };
  page.on('request', (req) => seen.requests.push(req.url()));
  page.on('console', (msg) => {
    if (msg.type() === 'error') seen.consoleErrors.push(msg.text());
  });
  return seen;
}

const local = (url: string) => url.startsWith('file:') || url.startsWith('data:');

describe('report.html in headless Chromium', () => {
  let browser: Browser | undefined;
  let dir: string;
  let htmlPath: string;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing: this test needs Debian's chromium (apt-get install -y chromium); it does not skip`);
    }
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    dir = await fixture();
    htmlPath = join(dir, 'report.html');
    const r = await writeReport({ outputDir: dir, out: htmlPath });
    expect(r.warnings).toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('renders one heatmap cell per sensor-day, fetches nothing off the file, and screenshots', async () => {
    const sensors = await loadSensorIds();
    const page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
    const seen = watch(page);
    await page.goto(pathToFileURL(htmlPath).href, { waitUntil: 'load' });

    const cells = page.locator(`#${HEATMAP_ID} g.${HEATMAP_CELL_CLASS} > path`);
    expect(await cells.count()).toBe(sensors.length * DAYS.length);
    // Drawn, not just present: the heatmap has a real size and every cell covers pixels.
    const box = await page.locator(`#${HEATMAP_ID}`).boundingBox();
    expect(box!.width).toBeGreaterThan(400);
    expect(box!.height).toBeGreaterThan(sensors.length * 12);
    // getBBox is an SVG DOM method; the project's type lib has no DOM, hence the structural cast.
    type Boxed = { getBBox(): { width: number; height: number } };
    const sizes = await cells.evaluateAll((els) => els.map((e) => (e as unknown as Boxed).getBBox()).map((b) => b.width * b.height));
    expect(sizes.every((a) => a > 50)).toBe(true);
    // The cell of the dead sensor on a downloaded day says so when hovered.
    const titles = await cells.evaluateAll((els) => els.map((e) => e.querySelector('title')?.textContent ?? ''));
    expect(titles).toContain(`${DAYS[0]} ${sensors[3]}: 0 of 34,560 records (0.0%)`);
    expect(titles).toContain(`${DAYS[3]} ${sensors[0]}: no artifact for this day`);
    expect(await page.locator('#problems tbody tr').count()).toBe(2);

    expect(seen.requests.length).toBeGreaterThan(0);
    expect(seen.requests.filter((u) => !local(u))).toEqual([]);
    expect(seen.consoleErrors).toEqual([]);

    const png = await page.screenshot({ path: join(dir, 'report.png'), fullPage: true });
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(png.length).toBeGreaterThan(20_000);
    await page.close();
  });

  it('would notice a page that reaches for the network (control for the check above)', async () => {
    const leaky = join(dir, 'leaky.html');
    const html = await readFile(htmlPath, 'utf8');
    await writeFile(leaky, html.replace('</body>', '<img src="http://example.invalid/pixel.png"></body>'));
    const page = await browser!.newPage();
    const seen = watch(page);
    await page.goto(pathToFileURL(leaky).href, { waitUntil: 'load' });
    const noticed = seen.requests.some((u) => !local(u)) || seen.consoleErrors.some((e) => e.includes('example.invalid'));
    expect(noticed).toBe(true);
    await page.close();
  });
});
