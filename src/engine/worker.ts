/**
 * Worker thread entry: loads the same scenario text (with the main thread's parsed expressions),
 * then simulates blocks, taking the next block from the counter it shares with the other threads
 * until none is left, and returns each block's results and, at the end, its sketches.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { parseScenario } from '../scenario/load.js';
import type { ExpressionTree } from '../scenario/expressions.js';
import { PathError } from '../sampling/draw.js';
import { BlockSimulator, makePlan, type RunSettings, type StudySpec } from './block.js';
import { BLOCK_PATHS, useKernelModule } from './kernel.js';

const { text, file, trees, settings, next, blocks, kernel, study } = workerData as {
  text: string;
  file: string;
  /** The main thread's parsed expressions: compiling them needs no mathjs here. */
  trees: Record<string, ExpressionTree>;
  settings: RunSettings;
  next: Int32Array;
  blocks: number;
  kernel: WebAssembly.Module;
  study: StudySpec;
};
useKernelModule(kernel);
const port = parentPort!;

function report(e: unknown): void {
  const err = e as Error;
  port.postMessage({
    type: 'error',
    error: e instanceof PathError ? { name: 'PathError', message: e.message, path: e.path, seed: e.seed, detail: e.detail, inputs: e.inputs } : { name: err.name, message: err.stack ?? err.message },
  });
}

try {
  const loaded = await parseScenario(text, file, trees);
  const sim = new BlockSimulator(loaded, makePlan(loaded, study), settings);
  for (let b = Atomics.add(next, 0, 1); b < blocks; b = Atomics.add(next, 0, 1)) {
    const first = b * BLOCK_PATHS;
    const result = sim.run(b, first, Math.min(BLOCK_PATHS, settings.paths - first));
    // Copied, not transferred: transferring detaches the buffers here, and once any buffer of a
    // thread has been detached V8 checks every typed array access for it.
    port.postMessage({ type: 'result', result });
  }
  // The last message: transferring is free, and nothing runs here afterwards.
  const data = sim.sketchData();
  port.postMessage({ type: 'sketch', data }, [data.windows.buffer, data.counts.buffer] as ArrayBuffer[]);
} catch (e) {
  report(e);
}
