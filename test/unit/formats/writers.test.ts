import { stringify } from 'csv-stringify/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { createCsvPageTranscoder, transcodePageToCsv, type CsvPage } from '../../../src/formats/csv-writer.js';
import { splitPageJson } from '../../../src/formats/json-writer.js';
import { csvHeader, referenceCsv } from '../../../src/formats/reference.js';
import { isCanonicalNumber } from '../../../src/formats/numbers.js';
import { PageFormatError } from '../../../src/formats/json-scan.js';
import { Piece } from '../../../src/formats/piece.js';
import { csvFormat } from '../../../src/formats/csv.js';
import { jsonFormat } from '../../../src/formats/json.js';
import { runs } from '../../helpers/runs.js';

// Two records as the UDL sends them (from the REACH samples), pretty-printed the way the samples are.
const SAMPLE_RECORDS = [
  {
    id: 'd8d53569-4404-49ea-970b-cc23685a30e1',
    classificationMarking: 'U',
    dataType: 'ECP',
    genTime: '2025-12-01T01:30:10.286Z',
    idOnOrbit: '41917',
    satNo: 41917,
    idSensor: 'REACH-105',
    origSensorId: '3',
    observatoryType: 'ONORBIT',
    observatoryName: 'Iridium-106',
    instrumentType: 'DOSIMETER',
    lat: -63.3098145203956,
    lon: -71.6061141616536,
    alt: 803.1896429092334,
    senPos: [3235.698743768994, -84.21590398104829, -6400.10486022768],
    obSetId: 'REACH_U',
    particleType: 'PROTONS',
    obTime: '2025-12-01T00:00:00.000Z',
    seoList: [
      { obType: 'Energetic Charged Particle', obUoM: 'rad/second', obValue: 0, obQuality: '4', obDescription: 'DOSE2 (Flavor U) in rad/second' },
    ],
    descriptor: 'QUICKLOOK',
    createdAt: '2025-12-01T01:31:11.010Z',
    createdBy: 'system.reach',
    source: 'Aerospace',
    dataMode: 'REAL',
    origNetwork: 'OPS1',
  },
  {
    id: '00ef9c44-e3fc-48ca-a55e-67e910944eff',
    classificationMarking: 'U',
    dataType: 'ECP',
    genTime: '2025-12-01T01:30:07.591Z',
    idOnOrbit: '43479',
    satNo: 43479,
    idSensor: 'REACH-164',
    origSensorId: '1',
    observatoryType: 'ONORBIT',
    observatoryName: 'Iridium-152',
    instrumentType: 'DOSIMETER',
    lat: -30.828367173475723,
    lon: -76.8306860107438,
    alt: 790.1304602128581,
    senPos: [6124.617968499559, -721.154778049682, -3658.4427563625213],
    obSetId: 'REACH_W',
    particleType: 'PROTONS',
    obTime: '2025-12-01T00:00:00.000Z',
    seoList: [
      {
        obType: 'Energetic Charged Particle',
        obUoM: 'rad/second',
        obValue: 9.200000000000003e-5,
        obQuality: '0',
        obDescription: 'DOSE2 (Flavor W) in rad/second',
      },
    ],
    descriptor: 'QUICKLOOK',
    createdAt: '2025-12-01T01:31:21.487Z',
    createdBy: 'system.reach',
    source: 'Aerospace',
    dataMode: 'REAL',
    origNetwork: 'OPS1',
  },
];

/** Python's json.dump(indent=4) style, as in the samples: "0.0" and "9.200000000000003e-05". */
const PRETTY_SAMPLE = JSON.stringify(SAMPLE_RECORDS, null, 4)
  .replace('"obValue": 0,', '"obValue": 0.0,')
  .replace('9.200000000000003e-5', '9.200000000000003e-05');

type Parsed = Record<string, unknown>;

function parsedRecords(body: string): Parsed[] {
  if (body.trim() === '') return [];
  const v = JSON.parse(body) as unknown;
  if (v === null) return [];
  return (Array.isArray(v) ? v : [v]) as Parsed[];
}

/** Rows, row ends and obTimes as the reference semantics define them, one record at a time. */
/**
 * The writers produce bytes: text goes out as UTF-8, where a lone surrogate (which JSON can escape, but
 * bytes cannot hold) becomes U+FFFD in every writer alike. References are compared in that form.
 */
function utf8(s: string): string {
  return Buffer.from(s, 'utf8').toString('utf8');
}

/** The value with every string and key in UTF-8's form (numbers untouched). */
function wellFormed(v: unknown): unknown {
  if (typeof v === 'string') return utf8(v);
  if (Array.isArray(v)) return v.map(wellFormed);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [utf8(k), wellFormed(x)]));
  return v;
}

function expectedDetails(body: string, keys: string[]): { rows: string; ends: number[]; obTimes: string[] } {
  const options = { cast: { boolean: (b: boolean) => (b ? 'true' : 'false') } };
  let total = 0;
  let rows = '';
  const ends: number[] = [];
  const obTimes: string[] = [];
  for (const r of parsedRecords(utf8(body))) {
    const row = utf8(stringify([keys.map((k) => (Object.hasOwn(r, k) ? r[k] : undefined))], options));
    rows += row;
    total += row.length;
    ends.push(total);
    const t = Object.hasOwn(r, 'obTime') ? r['obTime'] : undefined;
    obTimes.push(typeof t === 'string' ? utf8(t) : '');
  }
  return { rows, ends, obTimes };
}

