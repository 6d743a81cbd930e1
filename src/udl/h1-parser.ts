/**
 * An HTTP/1.1 response parser, fed bytes as they arrive (RFC 9112): the status line and headers, then a
 * body framed by Content-Length, by chunked transfer coding, or by the connection's close. Body bytes are
 * handed over as ranges of the buffer given to execute(), never copied or held: the caller's read buffer
 * is reused for the next read. Pure: no sockets (h1-client.ts owns those), so any cut of a response into
 * reads can be tested.
 */

/** A response the parser cannot read (the connection is then unusable). */
export class HttpParseError extends Error {
  readonly code = 'HPE_INVALID';
}

export type ResponseHeaders = Record<string, string | string[]>;

export interface ResponseEvents {
  /** The status line and headers (not for interim 1xx responses, which are skipped). */
  head(status: number, headers: ResponseHeaders): void;
  /** Body bytes (chunk framing removed) at buf[from, to); valid only during the call. */
  body(buf: Buffer, from: number, to: number): void;
  /** The response is complete. */
  end(): void;
}

/** Header bytes a response may have (node:http's default, 16 KB, is too tight for some gateways). */
export const MAX_HEAD_BYTES = 64 * 1024;

/** Where the parser is in a response. */
const State = {
  Head: 0,
  Length: 1,
  ChunkSize: 2,
  ChunkData: 3,
  ChunkEnd: 4,
  Trailers: 5,
  UntilClose: 6,
  Done: 7,
} as const;
type State = (typeof State)[keyof typeof State];

const CR = 0x0d;
const LF = 0x0a;

export class ResponseParser {
  private state: State = State.Head;
  /** Head, chunk-size or trailer bytes gathered across reads (a line may be cut anywhere). */
  private line = Buffer.allocUnsafe(1024);
  private lineLen = 0;
  /** Body bytes still to come in the body (Length) or the current chunk (ChunkData). */
  private remaining = 0;
  private persistent = false;
  /** Content-Length as sent, when the body is framed by it. */
  declared: number | undefined;

  constructor(
    private readonly events: ResponseEvents,
    private readonly maxHead = MAX_HEAD_BYTES,
  ) {}

  /** Whether the whole response has been read. */
  get complete(): boolean {
    return this.state === State.Done;
  }

  /** Whether the connection can carry another request once this response is complete. */
  get keepAlive(): boolean {
    return this.state === State.Done && this.persistent;
  }

  /** Whether any part of a response (beyond interim ones) has been read. */
  get started(): boolean {
    return this.state !== State.Head || this.lineLen > 0;
  }

  /**
   * Reads buf[from, to). Bytes past the end of the response are not read: it returns where the response
   * ended (a server must not send any before the next request), else `to`. Throws HttpParseError.
   */
  execute(buf: Buffer, from: number, to: number): number {
    let p = from;
    while (p < to) {
      switch (this.state) {
        case State.Head:
        case State.ChunkSize:
        case State.Trailers: {
          const nl = buf.indexOf(LF, p);
          const stop = nl < 0 || nl >= to ? to : nl + 1;
          this.gather(buf, p, stop);
          p = stop;
          if (stop === nl + 1) this.lineDone();
          break;
        }
        case State.Length:
        case State.ChunkData: {
          const n = Math.min(this.remaining, to - p);
          this.events.body(buf, p, p + n);
          p += n;
          this.remaining -= n;
          if (this.remaining === 0) {
            if (this.state === State.Length) this.finish();
            else this.state = State.ChunkEnd;
          }
          break;
        }
        case State.ChunkEnd: {
          // The CRLF after a chunk's data (a bare LF is taken too).
          const c = buf[p++]!;
          if (c === LF) this.state = State.ChunkSize;
          else if (c !== CR) throw new HttpParseError('no line break after a chunk');
          break;
        }
        case State.UntilClose:
          this.events.body(buf, p, to);
          p = to;
          break;
        case State.Done:
          return p;
      }
    }
    return p;
  }

  /** The connection closed: ends a body framed by the close. False when the response was cut short. */
  close(): boolean {
    if (this.state === State.UntilClose) this.finish();
    return this.state === State.Done;
  }

