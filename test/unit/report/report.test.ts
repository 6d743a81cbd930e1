import { mkdtemp, readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { artifactName } from '../../../src/artifacts/naming.js';
import { reportCommand } from '../../../src/cli/report-command.js';
import { LEDGER_COLUMNS, emptyRow, type LedgerRow } from '../../../src/ledger/schema.js';
import { dayWindow } from '../../../src/plan/dates.js';
import { listArtifacts, parseArtifactName } from '../../../src/report/artifacts.js';
import { HEATMAP_CELL_CLASS, HEATMAP_ID, addCellTitles } from '../../../src/report/charts.js';
import {
  ArtifactFormatError,
  CsvSensorScanner,
  JsonSensorScanner,
  countArtifact,
  countsCacheDir,
  type SensorCounts,
} from '../../../src/report/counts.js';
import { escapeHtml } from '../../../src/report/html.js';
import { writeReport } from '../../../src/report/report.js';
import { loadSensorIds } from '../../../src/report/sensors.js';
import { runs } from '../../helpers/runs.js';

/** Feeds `text` to a scanner in pieces cut at `cuts` (byte offsets), as a stream would. */
function scan(make: () => CsvSensorScanner | JsonSensorScanner, text: string | Buffer, cuts: number[] = []): SensorCounts {
  const buf = Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8');
  const s = make();
  let from = 0;
  for (const at of [...new Set(cuts)].filter((c) => c > 0 && c < buf.length).sort((a, b) => a - b)) {
    s.push(buf.subarray(from, at));
    from = at;
  }
  s.push(buf.subarray(from));
  return s.end();
}

const csv = () => new CsvSensorScanner('x.csv');
const json = () => new JsonSensorScanner('x.json');
const everyCut = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Reference counts from csv-parse, the general parser. */
function csvParseCounts(text: string): SensorCounts {
  const rows = parse<Record<string, string>>(text, { columns: true, bom: true, skip_empty_lines: true });
  const counts: SensorCounts = {};
  for (const r of rows) counts[r.idSensor ?? ''] = (counts[r.idSensor ?? ''] ?? 0) + 1;
  return counts;
}

describe('CSV counting', () => {
  const tricky = stringify([
    ['id', 'senPos', 'idSensor', 'seoList'],
    ['a', '[1, 2, 3]', 'REACH-101', "[{'obType': 'x', 'obDescription': 'DOSE1, \"Flavor X\"'}]"],
    ['b', 'line one\nline two, still, "quoted"', 'REACH-101', '{"k": "v,v"}'],
    ['c', '', 'REACH-102', 'trailing\r\ncrlf inside'],
    ['d', ',,,', '', ''],
  ]);

  it('finds idSensor by header and reads quoted cells with commas, quotes and newlines', () => {
    expect(scan(csv, tricky)).toEqual({ 'REACH-101': 2, 'REACH-102': 1, '': 1 });
    expect(scan(csv, tricky)).toEqual(csvParseCounts(tricky));
  });

  it('gives the same counts wherever the stream is cut', () => {
    for (const cut of everyCut(tricky.length)) expect(scan(csv, tricky, [cut])).toEqual({ 'REACH-101': 2, 'REACH-102': 1, '': 1 });
    expect(scan(csv, tricky, everyCut(tricky.length))).toEqual({ 'REACH-101': 2, 'REACH-102': 1, '': 1 });
  });

  it('takes CRLF line ends, a BOM, blank lines and a missing final newline', () => {
    const text = '\uFEFFidSensor,x\r\nREACH-1,"a\r\nb"\r\n\r\nREACH-2,y\r\nREACH-1,z';
    expect(scan(csv, text)).toEqual({ 'REACH-1': 2, 'REACH-2': 1 });
    expect(scan(csv, '')).toEqual({});
    expect(scan(csv, 'id,idSensor\n')).toEqual({});
  });

  it('rejects a header without idSensor and a file cut inside a quoted cell', () => {
    expect(() => scan(csv, 'id,sensor\n1,REACH-1\n')).toThrow(ArtifactFormatError);
    expect(() => scan(csv, 'idSensor,x\nREACH-1,"never closed\n')).toThrow(/quoted cell is never closed/);
    // Not a CSV at all (one endless line): refused once the cell passes 1 MiB instead of buffering the file.
    expect(() => scan(csv, 'x'.repeat((1 << 20) + 1))).toThrow(/header cell longer than/);
  });

  it('agrees with csv-parse on random tables cut at random places', () => {
    const cell = fc.string({ unit: fc.constantFrom('a', 'Z', ',', '"', '\n', '\r', '\r\n', ' ', "'", '{', 'é', '1') as fc.Arbitrary<string>, maxLength: 12 });
    const sensor = fc.constantFrom('REACH-101', 'REACH-102', 'REACH-175', '', 'R,"x"\n');
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4 }),
        fc.array(fc.tuple(fc.array(cell, { minLength: 4, maxLength: 4 }), sensor), { maxLength: 25 }),
        fc.constantFrom('unix', 'windows', 'mac'),
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 6 }),
        (col, rows, lineEnd, quoteAll, cuts) => {
          const header = ['id', 'a', 'b', 'c', 'd'];
          header.splice(col, 0, 'idSensor');
          const body = rows.map(([cells, s]) => {
            const r = ['x', ...cells];
            r.splice(col, 0, s);
            return r;
          });
          const text = stringify([header, ...body], { record_delimiter: lineEnd, quoted: quoteAll });
          const bytes = Buffer.from(text);
          expect(scan(csv, bytes, cuts.map((c) => c % (bytes.length + 1)))).toEqual(csvParseCounts(text));
        },
      ),
      { numRuns: runs(500) },
    );
  });
});

