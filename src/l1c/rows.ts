/**
 * Artifact rows -> L1cRecord: a CSV row (cells as text, seoList/senPos as Python literals) or a JSON
 * record object. Both flatten seoList[0] and senPos[0..2] as PROCESSING.md 3.2 says; a cell that is not a
 * literal of the expected shape fails the day. A fast artifact reader may fill L1cRecord its own way; these
 * are the plain path (tests, small files).
 */
import { L1cInputError } from './errors.js';
import { parsePyLiteral, PyLiteralError, PyNumber, type PyValue } from './literal.js';
import type { L1cRecord } from './record.js';

/** A scalar as the builder's text: numbers as written, None/null as '' (missing), booleans as Python prints them. */
function scalarText(v: PyValue | undefined): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (v instanceof PyNumber) return v.text;
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  return JSON.stringify(v);
}

function list(v: unknown, what: string): unknown[] {
  if (!Array.isArray(v)) throw new L1cInputError('ERR_L1C_BAD_LITERAL', `${what} is not a list`);
  return v;
}

function literal(cell: string, what: string): PyValue {
  try {
    return parsePyLiteral(cell);
  } catch (err) {
    if (err instanceof PyLiteralError) throw new L1cInputError('ERR_L1C_BAD_LITERAL', `${what}: ${err.message}`);
    throw err;
  }
}

const isDict = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** seoList[0]'s three fields (a first entry that is not a dict gives blanks) and senPos[0..2]. */
function fillLists(target: L1cRecord, seoCount: number, first: unknown, senPos: unknown[]): void {
  const seo = (isDict(first) ? first : {}) as Record<string, PyValue>;
  // Every value here is text.
  target.numbers.fill(Number.NaN);
  target.seoCount = seoCount;
  target.obDescription = scalarText(seo['obDescription']);
  target.obValue = scalarText(seo['obValue']);
  target.obQuality = scalarText(seo['obQuality']);
  target.senPosCount = senPos.length;
  target.senPos0 = scalarText(senPos[0] as PyValue | undefined);
  target.senPos1 = scalarText(senPos[1] as PyValue | undefined);
  target.senPos2 = scalarText(senPos[2] as PyValue | undefined);
}

/** Fills `target` from a CSV row keyed by header; a missing descriptor column leaves descriptor undefined. */
export function fillFromCsvRow(target: L1cRecord, row: Readonly<Record<string, string | undefined>>): L1cRecord {
  target.idSensor = row['idSensor'] ?? '';
  target.observatoryName = row['observatoryName'] ?? '';
  target.obTime = row['obTime'] ?? '';
  target.createdAt = row['createdAt'] ?? '';
  target.descriptor = row['descriptor'];
  target.lat = row['lat'] ?? '';
  target.lon = row['lon'] ?? '';
  target.alt = row['alt'] ?? '';
  // A missing column reads as an empty list, which then fails the day with its own reason.
  const seoList = list(literal(row['seoList'] ?? '[]', 'seoList'), 'seoList');
  fillLists(target, seoList.length, seoList[0], list(literal(row['senPos'] ?? '[]', 'senPos'), 'senPos'));
  return target;
}

function jsonText(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'number') return String(v);
  return scalarText(v as PyValue);
}

/** Fills `target` from a parsed JSON record (numbers as JS numbers: String(n) reads back to the same double). */
export function fillFromJsonRecord(target: L1cRecord, record: Readonly<Record<string, unknown>>): L1cRecord {
  target.idSensor = jsonText(record['idSensor']);
  target.observatoryName = jsonText(record['observatoryName']);
  target.obTime = jsonText(record['obTime']);
  target.createdAt = jsonText(record['createdAt']);
  target.descriptor = Object.hasOwn(record, 'descriptor') ? jsonText(record['descriptor']) : undefined;
  target.lat = jsonText(record['lat']);
  target.lon = jsonText(record['lon']);
  target.alt = jsonText(record['alt']);
  const seoList = list(record['seoList'] ?? [], 'seoList');
  const senPos = list(record['senPos'] ?? [], 'senPos');
  const toPy = (v: unknown): unknown => (typeof v === 'number' ? new PyNumber(String(v)) : v);
  const first: unknown = seoList[0];
  const seo = isDict(first) ? Object.fromEntries(Object.entries(first).map(([k, v]) => [k, toPy(v)])) : first;
  fillLists(target, seoList.length, seo, senPos.map(toPy));
  return target;
}
