/**
 * The engine: splits the paths into fixed blocks, simulates them in this thread or in worker
 * threads, and reduces the results in block order, so that every output is byte-identical
 * whatever the thread count.
 *
 *   paths -> blocks of BLOCK_PATHS -> BlockSimulator (thread 1..K) -> reduce in block order
 *         -> metric values per path, series sums and sketches -> stats
 */
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import type { LoadedScenario } from '../scenario/load.js';
import { PathError } from '../sampling/draw.js';
import { SketchGrid, type SketchData } from '../stats/sketch.js';
import { BlockSimulator, makePlan, makeSketches, type BlockResult, type Plan, type RunSettings, type StudySpec } from './block.js';
import { BLOCK_PATHS, kernelModule } from './kernel.js';
import { SKETCHED } from './series.js';
import type { PrecisionOutcome } from '../study/precision.js';

export interface RunOptions extends RunSettings {
  /** Worker threads; 1 runs in this thread. */
  threads: number;
  onProgress?: (pathsDone: number, paths: number) => void;
  signal?: AbortSignal;
  /** Fixed inputs and variants of a study (src/study); none for a plain run. */
  study?: StudySpec;
}

export interface RunResult {
  plan: Plan;
  settings: RunSettings;
  /** metrics[policy][metric] holds the value of every path, in path order. */
  metrics: Float64Array[][];
  /** Per path: the day (1 ... T) the but-for world became insolvent, or -1; and its firm value W_butfor. */
  butforInsolvencyDay: Float64Array;
  butforValue: Float64Array;
  /** insolvencyDay[policy]: per path, the day its world became insolvent, or -1. */
  insolvencyDay: Float64Array[];
  /** Mean of every sketched series cell over the paths. */
  seriesMeans: Float64Array;
  sketches: SketchGrid;
  /** Per world, paths by insolvency day (index 0: never), for the exact survival series. */
  insolvencyDays: Float64Array;
  timing: { threads: number; simulate_seconds: number; peak_rss_mb?: number; wall_seconds?: number };
  /** When the paths were chosen to meet a stated precision (src/study/precision.ts). */
  precision?: PrecisionOutcome;
}

export const defaultThreads = (): number => Math.max(1, availableParallelism());

/** Thrown when a run is stopped through its AbortSignal. */
export class RunAborted extends Error {
  constructor() {
    super('run interrupted');
    this.name = 'RunAborted';
  }
}

class Reducer {
  readonly metrics: Float64Array[][];
  readonly butforInsolvencyDay: Float64Array;
  readonly butforValue: Float64Array;
  readonly insolvencyDay: Float64Array[];
  readonly sums: Float64Array;
  readonly insolvencyDays: Float64Array;
  private next = 0;
  private pending = new Map<number, Float64Array>();
  done = 0;

  constructor(
    private plan: Plan,
    private paths: number,
  ) {
    // Aliased policies share their source's arrays (filled in by finish), so memory grows with
    // the simulated worlds only.
    this.metrics = plan.policies.map((_, i) => (plan.aliasOf[i] < 0 ? plan.metrics.map(() => new Float64Array(paths)) : []));
    this.butforInsolvencyDay = new Float64Array(paths);
    this.butforValue = new Float64Array(paths);
    this.insolvencyDay = plan.policies.map((_, i) => (plan.aliasOf[i] < 0 ? new Float64Array(paths) : this.butforInsolvencyDay));
    this.sums = new Float64Array(plan.cells);
    this.insolvencyDays = new Float64Array(plan.worlds * (plan.T + 1));
  }

