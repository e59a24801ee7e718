/**
 * Where blocks run. A BlockExecutor takes block indices from a BlockQueue until none is left,
 * simulates them, hands each block's result to the caller (in whatever order they finish) and
 * at the end gives the sketches of every block it ran. The accumulator (reduce.ts) puts results
 * back in block order, so which executor ran which block never shows in the outputs.
 *
 *   BlockQueue (shared counter) -> InThreadExecutor     (this thread)
 *                               -> WorkerThreadsExecutor (K worker threads, worker.ts)
 *                               -> later: a queue or a cluster, one more executor
 */
import { Worker } from 'node:worker_threads';
import type { LoadedScenario } from '../scenario/load.js';
import type { SketchData } from '../stats/sketch.js';
import { BlockSimulator, type BlockResult, type Plan, type RunSettings, type StudySpec } from './block.js';
import { BLOCK_PATHS, kernelModule } from './kernel.js';
import { decodeError, type FromWorker, type SharedQueue, type WorkerStart } from './protocol.js';

/** Thrown when a run is stopped through its AbortSignal. */
export class RunAborted extends Error {
  constructor() {
    super('run interrupted');
    this.name = 'RunAborted';
  }
}

/** Blocks [first, end) of a run, taken in turn by every thread from one shared counter. */
export class BlockQueue {
  readonly shared: SharedQueue;

  /** Blocks [first, end): a shard's range, or every block of a run (first 0). */
  constructor(end: number, first = 0) {
    this.shared = { next: new Int32Array(new SharedArrayBuffer(4)), end };
    this.shared.next[0] = first;
  }

  /** The next block to run, or undefined when none is left. */
  take(): number | undefined {
    return takeBlock(this.shared);
  }

  /** No further block is handed out (a failure or an interrupt). */
  close(): void {
    Atomics.store(this.shared.next, 0, this.shared.end);
  }
}

/** Takes the next block of a shared queue (in any thread), or undefined when none is left. */
export function takeBlock(q: SharedQueue): number | undefined {
  const b = Atomics.add(q.next, 0, 1);
  return b < q.end ? b : undefined;
}

/** Paths [first, first + count) of block b of a run of `paths`. */
export const blockRange = (b: number, paths: number): [number, number] => [b * BLOCK_PATHS, Math.min(BLOCK_PATHS, paths - b * BLOCK_PATHS)];

/** What a run asks of its executors. */
export interface BlockJob {
  loaded: LoadedScenario;
  plan: Plan;
  settings: RunSettings;
  study: StudySpec;
}

export interface BlockExecutor {
  /**
   * Runs blocks from `queue` until it is empty, calling `onBlock` with each result (its arrays
   * may be reused once onBlock returns); resolves with the sketches of the blocks it ran.
   * Rejects on a failure (the caller closes the queue and stops the others) or on abort.
   */
  execute(job: BlockJob, queue: BlockQueue, onBlock: (r: BlockResult) => void, signal?: AbortSignal): Promise<SketchData[]>;
  /** Stops at once (after another executor failed). */
  stop(): void;
}

/** Runs blocks in this thread, yielding between blocks so workers' messages and signals get through. */
export class InThreadExecutor implements BlockExecutor {
  private stopped = false;

  async execute(job: BlockJob, queue: BlockQueue, onBlock: (r: BlockResult) => void, signal?: AbortSignal): Promise<SketchData[]> {
    const sim = new BlockSimulator(job.loaded, job.plan, job.settings);
    for (let b = queue.take(); b !== undefined; b = queue.take()) {
      if (this.stopped) return [];
      if (signal?.aborted) throw new RunAborted();
      onBlock(sim.run(b, ...blockRange(b, job.settings.paths)));
      await new Promise((r) => setImmediate(r));
    }
    if (this.stopped) return [];
    if (signal?.aborted) throw new RunAborted();
    return [sim.sketchData()];
  }

  stop(): void {
    this.stopped = true;
  }
}

/** Where the bundled worker lives: beside this module in dist/, or dist/ when running from src/. */
function workerUrl(): URL {
  return import.meta.url.endsWith('.ts') ? new URL('../../dist/worker.js', import.meta.url) : new URL('./worker.js', import.meta.url);
}

/** Runs blocks in `count` worker threads (worker.ts), each taking from the same queue. */
export class WorkerThreadsExecutor implements BlockExecutor {
  private readonly workers: Worker[] = [];

  constructor(private readonly count: number) {}

  execute(job: BlockJob, queue: BlockQueue, onBlock: (r: BlockResult) => void, signal?: AbortSignal): Promise<SketchData[]> {
    const { loaded, settings, study } = job;
    const grids: SketchData[] = [];
    return new Promise<SketchData[]>((resolve, reject) => {
      const finished = new Set<Worker>();
      let failed = false;
      const fail = (e: Error) => {
        if (failed) return;
        failed = true;
        signal?.removeEventListener('abort', onAbort);
        queue.close();
        this.stop();
        reject(e);
      };
      const onAbort = () => fail(new RunAborted());
      signal?.addEventListener('abort', onAbort, { once: true });
      if (signal?.aborted) return onAbort();
      const start: WorkerStart = { text: loaded.text, file: loaded.scenario.file, trees: loaded.expressionTrees, settings, queue: queue.shared, kernel: kernelModule(), study };
      for (let i = 0; i < this.count; i++) {
        const w = new Worker(workerUrl(), { workerData: start });
        this.workers.push(w);
        w.on('message', (msg: FromWorker) => {
          if (failed) return;
          switch (msg.type) {
            case 'result':
              return onBlock(msg.result);
            case 'sketch':
              grids.push(msg.data);
              finished.add(w);
              void w.terminate();
              if (finished.size === this.count) {
                signal?.removeEventListener('abort', onAbort);
                resolve(grids);
              }
              return;
            case 'error':
              return fail(decodeError(msg.error));
          }
        });
        w.on('error', (e) => fail(e));
        w.on('exit', (code) => {
          if (!finished.has(w) && !failed) fail(new Error(`worker thread exited early with code ${code}`));
        });
      }
    });
  }

  stop(): void {
    for (const w of this.workers) void w.terminate();
  }
}
