/**
 * Running to a stated precision: how many whole blocks of paths a run needs before, for every
 * compared policy whose mean total harm is not zero, the 95% half-width of that mean is at most
 * `relative` times the mean (and, with `absolute`, the half-width of each probability of
 * insolvency at most that many points). The decision is taken block by block in block order on
 * per-path values that do not depend on how many paths a run has or on its threads, so the
 * stopping point, and the run of that many paths that follows, never depend on --threads.
 *
 *   pilot runs of 8, 16, 32 ... blocks (metrics only) -> the first block count meeting the rule
 *   -> the caller runs exactly that many paths
 */
import type { LoadedScenario } from '../scenario/load.js';
import { runSimulation } from '../engine/run.js';
import { BLOCK_PATHS } from '../engine/kernel.js';
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

/** The first prefix of whole blocks (in block order) at which the rule holds, or undefined. */
export function firstBlocksMeeting(harm: Float64Array[], insolvent: Float64Array[], rule: PrecisionRule, blocks: number): { blocks: number; worst: number } | undefined {
  const n = harm.length;
  const sum = new Float64Array(n);
  const sum2 = new Float64Array(n);
  const ins = new Float64Array(n);
  for (let b = 0; b < blocks; b++) {
    const [from, to] = [b * BLOCK_PATHS, Math.min((b + 1) * BLOCK_PATHS, harm[0].length)];
    for (let i = 0; i < n; i++) {
      for (let k = from; k < to; k++) {
        sum[i] += harm[i][k];
        sum2[i] += harm[i][k] * harm[i][k];
        ins[i] += insolvent[i][k];
      }
    }
    const m = to;
    if (m < 2) continue;
    let ok = true;
    let worst = 0;
    for (let i = 0; i < n && ok; i++) {
      const mean = sum[i] / m;
      if (mean !== 0) {
        const variance = Math.max(0, (sum2[i] - m * mean * mean) / (m - 1));
        const rel = (Z975 * Math.sqrt(variance / m)) / Math.abs(mean);
        worst = Math.max(worst, rel);
        if (rel > rule.relative) ok = false;
      }
      if (ok && rule.absolute !== undefined) {
        const p = ins[i] / m;
        if (Z975 * Math.sqrt((p * (1 - p)) / m) > rule.absolute) ok = false;
      }
    }
    if (ok) return { blocks: b + 1, worst };
  }
  return undefined;
}

/** The largest relative 95% half-width of mean total harm over the policies whose mean is not zero. */
function worstRelative(harm: Float64Array[]): number {
  let worst = 0;
  for (const x of harm) {
    const m = x.length;
    let sum = 0;
    let sum2 = 0;
    for (const v of x) {
      sum += v;
      sum2 += v * v;
    }
    const mean = sum / m;
    if (mean !== 0 && m > 1) worst = Math.max(worst, (Z975 * Math.sqrt(Math.max(0, (sum2 - m * mean * mean) / (m - 1)) / m)) / Math.abs(mean));
  }
  return worst;
}

/** Finds how many paths a run needs to meet the rule (pilot runs that keep only the metrics). */
export async function pathsForPrecision(loaded: LoadedScenario, rule: PrecisionRule, settings: { seed: number; threads: number; signal?: AbortSignal; onProgress?: (done: number, total: number) => void }): Promise<PrecisionOutcome> {
  const maxBlocks = Math.ceil(rule.maxPaths / BLOCK_PATHS);
  let pilot = 0;
  for (let blocks = Math.min(8, maxBlocks); ; blocks = Math.min(2 * blocks, maxBlocks)) {
    const paths = Math.min(blocks * BLOCK_PATHS, rule.maxPaths);
    const result = await runSimulation(loaded, { paths, seed: settings.seed, threads: settings.threads, signal: settings.signal, onProgress: settings.onProgress, study: { lastDayOnly: true } });
    pilot += paths;
    const m = result.plan.metrics;
    const harm = result.metrics.map((perMetric) => perMetric[m.indexOf('total_harm')]);
    const insolvent = result.metrics.map((perMetric) => perMetric[m.indexOf('insolvent')]);
    const hit = firstBlocksMeeting(harm, insolvent, rule, blocks);
    const describe = `until the 95% half-width of every compared policy's mean total harm is at most ${rule.relative * 100}% of the mean${rule.absolute !== undefined ? ` and that of each insolvency probability at most ${rule.absolute * 100} points` : ''}, in whole blocks of ${BLOCK_PATHS} paths, at most ${rule.maxPaths.toLocaleString('en-US')} paths`;
    if (hit) return { rule: describe, paths: Math.min(hit.blocks * BLOCK_PATHS, rule.maxPaths), reason: 'target met', pilot_paths: pilot, achieved_relative: hit.worst };
    if (blocks >= maxBlocks) return { rule: describe, paths: rule.maxPaths, reason: 'max paths reached', pilot_paths: pilot, achieved_relative: worstRelative(harm) };
  }
}
