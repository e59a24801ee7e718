/**
 * BlockExecutors: the in-thread executor gives the event loop a turn before its first block, so
 * the executors after it in a run (the worker threads) start loading while it simulates; a worker
 * thread sends at most RESULTS_AHEAD_BYTES of results (two at least) ahead of the main thread
 * taking them; a kept thread gives its sketches on SharedArrayBuffers (neither copied nor detached),
 * one that ends with the run transfers them.
 */
import { describe, expect, it } from 'vitest';
import { makePlan } from '../../src/engine/block.js';
import { BLOCK_PATHS } from '../../src/engine/kernel.js';
import { RESULTS_AHEAD_BYTES, resultsAhead } from '../../src/engine/protocol.js';
import { BlockQueue, InThreadExecutor, WorkerThreadsExecutor } from '../../src/engine/schedule.js';
import { isPacked } from '../../src/stats/packed.js';
import { uncertainScenario } from '../helpers.js';

describe('InThreadExecutor', () => {
  it('runs no block before it yields, then every block of its queue', async () => {
    const loaded = await uncertainScenario();
    const settings = { seed: 3, paths: 40 };
    const job = { loaded, plan: makePlan(loaded, { attribution: true }), settings, study: { attribution: true }, packed: false };
    const order: string[] = [];
    const running = new InThreadExecutor().execute(job, new BlockQueue(1), (r) => order.push(`block ${r.index}`));
    // What a run does next in the same turn: start the worker threads' executor.
    order.push('next executor started');
    const grids = await running;
    expect(order).toEqual(['next executor started', 'block 0']);
    expect(grids).toHaveLength(1);
  });
});

describe('WorkerThreadsExecutor', () => {
  it('sends as many results ahead as RESULTS_AHEAD_BYTES hold, two at least', () => {
    expect(resultsAhead(27e6, RESULTS_AHEAD_BYTES)).toBe(2);
    expect(resultsAhead(3e6, RESULTS_AHEAD_BYTES)).toBe(11);
    expect(resultsAhead(1e9, RESULTS_AHEAD_BYTES)).toBe(2);
  });

  it.each([
    ['a kept thread shares its sketches', true, SharedArrayBuffer],
    ['a thread that ends with the run transfers them', false, ArrayBuffer],
  ])('%s', async (_, keep, Buffer) => {
    const loaded = await uncertainScenario();
    const settings = { seed: 3, paths: 2 * BLOCK_PATHS };
    const job = { loaded, plan: makePlan(loaded, { attribution: true }), settings, study: { attribution: true }, packed: false };
    const pool = new WorkerThreadsExecutor(1, { keep });
    try {
      const [grid] = await pool.execute(job, new BlockQueue(2), () => undefined);
      expect(isPacked(grid)).toBe(false);
      if (isPacked(grid)) return;
      expect(grid.counts.length).toBeGreaterThan(0);
      expect(grid.windows.buffer).toBeInstanceOf(Buffer);
      expect(grid.counts.buffer).toBeInstanceOf(Buffer);
    } finally {
      pool.stop();
    }
  });

  it('waits while the results it may send ahead are not taken by a busy main thread', async () => {
    const loaded = await uncertainScenario();
    // A bound of one byte: two results ahead (this scenario's results are small; RESULTS_AHEAD_BYTES would hold thousands).
    const ahead = resultsAhead(Infinity, 1);
    const blocks = 6 * ahead;
    const settings = { seed: 3, paths: blocks * BLOCK_PATHS };
    const job = { loaded, plan: makePlan(loaded, { attribution: true }), settings, study: { attribution: true }, packed: false, aheadBytes: 1 };
    const queue = new BlockQueue(blocks);
    const claimedWhileBusy: number[] = [];
    const taken: number[] = [];
    await new WorkerThreadsExecutor(1).execute(job, queue, (r) => {
      taken.push(r.index);
      if (taken.length > 1) return;
      // This thread stays busy with the first result: the worker goes on until `ahead` results
      // wait, then waits too (a block takes a few hundred ms at most: a second is more blocks).
      const deadline = Date.now() + 60_000;
      while (Atomics.load(queue.shared.next, 0) < ahead && Date.now() < deadline);
      for (const settle = Date.now() + 1000; Date.now() < settle; );
      claimedWhileBusy.push(Atomics.load(queue.shared.next, 0));
    });
    expect(ahead).toBe(2);
    expect(claimedWhileBusy).toEqual([ahead]);
    // Then it runs the rest once its results are taken.
    expect(taken).toEqual(Array.from({ length: blocks }, (_, b) => b));
  });
});
