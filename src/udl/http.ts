/**
 * A thin keep-alive GET over node:http(s). Not fetch: on this workload fetch bodies cost about 3x the CPU
 * of `data` events (REFERENCE.md). Not the `unified-data-library` SDK: it is alpha, pulls a large generated
 * surface for two endpoints, and has its own retries that would fight the shared rate controller.
 */
import http from 'node:http';
import https from 'node:https';
import { BodyGunzip } from './gunzip.js';
import { UdlNetworkError, UdlTimeoutError, UdlTruncatedError } from './errors.js';
import { stoppedError } from '../errors.js';
import { type YoungCollector, youngCollector } from './young-gc.js';

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
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
 * sink that throws ends the exchange with that error. Other bodies (errors) are collected.
 */
export type HttpGet = (
  url: string,
  headers: Record<string, string>,
  timeoutMs: number,
  sink?: (chunk: Buffer) => void,
  signal?: AbortSignal,
) => Promise<HttpResponse>;

/** A GET function bound to keep-alive agents sized for `maxSockets` requests in flight. */
export function createHttpGet(maxSockets: number, compression: Compression = 'gzip', collector: YoungCollector = youngCollector): { get: HttpGet; close(): void } {
  const agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets, scheduling: 'lifo' }),
    'https:': new https.Agent({ keepAlive: true, maxSockets, scheduling: 'lifo' }),
  };
  const get: HttpGet = (url, headers, timeoutMs, sink, signal) =>
    new Promise<HttpResponse>((resolve, reject) => {
      if (signal?.aborted) return reject(stoppedError(signal));
      const target = new URL(url);
      const agent = target.protocol === 'https:' ? agents['https:'] : agents['http:'];
      const lib = target.protocol === 'https:' ? https : http;
      let settled = false;
      let onFail: (() => void) | undefined;
      const onAbort = () => fail(stoppedError(signal!));
      const fail = (err: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        req.destroy();
        onFail?.();
        reject(err);
      };
      // One deadline for the whole exchange: a server that trickles bytes must not hold a slot forever.
      const timer = setTimeout(() => fail(new UdlTimeoutError(timeoutMs, redact(target))), timeoutMs);
      const asked = compression === 'gzip' ? { 'accept-encoding': 'gzip' } : {};
      const req = lib.get(target, { agent, headers: { accept: 'application/json', ...asked, ...headers } }, (res) => {
        const declared = lengthOf(res);
        const streaming = sink !== undefined && res.statusCode === 200;
        const chunks: Buffer[] = [];
        let received = 0;
        let decoded = 0;
        const take = (chunk: Buffer) => {
          decoded += chunk.length;
          collector.received(chunk.length);
          if (!streaming) {
            chunks.push(chunk);
            return;
          }
          try {
            sink(chunk);
          } catch (err) {
            fail(err as Error);
          }
        };
        // A server may gzip even unasked; what it says it sent is what is undone.
        const gzipped = /^\s*(x-)?gzip\s*$/i.test(String(res.headers['content-encoding'] ?? ''));
        const cutShort = () => fail(new UdlTruncatedError(received, declared, redact(target)));
        const done = () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), bytes: received, bodyBytes: decoded });
        };
        // A corrupt or cut gzip stream is a body cut short: retried like one.
        const gunzip = gzipped ? new BodyGunzip(take, cutShort, done) : undefined;
        if (gunzip) onFail = () => gunzip.close();
        res.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (gunzip) gunzip.write(chunk);
          else take(chunk);
        });
        res.on('aborted', cutShort);
        res.on('error', cutShort);
        res.on('end', () => {
          if (!res.complete || (declared !== undefined && received !== declared)) {
            cutShort();
            return;
          }
          if (gunzip) gunzip.end();
          else done();
        });
      });
      req.on('error', (err: NodeJS.ErrnoException) => fail(new UdlNetworkError(err.code ?? err.message, redact(target))));
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  return {
    get,
    close() {
      agents['http:'].destroy();
      agents['https:'].destroy();
    },
  };
}

function lengthOf(res: http.IncomingMessage): number | undefined {
  const v = res.headers['content-length'];
  return v === undefined ? undefined : Number(v);
}

/** Path and query only: a URL with userinfo must never reach a log. */
function redact(u: URL): string {
  return `${u.pathname}${u.search}`;
}
