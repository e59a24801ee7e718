/**
 * A shard's partial result (accessgap run --shard I/N, or a queue job's): the accumulator over its
 * blocks, its threads' sketches, and what identifies the run they belong to, in one versioned
 * binary file. Merged in block order (RunAccumulator.merge), shards give the bytes of one
 * machine's run. A shard of `run --shard` holds a consecutive range of blocks; a queue job's holds
 * the blocks its worker claimed, one at a time, from the run's shared counter (engine/queue.ts).
 *
 * Format `accessgap/shard@3` (docs/distributed.md):
 *   bytes 0-7   "AGSHARD3"
 *   bytes 8-11  header length H, uint32 little-endian
 *   H bytes     header, JSON (UTF-8): ShardHeader, with `arrays` naming each array that follows
 *   padding     to a multiple of 8 bytes
 *   arrays      in the order `arrays` lists them, each little-endian and padded to 8 bytes:
 *               the scenario file's bytes (u8), the accumulator's (AccumulatorPart) arrays, and
 *               the shard's sketch grid (SketchData: its threads' added up), its counts packed
 *               (`varint`, packCounts)
 *
 * Counts add exactly in any grouping: the merge reads every shard's packed counts straight into
 * one window per cell side (addGrids; PackedCounts, or StreamedCounts from a file a chunk at a
 * time), never unpacking a part on its own.
 */
import { closeSync, fstatSync, openSync, read, readSync } from 'node:fs';
import type { LoadedScenario } from '../scenario/load.js';
import { flatGrid, isPacked, packCountsInto, packedLength, PackedCounts, StreamedCounts, type AnySketchData } from '../stats/packed.js';
import { addGrids, type CountedGrid, type CountReader } from '../stats/sketch.js';
import { VERSION } from '../version.js';
import { makePlan, makeSketches, type StudySpec } from './block.js';
import { RunAccumulator, type AccumulatorPart, type PathValues } from './reduce.js';
import { blocksOf, finishRun, shardBlocks, simulateBlocks, type RunOptions, type RunResult } from './run.js';
import type { BlockClaims } from './schedule.js';

export const SHARD_SCHEMA = 'accessgap/shard@3';
const MAGIC = 'AGSHARD3';

type ArrayType = 'u8' | 'f64' | 'i32' | 'u32' | 'varint';

export interface ShardHeader {
  schema: typeof SHARD_SCHEMA;
  engine: string;
  /** What the shard's pass is: `pass`, one engine run of a command (a run, a sweep's point, an archetype). */
  command: string;
  /** The pass's study (StudySpec: fixed inputs, variants, ...), as plain data: the plan follows from it and the scenario. */
  study: StudySpec;
  scenario: { file: string; sha256: string };
  seed: number;
  paths: number;
  shard: { index: number; count: number };
  /** What the accumulator holds besides its arrays: its blocks ([index, first path, paths], in block order; the per-path arrays hold their paths block after block), its next block to fold, the blocks whose series partials are pending. */
  part: { blocks: [number, number, number][]; next: number; pending: number[] };
  /** The sketch grids (one: a shard adds its threads' up): their cell counts. */
  sketches: { cells: number }[];
  /** The arrays that follow: a `varint` array's length is its bytes, `count` the counts they unpack to. */
  arrays: { name: string; type: ArrayType; length: number; count?: number }[];
}

export interface Shard {
  header: ShardHeader;
  scenarioBytes: Uint8Array;
  /** The accumulator's part; a shard opened from its file (openShard) leaves the paths' values there until the merge reads them. */
  part: AccumulatorPart<PathValues>;
  /** Its sketch grids, their counts read from the packed bytes as they are added (PackedCounts, StreamedCounts). */
  sketches: CountedGrid[];
}

type Typed = Uint8Array | Float64Array | Int32Array | Uint32Array;
const typeOf = (a: Typed): Exclude<ArrayType, 'varint'> => (a instanceof Uint8Array ? 'u8' : a instanceof Float64Array ? 'f64' : a instanceof Int32Array ? 'i32' : 'u32');
const pad8 = (n: number) => (n + 7) & ~7;

/** An array of a shard's file: its header entry, its size in bytes, and how to write it there. */
interface Section {
  name: string;
  type: ArrayType;
  length: number;
  count?: number;
  bytes: number;
  write(out: Uint8Array, at: number): void;
}

