/**
 * The day loop of MODEL.md section 4, compiled to WebAssembly (AssemblyScript; scripts/build.mjs
 * writes dist/kernel.wasm). It runs every world of a block of paths in lockstep, day by day, and
 * records the day's series values into quantile sketches held in this module's memory. It is the
 * per-path function simulateWorld (src/model/world.ts) reorganised for speed: the same IEEE-754
 * operations in the same order, so results are bit-identical to it (test/engine/kernel.test.ts).
 *
 * The engine (src/engine/kernel.ts) lays out the memory, sets each world's initial state, calls
 * runDays once per block and reads the final states for the metrics. The few functions that must
 * match JavaScript's own bit for bit (Math.pow, Math.exp, Math.log, used on anchor days and outside
 * fastLog's table) and the financing streams (seedrandom) are imported from JavaScript.
 *
 * Memory: a bump allocator from __heap_base (alloc) for the engine's arrays, and power-of-two
 * windows of bucket counts for the sketches, recycled through per-size free lists as they grow.
 */
import { BLOCK_PATHS, Cell, COLUMN, In, Lane, Ln, SKETCHED, St, Wd } from './layout';

@external('env', 'pow') declare function jsPow(x: f64, y: f64): f64;
@external('env', 'exp') declare function jsExp(x: f64): f64;
@external('env', 'log') declare function jsLog(x: f64): f64;
/** The attempt-th uniform of path k's financing stream (path k of the block). */
@external('env', 'financingU') declare function financingU(k: i32, attempt: i32): f64;
/** Called when the memory cannot grow to `bytes` (it throws). */
@external('env', 'outOfMemory') declare function outOfMemory(bytes: f64): void;

const PAGE: usize = 65536;
let top: usize = (__heap_base + 15) & ~(<usize>15);

/** size bytes of zeroed memory, 16-byte aligned, growing the memory when needed. */
export function alloc(size: usize): usize {
  if (size > <usize>0xffff0000 - top) outOfMemory(<f64>top + <f64>size); // past 32-bit addresses
  const at = top;
  top = (top + size + 15) & ~(<usize>15);
  const pages = memory.size();
  const have = <usize>pages * PAGE;
  if (top > have) {
    // By a quarter of the memory at least: each growth makes JavaScript's views of the memory anew.
    const need = <i32>((top - have + PAGE - 1) / PAGE);
    if (memory.grow(max(need, pages >> 2)) < 0 && memory.grow(need) < 0) {
      outOfMemory(<f64>top);
      unreachable();
    }
  }
  return at;
}

/**
 * Frees everything alloc gave, zeroed, so that this instance can serve another run (the engine's
 * instance pool, engine/kernel.ts): its memory stays as large as it grew, already mapped, and the
 * next run starts from the state a new instance has. The init functions set every other global.
 */
export function resetHeap(): void {
  const base = (__heap_base + 15) & ~(<usize>15);
  memory.fill(base, 0, top - base);
  top = base;
  serialized = 0;
  serializedBytes = 0;
  serializedCounts = 0;
  packedAt = 0;
  packedCapacity = 0;
  packedLength = 0;
}

// ---------------------------------------------------------------------------------------------
// fastmath.ts, the same operations: the tables are filled by the engine from the JavaScript ones.

const EXP_N = 128;
const INV_LN2_N: f64 = 128 / 0.6931471805599453;
const LN2_N_HI: f64 = 6.9314718036912381649e-1 / 128;
const LN2_N_LO: f64 = 1.90821492927058770002e-10 / 128;
const ROUND: f64 = 6755399441055744;
const LOG_CELLS = 1024;

let TWO_J: usize = 0; // f64[128]: 2^(j/128)
let POW2: usize = 0; // f64[2201]: 2^(i - 1100)
let LOG_CENTRE: usize = 0; // f64[1025] each
let LOG_INV_CENTRE: usize = 0;
let LOG_OF_CENTRE: usize = 0;

/** Where the engine has written the tables (allocated with alloc). */
export function setMathTables(twoJ: usize, pow2: usize, logCentre: usize, logInvCentre: usize, logOfCentre: usize): void {
  TWO_J = twoJ;
  POW2 = pow2;
  LOG_CENTRE = logCentre;
  LOG_INV_CENTRE = logInvCentre;
  LOG_OF_CENTRE = logOfCentre;
}

@inline
function fastExp(x: f64): f64 {
  if (!(x < 709.78) || !(x > -745.2)) return x != x ? NaN : x > 0 ? Infinity : 0;
  const kf = x * INV_LN2_N + ROUND - ROUND;
  const k = <i32>kf;
  const r = x - kf * LN2_N_HI - kf * LN2_N_LO;
  const p = r + r * r * (0.5 + r * (1.0 / 6 + r * (1.0 / 24 + r * (1.0 / 120))));
  const t = load<f64>(TWO_J + (<usize>(k & (EXP_N - 1)) << 3));
  return (t + t * p) * load<f64>(POW2 + (<usize>((k >> 7) + 1100) << 3));
}

@inline
function fastLog(x: f64): f64 {
  if (!(x >= 0.125 && x <= 1)) return jsLog(x);
  const j = <usize>(<i32>(x * LOG_CELLS)) << 3;
  const r = (x - load<f64>(LOG_CENTRE + j)) * load<f64>(LOG_INV_CENTRE + j);
  return load<f64>(LOG_OF_CENTRE + j) + r * (1 - r * (1.0 / 2 - r * (1.0 / 3 - r * (1.0 / 4 - r * (1.0 / 5 - r * (1.0 / 6 - r * (1.0 / 7)))))));
}

const LN2: f64 = 0.6931471805599453;
const LN2_2: f64 = 1.3862943611198906;
const LN2_3: f64 = 2.0794415416798357;

@inline
function fastLogWide(x: f64): f64 {
  if (x > 1 && x <= 8) {
    if (x <= 2) return fastLog(x * 0.5) + LN2;
    if (x <= 4) return fastLog(x * 0.25) + LN2_2;
    return fastLog(x * 0.125) + LN2_3;
  }
  return fastLog(x);
}

@inline
function dailyGrowth(u: f64): f64 {
  return fastExp(fastLogWide(1 + u) / 365);
}

/** x^y for x > 0; for x <= 0, 1 when y is 0 and else 0. */
@inline
function powPos(x: f64, y: f64): f64 {
  return fastExp(powArg(x, y));
}

/** The argument of powPos's exponential: y ln x where x > 0, else 0 when y is 0 (fastExp(0) is 1) and -Infinity otherwise (0). */
@inline
function powArg(x: f64, y: f64): f64 {
  return x > 0 ? y * fastLog(x) : y == 0 ? 0 : -Infinity;
}

// ---------------------------------------------------------------------------------------------
// The same functions on two paths at once (WebAssembly SIMD, built into dist/kernel.wasm; the
// scalar build, dist/kernel-scalar.wasm, never reaches them). Each lane runs exactly the scalar
// function's IEEE-754 operations (f64x2 add, sub, mul and div round each lane as the scalar ones
// do, and nothing is fused), so results are bit-identical to fastExp and fastLog. Table lookups
// are made per lane. Arguments outside the table ranges, rare, go lane by lane to the scalar
// functions.

/** The two doubles at p and q as one vector (lane 0 from p). */
@inline
function ld2(p: usize, q: usize): v128 {
  return v128.load64_lane(q, v128.load64_zero(p), 1);
}

/** Stores lane 0 of v at p and lane 1 at q. */
@inline
function st2(p: usize, q: usize, v: v128): void {
  v128.store64_lane(p, v, 0);
  v128.store64_lane(q, v, 1);
}

/**
 * ld2 of a field of two paths, where `next` says that q is p + 8: the paths are consecutive (the
 * horizon's pairs), so their values are one vector in the field-major rows (one load).
 */
@inline
function ldp(p: usize, q: usize, next: bool): v128 {
  return next ? v128.load(p) : ld2(p, q);
}

/** st2 likewise: one store when `next`. */
@inline
function stp(p: usize, q: usize, v: v128, next: bool): void {
  if (next) v128.store(p, v);
  else st2(p, q, v);
}

@inline
function sp(x: f64): v128 {
  return f64x2.splat(x);
}

/** The vector constants of the functions below, each in both lanes (VK). */
const enum VC {
  EXP_MAX = 0,
  EXP_MIN = 1,
  INV_LN2_N = 2,
  ROUND = 3,
  LN2_N_HI = 4,
  LN2_N_LO = 5,
  HALF = 6,
  SIXTH = 7,
  C24 = 8,
  C120 = 9,
  EIGHTH = 10,
  ONE = 11,
  LOG_CELLS = 12,
  SEVENTH = 13,
  FIFTH = 14,
  QUARTER = 15,
  THIRD = 16,
}

