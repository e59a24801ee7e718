/**
 * Worker thread entry: loads the same scenario text, then simulates the blocks the main thread
 * sends, returning each block's results and, at the end, its sketches.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { parseScenario } from '../scenario/load.js';
import { PathError } from '../sampling/draw.js';
import { BlockSimulator, makePlan, type RunSettings } from './block.js';

const { text, file, settings } = workerData as { text: string; file: string; settings: RunSettings };
const port = parentPort!;

function report(e: unknown): void {
  const err = e as Error;
  port.postMessage({
    type: 'error',
    error: e instanceof PathError ? { name: 'PathError', message: e.message, path: e.path, seed: e.seed, detail: e.detail, inputs: e.inputs } : { name: err.name, message: err.stack ?? err.message },
  });
}

try {
  const loaded = await parseScenario(text, file);
  const sim = new BlockSimulator(loaded, makePlan(loaded), settings);
  port.on('message', (msg: { type: 'block'; index: number; first: number; count: number } | { type: 'finish' }) => {
    try {
      if (msg.type === 'block') {
        const result = sim.run(msg.index, msg.first, msg.count);
        // Copied, not transferred: transferring detaches the buffers here, and once any buffer of
        // a thread has been detached V8 checks every typed array access for it (~10% slower).
        port.postMessage({ type: 'result', result });
      } else {
        // The last message: transferring is free, and nothing runs here afterwards.
        const data = sim.sketchData();
        port.postMessage({ type: 'sketch', data }, [data.windows.buffer, data.counts.buffer] as ArrayBuffer[]);
      }
    } catch (e) {
      report(e);
    }
  });
  port.postMessage({ type: 'ready' });
} catch (e) {
  report(e);
}