describe('JSON counting', () => {
  const records = [
    { id: '1', idSensor: 'REACH-101', note: 'mentions "idSensor": "REACH-999" in text' },
    { id: '2', idSensor: 'REACH-101', seoList: [{ obDescription: 'DOSE1 (Flavor X)' }] },
    { id: '3', idSensor: 'REACH-1\u00e9\\"q', tags: ['idSensor'] },
    { id: '4', idSensor: null },
  ];

  it('counts compact and pretty-printed arrays, ignoring the key text inside strings and as a value', () => {
    const expected = { 'REACH-101': 2, 'REACH-1\u00e9\\"q': 1, '': 1 };
    expect(scan(json, JSON.stringify(records))).toEqual(expected);
    expect(scan(json, JSON.stringify(records, null, 4))).toEqual(expected);
    expect(scan(json, '[\n]\n')).toEqual({});
  });

  it('gives the same counts wherever the stream is cut', () => {
    const text = JSON.stringify(records, null, 2);
    const expected = { 'REACH-101': 2, 'REACH-1\u00e9\\"q': 1, '': 1 };
    for (const cut of everyCut(Buffer.byteLength(text))) expect(scan(json, text, [cut])).toEqual(expected);
    expect(scan(json, text, everyCut(Buffer.byteLength(text)))).toEqual(expected);
  });

  it('rejects a file that ends inside an idSensor value', () => {
    expect(() => scan(json, '[{"id": "1", "idSensor": "REACH-1')).toThrow(ArtifactFormatError);
  });
});

describe('count cache', () => {
  it('counts once, then serves the cache while size and mtime match, and recounts when they change', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'counts-'));
    const name = artifactName('ALL', dayWindow('2026-01-01'), 'csv');
    const path = join(dir, name);
    await writeFile(path, stringify([['id', 'idSensor'], ['1', 'REACH-101'], ['2', 'REACH-101'], ['3', 'REACH-102']]));
    const cacheDir = countsCacheDir(dir);
    expect(cacheDir).toBe(join(dir, '.reach-udl', 'counts'));

    const first = await countArtifact(path, cacheDir);
    expect(first).toMatchObject({ fromCache: false, records: 3, counts: { 'REACH-101': 2, 'REACH-102': 1 } });
    expect(await readdir(cacheDir)).toEqual([`${name}.json`]);
    const entry = JSON.parse(await readFile(join(cacheDir, `${name}.json`), 'utf8'));
    const st = await stat(path);
    expect(entry).toMatchObject({ artifact: name, size: st.size, mtimeMs: st.mtimeMs });

    // Doctor the cache: if the second run served these numbers, it did not read the artifact.
    await writeFile(join(cacheDir, `${name}.json`), JSON.stringify({ ...entry, counts: { 'REACH-101': 41 } }));
    const second = await countArtifact(path, cacheDir);
    expect(second).toMatchObject({ fromCache: true, records: 41, seconds: 0 });

    await utimes(path, st.atime, new Date(st.mtimeMs + 5000));
    const third = await countArtifact(path, cacheDir);
    expect(third).toMatchObject({ fromCache: false, records: 3 });

    await writeFile(join(cacheDir, `${name}.json`), '{"version": 1, "size": ');
    expect(await countArtifact(path, cacheDir)).toMatchObject({ fromCache: false, records: 3 });
    expect((await readdir(cacheDir)).filter((f) => f.includes('.tmp'))).toEqual([]);
  });
});

