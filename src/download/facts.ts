/** What a day's decision rests on, read from the disk: the ledger's latest row and the artifact's state. */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { OutputFormat } from '../artifacts/naming.js';
import { artifactName } from '../artifacts/naming.js';
import { inspectArtifact } from '../artifacts/integrity.js';
import { dayWindow } from '../plan/dates.js';
import type { ArtifactState, DayFacts } from '../plan/decide.js';
import type { LedgerRow } from '../ledger/schema.js';

export interface FactsInput {
  days: readonly string[];
  latest: ReadonlyMap<string, LedgerRow>;
  outputDir: string;
  sensorId: string;
  format: OutputFormat;
}

export function artifactPath(outputDir: string, sensorId: string, day: string, format: OutputFormat): string {
  return join(outputDir, artifactName(sensorId, dayWindow(day), format));
}

/** DOWNLOADED days get the integrity look (size, first and last obTime); other days only an existence check. */
export async function gatherFacts(i: FactsInput): Promise<DayFacts[]> {
  return mapLimit(i.days, 16, async (day): Promise<DayFacts> => {
      const window = dayWindow(day);
      const latest = i.latest.get(day);
      const path = artifactPath(i.outputDir, i.sensorId, day, i.format);
      const artifact: ArtifactState =
        latest?.status === 'DOWNLOADED' ? await inspectArtifact(path, window, i.format, latest) : await exists(path);
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
