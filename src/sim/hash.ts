/**
 * Stateless 32-bit hashing for the simulator. Every synthetic value (ids, gaps,
 * sub-second extras, dose noise) is a pure function of its coordinates so that any
 * page can be generated on its own, in any order, without remembering earlier pages.
 */

const TWO_POW_32 = 4_294_967_296;

/** Final avalanche of a 32-bit value (the "lowbias32" mixer); returns an unsigned int. */
export function mix32(x: number): number {
  let h = x | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hashes up to four integer coordinates (each taken modulo 2^32) into an unsigned int. */
export function hash4(a: number, b: number, c = 0, d = 0): number {
  let h = mix32(a ^ 0x9e3779b9);
  h = mix32(h ^ Math.imul(b | 0, 0x85ebca6b));
  h = mix32(h ^ Math.imul(c | 0, 0xc2b2ae35));
  return mix32(h ^ Math.imul(d | 0, 0x27d4eb2f));
}

/** Maps an unsigned 32-bit hash to [0, 1). */
export function unit(h: number): number {
  return h / TWO_POW_32;
}

/** Low and high 32-bit halves of a non-negative integer below 2^53 (epoch milliseconds). */
export function splitMs(ms: number): [number, number] {
  return [ms >>> 0, Math.floor(ms / TWO_POW_32)];
}

/** FNV-1a of a string, for turning names (sensor ids, descriptors) into hash coordinates. */
export function stringHash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const HEX2: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function hex8(x: number): string {
  return (
    (HEX2[x >>> 24] as string) +
    (HEX2[(x >>> 16) & 0xff] as string) +
    (HEX2[(x >>> 8) & 0xff] as string) +
    (HEX2[x & 0xff] as string)
  );
}

/**
 * A UUID string from 128 hashed bits, with the version (4) and variant (10xx) bits
 * forced so that it looks like the random v4 UUIDs UDL hands out.
 */
export function uuidFromWords(w1: number, w2: number, w3: number, w4: number): string {
  const b = hex8(((w2 & 0xffff0fff) | 0x00004000) >>> 0);
  const c = hex8(((w3 & 0x3fffffff) | 0x80000000) >>> 0);
  return `${hex8(w1)}-${b.slice(0, 4)}-${b.slice(4)}-${c.slice(0, 4)}-${c.slice(4)}${hex8(w4)}`;
}
