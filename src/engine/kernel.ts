/**
 * The day loop of MODEL.md section 4 run in lockstep over a block of paths: for each day, the
 * but-for world and then each policy world advance every path of the block by one day. This is
 * the per-path function simulateWorld (src/model/world.ts) reorganised for speed: the same
 * floating-point operations in the same order, so results are bit-identical to it (a test checks).
 *
 * Why lockstep: every (world, variable, stored day) has its own quantile sketch; visiting the
 * days in the outer loop sends a whole block's values for one day into the same sketch in a row,
 * so the sketch stays in cache, and no per-path trace or buffer is needed.
 *
 * Memory layout: a path's inputs are one row of a Float64Array (In.FIELDS wide), a world's
 * state on a path one row of that world's Float64Array (St.FIELDS wide), and the day's series
 * values one row of SKETCHED. One typed array per role instead of one per quantity: V8 re-reads a
 * typed array's base and length at each access in the loop, and with rows and constant offsets
 * (const enums, which the bundler inlines) the whole benchmark ran ~12% faster than with forty
 * separate arrays. The hot loop allocates nothing.
 */
import { METRICS, writeMetrics } from '../model/metrics.js';
import { powPos } from '../model/fastmath.js';
import { ANCHOR_DAYS, capabilityFactor, DPM, type PathInputs } from '../model/world.js';
import { bitsView, type SketchGrid } from '../stats/sketch.js';
import type { Plan } from './block.js';
import { cellOf, SKETCHED } from './series.js';

/** Paths per block. Fixed, so per-block partial sums reduce identically for any thread count. */
export const BLOCK_PATHS = 1024;

// Fields of a path's input row (a const enum: the bundler inlines the numbers). The last three
// change daily: the but-for revenue Rbf(t), and the but-for world's revenue and profit of the day.
const enum In {
  RBF0, // R0/365
  GROWTH, // 1 + g
  DAILY, // (1 + g)^(1/365)
  M,
  XDAY, // X/365
  C0,
  B,
  V,
  L,
  GAMMA,
  H0,
  ALPHA_DAY, // alpha/365
  ALPHA_STEP, // exp(alpha/365)
  KLN2, // kappa ln2
  TAU0,
  RHO,
  SWITCH,
  SWITCH_BACK,
  TAU_K,
  MU,
  EPS,
  TAU_LOSS,
  TAU_WIN,
  RAISE_BELOW,
  ROUND_SIZE,
  PF,
  PSI,
  RETRY,
  YBF, // Σ_s n_s w_s
  RBF, // Rbf(t)
  R_BF, // the but-for world's R of the day
  P_BF, // the but-for world's P of the day
  FIELDS,
}

