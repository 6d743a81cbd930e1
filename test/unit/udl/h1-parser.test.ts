/**
 * The HTTP/1.1 response parser (h1-parser.ts): any response, framed by Content-Length, by chunks (with
 * extensions and trailers) or by the connection's close, cut into reads anywhere and read from one reused
 * buffer, gives its status, headers and body bytes exactly once, ends where the response ends, and says
 * whether the connection can carry another request; malformed responses fail.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HttpParseError, ResponseParser, type ResponseHeaders } from '../../../src/udl/h1-parser.js';
import { runs } from '../../helpers/runs.js';

interface Seen {
  status: number;
  headers: ResponseHeaders;
  body: Buffer;
  ended: boolean;
  /** Where execute() said the response ended in the last read that completed it (-1: none did). */
  stoppedAt: number;
}

/** Feeds `wire` to a parser in reads of the given sizes through one reused buffer; `closed`: the connection ends after. */
function parse(wire: Buffer, cuts: number[], closed: boolean): { seen: Seen; parser: ResponseParser; keepAlive: boolean; completeAtClose: boolean } {
  const seen: Seen = { status: 0, headers: {}, body: Buffer.alloc(0), ended: false, stoppedAt: -1 };
  const parts: Buffer[] = [];
  const parser = new ResponseParser({
    head: (status, headers) => {
      expect(seen.status).toBe(0);
      seen.status = status;
      seen.headers = headers;
    },
    body: (buf, from, to) => void parts.push(Buffer.from(buf.subarray(from, to))),
    end: () => {
      expect(seen.ended).toBe(false);
      seen.ended = true;
    },
  });
  const reused = Buffer.alloc(wire.length + 8);
  let p = 0;
  let k = 0;
  while (p < wire.length && !parser.complete) {
    const n = Math.max(1, Math.min(wire.length - p, cuts[k++ % Math.max(1, cuts.length)] ?? wire.length));
    reused.fill(0x55);
    wire.copy(reused, 3, p, p + n);
    const stop = parser.execute(reused, 3, 3 + n);
    if (parser.complete) seen.stoppedAt = p + stop - 3;
    p += n;
  }
  const keepAlive = parser.keepAlive;
  const completeAtClose = closed ? parser.close() : parser.complete;
  seen.body = Buffer.concat(parts);
  return { seen, parser, keepAlive, completeAtClose };
}

const token = fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,11}$/).filter((n) => !/^(content-length|transfer-encoding|connection|set-cookie)$/i.test(n));
const headerList = fc.array(fc.tuple(token, fc.stringMatching(/^[ -~]{0,20}$/).map((v) => v.trim())), { maxLength: 5 });
const bodyBytes = fc.uint8Array({ maxLength: 3000 }).map((a) => Buffer.from(a));

