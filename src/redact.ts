/**
 * One redactor for everything that leaves the process: log lines, progress, errors, ledger rows. It
 * removes what would let someone use the credential (the header value, its base64 token, the decoded
 * `user:password` and the password alone), and nothing else: never the user name, never a short string
 * that would garble ordinary text (a path containing `reach` must stay readable).
 */
import type { Credential } from './udl/auth.js';

export const REDACTED = '[redacted]';

/** Shorter secrets are not searched for alone: they would match ordinary words; their longer forms still are. */
export const MIN_SECRET_LENGTH = 6;

export class Redactor {
  private forms: string[] = [];

  /** Registers a credential; its forms are redacted from then on. */
  add(credential: Credential): void {
    this.addSecrets(credential.secretForms());
  }

  /** Registers other secrets (a database password, a URL holding one). */
  addSecrets(secrets: readonly string[]): void {
    const forms = new Set([...this.forms, ...secrets.filter((f) => f.length >= MIN_SECRET_LENGTH)]);
    // Longest first, so the header value goes whole before its token would leave `Basic [redacted]` pieces.
    this.forms = [...forms].sort((a, b) => b.length - a.length);
  }

  apply(text: string): string {
    let out = text;
    for (const form of this.forms) if (out.includes(form)) out = out.split(form).join(REDACTED);
    return out;
  }

  /** Every field of a record of strings (a ledger row), redacted. */
  applyAll<T extends Record<string, string>>(record: T): T {
    if (!this.active) return record;
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, this.apply(v)])) as T;
  }

  get active(): boolean {
    return this.forms.length > 0;
  }
}

/**
 * Routes this process's stdout and stderr through the redactor: every byte the CLI prints, whoever prints
 * it (reporter, progress bar, error handler, a library's warning), passes here first.
 */
export function installOutputSink(redactor: Redactor): void {
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (!redactor.active) return write(chunk, ...rest);
      const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) || chunk instanceof Uint8Array ? Buffer.from(chunk).toString('utf8') : chunk;
      return write(typeof text === 'string' ? redactor.apply(text) : text, ...rest);
    });
  }
}
