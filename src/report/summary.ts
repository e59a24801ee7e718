/**
 * A run's tidy files (docs/model.md section 7): metrics.csv, series.csv, outcomes.csv and
 * attribution.csv, from the analysis.
 */
import type { SeriesRow, SummaryJson } from '../analysis/run.js';
import type { GroupStats } from '../stats/summary.js';
import { csvNumber } from '../format.js';

const row = (cells: (string | number | null | undefined)[]) => cells.map((v) => (typeof v === 'string' ? v : csvNumber(v))).join(',');
const statsCells = (x: GroupStats) => [x.mean, x.se, x.ci95[0], x.ci95[1], x.p05, x.p50, x.p95];

/** metrics.csv: policy,metric,mean,se,ci95_lo,ci95_hi,min,p05,p25,p50,p75,p95,max and the percentile intervals p05_lo ... p95_hi. */
export function metricsCsv(summary: SummaryJson): string {
  const rows = ['policy,metric,mean,se,ci95_lo,ci95_hi,min,p05,p25,p50,p75,p95,max,p05_lo,p05_hi,p50_lo,p50_hi,p95_lo,p95_hi'];
  for (const [name, p] of Object.entries(summary.policies)) {
    for (const [m, x] of Object.entries(p.metrics)) {
      rows.push(row([name, m, x.mean, x.se, x.ci95?.[0], x.ci95?.[1], x.min, x.p05, x.p25, x.p50, x.p75, x.p95, x.max, ...x.p05_ci95, ...x.p50_ci95, ...x.p95_ci95]));
    }
  }
  return rows.join('\n') + '\n';
}

/** outcomes.csv: policy,outcome,share,metric,mean,se,ci95_lo,ci95_hi,p05,p50,p95 (empty cells where a group has no paths). */
export function outcomesCsv(summary: SummaryJson): string {
  const rows = ['policy,outcome,share,metric,mean,se,ci95_lo,ci95_hi,p05,p50,p95'];
  for (const [name, p] of Object.entries(summary.policies)) {
    for (const [outcome, g] of Object.entries(p.by_outcome)) {
      for (const metric of ['total_harm', 'owner_harm'] as const) rows.push(row([name, outcome, g.share, metric, ...statsCells(g[metric])]));
    }
  }
  return rows.join('\n') + '\n';
}

/** attribution.csv: policy,party,measure,metric,mean,se,ci95_lo,ci95_hi,p05,p50,p95; undefined when no policy is attributed. */
export function attributionCsv(summary: SummaryJson): string | undefined {
  const rows = ['policy,party,measure,metric,mean,se,ci95_lo,ci95_hi,p05,p50,p95'];
  for (const [name, p] of Object.entries(summary.policies)) {
    if (!p.attribution) continue;
    for (const party of p.attribution.parties) {
      for (const measure of ['alone', 'incremental', 'shapley'] as const) {
        for (const [metric, by] of Object.entries(p.attribution.metrics)) rows.push(row([name, party, measure, metric, ...statsCells(by[measure][party])]));
      }
    }
  }
  return rows.length > 1 ? rows.join('\n') + '\n' : undefined;
}

/** series.csv: policy,day,variable,mean,p05,p25,p50,p75,p95 (policy "butfor" for the but-for world). */
export function seriesCsv(rows: SeriesRow[]): string {
  const lines = ['policy,day,variable,mean,p05,p25,p50,p75,p95'];
  for (const r of rows) lines.push([r.policy, r.day, r.variable, r.mean, r.p05, r.p25, r.p50, r.p75, r.p95].join(','));
  return lines.join('\n') + '\n';
}
