/** TextCache: the right text always, the same string for a repeated value, and off for values that do not repeat. */
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { TextCache } from '../../../src/formats/text-cache.js';

describe('TextCache', () => {
  it('gives the text of the bytes, and the one string for a value seen before', () => {
    const c = new TextCache();
    const buf = Buffer.from('xxREACH-101,REACH-102,REACH-101,é,é');
    const a = c.get(buf, 2, 11);
    expect(a).toBe('REACH-101');
    expect(c.get(buf, 12, 21)).toBe('REACH-102');
    expect(c.get(buf, 22, 31)).toBe('REACH-101');
    expect(c.get(buf, 32, 34)).toBe('é');
    expect(c.get(buf, 35, 37)).toBe('é');
    expect(c.get(buf, 0, 0)).toBe('');
  });

  it('stays right for values that collide or never repeat', () => {
    const c = new TextCache();
    for (let i = 0; i < 5000; i++) {
      const s = String(i * 7919);
      expect(c.get(Buffer.from(`,${s},`), 1, s.length + 1)).toBe(s);
    }
  });

  it('gives long values and runs of one value right', () => {
    const c = new TextCache();
    const long = 'x'.repeat(100);
    const buf = Buffer.from(`${long},${long}y,abc,abc,abd`);
    expect(c.get(buf, 0, 100)).toBe(long);
    expect(c.get(buf, 101, 202)).toBe(`${long}y`);
    expect(c.get(buf, 203, 206)).toBe('abc');
    expect(c.get(buf, 207, 210)).toBe('abc');
    expect(c.get(buf, 211, 214)).toBe('abd');
    expect(c.get(buf, 207, 210)).toBe('abc');
  });

  it('keeps values that differ in one letter apart (they alternate: DOSE1 X, DOSE2 W)', () => {
    const c = new TextCache();
    const buf = Buffer.from('DOSE1 (Flavor X) in rad/second,DOSE2 (Flavor W) in rad/second');
    // Each string is made once, not on every lookup.
    const made = vi.spyOn(buf, 'toString');
    for (let i = 0; i < 2000; i++) {
      expect(c.get(buf, 0, 30)).toBe('DOSE1 (Flavor X) in rad/second');
      expect(c.get(buf, 31, 61)).toBe('DOSE2 (Flavor W) in rad/second');
    }
    expect(made).toHaveBeenCalledTimes(2);
  });

  it('gives the right text with any `changed` hint, right or wrong, and one string per value when told', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom('REACH-101', 'REACH-102', 'REACH-103', 'a', 'b', 'é', ''), fc.boolean()), { maxLength: 60 }), (seq) => {
        const c = new TextCache();
        const buf = Buffer.from(seq.map(([v]) => v).join(','));
        let at = 0;
        for (const [v, hint] of seq) {
          const n = Buffer.byteLength(v);
          expect(c.get(buf, at, at + n, hint)).toBe(v);
          at += n + 1;
        }
      }),
    );
    // Told that each value differs from the last, the cache still makes each string once.
    const c = new TextCache();
    const buf = Buffer.from('REACH-101,REACH-102');
    const made = vi.spyOn(buf, 'toString');
    for (let i = 0; i < 500; i++) {
      expect(c.get(buf, 0, 9, true)).toBe('REACH-101');
      expect(c.get(buf, 10, 19, true)).toBe('REACH-102');
    }
    expect(made).toHaveBeenCalledTimes(2);
  });
});
