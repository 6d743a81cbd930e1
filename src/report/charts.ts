/**
 * The report's charts as Vega-Lite specs, compiled and rendered to SVG by vega in Node (no browser, no
 * canvas: `renderer: 'none'` plus toSVG()). The SVG is then touched in two small ways vega has no option
 * for: the root gets a stable id, and each heatmap cell gets a <title> so browsers show its tooltip.
 */
import { parse as parseVega, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { EXPECTED_PER_SENSOR_DAY, REACH_SENSOR_COUNT, expectedRecords } from '../plan/windows.js';
import { DAY_CATEGORIES, type DayCategory, type ReportModel } from './model.js';
import { fmtInt } from './status-text.js';

/** id of the heatmap's root <svg>, in the page and in the --svg file. */
export const HEATMAP_ID = 'reach-heatmap';
/** vega names the cell mark's group `<spec name>_marks`; each cell is one item (a <path>) in it. */
export const HEATMAP_CELL_CLASS = 'reach_heatmap_marks';
export const DAILY_ID = 'reach-daily';

const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';
/** Both charts' y axes take the same room, so their day columns line up one above the other. */
const Y_AXIS_EXTENT = 78;
const ROW_STEP = 16;
const NO_ARTIFACT_GREY = '#d4d4d8';

const CATEGORY_COLOURS: Record<DayCategory, string> = {
  downloaded: '#3569b8',
  failed: '#d1343a',
  missing: '#8a8f98',
  'no data': '#e0a030',
};

const CONFIG = {
  font: FONT,
  background: '#ffffff',
  padding: 8,
  view: { stroke: null },
  axis: {
    labelFontSize: 11,
    titleFontSize: 12,
    titleFontWeight: 600,
    labelColor: '#333a45',
    titleColor: '#1f2530',
    domainColor: '#9aa1ab',
    tickColor: '#9aa1ab',
    titlePadding: 10,
  },
  legend: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 600, titleColor: '#1f2530', labelColor: '#333a45' },
  title: { fontSize: 15, fontWeight: 600, anchor: 'start', color: '#1f2530', subtitleFontSize: 12, subtitleColor: '#5b6470', offset: 12 },
} as const;

/** Pixels per day: wide columns for a week, a few pixels each for a year, so the chart stays on a screen or two. */
export function dayStep(days: number): number {
  if (days <= 10) return 80;
  if (days <= 31) return 28;
  if (days <= 92) return 12;
  return Math.max(3, Math.floor(1400 / days));
}

function dayAxis(days: number, title: string | null) {
  const step = dayStep(days);
  return {
    title,
    labelAngle: step >= 80 ? 0 : -45,
    // vega sizes labels by estimate (no canvas in Node), which overrates them: from 28 px per day the real
    // labels fit (rotated 45° when narrower than 80 px), so only thinner columns get their labels thinned.
    labelOverlap: step < 28,
    labelPadding: 4,
    ticks: step >= 12,
  };
}

function listSome(items: readonly string[], max: number): string {
  return items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}

export function heatmapSpec(model: ReportModel): TopLevelSpec {
  const step = dayStep(model.days.length);
  const dark = model.sensors.filter((s) => model.cells.some((c) => c.sensor === s && c.covered) && model.cells.every((c) => c.sensor !== s || !c.covered || c.records === 0));
  const subtitle = [
    `Records per sensor per UTC day counted in the day files, against ${fmtInt(EXPECTED_PER_SENSOR_DAY)} expected (2 dosimeters x one record per 5 s).`,
    `Grey: no day file holds that sensor-day.${dark.length > 0 ? ` No records at all from ${listSome(dark, 6)}.` : ''}`,
  ];
  return {
    name: 'reach_heatmap',
    title: { text: 'Records per sensor-day', subtitle },
    config: CONFIG,
    data: { values: model.cells.map((c) => ({ day: c.day, sensor: c.sensor, pct: c.pct, covered: c.covered, label: c.label })) },
    width: { step },
    height: { step: ROW_STEP },
    mark: { type: 'rect', stroke: '#ffffff', strokeWidth: step >= 8 ? 1 : 0 },
    encoding: {
      x: { field: 'day', type: 'ordinal', sort: model.days, axis: dayAxis(model.days.length, 'UTC day') },
      y: {
        field: 'sensor',
        type: 'ordinal',
        sort: model.sensors,
        axis: { title: 'sensor', minExtent: Y_AXIS_EXTENT, maxExtent: Y_AXIS_EXTENT, ticks: false, domain: false, labelPadding: 6 },
      },
      color: {
        condition: { test: '!datum.covered', value: NO_ARTIFACT_GREY },
        field: 'pct',
        type: 'quantitative',
        title: 'availability %',
        scale: { domain: [0, 100], scheme: 'viridis', clamp: true },
        legend: { gradientLength: Math.min(240, model.sensors.length * ROW_STEP), gradientThickness: 14, values: [0, 25, 50, 75, 100], format: 'd' },
      },
      tooltip: { field: 'label', type: 'nominal' },
      description: { field: 'label' },
    },
  };
}

