/**
 * decimalAt: exactly what Number() reads, or NaN (the caller then reads the text), never another value;
 * decimalPrefix: the same for the decimal a longer text starts with, and where it ends.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decimalAt, decimalEnd, decimalPrefix } from '../../../src/formats/decimal.js';
import { CsvScanner, IN } from '../../../src/formats/csv-scan.js';
import { runs } from '../../helpers/runs.js';

const at = (text: string): number => {
  const bytes = Buffer.from(`,${text},`, 'latin1');
  return decimalAt(bytes, 1, bytes.length - 1);
};

/** Decimal texts of every kind the readers meet, and near misses. */
const digits = fc.stringMatching(/^[0-9]{1,20}$/);
const decimalText = fc
  .tuple(fc.boolean(), digits, fc.option(digits), fc.option(fc.tuple(fc.constantFrom('e', 'E'), fc.constantFrom('', '+', '-'), fc.integer({ min: 0, max: 40 }))))
  .map(([neg, int, frac, exp]) => `${neg ? '-' : ''}${int}${frac === null ? '' : `.${frac}`}${exp === null ? '' : `${exp[0]}${exp[1]}${exp[2]}`}`);

describe('decimalAt', () => {
  it('reads the fast forms exactly', () => {
    expect(at('0')).toBe(0);
    expect(Object.is(at('-0.0'), -0)).toBe(true);
    expect(at('80.36509451069661')).toBe(80.36509451069661);
    expect(at('796.5162966895053')).toBe(796.5162966895053);
    expect(at('1e-22')).toBe(1e-22);
    expect(at('1E+22')).toBe(1e22);
    expect(at('007.50')).toBe(7.5);
    expect(at('5.948424492631681e-8')).toBe(5.948424492631681e-8);
    expect(at('-1111.4177301610696')).toBe(-1111.4177301610696);
    expect(at('0.00000000000000000012345678901234567')).toBe(Number('0.00000000000000000012345678901234567'));
    expect(at('-1e31')).toBeNaN(); // 10^31 is not exact
  });

  it.each(['', '-', '.5', '5.', '1e', '1e+', '+1', ' 1', '1 ', 'nan', 'inf', '0x10', '1_0', '2026-01-01', '1.2.3', '1e-41', '123456789012345678', '1.23456789012345678'])(
    'leaves %j to the text',
    (text) => {
      expect(at(text)).toBeNaN();
    },
  );

  it('gives Number(text) or NaN for any decimal text, never another value', () => {
    const text = decimalText;
    const anyDouble = fc.double({ noNaN: true, noDefaultInfinity: true }).map(String);
    fc.assert(
      fc.property(fc.oneof(text, anyDouble), (t) => {
        const v = at(t);
        if (!Number.isNaN(v)) expect(Object.is(v, Number(t))).toBe(true);
      }),
      { numRuns: runs(20000) },
    );
  });
});

describe('decimalPrefix', () => {
  it('reads the decimal a text starts with and stops where it ends', () => {
    const prefix = (text: string): [number, number] => {
      const bytes = Buffer.from(text, 'latin1');
      const v = decimalPrefix(bytes, 0, bytes.length);
      return [v, Number.isNaN(v) ? -1 : decimalEnd];
    };
    expect(prefix('5.948424492631681e-8,"obQuality"')).toEqual([5.948424492631681e-8, 20]);
    expect(prefix('-2]')).toEqual([-2, 2]);
    expect(prefix('7073.44947372725')).toEqual([7073.44947372725, 16]);
    expect(prefix('1.5abc')).toEqual([1.5, 3]);
    expect(prefix('1ex')).toEqual([Number.NaN, -1]);
    expect(prefix(',1')).toEqual([Number.NaN, -1]);
  });

  it('agrees with decimalAt on the decimal it ends at', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }).map(String), fc.constantFrom(',', ']', '}', ' x', ''), (t, after) => {
        const bytes = Buffer.from(t + after, 'latin1');
        const v = decimalPrefix(bytes, 0, bytes.length);
        if (Number.isNaN(v)) expect(decimalAt(bytes, 0, t.length)).toBeNaN();
        else {
          expect(decimalEnd).toBe(t.length);
          expect(Object.is(v, decimalAt(bytes, 0, t.length))).toBe(true);
        }
      }),
      { numRuns: runs(4000) },
    );
  });
});

describe("numbers.wat's decimal reader (a scanner's decimals)", () => {
  const scanner = new CsvScanner(1 << 16);
  /** The reader's prefix and end, and decimalPrefix's, for `text` followed by `after` in the scanner's memory. */
  const both = (text: string, after: string): [[number, number], [number, number]] => {
    const bytes = Buffer.from(text + after, 'latin1');
    scanner.bytes.set(bytes, IN);
    const to = IN + bytes.length;
    const w = scanner.decimals.prefix(scanner.bytes, IN, to);
    const wasm: [number, number] = [w, Number.isNaN(w) ? -1 : scanner.decimals.end - IN];
    const j = decimalPrefix(scanner.bytes, IN, to);
    return [wasm, [j, Number.isNaN(j) ? -1 : decimalEnd - IN]];
  };

  it('gives what decimalPrefix gives, value and end, on any text', () => {
    const noise = fc.string({ unit: fc.constantFrom('0', '1', '9', '.', 'e', 'E', '-', '+', ',', 'x'), maxLength: 24 });
    const anyDouble = fc.double({ noNaN: true, noDefaultInfinity: true }).map(String);
    fc.assert(
      fc.property(fc.oneof(decimalText, anyDouble, noise), fc.constantFrom(',', ']', '}', ' x', '', 'e', '.5'), (t, after) => {
        const [wasm, js] = both(t, after);
        expect(Object.is(wasm[0], js[0])).toBe(true);
        expect(wasm[1]).toBe(js[1]);
      }),
      { numRuns: runs(20000) },
    );
    for (const t of ['80.36509451069661', '-0.0', '1e-22', '1E+22', '0.00000000000000000012345678901234567', '-1e31', '1e-41', '123456789012345678', '5.948424492631681e-8']) {
      const [wasm, js] = both(t, ',');
      expect(Object.is(wasm[0], js[0])).toBe(true);
      expect(wasm[1]).toBe(js[1]);
    }
  });

  it('reads at an exact range as decimalAt does', () => {
    const [text, after] = ['796.5162966895053', '7'];
    const bytes = Buffer.from(text + after, 'latin1');
    scanner.bytes.set(bytes, IN);
    expect(scanner.decimals.at(scanner.bytes, IN, IN + text.length)).toBe(796.5162966895053);
    expect(scanner.decimals.at(scanner.bytes, IN, IN + text.length - 1)).toBe(796.516296689505);
    expect(scanner.decimals.at(scanner.bytes, IN, IN + 4)).toBeNaN();
  });
});
