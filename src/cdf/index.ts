/** CDF v3: a self-contained writer and reader (zVariables, typed attribute entries, GZIP) and TT2000 time. */
export {
  CdfEncoding,
  CdfFormatError,
  CdfSpecError,
  CdfType,
  CdfUnsupportedError,
  CdfWriteError,
  entry,
  TYPE_INFO,
  type CdfEntry,
  type CdfGlobalAttributeSpec,
  type CdfNumericArray,
  type CdfSpec,
  type CdfValues,
  type CdfVariableSpec,
} from './types.js';
export { encodeCdf, writeCdf } from './writer.js';
export { readCdf, type CdfFile, type CdfGlobalAttribute, type CdfReadEntry, type CdfVariable } from './reader.js';
export { TT2000_FILL, TT2000_PAD, Tt2000Error, tt2000ToUtc, tt2000ToUtcMs, utcMsToTt2000, utcToTt2000 } from './tt2000.js';
export { LEAP_SECONDS, LEAP_SECONDS_LAST_UPDATED } from './leap-seconds.js';
