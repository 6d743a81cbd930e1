/**
 * Numbers: raw text is copied only when it is certainly what String(Number(text)) prints. Pure functions
 * over constant tables; nothing here changes after load.
 */

/** Largest m for which 10^-m scaling is tried; beyond, numbers are converted. */
export const MAX_SCALE = 40;
/** 10^m as a double-double POW10[m] + POW10_REST[m] (exact up to m = 22), and POW10[m] split in halves. */
const POW10 = new Float64Array(MAX_SCALE + 1);
const POW10_REST = new Float64Array(MAX_SCALE + 1);
const POW10_HI = new Float64Array(MAX_SCALE + 1);
const POW10_LO = new Float64Array(MAX_SCALE + 1);
const SPLITTER = 134217729; // 2^27 + 1: Veltkamp split into two 26-bit halves
for (let m = 0; m <= MAX_SCALE; m++) {
  const p = Number(`1e${m}`);
  const t = SPLITTER * p;
  POW10[m] = p;
  POW10_REST[m] = Number(10n ** BigInt(m) - BigInt(p));
  POW10_HI[m] = t - (t - p);
  POW10_LO[m] = p - POW10_HI[m]!;
}
/** The four tables above in a row (POW10, POW10_REST, POW10_HI, POW10_LO), a copy: numbers.wat's. */
export function powerTables(): Float64Array {
  const all = new Float64Array(4 * (MAX_SCALE + 1));
  [POW10, POW10_REST, POW10_HI, POW10_LO].forEach((t, k) => all.set(t, k * (MAX_SCALE + 1)));
  return all;
}

/** ULP_OF_EXPONENT[e] = the spacing of doubles whose biased exponent is e. */
const ULP_OF_EXPONENT = new Float64Array(2047);
for (let e = 1; e < 2047; e++) ULP_OF_EXPONENT[e] = 2 ** (e - 1075);
/** Scratch for reading a double's bits: written and read within one call, so no state outlives a call. */
const F64 = new Float64Array(1);
const F64_WORDS = new Uint32Array(F64.buffer);
const HIGH_WORD = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
const MARGIN = 1e-6;

/**
 * True when `t` (valid JSON number text) is certainly what String(Number(t)) prints, so it can be copied.
 * False means "convert": the answer may still be yes, and the caller then pays String(+t).
 *
 * JS prints the shortest digit string that reads back as the same double, the closest one if several:
 * plainly for 1e-6 <= |x| < 1e21 (no trailing fractional zeros, "0" for -0), else as d.ddde-n / d.ddde+n.
 * Up to 15 significant digits a decimal reads back exactly (DBL_DIG), so text in that form is the answer.
 * With 16 or 17 digits (the real lat/lon/alt/senPos/obValue) the digits D, value D / 10^m, are checked
 * in double-double arithmetic against d = D / 10^m rounded: |d*10^m - D| is computed and must show that
 * (1) d really is Number(t), (2) t is the nearest 16/17-digit decimal to d, and (3) no multiple of 10 (a
 * shorter decimal) lies within d's rounding interval. Anything near a tie or a boundary is converted.
 */
export function isCanonicalNumber(t: string): boolean {
  return isCanonicalAt(t, 0, t.length);
}

