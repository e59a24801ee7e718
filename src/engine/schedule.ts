/**
 * Where blocks run. A BlockExecutor takes block indices from a BlockQueue until none is left,
 * simulates them, hands each block's result to the caller (in whatever order they finish) and
 * at the end gives the sketches of every block it ran. The accumulator (reduce.ts) puts results
 * back in block order, so which executor ran which block never shows in the outputs.
 *
 *   BlockQueue (shared counter) -> InThreadExecutor     (this thread)
 *                               -> WorkerThreadsExecutor (K worker threads, worker.ts)
 *
 * Across machines the unit is a pass's shard, not a block: engine/queue.ts (QueuePasses).
 */
import { Worker } from 'node:worker_threads';
import type { LoadedScenario } from '../scenario/load.js';
import type { AnySketchData } from '../stats/packed.js';
import type { SketchGrid } from '../stats/sketch.js';
import { BlockSimulator, type BlockResult, type Plan, type RunSettings, type StudySpec } from './block.js';
import { BLOCK_PATHS, kernelModule, kernelModuleId } from './kernel.js';
import { decodeError, RESULTS_AHEAD_BYTES, type FromWorker, type SharedQueue, type WorkerStart } from './protocol.js';

/** Thrown when a run is stopped through its AbortSignal. */
export class RunAborted extends Error {
  constructor() {
    super('run interrupted');
    this.name = 'RunAborted';
  }
}

/**
 * Blocks claimed from elsewhere, one at a time (a queue job's, from the run's counter in Redis:
 * engine/queue.ts): the next block to run, or undefined when none is left.
 */
export type BlockClaims = () => Promise<number | undefined>;

/**
 * Blocks [first, end) of a run, taken in turn by every thread from one shared counter; or, with
 * `claims`, the blocks claimed one at a time as a thread asks for its next (worker threads wait
 * for the main thread's claim: see WorkerThreadsExecutor).
 */
export class BlockQueue {
  readonly shared: SharedQueue;
  private closed = false;

  /** Blocks [first, end): a shard's range, or every block of a run (first 0). */
  constructor(end: number, first = 0, private readonly claims?: BlockClaims) {
    this.shared = { next: new Int32Array(new SharedArrayBuffer(4)), end };
    this.shared.next[0] = first;
  }

  /** Whether its blocks are claimed (worker threads then ask the main thread for each). */
  get claimed(): boolean {
    return this.claims !== undefined;
  }

  /** The next block to run, or undefined when none is left. */
  async take(): Promise<number | undefined> {
    if (!this.claims) return takeBlock(this.shared);
    if (this.closed) return undefined;
    const b = await this.claims();
    return this.closed ? undefined : b;
  }

  /** No further block is handed out (a failure or an interrupt). */
  close(): void {
    this.closed = true;
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
  /** The sketch counts packed (PackedSketchData), for a shard's part; else flat. */
  packed: boolean;
  /**
   * This thread's sketches given as its grid (SketchGrid), to become the run's as it is: a large
   * run's, whose flat copy would be as large again. Worker threads send theirs flat (or packed).
   */
  gridHere?: boolean;
  /** Bytes of results a worker thread may send ahead of this thread taking them (protocol.ts; RESULTS_AHEAD_BYTES unless set). */
  aheadBytes?: number;
}

/** What an executor's thread gives at the end of a run: its sketch counts, or its grid (BlockJob.gridHere). */
export type ThreadSketches = AnySketchData | SketchGrid;

export interface BlockExecutor {
  /**
   * Runs blocks from `queue` until it is empty, calling `onBlock` with each result (its arrays
   * may be reused once onBlock returns); resolves with the sketches of the blocks it ran.
   * Rejects on a failure (the caller closes the queue and stops the others) or on abort.
   */
  execute(job: BlockJob, queue: BlockQueue, onBlock: (r: BlockResult) => void, signal?: AbortSignal): Promise<ThreadSketches[]>;
  /** Stops at once (after another executor failed). */
  stop(): void;
}

/** Runs blocks in this thread, yielding between blocks so workers' messages and signals get through. */
export class InThreadExecutor implements BlockExecutor {
  private stopped = false;

  async execute(job: BlockJob, queue: BlockQueue, onBlock: (r: BlockResult) => void, signal?: AbortSignal): Promise<ThreadSketches[]> {
    // Yield first: the other executors start their threads before this one runs its first block.
    await new Promise((r) => setImmediate(r));
    const sim = new BlockSimulator(job.loaded, job.plan, job.settings);
    for (let b = await queue.take(); b !== undefined; b = await queue.take()) {
      if (this.stopped) return [];
      if (signal?.aborted) throw new RunAborted();
      onBlock(sim.run(b, ...blockRange(b, job.settings.paths)));
      await new Promise((r) => setImmediate(r));
    }
    if (this.stopped) return [];
    if (signal?.aborted) throw new RunAborted();
    return [job.gridHere ? sim.finishGrid() : sim.finish(job.packed)];
  }

