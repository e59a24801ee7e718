/**
 * The analysis of a run: summary.json (docs/model.md section 7) and the daily series rows, pure
 * functions of the engine's result (and, for correlated inputs, their draws on the run's paths).
 *
 *   RunResult -> buildSummary -> SummaryJson (summary.json)
 *             -> seriesRows   -> SeriesRow[] (series.csv, the fan charts)
 */
import type { LoadedScenario } from '../scenario/load.js';
import { BLOCK_PATHS } from '../engine/kernel.js';
import { SERIES, SERIES_FLOORS, SKETCHED, cellOf, type SeriesVariable } from '../engine/series.js';
import { shapleyPerPath } from '../engine/attribution.js';
import type { RunResult } from '../engine/run.js';
import { groupMean, groupStats, QUANTILES, summarize, wilson95, type GroupStats, type Summary } from '../stats/summary.js';
import { ATTRIBUTED_METRICS, BINARY_METRICS } from '../model/metrics.js';
import type { MitigationOption } from '../model/world.js';
import { RELATIVE_ACCURACY } from '../stats/sketch.js';
import { formatPercent, formatShare } from '../format.js';
import { VERSION } from '../version.js';
import { placedText, placedWarnings } from '../model/warnings.js';
import { sameRule } from '../model/policies.js';
import { LHS_BLOCK, QMC_BLOCK, replicateBlock } from '../sampling/draw.js';
import { precisionWarnings, type PrecisionOutcome } from '../study/precision.js';
import { spearman } from './sensitivity.js';
import type { DelaySweep } from '../study/delay.js';
import { costOfDelay, type CostOfDelay } from './delay.js';

/** What a run adds to the engine's result: the cost-of-delay sweep, the precision rule's outcome, correlated inputs' draws. */
export interface RunExtras {
  delay?: DelaySweep;
  precision?: PrecisionOutcome;
  /** Per correlated pair (scenario order), both inputs' draws over the run's first paths (correlationDraws). */
  correlated?: [Float64Array, Float64Array][];
  /** The run's seriesRows, when the caller has them already. */
  series?: SeriesRow[];
}

/** Probability of insolvency caused by the policy by a given day. */
export interface InsolvencyByDay {
  day: number;
  /** Share of paths whose policy world failed on or before this day while the but-for world never did. */
  attributable: number;
  attributable_ci95: [number, number];
}

/** docs/model.md section 5, "Harm by outcome": a group of paths, its share, and the harm over it. */
export interface OutcomeGroup {
  share: number;
  total_harm: GroupStats;
  owner_harm: GroupStats;
}

export const OUTCOMES = ['survives', 'fails_because_of_policy', 'fails_anyway'] as const;
export type ByOutcome = Record<(typeof OUTCOMES)[number], OutcomeGroup>;

/** The mitigation decision of a policy world (section 4b; summary@3's DECISION). */
export interface DecisionJson {
  decision: 'expected' | 'always';
  arises_share: number;
  chosen: MitigationOption;
  options: Partial<Record<MitigationOption, { mean_w: number | null; vs_none: { mean: number | null; se: number | null; ci95: [number | null, number | null] } }>>;
}

/** A policy's harm split among the parties its phases name (section 4c; summary@3's ATTRIBUTION). */
export interface AttributionJson {
  parties: string[];
  metrics: Record<string, Record<'alone' | 'incremental' | 'shapley', Record<string, GroupStats>>>;
}


