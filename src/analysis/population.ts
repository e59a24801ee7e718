/**
 * A population run's results as data (population.json, population.csv, frontier.csv): per policy
 * and archetype (and `all`, the population), each summed metric's mean with its Monte Carlo error
 * and its percentiles over the common uncertainty; the ratios; the trade-off frontier; where an
 * archetype ranks the policies differently; and the statements the report makes.
 *
 *   PopulationRun -> per-path totals (+ their excess variance) -> estimates -> PopulationJson
 */
import { formatMoney, formatPercent, sig6 } from '../format.js';
import type { LoadedPopulation } from '../scenario/population.js';
import { quantileSorted, Z975 } from '../stats/summary.js';
import { ATTRIBUTED_POPULATION_METRICS, POPULATION_METRICS, type PopulationMetric, type PopulationRun } from '../study/population.js';

export const POPULATION_SCHEMA = 'accessgap/population@1';
/** The ratios the population reports beside its sums. */
export const POPULATION_RATIOS = ['collateral_share', 'harm_per_targeted_day'] as const;
export type PopulationRatio = (typeof POPULATION_RATIOS)[number];
/** Rows of population.csv that sum a whole population. */
export const ALL = 'all';
/** The standard normal's 95th percentile. */
const Z95 = 1.6448536269514722;

export interface Estimate {
  mean: number;
  se: number | null;
  ci95_lo: number | null;
  ci95_hi: number | null;
  /** Percentiles of the total over the common uncertainty; null when the paths do not resolve its spread (see estimateTotal). */
  p05: number | null;
  p50: number | null;
  p95: number | null;
  /** Share of the per-path totals' variance that was the sampling noise of the firms' means, removed from the percentiles. */
  noise_share?: number;
  /**
   * When the percentiles are not resolved: the 5th and 95th percentiles lie within this distance of
   * the mean (normal approximation, at the 95% upper confidence bound of the variance left).
   */
  spread_bound?: number;
}

/**
 * The estimate of a total from its per-path values X and their excess variance E
 * (study/population.ts). The mean and its standard error are the plain Monte Carlo ones (the paths
 * are independent). The percentiles describe the total itself: each path's deviation from the mean
 * is shrunk by f = sqrt(V* / V), V the variance of X and V* = V - mean E the variance left once
 * the sampling noise of the m simulated firms' mean (beyond what a sum of N independent firms has)
 * is removed (docs/model.md section 15). V* is the mean over paths of (X - mean)^2 - E; when its
 * standard error is more than half of it (or it is not positive) the paths do not resolve the
 * spread: the percentiles are null, and spread_bound bounds their distance from the mean.
 */
export function estimateTotal(X: Float64Array, E?: Float64Array): Estimate {
  const n = X.length;
  // The mean shifted by the first value: equal values (a deterministic population) give it exactly.
  let d0 = 0;
  for (let i = 1; i < n; i++) d0 += X[i] - X[0];
  const mean = X[0] + d0 / n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (X[i] - mean) ** 2;
  const V = n > 1 ? ss / (n - 1) : 0;
  const se = n > 1 ? Math.sqrt(V / n) : null;
  const interval = { mean, se, ci95_lo: se === null ? null : mean - Z975 * se, ci95_hi: se === null ? null : mean + Z975 * se };
  let excess = 0;
  let resolved = true;
  let bound = 0;
  if (E) {
    // d_p = (X_p - mean)^2 n/(n-1) - E_p: its mean is V*, its spread V*'s standard error.
    const d = new Float64Array(n);
    for (let i = 0; i < n; i++) d[i] = ((X[i] - mean) ** 2 * n) / Math.max(1, n - 1) - E[i];
    let sd = 0;
    for (let i = 0; i < n; i++) [excess, sd] = [excess + E[i], sd + d[i]];
    excess /= n;
    const vStar = sd / n;
    let q = 0;
    for (let i = 0; i < n; i++) q += (d[i] - vStar) ** 2;
    const seStar = n > 1 ? Math.sqrt(q / (n - 1) / n) : Infinity;
    resolved = V === 0 || (vStar > 0 && seStar < 0.5 * vStar);
    bound = Z95 * Math.sqrt(Math.max(0, vStar + Z95 * seStar));
  }
  const noise = E ? { noise_share: V > 0 ? Math.min(1, excess / V) : 0 } : {};
  if (!resolved) return { ...interval, p05: null, p50: null, p95: null, ...noise, spread_bound: bound };
  const f = V > 0 ? Math.sqrt(Math.max(0, V - excess) / V) : 1;
  const adjusted = X.map((x) => mean + f * (x - mean)).sort();
  return { ...interval, p05: quantileSorted(adjusted, 0.05), p50: quantileSorted(adjusted, 0.5), p95: quantileSorted(adjusted, 0.95), ...noise };
}

