/**
 * Sensitivity analysis: which inputs drive a metric. Pure functions from per-path values to
 * tables: the tornado (one input at a time at a low and a high percentile, paired against the base
 * on the same paths) and Spearman rank correlations between each input's draws and the metric;
 * and sensitivity.json from a sensitivity analysis's passes.
 */
import { quantileSorted, Z975 } from '../stats/summary.js';
import { pairedStat, pathDifference, type Paired } from './sweep.js';
import { sobolIndices, type SobolIndex } from './sobol.js';
import type { LoadedScenario } from '../scenario/load.js';
import type { InputDef, Scenario } from '../scenario/types.js';
import type { StudyResult } from '../study/run.js';
import type { SaltelliRuns, SobolFactor } from '../study/sobol.js';
import { precisionWarnings, type PrecisionOutcome } from '../study/precision.js';
import { VERSION } from '../version.js';

/** Ranks 1 ... n, ties given their average rank. */
export function ranks(x: ArrayLike<number>): Float64Array {
  const n = x.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => x[a] - x[b]);
  const r = new Float64Array(n);
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && x[order[j + 1]] === x[order[i]]) j++;
    const avg = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) r[order[k]] = avg;
    i = j + 1;
  }
  return r;
}

/** Pearson correlation; 0 when either side does not vary. */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : 0;
}

/**
 * Spearman's rank correlation with a 95% interval from Fisher's z, using Bonett and Wright's
 * (2000) standard error for Spearman: sqrt((1 + r^2/2) / (n - 3)).
 */
export function spearman(x: ArrayLike<number>, y: ArrayLike<number>): { rho: number; ci95: [number, number] | null } {
  const rho = pearson(ranks(x), ranks(y));
  const n = x.length;
  if (n < 4 || Math.abs(rho) === 1) return { rho, ci95: n < 4 ? null : [rho, rho] };
  const z = Math.atanh(rho);
  const se = Math.sqrt((1 + (rho * rho) / 2) / (n - 3));
  return { rho, ci95: [Math.tanh(z - Z975 * se), Math.tanh(z + Z975 * se)] };
}

/** The low and high values of an input for the tornado: its draws' quantiles at the two probabilities. */
export function tornadoValues(draws: Float64Array, low: number, high: number, integer: boolean): [number, number] {
  const sorted = Float64Array.from(draws).sort();
  const round = (x: number) => (integer ? Math.max(0, Math.floor(x + 0.5)) : x);
  return [round(quantileSorted(sorted, low)), round(quantileSorted(sorted, high))];
}

export interface TornadoRow {
  input: string;
  low_value: number;
  high_value: number;
  /** The metric's mean with the input at its low and high value, and their paired differences from the base run. */
  mean_low: number;
  mean_high: number;
  low_vs_base: Paired;
  high_vs_base: Paired;
  swing: number;
}

/** A tornado row from per-path values of the metric at the base, low and high runs. */
export function tornadoRow(input: string, values: [number, number], base: Float64Array, low: Float64Array, high: Float64Array): TornadoRow {
  const lo = pairedStat(pathDifference(base, low));
  const hi = pairedStat(pathDifference(base, high));
  const mean = (x: Float64Array) => x.reduce((a, b) => a + b, 0) / x.length;
  const [mLow, mHigh] = [mean(low), mean(high)];
  return { input, low_value: values[0], high_value: values[1], mean_low: mLow, mean_high: mHigh, low_vs_base: lo, high_vs_base: hi, swing: Math.abs(mHigh - mLow) };
}

export interface RankRow {
  input: string;
  spearman: number;
  ci95: [number, number] | null;
}

export interface SobolRow extends SobolIndex {
  input: string;
}

/** sensitivity.json: what `accessgap sensitivity` found, as written to disk. */
export interface SensitivityJson {
  schema: 'accessgap/sensitivity@1';
  scenario: { name: string; title: string; file: string; sha256: string; currency: string };
  run: { seed: number; paths: number; version: string; metric: string; methods: string[]; tornado_quantiles: [number, number]; tornado_paths?: number; sobol_paths?: number; sobol_estimators?: string; passes: number; precision?: PrecisionOutcome };
  /** The uncertain inputs analysed, with their status label from the file's comment when present. */
  inputs: { key: string; status?: string; basis?: string }[];
  policies: Record<string, { base_mean: number; tornado?: TornadoRow[]; rank?: RankRow[]; sobol?: SobolRow[]; settings?: TornadoRow[] }>;
  /** What the reader should know: a precision target not met, Sobol estimates on too few paths. */
  warnings: string[];
}

const STATUS = /^(DOC|SEC|REPORTED|EST|JUDGMENT)(\/(DOC|SEC|REPORTED|EST|JUDGMENT))*/;
/** The status label that opens a basis comment (JUDGMENT, SEC/EST, ...), if any. */
export const statusOf = (comment?: string) => (comment ? STATUS.exec(comment.trim())?.[0] : undefined);

