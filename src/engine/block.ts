/**
 * Simulating a block of consecutive paths: draw each path's inputs, run the but-for world and one
 * world per compared policy on the shared draws (engine/kernel.ts, which runs wasm/kernel.ts), compute metrics, and observe
 * the daily series. Used alike in the main thread and in worker threads, so results never depend
 * on where a block ran.
 */
import type { LoadedScenario } from '../scenario/load.js';
import { makeInputDrawer, PathError, type InputDrawer, type UniformSource } from '../sampling/draw.js';
import { metricsOf, type Metric } from '../model/metrics.js';
import { pathWindow, resolvePolicies, type ResolvedPolicy } from '../model/policies.js';
import { discountFactors } from '../model/path.js';
import { fillWorldPath, layoutWorld, makeWorldPath, readPathInputs, type PathInputs, type WorldLayout, type WorldPath } from '../model/world.js';
import { SketchGrid, type SketchData } from '../stats/sketch.js';
import { BLOCK_PATHS, Kernel, type KernelOutput } from './kernel.js';
import { SERIES_FLOORS, SKETCHED } from './series.js';

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

/** Each sketch cell's zero floor: its series' (SERIES_FLOORS). */
function seriesFloors(plan: Plan): Float64Array {
  const nd = plan.seriesDays.length;
  const floor = new Float64Array(plan.cells);
  for (let c = 0; c < plan.cells; c++) floor[c] = SERIES_FLOORS[Math.floor(c / nd) % SKETCHED];
  return floor;
}

/** An empty sketch grid for the run, with each series' zero floor. */
export const makeSketches = (plan: Plan): SketchGrid => new SketchGrid(plan.cells, seriesFloors(plan));

/** A block's results: its place among the run's paths, and what the kernel computed for it. */
export interface BlockResult extends KernelOutput {
  index: number;
  first: number;
  count: number;
}

/** Draws a block's inputs and runs the lockstep kernel on them (aliased policies are skipped). */
export class BlockSimulator {
  private readonly kernel: Kernel;
  private readonly drawer: InputDrawer;
  private readonly values: Float64Array;
  /**
   * The arrays of every block's result, reused: allocating them anew for each block kept V8's
   * garbage collector busy, and with every core simulating it has no idle core to run on.
   */
  private readonly buffers: KernelOutput;
  private pathInputs?: PathInputs;
  /** Per variant: the path's values with the variant's inputs fixed (the base values when it fixes none). */
  private readonly variantValues: Float64Array[];
  /** Per policy, one world-on-a-path to fill for each path in turn, and its phase lengths. */
  private readonly worldPaths: WorldPath[];
  private readonly phaseDays: Float64Array[];
  /** The block being run: its first path, and the financing streams its paths have opened. */
  private first = 0;
  private readonly streams: (((attempt: number) => number) | undefined)[] = new Array(BLOCK_PATHS);
  // The kernel's callback is made once, for the whole run.
  private readonly financingU = (k: number, attempt: number): number => (this.streams[k] ??= this.drawer.financing(this.first + k))(attempt);

  constructor(
    private readonly loaded: LoadedScenario,
    private readonly plan: Plan,
    private readonly settings: RunSettings,
  ) {
    const nPol = plan.policies.length;
    this.kernel = new Kernel(plan, seriesFloors(plan), this.financingU);
    this.drawer = makeInputDrawer(loaded.scenario, loaded.expressions, settings.seed, plan.pathOverrides, plan.uniforms);
    this.values = new Float64Array(loaded.scenario.inputs.length);
    this.variantValues = plan.variants.map((v) => (v.size ? new Float64Array(this.values.length) : this.values));
    this.worldPaths = plan.layouts.map((l) => makeWorldPath(l.lanes.length, l.policy.policy.phases.length));
    this.phaseDays = plan.policies.map((p) => new Float64Array(Math.max(0, p.policy.phases.length - 1)));
    this.buffers = {
      metrics: new Float64Array(BLOCK_PATHS * nPol * plan.metrics.length),
      butforInsolvencyDay: new Float64Array(BLOCK_PATHS),
      butforValue: new Float64Array(BLOCK_PATHS),
      insolvencyDay: new Float64Array(BLOCK_PATHS * nPol),
      seriesSums: new Float64Array(plan.cells),
      insolvencyDays: new Float64Array(plan.worlds * (plan.T + 1)),
    };
  }

