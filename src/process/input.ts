/**
 * Finding a day's input artifact (PROCESSING.md 3.1): `<prefix>_<YYYYMMDD>T000000_*.<ext>` directly in the
 * input dir, prefix `REACH-ALL` for ALL, else the sensor id; any end time; several matches: the first by
 * name, with a warning.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

export interface FoundInput {
  path: string;
  /** Other candidates that were not used. */
  others: string[];
}

/** The input dir's file names, read once per run (a missing dir has none). */
export async function listInputDir(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

export function findInput(dir: string, names: readonly string[], sensorId: string, day: string, extension: string): FoundInput | undefined {
  const prefix = `${sensorId === 'ALL' ? 'REACH-ALL' : sensorId}_${day.replaceAll('-', '')}T000000_`;
  const matches = names.filter((n) => n.startsWith(prefix) && n.endsWith(`.${extension}`));
  if (matches.length === 0) return undefined;
  return { path: join(dir, matches[0]!), others: matches.slice(1).map((n) => join(dir, n)) };
}
