/**
 * A thin keep-alive GET: HTTP/1.1 over node:net and node:tls (h1-connections.ts, h1-parser.ts, exchange.ts).
 * Not node:http: its fresh buffer per read, parser and streams cost ~1.3 CPU-s per ALL day to receive what
 * these connections receive for ~0.45 (h1-connections.ts). Not fetch: on this workload fetch bodies cost
 * about 3x the CPU of node:http's `data` events (REFERENCE.md). Not the `unified-data-library` SDK: it is
 * alpha, pulls a large generated surface for two endpoints, and has its own retries that would fight the
 * shared rate controller.
 */
import type { ConnectionOptions } from 'node:tls';
import { stoppedError } from '../errors.js';
import { UdlTimeoutError } from './errors.js';
import { Exchange } from './exchange.js';
import { type Connection, ConnectionPool, originOf } from './h1-connections.js';
import type { ResponseHeaders } from './h1-parser.js';
import { type YoungCollector, youngCollector } from './young-gc.js';

export interface HttpResponse {
  status: number;
  /** Header names in lower case; a repeated header's values joined with ", " (set-cookie: a list). */
  headers: ResponseHeaders;
  /** The body (decompressed), unless it went to the sink. */
  body: Buffer;
  /** Body bytes received on the wire, streamed or not (compressed when the server compressed). */
  bytes: number;
  /** Body bytes after decompression (equal to `bytes` for an uncompressed body). */
  bodyBytes: number;
}

/** `gzip`: ask for gzip'ed bodies (`Accept-Encoding: gzip`) and decompress them as they stream; `none`: plain. */
export type Compression = 'gzip' | 'none';
export const COMPRESSIONS: readonly Compression[] = ['gzip', 'none'];

/**
 * What the day downloader needs from the network; tests may hand in their own. With `sink`, a 200 body is
 * handed over chunk by chunk as it arrives and never held whole (the response's `body` is then empty); a
 * chunk is valid only during the call (its memory is reused), and a sink that throws ends the exchange
 * with that error. Other bodies (errors) are collected.
 */
export type HttpGet = (
  url: string,
  headers: Record<string, string>,
  timeoutMs: number,
  sink?: (chunk: Buffer) => void,
  signal?: AbortSignal,
) => Promise<HttpResponse>;

/** Header names and values a request can carry as they are (RFC 9110 tokens; no line breaks in values). */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/**
 * A GET function over keep-alive connections, at most `maxSockets` per origin (h1-connections.ts: one read
 * buffer per connection, nothing allocated per read). `collector`: told of each decompressed piece (see
 * young-gc.ts); `tlsOptions`: for https connections (a test's CA).
 */
export function createHttpGet(
  maxSockets: number,
  compression: Compression = 'gzip',
  collector: YoungCollector = youngCollector,
  tlsOptions: ConnectionOptions = {},
): { get: HttpGet; close(): void } {
  const pool = new ConnectionPool(maxSockets, tlsOptions);
  const get: HttpGet = (url, headers, timeoutMs, sink, signal) =>
    new Promise<HttpResponse>((resolve, reject) => {
      if (signal?.aborted) return reject(stoppedError(signal));
      const target = new URL(url);
      const origin = originOf(target);
      const fields: Record<string, string> = { host: target.host, accept: 'application/json', ...(compression === 'gzip' ? { 'accept-encoding': 'gzip' } : {}) };
      for (const [name, value] of Object.entries(headers)) fields[name.toLowerCase()] = value;
      const lines = [`GET ${target.pathname}${target.search} HTTP/1.1`];
      for (const [name, value] of Object.entries(fields)) {
        // The value is never named: it may be the credential.
        if (!TOKEN.test(name) || !FIELD_VALUE.test(value)) return reject(new TypeError(`the ${JSON.stringify(name)} request header holds a character HTTP cannot carry`));
        lines.push(`${name}: ${value}`);
      }
      const request = `${lines.join('\r\n')}\r\n\r\n`;
      let settled = false;
      let conn: Connection | undefined;
      let exchange: Exchange | undefined;
      const onAbort = () => fail(stoppedError(signal!));
      const fail = (err: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        pool.forget(origin, start);
        exchange?.close();
        if (conn !== undefined) pool.release(conn, false);
        reject(err);
      };
      // One deadline for the whole exchange: a server that trickles bytes must not hold a slot forever.
      const timer = setTimeout(() => fail(new UdlTimeoutError(timeoutMs, redact(target))), timeoutMs);
      function start(c: Connection): void {
        if (settled) {
          pool.release(c, true);
          return;
        }
        conn = c;
        exchange = new Exchange(sink, redact(target), collector, c.uses > 0, {
          done: (res, reusable) => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            signal?.removeEventListener('abort', onAbort);
            pool.release(c, reusable);
            resolve(res);
          },
          failed: fail,
          // A kept-alive connection the server closed as the request went out: once more on a new one.
          stale: () => {
            conn = undefined;
            exchange = undefined;
            pool.release(c, false);
            pool.acquire(origin, start, true);
          },
        });
        c.send(exchange, request);
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      pool.acquire(origin, start);
    });
  return { get, close: () => pool.close() };
}

/** Path and query only: a URL with userinfo must never reach a log. */
function redact(u: URL): string {
  return `${u.pathname}${u.search}`;
}