export interface PolicyReport {
  description?: string;
  /** reported, hypothetical or proposed, as the scenario labels the policy (changes no number). */
  status?: string;
  affected_segments: string[];
  product_affected: boolean;
  /** Per phase (one for a plain policy): who it cuts off, and with mitigation which remedy helps whom. */
  phases: { segments: string[]; product: boolean; relocation_helps?: string[]; hiring_helps?: string[] }[];
  metrics: Record<string, Summary>;
  by_outcome: ByOutcome;
  mitigation_decision?: DecisionJson;
  attribution?: AttributionJson;
  /** Figures derived from the per-path metrics (ratios of means; null where undefined). */
  derived: {
    /** Mean total harm over the mean but-for firm value W_butfor. */
    harm_to_firm_value: number | null;
    owner_harm_to_firm_value: number | null;
    /** Mean lost revenue after restoration over mean lost revenue. */
    after_restoration_revenue_share: number | null;
    insolvency_by_day: InsolvencyByDay[];
    /** Share of the attributable insolvencies (by the horizon) that fall while access is still cut off. */
    attributable_while_cut_off: number | null;
    /** With a compared twin policy that does not mitigate: the harm mitigation avoids, paired path by path. */
    mitigation?: { versus: string; harm_avoided: Summary };
  };
}

export interface SummaryJson {
  schema: 'accessgap/summary@3';
  scenario: { name: string; title: string; file: string; sha256: string; currency: string };
  run: {
    seed: number;
    paths: number;
    horizon_days: number;
    tail_days: number;
    series_step_days: number;
    discount_rate: number;
    version: string;
    block_paths: number;
    metric_quantiles: string;
    sampling: string;
    series_quantiles: string;
    /** The stopping rule, the paths it chose and why the run stopped (with --precision). */
    precision?: PrecisionOutcome;
    /** Worlds the engine simulated: the but-for world, the compared policies, the options of their decisions and the attribution sub-worlds, less those equal to another. */
    simulated_worlds: number;
  };
  butfor: { insolvency_probability: number; insolvency_probability_se: number | null; insolvency_probability_ci95: [number, number]; firm_value: Summary };
  policies: Record<string, PolicyReport>;
  /** Things the reader should know: scenario warnings, and paths still cut off at the horizon. */
  warnings: string[];
  /** The built-in duration sweep on a fraction of the paths (src/study/delay.ts), when run. */
  cost_of_delay?: CostOfDelay;
  /** Correlated inputs: the rank correlation asked for and the one achieved over the run's paths. */
  correlations?: { between: [string, string]; rank: number; achieved: number }[];
}


/** Items grouped by a label, groups in order of first appearance. */
function groupBy<T>(items: T[], label: (x: T) => string): [string, T[]][] {
  const groups = new Map<string, T[]>();
  for (const x of items) {
    const key = label(x);
    groups.set(key, [...(groups.get(key) ?? []), x]);
  }
  return [...groups];
}

/** Days of the time-to-insolvency table: 60, 90, 180, 365 and the horizon (those within it). */
export const insolvencyDays = (T: number): number[] => [...new Set([...[60, 90, 180, 365].filter((d) => d < T), T])];

/** Per path, a's value less b's (a paired difference). */
const difference = (a: Float64Array, b: Float64Array): Float64Array => a.map((x, k) => x - b[k]);

const ratio = (a: number, b: number): number | null => (b !== 0 && Number.isFinite(a / b) ? a / b : null);

/** Time to insolvency caused by a policy: by day, and the share while access is still cut off. */
function insolvencyTiming(result: RunResult, i: number, t0: number): Pick<PolicyReport['derived'], 'insolvency_by_day' | 'attributable_while_cut_off'> {
  const n = result.settings.paths;
  const days = result.insolvencyDay[i];
  const bf = result.butforInsolvencyDay;
  const revoked = result.metrics[i][result.plan.metrics.indexOf('revoked_days')];
  const marks = insolvencyDays(result.plan.T);
  const counts = marks.map(() => 0);
  let attributable = 0;
  let whileCut = 0;
  for (let k = 0; k < n; k++) {
    const d = days[k];
    if (d < 0 || bf[k] >= 0) continue;
    attributable++;
    // Insolvent from day d: the firm failed at the end of day d - 1, cut off if d - 1 < t0 + Deff.
    if (d <= t0 + revoked[k]) whileCut++;
    marks.forEach((m, j) => d <= m && counts[j]++);
  }
  return {
    insolvency_by_day: marks.map((day, j) => ({ day, attributable: counts[j] / n, attributable_ci95: wilson95(counts[j] / n, n) })),
    attributable_while_cut_off: attributable > 0 ? whileCut / attributable : null,
  };
}

