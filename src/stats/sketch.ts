/**
 * A grid of mergeable quantile sketches, one per cell (world x variable x stored day), whose
 * memory does not grow with the number of paths. The day loop fills its own copy of this grid in
 * WebAssembly memory (src/wasm/kernel.ts: the same buckets, floors and min/max); the engine merges
 * those into this one, which answers the quantiles.
 *
 * Each value goes to a log-linear bucket read straight from its IEEE-754 bits: the exponent and
 * the top MANTISSA_BITS (6) bits of the mantissa, so a bucket spans at most a factor 1 + 2^-6 and
 * its midpoint is within RELATIVE_ACCURACY = 2^-7 (0.78%) of any value in it. |x| below the
 * cell's floor (ZERO_BELOW unless given per cell) counts as 0.
 * Counts are integers, so merging sketches is exact and the result is the same whatever the order
 * or grouping of paths: series quantiles are byte-identical for any thread count. Each cell also
 * keeps its exact min and max, and estimates are clamped to them (so a cell whose values are all
 * equal reports that value exactly).
 *
 * Quantile estimate: type 7 (see summary.ts) applied to the bucket midpoints of the order
 * statistics, so it is within RELATIVE_ACCURACY of the exact type-7 quantile's bracketing values.
 */

const MANTISSA_BITS = 6;
const SHIFT = 20 - MANTISSA_BITS;
export const RELATIVE_ACCURACY = 2 ** -(MANTISSA_BITS + 1);
export const ZERO_BELOW = 2 ** -40;
const SLACK = 16;

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0; // high word index (little-endian: 1)

/** Bucket key of |x| (monotone in |x|). */
function keyOf(absX: number): number {
  f64[0] = absX;
  return u32[HI] >>> SHIFT;
}

/** Lower edge of a bucket. */
function lowerEdge(key: number): number {
  u32[HI] = key << SHIFT;
  u32[1 - HI] = 0;
  return f64[0];
}

const midpoint = (key: number) => 0.5 * (lowerEdge(key) + lowerEdge(key + 1));

/** Serialized grid: windows and counts in flat typed arrays (transferable between threads). */
export interface SketchData {
  cells: number;
  /** Per cell: [posLo, posLen, negLo, negLen]. */
  windows: Int32Array;
  counts: Uint32Array;
  zeros: Float64Array;
  min: Float64Array;
  max: Float64Array;
}

export class SketchGrid {
  private posLo: Int32Array;
  private negLo: Int32Array;
  private pos: (Uint32Array | undefined)[];
  private neg: (Uint32Array | undefined)[];
  readonly zeros: Float64Array;
  readonly min: Float64Array;
  readonly max: Float64Array;
  /** Per cell: |x| below this counts as 0 (default ZERO_BELOW). */
  readonly floor: Float64Array;

  constructor(
    readonly cells: number,
    floor?: Float64Array,
  ) {
    this.floor = floor ?? new Float64Array(cells).fill(ZERO_BELOW);
    this.posLo = new Int32Array(cells);
    this.negLo = new Int32Array(cells);
    this.pos = new Array(cells).fill(undefined);
    this.neg = new Array(cells).fill(undefined);
    this.zeros = new Float64Array(cells);
    this.min = new Float64Array(cells).fill(Infinity);
    this.max = new Float64Array(cells).fill(-Infinity);
  }

  add(cell: number, x: number, count = 1): void {
    if (x < this.min[cell]) this.min[cell] = x;
    if (x > this.max[cell]) this.max[cell] = x;
    const floor = this.floor[cell];
    if (x < floor && x > -floor) {
      this.zeros[cell] += count;
      return;
    }
    if (x > 0) this.bump(this.pos, this.posLo, cell, keyOf(x), count);
    else this.bump(this.neg, this.negLo, cell, keyOf(-x), count);
  }

  private bump(store: (Uint32Array | undefined)[], lo: Int32Array, cell: number, key: number, count: number): void {
    let arr = store[cell];
    if (arr !== undefined) {
      const i = key - lo[cell];
      if (i >= 0 && i < arr.length) {
        arr[i] += count;
        return;
      }
    }
    // Grow the window geometrically towards key (by half its length at least), copying the counts.
    const oldLo = arr ? lo[cell] : key;
    const oldHi = arr ? lo[cell] + arr.length : key;
    const grow = (oldHi - oldLo) >> 1;
    const newLo = key < oldLo ? Math.min(key - SLACK, oldLo - grow) : oldLo - (arr ? 0 : SLACK);
    const newHi = key >= oldHi ? Math.max(key + SLACK + 1, oldHi + grow) : oldHi;
    const grown = new Uint32Array(newHi - newLo);
    if (arr) grown.set(arr, oldLo - newLo);
    store[cell] = grown;
    lo[cell] = newLo;
    grown[key - newLo] += count;
  }

  count(cell: number): number {
    let n = this.zeros[cell];
    for (const a of [this.pos[cell], this.neg[cell]]) if (a) for (let i = 0; i < a.length; i++) n += a[i];
    return n;
  }

