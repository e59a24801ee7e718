/**
 * The engine: splits the paths into fixed blocks, simulates them in this thread or in worker
 * threads, and reduces the results in block order, so that every output is byte-identical
 * whatever the thread count.
 *
 *   paths -> blocks of BLOCK_PATHS -> BlockQueue -> BlockExecutors (this thread, worker threads;
 *         schedule.ts) -> RunAccumulator (reduce.ts: in block order) -> metric values per path,
 *         series means and sketches -> stats
 */
import { availableParallelism } from 'node:os';
import type { LoadedScenario } from '../scenario/load.js';
import { makePlan, makeSketches, type BlockResult, type Plan, type RunSettings, type StudySpec } from './block.js';
import { flatGrid, type AnySketchData } from '../stats/packed.js';
import { SketchGrid } from '../stats/sketch.js';
import { BLOCK_PATHS } from './kernel.js';
import { RunAccumulator, type Accumulated } from './reduce.js';
import { headColumns } from './spill.js';
import { chooseOptions, type DecisionRun } from './decide.js';
import { BlockQueue, InThreadExecutor, RunAborted, WorkerThreadsExecutor, type BlockClaims, type BlockExecutor } from './schedule.js';

export { RunAborted };

export interface RunOptions extends RunSettings {
  /** Worker threads; 1 runs in this thread. */
  threads: number;
  onProgress?: (pathsDone: number, paths: number) => void;
  signal?: AbortSignal;
  /** Fixed inputs and variants of a study (src/study); none for a plain run. */
  study?: StudySpec;
  /**
   * Simulate in these worker threads only (their count, not `threads`), keeping this thread free: a
   * queue worker renews its job's lock here, and keeps the threads from one job to the next; the
   * pass runner keeps them from one pass to the next (study/passes.ts).
   */
  threadPool?: WorkerThreadsExecutor[];
  /** Worker threads to run beside this thread, kept for what the command runs next (KeptThreads); else new ones that end with the run. */
  kept?: KeptThreads;
}

/**
 * Worker threads kept from a run to the passes that follow it in the same command (the run
 * report's cost-of-delay exhibit): started once, each then has the engine loaded, the kernel
 * compiled and the scenario parsed, where a new thread would load them again while the run's
 * threads end. Whoever makes it stops it. The CLI makes them as a command starts (cli/pipeline.ts),
 * so that they load the engine while the main thread loads the scenario.
 */
export class KeptThreads {
  readonly executors: WorkerThreadsExecutor[];

  constructor(count: number) {
    this.executors = Array.from({ length: count }, () => new WorkerThreadsExecutor(1, { keep: true }));
  }

  /** Starts the threads now, before their first run. */
  start(): void {
    for (const x of this.executors) x.start();
  }

  stop(): void {
    for (const x of this.executors) x.stop();
  }

  /**
   * Ends the threads and starts new ones: whatever the old ones held (a large run's sketch grids,
   * its kernel's memory, their garbage) goes at once, rather than when their collector gets to it.
   */
  renew(): void {
    this.stop();
    this.start();
  }
}

/** Where a pass's paths are simulated: this machine (runSimulation) or, as shards, a queue's workers (engine/queue.ts). */
export type PassExecutor = (loaded: LoadedScenario, options: RunOptions) => Promise<RunResult>;

export interface RunResult extends Accumulated {
  /** The plan as the compared policies see it (its entries are the compared ones; metrics and insolvencyDay hold those). */
  plan: Plan;
  /** Every entry of the run (compared, attribution sub-worlds, decision options) and their per-path metrics (those fullPlan.keptMetrics holds; the others' arrays are empty). */
  fullPlan: Plan;
  entryMetrics: Float64Array[][];
  /** The mitigation decisions made on the run's paths (decision: expected). */
  decisions: DecisionRun[];
  settings: RunSettings;
  timing: { threads: number; simulate_seconds: number; wall_seconds?: number };
}

/** The plan restricted to its compared entries (what reports read). */
const comparedPlan = (plan: Plan): Plan => ({
  ...plan,
  policies: plan.policies.slice(0, plan.compared),
  layouts: plan.layouts.slice(0, plan.compared),
  aliasOf: plan.aliasOf.slice(0, plan.compared),
  laneLead: plan.laneLead.slice(0, plan.compared),
  seriesKept: plan.seriesKept.slice(0, plan.compared),
  keptMetrics: plan.keptMetrics.slice(0, plan.compared),
  variantOf: plan.variantOf.slice(0, plan.compared),
});

export const defaultThreads = (): number => Math.max(1, availableParallelism());

/**
 * V8 flags a process that runs worker threads should set before starting them (the CLI and the
 * benchmark do; a library call sets none). Every worker compiles the engine's JavaScript while the
 * threads use every core: V8's background compiler then competes with them, and each worker runs
 * its first blocks unoptimized for longer. Compiling on each thread's own time avoids that. This
 * only changes when optimized code is made, never what it computes.
 */
export const THREADED_V8_FLAGS = '--no-concurrent-recompilation';

/** The threads a pass of `blocks` blocks can keep busy: one per block, at most `threads`, at least one. */
export const threadsFor = (threads: number, blocks: number): number => Math.max(1, Math.min(threads, blocks));

/** The executors of a run on `threads` threads: this thread, and the others as worker threads. */
export const threadExecutors = (threads: number): BlockExecutor[] => (threads > 1 ? [new InThreadExecutor(), new WorkerThreadsExecutor(threads - 1)] : [new InThreadExecutor()]);

