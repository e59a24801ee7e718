/**
 * A population of firms (docs/model.md section 15): one pass per archetype on the pass runner, each
 * a run of the archetype's scenario whose engine paths are its firms, perPath of them on each
 * population path, sharing that path's common inputs (FirmStreams, sampling/draw.ts). The passes'
 * per-firm metrics fold into per-path totals: an archetype's total on a path is its firm count
 * times the mean of its firms there (their exact sum when every firm is simulated).
 *
 *   LoadedPopulation -> one Pass per archetype (runPasses) -> per firm, per policy, per metric
 *   -> per population path: count x mean, and the within-path variance -> PopulationRun
 */
import type { MitigationOption } from '../model/world.js';
import { shapleyPerPath } from '../engine/attribution.js';
import { commonUniforms } from '../sampling/draw.js';
import type { LoadedPopulation } from '../scenario/population.js';
import { runPasses, type Pass, type PassSettings } from './passes.js';

/** The additive per-firm metrics a population sums over firms, in output order. */
export const POPULATION_METRICS = [
  'total_harm',
  'lost_revenue',
  'pv_lost_profit',
  'insolvent',
  'attributable_insolvency',
  'targeted_access_days',
  'collateral_access_days',
  'displaced_heads',
  'relocated_heads',
  'mitigation_cost',
] as const;
export type PopulationMetric = (typeof POPULATION_METRICS)[number];
/** The metrics a population splits among the parties a policy names. */
export const ATTRIBUTED_POPULATION_METRICS = ['total_harm', 'attributable_insolvency'] as const;

export interface ArchetypeTotals {
  name: string;
  /** Firms simulated on each population path. */
  perPath: number;
  /** Per population path, the archetype's firm count. */
  counts: Float64Array;
  /** [policy][metric]: per population path, the archetype's total (count x the mean of its firms on the path). */
  totals: Float64Array[][];
  /**
   * [policy][metric]: per population path, how much more variance the total has than a sum of
   * `count` independent firms given the path's common inputs: N s^2 (N/m - 1), with s^2 the
   * variance between the path's m simulated firms (0 when every firm is simulated).
   */
  excess: Float64Array[][];
  /** attribution[policy][party][metric]: [per-path totals, excess] of the party's Shapley share (policies whose phases name parties). */
  attribution: Record<string, Record<string, Record<string, [Float64Array, Float64Array]>>>;
  /** Per policy: the mitigation the archetype's firms choose (decision: expected), if they decide. */
  decisions: (MitigationOption | undefined)[];
}

export interface PopulationRun {
  paths: number;
  seed: number;
  /** Compared policies, in order, with their statuses. */
  policies: { name: string; status?: string; description?: string; providerWide: boolean }[];
  archetypes: ArchetypeTotals[];
  /** Firm-paths simulated over every archetype. */
  firmPaths: number;
  simulateSeconds: number;
}

/** The passes of a population: one per archetype, its firms on each population path a run of consecutive engine paths. */
export function populationPasses(pop: LoadedPopulation, paths: number): Pass[] {
  const stride = pop.archetypes.reduce((s, a) => s + a.perPath, 0);
  let offset = 0;
  return pop.archetypes.map((a) => {
    const pass: Pass = {
      loaded: a.loaded,
      paths: paths * a.perPath,
      // Metrics only (no fan charts), with the attribution sub-worlds of policies that name parties.
      study: { lastDayOnly: true, attribution: true, uniforms: { firms: { perPath: a.perPath, stride, offset, common: a.common, commonUniforms: pop.commonUniforms } } },
    };
    offset += a.perPath;
    return pass;
  });
}

