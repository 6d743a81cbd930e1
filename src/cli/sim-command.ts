/** `reach-udl sim`: runs the embedded UDL simulator until SIGINT or SIGTERM. */

import { Command, InvalidArgumentError, Option, type ErrorOptions } from 'commander';

// The simulator itself is loaded only when `sim` runs: every other command starts without it.
import {
  DEFAULT_DATA_END,
  DEFAULT_DATA_START,
  DEFAULT_DESCRIPTORS,
  DEFAULT_LATE_MS,
  DEFAULT_MAX_RESULTS,
  DEFAULT_SLOW_MS,
  parseDay,
  SimConfigError,
  type SimOptions,
} from '../sim/options.js';
import { parseUdlTime } from '../sim/query.js';
import type { SimStats } from '../sim/stats.js';

/** Exit code and error code of a runtime failure, as opposed to a usage error. */
const LISTEN_FAILED = { exitCode: 1, code: 'reach-udl.simListen' } as const;

/**
 * Commander's own errors (unknown option, bad value, ...) are usage errors: exit 2 as the
 * CLI promises, instead of commander's 1.
 */
class SimCommand extends Command {
  override error(message: string, errorOptions?: ErrorOptions): never {
    const runtime = errorOptions?.code === LISTEN_FAILED.code;
    return super.error(message, { ...errorOptions, exitCode: runtime ? LISTEN_FAILED.exitCode : 2 });
  }
}

function number(min: number, max = Infinity, integer = false): (text: string) => number {
  return (text) => {
    const n = text.trim() === '' ? NaN : Number(text);
    if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
      const kind = integer ? 'an integer' : 'a number';
      throw new InvalidArgumentError(max === Infinity ? `expected ${kind} >= ${min}.` : `expected ${kind} from ${min} to ${max}.`);
    }
    return n;
  };
}

const share = number(0, 1);

function day(text: string): string {
  try {
    parseDay('day', text);
  } catch (err) {
    if (err instanceof SimConfigError) throw new InvalidArgumentError('expected a day as YYYY-MM-DD.');
    throw err;
  }
  return text;
}

function days(text: string): string[] {
  return text
    .split(',')
    .map((d) => d.trim())
    .filter((d) => d !== '')
    .map(day);
}

/** `--now`: a UTC time like obTime, as epoch ms. */
function instant(text: string): number {
  try {
    return parseUdlTime(text);
  } catch {
    throw new InvalidArgumentError('expected a UTC time like 2026-01-01T12:00:00.000Z.');
  }
}

function descriptors(text: string): string[] {
  const list = text.split(',').map((d) => d.trim());
  if (list.some((d) => !/^[A-Z][A-Z0-9_]*$/.test(d))) {
    throw new InvalidArgumentError('expected a comma-separated list like QUICKLOOK,PROVISIONAL.');
  }
  return list;
}

interface SimFlags {
  port: number;
  sensors?: number;
  descriptors?: string[];
  rate?: number;
  burst?: number;
  maxResults?: number;
  latencyMs?: number;
  perRowUs?: number;
  emptyDays?: string[];
  gapShare?: number;
  subsecondShare?: number;
  fail5xx?: number;
  reset?: number;
  truncate?: number;
  slow?: number;
  slowMs?: number;
  echo500?: number;
  countLie?: string;
  seed?: number;
  auth?: string;
  dataStart?: string;
  dataEnd?: string;
  now?: number;
  realtime?: boolean;
  lateShare?: number;
  lateMs?: number;
  duplicateShare?: number;
  conflictShare?: number;
  badObtimeShare?: number;
  gzipLevel?: number;
}

function toSimOptions(f: SimFlags): SimOptions {
  return {
    port: f.port,
    sensors: f.sensors,
    descriptors: f.descriptors,
    rate: f.rate,
    burst: f.burst,
    maxResults: f.maxResults,
    latencyMs: f.latencyMs,
    perRowUs: f.perRowUs,
    emptyDays: f.emptyDays,
    gapShare: f.gapShare,
    subSecondShare: f.subsecondShare,
    fail5xx: f.fail5xx,
    reset: f.reset,
    truncate: f.truncate,
    slow: f.slow,
    slowMs: f.slowMs,
    echo500: f.echo500,
    countLie: f.countLie,
    seed: f.seed,
    auth: f.auth,
    dataStart: f.dataStart,
    dataEnd: f.dataEnd,
    realtime: f.realtime,
    lateShare: f.lateShare,
    lateMs: f.lateMs,
    duplicateShare: f.duplicateShare,
    conflictShare: f.conflictShare,
    badObTimeShare: f.badObtimeShare,
    gzipLevel: f.gzipLevel,
  };
}

