/**
 * exp in plain JavaScript, for the day loop. V8 implements Math.exp as a call into C that its
 * optimizing compiler cannot inline; this table-driven version inlines and runs in about 60% of
 * the time, within 2 ulp of the correctly rounded result (a test checks it against Math.exp).
 * Plain IEEE arithmetic, so results are the same on every machine. fastLog below does the same
 * for the logarithms of the day loop, and powPos combines the two. The WebAssembly day loop
 * (src/wasm/kernel.ts) runs the same operations on these same tables (exported for it).
 *
 * exp(x) = 2^m 2^(j/128) exp(r), with x = (128 m + j) ln2/128 + r and |r| <= ln2/256; exp(r) - 1
 * by its Taylor series to r^5 (truncation < 1e-18).
 */

const N = 128;
export const TWO_J = Float64Array.from({ length: N }, (_, j) => 2 ** (j / N));
/** 2^m for m in [-1100, 1100], at index m + 1100 (0 and Infinity beyond the double range). */
export const POW2 = Float64Array.from({ length: 2201 }, (_, i) => 2 ** (i - 1100));
const INV_LN2_N = N / Math.LN2;
// ln2/N split so that k ln2/N is exact in the first term (fdlibm's ln2_hi has 32 trailing zero bits).
const LN2_HI = 6.93147180369123816490e-1;
const LN2_LO = 1.90821492927058770002e-10;
const LN2_N_HI = LN2_HI / N;
const LN2_N_LO = LN2_LO / N;
/** Adding and subtracting 1.5 2^52 rounds a double to the nearest integer. */
const ROUND = 6755399441055744;

/** e^x, within 2 ulp. */
export function fastExp(x: number): number {
  if (!(x < 709.78) || !(x > -745.2)) return x !== x ? NaN : x > 0 ? Infinity : 0;
  const kf = x * INV_LN2_N + ROUND - ROUND;
  const k = kf | 0;
  const r = x - kf * LN2_N_HI - kf * LN2_N_LO;
  const p = r + r * r * (0.5 + r * (1 / 6 + r * (1 / 24 + r * (1 / 120))));
  const t = TWO_J[k & (N - 1)];
  return (t + t * p) * POW2[(k >> 7) + 1100];
}

/** Cells of the log table on [0, 1]: x in [1/8, 1] falls in cell floor(1024 x), 128 ... 1024. */
const LOG_CELLS = 1024;
export const LOG_CENTRE = Float64Array.from({ length: LOG_CELLS + 1 }, (_, j) => (j + 0.5) / LOG_CELLS);
export const LOG_INV_CENTRE = Float64Array.from({ length: LOG_CELLS + 1 }, (_, j) => LOG_CELLS / (j + 0.5));
export const LOG_OF_CENTRE = Float64Array.from({ length: LOG_CELLS + 1 }, (_, j) => Math.log((j + 0.5) / LOG_CELLS));

/**
 * ln x, within 4.5e-16 of Math.log (absolute; a test checks it). The day loop takes logs of a
 * relative quality in (0, 1]: for x in [1/8, 1], ln x = ln c + ln(1 + r) with c the centre of x's
 * table cell and |r| = |x - c| / c <= 1/257, ln(1 + r) by its series to r^7 (truncation below
 * 1e-19). Plain arithmetic that V8 inlines, where Math.log is a call into C; other x go to Math.log.
 */
export function fastLog(x: number): number {
  if (!(x >= 0.125 && x <= 1)) return Math.log(x);
  const j = (x * LOG_CELLS) | 0;
  const r = (x - LOG_CENTRE[j]) * LOG_INV_CENTRE[j];
  return LOG_OF_CENTRE[j] + r * (1 - r * (1 / 2 - r * (1 / 3 - r * (1 / 4 - r * (1 / 5 - r * (1 / 6 - r * (1 / 7)))))));
}

const LN2 = 0.6931471805599453;
const LN2_2 = 1.3862943611198906;
const LN2_3 = 2.0794415416798357;

/**
 * ln x with fastLog's table stretched to (1, 8]: ln x = ln(x 2^-e) + e ln2 for e = 1, 2, 3 (the
 * scaling is exact, x 2^-e falls in (1/2, 1]); other x as fastLog. For the but-for revenue's daily
 * growth (1 + g p^(t/365))^(1/365) = exp(ln(1 + g p^(t/365)) / 365), whose base lies in (0.01, 1 + g]:
 * Math.pow once per path and day was a tenth of the default scenario's day loop. Within 4.5e-16 of
 * Math.log on (1, 8] (absolute), and dailyGrowth within 1 ulp of Math.pow (tests check both).
 */
export function fastLogWide(x: number): number {
  if (x > 1 && x <= 8) {
    if (x <= 2) return fastLog(x * 0.5) + LN2;
    if (x <= 4) return fastLog(x * 0.25) + LN2_2;
    return fastLog(x * 0.125) + LN2_3;
  }
  return fastLog(x);
}

/** (1 + u)^(1/365) as exp(fastLogWide(1 + u) / 365): the but-for revenue's daily growth factor. */
export function dailyGrowth(u: number): number {
  return fastExp(fastLogWide(1 + u) / 365);
}

/**
 * x^y for x >= 0, as exp(y ln x): every world code path uses this one function (V8's `**` costs
 * over twice as much), so the per-path and the lockstep day loops agree bit for bit.
 */
export function powPos(x: number, y: number): number {
  return x > 0 ? fastExp(y * fastLog(x)) : y === 0 ? 1 : 0;
}
