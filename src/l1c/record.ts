/**
 * One input record as the L1C builder takes it: the fields PROCESSING.md 3.2 lists, as the text of the
 * CSV cell or JSON value (a JSON number as its decimal text). A reader fills one object and passes it for
 * every record; the builder keeps nothing of it, so the strings may be slices of a large parsed chunk.
 */
export interface L1cRecord {
  idSensor: string;
  observatoryName: string;
  obTime: string;
  createdAt: string;
  /** undefined when the artifact has no descriptor column (CSV) or key (JSON); '' is a blank value. */
  descriptor: string | undefined;
  /** Empty text = missing (written as fill), as for the other numeric fields. */
  lat: string;
  lon: string;
  alt: string;
  /** Number of entries in seoList; 0 fails the day. The next three come from seoList[0] ('' if absent). */
  seoCount: number;
  obDescription: string;
  /** Text that is not a number becomes fill. */
  obValue: string;
  obQuality: string;
  /** Number of items in senPos; fewer than 3 fails the day. The next three are senPos[0..2] ('' if absent). */
  senPosCount: number;
  senPos0: string;
  senPos1: string;
  senPos2: string;
  /**
   * The numeric fields as numbers, in NUM order, where the reader read them straight from the bytes;
   * NaN where it did not, and the text field is then the value (it is '' where the number is given).
   */
  numbers: Float64Array;
}

/** Where each numeric field is in L1cRecord.numbers. */
export const NUM = { lat: 0, lon: 1, alt: 2, obValue: 3, obQuality: 4, senPos0: 5, senPos1: 6, senPos2: 7 } as const;

/** A blank record to fill and reuse. */
export function newL1cRecord(): L1cRecord {
  return {
    idSensor: '',
    observatoryName: '',
    obTime: '',
    createdAt: '',
    descriptor: undefined,
    lat: '',
    lon: '',
    alt: '',
    seoCount: 0,
    obDescription: '',
    obValue: '',
    obQuality: '',
    senPosCount: 0,
    senPos0: '',
    senPos1: '',
    senPos2: '',
    numbers: new Float64Array(8).fill(Number.NaN),
  };
}
