/**
 * P&L and cash by year, per world (the but-for world and each policy asked for), for the exhibit
 * pack: revenue, gross profit, operating costs, switching and mitigation costs, operating profit,
 * cash at year end and the share of firms solvent then, each as the mean and 5th and 95th
 * percentile across paths.
 *
 * Computed from the reference day loop (model/world.ts, as model/path.ts's simulatePath runs it),
 * path by path on the run's seed and paths, each policy's world with the mitigation option the
 * run chose. The lockstep kernel matches that loop bit for bit
 * (engine/differential.ts and its test), so these are the run's own paths, day for day.
 */
import type { LoadedScenario } from '../scenario/load.js';
import type { SummaryJson } from './run.js';
import { makePlan } from '../engine/plan.js';
import type { MitigationOption } from '../model/world.js';
import { discountFactors, phaseDaysOf } from '../model/path.js';
import { pathWindow } from '../model/policies.js';
import { makeInputDrawer } from '../sampling/draw.js';
import { BUTFOR, fillButforRevenue, fillFallbackGap, fillWorldPath, makeTrace, makeWorldPath, readPathInputs, simulateWorld, type PathInputs, type Trace } from '../model/world.js';
import { quantileSorted } from '../stats/summary.js';

export const PNL_FIELDS = ['revenue', 'gross_profit', 'operating_costs', 'switching_and_mitigation_costs', 'operating_profit', 'cash_at_year_end', 'solvent_at_year_end'] as const;
export type PnlField = (typeof PNL_FIELDS)[number];

export interface PnlStat {
  mean: number;
  p05: number;
  p95: number;
}

export interface PnlYear {
  /** 1, 2, ...: days 365 (year - 1) to the smaller of 365 year - 1 and T - 1. */
  year: number;
  first_day: number;
  last_day: number;
  fields: Record<PnlField, PnlStat>;
}

export interface PnlJson {
  paths: number;
  /** By world: "butfor", then each policy asked for. */
  worlds: Record<string, PnlYear[]>;
}

/** Days per model year. */
const YEAR = 365;

/**
 * One world's year on one path from its day-by-day trace: sums over the year's days in day order,
 * and the cash and solvency after its last day (for the horizon's last day, the day's own update:
 * profit, then a successful financing round).
 */
export function yearOf(trace: Trace, p: PathInputs, first: number, end: number, T: number, out: Float64Array, at: number): void {
  const xDay = p.X / 365;
  let [revenue, gross, opex, costs, profit] = [0, 0, 0, 0, 0];
  for (let t = first; t < end; t++) {
    const R = trace.revenue[t];
    const alive = trace.alive[t];
    revenue += R;
    gross += p.m * R;
    opex += alive * xDay;
    costs += alive * trace.cost[t];
    profit += trace.profit[t];
  }
  const last = end - 1;
  const cash = end < T ? trace.cash[end] : trace.cash[last] + trace.profit[last] + (trace.financing[last] === 1 && p.financing ? p.financing.roundSize : 0);
  const solvent = end < T ? trace.alive[end] : trace.aliveAtEnd;
  out.set([revenue, gross, opex, costs, profit, cash, solvent], at);
}

/**
 * P&L by year of `policies` and the but-for world on paths 0 ... paths-1 of `seed`, with the
 * mitigation options the run chose (`choices`, by policy: a run's choicesOf, or summary.json's
 * mitigation_decision.chosen), so each world is the run's.
 */
