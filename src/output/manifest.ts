/**
 * manifest.json (schema accessgap/manifest@1): how a report folder was made and what it holds, so
 * anyone can re-run it and check every file (`accessgap verify DIR`). The command line (without
 * the flags that change no number: --out, --threads, --quiet), the engine, Node and the platform,
 * the SHA-256 of the scenario file and of package-lock.json, the seed, the paths, the thread count
 * (informational) and the SHA-256 of every other file of the folder. Like timing.json it depends
 * on the machine, so verify compares neither of them.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENGINE, PACKAGE_ROOT } from '../version.js';

export const MANIFEST = 'manifest.json';
/** Files that depend on the machine or the moment: recorded, never compared. */
export const NOT_COMPARED = ['timing.json', MANIFEST];

export interface Manifest {
  schema: 'accessgap/manifest@1';
  /** The command's words after `accessgap`, as given, less --out, --threads and --quiet. */
  command: string[];
  engine: { version: string; commit?: string };
  node: string;
  platform: string;
  scenario: { file: string; sha256: string };
  /** SHA-256 of the package-lock.json the engine was installed from (null where there is none). */
  package_lock_sha256: string | null;
  seed: number;
  paths: number;
  threads: number;
  /** SHA-256 of every file of the folder but this one, by its path in the folder. */
  files: Record<string, string>;
}

export const sha256 = (bytes: string | Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** Flags that change no number, each with whether it takes a value. */
const NEUTRAL: Record<string, boolean> = { '--out': true, '--threads': true, '--quiet': false };

/** The command's words less the flags that change no number (both `--out DIR` and `--out=DIR`). */
export function resultCommand(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const [flag] = argv[i].split('=');
    if (flag in NEUTRAL) {
      if (NEUTRAL[flag] && !argv[i].includes('=')) i++;
      continue;
    }
    out.push(argv[i]);
  }
  return out;
}

function packageLock(): string | null {
  const f = PACKAGE_ROOT && join(PACKAGE_ROOT, 'package-lock.json');
  return f && existsSync(f) ? sha256(readFileSync(f)) : null;
}

export function buildManifest(m: { argv: string[]; scenario: { file: string; sha256: string }; seed: number; paths: number; threads: number; files: Map<string, string | Uint8Array> }): string {
  const manifest: Manifest = {
    schema: 'accessgap/manifest@1',
    command: resultCommand(m.argv),
    engine: ENGINE,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    scenario: m.scenario,
    package_lock_sha256: packageLock(),
    seed: m.seed,
    paths: m.paths,
    threads: m.threads,
    files: Object.fromEntries([...m.files].filter(([name]) => name !== MANIFEST).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, bytes]) => [name, sha256(bytes)])),
  };
  return JSON.stringify(manifest, null, 1) + '\n';
}

/** A manifest read back, or why it cannot be used. */
export function readManifest(dir: string): Manifest | string {
  const file = join(dir, MANIFEST);
  if (!existsSync(file)) return `${file}: no such file (a folder written by accessgap run, sweep or sensitivity holds one)`;
  let m: Partial<Manifest>;
  try {
    m = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    return `${file}: expected JSON, found ${(e as Error).message}`;
  }
  if (m.schema !== 'accessgap/manifest@1') return `${file}: schema: expected "accessgap/manifest@1", found ${JSON.stringify(m.schema)}`;
  if (!Array.isArray(m.command) || !m.command.every((w) => typeof w === 'string') || m.command.length < 2) return `${file}: command: expected the command's words (e.g. ["run", "scenarios/x.yaml", ...]), found ${JSON.stringify(m.command)}`;
  if (!m.files || typeof m.files !== 'object' || !Object.values(m.files).every((h) => typeof h === 'string' && /^[0-9a-f]{64}$/.test(h))) return `${file}: files: expected a map from file name to SHA-256, found ${JSON.stringify(m.files)?.slice(0, 80)}`;
  if (!m.scenario || typeof m.scenario.file !== 'string' || typeof m.scenario.sha256 !== 'string') return `${file}: scenario: expected {file, sha256}, found ${JSON.stringify(m.scenario)}`;
  return m as Manifest;
}
