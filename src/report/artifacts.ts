/** Day artifacts found in an output dir, recognised by the names `download` gives them. */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { artifactName, type OutputFormat } from '../artifacts/naming.js';
import { dayWindow, parseDay } from '../plan/dates.js';
import { isS3Location } from '../store/open.js';
import type { ArtifactStore } from '../store/store.js';

export interface DayArtifact {
  name: string;
  path: string;
  /** `ALL` or the one sensor the file holds. */
  sensorId: string;
  day: string;
  format: OutputFormat;
}

const NAME_RE = /^(REACH-ALL|REACH-\d+)_(\d{4})(\d{2})(\d{2})T000000_\d{8}T000000\.(csv|json)$/;

/** The artifact a name stands for, if it is exactly one UTC day's file as `download` names it. */
export function parseArtifactName(name: string, dir = '.'): DayArtifact | undefined {
  const m = NAME_RE.exec(name);
  if (!m) return undefined;
  const day = `${m[2]}-${m[3]}-${m[4]}`;
  if (parseDay(day) === undefined) return undefined;
  const sensorId = m[1] === 'REACH-ALL' ? 'ALL' : m[1]!;
  const format = m[5] as OutputFormat;
  // The round trip rejects windows that are not exactly one day (the reference tool's odd ranges).
  if (artifactName(sensorId, dayWindow(day), format) !== name) return undefined;
  return { name, path: isS3Location(dir) ? `${dir}/${name}` : join(dir, name), sensorId, day, format };
}

/** Every day artifact directly under `location` in a store (an s3:// output dir). */
export async function listStoredArtifacts(store: ArtifactStore): Promise<DayArtifact[]> {
  const names = (await store.list()).map((o) => o.name).filter((n) => !n.includes('/'));
  return names.map((n) => parseArtifactName(n, store.location)).filter((a): a is DayArtifact => a !== undefined);
}

/** Every day artifact directly in `dir`; none when the dir does not exist yet. */
export async function listArtifacts(dir: string): Promise<DayArtifact[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return entries
    .filter((e) => e.isFile())
    .map((e) => parseArtifactName(e.name, dir))
    .filter((a): a is DayArtifact => a !== undefined)
    .sort((a, b) => (a.day !== b.day ? (a.day < b.day ? -1 : 1) : a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
