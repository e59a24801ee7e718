/**
 * One pipeline for every command that simulates and writes a folder (run, sweep, sensitivity;
 * later populations and exhibits), so they behave alike and each command file holds only what is
 * its own: its checks, its estimate and its work.
 *
 *   flags (checkFlags) -> load the scenario -> settings (paths, seed, threads) and the stop rule
 *   -> prepare (the command's own checks; exit 2 with every problem) -> default folder
 *   -> estimate -> guards and the folder check (exit 2 before simulating)
 *   -> work(paths chosen by the stop rule, signal, progress) -> files -> writeFolderAtomically
 *   -> printed summary
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { defaultThreads, KeptThreads, RunAborted, THREADED_V8_FLAGS, type PassExecutor } from '../engine/run.js';
import { connectionOf, QueuePasses } from '../engine/queue.js';
import { refusal, type RunEstimate } from '../engine/guards.js';
import { ShardError } from '../engine/shard.js';
import { checkOutputFolder, OutputError, pendingTemporaries, writeFolderAtomically } from '../output/folder.js';
import { PathError } from '../sampling/draw.js';
import type { LoadedScenario } from '../scenario/load.js';
import type { PrecisionOutcome } from '../study/precision.js';
import { pathsFor, stopRuleOf, StopRuleError, type StopRule } from '../study/passes.js';
import { EXIT, loadOrReport, type Io } from './io.js';
import { failed, folderProblem, INTERRUPTED, partProblem, pathFailed, problem, refused, usage, written } from './messages.js';
import type { Command } from '@commander-js/extra-typings';
import type { CommonFlags } from './options.js';
import { makeProgress } from './progress.js';
import { addScenarioCopy } from '../report/reproduce.js';
import { buildManifest, MANIFEST } from '../output/manifest.js';
import { finishTiming } from '../report/timing.js';

/** Adds a command to the program; its action sets the exit code. */
export type Registrar = (program: Command, io: Io, setExit: (code: number) => void) => void;

export interface Settings {
  paths: number;
  seed: number;
  threads: number;
  /** Where passes run: this machine, or a queue's workers (--redis). */
  executor?: PassExecutor;
  /** On this machine with several threads: the command's worker threads, started as it starts (runFolderCommand). */
  kept?: KeptThreads;
}

/** What a command's work is given. */
export interface WorkContext<F, P, L = LoadedScenario> {
  loaded: L;
  flags: F;
  prepared: P;
  /** The paths are those the stop rule chose. */
  settings: Settings;
  /** With a precision rule: how the paths were chosen. */
  precision?: PrecisionOutcome;
  signal: AbortSignal;
  onProgress: (done: number, total: number) => void;
  /** Call when the simulation is done (the progress line is cleared). */
  finishProgress: () => void;
  /** performance.now() when the work started (pilot passes included). */
  started: number;
}

/**
 * What a command reads, as the pipeline needs it: a scenario by default; a command that reads
 * another kind of file (population) loads it itself and describes it.
 */
export interface Source {
  name: string;
  /** The file the manifest names (default: the command's argument). */
  file?: string;
  sha256: string;
  simulation: { paths: number; seed: number; precision?: number };
  /** Adds the file as read to the report folder's files. */
  copy: (files: Map<string, string | Uint8Array>) => void;
}

const scenarioSource = (loaded: LoadedScenario): Source => ({ name: loaded.scenario.name, sha256: loaded.scenario.sha256, simulation: loaded.scenario.simulation, copy: (files) => addScenarioCopy(files, loaded) });

export interface FolderCommand<F extends CommonFlags, P, L = LoadedScenario> {
  name: string;
  /** Loads the command's file, or prints every problem and returns undefined (default: a scenario). */
  load?: (file: string, io: Io, flags: F) => Promise<L | undefined>;
  /** The loaded file as the pipeline needs it (default: a scenario's). */
  sourceOf?: (loaded: L) => Source;
  /** The default folder's name below reports/, from the scenario's name. */
  folder: (scenarioName: string, flags: F) => string;
  /** Problems with the flags alone, before the scenario is read. */
  checkFlags?: (flags: F) => string[];
  /** The command's own checks against the scenario: every problem, or what its work needs. */
  prepare: (loaded: L, flags: F, settings: Settings) => P | { problems: string[] };
  /** The whole command's estimated memory and time, what it covers, and what to change when refused. */
  estimate: (loaded: L, prepared: P, settings: Settings) => { estimate: RunEstimate; what: string; advice: string };
  /** Once the command is sure to start (not with --quiet): a line on stderr. */
  announce?: (prepared: P, settings: Settings, estimate: RunEstimate) => string;
  work: (ctx: WorkContext<F, P, L>) => Promise<{ files: Map<string, string | Uint8Array>; printed: string }>;
  /**
   * Start the command's worker threads as it starts, before it reads its file, and keep them for
   * its work (settings.kept, stopped when it ends): a run and its report's cost-of-delay exhibit.
   * Studies leave it off: their passes start threads of their own that end with them, and a thread
   * kept through every pass of a sensitivity analysis held about 150 MiB more at its peak (933 MiB
   * against 780). The exhibit pack keeps them for its run and stops them before its studies.
   */
  keepsThreads?: boolean;
}

const isProblems = (x: unknown): x is { problems: string[] } => typeof x === 'object' && x !== null && Array.isArray((x as { problems?: unknown }).problems);

/**
 * Runs a folder-writing command on a scenario file; returns the exit code. For a command that
 * keeps its threads (keepsThreads), with several threads on this machine, the worker threads start
 * first: each loads the engine while this thread reads and checks the scenario, instead of after
 * (about a third of a second of a thread, which the run's first blocks waited for). The command's
 * runs and passes use them, and they end with it.
 */
