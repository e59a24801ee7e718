/**
 * The engine's side of the day loop: lays out the WebAssembly kernel's memory (src/wasm/kernel.ts,
 * built to dist/kernel.wasm), sets each world's initial state on a block of paths, runs the loop
 * there, and turns the final states into metrics. The loop itself, MODEL.md section 4 for every
 * world in lockstep with the series sketched as it goes, is the per-path function simulateWorld
 * (src/model/world.ts) reorganised for speed: the same IEEE-754 operations in the same order, so
 * results are bit-identical to it (a test checks).
 *
 * Why lockstep: every (world, variable, stored day) has its own quantile sketch; visiting the
 * days in the outer loop sends a whole block's values for one day into the same sketch in a row,
 * so the sketch stays in cache, and no per-path trace or buffer is needed.
 *
 * Why WebAssembly: the same loop as JavaScript ran at ~70 ns per world-path-day on the benchmark;
 * compiled ahead of time, with the sketches in linear memory, it runs in about half that (the
 * README's benchmark). Memory layout (src/wasm/layout.ts): field-major. A block's inputs are
 * In.FIELDS columns of COLUMN doubles (path k's value of field f at f * COLUMN + k), a world's
 * state St.FIELDS such columns, a lane's Ln.FIELDS, the day's series values SKETCHED.
 */
import { readFileSync } from 'node:fs';
import { butforWorldValue, emptySums, writeMetrics, type WorldEndState } from '../model/metrics.js';
import { LOG_CENTRE, LOG_INV_CENTRE, LOG_OF_CENTRE, POW2, TWO_J } from '../model/fastmath.js';
import type { PathInputs, WorldPath } from '../model/world.js';
import { packCounts, type PackedSketchData } from '../stats/packed.js';
import { SketchGrid, typedArray, type SketchData } from '../stats/sketch.js';
import { BLOCK_PATHS, Cell, COLUMN, FLUSH_BLOCKS, In, Lane, Ln, SKETCHED, St, Wd } from '../wasm/layout.js';
import type { Plan } from './plan.js';

export { BLOCK_PATHS };

/** The index of field f of the path whose first field is at index `at`: fields are COLUMN doubles apart (wasm/layout.ts). */
const fieldAt = (at: number, f: number): number => at + f * COLUMN;

/** Zeroes the `fields` fields of one path, whose first field is at index `at`. */
function clearFields(mem: Float64Array, at: number, fields: number): void {
  for (let f = 0; f < fields; f++) mem[fieldAt(at, f)] = 0;
}

/** Writes path k's inputs, from index a = the inputs' first double + k (the same derived constants the reference day loop computes). */
function setInputRow(r: Float64Array, a: number, p: PathInputs): void {
  const put = (field: number, value: number) => {
    r[fieldAt(a, field)] = value;
  };
  clearFields(r, a, In.FIELDS);
  put(In.RBF0, p.R0 / 365);
  put(In.RBF, p.R0 / 365);
  put(In.GROWTH, 1 + p.g);
  put(In.DAILY, (1 + p.g) ** (1 / 365));
  put(In.PERSIST, p.p);
  put(In.P_STEP, p.p ** (1 / 365));
  put(In.P_T, 1);
  put(In.G_RATE, p.g);
  put(In.M, p.m);
  put(In.XDAY, p.X / 365);
  put(In.C0, p.C0);
  put(In.B, p.B);
  put(In.V, p.V);
  put(In.PI, p.pi);
  put(In.L, p.L);
  put(In.GAMMA, p.gamma);
  put(In.H0, p.H0);
  put(In.ALPHA_DAY, p.alpha / 365);
  put(In.ALPHA_STEP, Math.exp(p.alpha / 365));
  put(In.GROWTH_ALPHA, 1);
  put(In.KLN2, p.kappa * Math.LN2);
  put(In.TAU0, p.tau0);
  put(In.RHO, p.rho);
  put(In.SWITCH, p.switchCost);
  put(In.SWITCH_BACK, p.switchBackCost);
  put(In.TAU_K, p.tauK);
  put(In.MU, p.mu);
  put(In.EPS, p.eps);
  put(In.TAU_LOSS, p.tauLoss);
  put(In.TAU_WIN, p.tauWin);
  const f = p.financing;
  put(In.RAISE_BELOW, f ? f.raiseBelow : -Infinity);
  put(In.ROUND_SIZE, f ? f.roundSize : 0);
  put(In.PF, f ? f.pf : 0);
  put(In.PSI, f ? f.psi : 0);
  put(In.RETRY, f ? f.retryDays : 0);
  let ybf = 0;
  for (let s = 0; s < p.n.length; s++) ybf += p.n[s] * p.w[s];
  put(In.YBF, ybf);
}