/**
 * A ratio of two totals, A / B (population-wide: the ratio of the means), with its standard error by
 * the delta method over paths; the percentiles are those of the ratio on each path where B > 0.
 * Undefined when B's mean is 0 (nothing to divide by).
 */
export function estimateRatio(A: Float64Array, B: Float64Array): Estimate | undefined {
  const n = A.length;
  let sa = 0;
  let sb = 0;
  for (let i = 0; i < n; i++) [sa, sb] = [sa + A[i], sb + B[i]];
  if (!(sb > 0)) return undefined;
  const R = sa / sb;
  const mb = sb / n;
  let ss = 0;
  const per: number[] = [];
  for (let i = 0; i < n; i++) {
    ss += (A[i] - R * B[i]) ** 2;
    if (B[i] > 0) per.push(A[i] / B[i]);
  }
  per.sort((x, y) => x - y);
  const se = n > 1 ? Math.sqrt(ss / (n - 1) / n) / mb : null;
  return { mean: R, se, ci95_lo: se === null ? null : R - Z975 * se, ci95_hi: se === null ? null : R + Z975 * se, p05: quantileSorted(per, 0.05), p50: quantileSorted(per, 0.5), p95: quantileSorted(per, 0.95) };
}

/**
 * Pareto flags of (targeted, harm) points: a point is on the front when no other point denies at
 * least as many targeted access-days at no more total harm, one of the two strictly.
 */
export function paretoFlags(points: { targeted: number; harm: number }[]): boolean[] {
  return points.map((p, i) => !points.some((q, j) => j !== i && q.targeted >= p.targeted && q.harm <= p.harm && (q.targeted > p.targeted || q.harm < p.harm)));
}

export interface FrontierRow {
  policy: string;
  status?: string;
  targeted_access_days: number;
  targeted_se: number | null;
  collateral_access_days: number;
  total_harm: number;
  total_harm_se: number | null;
  insolvent: number;
  attributable_insolvency: number;
  pareto: boolean;
}

/** An archetype that orders two policies the other way round from the population (by mean total harm). */
export interface RankingRow {
  archetype: string;
  /** The policies from least to most harm for the archetype; policies with equal harm share a group. */
  order: string[][];
  /** Pairs [a, b]: a does less harm than b to the population, more to the archetype. */
  reversed: [string, string][];
}

/** Policies from least to most mean harm, equal means grouped. */
export function harmOrder(harm: Record<string, number>): string[][] {
  const names = Object.keys(harm).sort((a, b) => harm[a] - harm[b]);
  const groups: string[][] = [];
  for (const n of names) {
    const last = groups[groups.length - 1];
    if (last && harm[last[0]] === harm[n]) last.push(n);
    else groups.push([n]);
  }
  return groups;
}

