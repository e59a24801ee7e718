/**
 * Resource guards: before a run starts, estimate its memory and time from paths, days and worlds,
 * and refuse (unless overridden) a run that would not fit this machine or would take hours.
 * The hard caps on paths and horizon are in the scenario format (MAX_PATHS, MAX_HORIZON_DAYS).
 */
import { totalmem } from 'node:os';
import type { Plan } from './plan.js';
import { RunAccumulator } from './reduce.js';

/**
 * Measured: 33-47 ns per world-path-day on one thread (the benchmark and legion-canada, tail days
 * counted as days); 60 for headroom.
 */
const NS_PER_WORLD_PATH_DAY = 60;
/**
 * Sketch buckets per series cell: at most 570 on the shipped scenarios at 20,000-100,000 paths
 * (800 with headroom), and no more than a few per path in small runs (a window holds at least 32).
 */
const bucketsPerCell = (paths: number) => Math.min(800, 32 + 4 * paths);
/**
 * Bytes per bucket and thread: the kernel's 16-bit windows (power-of-two sized, so up to twice
 * the buckets in use), the 32-bit grid its counts are added into every 63 blocks, and the copy
 * sent at the end.
 */
const BYTES_PER_BUCKET = 10;
/**
 * Per cell, whatever its world: its entry in the kernel's directory (src/wasm/layout.ts,
 * Cell.BYTES) and the series row, CSV line and chart datum the report makes of it, with the
 * charts' drawing of it (vega's dataflow and scene graph, the SVG's text). Measured: a 10-path,
 * 20,000-day run (300,000 cells) peaks at 1,237-1,258 MiB, most of it the charts' garbage, which
 * the collector leaves until the heap is about 800 MB (616 MiB before figure 3 drew the revenue
 * of the firms still solvent).
 */
const BYTES_PER_CELL = 3000;
const MB = 1024 * 1024;
/** Node, the libraries, charts and report building. */
const BASE_MB = 300;
/**
 * The per-path arrays are held with the copies a report makes of them (sorted columns, outcome
 * splits, the cost-of-delay exhibit's own paths), and with more than one thread the kept worker
 * threads hold their last sketches until they collect them: on the measured peaks below, the
 * per-path and sketch terms with this factor on the first cover each shape.
 */
const PATH_COPIES = 1.3;

/** Runs estimated to take longer than this are refused unless overridden. */
export const MAX_SECONDS = 2 * 3600;

export interface RunEstimate {
  memoryMb: number;
  seconds: number;
  /** Memory this machine offers the run: 80% of its total. */
  availableMb: number;
}

/**
 * Path-sized arrays (8 bytes a path) a run whose per-path values are in a file (engine/spill.ts)
 * takes at its peak: the few columns its report holds at once (the file's last four read, the
 * but-for world's two, where each decision arises, the outcome groups, paired differences, Shapley
 * values) and the memory of those it read before, which the collector and the allocator give back
 * late. Measured on the default scenario on two threads: 1,351 MiB at 200,000 paths and 2,019 MiB
 * at 1,000,000, about 85 arrays a path above its sketches, when it was set; 941 and 1,171 to
 * 1,207 MiB since the run's own grid, renewed threads, bounded results in flight and selection
 * instead of sorting; 849 and 883 to 905 MiB since the grid is let go and collected before the
 * charts and held in a few large buffers (868 MiB in npm run bench; the estimate is left above them).
 */
const SPILLED_COLUMNS = 100;

/**
 * `held`: the run holds every per-path value in memory whatever its size (a merge of shards);
 * otherwise it holds them in a file when RunAccumulator.spillsAt says so, as simulateBlocks does.
 */
export function estimateRun(plan: Plan, paths: number, threads: number, { held = false } = {}): RunEstimate {
  const simulated = plan.aliasOf.filter((a) => a === -1).length;
  const worlds = 1 + simulated;
  // Per path: each simulated policy's metric values (every metric: an upper bound, since a run
  // holds only the metrics someone reads, Plan.keptMetrics) and insolvency day, the but-for world's
  // insolvency day and value, and the sorted copies the charts make (one per policy).
  // (+1 for each simulated world's insolvency day, +1 for where its mitigation decision arises.)
  // A run whose values are in a file holds a few columns of them at a time.
  const spills = !held && RunAccumulator.spillsAt(plan, paths);
  const metricBytes = spills ? paths * SPILLED_COLUMNS * 8 : PATH_COPIES * paths * (simulated * (plan.metrics.length + 2) * 8 + 16 + 8 * plan.policies.length);
  // Each thread's sketches of the simulated worlds (an aliased or decided world's cells are copies
  // made at the end); the merged grid keeps the threads' final copies.
  const simulatedCells = (plan.cells * worlds) / plan.worlds;
  const sketchBytes = simulatedCells * bucketsPerCell(paths) * BYTES_PER_BUCKET * threads + plan.cells * BYTES_PER_CELL;
  return {
    memoryMb: Math.ceil(BASE_MB + (metricBytes + sketchBytes) / MB),
    seconds: (paths * worlds * (plan.T + plan.U) * NS_PER_WORLD_PATH_DAY * 1e-9) / Math.max(1, threads),
    availableMb: Math.floor((0.8 * totalmem()) / MB),
  };
}

/** Why a run is refused, or undefined when it fits. */
export function refusal(e: RunEstimate): string | undefined {
  const reasons: string[] = [];
  if (e.memoryMb > e.availableMb) reasons.push(`about ${formatMb(e.memoryMb)} of memory (this machine offers ${formatMb(e.availableMb)})`);
  if (e.seconds > MAX_SECONDS) reasons.push(`about ${(e.seconds / 3600).toFixed(1)} hours`);
  return reasons.length ? `the run would need ${reasons.join(' and ')}` : undefined;
}

const formatMb = (mb: number) => (mb >= 1024 ? `${(mb / 1024).toFixed(1)} GiB` : `${mb} MiB`);