/** Sets the initial state of a world (MODEL.md section 4) on one path. */
function resetState(st: Float64Array, b: number, c0: number): void {
  clearFields(st, b, St.FIELDS);
  st[fieldAt(b, St.K)] = 1;
  st[fieldAt(b, St.S)] = 1;
  st[fieldAt(b, St.C)] = c0;
  st[fieldAt(b, St.ALIVE)] = 1;
  st[fieldAt(b, St.INSOLVENCY_DAY)] = -1;
  st[fieldAt(b, St.PRODUCT_MU)] = -1;
  st[fieldAt(b, St.NEXT_END)] = Infinity;
  st[fieldAt(b, St.MITIGATION_DAY)] = Infinity;
  st[fieldAt(b, St.PREMIUM_DAY)] = Infinity;
}

/** What the kernel computes for a block of paths. */
export interface KernelOutput {
  /** [path][policy][metric], path-major within the block (aliased policies' slots unused). */
  metrics: Float64Array;
  /** Day (1 ... T) the but-for world became insolvent, or -1. */
  butforInsolvencyDay: Float64Array;
  /** The but-for firm's value W_butfor. */
  butforValue: Float64Array;
  /** [path][policy]: day the policy's world became insolvent, or -1 (aliased policies' slots unused). */
  insolvencyDay: Float64Array;
  /** Per-cell sums of the sketched series over the block's paths. */
  seriesSums: Float64Array;
  /** Per world, paths by insolvency day: index 0 never, d (1 ... T) insolvent from day d. */
  insolvencyDays: Float64Array;
}

/** The kernel's exports (src/wasm/kernel.ts). */
interface KernelExports {
  memory: WebAssembly.Memory;
  alloc(bytes: number): number;
  setMathTables(twoJ: number, pow2: number, logCentre: number, logInvCentre: number, logOfCentre: number): void;
  gridInit(cells: number): number;
  clearCounts(cells: number): void;
  trimWindows(cells: number): number;
  serializedTotal(): number;
  packTrimmed(cells: number): number;
  packedBytes(): number;
  kernelInit(T: number, U: number, t0: number, policies: number, storedDays: number, maxRounds: number, discount: number, seriesDays: number, worldDir: number, rows: number, butfor: number, worlds: number, day: number, sums: number): void;
  runDays(count: number): void;
  resetHeap(): void;
}

/**
 * The kernel's two builds (scripts/build.mjs), from the one source: `simd` runs two paths per
 * WebAssembly SIMD instruction in the exponentials, logarithms and quality updates; `scalar` one.
 * They compute the same bits (test/engine/simd.test.ts).
 */
export type KernelBuild = 'simd' | 'scalar';
const BUILD_FILES: Record<KernelBuild, string> = { simd: 'kernel.wasm', scalar: 'kernel-scalar.wasm' };

/** A build's bytes: beside this module in dist/, or in dist/ when running from src/. */
function kernelBytes(build: KernelBuild): Uint8Array<ArrayBuffer> {
  const name = BUILD_FILES[build];
  const url = import.meta.url.endsWith('.ts') ? new URL(`../../dist/${name}`, import.meta.url) : new URL(`./${name}`, import.meta.url);
  try {
    return new Uint8Array(readFileSync(url));
  } catch {
    throw new Error(`the compiled day loop ${url.pathname} is missing: run npm run build`);
  }
}

/**
 * Which build runs: the SIMD one where this WebAssembly engine accepts it (Node 16.4 and later
 * do), else the scalar one. ACCESSGAP_KERNEL=scalar (or simd) chooses; any other value is refused.
 */
