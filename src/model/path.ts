/**
 * One path through the reference day loop: its drawn inputs, the but-for world and each compared
 * policy's world, day by day. For inspecting a path (accessgap trace), the worked example of
 * docs/model.md, and checking the engine's lockstep kernel against the reference.
 */
import type { LoadedScenario } from '../scenario/load.js';
import { makeInputDrawer } from '../sampling/draw.js';
import { resolvePolicies, revokedDays, type ResolvedPolicy } from './policies.js';
import { fillButforRevenue, makeTrace, readPathInputs, simulateWorld, type PathInputs, type Trace } from './world.js';

export interface PathWorld {
  policy: ResolvedPolicy;
  /** Deff on this path. */
  revokedDays: number;
  trace: Trace;
}

export interface PathResult {
  /** Drawn and derived inputs by InputRef. */
  values: Float64Array;
  inputs: PathInputs;
  butfor: Trace;
  worlds: PathWorld[];
}

/** Simulates every world of path `path` of a run with `seed` (throws PathError like a run would). */
export function simulatePath(loaded: LoadedScenario, seed: number, path: number): PathResult {
  const s = loaded.scenario;
  const T = s.simulation.horizon_days;
  const drawer = makeInputDrawer(s, loaded.expressions, seed);
  const values = new Float64Array(s.inputs.length);
  const approvalU = drawer.draw(path, values);
  const inputs = readPathInputs(s, values);
  const rbf = new Float64Array(T);
  fillButforRevenue(inputs, rbf);
  const ctx = { T, butforRevenue: rbf, financingU: drawer.financing(path) };
  const butfor = makeTrace(T);
  simulateWorld(inputs, { segments: [], product: false, revokedDays: 0 }, ctx, butfor);
  const worlds = resolvePolicies(s).map((policy) => {
    const ref = policy.policy.license?.processing_days;
    const D = revokedDays(policy, inputs.D, approvalU, ref === undefined ? 0 : values[ref]);
    const trace = makeTrace(T);
    simulateWorld(inputs, { segments: policy.segments, product: policy.product, revokedDays: D }, ctx, trace);
    return { policy, revokedDays: D, trace };
  });
  return { values, inputs, butfor, worlds };
}
