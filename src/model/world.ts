/**
 * The day loop of one world (MODEL.md section 4): a pure function of one path's inputs, the
 * world's revocation, and the financing uniforms. It writes the day-by-day trace, from which
 * metrics.ts computes the metrics. It is the reference: the engine runs the same loop over blocks
 * of paths in WebAssembly (wasm/kernel.ts), and tests check both agree bit for bit.
 */
import type { Scenario } from '../scenario/types.js';
import { fastExp, powPos } from './fastmath.js';

/** Days per month. */
export const DPM = 365.25 / 12;

/** 2^(-kappa e) as exp(-kappa ln2 e); exactly 1 for e = 0. */
export const capabilityFactor = (kln2: number, e: number): number => (e === 0 ? 1 : fastExp(-kln2 * e));

/** Revoked days between exact evaluations of exp(alpha t / 365); a daily factor in between. */
export const ANCHOR_DAYS = 64;

/** One path's inputs in model notation (MODEL.md section 2), read from the drawn values. */
export interface PathInputs {
  R0: number;
  g: number;
  m: number;
  X: number;
  C0: number;
  B: number;
  V: number;
  financing?: { raiseBelow: number; roundSize: number; pf: number; psi: number; retryDays: number; maxRounds: number };
  /** n_s, w_s, d_s per segment. */
  n: Float64Array;
  w: Float64Array;
  d: Float64Array;
  H0: number;
  alpha: number;
  L: number;
  gamma: number;
  kappa: number;
  tau0: number;
  rho: number;
  switchCost: number;
  switchBackCost: number;
  tauK: number;
  mu: number;
  eps: number;
  tauLoss: number;
  tauWin: number;
  t0: number;
  D: number;
}

/** Reads a path's inputs from its values (indexed by InputRef) into a reusable struct. */
export function readPathInputs(s: Scenario, v: Float64Array, out?: PathInputs): PathInputs {
  const n = out?.n ?? Float64Array.from(s.staff, (x) => x.headcount);
  const w = out?.w ?? new Float64Array(s.staff.length);
  const d = out?.d ?? new Float64Array(s.staff.length);
  s.staff.forEach((seg, i) => {
    w[i] = v[seg.weight];
    d[i] = v[seg.ai_dependence];
  });
  const f = s.firm.financing;
  return {
    R0: v[s.firm.revenue_annual],
    g: Math.max(v[s.firm.revenue_growth], -0.99),
    m: v[s.firm.gross_margin],
    X: v[s.firm.operating_costs_annual],
    C0: v[s.firm.cash],
    B: v[s.firm.credit_line],
    V: v[s.firm.revenue_multiple],
    financing: f && {
      raiseBelow: v[f.raise_below],
      roundSize: v[f.round_size],
      pf: v[f.success_probability],
      psi: v[f.quality_sensitivity],
      retryDays: v[f.retry_days],
      maxRounds: f.max_rounds,
    },
    n,
    w,
    d,
    H0: v[s.frontier.doubling_months],
    alpha: v[s.frontier.acceleration],
    L: v[s.fallback.lag_months],
    gamma: v[s.fallback.lag_growth],
    kappa: v[s.productivity.capability_elasticity],
    tau0: v[s.adaptation.base_days],
    rho: v[s.adaptation.per_revoked_day],
    switchCost: v[s.adaptation.switch_cost],
    switchBackCost: v[s.adaptation.switch_back_cost],
    tauK: v[s.product.obsolescence_days],
    mu: v[s.product.model_dependence],
    eps: v[s.market.quality_elasticity],
    tauLoss: v[s.market.loss_days],
    tauWin: v[s.market.winback_days],
    t0: s.revocation.start_day,
    D: v[s.revocation.duration_days],
  };
}

/** Who a world cuts off on a path, and for how long. The but-for world is `{segments: [], product: false, revokedDays: 0}`. */
export interface WorldSpec {
  segments: readonly number[];
  product: boolean;
  /** Deff: 0 means the world is the but-for world. */
  revokedDays: number;
}

/** Day-by-day values of one world on one path (length T each), and its end state. */
export interface Trace {
  revenue: Float64Array;
  profit: Float64Array;
  gap: Float64Array;
  quality: Float64Array;
  share: Float64Array;
  alive: Float64Array;
  /** Day (1 ... T) the world became insolvent, or -1. */
  insolvencyDay: number;
  /** V 365 R(T-1) alive, undiscounted. */
  terminalValue: number;
}

export function makeTrace(T: number): Trace {
  const f = () => new Float64Array(T);
  return { revenue: f(), profit: f(), gap: f(), quality: f(), share: f(), alive: f(), insolvencyDay: -1, terminalValue: 0 };
}