export function dailySpec(model: ReportModel): TopLevelSpec {
  const step = dayStep(model.days.length);
  const values = model.perDay.map((d) => ({
    day: d.day,
    pct: d.pct,
    category: d.category,
    shade: d.category === 'downloaded' ? 0 : 100,
    tag: d.category === 'downloaded' ? '' : d.category.toUpperCase(),
    label: d.label,
  }));
  const scope = model.status.sensorId === 'ALL' ? `all ${REACH_SENSOR_COUNT} sensors` : model.status.sensorId;
  return {
    name: 'reach_daily',
    title: {
      text: 'Availability per day',
      subtitle: `Records counted in each day's file against the expected ${fmtInt(expectedRecords(model.status.sensorId))} (${scope}); shaded: FAILED, missing or no-data days.`,
    },
    config: CONFIG,
    data: { values },
    width: { step },
    height: 170,
    encoding: {
      x: { field: 'day', type: 'ordinal', sort: model.days, axis: dayAxis(model.days.length, 'UTC day') },
      color: {
        field: 'category',
        type: 'nominal',
        title: 'day',
        scale: { domain: [...DAY_CATEGORIES], range: DAY_CATEGORIES.map((c) => CATEGORY_COLOURS[c]) },
        legend: { orient: 'right', symbolType: 'square', symbolOpacity: 1, symbolSize: 120 },
      },
      tooltip: { field: 'label', type: 'nominal' },
      description: { field: 'label' },
    },
    layer: [
      {
        mark: { type: 'bar', opacity: 0.16 },
        encoding: { y: { field: 'shade', type: 'quantitative' } },
      },
      {
        mark: { type: 'bar' },
        encoding: {
          y: {
            field: 'pct',
            type: 'quantitative',
            title: 'availability %',
            scale: { domain: [0, 100], clamp: true },
            axis: { minExtent: Y_AXIS_EXTENT, maxExtent: Y_AXIS_EXTENT, values: [0, 25, 50, 75, 100], grid: true, gridColor: '#eceef1' },
          },
        },
      },
      ...(step >= 14
        ? [
            {
              mark: { type: 'text' as const, angle: 270, fontSize: 10, fontWeight: 600 as const, opacity: 0.85 },
              encoding: { y: { datum: 50 }, text: { field: 'tag' } },
            },
          ]
        : []),
    ],
  };
}

/** Keeps vega's and vega-lite's warnings (a spec mistake, not a data problem) instead of printing them. */
class CollectingLogger {
  private threshold = 2;
  constructor(readonly messages: string[]) {}
  level(l?: number): number | this {
    if (l === undefined) return this.threshold;
    this.threshold = l;
    return this;
  }
  error(...args: unknown[]): this {
    this.messages.push(`error: ${args.map(String).join(' ')}`);
    return this;
  }
  warn(...args: unknown[]): this {
    if (this.threshold >= 2) this.messages.push(args.map(String).join(' '));
    return this;
  }
  info(): this {
    return this;
  }
  debug(): this {
    return this;
  }
}

/** Vega-Lite → Vega → scenegraph → SVG text, all in this process; warnings are appended to `warnings`. */
export async function renderSvg(spec: TopLevelSpec, id: string, warnings: string[] = []): Promise<string> {
  const logger = new CollectingLogger(warnings);
  const view = new View(parseVega(compile(spec, { logger }).spec), { renderer: 'none', logger });
  try {
    const svg = await view.toSVG();
    return svg.replace(/^<svg /, `<svg id="${id}" role="img" `);
  } finally {
    view.finalize();
  }
}

/**
 * Adds a <title> with the cell's label inside each heatmap cell. The label is already attribute-escaped
 * by vega, which is also valid element text.
 */
export function addCellTitles(svg: string): string {
  const open = svg.indexOf(`class="mark-rect role-mark ${HEATMAP_CELL_CLASS}"`);
  if (open < 0) return svg;
  const close = svg.indexOf('</g>', open);
  const group = svg
    .slice(open, close)
    .replace(/<path ([^>]*?)aria-label="([^"]*)"([^>]*?)\/>/g, (_, before: string, label: string, after: string) => `<path ${before}aria-label="${label}"${after}><title>${label}</title></path>`);
  return svg.slice(0, open) + group + svg.slice(close);
}

export async function renderHeatmapSvg(model: ReportModel, warnings?: string[]): Promise<string> {
  return addCellTitles(await renderSvg(heatmapSpec(model), HEATMAP_ID, warnings));
}

export async function renderDailySvg(model: ReportModel, warnings?: string[]): Promise<string> {
  return renderSvg(dailySpec(model), DAILY_ID, warnings);
}
