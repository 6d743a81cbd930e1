/**
 * The full check of one day's artifact: it parses, every record lies inside the day, obTime never goes
 * backwards, no id repeats. Used by `verify` and by `download --adopt` before it trusts a file.
 */
import type { OutputFormat } from '../artifacts/naming.js';
import { canonicalObTime, formatDay, type DayWindow } from '../plan/dates.js';
import { scanCsv, scanJson, type ScannedRecord } from './scan.js';

export interface FileCheck {
  records: number;
  problems: string[];
}

export async function checkArtifactFile(path: string, day: DayWindow, format: OutputFormat): Promise<FileCheck> {
  const check: FileCheck = { records: 0, problems: [] };
  const lo = new Date(day.startMs).toISOString();
  const hi = new Date(day.endMs).toISOString();
  const ids = new Set<string>();
  let prev = '';
  let outside = 0;
  let backwards = 0;
  let duplicates = 0;
  try {
    const records: AsyncIterable<ScannedRecord> = format === 'csv' ? scanCsv(path) : scanJson(path);
    for await (const r of records) {
      check.records++;
      const t = canonicalObTime(r.obTime);
      if (!(t >= lo && t < hi)) outside++;
      if (t < prev) backwards++;
      prev = t;
      if (ids.has(r.id)) duplicates++;
      else ids.add(r.id);
    }
  } catch (err) {
    check.problems.push(`does not parse: ${(err as Error).message}`);
    return check;
  }
  if (outside) check.problems.push(`${outside} record(s) outside ${formatDay(day.startMs)} or without a valid obTime`);
  if (backwards) check.problems.push(`${backwards} record(s) out of obTime order`);
  if (duplicates) check.problems.push(`${duplicates} duplicate id(s)`);
  return check;
}