export async function runFolderCommand<F extends CommonFlags, P, L = LoadedScenario>(cmd: FolderCommand<F, P, L>, file: string, flags: F, io: Io): Promise<number> {
  const flagProblems = cmd.checkFlags?.(flags) ?? [];
  if (flagProblems.length) {
    io.err(flagProblems.map(usage).join(''));
    return EXIT.invalid;
  }
  const threads = flags.threads ?? defaultThreads();
  if (threads > 1) setFlagsFromString(THREADED_V8_FLAGS);
  let kept: KeptThreads | undefined;
  if (cmd.keepsThreads && threads > 1 && flags.redis === undefined) {
    kept = new KeptThreads(threads - 1);
    kept.start();
  }
  try {
    return await runStarted(cmd, file, flags, io, threads, kept);
  } finally {
    kept?.stop();
  }
}

async function runStarted<F extends CommonFlags, P, L>(cmd: FolderCommand<F, P, L>, file: string, flags: F, io: Io, threads: number, kept: KeptThreads | undefined): Promise<number> {
  const loaded = cmd.load ? await cmd.load(file, io, flags) : ((await loadOrReport(file, io)) as L | undefined);
  if (!loaded) return EXIT.invalid;
  const source = cmd.sourceOf ? cmd.sourceOf(loaded) : scenarioSource(loaded as unknown as LoadedScenario);
  const sim = source.simulation;
  const settings: Settings = { paths: flags.paths ?? sim.paths, seed: flags.seed ?? sim.seed, threads, kept };
  if (flags.shards !== undefined && flags.redis === undefined) {
    io.err(usage(`${cmd.name}: --shards goes with --redis (the queue whose workers run the shards)`));
    return EXIT.invalid;
  }
  if (flags.redis !== undefined) {
    try {
      connectionOf(flags.redis);
    } catch (e) {
      io.err(usage(`${cmd.name}: ${(e as Error).message}`));
      return EXIT.invalid;
    }
  }
  let rule: StopRule;
  try {
    rule = stopRuleOf(sim, flags, settings.paths);
  } catch (e) {
    if (!(e instanceof StopRuleError)) throw e;
    io.err(problem(file, e.message));
    return EXIT.invalid;
  }
  const prepared = cmd.prepare(loaded, flags, settings);
  if (isProblems(prepared)) {
    io.err(prepared.problems.map((p) => problem(file, p)).join(''));
    return EXIT.invalid;
  }
  const out = flags.out ?? join('reports', cmd.folder(source.name, flags));
  const { estimate, what, advice } = cmd.estimate(loaded, prepared, settings);
  try {
    await checkOutputFolder(out);
  } catch (e) {
    if (!(e instanceof OutputError)) throw e;
    io.err(folderProblem(e.message));
    return EXIT.invalid;
  }
  const refusedBy = refusal(estimate);
  if (refusedBy && !flags.allowLarge) {
    io.err(refused(file, refusedBy, what, advice));
    return EXIT.invalid;
  }
  if (!flags.quiet && cmd.announce) io.err(cmd.announce(prepared, settings, estimate));

  // With --redis every pass runs as shards on the queue's workers (engine/queue.ts).
  const queue = flags.redis !== undefined ? new QueuePasses(flags.redis, flags.shards ?? 2) : undefined;
  if (queue) settings.executor = queue.run;
  const abort = new AbortController();
  const onSigint = () => abort.abort();
  process.once('SIGINT', onSigint);
  const progress = makeProgress(io, !flags.quiet);
  try {
    const started = performance.now();
    const signal = abort.signal;
    // To a stated precision: pilot passes find the paths, and the work runs exactly that many.
    const { paths, precision } = rule.kind === 'paths' ? { paths: rule.paths, precision: undefined } : await pathsFor(loaded as unknown as LoadedScenario, rule, { ...settings, signal, onProgress: progress.update });
    settings.paths = paths;
    const { files, printed } = await cmd.work({ loaded, flags, prepared, settings, precision, signal, onProgress: progress.update, finishProgress: progress.finish, started });
    progress.finish();
    if (abort.signal.aborted) throw new RunAborted();
    source.copy(files);
    finishTiming(files);
    files.set(MANIFEST, buildManifest({ argv: io.argv ?? [cmd.name, file], scenario: { file: source.file ?? file, sha256: source.sha256 }, seed: settings.seed, paths: settings.paths, threads: settings.threads, files }));
    await writeFolderAtomically(out, files, cmd.name);
    if (!flags.quiet) io.out(written(printed, out, files.size));
    return EXIT.ok;
  } catch (e) {
    progress.finish();
    if (e instanceof RunAborted) {
      for (const tmp of pendingTemporaries) rmSync(tmp, { recursive: true, force: true });
      io.err(INTERRUPTED);
      return EXIT.interrupted;
    }
    if (e instanceof PathError) {
      io.err(pathFailed(cmd.name, file, e));
      return EXIT.failure;
    }
    if (e instanceof OutputError) {
      io.err(folderProblem(e.message));
      return EXIT.invalid;
    }
    // A part found damaged, or changed, while the merge reads it.
    if (e instanceof ShardError) {
      io.err(partProblem(cmd.name, e.message));
      return EXIT.invalid;
    }
    io.err(failed(cmd.name, (e as Error).message));
    return EXIT.failure;
  } finally {
    process.removeListener('SIGINT', onSigint);
    await queue?.close();
  }
}
