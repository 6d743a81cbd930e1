/** verifyOutput over a ledger: which days it checks, whatever phase their latest row is in. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { artifactName } from '../../../src/artifacts/naming.js';
import { FORMATS } from '../../../src/formats/index.js';
import { emptyRow, type LedgerRow } from '../../../src/ledger/schema.js';
import { LedgerWriter } from '../../../src/ledger/write.js';
import { dayWindow } from '../../../src/plan/dates.js';
import { verifyOutput } from '../../../src/verify/verify.js';
import { tempDir } from '../../helpers/cli.js';

const DAYS = ['2026-01-01', '2026-01-02', '2026-01-03'];

/** A CSV day file of `n` records, written as the downloader writes it. */
async function dayFile(out: string, day: string, n: number): Promise<void> {
  const start = dayWindow(day).startMs;
  const records = Array.from({ length: n }, (_, i) => ({ id: `${day}-${i}`, obTime: new Date(start + i * 5000).toISOString() }));
  const f = FORMATS.csv;
  const body = Buffer.from(JSON.stringify(records));
  const page = f.session().pageWriter().push({ bytes: body, text: body.toString('latin1'), ascii: true });
  await writeFile(join(out, artifactName('ALL', dayWindow(day), 'csv')), Buffer.concat([f.head(page.keys), page.bytes.subarray(0, page.length), f.tail]));
}

const row = (day: string, status: string, records: string): LedgerRow => ({
  ...emptyRow(),
  chunk_date_utc: day,
  status,
  records_downloaded: records,
  sensor_id: 'ALL',
  descriptor: 'QUICKLOOK',
  output_format: 'csv',
});

describe('verifyOutput', () => {
  it('checks days the processing phase has taken on since, not only DOWNLOADED ones', async () => {
    const out = await tempDir();
    for (const d of DAYS) await dayFile(out, d, 10);
    const ledger = await LedgerWriter.open(join(out, 'download_telemetry.csv'));
    await ledger.append(row(DAYS[0]!, 'DOWNLOADED', '10'));
    await ledger.append(row(DAYS[1]!, 'DOWNLOADED', '10'));
    await ledger.append(row(DAYS[1]!, 'PROCESSED', '10'));
    await ledger.append(row(DAYS[2]!, 'DOWNLOADED', '10'));
    // The ledger says 11: the day's check must fail, so it must have been checked.
    await ledger.append(row(DAYS[2]!, 'UPLOADED', '11'));
    await ledger.close();

    const { checks, unrecorded } = await verifyOutput({ outputDir: out, telemetryFile: join(out, 'download_telemetry.csv') });
    expect(checks.map((c) => [c.day, c.records, c.problems])).toEqual([
      [DAYS[0], 10, []],
      [DAYS[1], 10, []],
      [DAYS[2], 10, ['10 records but the ledger says 11']],
    ]);
    expect(unrecorded).toEqual([]);
  });

  it('takes a day whose processing found no input as not downloaded: its file is unrecorded', async () => {
    const out = await tempDir();
    await dayFile(out, DAYS[0]!, 3);
    const ledger = await LedgerWriter.open(join(out, 'download_telemetry.csv'));
    await ledger.append(row(DAYS[0]!, 'SKIPPED_NO_INPUT', ''));
    await ledger.close();
    const { checks, unrecorded } = await verifyOutput({ outputDir: out, telemetryFile: join(out, 'download_telemetry.csv') });
    expect(checks).toEqual([]);
    expect(unrecorded.map((a) => a.day)).toEqual([DAYS[0]]);
  });
});
