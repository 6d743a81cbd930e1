/**
 * The CLI's one output sink: stdout and stderr pass through a single redactor, which every command feeds
 * with the credential it resolves (see udl/connect.ts). Installed once, before any command runs.
 */
import { Redactor, installOutputSink } from '../redact.js';

export const cliRedactor = new Redactor();

export function installCliSink(): void {
  installOutputSink(cliRedactor);
}
