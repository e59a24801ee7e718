/**
 * The run's accumulator: per-block partial results folded into the run's results in block order,
 * so every output is the same bytes whatever thread, worker or machine ran which block.
 *
 *   BlockResult (any order) -> add -> per-path values in place, series partials pending
 *                              -> folded strictly in block order (0, 1, 2, ...)
 *   RunAccumulator over blocks A + RunAccumulator over blocks B -> merge -> the same bytes as one
 *                              accumulator that saw A and B
 *
 * Per-path values (metrics, insolvency days, firm values) land at their paths; insolvency-day
 * counts are whole numbers (exact in any order). Only the series sums depend on the order of
 * addition, so a block's series partial waits until every earlier block has been folded: an
 * accumulator that has not seen block 0 keeps its partials and folds nothing until merged into
 * one that has.
 *
 * A large run's per-path values (those of its simulated worlds) may go to a file instead
 * (engine/spill.ts): add writes each block's values there, and result() hands out arrays of columns
 * that read them back one at a time. Such an accumulator holds every path of one run on this
 * machine: it is not merged or exported.
 */
import type { SketchGrid } from '../stats/sketch.js';
import type { BlockResult, Plan } from './block.js';
import { SKETCHED } from './series.js';
import { aliasColumn, lazyArray, setColumn, SpilledColumns, spillBytes } from './spill.js';

/** What a run's blocks add up to (the engine's RunResult without plan, settings and timing). */
export interface Accumulated {
  /** metrics[policy][metric] holds the value of every path, in path order. */
  metrics: Float64Array[][];
  butforInsolvencyDay: Float64Array;
  butforValue: Float64Array;
  insolvencyDay: Float64Array[];
  seriesMeans: Float64Array;
  sketches: SketchGrid;
  insolvencyDays: Float64Array;
  /** arises[entry]: per path, 1 when the world's mitigation decision arises (Q), else 0. */
  arises: Float64Array[];
}

/**
 * One array of paths' values in a part: in memory, or still in a shard's file, to be read straight
 * into the run's array when the part is taken in (engine/shard.ts: a merge then holds each value
 * once, never a file's copy beside the run's): `count` values from the part's value `from` go to
 * `into` at `at`, done when the promise resolves.
 */
export type PathValues = Float64Array | { readonly length: number; readInto(into: Float64Array, at: number, from: number, count: number): Promise<void> };

/** A RunAccumulator's state over the blocks it holds (exportPart, addPart): consecutive ones, or any (a queue job's, claimed one at a time). */
export interface AccumulatorPart<V extends PathValues = Float64Array> {
  /** [block index, first path, paths] of each block held, in block order. */
  blocks: [number, number, number][];
  /** Per simulated entry (aliasOf -1, in entry order), per metric: the values of the blocks' paths, block after block in block order. */
  metrics: V[];
  insolvencyDay: V[];
  arises: V[];
  butforInsolvencyDay: V;
  butforValue: V;
  insolvencyDays: Float64Array;
  /** Series: blocks 0 ... next-1 folded into sums; later blocks' partials pending, by block. */
  next: number;
  sums: Float64Array;
  pending: [number, Float64Array][];
}

/** The array of a metric an entry does not keep (Plan.keptMetrics): empty, shared, never written. */
const NOT_KEPT = new Float64Array(0);

/**
 * A per-path array, its memory not cleared: every path's value is written before any is read
 * (result() needs every path, exportPart exports the blocks held), so clearing it would only fault
 * its memory in on this thread first; a merge's reads fault it in on libuv's threads instead.
 */
function pathArray(n: number): Float64Array {
  const bytes = Buffer.allocUnsafeSlow(8 * n);
  return new Float64Array(bytes.buffer, bytes.byteOffset, n);
}

export class RunAccumulator {
  readonly metrics: Float64Array[][];
  readonly butforInsolvencyDay: Float64Array;
  readonly butforValue: Float64Array;
  readonly insolvencyDay: Float64Array[];
  /** arises[entry]: per path, 1 when the world's mitigation decision arises. */
  readonly arises: Float64Array[];
  private sums: Float64Array;
  readonly insolvencyDays: Float64Array;
  /** The next block to fold into the series sums, and the partials of later blocks seen. */
  private next = 0;
  private readonly pending = new Map<number, Float64Array>();
  /** Blocks added (directly or by merge), by index: [first path, count]. */
  private readonly blocks = new Map<number, [number, number]>();
  /** Paths added so far. */
  done = 0;

