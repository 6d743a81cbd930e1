/**
 * Micro-benchmark of the page transcoder: CPU seconds for one full ALL day (1.1 M records in 111 pages of
 * 10,000, ~780 bytes each) turned into CSV rows, and split into raw JSON records. The pages are generated
 * here, shaped like the UDL's REACH records, with JSON.stringify's number forms: lat/lon/alt/senPos with
 * 16-17 significant digits as the real data has them, or short ones for comparison. JSON.parse of the
 * same day is timed too, as the yardstick the transcoder must beat. The day is also transcoded cut into
 * ~64 KB pieces at record boundaries, as the downloader delivers pages to keep large strings out of the
 * heap: one createCsvPageTranscoder per page, and (for comparison) a fresh transcodePageToCsv per piece.
 *
 * Run on its own: `node dist/bench/transcode-bench.js`.
 */
import { pathToFileURL } from 'node:url';
import { createCsvPageTranscoder, transcodePageToCsv } from '../formats/csv-writer.js';
import { splitPageJson } from '../formats/json-writer.js';

const RECORDS_PER_PAGE = 10_000;
const PAGES_PER_DAY = 111;
/** Distinct pages generated; the day cycles through them (values differ, shapes do not, as in a real day). */
const DISTINCT_PAGES = 12;
const WARM_UP_PAGES = 3;
/** Size the pieces of a page are cut to (whole records, so a piece is a little larger). */
const PIECE_CHARS = 64 * 1024;

export interface TranscodeBenchResult {
  records: number;
  /** Megabytes of JSON transcoded. */
  mb: number;
  cpuSeconds: number;
  /** The same day cut into ~64 KB pieces, each page through one createCsvPageTranscoder. */
  piecesCpuSeconds?: number;
  /** How many pieces that was. */
  pieces?: number;
}

/** mulberry32: a fixed sequence, so runs compare. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FLAVORS = ['U', 'V', 'W', 'X', 'Y', 'Z'];

/** Page `p` of a day: 32 sensors x 2 dosimeters every 5 s, in obTime order. */
function makePage(p: number, longFloats: boolean): string {
  const rnd = random(p + 1);
  const hex = (n: number): string => {
    let s = '';
    for (let i = 0; i < n; i++) s += '0123456789abcdef'[Math.floor(rnd() * 16)];
    return s;
  };
  const float = (x: number, decimals: number): number => (longFloats ? x : Math.round(x * 10 ** decimals) / 10 ** decimals);
  const day = Date.UTC(2026, 0, 1);
  const records: unknown[] = [];
  let genTime = '';
  for (let r = 0; r < RECORDS_PER_PAGE; r++) {
    const i = p * RECORDS_PER_PAGE + r;
    const sensor = (i >> 1) % 32;
    const dose = (i & 1) + 1;
    const flavor = FLAVORS[(sensor + dose) % 6]!;
    const satNo = 41917 + sensor * 53;
    if (r % 500 === 0) genTime = new Date(day + 86_400_000 + i * 40).toISOString();
    const lat = rnd() * 180 - 90;
    const lon = rnd() * 360 - 180;
    const alt = 780 + rnd() * 30;
    const value = rnd() < 0.2 ? 0 : rnd() ** 3 * 1e-3;
    records.push({
      id: `${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`,
      classificationMarking: 'U',
      dataType: 'ECP',
      genTime,
      idOnOrbit: String(satNo),
      satNo,
      idSensor: `REACH-${101 + sensor * 2}`,
      origSensorId: String(sensor % 4),
      observatoryType: 'ONORBIT',
      observatoryName: `Iridium-${102 + sensor * 3}`,
      instrumentType: 'DOSIMETER',
      lat: float(lat, 4),
      lon: float(lon, 4),
      alt: float(alt, 3),
      senPos: [float((rnd() - 0.5) * 14000, 7), float((rnd() - 0.5) * 14000, 7), float((rnd() - 0.5) * 14000, 7)],
      obSetId: `REACH_${flavor}`,
      particleType: dose === 1 ? 'PROTONS' : 'ELECTRONS',
      obTime: new Date(day + Math.floor(i / 64) * 5000).toISOString(),
      seoList: [
        {
          obType: 'Energetic Charged Particle',
          obUoM: 'rad/second',
          obValue: longFloats ? value : Number(value.toPrecision(6)),
          obQuality: rnd() < 0.9 ? '0' : '4',
          obDescription: `DOSE${dose} (Flavor ${flavor}) in rad/second`,
        },
      ],
      descriptor: 'QUICKLOOK',
      createdAt: new Date(day + 86_400_000 + i * 40 + 61_000 + sensor * 7).toISOString(),
      createdBy: 'system.reach',
      source: 'Aerospace',
      dataMode: 'REAL',
      origNetwork: 'OPS1',
    });
  }
  return JSON.stringify(records);
}

function cpuSeconds(since: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1e6;
}

/** CPU seconds for `work` over one day's pages (after a few pages of warm-up, as a long run would be). */
function timeDay(pages: readonly string[], work: (body: string) => number): TranscodeBenchResult {
  for (let i = 0; i < WARM_UP_PAGES; i++) work(pages[i % pages.length]!);
  let records = 0;
  let chars = 0;
  const start = process.cpuUsage();
  for (let i = 0; i < PAGES_PER_DAY; i++) {
    const body = pages[i % pages.length]!;
    records += work(body);
    chars += body.length;
  }
  return { records, mb: chars / 1e6, cpuSeconds: cpuSeconds(start) };
}

