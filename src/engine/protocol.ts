/**
 * What the engine's threads say to each other: the worker's start data and its messages back, with
 * one encoding of errors (a PathError keeps the path, seed and inputs it names).
 *
 *   main --WorkerStart (one message per run)--> worker
 *   worker --'result' per block ... 'sketch' once at the end | 'error'--> main
 *   with claimed blocks (a queue job's): worker --'take'--> main, which claims the next block and
 *   writes it to the thread's mailbox cell (-1: none left) while the thread waits on it
 *   main counts the results it has taken in the thread's `taken` cell; a thread that has sent
 *   aheadBytes of results more than that (resultsAhead) waits before its next block
 */
import { PathError } from '../sampling/draw.js';
import type { ExpressionTree } from '../scenario/expressions.js';
import type { Scenario } from '../scenario/types.js';
import type { AnySketchData } from '../stats/packed.js';
import type { BlockResult, RunSettings, StudySpec } from './block.js';

/** A worker's start: the scenario as the main thread validated it, with its text and parsed expressions, and its block queue. */
export interface WorkerStart {
  /** The scenario as the main thread validated it (plain data, cloned), and the text it was read from (with `file`, the key it is kept by). */
  scenario: Scenario;
  text: string;
  file: string;
  /** The main thread's parsed expressions: compiling them needs no mathjs in the worker. */
  trees: Record<string, ExpressionTree>;
  settings: RunSettings;
  /** The shared block queue (BlockQueue.shared). */
  queue: SharedQueue;
  /** The thread's cell of the queue's mailbox (claimed blocks only) and of `taken`. */
  slot: number;
  /** Per thread, the results of this run the main thread has taken so far. */
  taken: Int32Array;
  /** Bytes of results the thread may send before the main thread has taken them (RESULTS_AHEAD_BYTES unless a test sets fewer). */
  aheadBytes: number;
  kernel: WebAssembly.Module;
  /** Which compiled kernel it is (kernelModuleId): a kept thread sent the same one keeps its own copy, and its pooled instances. */
  kernelId: number;
  study: StudySpec;
  /** The thread waits for the next run afterwards (so its sketches come on SharedArrayBuffers, not transferred: stats/sketch.ts's typedArray). */
  keep: boolean;
  /** The thread keeps its kernel's instance for the next run whatever its size (Kernel.release: a queue worker's threads). */
  keepLarge: boolean;
  /** The thread's sketch counts are sent packed (a shard's part holds them so). */
  packed: boolean;
}

/**
 * A block queue that threads share: the next block index, taken with Atomics, up to `end`; or,
 * with a `mailbox` (claimed blocks), blocks the main thread claims as each thread asks: one cell
 * per thread, where the main thread writes the block it claimed, or -1 when none is left.
 */
export interface SharedQueue {
  next: Int32Array;
  end: number;
  mailbox?: Int32Array;
}

/**
 * Bytes of block results a worker thread sends at most before the main thread has taken them:
 * while the main thread is busy (a report's summary while a study's pass runs on the worker, say),
 * results not taken wait in memory (1.1 MB a block for the cost-of-delay exhibit on the default
 * scenario, 2.0 MB for the run: Plan.columns), so the thread waits instead.
 */
export const RESULTS_AHEAD_BYTES = 32 * 1024 * 1024;

/** The results a thread whose results take `bytes` each may send ahead: aheadBytes' worth, at least two (one being taken, one more). */
export const resultsAhead = (bytes: number, aheadBytes: number): number => Math.max(2, Math.floor(aheadBytes / Math.max(1, bytes)));

/** The bytes of a block's result (its arrays), as sent. */
export const resultBytes = (r: BlockResult): number => Object.values(r).reduce((n: number, v) => n + (ArrayBuffer.isView(v) ? v.byteLength : 0), 0);

/** A mailbox cell whose thread waits for the main thread's claim. */
export const WAITING = -2;

export interface EncodedError {
  name: string;
  message: string;
  path?: number;
  seed?: number;
  detail?: string;
  inputs?: Record<string, number | string>;
}

export type FromWorker = { type: 'result'; result: BlockResult } | { type: 'take' } | { type: 'sketch'; data: AnySketchData } | { type: 'error'; error: EncodedError };

export function encodeError(e: unknown): EncodedError {
  if (e instanceof PathError) return { name: 'PathError', message: e.message, path: e.path, seed: e.seed, detail: e.detail, inputs: e.inputs };
  const err = e as Error;
  return { name: err.name, message: err.stack ?? err.message };
}

export function decodeError(e: EncodedError): Error {
  return e.name === 'PathError' ? new PathError(e.path!, e.seed!, e.detail!, e.inputs!) : Object.assign(new Error(e.message), { name: e.name });
}
