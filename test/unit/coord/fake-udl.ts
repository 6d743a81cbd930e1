/**
 * An in-process stand-in for UDL's rate limit: an HTTP server on 127.0.0.1 that answers 200 while its
 * token bucket (allowance `rate` per second, `burst` deep) has a token, and 429 beyond it. It records
 * every answer's time, so a test can total goodput and throttling over any interval.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeUdl {
  url: string;
  /** Answer times (performance.now()) and statuses, in order. */
  readonly answers: ReadonlyArray<{ at: number; status: 200 | 429 }>;
  close(): Promise<void>;
}

export async function startFakeUdl(rate: number, burst: number): Promise<FakeUdl> {
  let tokens = burst;
  let tokensAt = performance.now();
  const answers: Array<{ at: number; status: 200 | 429 }> = [];
  const server: Server = createServer((_req, res) => {
    const now = performance.now();
    tokens = Math.min(burst, tokens + ((now - tokensAt) / 1000) * rate);
    tokensAt = now;
    const ok = tokens >= 1;
    if (ok) tokens -= 1;
    answers.push({ at: now, status: ok ? 200 : 429 });
    res.writeHead(ok ? 200 : 429, { 'content-type': 'text/plain', ...(ok ? {} : { 'retry-after': '1' }) });
    res.end(ok ? 'ok' : 'slow down');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    answers,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Goodput (200s per second) and the share answered 429, over answers in [from, to). */
export function tally(server: FakeUdl, from: number, to: number): { goodput: number; throttledShare: number; total: number } {
  const inWindow = server.answers.filter((a) => a.at >= from && a.at < to);
  const ok = inWindow.filter((a) => a.status === 200).length;
  return { goodput: (ok * 1000) / (to - from), throttledShare: inWindow.length === 0 ? 0 : (inWindow.length - ok) / inWindow.length, total: inWindow.length };
}
