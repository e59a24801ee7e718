/**
 * Per-path metrics of one policy world against the but-for world (MODEL.md section 5), from two
 * traces of the reference day loop (world.ts). Differences are but-for minus actual, summed over
 * t = 0 ... T-1. The engine accumulates the same sums inside its lockstep kernel
 * (wasm/kernel.ts); a test checks that both agree bit for bit.
 */
import type { Trace } from './world.js';

export const METRICS = [
  'lost_revenue',
  'lost_profit',
  'pv_lost_profit',
  'pv_terminal_loss',
  'total_harm',
  'after_restoration_share',
  'insolvent',
  'attributable_insolvency',
  'revoked_days',
  'targeted_access_days',
  'collateral_access_days',
] as const;
export type Metric = (typeof METRICS)[number];

/** Metrics in money units (scale with every money input). */
export const MONEY_METRICS: readonly Metric[] = ['lost_revenue', 'lost_profit', 'pv_lost_profit', 'pv_terminal_loss', 'total_harm'];

export interface MetricContext {
  T: number;
  /** df(t) = (1+r)^(-t/365), t = 0 ... T. */
  discount: Float64Array;
  t0: number;
  revokedDays: number;
  targetedHeadcount: number;
  collateralHeadcount: number;
}

/** Day-by-day sums of one world against the but-for world, accumulated in day order. */
export interface WorldSums {
  lostRevenue: number;
  /** Lost revenue on days t >= t0 + Deff. */
  lostRevenueAfter: number;
  lostProfit: number;
  pvLostProfit: number;
}

/** What the metrics need besides the sums: the world's end state and constants. */
export interface WorldEnd {
  T: number;
  t0: number;
  revokedDays: number;
  /** df(T). */
  discountT: number;
  butforTerminalValue: number;
  terminalValue: number;
  insolvencyDay: number;
  butforInsolvencyDay: number;
  targetedHeadcount: number;
  collateralHeadcount: number;
}

/**
 * Writes the metrics of one world, in METRICS order, into out[offset ...]. Shared by the
 * reference (computeMetrics) and the engine's kernel, so both apply the same formulas.
 */
export function writeMetrics(out: Float64Array, offset: number, s: WorldSums, e: WorldEnd): void {
  const pvTerminalLoss = e.discountT * (e.butforTerminalValue - e.terminalValue);
  const insolvent = e.insolvencyDay >= 0 ? 1 : 0;
  const accessDays = Math.max(0, Math.min(e.t0 + e.revokedDays, e.T) - e.t0);
  out[offset] = s.lostRevenue;
  out[offset + 1] = s.lostProfit;
  out[offset + 2] = s.pvLostProfit;
  out[offset + 3] = pvTerminalLoss;
  out[offset + 4] = s.pvLostProfit + pvTerminalLoss;
  out[offset + 5] = s.lostRevenue > 0 ? Math.min(1, Math.max(0, s.lostRevenueAfter / s.lostRevenue)) : 0;
  out[offset + 6] = insolvent;
  out[offset + 7] = insolvent && e.butforInsolvencyDay < 0 ? 1 : 0;
  out[offset + 8] = e.revokedDays;
  out[offset + 9] = e.targetedHeadcount * accessDays;
  out[offset + 10] = e.collateralHeadcount * accessDays;
}

/** Writes the metrics of one world from the traces of the reference day loop. */
export function computeMetrics(butfor: Trace, actual: Trace, c: MetricContext, out: Float64Array, offset: number): void {
  const { T, discount } = c;
  const tEnd = c.t0 + c.revokedDays;
  const sums: WorldSums = { lostRevenue: 0, lostRevenueAfter: 0, lostProfit: 0, pvLostProfit: 0 };
  for (let t = 0; t < T; t++) {
    const dr = butfor.revenue[t] - actual.revenue[t];
    const dp = butfor.profit[t] - actual.profit[t];
    sums.lostRevenue += dr;
    if (t >= tEnd) sums.lostRevenueAfter += dr;
    sums.lostProfit += dp;
    sums.pvLostProfit += discount[t] * dp;
  }
  writeMetrics(out, offset, sums, {
    T,
    t0: c.t0,
    revokedDays: c.revokedDays,
    discountT: discount[T],
    butforTerminalValue: butfor.terminalValue,
    terminalValue: actual.terminalValue,
    insolvencyDay: actual.insolvencyDay,
    butforInsolvencyDay: butfor.insolvencyDay,
    targetedHeadcount: c.targetedHeadcount,
    collateralHeadcount: c.collateralHeadcount,
  });
}
