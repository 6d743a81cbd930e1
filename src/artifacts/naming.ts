/** Artifact and work-file names, compatible with the reference tool's. */
import { basename, dirname, join } from 'node:path';
import { compactStamp, type DayWindow } from '../plan/dates.js';
import { formatByName, type OutputFormat } from '../formats/index.js';

export type { OutputFormat } from '../formats/index.js';

/** `REACH-ALL_20260101T000000_20260102T000000.csv`, or the sensor id as the prefix. */
export function artifactName(sensorId: string, day: DayWindow, format: OutputFormat): string {
  const prefix = sensorId === 'ALL' ? 'REACH-ALL' : sensorId;
  return `${prefix}_${compactStamp(day.startMs)}_${compactStamp(day.endMs)}.${formatByName(format).extension}`;
}

/** Everything reach-udl keeps for itself inside an output dir: the lock and the spool. */
export function workDir(outputDir: string): string {
  return join(outputDir, '.reach-udl');
}

export function spoolDir(outputDir: string, artifact: string): string {
  return join(workDir(outputDir), 'spool', artifact);
}

/**
 * Temp files live beside their target so the final rename stays on one filesystem, hidden and with a
 * suffix so no glob for artifacts (`REACH-ALL_*.csv`) ever picks one up.
 */
export function tempPath(finalPath: string, tag: string): string {
  return join(dirname(finalPath), `.${basename(finalPath)}.tmp-${tag}`);
}

export function isTempName(name: string): boolean {
  return name.startsWith('.') && /\.tmp-[A-Za-z0-9]+$/.test(name);
}