export function chooseKernelBuild(simdBytes: Uint8Array<ArrayBuffer>, validate: (bytes: Uint8Array<ArrayBuffer>) => boolean, asked: string | undefined): KernelBuild {
  if (asked === 'scalar') return 'scalar';
  if (asked !== undefined && asked !== '' && asked !== 'simd') throw new Error(`ACCESSGAP_KERNEL: expected simd or scalar, found ${JSON.stringify(asked)}`);
  if (validate(simdBytes)) return 'simd';
  if (asked === 'simd') throw new Error('ACCESSGAP_KERNEL=simd: this WebAssembly engine cannot compile the SIMD day loop');
  return 'scalar';
}

let compiled: { module: WebAssembly.Module; build?: KernelBuild } | undefined;

/**
 * The compiled kernel, once per process: the main thread compiles it and hands it to the workers
 * (useKernelModule), which then share its machine code, optimized as it runs.
 */
export function kernelModule(): WebAssembly.Module {
  if (compiled === undefined) {
    const simd = kernelBytes('simd');
    const build = chooseKernelBuild(simd, (bytes) => WebAssembly.validate(bytes), process.env.ACCESSGAP_KERNEL);
    compiled = { module: new WebAssembly.Module(build === 'simd' ? simd : kernelBytes('scalar')), build };
  }
  return compiled.module;
}

/** The build this process compiled (for timing.json); undefined if none, or it was handed one. */
export function kernelBuild(): KernelBuild | undefined {
  return compiled?.build;
}

/** A build compiled, whichever this process runs (for the tests that compare the two). */
export function compileKernelBuild(build: KernelBuild): WebAssembly.Module {
  return new WebAssembly.Module(kernelBytes(build));
}

let stepClock = (_step: number) => {};

/**
 * For bench/breakdown.mjs: `clock(step)` is called where a build of the kernel instrumented with
 * `mark(step)` calls marks the end of a step of the day loop. The shipped builds never call it.
 */
export function useStepClock(clock: (step: number) => void): void {
  stepClock = clock;
}

/** What the kernel imports from JavaScript. */
export function kernelImports(financingU: (k: number, attempt: number) => number): WebAssembly.Imports {
  return {
    env: {
      pow: Math.pow,
      exp: Math.exp,
      log: Math.log,
      financingU,
      mark: (step: number) => stepClock(step),
      outOfMemory: (bytes: number) => {
        throw new Error(`the day loop needs more than ${Math.round(bytes / 2 ** 20)} MiB for this run's series sketches, past WebAssembly's 4 GiB: store fewer series days (simulation.series_step_days) or compare fewer policies`);
      },
    },
  };
}

/** Uses a kernel module compiled in another thread (kernelModule there). */
export function useKernelModule(module: WebAssembly.Module): void {
  compiled = { module };
}

/** An instance of the kernel, and the financing stream its import calls (set by each Kernel that takes it). */
interface Pooled {
  module: WebAssembly.Module;
  instance: WebAssembly.Instance;
  stream: { financingU: (k: number, attempt: number) => number };
}

/**
 * Instances that runs are done with, per compiled module, kept for the next run in this thread
 * (a study's next pass, the cost-of-delay exhibit after the run, a queue worker's next shard): their
 * memory is already mapped, so the next run does not fault in fresh pages on its first block. At
 * most POOLED_INSTANCES per module; a reused instance is reset (resetHeap) to a new one's state.
 */
const pooled = new WeakMap<WebAssembly.Module, Pooled[]>();
const POOLED_INSTANCES = 2;
/**
 * An instance whose memory grew past this (a run's daily series sketches: about 90 MB on the
 * default scenario) is not kept, unless its owner says so (release(true)): it would hold that
 * memory through the report, and a next run of that size faults it in again in a fraction of a
 * second, little beside its own time. A study's passes (series on a few days: 4 to 14 MB) keep
 * theirs, and so do a queue worker's threads, whose next job is the next shard of the same size.
 */
export const POOLED_BYTES = 32 * 1024 * 1024;

/** Bytes of one world's state rows, and of one lane's rows, for a block (wasm/layout.ts). */
const WORLD_BYTES = 8 * COLUMN * St.FIELDS;
const LANE_BYTES = 8 * COLUMN * Ln.FIELDS;