const plain = (name: string, a: Typed): Section => ({
  name,
  type: typeOf(a),
  length: a.length,
  bytes: a.byteLength,
  write: (out, at) => out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at),
});

/** A grid's counts in the file: packed already (by the kernel), or packed straight into it (the file is the only buffer their bytes are written to). */
function countsSection(name: string, g: AnySketchData): Section {
  if (isPacked(g)) return { name, type: 'varint', length: g.packed.length, count: g.count, bytes: g.packed.length, write: (out, at) => out.set(g.packed, at) };
  const { counts } = g;
  const bytes = packedLength(counts);
  return { name, type: 'varint', length: bytes, count: counts.length, bytes, write: (out, at) => void packCountsInto(counts, out, at) };
}

/** The shard's file. */
export function encodeShard(h: Omit<ShardHeader, 'schema' | 'engine' | 'part' | 'sketches' | 'arrays'>, scenarioBytes: Uint8Array, part: AccumulatorPart, sketches: AnySketchData[]): Uint8Array {
  const sections: Section[] = (
    [
      ['scenario', scenarioBytes],
      ...part.metrics.map((a, i): [string, Typed] => [`metrics.${i}`, a]),
      ...part.insolvencyDay.map((a, i): [string, Typed] => [`insolvencyDay.${i}`, a]),
      ...part.arises.map((a, i): [string, Typed] => [`arises.${i}`, a]),
      ['butforInsolvencyDay', part.butforInsolvencyDay],
      ['butforValue', part.butforValue],
      ['insolvencyDays', part.insolvencyDays],
      ['sums', part.sums],
      ...part.pending.map(([b, a]): [string, Typed] => [`pending.${b}`, a]),
    ] as [string, Typed][]
  ).map(([name, a]) => plain(name, a));
  sketches.forEach((g, k) => {
    sections.push(plain(`sketch.${k}.windows`, g.windows), countsSection(`sketch.${k}.counts`, g));
    for (const key of ['zeros', 'min', 'max'] as const) sections.push(plain(`sketch.${k}.${key}`, g[key]));
  });
  const header: ShardHeader = {
    schema: SHARD_SCHEMA,
    engine: VERSION,
    ...h,
    part: { blocks: part.blocks, next: part.next, pending: part.pending.map(([b]) => b) },
    sketches: sketches.map((g) => ({ cells: g.cells })),
    arrays: sections.map(({ name, type, length, count }) => ({ name, type, length, ...(count !== undefined ? { count } : {}) })),
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const start = pad8(12 + json.length);
  const size = sections.reduce((at, x) => at + pad8(x.bytes), start);
  const out = new Uint8Array(size);
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(8, json.length, true);
  out.set(json, 12);
  let at = start;
  for (const x of sections) {
    x.write(out, at);
    at += pad8(x.bytes);
  }
  return out;
}

/** Thrown for a file that is not a shard this engine can read (the CLI exits 2). */
export class ShardError extends Error {}

/**
 * Where a shard's bytes are: a buffer (a part taken from Redis), or an open file (merge), read a
 * range at a time. From a file, the paths' values (pathValues) and the sketch counts (packedAt)
 * are not read here: the merge reads the values straight into the run's arrays and the counts a
 * chunk at a time as it adds them (reading them whole first would fault in memory for each
 * byte, which costs more than reading it on this kind of machine).
 */
interface ShardBytes {
  size: number;
  /** `length` bytes from `position`. */
  at(position: number, length: number): Uint8Array;
  /** The paths' values at `position`, left where they are (a file), or undefined (read them with `at`). */
  pathValues?(position: number, length: number): PathValues;
  /** Reads bytes of the range at `position` later, or undefined (read them with `at`): (into, from) fills `into` from the range's byte `from`. */
  packedAt?(position: number): (into: Uint8Array, from: number) => void;
}

const inMemory = (bytes: Uint8Array): ShardBytes => ({ size: bytes.length, at: (position, length) => bytes.subarray(position, position + length) });

const endedAt = (name: string, at: number) => new ShardError(`${name}: the file ended at ${at} bytes while it was read (was it changed during the merge?)`);

/** Reads `into.length` bytes of an open file from `position`, all of them. */
function readFully(fd: number, into: Uint8Array, position: number, name: string): void {
  for (let done = 0; done < into.length; ) {
    const n = readSync(fd, into, done, into.length - done, position + done);
    if (n === 0) throw endedAt(name, position + done);
    done += n;
  }
}

/** What readFully does, on libuv's threads: the bytes' memory is faulted in there, while this thread goes on. */
async function readLater(fd: number, into: Uint8Array, position: number, name: string): Promise<void> {
  for (let done = 0; done < into.length; ) {
    const n = await new Promise<number>((resolve, reject) => read(fd, into, done, into.length - done, position + done, (e, bytes) => (e ? reject(e) : resolve(bytes))));
    if (n === 0) throw endedAt(name, position + done);
    done += n;
  }
}

/** The per-path arrays of a part (metrics, insolvency days, decisions, the but-for world's): most of a part's bytes. */
const PATH_ARRAY = /^(metrics|insolvencyDay|arises)\.\d+$|^butforInsolvencyDay$|^butforValue$/;

/**
 * Opens a shard's file and reads all but its paths' values, which the merge reads straight into
 * the run's arrays (RunAccumulator.addPart), and its sketch counts, which it reads a chunk at a
 * time as it adds them (StreamedCounts): reading a part whole first would fault in and copy every
 * byte once more. A damaged file found then is a ShardError too. close() when the merge is done.
 */
export function openShard(file: string): Shard & { close(): void } {
  const fd = openSync(file, 'r');
  try {
    const source: ShardBytes = {
      size: fstatSync(fd).size,
      at: (position, length) => {
        const out = new Uint8Array(length);
        readFully(fd, out, position, file);
        return out;
      },
      pathValues: (position, length) => ({ length, readInto: (into, at, from, count) => readLater(fd, new Uint8Array(into.buffer, into.byteOffset + at * 8, count * 8), position + from * 8, file) }),
      packedAt: (position) => (into, from) => readFully(fd, into, position + from, file),
    };
    return { ...readShard(source, file), close: () => closeSync(fd) };
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}

/** Reads a shard's file held in memory (the arrays are views of `bytes` where it is aligned for them, else copies). */
export function decodeShard(bytes: Uint8Array, name: string): Shard {
  return readShard(inMemory(bytes), name);
}

function readShard(source: ShardBytes, name: string): Shard {
  const fail = (what: string): never => {
    throw new ShardError(`${name}: expected a shard file (${SHARD_SCHEMA}, written by accessgap run --shard), found ${what}`);
  };
  const start = source.size < 12 ? new Uint8Array(0) : source.at(0, 12);
  const magic = start.length < 12 ? '' : new TextDecoder().decode(start.subarray(0, 8));
  if (magic !== MAGIC) fail(/^AGSHARD\d$/.test(magic) ? `a shard of another format (${magic}): merge with the version that ran the shards` : 'a file without its signature');
  const length = new DataView(start.buffer, start.byteOffset).getUint32(8, true);
  if (12 + length > source.size) fail('a cut-off file');
  let header: ShardHeader;
  try {
    header = JSON.parse(new TextDecoder().decode(source.at(12, length))) as ShardHeader;
  } catch {
    return fail('an unreadable header');
  }
  if (header.schema !== SHARD_SCHEMA) fail(`schema ${JSON.stringify(header.schema)}`);
  let at = pad8(12 + length);
  const arrays = new Map<string, Typed>();
  const deferred = new Map<string, PathValues>();
  const packed = new Map<string, { bytes: Uint8Array; count: number } | { later: (into: Uint8Array, from: number) => void; length: number; count: number }>();
  for (const a of header.arrays) {
    if (!['u8', 'f64', 'i32', 'u32', 'varint'].includes(a.type)) fail(`an array of unknown type ${JSON.stringify(a.type)}`);
    const width = a.type === 'u8' || a.type === 'varint' ? 1 : a.type === 'f64' ? 8 : 4;
    if (at + a.length * width > source.size) fail('a cut-off file');
    const position = at;
    at += pad8(a.length * width);
    const later = a.type === 'f64' && PATH_ARRAY.test(a.name) ? source.pathValues?.(position, a.length) : undefined;
    if (later) {
      deferred.set(a.name, later);
      continue;
    }
    const packedLater = a.type === 'varint' ? source.packedAt?.(position) : undefined;
    if (packedLater) {
      packed.set(a.name, { later: packedLater, length: a.length, count: a.count ?? 0 });
      continue;
    }
    const view = source.at(position, a.length * width);
    if (a.type === 'varint') {
      packed.set(a.name, { bytes: view, count: a.count ?? 0 });
      continue;
    }
    // Arrays start at multiples of 8 in the file: a view where the buffer is aligned too (a file
    // read whole, or a range read from it, has a buffer of its own), else a copy.
    const [buffer, offset] = view.byteOffset % 8 === 0 ? [view.buffer, view.byteOffset] : [new Uint8Array(view).buffer, 0];
    arrays.set(a.name, a.type === 'u8' ? new Uint8Array(buffer, offset, a.length) : a.type === 'f64' ? new Float64Array(buffer, offset, a.length) : a.type === 'i32' ? new Int32Array(buffer, offset, a.length) : new Uint32Array(buffer, offset, a.length));
  }
  const get = <T extends Typed>(n: string) => (arrays.get(n) as T | undefined) ?? fail(`no array ${n}`);
  const values = (n: string): PathValues => deferred.get(n) ?? get<Float64Array>(n);
  const numbered = (prefix: string) => header.arrays.filter((a) => a.name.startsWith(`${prefix}.`)).map((a) => values(a.name));
  const counts = (k: number, windows: Int32Array): CountReader => {
    const p = packed.get(`sketch.${k}.counts`) ?? fail(`no array sketch.${k}.counts`);
    // The windows' lengths must add up to the counts listed; whether the bytes unpack to them is
    // checked now in memory, or as they are read from a file.
    const damaged = () => fail(`a damaged file (sketch ${k}'s counts do not unpack to the ${p.count} its header lists)`);
    let listed = 0;
    for (let w = 1; w < windows.length; w += 2) listed += windows[w];
    if (listed !== p.count) damaged();
    if ('later' in p) return new StreamedCounts(p.length, p.count, p.later, damaged);
    if (PackedCounts.length(p.bytes) !== p.count) damaged();
    return new PackedCounts(p.bytes, (what) => fail(`sketch ${k} with ${what}`));
  };
  const h = header.part;
  return {
    header,
    scenarioBytes: get<Uint8Array>('scenario'),
    part: {
      blocks: h.blocks,
      metrics: numbered('metrics'),
      insolvencyDay: numbered('insolvencyDay'),
      arises: numbered('arises'),
      butforInsolvencyDay: values('butforInsolvencyDay'),
      butforValue: values('butforValue'),
      insolvencyDays: get('insolvencyDays'),
      next: h.next,
      sums: get('sums'),
      pending: h.pending.map((b) => [b, get<Float64Array>(`pending.${b}`)]),
    },
    sketches: header.sketches.map((g, k) => {
      const windows = get<Int32Array>(`sketch.${k}.windows`);
      return { cells: g.cells, windows, counts: counts(k, windows), zeros: get<Float64Array>(`sketch.${k}.zeros`), min: get<Float64Array>(`sketch.${k}.min`), max: get<Float64Array>(`sketch.${k}.max`) };
    }),
  };
}

/**
 * Why shards cannot be merged, or undefined when they belong together: one run (scenario, engine,
 * seed, paths, count), every shard once.
 */
export function checkShards(shards: { header: ShardHeader; name: string }[]): string | undefined {
  if (shards.length === 0) return 'no shard given';
  const [first] = shards;
  const h = first.header;
  for (const s of shards.slice(1)) {
    const o = s.header;
    const differs = (what: string, a: unknown, b: unknown) => `${s.name} belongs to another run than ${first.name}: its ${what} is ${JSON.stringify(b)}, not ${JSON.stringify(a)}`;
    if (o.scenario.sha256 !== h.scenario.sha256) return differs('scenario (sha256)', h.scenario.sha256, o.scenario.sha256);
    if (o.engine !== h.engine) return differs('engine version', h.engine, o.engine);
    if (o.command !== h.command) return differs('command', h.command, o.command);
    if (JSON.stringify(o.study) !== JSON.stringify(h.study)) return differs('pass (its study)', h.study, o.study);
    if (o.seed !== h.seed) return differs('seed', h.seed, o.seed);
    if (o.paths !== h.paths) return differs('paths', h.paths, o.paths);
    if (o.shard.count !== h.shard.count) return differs('shard count', h.shard.count, o.shard.count);
  }
  if (h.engine !== VERSION) return `${first.name} was written by accessgap ${h.engine}; this is ${VERSION}: merge with the version that ran the shards`;
  const seen = new Map<number, string>();
  for (const s of shards) {
    const i = s.header.shard.index;
    if (seen.has(i)) return `shard ${i} of ${h.shard.count} is given twice (${seen.get(i)} and ${s.name})`;
    seen.set(i, s.name);
  }
  const missing = Array.from({ length: h.shard.count }, (_, k) => k + 1).filter((i) => !seen.has(i));
  if (missing.length) return `shard${missing.length > 1 ? 's' : ''} ${missing.join(', ')} of ${h.shard.count} ${missing.length > 1 ? 'are' : 'is'} missing`;
  // Every block of the run in exactly one shard (a queue job's blocks are whichever its worker claimed).
  const total = blocksOf(h.paths);
  const holder = new Map<number, string>();
  for (const s of shards) {
    for (const [b] of s.header.part.blocks) {
      if (!Number.isInteger(b) || b < 0 || b >= total) return `${s.name} holds block ${b}, which a run of ${h.paths} paths (${total} blocks) does not have`;
      if (holder.has(b)) return `block ${b} is in two shards (${holder.get(b)} and ${s.name})`;
      holder.set(b, s.name);
    }
  }
  if (holder.size < total) {
    const absent = Array.from({ length: total }, (_, b) => b).filter((b) => !holder.has(b));
    return `block${absent.length > 1 ? 's' : ''} ${absent.slice(0, 10).join(', ')}${absent.length > 10 ? ', ...' : ''} of the run's ${total} ${absent.length > 1 ? 'are' : 'is'} in no shard`;
  }
  return undefined;
}

/**
 * Runs shard `index` of `count` of a pass (a plain run when options.study is not given) and
 * encodes it: its consecutive range of blocks (shardBlocks), or, with `claims` (a queue job's),
 * the blocks claimed one at a time as its threads ask for them.
 */
export async function runShard(loaded: LoadedScenario, options: RunOptions, index: number, count: number, claims?: BlockClaims): Promise<{ bytes: Uint8Array; held: number[]; paths: number; blocks: number }> {
  // The plain run's study, as runSimulation would make it (the report's attribution sub-worlds).
  const study = options.study ?? { attribution: true };
  // Each thread packs its sketch counts straight from its kernel's memory (PackedSketchData).
  const { plan, accumulator, grids } = await simulateBlocks(loaded, { ...options, study }, claims ?? shardBlocks(options.paths, index, count), { packed: true });
  // The threads' sketches added up here: the part holds one grid, and the merge has one per shard to add.
  const sketches = grids.length > 1 ? [flatGrid(plan.cells, grids, options.paths)] : grids;
  const s = loaded.scenario;
  const part = accumulator.exportPart();
  const bytes = encodeShard({ command: 'pass', study, scenario: { file: s.file, sha256: s.sha256 }, seed: options.seed, paths: options.paths, shard: { index, count } }, loaded.bytes ?? Buffer.from(loaded.text), part, sketches);
  return { bytes, held: part.blocks.map(([b]) => b), paths: accumulator.done, blocks: blocksOf(options.paths) };
}

/**
 * Every shard of a run (checkShards passed), merged in block order and finished: the run's result,
 * as runSimulation gives it. The paths' values still in the shards' files are read on libuv's
 * threads while this one adds up the sketches.
 */
export async function mergeShards(loaded: LoadedScenario, shards: Shard[], threads: number, started = performance.now()): Promise<RunResult> {
  const [{ header }] = shards;
  const plan = makePlan(loaded, header.study);
  const ordered = [...shards].sort((a, b) => a.header.shard.index - b.header.shard.index);
  const accumulator = new RunAccumulator(plan, header.paths);
  const reading = Promise.all(ordered.map((s) => accumulator.addPart(s.part)));
  const sketches = makeSketches(plan);
  try {
    // The shards' counts added up into one window per cell side, read straight from their packed bytes.
    const foreign = ordered.find((s) => s.sketches.some((g) => g.cells !== plan.cells));
    if (foreign) throw new ShardError(`shard ${foreign.header.shard.index} of ${header.shard.count}: its sketches have other cells than the pass's ${plan.cells}`);
    sketches.merge(addGrids(plan.cells, ordered.flatMap((s) => s.sketches), header.paths));
  } catch (e) {
    // No read left running into the files the caller closes next.
    await reading.catch(() => undefined);
    throw e;
  }
  await reading;
  return finishRun(plan, accumulator, sketches, { seed: header.seed, paths: header.paths }, threads, started);
}
