/**
 * A shard's partial result (accessgap run --shard I/N): the accumulator over its blocks, their
 * sketches, and what identifies the run they belong to, in one versioned binary file. Merged in
 * block order (RunAccumulator.merge), shards give the bytes of one machine's run.
 *
 * Format `accessgap/shard@1` (docs/distributed.md):
 *   bytes 0-7   "AGSHARD1"
 *   bytes 8-11  header length H, uint32 little-endian
 *   H bytes     header, JSON (UTF-8): ShardHeader, with `arrays` naming each array that follows
 *   padding     to a multiple of 8 bytes
 *   arrays      in the order `arrays` lists them, each little-endian and padded to 8 bytes:
 *               the scenario file's bytes (u8), the accumulator's (AccumulatorPart) and the
 *               sketch grid's (SketchData) arrays
 */
import type { LoadedScenario } from '../scenario/load.js';
import type { SketchData } from '../stats/sketch.js';
import { VERSION } from '../version.js';
import { makePlan, makeSketches, type StudySpec } from './block.js';
import { RunAccumulator, type AccumulatorPart } from './reduce.js';
import { blocksOf, finishRun, shardBlocks, simulateBlocks, type RunOptions, type RunResult } from './run.js';

export const SHARD_SCHEMA = 'accessgap/shard@1';
const MAGIC = 'AGSHARD1';

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
  /** The blocks [first, end) the shard ran. */
  blocks: [number, number];
  /** What the accumulator and sketches hold besides their arrays. */
  part: { blocks: [number, number, number][]; first: number; end: number; next: number; pending: number[] };
  sketch: { cells: number };
  arrays: { name: string; type: 'u8' | 'f64' | 'i32' | 'u32'; length: number }[];
}

export interface Shard {
  header: ShardHeader;
  scenarioBytes: Uint8Array;
  part: AccumulatorPart;
  sketch: SketchData;
}

type Typed = Uint8Array | Float64Array | Int32Array | Uint32Array;
const typeOf = (a: Typed): ShardHeader['arrays'][number]['type'] => (a instanceof Uint8Array ? 'u8' : a instanceof Float64Array ? 'f64' : a instanceof Int32Array ? 'i32' : 'u32');
const pad8 = (n: number) => (n + 7) & ~7;

