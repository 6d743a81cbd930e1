import { describe, expect, it } from 'vitest';

import { formatUdlTime, parseObTime, parseSpaceEnvQuery, parseUdlTime, QueryError } from '../../../src/sim/index.js';

const T0 = Date.UTC(2026, 0, 1);

describe('parseUdlTime', () => {
  it('reads UTC times with and without milliseconds', () => {
    expect(parseUdlTime('2026-01-01T00:00:00.000Z')).toBe(T0);
    expect(parseUdlTime('2026-01-01T00:00:00Z')).toBe(T0);
    expect(parseUdlTime('2026-01-01T00:05:00.5Z')).toBe(T0 + 300_500);
    expect(parseUdlTime('2026-01-01T00:04:59.999Z')).toBe(T0 + 299_999);
    expect(parseUdlTime('2024-02-29T23:59:59.999Z')).toBe(Date.UTC(2024, 1, 29, 23, 59, 59, 999));
  });

  it.each([
    '',
    '2026-01-01',
    '2026-01-01T00:00:00.000',
    '2026-01-01T00:00:00.000+00:00',
    '2026-01-01 00:00:00Z',
    '2026-01-01T00:00:00.0001Z',
    '2026-02-30T00:00:00Z',
    '2025-02-29T00:00:00Z',
    '2026-01-01T24:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-01-01T00:60:00Z',
  ])('rejects %j', (text) => {
    expect(() => parseUdlTime(text)).toThrow(QueryError);
  });

  it('round-trips through formatUdlTime', () => {
    expect(formatUdlTime(parseUdlTime('2026-01-01T00:00:05Z'))).toBe('2026-01-01T00:00:05.000Z');
  });
});

describe('parseObTime', () => {
  it('reads ranges inclusive at both ends and the single-sided forms', () => {
    expect(parseObTime('2026-01-01T00:00:00.000Z..2026-01-01T00:05:00.000Z')).toEqual({ from: T0, to: T0 + 300_000 });
    expect(parseObTime('>=2026-01-01T00:00:00.000Z')).toEqual({ from: T0, to: Infinity });
    expect(parseObTime('>2026-01-01T00:00:00.000Z')).toEqual({ from: T0 + 1, to: Infinity });
    expect(parseObTime('<=2026-01-01T00:00:00.000Z')).toEqual({ from: -Infinity, to: T0 });
    expect(parseObTime('<2026-01-01T00:00:00.000Z')).toEqual({ from: -Infinity, to: T0 - 1 });
    expect(parseObTime('2026-01-01T00:00:00.000Z')).toEqual({ from: T0, to: T0 });
  });

  it.each(['..', '2026-01-01T00:00:00.000Z..', '>=', '=>2026-01-01T00:00:00Z', '>2026-01-01T00:00:00Z..2026-01-02T00:00:00Z'])(
    'rejects %j',
    (value) => {
      expect(() => parseObTime(value)).toThrow(QueryError);
    },
  );
});

describe('parseSpaceEnvQuery', () => {
  const q = (s: string, cap = 10_000) => parseSpaceEnvQuery(new URLSearchParams(s), cap);

  it('reads filters and paging, with defaults', () => {
    expect(
      q('obTime=2026-01-01T00:00:00.000Z..2026-01-02T00:00:00.000Z&idSensor=REACH-105&source=Aerospace&dataMode=REAL&descriptor=QUICKLOOK&sort=obTime&firstResult=20000&maxResults=500'),
    ).toEqual({
      obTime: { from: T0, to: T0 + 86_400_000 },
      idSensor: 'REACH-105',
      source: 'Aerospace',
      dataMode: 'REAL',
      descriptor: 'QUICKLOOK',
      firstResult: 20_000,
      maxResults: 500,
    });
    expect(q('obTime=%3E%3D2026-01-01T00%3A00%3A00.000Z')).toMatchObject({ obTime: { from: T0, to: Infinity }, firstResult: 0, maxResults: 10_000 });
  });

  it('lowers maxResults to the cap silently', () => {
    expect(q('obTime=2026-01-01T00:00:00Z&maxResults=50000').maxResults).toBe(10_000);
    expect(q('obTime=2026-01-01T00:00:00Z&maxResults=50000', 300).maxResults).toBe(300);
  });

  it.each([
    ['', /obTime is required/],
    ['obTime=', /obTime is required/],
    ['obTime=yesterday', /invalid time/],
    ['obTime=2026-01-01T00:00:00Z&obTime=2026-01-02T00:00:00Z', /once/],
    ['obTime=2026-01-01T00:00:00Z&maxResults=0', /at least 1/],
    ['obTime=2026-01-01T00:00:00Z&maxResults=-1', /non-negative integer/],
    ['obTime=2026-01-01T00:00:00Z&firstResult=1.5', /non-negative integer/],
    ['obTime=2026-01-01T00:00:00Z&sort=obTime,DESC', /unsupported sort/],
    ['obTime=2026-01-01T00:00:00Z&idsensor=REACH-105', /unknown query parameter 'idsensor'/],
  ])('rejects %j', (s, message) => {
    expect(() => q(s)).toThrow(message);
    expect(() => q(s)).toThrow(QueryError);
  });
});
