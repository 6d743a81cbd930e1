/** reach-udl as a library: the download orchestrator, its configuration, and the pieces worth reusing. */
export { runDownload } from './download/run.js';
export type { DayDownloader, DayDownloadResult, TelemetrySink, RunDeps, RunEvent, RunSummary, DayOutcome } from './download/run.js';
export { Redactor } from './redact.js';
export { validateDownloadOptions, DOWNLOAD_DEFAULTS, type DownloadConfig, type RawDownloadOptions } from './config/download.js';
export { UsageError, ReachUdlError, type ExitClass } from './errors.js';
export { dayRange, dayWindow, type DayWindow } from './plan/dates.js';
export { planWindows, obTimeRange, expectedRecords, EXPECTED_ALL_DAY, EXPECTED_PER_SENSOR_DAY } from './plan/windows.js';
export { decideDay, planDays, describeReason, type DayDecision, type DayReason } from './plan/decide.js';
export { afterPage, type PageRequest, type PageStep } from './plan/paging.js';
export { LEDGER_COLUMNS, type LedgerRow, type LedgerStatus } from './ledger/schema.js';
export { readLedger, parseLedger, latestByDay, LedgerFormatError } from './ledger/read.js';
export { LedgerWriter } from './ledger/write.js';
export { artifactName } from './artifacts/naming.js';
export { resolveCredential, Credential, ConfigError } from './udl/auth.js';
export { UdlClient, type UdlQuery } from './udl/client.js';
export * from './udl/errors.js';
export { startSim, type RunningSim, type SimOptions, type SimStats } from './sim/index.js';
