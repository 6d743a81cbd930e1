/**
 * Writing the simulator's answers: short texts, JSON, and data pages streamed with
 * backpressure, gzip-compressed on the fly when the server is configured for it and the
 * client asks. Every UDL answer is metered before and after compression.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline, type Writable } from 'node:stream';
import { createGzip, gzipSync } from 'node:zlib';

import type { RecordCursor } from './cursor.js';
import type { SimStats } from './stats.js';

/** The counters an answer adds to. */
export type Meter = Pick<SimStats, 'bytesServed' | 'bytesOnWire' | 'rowsServed' | 'gzipResponses'>;

/** ~100 KB per socket write: large enough to amortise the write, small enough to stream. */
const ROWS_PER_WRITE = 128;
const JSON_TYPE = 'application/json';

/**
 * Whether an `Accept-Encoding` header admits gzip: a `gzip` (or legacy `x-gzip`) token whose
 * q-value is not 0. `*` is not honoured: clients that want gzip say so.
 */
export function acceptsGzip(header: string | undefined): boolean {
  if (header === undefined) return false;
  return header.split(',').some((part) => {
    const [coding, ...params] = part.split(';').map((p) => p.trim().toLowerCase());
    if (coding !== 'gzip' && coding !== 'x-gzip') return false;
    const q = params.find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

/** Resolves true on 'drain', false if the stream is closed first. */
export function drained(stream: Writable): Promise<boolean> {
  if (stream.destroyed) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onDrain = (): void => {
      stream.off('close', onClose);
      resolve(true);
    };
    const onClose = (): void => {
      stream.off('drain', onDrain);
      resolve(false);
    };
    stream.once('drain', onDrain);
    stream.once('close', onClose);
  });
}

/** A plain-text answer with its Content-Length, gzip-compressed at `gzipLevel` > 0. */
export function sendText(
  res: ServerResponse,
  meter: Meter,
  status: number,
  body: string,
  headers: Record<string, string> = {},
  gzipLevel = 0,
): void {
  const plain = Buffer.from(body);
  const wire = gzipLevel > 0 ? gzipSync(plain, { level: gzipLevel }) : plain;
  meter.bytesServed += plain.length;
  meter.bytesOnWire += wire.length;
  if (gzipLevel > 0) meter.gzipResponses++;
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': wire.length,
    ...(gzipLevel > 0 ? { 'Content-Encoding': 'gzip' } : {}),
    ...headers,
  });
  res.end(wire);
}

/** A JSON answer of the test-control endpoints (not metered: they are not part of UDL). */
export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'Content-Type': JSON_TYPE, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** Starts a gzip stream into `res`, metering what it emits; the pipeline ends `res` after it. */
function gzipInto(res: ServerResponse, meter: Meter, level: number, headers: Record<string, string>): Writable {
  res.writeHead(200, { 'Content-Type': JSON_TYPE, 'Content-Encoding': 'gzip', ...headers });
  meter.gzipResponses++;
  const gzip = createGzip({ level });
  gzip.on('data', (chunk: Buffer) => (meter.bytesOnWire += chunk.length));
  // A client gone mid-page destroys the gzip stream too, so a pending write sees 'close'.
  pipeline(gzip, res, () => undefined);
  return gzip;
}

/**
 * Streams a page with backpressure; chunked, since its length is only known at the end. At
 * `gzipLevel` > 0 each slice goes through a zlib gzip stream, never buffering the page.
 */
export async function streamPage(
  res: ServerResponse,
  meter: Meter,
  cursor: RecordCursor,
  gzipLevel = 0,
  headers: Record<string, string> = {},
): Promise<void> {
  let out: Writable = res;
  if (gzipLevel > 0) out = gzipInto(res, meter, gzipLevel, headers);
  else res.writeHead(200, { 'Content-Type': JSON_TYPE, ...headers });
  const plain = out === res;
  let rows = 0;
  for (;;) {
    const before = cursor.remaining;
    const slice = cursor.next(ROWS_PER_WRITE);
    if (slice === '') break;
    const chunk = (rows === 0 ? '[' : ',') + slice;
    rows += before - cursor.remaining;
    meter.bytesServed += chunk.length;
    if (plain) meter.bytesOnWire += chunk.length;
    if (!out.write(chunk) && !(await drained(out))) return;
  }
  const end = rows === 0 ? '[]' : ']';
  meter.bytesServed += end.length;
  if (plain) meter.bytesOnWire += end.length;
  out.end(end);
  meter.rowsServed += rows;
}

/**
 * A 500 whose JSON body echoes the request line and headers as received (original case,
 * Authorization included), the way some broken proxies answer.
 */
export function sendEcho500(res: ServerResponse, meter: Meter, req: IncomingMessage): void {
  const headers: Record<string, string> = {};
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) headers[req.rawHeaders[i] as string] = req.rawHeaders[i + 1] as string;
  // Headers first: a client that quotes the start of an error body then quotes the Authorization too.
  const body = JSON.stringify({ error: 'internal', request: { headers, method: req.method, url: req.url } });
  meter.bytesServed += Buffer.byteLength(body);
  meter.bytesOnWire += Buffer.byteLength(body);
  res.writeHead(500, { 'Content-Type': JSON_TYPE, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/**
 * Promises the whole page in Content-Length, sends about half of it and drops the
 * connection: the client must notice the short body rather than parse a prefix. With gzip,
 * the cut falls in the compressed bytes, as it would on the wire.
 */
export function sendTruncated(
  res: ServerResponse,
  meter: Meter,
  cursor: RecordCursor,
  gzipLevel = 0,
  headers: Record<string, string> = {},
): void {
  const parts: string[] = [];
  for (let slice = cursor.next(ROWS_PER_WRITE); slice !== ''; slice = cursor.next(ROWS_PER_WRITE)) parts.push(slice);
  const body = Buffer.from(`[${parts.join(',')}]`);
  const wire = gzipLevel > 0 ? gzipSync(body, { level: gzipLevel }) : body;
  const cut = wire.subarray(0, Math.floor(wire.length / 2));
  res.writeHead(200, {
    'Content-Type': JSON_TYPE,
    'Content-Length': wire.length,
    ...(gzipLevel > 0 ? { 'Content-Encoding': 'gzip' } : {}),
    ...headers,
  });
  if (gzipLevel > 0) meter.gzipResponses++;
  // Body bytes are what the client could decode from the cut: half the page either way.
  meter.bytesServed += gzipLevel > 0 ? Math.floor(body.length / 2) : cut.length;
  meter.bytesOnWire += cut.length;
  res.write(cut, () => res.socket?.destroy());
}