/** What a sensitivity analysis ran: the inputs, their draws on the base run's paths, and the passes' per-path values. */
export interface SensitivityRuns {
  loaded: LoadedScenario;
  settings: { seed: number; paths: number; threads: number };
  metric: string;
  methods: string[];
  quantiles: [number, number];
  policies: string[];
  /** The uncertain inputs, each input's draws on the base run's paths, and the tornado's inputs with their low and high values. */
  inputs: InputDef[];
  draws: Float64Array[];
  tornado: { def: InputDef; values: [number, number] }[];
  /** Settings at the expert's two choices: their variants follow the tornado's. */
  studiedSettings: { key: string; values: [number, number] }[];
  /**
   * The base run (variant 0) and each tornado input at its low and high value (variants 1 + 2t,
   * 2 + 2t), then the settings', on the tornado's paths (the first `tornadoPaths` of the run's).
   */
  study: StudyResult;
  /** The base on all of the run's paths when the tornado ran on fewer (its mean and rank correlations read it). */
  base?: StudyResult;
  /** The tornado's paths, when it ran. */
  tornadoPaths?: number;
  saltelli?: { runs: SaltelliRuns; factors: SobolFactor[]; paths: number };
  precision?: PrecisionOutcome;
}

/**
 * Whether a policy's world can read an input at all: a policy's own keys (its licence, its phases'
 * lengths) belong to that policy alone, and the mitigation block's to the policies that mitigate.
 * Inputs a policy cannot depend on are left out of its rows rather than ranked at zero.
 */
