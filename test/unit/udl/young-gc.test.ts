import { describe, expect, it } from 'vitest';
import { YoungCollector } from '../../../src/udl/young-gc.js';

describe('YoungCollector', () => {
  it('asks for a young-generation collection once per `everyBytes` received, whatever the chunk sizes', () => {
    const calls: unknown[] = [];
    const c = new YoungCollector(1000, (o) => calls.push(o));
    for (let i = 0; i < 99; i++) c.received(30);
    expect(calls).toHaveLength(2);
    expect(calls[0]).toEqual({ type: 'minor' });
    c.received(5000);
    expect(calls).toHaveLength(3);
  });
});
