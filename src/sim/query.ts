/**
 * Parsing of the UDL query subset the simulator answers. Pure: no I/O, no clock.
 * Everything the client may get wrong is reported as a {@link QueryError} (HTTP 400)
 * rather than silently ignored, so client bugs surface in tests.
 */

/** A request the simulator refuses with 400 Bad Request; the message is sent as the body. */
export class QueryError extends Error {
  override readonly name = 'QueryError';
  readonly code = 'ERR_SIM_QUERY';
  readonly status = 400;
}

/** An inclusive millisecond interval; open ends are +/-Infinity. */
export interface TimeBounds {
  readonly from: number;
  readonly to: number;
}

/** A parsed `/udl/spaceenvobservation` or `/count` query. */
export interface SpaceEnvQuery {
  readonly obTime: TimeBounds;
  readonly idSensor: string | undefined;
  readonly source: string | undefined;
  readonly dataMode: string | undefined;
  readonly descriptor: string | undefined;
  readonly firstResult: number;
  /** Rows wanted, already capped at the server's limit. */
  readonly maxResults: number;
}

const TIME_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?Z$/;
const TIME_EXAMPLE = '2026-01-01T00:00:00.000Z';

/**
 * Parses `YYYY-MM-DDTHH:MM:SS[.fff]Z` (UTC; 1 to 3 fraction digits) to epoch milliseconds.
 * @throws QueryError on any other form or an impossible date such as Feb 30.
 */
export function parseUdlTime(text: string): number {
  const m = TIME_RE.exec(text);
  if (m === null) throw new QueryError(`invalid time '${text}': expected ISO-8601 UTC like ${TIME_EXAMPLE}`);
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const millis = m[7] === undefined ? 0 : Number(m[7].padEnd(3, '0'));
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, millis);
  if (
    d.getUTCFullYear() !== year ||
    d.getUTCMonth() !== month - 1 ||
    d.getUTCDate() !== day ||
    d.getUTCHours() !== hour ||
    d.getUTCMinutes() !== minute ||
    d.getUTCSeconds() !== second
  ) {
    throw new QueryError(`invalid time '${text}': no such date or time of day`);
  }
  return d.getTime();
}

/** Formats epoch milliseconds the way UDL does: `2026-01-01T00:00:00.000Z`. */
export function formatUdlTime(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * Parses an `obTime` filter value (already URL-decoded): `A..B` (inclusive at both ends),
 * `>A`, `>=A`, `<A`, `<=A`, or a bare `A` (exactly A).
 */
export function parseObTime(value: string): TimeBounds {
  const range = value.indexOf('..');
  if (range >= 0) {
    return { from: parseUdlTime(value.slice(0, range)), to: parseUdlTime(value.slice(range + 2)) };
  }
  if (value.startsWith('>=')) return { from: parseUdlTime(value.slice(2)), to: Infinity };
  if (value.startsWith('<=')) return { from: -Infinity, to: parseUdlTime(value.slice(2)) };
  if (value.startsWith('>')) return { from: parseUdlTime(value.slice(1)) + 1, to: Infinity };
  if (value.startsWith('<')) return { from: -Infinity, to: parseUdlTime(value.slice(1)) - 1 };
  const at = parseUdlTime(value);
  return { from: at, to: at };
}

const KNOWN_PARAMS = new Set([
  'obTime',
  'idSensor',
  'source',
  'dataMode',
  'descriptor',
  'sort',
  'firstResult',
  'maxResults',
]);

function single(params: URLSearchParams, name: string): string | undefined {
  const all = params.getAll(name);
  if (all.length > 1) throw new QueryError(`${name} given ${all.length} times; give it once`);
  return all[0];
}

function nonNegativeInt(name: string, text: string): number {
  const n = /^\d{1,15}$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n)) throw new QueryError(`${name} must be a non-negative integer, got '${text}'`);
  return n;
}

/**
 * Validates and parses the query string of a data or count request.
 * @param maxResultsCap the server's row cap: a larger `maxResults` is silently lowered to it,
 *   and a missing one defaults to it.
 * @throws QueryError for a missing or malformed `obTime`, an unknown or repeated parameter,
 *   a bad `firstResult`/`maxResults`, or a sort other than ascending `obTime`.
 */
export function parseSpaceEnvQuery(params: URLSearchParams, maxResultsCap: number): SpaceEnvQuery {
  for (const name of new Set(params.keys())) {
    if (!KNOWN_PARAMS.has(name)) {
      throw new QueryError(`unknown query parameter '${name}'; known: ${[...KNOWN_PARAMS].join(', ')}`);
    }
  }
  const obTime = single(params, 'obTime');
  if (obTime === undefined || obTime === '') {
    throw new QueryError(`obTime is required, e.g. obTime=${TIME_EXAMPLE}..2026-01-02T00:00:00.000Z`);
  }
  const sort = single(params, 'sort');
  if (sort !== undefined && !/^obTime(,asc)?$/i.test(sort)) {
    throw new QueryError(`unsupported sort '${sort}': only obTime (ascending) is supported`);
  }
  const first = single(params, 'firstResult');
  const max = single(params, 'maxResults');
  const maxResults = max === undefined ? maxResultsCap : nonNegativeInt('maxResults', max);
  if (maxResults === 0) throw new QueryError('maxResults must be at least 1');
  return {
    obTime: parseObTime(obTime),
    idSensor: single(params, 'idSensor'),
    source: single(params, 'source'),
    dataMode: single(params, 'dataMode'),
    descriptor: single(params, 'descriptor'),
    firstResult: first === undefined ? 0 : nonNegativeInt('firstResult', first),
    maxResults: Math.min(maxResults, maxResultsCap),
  };
}