/** The fast path against the reference: keys, rows, row ends, obTimes, and the JSON split. */
function checkPage(body: string): CsvPage {
  const ref = referenceCsv(utf8(body));
  const page = transcodePageToCsv(body);
  expect(page.keys.map(utf8)).toEqual(ref.keys.map(utf8));
  expect(page.rows).toBe(utf8(ref.rows));
  const { ends, obTimes } = expectedDetails(body, ref.keys);
  expect(page.count).toBe(ends.length);
  expect(Array.from(page.rowEnds)).toEqual(ends);
  expect(page.obTimes.map(utf8)).toEqual(obTimes);
  const json = splitPageJson(body);
  expect(json.count).toBe(ends.length);
  expect(json.obTimes.map(utf8)).toEqual(obTimes);
  const wellFormedBody = utf8(body);
  const parsed = parsedRecords(wellFormedBody);
  let from = 0;
  json.records.forEach((text, i) => {
    expect(wellFormed(JSON.parse(text))).toEqual(wellFormed(parsed[i]));
    const at = wellFormedBody.indexOf(text, from);
    expect(at).toBeGreaterThanOrEqual(from);
    from = at + text.length;
  });
  return page;
}

function csvOf(body: string): string {
  checkPage(body);
  return transcodePageToCsv(body).rows;
}

function expectPageError(body: string): PageFormatError[] {
  return [referenceCsv, transcodePageToCsv, splitPageJson].map((f) => {
    let caught: unknown;
    try {
      f(body);
    } catch (err) {
      caught = err;
    }
    expect(caught, `${f.name} should reject ${JSON.stringify(body.slice(0, 80))}`).toBeInstanceOf(PageFormatError);
    expect((caught as PageFormatError).code).toBe('ERR_PAGE_FORMAT');
    return caught as PageFormatError;
  });
}

describe('page leniency', () => {
  it.each(['', '   ', '\n\t\r ', 'null', ' null\n', '[]', ' [ \n ] '])('reads %j as no records', (body) => {
    const page = checkPage(body);
    expect(page).toMatchObject({ keys: [], rows: '', obTimes: [], count: 0 });
  });

  it('reads a bare object as one record', () => {
    const page = checkPage('  {"a":1,"obTime":"2026-01-01T00:00:00.000Z"}\n');
    expect(page.rows).toBe('1,2026-01-01T00:00:00.000Z\n');
    expect(page.obTimes).toEqual(['2026-01-01T00:00:00.000Z']);
  });

  it('reads pretty-printed pages like the samples', () => {
    const page = checkPage(PRETTY_SAMPLE);
    expect(page.count).toBe(2);
    expect(page.rows.split('\n')[1]).toBe(
      '00ef9c44-e3fc-48ca-a55e-67e910944eff,U,ECP,2025-12-01T01:30:07.591Z,43479,43479,REACH-164,1,ONORBIT,Iridium-152,DOSIMETER,' +
        '-30.828367173475723,-76.8306860107438,790.1304602128581,"[6124.617968499559,-721.154778049682,-3658.4427563625213]",' +
        'REACH_W,PROTONS,2025-12-01T00:00:00.000Z,' +
        '"[{""obType"":""Energetic Charged Particle"",""obUoM"":""rad/second"",""obValue"":0.00009200000000000003,' +
        '""obQuality"":""0"",""obDescription"":""DOSE2 (Flavor W) in rad/second""}]",QUICKLOOK,2025-12-01T01:31:21.487Z,' +
        'system.reach,Aerospace,REAL,OPS1',
    );
  });

  it('reads compact pages of sample records, many times over', () => {
    const records = Array.from({ length: 300 }, (_, i) => ({ ...SAMPLE_RECORDS[i % 2]!, satNo: i, lat: i / 7 }));
    const page = checkPage(JSON.stringify(records));
    expect(page.count).toBe(300);
  });

  it('reads long pages, also when text beyond Latin-1 turns up late in one', () => {
    const records = Array.from({ length: 3000 }, (_, i) => ({ ...SAMPLE_RECORDS[i % 2]!, satNo: i, lat: i / 7, alt: 800 + i / 3 }));
    const latin1 = JSON.stringify(records);
    expect(checkPage(latin1).rows.length).toBeGreaterThan(1 << 20);
    records[2500] = { ...records[2500]!, obSetId: 'REACH_€', idSensor: 'REACH-😀' };
    checkPage(JSON.stringify(records));
    checkPage(latin1);
  });
});

describe('page errors', () => {
  it.each([
    ['[', 'truncated'],
    ['[{"a":1}', 'truncated'],
    ['[{"a":1},{"a":', 'truncated'],
    ['[{"a":"abc', 'offset'],
    ['[1,2]', 'not an object'],
    ['[{"a":1},null]', 'not an object'],
    ['[[{"a":1}]]', 'not an object'],
    ['"text"', 'not an array'],
    ['42', 'not an array'],
    ['true', 'not an array'],
    ['{"a":1}{"b":2}', 'offset'],
    ['[{"a":1}] x', 'offset'],
    ['[{"a":1},]', 'offset'],
    ['[,{"a":1}]', 'offset'],
    ['[{"a":01}]', 'offset'],
    ['[{"a":1.}]', 'offset'],
    ['[{"a":"\u0001"}]', 'offset'],
    ['[{"a":"\\x"}]', 'offset'],
    ['[{"a":tru}]', 'offset'],
    ['[{a:1}]', 'offset'],
    ['\ufeff[{"a":1}]', 'offset'],
    ['nul', 'offset'],
    ['[{"a":1}', 'truncated'],
  ])('rejects %j (%s)', (body, words) => {
    for (const err of expectPageError(body)) expect(err.message).toContain(words);
  });

  it('says where and quotes little of the body', () => {
    const long = 'x'.repeat(500);
    const body = `[{"a":"${long}","b":${long}}]`;
    for (const err of expectPageError(body)) {
      expect(err.message).toMatch(/offset \d+/);
      expect(err.message).not.toContain('x'.repeat(61));
      expect(err.message.length).toBeLessThan(200);
    }
    const truncated = JSON.stringify(SAMPLE_RECORDS).slice(0, 700);
    for (const err of expectPageError(truncated)) {
      expect(err.message).toContain('offset 700');
      expect(err.offset).toBe(700);
    }
  });
});

