import { describe, expect, it } from 'vitest';
import { buildReportFiles } from '../../src/report/files.js';
import { KeptThreads, runSimulation } from '../../src/engine/run.js';
import { runPasses } from '../../src/study/passes.js';
import { BLOCK_PATHS } from '../../src/engine/kernel.js';
import { FLUSH_BLOCKS } from '../../src/wasm/layout.js';
import { baseScenario, loadDoc } from '../helpers.js';

/** A stochastic scenario spanning several blocks, with financing, a licence, a phased policy, fading growth, a tail and mitigation. */
async function scenario() {
  const doc = baseScenario();
  doc.simulation.horizon_days = 60;
  doc.firm.revenue_growth = { dist: 'normal', mean: 0.3, sd: 0.2, min: -0.5 };
  doc.firm.cash = { dist: 'uniform', min: 20_000, max: 400_000 };
  doc.firm.financing = { raise_below: 100_000, round_size: 300_000, success_probability: 0.6, quality_sensitivity: 2, retry_days: 10, max_rounds: 2 };
  doc.productivity.capability_elasticity = { dist: 'pert', min: 0.2, mode: 1, max: 3 };
  doc.revocation.duration_days = { dist: 'lognormal', median: 30, p90: 60 };
  doc.policies.licence = { restrict: { nationality_not_in: ['US'] }, license: { approval_probability: 0.5, processing_days: { dist: 'uniform', min: 5, max: 40 } } };
  doc.policies.phased = { phases: [{ restrict: { everyone: true }, days: { dist: 'uniform', min: 0, max: 20 } }, { restrict: { location_not_in: ['US'] } }] };
  doc.simulation.tail_days = 90;
  doc.firm.growth_persistence = { dist: 'uniform', min: 0.6, max: 1 };
  doc.mitigation = { decide_after_days: { dist: 'uniform', min: 0, max: 30 }, relocation: { share: 0.3, delay_days: 10 }, hiring: { share: 0.3, delay_days: { dist: 'uniform', min: 5, max: 40 }, cost_per_head: 10_000, premium_annual: 5_000 } };
  // An attributed policy: its sub-worlds and every option of its decision run on the same blocks.
  doc.policies['what-happened'] = { phases: [{ restrict: { everyone: true }, days: 10, by: 'provider' }, { restrict: { nationality_not_in: ['US'] }, by: 'government' }] };
  return loadDoc(doc);
}

/** Every output file but timing.json (which holds the thread count). */
async function outputs(threads: number, paths: number, seed = 11) {
  const loaded = await scenario();
  const result = await runSimulation(loaded, { paths, seed, threads });
  const { files } = await buildReportFiles(loaded, result);
  expect(JSON.parse(files.get('timing.json') as string).threads).toBe(Math.min(threads, Math.ceil(paths / BLOCK_PATHS)));
  expect(files.has('attribution.csv')).toBe(true);
  files.delete('timing.json');
  return { ...Object.fromEntries([...files].filter(([name]) => !name.endsWith('.png'))), metrics: files.get('metrics.csv') };
}

describe('determinism', () => {
  const paths = 2 * BLOCK_PATHS + 300;
  it('the same seed gives byte-identical outputs (files and chart specs) with 1, 2 and 3 threads', async () => {
    const one = await outputs(1, paths);
    expect(await outputs(2, paths)).toEqual(one);
    expect(await outputs(3, paths)).toEqual(one);
  });
  it('kept threads, started before the scenario is given, run a run and the passes after it, started once, with the same results', async () => {
    const kept = new KeptThreads(1);
    kept.start();
    expect([kept.executors[0].started, kept.executors[0].runs]).toEqual([1, 0]);
    const loaded = await scenario();
    try {
      const run = await runSimulation(loaded, { paths, seed: 11, threads: 2, kept });
      const pass = { study: { lastDayOnly: true }, paths: BLOCK_PATHS };
      const { results } = await runPasses(loaded, [pass], { paths, seed: 11, threads: 2, kept });
      expect(kept.executors[0].runs).toBe(2);
      expect(kept.executors[0].started).toBe(1);
      const fresh = await runSimulation(loaded, { paths, seed: 11, threads: 2 });
      expect(run.metrics).toEqual(fresh.metrics);
      expect([...run.seriesMeans]).toEqual([...fresh.seriesMeans]);
      const alone = await runSimulation(loaded, { paths: BLOCK_PATHS, seed: 11, threads: 1, study: { lastDayOnly: true } });
      expect(results[0].metrics).toEqual(alone.metrics);
    } finally {
      kept.stop();
    }
  });
  it('a different seed gives different results', async () => {
    const a = await outputs(1, 300, 11);
    const b = await outputs(1, 300, 12);
    expect(a.metrics).not.toEqual(b.metrics);
  });
  it('path i draws the same inputs whatever the run size (streams depend only on seed and path)', async () => {
    const loaded = await scenario();
    const small = await runSimulation(loaded, { paths: 10, seed: 5, threads: 1 });
    const large = await runSimulation(loaded, { paths: BLOCK_PATHS + 10, seed: 5, threads: 2 });
    for (let m = 0; m < small.metrics[0].length; m++) expect(large.metrics[0][m].subarray(0, 10)).toEqual(small.metrics[0][m]);
  });
  it('sketch counts go past 16 bits: every cell counts every path, one thread or two', async () => {
    // Every value of a cell is the same here, so one bucket takes every path: the kernel's 16-bit
    // counts must be moved to the engine's grid before they overflow (FLUSH_BLOCKS).
    const doc = baseScenario();
    doc.simulation.horizon_days = 6;
    doc.revocation.start_day = 1;
    const loaded = await loadDoc(doc);
    const paths = (FLUSH_BLOCKS + 2) * BLOCK_PATHS + 7;
    expect(paths).toBeGreaterThan(65_535);
    const [one, two] = [await runSimulation(loaded, { paths, seed: 3, threads: 1 }), await runSimulation(loaded, { paths, seed: 3, threads: 2 })];
    for (let c = 0; c < one.plan.cells; c++) {
      expect(one.sketches.count(c), `cell ${c}`).toBe(paths);
      expect(two.sketches.count(c), `cell ${c}`).toBe(paths);
      for (const p of [0, 0.5, 1]) expect(two.sketches.quantile(c, p)).toBe(one.sketches.quantile(c, p));
    }
  });
});
