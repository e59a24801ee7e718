/** The report's tables as plain rows of text, rendered as Markdown (summary.md) or HTML (report.html). */
import { reproduceCommand, scenarioCopyName } from './reproduce.js';
import type { Scenario } from '../scenario/types.js';
import { BINARY_METRICS, HARM_PARTS, MONEY_METRICS } from '../model/metrics.js';
import { assumptionRows } from './assumptions.js';
import { formatMoney, formatPercent, plural } from '../format.js';
import type { PolicyReport, SummaryJson } from '../analysis/run.js';
import type { Summary } from '../stats/summary.js';

export interface Table {
  head: string[];
  rows: string[][];
}

const isShare = (m: string) => m === 'after_restoration_share' || BINARY_METRICS.includes(m as never);

export function formatMetric(metric: string, x: number, currency: string): string {
  if (MONEY_METRICS.includes(metric as never)) return formatMoney(x, currency);
  if (isShare(metric)) return formatPercent(x);
  return x.toLocaleString('en-US', { maximumFractionDigits: 1 });
}

/** `mean [ci95 low, ci95 high]`, each formatted by f. */
export const withCi = (x: Summary, f: (v: number) => string) => `${f(x.mean)} [${x.ci95 ? `${f(x.ci95[0])}, ${f(x.ci95[1])}` : 'n/a'}]`;

/** `median (p05 to p95)`, each formatted by f. */
export const medianRange = (x: Summary, f: (v: number) => string) => `${f(x.p50)} (${f(x.p05)} to ${f(x.p95)})`;
/** A percentile with its distribution-free 95% interval: $560k [$540k, $585k]. */
export const percentileWithCi = (x: [number, number], v: number, f: (v: number) => string) => `${f(v)} [${f(x[0])}, ${f(x[1])}]`;

/** "1 staff segment", "3 paths". */
export { plural };

const orNa = (x: number | null, f: (v: number) => string) => (x === null ? 'n/a' : f(x));

export const RESULTS_NOTE =
  'Harm is the loss to the firm in present value at day 0 (the but-for world minus the world under the policy, on the same paths). The median and the 5th to 95th percentile describe the spread across simulated paths; the mean comes with the 95% confidence interval of the Monte Carlo estimate (its precision). Owner harm applies limited liability: the owners of a failed firm lose at most its value. The share of lost revenue after access returns is the ratio of the means.';
export const DECOMPOSITION_NOTE =
  'Means; the five parts add up to total harm on every path. Terminal parts are valued at the horizon: the revenue gap still open closes over the tail (only the permanent share of it is capitalized), and a firm that fails in one world but not the other loses its value.';
export const TIMING_NOTE =
  'Probability that the firm becomes insolvent by each day under the policy while it would not have failed within the horizon without it (attributable insolvency), and the share of those failures that happen while access is still cut off.';
export const MITIGATION_NOTE =
  'Whether the firm relocates staff to the US or replaces them by US persons (docs/model.md section 4b), means over paths. Harm avoided compares, path by path, the same rule in a world where the firm does not mitigate.';

/**
 * The headline table: per policy the spread of total and owner harm across paths (median and
 * 5th-95th percentile), the mean with its Monte Carlo 95% interval (precision), harm relative to
 * the firm's size, the probability of insolvency the policy causes, and the share of lost revenue
 * that falls after access returns.
 */
export function resultsTable(s: SummaryJson, which: 'headline' | 'hypothetical' = 'headline'): Table {
  const cur = s.scenario.currency;
  const money = (x: number) => formatMoney(x, cur);
  const q = (x: Summary, v: 'p05' | 'p50' | 'p95') => percentileWithCi(x[`${v}_ci95`], x[v], money);
  return {
    head: ['policy', 'total harm: median (5th to 95th percentile)', 'its 5th percentile, median and 95th percentile [95% intervals]', 'owner harm: median (5th to 95th percentile)', 'mean total harm [95% CI of the mean]', 'mean harm / but-for firm value', 'P(insolvent because of the policy) [95% CI]', 'share of lost revenue after access returns', 'access-days denied, mean: targeted / collateral'],
    rows: Object.entries(s.policies).filter(([, p]) => (p.status === 'hypothetical') === (which === 'hypothetical')).map(([name, p]) => {
      const m = p.metrics;
      return [
        name,
        medianRange(m.total_harm, money),
        `${q(m.total_harm, 'p05')}; ${q(m.total_harm, 'p50')}; ${q(m.total_harm, 'p95')}`,
        medianRange(m.owner_harm, money),
        withCi(m.total_harm, money),
        orNa(p.derived.harm_to_firm_value, formatPercent),
        withCi(m.attributable_insolvency, formatPercent),
        orNa(p.derived.after_restoration_revenue_share, formatPercent),
        `${accessDays(m.targeted_access_days.mean)} / ${accessDays(m.collateral_access_days.mean)}`,
      ];
    }),
  };
}

