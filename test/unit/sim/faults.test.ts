import { describe, expect, it } from 'vitest';

import { FaultPlan, type Fault } from '../../../src/sim/index.js';

const draw = (plan: FaultPlan, n: number): Fault[] => Array.from({ length: n }, () => plan.next());
const old = { fail5xx: 0.1, reset: 0.05, truncate: 0.05, slow: 0.02 };

describe('the echo500 fault', () => {
  it('leaves the faults of existing seeds unchanged at share 0', () => {
    expect(draw(new FaultPlan({ ...old, echo500: 0 }, 42), 5_000)).toEqual(draw(new FaultPlan(old, 42), 5_000));
  });

  it('is drawn about its share, deterministically, after the older kinds', () => {
    const shares = { ...old, echo500: 0.2 };
    const faults = draw(new FaultPlan(shares, 7), 20_000);
    expect(draw(new FaultPlan(shares, 7), 20_000)).toEqual(faults);
    expect(faults.filter((f) => f.kind === 'echo500').length / faults.length).toBeCloseTo(0.2, 1);
    // Requests that got an older fault without echo500 get the same one with it.
    const before = draw(new FaultPlan(old, 7), 20_000);
    faults.forEach((f, i) => {
      if (before[i]?.kind !== 'none') expect(f).toEqual(before[i]);
    });
  });
});
