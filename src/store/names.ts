/**
 * What an object name may be, the same for every store, so a name that works locally works on S3 and
 * no name can escape a directory, hide as a temp file, or land in the work dir.
 */
import { isTempName } from '../artifacts/naming.js';
import { StoreError } from './errors.js';

/** reach-udl's own files inside an output dir (lock, spool); never an artifact. Matches `workDir()`. */
export const WORK_DIR_NAME = '.reach-udl';

/** S3's key limit, with room left for a prefix. */
const MAX_NAME_BYTES = 900;

function nameProblem(name: string): string | undefined {
  if (name === '') return 'is empty';
  if (Buffer.byteLength(name) > MAX_NAME_BYTES) return `is longer than ${MAX_NAME_BYTES} bytes`;
  if (/[\\\0]/.test(name)) return 'holds a backslash or NUL';
  const segments = name.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..')) return "has an empty, '.' or '..' segment";
  if (segments[0] === WORK_DIR_NAME) return `is inside the ${WORK_DIR_NAME}/ work dir`;
  if (isTempName(segments[segments.length - 1] ?? '')) return 'looks like a temp file';
  return undefined;
}

/** Throws ERR_STORE_NAME unless `name` is a valid object name. */
export function checkName(name: string): void {
  const problem = nameProblem(name);
  if (problem) throw new StoreError('ERR_STORE_NAME', `object name ${JSON.stringify(name)} ${problem}`);
}

/** Whether a name found in storage is one the store would have written (lists skip the rest). */
export function isObjectName(name: string): boolean {
  return nameProblem(name) === undefined;
}

/** Tags end temp-file names, which `isTempName` recognises only with letters and digits. */
export function checkTag(tag: string): void {
  if (!/^[A-Za-z0-9]+$/.test(tag)) {
    throw new StoreError('ERR_STORE_NAME', `temp tag ${JSON.stringify(tag)} must be letters and digits only`);
  }
}

/** Checks a list prefix: any string an object name could start with. */
export function checkPrefix(prefix: string): void {
  if (/[\\\0]/.test(prefix) || prefix.startsWith('/')) {
    throw new StoreError('ERR_STORE_NAME', `list prefix ${JSON.stringify(prefix)} must be a relative '/'-separated name`);
  }
}

/** Throws ERR_STORE_RANGE for a range no store could serve: negative, fractional or reversed. */
export function checkRange(where: string, range: { start: number; end: number }): void {
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start) {
    throw new StoreError('ERR_STORE_RANGE', `${where}: invalid byte range ${start}-${end}`);
  }
}
