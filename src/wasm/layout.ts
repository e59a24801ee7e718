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
 * Fields of a path's input row. The last three change daily: the but-for revenue Rbf(t), and the
 * but-for world's revenue and profit of the day.
 */
export const enum In {
  RBF0, // R0/365
  GROWTH, // 1 + g
  DAILY, // (1 + g)^(1/365)
  M,
  XDAY, // X/365
  C0,
  B,
  V,
  L,
  GAMMA,
  H0,
  ALPHA_DAY, // alpha/365
  ALPHA_STEP, // exp(alpha/365)
  KLN2, // kappa ln2
  TAU0,
  RHO,
  SWITCH,
  SWITCH_BACK,
  TAU_K,
  MU,
  EPS,
  TAU_LOSS,
  TAU_WIN,
  RAISE_BELOW,
  ROUND_SIZE,
  PF,
  PSI,
  RETRY,
  YBF, // Σ_s n_s w_s
  RBF, // Rbf(t)
  R_BF, // the but-for world's R of the day
  P_BF, // the but-for world's P of the day
  FIELDS,
}

/** Fields of a world's state row on a path. */
export const enum St {
  K,
  S,
  C,
  ALIVE,
  INSOLVENCY_DAY,
  SUCCESSES,
  ATTEMPTS,
  NEXT_ATTEMPT,
  LAST_REVENUE,
  GAP, // e of the day (GAP, GROWTH and H: kept by worlds that compute e, not by those reading it from a lead)
  GROWTH, // exp(alpha t / 365) of the last revoked day
  DEFF,
  T_END,
  CA, // affected share of but-for output weighted by dependence
  PRODUCT_MU, // mu when the product is cut off, else -1
  H, // 2^(-kappa e) of the day
  DECAY, // exp(-1/tau_r)
  LOST_REVENUE,
  LOST_REVENUE_AFTER,
  LOST_PROFIT,
  PV_LOST_PROFIT,
  FIELDS,
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
