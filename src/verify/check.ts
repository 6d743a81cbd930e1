/**
 * The full check of one day's artifact: it parses, every record lies inside the day, obTime never goes
 * backwards, no id repeats. Used by `verify` and by `download --adopt` before it trusts a file. Reads
 * through the format's reader; ids are remembered as 53-bit hashes (9 MB for an ALL day, not the ~200 MB
 * a set of strings takes), and any hash seen twice is settled exactly by a second, narrow pass.
 */
import { formatByName, type OutputFormat } from '../formats/index.js';
import { canonicalObTime, formatDay, type DayWindow } from '../plan/dates.js';
import { scanIds } from './scan.js';

export interface FileCheck {
  records: number;
  problems: string[];
}

export async function checkArtifactFile(path: string, day: DayWindow, format: OutputFormat): Promise<FileCheck> {
  const check: FileCheck = { records: 0, problems: [] };
  const lo = new Date(day.startMs).toISOString();
  const hi = new Date(day.endMs).toISOString();
  let prevRaw: string | undefined;
  let lastOutside = false;
  let prev = '';
  let outside = 0;
  let backwards = 0;
  let duplicates: number;
  try {
    const reader = formatByName(format);
    const scanned = await scanIds(reader, path, (obTime) => {
      // Records come in runs of one obTime: each distinct text is normalised and compared once.
      if (obTime === prevRaw) {
        if (lastOutside) outside++;
        return;
      }
      prevRaw = obTime;
      const t = canonicalObTime(obTime);
      lastOutside = !(t >= lo && t < hi);
      if (lastOutside) outside++;
      if (t < prev) backwards++;
      prev = t;
    });
    check.records = scanned.records;
    duplicates = scanned.duplicates;
  } catch (err) {
    check.problems.push(`does not parse: ${(err as Error).message}`);
    return check;
  }
  if (outside) check.problems.push(`${outside} record(s) outside ${formatDay(day.startMs)} or without a valid obTime`);
  if (backwards) check.problems.push(`${backwards} record(s) out of obTime order`);
  if (duplicates) check.problems.push(`${duplicates} duplicate id(s)`);
  return check;
}
