/** Files shipped inside dependencies: browser bundles of vega, fonts. */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** Absolute path of a file inside an installed package (works when the package's exports hide it). */
export function packageFile(pkg: string, file: string): string {
  try {
    return join(dirname(require.resolve(`${pkg}/package.json`)), file);
  } catch {
    // The package's exports hide package.json: walk up from its main entry.
  }
  let dir = dirname(require.resolve(pkg));
  for (let i = 0; i < 6; i++, dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === pkg) return join(dir, file);
  }
  throw new Error(`cannot locate ${file} in the installed package ${pkg}`);
}

export const FONT_FILES = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'].map((f) => packageFile('dejavu-fonts-ttf', `ttf/${f}`));
