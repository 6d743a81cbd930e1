import { describe, expect, it } from 'vitest';
import {
  DAY_MS,
  compactStamp,
  dayRange,
  dayWindow,
  ledgerTimestamp,
  ledgerWindowStamp,
  parseDay,
  parseTimestampMicros,
} from '../../../src/plan/dates.js';

describe('parseDay', () => {
  it('accepts real dates, leap days included', () => {
    expect(parseDay('2026-01-01')).toBe(Date.UTC(2026, 0, 1));
    expect(parseDay('2024-02-29')).toBe(Date.UTC(2024, 1, 29));
  });
  it.each(['2026-02-30', '2025-02-29', '2026-13-01', '2026-00-10', '2026-04-31', '2026-1-1', '20260101', 'yesterday', '', ' 2026-01-01', '2026-01-01T00:00:00Z'])(
    'rejects %j',
    (text) => expect(parseDay(text)).toBeUndefined(),
  );
});

describe('dayRange', () => {
  it('is inclusive at both ends and crosses months and years', () => {
    expect(dayRange('2025-12-30', '2026-01-02')).toEqual(['2025-12-30', '2025-12-31', '2026-01-01', '2026-01-02']);
    expect(dayRange('2024-02-28', '2024-03-01')).toEqual(['2024-02-28', '2024-02-29', '2024-03-01']);
  });
  it('has one day for start = end and none for an inverted range', () => {
    expect(dayRange('2026-03-01', '2026-03-01')).toEqual(['2026-03-01']);
    expect(dayRange('2026-03-02', '2026-03-01')).toEqual([]);
  });
  it('throws on a bad date', () => expect(() => dayRange('2026-02-30', '2026-03-01')).toThrow(/2026-02-30/));
});

describe('day windows and stamps', () => {
  it('are half-open 24 h windows', () => {
    const w = dayWindow('2026-01-01');
    expect(w.endMs - w.startMs).toBe(DAY_MS);
    expect(new Date(w.endMs).toISOString()).toBe('2026-01-02T00:00:00.000Z');
  });
  it('format like the reference tool', () => {
    const w = dayWindow('2026-01-01');
    expect(compactStamp(w.startMs)).toBe('20260101T000000');
    expect(ledgerWindowStamp(w.endMs)).toBe('2026-01-02T00:00:00+00:00');
    expect(ledgerTimestamp(Date.UTC(2026, 0, 1, 12, 30, 5, 123))).toBe('2026-01-01T12:30:05.123000+00:00');
  });
});

describe('parseTimestampMicros', () => {
  it('keeps microseconds so rows within one millisecond still order', () => {
    const a = parseTimestampMicros('2026-01-01T00:00:00.000100+00:00');
    const b = parseTimestampMicros('2026-01-01T00:00:00.000900+00:00');
    expect(b - a).toBe(800);
  });
  it('reads Z, offsets and no fraction', () => {
    expect(parseTimestampMicros('2026-01-01T01:00:00+01:00')).toBe(parseTimestampMicros('2026-01-01T00:00:00Z'));
    expect(parseTimestampMicros('2026-01-01T00:00:00.5Z')).toBe(Date.UTC(2026, 0, 1) * 1000 + 500_000);
  });
  it('is NaN for junk and for times without a zone', () => {
    expect(parseTimestampMicros('not a time')).toBeNaN();
    expect(parseTimestampMicros('2026-01-01T00:00:00')).toBeNaN();
  });
});
