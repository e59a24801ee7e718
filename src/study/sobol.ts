/**
 * Saltelli's sampling scheme on the engine: N paths at matrix A (each path's own input stream), at
 * B (its second, independent stream) and at AB_i (A with factor i's uniforms from B), so
 * (k + 2) passes of N paths for k factors. A factor is an uncertain input's uniform slot (the
 * licence processing times, which share one slot, are one factor). The licence approval and
 * financing uniforms are the path's own in every matrix: they are not inputs.
 */
import type { LoadedScenario } from '../scenario/load.js';
import { runPasses } from './passes.js';
import type { RunResult } from '../engine/run.js';
import type { Metric } from '../model/metrics.js';
import { choicesOf, heldMetrics, isUnknownOnDecisionDay, type StudyOptions } from './run.js';

export interface SobolFactor {
  /** The inputs it moves (one, or the licences' processing times). */
  keys: string[];
  slot: number;
}

/** The factors of a scenario: its uncertain inputs (distributions), grouped by uniform slot. */
export function sobolFactors(loaded: LoadedScenario): SobolFactor[] {
  const bySlot = new Map<number, string[]>();
  for (const d of loaded.scenario.inputs) {
    if (d.value.kind !== 'dist' || d.value.spec.dist === 'constant') continue;
    bySlot.set(d.slot, [...(bySlot.get(d.slot) ?? []), d.key]);
  }
  return [...bySlot].map(([slot, keys]) => ({ slot, keys }));
}

export interface SaltelliRuns {
  policies: string[];
  metrics: readonly Metric[];
  /** [policy][metric] per-path values at A and B; AB[factor][policy][metric]. */
  A: Float64Array[][];
  B: Float64Array[][];
  AB: Float64Array[][][];
  simulateSeconds: number;
}

/**
 * Runs A, then B and every AB_i. With decision: expected, the passes that redraw what the firm
 * cannot know on the decision day (B, and AB_i for such a factor) keep A's decisions (A is the
 * scenario as given); the others decide on their own. The passes hold the per-path values of
 * `metrics` only (the metric the analysis explains).
 */
export async function runSaltelli(loaded: LoadedScenario, factors: SobolFactor[], options: StudyOptions, metrics: readonly Metric[]): Promise<SaltelliRuns> {
  const hides = (keys: string[]) => keys.some((k) => loaded.scenario.inputs.some((d) => d.key === k && isUnknownOnDecisionDay(d)));
  const a = await runPasses(loaded, [{ study: { lastDayOnly: true, keep: metrics } }], { ...options, onProgress: (done, total) => options.onProgress?.(done, total * (factors.length + 2)) });
  const choices = loaded.scenario.mitigation?.decision === 'expected' ? choicesOf(a.results[0]) : undefined;
  const choicesIf = (yes: boolean) => (yes && choices ? { choices } : {});
  const sources = [{ uniforms: { fromSecond: 'all' as const }, ...choicesIf(true) }, ...factors.map((f) => ({ uniforms: { fromSecond: [f.slot] }, ...choicesIf(hides(f.keys)) }))];
  const rest = await runPasses(
    loaded,
    sources.map((study) => ({ study: { ...study, lastDayOnly: true, keep: metrics } })),
    { ...options, onProgress: (done, total) => options.onProgress?.(options.paths + done, options.paths + total) },
  );
  const results = [...a.results, ...rest.results];
  const held = heldMetrics(results[0].plan.metrics, metrics);
  const values = (r: RunResult) => r.metrics.map(held.pick);
  return {
    policies: results[0].plan.policies.map((p) => p.name),
    metrics: held.metrics,
    A: values(results[0]),
    B: values(results[1]),
    AB: results.slice(2).map(values),
    simulateSeconds: a.simulateSeconds + rest.simulateSeconds,
  };
}