describe('ResponseParser', () => {
  it('reads any response cut anywhere: status, headers, body once, where it ends, keep-alive', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 200, max: 599 }).filter((s) => s !== 204 && s !== 304),
        headerList,
        bodyBytes,
        fc.constantFrom('length', 'chunked', 'close'),
        fc.array(fc.integer({ min: 1, max: 700 }), { maxLength: 12 }),
        fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 1, maxLength: 8 }),
        fc.boolean(),
        fc.boolean(),
        (status, headers, body, framing, chunkSizes, cuts, interim, lfOnly) => {
          const eol = lfOnly ? '\n' : '\r\n';
          const lines = [`HTTP/1.1 ${status} Whatever it says`, ...headers.map(([n, v]) => `${n}: ${v}`)];
          if (framing === 'length') lines.push(`Content-Length: ${body.length}`);
          if (framing === 'chunked') lines.push('Transfer-Encoding: chunked');
          let payload = body;
          if (framing === 'chunked') {
            const pieces: Buffer[] = [];
            let at = 0;
            for (let k = 0; at < body.length; k++) {
              const n = Math.min(chunkSizes[k % Math.max(1, chunkSizes.length)] ?? 100, body.length - at);
              pieces.push(Buffer.from(`${k % 2 ? n.toString(16).toUpperCase() : n.toString(16)}${k % 3 === 0 ? ';ext=1' : ''}\r\n`), body.subarray(at, at + n), Buffer.from('\r\n'));
              at += n;
            }
            pieces.push(Buffer.from('0\r\nX-Trailer: t\r\n\r\n'));
            payload = Buffer.concat(pieces);
          }
          const head = `${interim ? `HTTP/1.1 100 Continue${eol}${eol}` : ''}${lines.join(eol)}${eol}${eol}`;
          const after = Buffer.from('HTTP/1.1 200 OK\r\n');
          const wire = Buffer.concat([Buffer.from(head, 'latin1'), payload, framing === 'close' ? Buffer.alloc(0) : after]);
          const { seen, keepAlive, completeAtClose } = parse(wire, cuts, framing === 'close');
          expect(seen.status).toBe(status);
          // A repeated header's values, in order, joined with ", " (a value may hold ", " itself).
          const want = new Map<string, string[]>();
          for (const [n, v] of headers) want.set(n.toLowerCase(), [...(want.get(n.toLowerCase()) ?? []), v]);
          for (const [n, vs] of want) expect(seen.headers[n]).toBe(vs.join(', '));
          expect(seen.body.equals(body)).toBe(true);
          expect(seen.ended).toBe(true);
          expect(completeAtClose).toBe(true);
          if (framing !== 'close') expect(seen.stoppedAt).toBe(head.length + payload.length);
          expect(keepAlive).toBe(framing !== 'close');
        },
      ),
      { numRuns: runs(400) },
    );
  });

  it('says a connection closes after HTTP/1.0 or "Connection: close", and skips no body of a 204', () => {
    const once = (text: string) => parse(Buffer.from(text), [7], false);
    expect(once('HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nhi').keepAlive).toBe(false);
    expect(once('HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nhi').keepAlive).toBe(true);
    expect(once('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nhi').keepAlive).toBe(false);
    const r = once('HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n');
    expect([r.seen.ended, r.seen.body.length, r.keepAlive]).toEqual([true, 0, true]);
    const cookies = once('HTTP/1.1 200 OK\r\nSet-Cookie: a=1\r\nset-cookie: b=2\r\nX-A: 1\r\nx-a: 2\r\nContent-Length: 0\r\n\r\n').seen.headers;
    expect(cookies).toEqual({ 'set-cookie': ['a=1', 'b=2'], 'x-a': '1, 2', 'content-length': '0' });
  });

  it('knows a body cut short: by Content-Length, inside the chunks, before the head ends', () => {
    expect(parse(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf'), [3], true).completeAtClose).toBe(false);
    expect(parse(Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n'), [4], true).completeAtClose).toBe(false);
    const early = parse(Buffer.from('HTTP/1.1 200 OK\r\nContent-'), [4], true);
    expect([early.completeAtClose, early.parser.started, early.seen.status]).toEqual([false, true, 0]);
  });

  it.each([
    ['not HTTP', 'SSH-2.0-OpenSSH\r\n\r\n', /status line/],
    ['a Content-Length not a number', 'HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n', /Content-Length/],
    ['two Content-Lengths', 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n', /Content-Length/],
    ['a chunk size not hex', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', /chunk-size/],
    ['a chunk longer than its size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n', /line break after a chunk/],
    ['a header name with a blank', 'HTTP/1.1 200 OK\r\nBad Header: x\r\n\r\n', /header line/],
    ['a 70 KB head', `HTTP/1.1 200 OK\r\nX: ${'a'.repeat(70_000)}\r\n\r\n`, /head larger/],
  ])('fails on %s', (_what, text, problem) => {
    expect(() => parse(Buffer.from(text), [1000], false)).toThrow(HttpParseError);
    expect(() => parse(Buffer.from(text), [1000], false)).toThrow(problem);
  });
});
