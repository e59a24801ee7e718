/** The engine's version, read from the package.json above this module (src/ or dist/). */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder of the package.json above this module, and its version. */
function findPackage(): { root?: string; version: string } {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++, dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'accessgap' && pkg.version) return { root: dir, version: pkg.version };
    }
  }
  return { version: 'unknown' };
}

const PACKAGE = findPackage();
export const VERSION = PACKAGE.version;
/** The installed package's folder (package.json, package-lock.json, schema/), when found. */
export const PACKAGE_ROOT = PACKAGE.root;

/**
 * The git commit the engine runs from, when it runs from a checkout (read from .git, without
 * running git): HEAD, a branch's loose ref or its line in packed-refs. Undefined otherwise.
 */
function commitOf(root: string | undefined): string | undefined {
  if (!root) return undefined;
  try {
    const git = join(root, '.git');
    const head = readFileSync(join(git, 'HEAD'), 'utf8').trim();
    const ref = /^ref: (.+)$/.exec(head)?.[1];
    if (!ref) return /^[0-9a-f]{40}$/.test(head) ? head : undefined;
    const loose = join(git, ref);
    if (existsSync(loose)) return readFileSync(loose, 'utf8').trim();
    const packed = readFileSync(join(git, 'packed-refs'), 'utf8').split('\n').find((l) => l.endsWith(` ${ref}`));
    return packed?.split(' ')[0];
  } catch {
    return undefined;
  }
}

/** The engine as installed: its version and, run from a checkout, the git commit (read once). */
export const ENGINE: { version: string; commit?: string } = (() => {
  const commit = commitOf(PACKAGE_ROOT);
  return { version: VERSION, ...(commit ? { commit } : {}) };
})();