/** Page `body` cut at record boundaries into JSON array texts of about PIECE_CHARS each. */
function cut(body: string): string[] {
  const pieces: string[] = [];
  let records: string[] = [];
  let size = 0;
  for (const r of splitPageJson(body).records) {
    records.push(r);
    size += r.length + 1;
    if (size >= PIECE_CHARS) {
      pieces.push(`[${records.join(',')}]`);
      records = [];
      size = 0;
    }
  }
  if (records.length > 0) pieces.push(`[${records.join(',')}]`);
  return pieces;
}

/** CPU seconds for `work` over one day's pages, each page given as its pieces. */
function timePiecesDay(pages: readonly string[], work: (pieces: readonly string[]) => number): TranscodeBenchResult & { pieces: number } {
  const cutPages = pages.map(cut);
  for (let i = 0; i < WARM_UP_PAGES; i++) work(cutPages[i % cutPages.length]!);
  let records = 0;
  let chars = 0;
  let pieces = 0;
  const start = process.cpuUsage();
  for (let i = 0; i < PAGES_PER_DAY; i++) {
    const page = cutPages[i % cutPages.length]!;
    records += work(page);
    pieces += page.length;
    for (const piece of page) chars += piece.length;
  }
  return { records, mb: chars / 1e6, cpuSeconds: cpuSeconds(start), pieces };
}

const csv = (body: string): number => transcodePageToCsv(body).count;
const csvPieces = (pieces: readonly string[]): number => {
  const transcoder = createCsvPageTranscoder();
  let n = 0;
  for (const piece of pieces) n += transcoder.push(piece).count;
  return n;
};
const csvPiecesAfresh = (pieces: readonly string[]): number => {
  let n = 0;
  for (const piece of pieces) n += transcodePageToCsv(piece).count;
  return n;
};
const json = (body: string): number => splitPageJson(body).count;
const parse = (body: string): number => (JSON.parse(body) as unknown[]).length;

function pagesOf(longFloats: boolean): string[] {
  return Array.from({ length: DISTINCT_PAGES }, (_, p) => makePage(p, longFloats));
}

/** One ALL day of pages with 16-17 digit floats transcoded to CSV rows. */
export async function benchTranscode(): Promise<TranscodeBenchResult> {
  const pages = pagesOf(true);
  const whole = timeDay(pages, csv);
  const pieces = timePiecesDay(pages, csvPieces);
  return { ...whole, piecesCpuSeconds: pieces.cpuSeconds, pieces: pieces.pieces };
}

async function main(): Promise<void> {
  const long = pagesOf(true);
  const short = pagesOf(false);
  // As the samples are written (Python's indent=4): whitespace the templates must skip.
  const pretty = long.slice(0, 4).map((p) => JSON.stringify(JSON.parse(p), null, 4));
  const rows: [string, TranscodeBenchResult][] = [
    ['CSV, 16-17 digit floats', timeDay(long, csv)],
    ['CSV, short floats', timeDay(short, csv)],
    ['CSV, pretty-printed', timeDay(pretty, csv)],
    ['CSV, 64 KB pieces', timePiecesDay(long, csvPieces)],
    ['CSV, 64 KB pieces, short floats', timePiecesDay(short, csvPieces)],
    ['CSV, 64 KB pieces, pretty', timePiecesDay(pretty, csvPieces)],
    ['CSV, 64 KB pieces, no carry-over', timePiecesDay(long, csvPiecesAfresh)],
    ['JSON split, 16-17 digit floats', timeDay(long, json)],
    ['JSON split, short floats', timeDay(short, json)],
    ['JSON split, pretty-printed', timeDay(pretty, json)],
    ['JSON.parse alone (yardstick)', timeDay(long, parse)],
  ];
  const bytes = (long[0]!.length / RECORDS_PER_PAGE).toFixed(0);
  console.log(`one ALL day: ${PAGES_PER_DAY} pages of ${RECORDS_PER_PAGE} records, ${bytes} bytes per record`);
  for (const [name, r] of rows) {
    const us = (r.cpuSeconds / r.records) * 1e6;
    const cpu = r.cpuSeconds.toFixed(2).padStart(6);
    const pieces = r.pieces === undefined ? '' : `  ${r.pieces} pieces`;
    console.log(`${name.padEnd(32)} ${cpu} CPU-s  ${us.toFixed(2).padStart(5)} us/record  ${r.mb.toFixed(0)} MB${pieces}`);
  }
  // Per-piece overhead: what a day in pieces costs beyond the same day whole, per piece.
  const [whole, pieced, afresh] = [rows[0]![1], rows[3]![1], rows[6]![1]];
  const overhead = (r: TranscodeBenchResult): string => (((r.cpuSeconds - whole.cpuSeconds) / r.pieces!) * 1e6).toFixed(1);
  console.log(`pieces / whole: ${(pieced.cpuSeconds / whole.cpuSeconds).toFixed(3)}x, ${overhead(pieced)} us per piece carried over, ${overhead(afresh)} us per piece afresh`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
