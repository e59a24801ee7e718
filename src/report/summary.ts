/**
 * Builds the report's data from a run: summary.json, metrics.csv and series.csv
 * (MODEL.md section 7), and the short table the CLI prints.
 */
import type { LoadedScenario } from '../scenario/load.js';
import { BLOCK_PATHS } from '../engine/kernel.js';
import { SERIES, cellOf, type SeriesVariable } from '../engine/series.js';
import type { RunResult } from '../engine/run.js';
import { QUANTILES, summarize, wilson95, type Summary } from '../stats/summary.js';
import { BINARY_METRICS } from '../model/metrics.js';
import { RELATIVE_ACCURACY } from '../stats/sketch.js';
import { SERIES_FLOORS, SKETCHED } from '../engine/series.js';
import { formatMoney, formatPercent } from './format.js';
import { VERSION } from '../version.js';
import { coverageList, medianRange, plural, withCi } from './tables.js';
import { scenarioWarnings } from '../scenario/warnings.js';
import type { CostOfDelay } from '../study/delay.js';
import { drawnValues, LHS_BLOCK } from '../sampling/draw.js';
import { spearman } from '../analysis/sensitivity.js';


/** Probability of insolvency caused by the policy by a given day. */
export interface InsolvencyByDay {
  day: number;
  /** Share of paths whose policy world failed on or before this day while the but-for world never did. */
  attributable: number;
  attributable_ci95: [number, number];
}

export interface PolicyReport {
  description?: string;
  affected_segments: string[];
  product_affected: boolean;
  /** Per phase (one for a plain policy): who it cuts off, and with mitigation which remedy helps whom. */
  phases: { segments: string[]; product: boolean; relocation_helps?: string[]; hiring_helps?: string[] }[];
  metrics: Record<string, Summary>;
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
  schema: 'accessgap/summary@2';
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
    precision?: RunResult['precision'];
    timing: RunResult['timing'];
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

/** The rank correlation each correlated pair achieves over the first paths of a run (at most 20,000). */
function achievedCorrelations(loaded: LoadedScenario, seed: number, paths: number): SummaryJson['correlations'] {
  const s = loaded.scenario;
  if (!s.correlations.length) return undefined;
  const n = Math.min(paths, 20_000);
  const keys = [...new Set(s.correlations.flatMap((c) => c.between))];
  const draws = drawnValues(s, loaded.expressions, seed, keys.map((k) => s.inputs.find((d) => d.key === k)!.id), n);
  return s.correlations.map((c) => ({ between: c.between, rank: c.rank, achieved: spearman(draws[keys.indexOf(c.between[0])], draws[keys.indexOf(c.between[1])]).rho }));
}

/** Days of the time-to-insolvency table: 60, 90, 180, 365 and the horizon (those within it). */
export const insolvencyDays = (T: number): number[] => [...new Set([...[60, 90, 180, 365].filter((d) => d < T), T])];

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
  const key = (j: number) => JSON.stringify([pols[j].policy.phases, pols[j].policy.license ?? null]);
  if (!result.plan.layouts[i].mitigates) return -1;
  return pols.findIndex((_, j) => j !== i && !result.plan.layouts[j].mitigates && key(j) === key(i));
}

export function buildSummary(loaded: LoadedScenario, result: RunResult, delay?: CostOfDelay): SummaryJson {
  const s = loaded.scenario;
  const n = result.settings.paths;
  let bfInsolvent = 0;
  for (const d of result.butforInsolvencyDay) if (d >= 0) bfInsolvent++;
  const pBf = bfInsolvent / n;
  const policies: Record<string, PolicyReport> = {};
  const firmValue = summarize(result.butforValue);
  const col = (i: number, m: string) => result.metrics[i][result.plan.metrics.indexOf(m as never)];
  result.plan.policies.forEach((p, i) => {
    // Latin hypercube runs: standard errors from the blocks as independent replicates.
    const batch = s.simulation.sampling === 'lhs' ? LHS_BLOCK : 0;
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
      affected_segments: p.segments.map((j) => s.staff[j].name),
      product_affected: p.product,
      phases,
      metrics,
      derived: {
        harm_to_firm_value: ratio(metrics.total_harm.mean, firmValue.mean),
        owner_harm_to_firm_value: ratio(metrics.owner_harm.mean, firmValue.mean),
        after_restoration_revenue_share: metrics.lost_revenue.mean > 0 ? ratio(metrics.lost_revenue_after_restoration.mean, metrics.lost_revenue.mean) : null,
        ...insolvencyTiming(result, i, s.revocation.start_day),
        ...(twin >= 0 ? { mitigation: { versus: result.plan.policies[twin].name, harm_avoided: summarize(col(twin, 'total_harm').map((x, k) => x - col(i, 'total_harm')[k])) } } : {}),
      },
    };
  });
  const warnings = [...scenarioWarnings(s)];
  for (const [name, p] of Object.entries(policies)) {
    const cut = p.metrics.revoked_at_horizon.mean;
    if (cut > 0) {
      warnings.push(
        `${name}: on ${formatPercent(cut)} of paths access has not returned by the horizon (day ${s.simulation.horizon_days}); their harm after it is valued only through the ${s.simulation.tail_days}-day tail. Extend simulation.horizon_days to follow them.`,
      );
    }
  }
  return {
    schema: 'accessgap/summary@2',
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
      sampling: s.simulation.sampling === 'lhs' ? `Latin hypercube in blocks of ${LHS_BLOCK} paths; standard errors of means from the blocks as replicates` : 'independent draws (Monte Carlo)',
      series_quantiles: `log-linear sketch, relative accuracy ${RELATIVE_ACCURACY}; values closer to 0 than ${SERIES.slice(0, SKETCHED).map((v, i) => `${SERIES_FLOORS[i]} (${v})`).join(', ')} count as 0; type 7 on bucket midpoints, clamped to the exact min and max; survival exact`,
      ...(result.precision ? { precision: result.precision } : {}),
      timing: result.timing,
    },
    butfor: { insolvency_probability: pBf, insolvency_probability_se: n > 1 ? Math.sqrt((pBf * (1 - pBf)) / (n - 1)) : null, insolvency_probability_ci95: wilson95(pBf, n), firm_value: firmValue },
    policies,
    warnings,
    ...(delay ? { cost_of_delay: delay } : {}),
    ...(s.correlations.length ? { correlations: achievedCorrelations(loaded, result.settings.seed, n) } : {}),
  };
}

