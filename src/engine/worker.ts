/**
 * Worker thread entry: for each run it is sent (a WorkerStart message), takes the scenario the main
 * thread validated (with its text and parsed expressions; once, for the runs of a kept thread), then simulates blocks, taking the next block
 * from the queue it shares with the other threads until none is left, and returns each block's
 * results and, at the end, its sketches (protocol.ts says what it sends). Then it waits for the
 * next run, or is ended by the main thread.
 */
import { parentPort } from 'node:worker_threads';
import { loadValidated, RecentScenarios } from '../scenario/loaded.js';
import { BlockSimulator, makePlan } from './block.js';
import { useKernelModule } from './kernel.js';
import { isPacked } from '../stats/packed.js';
import { encodeError, resultBytes, resultsAhead, WAITING, type FromWorker, type SharedQueue, type WorkerStart } from './protocol.js';
import { blockRange, takeBlock } from './schedule.js';

const port = parentPort!;
const send = (msg: FromWorker, transfer?: ArrayBuffer[]) => port.postMessage(msg, transfer);

/** The kernel this thread last used (WorkerStart.kernelId). */
let kernelId = -1;

/**
 * The scenarios this thread has taken lately, by file name and text: a kept thread's next pass of
 * a study, or next shard of a queue worker, uses the one it has (compiling its expressions again
 * otherwise; parsing its text took 20-80 ms a run before threads were given the validated one).
 */
const parsed = new RecentScenarios(4);

/** The thread's next block: from the shared counter, or, for claimed blocks, the main thread's claim (waited for). */
function take(queue: SharedQueue, slot: number): number | undefined {
  const { mailbox } = queue;
  if (!mailbox) return takeBlock(queue);
  Atomics.store(mailbox, slot, WAITING);
  send({ type: 'take' });
  Atomics.wait(mailbox, slot, WAITING);
  const b = Atomics.load(mailbox, slot);
  return b >= 0 ? b : undefined;
}

/** Waits while this thread's results not yet taken by the main thread number `ahead`. */
function waitForMain(taken: Int32Array, slot: number, sent: number, ahead: number): void {
  for (let t = Atomics.load(taken, slot); sent - t >= ahead; t = Atomics.load(taken, slot)) Atomics.wait(taken, slot, t);
}

async function run({ scenario, text, file, trees, settings, queue, slot, taken, aheadBytes, kernel, kernelId: id, study, keep, keepLarge, packed }: WorkerStart): Promise<void> {
  if (id !== kernelId) {
    useKernelModule(kernel);
    kernelId = id;
  }
  try {
    const loaded = await parsed.get(`${file}\0${text}`, () => loadValidated(scenario, text, trees));
    const sim = new BlockSimulator(loaded, makePlan(loaded, study), settings);
    let sent = 0;
    let ahead = Infinity;
    for (;;) {
      // The next block is taken once the main thread has kept up (a block not yet taken may go to it).
      waitForMain(taken, slot, sent, ahead);
      const b = take(queue, slot);
      if (b === undefined) break;
      const result = sim.run(b, ...blockRange(b, settings.paths));
      if (sent === 0) ahead = resultsAhead(resultBytes(result), aheadBytes);
      // Copied, not transferred: transferring detaches the buffers here, and once any buffer of a
      // thread has been detached V8 checks every typed array access for it.
      send({ type: 'result', result });
      sent++;
    }
    // A thread that ends with the run transfers its sketches (free, and nothing runs here
    // afterwards); a kept thread shares them (SharedArrayBuffers: not detached, for the reason
    // above, and not copied).
    const data = sim.finish(packed, keepLarge, keep);
    send({ type: 'sketch', data }, keep ? [] : ([data.windows.buffer, isPacked(data) ? data.packed.buffer : data.counts.buffer] as ArrayBuffer[]));
  } catch (e) {
    send({ type: 'error', error: encodeError(e) });
  }
}

// One run per message, in turn.
let runs = Promise.resolve();
port.on('message', (start: WorkerStart) => {
  runs = runs.then(() => run(start));
});
