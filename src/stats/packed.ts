/**
 * Sketch counts packed (`varint`): each count as its LEB128 varint, so the counts below 128 (nearly
 * all of a window's, zeros included) take one byte instead of two or four, and reading them back
 * is a byte per count with no branch but the rare longer one. A shard's part holds its grid's
 * counts this way (engine/shard.ts); the kernel packs them in its own memory for a shard
 * (src/wasm/kernel.ts's packTrimmed, the same bytes), and a merge adds them up without unpacking
 * them (addGrids, PackedCounts).
 */
import { addGrids, flatCounts, typedArray, type CountedGrid, type CountReader, type SketchData } from './sketch.js';

type Counts = Uint16Array | Uint32Array;

/** A sketch grid whose counts are packCounts' bytes (`count` counts): what a shard's part holds. */
export interface PackedSketchData extends Omit<SketchData, 'counts'> {
  packed: Uint8Array;
  count: number;
}

/** A grid as an executor gives it: flat counts, or packed ones when a shard asked for them. */
export type AnySketchData = SketchData | PackedSketchData;

export const isPacked = (g: AnySketchData): g is PackedSketchData => 'packed' in g;

/** The counts' varint bytes (on a SharedArrayBuffer when `shared`: typedArray). */
export function packCounts(counts: Counts, shared = false): Uint8Array {
  const out = typedArray(Uint8Array, packedLength(counts), shared);
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

/**
 * Adds the next `len` counts packed in bytes[at ... end) to target[to ...]; returns where they
 * end. `fail` is called when the bytes end first.
 */
function addPacked(bytes: Uint8Array, at: number, end: number, target: Uint32Array | Uint16Array, to: number, len: number, fail: (what: string) => never): number {
  if (at + len > end) fail('counts that end early');
  for (let i = to, last = to + len; i < last; i++) {
    let v = bytes[at++];
    if (v >= 128) {
      v &= 127;
      let shift = 7;
      let b: number;
      do {
        if (at >= end || shift > 28) fail('counts that end early');
        b = bytes[at++];
        v += (b & 127) * 2 ** shift;
        shift += 7;
      } while (b & 128);
    }
    target[i] += v;
  }
  return at;
}

/** Reads the counts packCounts packed, in order (a CountReader); `fail` is called on bytes that do not unpack. */
export class PackedCounts implements CountReader {
  private at = 0;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly fail: (what: string) => never,
  ) {}

  addInto(target: Uint32Array | Uint16Array, to: number, len: number): void {
    this.at = addPacked(this.bytes, this.at, this.bytes.length, target, to, len, this.fail);
  }

  /** How many counts the bytes unpack to (each ends with a byte below 128), or undefined when they are not packCounts' (a damaged file). */
  static length(bytes: Uint8Array): number | undefined {
    if (bytes.length > 0 && bytes[bytes.length - 1] >= 128) return undefined;
    let n = 0;
    for (let at = 0; at < bytes.length; at++) n += bytes[at] < 128 ? 1 : 0;
    return n;
  }
}

/** Bytes a StreamedCounts holds at a time (more when one window needs more). */
const CHUNK = 1 << 20;
/** The most bytes one count packs to (32 bits, 7 a byte). */
const MOST_BYTES = 5;

/**
 * Reads `count` counts packed in `length` bytes of a source (a shard's file) in order, a chunk at
 * a time into one buffer of its own, so that they take a chunk of memory, not their size, and
 * nothing is read before it is added. `fail` is called on bytes that do not unpack to exactly
 * `count` counts (a damaged file): found as they are read, since they are not read beforehand.
 */
export class StreamedCounts implements CountReader {
  private chunk = new Uint8Array(0);
  /** The chunk's bytes [at, end) are the source's [read - (end - at), read). */
  private at = 0;
  private end = 0;
  private read = 0;
  private given = 0;

  constructor(
    private readonly length: number,
    private readonly count: number,
    private readonly readAt: (into: Uint8Array, position: number) => void,
    private readonly fail: (what: string) => never,
    private readonly chunkBytes = CHUNK,
  ) {}

  addInto(target: Uint32Array | Uint16Array, to: number, len: number): void {
    if (this.given + len > this.count) this.fail(`more than the ${this.count} counts it holds asked for`);
    // Enough bytes in the chunk for `len` counts of the longest packing, or all that are left.
    const need = Math.min(MOST_BYTES * len, this.end - this.at + this.length - this.read);
    if (this.end - this.at < need) this.refill(need);
    this.at = addPacked(this.chunk, this.at, this.end, target, to, len, this.fail);
    this.given += len;
    if (this.given === this.count) {
      if (this.at !== this.end || this.read !== this.length) this.fail(`bytes left over after its ${this.count} counts`);
      this.chunk = new Uint8Array(0);
    }
  }

  /** Keeps the chunk's unread bytes and reads on until it holds `need` (or the source's end). */
  private refill(need: number): void {
    const kept = this.end - this.at;
    if (this.chunk.length < need) {
      const grown = new Uint8Array(Math.max(this.chunkBytes, need));
      grown.set(this.chunk.subarray(this.at, this.end));
      this.chunk = grown;
    } else this.chunk.copyWithin(0, this.at, this.end);
    const more = Math.min(this.chunk.length - kept, this.length - this.read);
    this.readAt(this.chunk.subarray(kept, kept + more), this.read);
    [this.at, this.end, this.read] = [0, kept + more, this.read + more];
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