describe('artifact names', () => {
  it('recognises exactly-one-day files only', () => {
    expect(parseArtifactName('REACH-ALL_20260101T000000_20260102T000000.csv')).toMatchObject({ sensorId: 'ALL', day: '2026-01-01', format: 'csv' });
    expect(parseArtifactName('REACH-101_20261231T000000_20270101T000000.json')).toMatchObject({ sensorId: 'REACH-101', day: '2026-12-31', format: 'json' });
    expect(parseArtifactName('REACH-ALL_20251201T013010_20251205T060517.json')).toBeUndefined();
    expect(parseArtifactName('REACH-ALL_20260101T000000_20260103T000000.csv')).toBeUndefined();
    expect(parseArtifactName('.REACH-ALL_20260101T000000_20260102T000000.csv.tmp-abc')).toBeUndefined();
  });
});

// ---- the whole report over a small fixture ----

const DAYS = ['2026-01-01', '2026-01-02', '2026-01-03', '2026-01-04'];

function ledgerRow(day: string, status: string, minute: number, over: Partial<LedgerRow> = {}): string[] {
  const r: LedgerRow = {
    ...emptyRow(),
    run_id: 'r1',
    chunk_date_utc: day,
    status,
    sensor_id: 'ALL',
    output_format: 'csv',
    started_at_utc: `2026-01-10T00:${String(minute).padStart(2, '0')}:00.000000+00:00`,
    ...over,
  };
  return LEDGER_COLUMNS.map((c) => r[c]);
}

/**
 * Day 1: ALL csv, every sensor but the last has records (the last is dead). Day 2: ALL json. Day 3:
 * FAILED. Day 4: no row, but a REACH-101 file is there from a single-sensor run.
 */
async function fixture(sensors: readonly string[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'report-'));
  const dead = sensors[sensors.length - 1]!;
  const csvRows = sensors.filter((s) => s !== dead).flatMap((s, i) => Array.from({ length: 1 + (i % 3) }, (_, k) => [`${s}-${k}`, s, `[{'obDescription': 'DOSE1, "X"\nsecond line'}]`]));
  await writeFile(join(dir, artifactName('ALL', dayWindow(DAYS[0]!), 'csv')), stringify([['id', 'idSensor', 'seoList'], ...csvRows]));
  const jsonRecs = sensors.slice(0, 5).map((s, i) => ({ id: String(i), idSensor: s, seoList: [{ obValue: 1e-7 }] }));
  await writeFile(join(dir, artifactName('ALL', dayWindow(DAYS[1]!), 'json')), JSON.stringify(jsonRecs, null, 2));
  await writeFile(join(dir, artifactName(sensors[0]!, dayWindow(DAYS[3]!), 'csv')), stringify([['id', 'idSensor'], ['z', sensors[0]!]]));
  const ledger = [
    [...LEDGER_COLUMNS],
    ledgerRow(DAYS[0]!, 'DOWNLOADED', 1, { records_downloaded: String(csvRows.length), csv_size_mb: '0.010' }),
    ledgerRow(DAYS[1]!, 'DOWNLOADED', 2, { records_downloaded: '5', output_format: 'json' }),
    ledgerRow(DAYS[2]!, 'FAILED', 3, { error_type: 'UdlHttpError', error_message: 'HTTP 503 <after> 5 retries' }),
  ];
  await writeFile(join(dir, 'download_telemetry.csv'), stringify(ledger));
  return dir;
}

/** The items of the heatmap's cell mark: vega draws each rect-mark item as one <path>. */
function cellPaths(svg: string): string[] {
  const open = svg.indexOf(`class="mark-rect role-mark ${HEATMAP_CELL_CLASS}"`);
  expect(open).toBeGreaterThan(0);
  const group = svg.slice(open, svg.indexOf('</g>', open));
  return group.match(/<path [^>]*>/g) ?? [];
}

