/**
 * Sweeps: what a study's variants say when they are points along one input (a curve) or two (a
 * grid). Pure functions from per-path values to tables: every difference between points is paired
 * path by path, so its standard error comes from the per-path differences, not from the points'
 * own standard errors.
 */
import { meanAndSe, summarize, Z975, type Summary } from '../stats/summary.js';
import { BINARY_METRICS, type Metric } from '../model/metrics.js';
import type { LoadedScenario } from '../scenario/load.js';
import type { StudyResult } from '../study/run.js';
import { precisionWarnings, type PrecisionOutcome } from '../study/precision.js';
import { VERSION } from '../version.js';

/** A varied input and its points. */
export interface SweepAxis {
  key: string;
  id: number;
  points: number[];
}

/** Mean, standard error and 95% interval of a paired quantity. */
export interface Paired {
  mean: number;
  se: number | null;
  ci95: [number, number] | null;
}

/** Mean of per-path values with its standard error (sample sd / sqrt(n)) and normal 95% interval. */
export function pairedStat(values: Float64Array): Paired {
  const { mean, se } = meanAndSe(values);
  return { mean, se, ci95: se === null ? null : [mean - Z975 * se, mean + Z975 * se] };
}

/** Per path: (b - a) x scale. */
export const pathDifference = (a: Float64Array, b: Float64Array, scale = 1): Float64Array => b.map((x, k) => (x - a[k]) * scale);

/**
 * The ratio of two means from per-path values on the same paths, with a delta-method 95%
 * interval: var(R) ~ (var(x) - 2 R cov(x, y) + R^2 var(y)) / (n mean(y)^2).
 */
export function ratioOfMeans(x: Float64Array, y: Float64Array): { ratio: number; ci95: [number, number] | null } | null {
  const n = x.length;
  let sx = 0;
  let sy = 0;
  for (let k = 0; k < n; k++) {
    sx += x[k];
    sy += y[k];
  }
  const [mx, my] = [sx / n, sy / n];
  if (my === 0) return null;
  const r = mx / my;
  if (n < 2) return { ratio: r, ci95: null };
  let vxx = 0;
  let vyy = 0;
  let vxy = 0;
  for (let k = 0; k < n; k++) {
    vxx += (x[k] - mx) ** 2;
    vyy += (y[k] - my) ** 2;
    vxy += (x[k] - mx) * (y[k] - my);
  }
  const v = (vxx - 2 * r * vxy + r * r * vyy) / (n - 1) / (n * my * my);
  const half = Z975 * Math.sqrt(Math.max(0, v));
  return { ratio: r, ci95: [r - half, r + half] };
}

/** Every point of a sweep: one axis gives a curve, two a grid (the first axis varies slowest). */
export function sweepPoints(axes: SweepAxis[]): number[][] {
  return axes.reduce<number[][]>((acc, axis) => acc.flatMap((p) => axis.points.map((x) => [...p, x])), [[]]);
}

/** Summaries of every metric of every policy at every point. */
export function pointSummaries(values: Float64Array[][][], metrics: readonly Metric[]): Record<string, Summary>[][] {
  return values.map((perPolicy) => perPolicy.map((perMetric) => Object.fromEntries(metrics.map((m, j) => [m, summarize(perMetric[j], BINARY_METRICS.includes(m))]))));
}

export interface MarginalRow {
  policy: string;
  metric: Metric;
  from: number;
  to: number;
  per_unit: Paired;
}

/** For a one-way sweep: the paired change per unit of the input between consecutive points. */
export function marginalRows(axis: SweepAxis, policies: string[], metrics: readonly Metric[], values: Float64Array[][][], which: readonly Metric[]): MarginalRow[] {
  const rows: MarginalRow[] = [];
  policies.forEach((policy, i) => {
    for (const metric of which) {
      const j = metrics.indexOf(metric);
      if (j < 0) continue;
      for (let p = 0; p + 1 < axis.points.length; p++) {
        const [from, to] = [axis.points[p], axis.points[p + 1]];
        rows.push({ policy, metric, from, to, per_unit: pairedStat(pathDifference(values[p][i][j], values[p + 1][i][j], 1 / (to - from))) });
      }
    }
  });
  return rows;
}

/** Per path, the slope of a metric between two points of the axis (per unit of the input). */
const slope = (axis: SweepAxis, v: Float64Array[], from: number, to: number) => pathDifference(v[from], v[to], 1 / (axis.points[to] - axis.points[from]));

export interface CurveStatements {
  policy: string;
  /** Mean total harm at each point. */
  harm: Paired[];
  /** The cost per unit (day) of the input in the segment holding `at`, and per week and month. */
  at: number;
  perDay: Paired | null;
  perWeek: Paired | null;
  perMonth: Paired | null;
  /** The slope over the last third of the range against the first third: > 1 compounds. */
  compounding: { first: Paired; last: Paired; ratio: number; ci95: [number, number] | null } | null;
  /** Harm avoided by stopping at each point instead of the last (paired). */
  avoided: Paired[];
}

