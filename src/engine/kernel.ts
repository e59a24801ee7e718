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
 * Memory layout: a path's inputs are one row of a Float64Array (INPUT_FIELDS wide), a world's
 * state on a path one row of that world's Float64Array (STATE_FIELDS wide), and the day's series
 * values one row of SKETCHED. One typed array per role instead of one per quantity: V8 re-reads a
 * typed array's base and length at each access in the loop, so forty arrays cost more than the
 * arithmetic (the row layout measured about twice as fast). The hot loop allocates nothing.
 */
import { METRICS, writeMetrics } from '../model/metrics.js';
import { ANCHOR_DAYS, capabilityFactor, DPM, powPos, type PathInputs } from '../model/world.js';
import { bitsView, type SketchGrid } from '../stats/sketch.js';
import type { Plan } from './block.js';
import { cellOf, SKETCHED } from './series.js';

/** Paths per block. Fixed, so per-block partial sums reduce identically for any thread count. */
export const BLOCK_PATHS = 1024;

// Fields of a path's input row. The last three change daily: the but-for revenue Rbf(t), and the
// but-for world's revenue and profit of the day.
const I_RBF0 = 0; // R0/365
const I_GROWTH = 1; // 1 + g
const I_DAILY = 2; // (1 + g)^(1/365)
const I_M = 3;
const I_XDAY = 4; // X/365
const I_C0 = 5;
const I_B = 6;
const I_V = 7;
const I_L = 8;
const I_GAMMA = 9;
const I_H0 = 10;
const I_ALPHA_DAY = 11; // alpha/365
const I_ALPHA_STEP = 12; // exp(alpha/365)
const I_KLN2 = 13; // kappa ln2
const I_TAU0 = 14;
const I_RHO = 15;
const I_SWITCH = 16;
const I_SWITCH_BACK = 17;
const I_TAU_K = 18;
const I_MU = 19;
const I_EPS = 20;
const I_TAU_LOSS = 21;
const I_TAU_WIN = 22;
const I_RAISE_BELOW = 23;
const I_ROUND_SIZE = 24;
const I_PF = 25;
const I_PSI = 26;
const I_RETRY = 27;
const I_YBF = 28; // Σ_s n_s w_s
const I_RBF = 29; // Rbf(t)
const I_R_BF = 30; // the but-for world's R of the day
const I_P_BF = 31; // the but-for world's P of the day
const INPUT_FIELDS = 32;

// Fields of a world's state row on a path.
const W_K = 0;
const W_S = 1;
const W_C = 2;
const W_ALIVE = 3;
const W_INSOLVENCY_DAY = 4;
const W_SUCCESSES = 5;
const W_ATTEMPTS = 6;
const W_NEXT_ATTEMPT = 7;
const W_LAST_REVENUE = 8;
const W_GAP = 9;
const W_GROWTH = 10; // exp(alpha t / 365) of the last revoked day
const W_DEFF = 11;
const W_T_END = 12;
const W_CA = 13; // affected share of but-for output weighted by dependence
const W_PRODUCT_MU = 14; // mu when the product is cut off, else -1
const W_DECAY = 15; // exp(-1/tau_r)
const W_LOST_REVENUE = 16;
const W_LOST_REVENUE_AFTER = 17;
const W_LOST_PROFIT = 18;
const W_PV_LOST_PROFIT = 19;
const STATE_FIELDS = 20;

/** Inputs of every path of a block, one row per path. */
export class BlockInputs {
  readonly rows = new Float64Array(BLOCK_PATHS * INPUT_FIELDS);
  /** n_s w_s d_s per segment, path-major [path * segments + s]. */
  readonly nwd: Float64Array;

  constructor(readonly segments: number) {
    this.nwd = new Float64Array(BLOCK_PATHS * segments);
  }