  /** The first path of the window the per-path arrays hold (path p is at index p - base). */
  private readonly base: number;
  /** The file the simulated worlds' per-path values are held in, if they are (its columns: Plan.columns). */
  private readonly spilled?: SpilledColumns;
  /** The array of each of the plan's columns (Plan.columns) when they are held in memory. */
  private readonly byColumn: Float64Array[] = [];

  /** Whether the simulated worlds' per-path values are held in a file. */
  get spills(): boolean {
    return this.spilled !== undefined;
  }

  /** Bytes of per-path values a run of `paths` holds for the simulated worlds of `plan` (what may go to a file). */
  static spillableBytes(plan: Plan, paths: number): number {
    return 8 * paths * plan.columns.count;
  }

  /** Whether a whole run of `paths` holds its per-path values in a file: above spillBytes() of them. */
  static spillsAt(plan: Plan, paths: number): boolean {
    return RunAccumulator.spillableBytes(plan, paths) > spillBytes();
  }

  /**
   * An accumulator of a run over `paths`. Its per-path arrays hold the paths of `window`
   * ([first, end), default every path): a shard's accumulator holds its own paths only, so its
   * memory and the time to clear it grow with the shard, not with the run.
   */
  constructor(
    private readonly plan: Plan,
    private readonly paths: number,
    window: [number, number] = [0, paths],
    /** Hold the simulated worlds' per-path values in a file (engine/spill.ts); only over every path. */
    spill = false,
  ) {
    this.base = window[0];
    const n = window[1] - window[0];
    if (spill && n !== paths) throw new Error('only an accumulator of every path of a run holds its values in a file');
    this.butforInsolvencyDay = pathArray(n);
    this.butforValue = pathArray(n);
    const simulated = (i: number) => plan.aliasOf[i] === -1;
    // Each of the plan's columns: an array here, or a column of the run's file, read when looked
    // up (lazyArray). Aliased policies get their source's arrays in result(), so memory grows with
    // the simulated worlds only; what a world does not hold (Plan.columns: a metric it does not
    // keep, a study's insolvency days) has an empty array: nothing reads it.
    const { metric, insolvencyDay, arises, count } = plan.columns;
    const file = spill ? (this.spilled = new SpilledColumns(count, paths)) : undefined;
    if (!file) for (let j = 0; j < count; j++) this.byColumn.push(pathArray(n));
    const column = (j: number) => (j < 0 ? NOT_KEPT : file ? file.read(j) : this.byColumn[j]);
    const arrays = (length: number, get: (j: number) => Float64Array) => (file ? lazyArray(length, get) : Array.from({ length }, (_, j) => get(j)));
    this.metrics = plan.policies.map((_, i) => (simulated(i) ? arrays(plan.metrics.length, (m) => column(metric[i][m])) : []));
    this.insolvencyDay = arrays(plan.policies.length, (i) => (simulated(i) ? column(insolvencyDay[i]) : this.butforInsolvencyDay));
    this.arises = arrays(plan.policies.length, (i) => column(arises[i]));
    this.sums = new Float64Array(plan.cells);
    this.insolvencyDays = new Float64Array(plan.worlds * (plan.T + 1));
  }

  /** Adds one block's results (the block's arrays may be reused by its simulator afterwards). */
  add(r: BlockResult): void {
    if (this.blocks.has(r.index)) throw new Error(`block ${r.index} added twice`);
    const at = this.at(r.first, r.count);
    this.storeBlock(r, at);
    this.butforInsolvencyDay.set(r.butforInsolvencyDay, at);
    this.butforValue.set(r.butforValue, at);
    for (let i = 0; i < r.insolvencyDays.length; i++) this.insolvencyDays[i] += r.insolvencyDays[i];
    this.blocks.set(r.index, [r.first, r.count]);
    this.done += r.count;
    this.pending.set(r.index, r.index === this.next ? r.seriesSums : r.seriesSums.slice());
    this.fold();
  }

  /**
   * A block's values of the plan's columns (each kept metric of the simulated worlds, the
   * insolvency day, where the decision arises), each put at `at`: in its array, or in its column of
   * the run's file.
   */
  private storeBlock(r: BlockResult, at: number): void {
    const { spilled } = this;
    for (let j = 0; j < this.plan.columns.count; j++) {
      const values = r.values.subarray(j * r.count, (j + 1) * r.count);
      if (spilled) spilled.write(j, at, values);
      else this.byColumn[j].set(values, at);
    }
  }

  /** Merges and parts move arrays of values: an accumulator whose values are in a file has none. */
  private refuseSpilled(what: string): void {
    if (this.spilled) throw new Error(`a run whose per-path values are held in a file is not ${what}`);
  }

