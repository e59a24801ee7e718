/**
 * Per-path metrics of one policy world against the but-for world (MODEL.md section 5), from two
 * traces of the reference day loop (world.ts). Differences are but-for minus actual, summed over
 * t = 0 ... T-1. The engine accumulates the same sums inside its lockstep kernel
 * (wasm/kernel.ts); a test checks that both agree bit for bit.
 */
import type { Trace, WorldPath } from './world.js';

export const METRICS = [
  'lost_revenue',
  'lost_revenue_after_restoration',
  'lost_profit',
  'pv_lost_profit',
  'pv_terminal_loss',
  'total_harm',
  'owner_harm',
  'harm_costs',
  'harm_before_restoration',
  'harm_after_restoration',
  'pv_terminal_recovery',
  'pv_terminal_insolvency',
  'after_restoration_share',
  'insolvent',
  'attributable_insolvency',
  'revoked_days',
  'revoked_at_horizon',
  'targeted_access_days',
  'collateral_access_days',
] as const;
/** Metrics a scenario with a mitigation block adds (MODEL.md section 5). */
export const MITIGATION_METRICS = ['mitigation_cost', 'mitigated', 'relocated_heads', 'displaced_heads'] as const;
export type Metric = (typeof METRICS)[number] | (typeof MITIGATION_METRICS)[number];

/** The metrics of a run: every scenario's, and the mitigation metrics when it has mitigation. */
export const metricsOf = (hasMitigation: boolean): readonly Metric[] => (hasMitigation ? [...METRICS, ...MITIGATION_METRICS] : METRICS);

/** Metrics in money units (scale with every money input): all but shares, probabilities, days and heads. */
export const MONEY_METRICS: readonly Metric[] = [...METRICS, ...MITIGATION_METRICS].filter(
  (m) => !['after_restoration_share', 'insolvent', 'attributable_insolvency', 'revoked_days', 'revoked_at_horizon', 'targeted_access_days', 'collateral_access_days', 'mitigated', 'relocated_heads', 'displaced_heads'].includes(m),
);

/**
 * The metrics section 4c splits among parties: those that are a difference between the but-for
 * world and a policy world (every metric from lost_revenue to pv_terminal_insolvency) and
 * attributable_insolvency.
 */
export const ATTRIBUTED_METRICS: readonly Metric[] = [...METRICS.slice(0, METRICS.indexOf('pv_terminal_insolvency') + 1), 'attributable_insolvency'];

/** The five parts of total_harm, in the order they add up. */
export const HARM_PARTS: readonly Metric[] = ['harm_costs', 'harm_before_restoration', 'harm_after_restoration', 'pv_terminal_recovery', 'pv_terminal_insolvency'];

/** Metrics that are 0 or 1 per path: reported as probabilities. */
export const BINARY_METRICS: readonly Metric[] = ['insolvent', 'attributable_insolvency', 'revoked_at_horizon', 'mitigated'];

/** Day-by-day sums of one world against the but-for world, accumulated in day order (t < T). */
export interface WorldSums {
  lostRevenue: number;
  /** Lost revenue on days t >= t0 + Deff. */
  lostRevenueAfter: number;
  lostProfit: number;
  pvLostProfit: number;
  /** Σ df alive k(t). */
  pvCosts: number;
  /** Σ df (P_bf - (P + alive k)) on days before t0 + Deff, and from it on. */
  pvBefore: number;
  pvAfter: number;
  /** Σ df alive (mitigation costs of the day). */
  pvMitigation: number;
}

export const emptySums = (): WorldSums => ({ lostRevenue: 0, lostRevenueAfter: 0, lostProfit: 0, pvLostProfit: 0, pvCosts: 0, pvBefore: 0, pvAfter: 0, pvMitigation: 0 });

/** A world's end state (after day T-1) and its tail. */
export interface WorldEndState {
  alive: number;
  /** R(T-1). */
  lastRevenue: number;
  insolvencyDay: number;
  tailRevenuePv: number;
  tailPremiumPv: number;
}

/** What the metrics need besides the sums. */
export interface WorldEnd {
  T: number;
  t0: number;
  deff: number;
  /** df(T). */
  discountT: number;
  V: number;
  m: number;
  pi: number;
  C0: number;
  butfor: WorldEndState;
  /** Σ_{t<T} df(t) P_bf(t). */
  butforPvProfit: number;
  world: WorldEndState;
  /** Σ over lanes of their headcount weights times their days revoked before T. */
  targetedAccessDays: number;
  collateralAccessDays: number;
  mitigated: boolean;
  relocatedHeads: number;
  displacedHeads: number;
}

/** W_butfor = C0 + Σ df P_bf + df(T) TV_bf: the but-for firm's value (section 4, "After the loop"). */
export function butforWorldValue(e: Pick<WorldEnd, 'C0' | 'butforPvProfit' | 'discountT' | 'V' | 'butfor'>): number {
  return e.C0 + e.butforPvProfit + e.discountT * (e.V * 365 * e.butfor.lastRevenue * e.butfor.alive);
}

/**
 * Writes the metrics of one world, in metricsOf order, into out[offset ...] (the mitigation
 * metrics when `withMitigation`). Shared by the reference (computeMetrics) and the engine's
 * kernel, so both apply the same formulas.
 */
