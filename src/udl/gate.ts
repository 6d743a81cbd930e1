/**
 * Admission for requests: at most `maxInFlight` at once, starts spaced 1/rate apart, with the rate
 * owned by the shared AIMD controller. The clock is injected so tests drive time.
 */
import { initialAimd, onCongestion, onSuccess, type AimdParams, type AimdState } from './aimd.js';

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export class RequestGate {
  private state: AimdState;
  private inFlight = 0;
  private readonly waiting: Array<() => void> = [];
  private nextStartAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly params: AimdParams,
    private readonly maxInFlight: number,
    private readonly clock: Clock = systemClock,
  ) {
    this.state = initialAimd(params);
  }

  get rate(): number {
    return this.state.rate;
  }

  get now(): number {
    return this.clock.now();
  }

  /** Runs `fn` once admitted; `fn` gets its start time, for reporting congestion against it. */
  async run<T>(fn: (sentAt: number) => Promise<T>): Promise<T> {
    if (this.inFlight >= this.maxInFlight) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.inFlight++;
    try {
      const now = this.clock.now();
      const at = Math.max(now, this.nextStartAt);
      this.nextStartAt = at + 1000 / this.state.rate;
      if (at > now) await this.clock.sleep(at - now);
      return await fn(this.clock.now());
    } finally {
      this.inFlight--;
      this.waiting.shift()?.();
    }
  }

  success(): void {
    this.state = onSuccess(this.state, this.params, this.clock.now());
  }

  congestion(sentAt: number, throttled: boolean): void {
    const before = this.state.rate;
    this.state = onCongestion(this.state, this.params, sentAt, this.clock.now(), throttled);
    // Slots reserved at the old rate would keep overrunning the server; re-space from now.
    if (this.state.rate < before) this.nextStartAt = this.clock.now() + 1000 / this.state.rate;
  }
}
