/** Typed errors of the UDL edge, each with a stable `code`; `retryable` drives the retry loop. */
import { ReachUdlError } from '../errors.js';

export abstract class UdlError extends ReachUdlError {
  /** A UDL error that outlives its retries fails the day, not the run's configuration. */
  readonly exitClass = 'failed';
  abstract readonly retryable: boolean;
  /** Counts against the shared request rate (AIMD decrease): throttling, resets, timeouts. */
  readonly congestion: boolean = false;
}

export class UdlHttpError extends UdlError {
  readonly code: string = 'ERR_UDL_HTTP';
  readonly retryable: boolean;
  override readonly congestion: boolean;
  constructor(
    readonly status: number,
    readonly url: string,
    bodySnippet: string,
    readonly retryAfterMs?: number,
  ) {
    super(`UDL answered HTTP ${status} for ${url}${bodySnippet ? `: ${bodySnippet}` : ''}`);
    this.retryable = status === 429 || status === 408 || status >= 500;
    this.congestion = status === 429;
  }
}

/** 429 past the retry budget: the server's allowance is lower than the rate asked for. */
export class UdlThrottledError extends UdlHttpError {
  override readonly code = 'ERR_UDL_THROTTLED';
  constructor(url: string, bodySnippet: string, retryAfterMs?: number) {
    super(429, url, bodySnippet, retryAfterMs);
  }
}

export class UdlAuthError extends UdlError {
  readonly code = 'ERR_UDL_AUTH';
  readonly retryable = false;
  constructor(readonly status: number) {
    super(
      `UDL answered HTTP ${status}: the credential was rejected; check BASICAUTH, UDL_AUTH_USERNAME/UDL_AUTH_PASSWORD or SECRET_ARN_UDL, then rerun with --retry-failed`,
    );
  }
}

export class UdlNetworkError extends UdlError {
  readonly code = 'ERR_UDL_NETWORK';
  readonly retryable = true;
  override readonly congestion = true;
  constructor(readonly causeCode: string, url: string) {
    super(`connection to UDL failed (${causeCode}) for ${url}`);
  }
}

export class UdlTimeoutError extends UdlError {
  readonly code = 'ERR_UDL_TIMEOUT';
  readonly retryable = true;
  override readonly congestion = true;
  constructor(readonly timeoutMs: number, url: string) {
    super(`UDL did not answer within ${timeoutMs / 1000} s for ${url}`);
  }
}

export class UdlTruncatedError extends UdlError {
  readonly code = 'ERR_UDL_TRUNCATED';
  readonly retryable = true;
  constructor(readonly received: number, readonly expected: number | undefined, url: string) {
    super(`UDL body cut short after ${received} bytes${expected !== undefined ? ` of ${expected}` : ''} for ${url}`);
  }
}

/** The body arrived whole but is not what UDL sends (bad JSON, records outside the asked window). */
export class UdlBadPageError extends UdlError {
  readonly code = 'ERR_UDL_BAD_PAGE';
  readonly retryable = true;
  constructor(detail: string, url: string) {
    super(`UDL sent an unusable page for ${url}: ${detail}`);
  }
}