/** A compared policy with the same rule, phases and licence that does not mitigate, if any. */
function twinWithoutMitigation(result: RunResult, i: number): number {
  const pols = result.plan.policies;
  if (!result.plan.layouts[i].mitigates) return -1;
  return pols.findIndex((_, j) => j !== i && !result.plan.layouts[j].mitigates && sameRule(pols[j].policy, pols[i].policy));
}

export function buildSummary(loaded: LoadedScenario, result: RunResult, extras: RunExtras = {}): SummaryJson {
  return withCostOfDelay(runSummary(loaded, result, extras), extras.delay);
}

/**
 * A summary with the cost-of-delay exhibit's sweep added where summary.json has it (after the
 * warnings, before the correlations). The rest of the summary does not depend on it: a run
 * builds that part, and its charts, while the exhibit's paths run (cli/run.ts).
 */
export function withCostOfDelay(summary: SummaryJson, delay: DelaySweep | undefined): SummaryJson {
  if (!delay) return summary;
  const { correlations, ...before } = summary;
  return { ...before, cost_of_delay: costOfDelay(delay), ...(correlations ? { correlations } : {}) };
}

/** The summary of a run without its cost-of-delay exhibit. */
export function runSummary(loaded: LoadedScenario, result: RunResult, extras: Omit<RunExtras, 'delay'> = {}): SummaryJson {
  const { precision, correlated } = extras;
  const s = loaded.scenario;
  const n = result.settings.paths;
  let bfInsolvent = 0;
  for (const d of result.butforInsolvencyDay) if (d >= 0) bfInsolvent++;
  const pBf = bfInsolvent / n;
  const policies: Record<string, PolicyReport> = {};
  const firmValue = summarize(result.butforValue);
  const col = (i: number, m: string) => result.metrics[i][result.plan.metrics.indexOf(m as never)];
  result.plan.policies.forEach((p, i) => {
    // Latin hypercube and quasi-Monte Carlo runs: standard errors from the blocks as independent replicates.
    const batch = replicateBlock(s.simulation.sampling);
    const metrics = Object.fromEntries(result.plan.metrics.map((m, j) => [m, summarize(result.metrics[i][j], BINARY_METRICS.includes(m), batch)]));
    const layout = result.plan.layouts[i];
    const names = (mask: number[], bit: number) => s.staff.flatMap((seg, j) => ((mask[j] & bit) !== 0 ? [seg.name] : []));
    const phases = p.policy.phases.map((_ph, j) => {
      const bit = 1 << j;
      const reached = s.staff.flatMap((seg, k) => ((layout.maskAsIs[k] & bit) !== 0 ? [k] : []));
      const phase: PolicyReport['phases'][number] = { segments: reached.map((k) => s.staff[k].name), product: p.tracks.some((t) => t.product && (t.mask & bit) !== 0) };
      if (layout.mitigates) {
        if (s.mitigation?.relocation) phase.relocation_helps = reached.filter((k) => (layout.maskInUs[k] & bit) === 0).map((k) => s.staff[k].name);
        if (s.mitigation?.hiring) phase.hiring_helps = reached.filter((k) => (layout.maskAsUsPerson[k] & bit) === 0).map((k) => s.staff[k].name);
      }
      return phase;
    });
    const twin = twinWithoutMitigation(result, i);
    policies[p.name] = {
      ...(p.policy.description ? { description: p.policy.description } : {}),
      ...(p.policy.status ? { status: p.policy.status } : {}),
      affected_segments: p.segments.map((j) => s.staff[j].name),
      product_affected: p.product,
      phases,
      metrics,
      by_outcome: byOutcome(result, i),
      ...(layout.mitigates ? { mitigation_decision: decisionOf(loaded, result, i) } : {}),
      ...(attributionOf(result, i) ?? {}),
      derived: {
        harm_to_firm_value: ratio(metrics.total_harm.mean, firmValue.mean),
        owner_harm_to_firm_value: ratio(metrics.owner_harm.mean, firmValue.mean),
        after_restoration_revenue_share: metrics.lost_revenue.mean > 0 ? ratio(metrics.lost_revenue_after_restoration.mean, metrics.lost_revenue.mean) : null,
        ...insolvencyTiming(result, i, s.revocation.start_day),
        ...(twin >= 0 ? { mitigation: { versus: result.plan.policies[twin].name, harm_avoided: summarize(difference(col(twin, 'total_harm'), col(i, 'total_harm'))) } } : {}),
      },
    };
  });
  const warnings = [...precisionWarnings(precision), ...placedWarnings(loaded).map(placedText)];
  // One warning per cause: every policy still cutting paths off at the horizon in one sentence.
  const cut = Object.entries(policies).filter(([, p]) => p.metrics.revoked_at_horizon.mean > 0);
  if (cut.length) {
    warnings.push(
      `Access has not returned by the horizon (day ${s.simulation.horizon_days}) on ${groupBy(cut, ([, p]) => formatShare(p.metrics.revoked_at_horizon.mean)).map(([share, ps]) => `${share} of paths under ${ps.map(([name]) => name).join(', ')}`).join('; ')}; their harm after it is valued only through the ${s.simulation.tail_days}-day tail. Extend simulation.horizon_days to follow them.`,
    );
  }
  return {
    schema: 'accessgap/summary@3',
    scenario: { name: s.name, title: s.title, file: s.file, sha256: s.sha256, currency: s.currency },
    run: {
      seed: result.settings.seed,
      paths: n,
      horizon_days: s.simulation.horizon_days,
      tail_days: s.simulation.tail_days,
      series_step_days: s.simulation.series_step_days,
      discount_rate: s.simulation.discount_rate,
      version: VERSION,
      block_paths: BLOCK_PATHS,
      metric_quantiles: 'exact, type 7 (linear interpolation between order statistics)',
      sampling:
        s.simulation.sampling === 'lhs'
          ? `Latin hypercube in blocks of ${LHS_BLOCK} paths; standard errors of means from the blocks as replicates`
          : s.simulation.sampling === 'qmc'
            ? `quasi-Monte Carlo: scrambled Sobol points (Joe-Kuo direction numbers), a sequence per block of ${QMC_BLOCK} paths; standard errors of means from the blocks as replicates`
            : 'independent draws (Monte Carlo)',
      series_quantiles: `log-linear sketch, relative accuracy ${RELATIVE_ACCURACY}; values closer to 0 than ${SERIES.slice(0, SKETCHED).map((v, i) => `${SERIES_FLOORS[i]} (${v})`).join(', ')} count as 0; type 7 on bucket midpoints, clamped to the exact min and max; survival exact`,
      ...(precision ? { precision } : {}),
      simulated_worlds: 1 + result.fullPlan.aliasOf.filter((a) => a === -1).length,
    },
    butfor: { insolvency_probability: pBf, insolvency_probability_se: n > 1 ? Math.sqrt((pBf * (1 - pBf)) / (n - 1)) : null, insolvency_probability_ci95: wilson95(pBf, n), firm_value: firmValue },
    policies,
    warnings,
    ...(s.correlations.length && correlated ? { correlations: s.correlations.map((c, j) => ({ between: c.between, rank: c.rank, achieved: spearman(correlated[j][0], correlated[j][1]).rho })) } : {}),
  };
}

