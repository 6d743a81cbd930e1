/**
 * Cell text -> values, on the per-record hot path: numbers as Python's float() reads them, createdAt as
 * an order-preserving number, and copies of strings that must outlive the input they were sliced from.
 */

const NAN_OR_INF = /^\s*([+-]?)(nan|inf|infinity)\s*$/i;

/**
 * Where parseNumberInto and createdAtKeyInto leave their value. A double returned from a function V8 does
 * not inline is boxed as a new heap number: ~10 per record, 1.1 M records a day, all garbage.
 */
export const result = new Float64Array(1);

/**
 * A numeric cell -> result[0]: the double it denotes, NaN for an empty cell (missing, as pandas reads
 * it); false when the text is not a number. Accepts what Python's float() accepts, bar digit
 * underscores: decimal and exponent forms, surrounding blanks, `nan`, `inf`, `infinity` in any case.
 */
export function parseNumberInto(text: string): boolean {
  if (text.length < 8) {
    const short = parseShortDecimal(text);
    if (!Number.isNaN(short)) {
      result[0] = short;
      return true;
    }
  }
  const n = Number(text);
  if (Number.isNaN(n)) {
    const m = NAN_OR_INF.exec(text);
    if (m === null) return false;
    result[0] = m[2]!.toLowerCase() === 'nan' ? NaN : m[1] === '-' ? -Infinity : Infinity;
    return true;
  }
  // Number() reads '' and blanks as 0 and accepts 0x/0o/0b literals; float() does neither.
  const c = text.charCodeAt(0);
  if (c === 48 /* 0 */ || c <= 32 || text.length === 0) {
    if (text.trim() === '') {
      result[0] = NaN;
      return true;
    }
    if (/^\s*0[xob]/i.test(text)) return false;
  }
  result[0] = n;
  return true;
}

const POW10 = [1, 10, 100, 1000, 1e4, 1e5, 1e6, 1e7];

/**
 * `[-]digits[.digits]` of under 8 characters (`0.0`, `16`, ...: most obValue and obQuality cells) without
 * Number()'s runtime call; NaN for anything else. Exact: at most 7 digits, one correctly rounded division.
 */
function parseShortDecimal(t: string): number {
  const n = t.length;
  let i = t.charCodeAt(0) === 45 ? 1 : 0;
  const start = i;
  let m = 0;
  let dot = -1;
  for (; i < n; i++) {
    const d = t.charCodeAt(i) - 48;
    if (d >= 0 && d <= 9) m = m * 10 + d;
    else if (d === -2 && dot < 0 && i > start) dot = i; // the one "."
    else return NaN;
  }
  if (i === start || dot === n - 1) return NaN;
  const v = dot < 0 ? m : m / POW10[n - 1 - dot]!;
  return start === 1 ? -v : v;
}

/**
 * createdAt in the canonical UDL form `YYYY-MM-DDTHH:MM:SS.sssZ` -> result[0], a number (< 2^53) whose
 * order is the strings' order, so a day's createdAt values need not be kept as strings; false for any
 * other form (the caller then compares the text). The number is a mixed-radix reading of the fields (month < 13,
 * day < 32, ...), so out-of-range fields (month 13, second 60) count as another form.
 */
export function createdAtKeyInto(t: string): boolean {
  if (
    t.length !== 24 ||
    t.charCodeAt(4) !== 45 || // -
    t.charCodeAt(7) !== 45 ||
    t.charCodeAt(10) !== 84 || // T
    t.charCodeAt(13) !== 58 || // :
    t.charCodeAt(16) !== 58 ||
    t.charCodeAt(19) !== 46 || // .
    t.charCodeAt(23) !== 90 // Z
  ) {
    return false;
  }
  // Straight-line pairs of digits, not a loop per field: this runs for half a day's million records.
  const y = pair(t, 0) * 100 + pair(t, 2);
  const mo = pair(t, 5);
  const d = pair(t, 8);
  const h = pair(t, 11);
  const mi = pair(t, 14);
  const s = pair(t, 17);
  const last = t.charCodeAt(22) - 48;
  const ms = pair(t, 20) * 10 + last;
  if (!(y >= 0 && mo <= 12 && d <= 31 && h <= 23 && mi <= 59 && s <= 59 && ms >= 0) || (mo | d | h | mi | s) < 0 || last >>> 0 > 9) return false;
  result[0] = (((((y * 13 + mo) * 32 + d) * 24 + h) * 60 + mi) * 60 + s) * 1000 + ms;
  return true;
}

/** The two decimal digits at t[i], t[i + 1] as a number; a large negative one when either is not a digit. */
function pair(t: string, i: number): number {
  const a = t.charCodeAt(i) - 48;
  const b = t.charCodeAt(i + 1) - 48;
  return a >>> 0 > 9 || b >>> 0 > 9 ? -1e6 : a * 10 + b;
}

/**
 * An obTime of `day` (YYYY-MM-DD) in the canonical UDL form `YYYY-MM-DDTHH:MM:SS.sssZ` -> milliseconds
 * since the day's 00:00:00; -1 for another day or form (second 60 included). A leap second is only ever
 * inserted as a day's last second, so up to 23:59:59.999 a time's TT2000 is the day's start plus these
 * milliseconds: the builder adds them instead of parsing every time of a day in full.
 */
export function msOfDay(t: string, day: string): number {
  if (t.length !== 24 || !t.startsWith(day) || t.charCodeAt(10) !== 84 || t.charCodeAt(13) !== 58 || t.charCodeAt(16) !== 58 || t.charCodeAt(19) !== 46 || t.charCodeAt(23) !== 90) {
    return -1;
  }
  const h = pair(t, 11);
  const mi = pair(t, 14);
  const s = pair(t, 17);
  const last = t.charCodeAt(22) - 48;
  const ms = pair(t, 20) * 10 + last;
  if (h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59 || ms < 0 || last >>> 0 > 9) return -1;
  return ((h * 60 + mi) * 60 + s) * 1000 + ms;
}

/** The canonical createdAt text a key came from (the inverse of createdAtKeyInto). */
export function createdAtText(key: number): string {
  const take = (radix: number): number => {
    const part = key % radix;
    key = (key - part) / radix;
    return part;
  };
  const ms = take(1000);
  const s = take(60);
  const mi = take(60);
  const h = take(24);
  const d = take(32);
  const mo = take(13);
  const p2 = (n: number): string => String(n).padStart(2, '0');
  return `${String(key).padStart(4, '0')}-${p2(mo)}-${p2(d)}T${p2(h)}:${p2(mi)}:${p2(s)}.${String(ms).padStart(3, '0')}Z`;
}

/**
 * A flat copy of a string. A short substring of a large parsed chunk is a V8 "sliced string" that keeps the
 * whole chunk alive; strings kept past one record (interned times, sensors, descriptions) are copied.
 */
export function detach(s: string): string {
  return s.length === 0 ? '' : Buffer.from(s, 'utf8').toString('utf8');
}
