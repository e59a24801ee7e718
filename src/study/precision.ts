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

export interface PrecisionOutcome {
  rule: string;
  paths: number;
  reason: 'target met' | 'max paths reached';
  /** Paths the pilot runs simulated to find the stopping point. */
  pilot_paths: number;
  /** The worst relative half-width of mean total harm at the stopping point. */
  achieved_relative: number;
}

/** The worst relative half-width over the policies, and whether every target holds, on the moments so far. */
function check(harm: Moments[], insolvent: Float64Array, rule: PrecisionRule): { ok: boolean; worst: number } {
  let ok = true;
  let worst = 0;
  harm.forEach((m, i) => {
    const se = seOf(m);
    if (m.mean !== 0 && se !== null) {
      const rel = (Z975 * se) / Math.abs(m.mean);
      worst = Math.max(worst, rel);
      if (rel > rule.relative) ok = false;
    }
    if (rule.absolute !== undefined) {
      const p = insolvent[i] / m.n;
      if (Z975 * Math.sqrt((p * (1 - p)) / m.n) > rule.absolute) ok = false;
    }
  });
  return { ok, worst };
}

/**
 * The first prefix of whole blocks (in block order) at which the rule holds, or undefined. Each
 * block's moments are merged into the prefix's (stats/moments.ts), so the half-width the rule
 * reads is the standard error a summary of those paths prints.
 */
export function firstBlocksMeeting(harm: Float64Array[], insolvent: Float64Array[], rule: PrecisionRule, blocks: number): { blocks: number; worst: number } | undefined {
  let moments = harm.map(() => emptyMoments());
  const events = new Float64Array(harm.length);
  for (let b = 0; b < blocks; b++) {
    const [from, to] = [b * BLOCK_PATHS, Math.min((b + 1) * BLOCK_PATHS, harm[0].length)];
    moments = moments.map((m, i) => combineMoments(m, addValues(emptyMoments(), harm[i], from, to)));
    for (let i = 0; i < harm.length; i++) for (let k = from; k < to; k++) events[i] += insolvent[i][k];
    if (to < 2) continue;
    const { ok, worst } = check(moments, events, rule);
    if (ok) return { blocks: b + 1, worst };
  }
  return undefined;
}

/** The largest relative 95% half-width of mean total harm over the policies whose mean is not zero. */
export function worstRelative(harm: Float64Array[]): number {
  return check(
    harm.map((x) => addValues(emptyMoments(), x)),
    new Float64Array(harm.length),
    { relative: Infinity, maxPaths: 0 },
  ).worst;
}

/** The rule in words, for the report. */
export const describeRule = (rule: PrecisionRule): string =>
  `until the 95% half-width of every compared policy's mean total harm is at most ${rule.relative * 100}% of the mean${rule.absolute !== undefined ? ` and that of each insolvency probability at most ${rule.absolute * 100} points` : ''}, in whole blocks of ${BLOCK_PATHS} paths, at most ${rule.maxPaths.toLocaleString('en-US')} paths`;
