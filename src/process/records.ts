/**
 * An input artifact's records, one L1cRecord at a time, through the format's reader: columnar batches
 * of just the fields the product needs, no object per record, the file never held whole. CSV cells that
 * hold nested values may be JSON or the reference tool's Python literals.
 */
import { basename } from 'node:path';
import { ReachUdlError } from '../errors.js';
import { ArtifactReadError, formatByName, type OutputFormat } from '../formats/index.js';
import { newL1cRecord, NUM, type L1cRecord } from '../l1c/index.js';

export type RecordSink = (record: L1cRecord) => void;

/** The input file does not parse as its format says (cut short, not CSV, not a JSON array). */
export class InputFormatError extends ReachUdlError {
  readonly code = 'ERR_INPUT_FORMAT';
  readonly exitClass = 'failed';
}

const FIELDS = [
  'idSensor',
  'observatoryName',
  'obTime',
  'createdAt',
  'descriptor',
  'lat',
  'lon',
  'alt',
  'seoList[0].obDescription',
  'seoList[0].obValue',
  'seoList[0].obQuality',
  'senPos[0]',
  'senPos[1]',
  'senPos[2]',
] as const;

/** The fields read as numbers straight from the bytes where they can be (L1cRecord.numbers, in NUM order). */
const NUMBERS = ['lat', 'lon', 'alt', 'seoList[0].obValue', 'seoList[0].obQuality', 'senPos[0]', 'senPos[1]', 'senPos[2]'] as const;
/** Where each of NUMBERS is among FIELDS (its slot in a batch). */
const NUMBER_SLOTS = NUMBERS.map((f) => FIELDS.indexOf(f));

/** Whether a numeric field has a value: a number read from its bytes, or text. */
function given(text: string, num: number): boolean {
  return text !== '' || !Number.isNaN(num);
}

export async function readL1cRecords(path: string, format: OutputFormat, onRecord: RecordSink): Promise<void> {
  const r = newL1cRecord();
  const numbers = r.numbers;
  try {
    for await (const b of formatByName(format).read(path, { fields: FIELDS, numbers: NUMBERS, reuse: true })) {
      const nums = NUMBER_SLOTS.map((slot) => b.numbers[slot]!);
      const [idSensor, observatory, obTime, createdAt, descriptor, lat, lon, alt, desc, value, quality, p0, p1, p2] = b.columns as [
        string[],
        string[],
        string[],
        string[],
        string[],
        string[],
        string[],
        string[],
        string[],
        string[],
        string[],
        string[],
        string[],
        string[],
      ];
      for (let i = 0; i < b.count; i++) {
        r.idSensor = idSensor[i]!;
        r.observatoryName = observatory[i]!;
        r.obTime = obTime[i]!;
        r.createdAt = createdAt[i]!;
        // The reader gives "" for a missing value and a blank one alike; neither can name UDL_Source.
        r.descriptor = descriptor[i] === '' ? undefined : descriptor[i];
        r.lat = lat[i]!;
        r.lon = lon[i]!;
        r.alt = alt[i]!;
        r.obDescription = desc[i]!;
        r.obValue = value[i]!;
        r.obQuality = quality[i]!;
        r.senPos0 = p0[i]!;
        r.senPos1 = p1[i]!;
        r.senPos2 = p2[i]!;
        for (let k = 0; k < NUMBERS.length; k++) numbers[k] = nums[k]![i]!;
        // An empty seoList reads as three blanks; a senPos shorter than 3 as a blank third item.
        r.seoCount = r.obDescription === '' && !given(r.obValue, numbers[NUM.obValue]!) && !given(r.obQuality, numbers[NUM.obQuality]!) ? 0 : 1;
        r.senPosCount = given(r.senPos2, numbers[NUM.senPos2]!) ? 3 : given(r.senPos1, numbers[NUM.senPos1]!) ? 2 : given(r.senPos0, numbers[NUM.senPos0]!) ? 1 : 0;
        onRecord(r);
      }
    }
  } catch (err) {
    if (err instanceof ArtifactReadError) throw new InputFormatError(`${basename(path)} does not parse as ${format}: ${err.detail}`);
    throw err;
  }
}