function takeInstance(financingU: (k: number, attempt: number) => number): Pooled {
  const module = kernelModule();
  const reused = pooled.get(module)?.pop();
  if (reused !== undefined) {
    (reused.instance.exports as unknown as KernelExports).resetHeap();
    reused.stream.financingU = financingU;
    return reused;
  }
  const stream = { financingU };
  return { module, instance: new WebAssembly.Instance(module, kernelImports((k, attempt) => stream.financingU(k, attempt))), stream };
}

const moduleIds = new WeakMap<WebAssembly.Module, number>();
let nextModuleId = 1;

/**
 * A number naming the compiled kernel in this thread's runs: a kept worker thread that is sent the
 * same one again keeps the module it has (and so its pooled instances) instead of the new copy.
 */
export function kernelModuleId(): number {
  const module = kernelModule();
  let id = moduleIds.get(module);
  if (id === undefined) moduleIds.set(module, (id = nextModuleId++));
  return id;
}

/**
 * One instance of the WebAssembly kernel with its own memory: the run's sketch grid (one cell per
 * world x sketched variable x stored day, accumulated over every block it runs) and a block's
 * inputs, world states and series values. `financingU(k, i)` gives the i-th uniform of path k's
 * financing stream in the current block (one function for the whole run).
 */
export class Kernel {
  private readonly x: KernelExports;
  private readonly dir: number;
  private readonly rows: number;
  private readonly butfor: number;
  private readonly worlds: number;
  private readonly sums: number;
  /** Per policy: the address of its lanes' rows and of its phase ends (0 when not simulated). */
  private readonly laneAt: number[];
  private readonly phaseEndsAt: number[];
  private f64 = new Float64Array(0);
  private i32 = new Int32Array(0);
  private u32 = new Uint32Array(0);
  private pooled?: Pooled;
  /** Milliseconds in the day loop (runDays, and moving its sketch counts out) so far. */
  dayLoopMs = 0;
  /** Counts taken from the kernel's 16-bit sketches so far (see FLUSH_BLOCKS), and blocks since. */
  private held?: SketchGrid;
  private blocksSinceFlush = 0;