  /** Simulates one block. The result's arrays are this simulator's, valid until the next run. */
  run(index: number, first: number, count: number): BlockResult {
    const { plan, values } = this;
    const nPol = plan.policies.length;
    const nM = plan.metrics.length;
    for (let k = 0; k < count; k++) {
      const approvalU = this.drawer.draw(first + k, values);
      const p = (this.pathInputs = readPathInputs(this.loaded.scenario, values, this.pathInputs));
      this.kernel.setPath(k, p);
      // Each variant's world-level inputs (revocation, licence, phases, mitigation) on this path.
      const variantInputs = plan.variants.map((v, j) => {
        if (v.size === 0) return p;
        const vv = this.variantValues[j];
        vv.set(values);
        for (const [id, x] of v) vv[id] = x;
        return readPathInputs(this.loaded.scenario, vv);
      });
      for (let i = 0; i < nPol; i++) {
        if (plan.aliasOf[i] >= 0) continue;
        const v = plan.variantOf[i];
        const vv = this.variantValues[v];
        const pv = variantInputs[v];
        const policy = plan.policies[i];
        const phases = policy.policy.phases;
        const lengths = this.phaseDays[i];
        for (let j = 0; j < lengths.length; j++) lengths[j] = vv[phases[j].days!];
        const lic = policy.policy.license;
        const wp = this.worldPaths[i];
        const window = pathWindow(policy, pv.t0, pv.D, approvalU, lic ? vv[lic.processing_days] : 0, lengths, wp.phaseEnds);
        fillWorldPath(plan.layouts[i], pv, window, plan.T, wp);
        this.kernel.setWorld(i, k, pv, wp);
      }
    }
    const { buffers } = this;
    buffers.insolvencyDays.fill(0);
    const out = {
      metrics: buffers.metrics.subarray(0, count * nPol * nM),
      butforInsolvencyDay: buffers.butforInsolvencyDay.subarray(0, count),
      butforValue: buffers.butforValue.subarray(0, count),
      insolvencyDay: buffers.insolvencyDay.subarray(0, count * nPol),
      seriesSums: buffers.seriesSums,
      insolvencyDays: buffers.insolvencyDays,
    };
    this.first = first;
    this.streams.fill(undefined);
    this.kernel.runBlock(count, out);
    this.checkFinite(first, out.metrics);
    return { index, first, count, ...out };
  }

  /** The series sketches of every block run so far. */
  sketchData(): SketchData {
    return this.kernel.sketchData();
  }

  /** A metric that is not finite (an overflow on some path) fails the run, naming the path. */
  private checkFinite(first: number, metrics: Float64Array): void {
    const { plan } = this;
    const nM = plan.metrics.length;
    for (let o = 0; o < metrics.length; o++) {
      if (Number.isFinite(metrics[o])) continue;
      const nPol = plan.policies.length;
      const k = Math.floor(o / (nPol * nM));
      const i = Math.floor(o / nM) % nPol;
      const path = first + k;
      const values = new Float64Array(this.values.length);
      this.drawer.draw(path, values);
      const inputs = Object.fromEntries(this.loaded.scenario.inputs.map((d) => [d.key, values[d.id]]));
      throw new PathError(path, this.settings.seed, `${plan.metrics[o % nM]} of policy ${plan.policies[i].name} is ${metrics[o]} (an input too large for double precision?)`, inputs);
    }
  }
}
