/**
 * The report page: one HTML file with its charts inline as SVG and its style inline, no script, and a
 * Content-Security-Policy that forbids every fetch, so it opens the same offline, from a mail attachment
 * or from an archive years later.
 */
import { NO_ROW } from './status.js';
import type { ReportModel } from './model.js';
import { fmtFixed, fmtInt } from './status-text.js';

export interface ReportCharts {
  heatmapSvg: string;
  dailySvg: string;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const CSS = `
:root { color-scheme: light; --ink: #1f2530; --muted: #5b6470; --line: #e3e6ea; --card: #f6f7f9; }
* { box-sizing: border-box; }
body { margin: 0; padding: 28px 32px 40px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink); background: #fff; }
h1 { font-size: 22px; margin: 0 0 2px; font-weight: 650; }
h2 { font-size: 15px; margin: 0 0 10px; font-weight: 600; }
.range { margin: 0 0 16px; color: var(--muted); font-size: 14px; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 0 0 14px; padding: 0; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; min-width: 190px; }
.card dt { font-size: 12px; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
.card dd { margin: 2px 0 0; font-size: 20px; font-weight: 600; font-variant-numeric: tabular-nums; }
.card dd small { display: block; font-size: 12px; font-weight: 400; color: var(--muted); }
.meta { color: var(--muted); font-size: 12px; margin: 0 0 22px; }
section { margin: 0 0 26px; }
.chart { overflow-x: auto; }
.chart svg { display: block; max-width: none; }
table { border-collapse: collapse; font-size: 13px; }
th, td { text-align: left; padding: 6px 12px 6px 0; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: 12px; color: var(--muted); font-weight: 600; text-transform: uppercase; letter-spacing: .04em; white-space: nowrap; }
td.day { font-variant-numeric: tabular-nums; white-space: nowrap; }
td.detail { max-width: 640px; overflow-wrap: break-word; }
td.nowrap { white-space: nowrap; }
.tag { display: inline-block; border-radius: 4px; padding: 0 6px; font-size: 12px; font-weight: 600; color: #fff; }
.tag.failed { background: #d1343a; }
.tag.missing { background: #8a8f98; }
.tag.no-data { background: #e0a030; }
.none { color: var(--muted); }
footer { color: var(--muted); font-size: 12px; border-top: 1px solid var(--line); padding-top: 10px; }
`;

export function renderHtml(model: ReportModel, charts: ReportCharts): string {
  const s = model.status;
  const range = s.range!;
  const t = s.totals;
  const byStatus = Object.entries(t.byStatus)
    .map(([k, n]) => `${n} ${k === NO_ROW ? 'no row' : k}`)
    .join(', ');
  const countedSummary = `${fmtInt(model.counted.records)} of ${fmtInt(model.counted.expected)} expected records`;
  const rerun = s.rerun.days.length;
  const retry = s.rerun.retryFailedAdds.length;
  const c = model.counting;
  const cards = [
    card('Availability', `${fmtFixed(model.counted.pct, 1)}%`, countedSummary),
    card('Days', `${fmtInt(range.days)}`, byStatus),
    card('Downloaded', `${fmtFixed(t.sizeMiB, 1)} MiB`, `${fmtInt(t.records)} records in ${fmtFixed(t.downloadSeconds, 0)} s (ledger)`),
    card('A rerun would fetch', `${fmtInt(rerun)} day${rerun === 1 ? '' : 's'}`, retry > 0 ? `--retry-failed adds ${retry} FAILED` : 'no FAILED days waiting'),
  ].join('\n');
  const title = `REACH data availability, ${range.start} to ${range.end}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="generator" content="reach-udl report">
<title>${escapeHtml(title)}</title>
<style>${CSS}</style>
</head>
<body>
<header>
<h1>REACH data availability</h1>
<p class="range">${escapeHtml(`${range.start} to ${range.end} (${range.days} UTC day${range.days === 1 ? '' : 's'}), sensor ${s.sensorId}, ${s.outputFormat} files`)}</p>
<dl class="cards">
${cards}
</dl>
<p class="meta">${escapeHtml(
    `Generated ${model.generatedAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')} from ${model.outputDir}; ledger ${model.ledger.exists ? `${model.ledger.path} (${fmtInt(model.ledger.rows)} rows)` : `${model.ledger.path} (missing)`}; ` +
      `${c.artifacts} day file${c.artifacts === 1 ? '' : 's'} counted, ${c.fromCache} from the cache.`,
  )}</p>
</header>
<main>
<section id="heatmap-section" aria-label="Records per sensor-day">
<div class="chart">${charts.heatmapSvg}</div>
</section>
<section id="daily-section" aria-label="Availability per day">
<div class="chart">${charts.dailySvg}</div>
</section>
<section id="problems">
<h2>Days that need attention</h2>
${problemsTable(model)}
</section>
</main>
<footer>reach-udl report. Counts are read from the day files in the output dir; the ledger supplies status, errors and sizes. Hover a cell for its numbers.</footer>
</body>
</html>
`;
}

function card(label: string, value: string, note: string): string {
  return `<div class="card"><dt>${escapeHtml(label)}</dt><dd>${escapeHtml(value)}<small>${escapeHtml(note)}</small></dd></div>`;
}

function problemsTable(model: ReportModel): string {
  if (model.problems.length === 0) return '<p class="none">None: every day of the range has its file and a DOWNLOADED row.</p>';
  const rows = model.problems
    .map(
      (p) =>
        `<tr><td class="day">${escapeHtml(p.day)}</td><td><span class="tag ${p.category.replace(' ', '-')}">${escapeHtml(p.category)}</span></td>` +
        `<td class="nowrap">${escapeHtml(p.status)}</td><td class="detail">${escapeHtml(p.detail)}</td><td class="nowrap">${escapeHtml(p.rerun)}</td></tr>`,
    )
    .join('\n');
  return `<table>
<thead><tr><th>Day</th><th>Problem</th><th>Ledger status</th><th>Detail</th><th>Next download</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`;
}
