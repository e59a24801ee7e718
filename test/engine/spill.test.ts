/**
 * Per-path values held in a file (engine/spill.ts): a large run writes its simulated worlds' values
 * block by block and reads them back a column at a time; what it reports is the same bytes as a run
 * that holds them in memory.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { headColumns, lazyArray, SpilledColumns, SPILL_BYTES, spillBytes } from '../../src/engine/spill.js';
import { KeptThreads, runSimulation } from '../../src/engine/run.js';
import { RunAccumulator } from '../../src/engine/reduce.js';
import { makePlan } from '../../src/engine/block.js';
import { BLOCK_PATHS } from '../../src/engine/kernel.js';
import { runSummary, seriesRows } from '../../src/analysis/run.js';
import { loadScenario } from '../../src/scenario/load.js';

const bytes = (xs: Float64Array) => Buffer.from(xs.buffer, xs.byteOffset, xs.byteLength).toString('base64');
const saved = process.env.ACCESSGAP_SPILL_BYTES;
afterEach(() => {
  if (saved === undefined) delete process.env.ACCESSGAP_SPILL_BYTES;
  else process.env.ACCESSGAP_SPILL_BYTES = saved;
});

describe('a file of per-path values', () => {
  it('reads back each column as written, blocks in any order, a rewritten column afresh', () => {
    const file = new SpilledColumns(3, 10);
    const column = (c: number) => Float64Array.from({ length: 10 }, (_, k) => c * 100 + k + 0.1 * Math.PI);
    // Block [6, 10) first, then [0, 6), column by column.
    for (let c = 0; c < 3; c++) file.write(c, 6, column(c).subarray(6));
    for (let c = 2; c >= 0; c--) file.write(c, 0, column(c).subarray(0, 6));
    for (let c = 0; c < 3; c++) expect(bytes(file.read(c))).toBe(bytes(column(c)));
    expect(file.read(1)).toBe(file.read(1)); // kept: a reader going back to it does not read it again
    file.write(1, 0, new Float64Array([-1, -2]));
    expect(Array.from(file.read(1).subarray(0, 3))).toEqual([-1, -2, 102 + 0.1 * Math.PI]);
  });

  it('lazy arrays read an element only when it is looked up, and a head of one reads none', () => {
    const reads: number[] = [];
    const lazy = lazyArray(4, (j) => (reads.push(j), new Float64Array([j])));
    const head = headColumns(lazy, 2);
    expect(head.length).toBe(2);
    expect(reads).toEqual([]);
    expect(head[1][0]).toBe(1);
    expect(reads).toEqual([1]);
  });

  it('is used above SPILL_BYTES, or the bound ACCESSGAP_SPILL_BYTES sets', () => {
    delete process.env.ACCESSGAP_SPILL_BYTES;
    expect(spillBytes()).toBe(SPILL_BYTES);
    process.env.ACCESSGAP_SPILL_BYTES = '0';
    expect(spillBytes()).toBe(0);
  });

  it('gives a run the bytes of one held in memory: every entry, decision, summary figure and series quantile', async () => {
    const loaded = await loadScenario('scenarios/legion-canada.yaml');
    const paths = BLOCK_PATHS + 200;
    const run = async (bound: string) => {
      process.env.ACCESSGAP_SPILL_BYTES = bound;
      const result = await runSimulation(loaded, { paths, seed: 5, threads: 2 });
      return { result, summary: JSON.stringify(runSummary(loaded, result)), series: JSON.stringify(seriesRows(result)) };
    };
    const held = await run(String(Number.MAX_SAFE_INTEGER));
    const spilled = await run('0');
    expect(spilled.result.fullPlan.decisions.length).toBeGreaterThan(0);
    expect(spilled.result.fullPlan.attributions.length).toBeGreaterThan(0);
    // The spilled run's arrays of columns read its file: their elements are getters, the held run's values.
    expect(Object.getOwnPropertyDescriptor(spilled.result.entryMetrics[0], 0)?.get).toBeDefined();
    expect(Object.getOwnPropertyDescriptor(held.result.entryMetrics[0], 0)?.get).toBeUndefined();
    const { fullPlan } = held.result;
    fullPlan.policies.forEach((_, i) => {
      fullPlan.metrics.forEach((m, j) => expect(bytes(spilled.result.entryMetrics[i][j]), `${fullPlan.policies[i].name} ${m}`).toBe(bytes(held.result.entryMetrics[i][j])));
      if (i < fullPlan.compared) expect(bytes(spilled.result.insolvencyDay[i])).toBe(bytes(held.result.insolvencyDay[i]));
      expect(bytes(spilled.result.arises[i])).toBe(bytes(held.result.arises[i]));
    });
    expect(spilled.result.decisions.map((d) => d.chosen)).toEqual(held.result.decisions.map((d) => d.chosen));
    expect(spilled.summary).toBe(held.summary);
    // Its two threads' sketch grids are added up into one (a held run merges each as it is): the same quantiles.
    expect(spilled.result.timing.threads).toBe(2);
    expect(spilled.series).toBe(held.series);
  });

  it('renews the kept threads a run leaves (what they held goes with them); a run held in memory keeps them', async () => {
    const loaded = await loadScenario('scenarios/legion-canada.yaml');
    const paths = BLOCK_PATHS + 200;
    const kept = new KeptThreads(1);
    kept.start();
    const series = async (bound: string) => {
      process.env.ACCESSGAP_SPILL_BYTES = bound;
      return JSON.stringify(seriesRows(await runSimulation(loaded, { paths, seed: 5, threads: 2, kept })));
    };
    try {
      const first = await series('0');
      expect(kept.executors[0].started).toBe(2);
      // The new threads run the next run, to the same bytes.
      expect(await series('0')).toBe(first);
      expect(kept.executors[0].started).toBe(3);
      expect(await series(String(Number.MAX_SAFE_INTEGER))).toBe(first);
      expect(kept.executors[0].started).toBe(3);
    } finally {
      kept.stop();
    }
  });

  it('is not merged or exported: a spilled accumulator holds one whole run on one machine', async () => {
    const loaded = await loadScenario('scenarios/legion-canada.yaml');
    const plan = makePlan(loaded, { attribution: true });
    expect(RunAccumulator.spillableBytes(plan, 1000)).toBeGreaterThan(8 * 1000 * plan.compared * plan.metrics.length);
    expect(() => new RunAccumulator(plan, 1000, [0, 500], true)).toThrow(/every path/);
    const a = new RunAccumulator(plan, 1000, [0, 1000], true);
    expect(() => a.exportPart()).toThrow(/held in a file/);
    expect(() => a.merge(new RunAccumulator(plan, 1000))).toThrow(/held in a file/);
  });
});
