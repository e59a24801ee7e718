/**
 * The day loop of MODEL.md section 4 run in lockstep over a block of paths: for each day, the
 * but-for world and then each policy world advance every path of the block by one day. This is
 * the per-path function simulateWorld (src/model/world.ts) reorganised for speed: the same
 * floating-point operations in the same order, so results are bit-identical to it (a test checks).
 *
 * Why lockstep: every (world, variable, stored day) has its own quantile sketch; visiting the
 * days in the outer loop sends a whole block's values for one day into the same sketch in a row,
 * so the sketch stays in cache, and no per-path trace or buffer is needed. State lives in typed
 * arrays indexed by path, so the hot loop allocates nothing.
 */
import { METRICS, writeMetrics } from '../model/metrics.js';
import { ANCHOR_DAYS, capabilityFactor, DPM, powPos, type PathInputs } from '../model/world.js';
import { bitsView, type SketchGrid } from '../stats/sketch.js';
import type { Plan } from './block.js';
import { cellOf, SKETCHED } from './series.js';

/** Paths per block. Fixed, so per-block partial sums reduce identically for any thread count. */
export const BLOCK_PATHS = 1024;

/** A per-path array of a block. */
const F = (n = BLOCK_PATHS) => new Float64Array(n);

/** Inputs of every path of a block, by parameter (struct of arrays). */
export class BlockInputs {
  readonly rbf0 = F(); // R0/365
  readonly growth = F(); // 1 + g
  readonly daily = F(); // (1 + g)^(1/365)
  readonly m = F();
  readonly xDay = F();
  readonly C0 = F();
  readonly B = F();
  readonly V = F();
  readonly L = F();
  readonly gamma = F();
  readonly H0 = F();
  readonly alphaDay = F();
  readonly alphaStep = F();
  readonly kln2 = F();
  readonly tau0 = F();
  readonly rho = F();
  readonly switchCost = F();
  readonly switchBackCost = F();
  readonly tauK = F();
  readonly mu = F();
  readonly eps = F();
  readonly tauLoss = F();
  readonly tauWin = F();
  readonly raiseBelow = F();
  readonly roundSize = F();
  readonly pf = F();
  readonly psi = F();
  readonly retryDays = F();
  /** But-for output Ybf = Σ_s n_s w_s. */
  readonly ybf = F();
  /** n_s w_s d_s per segment, path-major [path * segments + s]. */
  readonly nwd: Float64Array;

  constructor(readonly segments: number) {
    this.nwd = F(BLOCK_PATHS * segments);
  }

  /** Stores path k's inputs (the same derived constants simulateWorld computes). */
  set(k: number, p: PathInputs): void {
    this.rbf0[k] = p.R0 / 365;
    this.growth[k] = 1 + p.g;
    this.daily[k] = (1 + p.g) ** (1 / 365);
    this.m[k] = p.m;
    this.xDay[k] = p.X / 365;
    this.C0[k] = p.C0;
    this.B[k] = p.B;
    this.V[k] = p.V;
    this.L[k] = p.L;
    this.gamma[k] = p.gamma;
    this.H0[k] = p.H0;
    this.alphaDay[k] = p.alpha / 365;
    this.alphaStep[k] = Math.exp(p.alpha / 365);
    this.kln2[k] = p.kappa * Math.LN2;
    this.tau0[k] = p.tau0;
    this.rho[k] = p.rho;
    this.switchCost[k] = p.switchCost;
    this.switchBackCost[k] = p.switchBackCost;
    this.tauK[k] = p.tauK;
    this.mu[k] = p.mu;
    this.eps[k] = p.eps;
    this.tauLoss[k] = p.tauLoss;
    this.tauWin[k] = p.tauWin;
    const f = p.financing;
    this.raiseBelow[k] = f ? f.raiseBelow : -Infinity;
    this.roundSize[k] = f ? f.roundSize : 0;
    this.pf[k] = f ? f.pf : 0;
    this.psi[k] = f ? f.psi : 0;
    this.retryDays[k] = f ? f.retryDays : 0;
    let ybf = 0;
    for (let s = 0; s < this.segments; s++) {
      ybf += p.n[s] * p.w[s];
      this.nwd[k * this.segments + s] = p.n[s] * p.w[s] * p.d[s];
    }
    this.ybf[k] = ybf;
  }
}