  /** Value of the r-th smallest observation (0-based), as its bucket midpoint. */
  private rankValue(cell: number, r: number): number {
    let seen = 0;
    const neg = this.neg[cell];
    if (neg) {
      for (let i = neg.length - 1; i >= 0; i--) {
        seen += neg[i];
        if (r < seen) return -midpoint(this.negLo[cell] + i);
      }
    }
    seen += this.zeros[cell];
    if (r < seen) return 0;
    const pos = this.pos[cell];
    if (pos) {
      for (let i = 0; i < pos.length; i++) {
        seen += pos[i];
        if (r < seen) return midpoint(this.posLo[cell] + i);
      }
    }
    return this.max[cell];
  }

  /** Type-7 quantile estimate of a cell, clamped to its exact [min, max]. */
  quantile(cell: number, p: number): number {
    const n = this.count(cell);
    if (n === 0) return NaN;
    const h = (n - 1) * p;
    const lo = Math.floor(h);
    // The extreme order statistics are known exactly.
    const at = (r: number) => (r === 0 ? this.min[cell] : r === n - 1 ? this.max[cell] : this.rankValue(cell, r));
    const a = at(lo);
    const b = lo + 1 < n ? at(lo + 1) : a;
    const q = a + (h - lo) * (b - a);
    return Math.min(this.max[cell], Math.max(this.min[cell], q));
  }

  /** Copies n cells starting at `from` onto the cells starting at `to` (replacing them). */
  copyCells(from: number, to: number, n: number): void {
    for (let c = 0; c < n; c++) {
      const [a, b] = [from + c, to + c];
      this.pos[b] = this.pos[a]?.slice();
      this.neg[b] = this.neg[a]?.slice();
      this.posLo[b] = this.posLo[a];
      this.negLo[b] = this.negLo[a];
      this.zeros[b] = this.zeros[a];
      this.min[b] = this.min[a];
      this.max[b] = this.max[a];
    }
  }

  /** Buckets allocated over all cells (4 bytes each): the grid's memory. */
  buckets(): number {
    let n = 0;
    for (let c = 0; c < this.cells; c++) n += (this.pos[c]?.length ?? 0) + (this.neg[c]?.length ?? 0);
    return n;
  }

  /** The grid in flat arrays, each window trimmed to the buckets between its first and last count. */
  serialize(): SketchData {
    const windows = new Int32Array(4 * this.cells);
    const spans: Uint32Array[] = [];
    let total = 0;
    for (let c = 0; c < this.cells; c++) {
      for (let side = 0; side < 2; side++) {
        const arr = side === 0 ? this.pos[c] : this.neg[c];
        let first = 0;
        let end = arr?.length ?? 0;
        while (first < end && arr![first] === 0) first++;
        while (end > first && arr![end - 1] === 0) end--;
        windows[4 * c + 2 * side] = (side === 0 ? this.posLo[c] : this.negLo[c]) + first;
        windows[4 * c + 2 * side + 1] = end - first;
        if (end > first) spans.push(arr!.subarray(first, end)), (total += end - first);
      }
    }
    const counts = new Uint32Array(total);
    let at = 0;
    for (const span of spans) counts.set(span, at), (at += span.length);
    return { cells: this.cells, windows, counts, zeros: this.zeros, min: this.min, max: this.max };
  }

  /**
   * Adds another grid's counts (exact; order does not matter). Takes over d's arrays: an empty
   * cell adopts its window from d.counts without copying.
   */
  merge(d: SketchData): void {
    const w = d.windows;
    let at = 0;
    for (let c = 0; c < this.cells; c++) {
      const [pLo, pLen, nLo, nLen] = [w[4 * c], w[4 * c + 1], w[4 * c + 2], w[4 * c + 3]];
      if (pLen > 0) this.addWindow(this.pos, this.posLo, c, pLo, d.counts.subarray(at, (at += pLen)));
      if (nLen > 0) this.addWindow(this.neg, this.negLo, c, nLo, d.counts.subarray(at, (at += nLen)));
      this.zeros[c] += d.zeros[c];
      if (d.min[c] < this.min[c]) this.min[c] = d.min[c];
      if (d.max[c] > this.max[c]) this.max[c] = d.max[c];
    }
  }

  /** Adds a window of counts starting at key `lo`, growing this cell's window towards each end of it as needed. */
  private addWindow(store: (Uint32Array | undefined)[], los: Int32Array, cell: number, lo: number, counts: Uint32Array): void {
    if (store[cell] === undefined) {
      store[cell] = counts;
      los[cell] = lo;
      return;
    }
    this.bump(store, los, cell, lo, 0);
    this.bump(store, los, cell, lo + counts.length - 1, 0);
    const arr = store[cell]!;
    const offset = lo - los[cell];
    for (let i = 0; i < counts.length; i++) arr[offset + i] += counts[i];
  }
}
