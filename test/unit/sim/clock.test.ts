import { describe, expect, it } from 'vitest';

import { ClockRequestError, parseClockRequest, SimClock } from '../../../src/sim/index.js';

const T = Date.UTC(2026, 0, 2, 6);

describe('SimClock', () => {
  it('runs on its base, freezes at now, offsets and advances', () => {
    let base = 1_000;
    const clock = new SimClock(() => base);
    expect(clock.now()).toBe(1_000);
    clock.apply({ advanceMs: 500 });
    base = 2_000;
    expect(clock.now()).toBe(2_500);
    clock.apply({ now: T });
    base = 9_000;
    expect(clock.read()).toEqual({ now: '2026-01-02T06:00:00.000Z', nowMs: T, frozen: true });
    clock.apply({ advanceMs: 3_600_000 });
    expect(clock.read()).toMatchObject({ now: '2026-01-02T07:00:00.000Z', frozen: true });
    clock.apply({ offsetMs: -1_000 });
    expect(clock.read()).toMatchObject({ nowMs: 8_000, frozen: false });
  });

  it('defaults to real time', () => {
    const before = Date.now();
    const now = new SimClock().now();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });
});

describe('parseClockRequest', () => {
  const q = (s: string): URLSearchParams => new URLSearchParams(s);

  it('reads the query, a form body or a JSON body', () => {
    expect(parseClockRequest(q('now=2026-01-02T06:00:00.000Z'), '')).toEqual({ now: T });
    expect(parseClockRequest(q(''), 'advanceMs=-5')).toEqual({ advanceMs: -5 });
    expect(parseClockRequest(q(''), '{"offsetMs": 3600000}')).toEqual({ offsetMs: 3_600_000 });
    expect(parseClockRequest(q(''), '{"now":"2026-01-02T06:00:00Z"}')).toEqual({ now: T });
  });

  it.each([
    ['', '', /exactly one/],
    ['now=2026-01-02&advanceMs=1', '', /exactly one/],
    ['', '{"now":"2026-13-01T00:00:00.000Z"}', /now: invalid time/],
    ['', '{"now": 5}', /time string/],
    ['', '{"advanceMs": 1.5}', /integer/],
    ['', 'offsetMs=ten', /integer/],
    ['', '{"advanceMs":', /not valid JSON/],
    ['', '[1]', /exactly one/],
    ['', 'speed=2', /unknown clock field 'speed'/],
    ['advanceMs=1', 'advanceMs=2', /not both/],
    ['advanceMs=1&advanceMs=2', '', /given 2 times/],
  ])('refuses query %j body %j', (query, body, message) => {
    const attempt = (): unknown => parseClockRequest(q(query), body);
    expect(attempt).toThrow(ClockRequestError);
    expect(attempt).toThrow(message);
    expect(new ClockRequestError('x')).toMatchObject({ code: 'ERR_SIM_CLOCK', status: 400 });
  });
});
