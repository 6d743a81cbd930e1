/**
 * Keep-alive connections for the HTTP/1.1 GETs of http.ts, over node:net or node:tls. Each connection
 * reads into one buffer of its own (the sockets' `onread` option), so receiving a body allocates nothing
 * per read: an ALL day is ~14,000 reads of up to 64 KB, and node:http's fresh buffer per read, its parser
 * and its streams cost ~1.3 CPU-s a day where these reads cost ~0.45 (measured 2026-12-03: the same 923 MB
 * from the simulator, node:http against net with `onread`), besides the young-generation collections the
 * dead read buffers needed.
 */
import net from 'node:net';
import tls from 'node:tls';

/** Bytes one read may bring (libuv's own read size). */
export const READ_BYTES = 64 * 1024;

/** Where a connection goes: its origin. */
export interface Origin {
  /** `host:port` and the scheme: the pool's key. */
  key: string;
  https: boolean;
  host: string;
  port: number;
}

export function originOf(url: URL): Origin {
  const https = url.protocol === 'https:';
  const port = url.port === '' ? (https ? 443 : 80) : Number(url.port);
  // URL keeps an IPv6 literal in brackets; sockets take it without.
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return { key: `${url.protocol}//${host}:${port}`, https, host, port };
}

/** What a connection reports to the exchange using it. */
export interface ConnectionUser {
  /** Bytes read, buf[0, n): valid only during the call. */
  data(buf: Buffer, n: number): void;
  /** The connection is gone: the peer closed it (err undefined) or it failed. */
  gone(err: NodeJS.ErrnoException | undefined): void;
}

export class Connection {
  private readonly socket: net.Socket;
  private user: ConnectionUser | undefined;
  private closed = false;
  /** Exchanges this connection has carried (0: a fresh one). */
  uses = 0;

  constructor(
    readonly origin: Origin,
    tlsOptions: tls.ConnectionOptions,
    private readonly onGone: (c: Connection) => void,
  ) {
    const onread = { buffer: Buffer.allocUnsafeSlow(READ_BYTES), callback: (n: number, buf: Uint8Array) => this.read(n, buf as Buffer) };
    const { host, port } = origin;
    this.socket = origin.https
      ? tls.connect({ host, port, servername: net.isIP(host) === 0 ? host : undefined, ALPNProtocols: ['http/1.1'], ...tlsOptions, onread } as tls.ConnectionOptions)
      : net.connect({ host, port, onread });
    this.socket.setNoDelay(true);
    this.socket.on('error', (err: NodeJS.ErrnoException) => this.end(err));
    this.socket.on('close', () => this.end(undefined));
  }

  get alive(): boolean {
    return !this.closed;
  }

  /** Gives the connection to `user` and sends `request` on it. */
  send(user: ConnectionUser, request: string): void {
    this.user = user;
    this.uses++;
    this.socket.ref();
    this.socket.write(request, 'latin1');
  }

  /** The exchange is over; the connection stays open for the next one, without keeping the process alive. */
  release(): void {
    this.user = undefined;
    this.socket.unref();
  }

  destroy(): void {
    this.user = undefined;
    this.socket.destroy();
    this.end(undefined);
  }

  private read(n: number, buf: Buffer): boolean {
    // Bytes while no exchange holds the connection break its framing: it is not used again.
    if (this.user === undefined) this.destroy();
    else this.user.data(buf, n);
    return true;
  }

  private end(err: NodeJS.ErrnoException | undefined): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    const user = this.user;
    this.user = undefined;
    this.onGone(this);
    user?.gone(err);
  }
}

/**
 * The open connections per origin, at most `maxSockets` each: an idle one is reused (the one used last
 * first: it is the least likely to have been closed by the server), else a new one is opened while under
 * the limit, else the caller waits for one.
 */
export class ConnectionPool {
  private readonly idle = new Map<string, Connection[]>();
  private readonly count = new Map<string, number>();
  private readonly waiting = new Map<string, Array<(c: Connection) => void>>();
  private shut = false;

  constructor(
    private readonly maxSockets: number,
    private readonly tlsOptions: tls.ConnectionOptions = {},
  ) {}

  /**
   * Calls `take` with a connection to `origin`, at once when one is free. `fresh`: a new one at once, never
   * an idle one, even at the limit (a request going again after its kept-alive connection died, whose
   * place in the limit that connection held).
   */
  acquire(origin: Origin, take: (c: Connection) => void, fresh = false): void {
    const idle = this.idle.get(origin.key);
    if (!fresh && idle !== undefined && idle.length > 0) {
      take(idle.pop()!);
      return;
    }
    if ((this.count.get(origin.key) ?? 0) < this.maxSockets || fresh) {
      take(this.open(origin));
      return;
    }
    const queue = this.waiting.get(origin.key) ?? [];
    queue.push(take);
    this.waiting.set(origin.key, queue);
  }

  /** Drops a waiter that no longer wants a connection (its exchange failed or was stopped). */
  forget(origin: Origin, take: (c: Connection) => void): void {
    const queue = this.waiting.get(origin.key);
    const i = queue?.indexOf(take) ?? -1;
    if (i >= 0) queue!.splice(i, 1);
  }

  /** An exchange is done with `c`: reused when `reusable`, else closed. */
  release(c: Connection, reusable: boolean): void {
    c.release();
    if (!reusable || this.shut || !c.alive) {
      c.destroy();
      return;
    }
    const next = this.waiting.get(c.origin.key)?.shift();
    if (next !== undefined) {
      next(c);
      return;
    }
    const idle = this.idle.get(c.origin.key) ?? [];
    idle.push(c);
    this.idle.set(c.origin.key, idle);
  }

  close(): void {
    this.shut = true;
    for (const list of this.idle.values()) for (const c of [...list]) c.destroy();
    this.idle.clear();
  }

  private open(origin: Origin): Connection {
    this.count.set(origin.key, (this.count.get(origin.key) ?? 0) + 1);
    return new Connection(origin, this.tlsOptions, (c) => this.gone(c));
  }

  private gone(c: Connection): void {
    const key = c.origin.key;
    this.count.set(key, (this.count.get(key) ?? 1) - 1);
    const idle = this.idle.get(key);
    const i = idle?.indexOf(c) ?? -1;
    if (i >= 0) idle!.splice(i, 1);
    // A slot freed: the next waiter gets a new connection.
    const next = this.waiting.get(key)?.shift();
    if (next !== undefined && !this.shut) next(this.open(c.origin));
  }
}