/** Survival on each stored day: mean and type-7 quantiles of the 0/1 alive values, exactly. */
export function survivalSeries(result: RunResult, world: number): { mean: number; quantiles: number[] }[] {
  const { plan, insolvencyDays } = result;
  const n = result.settings.paths;
  const hist = insolvencyDays.subarray(world * (plan.T + 1), (world + 1) * (plan.T + 1));
  // Insolvent from day d (1 ... T) means not alive on days >= d; count them as the days advance.
  let insolvent = 0;
  let through = 0;
  return Array.from(plan.seriesDays, (day) => {
    for (; through < day; ) insolvent += hist[++through];
    const alive = n - insolvent;
    const value = (r: number) => (r < n - alive ? 0 : 1);
    const quantiles = QUANTILES.map(([, p]) => {
      const h = (n - 1) * p;
      const lo = Math.floor(h);
      return value(lo) + (h - lo) * (value(Math.min(lo + 1, n - 1)) - value(lo));
    });
    return { mean: alive / n, quantiles };
  });
}

export interface SeriesRow {
  /** World: "butfor" or a policy name. */
  policy: string;
  day: number;
  variable: SeriesVariable;
  mean: number;
  p05: number;
  p25: number;
  p50: number;
  p75: number;
  p95: number;
}

/** The series' quantile levels, ascending (p05 ... p95). */
const QUANTILE_PS = QUANTILES.map(([, p]) => p);