  add(r: BlockResult): void {
    const nPol = this.plan.policies.length;
    const nM = this.plan.metrics.length;
    for (let i = 0; i < nPol; i++) {
      if (this.plan.aliasOf[i] >= 0) continue;
      for (let m = 0; m < nM; m++) {
        const into = this.metrics[i][m];
        for (let k = 0; k < r.count; k++) into[r.first + k] = r.metrics[(k * nPol + i) * nM + m];
      }
    }
    this.butforInsolvencyDay.set(r.butforInsolvencyDay, r.first);
    this.butforValue.set(r.butforValue, r.first);
    for (let i = 0; i < nPol; i++) {
      if (this.plan.aliasOf[i] >= 0) continue;
      const into = this.insolvencyDay[i];
      for (let k = 0; k < r.count; k++) into[r.first + k] = r.insolvencyDay[k * nPol + i];
    }
    for (let i = 0; i < r.insolvencyDays.length; i++) this.insolvencyDays[i] += r.insolvencyDays[i];
    this.done += r.count;
    // Series sums are added strictly in block order: floating-point addition is not associative.
    this.pending.set(r.index, r.index === this.next ? r.seriesSums : r.seriesSums.slice()); // a block's arrays are reused after add
    for (let s = this.pending.get(this.next); s; s = this.pending.get(this.next)) {
      for (let c = 0; c < s.length; c++) this.sums[c] += s[c];
      this.pending.delete(this.next++);
    }
  }

  means(): Float64Array {
    return this.sums.map((s) => s / this.paths);
  }

  /**
   * Gives every aliased policy (not simulated: it equals another world on every path) its source's
   * results: metric values (zero harm, and the but-for insolvencies, for an alias of the but-for
   * world), series sums, sketches and insolvency-day counts.
   */
  finish(sketches: SketchGrid): void {
    const { plan } = this;
    const nd = plan.seriesDays.length;
    const perWorld = SKETCHED * nd;
    const T1 = plan.T + 1;
    let zeros: Float64Array | undefined;
    plan.aliasOf.forEach((source, i) => {
      if (source < 0) return;
      if (source > 0) {
        this.metrics[i] = this.metrics[source - 1];
        this.insolvencyDay[i] = this.insolvencyDay[source - 1];
      } else {
        zeros ??= new Float64Array(this.paths);
        const insolvent = this.butforInsolvencyDay.map((d) => (d >= 0 ? 1 : 0));
        this.metrics[i] = plan.metrics.map((m) => (m === 'insolvent' ? insolvent : zeros!));
      }
      const world = i + 1;
      this.sums.copyWithin(world * perWorld, source * perWorld, (source + 1) * perWorld);
      sketches.copyCells(source * perWorld, world * perWorld, perWorld);
      this.insolvencyDays.copyWithin(world * T1, source * T1, (source + 1) * T1);
    });
  }
}

/** Where the bundled worker lives: beside this module in dist/, or dist/ when running from src/. */
function workerUrl(): URL {
  return import.meta.url.endsWith('.ts') ? new URL('../../dist/worker.js', import.meta.url) : new URL('./worker.js', import.meta.url);
}

