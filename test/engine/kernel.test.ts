/**
 * The lockstep kernel (engine/kernel.ts) must compute exactly what the per-path reference
 * computes (model/path.ts runs simulateWorld for every world, then computeMetrics): the same
 * operations in the same order, so the metrics agree bit for bit on every path, for every policy.
 */
import { describe, expect, it } from 'vitest';
import { runSimulation } from '../../src/engine/run.js';
import { computeMetrics, METRICS } from '../../src/model/metrics.js';
import { simulatePath } from '../../src/model/path.js';
import { kernelImports, kernelModule } from '../../src/engine/kernel.js';
import { uncertainScenario } from '../helpers.js';

describe('lockstep kernel', () => {
  it('matches the per-path reference simulateWorld bit for bit on every metric of every path', async () => {
    const loaded = await uncertainScenario();
    const s = loaded.scenario;
    const paths = 300;
    const result = await runSimulation(loaded, { paths, seed: 9, threads: 1 });
    // The comparison covers worlds that read their gap from an earlier world, and one that cannot.
    expect(result.plan.gapOf.filter((g) => g >= 0).length).toBeGreaterThan(0);
    expect(result.plan.gapOf[result.plan.policies.findIndex((p) => p.name === 'licence')]).toBe(-1);
    const T = s.simulation.horizon_days;
    const out = new Float64Array(METRICS.length);
    let insolventPaths = 0;
    for (let path = 0; path < paths; path++) {
      const { inputs, butfor, worlds } = simulatePath(loaded, 9, path);
      worlds.forEach(({ policy, revokedDays, trace }, i) => {
        computeMetrics(butfor, trace, { T, discount: result.plan.discount, t0: inputs.t0, revokedDays, targetedHeadcount: policy.targetedHeadcount, collateralHeadcount: policy.collateralHeadcount }, out, 0);
        insolventPaths += out[6];
        METRICS.forEach((m, j) => expect(result.metrics[i][j][path], `${policy.name}.${m} on path ${path}`).toBe(out[j]));
      });
    }
    expect(insolventPaths).toBeGreaterThan(0); // the comparison covered insolvency and financing
  });
  it('says what to change when the series sketches would not fit in WebAssembly memory', () => {
    const instance = new WebAssembly.Instance(kernelModule(), kernelImports(() => 0));
    const alloc = instance.exports.alloc as (bytes: number) => number;
    expect(alloc(1024)).toBeGreaterThan(0);
    expect(alloc(2_000_000_000)).toBeGreaterThan(0); // reserved, not touched: no memory used
    expect(() => alloc(2_500_000_000)).toThrow(/past WebAssembly's 4 GiB: store fewer series days \(simulation.series_step_days\) or compare fewer policies/);
  });
});
