import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBackfill, type BackfillKey } from '../../../src/coord/backfill.js';
import { CoordDb } from '../../../src/coord/db.js';
import { LedgerScopeError, SchemaTooNewError } from '../../../src/coord/errors.js';
import { exportCsv, importCsv, ledgerCsv } from '../../../src/coord/ledger-csv.js';
import { LedgerTable } from '../../../src/coord/ledger-table.js';
import { migrate, SCHEMA_VERSION } from '../../../src/coord/schema.js';
import { latestByDay, parseLedger } from '../../../src/ledger/read.js';
import { LEDGER_COLUMNS, emptyRow, type LedgerRow } from '../../../src/ledger/schema.js';
import { LedgerWriter } from '../../../src/ledger/write.js';
import type { TelemetrySink } from '../../../src/download/run.js';
import { usePostgres } from '../../helpers/postgres.js';

const pgEnv = usePostgres();
let db: CoordDb;
let dir: string;

beforeAll(async () => {
  db = CoordDb.open(pgEnv.db().url, { maxConnections: 6 });
  dir = await mkdtemp(join(tmpdir(), 'reach-udl-coord-ledger-'));
});
afterAll(async () => {
  await db?.close();
  await rm(dir, { recursive: true, force: true });
});

const QUICKLOOK: BackfillKey = { sensorId: 'ALL', descriptor: 'QUICKLOOK', outputFormat: 'csv', outputLocation: '/data/ql' };

function row(day: string, status: string, extra: Partial<LedgerRow> = {}): LedgerRow {
  return {
    ...emptyRow(),
    run_id: 'run-1',
    chunk_date_utc: day,
    window_start_utc: `${day}T00:00:00+00:00`,
    status,
    sensor_id: 'ALL',
    descriptor: 'QUICKLOOK',
    output_format: 'csv',
    started_at_utc: `${day}T01:00:00.000000+00:00`,
    ...extra,
  };
}

/** What LedgerWriter (the CSV ledger) puts on disk for these rows. */
async function writtenByLedgerWriter(rows: readonly LedgerRow[], name: string): Promise<string> {
  const path = join(dir, name);
  const w = await LedgerWriter.open(path);
  for (const r of rows) await w.append(r);
  await w.close();
  return readFile(path, 'utf8');
}

describe('schema migrations', () => {
  it('four workers migrating at the same moment all succeed and apply each version once', async () => {
    const dbs = Array.from({ length: 4 }, () => CoordDb.open(pgEnv.db().url, { maxConnections: 1 }));
    try {
      const results = await Promise.all(dbs.map((d) => migrate(d)));
      expect(results.filter((r) => r.from === 0)).toHaveLength(1);
      expect(results.every((r) => r.to === SCHEMA_VERSION)).toBe(true);
      const v = await db.query<{ version: number }>('SELECT version FROM reach_udl.schema_version ORDER BY version');
      expect(v.rows.map((r) => r.version)).toEqual(Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1));
      expect(await migrate(db)).toEqual({ from: SCHEMA_VERSION, to: SCHEMA_VERSION });
    } finally {
      await Promise.all(dbs.map((d) => d.close()));
    }
  });

  it('refuses a database migrated by a newer reach-udl', async () => {
    await db.query('INSERT INTO reach_udl.schema_version (version) VALUES ($1)', [SCHEMA_VERSION + 1]);
    try {
      const err = await migrate(db).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SchemaTooNewError);
      expect((err as SchemaTooNewError).code).toBe('ERR_COORD_SCHEMA_TOO_NEW');
    } finally {
      await db.query('DELETE FROM reach_udl.schema_version WHERE version = $1', [SCHEMA_VERSION + 1]);
    }
  });
});

