/**
 * A thin keep-alive GET over node:http(s). Not fetch: on this workload fetch bodies cost about 3x the CPU
 * of `data` events (REFERENCE.md). Not the `unified-data-library` SDK: it is alpha, pulls a large generated
 * surface for two endpoints, and has its own retries that would fight the shared rate controller.
 */
import http from 'node:http';
import https from 'node:https';
import { UdlNetworkError, UdlTimeoutError, UdlTruncatedError } from './errors.js';

/** Bodies up to this size are received into one preallocated buffer; a page of 10,000 rows is ~8 MB. */
const MAX_PREALLOCATE = 256 * 1024 * 1024;

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** What the day downloader needs from the network; tests may hand in their own. */
export type HttpGet = (url: string, headers: Record<string, string>, timeoutMs: number) => Promise<HttpResponse>;

/** A GET function bound to keep-alive agents sized for `maxSockets` requests in flight. */
export function createHttpGet(maxSockets: number): { get: HttpGet; close(): void } {
  const agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets, scheduling: 'lifo' }),
    'https:': new https.Agent({ keepAlive: true, maxSockets, scheduling: 'lifo' }),
  };
  const get: HttpGet = (url, headers, timeoutMs) =>
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
        // With a Content-Length the body goes straight into one buffer: no chunk list, no concat copy.
        const declared = lengthOf(res);
        const whole = declared !== undefined && declared <= MAX_PREALLOCATE ? Buffer.allocUnsafe(declared) : undefined;
        const chunks: Buffer[] = [];
        let received = 0;
        res.on('data', (chunk: Buffer) => {
          if (whole && received + chunk.length <= whole.length) chunk.copy(whole, received);
          else chunks.push(chunk);
          received += chunk.length;
        });
        res.on('aborted', () => fail(new UdlTruncatedError(received, declared, redact(target))));
        res.on('error', () => fail(new UdlTruncatedError(received, declared, redact(target))));
        res.on('end', () => {
          if (!res.complete || (declared !== undefined && received !== declared)) {
            fail(new UdlTruncatedError(received, declared, redact(target)));
            return;
          }
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          const body = whole ?? (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, received));
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
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
