/** The embedded UDL simulator: synthetic REACH data over the UDL REST subset the client uses. */

export { startSim, SimListenError, DATA_PATH, COUNT_PATH, type RunningSim } from './server.js';
export { STATS_PATH, STATS_RESET_PATH, CLOCK_PATH } from './control.js';
export type { SimStats } from './stats.js';
export { SimClock, ClockRequestError, parseClockChange, parseClockRequest, type ClockChange, type ClockReading } from './clock.js';
export { isLateHour, hourVisible, lateArrival, type VisibilityConfig } from './visibility.js';
export {
  resolveSimOptions,
  parseDay,
  SimConfigError,
  DEFAULT_MAX_RESULTS,
  DEFAULT_SLOW_MS,
  DEFAULT_DESCRIPTORS,
  DEFAULT_DATA_START,
  DEFAULT_DATA_END,
  DEFAULT_LATE_MS,
  type SimOptions,
  type ResolvedSimOptions,
} from './options.js';
export { Dataset, type DatasetConfig, type RecordFilter } from './data.js';
export { RecordCursor } from './cursor.js';
export { DATA_MODE, SOURCE, type Selection } from './records.js';
export { TICK_MS, HOUR_MS, DAY_MS, TICKS_PER_HOUR, TICKS_PER_DAY, extraOffsetMs } from './timeline.js';
export {
  QueryError,
  parseUdlTime,
  formatUdlTime,
  parseObTime,
  parseSpaceEnvQuery,
  type TimeBounds,
  type SpaceEnvQuery,
} from './query.js';
export { createPrng, FaultPlan, FAULT_KINDS, type Prng, type Fault, type FaultKind, type FaultShares } from './faults.js';
export { TokenBucket, retryAfterSeconds, type Clock, type TakeResult } from './throttle.js';
export { loadSensors, sensorIdentity, SensorListError, type SensorSpec, type SensorIdentity } from './sensors.js';
