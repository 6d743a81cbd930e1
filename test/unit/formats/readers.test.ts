/**
 * Reading artifacts back (format.read): what the writers wrote comes back field for field, the CSV
 * reader agrees with csv-parse on any table csv-stringify writes (quotes, commas, line breaks, CRLF,
 * non-ASCII, rows larger than the read window), id hashes equal idHash of the id, and a damaged file
 * fails with what is wrong instead of yielding a short day.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FORMATS, type OutputFormat } from '../../../src/formats/index.js';
import { idHash, idHashBytes } from '../../../src/formats/id-hash.js';
import type { ReadOptions } from '../../../src/formats/reader.js';
import { runs } from '../../helpers/runs.js';

let dir: string | undefined;
async function file(name: string, bytes: string | Buffer): Promise<string> {
  dir ??= await mkdtemp(join(tmpdir(), 'readers-'));
  const path = join(dir, name);
  await writeFile(path, bytes);
  return path;
}

/** Every batch of a read, joined: one array per field, and the id hashes when asked. */
async function readAll(format: OutputFormat, path: string, o: ReadOptions): Promise<{ columns: string[][]; hashes: number[] }> {
  const columns: string[][] = o.fields.map(() => []);
  const hashes: number[] = [];
  for await (const b of FORMATS[format].read(path, o)) {
    b.columns.forEach((c, f) => {
      expect(c).toHaveLength(b.count);
      columns[f]!.push(...c);
    });
    if (o.idHashes) hashes.push(...b.idHashes!);
  }
  return { columns, hashes };
}

/** An artifact of `records` written the way the downloader writes it. */
async function artifact(format: OutputFormat, records: object[]): Promise<string> {
  const f = FORMATS[format];
  const json = JSON.stringify(records);
  const body = Buffer.from(json);
  const ascii = body.length === json.length;
  const out = f.session().pageWriter().push({ bytes: body, text: ascii ? json : body.toString('utf8'), ascii });
  return file(`w${Math.random().toString(36).slice(2)}.${f.extension}`, Buffer.concat([f.head(out.keys), out.bytes.subarray(0, out.length), f.tail]));
}

const START = Date.UTC(2026, 0, 1);
const rec = (i: number) => ({
  id: i === 3 ? 'id-ü-"3"' : `id-${i}`,
  idSensor: `REACH-${100 + (i % 32)}`,
  obTime: new Date(START + Math.floor(i / 2) * 5000).toISOString(),
  lat: i % 5 === 0 ? null : -12.5 + i,
  senPos: [1.5 * i, -2, 3e-7],
  seoList: [{ obValue: 1e-7 * i, obDescription: 'DOSE1, "x"\nline' }],
});