/** Per-path quantities shared by every world of the path. */
export interface PathContext {
  T: number;
  /** Rbf(t) = R0/365 (1+g)^(t/365), t = 0 ... T-1. */
  butforRevenue: Float64Array;
  /** Financing uniform u_k, the same in every world. */
  financingU: (k: number) => number;
}

/** Fills ctx.butforRevenue for a path. */
export function fillButforRevenue(p: PathInputs, out: Float64Array): void {
  const daily = (1 + p.g) ** (1 / 365);
  let r = p.R0 / 365;
  for (let t = 0; t < out.length; t++) {
    // Exact power every ANCHOR_DAYS days keeps the recurrence's rounding below 1e-14.
    if (t % ANCHOR_DAYS === 0) r = (p.R0 / 365) * (1 + p.g) ** (t / 365);
    out[t] = r;
    r *= daily;
  }
}

/** Simulates one world over t = 0 ... T-1 in MODEL.md's update order, writing `out`. */
export function simulateWorld(p: PathInputs, world: WorldSpec, ctx: PathContext, out: Trace): void {
  const { T, butforRevenue: Rbf, financingU } = ctx;
  const Deff = world.revokedDays;
  const t0 = p.t0;
  const tEnd = t0 + Deff;

  // Constants of the world. Affected segments share one gap e (same window), so
  // Y/Ybf = 1 - cA (1 - 2^(-kappa e)) with cA the affected share of but-for output.
  let ybf = 0;
  let nTotal = 0;
  for (let s = 0; s < p.n.length; s++) {
    ybf += p.n[s] * p.w[s];
    nTotal += p.n[s];
  }
  let cA = 0;
  let nA = 0;
  for (const s of world.segments) {
    cA += p.n[s] * p.w[s] * p.d[s];
    nA += p.n[s];
  }
  cA /= ybf;
  const gapShare = nA / nTotal;
  const productAffected = world.product && Deff > 0;
  const tauR = p.tau0 + p.rho * Deff;
  const decay = Math.exp(-1 / tauR);
  const kln2 = p.kappa * Math.LN2;
  const alphaDay = p.alpha / 365;
  const alphaStep = Math.exp(alphaDay);
  const xDay = p.X / 365;
  const fin = p.financing;

  let e = 0;
  let K = 1;
  let S = 1;
  let C = p.C0;
  let alive = 1;
  let insolvencyDay = -1;
  let successes = 0;
  let attempts = 0;
  let nextAttempt = 0;
  let R = 0;
  let growth = 1;

  for (let t = 0; t < T; t++) {
    // 1-2. Fallback gap in doublings while revoked; geometric decay after.
    if (t >= t0 && t < tEnd) {
      const M = (t - t0) / DPM;
      growth = (t - t0) % ANCHOR_DAYS === 0 ? Math.exp(alphaDay * t) : growth * alphaStep;
      e = ((p.L + p.gamma * M) * growth) / p.H0;
    } else {
      e *= decay;
    }
    // 3. Output relative to but-for.
    const h = capabilityFactor(kln2, e);
    const yRel = 1 - cA * (1 - h);
    // 4. Relative quality and target share.
    const q = productAffected ? K * (1 - p.mu * (1 - h)) : K;
    const target = q === 1 ? 1 : powPos(q, p.eps);
    // 5. Revenue and profit.
    R = Rbf[t] * S * alive;
    let cost = 0;
    if (Deff > 0) {
      if (t === t0) cost += p.switchCost;
      if (t === tEnd) cost += p.switchBackCost;
    }
    const P = alive * (p.m * R - xDay - cost);
    // 6. Record.
    out.revenue[t] = R;
    out.profit[t] = P;
    out.gap[t] = e * gapShare;
    out.quality[t] = q;
    out.share[t] = S;
    out.alive[t] = alive;
    // 7. Update.
    K += (yRel - K) / p.tauK;
    S += (target - S) / (target < S ? p.tauLoss : p.tauWin);
    C += P;
    if (fin && alive === 1 && C < fin.raiseBelow && successes < fin.maxRounds && t + 1 >= nextAttempt) {
      if (financingU(attempts++) < fin.pf * powPos(q, fin.psi)) {
        C += fin.roundSize;
        successes++;
      }
      nextAttempt = t + 1 + fin.retryDays;
    }
    if (alive === 1 && C < -p.B) {
      alive = 0;
      insolvencyDay = t + 1;
    }
  }
  out.insolvencyDay = insolvencyDay;
  out.terminalValue = p.V * 365 * R * alive;
}
