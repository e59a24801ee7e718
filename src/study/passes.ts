/**
 * The pass runner: every "several engine passes on the same paths" of the project goes through
 * here (sweep points, tornado ends, Saltelli's matrices, precision pilots, the cost-of-delay
 * exhibit; populations and shards will add their pass lists). It owns what they share: one
 * progress count over all passes, the simulated time, and the stop signal (Ctrl-C) checked by
 * every pass.
 *
 *   StopRule (paths | precision) -> pathsFor -> paths
 *   Pass[] (each a StudySpec on the same seed) -> runPasses -> one RunResult per pass
 *
 * A pass is one engine run (engine/run.ts) of the scenario with a StudySpec: inputs fixed for the
 * whole pass, variants of world-level inputs side by side, or the input uniforms of Saltelli's
 * second stream. Every pass draws from the same per-path streams, so passes are paired path by
 * path.
 */
import type { LoadedScenario } from '../scenario/load.js';
import type { StudySpec } from '../engine/block.js';
import { blocksOf, runSimulation, threadsFor, type KeptThreads, type PassExecutor, type RunOptions, type RunResult } from '../engine/run.js';
import { WorkerThreadsExecutor } from '../engine/schedule.js';
import { BLOCK_PATHS } from '../engine/kernel.js';
import { describeRule, firstBlocksMeeting, type PrecisionOutcome, type PrecisionRule } from './precision.js';

export interface Pass {
  study: StudySpec;
  /** The scenario of this pass (default: the runner's): a population's archetypes are passes on scenarios of their own. */
  loaded?: LoadedScenario;
  /** Paths of this pass (default: the runner's). */
  paths?: number;
}

export interface PassSettings {
  paths: number;
  seed: number;
  threads: number;
  signal?: AbortSignal;
  /** Paths done over every pass, and the total. */
  onProgress?: (done: number, total: number) => void;
  /** What every pass shares: the facts at filing it draws under (ongoingAfterDays), the policies it compares (compare). */
  common?: Pick<StudySpec, 'ongoingAfterDays' | 'compare'>;
  /** Where the passes run (default: this machine; a queue's workers with --redis). */
  executor?: PassExecutor;
  /** Worker threads kept from the command's run: the passes start on these (more up to `threads`), and leave them running. */
  kept?: KeptThreads;
}

export interface PassResults {
  results: RunResult[];
  simulateSeconds: number;
}

/**
 * Runs the passes on the same seed; each pass's paths count toward one progress total, and the
 * results come back in the passes' order.
 *
 * On this machine with several threads, the passes share one pool of kept worker threads (each
 * loads the engine once, not once per pass), and a pass of fewer blocks than threads leaves the
 * other threads to the next passes, which start beside it: a tornado or Saltelli's matrices at
 * 1,024 paths then keep every core busy. A pass's results do not depend on which threads ran its
 * blocks (engine/run.ts), so they are the same bytes as one pass after another.
 */
export async function runPasses(loaded: LoadedScenario, passes: Pass[], settings: PassSettings): Promise<PassResults> {
  const started = performance.now();
  const total = passes.reduce((s, p) => s + (p.paths ?? settings.paths), 0);
  const done = new Array<number>(passes.length).fill(0);
  const progress = (i: number, d: number) => {
    done[i] = d;
    settings.onProgress?.(done.reduce((a, b) => a + b, 0), total);
  };
  const optionsOf = (pass: Pass, i: number): RunOptions => ({
    paths: pass.paths ?? settings.paths,
    seed: settings.seed,
    threads: settings.threads,
    signal: settings.signal,
    study: { ...settings.common, ...pass.study },
    onProgress: (d) => progress(i, d),
  });
  const results: RunResult[] = [];
  if (settings.executor || settings.threads <= 1 || passes.length === 0) {
    // One after another: a queue's workers, or this thread alone.
    for (const [i, pass] of passes.entries()) results.push(await (settings.executor ?? runSimulation)(pass.loaded ?? loaded, optionsOf(pass, i)));
  } else results.push(...(await onPool(loaded, passes, settings.threads, optionsOf, settings.kept)));
  return { results, simulateSeconds: (performance.now() - started) / 1000 };
}

/**
 * The passes on `threads` kept worker threads: each pass, in order, waits for as many free threads
 * as it has blocks (at most all of them) and runs on those: `kept` threads first, then threads of its
 * own, started as a pass first needs them. Its own threads end with the last pass; kept ones stay.
 */
