/** Field paths: how a reader is asked for a value, at the top level of a record or inside a nested one. */

/** A field path: a top-level key, then array indices and object keys, e.g. `seoList[0].obValue`, `senPos[2]`. */
export interface FieldPath {
  top: string;
  /** Steps below the top-level value: numbers index arrays, strings key objects. */
  steps: Array<string | number>;
}

export function parseFieldPath(path: string): FieldPath {
  const m = /^([^.[\]]+)((?:\[\d+\]|\.[^.[\]]+)*)$/.exec(path);
  if (!m) throw new RangeError(`not a field path: ${JSON.stringify(path)} (e.g. obTime, seoList[0].obValue, senPos[2])`);
  const steps: Array<string | number> = [];
  for (const s of m[2]!.matchAll(/\[(\d+)\]|\.([^.[\]]+)/g)) steps.push(s[1] !== undefined ? Number(s[1]) : s[2]!);
  return { top: m[1]!, steps };
}
