/**
 * The memory layout shared by the WebAssembly day loop (kernel.ts here, AssemblyScript) and the
 * engine that feeds it (engine/kernel.ts): a path's input row, a world's state row, the paths of a
 * block, the sketched series. Both compilers read this one file, so the two sides cannot disagree.
 * Const enums: both inline the numbers.
 */

/** Paths per block. Fixed, so per-block partial sums reduce identically for any thread count. */
export const BLOCK_PATHS = 1024;

/**
 * The kernel's sketch counts are 16-bit and a block adds at most BLOCK_PATHS to one: the engine
 * takes them into its 32-bit grid after at most this many blocks (63 x 1,024 < 65,536).
 */
export const FLUSH_BLOCKS = 63;

/** Series kept in sketches per world (the first five of engine/series.ts's SERIES). */
export const SKETCHED = 5;

/**
 * Fields of a path's input row, 32 doubles (four 64-byte cache lines), the ones every world reads
 * every day in the first two lines. Rbf(t) and the but-for world's revenue and profit of the day
 * change daily; the rest are the path's inputs and constants derived from them.
 */
export const enum In {
  // Line 1: the but-for world's day and the cash update of every world.
  RBF, // Rbf(t)
  DAILY, // (1 + g)^(1/365)
  R_BF, // the but-for world's R of the day
  P_BF, // the but-for world's P of the day
  M,
  XDAY, // X/365
  RAISE_BELOW,
  B,
  // Line 2: a policy world's day.
  EPS,
  TAU_K,
  TAU_LOSS,
  TAU_WIN,
  L,
  GAMMA,
  H0,
  ALPHA_STEP, // exp(alpha/365)
  // Lines 3-4: read on some days only, or only when the block starts or ends.
  KLN2, // kappa ln2
  SWITCH,
  SWITCH_BACK,
  PF,
  PSI,
  ROUND_SIZE,
  RETRY,
  ALPHA_DAY, // alpha/365
  RBF0, // R0/365
  GROWTH, // 1 + g
  C0,
  V,
  TAU0,
  RHO,
  MU,
  YBF, // Σ_s n_s w_s
  FIELDS,
}

/**
 * Fields of a world's state row on a path, 24 doubles (three cache lines): the ones read every day
 * in the first two (the last four of those only by a world that computes the gap e itself).
 */
export const enum St {
  K,
  S,
  C,
  ALIVE,
  LAST_REVENUE,
  T_END,
  CA, // affected share of but-for output weighted by dependence
  PRODUCT_MU, // mu when the product is cut off, else -1
  LOST_REVENUE,
  LOST_REVENUE_AFTER,
  LOST_PROFIT,
  PV_LOST_PROFIT,
  GAP, // e of the day
  H, // 2^(-kappa e) of the day
  DECAY, // exp(-1/tau_r)
  GROWTH, // exp(alpha t / 365) of the last revoked day
  // Read on some days only.
  DEFF,
  SUCCESSES,
  ATTEMPTS,
  NEXT_ATTEMPT,
  INSOLVENCY_DAY,
  FIELDS = 24,
}

/** A sketch cell's entry in the grid's directory (byte offsets; CELL_BYTES per cell). */
export const enum Cell {
  POS_LO = 0, // i32: key of the first bucket of the positive window
  POS_LEN = 4, // i32: buckets in it (0: none yet)
  POS_PTR = 8, // u32: address of its u32 counts
  NEG_LO = 12, // the same for |x| of negative values
  NEG_LEN = 16,
  NEG_PTR = 20,
  ZEROS = 24, // f64: values with |x| below the floor
  MIN = 32, // f64
  MAX = 40, // f64
  FLOOR = 48, // f64
  BYTES = 64,
}