describe('ledger table', () => {
  // Also when this describe runs alone: migrate is a no-op on a migrated database.
  beforeAll(async () => {
    await migrate(db);
  });

  it('appends rows and reads them back in insertion order, so latestByDay works unchanged', async () => {
    const table = new LedgerTable(db, await openBackfill(db, { ...QUICKLOOK, outputLocation: '/data/order' }));
    const sink: TelemetrySink = table;
    const rows = [
      row('2024-01-02', 'DOWNLOAD_PENDING'),
      row('2024-01-01', 'DOWNLOAD_PENDING'),
      row('2024-01-02', 'DOWNLOADED', { records_downloaded: '86400', finished_at_utc: '2024-01-02T01:05:00.000000+00:00' }),
      row('2024-01-01', 'FAILED', { error_type: 'UdlHttpError', error_message: 'HTTP 500, "boom"\nline two' }),
    ];
    for (const r of rows) await sink.append(r);
    expect(await table.rows()).toEqual(rows);
    expect(await table.rows({ days: ['2024-01-01'] })).toEqual([rows[1], rows[3]]);
    const latest = latestByDay(await table.rows());
    expect(latest.get('2024-01-02')?.status).toBe('DOWNLOADED');
    expect(latest.get('2024-01-01')?.status).toBe('FAILED');
  });

  it('keeps backfills apart and refuses a row of another scope', async () => {
    const ql = new LedgerTable(db, await openBackfill(db, { ...QUICKLOOK, outputLocation: '/data/scope' }));
    const pv = new LedgerTable(db, await openBackfill(db, { ...QUICKLOOK, descriptor: 'PROVISIONAL', outputLocation: '/data/scope' }));
    const elsewhere = new LedgerTable(db, await openBackfill(db, { ...QUICKLOOK, outputLocation: '/data/scope-2' }));
    expect(ql.backfill.id).toBe((await openBackfill(db, { ...QUICKLOOK, outputLocation: '/data/scope' })).id);
    await ql.append(row('2024-02-01', 'DOWNLOADED'));
    await pv.append(row('2024-02-01', 'FAILED', { descriptor: 'PROVISIONAL' }));
    expect((await ql.rows()).map((r) => r.status)).toEqual(['DOWNLOADED']);
    expect((await pv.rows()).map((r) => r.status)).toEqual(['FAILED']);
    expect(await elsewhere.rows()).toEqual([]);
    const err = await ql.append(row('2024-02-01', 'DOWNLOADED', { descriptor: 'PROVISIONAL' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LedgerScopeError);
    expect((err as LedgerScopeError).code).toBe('ERR_COORD_LEDGER_SCOPE');
  });

  it('an append retried after a lost reply adds the row once', async () => {
    const table = new LedgerTable(db, await openBackfill(db, { ...QUICKLOOK, outputLocation: '/data/retry' }));
    const r = row('2024-03-01', 'DOWNLOADED');
    await table.append(r);
    await table.append(r);
    expect(await table.rows()).toHaveLength(1);
  });
});

describe('CSV migration', () => {
  beforeAll(async () => {
    await migrate(db);
  });

  const tricky = [
    row('2024-04-01', 'DOWNLOAD_PENDING'),
    row('2024-04-01', 'FAILED', { error_type: 'UdlHttpError', error_message: 'said "no", then, a comma\r\nand a CRLF' }),
    row('2024-04-02', 'DOWNLOADED', { csv_path: '/data/with space/ä.csv', availability_pct: '99.9988', csv_size_mb: '12.345' }),
    row('2024-04-03', 'SKIPPED_NO_DATA', { error_message: ' leading and trailing ' }),
    row('2024-04-04', 'UPLOADED', { s3_bucket: 'b', s3_key: 'k/"quoted"' }),
  ];

  it('exports exactly the bytes LedgerWriter writes for the same rows', async () => {
    const table = new LedgerTable(db, await openBackfill(db, { ...QUICKLOOK, outputLocation: '/data/export' }));
    for (const r of tricky) await table.append(r);
    const expected = await writtenByLedgerWriter(tricky, 'export.csv');
    expect(await exportCsv(table)).toBe(expected);
    expect(ledgerCsv([])).toBe(`${LEDGER_COLUMNS.join(',')}\n`);
  });

  it('imports a CSV ledger idempotently, and exports it back byte for byte', async () => {
    const table = new LedgerTable(db, await openBackfill(db, { ...QUICKLOOK, outputLocation: '/data/import' }));
    const foreign = row('2024-04-05', 'DOWNLOADED', { sensor_id: 'REACH-171' });
    const text = await writtenByLedgerWriter([...tricky, foreign, tricky[0]!], 'import.csv');
    expect(await importCsv(db, table, text)).toEqual({ read: 7, added: 6, present: 0, foreign: 1 });
    expect(await importCsv(db, table, text)).toEqual({ read: 7, added: 0, present: 6, foreign: 1 });
    // The identical second DOWNLOAD_PENDING row is kept as the second copy it is.
    expect(await exportCsv(table)).toBe(await writtenByLedgerWriter([...tricky, tricky[0]!], 'import-mine.csv'));
    // A worker's newer row, then the old file again: only the new row is added, nothing is lost.
    await table.append(row('2024-04-06', 'DOWNLOADED'));
    expect((await importCsv(db, table, text)).added).toBe(0);
    expect(await table.rows()).toHaveLength(7);
  });

  it('round-trips arbitrary cell text: CSV -> table -> CSV is the identity', async () => {
    const cell = fc.string({ unit: fc.constantFrom('a', 'Z', ' ', ',', '"', '\n', '\r', 'é', '0', ';') , maxLength: 12 });
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.record({ msg: cell, path: cell, status: fc.constantFrom('DOWNLOADED', 'FAILED', 'DOWNLOAD_PENDING') }), { minLength: 1, maxLength: 6 }), async (specs) => {
        const rows = specs.map((s, i) => row(`2024-05-${String(i + 1).padStart(2, '0')}`, s.status, { error_message: s.msg, csv_path: s.path }));
        const text = await writtenByLedgerWriter(rows, `prop-${n}.csv`);
        const table = new LedgerTable(db, await openBackfill(db, { ...QUICKLOOK, outputLocation: `/data/prop-${n++}` }));
        await importCsv(db, table, text);
        expect(await table.rows()).toEqual(parseLedger(text).rows);
        expect(await exportCsv(table)).toBe(text);
      }),
      { numRuns: 25 },
    );
  });
});
