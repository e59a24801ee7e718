/**
 * A study: many runs of one scenario on the same paths, each a **variant** that fixes some inputs
 * at constants (a sweep's point; later a tornado's low or high value, a Sobol matrix row). Every
 * variant draws every other input from the same uniforms on every path, so differences between
 * variants are paired path by path.
 *
 *   variants -> world-level only? -> one engine pass, the variants' policy worlds side by side,
 *                                    sharing one but-for world per path
 *            -> otherwise         -> one engine pass per variant (same seed, same paths)
 *            -> per variant, policy and metric: the per-path values (the analysis reduces them)
 *
 * World-level inputs are those the but-for world never reads: the revocation's length, licence
 * processing times, phase lengths and mitigation inputs (when no derived input reads them).
 */
import type { LoadedScenario } from '../scenario/load.js';
import type { InputDef } from '../scenario/types.js';
import { runSimulation } from '../engine/run.js';
import type { Metric } from '../model/metrics.js';

/** Inputs fixed at constants: InputRef -> value. */
export type Variant = Map<number, number>;

export interface StudyOptions {
  paths: number;
  seed: number;
  threads: number;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export interface StudyResult {
  /** Compared policies, in run order. */
  policies: string[];
  metrics: readonly Metric[];
  /** values[variant][policy][metric]: per-path values, in path order. */
  values: Float64Array[][][];
  /** Per variant, per path: the but-for world's insolvency day (-1: never). */
  butforInsolvencyDay: Float64Array[];
  /** How it ran: one pass sharing the but-for world, or one pass per variant. */
  passes: number;
  sharedButfor: boolean;
  simulateSeconds: number;
}

/** Whether fixing this input leaves the but-for world unchanged on every path. */
export function isWorldLevel(loaded: LoadedScenario, def: InputDef): boolean {
  const key = def.key;
  const worldKey = key === 'revocation.duration_days' || key.startsWith('mitigation.') || (key.startsWith('policies.') && (key.includes('.license.') || key.includes('.phases[')));
  if (!worldKey) return false;
  // A derived input that reads it (only section.key names can be read) may reach the but-for world.
  return !def.name || !loaded.scenario.inputs.some((d) => d.value.kind === 'expr' && d.value.expr.names.includes(def.name!));
}

/** Runs every variant on the same paths and returns their per-path metric values. */
export async function runStudy(loaded: LoadedScenario, variants: Variant[], options: StudyOptions): Promise<StudyResult> {
  const inputs = loaded.scenario.inputs;
  const shared = variants.every((v) => [...v.keys()].every((id) => isWorldLevel(loaded, inputs[id])));
  const settings = { paths: options.paths, seed: options.seed, threads: options.threads, signal: options.signal };
  const started = performance.now();
  if (shared) {
    const result = await runSimulation(loaded, {
      ...settings,
      onProgress: options.onProgress,
      study: { variants: variants.map((v) => [...v]), lastDayOnly: true },
    });
    const nPol = result.plan.policies.length / variants.length;
    return {
      policies: result.plan.policies.slice(0, nPol).map((p) => p.name),
      metrics: result.plan.metrics,
      values: variants.map((_, v) => Array.from({ length: nPol }, (_, i) => result.metrics[v * nPol + i])),
      butforInsolvencyDay: variants.map(() => result.butforInsolvencyDay),
      passes: 1,
      sharedButfor: true,
      simulateSeconds: (performance.now() - started) / 1000,
    };
  }
  const out: StudyResult = { policies: [], metrics: [], values: [], butforInsolvencyDay: [], passes: variants.length, sharedButfor: false, simulateSeconds: 0 };
  for (const [v, variant] of variants.entries()) {
    const result = await runSimulation(loaded, {
      ...settings,
      onProgress: (done, total) => options.onProgress?.(v * total + done, variants.length * total),
      study: { pathOverrides: [...variant], lastDayOnly: true },
    });
    out.policies = result.plan.policies.map((p) => p.name);
    out.metrics = result.plan.metrics;
    out.values.push(result.metrics);
    out.butforInsolvencyDay.push(result.butforInsolvencyDay);
  }
  out.simulateSeconds = (performance.now() - started) / 1000;
  return out;
}
