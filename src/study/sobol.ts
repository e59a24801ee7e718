/**
 * Saltelli's sampling scheme on the engine: N paths at matrix A (each path's own input stream), at
 * B (its second, independent stream) and at AB_i (A with factor i's uniforms from B), so
 * (k + 2) passes of N paths for k factors. A factor is an uncertain input's uniform slot (the
 * licence processing times, which share one slot, are one factor). The licence approval and
 * financing uniforms are the path's own in every matrix: they are not inputs.
 */
import type { LoadedScenario } from '../scenario/load.js';
import { runPasses } from './passes.js';
import type { Metric } from '../model/metrics.js';
import type { StudyOptions } from './run.js';

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

export async function runSaltelli(loaded: LoadedScenario, factors: SobolFactor[], options: StudyOptions): Promise<SaltelliRuns> {
  const sources = [undefined, { fromSecond: 'all' as const }, ...factors.map((f) => ({ fromSecond: [f.slot] }))];
  const { results, simulateSeconds } = await runPasses(
    loaded,
    sources.map((uniforms) => ({ study: { uniforms, lastDayOnly: true } })),
    options,
  );
  return {
    policies: results[0].plan.policies.map((p) => p.name),
    metrics: results[0].plan.metrics,
    A: results[0].metrics,
    B: results[1].metrics,
    AB: results.slice(2).map((r) => r.metrics),
    simulateSeconds,
  };
}