function describe(f: SimFlags): string {
  const faults = (['fail5xx', 'reset', 'truncate', 'slow', 'echo500'] as const)
    .filter((k) => (f[k] ?? 0) > 0)
    .map((k) => `${k}=${f[k]}`);
  return [
    `sensors=${f.sensors ?? 'all'}`,
    `rate=${f.rate === undefined ? 'unlimited' : `${f.rate}/s`}`,
    `maxResults=${f.maxResults ?? DEFAULT_MAX_RESULTS}`,
    `faults=${faults.length > 0 ? faults.join(',') : 'none'}`,
    `auth=${f.auth === undefined ? 'off' : 'required'}`,
    ...modes(f),
  ].join(' ');
}

/** The behaviours that are off by default, listed only when on. */
function modes(f: SimFlags): string[] {
  const records = (
    [
      ['duplicate', f.duplicateShare],
      ['conflict', f.conflictShare],
      ['badObTime', f.badObtimeShare],
    ] as const
  ).flatMap(([name, value]) => ((value ?? 0) > 0 ? [`${name}=${value}`] : []));
  const out: string[] = [];
  if (f.realtime === true) out.push('realtime=on');
  if ((f.lateShare ?? 0) > 0) out.push(`late=${f.lateShare}@${f.lateMs ?? DEFAULT_LATE_MS}ms`);
  if (f.now !== undefined) out.push(`now=${new Date(f.now).toISOString()}(stopped)`);
  if (records.length > 0) out.push(`records=${records.join(',')}`);
  if (f.countLie !== undefined) out.push('countLie=on');
  if ((f.gzipLevel ?? 0) > 0) out.push(`gzip=${f.gzipLevel}`);
  return out;
}

function summary(s: SimStats): string {
  return (
    `${s.requests.total} requests (${s.dataRequests} data, ${s.countRequests} count), ` +
    `${s.status429} throttled, ${s.rowsServed} rows, ${(s.bytesServed / 1e6).toFixed(1)} MB` +
    (s.gzipResponses > 0 ? ` (${(s.bytesOnWire / 1e6).toFixed(1)} MB on the wire)` : '')
  );
}

