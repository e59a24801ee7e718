/**
 * A run's plan: everything about it that follows from the scenario (and a study's fixed inputs and
 * variants) alone: the horizon and tail, discount factors, the compared policies and their
 * worlds' lanes, the stored series days, which worlds alias another, and which lanes share a gap.
 * The same plan is made in every thread from the same data, so every thread simulates alike.
 */
import type { LoadedScenario } from '../scenario/load.js';
import type { UniformSource } from '../sampling/draw.js';
import { metricsOf, type Metric } from '../model/metrics.js';
import { resolvePolicies, type ResolvedPolicy } from '../model/policies.js';
import { discountFactors } from '../model/path.js';
import { layoutWorld, type WorldLayout } from '../model/world.js';
import { SKETCHED } from '../wasm/layout.js';

export interface RunSettings {
  seed: number;
  paths: number;
}

/**
 * Many runs on the same paths (src/study): a run can fix inputs at constants for every world of
 * the pass (`pathOverrides`, which may change the but-for world: each pass is a run of its own on
 * the same seed), and can repeat each compared policy once per variant of world-level inputs
 * (`variants`: the revocation, licence, phase and mitigation inputs, which the but-for world never
 * reads), so that every variant's worlds share one but-for world per path. Plain data, so worker
 * threads get it as it is.
 */
export interface StudySpec {
  /** [InputRef, value] fixed for every world of the pass. */
  pathOverrides?: [number, number][];
  /** Per variant, [InputRef, value] fixed in that variant's policy worlds. */
  variants?: [number, number][][];
  /** Store the series of the last day only (a study reads the metrics, not the fan charts). */
  lastDayOnly?: boolean;
  /** Input uniforms from the second stream (Saltelli's B and AB_i matrices); none: the path's own. */
  uniforms?: UniformSource;
}

/** Everything about a run that follows from the scenario alone. */
export interface Plan {
  T: number;
  /** Tail days U. */
  U: number;
  /** df(t), t = 0 ... T+U. */
  discount: Float64Array;
  policies: ResolvedPolicy[];
  /** Per policy, its world's lanes (model/world.ts). */
  layouts: WorldLayout[];
  /** The metrics of the run, in output order (metricsOf). */
  metrics: readonly Metric[];
  withMitigation: boolean;
  /** Days whose series are stored. */
  seriesDays: Int32Array;
  /** Worlds: 0 = but-for, then the compared policies. */
  worlds: number;
  /** Sketched cells: worlds x SKETCHED x stored days. */
  cells: number;
  /** t0, the first revoked day. */
  revocationStart: number;
  /** Successful financing rounds allowed (0 without financing). */
  maxRounds: number;
  /**
   * Per policy: the world it equals on every path (0 the but-for world, j+1 policy j), or -1.
   * A policy that reaches nobody equals the but-for world; two one-phase policies without
   * licences whose worlds have the same lanes (and mitigate alike) equal each other. Aliased
   * worlds are not simulated.
   */
  aliasOf: number[];
  /**
   * Per simulated policy and lane: [policy, lane] of an earlier lane revoked on the same days on
   * every path, whose gap e and factor 2^(-kappa e) this lane reads instead of computing them, or
   * undefined. Such are the stay lanes that every phase reaches in worlds without a licence: they
   * are revoked on every day of the window, which is D days from t0 on every path.
   */
  laneLead: ([number, number] | undefined)[][];
  /** Per world (policy entry): the variant it belongs to (0 without variants), and each variant's fixed inputs. */
  variantOf: number[];
  variants: Map<number, number>[];
  /** Inputs fixed for every world of the run. */
  pathOverrides: Map<number, number>;
  uniforms?: UniformSource;
}

export function makePlan(loaded: LoadedScenario, study: StudySpec = {}): Plan {
  const s = loaded.scenario;
  const sim = s.simulation;
  const T = sim.horizon_days;
  const days: number[] = [];
  if (study.lastDayOnly) days.push(T - 1);
  else for (let t = 0; t < T; t += sim.series_step_days) days.push(t);
  if (days[days.length - 1] !== T - 1) days.push(T - 1);
  const variants = (study.variants ?? [[]]).map((v) => new Map(v));
  const compared = resolvePolicies(s);
  // Each compared policy once per variant, variant by variant.
  const policies = variants.flatMap(() => compared);
  const variantOf = variants.flatMap((_, v) => compared.map(() => v));
  const layouts = policies.map((p) => layoutWorld(s, p));
  const worlds = policies.length + 1;
  const signature = (i: number) => {
    const p = policies[i];
    if (p.policy.license || p.policy.phases.length > 1) return undefined;
    return JSON.stringify([variantOf[i], layouts[i].lanes, layouts[i].mitigates]);
  };
  const aliasOf = policies.map((p, i) => {
    if (p.tracks.length === 0) return 0;
    const sig = signature(i);
    const j = sig === undefined ? -1 : policies.findIndex((_q, jj) => jj < i && signature(jj) === sig);
    return j >= 0 ? j + 1 : -1;
  });
  const fullWindow = (i: number, j: number) => {
    const lane = layouts[i].lanes[j];
    return aliasOf[i] < 0 && !policies[i].policy.license && lane.kind === 'stay' && lane.maskBefore === policies[i].allPhases;
  };
  // The first full-window lane of each variant leads the others of that variant.
  const first = new Map<number, [number, number]>();
  const laneLead = layouts.map((layout, i) =>
    layout.lanes.map((_lane, j): [number, number] | undefined => {
      if (!fullWindow(i, j)) return undefined;
      const lead = first.get(variantOf[i]);
      if (!lead) {
        first.set(variantOf[i], [i, j]);
        return undefined;
      }
      return lead;
    }),
  );
  return {
    T,
    U: sim.tail_days,
    discount: discountFactors(s),
    policies,
    layouts,
    metrics: metricsOf(s.mitigation !== undefined),
    withMitigation: s.mitigation !== undefined,
    seriesDays: Int32Array.from(days),
    worlds,
    cells: worlds * SKETCHED * days.length,
    revocationStart: s.revocation.start_day,
    maxRounds: s.firm.financing?.max_rounds ?? 0,
    aliasOf,
    laneLead,
    variantOf,
    variants,
    pathOverrides: new Map(study.pathOverrides ?? []),
    uniforms: study.uniforms,
  };
}
