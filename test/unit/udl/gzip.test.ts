/** gzip on the wire: asked for by default, undone while streaming, and a cut gzip stream is a cut body. */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpGet } from '../../../src/udl/http.js';
import { UdlTruncatedError } from '../../../src/udl/errors.js';

const body = Buffer.from(JSON.stringify(Array.from({ length: 2000 }, (_, i) => ({ id: `id-${i}`, v: i / 7 }))));
const zipped = gzipSync(body, { level: 1 });
let server: Server;
let url = '';
let seen: IncomingHttpHeaders = {};

beforeAll(async () => {
  server = createServer((req, res) => {
    seen = req.headers;
    const wantsGzip = /gzip/.test(String(req.headers['accept-encoding'] ?? ''));
    if (req.url === '/cut') {
      res.writeHead(200, { 'content-encoding': 'gzip' });
      res.end(zipped.subarray(0, zipped.length >> 1));
      return;
    }
    res.writeHead(200, wantsGzip ? { 'content-encoding': 'gzip', 'content-length': zipped.length } : { 'content-length': body.length });
    res.end(wantsGzip ? zipped : body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

async function fetchAll(compression: 'gzip' | 'none', path = '/') {
  const http = createHttpGet(2, compression);
  const chunks: Buffer[] = [];
  try {
    const res = await http.get(`${url}${path}`, {}, 5000, (c) => void chunks.push(Buffer.from(c)));
    return { res, streamed: Buffer.concat(chunks) };
  } finally {
    http.close();
  }
}

describe('gzip', () => {
  it('asks for gzip by default and streams the decompressed body, counting wire bytes', async () => {
    const { res, streamed } = await fetchAll('gzip');
    expect(seen['accept-encoding']).toBe('gzip');
    expect(streamed.equals(body)).toBe(true);
    expect(res.bytes).toBe(zipped.length);
    expect(res.bodyBytes).toBe(body.length);
    expect(res.bytes * 6).toBeLessThan(body.length);
  });

  it('asks for nothing with --compression none', async () => {
    const { res, streamed } = await fetchAll('none');
    expect(seen['accept-encoding']).toBeUndefined();
    expect(streamed.equals(body)).toBe(true);
    expect(res.bytes).toBe(body.length);
  });

  it('takes a gzip stream cut short as a body cut short (retried)', async () => {
    await expect(fetchAll('gzip', '/cut')).rejects.toBeInstanceOf(UdlTruncatedError);
  });
});
