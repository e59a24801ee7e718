/**
 * The two day loops held together: the per-path reference (model/path.ts, simulateWorld written
 * as docs/model.md reads) and the engine's lockstep WebAssembly kernel must agree bit for bit on
 * every metric and on every stored series cell of every path and world. Any kernel change (a
 * reordered sum, a SIMD lane pair) is checked here first.
 *
 *   path p -> reference: simulatePath -> metrics, series values per (world, variable, day)
 *          -> kernel: a block of one path (its series sums are then that path's values exactly)
 *          -> first field that differs, named by path, world, day and field
 *
 * Every entry of the run's plan is compared: compared policies, attribution sub-worlds and the
 * options of a mitigation decision. Aliased entries (plan.aliasOf) are not simulated by the
 * kernel; they are compared through the world they alias, so the aliasing rule is checked too.
 * Entries whose option is decided after the run are copies of an option entry, compared there.
 * Series are compared where the plan keeps them (plan.seriesKept); where it does not (attribution
 * sub-worlds), the kernel's cells must be empty: zero sums.
 */
import type { LoadedScenario } from '../scenario/load.js';
import { simulatePath, type PathResult } from '../model/path.js';
import { BlockSimulator, makePlan, type Plan } from './block.js';
import { DECIDED } from './plan.js';
import { cellOf, SERIES, SKETCHED } from './series.js';

export interface Divergence {
  path: number;
  /** 'butfor' or the policy's name. */
  world: string;
  /** The stored day (series), or undefined for a metric or an end-of-path value. */
  day?: number;
  field: string;
  kernel: number;
  reference: number;
}

/** The reference's stored series values of one path: [world][variable * days + day index], cell order. */
export function referenceSeries(plan: Plan, result: PathResult): Float64Array[] {
  const days = plan.seriesDays;
  const nd = days.length;
  const traces = [result.butfor, ...result.worlds.map((w) => w.trace)];
  return traces.map((trace, w) => {
    const out = new Float64Array(SKETCHED * nd);
    let harm = 0;
    let next = 0;
    for (let t = 0; next < nd; t++) {
      harm += plan.discount[t] * (result.butfor.profit[t] - trace.profit[t]);
      if (t !== days[next]) continue;
      const row = [trace.gap[t], trace.quality[t], trace.share[t], 365 * trace.revenue[t], w === 0 ? 0 : harm];
      for (let v = 0; v < SKETCHED; v++) out[v * nd + next] = row[v];
      next++;
    }
    return out;
  });
}

const same = (a: number, b: number) => a === b || (Number.isNaN(a) && Number.isNaN(b));

/**
 * Runs paths 0 ... paths-1 of a run with `seed` through both day loops and returns the first
 * difference (path by path; within a path: metrics, then end values, then series by world,
 * variable and day), or undefined when they agree on every field. `visit` sees each path's
 * reference result (a test counts the branches it reached).
 */
export function firstDivergence(loaded: LoadedScenario, seed: number, paths: number, visit?: (path: number, reference: PathResult) => void): Divergence | undefined {
  const plan = makePlan(loaded, { attribution: true });
  const sim = new BlockSimulator(loaded, plan, { seed, paths });
  const nPol = plan.policies.length;
  const nM = plan.metrics.length;
  const nd = plan.seriesDays.length;
  const names = ['butfor', ...plan.policies.map((p) => p.name)];
  // The world the kernel computed for world w: itself, or the one it aliases.
  const simulated = (w: number) => (w === 0 ? 0 : plan.aliasOf[w - 1] === -1 ? w : plan.aliasOf[w - 1]);
  const given = plan.policies.map((policy, i) => ({ policy, layout: plan.layouts[i] }));
  for (let path = 0; path < paths; path++) {
    const ref = simulatePath(loaded, seed, path, given);
    visit?.(path, ref);
    const out = sim.simulate(path, 1);
    for (let i = 0; i < nPol; i++) {
      if (plan.aliasOf[i] === DECIDED) continue;
      const source = simulated(i + 1);
      for (let m = 0; m < nM; m++) {
        const metric = plan.metrics[m];
        const kernel = source === 0 ? (metric === 'insolvent' ? (out.butforInsolvencyDay[0] >= 0 ? 1 : 0) : 0) : out.metrics[(source - 1) * nM + m];
        const reference = ref.worlds[i].values[m];
        if (!same(kernel, reference)) return { path, world: names[i + 1], field: metric, kernel, reference };
      }
      const kernelDay = source === 0 ? out.butforInsolvencyDay[0] : out.insolvencyDay[source - 1];
      if (!same(kernelDay, ref.worlds[i].trace.insolvencyDay)) return { path, world: names[i + 1], field: 'insolvency_day', kernel: kernelDay, reference: ref.worlds[i].trace.insolvencyDay };
    }
    if (!same(out.butforInsolvencyDay[0], ref.butfor.insolvencyDay)) return { path, world: 'butfor', field: 'insolvency_day', kernel: out.butforInsolvencyDay[0], reference: ref.butfor.insolvencyDay };
    const series = referenceSeries(plan, ref);
    for (let w = 0; w < names.length; w++) {
      if (w > 0 && plan.aliasOf[w - 1] === DECIDED) continue;
      const source = simulated(w);
      for (let v = 0; v < SKETCHED; v++) {
        for (let d = 0; d < nd; d++) {
          // A block of one path: each cell's sum is 0 + that path's value, the value itself.
          const kernel = out.seriesSums[cellOf(plan, source, v, d)];
          const reference = source === 0 || plan.seriesKept[source - 1] ? series[w][v * nd + d] : 0;
          if (!same(kernel, reference)) return { path, world: names[w], day: plan.seriesDays[d], field: SERIES[v], kernel, reference };
        }
      }
    }
  }
  return undefined;
}

/** The IEEE-754 bits of a double, in hex. */
const bitsOf = (x: number): string => new BigUint64Array(Float64Array.of(x).buffer)[0].toString(16).padStart(16, '0');

/** A divergence in words: where, and both values with their bits. */
export function describeDivergence(d: Divergence): string {
  const at = d.day === undefined ? '' : ` on day ${d.day}`;
  return `path ${d.path}, world ${d.world}${at}, ${d.field}: kernel ${d.kernel} (0x${bitsOf(d.kernel)}), reference ${d.reference} (0x${bitsOf(d.reference)})`;
}
