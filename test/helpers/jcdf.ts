/**
 * An independent reader for the CDFs the tests write: jcdf's CdfList (Debian libjcdf-java + a JRE; CI
 * installs default-jre-headless libjcdf-java). One java start per file, ~0.5 s: tests list each file once.
 */
import { execFile } from 'node:child_process';
import { copyFile, open } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);
const JCDF_JAR = '/usr/share/java/jcdf.jar';
/** A short-lived JVM: one GC thread and the quick compiler cut its start-up CPU by about a third. */
const JVM_FLAGS = ['-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1'];

export interface JcdfVariable {
  /** e.g. `DOUBLE (z) 2:[32,2] T/TT`: type, dimensions, record / dimension variances. */
  header: string;
  /** Attribute name -> value as printed. */
  attributes: Record<string, string>;
  /** Record lines' values as printed (`v, v, ...`), by record number; a non-varying variable has one. */
  records: string[];
}

export interface JcdfListing {
  /** CdfList's whole output. */
  text: string;
  /** Global attribute name -> each entry's first printed line. */
  globals: Record<string, string[]>;
  variables: Record<string, JcdfVariable>;
}

const VARIABLE = /^Variable \d+: (\S+) {2}--- {2}(.*)$/;
/** Record lines are indented too (`    0:\t…` once there are 100+ records): attribute names start with a letter. */
const ATTRIBUTE = /^ {4}([A-Za-z_][^\s:]*):\t(.*)$/;
const RECORD = /^(?:\{ )?\s*(\d+):\t(.*?)(?: \})?$/;

export function parseCdfList(text: string): JcdfListing {
  const globals: Record<string, string[]> = {};
  const variables: Record<string, JcdfVariable> = {};
  let global: string[] | undefined;
  let variable: JcdfVariable | undefined;
  for (const line of text.split('\n')) {
    const v = VARIABLE.exec(line);
    if (v !== null) {
      variable = { header: v[2]!, attributes: {}, records: [] };
      variables[v[1]!] = variable;
      global = undefined;
      continue;
    }
    if (variable !== undefined) {
      const a = ATTRIBUTE.exec(line);
      const r = a === null ? RECORD.exec(line) : null;
      if (a !== null) variable.attributes[a[1]!] = a[2]!;
      else if (r !== null) variable.records[Number(r[1])] = r[2]!;
      continue;
    }
    if (/^ {4}\S/.test(line)) globals[line.trim()] = global = [];
    else if (/^ {8}/.test(line) && global !== undefined) global.push(line.slice(8));
  }
  return { text, globals, variables };
}

/** `CdfList -data FILE`, parsed. Rejects when jcdf cannot read the file. */
export async function jcdfList(file: string): Promise<JcdfListing> {
  const { stdout } = await run('java', [...JVM_FLAGS, '-cp', JCDF_JAR, 'uk.ac.bristol.star.cdf.util.CdfList', '-data', file], { maxBuffer: 64 << 20 });
  return parseCdfList(stdout);
}

/**
 * A copy of a CDF with the CDR's encoding field (4 bytes, big-endian, file offset 36) set to IBMPC (6):
 * jcdf refuses ARM_LITTLE (17), which stores numbers exactly as IBMPC does.
 */
export async function copyAsIbmpc(from: string, to: string): Promise<string> {
  await copyFile(from, to);
  const fh = await open(to, 'r+');
  try {
    await fh.write(Buffer.from([0, 0, 0, 6]), 0, 4, 36);
  } finally {
    await fh.close();
  }
  return to;
}
