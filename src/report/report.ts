/** `report` end to end: collect, render, write the page (and the heatmap alone) crash-safely. */
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { writeFileAtomic } from '../artifacts/fsutil.js';
import { UsageError } from '../errors.js';
import type { DayArtifact } from './artifacts.js';
import type { LedgerRow } from '../ledger/schema.js';
import { renderDailySvg, renderHeatmapSvg } from './charts.js';
import type { CountResult } from './counts.js';
import { renderHtml } from './html.js';
import { collectReport, type ReportModel } from './model.js';
import { checkOutputDir, READS_LOCAL_FILES, validateCommon, type RawCommonOptions } from './options.js';
import { isS3Location } from '../store/open.js';

export interface RawReportOptions extends RawCommonOptions {
  out?: string;
  svg?: string;
}

/** Where the report's ledger rows come from instead of the CSV file (the coordinator's table). */
export type ReportRowSource = (outputDir: string) => Promise<LedgerRow[] | undefined>;

export interface ReportResult {
  model: ReportModel;
  htmlPath: string;
  svgPath: string | undefined;
  html: string;
  heatmapSvg: string;
  seconds: number;
  /** vega/vega-lite warnings while rendering; none expected. */
  warnings: string[];
}

export async function writeReport(
  raw: RawReportOptions,
  hooks: { now?: Date; onCount?: (a: DayArtifact, r: CountResult) => void; rows?: ReportRowSource } = {},
): Promise<ReportResult> {
  const t0 = performance.now();
  const opts = validateCommon(raw);
  if (isS3Location(opts.outputDir)) throw new UsageError(READS_LOCAL_FILES('report'));
  if (!raw.out) throw new UsageError('--out is required: the HTML file to write, e.g. --out report.html');
  const htmlPath = resolve(raw.out);
  const svgPath = raw.svg ? resolve(raw.svg) : undefined;
  if (svgPath === htmlPath) throw new UsageError('--svg and --out name the same file; give the heatmap its own file');
  await checkOutputDir(opts.outputDir);
  const rows = await hooks.rows?.(opts.outputDir);
  const model = await collectReport({ ...opts, ...hooks, rows });
  const warnings: string[] = [];
  const heatmapSvg = await renderHeatmapSvg(model, warnings);
  const html = renderHtml(model, { heatmapSvg, dailySvg: await renderDailySvg(model, warnings) });
  await writeOut(htmlPath, html, '--out');
  if (svgPath) await writeOut(svgPath, `<?xml version="1.0" encoding="UTF-8"?>\n${heatmapSvg}\n`, '--svg');
  return { model, htmlPath, svgPath, html, heatmapSvg, seconds: (performance.now() - t0) / 1000, warnings };
}

async function writeOut(path: string, text: string, flag: string): Promise<void> {
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFileAtomic(path, text);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS' || code === 'ENOTDIR' || code === 'EISDIR' || code === 'EEXIST') {
      throw new UsageError(`${flag} ${path} cannot be written (${code}); choose a writable file path`);
    }
    throw err;
  }
}