  /** Stores path k's inputs (the same derived constants simulateWorld computes). */
  set(k: number, p: PathInputs): void {
    const r = this.rows;
    const a = k * INPUT_FIELDS;
    r[a + I_RBF0] = p.R0 / 365;
    r[a + I_GROWTH] = 1 + p.g;
    r[a + I_DAILY] = (1 + p.g) ** (1 / 365);
    r[a + I_M] = p.m;
    r[a + I_XDAY] = p.X / 365;
    r[a + I_C0] = p.C0;
    r[a + I_B] = p.B;
    r[a + I_V] = p.V;
    r[a + I_L] = p.L;
    r[a + I_GAMMA] = p.gamma;
    r[a + I_H0] = p.H0;
    r[a + I_ALPHA_DAY] = p.alpha / 365;
    r[a + I_ALPHA_STEP] = Math.exp(p.alpha / 365);
    r[a + I_KLN2] = p.kappa * Math.LN2;
    r[a + I_TAU0] = p.tau0;
    r[a + I_RHO] = p.rho;
    r[a + I_SWITCH] = p.switchCost;
    r[a + I_SWITCH_BACK] = p.switchBackCost;
    r[a + I_TAU_K] = p.tauK;
    r[a + I_MU] = p.mu;
    r[a + I_EPS] = p.eps;
    r[a + I_TAU_LOSS] = p.tauLoss;
    r[a + I_TAU_WIN] = p.tauWin;
    const f = p.financing;
    r[a + I_RAISE_BELOW] = f ? f.raiseBelow : -Infinity;
    r[a + I_ROUND_SIZE] = f ? f.roundSize : 0;
    r[a + I_PF] = f ? f.pf : 0;
    r[a + I_PSI] = f ? f.psi : 0;
    r[a + I_RETRY] = f ? f.retryDays : 0;
    let ybf = 0;
    for (let s = 0; s < this.segments; s++) {
      ybf += p.n[s] * p.w[s];
      this.nwd[k * this.segments + s] = p.n[s] * p.w[s] * p.d[s];
    }
    r[a + I_YBF] = ybf;
  }
}

