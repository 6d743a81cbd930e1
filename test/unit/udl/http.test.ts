/**
 * The GET client (http.ts over h1-connections.ts) against real servers on 127.0.0.1: keep-alive reuse and
 * its limits, a kept-alive connection the server dropped, framing it cannot trust, https with a CA of the
 * test's own, and the ways an exchange fails.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { StoppedError } from '../../../src/errors.js';
import { UdlNetworkError, UdlTimeoutError, UdlTruncatedError } from '../../../src/udl/errors.js';
import { createHttpGet } from '../../../src/udl/http.js';
import { YoungCollector } from '../../../src/udl/young-gc.js';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/${name}`, import.meta.url));
const body = Buffer.from(JSON.stringify(Array.from({ length: 3000 }, (_, i) => ({ id: `id-${i}`, v: i / 7 }))));

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** A server on 127.0.0.1 (closed after the test); its base URL and the sockets it accepted. */
async function serve(server: Server | NetServer, scheme = 'http'): Promise<{ url: string; sockets: Socket[] }> {
  const sockets: Socket[] = [];
  server.on(scheme === 'https' ? 'secureConnection' : 'connection', (s: Socket) => sockets.push(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  });
  return { url: `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}`, sockets };
}

function client(maxSockets = 2, tls = {}) {
  const http = createHttpGet(maxSockets, 'none', new YoungCollector(1, () => {}), tls);
  closers.push(async () => http.close());
  return http;
}

/** GET url, the body streamed to a sink that copies each piece (pieces are views of a reused buffer). */
async function fetchBody(http: ReturnType<typeof client>, url: string, headers: Record<string, string> = {}, timeoutMs = 5000, signal?: AbortSignal) {
  const pieces: Buffer[] = [];
  const res = await http.get(url, headers, timeoutMs, (c) => void pieces.push(Buffer.from(c)), signal);
  return { res, streamed: Buffer.concat(pieces) };
}