/** Every stored (world, day, variable) of a run with its mean and quantiles, in series.csv order. */
export function seriesRows(result: RunResult): SeriesRow[] {
  const { plan, seriesMeans, sketches } = result;
  const rows: SeriesRow[] = [];
  const names = ['butfor', ...plan.policies.map((p) => p.name)];
  names.forEach((policy, w) => {
    const survival = survivalSeries(result, w);
    plan.seriesDays.forEach((day, j) => {
      SERIES.forEach((variable, v) => {
        let mean: number;
        let q: number[];
        if (variable === 'survival') [mean, q] = [survival[j].mean, survival[j].quantiles];
        else {
          const c = cellOf(plan, w, v, j);
          [mean, q] = [seriesMeans[c], sketches.quantiles(c, QUANTILE_PS)];
        }
        rows.push({ policy, day, variable, mean, p05: q[0], p25: q[1], p50: q[2], p75: q[3], p95: q[4] });
      });
    });
  });
  return rows;
}

/** A stored day of a world's series over the paths whose firm is still solvent that day. */
export interface SolventRow extends Omit<SeriesRow, 'variable'> {
  /** The share of paths still solvent (the series' `survival` mean). */
  solvent: number;
}

/**
 * Annualised revenue over the firms still solvent on each stored day, per world (figure 3). A
 * failed firm's revenue is 0 (section 6), so across all paths a quantile drops to 0 on the day
 * more than its share of firms has failed; left out here, the bands follow the firms that trade.
 * The mean is exact (the all-paths sum over the solvent count); quantiles read the same sketch
 * with the failed paths' zeros left out, each order statistic within its bucket by rank
 * (SketchGrid.quantileWithin), so the edges follow the values from day to day. A day with no
 * solvent firm has no row. Computed once per run: a report builds its charts twice (before and
 * after its cost-of-delay exhibit), and the rows are read, never changed.
 */
export function solventRevenue(result: RunResult): readonly SolventRow[] {
  let rows = solventRows.get(result);
  if (!rows) solventRows.set(result, (rows = solventRevenueOf(result)));
  return rows;
}
const solventRows = new WeakMap<RunResult, readonly SolventRow[]>();

function solventRevenueOf(result: RunResult): SolventRow[] {
  const { plan, seriesMeans, sketches } = result;
  const n = result.settings.paths;
  const v = SERIES.indexOf('revenue_annualized');
  const rows: SolventRow[] = [];
  ['butfor', ...plan.policies.map((p) => p.name)].forEach((policy, w) => {
    const survival = survivalSeries(result, w);
    plan.seriesDays.forEach((day, j) => {
      const alive = Math.round(survival[j].mean * n);
      if (alive === 0) return;
      const c = cellOf(plan, w, v, j);
      const q = sketches.quantilesWithin(c, QUANTILE_PS, n - alive);
      rows.push({ policy, day, mean: (seriesMeans[c] * n) / alive, p05: q[0], p25: q[1], p50: q[2], p75: q[3], p95: q[4], solvent: alive / n });
    });
  });
  return rows;
}