const accessDays = (x: number) => x.toLocaleString('en-US', { maximumFractionDigits: 0 });

/** The five parts of total harm (means), which add up to it path by path. */
export function decompositionTable(s: SummaryJson): Table {
  const money = (x: number) => formatMoney(x, s.scenario.currency);
  return {
    head: ['policy', 'switching and mitigation costs', 'lost profit before access returns', 'lost profit after access returns', 'terminal: gap closing after the horizon', 'terminal: firm value lost to insolvency', 'total harm'],
    rows: Object.entries(s.policies).map(([name, p]) => [name, ...HARM_PARTS.map((m) => money(p.metrics[m].mean)), money(p.metrics.total_harm.mean)]),
  };
}

/** Probability of insolvency caused by each policy by day, and the share while access is cut off. */
export function insolvencyTimingTable(s: SummaryJson): Table {
  const first = Object.values(s.policies)[0];
  const days = first ? first.derived.insolvency_by_day.map((d) => d.day) : [];
  return {
    head: ['policy', ...days.map((d) => (d === s.run.horizon_days ? `by day ${d} (horizon)` : `by day ${d}`)), 'share of these while access is cut off'],
    rows: Object.entries(s.policies).map(([name, p]) => [name, ...p.derived.insolvency_by_day.map((d) => formatPercent(d.attributable, 2)), orNa(p.derived.attributable_while_cut_off, formatPercent)]),
  };
}

/** With a mitigation block: whether and how the firm mitigates, per policy (means over paths). */
export function mitigationTable(s: SummaryJson): Table | undefined {
  const entries = Object.entries(s.policies);
  if (!entries.some(([, p]) => p.metrics.mitigated)) return undefined;
  const money = (x: number) => formatMoney(x, s.scenario.currency);
  const heads = (x: number) => x.toLocaleString('en-US', { maximumFractionDigits: 1 });
  return {
    head: ['policy', 'P(the firm mitigates)', 'heads relocated (mean)', 'heads replaced by US persons (mean)', 'mitigation cost (PV, mean)', 'harm avoided by mitigating [95% CI]'],
    rows: entries.map(([name, p]) => {
      const m = p.metrics;
      const avoided = p.derived.mitigation ? `${withCi(p.derived.mitigation.harm_avoided, money)} against ${p.derived.mitigation.versus}` : 'n/a';
      return [name, formatPercent(m.mitigated.mean), heads(m.relocated_heads.mean), heads(m.displaced_heads.mean), money(m.mitigation_cost.mean), avoided];
    }),
  };
}

export const DECISION_NOTE =
  'The firm takes the remedy with the highest expected firm value given that the decision arises (docs/model.md section 4b): every option simulated on the same paths; its mean firm value over the paths where the decision arises, and its paired difference from doing nothing with the 95% interval of that mean (Monte Carlo precision, not the uncertainty of the harm).';

/** Per mitigating policy: where the decision arises, each option's mean firm value and paired difference from none, and the choice. */
export function decisionTable(s: SummaryJson): Table | undefined {
  const rows: string[][] = [];
  const money = (x: number | null) => (x === null ? 'n/a' : formatMoney(x, s.scenario.currency));
  for (const [name, p] of Object.entries(s.policies)) {
    const d = p.mitigation_decision;
    if (!d || d.decision !== 'expected') continue;
    for (const [option, o] of Object.entries(d.options)) {
      const v = o!.vs_none;
      const diff = option === 'none' ? '' : v.mean === null ? 'n/a' : `${money(v.mean)} [${money(v.ci95[0])}, ${money(v.ci95[1])}]`;
      rows.push([name, formatPercent(d.arises_share), option, money(o!.mean_w), diff, option === d.chosen ? 'chosen' : '']);
    }
  }
  return rows.length ? { head: ['policy', 'P(the decision arises)', 'option', 'mean firm value where it arises', 'against doing nothing [95% CI]', ''], rows } : undefined;
}