/** Runs every archetype on the same population paths and folds each into per-path totals. */
export async function runPopulation(pop: LoadedPopulation, settings: PassSettings): Promise<PopulationRun> {
  const { paths, seed } = settings;
  const passes = populationPasses(pop, paths);
  const first = pop.archetypes[0].loaded;
  // The counts on each path, from the common stream (after the common inputs' uniforms).
  const u = new Float64Array(pop.commonUniforms);
  const nCommon = pop.commonKeys.length;
  const counts = pop.archetypes.map(() => new Float64Array(paths));
  for (let p = 0; p < paths; p++) {
    commonUniforms(seed, p, pop.commonUniforms, u);
    pop.archetypes.forEach((a, k) => (counts[k][p] = a.count(u[2 * (nCommon + k)], u[2 * (nCommon + k) + 1])));
  }
  const policies = first.scenario.compare.map((name) => {
    const p = first.scenario.policies.find((q) => q.name === name)!;
    return { name, status: p.status, description: p.description, providerWide: p.phases.some((ph) => ph.restrict.everyone === true) };
  });
  const archetypes: ArchetypeTotals[] = [];
  let simulateSeconds = 0;
  // One pass at a time, folded as it finishes: the firms' per-path metrics are let go before the next.
  let done = 0;
  const total = passes.reduce((s, x) => s + x.paths!, 0);
  for (const [k, pass] of passes.entries()) {
    const a = pop.archetypes[k];
    const offset = done;
    const { results, simulateSeconds: seconds } = await runPasses(a.loaded, [pass], { ...settings, paths: pass.paths!, onProgress: (d) => settings.onProgress?.(offset + d, total) });
    done += pass.paths!;
    simulateSeconds += seconds;
    const [result] = results;
    const m = a.perPath;
    const N = counts[k];
    // A per-firm metric folded into per-path totals (count x mean) and their excess variance.
    const fold = (v: Float64Array): [Float64Array, Float64Array] => {
      const t = new Float64Array(paths);
      const x = new Float64Array(paths);
      for (let p = 0; p < paths; p++) {
        // Mean and variance of the path's m firms, shifted by the first: equal firms give their value exactly.
        const v0 = v[p * m];
        let d = 0;
        for (let j = 1; j < m; j++) d += v[p * m + j] - v0;
        const mean = v0 + d / m;
        let ss = 0;
        for (let j = 0; j < m; j++) ss += (v[p * m + j] - mean) ** 2;
        t[p] = N[p] * mean;
        x[p] = a.exact || m < 2 ? 0 : N[p] * (ss / (m - 1)) * (N[p] / m - 1);
      }
      return [t, x];
    };
    const zeros = (): [Float64Array, Float64Array] => [new Float64Array(paths), new Float64Array(paths)];
    const totals: Float64Array[][] = [];
    const excess: Float64Array[][] = [];
    for (let i = 0; i < policies.length; i++) {
      const folded = POPULATION_METRICS.map((metric) => {
        const at = result.plan.metrics.indexOf(metric);
        return at >= 0 ? fold(result.metrics[i][at]) : zeros();
      });
      totals.push(folded.map(([t]) => t));
      excess.push(folded.map(([, x]) => x));
    }
    // Each party's Shapley share of a policy whose phases name parties (section 4c), summed over firms like the metrics.
    const attribution: ArchetypeTotals['attribution'] = {};
    for (const at of result.fullPlan.attributions) {
      if (at.entry >= policies.length) continue;
      const byParty: Record<string, Record<string, [Float64Array, Float64Array]>> = {};
      for (const metric of ATTRIBUTED_POPULATION_METRICS) {
        const j = result.fullPlan.metrics.indexOf(metric);
        const values = shapleyPerPath(at, (mask) => (mask === 0 ? new Float64Array(pass.paths!) : result.entryMetrics[at.subsets[mask]][j]), pass.paths!);
        at.parties.forEach((party, q) => ((byParty[party] ??= {})[metric] = fold(values[q])));
      }
      attribution[policies[at.entry].name] = byParty;
    }
    const decisions = policies.map((_, i) => result.decisions.find((d) => d.entry === i)?.chosen);
    archetypes.push({ name: a.name, perPath: m, counts: N, totals, excess, attribution, decisions });
  }
  return { paths, seed, policies, archetypes, firmPaths: total, simulateSeconds };
}