  /**
   * Takes in another accumulator of the same plan over blocks this one has not seen. The result
   * is the same bytes as one accumulator that was given both accumulators' blocks.
   */
  merge(other: RunAccumulator): void {
    this.refuseSpilled('merged');
    other.refuseSpilled('merged');
    const blocks = [...other.blocks].map(([b, [first, count]]): [number, number, number] => [b, first, count]);
    this.refuseSeen(blocks);
    for (const [, first, count] of blocks) {
      const to = this.at(first, count);
      const from = other.at(first, count);
      const copy = (into: Float64Array, values: Float64Array) => {
        if (into !== NOT_KEPT) into.set(values.subarray(from, from + count), to);
      };
      for (let i = 0; i < this.metrics.length; i++) {
        if (this.plan.aliasOf[i] !== -1) continue;
        this.metrics[i].forEach((into, m) => copy(into, other.metrics[i][m]));
        copy(this.insolvencyDay[i], other.insolvencyDay[i]);
        copy(this.arises[i], other.arises[i]);
      }
      copy(this.butforInsolvencyDay, other.butforInsolvencyDay);
      copy(this.butforValue, other.butforValue);
    }
    this.takeCounts(blocks, other.insolvencyDays, other.next, other.sums, other.pending);
  }

  /** Where paths [first, first + count) sit in the per-path arrays (they must be in the window). */
  private at(first: number, count: number): number {
    const at = first - this.base;
    if (at < 0 || at + count > this.butforValue.length) throw new Error(`paths ${first} to ${first + count - 1} are outside the accumulator's paths ${this.base} to ${this.base + this.butforValue.length - 1}`);
    return at;
  }

  /**
   * The runs of consecutive blocks among a part's `blocks` (in block order), as [where their paths
   * sit in this accumulator's arrays, index of their first value in the part's arrays, paths]: a
   * part's arrays hold its blocks' paths block after block.
   */
  private spans(blocks: [number, number, number][]): [number, number, number][] {
    const spans: [number, number, number][] = [];
    let from = 0;
    blocks.forEach(([b, first, count], k) => {
      if (k > 0 && b === blocks[k - 1][0] + 1) spans[spans.length - 1][2] += count;
      else spans.push([first, from, count]);
      from += count;
    });
    for (const s of spans) s[0] = this.at(s[0], s[2]);
    return spans;
  }

  private refuseSeen(blocks: [number, number, number][]): void {
    for (const [b] of blocks) if (this.blocks.has(b)) throw new Error(`block ${b} is in both accumulators`);
  }

  /**
   * What merge and addPart take in besides the paths' values: the blocks, the insolvency-day
   * counts, the series sums folded so far (blocks 0 ... next-1) and the partials still pending.
   */
  private takeCounts(blocks: [number, number, number][], insolvencyDays: Float64Array, next: number, sums: Float64Array, pending: Iterable<[number, Float64Array]>): void {
    for (const [b, first, count] of blocks) {
      this.blocks.set(b, [first, count]);
      this.done += count;
    }
    for (let i = 0; i < this.insolvencyDays.length; i++) this.insolvencyDays[i] += insolvencyDays[i];
    if (next > 0) {
      // The other has folded blocks 0 ... next-1, so this one holds none of them and has folded nothing.
      this.sums = sums.slice();
      this.next = next;
    }
    for (const [b, partial] of pending) this.pending.set(b, partial);
    this.fold();
  }

  /**
   * This accumulator's state as plain arrays, for a shard's file (engine/shard.ts): per-path arrays
   * hold the paths of the blocks it holds only, block after block (none for a shard of a run with
   * fewer blocks than shards, or a queue job that found every block taken).
   */
  exportPart(): AccumulatorPart {
    this.refuseSpilled('exported');
    const blocks = [...this.blocks].sort((a, b) => a[0] - b[0]).map(([b, [f, c]]): [number, number, number] => [b, f, c]);
    const length = blocks.reduce((n, [, , count]) => n + count, 0);
    const spans = this.spans(blocks);
    const slice = (a: Float64Array) => {
      if (a === NOT_KEPT) return NOT_KEPT;
      const out = new Float64Array(length);
      for (const [at, from, count] of spans) out.set(a.subarray(at, at + count), from);
      return out;
    };
    const simulated = this.plan.aliasOf.map((a, i) => (a === -1 ? i : -1)).filter((i) => i >= 0);
    return {
      blocks,
      metrics: simulated.flatMap((i) => this.metrics[i].map(slice)),
      insolvencyDay: simulated.map((i) => slice(this.insolvencyDay[i])),
      arises: simulated.map((i) => slice(this.arises[i])),
      butforInsolvencyDay: slice(this.butforInsolvencyDay),
      butforValue: slice(this.butforValue),
      insolvencyDays: this.insolvencyDays.slice(),
      next: this.next,
      sums: this.sums.slice(),
      pending: [...this.pending].sort((a, b) => a[0] - b[0]),
    };
  }

