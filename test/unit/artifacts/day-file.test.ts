/** The day's file written once: windows in any order, the frontier straight into day.part, resume after a crash. */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DayFile, type WindowSink } from '../../../src/artifacts/day-file.js';
import { DaySpool } from '../../../src/artifacts/spool.js';
import { FORMATS, type OutputFormat } from '../../../src/formats/index.js';
import { tempDir } from '../../helpers/cli.js';

async function spoolFor(format: OutputFormat, windows: number) {
  const identity = { artifact: 'a', sensorId: 'ALL', descriptor: 'QUICKLOOK', format, maxResults: 10 };
  const dir = join(await tempDir('day-file-'), 's');
  return (await DaySpool.open(dir, identity)).start({ version: 1, ...identity, count: undefined, windows: Array.from({ length: windows }, (_, i) => [i, i + 1]) });
}

/** Writes window w's rows (CSV under `keys`, or JSON texts) and completes it. */
async function fill(file: DayFile, sink: WindowSink, format: OutputFormat, rows: string[], keys: string[]) {
  const sep = FORMATS[format].separator.toString();
  const text = rows.join(format === 'json' ? sep : '');
  const bytes = Buffer.from(text);
  sink.write(bytes, 0, bytes.length, keys);
  return file.complete(sink, rows.length ? [{ keys, records: rows.length, bytes: bytes.length }] : [], 0);
}

describe('DayFile', () => {
  it('writes the windows in order whatever order they complete in, the frontier straight through', async () => {
    const spool = await spoolFor('csv', 4);
    const file = DayFile.open(spool, FORMATS.csv, 4, new Map());
    const sinks = [0, 1, 2, 3].map((i) => file.openWindow(i));
    expect(sinks[0]!.direct).toBeDefined();
    expect(sinks[2]!.direct).toBeUndefined();
    await fill(file, sinks[2]!, 'csv', ['5,6\n'], ['a', 'b']);
    await fill(file, sinks[1]!, 'csv', ['3,4\n'], ['a', 'b']);
    await fill(file, sinks[0]!, 'csv', ['1,2\n'], ['a', 'b']);
    // Window 3 was promoted while still open: it goes on in the file.
    expect(sinks[3]!.direct).toBeDefined();
    await fill(file, sinks[3]!, 'csv', ['7,8\n'], ['a', 'b']);
    expect(file.whole).toBe(true);
    file.rewriteIfNeeded();
    await file.finish();
    expect(await readFile(spool.partPath, 'utf8')).toBe('a,b\n1,2\n3,4\n5,6\n7,8\n');
  });

  it('joins JSON windows with the separator, empty windows adding nothing', async () => {
    const spool = await spoolFor('json', 3);
    const file = DayFile.open(spool, FORMATS.json, 3, new Map());
    const sinks = [0, 1, 2].map((i) => file.openWindow(i));
    await fill(file, sinks[1]!, 'json', ['{"x":2}', '{"x":3}'], []);
    await fill(file, sinks[0]!, 'json', [], []);
    await fill(file, sinks[2]!, 'json', ['{"x":4}'], []);
    await file.finish();
    expect(JSON.parse(await readFile(spool.partPath, 'utf8'))).toEqual([{ x: 2 }, { x: 3 }, { x: 4 }]);
  });

  it('rewrites the file under the union of the columns when a later window brings a key', async () => {
    const spool = await spoolFor('csv', 2);
    const file = DayFile.open(spool, FORMATS.csv, 2, new Map());
    const [w0, w1] = [file.openWindow(0), file.openWindow(1)];
    await fill(file, w0, 'csv', ['1,2\n'], ['a', 'b']);
    await fill(file, w1, 'csv', ['3,4,5\n'], ['a', 'b', 'c']);
    file.rewriteIfNeeded();
    await file.finish();
    expect(await readFile(spool.partPath, 'utf8')).toBe('a,b,c\n1,2,\n3,4,5\n');
  });

  it('resumes from the committed windows: a window that was not committed is cut from day.part', async () => {
    const spool = await spoolFor('csv', 3);
    let file = DayFile.open(spool, FORMATS.csv, 3, new Map());
    const [w0, w1] = [file.openWindow(0), file.openWindow(1)];
    await fill(file, w0, 'csv', ['1,2\n'], ['a', 'b']);
    await file.spillDone(); // commits what was placed
    w1.write(Buffer.from('3,4\n'), 0, 4, ['a', 'b']); // in flight at the "crash"
    file.close();
    // The crash left bytes of window 1 after window 0 in the part only if it was at the frontier.
    await writeFile(spool.partPath, Buffer.concat([await readFile(spool.partPath), Buffer.from('garbage')]));
    const found = await spool.committed();
    expect([...found.keys()]).toEqual([0]);
    file = DayFile.open(spool, FORMATS.csv, 3, found);
    expect(file.frontier).toBe(1);
    const [r1, r2] = [file.openWindow(1), file.openWindow(2)];
    await fill(file, r2, 'csv', ['5,6\n'], ['a', 'b']);
    await fill(file, r1, 'csv', ['3,4\n'], ['a', 'b']);
    await file.finish();
    expect(await readFile(spool.partPath, 'utf8')).toBe('a,b\n1,2\n3,4\n5,6\n');
  });

  it('spills completed windows held in memory to the spool on a stop, so a rerun resumes them', async () => {
    const spool = await spoolFor('csv', 3);
    const file = DayFile.open(spool, FORMATS.csv, 3, new Map());
    const [, w1] = [file.openWindow(0), file.openWindow(1)];
    await fill(file, w1, 'csv', ['3,4\n'], ['a', 'b']);
    await file.spillDone();
    file.close();
    const found = await spool.committed();
    expect([...found.keys()]).toEqual([1]);
    expect(await readFile(spool.dataPath(1), 'utf8')).toBe('3,4\n');
  });
});