  constructor(
    private readonly plan: Plan,
    private readonly floors: Float64Array,
    financingU: (k: number, attempt: number) => number,
  ) {
    this.pooled = takeInstance(financingU);
    const x = (this.x = this.pooled.instance.exports as unknown as KernelExports);
    const nPol = plan.policies.length;
    const nd = plan.seriesDays.length;
    const f64Array = (values: ArrayLike<number>) => {
      const at = x.alloc(8 * values.length);
      new Float64Array(x.memory.buffer, at, values.length).set(values);
      return at;
    };
    const i32Array = (values: ArrayLike<number>) => {
      const at = x.alloc(4 * Math.max(1, values.length));
      new Int32Array(x.memory.buffer, at, values.length).set(values);
      return at;
    };
    x.setMathTables(f64Array(TWO_J), f64Array(POW2), f64Array(LOG_CENTRE), f64Array(LOG_INV_CENTRE), f64Array(LOG_OF_CENTRE));
    this.dir = x.gridInit(plan.cells);
    const dirF64 = new Float64Array(x.memory.buffer, this.dir, (plan.cells * Cell.BYTES) / 8);
    for (let c = 0; c < plan.cells; c++) dirF64[(c * Cell.BYTES + Cell.FLOOR) / 8] = floors[c];
    const discount = f64Array(plan.discount);
    const seriesDays = i32Array(plan.seriesDays);
    // Columns start on cache lines (64 bytes), so a vector of two paths never straddles two.
    const lines = (bytes: number) => (x.alloc(bytes + 64) + 63) & ~63;
    this.rows = lines(8 * COLUMN * In.FIELDS);
    this.butfor = lines(8 * COLUMN * St.FIELDS);
    this.worlds = lines(WORLD_BYTES * nPol);
    // Each simulated world's lanes and phase ends; then the directories that point at them.
    this.laneAt = plan.policies.map((_, i) => (plan.aliasOf[i] === -1 ? lines(LANE_BYTES * Math.max(1, plan.layouts[i].lanes.length)) : 0));
    this.phaseEndsAt = plan.policies.map((p, i) => (plan.aliasOf[i] === -1 ? x.alloc(8 * BLOCK_PATHS * Math.max(1, p.policy.phases.length)) : 0));
    const worldDir = new Int32Array(nPol * Wd.FIELDS);
    plan.policies.forEach((p, i) => {
      const w = i * Wd.FIELDS;
      if (plan.aliasOf[i] !== -1) {
        worldDir[w + Wd.SKIP] = 1;
        return;
      }
      const { lanes, productLane } = plan.layouts[i];
      // The lanes the day loop steps (Lane's comment in wasm/layout.ts): those some phase reaches, and the product's.
      const stepped = lanes.flatMap((lane, j) => ((lane.maskBefore | lane.maskAfter) !== 0 || j === productLane ? [j] : []));
      const laneDir = new Int32Array(Math.max(1, stepped.length) * Lane.FIELDS);
      stepped.forEach((j, e) => {
        const lane = lanes[j];
        const lead = plan.laneLead[i][j];
        laneDir[e * Lane.FIELDS + Lane.MASK_BEFORE] = lane.maskBefore;
        laneDir[e * Lane.FIELDS + Lane.MASK_AFTER] = lane.maskAfter;
        laneDir[e * Lane.FIELDS + Lane.GAP_AT] = lead ? this.laneAt[lead[0]] + lead[1] * LANE_BYTES : this.laneAt[i] + j * LANE_BYTES;
        laneDir[e * Lane.FIELDS + Lane.OWN] = lead ? 0 : 1;
        laneDir[e * Lane.FIELDS + Lane.ROW_AT] = this.laneAt[i] + j * LANE_BYTES;
      });
      worldDir[w + Wd.LANES] = stepped.length;
      worldDir[w + Wd.PRODUCT_LANE] = stepped.indexOf(productLane);
      worldDir[w + Wd.PHASES] = p.policy.phases.length;
      worldDir[w + Wd.PHASE_ENDS_AT] = this.phaseEndsAt[i];
      worldDir[w + Wd.LANE_DIR_AT] = i32Array(laneDir);
      worldDir[w + Wd.SERIES] = plan.seriesKept[i] ? 1 : 0;
    });
    const worldDirAt = i32Array(worldDir);
    const day = x.alloc(8 * COLUMN * SKETCHED);
    this.sums = x.alloc(8 * plan.cells);
    x.kernelInit(plan.T, plan.U, plan.revocationStart, nPol, nd, plan.maxRounds, discount, seriesDays, worldDirAt, this.rows, this.butfor, this.worlds, day, this.sums);
  }

  /** Views of the memory (made again after the memory has grown). */
  private views(): void {
    const buffer = this.x.memory.buffer;
    if (this.f64.buffer === buffer) return;
    this.f64 = new Float64Array(buffer);
    this.i32 = new Int32Array(buffer);
    this.u32 = new Uint32Array(buffer);
  }

  /** Writes path k's inputs and the initial state of the but-for world on it. */
  setPath(k: number, p: PathInputs): void {
    this.views();
    const mem = this.f64;
    setInputRow(mem, this.rows / 8 + k, p);
    resetState(mem, this.butfor / 8 + k, p.C0);
  }

  /** Writes policy i's world on path k (its window, lanes and mitigation) and its initial state. */
  setWorld(i: number, k: number, p: PathInputs, wp: WorldPath): void {
    const mem = this.f64;
    const b = this.stateRow(i, k);
    resetState(mem, b, p.C0);
    const layout = this.plan.layouts[i];
    const phases = layout.policy.policy.phases.length;
    mem[fieldAt(b, St.DEFF)] = wp.deff;
    mem[fieldAt(b, St.T_END)] = p.t0 + wp.deff;
    mem[fieldAt(b, St.PRODUCT_MU)] = layout.productLane >= 0 ? p.mu : -1;
    mem[fieldAt(b, St.NEXT_END)] = wp.phaseEnds[0];
    mem[fieldAt(b, St.MITIGATION_DAY)] = wp.mitigationDay;
    mem[fieldAt(b, St.MITIGATION_COST)] = wp.mitigationCost;
    mem[fieldAt(b, St.PREMIUM_DAY)] = wp.premiumDay;
    mem[fieldAt(b, St.PREMIUM)] = wp.premium;
    mem[fieldAt(b, St.MITIGATED)] = wp.mitigated ? 1 : 0;
    mem[fieldAt(b, St.RELOCATED)] = wp.relocatedHeads;
    mem[fieldAt(b, St.DISPLACED)] = wp.displacedHeads;
    if (phases > 1) mem.set(wp.phaseEnds.subarray(0, phases), this.phaseEndsAt[i] / 8 + k * phases);
    const lanes = layout.lanes.length;
    for (let j = 0; j < lanes; j++) {
      const l = this.laneRow(i, j) + k;
      clearFields(mem, l, Ln.FIELDS);
      mem[fieldAt(l, Ln.H)] = 1;
      mem[fieldAt(l, Ln.DECAY)] = 1;
      mem[fieldAt(l, Ln.CA)] = wp.cA[j];
      mem[fieldAt(l, Ln.NSHARE)] = wp.nShare[j];
      mem[fieldAt(l, Ln.SWITCH_DAY)] = wp.switchDay[j];
      mem[fieldAt(l, Ln.TARGETED)] = wp.targeted[j];
      mem[fieldAt(l, Ln.COLLATERAL)] = wp.collateral[j];
      const lead = this.plan.laneLead[i][j];
      if (lead) this.sameGap(lead, i, j, k);
    }
  }

