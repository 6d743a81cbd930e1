/**
 * Nested values walked in place (NestedPaths): any JSON value, as a JSON artifact holds it and as a CSV
 * cell holds it (quotes doubled), gives at each path what JSON.parse and a lookup give; the reference
 * tool's Python literals read the same; a malformed value fails instead of giving a wrong field.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseFieldPath } from '../../../src/formats/field-path.js';
import { NestedPaths } from '../../../src/formats/nested.js';
import { pathsOf, replaceLeaves } from '../../helpers/nested-values.js';
import { runs } from '../../helpers/runs.js';

/** The fields at `paths` inside `text` (bytes as written; `doubled`: a CSV cell's). */
function extract(text: string, paths: string[], doubled = false, pad = 0): string[] {
  const steps = paths.map((p) => parseFieldPath(`top${p}`).steps);
  const row = paths.map(() => 'untouched');
  const columns = paths.map((_, k) => [row[k]!]);
  const bytes = Buffer.concat([Buffer.alloc(pad, 0x5b), Buffer.from(text, 'utf8'), Buffer.from(']]')]);
  new NestedPaths(
    steps,
    paths.map((_, k) => k),
  ).extract(bytes, pad, pad + Buffer.byteLength(text), doubled, { columns, numbers: [] }, 0);
  return columns.map((c) => c[0]!);
}

/** What a reader gives for the value at `steps` of a parsed JSON value. */
function lookup(v: unknown, steps: Array<string | number>): string {
  for (const s of steps) {
    if (v === null || typeof v !== 'object') return 'untouched';
    if (typeof s === 'number' ? !Array.isArray(v) || s >= v.length : Array.isArray(v) || !Object.hasOwn(v, s)) return 'untouched';
    v = (v as Record<string | number, unknown>)[s];
  }
  if (v === null) return '';
  if (typeof v === 'object') return 'untouched';
  return typeof v === 'string' ? v : String(v);
}

describe('NestedPaths', () => {
  const json = fc.jsonValue({ maxDepth: 3 }).filter((v) => v !== null && typeof v === 'object');

  it('gives what JSON.parse and a lookup give, in JSON and in a CSV cell', () => {
    fc.assert(
      fc.property(json, fc.boolean(), (value, spaced) => {
        const text = JSON.stringify(value, null, spaced ? 1 : undefined);
        const paths = pathsOf(value)
          .filter((p) => p !== '')
          .slice(0, 30);
        const want = paths.map((p) => lookup(value, parseFieldPath(`top${p}`).steps));
        // JSON.stringify writes numbers as String() does, so "as written" is String(number) here.
        expect(extract(text, paths)).toEqual(want);
        expect(extract(text.replaceAll('"', '""'), paths, true, 3)).toEqual(want);
      }),
      { numRuns: runs(400) },
    );
  });

  it('gives the same fields for values read one after another (through the skeleton of the one before)', () => {
    const leaf = fc.oneof(fc.string(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null), fc.jsonValue({ maxDepth: 1 }));
    fc.assert(
      fc.property(json, fc.array(fc.array(leaf, { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 6 }), fc.boolean(), (base, leafSets, doubled) => {
        // Values of the base's shape with other scalars in it (or, now and then, a nested value).
        const values = [base, ...leafSets.map((leaves) => replaceLeaves(base, leaves)), base];
        const paths = pathsOf(base)
          .filter((p) => p !== '')
          .slice(0, 30);
        const reader = new NestedPaths(
          paths.map((p) => parseFieldPath(`top${p}`).steps),
          paths.map((_, k) => k),
        );
        for (const value of values) {
          const text = JSON.stringify(value);
          const bytes = Buffer.from(doubled ? text.replaceAll('"', '""') : text, 'utf8');
          const columns = paths.map(() => ['untouched']);
          reader.extract(bytes, 0, bytes.length, doubled, { columns, numbers: [] }, 0);
          expect(columns.map((c) => c[0])).toEqual(paths.map((p) => lookup(value, parseFieldPath(`top${p}`).steps)));
        }
      }),
      { numRuns: runs(400) },
    );
  });

  it('reads numbers as written, and the reference tool Python literals', () => {
    const seo = "[{'obType': 'Energetic Charged Particle', 'obValue': 4.02944e-05, 'obQuality': '0', 'x': None, 'y': (1, True), \"it's\": \"it's\", 'esc': 'a\\'b\\\\c'}]";
    expect(extract(seo, ['[0].obValue', '[0].obQuality', '[0].x', '[0].y[1]', "[0].it's", '[0].esc', '[0].obType', '[1].obValue'])).toEqual([
      '4.02944e-05',
      '0',
      '',
      'True',
      "it's",
      "a'b\\c",
      'Energetic Charged Particle',
      'untouched',
    ]);
    expect(extract('[1.50, -0e0, 3E+2]', ['[0]', '[1]', '[2]'])).toEqual(['1.50', '-0e0', '3E+2']);
  });

  it('reads a Python literal string with a double quote in it from a CSV cell (doubled there)', () => {
    const text = "[{'obDescription': 'say \"hi\"', 'k': 'it\\'s \"x\"'}]";
    expect(extract(text, ['[0].obDescription', '[0].k'])).toEqual(['say "hi"', 'it\'s "x"']);
    expect(extract(text.replaceAll('"', '""'), ['[0].obDescription', '[0].k'], true)).toEqual(['say "hi"', 'it\'s "x"']);
  });

  it('gives a scalar to every path that names it (a field asked for twice), walked and through the skeleton', () => {
    const paths = ['[0].obValue', '[0].obQuality', '[0].obValue', '[1]'];
    const reader = new NestedPaths(
      paths.map((p) => parseFieldPath(`top${p}`).steps),
      paths.map((_, k) => k),
    );
    for (const [value, want] of [
      ['[{"obValue":1.5e-7,"obQuality":"0"},2]', ['1.5e-7', '0', '1.5e-7', '2']],
      ['[{"obValue":2.5e-7,"obQuality":"1"},3]', ['2.5e-7', '1', '2.5e-7', '3']],
    ] as const) {
      const columns = paths.map(() => ['untouched']);
      const bytes = Buffer.from(value);
      reader.extract(bytes, 0, bytes.length, false, { columns, numbers: [] }, 0);
      expect(columns.map((c) => c[0])).toEqual(want);
    }
  });

  it('takes escaped keys and strings, in JSON and doubled in a CSV cell', () => {
    const text = '{"o\\u0062Value": "x\\"y\\u00e9", "a\\"b": 1, "plain": "é"}';
    expect(extract(text, ['.obValue', '.a"b', '.plain'])).toEqual(['x"yé', '1', 'é']);
    expect(extract(text.replaceAll('"', '""'), ['.obValue', '.a"b', '.plain'], true)).toEqual(['x"yé', '1', 'é']);
  });

  it.each([
    ['[1,', /unclosed|bad array|empty value/],
    ['{"a" 1}', /missing ':'/],
    ['{"a": "b}', /unterminated string/],
    ['[1 2]', /bad array/],
    ['{1: 2}', /not a string/],
    ['[,]', /empty value/],
  ])('fails on %j', (text, problem) => {
    expect(() => extract(text, ['[0]', '.a'])).toThrow(problem);
  });
});
