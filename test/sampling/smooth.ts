/**
 * What the Latin hypercube and quasi-Monte Carlo tests share: a scenario whose lost revenue is a
 * smooth function of its inputs (a solvent firm), the days a duration input takes over one block,
 * and the spread of a mean across seeds at equal paths.
 */
import { makeInputDrawer } from '../../src/sampling/draw.js';
import { baseScenario, loadDoc, simulate } from '../helpers.js';

export type Sampling = 'mc' | 'lhs' | 'qmc';

export function smoothDoc(sampling: Sampling) {
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

/** The duration (10 + 50 u, whole days) of each path of the second block of `size` paths, and path 17 of it drawn again by a fresh drawer (as a worker thread would). */
export async function durationsOfBlock(sampling: Sampling, size: number): Promise<{ days: number[]; again: number }> {
  const loaded = await loadDoc(smoothDoc(sampling));
  const id = loaded.scenario.inputs.find((d) => d.key === 'revocation.duration_days')!.id;
  const drawer = makeInputDrawer(loaded.scenario, loaded.expressions, 3);
  const values = new Float64Array(loaded.scenario.inputs.length);
  const days: number[] = [];
  for (let k = size; k < 2 * size; k++) {
    drawer.draw(k, values);
    days.push(values[id]);
  }
  makeInputDrawer(loaded.scenario, loaded.expressions, 3).draw(size + 17, values);
  return { days, again: values[id] };
}

/** The standard deviation across seeds 1 ... 12 of blanket's mean lost revenue on 2,048 paths. */
export async function meanSpread(sampling: Sampling): Promise<number> {
  const out: number[] = [];
  for (let seed = 1; seed <= 12; seed++) {
    const { summary } = await simulate(await loadDoc(smoothDoc(sampling)), { paths: 2048, seed });
    out.push(summary.policies.blanket.metrics.lost_revenue.mean);
  }
  const m = out.reduce((a, b) => a + b, 0) / out.length;
  return Math.sqrt(out.reduce((a, b) => a + (b - m) ** 2, 0) / (out.length - 1));
}
