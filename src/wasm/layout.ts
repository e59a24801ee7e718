/**
 * The memory layout shared by the WebAssembly day loop (kernel.ts here, AssemblyScript) and the
 * engine that feeds it (engine/kernel.ts): a path's inputs, a world's state, the paths of a
 * block, the sketched series. Both compilers read this one file, so the two sides cannot disagree.
 * Const enums: both inline the numbers.
 */

/** Paths per block. Fixed, so per-block partial sums reduce identically for any thread count. */
export const BLOCK_PATHS = 1024;

/**
 * The block's inputs (In), each world's state (St) and each lane's rows (Ln) are field-major: the
 * BLOCK_PATHS values of a field, path by path, then the next field's, COLUMN doubles after it. Two
 * consecutive paths' values of a field are then one 16-byte vector. COLUMN is one 64-byte line
 * more than the paths need: were it a multiple of 4 KiB, one path's fields would all fall in the
 * same set of the processor's first-level cache and evict each other.
 */
export const COLUMN = BLOCK_PATHS + 8;

/**
 * The kernel's sketch counts are 16-bit and a block adds at most BLOCK_PATHS to one: the engine
 * takes them into its 32-bit grid after at most this many blocks (63 x 1,024 < 65,536).
 */
export const FLUSH_BLOCKS = 63;

/** Series kept in sketches per world (the first five of engine/series.ts's SERIES). */
export const SKETCHED = 5;

/**
 * Fields of a path's inputs, 48 (each a column of COLUMN doubles). Rbf(t), G(t) and the but-for
 * world's revenue and profit of the day change daily; the rest are the path's inputs and
 * constants derived from them. (The order is the one they had when a path's fields were one row,
 * the daily ones first.)
 */
export const enum In {
  // Line 1: the but-for world's day and the cash update of every world.
  RBF, // Rbf(t)
  DAILY, // (1 + g)^(1/365) (growth persistence 1)
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
  G, // the fallback gap G(t) of the day (t >= t0)
  KLN2, // kappa ln2
  SWITCH,
  SWITCH_BACK,
  // Line 3: the fallback gap of the day.
  L,
  GAMMA,
  H0,
  ALPHA_STEP, // exp(alpha/365)
  ALPHA_DAY, // alpha/365
  GROWTH_ALPHA, // exp(alpha t / 365) of the day
  TAU0,
  RHO,
  // Lines 4-6: read on some days only, or only when the block starts or ends.
  PF,
  PSI,
  ROUND_SIZE,
  RETRY,
  RBF0, // R0/365
  GROWTH, // 1 + g
  C0,
  V,
  MU,
  YBF, // Σ_s n_s w_s
  PERSIST, // growth persistence p
  P_STEP, // p^(1/365)
  P_T, // p^(t/365) of the day
  G_RATE, // g
  PI, // permanent share
  BF_PV, // Σ df(t) P_bf(t), t < T
  BF_TAIL, // Σ_tail df(t) R_bf(t)
  FIELDS = 48,
}

/** Fields of a world's state on a path, 32 (each a column of COLUMN doubles). */
export const enum St {
  K,
  S,
  C,
  ALIVE,
  LAST_REVENUE,
  T_END,
  PRODUCT_MU, // mu when the product is in a lane, else -1
  PHI_PREV, // phi(t-1)
  LOST_REVENUE,
  LOST_REVENUE_AFTER,
  LOST_PROFIT,
  PV_LOST_PROFIT,
  PV_COSTS,
  PV_BEFORE,
  PV_AFTER,
  PV_MITIGATION,
  // Read on some days only.
  PHASE, // index of the phase in force
  NEXT_END, // the day it ends
  MITIGATION_DAY,
  MITIGATION_COST,
  PREMIUM_DAY,
  PREMIUM, // per day
  TAIL_REVENUE, // Σ_tail df R
  TAIL_PREMIUM, // Σ_tail df alive premium
  DEFF,
  SUCCESSES,
  ATTEMPTS,
  NEXT_ATTEMPT,
  INSOLVENCY_DAY,
  MITIGATED, // 1 when the firm acts in this world on the path
  RELOCATED, // heads moved
  DISPLACED, // heads replaced
  FIELDS = 32,
}

/**
 * Fields of a lane on a path (a group of members revoked on the same days, model/world.ts), 16
 * (each a column of COLUMN doubles: a lane's "rows" are its columns). A lane that shares another's
 * gap reads E, H, REV and DAYS_T from that lane's rows; its own weights from its own.
 */
export const enum Ln {
  E, // the gap e of the day
  H, // 2^(-kappa e)
  REV, // 1 when revoked on the day
  CA, // Σ n w d f / Ybf
  NSHARE, // Σ n f / Σ n
  COUNT, // days revoked so far
  DAYS_T, // days revoked before T
  DECAY, // exp(-1/tau_r) since the last revoked day
  STALE, // 1: DECAY must be computed anew (revoked since)
  SWITCH_DAY, // the day it switches to its maskAfter
  TARGETED, // headcount weights for access-days
  COLLATERAL,
  FIELDS = 16,
}

/** A world's entry in the kernel's world directory (i32 fields). */
export const enum Wd {
  SKIP, // 1: not simulated (aliased)
  LANES, // the lanes the day loop steps: the entries of its lane directory
  PRODUCT_LANE, // the product lane's entry in the lane directory, -1 for none
  PHASES,
  PHASE_ENDS_AT, // f64[BLOCK_PATHS * PHASES]: absolute end day of each phase per path
  LANE_DIR_AT, // i32[LANES * Lane.FIELDS]
  SERIES, // 1: its series are recorded (plan.seriesKept)
  FIELDS = 8,
}

/**
 * A lane's entry in its world's lane directory (i32 fields). The directory lists, in lane order,
 * the lanes some phase can revoke (and the product lane): a lane that none reaches keeps its
 * initial gap 0, factor 1 and no revoked day, so it adds nothing to the day's sums of lost
 * output, switching share or gap, and the day loop skips it (its rows keep their initial values).
 */
export const enum Lane {
  MASK_BEFORE,
  MASK_AFTER,
  GAP_AT, // address of the rows E, H, REV and DAYS_T are read from (its own, or a lead lane's)
  OWN, // 1: this lane computes its own gap
  ROW_AT, // address of its own rows (CA, NSHARE and, when OWN, the gap's)
  FIELDS = 5,
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
