#!/usr/bin/env -S MALLOC_ARENA_MAX=1 node --single-threaded --max-semi-space-size=1 --expose-gc
// The environment and the flags: see CLI_NODE_ENV and CLI_NODE_FLAGS in ./runtime.ts.
import { Command, CommanderError } from 'commander';
import { downloadCommand } from './download-command.js';
import { processCommand } from './process-command.js';
import { ledgerCommand } from './ledger-command.js';
import { simCommand } from './sim-command.js';
import { verifyCommand } from './verify-command.js';
import { statusCommand } from './status-command.js';
import { reportCommand } from './report-command.js';
import { fail, EXIT } from './output.js';
import { installCliSink } from './sink.js';
import { VERSION } from '../version.js';

installCliSink();

const program = new Command('reach-udl')
  .description('Backfill REACH space-weather dosimeter data from the Unified Data Library (UDL), one file per UTC day.')
  .version(VERSION)
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

const commands: Array<[Command, string]> = [
  [downloadCommand(), 'backfill a date range, one file per UTC day, resumable'],
  [processCommand(), 'turn each downloaded day into its L1C CDF file, optionally uploaded to S3'],
  [statusCommand(), 'what the ledger says of each day, and what a rerun would fetch'],
  [reportCommand(), 'self-contained HTML report: sensor-day heatmap, availability, problem days'],
  [verifyCommand(), 'check the downloaded files against the ledger and the server'],
  [ledgerCommand(), 'move a ledger between the CSV file and the coordinator (PostgreSQL)'],
  [simCommand(), 'run the embedded UDL simulator on 127.0.0.1'],
];
for (const [command, summary] of commands) {
  // Subcommands added whole do not inherit exitOverride; without it commander exits 1 on usage errors.
  program.addCommand(command.summary(summary).copyInheritedSettings(program));
}

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // Help and version exit 0; every other parse problem is a usage error.
    process.exit(err.exitCode === 0 ? 0 : EXIT.USAGE);
  }
  fail(err);
}
