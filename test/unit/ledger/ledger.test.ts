import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LedgerFormatError, latestByDay, parseLedger, readLedger } from '../../../src/ledger/read.js';
import { LEDGER_COLUMNS, emptyRow, type LedgerRow } from '../../../src/ledger/schema.js';
import { LedgerWriter } from '../../../src/ledger/write.js';
import { tempDir } from '../../helpers/cli.js';

const HEADER = LEDGER_COLUMNS.join(',');
const line = (over: Partial<LedgerRow>) => LEDGER_COLUMNS.map((c) => over[c] ?? '').join(',');

describe('parseLedger', () => {
  it('reads rows by header name, keeping processing-phase statuses', () => {
    const text = [HEADER, line({ chunk_date_utc: '2026-01-01', status: 'DOWNLOADED', records_downloaded: '5' }), line({ chunk_date_utc: '2026-01-01', status: 'PROCESSED' })].join('\n');
    const rows = parseLedger(text).rows;
    expect(rows.map((r) => r.status)).toEqual(['DOWNLOADED', 'PROCESSED']);
    expect(rows[0]!.records_downloaded).toBe('5');
  });
  it('ignores rows with a bad date or unknown status, and a last line cut short by a crash', () => {
    const text = [
      HEADER,
      line({ chunk_date_utc: '2026-02-30', status: 'DOWNLOADED' }),
      line({ chunk_date_utc: 'garbage', status: 'DOWNLOADED' }),
      line({ chunk_date_utc: '2026-01-01', status: 'WHATEVER' }),
      line({ chunk_date_utc: '2026-01-02', status: 'FAILED', error_message: '"quoted, with comma"' }),
      '1f2e,2026-01-03,"2026-01-03T00:00:00+00:00,DOWNL',
    ].join('\n');
    const rows = parseLedger(text).rows;
    expect(rows.map((r) => r.chunk_date_utc)).toEqual(['2026-01-02']);
  });
  it('rejects a file that is not a ledger', () => {
    expect(() => parseLedger('name,value\na,1\n', 'x.csv')).toThrow(LedgerFormatError);
    expect(() => parseLedger('\u0000\u00ff\u0013binary\u0000stuff', 'x.csv')).toThrow(/not a reach-udl telemetry ledger/);
  });
  it('treats an empty file or a header cut short as an empty ledger', () => {
    expect(parseLedger('').rows).toEqual([]);
    expect(parseLedger('run_id,chunk_da').rows).toEqual([]);
  });
});

describe('latestByDay', () => {
  it('picks the latest started_at_utc, file order breaking ties, microseconds counted', () => {
    const r = (status: string, started: string): LedgerRow => ({ ...emptyRow(), chunk_date_utc: '2026-01-01', status, started_at_utc: started });
    const rows = [
      r('DOWNLOADED', '2026-01-05T00:00:00.000200+00:00'),
      r('FAILED', '2026-01-05T00:00:00.000100+00:00'),
      r('DOWNLOAD_PENDING', '2026-01-04T00:00:00.000000+00:00'),
    ];
    expect(latestByDay(rows).get('2026-01-01')!.status).toBe('DOWNLOADED');
    const tie = [r('DOWNLOAD_PENDING', '2026-01-05T00:00:00.000000+00:00'), r('DOWNLOADED', '2026-01-05T00:00:00.000000+00:00')];
    expect(latestByDay(tie).get('2026-01-01')!.status).toBe('DOWNLOADED');
  });
});

describe('LedgerWriter', () => {
  it('writes the header once, then rows that read back identically', async () => {
    const dir = await tempDir('ledger-');
    const path = join(dir, 'download_telemetry.csv');
    const row: LedgerRow = { ...emptyRow(), chunk_date_utc: '2026-01-01', status: 'FAILED', error_message: 'a "quoted", comma\nand newline' };
    for (let i = 0; i < 2; i++) {
      const w = await LedgerWriter.open(path);
      await w.append(row);
      await w.close();
    }
    const text = await readFile(path, 'utf8');
    expect(text.split('\n')[0]).toBe(HEADER);
    expect(text.match(/^run_id,/gm)).toHaveLength(1);
    expect(await readLedger(path)).toEqual([row, row]);
  });
  it('closes off a last line cut short so the next row starts clean', async () => {
    const dir = await tempDir('ledger-');
    const path = join(dir, 't.csv');
    await writeFile(path, `${HEADER}\n${line({ chunk_date_utc: '2026-01-01', status: 'DOWNLOADED' })}\nabc,2026-01-02,"cut`);
    const w = await LedgerWriter.open(path);
    await w.append({ ...emptyRow(), chunk_date_utc: '2026-01-03', status: 'DOWNLOADED' });
    await w.close();
    const days = (await readLedger(path)).map((r) => r.chunk_date_utc);
    expect(days).toContain('2026-01-01');
    expect(days).toContain('2026-01-03');
  });
  it('rewrites a header cut short by a crash', async () => {
    const dir = await tempDir('ledger-');
    const path = join(dir, 't.csv');
    await writeFile(path, 'run_id,chunk_date');
    const w = await LedgerWriter.open(path);
    await w.append({ ...emptyRow(), chunk_date_utc: '2026-01-03', status: 'DOWNLOADED' });
    await w.close();
    expect((await readFile(path, 'utf8')).startsWith(`${HEADER}\n`)).toBe(true);
    expect(await readLedger(path)).toHaveLength(1);
  });
  it('reads a missing file as empty', async () => {
    expect(await readLedger(join(tmpdir(), 'does-not-exist-ledger.csv'))).toEqual([]);
  });
});

describe('LedgerWriter after a row without its newline', () => {
  it('keeps a whole last row and starts the next on a new line', async () => {
    const dir = await tempDir('ledger-');
    const path = join(dir, 't.csv');
    await writeFile(path, `${HEADER}\n${line({ chunk_date_utc: '2026-01-01', status: 'DOWNLOADED' })}`);
    const w = await LedgerWriter.open(path);
    await w.append({ ...emptyRow(), chunk_date_utc: '2026-01-02', status: 'DOWNLOADED' });
    await w.close();
    expect((await readLedger(path)).map((r) => r.chunk_date_utc)).toEqual(['2026-01-01', '2026-01-02']);
  });
});

describe('a last row cut short', () => {
  it('is not read, even when the fields it kept look valid', () => {
    const whole = line({ chunk_date_utc: '2026-01-01', status: 'DOWNLOADED' });
    const cut = line({ chunk_date_utc: '2026-01-02', status: 'DOWNLOADED', started_at_utc: '2026-01-02T00:00:00.000000+00:00' }).slice(0, -8);
    expect(parseLedger(`${HEADER}\n${whole}\n${cut}`).rows.map((r) => r.chunk_date_utc)).toEqual(['2026-01-01']);
  });
});
