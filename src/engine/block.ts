/**
 * Simulating a block of consecutive paths: draw each path's inputs, run the but-for world and one
 * world per compared policy on the shared draws (engine/kernel.ts, which runs wasm/kernel.ts), compute metrics, and observe
 * the daily series. Used alike in the main thread and in worker threads, so results never depend
 * on where a block ran.
 */
import type { LoadedScenario } from '../scenario/load.js';
import { makeInputDrawer, PathError, type InputDrawer } from '../sampling/draw.js';
import { METRICS } from '../model/metrics.js';
import { resolvePolicies, revokedDays, type ResolvedPolicy } from '../model/policies.js';
import { readPathInputs, type PathInputs } from '../model/world.js';
import { SketchGrid, type SketchData } from '../stats/sketch.js';
import { BLOCK_PATHS, BlockInputs, Kernel, type KernelOutput } from './kernel.js';
import { SERIES_FLOORS, SKETCHED } from './series.js';

export interface RunSettings {
  seed: number;
  paths: number;
}

/** Everything about a run that follows from the scenario alone. */
export interface Plan {
  T: number;
  /** df(t), t = 0 ... T. */
  discount: Float64Array;
  policies: ResolvedPolicy[];
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
   * A policy that reaches nobody equals the but-for world; two policies without licences that
   * reach the same staff and product equal each other. Aliased worlds are not simulated.
   */
  aliasOf: number[];
  /**
   * Per simulated policy: an earlier simulated policy whose revocation window is the same on
   * every path (neither has a licence, both reach someone: Deff = D), or -1. Such worlds share the
   * fallback gap e and the factor 2^(-kappa e) day by day, so the kernel computes them once.
   */
  gapOf: number[];
}

export function makePlan(loaded: LoadedScenario): Plan {
  const sim = loaded.scenario.simulation;
  const T = sim.horizon_days;
  const discount = new Float64Array(T + 1);
  for (let t = 0; t <= T; t++) discount[t] = (1 + sim.discount_rate) ** (-t / 365);
  const days: number[] = [];
  for (let t = 0; t < T; t += sim.series_step_days) days.push(t);
  if (days[days.length - 1] !== T - 1) days.push(T - 1);
  const policies = resolvePolicies(loaded.scenario);
  const worlds = policies.length + 1;
  const signature = (p: ResolvedPolicy) => (p.policy.license ? undefined : `${p.segments.join(',')}|${p.product}`);
  const aliasOf = policies.map((p, i) => {
    if (p.segments.length === 0 && !p.product) return 0;
    const j = signature(p) === undefined ? -1 : policies.findIndex((q, jj) => jj < i && signature(q) === signature(p));
    return j >= 0 ? j + 1 : -1;
  });
  const plainWindow = (i: number) => aliasOf[i] < 0 && !policies[i].policy.license;
  const gapOf = policies.map((_, i) => (plainWindow(i) ? policies.findIndex((_q, j) => j < i && plainWindow(j)) : -1));
  return {
    T,
    discount,
    policies,
    seriesDays: Int32Array.from(days),
    worlds,
    cells: worlds * SKETCHED * days.length,
    revocationStart: loaded.scenario.revocation.start_day,
    maxRounds: loaded.scenario.firm.financing?.max_rounds ?? 0,
    aliasOf,
    gapOf,
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
  private readonly inputs: BlockInputs;
  private readonly processingRef: (number | undefined)[];
  private readonly duration: Float64Array;
  private readonly approvalU: Float64Array;
  private readonly processing: Float64Array[];
  /**
   * The arrays of every block's result, reused: allocating them anew for each block kept V8's
   * garbage collector busy, and with every core simulating it has no idle core to run on.
   */
  private readonly buffers: KernelOutput;
  private pathInputs?: PathInputs;
  /** The block being run: its first path, and the financing streams its paths have opened. */
  private first = 0;
  private readonly streams: (((attempt: number) => number) | undefined)[] = new Array(BLOCK_PATHS);
  // The kernel's callbacks are made once, for the whole run.
  private readonly deffOf = (i: number, k: number): number => revokedDays(this.plan.policies[i], this.duration[k], this.approvalU[k], this.processing[i][k]);
  private readonly financingU = (k: number, attempt: number): number => (this.streams[k] ??= this.drawer.financing(this.first + k))(attempt);

  constructor(
    private readonly loaded: LoadedScenario,
    private readonly plan: Plan,
    private readonly settings: RunSettings,
  ) {
    const nPol = plan.policies.length;
    this.kernel = new Kernel(plan, seriesFloors(plan), this.financingU);
    this.drawer = makeInputDrawer(loaded.scenario, loaded.expressions, settings.seed);
    this.values = new Float64Array(loaded.scenario.inputs.length);
    this.inputs = new BlockInputs(loaded.scenario.staff.length);
    this.processingRef = plan.policies.map((p) => p.policy.license?.processing_days);
    this.duration = new Float64Array(BLOCK_PATHS);
    this.approvalU = new Float64Array(BLOCK_PATHS);
    this.processing = plan.policies.map(() => new Float64Array(BLOCK_PATHS));
    this.buffers = {
      metrics: new Float64Array(BLOCK_PATHS * nPol * METRICS.length),
      butforInsolvent: new Uint8Array(BLOCK_PATHS),
      seriesSums: new Float64Array(plan.cells),
      insolvencyDays: new Float64Array(plan.worlds * (plan.T + 1)),
    };
  }

  /** Simulates one block. The result's arrays are this simulator's, valid until the next run. */
  run(index: number, first: number, count: number): BlockResult {
    const { plan } = this;
    const nPol = plan.policies.length;
    const nM = METRICS.length;
    for (let k = 0; k < count; k++) {
      this.approvalU[k] = this.drawer.draw(first + k, this.values);
      const p = (this.pathInputs = readPathInputs(this.loaded.scenario, this.values, this.pathInputs));
      this.inputs.set(k, p);
      this.duration[k] = p.D;
      this.processingRef.forEach((ref, i) => (this.processing[i][k] = ref === undefined ? 0 : this.values[ref]));
    }
    const { buffers } = this;
    buffers.insolvencyDays.fill(0);
    const out = {
      metrics: buffers.metrics.subarray(0, count * nPol * nM),
      butforInsolvent: buffers.butforInsolvent.subarray(0, count),
      seriesSums: buffers.seriesSums,
      insolvencyDays: buffers.insolvencyDays,
    };
    this.first = first;
    this.streams.fill(undefined);
    this.kernel.runBlock(this.inputs, count, this.deffOf, out);
    this.checkFinite(first, out.metrics);
    return { index, first, count, ...out };
  }

  /** The series sketches of every block run so far. */
  sketchData(): SketchData {
    return this.kernel.sketchData();
  }

  /** A metric that is not finite (an overflow on some path) fails the run, naming the path. */
  private checkFinite(first: number, metrics: Float64Array): void {
    for (let o = 0; o < metrics.length; o++) {
      if (Number.isFinite(metrics[o])) continue;
      const nPol = this.plan.policies.length;
      const k = Math.floor(o / (nPol * METRICS.length));
      const i = Math.floor(o / METRICS.length) % nPol;
      const path = first + k;
      const values = new Float64Array(this.values.length);
      this.drawer.draw(path, values);
      const inputs = Object.fromEntries(this.loaded.scenario.inputs.map((d) => [d.key, values[d.id]]));
      throw new PathError(path, this.settings.seed, `${METRICS[o % METRICS.length]} of policy ${this.plan.policies[i].name} is ${metrics[o]} (an input too large for double precision?)`, inputs);
    }
  }
}
