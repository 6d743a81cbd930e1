/** The status model as plain aligned text: no colour or box drawing, so it reads the same in a terminal and a log. */
import { DAY_MS, formatDay, parseDay } from '../plan/dates.js';
import { NO_ROW, type DayStatus, type StatusModel } from './status.js';

export interface LedgerInfo {
  path: string;
  exists: boolean;
  rows: number;
  /** Lines that are not rows (a damaged ledger). */
  badLines?: number;
}

const INT = new Intl.NumberFormat('en-US');

export function fmtInt(n: number): string {
  return INT.format(n);
}

export function fmtFixed(n: number | null, digits: number): string {
  return n === null ? '-' : n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

interface Column {
  title: string;
  right?: boolean;
  cell: (d: DayStatus) => string;
}

const COLUMNS: Column[] = [
  { title: 'DAY', cell: (d) => d.day },
  { title: 'STATUS', cell: (d) => d.status ?? 'no row' },
  { title: 'RECORDS', right: true, cell: (d) => (d.records === null ? '-' : fmtInt(d.records)) },
  { title: 'AVAIL %', right: true, cell: (d) => fmtFixed(d.availabilityPct, 2) },
  { title: 'MiB', right: true, cell: (d) => fmtFixed(d.sizeMiB, 1) },
  { title: 'SECONDS', right: true, cell: (d) => fmtFixed(d.downloadSeconds, 1) },
  { title: 'FILE', cell: (d) => (d.damaged ? 'DAMAGED' : d.artifactExists ? 'yes' : 'no') },
  { title: 'RERUN', cell: (d) => `${d.action}: ${d.reasonText}` },
];

export function renderStatusText(model: StatusModel, ledger: LedgerInfo, outputDir: string): string {
  const out: string[] = [];
  if (!ledger.exists) {
    out.push(`No ledger at ${ledger.path}: nothing has been downloaded into ${outputDir} yet.`);
    if (!model.range) {
      out.push('Run `reach-udl download --output-dir ... --start-date ... --end-date ...` first, or give --start-date/--end-date to see what it would fetch.');
      return `${out.join('\n')}\n`;
    }
  } else if (ledger.rows === 0) {
    out.push(`The ledger ${ledger.path} has no rows yet.`);
  } else {
    out.push(`Ledger  ${ledger.path} (${fmtInt(ledger.rows)} rows${ledger.badLines ? `, ${plural(ledger.badLines, 'damaged line')}: download --repair-ledger moves them aside` : ''})`);
  }
  if (!model.range) return `${out.join('\n')}\n`;
  const r = model.range;
  out.push(`Range   ${r.start} .. ${r.end} (${plural(r.days, 'day')}), sensor ${model.sensorId}, format ${model.outputFormat}`, '');

  const cells = model.days.map((d) => COLUMNS.map((c) => c.cell(d)));
  const widths = COLUMNS.map((c, i) => Math.max(c.title.length, ...cells.map((row) => row[i]!.length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => (i === values.length - 1 ? v : COLUMNS[i]!.right ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
      .join('  ');
  out.push(line(COLUMNS.map((c) => c.title)));
  model.days.forEach((d, k) => {
    out.push(line(cells[k]!));
    if (d.damaged) out.push(`${' '.repeat(widths[0]! + 2)}damaged: ${d.damaged}`);
    if (d.s3Url) out.push(`${' '.repeat(widths[0]! + 2)}cdf: ${d.cdfPath ?? '-'}, uploaded to ${d.s3Url}`);
    else if (d.cdfPath) out.push(`${' '.repeat(widths[0]! + 2)}cdf: ${d.cdfPath}`);
    if (d.errorType !== null || d.errorMessage !== null) {
      out.push(`${' '.repeat(widths[0]! + 2)}error: ${[d.errorType, oneLine(d.errorMessage)].filter(Boolean).join(': ')}`);
    }
  });

  const t = model.totals;
  const byStatus = Object.entries(t.byStatus)
    .sort(([a], [b]) => statusOrder(a) - statusOrder(b))
    .map(([s, n]) => `${n} ${s === NO_ROW ? 'no row' : s}`)
    .join(', ');
  out.push(
    '',
    `Totals  ${plural(t.days, 'day')}: ${byStatus}; ${fmtInt(t.records)} records, ${fmtFixed(t.sizeMiB, 1)} MiB, ${fmtFixed(t.downloadSeconds, 1)} s downloading`,
  );
  const rerun = model.rerun;
  out.push(
    rerun.days.length === 0
      ? `Rerun   nothing to fetch: download over ${r.start} .. ${r.end} would send no request`
      : `Rerun   ${plural(rerun.days.length, 'day')} would be fetched: ${runs(rerun.days)}`,
  );
  if (model.orphans.length > 0) {
    out.push(
      `Orphans ${plural(model.orphans.length, 'artifact')} on disk without a ledger row (${runs(model.orphans.map((day) => ({ day, reasonText: '' })))}); ` +
        '`reach-udl download --adopt` checks them against the server and records them instead of downloading them again',
    );
  }
  if (model.stale.length > 0) {
    const first = model.stale[0]!;
    out.push(
      `Server  ${plural(model.stale.length, 'day')} changed on the server since download (${first.day}: server has ${fmtInt(first.server)} records, artifact ${fmtInt(first.ledger)}); ` +
        '`reach-udl download --refresh` brings them up to date',
    );
  }
  if (rerun.retryFailedAdds.length > 0) {
    out.push(`        --retry-failed would add ${plural(rerun.retryFailedAdds.length, 'FAILED day')}: ${runs(rerun.retryFailedAdds.map((f) => ({ day: f.day, reasonText: '' })))}`);
  }
  return `${out.join('\n')}\n`;
}

/** Consecutive days with the same reason collapse to `a .. b`, so a month of new days is one item. */
function runs(days: ReadonlyArray<{ day: string; reasonText: string }>): string {
  const groups: Array<{ first: string; last: string; reasonText: string; n: number }> = [];
  for (const d of days) {
    const g = groups[groups.length - 1];
    if (g && g.reasonText === d.reasonText && nextDay(g.last) === d.day) {
      g.last = d.day;
      g.n++;
    } else groups.push({ first: d.day, last: d.day, reasonText: d.reasonText, n: 1 });
  }
  return groups
    .map((g) => `${g.n === 1 ? g.first : `${g.first} .. ${g.last}`}${g.reasonText ? `: ${g.reasonText}` : ''}`)
    .join(groups.some((g) => g.reasonText) ? '; ' : ', ');
}

function nextDay(day: string): string {
  return formatDay(parseDay(day)! + DAY_MS);
}

const ORDER = ['DOWNLOADED', 'SKIPPED_NO_DATA', 'FAILED', 'DOWNLOAD_PENDING', 'PROCESSED', 'UPLOADED', NO_ROW];

function statusOrder(s: string): number {
  const i = ORDER.indexOf(s);
  return i < 0 ? ORDER.length : i;
}

function oneLine(s: string | null): string | null {
  return s === null ? null : s.replace(/\s+/g, ' ').trim();
}

function plural(n: number, word: string): string {
  return `${fmtInt(n)} ${word}${n === 1 ? '' : 's'}`;
}
