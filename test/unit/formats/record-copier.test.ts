import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { MAX_ROWS, RecordCopier, ROW_ROOM, recordProgram, rowProgram } from '../../../src/formats/record-copier.js';
import { TemplateCache, templateOf } from '../../../src/formats/templates.js';
import { hashId } from '../../../src/formats/piece.js';
import type { Row } from '../../../src/formats/json-scan.js';
import { runs } from '../../helpers/runs.js';

/** The copier's program for records shaped like `shape`, one column per capture, and a copier to run it. */
function copierFor(shape: Row): { copy: (record: string) => string | null } {
  const t = templateOf(new TemplateCache(), shape, null, false)!;
  const groups = Array.from({ length: t.groupCount }, (_, j) => j + 1);
  const glue = ['', ...groups.slice(1).map(() => '|'), '\n'];
  const program = rowProgram(t, groups, glue, -1, -1)!;
  expect(program).not.toBeNull();
  const copier = new RecordCopier();
  return {
    copy(record) {
      const bytes = Buffer.from(record, 'latin1');
      copier.load(bytes);
      copier.ensure(0, 2 * bytes.length + ROW_ROOM);
      const n = copier.rows(program, 0, bytes.length, 0, 0);
      if (n === 0) return null;
      expect([n, copier.after]).toEqual([1, bytes.length]);
      return copier.buf.toString('latin1', 0, copier.o);
    },
  };
}

const jsonNumber = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/** Texts of x as JSON may write it: the shortest, fixed, exponent and precision forms, near misses. */
function variants(x: number): string[] {
  const out = [String(x), x.toExponential(), x.toPrecision(15), x.toPrecision(16), x.toPrecision(17)];
  if (Math.abs(x) < 1e21) out.push(x.toFixed(20), x.toFixed(8));
  const t = String(x);
  const last = t.charCodeAt(t.length - 1);
  if (!t.includes('e') && last > 48 && last < 57) out.push(t.slice(0, -1) + String.fromCharCode(last + 1));
  return out.map((s) => s.replace('e+', 'e')).filter((s) => jsonNumber.test(s));
}

const anyDouble = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.double({ min: -8000, max: 8000, noNaN: true }),
  fc.double({ min: 1e-8, max: 1e-3, noNaN: true }),
  fc.integer().map((i) => i / 1024),
);

