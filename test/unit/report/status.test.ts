import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { artifactName } from '../../../src/artifacts/naming.js';
import { collectStatus, statusCommand, type StatusDocument } from '../../../src/cli/status-command.js';
import { LEDGER_COLUMNS, emptyRow, type LedgerRow } from '../../../src/ledger/schema.js';
import { dayWindow } from '../../../src/plan/dates.js';
import { buildStatus, lastRunSettings, resolveRange, type StatusModel } from '../../../src/report/status.js';
import { latestByDay } from '../../../src/ledger/read.js';
import { dayRange } from '../../../src/plan/dates.js';
import type { OutputFormat } from '../../../src/artifacts/naming.js';

/** buildStatus as the commands call it, with artifacts given by name: present, or absent. */
function statusOf(i: { rows: LedgerRow[]; artifacts: Set<string>; start?: string; end?: string; sensorId?: string; outputFormat?: OutputFormat }): StatusModel {
  const defaults = lastRunSettings(i.rows);
  const sensorId = i.sensorId ?? defaults.sensorId;
  const outputFormat = i.outputFormat ?? defaults.outputFormat;
  const range = resolveRange(i.rows.map((r) => r.chunk_date_utc), i.start, i.end);
  const latest = latestByDay(i.rows);
  const facts = (range ? dayRange(range.start, range.end) : []).map((day) => ({
    day,
    endMs: dayWindow(day).endMs,
    latest: latest.get(day),
    artifact: { kind: i.artifacts.has(artifactName(sensorId, dayWindow(day), outputFormat)) ? 'present' : 'absent' } as const,
  }));
  return buildStatus({ rows: i.rows, range, sensorId, outputFormat, facts, decide: { now: Date.parse('2030-01-01T00:00:00Z'), settleMs: 0, recheckMs: 0 } });
}

let clock = Date.parse('2026-02-01T00:00:00Z');
/** A ledger row; each call is a second later than the last, so file order and time order agree. */
function row(day: string, status: string, over: Partial<LedgerRow> = {}): LedgerRow {
  clock += 1000;
  return {
    ...emptyRow(),
    run_id: 'r1',
    chunk_date_utc: day,
    status,
    sensor_id: 'ALL',
    output_format: 'csv',
    expected_records: '1105920',
    started_at_utc: `${new Date(clock).toISOString().slice(0, 23)}000+00:00`,
    ...over,
  };
}

const allCsv = (day: string) => artifactName('ALL', dayWindow(day), 'csv');

function ledgerText(rows: readonly LedgerRow[]): string {
  return stringify([[...LEDGER_COLUMNS], ...rows.map((r) => LEDGER_COLUMNS.map((c) => r[c]))]);
}

/** A small artifact that passes the integrity look: one record inside its day. */
function stub(name: string): string {
  const [, y, m, d] = /_(\d{4})(\d{2})(\d{2})T000000_/.exec(name)!;
  const day = `${y}-${m}-${d}`;
  const obTime = `${day}T00:00:05.000Z`;
  return name.endsWith('.json') ? `[\n{"id":"x","obTime":"${obTime}","idSensor":"REACH-101"}\n]\n` : `id,obTime,idSensor\nx,${obTime},REACH-101\n`;
}
/** The ledger's csv_size_mb for a stub. */
const stubMb = (name: string) => (Buffer.byteLength(stub(name)) / 1048576).toFixed(6);

async function outputDir(rows: readonly LedgerRow[] | undefined, files: readonly string[] = []): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'status-'));
  if (rows) await writeFile(join(dir, 'download_telemetry.csv'), ledgerText(rows));
  for (const f of files) await writeFile(join(dir, f), stub(f));
  return dir;
}