  /** Where world i's state of path k is (an index into the memory's doubles; its field f at fieldAt). */
  private stateRow(i: number, k: number): number {
    return (this.worlds + WORLD_BYTES * i) / 8 + k;
  }

  /** Where lane j of world i starts (path k's field f at fieldAt(it + k, f)). */
  private laneRow(i: number, j: number): number {
    return (this.laneAt[i] + LANE_BYTES * j) / 8;
  }

  /**
   * Holds what lane j of world i, which reads its lead's gap (plan.laneLead), takes for granted on
   * path k: the lead, set before it, switches on the same day and its world's window ends on the
   * same day.
   */
  private sameGap([li, lj]: [number, number], i: number, j: number, k: number): void {
    const mem = this.f64;
    const switchDay = mem[fieldAt(this.laneRow(i, j) + k, Ln.SWITCH_DAY)];
    const leadSwitch = mem[fieldAt(this.laneRow(li, lj) + k, Ln.SWITCH_DAY)];
    const tEnd = mem[fieldAt(this.stateRow(i, k), St.T_END)];
    const leadEnd = mem[fieldAt(this.stateRow(li, k), St.T_END)];
    if (leadSwitch !== switchDay || leadEnd !== tEnd) {
      throw new Error(`internal: lane ${j} of world ${i} reads the gap of lane ${lj} of world ${li}, which switches on day ${leadSwitch} (not ${switchDay}) in a window ending on day ${leadEnd} (not ${tEnd})`);
    }
  }

  /**
   * This kernel's run is done (its sketches taken): its instance goes back to the pool for the next
   * run in this thread, unless its memory grew past POOLED_BYTES and `keepLarge` is not set.
   * Nothing may be asked of it afterwards.
   */
  release(keepLarge = false): void {
    const p = this.pooled;
    if (p === undefined) return;
    this.pooled = undefined;
    if (!keepLarge && this.x.memory.buffer.byteLength > POOLED_BYTES) return;
    const idle = pooled.get(p.module);
    if (idle === undefined) pooled.set(p.module, [p]);
    else if (idle.length < POOLED_INSTANCES) idle.push(p);
  }

  /** Refuses a released kernel: its instance may be running another pass. */
  private live(): void {
    if (this.pooled === undefined) throw new Error('this kernel was released: its instance may be running another pass');
  }