/** Sets the initial state of a world (MODEL.md section 4) on paths 0 ... count-1. */
function resetWorld(st: Float64Array, rows: Float64Array, count: number): void {
  for (let k = 0, b = 0; k < count; k++, b += STATE_FIELDS) {
    st[b + W_K] = 1;
    st[b + W_S] = 1;
    st[b + W_C] = rows[k * INPUT_FIELDS + I_C0];
    st[b + W_ALIVE] = 1;
    st[b + W_INSOLVENCY_DAY] = -1;
    st[b + W_SUCCESSES] = 0;
    st[b + W_ATTEMPTS] = 0;
    st[b + W_NEXT_ATTEMPT] = 0;
    st[b + W_LAST_REVENUE] = 0;
    st[b + W_GAP] = 0;
    st[b + W_GROWTH] = 1;
    st[b + W_LOST_REVENUE] = 0;
    st[b + W_LOST_REVENUE_AFTER] = 0;
    st[b + W_LOST_PROFIT] = 0;
    st[b + W_PV_LOST_PROFIT] = 0;
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
 * on path k; `financingU(k)` gives path k's financing uniforms. Policies in `skip` are not
 * simulated (they equal another world on every path; the caller copies their results).
 */
export function runBlockKernel(
  plan: Plan,
  inputs: BlockInputs,
  count: number,
  deffOf: (policy: number, k: number) => number,
  financingU: (k: number) => (attempt: number) => number,
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
  const { butfor, worlds, day, dayBits, fin } = scratch;
  const nPol = policies.length;
  const maxRounds = plan.maxRounds;

  resetWorld(butfor, rows, count);
  for (let i = 0; i < nPol; i++) {
    if (skip[i]) continue;
    const st = worlds[i];
    resetWorld(st, rows, count);
    const pol = policies[i];
    for (let k = 0, a = 0, b = 0; k < count; k++, a += INPUT_FIELDS, b += STATE_FIELDS) {
      const D = deffOf(i, k);
      let cA = 0;
      for (const s of pol.segments) cA += inputs.nwd[k * nSeg + s];
      st[b + W_DEFF] = D;
      st[b + W_T_END] = t0 + D;
      st[b + W_CA] = cA / rows[a + I_YBF];
      st[b + W_PRODUCT_MU] = pol.product && D > 0 ? rows[a + I_MU] : -1;
      st[b + W_DECAY] = Math.exp(-1 / (rows[a + I_TAU0] + rows[a + I_RHO] * D));
    }
  }
  for (let k = 0; k < count; k++) fin[k] = financingU(k);

  let j = 0; // index of the next stored series day
  for (let t = 0; t < T; t++) {
    const df = discount[t];
    const stored = j < nd && seriesDays[j] === t;
    // But-for revenue of the day, Rbf(t): exact power every 64 days, a daily growth factor between.
    if (t % ANCHOR_DAYS === 0) for (let k = 0, a = 0; k < count; k++, a += INPUT_FIELDS) rows[a + I_RBF] = rows[a + I_RBF0] * rows[a + I_GROWTH] ** (t / 365);

    // The but-for world: e = 0, K = S = q = 1 and no switching costs (so R = Rbf alive, and the
    // financing chance is p_f).
    {
      const st = butfor;
      for (let k = 0, a = 0, b = 0, d = 0; k < count; k++, a += INPUT_FIELDS, b += STATE_FIELDS, d += SKETCHED) {
        const alive = st[b + W_ALIVE];
        const R = rows[a + I_RBF] * alive;
        const P = alive * (rows[a + I_M] * R - rows[a + I_XDAY]);
        rows[a + I_R_BF] = R;
        rows[a + I_P_BF] = P;
        st[b + W_LAST_REVENUE] = R;
        if (stored) day[d + 3] = 365 * R;
        let C = st[b + W_C] + P;
        if (alive === 1 && C < rows[a + I_RAISE_BELOW] && st[b + W_SUCCESSES] < maxRounds && t + 1 >= st[b + W_NEXT_ATTEMPT]) {
          if (fin[k](st[b + W_ATTEMPTS]++) < rows[a + I_PF]) {
            C += rows[a + I_ROUND_SIZE];
            st[b + W_SUCCESSES]++;
          }
          st[b + W_NEXT_ATTEMPT] = t + 1 + rows[a + I_RETRY];
        }
        st[b + W_C] = C;
        if (alive === 1 && C < -rows[a + I_B]) {
          st[b + W_ALIVE] = 0;
          st[b + W_INSOLVENCY_DAY] = t + 1;
        }
      }
      if (stored) {
        recordConstant(sketches, out.seriesSums, plan, 0, 0, j, 0, count);
        recordConstant(sketches, out.seriesSums, plan, 0, 1, j, 1, count);
        recordConstant(sketches, out.seriesSums, plan, 0, 2, j, 1, count);
        record(sketches, out.seriesSums, plan, 0, 3, j, day, dayBits, count);
        recordConstant(sketches, out.seriesSums, plan, 0, 4, j, 0, count);
      }
    }

    // Each simulated policy world. Quantities that depend on the day only are computed once.
    const revokable = t >= t0;
    const M = (t - t0) / DPM;
    const anchor = (t - t0) % ANCHOR_DAYS === 0;
    const atStart = t === t0;
    for (let i = 0; i < nPol; i++) {
      if (skip[i]) continue;
      const st = worlds[i];
      const gapShare = policies[i].gapShare;
      for (let k = 0, a = 0, b = 0, d = 0; k < count; k++, a += INPUT_FIELDS, b += STATE_FIELDS, d += SKETCHED) {
        const tEnd = st[b + W_T_END];
        // 1-2. Fallback gap while revoked; geometric decay after.
        let e: number;
        if (revokable && t < tEnd) {
          const growth = (st[b + W_GROWTH] = anchor ? Math.exp(rows[a + I_ALPHA_DAY] * t) : st[b + W_GROWTH] * rows[a + I_ALPHA_STEP]);
          e = ((rows[a + I_L] + rows[a + I_GAMMA] * M) * growth) / rows[a + I_H0];
        } else {
          e = st[b + W_GAP] * st[b + W_DECAY];
        }
        st[b + W_GAP] = e;
        // 3-4. Output, quality, target share.
        const h = capabilityFactor(rows[a + I_KLN2], e);
        const yRel = 1 - st[b + W_CA] * (1 - h);
        const K = st[b + W_K];
        const pm = st[b + W_PRODUCT_MU];
        const q = pm >= 0 ? K * (1 - pm * (1 - h)) : K;
        const target = q === 1 ? 1 : powPos(q, rows[a + I_EPS]);
        // 5. Revenue and profit.
        const S = st[b + W_S];
        const alive = st[b + W_ALIVE];
        const R = rows[a + I_RBF] * S * alive;
        let cost = 0;
        if (st[b + W_DEFF] > 0) {
          if (atStart) cost += rows[a + I_SWITCH];
          if (t === tEnd) cost += rows[a + I_SWITCH_BACK];
        }
        const P = alive * (rows[a + I_M] * R - rows[a + I_XDAY] - cost);
        // 6. Record: metrics accumulate in day order, as computeMetrics sums them.
        const dr = rows[a + I_R_BF] - R;
        const dp = rows[a + I_P_BF] - P;
        st[b + W_LOST_REVENUE] += dr;
        if (t >= tEnd) st[b + W_LOST_REVENUE_AFTER] += dr;
        st[b + W_LOST_PROFIT] += dp;
        const pv = (st[b + W_PV_LOST_PROFIT] += df * dp);
        st[b + W_LAST_REVENUE] = R;
        if (stored) {
          day[d] = e * gapShare;
          day[d + 1] = q;
          day[d + 2] = S;
          day[d + 3] = 365 * R;
          day[d + 4] = pv;
        }
        // 7. Update.
        st[b + W_K] = K + (yRel - K) / rows[a + I_TAU_K];
        st[b + W_S] = S + (target - S) / (target < S ? rows[a + I_TAU_LOSS] : rows[a + I_TAU_WIN]);
        let C = st[b + W_C] + P;
        if (alive === 1 && C < rows[a + I_RAISE_BELOW] && st[b + W_SUCCESSES] < maxRounds && t + 1 >= st[b + W_NEXT_ATTEMPT]) {
          if (fin[k](st[b + W_ATTEMPTS]++) < rows[a + I_PF] * powPos(q, rows[a + I_PSI])) {
            C += rows[a + I_ROUND_SIZE];
            st[b + W_SUCCESSES]++;
          }
          st[b + W_NEXT_ATTEMPT] = t + 1 + rows[a + I_RETRY];
        }
        st[b + W_C] = C;
        if (alive === 1 && C < -rows[a + I_B]) {
          st[b + W_ALIVE] = 0;
          st[b + W_INSOLVENCY_DAY] = t + 1;
        }
      }
      if (stored) {
        const world = i + 1;
        for (let v = 0; v < SKETCHED; v++) record(sketches, out.seriesSums, plan, world, v, j, day, dayBits, count);
      }
    }
    for (let k = 0, a = 0; k < count; k++, a += INPUT_FIELDS) rows[a + I_RBF] *= rows[a + I_DAILY];
    if (stored) j++;
  }

  // Metrics (MODEL.md section 5) and the insolvency days, per path.
  const T1 = T + 1;
  for (let k = 0, a = 0, b = 0; k < count; k++, a += INPUT_FIELDS, b += STATE_FIELDS) {
    const butforInsolvencyDay = butfor[b + W_INSOLVENCY_DAY];
    const butforTerminalValue = rows[a + I_V] * 365 * butfor[b + W_LAST_REVENUE] * butfor[b + W_ALIVE];
    out.butforInsolvent[k] = butforInsolvencyDay >= 0 ? 1 : 0;
    out.insolvencyDays[Math.max(0, butforInsolvencyDay)]++;
    for (let i = 0; i < nPol; i++) {
      if (skip[i]) continue;
      const st = worlds[i];
      const pol = policies[i];
      writeMetrics(
        out.metrics,
        (k * nPol + i) * METRICS.length,
        { lostRevenue: st[b + W_LOST_REVENUE], lostRevenueAfter: st[b + W_LOST_REVENUE_AFTER], lostProfit: st[b + W_LOST_PROFIT], pvLostProfit: st[b + W_PV_LOST_PROFIT] },
        {
          T,
          t0,
          revokedDays: st[b + W_DEFF],
          discountT: discount[T],
          butforTerminalValue,
          terminalValue: rows[a + I_V] * 365 * st[b + W_LAST_REVENUE] * st[b + W_ALIVE],
          insolvencyDay: st[b + W_INSOLVENCY_DAY],
          butforInsolvencyDay,
          targetedHeadcount: pol.targetedHeadcount,
          collateralHeadcount: pol.collateralHeadcount,
        },
      );
      out.insolvencyDays[(i + 1) * T1 + Math.max(0, st[b + W_INSOLVENCY_DAY])]++;
    }
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
  readonly butfor = new Float64Array(BLOCK_PATHS * STATE_FIELDS);
  readonly worlds: Float64Array[];
  /** The day's values of the sketched series in one world, one row of SKETCHED per path. */
  readonly day = new Float64Array(BLOCK_PATHS * SKETCHED);
  readonly dayBits = bitsView(this.day);
  readonly fin: ((attempt: number) => number)[] = new Array(BLOCK_PATHS);
  constructor(policies: number) {
    this.worlds = Array.from({ length: policies }, () => new Float64Array(BLOCK_PATHS * STATE_FIELDS));
  }
}