/**
 * The constants of VC in static memory. V8 builds a vector constant from an immediate in two or
 * three instructions each time it is used in a loop (sp of a constant compiles to that); one load
 * from memory is one instruction.
 */
const VK = memory.data<f64>([709.78, 709.78, -708, -708, INV_LN2_N, INV_LN2_N, ROUND, ROUND, LN2_N_HI, LN2_N_HI, LN2_N_LO, LN2_N_LO, 0.5, 0.5, 1.0 / 6, 1.0 / 6, 1.0 / 24, 1.0 / 24, 1.0 / 120, 1.0 / 120, 0.125, 0.125, 1, 1, <f64>LOG_CELLS, <f64>LOG_CELLS, 1.0 / 7, 1.0 / 7, 1.0 / 5, 1.0 / 5, 1.0 / 4, 1.0 / 4, 1.0 / 3, 1.0 / 3], 16);

/** Constant c of VC in both lanes. */
@inline
function vk(c: VC): v128 {
  return v128.load(VK + (<usize>c << 4));
}

/**
 * The bits of ROUND less 1023 x 128: subtracted from x/(ln2/128) + ROUND's bits, it leaves k +
 * 1023 x 128, which is not negative where x > -708 (so k >> 7 is at least -1022).
 */
const POW2_BIAS: i64 = 0x4338000000000000 - 1023 * 128;

/**
 * fastExp on both lanes. Where x > -708 its power of two 2^(k >> 7) is normal, and built from k's
 * bits (exponent field k >> 7 plus 1023) rather than read from POW2 lane by lane: the same
 * number. Below, as outside fastExp's range, each lane goes to fastExp.
 */
@inline
function vExp(x: v128): v128 {
  if (!i64x2.all_true(v128.and(f64x2.lt(x, vk(VC.EXP_MAX)), f64x2.gt(x, vk(VC.EXP_MIN))))) {
    return f64x2.replace_lane(sp(fastExp(f64x2.extract_lane(x, 0))), 1, fastExp(f64x2.extract_lane(x, 1)));
  }
  // k from the low bits of x/(ln2/128) + 1.5 2^52, where the rounding to an integer leaves it.
  const big = f64x2.add(f64x2.mul(x, vk(VC.INV_LN2_N)), vk(VC.ROUND));
  const kf = f64x2.sub(big, vk(VC.ROUND));
  const k0 = <i32>i64x2.extract_lane(big, 0);
  const k1 = <i32>i64x2.extract_lane(big, 1);
  const r = f64x2.sub(f64x2.sub(x, f64x2.mul(kf, vk(VC.LN2_N_HI))), f64x2.mul(kf, vk(VC.LN2_N_LO)));
  const poly = f64x2.add(vk(VC.HALF), f64x2.mul(r, f64x2.add(vk(VC.SIXTH), f64x2.mul(r, f64x2.add(vk(VC.C24), f64x2.mul(r, vk(VC.C120)))))));
  const p = f64x2.add(r, f64x2.mul(f64x2.mul(r, r), poly));
  const t = ld2(TWO_J + (<usize>(k0 & (EXP_N - 1)) << 3), TWO_J + (<usize>(k1 & (EXP_N - 1)) << 3));
  const s = i64x2.shl(i64x2.shr_u(i64x2.sub(big, i64x2.splat(POW2_BIAS)), 7), 52);
  return f64x2.mul(f64x2.add(t, f64x2.mul(t, p)), s);
}

/** fastLog on both lanes. */
@inline
function vLog(x: v128): v128 {
  if (!i64x2.all_true(v128.and(f64x2.ge(x, vk(VC.EIGHTH)), f64x2.le(x, vk(VC.ONE))))) {
    return f64x2.replace_lane(sp(fastLog(f64x2.extract_lane(x, 0))), 1, fastLog(f64x2.extract_lane(x, 1)));
  }
  const j = i32x4.trunc_sat_f64x2_s_zero(f64x2.mul(x, vk(VC.LOG_CELLS)));
  const j0 = <usize>i32x4.extract_lane(j, 0) << 3;
  const j1 = <usize>i32x4.extract_lane(j, 1) << 3;
  const r = f64x2.mul(f64x2.sub(x, ld2(LOG_CENTRE + j0, LOG_CENTRE + j1)), ld2(LOG_INV_CENTRE + j0, LOG_INV_CENTRE + j1));
  let s = f64x2.sub(vk(VC.SIXTH), f64x2.mul(r, vk(VC.SEVENTH)));
  s = f64x2.sub(vk(VC.FIFTH), f64x2.mul(r, s));
  s = f64x2.sub(vk(VC.QUARTER), f64x2.mul(r, s));
  s = f64x2.sub(vk(VC.THIRD), f64x2.mul(r, s));
  s = f64x2.sub(vk(VC.HALF), f64x2.mul(r, s));
  s = f64x2.sub(vk(VC.ONE), f64x2.mul(r, s));
  return f64x2.add(ld2(LOG_OF_CENTRE + j0, LOG_OF_CENTRE + j1), f64x2.mul(r, s));
}

/** powArg on both lanes: vExp of it is powPos. */
@inline
function vPowArg(x: v128, y: v128): v128 {
  if (!i64x2.all_true(f64x2.gt(x, sp(0)))) {
    return f64x2.replace_lane(sp(powArg(f64x2.extract_lane(x, 0), f64x2.extract_lane(y, 0))), 1, powArg(f64x2.extract_lane(x, 1), f64x2.extract_lane(y, 1)));
  }
  return f64x2.mul(y, vLog(x));
}

/**
 * For the tests (test/engine/simd.test.ts): applies the vector function `kind` (0 exp, 1 log) to
 * the n doubles at `at` in place, two at a time (an odd last one by the scalar function). Returns
 * 0, changing nothing, when this build has no SIMD.
 */
