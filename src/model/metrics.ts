/**
 * Per-path metrics of one policy world against the but-for world (MODEL.md section 5), from two
 * traces of the reference day loop (world.ts). Differences are but-for minus actual, summed over
 * t = 0 ... T-1. The engine accumulates the same sums inside its lockstep kernel
 * (engine/kernel.ts); a test checks that both agree bit for bit.
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

/** Writes the metrics of one world, in METRICS order, into out[offset ...]. */
export function computeMetrics(butfor: Trace, actual: Trace, c: MetricContext, out: Float64Array, offset: number): void {
  const { T, discount } = c;
  const tEnd = c.t0 + c.revokedDays;
  let lostRevenue = 0;
  let lostRevenueAfter = 0;
  let lostProfit = 0;
  let pvLostProfit = 0;
  for (let t = 0; t < T; t++) {
    const dr = butfor.revenue[t] - actual.revenue[t];
    const dp = butfor.profit[t] - actual.profit[t];
    lostRevenue += dr;
    if (t >= tEnd) lostRevenueAfter += dr;
    lostProfit += dp;
    pvLostProfit += discount[t] * dp;
  }
  const pvTerminalLoss = discount[T] * (butfor.terminalValue - actual.terminalValue);
  const afterShare = lostRevenue > 0 ? Math.min(1, Math.max(0, lostRevenueAfter / lostRevenue)) : 0;
  const insolvent = actual.insolvencyDay >= 0 ? 1 : 0;
  const accessDays = Math.max(0, Math.min(tEnd, T) - c.t0);
  out[offset] = lostRevenue;
  out[offset + 1] = lostProfit;
  out[offset + 2] = pvLostProfit;
  out[offset + 3] = pvTerminalLoss;
  out[offset + 4] = pvLostProfit + pvTerminalLoss;
  out[offset + 5] = afterShare;
  out[offset + 6] = insolvent;
  out[offset + 7] = insolvent && butfor.insolvencyDay < 0 ? 1 : 0;
  out[offset + 8] = c.revokedDays;
  out[offset + 9] = c.targetedHeadcount * accessDays;
  out[offset + 10] = c.collateralHeadcount * accessDays;
}