export function policyCanRead(s: Scenario, policy: string, key: string): boolean {
  const own = /^policies\.([^.[]+)[.[]/.exec(key);
  if (own) return own[1] === policy;
  if (key.startsWith('mitigation.')) return s.policies.find((p) => p.name === policy)?.mitigate !== false && s.mitigation !== undefined;
  return true;
}

/** sensitivity.json from the runs: tornado rows sorted by swing, rank correlations, Sobol indices sorted by total order. */
export function sensitivityJson(r: SensitivityRuns): SensitivityJson {
  const s = r.loaded.scenario;
  const { study, saltelli, methods } = r;
  const j = study.metrics.indexOf(r.metric as never);
  const json: Omit<SensitivityJson, 'warnings'> = {
    schema: 'accessgap/sensitivity@1',
    scenario: { name: s.name, title: s.title, file: s.file, sha256: s.sha256, currency: s.currency },
    run: {
      seed: r.settings.seed,
      paths: r.settings.paths,
      version: VERSION,
      metric: r.metric,
      methods,
      tornado_quantiles: r.quantiles,
      ...(r.tornadoPaths !== undefined ? { tornado_paths: r.tornadoPaths } : {}),
      ...(saltelli ? { sobol_paths: saltelli.paths, sobol_estimators: 'Saltelli et al. (2010) first order, Jansen (1999) total order; 95% intervals: 1.96 x the standard deviation of 200 bootstrap resamples' } : {}),
      passes: study.passes + (r.base?.passes ?? 0) + (saltelli ? saltelli.factors.length + 2 : 0),
      ...(r.precision ? { precision: r.precision } : {}),
    },
    inputs: r.inputs.map((d) => ({ key: d.key, ...(statusOf(d.comment) ? { status: statusOf(d.comment) } : {}), ...(d.comment ? { basis: d.comment } : {}) })),
    policies: Object.fromEntries(
      r.policies.map((policy) => {
        const i = study.policies.indexOf(policy);
        const reads = (key: string) => policyCanRead(s, policy, key);
        const base = study.values[0][i][j];
        // Every path of the run: the tornado's own base, or the base's pass of them all.
        const all = r.base ? r.base.values[0][r.base.policies.indexOf(policy)][j] : base;
        const mean = all.reduce((a, b) => a + b, 0) / all.length;
        const tornado = methods.includes('tornado')
          ? r.tornado
              .flatMap(({ def, values }, t) => (reads(def.key) ? [tornadoRow(def.key, values, base, study.values[1 + 2 * t][i][j], study.values[2 + 2 * t][i][j])] : []))
              .sort((a, b) => b.swing - a.swing || a.input.localeCompare(b.input))
          : undefined;
        const rank = methods.includes('rank')
          ? r.inputs.flatMap((d, t) => {
              if (!reads(d.key)) return [];
              const c = spearman(r.draws[t], all);
              return [{ input: d.key, spearman: c.rho, ci95: c.ci95 }];
            })
          : undefined;
        let sobol: SobolRow[] | undefined;
        if (saltelli) {
          const { runs, factors } = saltelli;
          const si = runs.policies.indexOf(policy);
          const sj = runs.metrics.indexOf(r.metric as never);
          const idx = sobolIndices(runs.A[si][sj], runs.B[si][sj], runs.AB.map((ab) => ab[si][sj]), 200, `accessgap:${r.settings.seed}:sobol-bootstrap:${policy}`);
          sobol = factors.flatMap((f, t) => (f.keys.some(reads) ? [{ input: f.keys.join(' + '), ...idx[t] }] : [])).sort((a, b) => b.ST - a.ST || a.input.localeCompare(b.input));
        }
        const after = 1 + 2 * r.tornado.length;
        const settings = r.studiedSettings.map(({ key, values }, t) => tornadoRow(key, values, base, study.values[after + 2 * t][i][j], study.values[after + 1 + 2 * t][i][j]));
        return [policy, { base_mean: mean, ...(tornado ? { tornado } : {}), ...(rank ? { rank } : {}), ...(sobol ? { sobol } : {}), ...(settings.length ? { settings } : {}) }];
      }),
    ),
  };
  return { ...json, warnings: [...precisionWarnings(r.precision), ...sobolWarnings(json)] };
}

/**
 * How many of the leading rows (sorted by their estimate, largest first) stand apart from the
 * rest: the fewest k (1 to `most`) whose intervals all lie above every later row's interval; 0
 * when no such k exists. A ranking in words is said only for a group that stands apart.
 */
export function separatedLeaders<T>(rows: T[], interval: (r: T) => [number, number], most = 3): number {
  for (let k = 1; k <= Math.min(most, rows.length); k++) {
    const floor = Math.min(...rows.slice(0, k).map((r) => interval(r)[0]));
    const ceiling = rows.length > k ? Math.max(...rows.slice(k).map((r) => interval(r)[1])) : -Infinity;
    if (floor > ceiling) return k;
  }
  return 0;
}

/**
 * A 95% interval of a tornado row's swing |mean_high - mean_low|: the low and high ends' standard
 * errors added (an upper bound on the difference's, whatever their correlation).
 */
export function swingInterval(r: TornadoRow): [number, number] {
  const se = (r.low_vs_base.se ?? 0) + (r.high_vs_base.se ?? 0);
  return [Math.max(0, r.swing - Z975 * se), r.swing + Z975 * se];
}

/** Whether the tornado row's change at either end is clear of zero (its 95% interval excludes 0). */
export const clearEffect = (r: TornadoRow): boolean =>
  r.swing > 0 && [r.low_vs_base, r.high_vs_base].some((x) => x.ci95 !== null && (x.ci95[0] > 0 || x.ci95[1] < 0));

/** The interval of |rho| from rho's interval. */
export function absRankInterval(r: RankRow): [number, number] {
  if (!r.ci95) return [Math.abs(r.spearman), Math.abs(r.spearman)];
  const [lo, hi] = r.ci95;
  return lo <= 0 && hi >= 0 ? [0, Math.max(-lo, hi)] : [Math.min(Math.abs(lo), Math.abs(hi)), Math.max(Math.abs(lo), Math.abs(hi))];
}

/** A first-order index this far below zero (its interval's lower end) says the Sobol paths are too few. */
const NEGATIVE_S1 = -0.05;

/**
 * Signs that the Sobol estimates rest on too few paths: a first-order index clearly negative (its
 * interval reaching below -0.05) or a first-order index above the total-order one beyond their
 * noise (S1's interval entirely above ST). Both are impossible for the true indices.
 */
export function sobolWarnings(json: Pick<SensitivityJson, 'policies' | 'run'>): string[] {
  const out: string[] = [];
  for (const [policy, p] of Object.entries(json.policies)) {
    const rows = p.sobol ?? [];
    const negative = rows.filter((r) => r.S1 < 0 && r.S1_ci95[0] < NEGATIVE_S1);
    const above = rows.filter((r) => r.S1_ci95[0] > r.ST);
    if (!negative.length && !above.length) continue;
    const n = (x: number) => x.toFixed(2);
    const what = [
      ...negative.slice(0, 3).map((r) => `${r.input} has a negative first-order index (S1 ${n(r.S1)} [${n(r.S1_ci95[0])}, ${n(r.S1_ci95[1])}])`),
      ...above.slice(0, 3).map((r) => `${r.input}'s first-order index exceeds its total-order one (S1 ${n(r.S1)} [${n(r.S1_ci95[0])}, ${n(r.S1_ci95[1])}], ST ${n(r.ST)})`),
    ];
    out.push(
      `${policy}: the Sobol estimates rest on too few paths (${json.run.sobol_paths?.toLocaleString('en-US')} per matrix): ${what.join('; ')}. Read the indices through their intervals, or raise --sobol-paths (intervals narrow as one over its square root).`,
    );
  }
  return out;
}
