import { SKETCHED } from '../wasm/layout.js';
import type { Plan } from './plan.js';

/** The daily series of MODEL.md section 6, in output order. */
export const SERIES = ['capability_gap', 'quality', 'share', 'revenue_annualized', 'cumulative_pv_harm', 'survival'] as const;
export type SeriesVariable = (typeof SERIES)[number];
/**
 * Series kept in sketches, the first SKETCHED (5, fixed in the kernel's memory layout); survival
 * (0 or 1 per path) is exact, from insolvency-day counts.
 */
export { SKETCHED };

/**
 * Per sketched series: |x| below this counts as 0 in the series quantiles (means stay exact):
 * 1e-4 doublings of the staff-weighted capability gap, 1e-6 of quality and share, one currency
 * unit (per year) of revenue and of harm. Far below anything a chart or table shows, and it keeps a decaying gap or
 * a small harm from spreading a sketch over dozens of octaves (memory, and so speed).
 */
export const SERIES_FLOORS = [1e-4, 1e-6, 1e-6, 1, 1] as const;

/** Cell index of (world, sketched variable, stored-day index) in the sketch grid and series sums (the kernel, src/wasm/kernel.ts, has the same formula). */
export const cellOf = (plan: Plan, world: number, variable: number, dayIndex: number): number => (world * SKETCHED + variable) * plan.seriesDays.length + dayIndex;
