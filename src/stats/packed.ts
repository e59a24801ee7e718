/**
 * Sketch counts packed (`varint`): each count as its LEB128 varint, so the counts below 128 (nearly
 * all of a window's, zeros included) take one byte instead of two or four, and reading them back
 * is a byte per count with no branch but the rare longer one. A shard's part holds its grid's
 * counts this way (engine/shard.ts); a kernel packs them straight from its memory for a shard
 * (PackedSketchData), and a merge adds them up without unpacking them (addGrids, PackedCounts).
 */
import { addGrids, flatCounts, type CountedGrid, type CountReader, type SketchData } from './sketch.js';

type Counts = Uint16Array | Uint32Array;

/** A sketch grid whose counts are packCounts' bytes (`count` counts): what a shard's part holds. */
export interface PackedSketchData extends Omit<SketchData, 'counts'> {
  packed: Uint8Array;
  count: number;
}

/** A grid as an executor gives it: flat counts, or packed ones when a shard asked for them. */
export type AnySketchData = SketchData | PackedSketchData;

export const isPacked = (g: AnySketchData): g is PackedSketchData => 'packed' in g;

export function packCounts(counts: Counts): Uint8Array {
  const out = new Uint8Array(packedLength(counts));
  packCountsInto(counts, out, 0);
  return out;
}

/** The number of bytes packCounts gives for counts[from ... end): one per count, and one more per 7 bits above the first 7. */
export function packedLength(counts: Counts, from = 0, end = counts.length): number {
  let n = end - from;
  for (let i = from; i < end; i++) for (let v = counts[i]; v >= 128; v >>>= 7) n++;
  return n;
}

/** Writes packCounts' bytes for counts[from ... end) into `out` from `at`; returns where they end. */
export function packCountsInto(counts: Counts, out: Uint8Array, at: number, from = 0, end = counts.length): number {
  for (let i = from; i < end; i++) {
    let v = counts[i];
    while (v >= 128) {
      out[at++] = (v & 127) | 128;
      v >>>= 7;
    }
    out[at++] = v;
  }
  return at;
}

/** The counts of `ranges` ([first, length] pairs into `counts`), one after another, packed as packCounts packs them; and how many there are. */
export function packRanges(counts: Counts, ranges: Int32Array): { packed: Uint8Array; count: number } {
  let bytes = 0;
  let count = 0;
  for (let r = 0; r < ranges.length; r += 2) {
    bytes += packedLength(counts, ranges[r], ranges[r] + ranges[r + 1]);
    count += ranges[r + 1];
  }
  const packed = new Uint8Array(bytes);
  for (let r = 0, at = 0; r < ranges.length; r += 2) at = packCountsInto(counts, packed, at, ranges[r], ranges[r] + ranges[r + 1]);
  return { packed, count };
}

/** Reads the counts packCounts packed, in order (a CountReader); `fail` is called on bytes that do not unpack. */
export class PackedCounts implements CountReader {
  private at = 0;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly fail: (what: string) => never,
  ) {}

  addInto(target: Uint32Array | Uint16Array, to: number, len: number): void {
    const bytes = this.bytes;
    const n = bytes.length;
    let at = this.at;
    if (at + len > n) this.fail('counts that end early');
    for (let i = to, end = to + len; i < end; i++) {
      let v = bytes[at++];
      if (v >= 128) {
        v &= 127;
        let shift = 7;
        let b: number;
        do {
          if (at >= n || shift > 28) this.fail('counts that end early');
          b = bytes[at++];
          v += (b & 127) * 2 ** shift;
          shift += 7;
        } while (b & 128);
      }
      target[i] += v;
    }
    this.at = at;
  }

  /** How many counts the bytes unpack to (each ends with a byte below 128), or undefined when they are not packCounts' (a damaged file). */
  static length(bytes: Uint8Array): number | undefined {
    if (bytes.length > 0 && bytes[bytes.length - 1] >= 128) return undefined;
    let n = 0;
    for (let at = 0; at < bytes.length; at++) n += bytes[at] < 128 ? 1 : 0;
    return n;
  }
}

/** A grid whose counts are read in order, packed or flat. */
export function countedOf(g: AnySketchData): CountedGrid {
  return isPacked(g)
    ? { ...g, counts: new PackedCounts(g.packed, (what) => { throw new Error(`a packed sketch grid with ${what}`); }) }
    : { ...g, counts: flatCounts(g.counts) };
}

/** Grids, packed or flat, added up into one flat grid (addGrids); one flat grid is returned as it is. */
export function flatGrid(cells: number, grids: readonly AnySketchData[], values: number): SketchData {
  return grids.length === 1 && !isPacked(grids[0]) ? grids[0] : addGrids(cells, grids.map(countedOf), values);
}
