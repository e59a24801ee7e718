/**
 * exp in plain JavaScript, for the day loop. V8 implements Math.exp as a call into C that its
 * optimizing compiler cannot inline; this table-driven version inlines and runs in about 60% of
 * the time, within 2 ulp of the correctly rounded result (a test checks it against Math.exp).
 * Plain IEEE arithmetic, so results are the same on every machine. (Math.log is already fast.)
 *
 * exp(x) = 2^m 2^(j/128) exp(r), with x = (128 m + j) ln2/128 + r and |r| <= ln2/256; exp(r) - 1
 * by its Taylor series to r^5 (truncation < 1e-18).
 */

const N = 128;
const TWO_J = Float64Array.from({ length: N }, (_, j) => 2 ** (j / N));
/** 2^m for m in [-1100, 1100], at index m + 1100 (0 and Infinity beyond the double range). */
const POW2 = Float64Array.from({ length: 2201 }, (_, i) => 2 ** (i - 1100));
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

/** Interval centres covering [1/2, 3/2): m lands in [sqrt(1/2), sqrt(2)). */
