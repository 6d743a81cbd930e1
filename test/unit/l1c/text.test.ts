import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePyLiteral, PyLiteralError, PyNumber } from '../../../src/l1c/literal.js';
import { fillFromCsvRow, fillFromJsonRecord, L1cInputError, newL1cRecord } from '../../../src/l1c/index.js';
import { utcToTt2000 } from '../../../src/cdf/index.js';
import { createdAtKeyInto, createdAtText, detach, msOfDay, parseNumberInto, result } from '../../../src/l1c/text.js';
import { runs } from '../../helpers/runs.js';

const parse = (t: string): number | undefined => (parseNumberInto(t) ? result[0] : undefined);
const key = (t: string): number | undefined => (createdAtKeyInto(t) ? result[0] : undefined);

describe('parseNumberInto', () => {
  it('reads what Python float() reads, exactly as Number() would', () => {
    const cases: [string, number][] = [
      ['0.0', 0], ['-0.0', -0], ['16', 16], ['4', 4], ['-1e+31', -1e31], ['5.6952380952380975e-05', 5.6952380952380975e-5],
      ['-33.49605724403091', -33.49605724403091], ['1.', 1], ['.5', 0.5], [' 7 ', 7], ['1234567', 1234567], ['0.000001', 1e-6],
      ['00.10', 0.1], ['Infinity', Infinity], ['-inf', -Infinity], ['+INF', Infinity], ['infinity', Infinity],
    ];
    for (const [text, value] of cases) expect(Object.is(parse(text), value), text).toBe(true);
  });

  it('NaN for empty or blank cells and nan spellings (missing values)', () => {
    for (const t of ['', '  ', 'nan', 'NaN', '-nan']) expect(parse(t), t).toBeNaN();
  });

  it('refuses text that is not a number, including JS-only forms', () => {
    for (const t of ['abc', '1,5', '0x10', '0b1', '0o7', '1e', '--1', '1.2.3', '-', '.', 'None', '[1]']) expect(parse(t), t).toBeUndefined();
  });

  it('agrees with Number() on every double written as Python or JS prints it', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true }), (x) => {
        const text = String(x);
        expect(Object.is(parse(text), Number(text))).toBe(true);
        const fixed = x.toFixed(6);
        expect(Object.is(parse(fixed), Number(fixed))).toBe(true);
      }),
      { numRuns: runs(2000) },
    );
  });
});

describe('createdAtKeyInto', () => {
  const canonical = fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true }).map((d) => d.toISOString());

  it('orders canonical createdAt texts exactly as the strings', () => {
    fc.assert(
      fc.property(canonical, canonical, (a, b) => {
        expect(Math.sign(key(a)! - key(b)!)).toBe(a < b ? -1 : a > b ? 1 : 0);
        expect(createdAtText(key(a)!)).toBe(a);
      }),
      { numRuns: runs(1000) },
    );
  });

  it('gives no key for other forms', () => {
    // A letter where each digit goes, in turn: its code minus '0' fits some fields' ranges.
    const letters = Array.from({ length: 24 }, (_, i) => i).filter((i) => ![4, 7, 10, 13, 16, 19, 23].includes(i)).map((i) => `${'2025-09-04T01:00:00.100Z'.slice(0, i)}a${'2025-09-04T01:00:00.100Z'.slice(i + 1)}`);
    for (const t of ['', '2025-09-04T01:00:00Z', '2025-09-04T01:00:00.123456Z', '2025-13-04T01:00:00.000Z', '2025-09-04T01:00:60.000Z', '2025-09-04 01:00:00.000Z', '+2025-09-04T01:00:00.00Z', ...letters]) {
      expect(key(t), t).toBeUndefined();
    }
  });
});

