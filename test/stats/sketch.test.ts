import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { addGrids, flatCounts, RELATIVE_ACCURACY, SketchGrid, type SketchData } from '../../src/stats/sketch.js';
import { packCounts, PackedCounts, StreamedCounts } from '../../src/stats/packed.js';

const packedOf = (counts: Uint32Array | Uint16Array) =>
  new PackedCounts(packCounts(counts), (what) => {
    throw new Error(what);
  });
import { quantileSorted } from '../../src/stats/summary.js';

function sample(n: number, seed: string): Float64Array {
  const rng = seedrandom.tychei(seed);
  // A mix of signs and scales: lognormal-ish magnitudes, some negatives, some zeros.
  return Float64Array.from({ length: n }, (_, i) => (i % 17 === 0 ? 0 : (rng.double() < 0.2 ? -1 : 1) * Math.exp(8 * rng.double() - 2)));
}

describe('SketchGrid', () => {
  it('once released, refuses to read, add, copy or serialize its counts', () => {
    const grid = new SketchGrid(2);
    for (const x of sample(500, 'released')) grid.add(0, x);
    expect(grid.quantile(0, 0.5)).toBeGreaterThan(-Infinity);
    grid.release();
    expect(() => grid.quantile(0, 0.5)).toThrow(/released/);
    expect(() => grid.quantilesWithin(0, [0.5], 0)).toThrow(/released/);
    expect(() => grid.add(1, 5)).toThrow(/released/);
    expect(() => grid.copyCells(0, 1, 1)).toThrow(/released/);
    expect(() => grid.serialize()).toThrow(/released/);
  });

  it(`estimates type-7 quantiles within the stated relative accuracy (${RELATIVE_ACCURACY})`, () => {
    const values = sample(10_000, 'sketch-accuracy');
    const grid = new SketchGrid(1);
    for (const x of values) grid.add(0, x);
    const sorted = Float64Array.from(values).sort();
    for (const p of [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99]) {
      const h = (sorted.length - 1) * p;
      const [lo, hi] = [sorted[Math.floor(h)], sorted[Math.ceil(h)]];
      const est = grid.quantile(0, p);
      const exact = quantileSorted(sorted, p);
      const bound = RELATIVE_ACCURACY * Math.max(Math.abs(lo), Math.abs(hi)) + 1e-12;
      expect(Math.abs(est - exact), `p=${p}: estimate ${est}, exact ${exact}`).toBeLessThanOrEqual(bound);
    }
    expect(grid.quantile(0, 0)).toBe(sorted[0]);
    expect(grid.quantile(0, 1)).toBe(sorted[sorted.length - 1]);
  });
  it('merges exactly: any split of the values gives identical quantiles', () => {
    const values = sample(5_000, 'sketch-merge');
    const whole = new SketchGrid(2);
    for (const x of values) whole.add(1, x);
    const parts = [new SketchGrid(2), new SketchGrid(2), new SketchGrid(2)];
    values.forEach((x, i) => parts[(i * 7) % 3].add(1, x));
    // Kept as further windows (merge), added up (fold) one at a time or all at once, both mixed,
    // and a merged grid's counts serialized and read back.
    // 16-bit counts (as the kernel sends them) are read alike.
    const sixteen = (d: SketchData): SketchData => ({ ...d, counts: Uint16Array.from(d.counts) });
    const merged = new SketchGrid(2);
    for (const p of [parts[2], parts[0], parts[1]]) merged.merge(sixteen(p.serialize()));
    const folded = new SketchGrid(2);
    for (const p of [parts[2], parts[0], parts[1]]) folded.fold([p.serialize()]);
    const atOnce = new SketchGrid(2);
    atOnce.fold(parts.map((p, i) => (i === 1 ? sixteen(p.serialize()) : p.serialize())));
    const mixed = new SketchGrid(2);
    mixed.merge(parts[1].serialize());
    mixed.merge(parts[2].serialize());
    mixed.fold([parts[0].serialize()]);
    // Added up into one grid (addGrids), from flat and from packed counts (a shard's part).
    // 16-bit windows when no count can pass 65,535, else 32-bit.
    const [added, added32] = [values.length, 100_000].map((bound) => {
      const grid = new SketchGrid(2);
      grid.merge(addGrids(2, [sixteen(parts[0].serialize()), parts[1].serialize()].map((d) => ({ ...d, counts: flatCounts(d.counts) })).concat([{ ...parts[2].serialize(), counts: packedOf(parts[2].serialize().counts) }]), bound));
      return grid;
    });
    const roundTrip = new SketchGrid(2);
    const twice = new SketchGrid(2);
    twice.merge(parts[0].serialize());
    twice.merge(parts[1].serialize());
    twice.merge(parts[2].serialize());
    roundTrip.merge(twice.serialize());
    for (const grid of [merged, folded, atOnce, mixed, roundTrip, added, added32]) {
      for (let p = 0; p <= 1; p += 1 / 32) expect(grid.quantile(1, p)).toBe(whole.quantile(1, p));
      expect(grid.count(1)).toBe(values.length);
      expect(Number.isNaN(grid.quantile(0, 0.5))).toBe(true);
    }
  });
  it('folds many cells into a few buffers, and copies cells into one, to the same quantiles', () => {
    const cells = 300;
    const rng = seedrandom.tychei('sketch-slabs');
    const value = (c: number) => (rng.double() < 0.3 ? -1 : 1) * Math.exp((c % 7) + 6 * rng.double());
    const parts = Array.from({ length: 4 }, () => new SketchGrid(cells));
    const whole = new SketchGrid(cells);
    // Each part spreads wider than the one before, so every fold grows the windows.
    parts.forEach((part, k) => {
      for (let c = 0; c < cells; c++) for (let i = 0; i < 20; i++) {
        const x = value(c) * (k + 1) ** 2;
        part.add(c, x);
        whole.add(c, x);
      }
    });
    const folded = new SketchGrid(cells);
    for (const p of parts) folded.fold([p.serialize()]);
    const buffers = (g: SketchGrid, from = 0, to = cells) => {
      const own = g as unknown as { pos: (Uint32Array | undefined)[]; neg: (Uint32Array | undefined)[] };
      return new Set([...own.pos.slice(from, to), ...own.neg.slice(from, to)].flatMap((w) => (w ? [w.buffer] : []))).size;
    };
    expect(buffers(folded)).toBe(1);
    folded.copyCells(0, cells / 2, cells / 2);
    whole.copyCells(0, cells / 2, cells / 2);
    expect(buffers(folded, cells / 2)).toBe(1);
    for (let c = 0; c < cells; c += 7) expect(folded.quantiles(c, [0, 0.05, 0.5, 0.95, 1]), `cell ${c}`).toEqual(whole.quantiles(c, [0, 0.05, 0.5, 0.95, 1]));
  });

  it('returns the value itself when every value in a cell is equal', () => {
    const grid = new SketchGrid(1);
    for (let i = 0; i < 10; i++) grid.add(0, 4014401.989175727);
    expect(grid.quantile(0, 0.37)).toBe(4014401.989175727);
  });
  it('quantileWithin reads each order statistic inside its bucket by rank: within one bucket of the exact value, closer on average than the midpoint, and moving with p', () => {
    const values = sample(10_000, 'sketch-within');
    const grid = new SketchGrid(1);
    for (const x of values) grid.add(0, x);
    const sorted = Float64Array.from(values).sort();
    let [errWithin, errMid] = [0, 0];
    const ps = Array.from({ length: 99 }, (_, i) => (i + 1) / 100);
    for (const p of ps) {
      const h = (sorted.length - 1) * p;
      const [lo, hi] = [sorted[Math.floor(h)], sorted[Math.ceil(h)]];
      const exact = quantileSorted(sorted, p);
      const est = grid.quantileWithin(0, p);
      const scale = Math.max(Math.abs(lo), Math.abs(hi)) + 1e-12;
      // A bucket spans a factor 1 + 2^-6 = 1 + 2 * RELATIVE_ACCURACY.
      expect(Math.abs(est - exact), `p=${p}: estimate ${est}, exact ${exact}`).toBeLessThanOrEqual(2 * RELATIVE_ACCURACY * scale);
      errWithin += Math.abs(est - exact) / scale;
      errMid += Math.abs(grid.quantile(0, p) - exact) / scale;
    }
    expect(errWithin).toBeLessThan(errMid / 2);
    // Exact where the values are: the extremes, and the zeros' range.
    expect(grid.quantileWithin(0, 0)).toBe(sorted[0]);
    expect(grid.quantileWithin(0, 1)).toBe(sorted[sorted.length - 1]);
    // Strictly increasing in p where the midpoint estimate repeats itself.
    const fine = Array.from({ length: 1000 }, (_, i) => 0.6 + i * 0.0002);
    const upper = fine.map((p) => grid.quantileWithin(0, p));
    expect(upper.every((q, i) => i === 0 || q > upper[i - 1])).toBe(true);
    const mids = fine.map((p) => grid.quantile(0, p));
    expect(mids.some((q, i) => i > 0 && q === mids[i - 1])).toBe(true);
  });

  it('quantileWithin with zeros left out answers as a cell that never held them', () => {
    const values = sample(4_000, 'sketch-drop').map(Math.abs);
    const [withZeros, without] = [new SketchGrid(1), new SketchGrid(1)];
    for (const x of values) withZeros.add(0, x), without.add(0, x);
    for (let k = 0; k < 700; k++) withZeros.add(0, 0);
    const held = without.zeros[0];
    for (let p = 0.01; p < 1; p += 0.01) expect(withZeros.quantileWithin(0, p, 700)).toBe(without.quantileWithin(0, p));
    // Leaving out every zero; and more zeros than the cell holds is a mistake, not a guess.
    expect(withZeros.quantileWithin(0, 0.5, 700 + held)).toBeGreaterThan(0);
    expect(() => withZeros.quantileWithin(0, 0.5, 701 + held)).toThrow(/cannot leave out/);
    const empty = new SketchGrid(1);
    empty.add(0, 0, 3);
    expect(Number.isNaN(empty.quantileWithin(0, 0.5, 3))).toBe(true);
  });
  it('quantiles and quantilesWithin answer many levels in one walk with the numbers each level gives alone', () => {
    // Negatives, zeros and positives, in a grid merged from parts (further windows), with ties
    // among the ranks the levels need (p = 0.5 twice; levels whose brackets share a rank).
    const values = sample(3_001, 'sketch-many');
    const parts = [new SketchGrid(1), new SketchGrid(1)];
    values.forEach((x, i) => parts[i % 2].add(0, x));
    const grid = new SketchGrid(1);
    for (const p of parts) grid.merge(p.serialize());
    const ps = [0, 0.001, 0.05, 0.0501, 0.25, 0.5, 0.5, 0.75, 0.95, 0.999, 1];
    const alone = ps.map((p) => grid.quantile(0, p));
    expect(grid.quantiles(0, ps)).toEqual(alone);
    expect(new Set(alone).size).toBeGreaterThan(8);
    const drop = grid.zeros[0] - 2;
    expect(grid.quantilesWithin(0, ps, drop)).toEqual(ps.map((p) => grid.quantileWithin(0, p, drop)));
    // Every level on the negative side, in the zeros, and on the positive side.
    const sorted = Float64Array.from(values).sort();
    const negative = sorted.findIndex((x) => x >= 0) / sorted.length;
    expect(alone[2]).toBeLessThan(0);
    expect(grid.quantiles(0, [negative / 2, 0.95])[0]).toBeLessThan(0);
    expect(grid.quantiles(0, [])).toEqual([]);
    expect(() => grid.quantiles(0, [0.5, 0.25])).toThrow(/must ascend, found 0.5 then 0.25/);
  });
  it('packs counts (a shard part) and reads them back exactly, small and 32-bit ones, and refuses bytes cut short', () => {
    const counts = Uint32Array.from([0, 0, 0, 5, 1, 0, 127, 128, 65_535, 65_536, 2 ** 32 - 1, 0, 0, 7, 0]);
    const packed = packCounts(counts);
    expect(PackedCounts.length(packed)).toBe(counts.length);
    // Read in windows of any lengths, into offsets of a larger target.
    const target = new Uint32Array(counts.length + 3);
    const reader = new PackedCounts(packed, (what) => {
      throw new Error(what);
    });
    for (const [at, len] of [[0, 4], [4, 1], [5, 9], [14, 1]]) reader.addInto(target, at + 3, len);
    expect(Array.from(target.subarray(3))).toEqual(Array.from(counts));
    // A count below 128 (zero included) takes one byte; 65,535 three, 2^32 - 1 five.
    expect(packCounts(Uint16Array.from([0, 1, 127, 0])).length).toBe(4);
    expect(packCounts(Uint16Array.from([65_535])).length).toBe(3);
    expect(packCounts(Uint32Array.from([2 ** 32 - 1])).length).toBe(5);
    const cut = packed.slice(0, packed.length - 1);
    cut[cut.length - 1] |= 128;
    expect(PackedCounts.length(cut)).toBeUndefined();
  });
  it('reads packed counts from a source a chunk at a time (a shard file), whatever the chunk, and refuses bytes that do not unpack to the counts listed', () => {
    const rng = seedrandom.tychei('streamed-counts');
    const counts = Uint32Array.from({ length: 5_000 }, (_, i) => (i % 97 === 0 ? 2 ** 32 - 1 - i : rng.double() < 0.9 ? Math.floor(rng.double() * 128) : Math.floor(rng.double() * 70_000)));
    const packed = packCounts(counts);
    const windows = [0, 1, 300, 7, 2_000, 1_692, 1_000].map((len, k, all) => [all.slice(0, k).reduce((a, b) => a + b, 0), len]);
    expect(windows.at(-1)!.reduce((a, b) => a + b)).toBe(counts.length);
    const fail = (what: string): never => {
      throw new Error(what);
    };
    for (const chunk of [1, 5, 64, 4_096, 1 << 20]) {
      let reads = 0;
      const source = (bytes: Uint8Array) => (into: Uint8Array, position: number) => {
        reads++;
        into.set(bytes.subarray(position, position + into.length));
        expect(position + into.length).toBeLessThanOrEqual(bytes.length);
      };
      const reader = new StreamedCounts(packed.length, counts.length, source(packed), fail, chunk);
      const target = new Uint32Array(counts.length);
      for (const [at, len] of windows) reader.addInto(target, at, len);
      expect(target).toEqual(counts);
      // A chunk larger than the bytes takes one read; smaller ones (grown to a window's longest packing when that is more) take several.
      if (chunk > packed.length) expect(reads).toBe(1);
      else expect(reads).toBeGreaterThanOrEqual(2);
      const read = (bytes: Uint8Array, count = counts.length) => () => {
        const r = new StreamedCounts(bytes.length, count, source(bytes), fail, chunk);
        for (const [at, len] of windows) r.addInto(new Uint32Array(counts.length), at, len);
      };
      const cut = packed.slice(0, packed.length - 1);
      cut[cut.length - 1] |= 128;
      expect(read(cut)).toThrow(/end early/);
      expect(read(Uint8Array.from([...packed, 0, 0]))).toThrow(/left over/);
      expect(read(packed, counts.length - 1)).toThrow(/more than the 4999 counts/);
    }
  });
});
