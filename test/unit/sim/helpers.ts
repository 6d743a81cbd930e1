/** Shared fixtures of the simulator's unit and HTTP tests. */

import http, { type IncomingHttpHeaders } from 'node:http';
import { afterAll, afterEach } from 'vitest';

import { Dataset, loadSensors, parseUdlTime, startSim, type DatasetConfig, type RunningSim, type Selection, type SimOptions, type TimeBounds } from '../../../src/sim/index.js';

export interface Rec {
  id: string;
  idSensor: string;
  obTime: string;
  descriptor: string;
  seoList: { obValue: number }[];
  [key: string]: unknown;
}

export const sensors = await loadSensors();

export function dataset(overrides: Partial<DatasetConfig> = {}): Dataset {
  return new Dataset({
    sensors: sensors.slice(0, 3),
    descriptors: ['QUICKLOOK', 'PROVISIONAL'],
    seed: 1,
    gapShare: 0,
    emptyDays: [],
    subSecondShare: 0,
    start: Date.UTC(2017, 0, 1),
    end: Date.UTC(2030, 0, 1),
    ...overrides,
  });
}

export const t = parseUdlTime;
export const range = (a: string, b: string): TimeBounds => ({ from: t(a), to: t(b) });

/** The cursor's text for a page, unparsed: pages must join byte for byte. */
export function pageText(ds: Dataset, sel: Selection, bounds: TimeBounds, first: number, max: number, now?: number): string {
  const cursor = ds.cursor(sel, bounds, first, max, now);
  const parts: string[] = [];
  for (let s = cursor.next(97); s !== ''; s = cursor.next(97)) parts.push(s);
  return parts.join(',');
}

/** Every record in `bounds`, one page. */
export function allRecords(ds: Dataset, sel: Selection, bounds: TimeBounds, now?: number): Rec[] {
  return JSON.parse(`[${pageText(ds, sel, bounds, 0, Number.MAX_SAFE_INTEGER, now)}]`) as Rec[];
}

/** The same records fetched in pages of the given sizes (the last size repeats) until a short page. */
export function pagedText(ds: Dataset, sel: Selection, bounds: TimeBounds, sizes: readonly number[], now?: number): string[] {
  const pages: string[] = [];
  let first = 0;
  for (let i = 0; ; i++) {
    const size = sizes[Math.min(i, sizes.length - 1)] as number;
    const text = pageText(ds, sel, bounds, first, size, now);
    const rows = text === '' ? 0 : (JSON.parse(`[${text}]`) as unknown[]).length;
    if (rows > 0) pages.push(text);
    first += rows;
    if (rows < size) return pages;
  }
}

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  /** The body as received, before any Content-Encoding is undone. */
  raw: Buffer;
  body: string;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
afterAll(() => agent.destroy());

export function request(
  sim: RunningSim,
  path: string,
  opts: { method?: string; headers?: http.OutgoingHttpHeaders; body?: string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(sim.url + path, { agent, method: opts.method ?? 'GET', headers: opts.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const raw = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, raw, body: raw.toString('utf8') });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

export const dataPath = (q: string): string => `/udl/spaceenvobservation?${q}`;
export const countPath = (q: string): string => `/udl/spaceenvobservation/count?${q}`;

const running: RunningSim[] = [];
/** Starts a simulator that is closed after the test. */
export async function sim(options: SimOptions = {}): Promise<RunningSim> {
  const s = await startSim(options);
  running.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});
