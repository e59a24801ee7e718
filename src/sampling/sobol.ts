/**
 * Sobol points for quasi-Monte Carlo sampling (simulation.sampling: qmc), from the Joe-Kuo
 * direction numbers (data/sobol/new-joe-kuo-6.21201, cited in its README), 32 bits per coordinate.
 *
 *   direction numbers v_{d,1..32} -> (optional) linear matrix scramble L_d v and digital shift e_d
 *   -> points by Gray code: x_0 = 0, x_n = x_{n-1} xor v_c, c the rightmost zero bit of n - 1
 *
 * Unscrambled, the points are SciPy's (scipy.stats.qmc.Sobol(d, scramble=False, bits=32)) bit for
 * bit. Scrambled, every one-dimensional projection of the first 2^m points still has exactly one
 * point in each interval [k/2^m, (k+1)/2^m): the scramble is a bijection that keeps the leading
 * digits' order structure (Matousek 1998, "On the L2-discrepancy for anchored boxes"; SciPy's
 * scramble=True is the same construction). The random bits come from the caller's seeded stream.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../version.js';
import { SOBOL_MAX_DIMENSIONS } from '../scenario/spec.js';

export { SOBOL_MAX_DIMENSIONS };
/** Bits per coordinate. */
const BITS = 32;

let table: { s: number; a: number; m: number[] }[] | undefined;
let tableRows = 0;

/** The file's rows for dimensions 2 ... dims (read once, as far as needed). */
function rows(dims: number): { s: number; a: number; m: number[] }[] {
  if (table && tableRows >= dims) return table;
  if (!PACKAGE_ROOT) throw new Error('the Sobol direction numbers (data/sobol/new-joe-kuo-6.21201) are read from the accessgap package, which was not found above this module');
  const text = readFileSync(join(PACKAGE_ROOT, 'data', 'sobol', 'new-joe-kuo-6.21201'), 'utf8');
  const out: { s: number; a: number; m: number[] }[] = [];
  let at = text.indexOf('\n') + 1; // the header line
  for (let d = 2; d <= dims; d++) {
    const end = text.indexOf('\n', at);
    const f = text.slice(at, end < 0 ? undefined : end).trim().split(/\s+/).map(Number);
    if (f[0] !== d) throw new Error(`data/sobol/new-joe-kuo-6.21201: expected dimension ${d}, found ${f[0]}`);
    out.push({ s: f[1], a: f[2], m: f.slice(3, 3 + f[1]) });
    at = end + 1;
  }
  [table, tableRows] = [out, dims];
  return out;
}

/** Direction numbers v_{d,j}, j = 1 ... 32, of dimensions 1 ... dims (index d - 1), as 32-bit integers. */
export function directionNumbers(dims: number): Uint32Array[] {
  if (!(dims >= 1 && dims <= SOBOL_MAX_DIMENSIONS)) throw new RangeError(`Sobol points have at most ${SOBOL_MAX_DIMENSIONS} dimensions, not ${dims}`);
  const r = rows(dims);
  return Array.from({ length: dims }, (_, i) => {
    const v = new Uint32Array(BITS);
    if (i === 0) {
      for (let j = 0; j < BITS; j++) v[j] = 2 ** (BITS - 1 - j);
      return v;
    }
    const { s, a, m } = r[i - 1];
    for (let j = 0; j < Math.min(s, BITS); j++) v[j] = (m[j] * 2 ** (BITS - 1 - j)) >>> 0;
    for (let j = s; j < BITS; j++) {
      let x = (v[j - s] ^ (v[j - s] >>> s)) >>> 0;
      for (let k = 1; k < s; k++) if ((a >>> (s - 1 - k)) & 1) x = (x ^ v[j - k]) >>> 0;
      v[j] = x;
    }
    return v;
  });
}

/** Parity (0 or 1) of a 32-bit integer's set bits. */
function parity(x: number): number {
  x ^= x >>> 16;
  x ^= x >>> 8;
  x ^= x >>> 4;
  x ^= x >>> 2;
  x ^= x >>> 1;
  return x & 1;
}

/**
 * Linear matrix scramble of one dimension's direction numbers: v' = L v over GF(2), digits taken
 * from the most significant, with L lower triangular and a unit diagonal (row i: digit i and random
 * digits before it). `bits()` gives random 32-bit integers.
 */
function scrambled(v: Uint32Array, bits: () => number): Uint32Array {
  const rowsOf = new Uint32Array(BITS);
  for (let i = 0; i < BITS; i++) {
    const own = 2 ** (BITS - 1 - i);
    const above = i === 0 ? 0 : (bits() >>> (BITS - i)) * 2 ** (BITS - i); // random digits 0 ... i-1
    rowsOf[i] = (own + above) >>> 0;
  }
  return v.map((x) => {
    let y = 0;
    for (let i = 0; i < BITS; i++) if (parity((rowsOf[i] & x) >>> 0)) y += 2 ** (BITS - 1 - i);
    return y >>> 0;
  });
}

/**
 * The first n points in `dims` dimensions as 32-bit integers (x = k / 2^32): out[d][i] for
 * dimension d + 1, point i. With `bits` (random 32-bit integers from a seeded stream), each
 * dimension is scrambled (linear matrix scramble, then a digital shift), the bits taken dimension
 * by dimension: its 31 matrix rows below the first, then its shift.
 */
export function sobolPoints(v: Uint32Array[], n: number, bits?: () => number): Uint32Array[] {
  return v.map((dirs) => {
    const w = bits ? scrambled(dirs, bits) : dirs;
    const shift = bits ? bits() >>> 0 : 0;
    const out = new Uint32Array(n);
    let x = 0;
    for (let i = 0; i < n; i++) {
      if (i > 0) {
        // c: the rightmost zero bit of i - 1.
        let c = 0;
        for (let m = i - 1; m & 1; m >>>= 1) c++;
        x = (x ^ w[c]) >>> 0;
      }
      out[i] = (x ^ shift) >>> 0;
    }
    return out;
  });
}