/** One world's per-path state and constants over a block. */
class WorldState {
  readonly K = F();
  readonly S = F();
  readonly C = F();
  readonly alive = F();
  readonly insolvencyDay = F();
  readonly successes = F();
  readonly attempts = F();
  readonly nextAttempt = F();
  readonly lastRevenue = F();
  readonly gap = F();
  /** exp(alpha t / 365) of the last revoked day. */
  readonly growth = F();
  // Constants of the world on each path.
  readonly deff = F();
  readonly tEnd = F();
  readonly cA = F();
  readonly productMu = F();
  readonly decay = F();
  // Metric accumulators.
  readonly lostRevenue = F();
  readonly lostRevenueAfter = F();
  readonly lostProfit = F();
  readonly pvLostProfit = F();

  reset(count: number, inputs: BlockInputs): void {
    for (let k = 0; k < count; k++) {
      this.gap[k] = 0;
      this.growth[k] = 1;
      this.K[k] = 1;
      this.S[k] = 1;
      this.C[k] = inputs.C0[k];
      this.alive[k] = 1;
      this.insolvencyDay[k] = -1;
      this.successes[k] = 0;
      this.attempts[k] = 0;
      this.nextAttempt[k] = 0;
      this.lastRevenue[k] = 0;
      this.lostRevenue[k] = 0;
      this.lostRevenueAfter[k] = 0;
      this.lostProfit[k] = 0;
      this.pvLostProfit[k] = 0;
    }
  }
}

/** Values of one day across the block: one array per sketched series, and its bits view. */
class DayValues {
  readonly values = Array.from({ length: SKETCHED }, () => F());
  readonly bits = this.values.map(bitsView);
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
  const { butfor, worlds, day, rbf, rBf, pBf, fin } = scratch;
  const nPol = policies.length;

  butfor.reset(count, inputs);
  for (let i = 0; i < nPol; i++) {
    if (skip[i]) continue;
    const w = worlds[i];
    w.reset(count, inputs);
    const pol = policies[i];
    for (let k = 0; k < count; k++) {
      const D = deffOf(i, k);
      let cA = 0;
      for (const s of pol.segments) cA += inputs.nwd[k * nSeg + s];
      w.deff[k] = D;
      w.tEnd[k] = t0 + D;
      w.cA[k] = cA / inputs.ybf[k];
      w.productMu[k] = pol.product && D > 0 ? inputs.mu[k] : -1;
      w.decay[k] = Math.exp(-1 / (inputs.tau0[k] + inputs.rho[k] * D));
    }
  }
  for (let k = 0; k < count; k++) fin[k] = financingU(k);