  stop(): void {
    this.stopped = true;
  }
}

/** Where the bundled worker lives: beside this module in dist/, or dist/ when running from src/. */
function workerUrl(): URL {
  return import.meta.url.endsWith('.ts') ? new URL('../../dist/worker.js', import.meta.url) : new URL('./worker.js', import.meta.url);
}

/**
 * Runs blocks in `count` worker threads (worker.ts), each taking from the same queue. The threads
 * end with the run, or, with `keep`, wait for the next run (a queue worker's pool: each job then
 * starts on threads whose engine is already loaded and compiled) until close(); with `keepLarge`
 * too, they keep their kernel's instance whatever its size (Kernel.release: a queue worker's next
 * shard is as large as its last, and its memory is then already mapped).
 */
export class WorkerThreadsExecutor implements BlockExecutor {
  private workers: Worker[] = [];
  /** Threads started so far (a kept thread is started once for all its runs), and runs executed. */
  started = 0;
  runs = 0;

  constructor(
    /** Its threads. */
    readonly count: number,
    private readonly options: { keep?: boolean; keepLarge?: boolean } = {},
  ) {}

  /** Starts the threads now (each loads the engine), rather than when the first run is given to them. */
  start(): void {
    this.threads();
  }

  /** The threads: the kept ones, or new ones. */
  private threads(): Worker[] {
    if (this.workers.length === 0) {
      this.workers = Array.from({ length: this.count }, () => new Worker(workerUrl()));
      this.started += this.count;
      // Kept threads wait for work without holding the process open.
      if (this.options.keep) for (const w of this.workers) w.unref();
    }
    return this.workers;
  }

  execute(job: BlockJob, queue: BlockQueue, onBlock: (r: BlockResult) => void, signal?: AbortSignal): Promise<AnySketchData[]> {
    const { loaded, settings, study, packed } = job;
    this.runs++;
    const grids: AnySketchData[] = [];
    const keep = this.options.keep === true;
    return new Promise<AnySketchData[]>((resolve, reject) => {
      const finished = new Set<Worker>();
      const listening: [Worker, (msg: FromWorker) => void, (e: Error) => void, (code: number) => void][] = [];
      const done = () => {
        for (const [w, message, error, exit] of listening) w.off('message', message).off('error', error).off('exit', exit);
        signal?.removeEventListener('abort', onAbort);
      };
      let failed = false;
      const fail = (e: Error) => {
        if (failed) return;
        failed = true;
        done();
        queue.close();
        this.stop();
        reject(e);
      };
      const onAbort = () => fail(new RunAborted());
      signal?.addEventListener('abort', onAbort, { once: true });
      if (signal?.aborted) return onAbort();
      const workers = this.threads();
      // Claimed blocks: each thread asks for its next ('take') and waits on its mailbox cell.
      const mailbox = queue.claimed ? new Int32Array(new SharedArrayBuffer(4 * workers.length)) : undefined;
      // Results taken from each thread (protocol.ts: a thread runs at most job.aheadBytes of them ahead).
      const taken = new Int32Array(new SharedArrayBuffer(4 * workers.length));
      const start: Omit<WorkerStart, 'slot'> = { scenario: loaded.scenario, text: loaded.text, file: loaded.scenario.file, trees: loaded.expressionTrees, settings, queue: { ...queue.shared, mailbox }, taken, aheadBytes: job.aheadBytes ?? RESULTS_AHEAD_BYTES, kernel: kernelModule(), kernelId: kernelModuleId(), study, keep, keepLarge: keep && this.options.keepLarge === true, packed };
      workers.forEach((w, slot) => {
        const message = (msg: FromWorker) => {
          if (failed) return;
          switch (msg.type) {
            case 'result':
              onBlock(msg.result);
              Atomics.add(taken, slot, 1);
              Atomics.notify(taken, slot);
              return;
            case 'take':
              return void queue.take().then((b) => {
                if (failed) return;
                Atomics.store(mailbox!, slot, b ?? -1);
                Atomics.notify(mailbox!, slot);
              }, fail);
            case 'sketch':
              grids.push(msg.data);
              finished.add(w);
              if (!keep) void w.terminate();
              if (finished.size === workers.length) {
                done();
                if (!keep) this.workers = [];
                resolve(grids);
              }
              return;
            case 'error':
              return fail(decodeError(msg.error));
          }
        };
        const error = (e: Error) => fail(e);
        const exit = (code: number) => {
          if (!finished.has(w)) fail(new Error(`worker thread exited early with code ${code}`));
        };
        w.on('message', message).on('error', error).on('exit', exit);
        listening.push([w, message, error, exit]);
        w.postMessage({ ...start, slot } satisfies WorkerStart);
      });
    });
  }

  /** Ends the threads at once: after another executor failed, or when a kept pool's owner is done with it. */
  stop(): void {
    for (const w of this.workers) void w.terminate();
    this.workers = [];
  }
}