describe('cells', () => {
  it('writes missing keys and null as empty cells, in first-appearance key order', () => {
    const page = checkPage('[{"a":1,"b":null},{"c":"x"},{"b":true,"a":false}]');
    expect(page.keys).toEqual(['a', 'b', 'c']);
    expect(page.rows).toBe('1,,\n,,x\nfalse,true,\n');
  });

  it('pads earlier rows when later records bring new keys', () => {
    expect(csvOf('[{},{"a":1},{}]')).toBe('\n1\n\n');
    expect(csvOf('[{},{},{"a":1,"b":2}]')).toBe(',\n,\n1,2\n');
    expect(csvOf('[{"a":1},{"a":2},{"a":3,"b":4},{"c":5}]')).toBe('1,,\n2,,\n3,4,\n,,5\n');
  });

  it('prints numbers as String(value)', () => {
    const cases: [string, string][] = [
      ['0.0', '0'],
      ['-0', '0'],
      ['-0.0', '0'],
      ['9.200000000000003e-05', '0.00009200000000000003'],
      ['1E3', '1000'],
      ['1e+21', '1e+21'],
      ['1e21', '1e+21'],
      ['123456789012345678901', '123456789012345680000'],
      ['0.000001', '0.000001'],
      ['0.0000001', '1e-7'],
      ['1.50', '1.5'],
      ['100', '100'],
      ['-1e+31', '-1e+31'],
      ['0.30000000000000004', '0.30000000000000004'],
      ['0.3000000000000000444', '0.30000000000000004'],
      ['9007199254740993', '9007199254740992'],
      ['1e400', 'Infinity'],
      ['-1e400', '-Infinity'],
      ['5e-324', '5e-324'],
      ['2.5e-324', '5e-324'],
      ['1e-400', '0'],
      ['3235.698743768994', '3235.698743768994'],
      ['3235.6987437689940', '3235.698743768994'],
      ['6.910299003322243e-08', '6.910299003322243e-8'],
      ['6.910299003322243e-8', '6.910299003322243e-8'],
      ['1.0186092066601347e-7', '1.0186092066601347e-7'],
      ['1.79769334809917e+308', 'Infinity'],
      ['1.7976931348623157e+308', '1.7976931348623157e+308'],
      ['1.7976931348623159e+308', 'Infinity'],
      ['2.2250738585072014e-308', '2.2250738585072014e-308'],
    ];
    for (const [text, cell] of cases) {
      expect(csvOf(`[{"n":${text}}]`)).toBe(`${cell}\n`);
      expect(csvOf(`[{"n":[${text}]},{"n":[${text}]}]`).split('\n')[0]).toBe(JSON.stringify([JSON.parse(text)]));
    }
  });

  it('writes arrays of numbers of any length', () => {
    const body = JSON.stringify([3, 3, 2, 1, 0, 3, 5].map((n, i) => ({ id: `r${i}`, senPos: [1.5, -2.25, 3e-7, 1e21, 4, 5].slice(0, n) })));
    expect(csvOf(body).split('\n')).toEqual([
      'r0,"[1.5,-2.25,3e-7]"',
      'r1,"[1.5,-2.25,3e-7]"',
      'r2,"[1.5,-2.25]"',
      'r3,[1.5]',
      'r4,[]',
      'r5,"[1.5,-2.25,3e-7]"',
      'r6,"[1.5,-2.25,3e-7,1e+21,4]"',
      '',
    ]);
    expect(csvOf('[{"p":[1,2]},{"p":[1.0,2E0]},{"p":[1e400,-0]},{"p":[1,2]}]')).toBe('"[1,2]"\n"[1,2]"\n"[null,0]"\n"[1,2]"\n');
  });

  it('writes nested values as compact JSON', () => {
    expect(csvOf('[{"s":[ 1 , 2.50 ],"o":{ "k" : "v\\/\\u00e9" , "n" : null }}]')).toBe('"[1,2.5]","{""k"":""v/é"",""n"":null}"\n');
    expect(csvOf('[{"a":[],"b":{},"c":[1],"d":[null],"e":[true,false]}]')).toBe('[],{},[1],[null],"[true,false]"\n');
    expect(csvOf('[{"a":[1e400]},{"a":[1e400]}]')).toBe('[null]\n[null]\n');
    expect(csvOf('[{"a":["\\ud800"]},{"a":["\ud800"]},{"a":["😀"]}]')).toBe('"[""\\ud800""]"\n"[""\ufffd""]"\n"[""😀""]"\n');
  });

  it('quotes like csv-stringify', () => {
    expect(csvOf('[{"a":"x,y","b":"say \\"hi\\"","c":"l1\\nl2","d":"cr\\r","e":"","f":" padded ","g":"\'"}]')).toBe(
      '"x,y","say ""hi""","l1\nl2","cr\r",, padded ,\'\n',
    );
    expect(csvOf('[{"a":"x,y"},{"a":"xy"},{"a":"x,y"}]')).toBe('"x,y"\nxy\n"x,y"\n');
    expect(csvHeader(['a', 'b,c', 'd"e', 'f\ng', ''])).toBe('a,"b,c","d""e","f\ng",\n');
    expect(csvHeader(['id', 'obTime'])).toBe('id,obTime\n');
  });

  it('keeps the last of duplicate keys at the first position', () => {
    const page = checkPage('[{"a":1,"b":2,"a":3,"obTime":"x","obTime":"y"}]');
    expect(page.keys).toEqual(['a', 'b', 'obTime']);
    expect(page.rows).toBe('3,2,y\n');
    expect(page.obTimes).toEqual(['y']);
  });

  it('decodes escaped keys and strings', () => {
    const page = checkPage('[{"ob\\u0054ime":"2026\\u002d01","k\\"ey":"\\\\ \\/ \\b\\f\\t"}]');
    expect(page.keys).toEqual(['obTime', 'k"ey']);
    expect(page.obTimes).toEqual(['2026-01']);
    expect(page.rows).toBe('2026-01,\\ / \b\f\t\n');
  });

  it('copies unicode, including astral characters and lone surrogates', () => {
    const page = checkPage('[{"a":"é😀\u2028","b":"\\ud800","c":"\\udc00x","d":"\ud800"},{"a":"ü","b":"\\uD83D\\uDE00"}]');
    expect(page.rows).toBe('é😀\u2028,\ufffd,\ufffdx,\ufffd\nü,😀,,\n');
  });

  it('orders integer-like keys as JSON.parse does', () => {
    expect(checkPage('[{"b":1,"2":2,"a":3,"1":4}]').keys).toEqual(['1', '2', 'b', 'a']);
  });

  it('treats keys literally: no paths, no prototype', () => {
    const page = checkPage('[{"a.b":1,"x[0]":2},{"a":{"b":3},"x":[4],"toString":5,"__proto__":6}]');
    expect(page.keys).toEqual(['a.b', 'x[0]', 'a', 'x', 'toString', '__proto__']);
    expect(page.rows).toBe('1,2,,,,\n,,"{""b"":3}",[4],5,6\n');
  });

  it('reads records whose keys change order and set within a page', () => {
    const body = JSON.stringify([
      { a: 1, b: 'x', c: [1, 2] },
      { a: 2, b: 'y', c: [3, 4] },
      { b: 'z', a: 3, c: [5, 6] },
      { a: 4, b: 'w', c: [7, 8] },
      { a: 5, c: [9, 10] },
      { a: 6, b: 'v', c: [11, 12], d: null },
      { a: 7, b: 'u', c: [13, 14] },
      { a: 8, b: 't', c: 'not an array' },
      { a: 9, b: 's', c: [15, 16] },
    ]);
    expect(checkPage(body).rows.split('\n')[4]).toBe('5,,"[9,10]",');
  });

  it('reads whitespace wherever JSON allows it', () => {
    checkPage('\r\n[\t{ "a" :\n1 ,"b":[ ] , "c" : { } } ,\n{"a":2}\n]\n');
    checkPage(JSON.stringify(SAMPLE_RECORDS).replaceAll('},{', '},\n{'));
  });
});

