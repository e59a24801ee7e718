/**
 * Simulating a block of consecutive paths: draw each path's inputs, run the but-for world and one
 * world per compared policy on the shared draws (engine/kernel.ts, which runs wasm/kernel.ts), compute metrics, and observe
 * the daily series. Used alike in the main thread and in worker threads, so results never depend
 * on where a block ran.
 */
import type { LoadedScenario } from '../scenario/load.js';
import { makeInputDrawer, PathError, type InputDrawer } from '../sampling/draw.js';
import { pathWindow } from '../model/policies.js';
import { fillWorldPath, makeWorldPath, readPathInputs, type PathInputs, type WorldPath } from '../model/world.js';
import type { AnySketchData, PackedSketchData } from '../stats/packed.js';
import { SketchGrid, type SketchData } from '../stats/sketch.js';
import { BLOCK_PATHS, Kernel, type KernelOutput } from './kernel.js';
import { SERIES_FLOORS, SKETCHED } from './series.js';
import type { Plan, RunSettings } from './plan.js';

export { makePlan, type Plan, type RunSettings, type StudySpec } from './plan.js';

/** Each sketch cell's zero floor: its series' (SERIES_FLOORS). */
function seriesFloors(plan: Plan): Float64Array {
  const nd = plan.seriesDays.length;
  const floor = new Float64Array(plan.cells);
  for (let c = 0; c < plan.cells; c++) floor[c] = SERIES_FLOORS[Math.floor(c / nd) % SKETCHED];
  return floor;
}

/** An empty sketch grid for the run, with each series' zero floor. */
export const makeSketches = (plan: Plan): SketchGrid => new SketchGrid(plan.cells, seriesFloors(plan));

/** What the kernel computes for a block, and per path and world whether a mitigation decision arises. */
export interface BlockOutput extends KernelOutput {
  /** [path][entry]: 1 when the world's mitigation decision arises on the path (Q of section 4b), else 0. */
  arises: Float64Array;
}

/**
 * A block's results as a run takes them in (RunAccumulator.add; a worker thread sends them so):
 * its place among the run's paths, the per-path values the run holds of its simulated worlds
 * (Plan.columns), the but-for world's, and the block's series sums and insolvency-day counts.
 */
export interface BlockResult extends Omit<KernelOutput, 'metrics' | 'insolvencyDay'> {
  index: number;
  first: number;
  count: number;
  /** Column after column (Plan.columns): column j's value on the block's path k at j * count + k. */
  values: Float64Array;
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
  private readonly buffers: BlockOutput;
  /** The block's values of the plan's columns (run), reused likewise. */
  private readonly columns: Float64Array;
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
    // A pass's own known fact (StudySpec.ongoingAfterDays) conditions the duration's draw in place of the scenario's.
    const scenario = plan.ongoingAfterDays === undefined ? loaded.scenario : { ...loaded.scenario, revocation: { ...loaded.scenario.revocation, ongoing_after_days: plan.ongoingAfterDays } };
    this.drawer = makeInputDrawer(scenario, loaded.expressions, settings.seed, plan.pathOverrides, plan.uniforms);
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
      arises: new Float64Array(BLOCK_PATHS * nPol),
    };
    this.columns = new Float64Array(BLOCK_PATHS * plan.columns.count);
  }

  /**
   * Milliseconds this simulator has spent on the blocks it ran: drawing the paths' inputs and
   * setting up their worlds (JavaScript), the day loop with its series and tail (WebAssembly),
   * and the metrics from the final states (JavaScript). The benchmark's breakdown
   * (bench/breakdown.mjs) reads them.
   */
  get spent(): { setupMs: number; dayLoopMs: number; metricsMs: number } {
    return { setupMs: this.setupMs, dayLoopMs: this.kernel.dayLoopMs, metricsMs: this.blockMs - this.kernel.dayLoopMs };
  }
  private setupMs = 0;
  private blockMs = 0;

  /**
   * Simulates one block: the values of the plan's columns (Plan.columns), each gathered from the
   * kernel's output, where the kernel writes a path's worlds and metrics side by side. The result's
   * arrays are this simulator's, valid until the next run.
   */
  run(index: number, first: number, count: number): BlockResult {
    const out = this.simulate(first, count);
    const { plan, columns: values } = this;
    const nPol = plan.policies.length;
    const nM = plan.metrics.length;
    // Path k's value is from[k * stride + offset].
    const gather = (column: number, from: Float64Array, stride: number, offset: number) => {
      if (column < 0) return;
      const at = column * count;
      for (let k = 0; k < count; k++) values[at + k] = from[k * stride + offset];
    };
    const { metric, insolvencyDay, arises } = plan.columns;
    for (let i = 0; i < nPol; i++) {
      if (plan.aliasOf[i] !== -1) continue;
      for (let m = 0; m < nM; m++) gather(metric[i][m], out.metrics, nPol * nM, i * nM + m);
      gather(insolvencyDay[i], out.insolvencyDay, nPol, i);
      gather(arises[i], out.arises, nPol, i);
    }
    const { butforInsolvencyDay, butforValue, seriesSums, insolvencyDays } = out;
    return { index, first, count, values: values.subarray(0, plan.columns.count * count), butforInsolvencyDay, butforValue, seriesSums, insolvencyDays };
  }

  /**
   * Simulates the block of `count` paths from `first`: every world's every metric and insolvency
   * day, and where each decision arises, as the kernel writes them (the differential test reads
   * them). Its arrays are this simulator's, valid until the next block.
   */
  simulate(first: number, count: number): BlockOutput {
    const { plan, values } = this;
    const started = performance.now();
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
        if (plan.aliasOf[i] !== -1) continue;
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
        this.buffers.arises[k * nPol + i] = wp.arises ? 1 : 0;
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
    const setUp = performance.now();
    this.kernel.runBlock(count, out);
    this.setupMs += setUp - started;
    this.blockMs += performance.now() - setUp;
    this.checkFinite(first, out.metrics);
    return { ...out, arises: buffers.arises.subarray(0, count * nPol) };
  }

  /** The series sketches of every block run so far. */
  sketchData(shared = false): SketchData {
    return this.kernel.sketchData(shared);
  }

  /** The same, its counts packed (a shard's part holds them so). */
  packedSketchData(shared = false): PackedSketchData {
    return this.kernel.packedSketchData(shared);
  }

  /** This simulator's run is done (its sketches taken): its kernel's instance serves the thread's next run (Kernel.release says when: `keepLarge`). */
  release(keepLarge = false): void {
    this.kernel.release(keepLarge);
  }

  /** The end of an executor's run: its sketches (packed, for a shard's part; `shared`: see typedArray), then release. */
  finish(packed: boolean, keepLarge = false, shared = false): AnySketchData {
    const data = packed ? this.packedSketchData(shared) : this.sketchData(shared);
    this.release(keepLarge);
    return data;
  }

  /** The end of an executor's run whose sketches become the run's grid (Kernel.grid), then release. */
  finishGrid(): SketchGrid {
    const grid = this.kernel.grid();
    this.release();
    return grid;
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