/** Harm by outcome (section 5): paths where both worlds survive, where the policy makes the firm fail, and where it fails anyway. */
export function byOutcome(result: RunResult, i: number): ByOutcome {
  const n = result.settings.paths;
  const m = result.plan.metrics;
  const attributable = result.metrics[i][m.indexOf('attributable_insolvency')];
  const days = result.insolvencyDay[i];
  const groups = OUTCOMES.map(() => new Float64Array(n));
  for (let k = 0; k < n; k++) {
    const g = attributable[k] === 1 ? 1 : result.butforInsolvencyDay[k] >= 0 ? 2 : days[k] < 0 ? 0 : 2;
    groups[g][k] = 1;
  }
  const harm = result.metrics[i][m.indexOf('total_harm')];
  const owner = result.metrics[i][m.indexOf('owner_harm')];
  return Object.fromEntries(
    OUTCOMES.map((name, g) => {
      const count = groups[g].reduce((a, b) => a + b, 0);
      return [name, { share: count / n, total_harm: groupStats(harm, groups[g]), owner_harm: groupStats(owner, groups[g]) }];
    }),
  ) as ByOutcome;
}

/** The mitigation decision of compared policy i (section 4b): where it arises, each option's mean W and its paired difference from none. */
export function decisionOf(loaded: LoadedScenario, result: RunResult, i: number): DecisionJson {
  const mit = loaded.scenario.mitigation!;
  const run = result.decisions.find((d) => d.entry === i);
  const n = result.settings.paths;
  const share = (q: Float64Array) => q.reduce((a, b) => a + b, 0) / n;
  if (!run) {
    // decision: always: the remedies that help, on every path where the decision arises.
    const q = result.arises[i];
    const remedy: MitigationOption = mit.relocation && mit.hiring ? 'both' : mit.relocation ? 'relocation' : 'hiring';
    const arises = share(q);
    return { decision: 'always', arises_share: arises, chosen: arises > 0 ? remedy : 'none', options: {} };
  }
  const j = result.fullPlan.metrics.indexOf('total_harm');
  const w = (entry: number) => {
    const harm = result.entryMetrics[entry][j];
    return result.butforValue.map((bf, k) => bf - harm[k]);
  };
  const none = w(run.options[0].entry);
  const arises = share(run.arises);
  const options = Object.fromEntries(
    run.options.map((o) => {
      const wo = w(o.entry);
      return [o.option, { mean_w: groupMean(wo, run.arises).mean, vs_none: groupMean(difference(wo, none), run.arises) }];
    }),
  );
  return { decision: 'expected', arises_share: arises, chosen: run.chosen, options };
}

/** Compared policy i split among its parties (section 4c), when its phases name two or more. */
export function attributionOf(result: RunResult, i: number): { attribution: AttributionJson } | undefined {
  const a = result.fullPlan.attributions.find((x) => x.entry === i);
  if (!a) return undefined;
  const full = (1 << a.parties.length) - 1;
  const n = result.settings.paths;
  const metrics: AttributionJson['metrics'] = {};
  for (const metric of ATTRIBUTED_METRICS) {
    const j = result.fullPlan.metrics.indexOf(metric);
    const X = (mask: number): Float64Array => (mask === 0 ? new Float64Array(n) : result.entryMetrics[a.subsets[mask]][j]);
    const by = { alone: {}, incremental: {}, shapley: {} } as AttributionJson['metrics'][string];
    const shapley = shapleyPerPath(a, X, n);
    a.parties.forEach((party, p) => {
      const bit = 1 << p;
      const xFull = X(full);
      const xWithout = X(full & ~bit);
      by.alone[party] = groupStats(X(bit));
      by.incremental[party] = groupStats(difference(xFull, xWithout));
      by.shapley[party] = groupStats(shapley[p]);
    });
    metrics[metric] = by;
  }
  return { attribution: { parties: a.parties, metrics } };
}
