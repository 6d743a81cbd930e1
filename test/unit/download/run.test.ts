/** runDownload with the per-day download and the ledger sink injected: the day loop without a server. */
import { existsSync } from 'node:fs';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { artifactName, spoolDir } from '../../../src/artifacts/naming.js';
import { validateDownloadOptions } from '../../../src/config/download.js';
import { tempDir } from '../../helpers/cli.js';
import { runDownload, type DayDownloader, type TelemetrySink } from '../../../src/download/run.js';
import type { LedgerRow } from '../../../src/ledger/schema.js';
import { dayWindow } from '../../../src/plan/dates.js';
import { UdlAuthError, UdlHttpError } from '../../../src/udl/errors.js';

function memoryLedger(): TelemetrySink & { rows: LedgerRow[]; log: string[] } {
  const rows: LedgerRow[] = [];
  const log: string[] = [];
  return {
    rows,
    log,
    append: async (row) => {
      rows.push(row);
      log.push(`row ${row.chunk_date_utc} ${row.status}`);
    },
    close: async () => {},
  };
}

async function config(extra: Record<string, unknown> = {}) {
  const outputDir = await tempDir('orchestrator-');
  return validateDownloadOptions({ startDate: '2026-01-01', endDate: '2026-01-03', outputDir, ...extra }, {});
}