describe('isCanonicalNumber', () => {
  const jsonNumber = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

  const variants = (x: number): string[] => {
    const out = [String(x), x.toExponential(), x.toPrecision(15), x.toPrecision(16), x.toPrecision(17)];
    if (Math.abs(x) < 1e21) out.push(x.toFixed(20), x.toFixed(8));
    for (const s of [...out]) if (s.includes('.') && !s.includes('e')) out.push(s.replace(/0+$/, '').replace(/\.$/, ''));
    const t = String(x);
    const last = t.charCodeAt(t.length - 1);
    if (!t.includes('e') && last > 48 && last < 57) {
      out.push(t.slice(0, -1) + String.fromCharCode(last + 1), t.slice(0, -1) + String.fromCharCode(last - 1));
    }
    return out.map((s) => s.replace('e+', 'e')).filter((s) => jsonNumber.test(s));
  };

  it('never claims a text is canonical when it is not', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.double({ noNaN: true, noDefaultInfinity: true }),
          fc.double({ min: -8000, max: 8000, noNaN: true }),
          fc.double({ min: 1e-8, max: 1e-3, noNaN: true }),
          fc.integer().map((i) => i / 1024),
        ),
        (x) => {
          for (const t of variants(x)) if (isCanonicalNumber(t)) expect(String(Number(t))).toBe(t);
        },
      ),
      { numRuns: runs(3000) },
    );
  });

  it('recognises most of what JSON.stringify writes for 16-17 digit floats', () => {
    let copied = 0;
    const n = 20000;
    for (let i = 0; i < n; i++) {
      const t = String((Math.random() - 0.5) * 14000);
      if (isCanonicalNumber(t)) {
        copied++;
        expect(String(Number(t))).toBe(t);
      }
    }
    expect(copied / n).toBeGreaterThan(0.85);
    const copyable = ['0', '5', '-5', '0.5', '41917', '-63.3098145203956', '803.1896429092334', '0.000001', '100000000000000'];
    for (const t of [...copyable, '1e-7', '1e+21', '-6.910299003322243e-8', '1.0186092066601347e-7']) {
      expect(isCanonicalNumber(t)).toBe(true);
    }
    const convertible = ['-0', '0.0', '1.50', '1e3', '1E3', '0.0000001', '9007199254740993', '0.3000000000000000444'];
    for (const t of [...convertible, '1e-07', '1e21', '1.0e-7', '1.79769334809917e+308']) {
      expect(isCanonicalNumber(t)).toBe(false);
    }
  });
});