/** In words, per mitigating policy: what the firm chooses, and when mitigation does not pay. */
export function decisionStatements(s: SummaryJson): string[] {
  const money = (x: number) => formatMoney(x, s.scenario.currency);
  return Object.entries(s.policies).flatMap(([name, p]) => {
    const d = p.mitigation_decision;
    if (!d || d.decision !== 'expected' || d.arises_share === 0) return [];
    // A remedy that helps nobody under the rule is doing nothing (its paired difference is exactly 0).
    const helping = Object.entries(d.options).filter(([o, x]) => o !== 'none' && !(x!.vs_none.mean === 0 && x!.vs_none.se === 0));
    const best = helping.sort((a, b) => (b[1]!.mean_w ?? -Infinity) - (a[1]!.mean_w ?? -Infinity))[0];
    if (d.chosen === 'none') {
      if (!best) return [`${name}: no remedy helps anyone the rule cuts off when the decision arises, so the firm does nothing.`];
      const gain = best[1]!.vs_none;
      return [`${name}: mitigation does not pay: on the ${formatPercent(d.arises_share)} of paths where the decision arises, the best remedy (${best[0]}) would change the firm's mean value by ${gain.mean === null ? 'n/a' : money(gain.mean)} [${gain.ci95[0] === null ? 'n/a' : money(gain.ci95[0])}, ${gain.ci95[1] === null ? 'n/a' : money(gain.ci95[1])}], so the firm does nothing.`];
    }
    const gain = d.options[d.chosen]!.vs_none;
    return [`${name}: the firm chooses ${d.chosen} on the ${formatPercent(d.arises_share)} of paths where the decision arises; it raises the firm's mean value there by ${gain.mean === null ? 'n/a' : money(gain.mean)} [${gain.ci95[0] === null ? 'n/a' : money(gain.ci95[0])}, ${gain.ci95[1] === null ? 'n/a' : money(gain.ci95[1])}] against doing nothing.`];
  });
}

export const ATTRIBUTION_NOTE =
  "Who caused the harm (docs/model.md section 4c): each party's harm had it acted alone, what its acts added to the others' (the but-for test for that party), and its Shapley share (the shares add up to the policy's harm on every path); means with the 95% interval of the mean (Monte Carlo precision).";

/** Per attributed policy and party: total harm alone, incremental and Shapley, with intervals. */
export function attributionTable(s: SummaryJson): Table | undefined {
  const money = (x: number | null) => (x === null ? 'n/a' : formatMoney(x, s.scenario.currency));
  const ci = (x: { mean: number | null; ci95: [number | null, number | null] }) => `${money(x.mean)} [${money(x.ci95[0])}, ${money(x.ci95[1])}]`;
  const rows: string[][] = [];
  for (const [name, p] of Object.entries(s.policies)) {
    const a = p.attribution;
    if (!a) continue;
    const harm = a.metrics.total_harm;
    const insolvency = a.metrics.attributable_insolvency;
    for (const party of a.parties) rows.push([name, party, ci(harm.alone[party]), ci(harm.incremental[party]), ci(harm.shapley[party]), formatPercent(insolvency.shapley[party].mean ?? 0)]);
  }
  return rows.length ? { head: ['policy', 'party', 'total harm had it acted alone', 'what it added to the others (but-for test)', 'Shapley share', 'Shapley share of P(insolvent because of the policy)'], rows } : undefined;
}

/** The interaction in words: how the parts alone compare with the whole. */
export function attributionStatements(s: SummaryJson): string[] {
  const money = (x: number) => formatMoney(x, s.scenario.currency);
  return Object.entries(s.policies).flatMap(([name, p]) => {
    const a = p.attribution;
    if (!a) return [];
    const h = a.metrics.total_harm;
    const whole = p.metrics.total_harm.mean;
    const alone = a.parties.reduce((acc, party) => acc + (h.alone[party].mean ?? 0), 0);
    const interaction = whole - alone;
    const shares = a.parties.map((party) => `${party} ${money(h.shapley[party].mean ?? 0)} (${formatPercent(whole !== 0 ? (h.shapley[party].mean ?? 0) / whole : 0)})`).join(', ');
    return [
      `${name}: of a mean total harm of ${money(whole)}, the Shapley shares are ${shares}. The parties' harms alone add up to ${money(alone)}; the interaction (the whole minus the parts alone) is ${money(interaction)}${interaction < 0 ? ': the acts overlap, each doing part of the same damage' : interaction > 0 ? ': together they do more than apart' : ''}.`,
    ];
  });
}

export const OUTCOME_NOTE =
  'Whether an "existential" harm is a small chance of failure or a likely loss: the paths where the firm survives under the policy, where the policy makes it fail (it would not have failed without it), and where it fails anyway; medians of total harm over each group (policies labelled hypothetical are left out).';

export const HYPOTHETICAL_NOTE = 'Worlds that did not happen (status: hypothetical), for comparison; kept out of the figures above:';

