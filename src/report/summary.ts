/**
 * A run's tidy files: metrics.csv and series.csv (MODEL.md section 7), from the analysis.
 */
import type { SeriesRow, SummaryJson } from '../analysis/run.js';
import { csvNumber } from '../format.js';


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

/** series.csv: policy,day,variable,mean,p05,p25,p50,p75,p95 (policy "butfor" for the but-for world). */
export function seriesCsv(rows: SeriesRow[]): string {
  const lines = ['policy,day,variable,mean,p05,p25,p50,p75,p95'];
  for (const r of rows) lines.push([r.policy, r.day, r.variable, r.mean, r.p05, r.p25, r.p50, r.p75, r.p95].join(','));
  return lines.join('\n') + '\n';
}
