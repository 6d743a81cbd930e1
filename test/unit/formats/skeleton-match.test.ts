/**
 * Skeleton matches in WebAssembly (skeleton.wat through skeleton-match.ts): a NestedPaths reading values
 * in a scanner's memory, with a slot there, gives field for field what one reading them in JavaScript
 * gives, for values of one shape with other scalars in them (strings with quotes, apostrophes and
 * escapes, numbers in and out of the fast form, words, null, a nested value now and then, a byte
 * damaged), as JSON and as the reference tool's Python literals, each also in a CSV cell.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsvScanner, IN } from '../../../src/formats/csv-scan.js';
import { parseFieldPath } from '../../../src/formats/field-path.js';
import { NestedPaths } from '../../../src/formats/nested.js';
import { pathsOf, replaceLeaves } from '../../helpers/nested-values.js';
import { runs } from '../../helpers/runs.js';

/** A bare word written as it stands, in either form (not always a valid number or literal). */
class Raw {
  constructor(readonly word: string) {}
}

/** `v` as JSON, or as a Python literal as the reference tool's CSV holds one (repr of dicts, lists, str, float, None, bool). */
function write(v: unknown, python: boolean): string {
  if (v instanceof Raw) return v.word;
  if (!python) {
    if (Array.isArray(v)) return `[${v.map((x) => write(x, false)).join(',')}]`;
    if (v !== null && typeof v === 'object') return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}:${write(x, false)}`).join(',')}}`;
    return JSON.stringify(v);
  }
  if (v === null) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return Number.isInteger(v) ? `${v}.0` : String(v);
  if (typeof v === 'string') {
    const body = v.replaceAll('\\', '\\\\');
    return v.includes("'") && !v.includes('"') ? `"${body}"` : `'${body.replaceAll("'", "\\'")}'`;
  }
  if (Array.isArray(v)) return `[${v.map((x) => write(x, true)).join(', ')}]`;
  return `{${Object.entries(v as object)
    .map(([k, x]) => `${write(k, true)}: ${write(x, true)}`)
    .join(', ')}}`;
}

const text = fc.string({ unit: fc.constantFrom('a', 'b', ' ', "'", '"', '\\', 'é', ',', ']') });
const leaf = fc.oneof(
  text,
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.constantFrom(1e-7, 5.948424492631681e-8, 0.000004079335243728685, -1111.4177301610696, 7073.44947372725),
  fc.constantFrom('1.5x', '-', '1e', '0x10', '.5', '1e+21.0', '-0', 'True', 'None', 'null', '00', '1.', '+1', '1e5e').map((w) => new Raw(w)),
  fc.boolean(),
  fc.constant(null),
  fc.jsonValue({ maxDepth: 1 }),
);
const shape = fc.jsonValue({ maxDepth: 3 }).filter((v) => v !== null && typeof v === 'object' && pathsOf(v).length > 1);
/** JSON; JSON in a CSV cell; a Python literal; a Python literal in a CSV cell (its quotes doubled too). */
const form = fc.constantFrom('json', 'csv', 'python', 'python-csv');
/** A byte put in place of another now and then: a value that nearly fits the skeleton, or is malformed. */
const damage = fc.option(fc.tuple(fc.nat(), fc.constantFrom(...'"\',]}[{: 1e.-a'.split('').map((c) => c.charCodeAt(0)))), { freq: 3 });

describe('skeleton matches in WebAssembly', () => {
  it('give what the JavaScript match and walk give, value after value', () => {
    fc.assert(
      fc.property(shape, fc.array(fc.tuple(fc.array(leaf, { minLength: 1, maxLength: 6 }), damage), { minLength: 1, maxLength: 6 }), form, fc.array(fc.boolean()), (base, leafSets, how, numericBits) => {
        const paths = pathsOf(base)
          .filter((p) => p !== '')
          .slice(0, 30);
        const steps = paths.map((p) => parseFieldPath(`top${p}`).steps);
        const numeric = paths.map((_, k) => numericBits[k] ?? true);
        const scanner = new CsvScanner(1 << 16);
        const inWasm = new NestedPaths(steps, paths.map((_, k) => k), numeric, scanner.decimals, scanner.skeletons.take());
        const inJs = new NestedPaths(steps, paths.map((_, k) => k), numeric);
        const doubled = how.endsWith('csv');
        const values: Array<[unknown, [number, number] | null]> = [[base, null], ...leafSets.map(([leaves, hit]): [unknown, [number, number] | null] => [replaceLeaves(base, leaves), hit]), [base, null]];
        for (const [value, hit] of values) {
          const written = write(value, how.startsWith('python'));
          const bytes = Buffer.from(doubled ? written.replaceAll('"', '""') : written, 'utf8');
          if (hit !== null) bytes[hit[0] % bytes.length] = hit[1];
          if (bytes.length > 4000) continue;
          scanner.bytes.set(bytes, IN);
          const got = { columns: paths.map(() => ['untouched']), numbers: paths.map(() => Float64Array.of(-1)) };
          const want = { columns: paths.map(() => ['untouched']), numbers: paths.map(() => Float64Array.of(-1)) };
          const run = (reader: NestedPaths, buf: Buffer, from: number, target: typeof got): string | undefined => {
            try {
              reader.extract(buf, from, from + bytes.length, doubled, target, 0);
              return undefined;
            } catch (err) {
              return (err as Error).message.replace(/at byte \d+/, '');
            }
          };
          expect(run(inWasm, scanner.bytes, IN, got)).toEqual(run(inJs, bytes, 0, want));
          expect(got).toEqual(want);
        }
      }),
      { numRuns: runs(600) },
    );
  });

  it('match seoList cells in WebAssembly (strings through the memo), not by falling back to JavaScript', () => {
    const scanner = new CsvScanner(1 << 16);
    const slot = scanner.skeletons.take()!;
    let matched = 0;
    const match = slot.match.bind(slot);
    slot.match = (from: number, to: number): number => {
      const n = match(from, to);
      if (n > 0) matched++;
      return n;
    };
    const paths = ['[0].obValue', '[0].obQuality', '[0].obDescription'];
    const reader = new NestedPaths(
      paths.map((p) => parseFieldPath(`top${p}`).steps),
      [0, 1, 2],
      [true, true, false],
      scanner.decimals,
      slot,
    );
    const target = { columns: [[''], [''], ['']], numbers: [[0], [0], [0]].map((x) => Float64Array.from(x)) };
    // Descriptions of one length, the first one again at the end (its text then comes from the memo).
    const cells: Array<[number, number]> = [
      [5.948424492631681e-8, 1],
      [8.258285371981516e-8, 2],
      [0.000004079335243728685, 3],
      [1e-7, 1],
    ];
    for (const [v, dose] of cells) {
      const cell = `[{""obType"":""Energetic Charged Particle"",""obUoM"":""rad/second"",""obValue"":${v},""obQuality"":""0"",""obDescription"":""DOSE${dose} (Flavor X) in rad/second""}]`;
      const bytes = Buffer.from(cell);
      scanner.bytes.set(bytes, IN);
      reader.extract(scanner.bytes, IN, IN + bytes.length, true, target, 0);
      expect([target.numbers[0]![0], target.columns[1]![0], target.columns[2]![0]]).toEqual([v, '0', `DOSE${dose} (Flavor X) in rad/second`]);
    }
    // The first value is walked (it makes the skeleton); the others fit it.
    expect(matched).toBe(3);
  });
});
