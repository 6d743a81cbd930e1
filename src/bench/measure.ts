/**
 * Measuring a command as a user runs it: a child process, its user + system CPU and peak RSS as the
 * operating system accounts them (GNU `/usr/bin/time`, the same numbers `time -v` prints), the bytes it
 * wrote to files, and the bytes that crossed the wire (a counting TCP proxy in front of the server).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request as httpRequest, createServer as createHttpServer } from 'node:http';
import { createConnection, createServer, type Server } from 'node:net';
import { createGzip } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Usage {
  code: number;
  wallS: number;
  userS: number;
  sysS: number;
  cpuS: number;
  peakRssMb: number;
  /** Bytes the process wrote to files (the kernel's write accounting; 0 where unavailable). */
  writtenBytes: number;
  stdout: string;
  stderr: string;
}

const TIME = '/usr/bin/time';

/** Runs `argv` to its end and accounts for it; throws when /usr/bin/time is missing (Debian: `apt-get install time`). */
export async function measure(argv: string[], env: NodeJS.ProcessEnv): Promise<Usage> {
  if (!existsSync(TIME)) throw new Error(`${TIME} is needed to measure CPU and peak RSS (Debian: apt-get install time)`);
  const dir = await mkdtemp(join(tmpdir(), 'reach-udl-time-'));
  const file = join(dir, 'usage');
  try {
    const started = performance.now();
    const child = spawn(TIME, ['-f', '%U %S %M %O', '-o', file, ...argv], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const code = await new Promise<number>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (c) => resolve(c ?? -1));
    });
    const wallS = (performance.now() - started) / 1000;
    const line = (await readFile(file, 'utf8')).trim().split('\n').pop() ?? '';
    const [user, sys, maxKb, outBlocks] = line.split(/\s+/).map(Number) as [number, number, number, number];
    return { code, wallS, userS: user, sysS: sys, cpuS: user + sys, peakRssMb: maxKb / 1024, writtenBytes: outBlocks * 512, stdout, stderr };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A TCP proxy to `target` that counts the bytes the server sends back. */
export async function countingProxy(target: URL): Promise<{ url: string; bytesDown(): number; reset(): void; close(): Promise<void> }> {
  let down = 0;
  const server: Server = createServer((client) => {
    const upstream = createConnection({ host: target.hostname, port: Number(target.port) });
    upstream.on('data', (d: Buffer) => (down += d.length));
    client.pipe(upstream).pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end);
    upstream.on('error', end);
    client.on('close', end);
    upstream.on('close', end);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    bytesDown: () => down,
    reset: () => {
      down = 0;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/**
 * An HTTP proxy to `target` that gzips 200 bodies at `level` for clients that ask (Accept-Encoding), as
 * a server would, and counts the body bytes it sends: a stand-in while the simulator serves plain bodies.
 */
export async function gzipProxy(target: URL, level: number): Promise<{ url: string; bytesDown(): number; close(): Promise<void> }> {
  let down = 0;
  const server = createHttpServer((req, res) => {
    const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    const headers = { ...req.headers, host: target.host };
    delete headers['accept-encoding'];
    const up = httpRequest({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers }, (r) => {
      const compress = gzip && r.statusCode === 200;
      const out = { ...r.headers };
      if (compress) {
        delete out['content-length'];
        out['content-encoding'] = 'gzip';
      }
      res.writeHead(r.statusCode ?? 502, out);
      const body = compress ? r.pipe(createGzip({ level })) : r;
      body.on('data', (d: Buffer) => (down += d.length));
      body.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    bytesDown: () => down,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** Median, min and max of some runs. */
export interface Spread {
  median: number;
  min: number;
  max: number;
}

export function spread(values: readonly number[]): Spread {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return { median, min: s[0]!, max: s[s.length - 1]! };
}