describe.each(['csv', 'json'] as const)('%s reader', (format) => {
  const records = Array.from({ length: 300 }, (_, i) => rec(i));

  it('gives the chosen fields, nested ones included, in batches of the asked size', async () => {
    const path = await artifact(format, records);
    const fields = ['obTime', 'id', 'seoList[0].obValue', 'senPos[2]', 'lat', 'seoList[0].obDescription', 'absent'];
    const got = await readAll(format, path, { fields, batchSize: 7 });
    expect(got.columns[0]).toEqual(records.map((r) => r.obTime));
    expect(got.columns[1]).toEqual(records.map((r) => r.id));
    expect(got.columns[2]!.map(Number)).toEqual(records.map((r) => r.seoList[0]!.obValue));
    expect(got.columns[3]!.map(Number)).toEqual(records.map(() => 3e-7));
    expect(got.columns[4]).toEqual(records.map((r) => (r.lat === null ? '' : String(r.lat))));
    expect(got.columns[5]).toEqual(records.map(() => 'DOSE1, "x"\nline'));
    expect(got.columns[6]).toEqual(records.map(() => ''));
  });

  it('gives a nested field of a cell equal to the row above as its own walk would (pairs share senPos)', async () => {
    // Enough rows for the reader to keep comparing with the row above (it stops when that rarely pays).
    const many = Array.from({ length: 3000 }, (_, i) => {
      const pair = Math.floor(i / 2);
      return {
        senPos: [pair * 1.25, pair % 7 === 0 ? null : -2, 3],
        seoList: [{ obValue: i % 10 < 6 ? pair : i, ...(pair % 3 === 0 ? {} : { obDescription: `d${pair % 5}` }) }],
      };
    });
    const path = await artifact(format, many);
    const fields = ['senPos[0]', 'senPos[1]', 'senPos[2]', 'senPos[3]', 'seoList[0].obValue', 'seoList[0].obDescription'];
    const got = await readAll(format, path, { fields, batchSize: 5 });
    const text = (v: unknown): string => (v === null || v === undefined ? '' : String(v));
    expect(got.columns).toEqual([
      many.map((r) => text(r.senPos[0])),
      many.map((r) => text(r.senPos[1])),
      many.map((r) => text(r.senPos[2])),
      many.map(() => ''),
      many.map((r) => text(r.seoList[0]!.obValue)),
      many.map((r) => text(r.seoList[0]!.obDescription)),
    ]);
  });

  it('gives fields asked for as numbers as numbers where the bytes allow, else as text', async () => {
    const path = await artifact(format, records);
    const fields = ['obTime', 'lat', 'senPos[0]', 'senPos[2]', 'seoList[0].obValue'];
    const numbers = ['lat', 'senPos[0]', 'senPos[2]', 'seoList[0].obValue'];
    const got: Array<Array<number | string>> = fields.map(() => []);
    let fromBytes = 0;
    for await (const b of FORMATS[format].read(path, { fields, numbers, batchSize: 7 })) {
      expect(b.numbers[0]).toHaveLength(0);
      for (let f = 0; f < fields.length; f++) {
        for (let i = 0; i < b.count; i++) {
          const n = f === 0 ? Number.NaN : b.numbers[f]![i]!;
          if (!Number.isNaN(n)) {
            fromBytes++;
            expect(b.columns[f]![i]).toBe('');
          }
          const text = b.columns[f]![i]!;
          got[f]!.push(!Number.isNaN(n) ? n : f === 0 || text === '' ? text : Number(text));
        }
      }
    }
    const asRead = (v: number | null): number | string => (v === null ? '' : v);
    expect(got).toEqual([
      records.map((r) => r.obTime),
      records.map((r) => asRead(r.lat)),
      records.map((r) => asRead(r.senPos[0]!)),
      records.map(() => 3e-7),
      records.map((r) => asRead(r.seoList[0]!.obValue)),
    ]);
    expect(fromBytes).toBeGreaterThan(records.length);
  });

  it('gives the same values with reuse, every batch in the same arrays', async () => {
    const path = await artifact(format, records);
    const o = { fields: ['obTime', 'lat', 'senPos[0]', 'seoList[0].obDescription'], numbers: ['lat', 'senPos[0]'], idHashes: true, batchSize: 16 };
    // What a consumer sees of each batch before it asks for the next.
    const seen = async (reuse: boolean) => {
      const out: unknown[] = [];
      const arrays = new Set<unknown>();
      for await (const b of FORMATS[format].read(path, { ...o, reuse })) {
        arrays.add(b.columns[0]);
        for (let i = 0; i < b.count; i++) out.push([...b.columns.map((c) => c[i]), ...b.numbers.map((n) => n[i] ?? null), b.idHashes![i]]);
      }
      return { out, arrays: arrays.size };
    };
    const fresh = await seen(false);
    const reused = await seen(true);
    expect(reused.out).toEqual(fresh.out);
    expect(fresh.arrays).toBe(Math.ceil(records.length / 16));
    expect(reused.arrays).toBe(1);
  });

  it('hashes each id as idHash does, without the id column', async () => {
    const path = await artifact(format, records);
    const got = await readAll(format, path, { fields: [], idHashes: true });
    expect(got.hashes).toEqual(records.map((r) => idHash(r.id)));
  });

  it('fails on a file cut anywhere inside its last record', async () => {
    const f = FORMATS[format];
    const whole = await artifact(format, records.slice(0, 3));
    const bytes = await readFile(whole);
    const keep = f.extension === 'csv' ? bytes.lastIndexOf('\n', bytes.length - 2) + 1 : 0;
    // JSON may end in white space after its closing bracket: cutting only that leaves a whole file.
    const end = format === 'json' ? bytes.lastIndexOf(']') + 1 : bytes.length;
    for (let cut = end - 1; cut > keep; cut--) {
      const path = await file(`cut.${f.extension}`, bytes.subarray(0, cut));
      await expect(readAll(format, path, { fields: ['id'] }), `cut at ${cut} of ${bytes.length}`).rejects.toMatchObject({ code: 'ERR_ARTIFACT_READ' });
    }
  });
});

describe('idHash', () => {
  it('is the hash of the UTF-8 bytes, for ASCII and non-ASCII ids alike', () => {
    for (const id of ['', 'a', '45712bd8-dc9f-4515-9331-6c171eef9254', 'id-ü-"3"', '😀 x']) {
      const b = Buffer.from(id, 'utf8');
      expect(idHash(id)).toBe(idHashBytes(b, 0, b.length));
      expect(Number.isSafeInteger(idHash(id))).toBe(true);
    }
    expect(idHash('id-1')).not.toBe(idHash('id-2'));
  });
});

