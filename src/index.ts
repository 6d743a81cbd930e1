/**
 * reach-udl as a library: the same capabilities as the CLI. Everything else under src/ is internal and
 * may change between versions.
 */
export { runDownload } from './download/run.js';
export type { DayDownloader, DayDownloadResult, TelemetrySink, RunDeps, RunEvent, RunSummary, DayOutcome, StopPoint } from './download/run.js';
export { validateDownloadOptions, DOWNLOAD_DEFAULTS, type DownloadConfig, type RawDownloadOptions } from './config/download.js';
export { LEDGER_COLUMNS, type LedgerRow, type LedgerStatus } from './ledger/schema.js';
export { readLedger, latestByDay } from './ledger/read.js';
export { startSim, type RunningSim, type SimOptions, type SimStats } from './sim/index.js';

// The errors a caller may want to catch, each with a stable `code` and an `exitClass`.
export { ReachUdlError, UsageError, StoppedError, type ExitClass } from './errors.js';
export { LockedError } from './artifacts/lock.js';
export { IncompleteDayError } from './download/day.js';
export { UdlAuthError, UdlThrottledError } from './udl/errors.js';