export interface PopulationJson {
  schema: typeof POPULATION_SCHEMA;
  population: { name: string; title: string; file: string; sha256: string; currency: string; countries_of_concern: string[]; common: string[] };
  run: { paths: number; seed: number; horizon_days: number; tail_days: number; discount_rate: number; firm_paths: number };
  archetypes: { name: string; scenario: string; scenario_sha256: string; firms: unknown; basis?: string; firms_per_path: number; exact: boolean; mean_firms: number; mitigation: Record<string, string | null>; dropped_correlations: string[] }[];
  /** Compared policies; providerWide: some phase cuts everyone off (a provider's shutoff, not a rule on people). */
  policies: { name: string; status?: string; description?: string; providerWide: boolean }[];
  /** results[policy][archetype | all][metric]; a policy whose phases name parties also has `<metric>_by_<party>`, the party's Shapley share (section 4c). */
  results: Record<string, Record<string, Record<string, Estimate>>>;
  /** The parties of each policy whose phases name them. */
  parties: Record<string, string[]>;
  frontier: FrontierRow[];
  rankings: RankingRow[];
  statements: string[];
}

const round = (e: Estimate): Estimate => Object.fromEntries(Object.entries(e).map(([k, v]) => [k, typeof v === 'number' ? sig6(v) : v])) as unknown as Estimate;

