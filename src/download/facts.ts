/** What a day's decision rests on: the ledger's latest row and the state of the day's file (on disk, or in a store). */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { OutputFormat } from '../artifacts/naming.js';
import { artifactName } from '../artifacts/naming.js';
import { inspectArtifact, inspectStoredArtifact } from '../artifacts/integrity.js';
import type { ArtifactStore } from '../store/store.js';
import { dayWindow } from '../plan/dates.js';
import type { ArtifactState, DayFacts } from '../plan/decide.js';
import type { LedgerRow } from '../ledger/schema.js';

export interface FactsInput extends DayFiles {
  days: readonly string[];
  latest: ReadonlyMap<string, LedgerRow>;
}

export function artifactPath(outputDir: string, sensorId: string, day: string, format: OutputFormat): string {
  return join(outputDir, artifactName(sensorId, dayWindow(day), format));
}

/** Where a backfill's day files are: a local output dir, or a store (an s3:// output dir). */
export interface DayFiles {
  outputDir: string;
  sensorId: string;
  format: OutputFormat;
  store?: ArtifactStore | undefined;
}

/** The integrity look at a day's file (size against the ledger's row, first and last obTime), wherever it is. */
export function inspectDay(f: DayFiles, day: string, latest: LedgerRow | undefined): Promise<ArtifactState> {
  const window = dayWindow(day);
  return f.store
    ? inspectStoredArtifact(f.store, artifactName(f.sensorId, window, f.format), window, f.format, latest)
    : inspectArtifact(artifactPath(f.outputDir, f.sensorId, day, f.format), window, f.format, latest);
}

/** Whether a day's file is there at all. */
async function dayFileExists(f: DayFiles, day: string): Promise<ArtifactState> {
  if (f.store) return { kind: (await f.store.stat(artifactName(f.sensorId, dayWindow(day), f.format))) ? 'present' : 'absent' };
  return exists(artifactPath(f.outputDir, f.sensorId, day, f.format));
}

/** DOWNLOADED days get the integrity look (size, first and last obTime); other days only an existence check. */
export async function gatherFacts(i: FactsInput): Promise<DayFacts[]> {
  return mapLimit(i.days, 16, async (day): Promise<DayFacts> => {
    const latest = i.latest.get(day);
    const artifact = latest?.status === 'DOWNLOADED' ? await inspectDay(i, day, latest) : await dayFileExists(i, day);
    return { day, endMs: dayWindow(day).endMs, latest, artifact };
  });
}

/** In order, at most `limit` at a time: years of days must not open thousands of files at once. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) out[i] = await fn(items[i]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

async function exists(path: string): Promise<ArtifactState> {
  try {
    await stat(path);
    return { kind: 'present' };
  } catch {
    return { kind: 'absent' };
  }
}