/** The headline by outcome, per policy: survives, fails because of the policy, fails anyway. */
export function outcomeStatements(s: SummaryJson): string[] {
  const money = (x: number | null) => (x === null ? 'n/a' : formatMoney(x, s.scenario.currency));
  return Object.entries(s.policies)
    .filter(([, p]) => p.status !== 'hypothetical')
    .map(([name, p]) => {
      if (p.affected_segments.length === 0 && !p.product_affected) return `${name}: cuts this firm off from nothing.`;
      const o = p.by_outcome;
      const fails = o.fails_because_of_policy.share > 0 ? `on ${formatPercent(o.fails_because_of_policy.share)} the policy makes it fail and it loses a median ${money(o.fails_because_of_policy.total_harm.p50)}` : 'on no path does the policy make it fail';
      const anyway = o.fails_anyway.share > 0 ? `; on ${formatPercent(o.fails_anyway.share)} it fails anyway (median harm ${money(o.fails_anyway.total_harm.p50)})` : '';
      return `${name}: on ${formatPercent(o.survives.share)} of paths the firm survives and loses a median ${money(o.survives.total_harm.p50)}; ${fails}${anyway}.`;
    });
}

/** Access denied per policy: to targeted and to collateral staff, and the harm per targeted access-day (or why there is none). */
export function accessTable(s: SummaryJson): Table {
  const money = (x: number) => formatMoney(x, s.scenario.currency);
  const days = accessDays;
  return {
    head: ['policy', 'targeted access-days (mean)', 'collateral access-days (mean)', 'harm per targeted access-day'],
    rows: Object.entries(s.policies).map(([name, p]) => {
      const t = p.metrics.targeted_access_days.mean;
      const c = p.metrics.collateral_access_days.mean;
      const per = t > 0 ? money(p.metrics.total_harm.mean / t) : c > 0 ? "none of the firm's staff are targeted: the harm is all collateral" : 'no access denied';
      return [name, days(t), days(c), per];
    }),
  };
}

export const ACCESS_NOTE =
  'Person-days of access denied within the horizon to staff whose effective nationality is of concern (targeted) and to everyone else (collateral): what a control buys, against what it costs this firm.';

/** The caveat of the after-restoration share: it follows the lags, shown at the shortest and longest outage of the cost-of-delay sweep. */
export function afterShareCaveat(s: SummaryJson): string {
  const base = 'The share of lost revenue after access returns is a property of the recovery lags (adaptation, product and market time constants), not evidence in itself: it is large for a short outage and smaller for a long one.';
  const d = s.cost_of_delay;
  if (!d) return base;
  const k = d.durations.findIndex((x) => x > 0);
  const last = d.durations.length - 1;
  const parts = Object.entries(d.policies).flatMap(([name, p]) => {
    const [short, long] = [p.after_share[k], p.after_share[last]];
    return short === null || long === null || k < 0 ? [] : [`${name} ${formatPercent(short)} at ${d.durations[k]} days, ${formatPercent(long)} at ${d.durations[last]}`];
  });
  return parts.length ? `${base} On the cost-of-delay paths: ${parts.join('; ')}.` : base;
}

export const DELAY_NOTE = (d: NonNullable<SummaryJson['cost_of_delay']>) => {
  const unclear = Object.entries(d.policies).filter(([, p]) => p.per_day && p.per_day.mean !== 0 && p.per_day.ci95 && p.per_day.ci95[0] <= 0 && p.per_day.ci95[1] >= 0).map(([n]) => n);
  const more = unclear.length
    ? ` Even on these ${d.paths.toLocaleString('en-US')} paths (the exhibit runs on four times more paths, up to the run's own, until it is clear) the interval of one more day still includes zero for ${unclear.join(', ')}: run accessgap sweep --durations ${Math.max(0, d.median - 1)},${d.median + 1} with more paths to pin it down.`
    : '';
  return `A built-in sweep of the revocation's length on the run's first ${d.paths.toLocaleString('en-US')} paths (the same paths at every length; every other input as drawn; the firm's mitigation decision is the run's, made before it knows how long the outage lasts): mean total harm if access were cut off for each number of days, and what one more day costs at the scenario's median duration (${d.median} days), with the 95% interval of the paired difference.${more} For any input and more points: accessgap sweep.`;
};

/** The cost-of-delay exhibit: mean total harm by days without access, and the cost of one more day. */
export function delayTable(s: SummaryJson): Table | undefined {
  const d = s.cost_of_delay;
  if (!d) return undefined;
  const money = (x: number) => formatMoney(x, s.scenario.currency);
  return {
    head: ['policy', ...d.durations.map((x) => `${x} days`), `one more day at ${d.median} days [95% CI]`],
    rows: Object.entries(d.policies).map(([name, p]) => [name, ...p.harm.map((h) => money(h.mean)), p.per_day ? `${money(p.per_day.mean)}${p.per_day.ci95 ? ` [${money(p.per_day.ci95[0])}, ${money(p.per_day.ci95[1])}]` : ''}` : 'n/a']),
  };
}

