/**
 * The run report's "cost of delay" exhibit: a small built-in sweep of the revocation's length (no
 * revocation, and the 10th to 90th percentiles of the scenario's own duration distribution) on a
 * fraction of the run's paths, so every run answers "what does each further day cost". A study
 * like `accessgap sweep`, sharing each path's but-for world across the points.
 */
import type { LoadedScenario } from '../scenario/load.js';
import { drawnValues } from '../sampling/draw.js';
import { curveStatements, pairedStat, type Paired } from '../analysis/sweep.js';
import { runStudy } from './run.js';

export interface CostOfDelay {
  /** Paths of the run it used (the first ones), and the durations, in days. */
  paths: number;
  durations: number[];
  /** The scenario's median duration, where the cost of one more day is read. */
  median: number;
  policies: Record<string, { harm: Paired[]; per_day: Paired | null }>;
}

/** Paths the exhibit uses: a twentieth of the run's, at least 250 (all of a smaller run). */
export const delayPaths = (paths: number) => Math.min(paths, Math.max(250, Math.round(paths / 20)));

/** Durations to run: 0 and the 10th, 25th, 50th, 75th and 90th percentiles of the drawn durations. */
export function delayDurations(loaded: LoadedScenario, seed: number, paths: number): { durations: number[]; median: number } {
  const [xs] = drawnValues(loaded.scenario, loaded.expressions, seed, [loaded.scenario.revocation.duration_days], paths);
  xs.sort();
  const q = (p: number) => xs[Math.min(paths - 1, Math.floor(p * (paths - 1) + 0.5))];
  const median = q(0.5);
  let durations = [...new Set([0, ...[0.1, 0.25, 0.5, 0.75, 0.9].map(q)])].sort((a, b) => a - b);
  // A fixed duration: a quarter, a half and all of it.
  if (durations.length < 3) durations = [...new Set([0, Math.round(median / 4), Math.round(median / 2), median])].sort((a, b) => a - b);
  return { durations, median };
}

/** Runs the exhibit's sweep; undefined when the scenario revokes nothing to sweep (a duration of 0). */
export async function costOfDelay(loaded: LoadedScenario, settings: { seed: number; paths: number; threads: number; signal?: AbortSignal }): Promise<CostOfDelay | undefined> {
  const paths = delayPaths(settings.paths);
  const { durations, median } = delayDurations(loaded, settings.seed, paths);
  if (durations.length < 2) return undefined;
  const id = loaded.scenario.revocation.duration_days;
  const study = await runStudy(
    loaded,
    durations.map((d) => new Map([[id, d]])),
    { paths, seed: settings.seed, threads: settings.threads, signal: settings.signal },
  );
  const statements = curveStatements({ key: 'revocation.duration_days', id, points: durations }, study.policies, study.metrics, study.values, median);
  const j = study.metrics.indexOf('total_harm');
  return {
    paths,
    durations,
    median,
    policies: Object.fromEntries(
      study.policies.map((policy, i) => [policy, { harm: study.values.map((v) => pairedStat(v[i][j])), per_day: statements[i].perDay }]),
    ),
  };
}
