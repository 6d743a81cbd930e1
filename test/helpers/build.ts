import { spawn } from 'node:child_process';
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

/**
 * Before any suite starts: type-check the sources, the tests and the configs strictly, and build the
 * CLI the end-to-end tests run as users do. Two independent compilers, so they run side by side (the
 * type-check alone takes as long as the build); any type error stops the run before a test starts.
 */
export default async function setup(): Promise<void> {
  await Promise.all([compile('tsconfig.check.json'), compile('tsconfig.build.json')]);
}
