/**
 * simulation.sampling: lhs: a Latin hypercube per block of 1,024 paths. Every input keeps its
 * distribution, each block takes every stratum of every uniform once, results do not depend on the
 * threads, and the mean of a smooth metric varies less across seeds than with independent draws.
 */
import { describe, expect, it } from 'vitest';
import { LHS_BLOCK, makeInputDrawer } from '../../src/sampling/draw.js';
import { loadDoc, simulate } from '../helpers.js';
import { durationsOfBlock, meanSpread, smoothDoc } from './smooth.js';

const doc = smoothDoc;

describe('Latin hypercube sampling', () => {
  it('covers every whole day of a duration input within one block, and draws a path the same in any drawer', async () => {
    // Each of 1,024 strata of u is hit once, so every whole day of 10 ... 60 occurs.
    const { days, again } = await durationsOfBlock('lhs', LHS_BLOCK);
    expect(new Set(days).size).toBe(51);
    expect(again).toBe(days[17]);
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
    expect((await meanSpread('lhs')) / (await meanSpread('mc'))).toBeLessThan(0.5);
  });

  it('reports standard errors from the blocks as replicates, and the same summary with 1 and 2 threads', async () => {
    const loaded = await loadDoc(doc('lhs'));
    const [one, two] = [await simulate(loaded, { paths: 4 * LHS_BLOCK, seed: 5, threads: 1 }), await simulate(loaded, { paths: 4 * LHS_BLOCK, seed: 5, threads: 2 })];
    expect(JSON.stringify(two.summary)).toBe(JSON.stringify(one.summary));
    expect(one.summary.run.sampling).toMatch(/Latin hypercube in blocks of 1024 paths/);
    expect(one.summary.policies.blanket.metrics.lost_revenue.se).toBeGreaterThan(0);
  });
});