  let j = 0; // index of the next stored series day
  for (let t = 0; t < T; t++) {
    const df = discount[t];
    const stored = j < nd && seriesDays[j] === t;
    // But-for revenue of the day, Rbf(t): exact power every 64 days, a daily growth factor between.
    if (t % ANCHOR_DAYS === 0) for (let k = 0; k < count; k++) rbf[k] = inputs.rbf0[k] * inputs.growth[k] ** (t / 365);

    const [dayGap, dayQ, dayS, dayR, dayC] = day.values;
    // The but-for world: e = 0, K = S = q = 1 and no switching costs (so R = Rbf alive, and the
    // financing chance is p_f).
    {
      const w = butfor;
      for (let k = 0; k < count; k++) {
        const alive = w.alive[k];
        const R = rbf[k] * alive;
        const P = alive * (inputs.m[k] * R - inputs.xDay[k]);
        rBf[k] = R;
        pBf[k] = P;
        w.lastRevenue[k] = R;
        if (stored) dayR[k] = 365 * R;
        let C = w.C[k] + P;
        if (alive === 1 && C < inputs.raiseBelow[k] && w.successes[k] < plan.maxRounds && t + 1 >= w.nextAttempt[k]) {
          if (fin[k](w.attempts[k]++) < inputs.pf[k]) {
            C += inputs.roundSize[k];
            w.successes[k]++;
          }
          w.nextAttempt[k] = t + 1 + inputs.retryDays[k];
        }
        w.C[k] = C;
        if (alive === 1 && C < -inputs.B[k]) {
          w.alive[k] = 0;
          w.insolvencyDay[k] = t + 1;
        }
      }
      if (stored) {
        recordConstant(sketches, out.seriesSums, plan, 0, 0, j, 0, count);
        recordConstant(sketches, out.seriesSums, plan, 0, 1, j, 1, count);
        recordConstant(sketches, out.seriesSums, plan, 0, 2, j, 1, count);
        record(sketches, out.seriesSums, plan, 0, 3, j, day, count);
        recordConstant(sketches, out.seriesSums, plan, 0, 4, j, 0, count);
      }
    }

    // Each simulated policy world. Arrays are hoisted into locals: the loop body is the hot path.
    const { L, gamma, alphaDay, alphaStep, H0, kln2, eps, m, xDay, switchCost, switchBackCost, tauK, tauLoss, tauWin, raiseBelow, pf, psi, roundSize, retryDays, B } = inputs;
    const maxRounds = plan.maxRounds;
    const atStart = t === t0;
    for (let i = 0; i < nPol; i++) {
      if (skip[i]) continue;
      const w = worlds[i];
      const { gap: gapA, growth: growthA, K: KA, S: SA, C: CA, alive: aliveA, tEnd: tEndA, decay, cA: cAA, productMu, deff, lastRevenue } = w;
      const { lostRevenue, lostRevenueAfter, lostProfit, pvLostProfit } = w;
      const gapShare = policies[i].gapShare;
      for (let k = 0; k < count; k++) {
        const tEnd = tEndA[k];
        // 1-2. Fallback gap while revoked; geometric decay after.
        let e: number;
        if (t >= t0 && t < tEnd) {
          const M = (t - t0) / DPM;
          const growth = (growthA[k] = (t - t0) % ANCHOR_DAYS === 0 ? Math.exp(alphaDay[k] * t) : growthA[k] * alphaStep[k]);
          e = ((L[k] + gamma[k] * M) * growth) / H0[k];
        } else {
          e = gapA[k] * decay[k];
        }
        gapA[k] = e;
        // 3-4. Output, quality, target share.
        const h = capabilityFactor(kln2[k], e);
        const yRel = 1 - cAA[k] * (1 - h);
        const K = KA[k];
        const pm = productMu[k];
        const q = pm >= 0 ? K * (1 - pm * (1 - h)) : K;
        const target = q === 1 ? 1 : powPos(q, eps[k]);
        // 5. Revenue and profit.
        const S = SA[k];
        const alive = aliveA[k];
        const R = rbf[k] * S * alive;
        let cost = 0;
        if (deff[k] > 0) {
          if (atStart) cost += switchCost[k];
          if (t === tEnd) cost += switchBackCost[k];
        }
        const P = alive * (m[k] * R - xDay[k] - cost);
        // 6. Record: metrics accumulate in day order, as computeMetrics sums them.
        const dr = rBf[k] - R;
        const dp = pBf[k] - P;
        lostRevenue[k] += dr;
        if (t >= tEnd) lostRevenueAfter[k] += dr;
        lostProfit[k] += dp;
        const pv = (pvLostProfit[k] += df * dp);
        lastRevenue[k] = R;
        if (stored) {
          dayGap[k] = e * gapShare;
          dayQ[k] = q;
          dayS[k] = S;
          dayR[k] = 365 * R;
          dayC[k] = pv;
        }
        // 7. Update.
        KA[k] = K + (yRel - K) / tauK[k];
        SA[k] = S + (target - S) / (target < S ? tauLoss[k] : tauWin[k]);
        let C = CA[k] + P;
        if (alive === 1 && C < raiseBelow[k] && w.successes[k] < maxRounds && t + 1 >= w.nextAttempt[k]) {
          if (fin[k](w.attempts[k]++) < pf[k] * powPos(q, psi[k])) {
            C += roundSize[k];
            w.successes[k]++;
          }
          w.nextAttempt[k] = t + 1 + retryDays[k];
        }
        CA[k] = C;
        if (alive === 1 && C < -B[k]) {
          aliveA[k] = 0;
          w.insolvencyDay[k] = t + 1;
        }
      }
      if (stored) {
        const world = i + 1;
        for (let v = 0; v < SKETCHED; v++) record(sketches, out.seriesSums, plan, world, v, j, day, count);
      }
    }
    for (let k = 0; k < count; k++) rbf[k] *= inputs.daily[k];
    if (stored) j++;
  }

