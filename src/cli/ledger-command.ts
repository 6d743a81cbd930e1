/**
 * `reach-udl ledger import|export`: moving a backfill's ledger between the CSV file (the embedded default)
 * and the coordinator's table, both ways, without losing or doubling a row (import is idempotent; export
 * is byte for byte what the CSV ledger would hold).
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Command, Option } from 'commander';
import { validateCoordinator, type RawCoordinatorOptions } from '../config/coordinator.js';
import { DESCRIPTORS, validateSensorId } from '../config/download.js';
import { DEFAULT_FORMAT, FORMAT_NAMES } from '../formats/index.js';
import { oneOf } from '../config/values.js';
import { UsageError } from '../errors.js';
import { addCoordinatorOptions } from './coordinator-options.js';
import { fail } from './output.js';
import { cliRedactor } from './sink.js';
import { outputLocation } from '../store/open.js';

interface LedgerFlags extends RawCoordinatorOptions {
  outputDir: string;
  telemetryFile?: string;
  sensorId: string;
  descriptor: string;
  outputFormat: string;
  out?: string;
}

function backfillOptions(cmd: Command): Command {
  addCoordinatorOptions(cmd, false)
    .requiredOption('--output-dir <dir|s3-url>', "the backfill's output location, spelled as its workers spell it")
    .option('--sensor-id <id>', 'the backfill: ALL or REACH-nnn', 'ALL')
    .addOption(new Option('--descriptor <name>', 'the backfill: data product').choices([...DESCRIPTORS]).default('QUICKLOOK'))
    .addOption(new Option('--output-format <fmt>', 'the backfill: file format').choices(FORMAT_NAMES).default(DEFAULT_FORMAT));
  return cmd;
}

async function session(f: LedgerFlags) {
  const settings = validateCoordinator(f);
  if (!settings) throw new UsageError('--coordinator (or REACH_UDL_COORDINATOR) is required');
  cliRedactor.addSecrets(settings.secrets);
  const { openSession } = await import('../coord/session.js');
  return openSession(settings, {
    sensorId: validateSensorId(f.sensorId),
    descriptor: oneOf('--descriptor', f.descriptor, DESCRIPTORS),
    outputFormat: oneOf('--output-format', f.outputFormat, FORMAT_NAMES),
    outputLocation: outputLocation(f.outputDir),
  });
}

export function ledgerCommand(): Command {
  const importCmd = backfillOptions(new Command('import'))
    .description("Copy a CSV ledger's rows into the coordinator's table for the backfill; rows already there are not added again.")
    .option('--telemetry-file <file>', 'the CSV ledger (default: <output-dir>/download_telemetry.csv)')
    .action(async (f: LedgerFlags) => {
      try {
        const file = f.telemetryFile ? resolve(f.telemetryFile) : join(resolve(f.outputDir), 'download_telemetry.csv');
        const text = await readFile(file, 'utf8');
        const s = await session(f);
        try {
          const { importCsv } = await import('../coord/ledger-csv.js');
          const r = await importCsv(s.db, s.table, text, file);
          process.stdout.write(`read=${r.read} added=${r.added} present=${r.present} foreign=${r.foreign}\n`);
        } finally {
          await s.close();
        }
      } catch (err) {
        fail(err);
      }
    });
  const exportCmd = backfillOptions(new Command('export'))
    .description("Write the backfill's ledger from the coordinator as the CSV ledger, byte for byte as download would have written it.")
    .option('--out <file>', 'write it here (atomically) instead of to stdout')
    .action(async (f: LedgerFlags) => {
      try {
        const s = await session(f);
        try {
          const { exportCsv } = await import('../coord/ledger-csv.js');
          const csv = await exportCsv(s.table);
          if (f.out) await (await import('../artifacts/fsutil.js')).writeFileAtomic(resolve(f.out), csv);
          else process.stdout.write(csv);
        } finally {
          await s.close();
        }
      } catch (err) {
        fail(err);
      }
    });
  return new Command('ledger')
    .description('Move a backfill\'s ledger between the CSV file and the coordinator (PostgreSQL), both ways.')
    .addCommand(importCmd.exitOverride())
    .addCommand(exportCmd.exitOverride());
}
