// `npm test` after the lint: the strict type-check (sources, tests, configs) and the test suite side by
// side, since neither needs the other's result and the suite's first seconds would otherwise wait on the
// type-check; fails if either does. Extra arguments go to vitest.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = (p) => fileURLToPath(new URL(`../node_modules/${p}`, import.meta.url));

function run(args) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: root, stdio: 'inherit' });
    child.on('error', () => resolve(1));
    child.on('close', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

const [typecheck, tests] = await Promise.all([run([bin('typescript/bin/tsc'), '-p', 'tsconfig.check.json']), run([bin('vitest/vitest.mjs'), 'run', ...process.argv.slice(2)])]);
if (typecheck !== 0) console.error('npm test: the type-check failed (tsc -p tsconfig.check.json); see its errors above');
process.exitCode = typecheck || tests;
