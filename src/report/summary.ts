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
import { withCi } from './tables.js';


export interface PolicyReport {
  description?: string;
  affected_segments: string[];
  product_affected: boolean;
  metrics: Record<string, Summary>;
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
    series_quantiles: string;
    timing: RunResult['timing'];
  };
  butfor: { insolvency_probability: number; insolvency_probability_se: number | null; insolvency_probability_ci95: [number, number] };
  policies: Record<string, PolicyReport>;
}

export function buildSummary(loaded: LoadedScenario, result: RunResult): SummaryJson {
  const s = loaded.scenario;
  const n = result.settings.paths;
  let bfInsolvent = 0;
  for (const x of result.butforInsolvent) bfInsolvent += x;
  const pBf = bfInsolvent / n;
  const policies: Record<string, PolicyReport> = {};
  result.plan.policies.forEach((p, i) => {
    policies[p.name] = {
      ...(p.policy.description ? { description: p.policy.description } : {}),
      affected_segments: p.segments.map((j) => s.staff[j].name),
      product_affected: p.product,
      metrics: Object.fromEntries(result.plan.metrics.map((m, j) => [m, summarize(result.metrics[i][j], BINARY_METRICS.includes(m))])),
    };
  });
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
      series_quantiles: `log-linear sketch, relative accuracy ${RELATIVE_ACCURACY}; values closer to 0 than ${SERIES.slice(0, SKETCHED).map((v, i) => `${SERIES_FLOORS[i]} (${v})`).join(', ')} count as 0; type 7 on bucket midpoints, clamped to the exact min and max; survival exact`,
      timing: result.timing,
    },
    butfor: { insolvency_probability: pBf, insolvency_probability_se: n > 1 ? Math.sqrt((pBf * (1 - pBf)) / (n - 1)) : null, insolvency_probability_ci95: wilson95(pBf, n) },
    policies,
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

/** The short table printed after a run. */
export function formatTable(summary: SummaryJson): string {
  const cur = summary.scenario.currency;
  const money = (x: Summary) => withCi(x, (v) => formatMoney(v, cur));
  const share = (x: Summary) => withCi(x, formatPercent);
  const head = ['policy', 'total harm (PV)', 'PV lost profit', 'P(insolvent)', 'lost revenue after restoration'];
  const rows = Object.entries(summary.policies).map(([name, p]) => [name, money(p.metrics.total_harm), money(p.metrics.pv_lost_profit), share(p.metrics.insolvent), share(p.metrics.after_restoration_share)]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => pad(c, widths[i])).join('  ').trimEnd();
  const bf = summary.butfor.insolvency_probability;
  return [
    `${summary.scenario.title}`,
    `${summary.run.paths} paths, seed ${summary.run.seed}, horizon ${summary.run.horizon_days} days; means with 95% confidence intervals`,
    '',
    line(head),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '',
    `but-for world: P(insolvent) = ${formatPercent(bf)}`,
  ].join('\n');
}