/** Fields of a world's state row on a path. */
const enum St {
  K,
  S,
  C,
  ALIVE,
  INSOLVENCY_DAY,
  SUCCESSES,
  ATTEMPTS,
  NEXT_ATTEMPT,
  LAST_REVENUE,
  GAP, // e of the day (GAP, GROWTH and H: kept by worlds that compute e, not by those reading it from a lead)
  GROWTH, // exp(alpha t / 365) of the last revoked day
  DEFF,
  T_END,
  CA, // affected share of but-for output weighted by dependence
  PRODUCT_MU, // mu when the product is cut off, else -1
  H, // 2^(-kappa e) of the day
  DECAY, // exp(-1/tau_r)
  LOST_REVENUE,
  LOST_REVENUE_AFTER,
  LOST_PROFIT,
  PV_LOST_PROFIT,
  FIELDS,
}

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
function resetWorld(st: Float64Array, rows: Float64Array, count: number): void {
  for (let k = 0, b = 0; k < count; k++, b += St.FIELDS) {
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

export interface KernelOutput {
  /** [path][policy][metric] for the simulated policies (index into plan.policies). */
  metrics: Float64Array;
  seriesSums: Float64Array;
  insolvencyDays: Float64Array;
  butforInsolvent: Uint8Array;
}

/**
 * Runs every world of a block of `count` paths. `deffOf(policy, k)` gives a policy's revoked days
 * on path k; `financingU(k, i)` the i-th uniform of path k's financing stream (one function, so
 * the call site in the loop always sees the same target). Policies in `skip` are not simulated
 * (they equal another world on every path; the caller copies their results).
 */
export function runBlockKernel(
  plan: Plan,
  inputs: BlockInputs,
  count: number,
  deffOf: (policy: number, k: number) => number,
  financingU: (k: number, attempt: number) => number,
  skip: readonly boolean[],
  sketches: SketchGrid,
  out: KernelOutput,
  scratch: KernelScratch,
): void {
  const { T, discount, seriesDays, policies } = plan;
  const nd = seriesDays.length;
  const t0 = plan.revocationStart;
  const nSeg = inputs.segments;
  const rows = inputs.rows;
  const { butfor, worlds, day, dayBits } = scratch;
  const nPol = policies.length;
  const maxRounds = plan.maxRounds;

  resetWorld(butfor, rows, count);
  for (let i = 0; i < nPol; i++) {
    if (skip[i]) continue;
    const st = worlds[i];
    resetWorld(st, rows, count);
    const pol = policies[i];
    for (let k = 0, a = 0, b = 0; k < count; k++, a += In.FIELDS, b += St.FIELDS) {
      const D = deffOf(i, k);
      let cA = 0;
      for (const s of pol.segments) cA += inputs.nwd[k * nSeg + s];
      st[b + St.DEFF] = D;
      st[b + St.T_END] = t0 + D;
      st[b + St.CA] = cA / rows[a + In.YBF];
      st[b + St.PRODUCT_MU] = pol.product && D > 0 ? rows[a + In.MU] : -1;
      st[b + St.DECAY] = Math.exp(-1 / (rows[a + In.TAU0] + rows[a + In.RHO] * D));
    }
  }

  let j = 0; // index of the next stored series day
  for (let t = 0; t < T; t++) {
    const df = discount[t];
    const stored = j < nd && seriesDays[j] === t;
    // But-for revenue of the day, Rbf(t): exact power every 64 days, a daily growth factor between.
    if (t % ANCHOR_DAYS === 0) for (let k = 0, a = 0; k < count; k++, a += In.FIELDS) rows[a + In.RBF] = rows[a + In.RBF0] * rows[a + In.GROWTH] ** (t / 365);

    // The but-for world: e = 0, K = S = q = 1 and no switching costs (so R = Rbf alive, and the
    // financing chance is p_f).
    {
      const st = butfor;
      for (let k = 0, a = 0, b = 0, d = 0; k < count; k++, a += In.FIELDS, b += St.FIELDS, d += SKETCHED) {
        const alive = st[b + St.ALIVE];
        const R = rows[a + In.RBF] * alive;
        const P = alive * (rows[a + In.M] * R - rows[a + In.XDAY]);
        rows[a + In.R_BF] = R;
        rows[a + In.P_BF] = P;
        st[b + St.LAST_REVENUE] = R;
        if (stored) day[d + 3] = 365 * R;
        updateCash(st, b, rows, a, k, t, P, alive, 1, maxRounds, financingU);
      }
      if (stored) {
        recordConstant(sketches, out.seriesSums, plan, 0, 0, j, 0, count);
        recordConstant(sketches, out.seriesSums, plan, 0, 1, j, 1, count);
        recordConstant(sketches, out.seriesSums, plan, 0, 2, j, 1, count);
        record(sketches, out.seriesSums, plan, 0, 3, j, day, dayBits, count);
        recordConstant(sketches, out.seriesSums, plan, 0, 4, j, 0, count);
      }
    }

    // Each simulated policy world.
    for (let i = 0; i < nPol; i++) {
      if (skip[i]) continue;
      const lead = plan.gapOf[i] >= 0 ? worlds[plan.gapOf[i]] : undefined;
      stepPolicyWorld(worlds[i], lead, rows, count, t, t0, df, stored ? day : undefined, maxRounds, financingU);
      if (stored) {
        // The gap series holds e, the revoked staff's gap (scaled by the policy's share of staff
        // when reported); a world that reads e from another world has the same cells as it, and
        // the reduction copies them (Reducer.finish).
        const world = i + 1;
        for (let v = lead === undefined ? 0 : 1; v < SKETCHED; v++) record(sketches, out.seriesSums, plan, world, v, j, day, dayBits, count);
      }
    }
    for (let k = 0, a = 0; k < count; k++, a += In.FIELDS) rows[a + In.RBF] *= rows[a + In.DAILY];
    if (stored) j++;
  }

  // Metrics (MODEL.md section 5) and the insolvency days, per path.
  const T1 = T + 1;
  for (let k = 0, a = 0, b = 0; k < count; k++, a += In.FIELDS, b += St.FIELDS) {
    const butforInsolvencyDay = butfor[b + St.INSOLVENCY_DAY];
    const butforTerminalValue = rows[a + In.V] * 365 * butfor[b + St.LAST_REVENUE] * butfor[b + St.ALIVE];
    out.butforInsolvent[k] = butforInsolvencyDay >= 0 ? 1 : 0;
    out.insolvencyDays[Math.max(0, butforInsolvencyDay)]++;
    for (let i = 0; i < nPol; i++) {
      if (skip[i]) continue;
      const st = worlds[i];
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

/**
 * Advances one policy world by day t on every path of the block, MODEL.md steps 1-7, and writes
 * the day's series values into `day` when given (a stored day). With `lead`, a world already
 * advanced to day t whose revocation window is this world's on every path (plan.gapOf), the gap e
 * and 2^(-kappa e) are read from it instead of computed again.
 */
function stepPolicyWorld(
  st: Float64Array,
  lead: Float64Array | undefined,
  rows: Float64Array,
  count: number,
  t: number,
  t0: number,
  df: number,
  day: Float64Array | undefined,
  maxRounds: number,
  financingU: (k: number, attempt: number) => number,
): void {
  // Quantities that depend on the day only.
  const revokable = t >= t0;
  const M = (t - t0) / DPM;
  const anchor = (t - t0) % ANCHOR_DAYS === 0;
  const atStart = t === t0;
  for (let k = 0, a = 0, b = 0, d = 0; k < count; k++, a += In.FIELDS, b += St.FIELDS, d += SKETCHED) {
    const tEnd = st[b + St.T_END];
    // 1-2. Fallback gap while revoked; geometric decay after. 3. Its factor 2^(-kappa e).
    let e: number;
    let h: number;
    if (lead !== undefined) {
      e = lead[b + St.GAP];
      h = lead[b + St.H];
    } else {
      if (revokable && t < tEnd) {
        const growth = (st[b + St.GROWTH] = anchor ? Math.exp(rows[a + In.ALPHA_DAY] * t) : st[b + St.GROWTH] * rows[a + In.ALPHA_STEP]);
        e = ((rows[a + In.L] + rows[a + In.GAMMA] * M) * growth) / rows[a + In.H0];
      } else {
        e = st[b + St.GAP] * st[b + St.DECAY];
      }
      st[b + St.GAP] = e;
      h = st[b + St.H] = capabilityFactor(rows[a + In.KLN2], e);
    }
    // 3-4. Output, quality, target share.
    const yRel = 1 - st[b + St.CA] * (1 - h);
    const K = st[b + St.K];
    const pm = st[b + St.PRODUCT_MU];
    const q = pm >= 0 ? K * (1 - pm * (1 - h)) : K;
    const target = q === 1 ? 1 : powPos(q, rows[a + In.EPS]);
    // 5. Revenue and profit.
    const S = st[b + St.S];
    const alive = st[b + St.ALIVE];
    const R = rows[a + In.RBF] * S * alive;
    let cost = 0;
    if (st[b + St.DEFF] > 0) {
      if (atStart) cost += rows[a + In.SWITCH];
      if (t === tEnd) cost += rows[a + In.SWITCH_BACK];
    }
    const P = alive * (rows[a + In.M] * R - rows[a + In.XDAY] - cost);
    // 6. Record: metrics accumulate in day order, as computeMetrics sums them.
    const dr = rows[a + In.R_BF] - R;
    const dp = rows[a + In.P_BF] - P;
    st[b + St.LOST_REVENUE] += dr;
    if (t >= tEnd) st[b + St.LOST_REVENUE_AFTER] += dr;
    st[b + St.LOST_PROFIT] += dp;
    const pv = (st[b + St.PV_LOST_PROFIT] += df * dp);
    st[b + St.LAST_REVENUE] = R;
    if (day !== undefined) {
      day[d] = e;
      day[d + 1] = q;
      day[d + 2] = S;
      day[d + 3] = 365 * R;
      day[d + 4] = pv;
    }
    // 7. Update.
    st[b + St.K] = K + (yRel - K) / rows[a + In.TAU_K];
    st[b + St.S] = S + (target - S) / (target < S ? rows[a + In.TAU_LOSS] : rows[a + In.TAU_WIN]);
    updateCash(st, b, rows, a, k, t, P, alive, q, maxRounds, financingU);
  }
}

/**
 * Step 7's cash update of a world on path k (input row at a, state row at b): C += P; a financing
 * attempt when one is due, which succeeds when the path's next financing uniform is below
 * p_f q^psi (q = 1 in the but-for world, where this is p_f exactly); then insolvency.
 */
function updateCash(
  st: Float64Array,
  b: number,
  rows: Float64Array,
  a: number,
  k: number,
  t: number,
  P: number,
  alive: number,
  q: number,
  maxRounds: number,
  financingU: (k: number, attempt: number) => number,
): void {
  let C = st[b + St.C] + P;
  if (alive === 1 && C < rows[a + In.RAISE_BELOW] && st[b + St.SUCCESSES] < maxRounds && t + 1 >= st[b + St.NEXT_ATTEMPT]) {
    if (financingU(k, st[b + St.ATTEMPTS]++) < rows[a + In.PF] * powPos(q, rows[a + In.PSI])) {
      C += rows[a + In.ROUND_SIZE];
      st[b + St.SUCCESSES]++;
    }
    st[b + St.NEXT_ATTEMPT] = t + 1 + rows[a + In.RETRY];
  }
  st[b + St.C] = C;
  if (alive === 1 && C < -rows[a + In.B]) {
    st[b + St.ALIVE] = 0;
    st[b + St.INSOLVENCY_DAY] = t + 1;
  }
}

/** Adds one day's block values of a (world, variable) to the sums (in path order) and its sketch. */
function record(sketches: SketchGrid, sums: Float64Array, plan: Plan, world: number, variable: number, j: number, day: Float64Array, dayBits: Uint32Array, count: number): void {
  const c = cellOf(plan, world, variable, j);
  sums[c] = sketches.addMany(c, day, dayBits, variable, SKETCHED, count, sums[c]);
}

/** The same for a value every path shares (0 or 1: the but-for world's gap, quality, share, harm). */
function recordConstant(sketches: SketchGrid, sums: Float64Array, plan: Plan, world: number, variable: number, j: number, value: 0 | 1, count: number): void {
  const c = cellOf(plan, world, variable, j);
  sums[c] += value * count; // exact: a sum of `count` zeros or ones
  sketches.add(c, value, count);
}

/** Reusable arrays of the kernel, sized for a whole block. */
export class KernelScratch {
  readonly butfor = new Float64Array(BLOCK_PATHS * St.FIELDS);
  readonly worlds: Float64Array[];
  /** The day's values of the sketched series in one world, one row of SKETCHED per path. */
  readonly day = new Float64Array(BLOCK_PATHS * SKETCHED);
  readonly dayBits = bitsView(this.day);
  constructor(policies: number) {
    this.worlds = Array.from({ length: policies }, () => new Float64Array(BLOCK_PATHS * St.FIELDS));
  }
}
