/** JSON values for the nested-value tests: every path of a value, and a value with other scalars in it. */

/** Every path of a value (its scalars and nested values), and some that are not in it. */
export function pathsOf(v: unknown, at = ''): string[] {
  if (Array.isArray(v)) return [at, `${at}[${v.length}]`, ...v.flatMap((x, i) => pathsOf(x, `${at}[${i}]`))];
  if (v !== null && typeof v === 'object') return [at, `${at}.absent`, ...Object.entries(v).flatMap(([k, x]) => (/^[^.[\]]+$/.test(k) ? pathsOf(x, `${at}.${k}`) : []))];
  return [at];
}

/** `v` with its scalars replaced, in order, by `leaves` (cycled). */
export function replaceLeaves(v: unknown, leaves: unknown[]): unknown {
  let i = 0;
  const walk = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(walk);
    if (x !== null && typeof x === 'object') return Object.fromEntries(Object.entries(x).map(([k, y]) => [k, walk(y)]));
    return leaves[i++ % leaves.length];
  };
  return walk(v);
}
