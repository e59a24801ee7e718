/**
 * One path through the reference day loop: its drawn inputs, the but-for world and each compared
 * policy's world, day by day, and their metrics. For inspecting a path (accessgap trace), the
 * worked examples of docs/model.md, and checking the engine's lockstep kernel against the reference.
 */
import type { LoadedScenario } from '../scenario/load.js';
import type { Scenario } from '../scenario/types.js';
import { makeInputDrawer } from '../sampling/draw.js';
import { computeMetrics, metricsOf, type Metric } from './metrics.js';
import { pathWindow, resolvePolicies, type ResolvedPolicy } from './policies.js';
import {
  BUTFOR,
  fillButforRevenue,
  fillFallbackGap,
  fillWorldPath,
  layoutWorld,
  makeTrace,
  makeWorldPath,
  readPathInputs,
  simulateWorld,
  type PathInputs,
  type Trace,
  type WorldLayout,
  type WorldPath,
} from './world.js';

export interface PathWorld {
  layout: WorldLayout;
  /** The world on this path: Deff, lanes' weights, mitigation. */
  world: WorldPath;
  /** The licence was approved on this path (undefined: the policy has no licence). */
  licenceApproved?: boolean;
  trace: Trace;
  /** Its metrics, in `metrics` order. */
  values: Float64Array;
}

export interface PathResult {
  /** Drawn and derived inputs by InputRef. */
  values: Float64Array;
  inputs: PathInputs;
  butfor: Trace;
  worlds: PathWorld[];
  metrics: readonly Metric[];
}

/** The discount factors df(t) = (1+r)^(-t/365), t = 0 ... T+U. */
export function discountFactors(s: Scenario): Float64Array {
  const { horizon_days: T, tail_days: U, discount_rate: r } = s.simulation;
  const df = new Float64Array(T + U + 1);
  for (let t = 0; t <= T + U; t++) df[t] = (1 + r) ** (-t / 365);
  return df;
}

/** The phase lengths a policy's world reads on a path (every phase but the last). */
export const phaseDaysOf = (layout: WorldLayout, values: Float64Array): number[] => layout.policy.policy.phases.slice(0, -1).map((ph) => values[ph.days!]);

/**
 * Simulates every world of path `path` of a run with `seed` (throws PathError like a run would):
 * the compared policies as laid out by default (mitigating with every remedy that helps, as with
 * decision: always), or the worlds given (a run's plan entries).
 */
export function simulatePath(loaded: LoadedScenario, seed: number, path: number, given?: { policy: ResolvedPolicy; layout: WorldLayout }[]): PathResult {
  const s = loaded.scenario;
  const { horizon_days: T, tail_days: U } = s.simulation;
  const metrics = metricsOf(s.mitigation !== undefined);
  const drawer = makeInputDrawer(s, loaded.expressions, seed);
  const values = new Float64Array(s.inputs.length);
  const approvalU = drawer.draw(path, values);
  const inputs = readPathInputs(s, values);
  const discount = discountFactors(s);
  const ctx = { T, U, butforRevenue: new Float64Array(T + U), fallbackGap: new Float64Array(T + U), discount, financingU: drawer.financing(path) };
  fillButforRevenue(inputs, ctx.butforRevenue);
  fillFallbackGap(inputs, ctx.fallbackGap);
  const butfor = makeTrace(T);
  simulateWorld(inputs, BUTFOR, makeWorldPath(0, 1), ctx, butfor);
  const worlds = (given ?? resolvePolicies(s).map((policy) => ({ policy, layout: layoutWorld(s, policy) }))).map(({ policy, layout }) => {
    const lic = policy.policy.license;
    const window = pathWindow(policy, inputs.t0, inputs.D, approvalU, lic ? values[lic.processing_days] : 0, phaseDaysOf(layout, values));
    const world = makeWorldPath(layout.lanes.length, policy.policy.phases.length);
    fillWorldPath(layout, inputs, window, T, world);
    const trace = makeTrace(T, layout.lanes.length);
    simulateWorld(inputs, layout, world, ctx, trace);
    const out = new Float64Array(metrics.length);
    computeMetrics(butfor, trace, world, { T, t0: inputs.t0, discount, V: inputs.V, m: inputs.m, pi: inputs.pi, C0: inputs.C0, withMitigation: s.mitigation !== undefined }, out, 0);
    return { layout, world, licenceApproved: lic ? approvalU < lic.approval_probability : undefined, trace, values: out };
  });
  return { values, inputs, butfor, worlds, metrics };
}