export function pnlByYear(loaded: LoadedScenario, settings: { seed: number; paths: number }, policies: string[], choices: Record<string, MitigationOption> = {}): PnlJson {
  const plan = makePlan(loaded, { choices });
  const { paths, seed } = settings;
  const T = plan.T;
  const years = Math.ceil(T / YEAR);
  const F = PNL_FIELDS.length;
  // The world each policy's results are: its own entry, or the world it equals (-1: the but-for world).
  const names = plan.policies.map((p) => p.name);
  const entryOf = (name: string): number => {
    let i = names.indexOf(name);
    while (plan.aliasOf[i] > 0) i = plan.aliasOf[i] - 1;
    return plan.aliasOf[i] === 0 ? -1 : i;
  };
  const entries = policies.map(entryOf);
  const simulated = [...new Set(entries.filter((e) => e >= 0))];
  const given = simulated.map((e) => ({ policy: plan.policies[e], layout: plan.layouts[e] }));
  // values[world][year * F + field][path]; world 0 the but-for world.
  const values = Array.from({ length: 1 + simulated.length }, () => Array.from({ length: years * F }, () => new Float64Array(paths)));
  const row = new Float64Array(F);
  // The reference day loop of simulatePath, with the path's drawer and arrays made once, and no tail
  // (days t < T do not depend on it).
  const s = loaded.scenario;
  const drawer = makeInputDrawer(s, loaded.expressions, seed);
  const draws = new Float64Array(s.inputs.length);
  const ctx = { T, U: 0, butforRevenue: new Float64Array(T), fallbackGap: new Float64Array(T), discount: discountFactors(s), financingU: (_: number) => 0 };
  const traces = [makeTrace(T), ...given.map(({ layout }) => makeTrace(T, layout.lanes.length))];
  for (let k = 0; k < paths; k++) {
    const approvalU = drawer.draw(k, draws);
    const inputs = readPathInputs(s, draws);
    ctx.financingU = drawer.financing(k);
    fillButforRevenue(inputs, ctx.butforRevenue);
    fillFallbackGap(inputs, ctx.fallbackGap);
    for (const trace of traces) trace.financing.fill(0);
    simulateWorld(inputs, BUTFOR, makeWorldPath(0, 1), ctx, traces[0]);
    given.forEach(({ policy, layout }, i) => {
      const lic = policy.policy.license;
      const window = pathWindow(policy, inputs.t0, inputs.D, approvalU, lic ? draws[lic.processing_days] : 0, phaseDaysOf(layout, draws));
      const world = makeWorldPath(layout.lanes.length, policy.policy.phases.length);
      fillWorldPath(layout, inputs, window, T, world);
      simulateWorld(inputs, layout, world, ctx, traces[i + 1]);
    });
    traces.forEach((trace, w) => {
      for (let y = 0; y < years; y++) {
        yearOf(trace, inputs, y * YEAR, Math.min(T, (y + 1) * YEAR), T, row, 0);
        for (let f = 0; f < F; f++) values[w][y * F + f][k] = row[f];
      }
    });
  }
  const stat = (x: Float64Array): PnlStat => {
    const sorted = Float64Array.from(x).sort();
    return { mean: x.reduce((a, b) => a + b, 0) / x.length, p05: quantileSorted(sorted, 0.05), p95: quantileSorted(sorted, 0.95) };
  };
  const table = (w: number): PnlYear[] =>
    Array.from({ length: years }, (_, y) => ({
      year: y + 1,
      first_day: y * YEAR,
      last_day: Math.min(T, (y + 1) * YEAR) - 1,
      fields: Object.fromEntries(PNL_FIELDS.map((name, f) => [name, stat(values[w][y * F + f])])) as Record<PnlField, PnlStat>,
    }));
  const butfor = table(0);
  return { paths, worlds: { butfor, ...Object.fromEntries(policies.map((p, i) => [p, entries[i] < 0 ? butfor : table(1 + simulated.indexOf(entries[i]))])) } };
}

/** The mitigation options a run chose (decision: expected), by policy, as summary.json records them. */
export const chosenOptions = (summary: SummaryJson): Record<string, MitigationOption> =>
  Object.fromEntries(Object.entries(summary.policies).flatMap(([name, p]) => (p.mitigation_decision?.decision === 'expected' ? [[name, p.mitigation_decision.chosen]] : [])));

/** pnl.csv: the P&L table's numbers, tidy: one row per world, year and field. */
export function pnlCsv(pnl: PnlJson): string {
  const lines = ['world,year,first_day,last_day,field,mean,p05,p95'];
  for (const [world, years] of Object.entries(pnl.worlds)) for (const y of years) for (const f of PNL_FIELDS) lines.push([world, y.year, y.first_day, y.last_day, f, y.fields[f].mean, y.fields[f].p05, y.fields[f].p95].join(','));
  return lines.join('\n') + '\n';
}
