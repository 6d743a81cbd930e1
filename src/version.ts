/** reach-udl's own version, from package.json: for --version and the files it writes. */
import { createRequire } from 'node:module';

export const VERSION = (createRequire(import.meta.url)('../package.json') as { version: string }).version;
