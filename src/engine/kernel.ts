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
 * README's benchmark). Memory layout (src/wasm/layout.ts): a path's inputs are one row of In.FIELDS
 * doubles, a world's state on a path one row of St.FIELDS, the day's series values one row of
 * SKETCHED.
 */
import { readFileSync } from 'node:fs';
import { METRICS, writeMetrics } from '../model/metrics.js';
import { LOG_CENTRE, LOG_INV_CENTRE, LOG_OF_CENTRE, POW2, TWO_J } from '../model/fastmath.js';
import type { PathInputs } from '../model/world.js';
import { SketchGrid, type SketchData } from '../stats/sketch.js';
import { BLOCK_PATHS, Cell, FLUSH_BLOCKS, In, SKETCHED, St } from '../wasm/layout.js';
import type { Plan } from './block.js';

export { BLOCK_PATHS };

/** Inputs of every path of a block, one row per path. */
export class BlockInputs {
  readonly rows = new Float64Array(BLOCK_PATHS * In.FIELDS);
  /** n_s w_s d_s per segment, path-major [path * segments + s]. */
  readonly nwd: Float64Array;

  constructor(readonly segments: number) {
    this.nwd = new Float64Array(BLOCK_PATHS * segments);
  }

  /** Stores path k's inputs (the same derived constants simulateWorld computes). */
  set(k: number, p: PathInputs): void {
    const r = this.rows;
    const a = k * In.FIELDS;
    r[a + In.RBF0] = p.R0 / 365;
    r[a + In.GROWTH] = 1 + p.g;
    r[a + In.DAILY] = (1 + p.g) ** (1 / 365);
    r[a + In.M] = p.m;
    r[a + In.XDAY] = p.X / 365;
    r[a + In.C0] = p.C0;
    r[a + In.B] = p.B;
    r[a + In.V] = p.V;
    r[a + In.L] = p.L;
    r[a + In.GAMMA] = p.gamma;
    r[a + In.H0] = p.H0;
    r[a + In.ALPHA_DAY] = p.alpha / 365;
    r[a + In.ALPHA_STEP] = Math.exp(p.alpha / 365);
    r[a + In.KLN2] = p.kappa * Math.LN2;
    r[a + In.TAU0] = p.tau0;
    r[a + In.RHO] = p.rho;
    r[a + In.SWITCH] = p.switchCost;
    r[a + In.SWITCH_BACK] = p.switchBackCost;
    r[a + In.TAU_K] = p.tauK;
    r[a + In.MU] = p.mu;
    r[a + In.EPS] = p.eps;
    r[a + In.TAU_LOSS] = p.tauLoss;
    r[a + In.TAU_WIN] = p.tauWin;
    const f = p.financing;
    r[a + In.RAISE_BELOW] = f ? f.raiseBelow : -Infinity;
    r[a + In.ROUND_SIZE] = f ? f.roundSize : 0;
    r[a + In.PF] = f ? f.pf : 0;
    r[a + In.PSI] = f ? f.psi : 0;
    r[a + In.RETRY] = f ? f.retryDays : 0;
    let ybf = 0;
    for (let s = 0; s < this.segments; s++) {
      ybf += p.n[s] * p.w[s];
      this.nwd[k * this.segments + s] = p.n[s] * p.w[s] * p.d[s];
    }
    r[a + In.YBF] = ybf;
  }
}

/** Sets the initial state of a world (MODEL.md section 4) on paths 0 ... count-1. */
function resetWorld(st: Float64Array, base: number, rows: Float64Array, count: number): void {
  for (let k = 0, b = base; k < count; k++, b += St.FIELDS) {
    st[b + St.K] = 1;
    st[b + St.S] = 1;
    st[b + St.C] = rows[k * In.FIELDS + In.C0];
    st[b + St.ALIVE] = 1;
    st[b + St.INSOLVENCY_DAY] = -1;
    st[b + St.SUCCESSES] = 0;
    st[b + St.ATTEMPTS] = 0;
    st[b + St.NEXT_ATTEMPT] = 0;
    st[b + St.LAST_REVENUE] = 0;
    st[b + St.GAP] = 0;
    st[b + St.GROWTH] = 1;
    st[b + St.LOST_REVENUE] = 0;
    st[b + St.LOST_REVENUE_AFTER] = 0;
    st[b + St.LOST_PROFIT] = 0;
    st[b + St.PV_LOST_PROFIT] = 0;
  }
}

/** What the kernel computes for a block of paths. */
export interface KernelOutput {
  /** [path][policy][metric], path-major within the block (aliased policies' slots unused). */
  metrics: Float64Array;
  /** 1 where the but-for world became insolvent. */
  butforInsolvent: Uint8Array;
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
  kernelInit(T: number, t0: number, policies: number, storedDays: number, maxRounds: number, discount: number, seriesDays: number, skip: number, gapOf: number, rows: number, butfor: number, worlds: number, day: number, sums: number): void;
  runDays(count: number): void;
}

