/**
 * What every command that simulates and writes a folder shares (run, sweep, sensitivity; later
 * populations and exhibits): the common flags, the output folder checked before anything runs,
 * the resource guards, a progress line, Ctrl-C, and one way to report a failure, so the commands
 * behave alike and each file holds only what is its own.
 *
 *   checkFolderAndGuards (exit 2 before simulating) -> work(signal, onProgress) -> files
 *   -> writeFolderAtomically -> printed summary
 */
import { rmSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { defaultThreads, RunAborted, THREADED_V8_FLAGS } from '../engine/run.js';
import { refusal, type RunEstimate } from '../engine/guards.js';
import { checkOutputFolder, OutputError, pendingTemporaries, writeFolderAtomically } from '../output/folder.js';
import { PathError } from '../sampling/draw.js';
import { EXIT, type Io } from './io.js';
import type { LoadedScenario } from '../scenario/load.js';
import { pathsForPrecision, type PrecisionOutcome } from '../study/precision.js';
import { makeProgress } from './progress.js';

/** The flags every folder-writing command takes. */
export interface CommonFlags {
  paths?: number;
  seed?: number;
  out?: string;
  threads?: number;
  quiet?: boolean;
  allowLarge?: boolean;
  precision?: number;
  precisionAbs?: number;
  maxPaths?: number;
}

/**
 * With --precision (or simulation.precision): the paths that meet the rule on the scenario as
 * given (src/study/precision.ts), which the command then runs; undefined without a rule.
 */
export async function choosePaths(loaded: LoadedScenario, flags: CommonFlags, settings: { paths: number; seed: number; threads: number }, ctx: { signal: AbortSignal; onProgress: (done: number, total: number) => void }): Promise<PrecisionOutcome | undefined> {
  const relative = flags.precision ?? loaded.scenario.simulation.precision;
  if (relative === undefined) return undefined;
  return pathsForPrecision(loaded, { relative, absolute: flags.precisionAbs, maxPaths: flags.maxPaths ?? settings.paths }, { ...settings, ...ctx });
}

/**
 * Checks the output folder and the estimated memory and time; prints the problem and returns
 * false (exit 2) if the command must not start. `what` says what the estimate covers.
 */
export async function checkBeforeStart(io: Io, file: string, out: string, estimate: RunEstimate, allowLarge: boolean | undefined, what: string, advice: string): Promise<boolean> {
  try {
    await checkOutputFolder(out);
  } catch (e) {
    if (!(e instanceof OutputError)) throw e;
    io.err(`accessgap: ${e.message}\n`);
    return false;
  }
  const refused = refusal(estimate);
  if (refused && !allowLarge) {
    io.err(`accessgap: ${file}: ${refused} for ${what}; ${advice}, or pass --allow-large to run anyway\n`);
    return false;
  }
  return true;
}

export interface WorkContext {
  signal: AbortSignal;
  onProgress: (done: number, total: number) => void;
  /** Call when the simulation is done (the progress line is cleared). */
  finishProgress: () => void;
}

/**
 * Runs a command's work with a progress line and Ctrl-C handling, writes the folder atomically and
 * prints its summary. The work returns the files, and the text to print after them.
 */
export async function runAndWrite(
  io: Io,
  flags: CommonFlags,
  command: string,
  file: string,
  out: string,
  work: (ctx: WorkContext) => Promise<{ files: Map<string, string | Uint8Array>; printed: string }>,
): Promise<number> {
  if ((flags.threads ?? defaultThreads()) > 1) setFlagsFromString(THREADED_V8_FLAGS);
  const abort = new AbortController();
  const onSigint = () => abort.abort();
  process.once('SIGINT', onSigint);
  const progress = makeProgress(io, !flags.quiet);
  try {
    const { files, printed } = await work({ signal: abort.signal, onProgress: progress.update, finishProgress: progress.finish });
    progress.finish();
    if (abort.signal.aborted) throw new RunAborted();
    await writeFolderAtomically(out, files, command);
    if (!flags.quiet) io.out(`${printed}\n\nReport: ${out}/ (${files.size} files)\n`);
    return EXIT.ok;
  } catch (e) {
    progress.finish();
    if (e instanceof RunAborted) {
      for (const tmp of pendingTemporaries) rmSync(tmp, { recursive: true, force: true });
      io.err('accessgap: interrupted; no report written (any earlier report is unchanged)\n');
      return EXIT.interrupted;
    }
    if (e instanceof PathError) {
      io.err(
        `accessgap: ${command} failed on ${e.message}\n  inputs of that path: ${JSON.stringify(e.inputs)}\n  inspect that path alone: accessgap trace ${file} --path ${e.path} --seed ${e.seed}\n  no report written (any earlier report is unchanged)\n`,
      );
      return EXIT.failure;
    }
    if (e instanceof OutputError) {
      io.err(`accessgap: ${e.message}\n`);
      return EXIT.invalid;
    }
    io.err(`accessgap: ${command} failed: ${(e as Error).message}\n  no report written (any earlier report is unchanged)\n`);
    return EXIT.failure;
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}