/** isCanonicalNumber of s.slice(from, to), read in place: char reads from a flat body beat a slice's. */
export function isCanonicalAt(s: string, from: number, to: number): boolean {
  // D is read as hi * 10^loDigits + lo, hi taking the first 9 significant digits: with up to 17 digits,
  // hi * 10^loDigits is then exact (hi * 5^loDigits < 2^53).
  const intStart = s.charCodeAt(from) === 45 ? from + 1 : from;
  let i = intStart;
  let c = 0;
  let hi = 0;
  for (; i < to; i++) {
    c = s.charCodeAt(i);
    if (c < 48 || c > 57) break;
    hi = hi * 10 + (c - 48);
  }
  const intDigits = i - intStart;
  let digits = hi === 0 ? 0 : intDigits;
  let lo = 0;
  let loDigits = 0;
  if (intDigits > 9) {
    hi = 0;
    for (let k = intStart; k < i; k++) {
      if (k < intStart + 9) hi = hi * 10 + (s.charCodeAt(k) - 48);
      else lo = lo * 10 + (s.charCodeAt(k) - 48);
    }
    loDigits = intDigits - 9;
  }
  let fracDigits = 0;
  const belowOne = digits === 0;
  if (c === 46) {
    const fracStart = ++i;
    if (belowOne) while (i < to && s.charCodeAt(i) === 48) i++;
    const zeros = i - fracStart;
    const split = Math.min(to, i + 9 - Math.min(9, digits));
    for (; i < split; i++) {
      c = s.charCodeAt(i);
      if (c > 57) break;
      hi = hi * 10 + (c - 48);
    }
    if (i === split) {
      const loStart = i;
      for (; i < to; i++) {
        c = s.charCodeAt(i);
        if (c > 57) break;
        lo = lo * 10 + (c - 48);
      }
      loDigits += i - loStart;
    }
    fracDigits = i - fracStart;
    digits += fracDigits - zeros;
    if (s.charCodeAt(i - 1) === 48) return false;
  }
  let exp = 0;
  if (i < to) {
    // JS writes d[.ddd]e+n or d[.ddd]e-n, lower case, signed, no leading zeros, only outside [1e-6, 1e21);
    // within 1e±307 the double is normal and finite, where the 15-digit rule holds.
    const sign = s.charCodeAt(i + 1);
    if (s.charCodeAt(i) !== 101 || (sign !== 43 && sign !== 45) || s.charCodeAt(i + 2) === 48 || to - i > 5) return false;
    for (i += 2; i < to; i++) exp = exp * 10 + (s.charCodeAt(i) - 48);
    if (sign === 45) exp = -exp;
    if (intDigits !== 1 || digits === 0 || (exp > -7 && exp < 21) || exp < -307 || exp > 307) return false;
  } else {
    if (digits === 0) return to - from === 1;
    if (intDigits > 21 || (belowOne && fracDigits - digits > 5)) return false;
  }
  if (digits <= 15) return true;
  const m = fracDigits - exp;
  if (digits > 17 || m < 0 || m > MAX_SCALE) return false;
  const a = hi * POW10[loDigits]!;
  // Just above a power of ten the shorter neighbours are not multiples of 10; rare, so convert.
  if (a + lo - POW10[digits - 1]! < 21) return false;
  if (Number.isNaN(nearestQuotient(a, lo, m))) return false;
  const diff = quotientCheck[0]!;
  const half = quotientCheck[1]!;
  if ((diff < 0 ? -diff : diff) >= 0.5 - MARGIN) return false;
  const above = (lo % 10) + diff; // distance from d*10^m down to the multiple of 10 below D
  return above > half + MARGIN && 10 - above > half + MARGIN;
}

/** What nearestQuotient found last: [0] = d * 10^m - D, [1] = half of d's ulp times 10^m. */
export const quotientCheck = new Float64Array(2);

/**
 * The double nearest D / 10^m, D = a + lo (a = hi * 10^k read exactly, lo < 10^8, D < 10^17; m <= 40),
 * or NaN when that is not certain: the candidate's distance from D / 10^m, computed in double-double
 * arithmetic, must be clearly below half its ulp. Leaves the distance and the half-ulp in quotientCheck.
 */
export function nearestQuotient(a: number, lo: number, m: number): number {
  const scale = POW10[m]!;
  const sHi = POW10_HI[m]!;
  const sLo = POW10_LO[m]!;
  const rest = POW10_REST[m]!;
  // The first guess is off by an ulp when D > 2^53 or 10^m is inexact; the neighbour then is the one.
  let d = (a + lo) / scale;
  for (let attempt = 0; ; attempt++) {
    F64[0] = d;
    const w = F64_WORDS[HIGH_WORD]!;
    // A power of two has a narrower rounding interval below it; not worth the special case.
    if ((w & 0xfffff) === 0 && F64_WORDS[1 - HIGH_WORD] === 0) return Number.NaN;
    const ulp = ULP_OF_EXPONENT[(w >>> 20) & 0x7ff]!;
    const half = ulp * scale * 0.5;
    const p = d * scale;
    const dt = SPLITTER * d;
    const dHi = dt - (dt - d);
    const dLo = d - dHi;
    const err = dHi * sHi - p + dHi * sLo + dLo * sHi + dLo * sLo + d * rest;
    const diff = p - a - lo + err; // d*10^m - D; p - a is exact (Sterbenz), the rest is small
    const dist = diff < 0 ? -diff : diff;
    if (dist < half - MARGIN) {
      quotientCheck[0] = diff;
      quotientCheck[1] = half;
      return d;
    }
    if (attempt > 0 || dist < half + MARGIN) return Number.NaN;
    d = diff > 0 ? d - ulp : d + ulp;
  }
}

/** isCanonicalNumber of every number in the array text s.slice(from, to), `[` to `]`. */
export function areCanonicalAt(s: string, from: number, to: number): boolean {
  const last = to - 1;
  for (let i = from + 1; i < last; ) {
    let j = s.indexOf(',', i);
    if (j < 0 || j > last) j = last;
    if (!isCanonicalAt(s, i, j)) return false;
    i = j + 1;
  }
  return true;
}
