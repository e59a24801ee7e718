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

/** A typed array's constructor (typedArray makes one of n elements). */
type TypedArrayOf<T> = { new (buffer: ArrayBuffer | SharedArrayBuffer): T; readonly BYTES_PER_ELEMENT: number };

/**
 * n zeros of a typed array, on a SharedArrayBuffer when `shared`: a kept worker thread posts a
 * grid's arrays so, and the main thread takes them without a copy (transferring them would detach
 * the thread's buffers; copying a run's 20 MB of counts took 60 ms there and 70 ms more here).
 */
export function typedArray<T>(Type: TypedArrayOf<T>, n: number, shared = false): T {
  const bytes = n * Type.BYTES_PER_ELEMENT;
  return new Type(shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
}

/** Serialized grid: windows and counts in flat typed arrays (transferable between threads). */
export interface SketchData {
  cells: number;
  /** Per cell: [posLo, posLen, negLo, negLen]. */
  windows: Int32Array;
  /** The windows' counts, cell by cell, positive side first (16-bit when none is above 65,535). */
  counts: Uint32Array | Uint16Array;
  zeros: Float64Array;
  min: Float64Array;
  max: Float64Array;
}

/** One side of a cell's counts by bucket key from `lo` (len of them), and their total. */
interface SideCounts {
  lo: number;
  len: number;
  counts: Uint32Array | Uint16Array;
  total: number;
}

/** A window of counts from bucket key `lo` on. */
interface Window {
  lo: number;
  counts: Uint32Array | Uint16Array;
}

/** The keys [lo, hi) that some window covers. */
function span(windows: Window[]): [number, number] {
  let [lo, hi] = [Infinity, -Infinity];
  for (const w of windows) [lo, hi] = [Math.min(lo, w.lo), Math.max(hi, w.lo + w.counts.length)];
  return [lo, hi];
}

/** into[offset + i] += counts[start + i] for i < len. */
function addCounts(into: Uint32Array, offset: number, counts: Uint32Array | Uint16Array, start: number, len: number): void {
  for (let i = 0; i < len; i++) into[offset + i] += counts[start + i];
}

/** A grid's counts read in order, window by window (cell by cell, positive side first). */
export interface CountReader {
  /** Adds the next `len` counts to target[at ...]. */
  addInto(target: Uint32Array | Uint16Array, at: number, len: number): void;
}

/** Reads SketchData's flat counts in order. */
export function flatCounts(counts: Uint32Array | Uint16Array): CountReader {
  let from = 0;
  return {
    addInto(target, at, len) {
      for (let i = 0; i < len; i++) target[at + i] += counts[from + i];
      from += len;
    },
  };
}

/** A grid whose counts are read in order (flat, or packed in a shard file). */
export interface CountedGrid extends Omit<SketchData, 'counts'> {
  counts: CountReader;
}

/**
 * Grids of the same cells added up into one (exact; order does not matter): each cell side gets
 * one window spanning the grids' windows, 16-bit when no count can pass 65,535 (`values`, the
 * values a cell can hold, says so), else 32-bit. A grid merges the result without copying it.
 * Memory: one grid's worth, however many are added.
 */
export function addGrids(cells: number, grids: readonly CountedGrid[], values: number): SketchData {
  const windows = new Int32Array(4 * cells);
  let total = 0;
  for (let w = 0; w < 2 * cells; w++) {
    let [lo, hi] = [Infinity, -Infinity];
    for (const g of grids) {
      const len = g.windows[2 * w + 1];
      if (len > 0) [lo, hi] = [Math.min(lo, g.windows[2 * w]), Math.max(hi, g.windows[2 * w] + len)];
    }
    if (hi > lo) [windows[2 * w], windows[2 * w + 1]] = [lo, hi - lo];
    total += windows[2 * w + 1];
  }
  const counts = values <= 0xffff ? new Uint16Array(total) : new Uint32Array(total);
  const zeros = new Float64Array(cells);
  const min = new Float64Array(cells).fill(Infinity);
  const max = new Float64Array(cells).fill(-Infinity);
  for (const g of grids) {
    let at = 0;
    for (let w = 0; w < 2 * cells; w++) {
      const len = g.windows[2 * w + 1];
      if (len > 0) g.counts.addInto(counts, at + g.windows[2 * w] - windows[2 * w], len);
      at += windows[2 * w + 1];
    }
    for (let c = 0; c < cells; c++) {
      zeros[c] += g.zeros[c];
      if (g.min[c] < min[c]) min[c] = g.min[c];
      if (g.max[c] > max[c]) max[c] = g.max[c];
    }
  }
  return { cells, windows, counts, zeros, min, max };
}

/** Buckets of the buffers a grid's windows are moved into when it flattens (64 MiB each). */
const SLAB_BUCKETS = 16 * 1024 * 1024;

/**
 * Windows for `total` buckets in all, handed out one after another (take(len)) as views of a few
 * buffers of up to SLAB_BUCKETS each (a window longer than that gets a buffer of its own).
 */
function slabs(total: number): (len: number) => Uint32Array {
  let slab = new Uint32Array(0);
  let at = 0;
  return (len) => {
    if (at + len > slab.length) [slab, at] = [new Uint32Array(Math.max(len, Math.min(total, SLAB_BUCKETS))), 0];
    total -= len;
    return slab.subarray(at, (at += len));
  };
}

export class SketchGrid {
  private posLo: Int32Array;
  private negLo: Int32Array;
  private pos: (Uint32Array | undefined)[];
  private neg: (Uint32Array | undefined)[];
  /**
   * Further windows of a cell side, taken over by merge without adding them into the cell's own
   * (read-only; the counts of a cell side are the sums over all its windows).
   */
  private posMore: (Window[] | undefined)[];
  private negMore: (Window[] | undefined)[];
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
    this.posMore = new Array(cells).fill(undefined);
    this.negMore = new Array(cells).fill(undefined);
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
    this.live();
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

  /** The values a cell holds: its zeros and each side's total (sideCounts). */
  count(cell: number): number {
    return this.zeros[cell] + this.sideCounts(cell, 1).total + this.sideCounts(cell, 0).total;
  }

  /** Every window of one side of a cell (0 positive, 1 negative), its own first. */
  private windows(cell: number, side: number): Window[] {
    this.live();
    const own = side === 0 ? this.pos[cell] : this.neg[cell];
    const more = (side === 0 ? this.posMore[cell] : this.negMore[cell]) ?? [];
    return own === undefined ? more : [{ lo: side === 0 ? this.posLo[cell] : this.negLo[cell], counts: own }, ...more];
  }

  /**
   * Values of the order statistics `ranks` (0-based, ascending) of a cell with `drop` of its zeros
   * left out, in one walk over its buckets: each its bucket's midpoint, or `within` read inside its
   * bucket by rank (a bucket holding c values [s, s + c) gives the value of rank s + k at the
   * fraction (k + 1/2)/c of the way across it, on the log scale its edges are spaced on: within one
   * bucket, a factor 1 + 2^-6, of the exact order statistic, like the midpoint, and it moves with
   * the rank instead of jumping from midpoint to midpoint).
   */
  private rankValues(cell: number, ranks: readonly number[], drop: number, within: boolean, neg: SideCounts, pos: SideCounts): number[] {
    // |x| in bucket `key`: its midpoint, or `within` the point a fraction f of the way up it.
    const read = (key: number, f: number) => {
      if (!within) return midpoint(key);
      const lo = lowerEdge(key);
      return lo * (lowerEdge(key + 1) / lo) ** f;
    };
    const out: number[] = [];
    let k = 0; // the next rank to find
    // Negative values from the largest |x| down, then zeros, then positive values upwards.
    let seen = 0;
    for (let i = neg.len - 1; i >= 0 && k < ranks.length; i--) {
      const count = neg.counts[i];
      // Ranks run from the largest |x| down: rank s + k sits k + 1/2 counts below the upper edge.
      for (; k < ranks.length && ranks[k] < seen + count; k++) out.push(-read(neg.lo + i, 1 - (ranks[k] - seen + 0.5) / count));
      seen += count;
    }
    seen += this.zeros[cell] - drop;
    for (; k < ranks.length && ranks[k] < seen; k++) out.push(0);
    for (let i = 0; i < pos.len && k < ranks.length; i++) {
      const count = pos.counts[i];
      for (; k < ranks.length && ranks[k] < seen + count; k++) out.push(read(pos.lo + i, (ranks[k] - seen + 0.5) / count));
      seen += count;
    }
    for (; k < ranks.length; k++) out.push(this.max[cell]);
    return out;
  }

  /** Per side, a buffer its windows' counts are added up in (sideCounts), grown as needed. */
  private readonly scratch = [new Uint32Array(0), new Uint32Array(0)];

  /**
   * One side of a cell (0 positive, 1 negative): its counts by key from `lo` (the side's one
   * window, or its windows added up in a buffer of this grid's, valid until the next call for the
   * same side) and their total.
   */
  private sideCounts(cell: number, side: number): SideCounts {
    const windows = this.windows(cell, side);
    if (windows.length === 0) return { lo: 0, len: 0, counts: this.scratch[side], total: 0 };
    let total = 0;
    if (windows.length === 1) {
      const { lo, counts } = windows[0];
      for (let i = 0; i < counts.length; i++) total += counts[i];
      return { lo, len: counts.length, counts, total };
    }
    const [lo, hi] = span(windows);
    if (this.scratch[side].length < hi - lo) this.scratch[side] = new Uint32Array(Math.max(hi - lo, 2 * this.scratch[side].length));
    const sum = this.scratch[side];
    sum.fill(0, 0, hi - lo);
    for (const w of windows) addCounts(sum, w.lo - lo, w.counts, 0, w.counts.length);
    for (let i = 0; i < hi - lo; i++) total += sum[i];
    return { lo, len: hi - lo, counts: sum, total };
  }

  /**
   * Type-7 quantiles at `ps` (ascending) of a cell's values with `drop` of its zeros left out, each
   * order statistic by rankValues (each side's windows added up once and walked once for all of
   * them), clamped to the cell's exact [min, max]; NaN when nothing is left. The extremes are known
   * exactly, unless they may be among the zeros left out.
   */
  private estimates(cell: number, ps: readonly number[], drop: number, within: boolean): number[] {
    const neg = this.sideCounts(cell, 1);
    const pos = this.sideCounts(cell, 0);
    const n = this.zeros[cell] + neg.total + pos.total - drop;
    if (n <= 0) return ps.map(() => NaN);
    const min = this.min[cell];
    const max = this.max[cell];
    const maxExact = drop === 0 || max > 0;
    // The order statistics the levels need, ascending: a level's two are next to each other and
    // the levels ascend, so each is at least the one before. The exact extremes are not walked for.
    const walked: number[] = [];
    for (let j = 0; j < ps.length; j++) {
      if (j > 0 && !(ps[j] >= ps[j - 1])) throw new RangeError(`quantile levels must ascend, found ${ps[j - 1]} then ${ps[j]}`);
      const lo = Math.floor((n - 1) * ps[j]);
      for (let r = lo; r <= lo + 1 && r < n; r++) if (!((r === 0 && drop === 0) || (r === n - 1 && maxExact)) && walked[walked.length - 1] !== r) walked.push(r);
    }
    const values = this.rankValues(cell, walked, drop, within, neg, pos);
    const at = (r: number) => ((r === 0 && drop === 0) ? min : r === n - 1 && maxExact ? max : values[walked.indexOf(r)]);
    const out = new Array<number>(ps.length);
    for (let j = 0; j < ps.length; j++) {
      const h = (n - 1) * ps[j];
      const lo = Math.floor(h);
      const a = at(lo);
      const b = lo + 1 < n ? at(lo + 1) : a;
      out[j] = Math.min(max, Math.max(min, a + (h - lo) * (b - a)));
    }
    return out;
  }

  /**
   * Type-7 quantile with `drop` of the cell's zeros left out (the paths a series leaves out, such
   * as failed firms' zero revenue), each order statistic read within its bucket by rank. Charts use
   * it where a band's edge should follow the values day by day rather than step from bucket to
   * bucket; series.csv keeps `quantile`.
   */
  quantileWithin(cell: number, p: number, drop = 0): number {
    return this.quantilesWithin(cell, [p], drop)[0];
  }

  /** quantileWithin at each of `ps` (ascending), the cell's buckets walked once. */
  quantilesWithin(cell: number, ps: readonly number[], drop = 0): number[] {
    if (drop > this.zeros[cell]) throw new RangeError(`cannot leave out ${drop} zeros of a cell holding ${this.zeros[cell]}`);
    return this.estimates(cell, ps, drop, true);
  }

  /** Type-7 quantile estimate of a cell from its buckets' midpoints, clamped to its exact [min, max]. */
  quantile(cell: number, p: number): number {
    return this.quantiles(cell, [p])[0];
  }

  /** quantile at each of `ps` (ascending), the cell's buckets walked once. */
  quantiles(cell: number, ps: readonly number[]): number[] {
    return this.estimates(cell, ps, 0, false);
  }

  /** Copies n cells starting at `from` onto the cells starting at `to` (replacing them). */
  copyCells(from: number, to: number, n: number): void {
    this.live();
    // The copies' own windows go into a few large buffers (see flatten).
    let total = 0;
    for (let c = from; c < from + n; c++) total += (this.pos[c]?.length ?? 0) + (this.neg[c]?.length ?? 0);
    const take = slabs(total);
    const copy = (window: Uint32Array | undefined) => {
      if (window === undefined) return undefined;
      const into = take(window.length);
      into.set(window);
      return into;
    };
    for (let c = 0; c < n; c++) {
      const [a, b] = [from + c, to + c];
      this.pos[b] = copy(this.pos[a]);
      this.neg[b] = copy(this.neg[a]);
      this.posMore[b] = this.posMore[a]?.slice(); // windows are read-only: shared
      this.negMore[b] = this.negMore[a]?.slice();
      this.posLo[b] = this.posLo[a];
      this.negLo[b] = this.negLo[a];
      this.zeros[b] = this.zeros[a];
      this.min[b] = this.min[a];
      this.max[b] = this.max[a];
    }
  }

  /**
   * Gives up the grid's counts once nothing will read them (a run's report, once it has read the
   * series it shows: cli/run.ts), so that their memory goes with the next garbage collection rather
   * than with the run's results. Reading or adding counts afterwards throws; the exact extremes and
   * zero counts stay.
   */
  release(): void {
    this.released = true;
    for (const store of [this.pos, this.neg, this.posMore, this.negMore]) store.fill(undefined);
  }
  private released = false;

  /** One side's stores (0 positive, 1 negative): each cell's own window, its first key, its further windows. */
  private side(side: number): [(Uint32Array | undefined)[], Int32Array, (Window[] | undefined)[]] {
    return side === 0 ? [this.pos, this.posLo, this.posMore] : [this.neg, this.negLo, this.negMore];
  }

  private live(): void {
    if (this.released) throw new Error('this sketch grid has been released: its counts are gone');
  }

  /** Buckets allocated over all cells (4 bytes each): the grid's memory. */
  buckets(): number {
    let n = 0;
    for (let c = 0; c < this.cells; c++) for (const side of [0, 1]) for (const w of this.windows(c, side)) n += w.counts.length;
    return n;
  }

  /**
   * Adds every cell side's further windows (merge) into its own. Where some side's own window does
   * not cover its windows, every side's window moves into new buffers of up to SLAB_BUCKETS each
   * (the windows are views of them): a grid folded again and again (a large run's, Kernel.flush)
   * is then a few large allocations, which the allocator hands back to the system when the grid
   * goes, rather than one small allocation per cell side, which it keeps for later small ones.
   */
  private flatten(): void {
    const spans = new Float64Array(4 * this.cells);
    let rebuild = false;
    for (let c = 0; c < this.cells; c++) {
      for (let side = 0; side < 2; side++) {
        const [own, los, more] = this.side(side);
        let [lo, len] = [los[c], own[c]?.length ?? 0];
        if (more[c] !== undefined) {
          const [from, to] = span(this.windows(c, side));
          [lo, len] = [from, to - from];
          if (own[c] === undefined || los[c] !== lo || own[c]!.length !== len) rebuild = true;
        }
        [spans[4 * c + 2 * side], spans[4 * c + 2 * side + 1]] = [lo, len];
      }
    }
    if (!rebuild) {
      // Every own window covers its side's windows: add them in.
      for (let c = 0; c < this.cells; c++) {
        for (let side = 0; side < 2; side++) {
          const [own, los, more] = this.side(side);
          if (more[c] === undefined) continue;
          for (const w of more[c]!) addCounts(own[c]!, w.lo - los[c], w.counts, 0, w.counts.length);
          more[c] = undefined;
        }
      }
      return;
    }
    let total = 0;
    for (let w = 0; w < 2 * this.cells; w++) total += spans[2 * w + 1];
    const take = slabs(total);
    for (let c = 0; c < this.cells; c++) {
      for (let side = 0; side < 2; side++) {
        const [own, los, more] = this.side(side);
        const [lo, len] = [spans[4 * c + 2 * side], spans[4 * c + 2 * side + 1]];
        if (len === 0) continue;
        const sum = take(len);
        for (const w of this.windows(c, side)) addCounts(sum, w.lo - lo, w.counts, 0, w.counts.length);
        [own[c], los[c], more[c]] = [sum, lo, undefined];
      }
    }
  }

  /** The grid in flat arrays, each window trimmed to the buckets between its first and last count. */
  serialize(shared = false): SketchData {
    this.live();
    this.flatten();
    const windows = typedArray(Int32Array, 4 * this.cells, shared);
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
    const counts = typedArray(Uint32Array, total, shared);
    let at = 0;
    for (const span of spans) counts.set(span, at), (at += span.length);
    return { cells: this.cells, windows, counts, zeros: this.zeros, min: this.min, max: this.max };
  }

  /**
   * Adds another grid's counts without adding anything up (exact; order does not matter): a cell
   * side this grid has no counts for takes d's window as its own, others keep d's as a further
   * window that counts and quantiles add in. O(cells), and d's arrays are taken over. For grids
   * merged once, such as the threads' at the end of a run; fold for repeated merging.
   */
  merge(d: SketchData): void {
    this.live();
    let at = 0;
    for (let c = 0; c < this.cells; c++) {
      for (let side = 0; side < 2; side++) {
        const len = d.windows[4 * c + 2 * side + 1];
        if (len === 0) continue;
        const window = { lo: d.windows[4 * c + 2 * side], counts: d.counts.subarray(at, (at += len)) };
        const [own, los, more] = this.side(side);
        // A cell side's own window takes adds, so it must be 32-bit.
        if (own[c] === undefined && more[c] === undefined && window.counts instanceof Uint32Array) [own[c], los[c]] = [window.counts, window.lo];
        else (more[c] ??= []).push(window);
      }
      this.zeros[c] += d.zeros[c];
      if (d.min[c] < this.min[c]) this.min[c] = d.min[c];
      if (d.max[c] > this.max[c]) this.max[c] = d.max[c];
    }
  }

  /**
   * Adds other grids' counts into this grid's own windows (exact; order does not matter), so
   * memory stays that of one grid however often it is done: merge, then each cell side's windows
   * added up into one.
   */
  fold(grids: readonly SketchData[]): void {
    for (const d of grids) this.merge(d);
    this.flatten();
  }

}
