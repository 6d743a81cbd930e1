/** The full artifact check through the format readers: what it must catch, in every format. */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FORMATS, type OutputFormat } from '../../../src/formats/index.js';
import { dayWindow } from '../../../src/plan/dates.js';
import { checkArtifactFile } from '../../../src/verify/check.js';

const day = dayWindow('2026-01-01');
const rec = (i: number, obTime = new Date(day.startMs + i * 5000).toISOString()) => ({
  id: `id-${i}`,
  idSensor: 'REACH-101',
  obTime,
  lat: 1.5 + i,
  seoList: [{ obValue: 1e-7 * i, obDescription: 'DOSE1, "x"' }],
});

/** An artifact of `records` written the way the downloader writes it. */
async function artifact(format: OutputFormat, records: object[]): Promise<string> {
  const f = FORMATS[format];
  const w = f.session().pageWriter();
  const body = Buffer.from(JSON.stringify(records));
  const out = w.push({ bytes: body, text: body.toString('latin1'), ascii: true });
  const rows = out.bytes.subarray(0, out.length);
  const path = join(await mkdtemp(join(tmpdir(), 'check-')), `a.${f.extension}`);
  await writeFile(path, Buffer.concat([f.head(out.keys), rows, f.tail]));
  return path;
}

describe.each(['csv', 'json'] as const)('checkArtifactFile, %s', (format) => {
  const good = Array.from({ length: 50 }, (_, i) => rec(i));

  it('passes a sound file and counts its records', async () => {
    expect(await checkArtifactFile(await artifact(format, good), day, format)).toEqual({ records: 50, problems: [] });
  });

  it('counts a missing record (the ledger comparison catches it)', async () => {
    expect((await checkArtifactFile(await artifact(format, good.filter((_, i) => i !== 7)), day, format)).records).toBe(49);
  });

  it('catches a duplicated record', async () => {
    const r = await checkArtifactFile(await artifact(format, [...good.slice(0, 10), good[9]!, ...good.slice(10)]), day, format);
    expect(r.problems).toEqual(['1 duplicate id(s)']);
  });

  it('catches a record outside the day', async () => {
    const r = await checkArtifactFile(await artifact(format, [...good, rec(99, '2026-01-02T00:00:00.000Z')]), day, format);
    expect(r.problems).toEqual(['1 record(s) outside 2026-01-01 or without a valid obTime']);
  });

  it('catches a truncated file', async () => {
    const path = await artifact(format, good);
    const bytes = await readFile(path);
    await writeFile(path, bytes.subarray(0, bytes.length - 40));
    const r = await checkArtifactFile(path, day, format);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatch(/^does not parse: .*cut short/);
  });
});