// ---------------------------------------------------------------------------------------------------
// Properties: random records, written compactly or in arbitrary legal JSON, against the reference.

type Json =
  | { t: 'str'; v: string }
  | { t: 'num'; v: number; text: string | null }
  | { t: 'lit'; v: boolean | null }
  | { t: 'arr'; v: Json[] }
  | { t: 'obj'; v: [string, Json][] };

const chars = fc.oneof(
  { weight: 10, arbitrary: fc.constantFrom('a', 'b', 'Z', '0', '-', ':', '.', ' ') },
  { weight: 4, arbitrary: fc.constantFrom(',', '"', '\\', '/', '\n', '\r', '\t', '\u0001', '\u001f', "'", '{', '}', '[', ']') },
  { weight: 3, arbitrary: fc.constantFrom('é', 'ü', '€', '😀', '\u2028', '\ufeff', '\ud800', '\udfff', '\u0000') },
);
const text = fc.string({ unit: chars, maxLength: 8 });
const keyText = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('id', 'obTime', 'lat', 'lon', 'senPos', 'seoList', 'a', 'b', 'c') },
  { weight: 2, arbitrary: fc.constantFrom('', '1', '10', 'a.b', 'x[0]', '__proto__', 'toString', 'ob\u0054ime') },
  { weight: 2, arbitrary: text },
);
const numberValue = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.double({ min: -8000, max: 8000, noNaN: true }),
  fc.double({ min: 1e-9, max: 1e-3, noNaN: true }),
  fc.integer({ min: -100000, max: 100000 }),
  fc.constantFrom(0, -0, 1e21, 1e-7, 1e-6, 9.200000000000003e-5, 2 ** 53 + 2, 0.1, 123456789.5),
);
const numberNode: fc.Arbitrary<Json> = fc.oneof(
  { weight: 8, arbitrary: numberValue.map((v): Json => ({ t: 'num', v, text: null })) },
  { weight: 1, arbitrary: fc.constantFrom('1e400', '-1e400', '1E-400', '0.0', '-0.0', '1.0', '100e-2', '12345678901234567890').map((s): Json => ({ t: 'num', v: Number(s), text: s })) },
);
const scalar: fc.Arbitrary<Json> = fc.oneof(
  { weight: 5, arbitrary: text.map((v): Json => ({ t: 'str', v })) },
  { weight: 4, arbitrary: numberNode },
  { weight: 1, arbitrary: fc.constantFrom(true, false, null).map((v): Json => ({ t: 'lit', v })) },
);
const { node } = fc.letrec<{ node: Json }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 6, arbitrary: scalar },
    { weight: 1, arbitrary: fc.array(tie('node'), { maxLength: 3 }).map((v): Json => ({ t: 'arr', v })) },
    { weight: 1, arbitrary: fc.array(fc.tuple(keyText, tie('node')), { maxLength: 3 }).map((v): Json => ({ t: 'obj', v })) },
  ),
}));
const record = fc.array(fc.tuple(keyText, node), { maxLength: 6 }).map((v): Json => ({ t: 'obj', v }));

/** A small deterministic generator, so one integer from fast-check fixes every formatting choice. */
function prng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

interface Style {
  /** Chance of whitespace between tokens. */
  ws: number;
  /** Chance of writing a character that needs no escape as an escape. */
  escape: number;
  /** Chance of writing a number in another legal form. */
  oddNumber: number;
}

function numberText(v: number, rnd: () => number, style: Style): string {
  if (rnd() >= style.oddNumber) return Object.is(v, -0) && rnd() < 0.5 ? '-0' : String(v);
  const forms = [v.toExponential(), v.toExponential().replace('e', 'E'), v.toPrecision(17), v.toPrecision(16), String(v).replace('e+', 'e')];
  if (Number.isInteger(v) && Math.abs(v) < 1e15) forms.push(`${v}.0`, `${v}.000`, `${v}e0`);
  if (!String(v).includes('e') && String(v).includes('.')) forms.push(`${v}0`, `${v}00`);
  return forms[Math.floor(rnd() * forms.length)]!;
}

