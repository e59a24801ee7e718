/**
 * Writing a report folder atomically: every file goes into a temporary folder beside the target,
 * which is renamed into place only once complete. A failed or interrupted run leaves any earlier
 * report untouched, and never leaves a half-written folder behind.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** A refusal to write (the target is not ours to replace): reported as invalid usage. */
export class OutputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutputError';
  }
}

/** True for a folder that is absent, empty, or an earlier accessgap report. */
async function replaceable(dir: string): Promise<boolean> {
  if (!existsSync(dir)) return true;
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch {
    return false;
  }
  if (entries.length === 0) return true;
  try {
    const summary = JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8')) as { schema?: string };
    return typeof summary.schema === 'string' && summary.schema.startsWith('accessgap/summary@');
  } catch {
    return false;
  }
}

/** Temporary folders of this process, removed on interrupt. */
export const pendingTemporaries = new Set<string>();

let counter = 0;

/**
 * Writes files (relative path -> contents) as the folder `dir`, replacing an earlier report there.
 */
export async function writeReportAtomically(dir: string, files: Map<string, string | Uint8Array>): Promise<void> {
  if (!(await replaceable(dir))) {
    throw new OutputError(`${dir}: expected an empty folder or an earlier accessgap report to replace, found a folder with other files (choose another --out)`);
  }
  const parent = dirname(dir);
  await mkdir(parent, { recursive: true });
  const stamp = `${process.pid}-${process.hrtime.bigint()}-${counter++}`;
  const tmp = join(parent, `.${basename(dir)}.tmp-${stamp}`);
  const old = join(parent, `.${basename(dir)}.old-${stamp}`);
  pendingTemporaries.add(tmp);
  try {
    for (const [name, contents] of files) {
      const file = join(tmp, name);
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, contents);
    }
    const hadOld = existsSync(dir);
    if (hadOld) await rename(dir, old);
    try {
      await rename(tmp, dir);
    } catch (e) {
      if (hadOld) await rename(old, dir);
      throw e;
    }
    if (hadOld) await rm(old, { recursive: true, force: true });
  } finally {
    await rm(tmp, { recursive: true, force: true });
    pendingTemporaries.delete(tmp);
  }
}
