/**
 * The injunction exhibit (study/restore.ts) reduced to what its tables print: per policy, the
 * harm under the duration conditioned on the facts at filing, and for each restore date the harm
 * if access returns then, the harm that avoids against the baseline (paired path by path), its
 * parts and the probability of insolvency because of the policy.
 */
import { HARM_PARTS, type Metric } from '../model/metrics.js';
import type { RestoreStudy } from '../study/restore.js';
import { wilson95 } from '../stats/summary.js';
import { pairedStat, pathDifference, type Paired } from './sweep.js';
import { addMonths } from '../format.js';

export interface RestoreWorld {
  harm: Paired;
  parts: Record<string, Paired>;
  attributable_insolvency: { p: number; ci95: [number, number] };
}

export interface RestoreRow extends RestoreWorld {
  day: number;
  duration: number;
  date: string | null;
  label: string;
  /** Baseline minus this world, per path: what restoring access on this day avoids. */
  avoided: Paired;
  parts_avoided: Record<string, Paired>;
  insolvency_avoided: Paired;
}

export interface RestoreJson {
  paths: number;
  /** Days access had been out at filing (the duration is drawn conditional on lasting longer); null without one. */
  ongoing_after_days: number | null;
  as_of: string | null;
  hearing_date: string | null;
  revocation_date: string | null;
  policies: Record<string, { baseline: RestoreWorld; restore: RestoreRow[]; year_later?: YearLater }>;
}

/** With a hearing date: the injunction on it against a ruling a year later, paired path by path. */
export interface YearLater {
  hearing: string;
  ruling: string;
  /** Harm with access restored a year after the hearing minus harm with it restored on the hearing date. */
  cost: Paired;
}


export function restoreJson(r: RestoreStudy): RestoreJson {
  const { study, plan } = r;
  const m = (name: Metric) => study.metrics.indexOf(name);
  const [harm, insolvent] = [m('total_harm'), m('attributable_insolvency')];
  const world = (v: number, i: number): RestoreWorld => {
    const x = study.values[v][i];
    const p = pairedStat(x[insolvent]).mean;
    return {
      harm: pairedStat(x[harm]),
      parts: Object.fromEntries(HARM_PARTS.map((part) => [part, pairedStat(x[m(part)])])),
      attributable_insolvency: { p, ci95: wilson95(p, x[insolvent].length) },
    };
  };
  const avoided = (v: number, i: number, metric: number) => pairedStat(pathDifference(study.values[v][i][metric], study.values[0][i][metric]));
  // Variant of a restore date (point k is variant k + 1).
  const variantOn = (date: string | undefined) => (date === undefined ? -1 : plan.points.findIndex((p) => p.date === date) + 1);
  const [hearing, ruling] = [variantOn(plan.hearing), variantOn(plan.hearing && addMonths(plan.hearing, 12))];
  const yearLater = (i: number): { year_later?: YearLater } =>
    hearing > 0 && ruling > 0 ? { year_later: { hearing: plan.hearing!, ruling: addMonths(plan.hearing!, 12), cost: pairedStat(pathDifference(study.values[hearing][i][harm], study.values[ruling][i][harm])) } } : {};
  return {
    paths: r.paths,
    ongoing_after_days: plan.ongoing ?? null,
    as_of: plan.asOf ?? null,
    hearing_date: plan.hearing ?? null,
    revocation_date: plan.calendar?.date ?? null,
    policies: Object.fromEntries(
      study.policies.map((policy, i) => [
        policy,
        {
          baseline: world(0, i),
          restore: plan.points.map((pt, k) => ({
            day: pt.day,
            duration: pt.duration,
            date: pt.date ?? null,
            label: pt.label,
            ...world(k + 1, i),
            avoided: avoided(k + 1, i, harm),
            parts_avoided: Object.fromEntries(HARM_PARTS.map((part) => [part, avoided(k + 1, i, m(part))])),
            insolvency_avoided: avoided(k + 1, i, insolvent),
          })),
          ...yearLater(i),
        },
      ]),
    ),
  };
}