/** The shard's file. */
export function encodeShard(h: Omit<ShardHeader, 'schema' | 'engine' | 'part' | 'sketch' | 'arrays'>, scenarioBytes: Uint8Array, part: AccumulatorPart, sketch: SketchData): Uint8Array {
  const counts = sketch.counts instanceof Uint32Array ? sketch.counts : Uint32Array.from(sketch.counts);
  const named: [string, Typed][] = [
    ['scenario', scenarioBytes],
    ...part.metrics.map((a, i): [string, Typed] => [`metrics.${i}`, a]),
    ...part.insolvencyDay.map((a, i): [string, Typed] => [`insolvencyDay.${i}`, a]),
    ...part.arises.map((a, i): [string, Typed] => [`arises.${i}`, a]),
    ['butforInsolvencyDay', part.butforInsolvencyDay],
    ['butforValue', part.butforValue],
    ['insolvencyDays', part.insolvencyDays],
    ['sums', part.sums],
    ...part.pending.map(([b, a]): [string, Typed] => [`pending.${b}`, a]),
    ['sketch.windows', sketch.windows],
    ['sketch.counts', counts],
    ['sketch.zeros', sketch.zeros],
    ['sketch.min', sketch.min],
    ['sketch.max', sketch.max],
  ];
  const header: ShardHeader = {
    schema: SHARD_SCHEMA,
    engine: VERSION,
    ...h,
    part: { blocks: part.blocks, first: part.first, end: part.end, next: part.next, pending: part.pending.map(([b]) => b) },
    sketch: { cells: sketch.cells },
    arrays: named.map(([name, a]) => ({ name, type: typeOf(a), length: a.length })),
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const start = pad8(12 + json.length);
  const size = named.reduce((at, [, a]) => at + pad8(a.byteLength), start);
  const out = new Uint8Array(size);
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(8, json.length, true);
  out.set(json, 12);
  let at = start;
  for (const [, a] of named) {
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
    at += pad8(a.byteLength);
  }
  return out;
}

/** Thrown for a file that is not a shard this engine can read (the CLI exits 2). */
export class ShardError extends Error {}

/** Reads a shard's file (the arrays are copies, aligned for their types). */
export function decodeShard(bytes: Uint8Array, name: string): Shard {
  const fail = (what: string): never => {
    throw new ShardError(`${name}: expected a shard file (${SHARD_SCHEMA}, written by accessgap run --shard), found ${what}`);
  };
  if (bytes.length < 12 || new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC) fail('a file without its signature');
  const length = new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true);
  if (12 + length > bytes.length) fail('a cut-off file');
  let header: ShardHeader;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + length))) as ShardHeader;
  } catch {
    return fail('an unreadable header');
  }
  if (header.schema !== SHARD_SCHEMA) fail(`schema ${JSON.stringify(header.schema)}`);
  let at = pad8(12 + length);
  const arrays = new Map<string, Typed>();
  for (const a of header.arrays) {
    const width = a.type === 'u8' ? 1 : a.type === 'f64' ? 8 : 4;
    if (at + a.length * width > bytes.length) fail('a cut-off file');
    // A copy with a buffer of its own (a Buffer's slice would share the file's, unaligned).
    const copy = new Uint8Array(bytes.subarray(at, at + a.length * width));
    arrays.set(a.name, a.type === 'u8' ? copy : a.type === 'f64' ? new Float64Array(copy.buffer) : a.type === 'i32' ? new Int32Array(copy.buffer) : new Uint32Array(copy.buffer));
    at += pad8(a.length * width);
  }
  const get = <T extends Typed>(n: string) => (arrays.get(n) as T | undefined) ?? fail(`no array ${n}`);
  const numbered = (prefix: string) => header.arrays.filter((a) => a.name.startsWith(`${prefix}.`)).map((a) => arrays.get(a.name) as Float64Array);
  const h = header.part;
  return {
    header,
    scenarioBytes: get<Uint8Array>('scenario'),
    part: {
      blocks: h.blocks,
      first: h.first,
      end: h.end,
      metrics: numbered('metrics'),
      insolvencyDay: numbered('insolvencyDay'),
      arises: numbered('arises'),
      butforInsolvencyDay: get('butforInsolvencyDay'),
      butforValue: get('butforValue'),
      insolvencyDays: get('insolvencyDays'),
      next: h.next,
      sums: get('sums'),
      pending: h.pending.map((b) => [b, get<Float64Array>(`pending.${b}`)]),
    },
    sketch: { cells: header.sketch.cells, windows: get<Int32Array>('sketch.windows'), counts: get<Uint32Array>('sketch.counts'), zeros: get<Float64Array>('sketch.zeros'), min: get<Float64Array>('sketch.min'), max: get<Float64Array>('sketch.max') },
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
  return undefined;
}

/** Runs shard `index` of `count` of a pass (a plain run when options.study is not given) and encodes it. */
export async function runShard(loaded: LoadedScenario, options: RunOptions, index: number, count: number): Promise<{ bytes: Uint8Array; range: [number, number]; paths: number; blocks: number }> {
  const range = shardBlocks(options.paths, index, count);
  // The plain run's study, as runSimulation would make it (the report's attribution sub-worlds).
  const study = options.study ?? { attribution: true };
  const { accumulator, sketches } = await simulateBlocks(loaded, { ...options, study }, range);
  const s = loaded.scenario;
  const bytes = encodeShard(
    { command: 'pass', study, scenario: { file: s.file, sha256: s.sha256 }, seed: options.seed, paths: options.paths, shard: { index, count }, blocks: range },
    loaded.bytes ?? Buffer.from(loaded.text),
    accumulator.exportPart(),
    sketches.serialize(),
  );
  return { bytes, range, paths: accumulator.done, blocks: blocksOf(options.paths) };
}

/** Every shard of a run (checkShards passed), merged in block order and finished: the run's result, as runSimulation gives it. */
export function mergeShards(loaded: LoadedScenario, shards: Shard[], threads: number, started = performance.now()): RunResult {
  const [{ header }] = shards;
  const plan = makePlan(loaded, header.study);
  const ordered = [...shards].sort((a, b) => a.header.shard.index - b.header.shard.index);
  const accumulator = RunAccumulator.importPart(plan, header.paths, ordered[0].part);
  const sketches = makeSketches(plan);
  sketches.merge(ordered[0].sketch);
  for (const s of ordered.slice(1)) {
    accumulator.merge(RunAccumulator.importPart(plan, header.paths, s.part));
    sketches.merge(s.sketch);
  }
  return finishRun(plan, accumulator, sketches, { seed: header.seed, paths: header.paths }, threads, started);
}
