/**
 * The JSON reader on any array of records, not just what json-writer.ts writes: blanks anywhere, keys in
 * any order and any set, escapes, records cut by the read window anywhere; each wanted field equals
 * JSON.parse's value (numbers as written, null and absent as "").
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FORMATS } from '../../../src/formats/index.js';
import type { ReadOptions } from '../../../src/formats/reader.js';
import { runs } from '../../helpers/runs.js';

let dir: string | undefined;
async function file(name: string, text: string): Promise<string> {
  dir ??= await mkdtemp(join(tmpdir(), 'json-reader-'));
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

/** Each field's text and number per record, in file order. */
async function read(path: string, o: ReadOptions): Promise<Array<Array<string | number>>> {
  const out: Array<Array<string | number>> = o.fields.map(() => []);
  for await (const b of FORMATS.json.read(path, o)) {
    for (let f = 0; f < o.fields.length; f++) {
      for (let i = 0; i < b.count; i++) {
        const n = b.numbers[f]?.[i] ?? Number.NaN;
        out[f]!.push(Number.isNaN(n) ? b.columns[f]![i]! : n);
      }
    }
  }
  return out;
}

type Scalar = string | number | boolean | null;
/** What the reader gives for a scalar read as text: strings decoded, the rest as JSON.stringify writes them, null "". */
const text = (v: Scalar | undefined): string => (v === undefined || v === null ? '' : typeof v === 'string' ? v : JSON.stringify(v));

const scalar: fc.Arbitrary<Scalar> = fc.oneof(
  fc.string({ unit: fc.constantFrom('a', '"', '\\', '\n', '\t', 'é', '😀', ' ', ',', '}', ']', '{'), maxLength: 20 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
);
const record = fc.record(
  {
    a: scalar,
    b: scalar,
    obTime: fc.string({ maxLength: 30 }),
    'k"q': scalar,
    ü: scalar,
    n: fc.array(fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.string({ maxLength: 8 }), fc.constant(null)), { maxLength: 3 }),
    skip: fc.oneof(fc.constant([{ x: '"]}' }, [[]]]), fc.dictionary(fc.string({ maxLength: 4 }), fc.string({ maxLength: 4 }), { maxKeys: 3 })),
  },
  { requiredKeys: [] },
);
/** A record's members in its own order, written with blanks drawn for each gap. */
const blanks = fc.constantFrom('', '', '', ' ', '\n', '\r\n\t', '  ');
const writtenRecord = fc.tuple(record, fc.array(blanks, { minLength: 32, maxLength: 32 }), fc.boolean()).map(([r, gaps, reversed]) => {
  const members = Object.entries(r);
  if (reversed) members.reverse();
  const g = (i: number): string => gaps[i % gaps.length]!;
  const body = members.map(([k, v], i) => `${g(4 * i)}${JSON.stringify(k)}${g(4 * i + 1)}:${g(4 * i + 2)}${JSON.stringify(v)}${g(4 * i + 3)}`).join(',');
  return { r, json: `{${body}}` };
});

describe('json reader against JSON.parse', () => {
  const fields = ['a', 'b', 'obTime', 'k"q', 'ü', 'n[0]', 'n[2]', 'absent'];
  const check = async (records: Array<{ r: Record<string, unknown>; json: string }>, lead: string, batchSize: number): Promise<void> => {
    const path = await file('p.json', `${lead}[${records.map((x, i) => `${i % 3 === 0 ? '\n' : ''}${x.json}`).join(',')}]\n`);
    const got = await read(path, { fields, numbers: ['a', 'n[0]'], batchSize });
    const parsed = records.map((x) => JSON.parse(x.json) as Record<string, unknown>);
    const asNumber = (v: unknown): string | number => (typeof v === 'number' ? v : text(v as Scalar));
    // A number the reader could not read from its bytes comes as its text.
    for (const [f, path] of [[0, ['a']], [5, ['n', 0]]] as const) {
      got[f] = got[f]!.map((g, i) => (typeof g === 'string' && typeof path.reduce<unknown>((v, k) => (v as never)?.[k], parsed[i]) === 'number' ? Number(g) : g));
    }
    expect(got).toEqual([
      parsed.map((r) => asNumber(r.a)),
      parsed.map((r) => text(r.b as Scalar)),
      parsed.map((r) => text(r.obTime as Scalar)),
      parsed.map((r) => text(r['k"q'] as Scalar)),
      parsed.map((r) => text(r.ü as Scalar)),
      parsed.map((r) => asNumber((r.n as Scalar[] | undefined)?.[0])),
      parsed.map((r) => text((r.n as Scalar[] | undefined)?.[2])),
      parsed.map(() => ''),
    ]);
  };

  it('reads the wanted fields of any records, however written', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(writtenRecord, fc.boolean()), { maxLength: 40 }), blanks, fc.integer({ min: 1, max: 9 }), async (drawn, lead, batchSize) => {
        // Some records twice in a row: the reader compares a value with the record before's.
        await check(drawn.flatMap(([x, twice]) => (twice ? [x, x] : [x])), lead, batchSize);
      }),
      { numRuns: runs(300) },
    );
  });

  it('reads records cut anywhere by its 1 MiB read windows', async () => {
    // ~2.6 MB of records of drawn shapes: the window edges fall inside keys, leads, strings, numbers and
    // nested values, at a different place for each shift of the text.
    const records = fc.sample(writtenRecord, { numRuns: 20000, seed: 42 });
    expect(records.reduce((n, x) => n + x.json.length, 0)).toBeGreaterThan(2.1e6);
    for (const shift of [0, 7, 30]) await check(records, ' '.repeat(shift), 1024);
  });
});