/** Where the built kernel lives: beside this module in dist/, or dist/ when running from src/. */
function wasmUrl(): URL {
  return import.meta.url.endsWith('.ts') ? new URL('../../dist/kernel.wasm', import.meta.url) : new URL('./kernel.wasm', import.meta.url);
}

let compiled: WebAssembly.Module | undefined;

/**
 * The compiled kernel, once per process: the main thread compiles it and hands it to the workers
 * (useKernelModule), which then share its machine code, optimized as it runs.
 */
export function kernelModule(): WebAssembly.Module {
  if (compiled === undefined) {
    const url = wasmUrl();
    let bytes: Uint8Array<ArrayBuffer>;
    try {
      bytes = new Uint8Array(readFileSync(url));
    } catch {
      throw new Error(`the compiled day loop ${url.pathname} is missing: run npm run build`);
    }
    compiled = new WebAssembly.Module(bytes);
  }
  return compiled;
}

/** What the kernel imports from JavaScript. */
export function kernelImports(financingU: (k: number, attempt: number) => number): WebAssembly.Imports {
  return {
    env: {
      pow: Math.pow,
      exp: Math.exp,
      log: Math.log,
      financingU,
      outOfMemory: (bytes: number) => {
        throw new Error(`the day loop needs more than ${Math.round(bytes / 2 ** 20)} MiB for this run's series sketches, past WebAssembly's 4 GiB: store fewer series days (simulation.series_step_days) or compare fewer policies`);
      },
    },
  };
}