function stringText(s: string, rnd: () => number, style: Style): string {
  let out = '"';
  for (const ch of s.split('')) {
    const c = ch.charCodeAt(0);
    const must = ch === '"' || ch === '\\' || c < 0x20;
    if (!must && rnd() >= style.escape) {
      out += ch;
      continue;
    }
    const short: Record<string, string> = { '"': '\\"', '\\': '\\\\', '/': '\\/', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t' };
    const hex = c.toString(16).padStart(4, '0');
    out += short[ch] !== undefined && rnd() < 0.7 ? short[ch] : `\\u${rnd() < 0.5 ? hex : hex.toUpperCase()}`;
  }
  return `${out}"`;
}

/** Any legal JSON text for `j`: whitespace, escapes and number forms as the style says, duplicates kept. */
function serialize(j: Json, rnd: () => number, style: Style): string {
  const ws = (): string => (rnd() < style.ws ? [' ', '\n', '\t', '\r\n', '  \n    '][Math.floor(rnd() * 5)]! : '');
  switch (j.t) {
    case 'str':
      return stringText(j.v, rnd, style);
    case 'num':
      return j.text ?? numberText(j.v, rnd, style);
    case 'lit':
      return String(j.v);
    case 'arr':
      return `[${ws()}${j.v.map((x) => serialize(x, rnd, style)).join(`${ws()},${ws()}`)}${ws()}]`;
    case 'obj':
      return `{${ws()}${j.v.map(([k, x]) => `${stringText(k, rnd, style)}${ws()}:${ws()}${serialize(x, rnd, style)}`).join(`${ws()},${ws()}`)}${ws()}}`;
  }
}

/** What JSON.parse makes of `j` (duplicates: last value, first position). */
function jsonValue(j: Json): unknown {
  switch (j.t) {
    case 'str':
    case 'lit':
      return j.v;
    case 'num':
      return j.text === null ? j.v : Number(j.text);
    case 'arr':
      return j.v.map(jsonValue);
    case 'obj': {
      const o: Record<string, unknown> = {};
      for (const [k, x] of j.v) Object.defineProperty(o, k, { value: jsonValue(x), enumerable: true, writable: true, configurable: true });
      return o;
    }
  }
}

const style = fc.record({
  ws: fc.constantFrom(0, 0, 0.1, 0.6),
  escape: fc.constantFrom(0, 0, 0.05, 0.5),
  oddNumber: fc.constantFrom(0, 0, 0.1, 0.7),
});

function page(records: Json[], seed: number, s: Style, bare: boolean): string {
  const rnd = prng(seed);
  if (bare && records.length === 1) return serialize(records[0]!, rnd, s);
  return serialize({ t: 'arr', v: records }, rnd, s);
}

/** Records that mostly share one shape, as real pages do, with occasional departures from it. */
const shapedPage = fc
  .tuple(
    fc.uniqueArray(fc.tuple(keyText, node), { minLength: 1, maxLength: 6, selector: ([k]) => k }),
    fc.array(fc.tuple(fc.nat(99), fc.nat(5), node, numberValue), { minLength: 1, maxLength: 30 }),
  )
  .map(([base, variations]) =>
    variations.map(([roll, at, other, n]): Json => {
      const fields = base.map(([k, v]): [string, Json] => {
        // Same shape, new scalars: what a template must keep matching.
        if (v.t === 'num') return [k, { t: 'num', v: n, text: null }];
        if (v.t === 'str') return [k, { t: 'str', v: `${v.v}${n % 10}` }];
        return [k, v];
      });
      const i = at % fields.length;
      if (roll < 8) fields.splice(i, 1);
      else if (roll < 14) fields[i] = [fields[i]![0], other];
      else if (roll < 18) fields.push(['extra', other]);
      else if (roll < 20) fields.reverse();
      return { t: 'obj', v: fields };
    }),
  );

/**
 * Long pages of one shape whose strings stay the same for a while (the transcoder then matches them as
 * literals) and then change, with numbers in odd forms between them.
 */
const longPage = fc
  .tuple(
    fc.uniqueArray(fc.tuple(keyText, fc.constantFrom('str', 'num', 'nums', 'nested')), { minLength: 2, maxLength: 6, selector: ([k]) => k }),
    fc.integer({ min: 70, max: 160 }),
    fc.array(fc.nat(200), { minLength: 6, maxLength: 6 }),
    fc.array(text, { minLength: 6, maxLength: 6 }),
    fc.array(numberNode, { minLength: 8, maxLength: 8 }),
  )
  .map(([fields, count, changeAt, values, numbers]) =>
    Array.from({ length: count }, (_, r): Json => ({
      t: 'obj',
      v: fields.map(([k, kind], f): [string, Json] => {
        const value = `${values[f]!}${r >= changeAt[f]! ? r % 3 : ''}`;
        const n = numbers[(r * 7 + f) % numbers.length]!;
        if (kind === 'str') return [k, { t: 'str', v: value }];
        if (kind === 'num') return [k, n];
        if (kind === 'nums') return [k, { t: 'arr', v: numbers.slice(0, r % 7 < 5 ? 3 : r % 4) }];
        return [k, { t: 'arr', v: [n, { t: 'obj', v: [['q', { t: 'str', v: value }], ['n', n]] }] }];
      }),
    })),
  );

describe('properties: fast path equals the reference', () => {
  it('on long pages whose strings stay the same for a while', () => {
    fc.assert(
      fc.property(longPage, fc.integer(), (records, seed) => {
        checkPage(JSON.stringify(records.map(jsonValue)));
        checkPage(page(records, seed, { ws: 0, escape: 0, oddNumber: 0.5 }, false));
        checkPage(page(records, seed, { ws: 0.3, escape: 0, oddNumber: 0.2 }, false));
      }),
      { numRuns: 100 },
    );
  });

  it('on random records written by JSON.stringify', () => {
    fc.assert(
      fc.property(fc.array(record, { maxLength: 8 }), (records) => {
        checkPage(JSON.stringify(records.map(jsonValue)));
      }),
      { numRuns: runs(1200) },
    );
  });

  it('on random records written with whitespace, escapes, duplicates and odd numbers', () => {
    fc.assert(
      fc.property(fc.array(record, { maxLength: 6 }), fc.integer(), style, fc.boolean(), (records, seed, s, bare) => {
        checkPage(page(records, seed, s, bare));
      }),
      { numRuns: runs(1200) },
    );
  });

  it('on pages of mostly one shape', () => {
    fc.assert(
      fc.property(shapedPage, fc.integer(), style, (records, seed, s) => {
        checkPage(JSON.stringify(records.map(jsonValue)));
        checkPage(page(records, seed, s, false));
      }),
      { numRuns: runs(1000) },
    );
  });

  it('on damaged pages: both throw PageFormatError, or both agree', () => {
    fc.assert(
      fc.property(shapedPage, fc.nat(), fc.constantFrom('cut', 'insert', 'delete'), fc.constantFrom('{', '}', ',', '"', '1', ']', ' ', '\\', 'x'), (records, at, how, ch) => {
        const body = JSON.stringify(records.map(jsonValue));
        const i = at % (body.length + 1);
        const damaged = how === 'cut' ? body.slice(0, i) : how === 'insert' ? body.slice(0, i) + ch + body.slice(i) : body.slice(0, i) + body.slice(i + 1);
        let ok = true;
        try {
          referenceCsv(damaged);
        } catch (err) {
          expect(err).toBeInstanceOf(PageFormatError);
          ok = false;
        }
        if (ok) checkPage(damaged);
        else expectPageError(damaged);
      }),
      { numRuns: runs(1000) },
    );
  });
});

// ---------------------------------------------------------------------------------------------------
// Pages in pieces

/** Texts of a piece without records: the lenient forms of an empty page. */
const EMPTY_PIECES = ['[]', '', ' null\n', '[ ]'];

/**
 * Rows of a piece, transcoded with `keys`, laid out for `final` keys (of which `keys` is a prefix): the
 * missing cells are empty and trail, so each row gains commas; a row of no keys ("\n") is one empty cell.
 */
function remap(rows: string, keys: readonly string[], final: readonly string[]): string {
  const missing = final.length - Math.max(1, keys.length);
  if (missing <= 0 || rows === '') return rows;
  const commas = ','.repeat(missing);
  return rows.replaceAll(/\n(?=(?:[^"]*"[^"]*")*[^"]*$)/g, `${commas}\n`);
}

/** A page of record texts, with whitespace around them as `ws` says; a lone record bare if `bare`. */
function arrayText(texts: readonly string[], ws: string, bare: boolean): string {
  if (bare && texts.length === 1) return `${ws}${texts[0]!}${ws}`;
  return `[${ws}${texts.join(`${ws},${ws}`)}${ws}]`;
}

/**
 * Pushes `pieces` (each a list of record texts, written as a page by `write`) through one transcoder and
 * checks every result against the reference semantics, then their concatenation against the whole page.
 */
function checkPieces(pieces: string[][], write: (texts: string[], i: number) => string = (t) => arrayText(t, '', false)): CsvPage[] {
  const transcoder = createCsvPageTranscoder();
  const pages: CsvPage[] = [];
  const sofar: string[] = [];
  pieces.forEach((texts, i) => {
    const text = write(texts, i);
    const page = transcoder.push(text);
    sofar.push(...texts);
    // Keys: the first-appearance union over everything pushed so far, earlier results' keys a prefix of it.
    expect(page.keys).toEqual(referenceCsv(utf8(arrayText(sofar, '', false))).keys);
    const previous = pages[pages.length - 1];
    if (previous !== undefined) expect(page.keys.slice(0, previous.keys.length)).toEqual(previous.keys);
    // Rows, ends and obTimes: this piece's records alone, with every key so far.
    const { rows, ends, obTimes } = expectedDetails(text, page.keys);
    expect(page.rows).toBe(rows);
    expect(page.count).toBe(ends.length);
    expect(Array.from(page.rowEnds)).toEqual(ends);
    expect(page.obTimes.map(utf8)).toEqual(obTimes);
    pages.push(page);
  });
  const whole = referenceCsv(utf8(arrayText(pieces.flat(), '', false)));
  const final = pages[pages.length - 1]?.keys ?? [];
  expect(final).toEqual(whole.keys);
  expect(pages.map((p) => remap(p.rows, p.keys, final)).join('')).toBe(utf8(whole.rows));
  return pages;
}

/** `items` cut before each of `cuts` (taken modulo items.length + 1, so pieces may be empty). */
function cutAt<T>(items: T[], cuts: number[]): T[][] {
  const at = cuts.map((c) => c % (items.length + 1)).sort((a, b) => a - b);
  const pieces: T[][] = [];
  let from = 0;
  for (const c of [...at, items.length]) {
    pieces.push(items.slice(from, c));
    from = c;
  }
  return pieces;
}

/** Each record written in its own legal form, then the pieces. */
function checkCut(records: Json[], at: number[], seed: number, s: Style, bare: boolean): void {
  const rnd = prng(seed);
  const texts = records.map((r) => serialize(r, rnd, s));
  checkPieces(cutAt(texts, at), (piece, i) => {
    if (piece.length === 0) return EMPTY_PIECES[(seed + i) & 3]!;
    return arrayText(piece, rnd() < s.ws ? ' \n' : '', bare);
  });
}

const cuts = fc.array(fc.nat(), { maxLength: 8 });

describe('pages in pieces', () => {
  it('decodes a piece’s text only for records the copier does not take', () => {
    class Counted extends Piece {
      reads = 0;
      override get text(): string {
        this.reads++;
        return super.text;
      }
    }
    const records = Array.from({ length: 200 }, (_, i) => ({ ...SAMPLE_RECORDS[i % 2]!, satNo: i, lat: i / 7 }));
    const page = (rs: object[]) => Buffer.from(JSON.stringify(rs));
    for (const format of [csvFormat, jsonFormat]) {
      const writer = format.session().pageWriter();
      const learning = new Counted(page(records), true);
      writer.push(learning);
      expect(learning.reads).toBeGreaterThan(0);
      const known = new Counted(page(records), true);
      expect(writer.push(known).count).toBe(200);
      expect(known.reads).toBe(0);
    }
  });

  const obj = (...fields: [string, Json][]): Json => ({ t: 'obj', v: fields });
  const num = (v: number): Json => ({ t: 'num', v, text: null });
  const str = (v: string): Json => ({ t: 'str', v });

  it('extends the keys piece by piece, integer-like keys in first-appearance order across records', () => {
    // Object.keys puts "1" first within a record; across records the union is in order of appearance.
    const pieces = [[obj(['b', num(1)])], [obj(['1', num(2)], ['b', num(3)]), obj(['a', str('x')], ['0', num(4)])]];
    const pages = checkPieces(pieces.map((p) => p.map((r) => JSON.stringify(jsonValue(r)))));
    expect(pages.map((p) => p.keys)).toEqual([['b'], ['b', '1', '0', 'a']]);
    expect(pages.map((p) => p.rows)).toEqual(['1\n', '3,2,,\n,,4,x\n']);
  });

  it('pads the rows of a piece that had no keys yet, and of pieces before keys grew', () => {
    checkPieces([['{}'], [], ['{}', '{"a":1}', '{}'], ['{"b":"y,z"}']]);
    checkPieces([['{}'], ['{"a":1}', '{"a":1,"b":[1,2]}'], ['{"c":"\\n"}', '{}']]);
  });

  it('equals the whole page for the bench-like sample records cut anywhere', () => {
    const records = Array.from({ length: 150 }, (_, i) => JSON.parse(JSON.stringify(SAMPLE_RECORDS[i % 2]!)) as Parsed);
    records.forEach((r, i) => {
      r['genTime'] = `2025-12-01T01:30:${String(10 + (i >> 5)).padStart(2, '0')}.286Z`;
      r['satNo'] = 41917 + i;
    });
    const body = JSON.stringify(records);
    const whole = transcodePageToCsv(body);
    for (const size of [1, 7, 63, 64, 65, 149]) {
      const transcoder = createCsvPageTranscoder();
      let rows = '';
      for (let i = 0; i < records.length; i += size) rows += transcoder.push(JSON.stringify(records.slice(i, i + size))).rows;
      expect(rows).toBe(whole.rows);
    }
  });

  it('forgets the keys of a piece that fails, and goes on', () => {
    const transcoder = createCsvPageTranscoder();
    expect(transcoder.push('[{"a":1}]').keys).toEqual(['a']);
    expect(() => transcoder.push('[{"a":2,"zz":3},{"a":')).toThrow(PageFormatError);
    expect(() => transcoder.push('[{"a":2,"yy":3},7]')).toThrow(PageFormatError);
    const next = transcoder.push('[{"a":4},{"b":5}]');
    expect(next.keys).toEqual(['a', 'b']);
    expect(next.rows).toBe('4,\n,5\n');
  });

  it('keeps no piece alive after push returns', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    // Records whose strings stay the same: the transcoder learns them as literals, from captures of the piece.
    const big = (tag: string): string =>
      JSON.stringify(
        Array.from({ length: 20_000 }, (_, i) => ({ tag: `${tag}-${'x'.repeat(400)}`, n: i, s: `same ${tag}`, obTime: new Date(Date.UTC(2026, 0, 1) + (i >> 4) * 5000).toISOString() })),
      );
    const heap = (): number => {
      gc();
      gc();
      return process.memoryUsage().heapUsed;
    };
    expect(createCsvPageTranscoder().push(big('warm-up')).count).toBe(20_000);
    const transcoder = createCsvPageTranscoder();
    const before = heap();
    let body: string | null = big(String(Math.random()));
    expect(body.length).toBeGreaterThan(8_000_000);
    // Nor the result's obTimes: callers keep them after the piece.
    const { obTimes } = transcoder.push(body);
    expect(obTimes.length).toBe(20_000);
    body = null; // eslint-disable-line no-useless-assignment -- dropping the last reference is the point
    /x/.test('x'); // RegExp.input is the last subject matched, whichever it was
    expect(heap() - before).toBeLessThan(4_000_000);
    expect(obTimes[17]).toBe('2026-01-01T00:00:05.000Z');
    expect(transcoder.push('[{"tag":"t","n":1,"s":"s","obTime":"o"}]').rows).toBe('t,1,s,o\n');
  });

  it('on long pages whose strings stay the same for a while, cut anywhere', () => {
    fc.assert(
      fc.property(longPage, cuts, fc.integer(), (records, at, seed) => {
        checkCut(records, at, seed, { ws: 0, escape: 0, oddNumber: 0 }, false);
        checkCut(records, at, seed, { ws: 0.3, escape: 0, oddNumber: 0.3 }, false);
      }),
      { numRuns: 60 },
    );
  });

  it('on pages of mostly one shape, cut anywhere, in any legal form', () => {
    fc.assert(
      fc.property(shapedPage, cuts, fc.integer(), style, fc.boolean(), (records, at, seed, s, bare) => {
        checkCut(records, at, seed, s, bare);
      }),
      { numRuns: runs(400) },
    );
  });

  it('on random records, cut anywhere, in any legal form', () => {
    fc.assert(
      fc.property(fc.array(record, { maxLength: 10 }), cuts, fc.integer(), style, fc.boolean(), (records, at, seed, s, bare) => {
        checkCut(records, at, seed, s, bare);
      }),
      { numRuns: runs(600) },
    );
  });
});
