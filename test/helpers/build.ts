import { spawn } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const tsc = fileURLToPath(new URL('../../node_modules/typescript/bin/tsc', import.meta.url));

function compile(project: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [tsc, '-p', project], { cwd: root, stdio: 'inherit' });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`tsc -p ${project} failed (exit ${code}); see the errors above`))));
  });
}

async function* files(dir: string): AsyncGenerator<string> {
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* files(p);
    else yield p;
  }
}

/** Whether every source file has its compiled file in dist/, written after the source last changed. */
async function distIsCurrent(): Promise<boolean> {
  for await (const src of files(join(root, 'src'))) {
    if (!src.endsWith('.ts')) continue;
    const out = join(root, 'dist', relative(join(root, 'src'), src).replace(/\.ts$/, '.js'));
    const built = await stat(out).catch(() => undefined);
    if (!built || built.mtimeMs < (await stat(src)).mtimeMs) return false;
  }
  return true;
}

/**
 * Before any suite starts: the CLI the end-to-end tests run as users do, built unless dist/ is already
 * current (`npm ci` builds it in its prepare step, so a fresh clone's `npm test` does not build twice).
 * The strict type-check of sources, tests and configs runs beside the tests, in `npm test`
 * (scripts/test.mjs), not here, so the suite does not wait for it.
 */
export default async function setup(): Promise<void> {
  if (!(await distIsCurrent())) await compile('tsconfig.build.json');
}
