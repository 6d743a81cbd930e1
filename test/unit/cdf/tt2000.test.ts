import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LEAP_SECONDS, LEAP_SECONDS_LAST_UPDATED } from '../../../src/cdf/leap-seconds.js';
import { TT2000_FILL, TT2000_PAD, Tt2000Error, tt2000ToUtc, tt2000ToUtcMs, utcMsToTt2000, utcToTt2000 } from '../../../src/cdf/tt2000.js';
import { runs } from '../../helpers/runs.js';

const S = 1_000_000_000n;

describe('TT2000', () => {
  it('matches the golden file (PROCESSING.md 4.5)', () => {
    expect(utcToTt2000('2025-09-04T00:00:00.000Z')).toBe(810216069184000000n);
    expect(utcToTt2000('2025-09-04T00:01:00.000Z')).toBe(810216129184000000n);
    expect(utcMsToTt2000(Date.parse('2025-09-04T00:00:00Z'))).toBe(810216069184000000n);
    expect(tt2000ToUtc(810216069184000000n)).toBe('2025-09-04T00:00:00.000000000');
    // 2017 onward: (unix_ms - 946727935816) * 1e6 + 5e9
    const ms = Date.parse('2031-02-03T04:05:06.789Z');
    expect(utcMsToTt2000(ms)).toBe(BigInt(ms - 946727935816) * 1_000_000n + 5n * S);
  });

  it("matches the golden's VALIDMAX and J2000 itself", () => {
    expect(utcToTt2000('2250-01-01T00:00:00')).toBe(7889227269184000000n);
    // J2000 = 2000-01-01T12:00:00 TT = 11:58:55.816 UTC
    expect(utcToTt2000('2000-01-01T11:58:55.816Z')).toBe(0n);
  });

  it('counts the 2016-12-31 leap second: 23:59:59, 23:59:60, 00:00:00 are one second apart', () => {
    const t59 = utcToTt2000('2016-12-31T23:59:59Z');
    const t60 = utcToTt2000('2016-12-31T23:59:60Z');
    const t00 = utcToTt2000('2017-01-01T00:00:00Z');
    expect(t60 - t59).toBe(S);
    expect(t00 - t60).toBe(S);
    expect(utcToTt2000('2016-12-31T23:59:60.5Z') - t60).toBe(S / 2n);
    expect(tt2000ToUtc(t59)).toBe('2016-12-31T23:59:59.000000000');
    expect(tt2000ToUtc(t60)).toBe('2016-12-31T23:59:60.000000000');
    expect(tt2000ToUtc(t60 + 999_999_999n)).toBe('2016-12-31T23:59:60.999999999');
    expect(tt2000ToUtc(t00)).toBe('2017-01-01T00:00:00.000000000');
    // POSIX milliseconds cannot name 23:59:60: they hold 23:59:59.999 through it, never going back.
    expect(tt2000ToUtcMs(t60)).toBe(Date.parse('2016-12-31T23:59:59.999Z'));
    expect(tt2000ToUtcMs(t60 + 999_999_999n)).toBe(Date.parse('2016-12-31T23:59:59.999Z'));
    expect(tt2000ToUtcMs(t00)).toBe(Date.parse('2017-01-01T00:00:00Z'));
    // 2016-12-31 lasts 86,401 s of TT2000.
    expect(t00 - utcToTt2000('2016-12-31T00:00:00Z')).toBe(86_401n * S);
  });

  it('accepts 23:59:60 only on days that end with a leap second', () => {
    expect(() => utcToTt2000('2016-12-30T23:59:60Z')).toThrow(Tt2000Error);
    expect(() => utcToTt2000('2015-06-30T23:59:60Z')).not.toThrow();
    expect(() => utcToTt2000('2016-12-31T23:58:60Z')).toThrow(Tt2000Error);
  });

  it('has every leap second since 1972, the last on 2017-01-01, each a step of one second', () => {
    expect(LEAP_SECONDS).toHaveLength(28);
    expect(LEAP_SECONDS_LAST_UPDATED).toBe(20170101);
    for (const [day] of LEAP_SECONDS.slice(1)) {
      const before = new Date(Date.parse(`${day}T00:00:00Z`) - 1000).toISOString().slice(0, 19);
      expect(utcToTt2000(`${day}T00:00:00`) - utcToTt2000(before)).toBe(2n * S);
    }
  });

  it('round-trips UTC milliseconds and ISO text', () => {
    const range = fc.integer({ min: Date.parse('1972-01-01T00:00:00Z'), max: Date.parse('2100-01-01T00:00:00Z') });
    fc.assert(
      fc.property(range, fc.integer({ min: 0, max: 999_999 }), (ms, subMs) => {
        const tt = utcMsToTt2000(ms);
        expect(tt2000ToUtcMs(tt)).toBe(ms);
        const iso = new Date(ms).toISOString();
        const withNs = `${iso.slice(0, 23)}${String(subMs).padStart(6, '0')}`;
        expect(utcToTt2000(withNs)).toBe(tt + BigInt(subMs));
        expect(tt2000ToUtc(tt + BigInt(subMs))).toBe(withNs);
      }),
      { numRuns: runs(500) },
    );
  });

  it('prints the fill and pad values as CDF tools do', () => {
    expect(tt2000ToUtc(TT2000_FILL)).toBe('9999-12-31T23:59:59.999999999');
    expect(tt2000ToUtc(TT2000_PAD)).toBe('0000-01-01T00:00:00.000000000');
  });

  it('refuses bad text and times before 1972 with Tt2000Error', () => {
    for (const bad of ['2025-09-04', '2025-02-30T00:00:00Z', '2025-09-04T24:00:00Z', '2025-09-04T00:00:00.1234567890Z', '2025-09-04T00:00:00+01:00', '']) {
      expect(() => utcToTt2000(bad), bad).toThrow(Tt2000Error);
    }
    expect(() => utcToTt2000('1971-12-31T23:59:59Z')).toThrow(/before 1972/);
    expect(() => tt2000ToUtc(utcToTt2000('1972-01-01T00:00:00Z') - 1n)).toThrow(Tt2000Error);
    expect(() => utcMsToTt2000(1.5)).toThrow(Tt2000Error);
    expect(() => utcToTt2000('nope')).toThrow(expect.objectContaining({ code: 'ERR_TT2000', name: 'Tt2000Error' }));
  });
});
