/**
 * The command that reproduces a report, from what its JSON records: every flag that changes a
 * result (the paths or the precision rule that chose them, the seed, and the command's own), none
 * that does not (--threads, --out, --quiet); and the copy of the scenario file each folder keeps.
 */
import type { LoadedScenario } from '../scenario/load.js';
import type { PrecisionOutcome } from '../study/precision.js';

/** A word for a POSIX shell: as it is when it is safe, else in single quotes. */
export const shellWord = (w: string): string => (/^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replaceAll("'", `'\\''`)}'`);

/** The paths as the run chose them: --paths N, or the precision rule that chose N. */
export function pathFlags(run: { paths: number; precision?: PrecisionOutcome }): string[] {
  const p = run.precision;
  if (!p) return ['--paths', String(run.paths)];
  return ['--precision', String(p.target.relative), ...(p.target.absolute !== undefined ? ['--precision-abs', String(p.target.absolute)] : []), '--max-paths', String(p.target.max_paths)];
}

export function reproduceCommand(command: string, file: string, own: string[], run: { paths: number; seed: number; precision?: PrecisionOutcome }): string {
  return ['npx', 'accessgap', command, file, ...own, ...pathFlags(run), '--seed', String(run.seed)].map(shellWord).join(' ');
}

/** The names the scenario file's copy can have in a report folder. */
export const SCENARIO_COPIES = ['scenario.yaml', 'scenario.json'] as const;
/** The name of the scenario file's copy in a report folder: scenario.yaml or scenario.json, as the file was. */
export const scenarioCopyName = (file: string): string => SCENARIO_COPIES[/\.json$/i.test(file) ? 1 : 0];

/** Adds the scenario file as run (its bytes, which hash to the recorded SHA-256) to a report folder's files. */
export function addScenarioCopy(files: Map<string, string | Uint8Array>, loaded: LoadedScenario): void {
  files.set(scenarioCopyName(loaded.scenario.file), loaded.bytes ?? loaded.text);
}
