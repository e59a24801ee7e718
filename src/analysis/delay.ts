/**
 * The run report's cost-of-delay exhibit from its duration sweep (study/delay.ts): per policy, the
 * mean total harm at each duration and what one more day costs at the scenario's median duration,
 * paired path by path.
 */
import type { DelaySweep } from '../study/delay.js';
import { curveStatements, pairedStat, type Paired } from './sweep.js';

export interface CostOfDelay {
  /** Paths of the run it used (the first ones), and the durations, in days. */
  paths: number;
  durations: number[];
  /** The scenario's median duration, where the cost of one more day is read. */
  median: number;
  /** Per policy: mean total harm at each duration, one more day at the median, and the share of lost revenue after access returns at each duration (ratio of means; null without lost revenue). */
  policies: Record<string, { harm: Paired[]; per_day: Paired | null; after_share: (number | null)[] }>;
}

/** Whether every policy's cost of one more day has an interval that excludes zero (or is exactly zero: it cuts nobody off). */
export const oneMoreDayIsClear = (sweep: DelaySweep): boolean =>
  Object.values(costOfDelay(sweep).policies).every((p) => !p.per_day || p.per_day.mean === 0 || !p.per_day.ci95 || p.per_day.ci95[0] > 0 || p.per_day.ci95[1] < 0);

export function costOfDelay(sweep: DelaySweep): CostOfDelay {
  const { id, durations, median, paths, study } = sweep;
  const statements = curveStatements({ key: 'revocation.duration_days', id, points: durations }, study.policies, study.metrics, study.values, median);
  const j = study.metrics.indexOf('total_harm');
  const [lr, lra] = [study.metrics.indexOf('lost_revenue'), study.metrics.indexOf('lost_revenue_after_restoration')];
  const mean = (x: Float64Array) => x.reduce((a, b) => a + b, 0) / x.length;
  const afterShare = (v: Float64Array[][], i: number) => {
    const lost = mean(v[i][lr]);
    return lost > 0 ? mean(v[i][lra]) / lost : null;
  };
  return {
    paths,
    durations,
    median,
    policies: Object.fromEntries(study.policies.map((policy, i) => [policy, { harm: study.values.map((v) => pairedStat(v[i][j])), per_day: statements[i].perDay, after_share: study.values.map((v) => afterShare(v, i)) }])),
  };
}
