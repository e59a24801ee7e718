/**
 * Worker thread entry: loads the same scenario text (with the main thread's parsed expressions),
 * then simulates blocks, taking the next block from the queue it shares with the other threads
 * until none is left, and returns each block's results and, at the end, its sketches
 * (protocol.ts says what it sends).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { parseScenario } from '../scenario/load.js';
import { BlockSimulator, makePlan } from './block.js';
import { useKernelModule } from './kernel.js';
import { encodeError, type FromWorker, type WorkerStart } from './protocol.js';
import { blockRange, takeBlock } from './schedule.js';

const { text, file, trees, settings, queue, kernel, study } = workerData as WorkerStart;
useKernelModule(kernel);
const port = parentPort!;
const send = (msg: FromWorker, transfer?: ArrayBuffer[]) => port.postMessage(msg, transfer);

try {
  const loaded = await parseScenario(text, file, trees);
  const sim = new BlockSimulator(loaded, makePlan(loaded, study), settings);
  for (let b = takeBlock(queue); b !== undefined; b = takeBlock(queue)) {
    // Copied, not transferred: transferring detaches the buffers here, and once any buffer of a
    // thread has been detached V8 checks every typed array access for it.
    send({ type: 'result', result: sim.run(b, ...blockRange(b, settings.paths)) });
  }
  // The last message: transferring is free, and nothing runs here afterwards.
  const data = sim.sketchData();
  send({ type: 'sketch', data }, [data.windows.buffer, data.counts.buffer] as ArrayBuffer[]);
} catch (e) {
  send({ type: 'error', error: encodeError(e) });
}