/** population.json's content from a run. */
export function populationJson(pop: LoadedPopulation, run: PopulationRun): PopulationJson {
  const results: PopulationJson['results'] = {};
  const nA = run.archetypes.length;
  const metricAt = (m: PopulationMetric) => POPULATION_METRICS.indexOf(m);
  run.policies.forEach((policy, i) => {
    const byGroup: Record<string, Record<string, Estimate>> = {};
    const groups: [string, number[]][] = [...run.archetypes.map((a, k) => [a.name, [k]] as [string, number[]]), [ALL, run.archetypes.map((_, k) => k)]];
    for (const [group, members] of groups) {
      const sumOf = (m: number, what: 'totals' | 'excess') => {
        const out = new Float64Array(run.paths);
        for (const k of members) {
          const x = run.archetypes[k][what][i][m];
          for (let p = 0; p < run.paths; p++) out[p] += x[p];
        }
        return out;
      };
      const est: Record<string, Estimate> = {};
      POPULATION_METRICS.forEach((m, j) => (est[m] = round(estimateTotal(sumOf(j, 'totals'), sumOf(j, 'excess')))));
      const targeted = sumOf(metricAt('targeted_access_days'), 'totals');
      const collateral = sumOf(metricAt('collateral_access_days'), 'totals');
      const denied = targeted.map((t, p) => t + collateral[p]);
      const share = estimateRatio(collateral, denied);
      if (share) est.collateral_share = round(share);
      const perDay = estimateRatio(sumOf(metricAt('total_harm'), 'totals'), targeted);
      if (perDay) est.harm_per_targeted_day = round(perDay);
      // Each party's Shapley share, summed like the metrics (every archetype splits the same policy among the same parties).
      const split = run.archetypes[members[0]].attribution[policy.name];
      for (const party of Object.keys(split ?? {})) {
        for (const metric of ATTRIBUTED_POPULATION_METRICS) {
          const [t, x] = [new Float64Array(run.paths), new Float64Array(run.paths)];
          for (const k of members) {
            const [tk, xk] = run.archetypes[k].attribution[policy.name][party][metric];
            for (let p = 0; p < run.paths; p++) [t[p], x[p]] = [t[p] + tk[p], x[p] + xk[p]];
          }
          est[`${metric}_by_${party}`] = round(estimateTotal(t, x));
        }
      }
      byGroup[group] = est;
    }
    results[policy.name] = byGroup;
  });

  const all = (policy: string) => results[policy][ALL];
  const flags = paretoFlags(run.policies.map((p) => ({ targeted: all(p.name).targeted_access_days.mean, harm: all(p.name).total_harm.mean })));
  const frontier: FrontierRow[] = run.policies.map((p, i) => ({
    policy: p.name,
    ...(p.status ? { status: p.status } : {}),
    targeted_access_days: all(p.name).targeted_access_days.mean,
    targeted_se: all(p.name).targeted_access_days.se,
    collateral_access_days: all(p.name).collateral_access_days.mean,
    total_harm: all(p.name).total_harm.mean,
    total_harm_se: all(p.name).total_harm.se,
    insolvent: all(p.name).insolvent.mean,
    attributable_insolvency: all(p.name).attributable_insolvency.mean,
    pareto: flags[i],
  }));

  // Where an archetype orders two policies by mean harm the other way round from the population.
  const harmOf = (group: string) => Object.fromEntries(run.policies.map((p) => [p.name, results[p.name][group].total_harm.mean]));
  const popHarm = harmOf(ALL);
  const rankings: RankingRow[] = [];
  for (const a of nA > 1 ? run.archetypes : []) {
    const own = harmOf(a.name);
    const reversed: [string, string][] = [];
    for (const x of run.policies) for (const y of run.policies) if (popHarm[x.name] < popHarm[y.name] && own[x.name] > own[y.name]) reversed.push([x.name, y.name]);
    if (reversed.length) rankings.push({ archetype: a.name, order: harmOrder(own), reversed });
  }

  const json: PopulationJson = {
    schema: POPULATION_SCHEMA,
    population: { name: pop.name, title: pop.title, file: pop.file, sha256: pop.sha256, currency: pop.currency, countries_of_concern: pop.countriesOfConcern, common: pop.commonKeys },
    run: { paths: run.paths, seed: run.seed, horizon_days: pop.simulation.horizon_days, tail_days: pop.simulation.tail_days, discount_rate: pop.simulation.discount_rate, firm_paths: run.firmPaths },
    archetypes: pop.archetypes.map((a, k) => {
      const counts = run.archetypes[k].counts;
      return {
        name: a.name,
        scenario: a.scenarioRef,
        scenario_sha256: a.scenarioSha256,
        firms: a.firms.dist === 'constant' ? (a.firms as { value: number }).value : a.firms,
        ...(a.basis ? { basis: a.basis } : {}),
        firms_per_path: a.perPath,
        exact: a.exact,
        mean_firms: sig6(counts.reduce((s, x) => s + x, 0) / counts.length),
        mitigation: Object.fromEntries(run.policies.map((p, i) => [p.name, run.archetypes[k].decisions[i] ?? null])),
        dropped_correlations: a.droppedCorrelations,
      };
    }),
    policies: run.policies,
    results,
    parties: Object.fromEntries(run.policies.flatMap((p) => (run.archetypes[0].attribution[p.name] ? [[p.name, Object.keys(run.archetypes[0].attribution[p.name])]] : []))),
    frontier,
    rankings,
    statements: [],
  };
  json.statements = populationStatements(json);
  return json;
}