export function writeMetrics(out: Float64Array, offset: number, s: WorldSums, e: WorldEnd, withMitigation: boolean): void {
  const bf = e.butfor;
  const w = e.world;
  const tvButfor = e.V * 365 * bf.lastRevenue * bf.alive;
  const tv = e.V * 365 * w.lastRevenue * w.alive;
  const bothAlive = bf.alive === 1 && w.alive === 1;
  // PREM: the hiring premium a firm alive after day T-1 pays through the tail (0 when it failed),
  // a cost of mitigation whatever pi is (v3).
  const premium = w.tailPremiumPv;
  // Alive in both worlds: the gap at the horizon closes in the tail (lost gross profit) except
  // its permanent part pi, capitalized at V: REC.
  let recovery = 0;
  if (bothAlive) {
    const dR = bf.lastRevenue - w.lastRevenue;
    recovery = e.pi * e.discountT * e.V * 365 * dR + (1 - e.pi) * (e.m * (bf.tailRevenuePv - w.tailRevenuePv));
  }
  // df(T) (TV_bf - TV), TV = alive (V 365 R(T-1) - PREM/df(T)) + [both alive] (V 365 dR - REC/df(T)).
  const pvTerminalLoss = bothAlive ? recovery + premium : e.discountT * (tvButfor - tv) + premium;
  const totalHarm = s.pvLostProfit + pvTerminalLoss;
  const wButfor = butforWorldValue(e);
  const wWorld = wButfor - totalHarm;
  const insolvent = e.world.insolvencyDay >= 0 ? 1 : 0;
  out[offset] = s.lostRevenue;
  out[offset + 1] = s.lostRevenueAfter;
  out[offset + 2] = s.lostProfit;
  out[offset + 3] = s.pvLostProfit;
  out[offset + 4] = pvTerminalLoss;
  out[offset + 5] = totalHarm;
  out[offset + 6] = bf.alive * Math.max(0, wButfor) - w.alive * Math.max(0, wWorld);
  out[offset + 7] = s.pvCosts + premium;
  out[offset + 8] = s.pvBefore;
  out[offset + 9] = s.pvAfter;
  out[offset + 10] = recovery;
  out[offset + 11] = bothAlive ? 0 : pvTerminalLoss - premium;
  out[offset + 12] = s.lostRevenue > 0 ? Math.min(1, Math.max(0, s.lostRevenueAfter / s.lostRevenue)) : 0;
  out[offset + 13] = insolvent;
  out[offset + 14] = insolvent && bf.insolvencyDay < 0 ? 1 : 0;
  out[offset + 15] = e.deff;
  out[offset + 16] = e.t0 + e.deff > e.T ? 1 : 0;
  out[offset + 17] = e.targetedAccessDays;
  out[offset + 18] = e.collateralAccessDays;
  if (withMitigation) {
    out[offset + 19] = s.pvMitigation + w.tailPremiumPv;
    out[offset + 20] = e.mitigated ? 1 : 0;
    out[offset + 21] = e.mitigated ? e.relocatedHeads : 0;
    out[offset + 22] = e.mitigated ? e.displacedHeads : 0;
  }
}

/** Adds day t of a world to its sums (the kernel adds in the same order). */
export function addDay(s: WorldSums, t: number, tEnd: number, df: number, rBf: number, pBf: number, r: number, p: number, aliveCost: number, aliveMitigation: number): void {
  const dr = rBf - r;
  const dp = pBf - p;
  s.lostRevenue += dr;
  if (t >= tEnd) s.lostRevenueAfter += dr;
  s.lostProfit += dp;
  s.pvLostProfit += df * dp;
  s.pvCosts += df * aliveCost;
  const operating = df * (pBf - (p + aliveCost));
  if (t < tEnd) s.pvBefore += operating;
  else s.pvAfter += operating;
  s.pvMitigation += df * aliveMitigation;
}

/** The end state of a reference trace. */
export const endState = (tr: Trace): WorldEndState => ({ alive: tr.aliveAtEnd, lastRevenue: tr.lastRevenue, insolvencyDay: tr.insolvencyDay, tailRevenuePv: tr.tailRevenuePv, tailPremiumPv: tr.tailPremiumPv });

export interface MetricContext {
  T: number;
  t0: number;
  /** df(t) = (1+r)^(-t/365), t = 0 ... T+U. */
  discount: Float64Array;
  V: number;
  m: number;
  pi: number;
  C0: number;
  withMitigation: boolean;
}

/** Writes the metrics of one world from the traces of the reference day loop. */
export function computeMetrics(butfor: Trace, actual: Trace, wp: WorldPath, c: MetricContext, out: Float64Array, offset: number): void {
  const { T, discount } = c;
  const tEnd = c.t0 + wp.deff;
  const sums = emptySums();
  let butforPv = 0;
  for (let t = 0; t < T; t++) {
    butforPv += discount[t] * butfor.profit[t];
    const alive = actual.alive[t];
    addDay(sums, t, tEnd, discount[t], butfor.revenue[t], butfor.profit[t], actual.revenue[t], actual.profit[t], alive * actual.cost[t], alive * actual.mitigationCost[t]);
  }
  let targeted = 0;
  let collateral = 0;
  for (let j = 0; j < actual.laneDays.length; j++) {
    targeted += wp.targeted[j] * actual.laneDays[j];
    collateral += wp.collateral[j] * actual.laneDays[j];
  }
  writeMetrics(
    out,
    offset,
    sums,
    {
      T,
      t0: c.t0,
      deff: wp.deff,
      discountT: discount[T],
      V: c.V,
      m: c.m,
      pi: c.pi,
      C0: c.C0,
      butfor: endState(butfor),
      butforPvProfit: butforPv,
      world: endState(actual),
      targetedAccessDays: targeted,
      collateralAccessDays: collateral,
      mitigated: wp.mitigated,
      relocatedHeads: wp.relocatedHeads,
      displacedHeads: wp.displacedHeads,
    },
    c.withMitigation,
  );
}
