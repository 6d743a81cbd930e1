/**
 * A number read straight from a cell's bytes, `[-]digits[.digits][(e|E)[+-]digits]`, when the double
 * nearest the decimal is certain without a string: (1) Clinger's fast path: its digits as an integer D
 * are at most 2^53 and its power of ten at most 22 either way, so D and 10^k are exact doubles and one
 * correctly rounded multiply or divide gives the nearest double; (2) up to 17 significant digits and
 * 10^-40: D / 10^m checked in double-double arithmetic (numbers.ts, nearestQuotient), the way the
 * writer checks its numbers. Either is what JavaScript's Number() and Python's float() give. Anything
 * else (more digits, far exponents, other forms, a case too close to call) is NaN, and the caller
 * reads the text instead. Nearly all REACH numbers qualify; the point is that those make no string.
 */
import { MAX_SCALE, nearestQuotient } from './numbers.js';

/** 10^k for k = 0..22, each an exact double. */
const POW10 = Float64Array.from({ length: 23 }, (_, k) => 10 ** k);
const MAX_EXACT = 2 ** 53;
/** Significant digits read as hi (the first 9) and lo (up to 8 more), as nearestQuotient takes them. */
const HI_DIGITS = 9;
const LO_DIGITS = 8;

/**
 * decimalAt and decimalPrefix over one kind of buffer: these below for any Buffer, or numbers.wat's over
 * a scanner's memory (wasm.ts), which give the same answers.
 */
export interface DecimalReader {
  /** decimalPrefix of buf[from, to). */
  prefix(buf: Buffer, from: number, to: number): number;
  /** Where the last prefix stopped. */
  readonly end: number;
  /** decimalAt of buf[from, to). */
  at(buf: Buffer, from: number, to: number): number;
}

/** Where decimalPrefix stopped. */
export let decimalEnd = 0;

/** The value of the decimal in buf[from, to), or NaN when it is not certain (see above). */
export function decimalAt(buf: Uint8Array, from: number, to: number): number {
  const v = decimalPrefix(buf, from, to);
  return decimalEnd === to ? v : Number.NaN;
}

/**
 * The decimal that starts buf[from, to) and where it ends (decimalEnd, the first byte not part of it):
 * for a scalar whose end is not known yet, read in the same pass that finds it. NaN as decimalAt.
 */
export function decimalPrefix(buf: Uint8Array, from: number, to: number): number {
  let i = from;
  const negative = buf[i] === 0x2d;
  if (negative) i++;
  const start = i;
  // The first HI_DIGITS significant digits go to hi (leading zeros are not significant), the rest to lo.
  // Separate loops for each part: a loop per part ran ~25% faster than one loop with the cases inside.
  let hi = 0;
  let sig = 0;
  let lo = 0;
  let loDigits = 0;
  let d = 0;
  while (i < to) {
    d = buf[i]! - 48;
    if (d < 0 || d > 9 || sig === HI_DIGITS) break;
    hi = hi * 10 + d;
    if (hi !== 0) sig++;
    i++;
  }
  while (i < to) {
    d = buf[i]! - 48;
    if (d < 0 || d > 9) break;
    if (loDigits === LO_DIGITS) return Number.NaN;
    lo = lo * 10 + d;
    loDigits++;
    i++;
  }
  if (i === start) return Number.NaN;
  let k = 0;
  if (i < to && buf[i] === 0x2e) {
    const fracStart = ++i;
    while (i < to) {
      d = buf[i]! - 48;
      if (d < 0 || d > 9) break;
      if (sig < HI_DIGITS) {
        hi = hi * 10 + d;
        if (hi !== 0) sig++;
      } else if (loDigits < LO_DIGITS) {
        lo = lo * 10 + d;
        loDigits++;
      } else return Number.NaN;
      i++;
    }
    // A point needs digits on both sides.
    if (i === fracStart) return Number.NaN;
    k = fracStart - i;
  }
  if (i < to && (buf[i] === 0x65 || buf[i] === 0x45)) {
    i++;
    const sign = buf[i];
    if (sign === 0x2d || sign === 0x2b) i++;
    const expStart = i;
    let e = 0;
    while (i < to && e < 1000) {
      d = buf[i]! - 48;
      if (d < 0 || d > 9) break;
      e = e * 10 + d;
      i++;
    }
    if (i === expStart) return Number.NaN;
    k += sign === 0x2d ? -e : e;
  }
  decimalEnd = i;
  // hi * 10^loDigits is exact: hi < 10^9 and 10^l = 5^l * 2^l with hi * 5^8 < 2^53.
  const a = hi * POW10[loDigits]!;
  const D = a + lo;
  let v: number;
  if (D <= MAX_EXACT && k <= 22 && k >= -22) v = k >= 0 ? D * POW10[k]! : D / POW10[-k]!;
  else if (k < 0 && -k <= MAX_SCALE) v = nearestQuotient(a, lo, -k);
  else return Number.NaN;
  return negative ? -v : v;
}

/** This module's reader, for any Buffer. */
export const jsDecimals: DecimalReader = {
  prefix: decimalPrefix,
  get end() {
    return decimalEnd;
  },
  at: decimalAt,
};
