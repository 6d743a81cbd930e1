/**
 * A thin keep-alive GET over node:http(s). Not fetch: on this workload fetch bodies cost about 3x the CPU
 * of `data` events (REFERENCE.md). Not the `unified-data-library` SDK: it is alpha, pulls a large generated
 * surface for two endpoints, and has its own retries that would fight the shared rate controller.
 */
import http from 'node:http';
import https from 'node:https';
import { UdlNetworkError, UdlTimeoutError, UdlTruncatedError } from './errors.js';

/** Bodies up to this size are received into one pooled buffer; a page of 10,000 rows is ~8 MB. */
const MAX_PREALLOCATE = 256 * 1024 * 1024;

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** Valid until release(). */
  body: Buffer;
  /** Hands the body's memory back for the next response; the body must not be used after. */
  release(): void;
}

/**
 * Receive buffers, reused. Bodies are read once (decoded to text) and dropped, so handing their memory
 * straight to the next response keeps ~8 MB per page from piling up as garbage between collections.
 */
class BufferPool {
  private readonly free: Buffer[] = [];
  /** Largest body seen: the first guess for a body of unknown length. */
  typical = 1 << 20;
  constructor(private readonly keep: number) {}
  /** A buffer of at least `size` bytes (its whole capacity is usable). */
  acquire(size: number): Buffer {
    const i = this.free.findIndex((b) => b.length >= size);
    if (i >= 0) return this.free.splice(i, 1)[0]!;
    return Buffer.allocUnsafeSlow(Math.ceil(Math.max(1, size) / 1048576) * 1048576);
  }
  release(buf: Buffer): void {
    if (this.free.length < this.keep) this.free.push(buf);
    // The smallest go first when the pool is full, so it ends up holding page-sized buffers.
    else {
      const smallest = this.free.reduce((m, b, i) => (b.length < this.free[m]!.length ? i : m), 0);
      if (this.free[smallest]!.length < buf.length) this.free[smallest] = buf;
    }
  }
}

/**
 * What the day downloader needs from the network; tests may hand in their own. With `sink`, a 200 body is
 * handed over chunk by chunk as it arrives (the response's `body` is then empty); a sink that throws
 * ends the exchange with that error.
 */
export type HttpGet = (url: string, headers: Record<string, string>, timeoutMs: number, sink?: (chunk: Buffer) => void) => Promise<HttpResponse>;

const NO_BODY = Buffer.alloc(0);

/** A GET function bound to keep-alive agents sized for `maxSockets` requests in flight. */
export function createHttpGet(maxSockets: number): { get: HttpGet; close(): void } {
  const agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets, scheduling: 'lifo' }),
    'https:': new https.Agent({ keepAlive: true, maxSockets, scheduling: 'lifo' }),
  };
  const pool = new BufferPool(maxSockets + 1);
  const get: HttpGet = (url, headers, timeoutMs, sink) =>
    new Promise<HttpResponse>((resolve, reject) => {
      const target = new URL(url);
      const agent = target.protocol === 'https:' ? agents['https:'] : agents['http:'];
      const lib = target.protocol === 'https:' ? https : http;
      let settled = false;
      const fail = (err: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        req.destroy();
        reject(err);
      };
      // One deadline for the whole exchange: a server that trickles bytes must not hold a slot forever.
      const timer = setTimeout(() => fail(new UdlTimeoutError(timeoutMs, redact(target))), timeoutMs);
      const req = lib.get(target, { agent, headers: { accept: 'application/json', ...headers } }, (res) => {
        // The body goes straight into a pooled buffer, sized by Content-Length or grown by doubling for a
        // chunked answer: no chunk list, no concat copy, no 8 MB of garbage per page.
        const declared = lengthOf(res);
        const streaming = sink !== undefined && res.statusCode === 200;
        let into = streaming ? NO_BODY : pool.acquire(declared !== undefined && declared <= MAX_PREALLOCATE ? declared : pool.typical);
        let received = 0;
        res.on('data', (chunk: Buffer) => {
          if (streaming) {
            received += chunk.length;
            try {
              sink(chunk);
            } catch (err) {
              fail(err as Error);
            }
            return;
          }
          if (received + chunk.length > into.length) {
            const grown = pool.acquire(Math.max(2 * into.length, received + chunk.length));
            into.copy(grown, 0, 0, received);
            pool.release(into);
            into = grown;
          }
          chunk.copy(into, received);
          received += chunk.length;
        });
        const cutShort = () => {
          if (!settled && !streaming) pool.release(into);
          fail(new UdlTruncatedError(received, declared, redact(target)));
        };
        res.on('aborted', cutShort);
        res.on('error', cutShort);
        res.on('end', () => {
          if (!res.complete || (declared !== undefined && received !== declared)) {
            cutShort();
            return;
          }
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          if (!streaming) pool.typical = Math.max(pool.typical, received);
          const body = streaming ? NO_BODY : into.subarray(0, received);
          let released = streaming;
          const release = () => {
            if (!released) pool.release(into);
            released = true;
          };
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, release });
        });
      });
      req.on('error', (err: NodeJS.ErrnoException) => fail(new UdlNetworkError(err.code ?? err.message, redact(target))));
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