describe('runDownload with injected download and ledger', () => {
  it('writes PENDING then the outcome per day, runs cleanup only after the row, and counts the summary', async () => {
    const ledger = memoryLedger();
    const download: DayDownloader = async (day) => {
      ledger.log.push(`download ${day.day}`);
      if (day.day === '2026-01-02') return { status: 'SKIPPED_NO_DATA', records: 0, bytes: 0, path: '' };
      return { status: 'DOWNLOADED', records: 552_960, bytes: 3 * 1048576, path: `/x/${day.day}.csv`, cleanup: async () => void ledger.log.push(`cleanup ${day.day}`) };
    };
    const s = await runDownload(await config(), { download, telemetry: ledger });
    expect(ledger.log).toEqual([
      'row 2026-01-01 DOWNLOAD_PENDING',
      'download 2026-01-01',
      'row 2026-01-01 DOWNLOADED',
      'cleanup 2026-01-01',
      'row 2026-01-02 DOWNLOAD_PENDING',
      'download 2026-01-02',
      'row 2026-01-02 SKIPPED_NO_DATA',
      'row 2026-01-03 DOWNLOAD_PENDING',
      'download 2026-01-03',
      'row 2026-01-03 DOWNLOADED',
      'cleanup 2026-01-03',
    ]);
    const done = ledger.rows.find((r) => r.status === 'DOWNLOADED')!;
    expect(done).toMatchObject({ records_downloaded: '552960', expected_records: '1105920', availability_pct: '50.0000', csv_size_mb: '3.000000', csv_path: '/x/2026-01-01.csv' });
    expect(done.started_at_utc).toBe(ledger.rows[0]!.started_at_utc);
    expect(s).toMatchObject({ planned: 3, downloaded: 2, skippedNoData: 1, failed: 0, exitCode: 0 });
  });

  it('records a thrown error as FAILED with type and one-line message, goes on, and exits 1', async () => {
    const ledger = memoryLedger();
    const download: DayDownloader = async (day) => {
      if (day.day === '2026-01-01') throw new UdlHttpError(503, '/udl/x', 'busy\nnow');
      return { status: 'DOWNLOADED', records: 1, bytes: 1, path: '/x' };
    };
    const s = await runDownload(await config(), { download, telemetry: ledger });
    const failed = ledger.rows.find((r) => r.status === 'FAILED')!;
    expect(failed.error_type).toBe('UdlHttpError');
    expect(failed.error_message).toBe('UDL answered HTTP 503 for /udl/x: busy now');
    expect(s).toMatchObject({ downloaded: 2, failed: 1, exitCode: 1 });
  });

  it('stops at the first day whose credential is rejected', async () => {
    const ledger = memoryLedger();
    const s = await runDownload(await config(), {
      download: async () => {
        throw new UdlAuthError(401);
      },
      telemetry: ledger,
    });
    expect(ledger.rows.map((r) => r.status)).toEqual(['DOWNLOAD_PENDING', 'FAILED']);
    expect(s.aborted).toMatch(/credential was rejected/);
    expect(s.exitCode).toBe(1);
  });

  it('skips days the ledger already has, without calling download', async () => {
    const c = await config();
    const header = 'run_id,chunk_date_utc,window_start_utc,window_end_utc,status,records_downloaded,expected_records,availability_pct,download_seconds,csv_size_mb,csv_path,sensor_id,descriptor,output_format,error_type,error_message,started_at_utc,finished_at_utc,process_seconds,cdf_size_mb,cdf_path,upload_seconds,s3_bucket,s3_key';
    await writeFile(c.telemetryFile, `${header}\nr,2026-01-01,,,SKIPPED_NO_DATA,,,,,,,,,,,,2026-01-01T00:00:00.000000+00:00,,,,,,,\nr,2026-01-02,,,FAILED,,,,,,,,,,,,2026-01-01T00:00:00.000000+00:00,,,,,,,\n`);
    const called: string[] = [];
    const s = await runDownload(c, {
      download: async (day) => {
        called.push(day.day);
        return { status: 'DOWNLOADED', records: 1, bytes: 1, path: '/x' };
      },
      telemetry: memoryLedger(),
    });
    expect(called).toEqual(['2026-01-03']);
    // The range still holds a FAILED day, skipped or not: exit 1, as the reference tool counts it.
    expect(s).toMatchObject({ planned: 1, skippedNoData: 1, skippedFailed: 1, failedDays: ['2026-01-02'], exitCode: 1 });
  });

  it('does nothing on a dry run', async () => {
    const ledger = memoryLedger();
    const s = await runDownload(await config({ dryRun: true }), {
      download: async () => {
        throw new Error('must not be called');
      },
      telemetry: ledger,
    });
    expect(ledger.rows).toEqual([]);
    expect(s.planned).toBe(3);
  });

  it('removes the spool of a day the ledger has as done: a run killed between the row and the cleanup left it', async () => {
    const c = await config({ endDate: '2026-01-02' });
    const spoolOf = (day: string) => spoolDir(c.outputDir, artifactName('ALL', dayWindow(day), 'csv'));
    // A real artifact and ledger row for each day; the download leaves its spool behind, as a kill would.
    const download: DayDownloader = async (day) => {
      const path = join(c.outputDir, artifactName('ALL', day, 'csv'));
      await writeFile(path, `id,obTime\na,${day.day}T00:00:00.000Z\n`);
      await mkdir(spoolOf(day.day), { recursive: true });
      await writeFile(join(spoolOf(day.day), 'published.json'), '{}');
      return { status: 'DOWNLOADED', records: 1, bytes: (await stat(path)).size, path };
    };
    await runDownload(validateDownloadOptions({ startDate: '2026-01-01', endDate: '2026-01-01', outputDir: c.outputDir }, {}), { download });
    expect(existsSync(spoolOf('2026-01-01'))).toBe(true);

    // A run with work elsewhere removes it, and keeps the spool of the day it works on until that day's row is in.
    let leftoverDuringRun: boolean | undefined;
    const working: DayDownloader = async (day) => {
      leftoverDuringRun = existsSync(spoolOf('2026-01-01'));
      return download(day);
    };
    expect((await runDownload(c, { download: working })).downloaded).toBe(1);
    expect(leftoverDuringRun).toBe(false);
    expect(existsSync(spoolOf('2026-01-02'))).toBe(true);

    // A run with nothing to download still removes it.
    const idle = await runDownload(c, { download: async () => Promise.reject(new Error('nothing to download')) });
    expect(idle.planned).toBe(0);
    expect(existsSync(spoolOf('2026-01-02'))).toBe(false);
    expect(existsSync(join(c.outputDir, '.reach-udl', 'lock'))).toBe(false);
  });
});