  private gather(buf: Buffer, from: number, to: number): void {
    const n = to - from;
    const limit = this.state === State.ChunkSize ? 1024 : this.maxHead;
    if (this.lineLen + n > limit) throw new HttpParseError(this.state === State.ChunkSize ? 'a chunk-size line too long' : `a head larger than ${limit} bytes`);
    if (this.lineLen + n > this.line.length) {
      const grown = Buffer.allocUnsafe(Math.min(limit, Math.max(2 * this.line.length, this.lineLen + n)));
      this.line.copy(grown, 0, 0, this.lineLen);
      this.line = grown;
    }
    buf.copy(this.line, this.lineLen, from, to);
    this.lineLen += n;
  }

  /** A line ended (the last gathered byte is LF). */
  private lineDone(): void {
    const line = this.line;
    const n = this.lineLen;
    if (this.state === State.ChunkSize) {
      this.lineLen = 0;
      this.chunkSize(line.toString('latin1', 0, n));
      return;
    }
    // Head and trailers end with an empty line.
    const empty = n === 1 || (n === 2 && line[0] === CR);
    const ended = empty || (n >= 2 && line[n - 2] === LF) || (n >= 4 && line[n - 4] === CR && line[n - 3] === LF && line[n - 2] === CR);
    if (this.state === State.Trailers) {
      this.lineLen = 0;
      if (empty) this.finish();
      return;
    }
    if (!ended) return;
    this.lineLen = 0;
    if (empty) return; // blank lines before a status line are tolerated (RFC 9112, 2.2)
    this.head(line.toString('latin1', 0, n));
  }

  private head(text: string): void {
    const lines = text.split(/\r?\n/);
    // A status is three digits, the first not 0 (so 0 can mean "no head yet" to exchange.ts).
    const m = /^HTTP\/1\.([01]) ([1-9]\d{2})(?: .*)?$/.exec(lines[0]!);
    if (m === null) throw new HttpParseError(`not an HTTP/1.x status line: ${JSON.stringify(lines[0]!.slice(0, 40))}`);
    const status = Number(m[2]);
    const headers: ResponseHeaders = {};
    for (let k = 1; k < lines.length; k++) {
      const l = lines[k]!;
      if (l === '') continue;
      const colon = l.indexOf(':');
      if (colon <= 0 || /[\s]/.test(l.slice(0, colon))) throw new HttpParseError(`a bad header line: ${JSON.stringify(l.slice(0, 40))}`);
      const name = l.slice(0, colon).toLowerCase();
      const value = l.slice(colon + 1).trim();
      const had = headers[name];
      if (name === 'set-cookie') headers[name] = [...((had as string[] | undefined) ?? []), value];
      else headers[name] = had === undefined ? value : `${had as string}, ${value}`;
    }
    // An interim response (100 Continue, 103 Early Hints): the real one follows.
    if (status >= 100 && status < 200 && status !== 101) return;
    const connection = String(headers.connection ?? '').toLowerCase();
    this.persistent = m[1] === '1' ? !/\bclose\b/.test(connection) : /\bkeep-alive\b/.test(connection);
    this.events.head(status, headers);
    const te = headers['transfer-encoding'];
    const cl = headers['content-length'];
    if (status === 204 || status === 304 || status === 101) {
      this.finish();
    } else if (te !== undefined) {
      if (/(^|,)\s*chunked\s*$/i.test(String(te))) this.state = State.ChunkSize;
      else {
        this.persistent = false;
        this.state = State.UntilClose;
      }
    } else if (cl !== undefined) {
      // Repeated equal values are one (RFC 9110, 8.6); anything else is no length.
      const values = new Set(String(cl).split(',').map((v) => v.trim()));
      const v = values.size === 1 ? [...values][0]! : '';
      if (!/^\d{1,15}$/.test(v)) throw new HttpParseError(`a bad Content-Length: ${JSON.stringify(String(cl).slice(0, 40))}`);
      this.declared = Number(v);
      this.remaining = this.declared;
      if (this.remaining === 0) this.finish();
      else this.state = State.Length;
    } else {
      this.persistent = false;
      this.state = State.UntilClose;
    }
  }

  private chunkSize(text: string): void {
    const m = /^([0-9a-fA-F]{1,12})[ \t]*(?:;[^\r\n]*)?\r?\n$/.exec(text);
    if (m === null) throw new HttpParseError(`a bad chunk-size line: ${JSON.stringify(text.slice(0, 40))}`);
    this.remaining = Number.parseInt(m[1]!, 16);
    this.state = this.remaining === 0 ? State.Trailers : State.ChunkData;
  }

  private finish(): void {
    this.state = State.Done;
    this.events.end();
  }
}