export async function runSimulation(loaded: LoadedScenario, options: RunOptions): Promise<RunResult> {
  const started = performance.now();
  const settings: RunSettings = { seed: options.seed, paths: options.paths };
  const plan = makePlan(loaded, options.study);
  const blocks = Math.ceil(settings.paths / BLOCK_PATHS);
  const threads = Math.max(1, Math.min(options.threads, blocks));
  const reducer = new Reducer(plan, settings.paths);
  const blockRange = (b: number) => [b * BLOCK_PATHS, Math.min(BLOCK_PATHS, settings.paths - b * BLOCK_PATHS)] as const;

  // Every thread, this one included, takes the next block from a shared counter until none is
  // left: the work stays balanced to the last block, and this thread starts at once while the
  // workers load the engine.
  const next = new Int32Array(new SharedArrayBuffer(4));
  const grids: SketchData[] = []; // every thread's sketches, merged once at the end
  let workers: Promise<void> | undefined;
  let stopWorkers = () => {};
  if (threads > 1) {
    // Every worker compiles the JavaScript of the engine while the threads use every core: V8's
    // background compiler then competes with them, and each worker runs its first blocks
    // unoptimized for longer. Compiling on the worker's own thread avoids that. This only changes
    // when optimized code is made, never what it computes.
    setFlagsFromString('--no-concurrent-recompilation');
    const running = runWorkers(loaded, settings, threads - 1, next, blocks, reducer, grids, options);
    workers = running.done;
    stopWorkers = running.stop;
  }
  let failure: unknown;
  const failed = () => failure !== undefined || options.signal?.aborted === true;
  // A worker's failure stops this thread's loop too (and is thrown below).
  workers?.catch((e: unknown) => (failure ??= e));
  try {
    const sim = new BlockSimulator(loaded, plan, settings);
    for (let b = Atomics.add(next, 0, 1); b < blocks && !failed(); b = Atomics.add(next, 0, 1)) {
      reducer.add(sim.run(b, ...blockRange(b)));
      options.onProgress?.(reducer.done, settings.paths);
      await new Promise((r) => setImmediate(r)); // let workers' results, signals and progress through
    }
    if (!failed()) grids.push(sim.sketchData());
  } catch (e) {
    failure ??= e;
  }
  if (failed()) {
    Atomics.store(next, 0, blocks);
    stopWorkers();
    throw failure ?? new RunAborted();
  }
  try {
    await workers;
  } catch (e) {
    throw options.signal?.aborted ? new RunAborted() : e;
  }
  const sketches = makeSketches(plan);
  for (const grid of grids) sketches.merge(grid);
  reducer.finish(sketches);
  const simulated = (performance.now() - started) / 1000;
  return {
    plan,
    settings,
    metrics: reducer.metrics,
    butforInsolvencyDay: reducer.butforInsolvencyDay,
    butforValue: reducer.butforValue,
    insolvencyDay: reducer.insolvencyDay,
    seriesMeans: reducer.means(),
    sketches,
    insolvencyDays: reducer.insolvencyDays,
    timing: { threads, simulate_seconds: simulated },
  };
}

type FromWorker =
  | { type: 'result'; result: BlockResult }
  | { type: 'sketch'; data: SketchData }
  | { type: 'error'; error: { name: string; message: string; path?: number; seed?: number; detail?: string; inputs?: Record<string, number> } };

/**
 * Starts `count` worker threads that take blocks from the shared counter `next` until none is
 * left, sending each block's results, then their sketches. `done` settles when every worker has
 * sent its sketches (added to `grids`) or one has failed or the run was aborted; `stop`
 * ends them all.
 */
function runWorkers(
  loaded: LoadedScenario,
  settings: RunSettings,
  count: number,
  next: Int32Array,
  blocks: number,
  reducer: Reducer,
  grids: SketchData[],
  options: RunOptions,
): { done: Promise<void>; stop: () => void } {
  const workers: Worker[] = [];
  const stop = () => {
    for (const w of workers) void w.terminate();
  };
  const done = new Promise<void>((resolve, reject) => {
    const finished = new Set<Worker>();
    let failed = false;
    const fail = (e: Error) => {
      if (failed) return;
      failed = true;
      options.signal?.removeEventListener('abort', onAbort);
      Atomics.store(next, 0, blocks);
      stop();
      reject(e);
    };
    const onAbort = () => fail(new RunAborted());
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.signal?.aborted) return onAbort();
    for (let i = 0; i < count; i++) {
      const w = new Worker(workerUrl(), { workerData: { text: loaded.text, file: loaded.scenario.file, trees: loaded.expressionTrees, settings, next, blocks, kernel: kernelModule(), study: options.study ?? {} } });
      workers.push(w);
      w.on('message', (msg: FromWorker) => {
        if (failed) return;
        switch (msg.type) {
          case 'result':
            reducer.add(msg.result);
            options.onProgress?.(reducer.done, settings.paths);
            return;
          case 'sketch':
            grids.push(msg.data);
            finished.add(w);
            void w.terminate();
            if (finished.size === count) {
              options.signal?.removeEventListener('abort', onAbort);
              resolve();
            }
            return;
          case 'error': {
            const e = msg.error;
            return fail(e.name === 'PathError' ? new PathError(e.path!, e.seed!, e.detail!, e.inputs!) : Object.assign(new Error(e.message), { name: e.name }));
          }
        }
      });
      w.on('error', (e) => fail(e));
      w.on('exit', (code) => {
        if (!finished.has(w) && !failed) fail(new Error(`worker thread exited early with code ${code}`));
      });
    }
  });
  return { done, stop };
}