describe('the row copier', () => {
  it('writes each number as String(Number(text)) prints it: copied when canonical, else converted', () => {
    const { copy } = copierFor({ n: 1 });
    fc.assert(
      fc.property(anyDouble, (x) => {
        // A text may round beyond the largest double (toPrecision(15) of it): not finite, so a miss.
        for (const t of variants(x)) expect(copy(`{"n":${t}}`)).toBe(Number.isFinite(Number(t)) ? `${String(Number(t))}\n` : null);
      }),
      { numRuns: runs(3000) },
    );
    const converted: Array<[string, string]> = [
      ['-0', '0'],
      ['0.0', '0'],
      ['1e-07', '1e-7'],
      ['4.02944e-05', '0.0000402944'],
      ['1e21', '1e+21'],
      ['1.0e-7', '1e-7'],
      ['9007199254740993', '9007199254740992'],
      ['0.3000000000000000444', '0.30000000000000004'],
      // 2^64: its integer digits wrap to 0 in 64 bits, and must not read as "below one".
      ['18446744073709551616.5', '18446744073709552000'],
      ['36893488147419103232.25', '36893488147419103000'],
    ];
    for (const [t, printed] of converted) expect(copy(`{"n":${t}}`)).toBe(`${printed}\n`);
    for (const t of ['0', '-5', '1e-7', '1e+21', '-63.3098145203956', '803.1896429092334']) expect(copy(`{"n":${t}}`)).toBe(`${t}\n`);
    // Not finite: the writer's RegExp path decides (a top-level cell prints "Infinity", a nested one is JSON's null).
    expect(copy('{"n":1e400}')).toBeNull();
  });

  it('relays the digits of Python’s and Java’s forms in WebAssembly, calling JS only when that is not certain', () => {
    const { copy } = copierFor({ n: 1 });
    const convert = vi.spyOn(RecordCopier.prototype as unknown as { convert: () => number }, 'convert');
    try {
      for (const t of ['0.0', '-0.0', '4.02944e-05', '5.948424492631681E-8', '-1.0E31', '1E3', '1e+21', '123.450', '0.000001', '1.5e+300', '-8.45e-08']) {
        expect(copy(`{"n":${t}}`)).toBe(`${String(Number(t))}\n`);
      }
      expect(convert).not.toHaveBeenCalled();
      // 18 significant digits: not JS's digits, so JS converts.
      expect(copy('{"n":0.300000000000000044}')).toBe('0.30000000000000004\n');
      expect(convert).toHaveBeenCalledTimes(1);
    } finally {
      convert.mockRestore();
    }
  });

  it('copies arrays of numbers of the shape’s length class, converting the numbers that need it', () => {
    const { copy } = copierFor({ a: [1, 2] });
    expect(copy('{"a":[3235.698743768994,-84.21590398104829,-6400.10486022768]}')).toBe('[3235.698743768994,-84.21590398104829,-6400.10486022768]\n');
    expect(copy('{"a":[1,1.50]}')).toBe('[1,1.5]\n');
    expect(copy('{"a":[1E3,-0,2.0e-05,7]}')).toBe('[1000,0,0.00002,7]\n');
    // Repeated as the row before: the same bytes out, whichever way the first was written.
    expect(copy('{"a":[1E3,-0,2.0e-05,7]}')).toBe('[1000,0,0.00002,7]\n');
    expect(copy('{"a":[1,1e400]}')).toBeNull();
    expect(copy('{"a":[1]}')).toBeNull();
    expect(copy('{"a":[1,]}')).toBeNull();
    fc.assert(
      fc.property(fc.array(anyDouble, { minLength: 2, maxLength: 6 }), fc.nat(), (xs, pick) => {
        const texts = xs.map((x, i) => variants(x)[(pick + i) % variants(x).length]!);
        const finite = texts.every((t) => Number.isFinite(Number(t)));
        expect(copy(`{"a":[${texts.join(',')}]}`)).toBe(finite ? `${JSON.stringify(JSON.parse(`[${texts.join(',')}]`))}\n` : null);
      }),
      { numRuns: runs(1000) },
    );
    const short = copierFor({ a: [] });
    expect(short.copy('{"a":[]}')).toBe('[]\n');
    expect(short.copy('{"a":[7]}')).toBe('[7]\n');
    expect(short.copy('{"a":[7.0]}')).toBe('[7]\n');
    expect(short.copy('{"a":[7,8]}')).toBeNull();
  });

  it('misses a row that converted numbers would make longer than the room kept for it', () => {
    const { copy } = copierFor({ a: [1, 2] });
    const grows = (n: number): string => `{"a":[${new Array<string>(n).fill('1e20').join(',')}]}`;
    // Each 1e20 is printed in 21 bytes instead of 4.
    const fits = Math.floor(ROW_ROOM / 17);
    expect(copy(grows(fits))).toBe(`[${new Array<string>(fits).fill('100000000000000000000').join(',')}]\n`);
    expect(copy(grows(fits + 2))).toBeNull();
  });

  it('takes exactly the strings its template’s pattern takes, quoting a comma where the cell needs it', () => {
    const cache = new TemplateCache();
    const plain = copierFor({ s: 'x', k: 1 });
    const comma = copierFor({ s: 'x,y', k: 1 });
    const plainRe = templateOf(cache, { s: 'x', k: 1 }, null, false)!.csv;
    const bytes = fc.string({ unit: fc.constantFrom('a', 'Z', ' ', ',', '"', '\\', '\t', '\u0001', '\u007f', '/'), maxLength: 40 });
    fc.assert(
      fc.property(bytes, (s) => {
        const record = `{"s":"${s}","k":2}`;
        plainRe.lastIndex = 0;
        const matches = plainRe.test(record) && plainRe.lastIndex === record.length;
        expect(plain.copy(record)).toBe(matches ? `${s}|2\n` : null);
        const quotable = !/["\\\x00-\x1f]/.test(s);
        expect(comma.copy(record)).toBe(quotable ? `${s.includes(',') ? `"${s}"` : s}|2\n` : null);
      }),
      { numRuns: runs(2000) },
    );
  });

  it('misses records that are not exactly of the shape: blanks, other keys, a cut', () => {
    const { copy } = copierFor({ id: 'a', n: 1, v: [{ q: 'z', w: 2 }] });
    expect(copy('{"id":"x","n":3,"v":[{"q":"a,b","w":4}]}')).toBe('x|3|a,b|4\n');
    for (const r of ['{"id":"x", "n":3,"v":[{"q":"a","w":4}]}', '{"id":"x","m":3,"v":[{"q":"a","w":4}]}', '{"id":"x","n":3,"v":[{"q":"a","w":4}]', '{"id":"x","n":3}']) {
      expect(copy(r)).toBeNull();
    }
  });

  it('gives the id’s hashId and the obTime’s place', () => {
    const t = templateOf(new TemplateCache(), { id: 'a', obTime: 't', n: 1 }, null, false)!;
    const program = rowProgram(t, [1, 2, 3], ['', ',', ',', '\n'], 0, 1)!;
    const copier = new RecordCopier();
    const record = '{"id":"d8d53569-4404-49ea-970b-cc23685a30e1","obTime":"2025-12-01T01:30:10.286Z","n":5}';
    copier.load(Buffer.from(record));
    copier.ensure(0, 256);
    expect(copier.rows(program, 0, record.length, 0, 0)).toBe(1);
    expect(copier.after).toBe(record.length);
    expect(copier.rowId(0)).toBe(hashId('d8d53569-4404-49ea-970b-cc23685a30e1'));
    expect(copier.rowObTime(0)).toBe('2025-12-01T01:30:10.286Z');
    expect(copier.buf.toString('latin1', 0, copier.o)).toBe('d8d53569-4404-49ea-970b-cc23685a30e1,2025-12-01T01:30:10.286Z,5\n');
  });

  it('gives each record’s obTime across pieces, long ones and repeats included', () => {
    const t = templateOf(new TemplateCache(), { obTime: 't', n: 1 }, null, false)!;
    const program = rowProgram(t, [1, 2], ['', ',', '\n'], -1, 0)!;
    const copier = new RecordCopier();
    const long = 'x'.repeat(70);
    const times = ['2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:05.000Z', '2026-01-01T00:00:00.000Z', '', '', long, long, `${long}y`, 'A'];
    for (const time of times) {
      // Each record a piece of its own: what the copier keeps of the last obTime outlives its piece.
      const record = `{"obTime":"${time}","n":5}`;
      copier.load(Buffer.from(record));
      copier.ensure(0, 256);
      expect(copier.rows(program, 0, record.length, 0, 0)).toBe(1);
      expect(copier.rowObTime(0)).toBe(time);
    }
    // A record missed after its obTime was read does not count as the last: the next with that obTime is new.
    for (const [record, taken] of [
      ['{"obTime":"B","n":"x"}', false],
      ['{"obTime":"B","n":5}', true],
    ] as const) {
      copier.load(Buffer.from(record));
      copier.ensure(0, 256);
      expect(copier.rows(program, 0, record.length, 0, 0)).toBe(taken ? 1 : 0);
    }
    expect(copier.rowObTime(0)).toBe('B');
  });

  it('takes runs of records in one call as row by row would, up to a miss, the room and MAX_ROWS', () => {
    const t = templateOf(new TemplateCache(), { id: 'a', obTime: 't', n: 1 }, null, false)!;
    const program = rowProgram(t, [1, 2, 3], ['', ',', ',', '\n'], 0, 1)!;
    // 1E20 is written in 21 bytes instead of 4 (each row outgrows its record: the room runs out and
    // JS must make more); obTimes repeat in threes; record 200 is a miss (a string where n is a number).
    const records = Array.from({ length: 300 }, (_, i) => {
      const n = i === 200 ? '"x"' : i % 2 === 0 ? '1E20' : String(i);
      return `{"id":"id-${i}","obTime":"2026-01-01T00:00:${String(Math.floor(i / 3) % 60).padStart(2, '0')}.000Z","n":${n}}`;
    });
    const bytes = Buffer.from(records.join(','));
    const copier = new RecordCopier();
    copier.load(bytes);
    const extra = 2 + 2 * 3;
    let p = 0;
    let o = 0;
    let index = 0;
    const calls: number[] = [];
    const times: string[] = [];
    while (index < records.length) {
      copier.ensure(o, bytes.length - p + extra + ROW_ROOM);
      const n = copier.rows(program, p, bytes.length, o, extra);
      calls.push(n);
      if (n === 0) {
        expect(index).toBe(200);
        // JS's path takes the miss; the copier goes on after it.
        const end = p + records[200]!.length;
        o += copier.buf.write(`id-200,${JSON.parse(records[200]!).obTime},x\n`, o, 'latin1');
        p = end + 1;
        index++;
        continue;
      }
      for (let i = 0; i < n; i++) {
        expect(copier.rowId(i)).toBe(hashId(`id-${index + i}`));
        times.push(copier.rowObTime(i));
        expect(copier.rowEnd(i)).toBeGreaterThan(i === 0 ? o : copier.rowEnd(i - 1));
      }
      index += n;
      o = copier.o;
      expect(copier.rowEnd(n - 1)).toBe(o);
      p = copier.after + 1;
    }
    expect(calls.every((n) => n <= MAX_ROWS)).toBe(true);
    expect(calls.length).toBeGreaterThan(3);
    expect(calls).toContain(0);
    const expected = records.map((r) => {
      const { id, obTime, n } = JSON.parse(r) as { id: string; obTime: string; n: unknown };
      return `${id},${obTime},${String(n)}\n`;
    });
    expect(copier.buf.toString('latin1', 0, o)).toBe(expected.join(''));
    expect(times).toEqual(records.filter((_, i) => i !== 200).map((r) => (JSON.parse(r) as { obTime: string }).obTime));
    // A repeated obTime comes back as the row before's.
    expect(times[1]).toBe(times[0]);
  });

  it('stops a run where its rows would outgrow the room kept for them, and goes on once JS makes more', () => {
    const t = templateOf(new TemplateCache(), { a: [1, 2] }, null, false)!;
    const program = rowProgram(t, [1], ['', '\n'], -1, -1)!;
    // Each row 4x its record: forty 1E20s, each written in 21 bytes.
    const record = `{"a":[${new Array<string>(40).fill('1E20').join(',')}]}`;
    const row = `${JSON.stringify(JSON.parse(record).a)}\n`;
    const bytes = Buffer.from(new Array<string>(300).fill(record).join(','));
    const copier = new RecordCopier();
    copier.load(bytes);
    let p = 0;
    let o = 0;
    let taken = 0;
    const calls: number[] = [];
    while (taken < 300) {
      // Room for the rest of the piece and one row, as the writer keeps: never enough for all rows.
      copier.ensure(o, bytes.length - p + 2 + ROW_ROOM);
      const n = copier.rows(program, p, bytes.length, o, 2);
      expect(n).toBeGreaterThan(0);
      calls.push(n);
      taken += n;
      o = copier.o;
      p = copier.after + 1;
    }
    expect(calls.length).toBeGreaterThan(300 / MAX_ROWS + 1);
    expect(copier.buf.toString('latin1', 0, o)).toBe(row.repeat(300));
  });

  it('keeps a record as sent exactly when the template’s split RegExp takes it, numbers in any JSON form', () => {
    const t = templateOf(new TemplateCache(), { id: 'a', obTime: 't', n: 1, v: [{ q: 'z', w: 2 }], a: [1, 2], b: true }, null, false)!;
    const program = recordProgram(t)!;
    const copier = new RecordCopier();
    let taken = 0;
    const str = fc.oneof(
      { weight: 4, arbitrary: fc.string({ unit: fc.constantFrom('a', '0', ',', ':', '{', ']'), maxLength: 6 }) },
      { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom('a', '"', '\\', '\n'), maxLength: 3 }) },
    );
    const num = fc.oneof(fc.constantFrom('0', '-0', '1.50', '1E3', '1e-07', '01', '1.', '.5', '-', '1e', '2'), fc.double({ noNaN: true, noDefaultInfinity: true }).map(String));
    fc.assert(
      fc.property(str, str, num, str, num, num, num, fc.constantFrom('true', 'false', 'null'), (id, ob, n, q, w, a0, a1, b) => {
        const record = `{"id":"${id}","obTime":"${ob}","n":${n},"v":[{"q":"${q}","w":${w}}],"a":[${a0},${a1}],"b":${b}}`;
        const bytes = Buffer.from(record, 'latin1');
        copier.load(bytes);
        copier.ensure(0, bytes.length + 2 + ROW_ROOM);
        t.split.lastIndex = 0;
        const takes = t.split.test(record) && t.split.lastIndex === record.length;
        // As the JSON writer asks for a record after others: its separator first.
        expect(copier.rows(program, 0, bytes.length, 0, 2, 1)).toBe(takes ? 1 : 0);
        taken += takes ? 1 : 0;
        if (takes) {
          expect(copier.after).toBe(record.length);
          expect(copier.buf.toString('latin1', 0, copier.o)).toBe(`,\n${record}`);
          expect(copier.rowId(0)).toBe(hashId(id));
          expect(copier.rowObTime(0)).toBe(ob);
        }
      }),
      { numRuns: runs(3000) },
    );
    expect(taken).toBeGreaterThan(0);
  });

  it('copies a run of records as they are, joined by ",\\n", the first after one only when asked', () => {
    const t = templateOf(new TemplateCache(), { id: 'a', obTime: 't', n: 1 }, null, false)!;
    const program = recordProgram(t)!;
    const records = Array.from({ length: 7 }, (_, i) => `{"id":"r${i}","obTime":"2026-01-01T00:00:0${i >> 1}.000Z","n":${i === 5 ? '"x"' : `${i}.50`}}`);
    const bytes = Buffer.from(records.join(','));
    const copier = new RecordCopier();
    copier.load(bytes);
    copier.ensure(0, bytes.length + 16 + ROW_ROOM);
    // Record 5 is of another shape: the run stops before it.
    expect(copier.rows(program, 0, bytes.length, 0, 2, 0)).toBe(5);
    expect(copier.buf.toString('latin1', 0, copier.o)).toBe(records.slice(0, 5).join(',\n'));
    expect(copier.after).toBe(records.slice(0, 5).join(',').length);
    expect(Array.from({ length: 5 }, (_, i) => copier.rowObTime(i))).toEqual(records.slice(0, 5).map((r) => (JSON.parse(r) as { obTime: string }).obTime));
    expect(Array.from({ length: 5 }, (_, i) => copier.rowId(i))).toEqual(records.slice(0, 5).map((_, i) => hashId(`r${i}`)));
    const o = copier.o;
    expect(copier.rows(program, copier.after + 1, bytes.length, o, 2, 1)).toBe(0);
    const six = records.slice(0, 6).join(',').length + 1;
    expect(copier.rows(program, six, bytes.length, o, 2, 1)).toBe(1);
    expect(copier.buf.toString('latin1', o, copier.o)).toBe(`,\n${records[6]}`);
  });

  it('has no program for templates with blanks, fixed text beyond ASCII or captures out of order', () => {
    const cache = new TemplateCache();
    const spaced = templateOf(cache, { a: 1 }, null, true)!;
    expect(rowProgram(spaced, [1], ['', '\n'], -1, -1)).toBeNull();
    const accented = templateOf(cache, { 'é': 1 }, null, false)!;
    expect(rowProgram(accented, [1], ['', '\n'], -1, -1)).toBeNull();
    const two = templateOf(cache, { a: 1, b: 2 }, null, false)!;
    expect(rowProgram(two, [2, 1], ['', ',', '\n'], -1, -1)).toBeNull();
    expect(rowProgram(two, [1, 2], ['', ',', '\n'], -1, -1)).not.toBeNull();
  });
});