  /**
   * Runs every world of a block of `count` paths whose inputs and worlds were set (setPath,
   * setWorld). Policies aliased to another world (plan.aliasOf) are not simulated: the caller
   * copies their results.
   */
  runBlock(count: number, out: KernelOutput): void {
    this.live();
    const { plan } = this;
    const { T, discount, policies } = plan;
    const t0 = plan.revocationStart;
    const nPol = policies.length;
    const nM = plan.metrics.length;
    this.views();
    this.f64.fill(0, this.sums / 8, this.sums / 8 + plan.cells);

    const started = performance.now();
    this.x.runDays(count);
    if (++this.blocksSinceFlush === FLUSH_BLOCKS) this.flush();
    this.dayLoopMs += performance.now() - started;

    // Metrics (MODEL.md section 5) and the insolvency days, per path, from the final states.
    this.views();
    const st = this.f64;
    const rows = this.rows / 8;
    const butfor = this.butfor / 8;
    const gapRow = (i: number, j: number) => {
      const lead = plan.laneLead[i][j];
      return lead ? this.laneRow(lead[0], lead[1]) : this.laneRow(i, j);
    };
    out.seriesSums.set(st.subarray(this.sums / 8, this.sums / 8 + plan.cells));
    const T1 = T + 1;
    const sums = emptySums();
    for (let k = 0, a = rows; k < count; k++, a++) {
      const bf = butfor + k;
      const butforEnd: WorldEndState = { alive: st[fieldAt(bf, St.ALIVE)], lastRevenue: st[fieldAt(bf, St.LAST_REVENUE)], insolvencyDay: st[fieldAt(bf, St.INSOLVENCY_DAY)], tailRevenuePv: st[fieldAt(a, In.BF_TAIL)], tailPremiumPv: 0 };
      out.butforInsolvencyDay[k] = butforEnd.insolvencyDay;
      out.butforValue[k] = butforWorldValue({ C0: st[fieldAt(a, In.C0)], butforPvProfit: st[fieldAt(a, In.BF_PV)], discountT: discount[T], V: st[fieldAt(a, In.V)], butfor: butforEnd });
      out.insolvencyDays[Math.max(0, butforEnd.insolvencyDay)]++;
      for (let i = 0; i < nPol; i++) {
        if (plan.aliasOf[i] !== -1) continue;
        const b = this.stateRow(i, k);
        sums.lostRevenue = st[fieldAt(b, St.LOST_REVENUE)];
        sums.lostRevenueAfter = st[fieldAt(b, St.LOST_REVENUE_AFTER)];
        sums.lostProfit = st[fieldAt(b, St.LOST_PROFIT)];
        sums.pvLostProfit = st[fieldAt(b, St.PV_LOST_PROFIT)];
        sums.pvCosts = st[fieldAt(b, St.PV_COSTS)];
        sums.pvBefore = st[fieldAt(b, St.PV_BEFORE)];
        sums.pvAfter = st[fieldAt(b, St.PV_AFTER)];
        sums.pvMitigation = st[fieldAt(b, St.PV_MITIGATION)];
        let targeted = 0;
        let collateral = 0;
        for (let j = 0; j < plan.layouts[i].lanes.length; j++) {
          const days = st[fieldAt(gapRow(i, j) + k, Ln.DAYS_T)];
          const l = this.laneRow(i, j) + k;
          targeted += st[fieldAt(l, Ln.TARGETED)] * days;
          collateral += st[fieldAt(l, Ln.COLLATERAL)] * days;
        }
        writeMetrics(
          out.metrics,
          (k * nPol + i) * nM,
          sums,
          {
            T,
            t0,
            deff: st[fieldAt(b, St.DEFF)],
            discountT: discount[T],
            V: st[fieldAt(a, In.V)],
            m: st[fieldAt(a, In.M)],
            pi: st[fieldAt(a, In.PI)],
            C0: st[fieldAt(a, In.C0)],
            butfor: butforEnd,
            butforPvProfit: st[fieldAt(a, In.BF_PV)],
            world: { alive: st[fieldAt(b, St.ALIVE)], lastRevenue: st[fieldAt(b, St.LAST_REVENUE)], insolvencyDay: st[fieldAt(b, St.INSOLVENCY_DAY)], tailRevenuePv: st[fieldAt(b, St.TAIL_REVENUE)], tailPremiumPv: st[fieldAt(b, St.TAIL_PREMIUM)] },
            targetedAccessDays: targeted,
            collateralAccessDays: collateral,
            mitigated: st[fieldAt(b, St.MITIGATED)] === 1,
            relocatedHeads: st[fieldAt(b, St.RELOCATED)],
            displacedHeads: st[fieldAt(b, St.DISPLACED)],
          },
          plan.withMitigation,
        );
        out.insolvencyDays[(i + 1) * T1 + Math.max(0, st[fieldAt(b, St.INSOLVENCY_DAY)])]++;
        out.insolvencyDay[k * nPol + i] = st[fieldAt(b, St.INSOLVENCY_DAY)];
      }
    }
  }