  // Metrics (MODEL.md section 5) and the insolvency days, per path.
  const T1 = T + 1;
  for (let k = 0; k < count; k++) {
    const butforInsolvencyDay = butfor.insolvencyDay[k];
    const butforTerminalValue = inputs.V[k] * 365 * butfor.lastRevenue[k] * butfor.alive[k];
    out.butforInsolvent[k] = butforInsolvencyDay >= 0 ? 1 : 0;
    out.insolvencyDays[Math.max(0, butforInsolvencyDay)]++;
    for (let i = 0; i < nPol; i++) {
      if (skip[i]) continue;
      const w = worlds[i];
      const pol = policies[i];
      writeMetrics(
        out.metrics,
        (k * nPol + i) * METRICS.length,
        { lostRevenue: w.lostRevenue[k], lostRevenueAfter: w.lostRevenueAfter[k], lostProfit: w.lostProfit[k], pvLostProfit: w.pvLostProfit[k] },
        {
          T,
          t0,
          revokedDays: w.deff[k],
          discountT: discount[T],
          butforTerminalValue,
          terminalValue: inputs.V[k] * 365 * w.lastRevenue[k] * w.alive[k],
          insolvencyDay: w.insolvencyDay[k],
          butforInsolvencyDay,
          targetedHeadcount: pol.targetedHeadcount,
          collateralHeadcount: pol.collateralHeadcount,
        },
      );
      out.insolvencyDays[(i + 1) * T1 + Math.max(0, w.insolvencyDay[k])]++;
    }
  }
}

/** Adds one day's block values of a (world, variable) to the sums (in path order) and its sketch. */
function record(sketches: SketchGrid, sums: Float64Array, plan: Plan, world: number, variable: number, j: number, day: DayValues, count: number): void {
  const c = cellOf(plan, world, variable, j);
  sums[c] = sketches.addMany(c, day.values[variable], day.bits[variable], count, sums[c]);
}

/** The same for a value every path shares (0 or 1: the but-for world's gap, quality, share, harm). */
function recordConstant(sketches: SketchGrid, sums: Float64Array, plan: Plan, world: number, variable: number, j: number, value: 0 | 1, count: number): void {
  const c = cellOf(plan, world, variable, j);
  sums[c] += value * count; // exact: a sum of `count` zeros or ones
  sketches.add(c, value, count);
}

/** Reusable arrays of the kernel, sized for a whole block. */
export class KernelScratch {
  readonly butfor = new WorldState();
  readonly worlds: WorldState[];
  readonly day = new DayValues();
  /** Rbf(t) of the current day, per path. */
  readonly rbf = F();
  /** The but-for world's revenue and profit of the current day, per path. */
  readonly rBf = F();
  readonly pBf = F();
  readonly fin: ((attempt: number) => number)[] = new Array(BLOCK_PATHS);
  constructor(policies: number) {
    this.worlds = Array.from({ length: policies }, () => new WorldState());
  }
}