const csvNumber = (x: number | null | undefined): string => (x === null || x === undefined ? '' : String(x));

/** metrics.csv: policy,metric,mean,se,ci95_lo,ci95_hi,min,p05,p25,p50,p75,p95,max. */
export function metricsCsv(summary: SummaryJson): string {
  const rows = ['policy,metric,mean,se,ci95_lo,ci95_hi,min,p05,p25,p50,p75,p95,max'];
  for (const [name, p] of Object.entries(summary.policies)) {
    for (const [m, x] of Object.entries(p.metrics)) {
      rows.push([name, m, x.mean, x.se, x.ci95?.[0], x.ci95?.[1], x.min, x.p05, x.p25, x.p50, x.p75, x.p95, x.max].map((v) => (typeof v === 'string' ? v : csvNumber(v))).join(','));
    }
  }
  return rows.join('\n') + '\n';
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
          [mean, q] = [seriesMeans[c], QUANTILES.map(([, p]) => sketches.quantile(c, p))];
        }
        rows.push({ policy, day, variable, mean, p05: q[0], p25: q[1], p50: q[2], p75: q[3], p95: q[4] });
      });
    });
  });
  return rows;
}

/** series.csv: policy,day,variable,mean,p05,p25,p50,p75,p95 (policy "butfor" for the but-for world). */
export function seriesCsv(rows: SeriesRow[]): string {
  const lines = ['policy,day,variable,mean,p05,p25,p50,p75,p95'];
  for (const r of rows) lines.push([r.policy, r.day, r.variable, r.mean, r.p05, r.p25, r.p50, r.p75, r.p95].join(','));
  return lines.join('\n') + '\n';
}

const pad = (s: string, n: number) => s + ' '.repeat(Math.max(0, n - s.length));

/** The short table printed after a run: the headline figures, who each policy cuts off, warnings. */
export function formatTable(summary: SummaryJson): string {
  const cur = summary.scenario.currency;
  const money = (v: number) => formatMoney(v, cur);
  const head = ['policy', 'total harm: median (5th to 95th pct)', 'mean [95% CI]', 'P(insolvent because of it)', 'lost revenue after access returns'];
  const rows = Object.entries(summary.policies).map(([name, p]) => [
    name,
    medianRange(p.metrics.total_harm, money),
    withCi(p.metrics.total_harm, money),
    withCi(p.metrics.attributable_insolvency, formatPercent),
    p.derived.after_restoration_revenue_share === null ? 'n/a' : formatPercent(p.derived.after_restoration_revenue_share),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => pad(c, widths[i])).join('  ').trimEnd();
  const bf = summary.butfor;
  const run = summary.run;
  return [
    `${summary.scenario.title}`,
    `${plural(run.paths, 'path')}, seed ${run.seed}, horizon ${plural(run.horizon_days, 'day')} and a ${run.tail_days}-day tail; harm in present value at day 0`,
    '',
    line(head),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '',
    `but-for world: P(insolvent) = ${formatPercent(bf.insolvency_probability)} [${formatPercent(bf.insolvency_probability_ci95[0])}, ${formatPercent(bf.insolvency_probability_ci95[1])}]`,
    '',
    'Who each policy cuts off:',
    ...coverageList(summary).map((l) => `  ${l}`),
    ...(summary.warnings.length ? ['', 'Warnings:', ...summary.warnings.map((w) => `  - ${w}`)] : []),
  ].join('\n');
}
