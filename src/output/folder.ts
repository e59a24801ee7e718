/**
 * Output folders, for every command that writes one (run today; sweep, sensitivity and the rest
 * as they come): checked before any simulation, written atomically, and replaced only when
 * accessgap marked the folder as its own.
 *
 * The rule (docs/architecture.md, "Output folders"):
 *   - an absent or empty folder is written;
 *   - a folder holding the marker file MARKER, which lists the files accessgap wrote there, is
 *     replaced: the listed files are replaced, and every other file in it (a user's notes,
 *     exhibits) is carried over unchanged into the new folder; if a user's file has the name of a
 *     file the new report writes, the command refuses and touches nothing;
 *   - any other folder, a regular file, an empty name or a place no folder can be made is refused
 *     (exit 2), before anything is simulated, and nothing is touched.
 *
 * Writing: every file goes into a temporary folder beside the target, which is renamed into place
 * only once complete; the old folder is removed only after that. A failed or interrupted run
 * leaves any earlier folder untouched and no half-written one behind.
 */
import { constants, existsSync } from 'node:fs';
import { access, copyFile, lstat, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';

/** The marker file accessgap writes into every folder it makes: which command wrote which files. */
export const MARKER = '.accessgap-files.json';
const MARKER_SCHEMA = 'accessgap/files@1';

/** A refusal to write (the target is not ours to replace, or cannot be made): exit 2. */
export class OutputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutputError';
  }
}

/** Temporary folders of this process, removed on interrupt. */
export const pendingTemporaries = new Set<string>();

/** What the marker of an existing folder says, or undefined if it has none (or not ours). */
async function readMarker(dir: string): Promise<{ command: string; files: string[] } | undefined> {
  try {
    const m = JSON.parse(await readFile(join(dir, MARKER), 'utf8')) as { schema?: unknown; command?: unknown; files?: unknown };
    if (m.schema !== MARKER_SCHEMA || !Array.isArray(m.files) || !m.files.every((f) => typeof f === 'string')) return undefined;
    return { command: String(m.command ?? ''), files: m.files as string[] };
  } catch {
    return undefined;
  }
}

/** Every file below dir, as relative paths with '/' separators. */
async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await listFiles(join(dir, entry.name), rel)));
    else out.push(rel);
  }
  return out;
}

/** What an existing output folder holds: files accessgap wrote, and files it did not. */
export interface FolderState {
  exists: boolean;
  /** Files not listed in the marker (the user's), carried over on replacement. */
  foreign: string[];
}

/**
 * Checks that `dir` may be written, before anything is simulated: throws OutputError naming the
 * problem. Returns what the folder holds now.
 */
export async function checkOutputFolder(dir: string, flag = '--out'): Promise<FolderState> {
  if (dir.trim() === '') throw new OutputError(`${flag}: expected a folder name, found an empty string`);
  let info;
  try {
    info = await lstat(dir);
  } catch (e) {
    if (!['ENOENT', 'ENOTDIR'].includes((e as NodeJS.ErrnoException).code ?? '')) throw new OutputError(`${dir}: cannot be read (${(e as NodeJS.ErrnoException).code}); choose another ${flag}`);
  }
  if (info === undefined) {
    await checkCanCreate(dir, flag);
    return { exists: false, foreign: [] };
  }
  if (!info.isDirectory()) {
    throw new OutputError(`${dir}: expected a folder for the report, found ${info.isSymbolicLink() ? 'a symbolic link' : 'a file'}; choose another ${flag}`);
  }
  let files: string[];
  try {
    files = await listFiles(dir);
  } catch (e) {
    throw new OutputError(`${dir}: cannot be read (${(e as NodeJS.ErrnoException).code}); choose another ${flag}`);
  }
  await checkWritable(dirname(resolve(dir)), flag);
  if (files.length === 0) return { exists: true, foreign: [] };
  const marker = await readMarker(dir);
  if (!marker) {
    throw new OutputError(
      `${dir}: expected an empty folder or one accessgap wrote (it holds ${MARKER}), found a folder with ${files.length} other file${files.length === 1 ? '' : 's'} (${files.slice(0, 3).join(', ')}${files.length > 3 ? ', ...' : ''}); nothing was changed, choose another ${flag}`,
    );
  }
  const ours = new Set([...marker.files, MARKER]);
  return { exists: true, foreign: files.filter((f) => !ours.has(f)) };
}

/** The nearest existing ancestor of dir must be a writable folder (checked without creating anything). */
async function checkCanCreate(dir: string, flag: string): Promise<void> {
  let at = dirname(resolve(dir));
  for (;;) {
    try {
      const s = await stat(at);
      if (!s.isDirectory()) throw new OutputError(`${dir}: cannot be made, ${at} is a file; choose another ${flag}`);
      break;
    } catch (e) {
      if (e instanceof OutputError) throw e;
      const parent = dirname(at);
      if (parent === at) throw new OutputError(`${dir}: cannot be made; choose another ${flag}`);
      at = parent;
    }
  }
  await checkWritable(at, flag);
}

/** A folder in which we can make a folder: writable, and not a kernel file system. */
async function checkWritable(at: string, flag: string): Promise<void> {
  const virtual = ['/proc', '/sys', '/dev'].some((v) => at === v || at.startsWith(v + sep));
  try {
    if (virtual) throw new Error('virtual');
    await access(at, constants.W_OK | constants.X_OK);
  } catch {
    throw new OutputError(`${at}: no folder can be written there; choose another ${flag}`);
  }
}

/** mkdir -p without the recursive flag (which loops forever on some kernel file systems). */
async function makeFolders(dir: string): Promise<void> {
  const missing: string[] = [];
  let at = resolve(dir);
  while (!existsSync(at)) {
    missing.unshift(at);
    const parent = dirname(at);
    if (parent === at) break;
    at = parent;
  }
  for (const m of missing) {
    try {
      await mkdir(m);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new OutputError(`${m}: cannot be made (${(e as NodeJS.ErrnoException).code})`);
    }
  }
}

let counter = 0;

/**
 * Writes files (relative path -> contents) as the folder `dir` for `command`, with the marker,
 * replacing an earlier folder accessgap wrote (the user's files in it are carried over).
 */
export async function writeFolderAtomically(dir: string, files: Map<string, string | Uint8Array>, command: string): Promise<void> {
  const state = await checkOutputFolder(dir);
  const clash = state.foreign.filter((f) => files.has(f));
  if (clash.length > 0) {
    throw new OutputError(`${dir}: holds ${clash.join(', ')}, which accessgap did not write but would now overwrite; move ${clash.length === 1 ? 'it' : 'them'} away or choose another --out (nothing was changed)`);
  }
  const parent = dirname(resolve(dir));
  await makeFolders(parent);
  const stamp = `${process.pid}-${process.hrtime.bigint()}-${counter++}`;
  const tmp = join(parent, `.${basename(dir)}.tmp-${stamp}`);
  const old = join(parent, `.${basename(dir)}.old-${stamp}`);
  pendingTemporaries.add(tmp);
  try {
    const names = [...files.keys()].sort();
    const all = new Map(files);
    all.set(MARKER, JSON.stringify({ schema: MARKER_SCHEMA, command, files: names }, null, 1) + '\n');
    for (const [name, contents] of all) {
      const file = join(tmp, name);
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, contents);
    }
    // The user's files are copied (not moved): until the swap below, the old folder keeps them.
    for (const f of state.foreign) {
      const to = join(tmp, f);
      if (relative(tmp, to).startsWith('..')) continue;
      await mkdir(dirname(to), { recursive: true });
      await copyFile(join(dir, f), to);
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
