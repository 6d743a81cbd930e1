/**
 * Keeps the database password out of every message that leaves the module. A postgres:// URL carries the
 * password in three spellings (as typed in the URL, decoded, re-encoded), and errors from the URL parser
 * or the driver can echo the whole URL, so all of them are replaced.
 */

const MASK = '[redacted]';
/** Below this, replacing the password's text would also mangle ordinary words: withhold the message instead. */
const MIN_FORM = 4;

export class Redactor {
  private readonly forms: string[];
  private readonly withhold: boolean;

  constructor(secrets: readonly string[]) {
    const forms = [...new Set(secrets.filter((s) => s.length > 0))];
    this.withhold = forms.some((f) => f.length < MIN_FORM);
    // Longest first, so the whole URL is masked before the password inside it.
    this.forms = forms.sort((a, b) => b.length - a.length);
  }

  redact(text: string): string {
    if (this.withhold && this.forms.some((f) => text.includes(f))) return `${MASK} (message withheld: it contained the database password)`;
    let out = text;
    for (const form of this.forms) out = out.split(form).join(MASK);
    return out;
  }
}

/** Every spelling of the URL's password that a message could contain, and the URL itself. */
export function urlSecrets(rawUrl: string, url: URL | undefined): string[] {
  // Without a password the URL is not secret; a URL that does not parse is never echoed at all.
  if (!url || url.password === '') return [];
  const secrets = [rawUrl, url.password];
  try {
    const decoded = decodeURIComponent(url.password);
    secrets.push(decoded, encodeURIComponent(decoded));
  } catch {
    // A malformed %-escape: the URL is rejected anyway, and its raw spelling is already listed.
  }
  return secrets;
}
