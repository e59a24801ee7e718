/**
 * BlockExecutors: the in-thread executor gives the event loop a turn before its first block, so
 * the executors after it in a run (the worker threads) start loading while it simulates.
 */
import { describe, expect, it } from 'vitest';
import { makePlan } from '../../src/engine/block.js';
import { BlockQueue, InThreadExecutor } from '../../src/engine/schedule.js';
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
