/**
 * verify: re-reads every downloaded day's artifact (DOWNLOADED, or processed since) and checks what the
 * ledger claims about it — it parses, every record lies inside the day, obTime never goes backwards, no
 * id repeats, the count equals the ledger's and, when the server is reachable, the server's /count.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { dayWindow, parseDay } from '../plan/dates.js';
import { artifactName, type OutputFormat } from '../artifacts/naming.js';
import { describeBad, latestByDay, readLedgerFile } from '../ledger/read.js';
import { listArtifacts, type DayArtifact } from '../report/artifacts.js';
import { hasDownloadedFile, type LedgerRow } from '../ledger/schema.js';
import { checkArtifactFile } from './check.js';
import { DEFAULT_FORMAT, formatOfLedger } from '../formats/index.js';

export interface DayCheck {
  day: string;
  path: string;
  sensorId: string;
  format: OutputFormat;
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
  /** The ledger's rows when they live elsewhere (a coordinator's table); otherwise `telemetryFile` is read. */
  rows?: LedgerRow[];
  startDate?: string;
  endDate?: string;
  serverCount?: ServerCount;
  onDay?: (check: DayCheck) => void;
  warn?: (message: string) => void;
}

export interface VerifyResult {
  checks: DayCheck[];
  /** Day files in the output dir (in the range) whose day has no downloaded row: a lost or foreign ledger. */
  unrecorded: DayArtifact[];
}

export async function verifyOutput(o: VerifyOptions): Promise<VerifyResult> {
  const ledger = o.rows ? { rows: o.rows, bad: [] } : await readLedgerFile(o.telemetryFile);
  if (ledger.bad.length > 0) o.warn?.(`${o.telemetryFile} has ${ledger.bad.length} line(s) that are not ledger rows (${describeBad(ledger.bad)}); they are ignored here`);
  const latest = latestByDay(ledger.rows);
  const lo = o.startDate ? parseDay(o.startDate)! : Number.NEGATIVE_INFINITY;
  const hi = o.endDate ? parseDay(o.endDate)! : Number.POSITIVE_INFINITY;
  const rows = [...latest.values()]
    .filter(hasDownloadedFile)
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
  const inRange = (day: string) => parseDay(day)! >= lo && parseDay(day)! <= hi;
  const unrecorded = (await listArtifacts(o.outputDir)).filter((a) => inRange(a.day) && !hasDownloadedFile(latest.get(a.day)));
  return { checks, unrecorded };
}

/** The command that repairs a failed day: the damaged file moved aside, then the day downloaded again. */
export function repairCommand(check: DayCheck, o: { outputDir: string; sensorId: string; format: string }): string {
  const flags = `--start-date ${check.day} --end-date ${check.day} --output-dir ${quote(o.outputDir)}${o.sensorId !== 'ALL' ? ` --sensor-id ${o.sensorId}` : ''}${o.format !== DEFAULT_FORMAT ? ` --output-format ${o.format}` : ''}`;
  if (check.problems.length === 1 && check.problems[0] === 'artifact missing') return `reach-udl download ${flags}`;
  const onlyServer = check.problems.every((p) => p.includes("server's /count"));
  if (onlyServer) return `reach-udl download ${flags} --refresh`;
  return `mv ${quote(check.path)} ${quote(`${check.path}.bad`)} && reach-udl download ${flags}`;
}

function quote(path: string): string {
  return /^[\w./@%+=:,-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;
}

async function verifyDay(outputDir: string, row: LedgerRow, serverCount: ServerCount | undefined): Promise<DayCheck> {
  const day = dayWindow(row.chunk_date_utc);
  const format = formatOfLedger(row.output_format);
  const path = join(outputDir, artifactName(row.sensor_id || 'ALL', day, format));
  const check: DayCheck = { day: day.day, path, sensorId: row.sensor_id || 'ALL', format, records: 0, ledgerRecords: Number(row.records_downloaded), problems: [] };
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