/** Uses a kernel module compiled in another thread (kernelModule there). */
export function useKernelModule(module: WebAssembly.Module): void {
  compiled = module;
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
  private f64 = new Float64Array(0);
  private i32 = new Int32Array(0);
  private u32 = new Uint32Array(0);
  /** Counts taken from the kernel's 16-bit sketches so far (see FLUSH_BLOCKS), and blocks since. */
  private held?: SketchGrid;
  private blocksSinceFlush = 0;

  constructor(
    private readonly plan: Plan,
    private readonly floors: Float64Array,
    financingU: (k: number, attempt: number) => number,
  ) {
    const instance = new WebAssembly.Instance(kernelModule(), kernelImports(financingU));
    const x = (this.x = instance.exports as unknown as KernelExports);
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
    const skip = i32Array(plan.aliasOf.map((a) => (a >= 0 ? 1 : 0)));
    const gapOf = i32Array(plan.gapOf);
    // Rows start on cache lines (64 bytes), so each row's daily fields take as few as they can.
    const lines = (bytes: number) => (x.alloc(bytes + 64) + 63) & ~63;
    this.rows = lines(8 * BLOCK_PATHS * In.FIELDS);
    this.butfor = lines(8 * BLOCK_PATHS * St.FIELDS);
    this.worlds = lines(8 * BLOCK_PATHS * St.FIELDS * nPol);
    const day = x.alloc(8 * BLOCK_PATHS * SKETCHED);
    this.sums = x.alloc(8 * plan.cells);
    x.kernelInit(plan.T, plan.revocationStart, nPol, nd, plan.maxRounds, discount, seriesDays, skip, gapOf, this.rows, this.butfor, this.worlds, day, this.sums);
  }

  /** Views of the memory (made again after the memory has grown). */
  private views(): void {
    const buffer = this.x.memory.buffer;
    if (this.f64.buffer === buffer) return;
    this.f64 = new Float64Array(buffer);
    this.i32 = new Int32Array(buffer);
    this.u32 = new Uint32Array(buffer);
  }

  /**
   * Runs every world of a block of `count` paths. `deffOf(policy, k)` gives a policy's revoked days
   * on path k. Policies aliased to another world (plan.aliasOf) are not simulated: the caller
   * copies their results.
   */
  runBlock(inputs: BlockInputs, count: number, deffOf: (policy: number, k: number) => number, out: KernelOutput): void {
    const { plan } = this;
    const { T, discount, policies } = plan;
    const t0 = plan.revocationStart;
    const nSeg = inputs.segments;
    const rows = inputs.rows;
    const nPol = policies.length;
    this.views();
    const mem = this.f64;
    mem.set(rows.subarray(0, count * In.FIELDS), this.rows / 8);
    const butfor = this.butfor / 8;
    const world = (i: number) => (this.worlds + 8 * BLOCK_PATHS * St.FIELDS * i) / 8;
    resetWorld(mem, butfor, rows, count);
    for (let i = 0; i < nPol; i++) {
      if (plan.aliasOf[i] >= 0) continue;
      const base = world(i);
      resetWorld(mem, base, rows, count);
      const pol = policies[i];
      for (let k = 0, a = 0, b = base; k < count; k++, a += In.FIELDS, b += St.FIELDS) {
        const D = deffOf(i, k);
        let cA = 0;
        for (const s of pol.segments) cA += inputs.nwd[k * nSeg + s];
        mem[b + St.DEFF] = D;
        mem[b + St.T_END] = t0 + D;
        mem[b + St.CA] = cA / rows[a + In.YBF];
        mem[b + St.PRODUCT_MU] = pol.product && D > 0 ? rows[a + In.MU] : -1;
        mem[b + St.DECAY] = Math.exp(-1 / (rows[a + In.TAU0] + rows[a + In.RHO] * D));
      }
    }
    mem.fill(0, this.sums / 8, this.sums / 8 + plan.cells);

    this.x.runDays(count);
    if (++this.blocksSinceFlush === FLUSH_BLOCKS) this.flush();

    // Metrics (MODEL.md section 5) and the insolvency days, per path, from the final states.
    this.views();
    const st = this.f64;
    out.seriesSums.set(st.subarray(this.sums / 8, this.sums / 8 + plan.cells));
    const T1 = T + 1;
    for (let k = 0, a = 0; k < count; k++, a += In.FIELDS) {
      const bf = butfor + k * St.FIELDS;
      const butforInsolvencyDay = st[bf + St.INSOLVENCY_DAY];
      const butforTerminalValue = rows[a + In.V] * 365 * st[bf + St.LAST_REVENUE] * st[bf + St.ALIVE];
      out.butforInsolvent[k] = butforInsolvencyDay >= 0 ? 1 : 0;
      out.insolvencyDays[Math.max(0, butforInsolvencyDay)]++;
      for (let i = 0; i < nPol; i++) {
        if (plan.aliasOf[i] >= 0) continue;
        const b = world(i) + k * St.FIELDS;
        const pol = policies[i];
        writeMetrics(
          out.metrics,
          (k * nPol + i) * METRICS.length,
          { lostRevenue: st[b + St.LOST_REVENUE], lostRevenueAfter: st[b + St.LOST_REVENUE_AFTER], lostProfit: st[b + St.LOST_PROFIT], pvLostProfit: st[b + St.PV_LOST_PROFIT] },
          {
            T,
            t0,
            revokedDays: st[b + St.DEFF],
            discountT: discount[T],
            butforTerminalValue,
            terminalValue: rows[a + In.V] * 365 * st[b + St.LAST_REVENUE] * st[b + St.ALIVE],
            insolvencyDay: st[b + St.INSOLVENCY_DAY],
            butforInsolvencyDay,
            targetedHeadcount: pol.targetedHeadcount,
            collateralHeadcount: pol.collateralHeadcount,
          },
        );
        out.insolvencyDays[(i + 1) * T1 + Math.max(0, st[b + St.INSOLVENCY_DAY])]++;
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

  /** The sketch grid of every block run so far. */
  sketchData(): SketchData {
    if (this.held === undefined) return this.kernelData();
    this.flush();
    return this.held.serialize();
  }

  /** The kernel's sketches, each window trimmed to the buckets between its first and last count. */
  private kernelData(): SketchData {
    const { cells } = this.plan;
    const at = this.x.trimWindows(cells);
    // 16-bit, as the kernel holds them: each window is one memory copy.
    const counts = new Uint16Array(this.x.serializedTotal());
    this.views();
    const { f64, i32, u32 } = this;
    const u16 = new Uint16Array(f64.buffer);
    const windows = i32.slice(at / 4, at / 4 + 4 * cells);
    const zeros = new Float64Array(cells);
    const min = new Float64Array(cells);
    const max = new Float64Array(cells);
    let n = 0;
    for (let c = 0; c < cells; c++) {
      const e = this.dir + c * Cell.BYTES;
      for (let side = 0; side < 2; side++) {
        const [lo, len] = [windows[4 * c + 2 * side], windows[4 * c + 2 * side + 1]];
        if (len === 0) continue;
        const s = e + (side === 0 ? 0 : Cell.NEG_LO);
        const from = u32[(s + Cell.POS_PTR) / 4] / 2 + lo - i32[(s + Cell.POS_LO) / 4];
        counts.set(u16.subarray(from, from + len), n);
        n += len;
      }
      zeros[c] = f64[(e + Cell.ZEROS) / 8];
      min[c] = f64[(e + Cell.MIN) / 8];
      max[c] = f64[(e + Cell.MAX) / 8];
    }
    return { cells, windows, counts, zeros, min, max };
  }
}
