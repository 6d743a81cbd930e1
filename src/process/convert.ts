/**
 * One day's input artifact -> its L1C CDF: records streamed into the builder, the product encoded and
 * written through the output store (temp file beside the target, fsync, rename), never a partial file.
 */
import { encodeCdf } from '../cdf/index.js';
import { ReachUdlError, stoppedError } from '../errors.js';
import { L1cBuilder, l1cCdfSpec, l1cKey, l1cMode, type L1cRecord, type L1cStats } from '../l1c/index.js';
import type { ArtifactStore } from '../store/store.js';
import { VERSION } from '../version.js';
import { readL1cRecords } from './records.js';
import type { OutputFormat } from '../formats/index.js';

/** A record the run's selection cannot hold: another sensor in a single-sensor file, or no REACH sensor at all. */
export class UnexpectedSensorError extends ReachUdlError {
  readonly code = 'ERR_L1C_UNKNOWN_SENSOR';
  readonly exitClass = 'failed';
}

export interface ConvertOptions {
  inputPath: string;
  /** The input artifact's format (its extension). */
  format: OutputFormat;
  day: string;
  sensorId: string;
  /** The REACH sensor ids there are (data/sensors.json). */
  knownSensors: ReadonlySet<string>;
  output: ArtifactStore;
  /** Tells this process's temp files apart. */
  tag: string;
  generatedAt: Date;
  signal?: AbortSignal | undefined;
}

export type ConvertResult =
  | { kind: 'no-data'; stats: L1cStats }
  | { kind: 'cdf'; stats: L1cStats; key: string; path: string; bytes: number };

/** How often a long conversion looks at the stop signal. */
const SIGNAL_EVERY = 1 << 16;

export async function convertDay(o: ConvertOptions): Promise<ConvertResult> {
  const builder = new L1cBuilder(o.day);
  let n = 0;
  // The idSensor checked last: a sensor's records come in pairs (its two dosimeters), so half the
  // records need no lookup.
  let checked: string | undefined;
  await readL1cRecords(o.inputPath, o.format, (r: L1cRecord) => {
    if (++n % SIGNAL_EVERY === 0 && o.signal?.aborted) throw stoppedError(o.signal);
    if (r.idSensor !== checked) {
      checkSensor(r, n, o);
      checked = r.idSensor;
    }
    builder.add(r);
  });
  const result = builder.finish();
  if (result.kind === 'no-data') return { kind: 'no-data', stats: result.stats };
  const spec = l1cCdfSpec(result.product, { sensorId: o.sensorId, generatedAt: o.generatedAt, softwareVersion: VERSION, swxsocVersion: VERSION, reachVersion: VERSION });
  const key = l1cKey(l1cMode(o.sensorId), o.day);
  const writer = await o.output.create(key, o.tag);
  try {
    for (const part of encodeCdf(spec)) writer.append(part);
    const stored = await writer.commit();
    return { kind: 'cdf', stats: result.stats, key, path: o.output.locate(key), bytes: stored.size };
  } catch (err) {
    await writer.abort();
    throw err;
  }
}

function checkSensor(r: L1cRecord, index: number, o: ConvertOptions): void {
  // An empty idSensor is the builder's: it imputes one from observatoryName or drops the record.
  if (r.idSensor === '') return;
  if (!o.knownSensors.has(r.idSensor)) {
    throw new UnexpectedSensorError(`record ${index} has idSensor ${JSON.stringify(r.idSensor)}, which is not a REACH sensor`);
  }
  if (o.sensorId !== 'ALL' && r.idSensor !== o.sensorId) {
    throw new UnexpectedSensorError(`record ${index} is from ${r.idSensor}, but the input is ${o.sensorId}'s file`);
  }
}