describe('buildStatus: the decision table, day by day', () => {
  const rows = [
    row('2026-01-01', 'DOWNLOAD_PENDING'),
    row('2026-01-01', 'DOWNLOADED', { records_downloaded: '1000', availability_pct: '0.0904', csv_size_mb: '2.5', download_seconds: '3.25' }),
    row('2026-01-02', 'DOWNLOADED', { records_downloaded: '500', csv_size_mb: '1.25', download_seconds: '1' }),
    row('2026-01-03', 'SKIPPED_NO_DATA', { records_downloaded: '0' }),
    row('2026-01-04', 'FAILED', { error_type: 'UdlHttpError', error_message: 'HTTP 503, after 5 retries' }),
    row('2026-01-05', 'DOWNLOAD_PENDING'),
    row('2026-01-07', 'DOWNLOADED', { records_downloaded: '7', csv_size_mb: '0.5' }),
    row('2026-01-07', 'PROCESSED'),
  ];
  const model = statusOf({ rows, artifacts: new Set([allCsv('2026-01-01'), allCsv('2026-01-07')]) });
  const day = (d: string) => model.days.find((x) => x.day === d)!;

  it('covers the ledger from its first to its last day, gaps included', () => {
    expect(model.range).toEqual({ start: '2026-01-01', end: '2026-01-07', days: 7 });
    expect(model.days.map((d) => d.day)).toEqual(['2026-01-01', '2026-01-02', '2026-01-03', '2026-01-04', '2026-01-05', '2026-01-06', '2026-01-07']);
  });

  it.each([
    ['2026-01-01', 'DOWNLOADED', 'skip', 'downloaded'],
    ['2026-01-02', 'DOWNLOADED', 'run', 'artifact-missing'],
    ['2026-01-03', 'SKIPPED_NO_DATA', 'skip', 'no-data'],
    ['2026-01-04', 'FAILED', 'skip', 'failed'],
    ['2026-01-05', 'DOWNLOAD_PENDING', 'run', 'interrupted'],
    ['2026-01-06', null, 'run', 'new'],
    ['2026-01-07', 'PROCESSED', 'skip', 'processing'],
  ])('%s: latest %s -> %s (%s)', (d, status, action, reason) => {
    expect(day(d)).toMatchObject({ status, action, reason });
    expect(day(d).reasonText.length).toBeGreaterThan(5);
  });

  it('takes the numbers of the latest row, and of the DOWNLOADED row when the processing phase has the day', () => {
    expect(day('2026-01-01')).toMatchObject({ records: 1000, availabilityPct: 0.0904, sizeMiB: 2.5, downloadSeconds: 3.25, artifactExists: true });
    expect(day('2026-01-04')).toMatchObject({ records: null, errorType: 'UdlHttpError', errorMessage: 'HTTP 503, after 5 retries' });
    expect(day('2026-01-07')).toMatchObject({ status: 'PROCESSED', records: 7, sizeMiB: 0.5 });
  });

  it('totals days by status, records, MiB and seconds', () => {
    expect(model.totals).toEqual({
      days: 7,
      byStatus: { DOWNLOADED: 2, SKIPPED_NO_DATA: 1, FAILED: 1, DOWNLOAD_PENDING: 1, NO_ROW: 1, PROCESSED: 1 },
      records: 1507,
      sizeMiB: 4.25,
      downloadSeconds: 4.25,
    });
  });

  it('lists the days a rerun would fetch with why, and what --retry-failed would add', () => {
    expect(model.rerun.days).toEqual([
      { day: '2026-01-02', reason: 'artifact-missing', reasonText: 'DOWNLOADED but the artifact is missing' },
      { day: '2026-01-05', reason: 'interrupted', reasonText: 'last attempt was interrupted (DOWNLOAD_PENDING)' },
      { day: '2026-01-06', reason: 'new', reasonText: 'no ledger row yet' },
    ]);
    expect(model.rerun.retryFailedAdds).toEqual([{ day: '2026-01-04', errorType: 'UdlHttpError', errorMessage: 'HTTP 503, after 5 retries' }]);
  });

  it('lets a later row override an earlier one of the same day', () => {
    const m = statusOf({ rows: [row('2026-01-01', 'FAILED'), row('2026-01-01', 'DOWNLOADED')], artifacts: new Set([allCsv('2026-01-01')]) });
    expect(m.days[0]).toMatchObject({ status: 'DOWNLOADED', action: 'skip' });
  });
});

