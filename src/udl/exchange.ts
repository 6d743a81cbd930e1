/**
 * One GET's response on a connection (http.ts): parsed as it arrives (h1-parser.ts), a 200 body handed to
 * the sink (gunzipped first when the server gzipped it), any other body collected; then how the exchange
 * ended and whether its connection can carry the next request.
 */
import { BodyGunzip } from './gunzip.js';
import { UdlNetworkError, UdlTruncatedError } from './errors.js';
import type { ConnectionUser } from './h1-connections.js';
import { HttpParseError, ResponseParser, type ResponseHeaders } from './h1-parser.js';
import type { HttpResponse } from './http.js';
import type { YoungCollector } from './young-gc.js';

export interface ExchangeOutcome {
  /** The response, whole; `reusable`: its connection can carry another request. */
  done(res: HttpResponse, reusable: boolean): void;
  failed(err: Error): void;
  /** A kept-alive connection closed before any byte of the response: the request may go again on a new one. */
  stale(): void;
}

export class Exchange implements ConnectionUser {
  private readonly parser: ResponseParser;
  /** The response's status, 0 until its head has been read. */
  private status = 0;
  private headers: ResponseHeaders = {};
  private streaming = false;
  private gunzip: BodyGunzip | undefined;
  private readonly chunks: Buffer[] = [];
  /** Body bytes on the wire, and after decompression. */
  private received = 0;
  private decoded = 0;
  /** The whole response, once read (delivered when the read that completed it has been looked at). */
  private result: HttpResponse | undefined;
  /** Inside data(): a response completed there is delivered once its read is looked at. */
  private reading = false;
  private over = false;

  constructor(
    private readonly sink: ((chunk: Buffer) => void) | undefined,
    /** The request's path and query, for errors. */
    private readonly path: string,
    private readonly collector: YoungCollector,
    /** The connection carried a request before (so the server may have closed it meanwhile). */
    private readonly reused: boolean,
    private readonly outcome: ExchangeOutcome,
  ) {
    this.parser = new ResponseParser({ head: (s, h) => this.head(s, h), body: (b, f, t) => this.body(b, f, t), end: () => this.end() });
  }

  data(buf: Buffer, n: number): void {
    if (this.over) return;
    let used: number;
    this.reading = true;
    try {
      used = this.parser.execute(buf, 0, n);
    } catch (err) {
      // Nothing thrown here may reach the socket's read callback (it would end the process).
      if (!(err instanceof HttpParseError)) this.fail(err as Error);
      else this.fail(this.status !== 0 ? this.cut() : new UdlNetworkError(err.code, this.path));
      return;
    } finally {
      this.reading = false;
    }
    // Bytes after the response, before the next request: its framing cannot be trusted.
    if (this.result !== undefined) this.deliver(this.parser.keepAlive && used === n);
  }

  gone(err: NodeJS.ErrnoException | undefined): void {
    if (this.over) return;
    // A body framed by the connection's end ends here (delivered through whole()).
    if (this.parser.close()) return;
    if (!this.parser.started && this.reused && (err === undefined || err.code === 'ECONNRESET' || err.code === 'EPIPE')) {
      this.over = true;
      this.outcome.stale();
      return;
    }
    this.fail(this.status !== 0 ? this.cut() : new UdlNetworkError(err?.code ?? 'ECONNRESET', this.path));
  }

  /** The exchange failed or was stopped elsewhere: nothing more is reported. */
  close(): void {
    this.over = true;
    this.gunzip?.close();
  }

  private head(status: number, headers: ResponseHeaders): void {
    this.status = status;
    this.headers = headers;
    this.streaming = this.sink !== undefined && status === 200;
    // A server may gzip even unasked; what it says it sent is what is undone. A corrupt or cut gzip
    // stream is a body cut short: retried like one.
    if (/^\s*(x-)?gzip\s*$/i.test(String(headers['content-encoding'] ?? ''))) {
      this.gunzip = new BodyGunzip(
        (piece) => {
          // Each decompressed piece is a new buffer outside the heap (see young-gc.ts).
          this.collector.received(piece.length);
          this.take(piece, true);
        },
        () => this.fail(this.cut()),
        () => this.whole(),
      );
    }
  }

  private body(buf: Buffer, from: number, to: number): void {
    if (this.over) return;
    this.received += to - from;
    const piece = buf.subarray(from, to);
    if (this.gunzip !== undefined) this.gunzip.write(piece);
    else this.take(piece, false);
  }

  /** A piece of the body as sent (`own`: a buffer of its own, else a view of the read buffer). */
  private take(piece: Buffer, own: boolean): void {
    if (this.over) return;
    this.decoded += piece.length;
    if (!this.streaming) {
      this.chunks.push(own ? piece : Buffer.from(piece));
      return;
    }
    try {
      this.sink!(piece);
    } catch (err) {
      this.fail(err as Error);
    }
  }

  private end(): void {
    if (this.gunzip !== undefined) this.gunzip.end();
    else this.whole();
  }

  private whole(): void {
    if (this.over) return;
    this.result = { status: this.status, headers: this.headers, body: Buffer.concat(this.chunks), bytes: this.received, bodyBytes: this.decoded };
    if (!this.reading) this.deliver(this.parser.keepAlive);
  }

  private deliver(reusable: boolean): void {
    if (this.over) return;
    this.over = true;
    this.outcome.done(this.result!, reusable);
  }

  private cut(): UdlTruncatedError {
    return new UdlTruncatedError(this.received, this.parser.declared, this.path);
  }

  private fail(err: Error): void {
    if (this.over) return;
    this.close();
    this.outcome.failed(err);
  }
}