  /** Moves the kernel's counts into this.held and clears them there. */
  private flush(): void {
    this.held ??= new SketchGrid(this.plan.cells, this.floors);
    this.held.fold([this.kernelData()]);
    this.x.clearCounts(this.plan.cells);
    this.blocksSinceFlush = 0;
  }

  /**
   * The sketch grid of every block run so far as a grid: the one its counts were moved to (see
   * FLUSH_BLOCKS), taken as it is, with no flat copy made of it. Nothing may be asked of this kernel
   * afterwards but release.
   */
  grid(): SketchGrid {
    this.live();
    this.flush();
    const held = this.held!;
    this.held = undefined;
    return held;
  }

  /** The sketch grid of every block run so far (its windows and counts on SharedArrayBuffers when `shared`: typedArray). */
  sketchData(shared = false): SketchData {
    this.live();
    if (this.held === undefined) return this.kernelData(shared);
    this.flush();
    return this.held.serialize(shared);
  }

  /**
   * The same, its counts packed (packCounts' bytes): packed by the kernel (packTrimmed) when it
   * holds them all, so a shard's counts are never copied flat first. `shared` puts the packed bytes
   * on a SharedArrayBuffer (the rest is small).
   */
  packedSketchData(shared = false): PackedSketchData {
    this.live();
    if (this.held !== undefined) {
      const { counts, ...rest } = this.sketchData();
      return { ...rest, packed: packCounts(counts, shared), count: counts.length };
    }
    const { windows, zeros, min, max, total } = this.kernelWindows();
    const at = this.x.packTrimmed(this.plan.cells);
    const packed = typedArray(Uint8Array, this.x.packedBytes(), shared);
    packed.set(new Uint8Array(this.x.memory.buffer, at, packed.length));
    return { cells: this.plan.cells, windows, packed, count: total, zeros, min, max };
  }

  /** The kernel's sketches, each window trimmed to the buckets between its first and last count. */
  private kernelData(shared = false): SketchData {
    const { windows, zeros, min, max, ranges, total } = this.kernelWindows(shared);
    // 16-bit, as the kernel holds them: each window is one memory copy.
    const counts = typedArray(Uint16Array, total, shared);
    const u16 = new Uint16Array(this.f64.buffer);
    for (let r = 0, n = 0; r < ranges.length; r += 2) {
      counts.set(u16.subarray(ranges[r], ranges[r] + ranges[r + 1]), n);
      n += ranges[r + 1];
    }
    return { cells: this.plan.cells, windows, counts, zeros, min, max };
  }

  /**
   * The kernel's windows, trimmed to the buckets between their first and last count, and where
   * each non-empty one's counts are in its memory: ranges holds [first u16 index, length] per
   * window, cell by cell, positive side first.
   */
  private kernelWindows(shared = false): Omit<SketchData, 'counts' | 'cells'> & { ranges: Int32Array; total: number } {
    const { cells } = this.plan;
    const at = this.x.trimWindows(cells);
    this.views();
    const { f64, i32, u32 } = this;
    const windows = typedArray(Int32Array, 4 * cells, shared);
    windows.set(i32.subarray(at / 4, at / 4 + 4 * cells));
    const zeros = new Float64Array(cells);
    const min = new Float64Array(cells);
    const max = new Float64Array(cells);
    const ranges = new Int32Array(4 * cells);
    let r = 0;
    let total = 0;
    for (let c = 0; c < cells; c++) {
      const e = this.dir + c * Cell.BYTES;
      for (let side = 0; side < 2; side++) {
        const [lo, len] = [windows[4 * c + 2 * side], windows[4 * c + 2 * side + 1]];
        if (len === 0) continue;
        const s = e + (side === 0 ? 0 : Cell.NEG_LO);
        ranges[r++] = u32[(s + Cell.POS_PTR) / 4] / 2 + lo - i32[(s + Cell.POS_LO) / 4];
        ranges[r++] = len;
        total += len;
      }
      zeros[c] = f64[(e + Cell.ZEROS) / 8];
      min[c] = f64[(e + Cell.MIN) / 8];
      max[c] = f64[(e + Cell.MAX) / 8];
    }
    return { windows, zeros, min, max, ranges: ranges.subarray(0, r), total };
  }
}