/** What the report says in words: which rules are on the frontier, and what the broadest rule costs per targeted access-day against the narrowest that denies as much. */
export function populationStatements(j: PopulationJson): string[] {
  const money = (x: number) => formatMoney(x, j.population.currency);
  const days = (x: number) => Math.round(x).toLocaleString('en-US');
  const out: string[] = [];
  const front = j.frontier.filter((f) => f.pareto);
  out.push(
    `On the frontier (no other rule denies at least as many targeted access-days at no more total harm): ${front.map((f) => `${f.policy} (${days(f.targeted_access_days)} targeted access-days, ${money(f.total_harm)})`).join('; ')}. Every other rule is dominated: some rule denies at least as much targeted access for less harm.`,
  );
  for (const [policy, parties] of Object.entries(j.parties)) {
    const e = j.results[policy][ALL];
    out.push(
      `${policy}: of its ${money(e.total_harm.mean)} of harm, ${parties.map((p) => `the ${p}'s decision accounts for ${money(e[`total_harm_by_${p}`].mean)}`).join(', ')} (Shapley shares, which add up to the whole; docs/model.md section 4c).`,
    );
  }
  const denied = (f: FrontierRow) => f.targeted_access_days + f.collateral_access_days;
  // The blanket rule: the one that denies the most access among rules on people (a policy with a provider-wide shutoff is not one).
  const onPeople = new Set(j.policies.filter((p) => !p.providerWide).map((p) => p.name));
  const broadest = [...j.frontier].filter((f) => onPeople.has(f.policy)).sort((a, b) => denied(b) - denied(a))[0];
  if (!broadest) return out;
  const est = j.results[broadest.policy][ALL];
  if (!(broadest.targeted_access_days > 0)) {
    out.push(`${broadest.policy}, the broadest rule on people (${days(denied(broadest))} access-days denied), denies no targeted access in this population: all ${money(broadest.total_harm)} of its harm falls on firms and staff it is not aimed at.`);
    return out;
  }
  const same = j.frontier.filter((f) => f !== broadest && f.targeted_access_days >= 0.99 * broadest.targeted_access_days).sort((a, b) => denied(a) - denied(b) || a.total_harm - b.total_harm)[0];
  const perDay = est.harm_per_targeted_day;
  const share = est.collateral_share;
  const first = `${broadest.policy}, the broadest rule on people, denies ${days(denied(broadest))} access-days, ${share ? formatPercent(share.mean) : 'an unknown share'} of them collateral, and costs ${perDay ? money(perDay.mean) : 'an undefined amount'} of harm per targeted access-day (95% interval ${perDay && perDay.ci95_lo !== null ? `${money(perDay.ci95_lo)} to ${money(perDay.ci95_hi!)}` : 'not available'}).`;
  if (!same) {
    out.push(`${first} No narrower rule denies as much targeted access (within 1%).`);
    return out;
  }
  const other = j.results[same.policy][ALL].harm_per_targeted_day;
  const ratio = perDay && other && other.mean > 0 ? perDay.mean / other.mean : undefined;
  out.push(
    `${first} ${same.policy} denies the same targeted access (${days(same.targeted_access_days)} targeted access-days, within 1%) with ${days(denied(same))} access-days denied in all, at ${other ? money(other.mean) : 'an undefined amount'} per targeted access-day${ratio !== undefined ? `: the broadest rule costs ${ratio.toFixed(1)} times as much per targeted access-day, ${money(broadest.total_harm - same.total_harm)} more harm for no more targeted denial` : ''}.`,
  );
  return out;
}

/** population.csv: one tidy row per policy, archetype (and all) and metric. */
export function populationCsv(j: PopulationJson): string {
  const cell = (x: number | null | undefined) => (x === null || x === undefined ? '' : String(x));
  const rows = ['policy,archetype,metric,mean,se,ci95_lo,ci95_hi,p05,p50,p95,noise_share,spread_bound'];
  for (const p of j.policies) {
    for (const [group, est] of Object.entries(j.results[p.name])) {
      for (const [metric, e] of Object.entries(est)) rows.push([p.name, group, metric, e.mean, e.se, e.ci95_lo, e.ci95_hi, e.p05, e.p50, e.p95, e.noise_share, e.spread_bound].map((x) => (typeof x === 'string' ? x : cell(x))).join(','));
    }
  }
  return rows.join('\n') + '\n';
}

/** frontier.csv: the trade-off per policy over the whole population. */
export function frontierCsv(j: PopulationJson): string {
  const rows = ['policy,status,targeted_access_days,targeted_access_days_se,collateral_access_days,total_harm,total_harm_se,insolvent,attributable_insolvency,pareto'];
  for (const f of j.frontier) rows.push([f.policy, f.status ?? '', f.targeted_access_days, f.targeted_se ?? '', f.collateral_access_days, f.total_harm, f.total_harm_se ?? '', f.insolvent, f.attributable_insolvency, f.pareto].join(','));
  return rows.join('\n') + '\n';
}