export async function runSimulation(loaded: LoadedScenario, options: RunOptions): Promise<RunResult> {
  const started = performance.now();
  const { plan, accumulator, grids, grid, threads } = await simulateBlocks(loaded, options);
  // A large run's kept threads hold its sketches' memory twice over (the grid their counts went to,
  // and its flat copy just sent): new threads for what the command runs next instead.
  if (accumulator.spills) options.kept?.renew();
  // A run large enough to hold its per-path values in a file takes this thread's grid as the run's
  // and adds the other threads' counts into it (one grid's memory, and no flat copy of this
  // thread's); a smaller run merges each thread's counts as they are (adding them up took 0.2 s
  // more at 20,000 paths).
  const sketches = grid ?? makeSketches(plan);
  if (grid) sketches.fold(grids.map((g) => flatGrid(plan.cells, [g], options.paths)));
  else for (const g of grids) sketches.merge(flatGrid(plan.cells, [g], options.paths));
  return finishRun(plan, accumulator, sketches, { seed: options.seed, paths: options.paths }, threads, started);
}

/** What a run's blocks (all of them, or a shard's range) leave: the accumulator over them and each thread's sketches (merged in any order, the same counts). */
export interface SimulatedBlocks {
  plan: Plan;
  accumulator: RunAccumulator;
  grids: AnySketchData[];
  /** This thread's grid, when it became the run's (a whole run that holds its per-path values in a file). */
  grid?: SketchGrid;
  threads: number;
}

/** The blocks of a run of `paths`. */
export const blocksOf = (paths: number): number => Math.ceil(paths / BLOCK_PATHS);

/** The paths [first, end) of blocks [first, end) of a run of `paths` (empty past its last block). */
export const pathsOfBlocks = (paths: number, [first, end]: [number, number]): [number, number] => [Math.min(paths, first * BLOCK_PATHS), Math.min(paths, end * BLOCK_PATHS)];

/** Shard `index` (1 ... count) of a run's blocks: a consecutive range [first, end), as even as whole blocks allow. */
export function shardBlocks(paths: number, index: number, count: number): [number, number] {
  const blocks = blocksOf(paths);
  return [Math.floor(((index - 1) * blocks) / count), Math.floor((index * blocks) / count)];
}

/**
 * Simulates blocks [range[0], range[1]) of a run (default: every block), or the blocks `claims`
 * hands out (a queue job's), on this thread and worker threads. With `packed`, each thread's
 * sketch counts come packed (a shard's part holds them so).
 */
export async function simulateBlocks(loaded: LoadedScenario, options: RunOptions, range?: [number, number] | BlockClaims, sketch: { packed?: boolean } = {}): Promise<SimulatedBlocks> {
  const settings: RunSettings = { seed: options.seed, paths: options.paths };
  // A plain run (no study) also simulates the attribution sub-worlds its report splits harm with.
  const study = options.study ?? { attribution: true };
  const plan = makePlan(loaded, study);
  const claims = typeof range === 'function' ? range : undefined;
  const [first, end] = typeof range === 'object' ? range : [0, blocksOf(settings.paths)];
  const threads = options.threadPool?.reduce((n, x) => n + x.count, 0) ?? threadsFor(options.threads, end - first);
  // Claimed blocks may be any of the run's: the per-path arrays span every path, and only the
  // pages of the blocks run are ever written (pathArray leaves memory untouched until then).
  const window = pathsOfBlocks(settings.paths, [first, end]);
  // A whole run's per-path values go to a file when they would take more memory than spillBytes().
  const spill = range === undefined && RunAccumulator.spillsAt(plan, settings.paths);
  const accumulator = new RunAccumulator(plan, settings.paths, window, spill);
  const rangePaths = window[1] - window[0];
  let done = 0;
  const onBlock = (r: BlockResult) => {
    accumulator.add(r);
    done += r.count;
    options.onProgress?.(done, rangePaths);
  };
  // Every executor, this thread included, takes the next block from one queue until none is
  // left: the work stays balanced to the last block, and this thread starts at once while the
  // workers load the engine.
  const queue = new BlockQueue(end, first, claims);
  const executors = options.threadPool ?? (options.kept && threads > 1 ? [new InThreadExecutor(), ...options.kept.executors.slice(0, threads - 1)] : threadExecutors(threads));
  const job = { loaded, plan, settings, study, packed: sketch.packed === true, gridHere: spill };
  let failure: unknown;
  const grids = await Promise.all(
    executors.map((x) =>
      x.execute(job, queue, onBlock, options.signal).catch((e: unknown) => {
        failure ??= e;
        queue.close();
        for (const other of executors) other.stop();
        return [];
      }),
    ),
  );
  if (failure !== undefined) throw options.signal?.aborted ? new RunAborted() : failure;
  if (options.signal?.aborted) throw new RunAborted();
  const given = grids.flat();
  const grid = given.find((g): g is SketchGrid => g instanceof SketchGrid);
  return { plan, accumulator, grids: given.filter((g): g is AnySketchData => !(g instanceof SketchGrid)), grid, threads };
}

/** A run's results from the accumulator over every block and the merged sketches: the decisions made, aliased worlds filled in. */
export function finishRun(plan: Plan, accumulator: RunAccumulator, sketches: SketchGrid, settings: RunSettings, threads: number, started: number): RunResult {
  let decisions: DecisionRun[] = [];
  const acc = accumulator.result(sketches, (partial) => {
    const made = chooseOptions(plan, partial);
    decisions = made.decisions;
    return made.chosen;
  });
  const simulated = (performance.now() - started) / 1000;
  return {
    plan: comparedPlan(plan),
    fullPlan: plan,
    settings,
    ...acc,
    metrics: acc.metrics.slice(0, plan.compared),
    insolvencyDay: headColumns(acc.insolvencyDay, plan.compared),
    entryMetrics: acc.metrics,
    decisions,
    timing: { threads, simulate_seconds: simulated },
  };
}
