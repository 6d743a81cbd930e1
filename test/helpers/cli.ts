import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The environment a test run sees: the user's, minus anything that could leak a real credential or URL in. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of ['BASICAUTH', 'UDL_AUTH_USERNAME', 'UDL_AUTH_PASSWORD', 'SECRET_ARN_UDL', 'UDL_BASE_URL']) delete env[k];
  return { ...env, ...extra };
}

/** Runs the real CLI as a child process. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = cleanEnv()): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Directories made by tempDir in this test file; test/helpers/cleanup.ts removes them after it. */
export const madeTempDirs: string[] = [];

export async function tempDir(prefix = 'reach-udl-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  madeTempDirs.push(dir);
  return dir;
}

/** Every file below `dir`, relative, sorted; hidden ones included. */
export async function listFiles(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { recursive: true, withFileTypes: true });
    return entries
      .filter((e) => e.isFile())
      .map((e) => join(e.parentPath ?? (e as unknown as { path: string }).path, e.name).slice(dir.length + 1))
      .sort();
  } catch {
    return [];
  }
}

export interface LiveCli {
  child: ChildProcess;
  /** Resolves with the line that first matches, or rejects if the process ends first. */
  waitForLine(re: RegExp): Promise<string>;
  /** Resolves when the process has exited. */
  done: Promise<CliResult>;
}

/** Starts the CLI and lets a test react to its stderr lines as they come. */
export function startCli(args: string[], env: NodeJS.ProcessEnv = cleanEnv()): LiveCli {
  const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const waiters: Array<{ re: RegExp; resolve: (l: string) => void; reject: (e: Error) => void }> = [];
  let partial = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
    const lines = (partial + d).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      for (const w of [...waiters]) {
        if (w.re.test(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    }
  });
  const done = new Promise<CliResult>((resolve) =>
    child.on('close', (code, signal) => {
      for (const w of waiters.splice(0)) w.reject(new Error(`CLI ended (code ${code}, signal ${signal}) before a line matched ${w.re}`));
      resolve({ code, signal, stdout, stderr });
    }),
  );
  return {
    child,
    done,
    waitForLine: (re) => new Promise((resolve, reject) => waiters.push({ re, resolve, reject })),
  };
}
