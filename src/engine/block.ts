/**
 * Simulating a block of consecutive paths: draw each path's inputs, run the but-for world and one
 * world per compared policy on the shared draws, compute metrics, and observe the daily series.
 * Used alike in the main thread and in worker threads, so results never depend on where a block ran.
 */
import type { LoadedScenario } from '../scenario/load.js';
import { makeInputDrawer, type InputDrawer } from '../sampling/draw.js';
import { computeMetrics, METRICS, zeroHarmMetrics } from '../model/metrics.js';
import { resolvePolicies, revokedDays, type ResolvedPolicy } from '../model/policies.js';
import { fillButforRevenue, makeTrace, readPathInputs, simulateWorld, type PathContext, type PathInputs, type Trace, type WorldSpec } from '../model/world.js';
import { SketchGrid } from '../stats/sketch.js';

/** Paths per block. Fixed, so per-block partial sums reduce identically for any thread count. */
export const BLOCK_PATHS = 1024;

export const SERIES = ['capability_gap', 'quality', 'share', 'revenue_annualized', 'cumulative_pv_harm', 'survival'] as const;
export type SeriesVariable = (typeof SERIES)[number];
/** Series kept in sketches; survival (0 or 1 per path) is exact, from insolvency-day counts. */
export const SKETCHED = SERIES.length - 1;
/** Paths whose series values are buffered before going into the sketches cell by cell (cache-friendly). */
const CHUNK = 128;

export interface RunSettings {
  seed: number;
  paths: number;
}

/** Everything fixed for a run, derived from the scenario and the settings. */
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
  return { T, discount, policies, seriesDays: Int32Array.from(days), worlds, cells: worlds * SKETCHED * days.length, revocationStart: loaded.scenario.revocation.start_day };
}

/** Cell index of (world, sketched variable, stored-day index). */
export const cellOf = (plan: Plan, world: number, variable: number, dayIndex: number) => (world * SKETCHED + variable) * plan.seriesDays.length + dayIndex;

export interface BlockResult {
  index: number;
  first: number;
  count: number;
  /** [path][policy][metric], path-major within the block. */
  metrics: Float64Array;
  /** 1 where the but-for world became insolvent. */
  butforInsolvent: Uint8Array;
  /** Per-cell sums of the sketched series over the block's paths. */
  seriesSums: Float64Array;
  /** Per world, paths by insolvency day: index 0 never, d (1 ... T) insolvent from day d. */
  insolvencyDays: Float64Array;
}

export class BlockSimulator {
  readonly sketches: SketchGrid;
  private readonly drawer: InputDrawer;
  private readonly values: Float64Array;
  private inputs?: PathInputs;
  private readonly butfor: Trace;
  private readonly traces: Trace[];
  private readonly rbf: Float64Array;
  /** Policies with the same affected set share a group, so equal worlds are simulated once. */
  private readonly groups: number[];
  private readonly processingRef: (number | undefined)[];
  /** Series values of the current chunk of paths, [cell][path in chunk]. */
  private readonly chunk: Float64Array;
  private chunkFill = 0;

  constructor(
    private readonly loaded: LoadedScenario,
    private readonly plan: Plan,
    private readonly settings: RunSettings,
  ) {
    this.sketches = new SketchGrid(plan.cells);
    this.drawer = makeInputDrawer(loaded.scenario, loaded.expressions, settings.seed);
    this.values = new Float64Array(loaded.scenario.inputs.length);
    this.butfor = makeTrace(plan.T);
    this.traces = plan.policies.map(() => makeTrace(plan.T));
    this.rbf = new Float64Array(plan.T);
    const signature = plan.policies.map((p) => `${p.segments.join(',')}|${p.product}`);
    this.groups = signature.map((s) => signature.indexOf(s));
    this.processingRef = plan.policies.map((p) => p.policy.license?.processing_days);
    this.chunk = new Float64Array(plan.cells * CHUNK);
  }