  /**
   * Takes in a part (exportPart) over blocks this accumulator has not seen, as merge takes in an
   * accumulator, without making one: a merge of many shards holds one run's arrays, not one per shard.
   * Values still in a file are read meanwhile (off this thread): the accumulator is complete once
   * the promise resolves.
   */
  addPart(part: AccumulatorPart<PathValues>): Promise<void> {
    this.refuseSpilled('merged');
    this.refuseSeen(part.blocks);
    const simulated = this.plan.aliasOf.map((a, i) => (a === -1 ? i : -1)).filter((i) => i >= 0);
    const nM = this.plan.metrics.length;
    const spans = this.spans(part.blocks);
    const reads: Promise<void>[] = [];
    const put = (into: Float64Array, values: PathValues) => {
      if (into === NOT_KEPT) return;
      for (const [at, from, count] of spans) {
        if (values instanceof Float64Array) into.set(values.subarray(from, from + count), at);
        else reads.push(values.readInto(into, at, from, count));
      }
    };
    simulated.forEach((i, k) => {
      this.metrics[i].forEach((into, m) => put(into, part.metrics[k * nM + m]));
      put(this.insolvencyDay[i], part.insolvencyDay[k]);
      put(this.arises[i], part.arises[k]);
    });
    put(this.butforInsolvencyDay, part.butforInsolvencyDay);
    put(this.butforValue, part.butforValue);
    this.takeCounts(part.blocks, part.insolvencyDays, part.next, part.sums, part.pending);
    return Promise.all(reads).then(() => undefined);
  }

  /** Folds the series partials that are next in block order (floating-point addition is not associative). */
  private fold(): void {
    for (let s = this.pending.get(this.next); s; s = this.pending.get(this.next)) {
      for (let c = 0; c < s.length; c++) this.sums[c] += s[c];
      this.pending.delete(this.next++);
    }
  }

  /**
   * The run's results, once every path has been added: means of the series cells, and every
   * aliased entry (not simulated: it equals another world on every path) given its source's
   * metric values (zero harm, and the but-for insolvencies, for an alias of the but-for world),
   * series, sketches and insolvency-day counts. Then `choose` (engine/decide.ts) names, for every
   * entry whose mitigation is decided after the run, the entry of the option it takes, whose
   * results it gets the same way. Call once.
   */
  result(sketches: SketchGrid, choose?: (acc: Omit<Accumulated, 'seriesMeans' | 'sketches'>) => Map<number, number>): Accumulated {
    const { plan } = this;
    if (this.done !== this.paths || this.pending.size > 0) throw new Error(`the accumulator has ${this.done} of ${this.paths} paths`);
    const nd = plan.seriesDays.length;
    const perWorld = SKETCHED * nd;
    const T1 = plan.T + 1;
    let zeros: Float64Array | undefined;
    const copy = (i: number, source: number) => {
      // (aliasColumn and setColumn: a spilled run's arrays of columns read them when looked up.)
      if (source > 0) {
        this.metrics[i] = this.metrics[source - 1];
        aliasColumn(this.insolvencyDay, i, source - 1);
        aliasColumn(this.arises, i, source - 1);
      } else {
        zeros ??= new Float64Array(this.paths);
        const insolvent = this.butforInsolvencyDay.map((d) => (d >= 0 ? 1 : 0));
        this.metrics[i] = plan.metrics.map((m) => (m === 'insolvent' ? insolvent : zeros!));
        setColumn(this.arises, i, zeros);
      }
      const world = i + 1;
      this.sums.copyWithin(world * perWorld, source * perWorld, (source + 1) * perWorld);
      sketches.copyCells(source * perWorld, world * perWorld, perWorld);
      this.insolvencyDays.copyWithin(world * T1, source * T1, (source + 1) * T1);
    };
    plan.aliasOf.forEach((source, i) => source >= 0 && copy(i, source));
    const partial = { metrics: this.metrics, butforInsolvencyDay: this.butforInsolvencyDay, butforValue: this.butforValue, insolvencyDay: this.insolvencyDay, insolvencyDays: this.insolvencyDays, arises: this.arises };
    if (choose) for (const [entry, chosen] of choose(partial)) copy(entry, chosen + 1);
    return { ...partial, seriesMeans: this.sums.map((s) => s / this.paths), sketches };
  }
}
