/**
 * Per-path values held in a file instead of memory, for runs whose per-path arrays would not fit
 * (RunAccumulator, engine/reduce.ts): a large run's values are written block by block as the
 * blocks arrive and read back a column at a time by whoever reads them (the decision, the summary,
 * the attribution), so its memory no longer grows with its paths.
 *
 *   block's values -> write(column, first path, values)   file: column after column, path order
 *   reader         -> read(column): the column, exact     the last few read are kept in memory
 *
 * The file is unlinked as soon as it is opened: it takes disk space only while the run's results
 * are alive, and nothing is left behind however the process ends.
 */
import { closeSync, mkdtempSync, openSync, readSync, rmdirSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Runs whose per-path arrays would take more than this many bytes hold them in a file (the default
 * scenario from about 120,000 paths). ACCESSGAP_SPILL_BYTES sets another bound (0: every run), for
 * tests and for machines with less memory.
 */
export const SPILL_BYTES = 256 * 1024 * 1024;

export const spillBytes = (): number => {
  const env = process.env.ACCESSGAP_SPILL_BYTES;
  return env !== undefined && env !== '' && Number.isFinite(Number(env)) ? Number(env) : SPILL_BYTES;
};

/** Columns read recently, kept so that a reader going back to one does not read it again. */
const CACHED = 4;

const closer = new FinalizationRegistry<number>((fd) => closeSync(fd));

export class SpilledColumns {
  private readonly fd: number;
  private readonly cache = new Map<number, Float64Array>();

  constructor(
    readonly columns: number,
    readonly paths: number,
  ) {
    const dir = mkdtempSync(join(tmpdir(), 'accessgap-'));
    const file = join(dir, 'paths.f64');
    this.fd = openSync(file, 'w+');
    unlinkSync(file);
    rmdirSync(dir);
    closer.register(this, this.fd);
  }

  /** Writes `values` as the values of `column` from path `at`. */
  write(column: number, at: number, values: Float64Array): void {
    this.cache.delete(column);
    const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    const position = (column * this.paths + at) * 8;
    for (let done = 0; done < bytes.length; ) done += writeSync(this.fd, bytes, done, bytes.length - done, position + done);
  }

  /** Every path's value of `column` (a reader may keep it; it is not written again). */
  read(column: number): Float64Array {
    const cached = this.cache.get(column);
    if (cached) {
      this.cache.delete(column);
      this.cache.set(column, cached);
      return cached;
    }
    const values = new Float64Array(this.paths);
    const bytes = new Uint8Array(values.buffer);
    const position = column * this.paths * 8;
    for (let done = 0; done < bytes.length; ) {
      const got = readSync(this.fd, bytes, done, bytes.length - done, position + done);
      if (got === 0) throw new Error(`the run's file of per-path values ends before column ${column}`);
      done += got;
    }
    this.cache.set(column, values);
    if (this.cache.size > CACHED) this.cache.delete(this.cache.keys().next().value!);
    return values;
  }
}

/**
 * An array whose element j is read when it is looked up (`get(j)`), so that code written for arrays
 * of per-path values reads a spilled run's columns one at a time. Take an element into a local
 * before a loop over paths: each lookup may read the file.
 */
export function lazyArray(length: number, get: (j: number) => Float64Array): Float64Array[] {
  const out: Float64Array[] = [];
  for (let j = 0; j < length; j++) Object.defineProperty(out, j, { get: () => get(j), enumerable: true, configurable: true });
  return out;
}

/** Sets element i of an array of columns, a lazy one included (lazyArray: its elements have no setter). */
export function setColumn(columns: Float64Array[], i: number, value: Float64Array): void {
  Object.defineProperty(columns, i, { value, writable: true, enumerable: true, configurable: true });
}

/** Element i of `columns` becomes what element `from` is (the same array, or the same lazy read). */
export function aliasColumn(columns: Float64Array[], i: number, from: number): void {
  Object.defineProperty(columns, i, Object.getOwnPropertyDescriptor(columns, from)!);
}

/** The first n elements of an array of columns, lazy ones left lazy (slice would read them). */
export function headColumns(columns: Float64Array[], n: number): Float64Array[] {
  const out: Float64Array[] = [];
  for (let j = 0; j < n; j++) Object.defineProperty(out, j, Object.getOwnPropertyDescriptor(columns, j)!);
  return out;
}