describe('createHttpGet', () => {
  it('keeps one connection alive across requests, chunked or not, and streams each body whole', async () => {
    let n = 0;
    const { url, sockets } = await serve(
      createServer((req, res) => {
        expect(req.headers.accept).toBe('application/json');
        if (n++ % 2) res.writeHead(200, { 'content-length': body.length }).end(body);
        else {
          res.writeHead(200, { 'x-seen': String(req.headers.authorization) });
          for (let at = 0; at < body.length; at += 7000) res.write(body.subarray(at, at + 7000));
          res.end();
        }
      }),
    );
    const http = client();
    for (let k = 0; k < 5; k++) {
      const { res, streamed } = await fetchBody(http, `${url}/page?k=${k}`, { authorization: 'Basic abc' });
      expect(res.status).toBe(200);
      expect(streamed.equals(body)).toBe(true);
      expect([res.bytes, res.bodyBytes, res.body.length]).toEqual([body.length, body.length, 0]);
      if (k % 2 === 0) expect(res.headers['x-seen']).toBe('Basic abc');
    }
    expect(sockets).toHaveLength(1);
  });

  it('opens at most maxSockets connections, the other requests waiting for one', async () => {
    let open = 0;
    let most = 0;
    const { url, sockets } = await serve(
      createServer((_req, res) => {
        most = Math.max(most, ++open);
        setImmediate(() => {
          open--;
          res.writeHead(200, { 'content-length': body.length }).end(body);
        });
      }),
    );
    const http = client(2);
    const all = await Promise.all(Array.from({ length: 6 }, (_, k) => fetchBody(http, `${url}/?k=${k}`)));
    expect(all.every(({ streamed }) => streamed.equals(body))).toBe(true);
    expect(most).toBeLessThanOrEqual(2);
    expect(sockets).toHaveLength(2);
  });

  it('sends a request again on a new connection when the kept-alive one closes without an answer', async () => {
    const served = new Set<Socket>();
    const { url, sockets } = await serve(
      createServer((req, res) => {
        // The second request on a connection finds it closed, as when a server's idle timeout strikes.
        if (served.has(req.socket)) return void req.socket.destroy();
        served.add(req.socket);
        res.writeHead(200, { 'content-length': body.length }).end(body);
      }),
    );
    const http = client(1);
    expect((await fetchBody(http, url)).streamed.equals(body)).toBe(true);
    expect((await fetchBody(http, url)).streamed.equals(body)).toBe(true);
    expect(sockets).toHaveLength(2);
  });

  it('does not reuse a connection that sent bytes past the end of a response', async () => {
    const { url, sockets } = await serve(
      createNetServer((s) => {
        s.on('data', () => s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhiEXTRA'));
      }),
    );
    const http = client(1);
    for (let k = 0; k < 2; k++) expect((await fetchBody(http, url)).streamed.toString()).toBe('hi');
    expect(sockets).toHaveLength(2);
  });

  it('collects a body that is not a 200 (over many reads), and reads a body framed by the close', async () => {
    // Longer than several reads: each piece must be copied out of the reused read buffer.
    const busyText = Array.from({ length: 30_000 }, (_, i) => `busy ${i}`).join(',');
    const { url } = await serve(
      createNetServer((s) => {
        s.on('data', (d) => {
          if (String(d).startsWith('GET /busy')) s.write(`HTTP/1.1 503 Busy\r\nRetry-After: 7\r\nContent-Length: ${busyText.length}\r\n\r\n${busyText}`);
          else s.end('HTTP/1.1 200 OK\r\n\r\nuntil the end');
        });
      }),
    );
    const http = client();
    const busy = await fetchBody(http, `${url}/busy`);
    expect([busy.res.status, busy.res.body.toString() === busyText, busy.res.headers['retry-after'], busy.streamed.length]).toEqual([503, true, '7', 0]);
    expect((await fetchBody(http, `${url}/all`)).streamed.toString()).toBe('until the end');
  });

  it('speaks https with the CA it is given, and fails with the reason without it', async () => {
    const { url } = await serve(
      createHttpsServer({ key: fixture('tls-key.pem'), cert: fixture('tls-cert.pem') }, (_req, res) => res.writeHead(200, { 'content-length': body.length }).end(body)),
      'https',
    );
    expect((await fetchBody(client(1, { ca: fixture('tls-cert.pem') }), url)).streamed.equals(body)).toBe(true);
    const err = await fetchBody(client(1), url).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UdlNetworkError);
    expect((err as UdlNetworkError).causeCode).toMatch(/SELF_SIGNED|UNABLE_TO_VERIFY/);
  });

  it('refuses a header value HTTP cannot carry, without repeating the value', async () => {
    const err = await client().get('http://127.0.0.1:9/', { authorization: 'Basic secret\r\nX-Injected: 1' }, 1000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TypeError);
    expect(String(err)).toMatch(/authorization/);
    expect(String(err)).not.toMatch(/secret/);
  });

  it('fails a body cut short, a server that never answers, a stop, and a refused connection', async () => {
    const { url } = await serve(
      createNetServer((s) => {
        s.on('data', (d) => {
          if (String(d).startsWith('GET /cut')) s.end('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this');
        });
      }),
    );
    const http = client(4);
    const cut = await fetchBody(http, `${url}/cut`).catch((e: unknown) => e);
    expect(cut).toBeInstanceOf(UdlTruncatedError);
    expect([(cut as UdlTruncatedError).received, (cut as UdlTruncatedError).expected]).toEqual([9, 100]);
    await expect(fetchBody(http, `${url}/silent`, {}, 200)).rejects.toBeInstanceOf(UdlTimeoutError);
    const stop = new AbortController();
    const stopped = fetchBody(http, `${url}/silent`, {}, 5000, stop.signal);
    stop.abort(new StoppedError('SIGTERM'));
    await expect(stopped).rejects.toBeInstanceOf(StoppedError);
    const refused = await fetchBody(http, 'http://127.0.0.1:9/').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(UdlNetworkError);
    expect((refused as UdlNetworkError).causeCode).toBe('ECONNREFUSED');
  });
});