describe('CSV reader against csv-parse', () => {
  const cell = fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 12 }),
    fc.constantFrom('', '"', '""', ',', '\n', '\r\n', 'a,b', '"q"', ' lead', 'x\ry'),
    fc.string({ unit: fc.constantFrom('a', '"', ',', '\n', '\r', 'é'), maxLength: 8 }),
  );
  const table = fc.integer({ min: 1, max: 6 }).chain((width) =>
    fc.record({
      header: fc.uniqueArray(fc.stringMatching(/^[a-z]{1,6}$/), { minLength: width, maxLength: width }),
      rows: fc.array(fc.array(cell, { minLength: width, maxLength: width }), { maxLength: 30 }),
      crlf: fc.boolean(),
    }),
  );

  it('reads every cell of any table csv-stringify writes', async () => {
    await fc.assert(
      fc.asyncProperty(table, async ({ header, rows, crlf }) => {
        // With CRLF rows csv-stringify leaves a lone LF unquoted, which no reader can tell from a row end:
        // such cells are quoted there, as a CRLF writer must.
        const text = stringify([header, ...rows], crlf ? { record_delimiter: 'windows', quoted_match: /[\r\n]/ } : {});
        const path = await file('t.csv', text);
        const want = (parse(text, { columns: true }) as Array<Record<string, string>>).map((r) => header.map((h) => r[h]!));
        const got = await readAll('csv', path, { fields: header, batchSize: 4 });
        expect(got.columns.length ? got.columns[0]!.map((_, i) => got.columns.map((c) => c[i]!)) : []).toEqual(want);
      }),
      { numRuns: runs(200) },
    );
  });

  // Cells that often equal the row above's, or nearly: one byte apart (before, at and past 16 bytes), the
  // same length, a doubled quote or not. The scanner marks a cell equal to the row above's and the reader
  // reuses that row's value; a wrong mark would repeat a value here.
  const twin = fc.constantFrom(
    '',
    'a',
    'b',
    '1.5',
    '1.6',
    '-0.25',
    '2026-01-01T00:00:00.000Z',
    '2026-01-01T00:00:05.000Z',
    'x'.repeat(16),
    `${'x'.repeat(15)}y`,
    'x'.repeat(17),
    `${'x'.repeat(16)}y`,
    `"${'x'.repeat(15)}`,
    `${'x'.repeat(15)}"`,
    `${'p'.repeat(44)}q`,
    'p'.repeat(45),
    '[1.5,2,3]',
    '[1.5,2,4]',
  );

  it('gives each cell its own value when rows repeat the row above, as text and as numbers', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(twin, twin, twin), { minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 9 }), async (rows, batchSize) => {
        const header = ['a', 'b', 'c'];
        const text = stringify([header, ...rows]);
        const want = (parse(text, { columns: true }) as Array<Record<string, string>>).map((r) => header.map((h) => r[h]!));
        const got: string[][] = [];
        for await (const b of FORMATS.csv.read(await file('twins.csv', text), { fields: header, numbers: ['b', 'c'], batchSize })) {
          for (let i = 0; i < b.count; i++) got.push(header.map((_, f) => (Number.isNaN(b.numbers[f]?.[i] ?? Number.NaN) ? b.columns[f]![i]! : String(b.numbers[f]![i]))));
        }
        expect(got).toEqual(want);
      }),
      { numRuns: runs(300) },
    );
  });

  it('reads rows across read windows, and a row larger than the window', async () => {
    const big = 'z"'.repeat(700_000);
    const rows = Array.from({ length: 40_000 }, (_, i) => [`id-${i}`, i === 20_000 ? big : `v,${i}\n"`, String(i)]);
    const text = stringify([['id', 'v', 'n'], ...rows]);
    expect(text.length).toBeGreaterThan(3 << 20);
    const got = await readAll('csv', await file('big.csv', text), { fields: ['n', 'v'], idHashes: true });
    expect(got.columns[0]).toEqual(rows.map((r) => r[2]));
    expect(got.columns[1]).toEqual(rows.map((r) => r[1]));
    expect(got.hashes).toEqual(rows.map((r) => idHash(r[0]!)));
  });

  it('takes a byte-order mark and CRLF line ends; a lone CR is text', async () => {
    const got = await readAll('csv', await file('bom.csv', '\uFEFFid,obTime\r\na,1\r\n"b""",2\r\nc\rd,3\n'), { fields: ['id', 'obTime'] });
    expect(got.columns).toEqual([
      ['a', 'b"', 'c\rd'],
      ['1', '2', '3'],
    ]);
  });

  it.each([
    ['', /it is empty/],
    ['id,obTime', /cut short/],
    ['id,obTime\na,1\nb\n', /row 2 has 1 cells, the header 2/],
    ['id,obTime\na,1,\n', /row 1 has 3 cells, the header 2/],
    ['id,obTime\n"a"x,1\n', /row 1 has text after a closing quote/],
    ['id,obTime\na,1\nb,', /cut short/],
    ['id,obTime\na,1\nb,2', /cut short/],
    ['id,obTime\na,"1', /never closed/],
    ['id,obTime\na,"1"', /ends inside its last row/],
    ['id,obTime\na,1\r', /ends inside a line break/],
  ])('fails on %j', async (text, problem) => {
    await expect(readAll('csv', await file('bad.csv', text), { fields: ['id'] })).rejects.toThrow(problem);
  });
});

describe('the generated WebAssembly', () => {
  it('is what the .wat files compile to', () => {
    const root = fileURLToPath(new URL('../../..', import.meta.url));
    const r = spawnSync(process.execPath, ['scripts/build-wasm.mjs', '--check'], { cwd: root, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
