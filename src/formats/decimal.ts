/**
 * A number read straight from a cell's bytes when that is exact in one floating-point operation
 * (Clinger's fast path): `[-]digits[.digits][(e|E)[+-]digits]` whose digits, read as an integer, are at
 * most 2^53 and whose power of ten is at most 22 either way. Both the integer and 10^k are then exact
 * doubles and one correctly rounded multiply or divide gives the double nearest the decimal: what
 * JavaScript's Number() and Python's float() give. Anything else (more digits, a far exponent, other
 * forms) is NaN, and the caller reads the text instead. About half of REACH's coordinates qualify; the
 * point is that those make no string.
 */

/** 10^k for k = 0..22, each an exact double. */
const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);
const MAX_EXACT = 2 ** 53;

/** The value of the decimal in buf[from, to), or NaN when it is not in the fast form (see above). */
export function decimalAt(buf: Uint8Array, from: number, to: number): number {
  let i = from;
  const negative = buf[i] === 0x2d;
  if (negative) i++;
  const intStart = i;
  let m = 0;
  for (; i < to; i++) {
    const d = buf[i]! - 48;
    if (d < 0 || d > 9) break;
    m = m * 10 + d;
  }
  if (i === intStart) return Number.NaN;
  let k = 0;
  if (i < to && buf[i] === 0x2e) {
    const fracStart = ++i;
    for (; i < to; i++) {
      const d = buf[i]! - 48;
      if (d < 0 || d > 9) break;
      m = m * 10 + d;
    }
    if (i === fracStart) return Number.NaN;
    k = fracStart - i;
  }
  // Past 2^53 the running integer may have been rounded: not exact, so not ours.
  if (m > MAX_EXACT) return Number.NaN;
  if (i < to && (buf[i] === 0x65 || buf[i] === 0x45)) {
    i++;
    const sign = buf[i];
    if (sign === 0x2d || sign === 0x2b) i++;
    const expStart = i;
    let e = 0;
    for (; i < to && e < 1000; i++) {
      const d = buf[i]! - 48;
      if (d < 0 || d > 9) break;
      e = e * 10 + d;
    }
    if (i === expStart) return Number.NaN;
    k += sign === 0x2d ? -e : e;
  }
  if (i !== to || k > 22 || k < -22) return Number.NaN;
  const v = k >= 0 ? m * POW10[k]! : m / POW10[-k]!;
  return negative ? -v : v;
}
