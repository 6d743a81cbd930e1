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

export interface FactsInput {
  days: readonly string[];
  latest: ReadonlyMap<string, LedgerRow>;
  outputDir: string;
  sensorId: string;
  format: OutputFormat;
  /** Where the day files are when not in the local outputDir (an s3:// output dir). */
  store?: ArtifactStore | undefined;
}

export function artifactPath(outputDir: string, sensorId: string, day: string, format: OutputFormat): string {
  return join(outputDir, artifactName(sensorId, dayWindow(day), format));
}

/** DOWNLOADED days get the integrity look (size, first and last obTime); other days only an existence check. */
export async function gatherFacts(i: FactsInput): Promise<DayFacts[]> {
  return mapLimit(i.days, 16, async (day): Promise<DayFacts> => {
      const window = dayWindow(day);
      const latest = i.latest.get(day);
      const downloaded = latest?.status === 'DOWNLOADED';
      let artifact: ArtifactState;
      if (i.store) {
        const name = artifactName(i.sensorId, window, i.format);
        artifact = downloaded ? await inspectStoredArtifact(i.store, name, window, i.format, latest) : { kind: (await i.store.stat(name)) ? 'present' : 'absent' };
      } else {
        const path = artifactPath(i.outputDir, i.sensorId, day, i.format);
        artifact = downloaded ? await inspectArtifact(path, window, i.format, latest) : await exists(path);
      }
      return { day, endMs: window.endMs, latest, artifact };
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
