/**
 * Admission for requests: at most `maxInFlight` at once, each start allowed by a RateLimiter. The limiter
 * is a seam: locally it is the AIMD controller below; across machines it can be a budget kept by a
 * coordinator. The clock is injected so tests drive time.
 */
import { initialAimd, onCongestion, onSuccess, type AimdParams, type AimdState } from './aimd.js';
import { stoppedError } from '../errors.js';

export interface Clock {
  now(): number;
  /** Waits `ms`; an aborted signal ends the wait early with a StoppedError. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  sleep: (ms, signal) =>
    new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(stoppedError(signal));
      const onAbort = () => {
        clearTimeout(timer);
        reject(stoppedError(signal!));
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

/** When requests may start, and what their outcomes teach. Times are the gate's clock, in ms. */
export interface RateLimiter {
  /** Resolves when one more request may start; rejects with a StoppedError once `signal` aborts. */
  acquire(signal?: AbortSignal): Promise<void>;
  /** A request started at `sentAt` was answered 200. */
  onSuccess(sentAt: number): void;
  /** A request started at `sentAt` met congestion: a 429 (`throttled`), a reset or a timeout. */
  onCongestion(sentAt: number, throttled: boolean): void;
  /** The rate allowed now, requests per second (for progress lines). */
  readonly rate: number;
  /** Gives back what the limiter holds (a coordinator's reserved tokens, timers). */
  close?(): Promise<void>;
}

/** The reference tool's rate control, refined (see aimd.ts): starts spaced 1/rate apart. */
export class AimdRateLimiter implements RateLimiter {
  private state: AimdState;
  private nextStartAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly params: AimdParams,
    private readonly clock: Clock = systemClock,
  ) {
    this.state = initialAimd(params);
  }

  get rate(): number {
    return this.state.rate;
  }

  async acquire(signal?: AbortSignal): Promise<void> {
    const now = this.clock.now();
    const at = Math.max(now, this.nextStartAt);
    this.nextStartAt = at + 1000 / this.state.rate;
    if (at > now) await this.clock.sleep(at - now, signal);
  }

  onSuccess(): void {
    this.state = onSuccess(this.state, this.params, this.clock.now());
  }

  onCongestion(sentAt: number, throttled: boolean): void {
    const before = this.state.rate;
    this.state = onCongestion(this.state, this.params, sentAt, this.clock.now(), throttled);
    // Slots reserved at the old rate would keep overrunning the server; re-space from now.
    if (this.state.rate < before) this.nextStartAt = this.clock.now() + 1000 / this.state.rate;
  }
}

export class RequestGate {
  private inFlight = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    readonly limiter: RateLimiter,
    private readonly maxInFlight: number,
    private readonly clock: Clock = systemClock,
  ) {}

  get rate(): number {
    return this.limiter.rate;
  }

  get now(): number {
    return this.clock.now();
  }

  /**
   * Runs `fn` once admitted; `fn` gets its start time, for reporting congestion against it. Once `signal`
   * aborts, nothing more is admitted: waiting callers reject with a StoppedError.
   */
  async run<T>(fn: (sentAt: number) => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.inFlight >= this.maxInFlight) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.inFlight++;
    try {
      if (signal?.aborted) throw stoppedError(signal);
      await this.limiter.acquire(signal);
      return await fn(this.clock.now());
    } finally {
      this.inFlight--;
      this.waiting.shift()?.();
    }
  }

  success(sentAt: number): void {
    this.limiter.onSuccess(sentAt);
  }

  congestion(sentAt: number, throttled: boolean): void {
    this.limiter.onCongestion(sentAt, throttled);
  }
}
