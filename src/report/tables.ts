/** The report's tables as plain rows of text, rendered as Markdown (summary.md) or HTML (report.html). */
import type { Scenario } from '../scenario/types.js';
import { METRICS, MONEY_METRICS } from '../model/metrics.js';
import { assumptionRows } from './assumptions.js';
import { formatMoney, formatPercent } from './format.js';
import type { SummaryJson } from './summary.js';
import type { Summary } from '../stats/summary.js';

export interface Table {
  head: string[];
  rows: string[][];
}

const isShare = (m: string) => m === 'after_restoration_share' || m === 'insolvent' || m === 'attributable_insolvency';

export function formatMetric(metric: string, x: number, currency: string): string {
  if (MONEY_METRICS.includes(metric as never)) return formatMoney(x, currency);
  if (isShare(metric)) return formatPercent(x);
  return x.toLocaleString('en-US', { maximumFractionDigits: 1 });
}

/** `mean [ci95 low, ci95 high]`, each formatted by f. */
export const withCi = (x: Summary, f: (v: number) => string) => `${f(x.mean)} [${x.ci95 ? `${f(x.ci95[0])}, ${f(x.ci95[1])}` : 'n/a'}]`;

export function resultsTable(s: SummaryJson): Table {
  const cur = s.scenario.currency;
  const money = (x: number) => formatMoney(x, cur);
  return {
    head: ['policy', 'total harm (PV)', '90% of paths', 'PV lost profit', 'P(insolvent)', 'P(insolvent, attributable)', 'lost revenue after restoration'],
    rows: Object.entries(s.policies).map(([name, p]) => {
      const m = p.metrics;
      return [name, withCi(m.total_harm, money), `${money(m.total_harm.p05)} to ${money(m.total_harm.p95)}`, withCi(m.pv_lost_profit, money), withCi(m.insolvent, formatPercent), withCi(m.attributable_insolvency, formatPercent), withCi(m.after_restoration_share, formatPercent)];
    }),
  };
}

export function metricsTable(s: SummaryJson): Table {
  const cur = s.scenario.currency;
  const rows: string[][] = [];
  for (const [name, p] of Object.entries(s.policies)) {
    for (const m of METRICS) {
      const x = p.metrics[m];
      rows.push([name, m, ...[x.mean, x.se, x.p05, x.p50, x.p95].map((v) => (v === null ? 'n/a' : formatMetric(m, v, cur)))]);
    }
  }
  return { head: ['policy', 'metric', 'mean', 'se', 'p05', 'p50', 'p95'], rows };
}

export function coverageList(s: SummaryJson): string[] {
  return Object.entries(s.policies).map(([name, p]) => `${name}${p.description ? ` (${p.description})` : ''}: ${p.affected_segments.length ? p.affected_segments.join(', ') : 'no staff'}${p.product_affected ? '; the product' : ''}.`);
}

export function assumptionsTable(scenario: Scenario): Table {
  return { head: ['input', 'value or distribution', 'basis'], rows: assumptionRows(scenario).map((r) => [r.key, r.value, r.basis]) };
}

export function provenance(scenario: Scenario, s: SummaryJson): string[] {
  return [
    `Scenario ${s.scenario.name}: ${scenario.file}, sha256 ${s.scenario.sha256}.`,
    `${s.run.paths.toLocaleString('en-US')} paths, seed ${s.run.seed}, horizon ${s.run.horizon_days} days, discount rate ${formatPercent(s.run.discount_rate)}, engine accessgap ${s.run.version}.`,
    `Reproduce: npx accessgap run ${scenario.file} --paths ${s.run.paths} --seed ${s.run.seed}. The same file, seed and paths give byte-identical summary.json (apart from run.timing), metrics.csv and series.csv with any --threads.`,
    `Metric quantiles: ${s.run.metric_quantiles}. Series quantiles: ${s.run.series_quantiles}.`,
  ];
}