describe('report', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('writes a self-contained page with one heatmap cell per sensor-day, every sensor a row', async () => {
    const sensors = await loadSensorIds();
    expect(sensors).toHaveLength(32);
    const dir = await fixture(sensors);
    const out = join(dir, 'site', 'report.html');
    const svgOut = join(dir, 'site', 'heatmap.svg');
    const r = await writeReport({ outputDir: dir, out, svg: svgOut }, { now: new Date('2026-01-10T12:00:00Z') });
    expect(r.warnings).toEqual([]);
    expect(r.model.days).toEqual(DAYS);
    expect(r.model.sensors).toEqual(sensors);

    const html = await readFile(out, 'utf8');
    expect(html).toBe(r.html);
    // Self-contained: nothing fetched, no script, no stylesheet link, no remote reference.
    expect(html).not.toMatch(/\s(?:src|href)\s*=\s*["']?\s*(?:https?:)?\/\//i);
    expect(html).not.toMatch(/url\(\s*["']?(?:https?:)?\/\//i);
    expect(html).not.toMatch(/<script|<link|<iframe|<img|@import/i);
    expect(html).toContain(`default-src 'none'`);

    const cells = cellPaths(r.heatmapSvg);
    expect(cells).toHaveLength(sensors.length * DAYS.length);
    expect(r.heatmapSvg.match(/<title>/g)).toHaveLength(sensors.length * DAYS.length);
    expect(r.heatmapSvg).toMatch(new RegExp(`^<svg id="${HEATMAP_ID}"`));
    for (const s of sensors) expect(r.heatmapSvg).toContain(`>${s}</text>`);
    const dead = sensors[31]!;
    expect(r.heatmapSvg).toContain(`<title>2026-01-01 ${dead}: 0 of 34,560 records (0.0%)</title>`);
    expect(r.heatmapSvg).toContain(`<title>2026-01-01 ${sensors[1]}: 2 of 34,560 records (0.0%)</title>`);
    expect(r.heatmapSvg).toContain(`<title>2026-01-03 ${sensors[0]}: no artifact for this day</title>`);
    expect(r.heatmapSvg).toContain(`<title>2026-01-04 ${sensors[0]}: 1 of 34,560 records (0.0%)</title>`);
    expect(r.heatmapSvg).toContain(`<title>2026-01-04 ${sensors[1]}: no artifact for this day</title>`);
    expect(html).toContain(r.heatmapSvg);
    expect(await readFile(svgOut, 'utf8')).toBe(`<?xml version="1.0" encoding="UTF-8"?>\n${r.heatmapSvg}\n`);

    // The days that need attention: the FAILED one with its error (escaped), the one with no row.
    expect(r.model.problems.map((p) => [p.day, p.category])).toEqual([
      ['2026-01-03', 'failed'],
      ['2026-01-04', 'missing'],
    ]);
    expect(html).toContain('UdlHttpError: HTTP 503 &#60;after&#62; 5 retries');
    expect(html).not.toContain('<after>');
    expect(r.model.perDay.map((d) => d.records)).toEqual([r.model.cells.filter((c) => c.day === DAYS[0]).reduce((s, c) => s + c.records, 0), 5, 0, 1]);
    expect(r.model.counting).toMatchObject({ artifacts: 3, fromCache: 0 });

    const again = await writeReport({ outputDir: dir, out });
    expect(again.model.counting).toMatchObject({ artifacts: 3, fromCache: 3 });
    expect(again.model.cells).toEqual(r.model.cells);
  });

  it('limits the report to --start-date/--end-date and says why when there is nothing at all', async () => {
    const sensors = await loadSensorIds();
    const dir = await fixture(sensors);
    const r = await writeReport({ outputDir: dir, out: join(dir, 'r.html'), startDate: '2026-01-02', endDate: '2026-01-02' });
    expect(r.model.days).toEqual(['2026-01-02']);
    expect(cellPaths(r.heatmapSvg)).toHaveLength(32);
    const empty = await mkdtemp(join(tmpdir(), 'report-empty-'));
    await expect(writeReport({ outputDir: empty, out: join(empty, 'r.html') })).rejects.toThrow(/nothing to report/);
  });

  it('runs as a command: writes the page and prints one summary line', async () => {
    const dir = await fixture(await loadSensorIds());
    let out = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      out += String(chunk);
      return true;
    });
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    await reportCommand().parseAsync(['node', 'report', '--output-dir', dir, '--out', join(dir, 'r.html')]);
    vi.restoreAllMocks();
    expect(out).toMatch(/^wrote .*r\.html: 4 days x 32 sensors, 3 day files \(0 cached\), 2 days need attention, [\d.]+ s\n$/);
    expect((await listArtifacts(dir)).map((a) => a.day)).toEqual(['2026-01-01', '2026-01-02', '2026-01-04']);
  });

  it('escapes text for HTML and keeps vega-escaped labels valid in <title>', () => {
    expect(escapeHtml(`<a href="x">&'`)).toBe('&#60;a href=&#34;x&#34;&#62;&#38;&#39;');
    const svg = `<g class="mark-rect role-mark ${HEATMAP_CELL_CLASS}" role="x"><path aria-label="a &amp; b" d="M0,0h1v1h-1Z"/></g>`;
    expect(addCellTitles(svg)).toContain('<path aria-label="a &amp; b" d="M0,0h1v1h-1Z"><title>a &amp; b</title></path>');
  });
});