describe('msOfDay', () => {
  // Days that end with a leap second among them: their 23:59:59.999 is still the start plus its ms.
  const days = fc.oneof(fc.constantFrom('2016-12-31', '2015-06-30', '1972-06-30', '2017-01-01'), fc.date({ min: new Date('1972-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)));

  it('gives the milliseconds since the day began, whose TT2000 is the day start plus them', () => {
    fc.assert(
      fc.property(days, fc.integer({ min: 0, max: 86_399_999 }), (day, ms) => {
        const text = new Date(Date.parse(`${day}T00:00:00Z`) + ms).toISOString();
        expect(msOfDay(text, day)).toBe(ms);
        expect(utcToTt2000(text)).toBe(utcToTt2000(`${day}T00:00:00`) + BigInt(ms) * 1_000_000n);
      }),
      { numRuns: runs(1000) },
    );
  });

  it('gives -1 for another day, a leap second and other forms, which the caller parses in full', () => {
    for (const t of ['2016-12-31T23:59:60.500Z', '2017-01-01T00:00:00.000Z', '2016-12-31T00:00:00Z', '2016-12-31T00:00:00.0000Z', '2016-12-31T24:00:00.000Z', '2016-12-31T00:60:00.000Z', '2016-12-31 00:00:00.000Z', '2016-12-31T0a:00:00.000Z', '']) {
      expect(msOfDay(t, '2016-12-31'), t).toBe(-1);
    }
  });
});

describe('detach', () => {
  it('copies the text', () => {
    const big = `${'x'.repeat(1000)}REACH-101${'y'.repeat(1000)}`;
    expect(detach(big.slice(1000, 1009))).toBe('REACH-101');
    expect(detach('')).toBe('');
  });
});

describe('parsePyLiteral', () => {
  it('reads the CSV cells: a list of one dict with numbers kept as written, and senPos', () => {
    const seo = parsePyLiteral("[{'obType': 'Energetic Charged Particle', 'obValue': -1e+31, 'obQuality': '16', 'obDescription': 'DOSE1 (Flavor X) in rad/second'}]");
    expect(seo).toEqual([{ obType: 'Energetic Charged Particle', obValue: new PyNumber('-1e+31'), obQuality: '16', obDescription: 'DOSE1 (Flavor X) in rad/second' }]);
    expect(parsePyLiteral('[-1681.3963868592607, 4715.146657011308, -5135.302792460503]')).toEqual([
      new PyNumber('-1681.3963868592607'),
      new PyNumber('4715.146657011308'),
      new PyNumber('-5135.302792460503'),
    ]);
  });

  it('reads escapes, both quotes, tuples, None/True/False and JSON text', () => {
    expect(parsePyLiteral(`('it\\'s', "a \\"b\\"", '\\x41\\u00e9\\n', None, True, False, [], {})`)).toEqual(["it's", 'a "b"', 'Aé\n', null, true, false, [], {}]);
    expect(parsePyLiteral('[{"obValue": 1.5, "x": null}]')).toEqual([{ obValue: new PyNumber('1.5'), x: null }]);
  });

  it('refuses what is not a literal', () => {
    for (const t of ['', '[1,', "{'a' 1}", "'open", '[1] 2', 'nan', '[f(1)]']) expect(() => parsePyLiteral(t), t).toThrow(PyLiteralError);
  });
});

describe('fillFromCsvRow / fillFromJsonRecord', () => {
  it('flattens a golden CSV row', () => {
    const r = fillFromCsvRow(newL1cRecord(), {
      idSensor: 'REACH-175',
      observatoryName: 'Iridium-168',
      obTime: '2025-09-04T00:00:00.000Z',
      createdAt: '2025-09-04T01:31:28.692Z',
      seoList: "[{'obType': 'Energetic Charged Particle', 'obUoM': 'rad/second', 'obValue': 0.0, 'obQuality': '0', 'obDescription': 'DOSE2 (Flavor U) in rad/second'}]",
      senPos: '[-1681.3963868592607, 4715.146657011308, -5135.302792460503]',
      lat: '-45.90163778991727',
      lon: '126.24772444152272',
      alt: '796.6361111230681',
      descriptor: 'QUICKLOOK',
    });
    expect(r).toEqual({
      idSensor: 'REACH-175',
      observatoryName: 'Iridium-168',
      obTime: '2025-09-04T00:00:00.000Z',
      createdAt: '2025-09-04T01:31:28.692Z',
      descriptor: 'QUICKLOOK',
      lat: '-45.90163778991727',
      lon: '126.24772444152272',
      alt: '796.6361111230681',
      seoCount: 1,
      obDescription: 'DOSE2 (Flavor U) in rad/second',
      obValue: '0.0',
      obQuality: '0',
      senPosCount: 3,
      senPos0: '-1681.3963868592607',
      senPos1: '4715.146657011308',
      senPos2: '-5135.302792460503',
      // Every value of a row is text: no number was read from bytes.
      numbers: new Float64Array(8).fill(Number.NaN),
    });
  });

  it('a missing descriptor column stays undefined; missing lists are empty; bad cells fail the day', () => {
    const r = fillFromCsvRow(newL1cRecord(), { idSensor: 'REACH-101' });
    expect([r.descriptor, r.seoCount, r.senPosCount]).toEqual([undefined, 0, 0]);
    expect(() => fillFromCsvRow(newL1cRecord(), { seoList: "[{'obValue': 1}", senPos: '[]' })).toThrow(
      expect.objectContaining({ name: 'L1cInputError', code: 'ERR_L1C_BAD_LITERAL' }),
    );
    expect(() => fillFromCsvRow(newL1cRecord(), { seoList: "{'obValue': 1}", senPos: '[]' })).toThrow(L1cInputError);
  });

  it('flattens the JSON sample\'s records (numbers through String, which reads back to the same double)', () => {
    const records = JSON.parse(readFileSync(new URL('../../fixtures/REACH-ALL_20251201T013010_20251205T060517.json', import.meta.url), 'utf8')) as Record<string, unknown>[];
    const first = records[0]!;
    const r = fillFromJsonRecord(newL1cRecord(), first);
    const seo = (first['seoList'] as Record<string, unknown>[])[0]!;
    expect(r.idSensor).toBe('REACH-105');
    expect(Number(r.lat)).toBe(first['lat']);
    expect(Number(r.senPos1)).toBe((first['senPos'] as number[])[1]);
    expect([r.obDescription, Number(r.obValue), r.obQuality]).toEqual([seo['obDescription'], seo['obValue'], seo['obQuality']]);
    expect([r.seoCount, r.senPosCount, r.descriptor]).toEqual([1, 3, first['descriptor']]);
    const { descriptor: _drop, ...noDescriptor } = first;
    expect(fillFromJsonRecord(newL1cRecord(), { ...noDescriptor, seoList: [] })).toMatchObject({ descriptor: undefined, seoCount: 0 });
  });
});