describe('json reader, values like those of the record before', () => {
  // Values often equal the record before's, or nearly: one byte apart before, at and past 8 and 16
  // bytes, the same length. The scanner marks a value equal to the one at its place in the record
  // before and the reader reuses what it read there; a wrong mark would repeat a value here.
  const twin = fc.constantFrom<Scalar | number[]>(
    1.5,
    1.6,
    -0.25,
    'a',
    'b',
    '2026-01-01T00:00:00.000Z',
    '2026-01-01T00:00:05.000Z',
    'x'.repeat(16),
    `${'x'.repeat(15)}y`,
    `${'x'.repeat(44)}q`,
    'x'.repeat(45),
    null,
    [1.5, 2, 3],
    [1.5, 2, 4],
  );
  const rec = fc.record({ a: twin, b: twin, c: twin, extra: fc.constant(0) }, { requiredKeys: ['a', 'b', 'c'] });

  it('gives each record its own values', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(rec, { minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 9 }), async (records, batchSize) => {
        const path = await file('twins.json', JSON.stringify(records));
        const got = await read(path, { fields: ['a', 'b', 'c[2]'], numbers: ['a', 'c[2]'], batchSize });
        const asRead = (v: unknown): string | number => (typeof v === 'number' ? v : Array.isArray(v) ? JSON.stringify(v) : text(v as Scalar));
        expect(got).toEqual([
          records.map((r) => asRead(r.a)),
          records.map((r) => (typeof r.b === 'number' ? String(r.b) : asRead(r.b))),
          records.map((r) => (Array.isArray(r.c) ? r.c[2]! : '')),
        ]);
      }),
      { numRuns: runs(300) },
    );
  });
});

describe('json reader, records whose keys move', () => {
  it('reads each record by its own keys when blanks, order and key sets change from one record to the next', async () => {
    const text = `[{"a": 1, "b":"x"},
      {"a": 2, "b": "y"},
      {"a":  3, "b":"z"},
      {"b":"w","a":4},
      {"a":5},
      {"a":6,"b":"v","c":[1]},
      {"a" :7 ,"b" : "u"},
      {}]`;
    const path = await file('moving-keys.json', text);
    expect(await read(path, { fields: ['a', 'b'], numbers: ['a'], batchSize: 3 })).toEqual([
      [1, 2, 3, 4, 5, 6, 7, ''],
      ['x', 'y', 'z', 'w', '', 'v', 'u', ''],
    ]);
  });

  it('reads a key longer than the scanner keeps, and a record with more members than it keeps', async () => {
    const long = 'k'.repeat(200);
    const wide = Object.fromEntries(Array.from({ length: 1500 }, (_, i) => [`m${i}`, i]));
    const records = [{ [long]: 'x', ...wide }, { [long]: 'y', ...wide, m1499: 'last' }, { m1499: 'z' }];
    const path = await file('wide.json', JSON.stringify(records));
    expect(await read(path, { fields: [long, 'm1499'], batchSize: 2 })).toEqual([
      ['x', 'y', ''],
      ['1499', 'last', 'z'],
    ]);
  });
});

describe('json reader, at the edges of its read windows', () => {
  it('reads a record whose window ends anywhere around a comma between its keys', async () => {
    // Windows are 1 MiB: pad the first key's value so that a comma (and blanks) fall at the edge.
    for (const [before, after] of [
      [0, 0],
      [1, 0],
      [0, 1],
      [0, 2],
    ] as const) {
      const head = '[{"pad":"';
      const n = (1 << 20) - 1 - before - head.length - 1;
      const text = `${head}${'x'.repeat(n)}"${' '.repeat(before)},${' '.repeat(after)}"obTime":"t1"},{"obTime":"t2"}]`;
      const path = await file(`edge-${before}-${after}.json`, text);
      expect(await read(path, { fields: ['obTime'] })).toEqual([['t1', 't2']]);
    }
  });
});

describe('json reader, damaged files', () => {
  const wide = `[{${Array.from({ length: 4097 }, (_, i) => `"m${i}":1`).join(',')}}]`;
  const cases: Array<[string, RegExp]> = [
    ['', /not a whole JSON array/],
    ['{"a":1}', /not a JSON array/],
    ['[1]', /element 0 is not an object/],
    ['[{"a":1} {"a":2}]', /expected ',' or '\]' after record 0/],
    ['[{"a":1 "b":2}]', /record 0: expected ',' or '}'/],
    ['[{"a":1},{,}]', /record 1: expected a key/],
    ['[{"a" 1}]', /record 0: expected ':'/],
    ['[{"a":1}', /not a whole JSON array/],
    ['[{"a":"1}]', /not a whole JSON array/],
    ['[{"a":1}] x', /text after the end of the array/],
    [wide, /record 0 has more than 4096 members/],
  ];
  it.each(cases.map(([text, problem]) => [text === wide ? 'a record of 4097 members' : JSON.stringify(text), text, problem] as const))('fails on %s', async (_name, text, problem) => {
    await expect(read(await file('bad.json', text), { fields: ['a'] })).rejects.toThrow(problem);
  });
});