/** The statements in words of a one-way sweep, per policy, from total harm. */
export function curveStatements(axis: SweepAxis, policies: string[], metrics: readonly Metric[], values: Float64Array[][][], at: number): CurveStatements[] {
  const j = metrics.indexOf('total_harm');
  const pts = axis.points;
  const last = pts.length - 1;
  const scale = (x: Paired, f: number): Paired => ({ mean: x.mean * f, se: x.se === null ? null : x.se * f, ci95: x.ci95 ? [x.ci95[0] * f, x.ci95[1] * f] : null });
  return policies.map((policy, i) => {
    const v = values.map((perPolicy) => perPolicy[i][j]);
    // The segment whose span holds `at` (the first or last one beyond the range).
    let seg = pts.findIndex((x, p) => p < last && at >= x && at <= pts[p + 1]);
    if (seg < 0) seg = at < pts[0] ? 0 : last - 1;
    const perDay = last >= 1 ? pairedStat(slope(axis, v, seg, seg + 1)) : null;
    // First and last thirds of the range: the points nearest to min + span/3 and max - span/3.
    let compounding: CurveStatements['compounding'] = null;
    if (pts.length >= 3) {
      const span = pts[last] - pts[0];
      const nearest = (x: number) => pts.reduce((b, y, p) => (Math.abs(y - x) < Math.abs(pts[b] - x) ? p : b), 0);
      const a = Math.max(1, nearest(pts[0] + span / 3));
      const b = Math.min(last - 1, nearest(pts[last] - span / 3));
      const first = slope(axis, v, 0, a);
      const lastSlope = slope(axis, v, b, last);
      const r = ratioOfMeans(lastSlope, first);
      if (r) compounding = { first: pairedStat(first), last: pairedStat(lastSlope), ratio: r.ratio, ci95: r.ci95 };
    }
    return {
      policy,
      harm: v.map((x) => pairedStat(x)),
      at,
      perDay,
      perWeek: perDay && scale(perDay, 7),
      perMonth: perDay && scale(perDay, 365.25 / 12),
      compounding,
      avoided: v.map((x) => pairedStat(pathDifference(x, v[last]))),
    };
  });
}

/** sweep.json: a sweep's points with every metric's summary per policy, and for one input its marginal rows and statements. */
export interface SweepJson {
  schema: 'accessgap/sweep@1';
  scenario: { name: string; title: string; file: string; sha256: string; currency: string };
  run: { seed: number; paths: number; version: string; passes: number; shared_butfor: boolean; precision?: PrecisionOutcome };
  keys: { key: string; points: number[] }[];
  points: { point: number; values: Record<string, number>; policies: Record<string, { metrics: Record<string, Summary> }> }[];
  /** One input only: the paired change per unit between consecutive points. */
  marginal?: MarginalRow[];
  /** One input only: statements per policy (from total harm), at the median of the input. */
  statements?: CurveStatements[];
  /** Per point: the mean but-for firm value W_butfor (it moves with a setting such as the horizon, or an input the but-for world reads). */
  butfor_value: number[];
  /** What the reader should know: a precision target not met. */
  warnings: string[];
}

const MARGINAL_METRICS: readonly Metric[] = ['total_harm', 'owner_harm', 'pv_lost_profit', 'lost_revenue', 'attributable_insolvency', 'insolvent'];

export function sweepJson(
  loaded: LoadedScenario,
  axes: SweepAxis[],
  points: number[][],
  study: StudyResult,
  run: { seed: number; paths: number; threads: number; wallSeconds: number; median: number; precision?: PrecisionOutcome },
): SweepJson {
  const s = loaded.scenario;
  const summaries = pointSummaries(study.values, study.metrics);
  const oneWay = axes.length === 1;
  return {
    schema: 'accessgap/sweep@1',
    scenario: { name: s.name, title: s.title, file: s.file, sha256: s.sha256, currency: s.currency },
    run: { seed: run.seed, paths: run.paths, version: VERSION, passes: study.passes, shared_butfor: study.sharedButfor, ...(run.precision ? { precision: run.precision } : {}) },
    keys: axes.map((a) => ({ key: a.key, points: a.points })),
    butfor_value: study.butforValue.map((w) => w.reduce((a, b) => a + b, 0) / w.length),
    warnings: precisionWarnings(run.precision),
    points: points.map((p, v) => ({
      point: v,
      values: Object.fromEntries(axes.map((a, i) => [a.key, p[i]])),
      policies: Object.fromEntries(study.policies.map((name, i) => [name, { metrics: summaries[v][i] }])),
    })),
    ...(oneWay
      ? {
          marginal: marginalRows(axes[0], study.policies, study.metrics, study.values, MARGINAL_METRICS),
          statements: curveStatements(axes[0], study.policies, study.metrics, study.values, run.median),
        }
      : {}),
  };
}

/** The swept input is the revocation's length (costs per day, week and month). */
export const isDuration = (json: SweepJson) => json.keys.length === 1 && json.keys[0].key === 'revocation.duration_days';
/** What one step of the swept input is called. */
export const unit = (json: SweepJson) => (isDuration(json) ? 'day' : `unit of ${json.keys[0].key}`);
