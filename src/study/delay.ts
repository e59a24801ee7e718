/**
 * The run report's "cost of delay" exhibit: a small built-in sweep of the revocation's length (no
 * revocation, and the 10th to 90th percentiles of the scenario's own duration distribution) on a
 * fraction of the run's paths, so every run answers "what does each further day cost". A study
 * like `accessgap sweep`, sharing each path's but-for world across the points; analysis/delay.ts
 * reads it.
 */
import type { LoadedScenario } from '../scenario/load.js';
import type { PassSettings } from './passes.js';
import { drawnValues } from '../sampling/draw.js';
import { runStudy, type StudyResult } from './run.js';
import type { MitigationOption } from '../model/world.js';
import type { Metric } from '../model/metrics.js';

/** Paths the exhibit uses: a twentieth of the run's, at least 250 (all of a smaller run). */
export const delayPaths = (paths: number) => Math.min(paths, Math.max(250, Math.round(paths / 20)));

/** Durations to run: 0, 7 and 14 days and the 10th, 25th, 50th, 75th and 90th percentiles of the drawn durations. */
export function delayDurations(loaded: LoadedScenario, seed: number, paths: number): { durations: number[]; median: number } {
  const [xs] = drawnValues(loaded.scenario, loaded.expressions, seed, [loaded.scenario.revocation.duration_days], paths);
  xs.sort();
  const q = (p: number) => xs[Math.min(paths - 1, Math.floor(p * (paths - 1) + 0.5))];
  const median = q(0.5);
  // A week and two weeks too (the short outages a court asks about), within the drawn range.
  let durations = [...new Set([0, 7, 14, ...[0.1, 0.25, 0.5, 0.75, 0.9].map(q)])].filter((d) => d <= q(0.9)).sort((a, b) => a - b);
  // A fixed duration: a quarter, a half and all of it.
  if (durations.length < 3) durations = [...new Set([0, Math.round(median / 4), Math.round(median / 2), median])].sort((a, b) => a - b);
  return { durations, median };
}

/** The exhibit's durations for a run of `paths`, or undefined when there are fewer than two to sweep (runDelaySweep runs none). */
export function delayPoints(loaded: LoadedScenario, seed: number, paths: number): { durations: number[]; median: number } | undefined {
  const points = delayDurations(loaded, seed, delayPaths(paths));
  return points.durations.length < 2 ? undefined : points;
}

/**
 * The metrics the exhibit reads, in the run's order (analysis/delay.ts: lost revenue with its part
 * after restoration, and total harm): its passes hold only these per path, a sixth or less of every
 * metric's values.
 */
export const DELAY_METRICS: readonly Metric[] = ['lost_revenue', 'lost_revenue_after_restoration', 'total_harm'];

/** The exhibit's sweep: its points and what it ran; undefined when the scenario revokes nothing to sweep (a duration of 0). */
export interface DelaySweep {
  id: number;
  durations: number[];
  median: number;
  paths: number;
  study: StudyResult;
}

/**
 * `choices`: the decisions of the run the exhibit belongs to (the firm cannot know the outage's
 * length when it decides). `enough` (analysis/delay.ts's oneMoreDayIsClear) says whether the
 * exhibit's paths pin down what one more day costs; while it does not, the sweep runs again on
 * four times the paths, up to the run's own.
 */
export async function runDelaySweep(
  loaded: LoadedScenario,
  settings: PassSettings,
  choices?: Record<string, MitigationOption>,
  enough: (sweep: DelaySweep) => boolean = () => true,
): Promise<DelaySweep | undefined> {
  let paths = delayPaths(settings.paths);
  const points = delayPoints(loaded, settings.seed, settings.paths);
  if (!points) return undefined;
  const { durations, median } = points;
  const id = loaded.scenario.revocation.duration_days;
  for (;;) {
    const study = await runStudy(loaded, durations.map((d) => new Map([[id, d]])), { ...settings, paths }, { choices, keep: DELAY_METRICS });
    const sweep = { id, durations, median, paths, study };
    if (paths >= settings.paths || enough(sweep)) return sweep;
    paths = Math.min(settings.paths, 4 * paths);
  }
}
