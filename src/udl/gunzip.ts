/**
 * Streaming gunzip on this thread, for response bodies. minizlib runs zlib synchronously as each piece is
 * written; node:zlib's stream hands every piece to the libuv pool and back, which on an ALL day (125 MB
 * gzip'ed to 924 MB) cost 2.9-3.1 CPU-s against minizlib's 1.6-1.8 (the same inflate, measured apart).
 */
import { Gunzip, type ZlibOptions } from 'minizlib';

/**
 * Compressed bytes are gathered up to this many before zlib sees them. Servers send gzip in small pieces
 * (the sim's average 8 KB), and minizlib copies the first output buffer of each write, so feeding pieces
 * of ~100 KB output had it copy most of the day once more; 64 KB in (~800 KB out) leaves it a tenth.
 */
const BATCH = 64 * 1024;
/** Bytes per output piece, the size a plain body arrives in. */
const OUT = 64 * 1024;

export class BodyGunzip {
  readonly #zlib: Gunzip;
  /** Compressed bytes gathered for the next write: copied, since a piece's memory is reused after write(). */
  readonly #held = Buffer.allocUnsafe(BATCH);
  #heldBytes = 0;

  /**
   * `onData` gets each decompressed piece (it may keep it: minizlib never reuses one), `onError` a corrupt or
   * cut stream, once, and then nothing more; `onEnd` the end of a whole stream.
   */
  constructor(onData: (piece: Buffer) => void, onError: (err: unknown) => void, onEnd: () => void) {
    this.#zlib = new Gunzip({ chunkSize: OUT } as ZlibOptions);
    this.#zlib.on('data', onData);
    this.#zlib.on('error', onError);
    // minizlib ends its stream after an error too; a body that failed must not also look whole.
    this.#zlib.on('end', () => {
      if (!this.#zlib.sawError) onEnd();
    });
  }

  /** Whether zlib is gone: closed, or closed by minizlib on an error (its binding would throw). */
  get #gone(): boolean {
    return this.#zlib.handle === undefined;
  }

  /** Takes the next compressed piece (not kept: its memory may be reused once this returns); nothing after close() or an error. */
  write(chunk: Buffer): void {
    let from = 0;
    while (from < chunk.length && !this.#gone) {
      const n = Math.min(BATCH - this.#heldBytes, chunk.length - from);
      chunk.copy(this.#held, this.#heldBytes, from, from + n);
      this.#heldBytes += n;
      from += n;
      if (this.#heldBytes === BATCH) this.#flush();
    }
  }

  end(): void {
    if (this.#gone) return;
    this.#flush();
    this.#zlib.end();
  }

  /** Drops the stream (the exchange failed): later pieces and end() are ignored, nothing more is reported. */
  close(): void {
    this.#heldBytes = 0;
    this.#zlib.close();
  }

  /** Gives zlib the gathered bytes: minizlib inflates them before write() returns, so the batch buffer is free again. */
  #flush(): void {
    if (this.#heldBytes === 0) return;
    const n = this.#heldBytes;
    this.#heldBytes = 0;
    this.#zlib.write(this.#held.subarray(0, n));
  }
}
