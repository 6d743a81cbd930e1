/** Writing the simulator's answers: short texts, JSON, and data pages streamed with backpressure. */

import type { IncomingMessage, ServerResponse } from 'node:http';

import type { RecordCursor } from './cursor.js';
import type { SimStats } from './stats.js';

/** The counters an answer adds to. */
export type Meter = Pick<SimStats, 'bytesServed' | 'rowsServed'>;

/** ~100 KB per socket write: large enough to amortise the write, small enough to stream. */
const ROWS_PER_WRITE = 128;

/** Resolves true on 'drain', false if the response is closed first. */
export function drained(res: ServerResponse): Promise<boolean> {
  if (res.destroyed) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onDrain = (): void => {
      res.off('close', onClose);
      resolve(true);
    };
    const onClose = (): void => {
      res.off('drain', onDrain);
      resolve(false);
    };
    res.once('drain', onDrain);
    res.once('close', onClose);
  });
}

/** A plain-text answer with its Content-Length. */
export function sendText(res: ServerResponse, meter: Meter, status: number, body: string, headers: Record<string, string> = {}): void {
  meter.bytesServed += Buffer.byteLength(body);
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    ...headers,
  });
  res.end(body);
}

/** A JSON answer of the test-control endpoints (not metered: they are not part of UDL). */
export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** Streams a page with backpressure; chunked, since its length is only known at the end. */
export async function streamPage(res: ServerResponse, meter: Meter, cursor: RecordCursor): Promise<void> {
  res.writeHead(200, { 'Content-Type': 'application/json' });
  let rows = 0;
  for (;;) {
    const before = cursor.remaining;
    const slice = cursor.next(ROWS_PER_WRITE);
    if (slice === '') break;
    const chunk = (rows === 0 ? '[' : ',') + slice;
    rows += before - cursor.remaining;
    meter.bytesServed += chunk.length;
    if (!res.write(chunk) && !(await drained(res))) return;
  }
  const end = rows === 0 ? '[]' : ']';
  meter.bytesServed += end.length;
  res.end(end);
  meter.rowsServed += rows;
}

/**
 * A 500 whose JSON body echoes the request line and headers as received (original case,
 * Authorization included), the way some broken proxies answer.
 */
export function sendEcho500(res: ServerResponse, meter: Meter, req: IncomingMessage): void {
  const headers: Record<string, string> = {};
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) headers[req.rawHeaders[i] as string] = req.rawHeaders[i + 1] as string;
  const body = JSON.stringify({ error: 'internal', message: 'upstream failure', request: { method: req.method, url: req.url, headers } });
  meter.bytesServed += Buffer.byteLength(body);
  res.writeHead(500, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/**
 * Promises the whole page in Content-Length, sends about half of it and drops the
 * connection: the client must notice the short body rather than parse a prefix.
 */
export function sendTruncated(res: ServerResponse, meter: Meter, cursor: RecordCursor): void {
  const parts: string[] = [];
  for (let slice = cursor.next(ROWS_PER_WRITE); slice !== ''; slice = cursor.next(ROWS_PER_WRITE)) parts.push(slice);
  const body = `[${parts.join(',')}]`;
  const cut = body.slice(0, Math.floor(body.length / 2));
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': body.length });
  meter.bytesServed += cut.length;
  res.write(cut, () => res.socket?.destroy());
}
