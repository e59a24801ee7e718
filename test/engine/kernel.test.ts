/**
 * The lockstep kernel (engine/kernel.ts) must compute exactly what the per-path reference
 * computes (model/path.ts runs simulateWorld for every world, then computeMetrics): the same
 * operations in the same order, so the metrics agree bit for bit on every path, for every policy.
 */
import { describe, expect, it } from 'vitest';
import { runSimulation } from '../../src/engine/run.js';
import { computeMetrics, METRICS } from '../../src/model/metrics.js';
import { simulatePath } from '../../src/model/path.js';
import { baseScenario, loadDoc } from '../helpers.js';

async function scenario() {
  const doc = baseScenario();
  doc.simulation.horizon_days = 200;
  doc.firm.revenue_growth = { dist: 'normal', mean: 0.3, sd: 0.2, min: -0.5 };
  doc.firm.cash = { dist: 'uniform', min: 20_000, max: 400_000 };
  doc.firm.financing = { raise_below: 150_000, round_size: 300_000, success_probability: 0.6, quality_sensitivity: 2, retry_days: 20, max_rounds: 2 };
  doc.frontier.acceleration = { dist: 'uniform', min: 0, max: 0.5 };
  doc.productivity.capability_elasticity = { dist: 'pert', min: 0.2, mode: 1, max: 3 };
  doc.revocation.start_day = 10;
  doc.revocation.duration_days = { dist: 'lognormal', median: 70, p90: 150 };
  doc.policies.licence = { restrict: { nationality_not_in: ['US'] }, license: { approval_probability: 0.5, processing_days: { dist: 'uniform', min: 5, max: 40 } } };
  doc.policies['product-only'] = { restrict: { product: true } };
  return loadDoc(doc);
}

describe('lockstep kernel', () => {
  it('matches the per-path reference simulateWorld bit for bit on every metric of every path', async () => {
    const loaded = await scenario();
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
});
