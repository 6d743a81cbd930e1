/**
 * verify: re-reads every DOWNLOADED day's artifact and checks what the ledger claims about it — it parses,
 * every record lies inside the day, obTime never goes backwards, no id repeats, the count equals the
 * ledger's and, when the server is reachable, the server's /count.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { dayWindow, parseDay } from '../plan/dates.js';
import { artifactName } from '../artifacts/naming.js';
import { latestByDay, readLedger } from '../ledger/read.js';
import type { LedgerRow } from '../ledger/schema.js';
import { checkArtifactFile } from './check.js';

export interface DayCheck {
  day: string;
  path: string;
  records: number;
  ledgerRecords: number;
  serverCount?: number;
  /** Set when the server's count was asked for and could not be had: the day is not verified. */
  unchecked?: string;
  problems: string[];
}

/** Counts a day on the server; throws when it cannot. */
export type ServerCount = (row: LedgerRow) => Promise<number>;

export interface VerifyOptions {
  outputDir: string;
  telemetryFile: string;
  startDate?: string;
  endDate?: string;
  serverCount?: ServerCount;
  onDay?: (check: DayCheck) => void;
}

export async function verifyOutput(o: VerifyOptions): Promise<DayCheck[]> {
  const latest = latestByDay(await readLedger(o.telemetryFile));
  const lo = o.startDate ? parseDay(o.startDate)! : Number.NEGATIVE_INFINITY;
  const hi = o.endDate ? parseDay(o.endDate)! : Number.POSITIVE_INFINITY;
  const rows = [...latest.values()]
    .filter((r) => r.status === 'DOWNLOADED')
    .filter((r) => {
      const t = parseDay(r.chunk_date_utc)!;
      return t >= lo && t <= hi;
    })
    .sort((a, b) => a.chunk_date_utc.localeCompare(b.chunk_date_utc));
  const checks: DayCheck[] = [];
  for (const row of rows) {
    const check = await verifyDay(o.outputDir, row, o.serverCount);
    o.onDay?.(check);
    checks.push(check);
  }
  return checks;
}

async function verifyDay(outputDir: string, row: LedgerRow, serverCount: ServerCount | undefined): Promise<DayCheck> {
  const day = dayWindow(row.chunk_date_utc);
  const format = row.output_format === 'json' ? 'json' : 'csv';
  const path = join(outputDir, artifactName(row.sensor_id || 'ALL', day, format));
  const check: DayCheck = { day: day.day, path, records: 0, ledgerRecords: Number(row.records_downloaded), problems: [] };
  if (!existsSync(path)) {
    check.problems.push('artifact missing');
    return check;
  }
  const file = await checkArtifactFile(path, day, format);
  check.records = file.records;
  check.problems.push(...file.problems);
  if (file.problems.some((p) => p.startsWith('does not parse'))) return check;
  if (check.records !== check.ledgerRecords) check.problems.push(`${check.records} records but the ledger says ${row.records_downloaded}`);
  if (serverCount) {
    try {
      check.serverCount = await serverCount(row);
      if (check.serverCount !== check.records) check.problems.push(`${check.records} records but the server's /count says ${check.serverCount}`);
    } catch (err) {
      check.unchecked = `server /count unavailable: ${(err as Error).message}`;
    }
  }
  return check;
}
