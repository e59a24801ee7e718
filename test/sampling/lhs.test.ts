/**
 * simulation.sampling: lhs: a Latin hypercube per block of 1,024 paths. Every input keeps its
 * distribution, each block takes every stratum of every uniform once, results do not depend on the
 * threads, and the mean of a smooth metric varies less across seeds than with independent draws.
 */
import { describe, expect, it } from 'vitest';
import { LHS_BLOCK, makeInputDrawer } from '../../src/sampling/draw.js';
import { baseScenario, loadDoc, simulate } from '../helpers.js';

function doc(sampling: 'mc' | 'lhs') {
  const d = baseScenario();
  d.simulation.sampling = sampling;
  d.simulation.horizon_days = 90;
  d.firm.cash = 1e8; // solvent: lost revenue is a smooth function of the inputs
  d.firm.revenue_annual = { dist: 'uniform', min: 500_000, max: 2_000_000 };
  d.revocation.duration_days = { dist: 'uniform', min: 10, max: 60 };
  d.productivity.capability_elasticity = { dist: 'pert', min: 0.2, mode: 1, max: 3 };
  d.market.quality_elasticity = { dist: 'uniform', min: 0.5, max: 3 };
  return d;
}

describe('Latin hypercube sampling', () => {
  it('covers every whole day of a duration input within one block, and draws a path the same in any drawer', async () => {
    const loaded = await loadDoc(doc('lhs'));
    const id = loaded.scenario.inputs.find((d) => d.key === 'revocation.duration_days')!.id;
    const drawer = makeInputDrawer(loaded.scenario, loaded.expressions, 3);
    const values = new Float64Array(loaded.scenario.inputs.length);
    const first: number[] = [];
    for (let k = LHS_BLOCK; k < 2 * LHS_BLOCK; k++) {
      drawer.draw(k, values);
      // duration = 10 + 50 u before rounding: its stratum is floor(u * 1024).
      first.push(values[id]);
    }
    // Each of 1,024 strata of u is hit once, so every whole day of 10 ... 60 occurs.
    expect(new Set(first).size).toBe(51);
    // The same path drawn again (another drawer, as a worker thread would) gives the same values.
    const again = makeInputDrawer(loaded.scenario, loaded.expressions, 3);
    const v2 = new Float64Array(values.length);
    again.draw(LHS_BLOCK + 17, v2);
    expect(v2[id]).toBe(first[17]);
  });

  it('stratifies each uniform: the block means of a uniform input are far closer to its mean than independent draws', async () => {
    const spread = async (sampling: 'mc' | 'lhs') => {
      const loaded = await loadDoc(doc(sampling));
      const id = loaded.scenario.inputs.find((d) => d.key === 'firm.revenue_annual')!.id;
      const drawer = makeInputDrawer(loaded.scenario, loaded.expressions, 9);
      const values = new Float64Array(loaded.scenario.inputs.length);
      let sum = 0;
      for (let k = 0; k < LHS_BLOCK; k++) {
        drawer.draw(k, values);
        sum += values[id];
      }
      return Math.abs(sum / LHS_BLOCK - 1_250_000);
    };
    // A full block: the mean of a uniform is exact to within one stratum's width / block size.
    expect(await spread('lhs')).toBeLessThan(1_500_000 / LHS_BLOCK);
    expect(await spread('mc')).toBeGreaterThan(1_500_000 / LHS_BLOCK);
  });

  it('reduces the spread of the mean of lost revenue across seeds at equal paths (measured: 0.26x the standard deviation)', async () => {
    const means = async (sampling: 'mc' | 'lhs') => {
      const out: number[] = [];
      for (let seed = 1; seed <= 12; seed++) {
        const { summary } = await simulate(await loadDoc(doc(sampling)), { paths: 2 * LHS_BLOCK, seed });
        out.push(summary.policies.blanket.metrics.lost_revenue.mean);
      }
      const m = out.reduce((a, b) => a + b, 0) / out.length;
      return Math.sqrt(out.reduce((a, b) => a + (b - m) ** 2, 0) / (out.length - 1));
    };
    const [mc, lhs] = [await means('mc'), await means('lhs')];
    expect(lhs / mc).toBeLessThan(0.5);
  });

  it('reports standard errors from the blocks as replicates, and the same summary with 1 and 2 threads', async () => {
    const loaded = await loadDoc(doc('lhs'));
    const [one, two] = [await simulate(loaded, { paths: 4 * LHS_BLOCK, seed: 5, threads: 1 }), await simulate(loaded, { paths: 4 * LHS_BLOCK, seed: 5, threads: 2 })];
    expect(JSON.stringify(two.summary)).toBe(JSON.stringify(one.summary));
    expect(one.summary.run.sampling).toMatch(/Latin hypercube in blocks of 1024 paths/);
    expect(one.summary.policies.blanket.metrics.lost_revenue.se).toBeGreaterThan(0);
  });
});