async function onPool(loaded: LoadedScenario, passes: Pass[], threads: number, optionsOf: (pass: Pass, i: number) => RunOptions, kept?: KeptThreads): Promise<RunResult[]> {
  const given = kept?.executors.slice(0, threads) ?? [];
  const own = Array.from({ length: threads - given.length }, () => new WorkerThreadsExecutor(1, { keep: true }));
  const all = [...given, ...own];
  const free = [...all];
  const results = new Array<RunResult>(passes.length);
  const running = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  let wake = () => {};
  try {
    for (const [i, pass] of passes.entries()) {
      const options = optionsOf(pass, i);
      const need = threadsFor(threads, blocksOf(options.paths));
      while (free.length < need && !failure) await new Promise<void>((resolve) => (wake = resolve));
      if (failure) break;
      const pool = free.splice(0, need);
      const run: Promise<void> = runSimulation(pass.loaded ?? loaded, { ...options, threadPool: pool })
        .then(
          (result) => void (results[i] = result),
          (error: unknown) => {
            // The first failure (or an interrupt) ends the passes still running.
            if (!failure) for (const x of all) x.stop();
            failure ??= { error };
          },
        )
        .finally(() => {
          free.push(...pool);
          running.delete(run);
          wake();
        });
      running.add(run);
    }
    await Promise.all(running);
  } finally {
    for (const x of own) x.stop();
  }
  if (failure) throw failure.error;
  return results;
}

/** How many paths to run: a number, or whole blocks until a stated precision (precision.ts). */
export type StopRule = { kind: 'paths'; paths: number } | { kind: 'precision'; relative: number; absolute?: number; maxPaths: number };

/** Thrown for a stop rule given in parts that do not go together (the CLI exits 2). */
export class StopRuleError extends Error {}

/**
 * The stop rule of a command: --precision (or simulation.precision) with its --precision-abs and
 * --max-paths, else the paths. --precision-abs and --max-paths without a precision are refused
 * rather than ignored.
 */
export function stopRuleOf(simulation: { precision?: number }, flags: { precision?: number; precisionAbs?: number; maxPaths?: number }, paths: number): StopRule {
  const relative = flags.precision ?? simulation.precision;
  if (relative === undefined) {
    const stray = flags.precisionAbs !== undefined ? '--precision-abs' : flags.maxPaths !== undefined ? '--max-paths' : undefined;
    if (stray) throw new StopRuleError(`${stray} goes with --precision (or simulation.precision in the scenario), which is not given`);
    return { kind: 'paths', paths };
  }
  return { kind: 'precision', relative, absolute: flags.precisionAbs, maxPaths: flags.maxPaths ?? paths };
}

/** The paths a stop rule chooses on the scenario as given (with pilot passes for a precision). */
export async function pathsFor(loaded: LoadedScenario, rule: StopRule, settings: Omit<PassSettings, 'paths'>): Promise<{ paths: number; precision?: PrecisionOutcome }> {
  if (rule.kind === 'paths') return { paths: rule.paths };
  const precision = await pathsForPrecision(loaded, rule, settings);
  return { paths: precision.paths, precision };
}

/**
 * Finds how many paths a run needs to meet the rule: pilot passes of 8, 16, 32 ... blocks that
 * keep only the metrics, each read block by block in block order (firstBlocksMeeting).
 */
export async function pathsForPrecision(loaded: LoadedScenario, rule: PrecisionRule, settings: Omit<PassSettings, 'paths'>): Promise<PrecisionOutcome> {
  const maxBlocks = Math.ceil(rule.maxPaths / BLOCK_PATHS);
  let pilot = 0;
  for (let blocks = Math.min(8, maxBlocks); ; blocks = Math.min(2 * blocks, maxBlocks)) {
    const paths = Math.min(blocks * BLOCK_PATHS, rule.maxPaths);
    const [result] = (await runPasses(loaded, [{ study: { lastDayOnly: true } }], { ...settings, paths })).results;
    pilot += paths;
    const m = result.plan.metrics;
    const harm = result.metrics.map((perMetric) => perMetric[m.indexOf('total_harm')]);
    const insolvent = result.metrics.map((perMetric) => perMetric[m.indexOf('insolvent')]);
    const hit = firstBlocksMeeting(harm, insolvent, rule, blocks);
    if (hit.met || blocks >= maxBlocks) {
      return {
        rule: describeRule(rule),
        target: { relative: rule.relative, ...(rule.absolute !== undefined ? { absolute: rule.absolute } : {}), max_paths: rule.maxPaths },
        paths: hit.met ? Math.min(hit.blocks * BLOCK_PATHS, rule.maxPaths) : rule.maxPaths,
        reason: hit.met ? 'target met' : 'max paths reached',
        pilot_paths: pilot,
        achieved_relative: hit.worst,
        policies: Object.fromEntries(result.plan.policies.map((p, i) => [p.name, hit.achieved[i]])),
      };
    }
  }
}
