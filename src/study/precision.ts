/**
 * Running to a stated precision: how many whole blocks of paths a run needs before, for every
 * compared policy whose mean total harm is not zero, the 95% half-width of that mean is at most
 * `relative` times the mean (and, with `absolute`, the half-width of each probability of
 * insolvency at most that many points). The decision is taken block by block in block order on
 * per-path values that do not depend on how many paths a run has or on its threads, so the
 * stopping point, and the run of that many paths that follows, never depend on --threads.
 *
 *   pilot runs of 8, 16, 32 ... blocks (metrics only; study/passes.ts) -> the first block count
 *   meeting the rule (here) -> the caller runs exactly that many paths
 */
import { BLOCK_PATHS } from '../engine/kernel.js';
import { addValues, combineMoments, emptyMoments, seOf, type Moments } from '../stats/moments.js';
import { Z975 } from '../stats/summary.js';

export interface PrecisionRule {
  /** Target 95% half-width of mean total harm, as a share of the mean. */
  relative: number;
  /** Target 95% half-width of the insolvency probability, in absolute points (0.01 = 1 point). */
  absolute?: number;
  maxPaths: number;
}

/** Where a policy stands against the rule at the stopping point. */
export interface PrecisionAchieved {
  /** 95% half-width of mean total harm as a share of the mean; null where the mean is 0 (no relative target). */
  relative: number | null;
  relative_met: boolean;
  /** With an absolute target: the 95% half-width of the insolvency probability, in points (0.01 = 1 point). */
  insolvency?: number;
  insolvency_met?: boolean;
}

export interface PrecisionOutcome {
  rule: string;
  /** The rule as numbers: what the flags (or simulation.precision) asked for. */
  target: { relative: number; absolute?: number; max_paths: number };
  paths: number;
  reason: 'target met' | 'max paths reached';
  /** Paths the pilot runs simulated to find the stopping point. */
  pilot_paths: number;
  /** The worst relative half-width of mean total harm at the stopping point. */
  achieved_relative: number;
  /** Per compared policy, at the stopping point: what was achieved and whether it meets the target. */
  policies: Record<string, PrecisionAchieved>;
}

/** Each policy's standing, the worst relative half-width, and whether every target holds, on the moments so far. */
function check(harm: Moments[], insolvent: Float64Array, rule: PrecisionRule): { ok: boolean; worst: number; achieved: PrecisionAchieved[] } {
  let worst = 0;
  const achieved = harm.map((m, i): PrecisionAchieved => {
    const se = seOf(m);
    const relative = m.mean !== 0 && se !== null ? (Z975 * se) / Math.abs(m.mean) : null;
    if (relative !== null) worst = Math.max(worst, relative);
    const a: PrecisionAchieved = { relative, relative_met: relative === null || relative <= rule.relative };
    if (rule.absolute !== undefined) {
      const p = insolvent[i] / m.n;
      a.insolvency = Z975 * Math.sqrt((p * (1 - p)) / m.n);
      a.insolvency_met = a.insolvency <= rule.absolute;
    }
    return a;
  });
  return { ok: achieved.every((a) => a.relative_met && a.insolvency_met !== false), worst, achieved };
}

/**
 * The first prefix of whole blocks (in block order) at which the rule holds, or, when none does,
 * where every block has been read (`met` false). Each block's moments are merged into the
 * prefix's (stats/moments.ts), so the half-width the rule reads is the standard error a summary of
 * those paths prints.
 */
export function firstBlocksMeeting(harm: Float64Array[], insolvent: Float64Array[], rule: PrecisionRule, blocks: number): { blocks: number; met: boolean; worst: number; achieved: PrecisionAchieved[] } {
  let moments = harm.map(() => emptyMoments());
  const events = new Float64Array(harm.length);
  let last = { ok: false, worst: 0, achieved: [] as PrecisionAchieved[] };
  for (let b = 0; b < blocks; b++) {
    const [from, to] = [b * BLOCK_PATHS, Math.min((b + 1) * BLOCK_PATHS, harm[0].length)];
    moments = moments.map((m, i) => combineMoments(m, addValues(emptyMoments(), harm[i], from, to)));
    for (let i = 0; i < harm.length; i++) for (let k = from; k < to; k++) events[i] += insolvent[i][k];
    if (to < 2) continue;
    last = check(moments, events, rule);
    if (last.ok) return { blocks: b + 1, met: true, worst: last.worst, achieved: last.achieved };
  }
  return { blocks, met: false, worst: last.worst, achieved: last.achieved };
}

/** The outcome in words when the run stopped short of its target (a warning, printed and in the report); none otherwise. */
export function precisionWarnings(o: PrecisionOutcome | undefined): string[] {
  if (o?.reason !== 'max paths reached') return [];
  const pct = (x: number) => `${Number((x * 100).toPrecision(2))}%`;
  const short = Object.entries(o.policies).flatMap(([name, a]) => [
    ...(a.relative_met ? [] : [`${name} ${pct(a.relative ?? 0)}`]),
    ...(a.insolvency_met === false ? [`${name}'s insolvency probability ${Number(((a.insolvency ?? 0) * 100).toPrecision(2))} points`] : []),
  ]);
  const target = `${pct(o.target.relative)} of the mean${o.target.absolute !== undefined ? ` (and ${o.target.absolute * 100} points for insolvency)` : ''}`;
  return [`The precision target was not met: the run stopped at the most paths allowed (${o.paths.toLocaleString('en-US')}) with 95% half-widths of ${short.join(', ')} against a target of ${target}. Raise --max-paths (or --paths) to meet it.`];
}

/** The rule in words, for the report. */
export const describeRule = (rule: PrecisionRule): string =>
  `until the 95% half-width of every compared policy's mean total harm is at most ${rule.relative * 100}% of the mean${rule.absolute !== undefined ? ` and that of each insolvency probability at most ${rule.absolute * 100} points` : ''}, in whole blocks of ${BLOCK_PATHS} paths, at most ${rule.maxPaths.toLocaleString('en-US')} paths`;
