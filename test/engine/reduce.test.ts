/**
 * RunAccumulator: blocks added in any order, or split over accumulators that are merged, give the
 * same bytes as one accumulator given the blocks in order.
 */
import { describe, expect, it } from 'vitest';
import { BlockSimulator, makePlan, makeSketches } from '../../src/engine/block.js';
import { BLOCK_PATHS } from '../../src/engine/kernel.js';
import { RunAccumulator } from '../../src/engine/reduce.js';
import { blockRange } from '../../src/engine/schedule.js';
import { uncertainScenario } from '../helpers.js';

const bytes = (xs: Float64Array) => Buffer.from(xs.buffer, xs.byteOffset, xs.byteLength).toString('base64');

describe('RunAccumulator', () => {
  it('merges accumulators over disjoint block ranges to the same bytes as one in block order', async () => {
    const loaded = await uncertainScenario();
    const plan = makePlan(loaded);
    const paths = 3 * BLOCK_PATHS + 100;
    const sim = new BlockSimulator(loaded, plan, { seed: 4, paths });
    const whole = new RunAccumulator(plan, paths);
    const a = new RunAccumulator(plan, paths);
    // b holds only the paths of blocks 1 to 3 (a shard's window); merging it puts them in place.
    const b = new RunAccumulator(plan, paths, [BLOCK_PATHS, paths]);
    for (const block of [0, 1, 2, 3]) {
      const r = sim.run(block, ...blockRange(block, paths));
      whole.add(r);
      (block === 1 || block === 3 ? b : a).add(r);
    }
    expect(b.butforValue.length).toBe(paths - BLOCK_PATHS);
    expect(() => a.result(makeSketches(plan))).toThrow(/2048 of 3172 paths/);
    a.merge(b);
    const one = whole.result(makeSketches(plan));
    const merged = a.result(makeSketches(plan));
    expect(bytes(merged.seriesMeans)).toBe(bytes(one.seriesMeans));
    expect(bytes(merged.insolvencyDays)).toBe(bytes(one.insolvencyDays));
    expect(bytes(merged.butforValue)).toBe(bytes(one.butforValue));
    merged.metrics.forEach((perMetric, i) => perMetric.forEach((xs, m) => expect(bytes(xs), `${i}.${m}`).toBe(bytes(one.metrics[i][m]))));
    // The series means do depend on the order of addition: a fold out of order would show.
    const reversed = new Float64Array(plan.cells);
    const partials = [3, 2, 1, 0].map((block) => sim.run(block, ...blockRange(block, paths)).seriesSums.slice());
    for (const s of partials) for (let c = 0; c < s.length; c++) reversed[c] += s[c];
    expect(bytes(reversed.map((s) => s / paths))).not.toBe(bytes(one.seriesMeans));
  });

  it('holds a window of paths: exports the same part as an accumulator of every path, and refuses paths outside it', async () => {
    const loaded = await uncertainScenario();
    const plan = makePlan(loaded);
    const paths = 3 * BLOCK_PATHS;
    const sim = new BlockSimulator(loaded, plan, { seed: 5, paths });
    const whole = new RunAccumulator(plan, paths);
    const window = new RunAccumulator(plan, paths, [BLOCK_PATHS, 3 * BLOCK_PATHS]);
    for (const block of [2, 1]) {
      const r = sim.run(block, ...blockRange(block, paths));
      whole.add(r);
      window.add(r);
    }
    expect(window.metrics.find((m) => m.length > 0)![0].length).toBe(2 * BLOCK_PATHS);
    expect(JSON.stringify(window.exportPart(), (_k, v: unknown) => (v instanceof Float64Array ? bytes(v) : v))).toBe(JSON.stringify(whole.exportPart(), (_k, v: unknown) => (v instanceof Float64Array ? bytes(v) : v)));
    expect(() => window.add(sim.run(0, ...blockRange(0, paths)))).toThrow(/paths 0 to 1023 are outside the accumulator's paths 1024 to 3071/);
  });

  it('refuses a block given twice', async () => {
    const loaded = await uncertainScenario();
    const plan = makePlan(loaded);
    const sim = new BlockSimulator(loaded, plan, { seed: 4, paths: 10 });
    const acc = new RunAccumulator(plan, 10);
    acc.add(sim.run(0, 0, 10));
    expect(() => acc.add(sim.run(0, 0, 10))).toThrow(/block 0 added twice/);
  });
});