/** Builds the `sim` subcommand; the CLI entry point registers it with `program.addCommand`. */
export function simCommand(): Command {
  const cmd = new SimCommand('sim');
  cmd
    .description(
      'Run the embedded UDL simulator: synthetic REACH dosimeter records over the UDL REST subset ' +
        '(spaceenvobservation and its /count) on 127.0.0.1, with optional throttling, gaps and faults. ' +
        'Prints "reach-udl sim listening on <url>" on stdout once it accepts connections; stops on SIGINT or SIGTERM.',
    )
    .addOption(new Option('--port <n>', 'TCP port on 127.0.0.1 (0 = any free port)').default(0).argParser(number(0, 65_535, true)))
    .addOption(new Option('--sensors <n>', 'serve the first n sensors of data/sensors.json (default: all)').argParser(number(1, Infinity, true)))
    .addOption(new Option('--descriptors <list>', `descriptors served (default: ${DEFAULT_DESCRIPTORS.join(',')})`).argParser(descriptors))
    .addOption(new Option('--rate <perSecond>', 'token-bucket rate limit over the UDL endpoints; 429 + Retry-After beyond it (default: unlimited)').argParser(number(Number.MIN_VALUE)))
    .addOption(new Option('--burst <n>', 'token-bucket capacity (default: max(1, rate))').argParser(number(1)))
    .addOption(new Option('--max-results <n>', `row cap per response; larger maxResults are silently lowered (default: ${DEFAULT_MAX_RESULTS})`).argParser(number(1, Infinity, true)))
    .addOption(new Option('--latency-ms <ms>', 'delay before each UDL answer (default: 0)').argParser(number(0)))
    .addOption(new Option('--per-row-us <us>', 'extra delay per row of a data answer, in microseconds (default: 0)').argParser(number(0)))
    .addOption(new Option('--empty-days <days>', 'comma-separated UTC days (YYYY-MM-DD) without any data').argParser(days))
    .addOption(new Option('--gap-share <share>', 'about this share (0..1) of sensor-hours missing, in per-sensor-day outages (default: 0)').argParser(share))
    .addOption(new Option('--subsecond-share <share>', 'extra records at sub-second obTimes, as a share (0..1) of regular ones (default: 0)').argParser(share))
    .addOption(new Option('--fail-5xx <share>', 'share (0..1) of data requests answered 500/502/503 (default: 0)').argParser(share))
    .addOption(new Option('--reset <share>', 'share (0..1) of data requests whose connection is reset (default: 0)').argParser(share))
    .addOption(new Option('--truncate <share>', 'share (0..1) of data requests whose body is cut short (default: 0)').argParser(share))
    .addOption(new Option('--slow <share>', 'share (0..1) of data requests answered only after --slow-ms (default: 0)').argParser(share))
    .addOption(new Option('--slow-ms <ms>', `delay of slow answers (default: ${DEFAULT_SLOW_MS})`).argParser(number(0)))
    .addOption(new Option('--echo-500 <share>', 'share (0..1) of data requests answered 500 with a JSON body echoing the request headers, Authorization included (default: 0)').argParser(share))
    .addOption(new Option('--count-lie <text>', '/count answers this text instead of the truth, e.g. 1e23; data pages stay truthful (default: the truth)'))
    .addOption(new Option('--seed <n>', 'seed of faults, gaps, sub-second records, late hours and duplicate, conflicting or bad-obTime records (default: 1)').argParser(number(-(2 ** 31), 2 ** 32 - 1, true)))
    .addOption(new Option('--auth <header>', 'require this exact Authorization header value, e.g. "Basic dXNlcjpwYXNz" (default: no auth)').env('SIM_AUTH'))
    .addOption(new Option('--data-start <day>', `first UTC day with data (default: ${DEFAULT_DATA_START})`).argParser(day))
    .addOption(new Option('--data-end <day>', `first UTC day without data (default: ${DEFAULT_DATA_END})`).argParser(day))
    .addOption(new Option('--realtime', 'only records with obTime <= the simulator\'s now exist, as on a live UDL (default: off)'))
    .addOption(new Option('--late-share <share>', 'share (0..1) of sensor-hours that arrive late: a gap until --late-ms after the hour ends (default: 0)').argParser(share))
    .addOption(new Option('--late-ms <ms>', `delay after the end of its hour before a late sensor-hour appears (default: ${DEFAULT_LATE_MS})`).argParser(number(0)))
    .addOption(new Option('--duplicate-share <share>', 'share (0..1) of regular records sent twice in a row, byte-identical; /count counts both (default: 0)').argParser(share))
    .addOption(new Option('--conflict-share <share>', 'share (0..1) of regular records followed by a twin with the same id and another obValue (default: 0)').argParser(share))
    .addOption(new Option('--bad-obtime-share <share>', 'share (0..1) of regular records whose obTime is not a time, e.g. 2026-13-45T99:99:99.999Z (default: 0)').argParser(share))
    .addOption(new Option('--gzip-level <n>', 'answer data pages and counts with Content-Encoding: gzip at this zlib level when the request accepts gzip; 0 = never (default: 0)').argParser(number(0, 9, true)))
    .addOption(new Option('--now <time>', 'start with the clock stopped at this UTC time, e.g. 2026-01-02T06:00:00.000Z (default: real time); move it with POST /_sim/clock').argParser(instant))
    .addHelpText(
      'after',
      `
Endpoints:
  GET /udl/spaceenvobservation?obTime=A..B&idSensor=&source=&dataMode=&descriptor=&sort=obTime&firstResult=&maxResults=
  GET /udl/spaceenvobservation/count?<same filters>
  GET /_sim/stats          counters and the clock's now as JSON (no auth)
  POST /_sim/stats/reset   counters as JSON, then zeroed
  GET /_sim/clock          {"now":"<ISO>","nowMs":n,"frozen":bool} (no auth)
  POST /_sim/clock         one of now=<ISO> (stop the clock there), offsetMs=<n> (run at real
                           time + n), advanceMs=<n> (move by n); as query, form or JSON body;
                           answers the new reading

Examples:
  reach-udl sim --port 8080
  reach-udl sim --rate 5 --burst 10 --fail-5xx 0.05 --reset 0.02 --seed 7
  SIM_AUTH="Basic dXNlcjpwYXNz" reach-udl sim --gap-share 0.1 --subsecond-share 0.01
  reach-udl sim --realtime --late-share 0.2 --late-ms 7200000 --now 2026-01-02T06:00:00.000Z`,
    )
    .action(async (flags: SimFlags) => {
      const { startSim, SimListenError } = await import('../sim/server.js');
      let sim;
      try {
        sim = await startSim(toSimOptions(flags));
      } catch (err) {
        if (err instanceof SimConfigError) cmd.error(`error: ${err.message}`);
        if (err instanceof SimListenError) cmd.error(`error: ${err.message}`, LISTEN_FAILED);
        throw err;
      }
      // Before announcing the URL, so that no request sees real time first.
      if (flags.now !== undefined) sim.setClock({ now: flags.now });
      process.stdout.write(`reach-udl sim listening on ${sim.url}\n`);
      process.stderr.write(`reach-udl sim: ${describe(flags)}\n`);
      const signal = await new Promise<NodeJS.Signals>((resolve) => {
        const onSignal = (s: NodeJS.Signals): void => {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
          resolve(s);
        };
        process.on('SIGINT', onSignal);
        process.on('SIGTERM', onSignal);
      });
      const stats = sim.stats();
      await sim.close();
      process.stderr.write(`reach-udl sim stopped (${signal}): ${summary(stats)}\n`);
    });
  return cmd;
}
