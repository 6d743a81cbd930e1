/**
 * Why a day's input cannot become an L1C file (PROCESSING.md 3.8). The caller records the day as FAILED
 * with error_type = the class name and error_message = the one-line message; `code` is stable for
 * programs. A day with no usable record is not an error: the builder reports it as no data.
 */
import { ReachUdlError } from '../errors.js';

export type L1cInputCode =
  /** A record without the descriptor column (CSV) or key (JSON). */
  | 'ERR_L1C_NO_DESCRIPTOR'
  /** Records with different descriptors (a blank one counts as a value). */
  | 'ERR_L1C_MIXED_DESCRIPTORS'
  /** An idSensor not of the form REACH-<int>. */
  | 'ERR_L1C_BAD_SENSOR_ID'
  /** An empty seoList. */
  | 'ERR_L1C_EMPTY_SEO_LIST'
  /** A senPos with fewer than 3 items. */
  | 'ERR_L1C_SHORT_SEN_POS'
  /** A lat/lon/alt/obQuality/senPos value that is not a number. */
  | 'ERR_L1C_NOT_NUMERIC'
  /** An obTime that is not an ISO UTC time. */
  | 'ERR_L1C_BAD_OBTIME'
  /** A seoList/senPos cell that is not a Python (or JSON) literal of the expected shape. */
  | 'ERR_L1C_BAD_LITERAL';

export class L1cInputError extends ReachUdlError {
  readonly exitClass = 'failed';
  constructor(
    readonly code: L1cInputCode,
    message: string,
  ) {
    super(message);
  }
}

/** A caller's mistake (bad day, sensor selection, version text), not the data's. */
export class L1cOptionsError extends ReachUdlError {
  readonly code = 'ERR_L1C_OPTIONS';
  readonly exitClass = 'internal';
}

/** A value quoted for a one-line message: JSON quoting (no raw newlines), at most 40 characters of it. */
export function quote(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}
