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
 * World-level inputs are those the but-for world never reads (a fact of the format's fields: the
 * revocation's length, licence processing times, phase lengths and mitigation inputs), when no
 * derived input reads them.
 */
import type { LoadedScenario } from '../scenario/load.js';
import type { InputDef } from '../scenario/types.js';
import { keyFacts, settingField } from '../scenario/spec.js';
import type { Metric } from '../model/metrics.js';
import type { MitigationOption } from '../model/world.js';
import type { RunResult } from '../engine/run.js';
import { runPasses, type Pass, type PassSettings } from './passes.js';

/** Inputs fixed at constants: InputRef -> value; and studied settings: settingRef (negative) -> value. */
export type Variant = Map<number, number>;

export type StudyOptions = PassSettings;

export interface StudyResult {
  /** Compared policies, in run order. */
  policies: string[];
  metrics: readonly Metric[];
  /** values[variant][policy][metric]: per-path values, in path order. */
  values: Float64Array[][][];
  /** Per variant, per path: the but-for world's insolvency day (-1: never) and firm value W_butfor. */
  butforInsolvencyDay: Float64Array[];
  butforValue: Float64Array[];
  /** How it ran: one pass sharing the but-for world, or one pass per variant. */
  passes: number;
  sharedButfor: boolean;
  simulateSeconds: number;
}

/**
 * Whether fixing this input leaves the but-for world unchanged on every path: a world-level key of
 * the format (spec.ts), and no derived input reads it (only section.key names can be read, and
 * one may reach the but-for world).
 */
export function isWorldLevel(loaded: LoadedScenario, def: InputDef): boolean {
  if (!keyFacts(def.key).facts.worldLevel) return false;
  return !def.name || !loaded.scenario.inputs.some((d) => d.value.kind === 'expr' && d.value.expr.names.includes(def.name!));
}

/** What a study is given and reads: decisions already made, and the metrics it reads (default: every one). */
export interface StudyReads {
  choices?: Record<string, MitigationOption>;
  keep?: readonly Metric[];
}

/**
 * The metrics a study reads of a pass's compared policies, in the run's order (those `keep` names,
 * or every one), and a policy's per-metric arrays narrowed to them: the pass holds these per path
 * (Plan.keptMetrics), and its other arrays may be empty.
 */
export function heldMetrics(all: readonly Metric[], keep?: readonly Metric[]): { metrics: Metric[]; pick: (perMetric: Float64Array[]) => Float64Array[] } {
  const at = all.flatMap((m, j) => (!keep || keep.includes(m) ? [j] : []));
  return { metrics: at.map((j) => all[j]), pick: (perMetric) => at.map((j) => perMetric[j]) };
}

/** A variant as a pass's fixed inputs and studied settings. */
function splitVariant(v: Variant): { pathOverrides: [number, number][]; simulation?: Record<string, number> } {
  const settings = [...v].filter(([id]) => id < 0);
  return {
    pathOverrides: [...v].filter(([id]) => id >= 0),
    ...(settings.length ? { simulation: Object.fromEntries(settings.map(([id, x]) => [settingField(id), x])) } : {}),
  };
}

/** Whether fixing this input hides from the firm what it cannot know on the decision day (section 4b). */
export const isUnknownOnDecisionDay = (def: InputDef): boolean => keyFacts(def.key).facts.unknownOnDecisionDay === true;

/** The options the compared policies chose in a run (decision: expected), by name. */
export const choicesOf = (result: RunResult): Record<string, MitigationOption> =>
  Object.fromEntries(result.decisions.filter((d) => d.entry < result.fullPlan.compared).map((d) => [result.fullPlan.policies[d.entry].name, d.chosen]));

/**
 * The decisions of the scenario as given, when a study needs them (decision: expected and some
 * pass fixes or redraws what the firm cannot know on the decision day): one pass of the base.
 */
export async function baseChoices(loaded: LoadedScenario, needed: boolean, options: StudyOptions): Promise<{ choices?: Record<string, MitigationOption>; seconds: number; passes: number }> {
  if (!needed || loaded.scenario.mitigation?.decision !== 'expected') return { seconds: 0, passes: 0 };
  const { results, simulateSeconds } = await runPasses(loaded, [{ study: { lastDayOnly: true } }], options);
  return { choices: choicesOf(results[0]), seconds: simulateSeconds, passes: 1 };
}

/**
 * Runs every variant on the same paths and returns their per-path metric values. Variants that fix
 * only world-level inputs (the empty variant, the base, among them) share one pass and its but-for
 * world; each other variant is a pass of its own on the same seed. With decision: expected, a
 * variant that fixes what the firm cannot know on the decision day (the outage's length, a
 * licence's processing, a phase's days) keeps the decisions of the scenario as given (a pass of
 * the base finds them, unless `choices` gives them); every other variant decides on its own.
 * With `keep`, the passes hold those metrics' per-path values only, and the result has those.
 */
export async function runStudy(loaded: LoadedScenario, variants: Variant[], options: StudyOptions, { choices: given, keep }: StudyReads = {}): Promise<StudyResult> {
  const inputs = loaded.scenario.inputs;
  // A setting (negative ref) changes the but-for world too: a pass of its own.
  const worldLevel = variants.map((v) => [...v.keys()].every((id) => id >= 0 && isWorldLevel(loaded, inputs[id])));
  const hidden = variants.map((v) => [...v.keys()].some((id) => id >= 0 && isUnknownOnDecisionDay(inputs[id])));
  const base = given ? { choices: given, seconds: 0, passes: 0 } : await baseChoices(loaded, hidden.some(Boolean), options);
  const choices = (i: number) => (hidden[i] && base.choices ? { choices: base.choices } : {});
  // Shared passes: the world-level variants that keep the base's decisions, and those that decide.
  const groups = [true, false].map((keeps) => variants.flatMap((v, i) => (worldLevel[i] && (hidden[i] && base.choices !== undefined) === keeps ? [i] : [])));
  const separate = variants.flatMap((v, i) => (worldLevel[i] ? [] : [i]));
  const shared = groups.filter((g) => g.length > 0);
  const passes: Pass[] = [
    ...shared.map((g) => ({ study: { variants: g.map((i) => [...variants[i]]), lastDayOnly: true, ...choices(g[0]), keep } })),
    ...separate.map((i) => ({ study: { ...splitVariant(variants[i]), lastDayOnly: true, ...choices(i), keep } })),
  ];
  const { results, simulateSeconds } = await runPasses(loaded, passes, options);
  const { metrics, pick: held } = heldMetrics(results[0].plan.metrics, keep);
  const out: StudyResult = {
    policies: [],
    metrics,
    values: new Array(variants.length),
    butforInsolvencyDay: new Array(variants.length),
    butforValue: new Array(variants.length),
    passes: passes.length + base.passes,
    sharedButfor: separate.length === 0,
    simulateSeconds: simulateSeconds + base.seconds,
  };
  shared.forEach((g, k) => {
    const result = results[k];
    const nPol = result.plan.policies.length / g.length;
    out.policies = result.plan.policies.slice(0, nPol).map((p) => p.name);
    g.forEach((i, v) => {
      out.values[i] = Array.from({ length: nPol }, (_, j) => held(result.metrics[v * nPol + j]));
      out.butforInsolvencyDay[i] = result.butforInsolvencyDay;
      out.butforValue[i] = result.butforValue;
    });
  });
  separate.forEach((i, k) => {
    const result = results[shared.length + k];
    out.policies = result.plan.policies.map((p) => p.name);
    out.values[i] = result.metrics.map(held);
    out.butforInsolvencyDay[i] = result.butforInsolvencyDay;
    out.butforValue[i] = result.butforValue;
  });
  return out;
}
