/**
 * What the report shows: records per sensor-day counted from the artifacts, per-day availability, and
 * the days that need attention, on top of the ledger's status model.
 */
import { existsSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { readLedgerView } from './ledger-view.js';
import type { LedgerRow } from '../ledger/schema.js';
import { PROCESSING_STATUSES } from '../ledger/schema.js';
import { dayRange } from '../plan/dates.js';
import { EXPECTED_PER_SENSOR_DAY, expectedRecords } from '../plan/windows.js';
import { listArtifacts, type DayArtifact } from './artifacts.js';
import { countArtifact, countsCacheDir, type CountResult, type SensorCounts } from './counts.js';
import type { CommonOptions } from './options.js';
import { loadSensorIds } from './sensors.js';
import { buildStatus, type DayStatus, type StatusModel } from './status.js';
import { fmtInt, type LedgerInfo } from './status-text.js';

export type DayCategory = 'downloaded' | 'failed' | 'missing' | 'no data';
export const DAY_CATEGORIES: readonly DayCategory[] = ['downloaded', 'failed', 'missing', 'no data'];

export interface HeatCell {
  day: string;
  sensor: string;
  records: number;
  expected: number;
  /** records / expected x 100; may pass 100 when a file holds extra records. */
  pct: number;
  /** Some artifact of the day holds this sensor's records (an ALL file or the sensor's own). */
  covered: boolean;
  /** The cell's tooltip. */
  label: string;
}

export interface DayAvailability {
  day: string;
  records: number;
  expected: number;
  pct: number;
  category: DayCategory;
  status: string;
  label: string;
}

export interface ProblemDay {
  day: string;
  category: Exclude<DayCategory, 'downloaded'>;
  status: string;
  detail: string;
  rerun: string;
}

export interface CountingStats {
  artifacts: number;
  fromCache: number;
  bytes: number;
  seconds: number;
  cacheErrors: string[];
}

export interface ReportModel {
  generatedAt: string;
  outputDir: string;
  ledger: LedgerInfo;
  status: StatusModel;
  sensors: string[];
  days: string[];
  cells: HeatCell[];
  perDay: DayAvailability[];
  problems: ProblemDay[];
  counted: { records: number; expected: number; pct: number };
  counting: CountingStats;
}

export interface ReportInput {
  generatedAt: string;
  outputDir: string;
  ledger: LedgerInfo;
  status: StatusModel;
  /** data/sensors.json order; sensors seen only in the files are appended. */
  sensors: readonly string[];
  artifacts: readonly DayArtifact[];
  counts: ReadonlyMap<string, SensorCounts>;
  counting: CountingStats;
}

const PROCESSING = new Set<string>(PROCESSING_STATUSES);

/** Pure: the status model, the artifacts and their counts in, the report's data out. */
export function buildReportModel(input: ReportInput): ReportModel {
  const { status } = input;
  const days = status.days.map((d) => d.day);
  const byDay = new Map<string, DayArtifact[]>();
  for (const a of input.artifacts) byDay.set(a.day, [...(byDay.get(a.day) ?? []), a]);

  // Per sensor-day, the largest count over the day's files: an ALL file and a single-sensor file of the
  // same day hold the same records, so adding them would count twice.
  const perSensorDay = new Map<string, Map<string, number>>();
  const extraSensors = new Set<string>();
  const known = new Set(input.sensors);
  for (const day of days) {
    const m = new Map<string, number>();
    for (const a of byDay.get(day) ?? []) {
      for (const [sensor, n] of Object.entries(input.counts.get(a.name) ?? {})) {
        if (sensor === '') continue;
        if (!known.has(sensor)) extraSensors.add(sensor);
        m.set(sensor, Math.max(m.get(sensor) ?? 0, n));
      }
    }
    perSensorDay.set(day, m);
  }
  const sensors = [...input.sensors, ...[...extraSensors].sort()];

  const cells: HeatCell[] = [];
  for (const sensor of sensors) {
    for (const day of days) {
      const records = perSensorDay.get(day)?.get(sensor) ?? 0;
      const covered = (byDay.get(day) ?? []).some((a) => a.sensorId === 'ALL' || a.sensorId === sensor);
      const pct = pctOf(records, EXPECTED_PER_SENSOR_DAY);
      const label = covered
        ? `${day} ${sensor}: ${fmtInt(records)} of ${fmtInt(EXPECTED_PER_SENSOR_DAY)} records (${pct.toFixed(1)}%)`
        : `${day} ${sensor}: no artifact for this day`;
      cells.push({ day, sensor, records, expected: EXPECTED_PER_SENSOR_DAY, pct, covered, label });
    }
  }

  const inScope = (sensor: string) => status.sensorId === 'ALL' || sensor === status.sensorId;
  const expected = expectedRecords(status.sensorId);
  const perDay = status.days.map((d): DayAvailability => {
    let records = 0;
    for (const [sensor, n] of perSensorDay.get(d.day) ?? []) if (inScope(sensor)) records += n;
    const hasArtifact = (byDay.get(d.day) ?? []).some((a) => a.sensorId === 'ALL' || a.sensorId === status.sensorId);
    const category = categorize(d, hasArtifact);
    const pct = pctOf(records, expected);
    const statusText = d.status ?? 'no ledger row';
    const label = `${d.day}: ${fmtInt(records)} of ${fmtInt(expected)} records (${pct.toFixed(1)}%), ${statusText}`;
    return { day: d.day, records, expected, pct, category, status: statusText, label };
  });

  const problems: ProblemDay[] = [];
  status.days.forEach((d, i) => {
    const category = perDay[i]!.category;
    if (category === 'downloaded') return;
    problems.push({
      day: d.day,
      category,
      status: d.status ?? 'no row',
      detail: problemDetail(d, category),
      rerun: d.action === 'run' ? 'would run' : d.reason === 'failed' ? 'with --retry-failed' : 'skipped',
    });
  });

  const countedRecords = perDay.reduce((s, d) => s + d.records, 0);
  const countedExpected = expected * days.length;
  return {
    generatedAt: input.generatedAt,
    outputDir: input.outputDir,
    ledger: input.ledger,
    status,
    sensors,
    days,
    cells,
    perDay,
    problems,
    counted: { records: countedRecords, expected: countedExpected, pct: pctOf(countedRecords, countedExpected) },
    counting: input.counting,
  };
}

function categorize(d: DayStatus, hasArtifact: boolean): DayCategory {
  if (d.status === 'FAILED') return 'failed';
  if (d.status === 'SKIPPED_NO_DATA') return 'no data';
  if ((d.status === 'DOWNLOADED' || PROCESSING.has(d.status ?? '')) && hasArtifact) return 'downloaded';
  return 'missing';
}

function problemDetail(d: DayStatus, category: DayCategory): string {
  if (category === 'failed') return [d.errorType, d.errorMessage?.replace(/\s+/g, ' ').trim()].filter(Boolean).join(': ') || 'no error recorded';
  if (d.action === 'run' || category === 'no data') return d.reasonText;
  return `no artifact on disk (${d.artifact})`;
}

function pctOf(n: number, of: number): number {
  return of > 0 ? (n / of) * 100 : 0;
}

export interface CollectOptions extends CommonOptions {
  now?: Date;
  /** Where warnings about the ledger go. */
  warn?: (message: string) => void;
  /** The ledger's rows from the coordinator instead of the CSV file. */
  rows?: LedgerRow[] | undefined;
  /** Called after each artifact is counted or found in the cache. */
  onCount?: (artifact: DayArtifact, result: CountResult) => void;
}

/**
 * Reads the ledger and counts the artifacts of the range (cached), then builds the model. The range
 * defaults to the days the ledger or the artifacts cover.
 */
export async function collectReport(opts: CollectOptions): Promise<ReportModel> {
  const view = await readLedgerView({ ...opts, warn: opts.warn ?? (() => {}) });
  const { rows, range } = view;
  if (!range) {
    throw new UsageError(
      `nothing to report: no ledger rows in ${opts.telemetryFile} and no day files in ${opts.outputDir}; run download first or give --start-date/--end-date`,
    );
  }
  const all = await listArtifacts(opts.outputDir);
  const status = buildStatus({ ...view, decide: { now: (opts.now ?? new Date()).getTime(), settleMs: 0, recheckMs: 0 } });
  const inRange = new Set(dayRange(range.start, range.end));
  const artifacts = all.filter((a) => inRange.has(a.day));
  const counts = new Map<string, SensorCounts>();
  const counting: CountingStats = { artifacts: 0, fromCache: 0, bytes: 0, seconds: 0, cacheErrors: [] };
  const cacheDir = countsCacheDir(opts.outputDir);
  for (const a of artifacts) {
    const result = await countArtifact(a.path, cacheDir);
    counts.set(a.name, result.counts);
    counting.artifacts++;
    if (result.fromCache) counting.fromCache++;
    counting.bytes += result.bytes;
    counting.seconds += result.seconds;
    if (result.cacheError) counting.cacheErrors.push(result.cacheError);
    opts.onCount?.(a, result);
  }
  return buildReportModel({
    generatedAt: (opts.now ?? new Date()).toISOString(),
    outputDir: opts.outputDir,
    ledger: { path: opts.telemetryFile, exists: existsSync(opts.telemetryFile), rows: rows.length },
    status,
    sensors: await loadSensorIds(),
    artifacts,
    counts,
    counting,
  });
}