describe('buildStatus: range, sensor and format', () => {
  it('shows days of an explicit range without a row as would-run', () => {
    const m = statusOf({ rows: [row('2026-01-02', 'DOWNLOADED')], start: '2026-01-01', end: '2026-01-03', artifacts: new Set([allCsv('2026-01-02')]) });
    expect(m.days.map((d) => [d.day, d.status, d.action])).toEqual([
      ['2026-01-01', null, 'run'],
      ['2026-01-02', 'DOWNLOADED', 'skip'],
      ['2026-01-03', null, 'run'],
    ]);
  });

  it('fills a missing bound from the ledger, never producing an empty range', () => {
    expect(resolveRange(['2026-01-05', '2026-01-02'])).toEqual({ start: '2026-01-02', end: '2026-01-05' });
    expect(resolveRange(['2026-01-05'], '2026-01-01')).toEqual({ start: '2026-01-01', end: '2026-01-05' });
    expect(resolveRange(['2026-01-05'], '2026-02-01')).toEqual({ start: '2026-02-01', end: '2026-02-01' });
    expect(resolveRange(['2026-01-05'], undefined, '2026-01-01')).toEqual({ start: '2026-01-01', end: '2026-01-01' });
    expect(resolveRange([])).toBeNull();
  });

  it('defaults sensor and format to the latest ledger row, else ALL and csv', () => {
    expect(lastRunSettings([])).toEqual({ sensorId: 'ALL', outputFormat: 'csv' });
    const rows = [row('2026-01-01', 'DOWNLOADED'), row('2026-01-01', 'DOWNLOADED', { sensor_id: 'REACH-101', output_format: 'json' })];
    expect(lastRunSettings(rows)).toEqual({ sensorId: 'REACH-101', outputFormat: 'json' });
    const json101 = artifactName('REACH-101', dayWindow('2026-01-01'), 'json');
    const m = statusOf({ rows, artifacts: new Set([json101]) });
    expect(m.days[0]).toMatchObject({ artifact: json101, artifactExists: true, action: 'skip' });
    const asked = statusOf({ rows, sensorId: 'ALL', outputFormat: 'csv', artifacts: new Set([json101]) });
    expect(asked.days[0]).toMatchObject({ artifact: allCsv('2026-01-01'), artifactExists: false, action: 'run', reason: 'artifact-missing' });
  });
});