  run(index: number, first: number, count: number): BlockResult {
    const { plan } = this;
    const nPol = plan.policies.length;
    const stride = nPol * METRICS.length;
    const metrics = new Float64Array(count * stride);
    const butforInsolvent = new Uint8Array(count);
    const seriesSums = new Float64Array(plan.cells);
    const insolvencyDays = new Float64Array(plan.worlds * (plan.T + 1));
    const deff = new Float64Array(nPol);
    const used: Trace[] = new Array(nPol);
    for (let k = 0; k < count; k++) {
      const path = first + k;
      const approvalU = this.drawer.draw(path, this.values);
      const p = (this.inputs = readPathInputs(this.loaded.scenario, this.values, this.inputs));
      fillButforRevenue(p, this.rbf);
      const ctx: PathContext = { T: plan.T, butforRevenue: this.rbf, financingU: this.drawer.financing(path) };
      simulateWorld(p, { segments: [], product: false, revokedDays: 0 }, ctx, this.butfor);
      butforInsolvent[k] = this.butfor.insolvencyDay >= 0 ? 1 : 0;
      const slot = this.chunkFill++;
      this.observe(0, this.butfor, this.butfor, slot, insolvencyDays);
      for (let i = 0; i < nPol; i++) {
        const pol = plan.policies[i];
        const ref = this.processingRef[i];
        const D = (deff[i] = revokedDays(pol, p.D, approvalU, ref === undefined ? 0 : this.values[ref]));
        const offset = k * stride + i * METRICS.length;
        if (D === 0) {
          zeroHarmMetrics(this.butfor, metrics, offset);
          this.observe(i + 1, this.butfor, this.butfor, slot, insolvencyDays);
          continue;
        }
        // Reuse an earlier policy's world when it cuts off the same staff for as long.
        const same = this.findEqualWorld(i, deff);
        const trace = (used[i] = same >= 0 ? used[same] : this.traces[i]);
        if (same < 0) simulateWorld(p, { segments: pol.segments, product: pol.product, revokedDays: D } satisfies WorldSpec, ctx, trace);
        computeMetrics(this.butfor, trace, { T: plan.T, discount: plan.discount, t0: p.t0, revokedDays: D, targetedHeadcount: pol.targetedHeadcount, collateralHeadcount: pol.collateralHeadcount }, metrics, offset);
        this.observe(i + 1, this.butfor, trace, slot, insolvencyDays);
      }
      if (this.chunkFill === CHUNK || k === count - 1) this.flush(seriesSums);
    }
    return { index, first, count, metrics, butforInsolvent, seriesSums, insolvencyDays };
  }

  /** An earlier policy (same group, same Deff) whose world on this path is identical, or -1. */
  private findEqualWorld(i: number, deff: Float64Array): number {
    for (let j = 0; j < i; j++) if (this.groups[j] === this.groups[i] && deff[j] === deff[i] && deff[j] > 0) return j;
    return -1;
  }

  /** Buffers one world's stored days for the path in chunk slot `slot`. */
  private observe(world: number, butfor: Trace, trace: Trace, slot: number, insolvencyDays: Float64Array): void {
    const { plan, chunk } = this;
    const days = plan.seriesDays;
    const nd = days.length;
    insolvencyDays[world * (plan.T + 1) + Math.max(0, trace.insolvencyDay)]++;
    // Cell (world, v, j) holds its chunk at ((world * SKETCHED + v) * nd + j) * CHUNK.
    const base = world * SKETCHED * nd * CHUNK + slot;
    const stride = nd * CHUNK;
    let cum = 0;
    let t = 0;
    for (let j = 0; j < nd; j++) {
      const day = days[j];
      if (trace !== butfor) for (; t <= day; t++) cum += plan.discount[t] * (butfor.profit[t] - trace.profit[t]);
      const at = base + j * CHUNK;
      chunk[at] = trace.gap[day];
      chunk[at + stride] = trace.quality[day];
      chunk[at + 2 * stride] = trace.share[day];
      chunk[at + 3 * stride] = 365 * trace.revenue[day];
      chunk[at + 4 * stride] = cum;
    }
  }

  /** Moves the buffered chunk into the sums (in path order) and the sketches, cell by cell. */
  private flush(sums: Float64Array): void {
    const { chunk, sketches } = this;
    const n = this.chunkFill;
    for (let c = 0; c < this.plan.cells; c++) {
      const at = c * CHUNK;
      let s = sums[c];
      for (let k = 0; k < n; k++) s += chunk[at + k];
      sums[c] = s;
      sketches.addMany(c, chunk, at, n);
    }
    this.chunkFill = 0;
  }
}
