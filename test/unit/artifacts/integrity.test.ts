import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inspectArtifact, ledgerSize } from '../../../src/artifacts/integrity.js';
import { emptyRow } from '../../../src/ledger/schema.js';
import { dayWindow } from '../../../src/plan/dates.js';
import { tempDir } from '../../helpers/cli.js';

const day = dayWindow('2026-03-02');
const csv = (times: string[]) => `id,obTime,idSensor\n${times.map((t, i) => `r${i},${t},REACH-101\n`).join('')}`;
const json = (times: string[]) => `[\n${times.map((t, i) => `{"id":"r${i}","obTime":"${t}"}`).join(',\n')}\n]\n`;
const row = (text: string, digits = 6) => ({ ...emptyRow(), status: 'DOWNLOADED', csv_size_mb: (Buffer.byteLength(text) / 1048576).toFixed(digits) });

describe('inspectArtifact: the look every run takes at a DOWNLOADED day', () => {
  it('passes a whole file whose size and first and last obTimes match', async () => {
    const dir = await tempDir();
    const text = csv(['2026-03-02T00:00:00.000Z', '2026-03-02T23:59:59.999Z']);
    await writeFile(join(dir, 'a.csv'), text);
    expect(await inspectArtifact(join(dir, 'a.csv'), day, 'csv', row(text))).toEqual({ kind: 'present' });
    expect(await inspectArtifact(join(dir, 'none.csv'), day, 'csv', row(text))).toEqual({ kind: 'absent' });
  });

  it("finds another day's file of the very same size by its obTimes", async () => {
    const dir = await tempDir();
    const mine = csv(['2026-03-02T00:00:00.000Z', '2026-03-02T12:00:00.000Z']);
    const other = csv(['2026-03-03T00:00:00.000Z', '2026-03-03T12:00:00.000Z']);
    expect(other.length).toBe(mine.length);
    await writeFile(join(dir, 'a.csv'), other);
    const state = await inspectArtifact(join(dir, 'a.csv'), day, 'csv', row(mine));
    expect(state).toEqual({ kind: 'damaged', why: 'its first record has obTime "2026-03-03T00:00:00.000Z", outside 2026-03-02' });
  });

  it('finds a file cut short, by size, and by its ends when the ledger has no size', async () => {
    const dir = await tempDir();
    const text = json(['2026-03-02T00:00:00.000Z', '2026-03-02T01:00:00.000Z']);
    await writeFile(join(dir, 'a.json'), text.slice(0, -4));
    expect(await inspectArtifact(join(dir, 'a.json'), day, 'json', row(text))).toMatchObject({ kind: 'damaged', why: expect.stringMatching(/bytes on disk, the ledger says/) });
    expect(await inspectArtifact(join(dir, 'a.json'), day, 'json', { ...row(text), csv_size_mb: '' })).toEqual({ kind: 'damaged', why: 'it is not a whole JSON array (cut short?)' });
    await writeFile(join(dir, 'b.csv'), csv(['2026-03-02T00:00:00.000Z']).slice(0, -3));
    expect(await inspectArtifact(join(dir, 'b.csv'), day, 'csv', undefined)).toEqual({ kind: 'damaged', why: 'it does not end with a whole row (cut short?)' });
  });

  it("reads the ledger's size with the precision it was written with", () => {
    expect(ledgerSize('520.412')).toEqual({ bytes: 520.412 * 1048576, tolerance: 526 });
    expect(ledgerSize('0.000053')).toEqual({ bytes: 0.000053 * 1048576, tolerance: 2 });
    expect(ledgerSize('')).toBeUndefined();
  });
});
