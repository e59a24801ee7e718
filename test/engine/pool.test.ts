/**
 * A thread keeps the kernel instances of runs it is done with (engine/kernel.ts's pool) and hands
 * them to its next runs, reset to a new instance's state. A run on a reused instance, whose memory
 * held another scenario's sketches and whose financing import served another run, must give the
 * bytes a run on a new instance gives; a released simulator must refuse to run.
 */
import { describe, expect, it } from 'vitest';
import { BlockSimulator, makePlan, type BlockResult } from '../../src/engine/block.js';
import { BLOCK_PATHS, POOLED_BYTES } from '../../src/engine/kernel.js';
import { loadScenario } from '../../src/scenario/load.js';
import { blockRange } from '../../src/engine/schedule.js';
import { baseScenario, loadDoc } from '../helpers.js';

/** A scenario with financing rounds (the kernel's import) and uncertain inputs, over `days`. */
async function scenario(days: number, seed: number) {
  const doc = baseScenario();
  doc.simulation.horizon_days = days;
  doc.simulation.seed = seed;
  doc.firm.cash = { dist: 'uniform', min: 20_000, max: 400_000 };
  doc.firm.financing = { raise_below: 100_000, round_size: 300_000, success_probability: 0.6, quality_sensitivity: 2, retry_days: 10, max_rounds: 2 };
  doc.revocation.duration_days = { dist: 'lognormal', median: 30, p90: 90 };
  return loadDoc(doc);
}

const copy = (r: BlockResult) => ({ values: r.values.slice(), butforValue: r.butforValue.slice(), seriesSums: r.seriesSums.slice() });

async function simulate(days: number, paths: number) {
  const loaded = await scenario(days, 5);
  const sim = new BlockSimulator(loaded, makePlan(loaded, { attribution: true }), { seed: 5, paths });
  const blocks = Array.from({ length: Math.ceil(paths / BLOCK_PATHS) }, (_, b) => copy(sim.run(b, ...blockRange(b, paths))));
  return { sim, blocks, sketch: sim.sketchData() };
}

describe('kernel instances kept between runs', () => {
  it('a run on a reused instance gives the bytes of a run on a new one', async () => {
    // A longer, larger run first: its memory is left full of counts and windows.
    const first = await simulate(200, 2 * BLOCK_PATHS);
    first.sim.release();
    const reused = await simulate(90, BLOCK_PATHS + 37);
    // The pool is empty now (the one kept instance is in use): this run gets a new instance.
    const fresh = await simulate(90, BLOCK_PATHS + 37);
    // (The kernel's instance is private; the test looks, to know the first run really reused one.)
    const memoryOf = (s: BlockSimulator) => (s as unknown as { kernel: { x: { memory: WebAssembly.Memory } } }).kernel.x.memory;
    expect(memoryOf(reused.sim)).toBe(memoryOf(first.sim));
    expect(memoryOf(fresh.sim)).not.toBe(memoryOf(first.sim));
    expect(reused.blocks).toEqual(fresh.blocks);
    expect(reused.sketch).toEqual(fresh.sketch);
    expect(reused.blocks[0].values.some((v) => v !== 0)).toBe(true);
  });

  it('a released simulator refuses to run or give its sketches', async () => {
    const { sim } = await simulate(30, 10);
    sim.release();
    expect(() => sim.run(1, ...blockRange(1, 2 * BLOCK_PATHS))).toThrow(/released/);
    expect(() => sim.sketchData()).toThrow(/released/);
  });
});

describe('kernel instances not kept', () => {
  it('an instance whose memory grew past POOLED_BYTES goes, and the next run gets a new one', async () => {
    // The default scenario's series sketches grow an instance's memory past the bound in one block.
    const loaded = await loadScenario('scenarios/legion-canada.yaml');
    const plan = makePlan(loaded, { attribution: true });
    const memoryOf = (s: BlockSimulator) => (s as unknown as { kernel: { x: { memory: WebAssembly.Memory } } }).kernel.x.memory;
    const large = new BlockSimulator(loaded, plan, { seed: 1, paths: 64 });
    large.run(0, 0, 64);
    const memory = memoryOf(large);
    expect(memory.buffer.byteLength).toBeGreaterThan(POOLED_BYTES);
    large.release();
    const next = await simulate(30, 10);
    expect(memoryOf(next.sim)).not.toBe(memory);
    // A small one is kept (the first test): the bound keeps a study's small passes on one instance.
    next.sim.release();
    expect(memoryOf((await simulate(30, 10)).sim)).toBe(memoryOf(next.sim));
  });

  it("is kept past POOLED_BYTES when its owner says so (a queue worker's threads: the next shard is as large)", async () => {
    const loaded = await loadScenario('scenarios/legion-canada.yaml');
    const plan = makePlan(loaded, { attribution: true });
    const memoryOf = (s: BlockSimulator) => (s as unknown as { kernel: { x: { memory: WebAssembly.Memory } } }).kernel.x.memory;
    const large = new BlockSimulator(loaded, plan, { seed: 1, paths: 64 });
    const first = large.run(0, 0, 64).values.slice();
    const memory = memoryOf(large);
    expect(memory.buffer.byteLength).toBeGreaterThan(POOLED_BYTES);
    large.finish(false, true);
    const again = new BlockSimulator(loaded, plan, { seed: 1, paths: 64 });
    expect(memoryOf(again)).toBe(memory);
    expect(again.run(0, 0, 64).values).toEqual(first);
    again.release();
  });
});