describe('status command', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  async function run(args: string[]): Promise<{ out: string; err: string; exit: number | undefined }> {
    let out = '';
    let err = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      out += String(chunk);
      return true;
    });
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      err += String(chunk);
      return true;
    });
    let exit: number | undefined;
    vi.spyOn(process, 'exit').mockImplementation((code) => {
      exit = Number(code);
      throw new Error(`exit ${code}`);
    });
    try {
      await statusCommand().parseAsync(['node', 'status', ...args]);
    } catch (e) {
      if (exit === undefined) throw e;
    }
    vi.restoreAllMocks();
    return { out, err, exit };
  }

  it('prints an aligned table, totals and the rerun plan', async () => {
    const dir = await outputDir(
      [
        row('2026-01-01', 'DOWNLOADED', { records_downloaded: '1105920', availability_pct: '100.0000', csv_size_mb: stubMb(allCsv('2026-01-01')), download_seconds: '84.2' }),
        row('2026-01-02', 'FAILED', { error_type: 'UdlHttpError', error_message: 'HTTP 503\nafter 5 retries' }),
        row('2026-01-04', 'SKIPPED_NO_DATA', { records_downloaded: '0' }),
      ],
      [allCsv('2026-01-01')],
    );
    const { out, exit } = await run(['--output-dir', dir]);
    expect(exit).toBeUndefined();
    const lines = out.split('\n');
    const header = lines.find((l) => l.startsWith('DAY'))!;
    const body = lines.filter((l) => /^\d{4}-\d{2}-\d{2} /.test(l));
    expect(body).toHaveLength(4);
    // Every column starts where its title does.
    for (const title of ['STATUS', 'FILE', 'RERUN']) {
      const at = header.indexOf(title);
      for (const l of body) expect(l[at - 1]).toBe(' ');
      for (const l of body) expect(l[at]).not.toBe(' ');
    }
    expect(body[0]).toMatch(/DOWNLOADED\s+1,105,920\s+100\.00\s+0\.0\s+84\.2\s+yes\s+skip: DOWNLOADED and the artifact is on disk/);
    expect(body[2]).toMatch(/2026-01-03\s+no row .* run: no ledger row yet/);
    expect(out).toContain('error: UdlHttpError: HTTP 503 after 5 retries');
    expect(out).toMatch(/Totals\s+4 days: 1 DOWNLOADED, 1 SKIPPED_NO_DATA, 1 FAILED, 1 no row; 1,105,920 records/);
    expect(out).toMatch(/Rerun\s+1 day would be fetched: 2026-01-03: no ledger row yet/);
    expect(out).toContain('--retry-failed would add 1 FAILED day: 2026-01-02');
  });

  it('--json prints one document with days, totals and the rerun plan', async () => {
    const dir = await outputDir([row('2026-01-01', 'DOWNLOADED', { records_downloaded: '10' })], [allCsv('2026-01-01')]);
    const { out } = await run(['--output-dir', dir, '--end-date', '2026-01-02', '--json']);
    const doc = JSON.parse(out) as StatusDocument;
    expect(Object.keys(doc).sort()).toEqual(['days', 'ledger', 'orphans', 'outputDir', 'outputFormat', 'range', 'rerun', 'sensorId', 'stale', 'totals']);
    expect(doc.ledger).toEqual({ path: join(dir, 'download_telemetry.csv'), exists: true, rows: 1, badLines: 0 });
    expect(doc.range).toEqual({ start: '2026-01-01', end: '2026-01-02', days: 2 });
    expect(doc.days[1]).toEqual({
      day: '2026-01-02',
      status: null,
      records: null,
      expectedRecords: null,
      availabilityPct: null,
      sizeMiB: null,
      downloadSeconds: null,
      errorType: null,
      errorMessage: null,
      artifact: allCsv('2026-01-02'),
      artifactExists: false,
      damaged: null,
      serverCount: null,
      cdfPath: null,
      s3Url: null,
      action: 'run',
      reason: 'new',
      reasonText: 'no ledger row yet',
    });
    expect(doc.totals).toMatchObject({ days: 2, byStatus: { DOWNLOADED: 1, NO_ROW: 1 }, records: 10 });
    expect(doc.rerun.days.map((d) => d.day)).toEqual(['2026-01-02']);
  });

  it('says there is nothing yet when the ledger is missing, and exits 0', async () => {
    const dir = await outputDir(undefined);
    const plain = await run(['--output-dir', dir]);
    expect(plain.exit).toBeUndefined();
    expect(plain.out).toMatch(/^No ledger at .*download_telemetry\.csv: nothing has been downloaded into .* yet\./);
    const ranged = await run(['--output-dir', join(dir, 'not-yet-created'), '--start-date', '2026-01-01', '--end-date', '2026-01-02']);
    expect(ranged.out).toMatch(/2026-01-02\s+no row .* run: no ledger row yet/);
  });

  it('exits 2 with one line for a file that is not a ledger, and for bad options', async () => {
    const dir = await outputDir(undefined);
    await writeFile(join(dir, 'other.csv'), 'name,value\na,1\n');
    const notLedger = await run(['--output-dir', dir, '--telemetry-file', join(dir, 'other.csv')]);
    expect(notLedger.exit).toBe(2);
    expect(notLedger.err).toMatch(/^reach-udl: error: .*other\.csv is not a reach-udl telemetry ledger .*\n$/);
    for (const bad of [
      ['--start-date', '2026-02-30'],
      ['--start-date', '2026-01-05', '--end-date', '2026-01-01'],
      ['--sensor-id', 'reach-1'],
      ['--output-format', 'xml'],
    ]) {
      const r = await run(['--output-dir', dir, ...bad]);
      expect(r.exit, bad.join(' ')).toBe(2);
      expect(r.err.split('\n')).toHaveLength(2);
    }
    await mkdir(join(dir, 'sub'));
    await writeFile(join(dir, 'sub', 'file'), '');
    expect((await run(['--output-dir', join(dir, 'sub', 'file')])).exit).toBe(2);
  });

  it('collectStatus honours --sensor-id and --output-format over the ledger', async () => {
    const dir = await outputDir([row('2026-01-01', 'DOWNLOADED')], [artifactName('REACH-101', dayWindow('2026-01-01'), 'json')]);
    const doc = await collectStatus({ outputDir: dir, sensorId: 'REACH-101', outputFormat: 'json' });
    expect(doc).toMatchObject({ sensorId: 'REACH-101', outputFormat: 'json' });
    expect(doc.days[0]).toMatchObject({ artifactExists: true, action: 'skip' });
  });
});