export function vectorMath(kind: i32, at: usize, n: i32): i32 {
  if (ASC_FEATURE_SIMD) {
    let i = 0;
    for (; i + 1 < n; i += 2) {
      const p = at + (<usize>i << 3);
      const x = v128.load(p);
      v128.store(p, kind == 0 ? vExp(x) : vLog(x));
    }
    if (i < n) {
      const p = at + (<usize>i << 3);
      store<f64>(p, kind == 0 ? fastExp(load<f64>(p)) : fastLog(load<f64>(p)));
    }
    return 1;
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------
// Sketches: stats/sketch.ts's buckets (the exponent and top 6 mantissa bits of |x|), one
// directory entry of Cell.BYTES per cell, each side's counts in a power-of-two window.
//
// Counts are 16-bit, half the memory of 32-bit ones: the sketches of a run are the largest data
// the loop touches every block (on the benchmark, 34 MB of windows, 18 MB of them between each
// window's first and last count). A block adds at most BLOCK_PATHS to a bucket, so the engine moves
// the counts into its own 32-bit grid (and clears them here, clearCounts) at least every
// FLUSH_BLOCKS blocks, before any could overflow.

type Count = u16;
const COUNT_BYTES_LOG2: usize = 1;
const SHIFT: u32 = 14;
const SLACK = 16;
const MIN_WINDOW = 32;

let dir: usize = 0;
let freeHeads: usize = 0; // u32[32]: first free window of 2^c buckets (its first word links the next)
let outside: usize = 0; // i32[BLOCK_PATHS]: values of a pass that fell outside the windows

/** Allocates the directory of `cells` cells (empty, floors to be written by the engine). */
export function gridInit(cells: i32): usize {
  dir = alloc(<usize>cells * Cell.BYTES);
  freeHeads = alloc(32 << 2);
  outside = alloc(BLOCK_PATHS << 2);
  for (let c = 0; c < cells; c++) {
    const e = dir + <usize>c * Cell.BYTES;
    store<f64>(e, Infinity, Cell.MIN);
    store<f64>(e, -Infinity, Cell.MAX);
  }
  return dir;
}

function allocWindow(len: i32): usize {
  const c = <usize>ctz(len) << 2;
  const head = load<u32>(freeHeads + c);
  if (head == 0) return alloc(<usize>len << COUNT_BYTES_LOG2);
  store<u32>(freeHeads + c, load<u32>(head));
  memory.fill(head, 0, <usize>len << COUNT_BYTES_LOG2);
  return head;
}

function freeWindow(at: usize, len: i32): void {
  const c = <usize>ctz(len) << 2;
  store<u32>(at, load<u32>(freeHeads + c));
  store<u32>(freeHeads + c, <u32>at);
}

/** Adds count to bucket `key` of one side of a cell (side: 0 positive, 12 negative), growing its window. */
function bump(e: usize, side: usize, key: i32, count: u32): void {
  const lo = load<i32>(e + side, Cell.POS_LO);
  const len = load<i32>(e + side, Cell.POS_LEN);
  const at = <usize>load<u32>(e + side, Cell.POS_PTR);
  const i = key - lo;
  if (len > 0 && <u32>i < <u32>len) {
    const p = at + (<usize>i << COUNT_BYTES_LOG2);
    store<Count>(p, load<Count>(p) + <Count>count);
    return;
  }
  // A new window: MIN_WINDOW buckets around key, or twice the old one (at least), towards key.
  let newLo = key - SLACK;
  let newLen = MIN_WINDOW;
  if (len > 0) {
    const span = key < lo ? lo + len - (key - SLACK) : key + SLACK + 1 - lo;
    newLen = max(len << 1, <i32>(1 << (32 - clz(span - 1))));
    newLo = key < lo ? lo + len - newLen : lo;
  }
  const grown = allocWindow(newLen);
  if (len > 0) {
    memory.copy(grown + (<usize>(lo - newLo) << COUNT_BYTES_LOG2), at, <usize>len << COUNT_BYTES_LOG2);
    freeWindow(at, len);
  }
  store<i32>(e + side, newLo, Cell.POS_LO);
  store<i32>(e + side, newLen, Cell.POS_LEN);
  store<u32>(e + side, <u32>grown, Cell.POS_PTR);
  const p = grown + (<usize>(key - newLo) << COUNT_BYTES_LOG2);
  store<Count>(p, load<Count>(p) + <Count>count);
}

let serialized: usize = 0; // the last serialize's output, and its capacity in bytes
let serializedBytes: usize = 0;
let serializedCounts = 0;

/** Index of the first nonzero count of n (a multiple of 4) at `at`, or n. */
function firstCount(at: usize, n: i32): i32 {
  let i = 0;
  while (i < n && load<u64>(at + (<usize>i << COUNT_BYTES_LOG2)) == 0) i += 4;
  while (i < n && load<Count>(at + (<usize>i << COUNT_BYTES_LOG2)) == 0) i++;
  return i;
}

/** One past the last nonzero count of n (a multiple of 4) at `at`, or `first` if none is after it. */
function endCount(at: usize, n: i32, first: i32): i32 {
  let end = n;
  while (end - 4 >= first && load<u64>(at + (<usize>(end - 4) << COUNT_BYTES_LOG2)) == 0) end -= 4;
  while (end > first && load<Count>(at + (<usize>(end - 1) << COUNT_BYTES_LOG2)) == 0) end--;
  return end;
}

/**
 * Writes each cell's windows trimmed to the buckets between their first and last count, as
 * stats/sketch.ts's SketchData has them: per cell [posLo, posLen, negLo, negLen] (i32). Returns
 * the address; serializedTotal() gives the number of counts in them. The engine copies the counts.
 */
export function trimWindows(cells: i32): usize {
  const bytes = <usize>cells << 4;
  if (bytes > serializedBytes) {
    serialized = alloc(bytes);
    serializedBytes = bytes;
  }
  let total = 0;
  let w = serialized;
  for (let c = 0; c < cells; c++) {
    const e = dir + <usize>c * Cell.BYTES;
    for (let side: usize = 0; side <= <usize>Cell.NEG_LO; side += <usize>Cell.NEG_LO, w += 8) {
      const at = <usize>load<u32>(e + side, Cell.POS_PTR);
      const n = load<i32>(e + side, Cell.POS_LEN);
      const first = firstCount(at, n);
      const end = endCount(at, n, first);
      store<i32>(w, load<i32>(e + side, Cell.POS_LO) + first);
      store<i32>(w, end - first, 4);
      total += end - first;
    }
  }
  serializedCounts = total;
  return serialized;
}

/** The number of counts in the windows of the last trimWindows. */
export function serializedTotal(): i32 {
  return serializedCounts;
}

let packedAt: usize = 0; // packTrimmed's output, and its capacity in bytes
let packedCapacity: usize = 0;
let packedLength: usize = 0;

/**
 * The counts of the windows the last trimWindows wrote, cell by cell and positive side first, each
 * as its LEB128 varint: stats/packed.ts's packCounts of the same counts, straight from the windows
 * (a shard's part holds its counts so). Returns the address; packedBytes() gives the length. The
 * buffer holds 3 bytes a count (a 16-bit count's longest varint); only those written are touched.
 */
export function packTrimmed(cells: i32): usize {
  const most = <usize>serializedCounts * 3;
  if (most > packedCapacity) {
    packedAt = alloc(most);
    packedCapacity = most;
  }
  let out = packedAt;
  let w = serialized;
  for (let c = 0; c < cells; c++) {
    const e = dir + <usize>c * Cell.BYTES;
    for (let side: usize = 0; side <= <usize>Cell.NEG_LO; side += <usize>Cell.NEG_LO, w += 8) {
      const n = load<i32>(w, 4);
      if (n == 0) continue;
      let at = <usize>load<u32>(e + side, Cell.POS_PTR) + (<usize>(load<i32>(w) - load<i32>(e + side, Cell.POS_LO)) << COUNT_BYTES_LOG2);
      const end = at + (<usize>n << COUNT_BYTES_LOG2);
      for (; at < end; at += 1 << COUNT_BYTES_LOG2) {
        let v = <u32>load<Count>(at);
        while (v >= 128) {
          store<u8>(out++, (v & 127) | 128);
          v >>= 7;
        }
        store<u8>(out++, v);
      }
    }
  }
  packedLength = out - packedAt;
  return packedAt;
}

/** The length in bytes of the last packTrimmed's output. */
export function packedBytes(): i32 {
  return <i32>packedLength;
}

/** Sets every count to zero (the engine has taken them); windows, min and max stay. */
export function clearCounts(cells: i32): void {
  for (let c = 0; c < cells; c++) {
    const e = dir + <usize>c * Cell.BYTES;
    memory.fill(<usize>load<u32>(e, Cell.POS_PTR), 0, <usize>load<i32>(e, Cell.POS_LEN) << COUNT_BYTES_LOG2);
    memory.fill(<usize>load<u32>(e, Cell.NEG_PTR), 0, <usize>load<i32>(e, Cell.NEG_LEN) << COUNT_BYTES_LOG2);
    store<f64>(e, 0, Cell.ZEROS);
  }
}

/** SketchGrid.add: count (at most BLOCK_PATHS) copies of x into a cell. */
function sketchAdd(cell: i32, x: f64, count: u32): void {
  const e = dir + <usize>cell * Cell.BYTES;
  if (x < load<f64>(e, Cell.MIN)) store<f64>(e, x, Cell.MIN);
  if (x > load<f64>(e, Cell.MAX)) store<f64>(e, x, Cell.MAX);
  const floor = load<f64>(e, Cell.FLOOR);
  if (x < floor && x > -floor) {
    store<f64>(e, load<f64>(e, Cell.ZEROS) + <f64>count, Cell.ZEROS);
    return;
  }
  const key = <i32>((<u32>(reinterpret<u64>(x) >> 32) & 0x7fffffff) >> SHIFT);
  bump(e, x > 0 ? 0 : Cell.NEG_LO, key, count);
}

/**
 * Counts the values addMany found outside the windows: each side's window grows once, to cover the
 * lowest and highest of their keys, before they are counted.
 */
function countOutside(e: usize, at: usize, stride: usize, nOut: i32): void {
  let posMin = i32.MAX_VALUE;
  let posMax = -1;
  let negMin = i32.MAX_VALUE;
  let negMax = -1;
  for (let j = 0; j < nOut; j++) {
    const x = load<f64>(at + <usize>load<i32>(outside + (<usize>j << 2)) * stride);
    const key = <i32>((<u32>(reinterpret<u64>(x) >> 32) & 0x7fffffff) >> SHIFT);
    if (x > 0) {
      posMin = min(posMin, key);
      posMax = max(posMax, key);
    } else {
      negMin = min(negMin, key);
      negMax = max(negMax, key);
    }
  }
  if (posMax >= 0) {
    bump(e, 0, posMin, 0);
    bump(e, 0, posMax, 0);
  }
  if (negMax >= 0) {
    bump(e, Cell.NEG_LO, negMin, 0);
    bump(e, Cell.NEG_LO, negMax, 0);
  }
  const posLo = load<i32>(e, Cell.POS_LO);
  const pos = <usize>load<u32>(e, Cell.POS_PTR);
  const negLo = load<i32>(e, Cell.NEG_LO);
  const neg = <usize>load<u32>(e, Cell.NEG_PTR);
  for (let j = 0; j < nOut; j++) {
    const x = load<f64>(at + <usize>load<i32>(outside + (<usize>j << 2)) * stride);
    const key = <i32>((<u32>(reinterpret<u64>(x) >> 32) & 0x7fffffff) >> SHIFT);
    const q = x > 0 ? pos + (<usize>(key - posLo) << COUNT_BYTES_LOG2) : neg + (<usize>(key - negLo) << COUNT_BYTES_LOG2);
    store<Count>(q, load<Count>(q) + 1);
  }
}

/**
 * Loads one byte of each 64-byte line of the `bytes` bytes at `at`, returning their sum. The sketch
 * grid is larger than the processor's caches, and a block visits each cell once, so a cell's
 * windows are rarely cached when addMany starts: loading each of their lines first lets the misses
 * overlap, where the counting loop would meet them one at a time.
 */
@inline
function touchLines(at: usize, bytes: usize): u32 {
  let sum: u32 = 0;
  for (let o: usize = 0; o < bytes; o += 64) sum += load<u8>(at + o);
  return sum;
}

/** The sum of every touchLines, kept so that no compiler drops their loads as unused. */
let touched: u32 = 0;

/**
 * SketchGrid.addMany: n values at `at`, `at + 8`, ... (bytes) into one cell; returns
 * sum plus their sum, added in order. One pass with the windows in locals; values outside them are
 * noted and counted after the pass (growing the windows then). The stride is a constant and the
 * loop runs on the address alone, so that its locals fit the processor's registers.
 */
function addMany(cell: i32, at: usize, n: i32, sum: f64): f64 {
  const e = dir + <usize>cell * Cell.BYTES;
  // A cell with no negative window yet (most: revenue, quality, shares) counts in a loop without
  // one, its negative values outside: three fewer registers, so the loop's locals fit the
  // processor's.
  return load<i32>(e, Cell.NEG_LEN) == 0 ? countPass(e, at, n, sum, false) : countPass(e, at, n, sum, true);
}

/** addMany on cell entry e, with the negative window (`mixed`) or without it (its negative values then outside). */
@inline
function countPass(e: usize, at: usize, n: i32, sum: f64, mixed: bool): f64 {
  let mn = load<f64>(e, Cell.MIN);
  let mx = load<f64>(e, Cell.MAX);
  const floor = load<f64>(e, Cell.FLOOR);
  const negFloor = -floor;
  const posLo = load<i32>(e, Cell.POS_LO);
  const posLen = <u32>load<i32>(e, Cell.POS_LEN);
  const pos = <usize>load<u32>(e, Cell.POS_PTR);
  const negLo = mixed ? load<i32>(e, Cell.NEG_LO) : 0;
  const negLen = mixed ? <u32>load<i32>(e, Cell.NEG_LEN) : 0;
  const neg = mixed ? <usize>load<u32>(e, Cell.NEG_PTR) : 0;
  touched += touchLines(pos, <usize>posLen << COUNT_BYTES_LOG2) + touchLines(neg, <usize>negLen << COUNT_BYTES_LOG2);
  let zeros = 0;
  let nOut = 0;
  const end = at + (<usize>n << 3);
  for (let p = at; p < end; p += 8) {
    const x = load<f64>(p);
    sum += x;
    if (x < mn) mn = x;
    if (x > mx) mx = x;
    if (x >= floor) {
      const i = <u32>(<i32>(<u32>(reinterpret<u64>(x) >> 32) >> SHIFT) - posLo);
      if (i < posLen) {
        const q = pos + (<usize>i << COUNT_BYTES_LOG2);
        store<Count>(q, load<Count>(q) + 1);
      } else store<i32>(outside + (<usize>(nOut++) << 2), <i32>((p - at) >> 3));
    } else if (x > negFloor) zeros++;
    else if (mixed) {
      const i = <u32>(<i32>((<u32>(reinterpret<u64>(x) >> 32) & 0x7fffffff) >> SHIFT) - negLo);
      if (i < negLen) {
        const q = neg + (<usize>i << COUNT_BYTES_LOG2);
        store<Count>(q, load<Count>(q) + 1);
      } else store<i32>(outside + (<usize>(nOut++) << 2), <i32>((p - at) >> 3));
    } else store<i32>(outside + (<usize>(nOut++) << 2), <i32>((p - at) >> 3));
  }
  if (nOut > 0) countOutside(e, at, 8, nOut);
  store<f64>(e, mn, Cell.MIN);
  store<f64>(e, mx, Cell.MAX);
  store<f64>(e, load<f64>(e, Cell.ZEROS) + <f64>zeros, Cell.ZEROS);
  return sum;
}

// ---------------------------------------------------------------------------------------------
// The day loop.

const DPM: f64 = 365.25 / 12;
const ANCHOR_DAYS = 64;

let T = 0;
let U = 0;
let t0 = 0;
let nPol = 0;
let nd = 0;
let maxRounds: f64 = 0;
let discount: usize = 0; // f64[T + U + 1]
let seriesDays: usize = 0; // i32[nd]
let worldDir: usize = 0; // i32[nPol * Wd.FIELDS]
let rows: usize = 0; // f64[BLOCK_PATHS * In.FIELDS]
let butfor: usize = 0; // f64[BLOCK_PATHS * St.FIELDS]
let worlds: usize = 0; // f64[nPol * BLOCK_PATHS * St.FIELDS]
let day: usize = 0; // f64[SKETCHED * COLUMN]: the day's series values, variable-major
let sums: usize = 0; // f64[cells]
let quality: usize = 0; // f64[BLOCK_PATHS]: a world's q of the day, per path
let target: usize = 0; // f64[BLOCK_PATHS]: its target share q^eps
let order: usize = 0; // i32[BLOCK_PATHS]: 0, 1, 2, ...: every path, the horizon's list
let tailLists: usize = 0; // i32[(nPol + 1) * BLOCK_PATHS]: per world, the paths whose firm is alive at T; then those alive in any world
let tailCounts: usize = 0; // i32[nPol + 1]: their numbers

/**
 * The block's inputs, each world's state, each lane's rows and the day's series values are
 * field-major (COLUMN in wasm/layout.ts): a path's value of a field is PATH bytes after the path
 * before it, and a field's values COL bytes after the field before it. So two consecutive paths'
 * values of a field are one vector, and an insert pass (addMany) reads consecutive values.
 */
const PATH: usize = 8;
const COL: usize = <usize>COLUMN << 3;
const WORLD_BYTES: usize = <usize>St.FIELDS * COL;
const LANE_BYTES: usize = <usize>Ln.FIELDS * COL;

/** The plan of the run and where its arrays live (allocated by the engine with alloc). */
export function kernelInit(
  days: i32,
  tailDays: i32,
  start: i32,
  policies: i32,
  storedDays: i32,
  rounds: i32,
  discountAt: usize,
  seriesDaysAt: usize,
  worldDirAt: usize,
  rowsAt: usize,
  butforAt: usize,
  worldsAt: usize,
  dayAt: usize,
  sumsAt: usize,
): void {
  T = days;
  U = tailDays;
  t0 = start;
  nPol = policies;
  nd = storedDays;
  maxRounds = <f64>rounds;
  discount = discountAt;
  seriesDays = seriesDaysAt;
  worldDir = worldDirAt;
  rows = rowsAt;
  butfor = butforAt;
  worlds = worldsAt;
  day = dayAt;
  sums = sumsAt;
  quality = alloc(BLOCK_PATHS << 3);
  target = alloc(BLOCK_PATHS << 3);
  order = alloc(BLOCK_PATHS << 2);
  for (let k = 0; k < BLOCK_PATHS; k++) store<i32>(order + (<usize>k << 2), k);
  tailLists = alloc((<usize>(nPol + 1) * BLOCK_PATHS) << 2);
  tailCounts = alloc(<usize>(nPol + 1) << 2);
}

/** Path m of a list of paths (order, or a tail list). */
@inline
function pathAt(list: usize, m: i32): usize {
  return <usize>load<i32>(list + (<usize>m << 2));
}

/** Tail list i: world i's paths alive at T, or (i = nPol) the paths alive in some world. */
@inline
function tailList(i: i32): usize {
  return tailLists + ((<usize>i * BLOCK_PATHS) << 2);
}

/** The number of paths in tail list i. */
@inline
function tailCount(i: i32): i32 {
  return load<i32>(tailCounts + (<usize>i << 2));
}

/** Appends path k to tail list i. */
@inline
function tailAppend(i: i32, k: i32): void {
  const n = tailCount(i);
  store<i32>(tailList(i) + (<usize>n << 2), k);
  store<i32>(tailCounts + (<usize>i << 2), n + 1);
}

@inline
function f(p: usize, field: usize): f64 {
  return load<f64>(p + field * COL);
}

@inline
function set(p: usize, field: usize, v: f64): void {
  store<f64>(p + field * COL, v);
}

@inline
function wd(w: usize, field: usize): i32 {
  return load<i32>(w + (field << 2));
}

/**
 * Step 7's cash update of a world on path k (input row a, state row b): C += P; a financing
 * attempt when one is due, which succeeds when the path's next financing uniform is below
 * p_f q^psi; then insolvency.
 */
@inline
function updateCash(b: usize, a: usize, k: i32, t: f64, P: f64, alive: f64, q: f64): void {
  let C = f(b, St.C) + P;
  if (alive == 1 && C < f(a, In.RAISE_BELOW) && f(b, St.SUCCESSES) < maxRounds && t + 1 >= f(b, St.NEXT_ATTEMPT)) {
    const attempt = f(b, St.ATTEMPTS);
    set(b, St.ATTEMPTS, attempt + 1);
    if (financingU(k, <i32>attempt) < f(a, In.PF) * powPos(q, f(a, In.PSI))) {
      C += f(a, In.ROUND_SIZE);
      set(b, St.SUCCESSES, f(b, St.SUCCESSES) + 1);
    }
    set(b, St.NEXT_ATTEMPT, t + 1 + f(a, In.RETRY));
  }
  set(b, St.C, C);
  if (alive == 1 && C < -f(a, In.B)) {
    set(b, St.ALIVE, 0);
    set(b, St.INSOLVENCY_DAY, t + 1);
  }
}

/** The sketch cell of (world, variable, stored day j): engine/series.ts's cellOf. */
@inline
function cellOf(world: i32, v: i32, j: i32): i32 {
  return (world * SKETCHED + v) * nd + j;
}

/** Adds a block's values of one (world, variable) on stored day j to its sums and sketch. */
function record(world: i32, v: i32, j: i32, count: i32): void {
  const c = cellOf(world, v, j);
  const s = sums + (<usize>c << 3);
  store<f64>(s, addMany(c, day + <usize>v * COL, count, load<f64>(s)));
}

/** The same for a value every path shares (0 or 1). */
function recordConstant(world: i32, v: i32, j: i32, value: f64, count: i32): void {
  const c = cellOf(world, v, j);
  const s = sums + (<usize>c << 3);
  store<f64>(s, load<f64>(s) + value * <f64>count);
  sketchAdd(c, value, <u32>count);
}

/**
 * Steps 1-2 for every lane of a world that computes its own gap: revoked on day t when t is in the
 * window and the phase in force reaches the lane (its maskBefore until its switch day, then its
 * maskAfter): e = G(t); otherwise e decays with the lane's own tau_r = tau0 + rho (days revoked
 * so far). Then 2^(-kappa e). The phase in force per path is advanced first.
 */
function stepLanes(w: usize, st: usize, list: usize, n: i32, t: i32, tail: bool): void {
  const tf = <f64>t;
  const phases = wd(w, Wd.PHASES);
  if (phases > 1) {
    const ends = <usize>wd(w, Wd.PHASE_ENDS_AT);
    for (let m = 0; m < n; m++) {
      const k = pathAt(list, m);
      const b = st + k * PATH;
      let next = f(b, St.NEXT_END);
      if (tf >= next) {
        let ph = <i32>f(b, St.PHASE);
        const row = ends + ((k * <usize>phases) << 3);
        while (tf >= next) next = load<f64>(row + (<usize>(++ph) << 3));
        set(b, St.PHASE, <f64>ph);
        set(b, St.NEXT_END, next);
      }
    }
  }
  const revokable = t >= t0;
  const lanes = wd(w, Wd.LANES);
  const dir = <usize>wd(w, Wd.LANE_DIR_AT);
  const days: f64 = tail ? 0 : 1;
  for (let j = 0; j < lanes; j++) {
    const ld = dir + ((<usize>j * Lane.FIELDS) << 2);
    if (load<i32>(ld, Lane.OWN << 2) == 0) continue;
    const before = load<i32>(ld, Lane.MASK_BEFORE << 2);
    const after = load<i32>(ld, Lane.MASK_AFTER << 2);
    const lane = <usize>load<i32>(ld, Lane.ROW_AT << 2);
    let m = 0;
    if (ASC_FEATURE_SIMD) {
      const next = list == order;
      for (; m + 1 < n; m += 2) {
        const k0 = pathAt(list, m);
        const k1 = pathAt(list, m + 1);
        const a0 = rows + k0 * PATH;
        const a1 = rows + k1 * PATH;
        const l0 = lane + k0 * PATH;
        const l1 = lane + k1 * PATH;
        const e = f64x2.replace_lane(sp(laneGap(a0, st + k0 * PATH, l0, tf, revokable, before, after, days)), 1, laneGap(a1, st + k1 * PATH, l1, tf, revokable, before, after, days));
        const x = f64x2.mul(f64x2.neg(ldp(a0 + In.KLN2 * COL, a1 + In.KLN2 * COL, next)), e);
        const zero = f64x2.eq(e, sp(0));
        stp(l0 + Ln.H * COL, l1 + Ln.H * COL, i64x2.all_true(zero) ? vk(VC.ONE) : v128.bitselect(vk(VC.ONE), vExp(x), zero), next);
      }
    }
    for (; m < n; m++) {
      const k = pathAt(list, m);
      const a = rows + k * PATH;
      const l = lane + k * PATH;
      const e = laneGap(a, st + k * PATH, l, tf, revokable, before, after, days);
      set(l, Ln.H, e == 0 ? 1 : fastExp(-f(a, In.KLN2) * e));
    }
  }
}

/**
 * A lane's gap e of day t on one path (input row a, state row b, lane row l), written to its row
 * with the revocation fields: revoked when t is in the window and the phase in force reaches the
 * lane (its mask of the day); else the decay of yesterday's gap.
 */
@inline
function laneGap(a: usize, b: usize, l: usize, tf: f64, revokable: bool, before: i32, after: i32, days: f64): f64 {
  const mask = tf < f(l, Ln.SWITCH_DAY) ? before : after;
  let e: f64;
  if (revokable && tf < f(b, St.T_END) && ((mask >> <i32>f(b, St.PHASE)) & 1) != 0) {
    e = f(a, In.G);
    set(l, Ln.REV, 1);
    set(l, Ln.COUNT, f(l, Ln.COUNT) + 1);
    set(l, Ln.DAYS_T, f(l, Ln.DAYS_T) + days);
    set(l, Ln.STALE, 1);
  } else {
    set(l, Ln.REV, 0);
    if (f(l, Ln.STALE) != 0) {
      set(l, Ln.DECAY, jsExp(-1 / (f(a, In.TAU0) + f(a, In.RHO) * f(l, Ln.COUNT))));
      set(l, Ln.STALE, 0);
    }
    e = f(l, Ln.E) * f(l, Ln.DECAY);
  }
  set(l, Ln.E, e);
  return e;
}

/**
 * Step 4 for the paths of a list in a world: relative quality q and the target share q^eps, at
 * each path's place m in the list.
 */
function stepQuality(w: usize, st: usize, list: usize, n: i32): void {
  const pl = wd(w, Wd.PRODUCT_LANE);
  const gp: usize = pl >= 0 ? <usize>load<i32>(<usize>wd(w, Wd.LANE_DIR_AT) + ((<usize>pl * Lane.FIELDS) << 2), Lane.GAP_AT << 2) : 0;
  let m = 0;
  if (ASC_FEATURE_SIMD) {
    const next = list == order;
    // Without a product lane, PRODUCT_MU is -1 on every path, and q is K.
    if (pl < 0) {
      for (; m + 1 < n; m += 2) v128.store(quality + (<usize>m << 3), ldp(st + pathAt(list, m) * PATH + St.K * COL, st + pathAt(list, m + 1) * PATH + St.K * COL, next));
    }
    for (; m + 1 < n; m += 2) {
      const k0 = pathAt(list, m);
      const k1 = pathAt(list, m + 1);
      const b0 = st + k0 * PATH;
      const b1 = st + k1 * PATH;
      const K = ldp(b0 + St.K * COL, b1 + St.K * COL, next);
      const pm = ldp(b0 + St.PRODUCT_MU * COL, b1 + St.PRODUCT_MU * COL, next);
      const h = ldp(gp + k0 * PATH + Ln.H * COL, gp + k1 * PATH + Ln.H * COL, next);
      const q = v128.bitselect(f64x2.mul(K, f64x2.sub(vk(VC.ONE), f64x2.mul(pm, f64x2.sub(vk(VC.ONE), h)))), K, f64x2.ge(pm, sp(0)));
      v128.store(quality + (<usize>m << 3), q);
    }
    // q^eps in two more passes over the pairs, the logarithms (eps ln q, written where the target
    // goes) and then the exponentials: each loop's chain of dependent operations is short, so the
    // processor overlaps several pairs' chains (the same operations on each path as in one pass;
    // a pair whose q are both 1 takes 1 and no logarithm).
    for (let i = 0; i + 1 < m; i += 2) {
      const o = <usize>i << 3;
      const q = v128.load(quality + o);
      if (!i64x2.all_true(f64x2.eq(q, vk(VC.ONE)))) v128.store(target + o, vPowArg(q, ldp(rows + pathAt(list, i) * PATH + In.EPS * COL, rows + pathAt(list, i + 1) * PATH + In.EPS * COL, next)));
    }
    for (let i = 0; i + 1 < m; i += 2) {
      const o = <usize>i << 3;
      const one = f64x2.eq(v128.load(quality + o), vk(VC.ONE));
      v128.store(target + o, i64x2.all_true(one) ? vk(VC.ONE) : v128.bitselect(vk(VC.ONE), vExp(v128.load(target + o)), one));
    }
  }
  for (; m < n; m++) {
    const k = pathAt(list, m);
    const b = st + k * PATH;
    const K = f(b, St.K);
    const pm = f(b, St.PRODUCT_MU);
    const q = pm >= 0 ? K * (1 - pm * (1 - f(gp + k * PATH, Ln.H))) : K;
    const o = <usize>m << 3;
    store<f64>(quality + o, q);
    store<f64>(target + o, q == 1 ? 1 : powPos(q, f(rows + k * PATH, In.EPS)));
  }
}

/** Step 7's K and S updates of a world on a path (horizon and tail days alike). */
@inline
function updateQualityAndShare(b: usize, a: usize, K: f64, S: f64, yRel: f64, tgt: f64): void {
  set(b, St.K, K + (yRel - K) / f(a, In.TAU_K));
  set(b, St.S, S + (tgt - S) / (tgt < S ? f(a, In.TAU_LOSS) : f(a, In.TAU_WIN)));
}

/** Σ_j CA_j (1 - H_j) over a world's lanes on path k: the share of but-for output lost. */
@inline
function lostOutput(dir: usize, lanes: i32, k: i32): f64 {
  let lost: f64 = 0;
  const off = <usize>k * PATH;
  for (let j = 0; j < lanes; j++) {
    const ld = dir + ((<usize>j * Lane.FIELDS) << 2);
    const gapAt = <usize>load<i32>(ld, Lane.GAP_AT << 2);
    lost += f(<usize>load<i32>(ld, Lane.ROW_AT << 2) + off, Ln.CA) * (1 - f(gapAt + off, Ln.H));
  }
  return lost;
}

/** updateQualityAndShare on paths k and k + 1 (state rows b, b1; input rows a, a1). */
@inline
function vUpdateQualityAndShare(b: usize, b1: usize, a: usize, a1: usize, K: v128, S: v128, yRel: v128, tgt: v128, next: bool): void {
  stp(b + St.K * COL, b1 + St.K * COL, f64x2.add(K, f64x2.div(f64x2.sub(yRel, K), ldp(a + In.TAU_K * COL, a1 + In.TAU_K * COL, next))), next);
  const tau = v128.bitselect(ldp(a + In.TAU_LOSS * COL, a1 + In.TAU_LOSS * COL, next), ldp(a + In.TAU_WIN * COL, a1 + In.TAU_WIN * COL, next), f64x2.lt(tgt, S));
  stp(b + St.S * COL, b1 + St.S * COL, f64x2.add(S, f64x2.div(f64x2.sub(tgt, S), tau)), next);
}

/** lostOutput on paths k0 and k1. */
@inline
function vLostOutput(dir: usize, lanes: i32, k0: usize, k1: usize, next: bool): v128 {
  let lost = sp(0);
  const off0 = k0 * PATH;
  const off1 = k1 * PATH;
  for (let j = 0; j < lanes; j++) {
    const ld = dir + ((<usize>j * Lane.FIELDS) << 2);
    const gapAt = <usize>load<i32>(ld, Lane.GAP_AT << 2);
    const ca = <usize>load<i32>(ld, Lane.ROW_AT << 2) + Ln.CA * COL;
    const h = ldp(gapAt + off0 + Ln.H * COL, gapAt + off1 + Ln.H * COL, next);
    lost = f64x2.add(lost, f64x2.mul(ldp(ca + off0, ca + off1, next), f64x2.sub(vk(VC.ONE), h)));
  }
  return lost;
}

/** Adds x to a state field of paths k and k + 1 (b: path k's state). */
@inline
function vAdd(b: usize, field: usize, x: v128): void {
  v128.store(b + field * COL, f64x2.add(v128.load(b + field * COL), x));
}

/** vAdd on the paths where `where` is set; the other keeps its value. */
@inline
function vAddWhere(b: usize, field: usize, x: v128, where: v128): void {
  const old = v128.load(b + field * COL);
  v128.store(b + field * COL, v128.bitselect(f64x2.add(old, x), old, where));
}

/**
 * Advances one policy world by day t < T on every path, MODEL.md steps 1-7, writing the day's
 * series values when `stored`.
 *
 * In passes over the paths: the lanes' gaps, then quality and the target share, then the rest.
 * Each path's operations are the same and in the same order as in one pass, but the exponentials
 * and logarithms, long chains of dependent arithmetic, now sit in short loops whose iterations
 * are independent, so the processor overlaps one path's chain with the next's.
 */
function stepPolicyWorld(w: usize, st: usize, count: i32, t: i32, df: f64, stored: bool): void {
  const tf = <f64>t;
  stepLanes(w, st, order, count, t, false);
  stepQuality(w, st, order, count);
  // 3. Output; 5. revenue, the switching share, costs and profit; 6. record; 7. update.
  const lanes = wd(w, Wd.LANES);
  const dir = <usize>wd(w, Wd.LANE_DIR_AT);
  const pl = wd(w, Wd.PRODUCT_LANE);
  let k = 0;
  if (ASC_FEATURE_SIMD) {
    // Paths k and k + 1 at once: the per-path steps below, lane by lane in the same order, with
    // each "if" a select (both sides computed, one kept); financing and insolvency path by path.
    const gp: usize = pl >= 0 ? <usize>load<i32>(dir + ((<usize>pl * Lane.FIELDS) << 2), Lane.GAP_AT << 2) : 0;
    const tv = sp(tf);
    const dv = sp(df);
    for (; k + 1 < count; k += 2) {
      const a0 = rows + <usize>k * PATH;
      const b0 = st + <usize>k * PATH;
      const off = <usize>k * PATH;
      const q = v128.load(quality + (<usize>k << 3));
      const S = v128.load(b0 + St.S * COL);
      const alive = v128.load(b0 + St.ALIVE * COL);
      const R = f64x2.mul(f64x2.mul(v128.load(a0 + In.RBF * COL), S), alive);
      let phi = sp(0);
      for (let j = 0; j < lanes; j++) {
        const ld = dir + ((<usize>j * Lane.FIELDS) << 2);
        const revoked = f64x2.ne(v128.load(<usize>load<i32>(ld, Lane.GAP_AT << 2) + off + Ln.REV * COL), sp(0));
        phi = v128.bitselect(f64x2.add(phi, v128.load(<usize>load<i32>(ld, Lane.ROW_AT << 2) + off + Ln.NSHARE * COL)), phi, revoked);
      }
      if (pl >= 0) phi = v128.bitselect(vk(VC.ONE), phi, f64x2.ne(v128.load(gp + off + Ln.REV * COL), sp(0)));
      const phiPrev = v128.load(b0 + St.PHI_PREV * COL);
      const switching = f64x2.add(
        f64x2.mul(v128.load(a0 + In.SWITCH * COL), f64x2.max(sp(0), f64x2.sub(phi, phiPrev))),
        f64x2.mul(v128.load(a0 + In.SWITCH_BACK * COL), f64x2.max(sp(0), f64x2.sub(phiPrev, phi))),
      );
      let cost = v128.bitselect(switching, sp(0), f64x2.ne(phi, phiPrev));
      v128.store(b0 + St.PHI_PREV * COL, phi);
      let mitigation = sp(0);
      mitigation = v128.bitselect(f64x2.add(mitigation, v128.load(b0 + St.MITIGATION_COST * COL)), mitigation, f64x2.eq(tv, v128.load(b0 + St.MITIGATION_DAY * COL)));
      mitigation = v128.bitselect(f64x2.add(mitigation, v128.load(b0 + St.PREMIUM * COL)), mitigation, f64x2.ge(tv, v128.load(b0 + St.PREMIUM_DAY * COL)));
      cost = f64x2.add(cost, mitigation);
      const P = f64x2.mul(alive, f64x2.sub(f64x2.sub(f64x2.mul(v128.load(a0 + In.M * COL), R), v128.load(a0 + In.XDAY * COL)), cost));
      const tEnd = v128.load(b0 + St.T_END * COL);
      const pBf = v128.load(a0 + In.P_BF * COL);
      const dr = f64x2.sub(v128.load(a0 + In.R_BF * COL), R);
      const dp = f64x2.sub(pBf, P);
      const aliveCost = f64x2.mul(alive, cost);
      vAdd(b0, St.LOST_REVENUE, dr);
      vAddWhere(b0, St.LOST_REVENUE_AFTER, dr, f64x2.ge(tv, tEnd));
      vAdd(b0, St.LOST_PROFIT, dp);
      const pv = f64x2.add(v128.load(b0 + St.PV_LOST_PROFIT * COL), f64x2.mul(dv, dp));
      v128.store(b0 + St.PV_LOST_PROFIT * COL, pv);
      vAdd(b0, St.PV_COSTS, f64x2.mul(dv, aliveCost));
      const operating = f64x2.mul(dv, f64x2.sub(pBf, f64x2.add(P, aliveCost)));
      const before = f64x2.lt(tv, tEnd);
      vAddWhere(b0, St.PV_BEFORE, operating, before);
      vAddWhere(b0, St.PV_AFTER, operating, v128.not(before));
      vAdd(b0, St.PV_MITIGATION, f64x2.mul(dv, f64x2.mul(alive, mitigation)));
      v128.store(b0 + St.LAST_REVENUE * COL, R);
      if (stored) {
        let gap = sp(0);
        for (let j = 0; j < lanes; j++) {
          const ld = dir + ((<usize>j * Lane.FIELDS) << 2);
          gap = f64x2.add(gap, f64x2.mul(v128.load(<usize>load<i32>(ld, Lane.ROW_AT << 2) + off + Ln.NSHARE * COL), v128.load(<usize>load<i32>(ld, Lane.GAP_AT << 2) + off + Ln.E * COL)));
        }
        const d = day + <usize>k * PATH;
        v128.store(d, gap);
        v128.store(d + COL, q);
        v128.store(d + 2 * COL, S);
        v128.store(d + 3 * COL, f64x2.mul(sp(365), R));
        v128.store(d + 4 * COL, pv);
      }
      updateCash(b0, a0, k, tf, f64x2.extract_lane(P, 0), f64x2.extract_lane(alive, 0), f64x2.extract_lane(q, 0));
      updateCash(b0 + PATH, a0 + PATH, k + 1, tf, f64x2.extract_lane(P, 1), f64x2.extract_lane(alive, 1), f64x2.extract_lane(q, 1));
    }
  }
  let a = rows + <usize>k * PATH;
  let b = st + <usize>k * PATH;
  let d = day + <usize>k * PATH;
  for (; k < count; k++, a += PATH, b += PATH, d += PATH) {
    const off = <usize>k * PATH;
    const q = load<f64>(quality + (<usize>k << 3));
    const S = f(b, St.S);
    const alive = f(b, St.ALIVE);
    const R = f(a, In.RBF) * S * alive;
    // The switching share phi(t): 1 while the product is revoked, else the revoked headcount share.
    let phi: f64 = 0;
    let gap: f64 = 0;
    if (pl >= 0 && f(<usize>load<i32>(dir + ((<usize>pl * Lane.FIELDS) << 2), Lane.GAP_AT << 2) + off, Ln.REV) != 0) phi = 1;
    else {
      for (let j = 0; j < lanes; j++) {
        const ld = dir + ((<usize>j * Lane.FIELDS) << 2);
        if (f(<usize>load<i32>(ld, Lane.GAP_AT << 2) + off, Ln.REV) != 0) phi += f(<usize>load<i32>(ld, Lane.ROW_AT << 2) + off, Ln.NSHARE);
      }
    }
    const phiPrev = f(b, St.PHI_PREV);
    let cost: f64 = phi != phiPrev ? f(a, In.SWITCH) * max<f64>(0, phi - phiPrev) + f(a, In.SWITCH_BACK) * max<f64>(0, phiPrev - phi) : 0;
    set(b, St.PHI_PREV, phi);
    let mitigation: f64 = 0;
    if (tf == f(b, St.MITIGATION_DAY)) mitigation += f(b, St.MITIGATION_COST);
    if (tf >= f(b, St.PREMIUM_DAY)) mitigation += f(b, St.PREMIUM);
    cost += mitigation;
    const P = alive * (f(a, In.M) * R - f(a, In.XDAY) - cost);
    // Metrics accumulate in day order, as model/metrics.ts's addDay sums them.
    const tEnd = f(b, St.T_END);
    const pBf = f(a, In.P_BF);
    const dr = f(a, In.R_BF) - R;
    const dp = pBf - P;
    const aliveCost = alive * cost;
    set(b, St.LOST_REVENUE, f(b, St.LOST_REVENUE) + dr);
    if (tf >= tEnd) set(b, St.LOST_REVENUE_AFTER, f(b, St.LOST_REVENUE_AFTER) + dr);
    set(b, St.LOST_PROFIT, f(b, St.LOST_PROFIT) + dp);
    const pv = f(b, St.PV_LOST_PROFIT) + df * dp;
    set(b, St.PV_LOST_PROFIT, pv);
    set(b, St.PV_COSTS, f(b, St.PV_COSTS) + df * aliveCost);
    const operating = df * (pBf - (P + aliveCost));
    if (tf < tEnd) set(b, St.PV_BEFORE, f(b, St.PV_BEFORE) + operating);
    else set(b, St.PV_AFTER, f(b, St.PV_AFTER) + operating);
    set(b, St.PV_MITIGATION, f(b, St.PV_MITIGATION) + df * (alive * mitigation));
    set(b, St.LAST_REVENUE, R);
    if (stored) {
      for (let j = 0; j < lanes; j++) {
        const ld = dir + ((<usize>j * Lane.FIELDS) << 2);
        gap += f(<usize>load<i32>(ld, Lane.ROW_AT << 2) + off, Ln.NSHARE) * f(<usize>load<i32>(ld, Lane.GAP_AT << 2) + off, Ln.E);
      }
      store<f64>(d, gap);
      store<f64>(d + COL, q);
      store<f64>(d + 2 * COL, S);
      store<f64>(d + 3 * COL, 365 * R);
      store<f64>(d + 4 * COL, pv);
    }
    updateCash(b, a, k, tf, P, alive, q);
  }
  updateQualityAndShares(w, st, order, count);
}

/**
 * A day t >= T of the tail: the same gap, quality and share steps, with no costs, financing or
 * insolvency; only the discounted revenue (and hiring premium) is added up. Quality, share and
 * the sums only on the paths of the list: those whose firm is alive at T in this world. On the
 * others revenue and premium are 0 (alive is), so their sums keep their value, and nothing else of
 * the tail is read. The lanes on every path alive in some world (listAliveAtT).
 */
function stepPolicyWorldTail(w: usize, st: usize, list: usize, n: i32, t: i32, df: f64): void {
  const tf = <f64>t;
  stepLanes(w, st, tailList(nPol), tailCount(nPol), t, true);
  stepQuality(w, st, list, n);
  let m = 0;
  if (ASC_FEATURE_SIMD) {
    for (; m + 1 < n; m += 2) {
      const k0 = pathAt(list, m);
      const k1 = pathAt(list, m + 1);
      const a0 = rows + k0 * PATH;
      const a1 = rows + k1 * PATH;
      const b0 = st + k0 * PATH;
      const b1 = st + k1 * PATH;
      const S = ld2(b0 + St.S * COL, b1 + St.S * COL);
      const R = f64x2.mul(f64x2.mul(ld2(a0 + In.RBF * COL, a1 + In.RBF * COL), S), ld2(b0 + St.ALIVE * COL, b1 + St.ALIVE * COL));
      const tr = ld2(b0 + St.TAIL_REVENUE * COL, b1 + St.TAIL_REVENUE * COL);
      st2(b0 + St.TAIL_REVENUE * COL, b1 + St.TAIL_REVENUE * COL, f64x2.add(tr, f64x2.mul(sp(df), R)));
      tailPremium(b0, tf, df);
      tailPremium(b1, tf, df);
    }
  }
  for (; m < n; m++) {
    const k = pathAt(list, m);
    const a = rows + k * PATH;
    const b = st + k * PATH;
    const R = f(a, In.RBF) * f(b, St.S) * f(b, St.ALIVE);
    set(b, St.TAIL_REVENUE, f(b, St.TAIL_REVENUE) + df * R);
    tailPremium(b, tf, df);
  }
  updateQualityAndShares(w, st, list, n);
}

/** A tail day's hiring premium on a path (state row b), once it is paid. */
@inline
function tailPremium(b: usize, tf: f64, df: f64): void {
  if (tf >= f(b, St.PREMIUM_DAY)) set(b, St.TAIL_PREMIUM, f(b, St.TAIL_PREMIUM) + df * (f(b, St.ALIVE) * f(b, St.PREMIUM)));
}

/**
 * Step 7's K and S updates of a world on the paths of a list, from the day's output (the lanes'
 * factors) and target share: last, since no other step of the day reads them after quality is set.
 */
function updateQualityAndShares(w: usize, st: usize, list: usize, n: i32): void {
  const lanes = wd(w, Wd.LANES);
  const dir = <usize>wd(w, Wd.LANE_DIR_AT);
  let m = 0;
  if (ASC_FEATURE_SIMD) {
    const next = list == order;
    for (; m + 1 < n; m += 2) {
      const k0 = pathAt(list, m);
      const k1 = pathAt(list, m + 1);
      const b0 = st + k0 * PATH;
      const b1 = st + k1 * PATH;
      const yRel = f64x2.sub(vk(VC.ONE), vLostOutput(dir, lanes, k0, k1, next));
      const K = ldp(b0 + St.K * COL, b1 + St.K * COL, next);
      const S = ldp(b0 + St.S * COL, b1 + St.S * COL, next);
      vUpdateQualityAndShare(b0, b1, rows + k0 * PATH, rows + k1 * PATH, K, S, yRel, v128.load(target + (<usize>m << 3)), next);
    }
  }
  for (; m < n; m++) {
    const k = pathAt(list, m);
    const b = st + k * PATH;
    updateQualityAndShare(b, rows + k * PATH, f(b, St.K), f(b, St.S), 1 - lostOutput(dir, lanes, <i32>k), load<f64>(target + (<usize>m << 3)));
  }
}

/**
 * The tail's lists of paths, from the worlds' states after day T-1: per simulated world, the paths
 * whose firm is alive there; and the paths alive in any of them. A world's lanes are stepped on the
 * latter, since a world may read another's lane gaps (a lane that shares its members' revocation
 * days, Lane.OWN = 0).
 */
function listAliveAtT(count: i32): void {
  memory.fill(tailCounts, 0, <usize>(nPol + 1) << 2);
  for (let k = 0; k < count; k++) {
    let alive = false;
    for (let i = 0; i < nPol; i++) {
      if (wd(worldDir + ((<usize>i * Wd.FIELDS) << 2), Wd.SKIP) == 0 && f(worlds + <usize>i * WORLD_BYTES + <usize>k * PATH, St.ALIVE) != 0) {
        tailAppend(i, k);
        alive = true;
      }
    }
    if (alive) tailAppend(nPol, k);
  }
}

/** Rbf(t) to Rbf(t + 1) on path k (inputs a): the daily factor at growth persistence 1, else the recurrence. */
@inline
function growPath(a: usize): void {
  if (f(a, In.PERSIST) == 1) set(a, In.RBF, f(a, In.RBF) * f(a, In.DAILY));
  else {
    set(a, In.RBF, f(a, In.RBF) * dailyGrowth(f(a, In.G_RATE) * f(a, In.P_T)));
    set(a, In.P_T, f(a, In.P_T) * f(a, In.P_STEP));
  }
}

/** growPath on paths 0 ... count-1: two at a time where both have growth persistence 1. */
function growRevenue(count: i32): void {
  let k = 0;
  while (k < count) {
    const a = rows + <usize>k * PATH;
    if (ASC_FEATURE_SIMD && k + 1 < count && i64x2.all_true(f64x2.eq(v128.load(a + In.PERSIST * COL), vk(VC.ONE)))) {
      v128.store(a + In.RBF * COL, f64x2.mul(v128.load(a + In.RBF * COL), v128.load(a + In.DAILY * COL)));
      k += 2;
    } else {
      growPath(a);
      k++;
    }
  }
}

/** Runs days 0 ... T+U-1 of every world on paths 0 ... count-1 (states set by the engine). */
export function runDays(count: i32): void {
  let j = 0; // index of the next stored series day
  for (let t = 0; t < T + U; t++) {
    const tf = <f64>t;
    const tail = t >= T;
    const df = load<f64>(discount + (<usize>t << 3));
    const stored = !tail && j < nd && load<i32>(seriesDays + (<usize>j << 2)) == t;
    if (t == T) listAliveAtT(count);
    // But-for revenue of the day, Rbf(t) (growth persistence 1: an exact power every 64 days, a
    // daily growth factor between; else p^(t/365) carried likewise and the recurrence applied
    // daily), and the fallback gap G(t) from t0 on.
    const anchor = t % ANCHOR_DAYS == 0;
    const revokable = t >= t0;
    const M = <f64>(t - t0) / DPM;
    const gapAnchor = (t - t0) % ANCHOR_DAYS == 0;
    let a = rows;
    if (anchor) {
      for (let k = 0; k < count; k++, a += PATH) {
        if (f(a, In.PERSIST) == 1) set(a, In.RBF, f(a, In.RBF0) * jsPow(f(a, In.GROWTH), tf / 365));
        else set(a, In.P_T, jsPow(f(a, In.PERSIST), tf / 365));
      }
    }
    if (revokable) {
      let k = 0;
      if (ASC_FEATURE_SIMD && !gapAnchor) {
        const Mv = sp(M);
        for (a = rows; k + 1 < count; k += 2, a += 2 * PATH) {
          const growth = f64x2.mul(v128.load(a + In.GROWTH_ALPHA * COL), v128.load(a + In.ALPHA_STEP * COL));
          v128.store(a + In.GROWTH_ALPHA * COL, growth);
          const lag = f64x2.add(v128.load(a + In.L * COL), f64x2.mul(v128.load(a + In.GAMMA * COL), Mv));
          v128.store(a + In.G * COL, f64x2.div(f64x2.mul(lag, growth), v128.load(a + In.H0 * COL)));
        }
      }
      for (a = rows + <usize>k * PATH; k < count; k++, a += PATH) {
        const growth = gapAnchor ? jsExp(f(a, In.ALPHA_DAY) * tf) : f(a, In.GROWTH_ALPHA) * f(a, In.ALPHA_STEP);
        set(a, In.GROWTH_ALPHA, growth);
        set(a, In.G, ((f(a, In.L) + f(a, In.GAMMA) * M) * growth) / f(a, In.H0));
      }
    }

    // The but-for world: e = 0, K = S = q = 1 and no switching costs (so R = Rbf alive, and the
    // financing chance is p_f).
    a = rows;
    let b = butfor;
    if (!tail) {
      let k = 0;
      if (ASC_FEATURE_SIMD) {
        const dv = sp(df);
        for (; k + 1 < count; k += 2, a += 2 * PATH, b += 2 * PATH) {
          const alive = v128.load(b + St.ALIVE * COL);
          const R = f64x2.mul(v128.load(a + In.RBF * COL), alive);
          const P = f64x2.mul(alive, f64x2.sub(f64x2.mul(v128.load(a + In.M * COL), R), v128.load(a + In.XDAY * COL)));
          v128.store(a + In.R_BF * COL, R);
          v128.store(a + In.P_BF * COL, P);
          v128.store(a + In.BF_PV * COL, f64x2.add(v128.load(a + In.BF_PV * COL), f64x2.mul(dv, P)));
          v128.store(b + St.LAST_REVENUE * COL, R);
          if (stored) v128.store(day + <usize>k * PATH + 3 * COL, f64x2.mul(sp(365), R));
          updateCash(b, a, k, tf, f64x2.extract_lane(P, 0), f64x2.extract_lane(alive, 0), 1);
          updateCash(b + PATH, a + PATH, k + 1, tf, f64x2.extract_lane(P, 1), f64x2.extract_lane(alive, 1), 1);
        }
      }
      let d = day + <usize>k * PATH;
      for (; k < count; k++, a += PATH, b += PATH, d += PATH) {
        const alive = f(b, St.ALIVE);
        const R = f(a, In.RBF) * alive;
        const P = alive * (f(a, In.M) * R - f(a, In.XDAY));
        set(a, In.R_BF, R);
        set(a, In.P_BF, P);
        set(a, In.BF_PV, f(a, In.BF_PV) + df * P);
        set(b, St.LAST_REVENUE, R);
        if (stored) store<f64>(d + 3 * COL, 365 * R);
        updateCash(b, a, k, tf, P, alive, 1);
      }
      if (stored) {
        recordConstant(0, 0, j, 0, count);
        recordConstant(0, 1, j, 1, count);
        recordConstant(0, 2, j, 1, count);
        record(0, 3, j, count);
        recordConstant(0, 4, j, 0, count);
      }
    } else {
      for (let k = 0; k < count; k++, a += PATH, b += PATH) set(a, In.BF_TAIL, f(a, In.BF_TAIL) + df * (f(a, In.RBF) * f(b, St.ALIVE)));
    }

    // Each simulated policy world.
    for (let i = 0; i < nPol; i++) {
      const w = worldDir + ((<usize>i * Wd.FIELDS) << 2);
      if (wd(w, Wd.SKIP) != 0) continue;
      const st = worlds + <usize>i * WORLD_BYTES;
      if (tail) stepPolicyWorldTail(w, st, tailList(i), tailCount(i), t, df);
      else {
        const kept = stored && wd(w, Wd.SERIES) != 0;
        stepPolicyWorld(w, st, count, t, df, kept);
        if (kept) for (let v = 0; v < SKETCHED; v++) record(i + 1, v, j, count);
      }
    }
    growRevenue(count);
    if (stored) j++;
  }
}