/** Every metric: money and counts with mean, se and quantiles; 0/1 metrics as probabilities only. */
export function metricsTable(s: SummaryJson): Table {
  const cur = s.scenario.currency;
  const rows: string[][] = [];
  for (const [name, p] of Object.entries(s.policies)) {
    for (const [m, x] of Object.entries(p.metrics)) {
      if (BINARY_METRICS.includes(m as never)) rows.push([name, m, `${withCi(x, formatPercent)} (probability)`, '', '', '', '']);
      else {
        const f = (v: number | null) => (v === null ? 'n/a' : formatMetric(m, v, cur));
        const q = (v: number, ci: [number, number]) => `${f(v)} [${f(ci[0])}, ${f(ci[1])}]`;
        rows.push([name, m, f(x.mean), f(x.se), q(x.p05, x.p05_ci95), q(x.p50, x.p50_ci95), q(x.p95, x.p95_ci95)]);
      }
    }
  }
  return { head: ['policy', 'metric', 'mean', 'se', 'p05 [95% interval]', 'p50 [95% interval]', 'p95 [95% interval]'], rows };
}

const list = (xs: string[]) => (xs.length ? xs.join(', ') : 'no staff');

/** Who each policy cuts off, phase by phase, and which remedy helps whom under each rule. */
export function coverageList(s: SummaryJson): string[] {
  return Object.entries(s.policies).map(([name, p]) => {
    const phase = (ph: PolicyReport['phases'][number]) => {
      const who = `${list(ph.segments)}${ph.product ? '; the product' : ''}`;
      if (ph.segments.length === 0) return who;
      const remedies = [
        ph.relocation_helps ? `relocation helps ${ph.relocation_helps.length ? ph.relocation_helps.join(', ') : 'nobody'}` : '',
        ph.hiring_helps ? `hiring helps ${ph.hiring_helps.length ? ph.hiring_helps.join(', ') : 'nobody'}` : '',
      ].filter(Boolean);
      return remedies.length ? `${who} (${remedies.join('; ')})` : who;
    };
    const body = p.phases.length === 0 ? 'no staff' : p.phases.length === 1 ? phase(p.phases[0]) : p.phases.map((ph, j) => `phase ${j + 1}: ${phase(ph)}`).join('; then ');
    return `${name}${p.description ? ` (${p.description})` : ''}: ${body}.`;
  });
}

/** The firm's staff as the file gives them, and which compared policies cut each segment off (in any phase). */
export function staffTable(scenario: Scenario, s: SummaryJson): Table {
  return {
    head: ['segment', 'headcount', 'nationality', 'location', 'US person', 'cut off by'],
    rows: scenario.staff.map((seg) => {
      const by = Object.entries(s.policies).filter(([, p]) => p.affected_segments.includes(seg.name)).map(([name]) => name);
      return [seg.name, String(seg.headcount), seg.nationality, seg.location, seg.us_person ? 'yes' : 'no', by.length ? by.join(', ') : 'no compared policy'];
    }),
  };
}

export function assumptionsTable(scenario: Scenario): Table {
  return { head: ['input', 'value or distribution', 'basis'], rows: assumptionRows(scenario).map((r) => [r.key, r.value, r.basis]) };
}

export function provenance(scenario: Scenario, s: SummaryJson): string[] {
  return [
    `Scenario ${s.scenario.name}: ${scenario.file}, sha256 ${s.scenario.sha256} (the folder keeps a copy as run: ${scenarioCopyName(scenario.file)}).`,
    `${plural(s.run.paths, 'path')}, seed ${s.run.seed}, horizon ${plural(s.run.horizon_days, 'day')} and a ${s.run.tail_days.toLocaleString('en-US')}-day tail, discount rate ${formatPercent(s.run.discount_rate)}, engine accessgap ${s.run.version}.`,
    `Reproduce: ${reproduceCommand('run', scenario.file, [], s.run)}. The same file, seed and paths give byte-identical files with any --threads, apart from timing.json and manifest.json (accessgap verify checks them)${s.run.precision ? ` (the precision rule chose ${s.run.paths.toLocaleString('en-US')} paths; --paths ${s.run.paths} without it gives the same numbers)` : ''}.`,
    `Metric quantiles: ${s.run.metric_quantiles}. Series quantiles: ${s.run.series_quantiles}.`,
  ];
}
