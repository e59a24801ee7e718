/**
 * Drawing one path's inputs. Path i of a run with seed s reads the seedrandom stream
 * `accessgap:s:i` (tychei), two uniforms per slot in slot order; each input inverts its own slot,
 * so a path's draws depend only on (seed, path index) and never on batching or threads.
 * The financing attempts read a second stream, `accessgap:s:i:financing`, shared by every world.
 */
import seedrandom from 'seedrandom';
import type { Compiled } from '../scenario/expressions.js';
import { describeRange, inRange } from '../scenario/spec.js';
import type { InputDef, Scenario } from '../scenario/types.js';
import { compileAtLeast, compileDistribution, type Sampler } from '../distributions/distributions.js';
import { normalCdf, normalQuantile } from '../distributions/special.js';
import { directionNumbers, sobolPoints } from './sobol.js';

export const pathStreamName = (seed: number, path: number) => `accessgap:${seed}:${path}`;
export const financingStreamName = (seed: number, path: number) => `accessgap:${seed}:${path}:financing`;
/** A second, independent stream of input uniforms per path: the B matrix of Saltelli's scheme. */
export const secondStreamName = (seed: number, path: number) => `accessgap:${seed}:${path}:b`;
/** Latin hypercube: the stream that shuffles the strata of block b. */
export const lhsStreamName = (seed: number, block: number) => `accessgap:${seed}:lhs:${block}`;
/** Paths per Latin hypercube block (the engine's block size). */
export const LHS_BLOCK = 1024;
/** Quasi-Monte Carlo: the stream that scrambles the Sobol points of block b. */
export const qmcStreamName = (seed: number, block: number) => `accessgap:${seed}:qmc:${block}`;
/** Paths per quasi-Monte Carlo replicate: each block of 1,024 paths is the first 1,024 points of an independently scrambled Sobol sequence. */
export const QMC_BLOCK = 1024;
/** Paths per block whose means are independent replicates (standard errors from blocks), or 0 for independent paths. */
export const replicateBlock = (sampling: Scenario['simulation']['sampling']): number => (sampling === 'lhs' ? LHS_BLOCK : sampling === 'qmc' ? QMC_BLOCK : 0);

/**
 * Where a path's input uniforms come from: its own stream (the default; Saltelli's matrix A), the
 * second stream for every slot (matrix B), or its own stream with some slots from the second
 * (matrix AB_i). The licence approval uniform and the financing streams always come from the
 * path's own streams: they are not inputs.
 */
export interface UniformSource {
  fromSecond?: 'all' | number[];
  /** A population's firms (study/population.ts): each engine path is one firm on a population path. */
  firms?: FirmStreams;
}

/**
 * A population's archetype run: engine path i is firm j = i mod perPath on population path
 * p = floor(i / perPath). The firm's own uniforms (and financing stream) are those of path
 * p * stride + offset + j of the seed, so that every firm of every archetype has streams of its
 * own; the common inputs' uniforms (`common`: [slot, index] pairs) come from the population path's
 * common stream, two per index, so every firm of every archetype on path p shares them. With one
 * firm per path, stride 1, offset 0 and nothing common, the archetype draws exactly its own run.
 */
export interface FirmStreams {
  perPath: number;
  stride: number;
  offset: number;
  /** [slot, index in the common stream] of each common input. */
  common: [number, number][];
  /** Uniforms the common stream holds per path (two per common input of the population, then one pair per archetype count). */
  commonUniforms: number;
}

/** The stream of a population path's common uniforms. */
export const commonStreamName = (seed: number, path: number) => `accessgap:${seed}:${path}:common`;

/** The first n uniforms of population path p's common stream. */
export function commonUniforms(seed: number, path: number, n: number, into = new Float64Array(n)): Float64Array {
  const rng = seedrandom.tychei(commonStreamName(seed, path));
  for (let i = 0; i < n; i++) into[i] = rng.double();
  return into;
}

/** The engine path's own stream index: the path itself, or a population firm's own index. */
const ownIndex = (firms: FirmStreams | undefined, path: number): number => {
  if (!firms) return path;
  const p = Math.floor(path / firms.perPath);
  return p * firms.stride + firms.offset + (path - p * firms.perPath);
};

/** A failure on one path (a derived input out of range, a non-finite value): a run error. */
export class PathError extends Error {
  constructor(
    readonly path: number,
    readonly seed: number,
    readonly detail: string,
    /** The path's own inputs: drawn and derived values, the failing one as found, later ones "not computed". */
    readonly inputs: Record<string, number | string>,
  ) {
    super(`path ${path} (seed ${seed}): ${detail}`);
    this.name = 'PathError';
  }
}

/** Rounds half up and floors at 0, for day counts. */
export const roundDays = (x: number): number => Math.max(0, Math.floor(x + 0.5));

export interface InputDrawer {
  /** Fills values (by InputRef) for a path; returns the licence-approval uniform (NaN if none). */
  draw(path: number, values: Float64Array): number;
  /** The financing stream of a path: u(k) is the k-th uniform, the same for every world. */
  financing(path: number): (k: number) => number;
}

/**
 * An input's inverse-CDF sampler. The revocation's duration, with a known fact
 * (`revocation.ongoing_after_days: N`), is drawn conditional on lasting more than N days
 * (rounded: D >= N + 0.5), by inversion of the conditional distribution (docs/model.md section 3).
 */
function samplerOf(scenario: Scenario, d: InputDef): Sampler {
  if (d.value.kind !== 'dist') throw new Error(`${d.key} is not a distribution`);
  const N = scenario.revocation.ongoing_after_days;
  if (N === undefined || d.id !== scenario.revocation.duration_days) return compileDistribution(d.value.spec);
  const { sampler } = compileAtLeast(d.value.spec, N + 0.5);
  if (!sampler) throw new Error(`${d.key} cannot last more than revocation.ongoing_after_days (validation should have said so)`);
  return sampler;
}

/**
 * `overrides` fixes inputs at constants (a sweep's point, a tornado's low or high value): each
 * still consumes its slot, so every other input's draw is unchanged on every path, and derived
 * inputs that read it see the constant. `only`: drawn inputs (distributions) whose values are
 * all that is wanted; the others, and the derived inputs, are left unset. Each input's draw
 * depends only on its path's uniforms (every slot is still drawn, and the copula still mixes
 * them), so those it sets are the values a full draw gives.
 */
export function makeInputDrawer(scenario: Scenario, expressions: Map<number, Compiled>, seed: number, overrides: ReadonlyMap<number, number> = new Map(), source?: UniformSource, only?: readonly number[]): InputDrawer {
  const { inputs, slots, licenseApprovalSlot, expressionOrder } = scenario;
  const firms = source?.firms;
  const common = firms ? new Float64Array(firms.commonUniforms) : undefined;
  let commonPath = -1;
  const second = source?.fromSecond ? new Float64Array(2 * slots) : undefined;
  const secondSlots = source?.fromSecond ? (source.fromSecond === 'all' ? Array.from({ length: slots }, (_, i) => i).filter((i) => i !== licenseApprovalSlot) : source.fromSecond) : [];
  const u = new Float64Array(2 * slots);
  const drawn = inputs.filter((d) => d.value.kind === 'dist' && !overrides.has(d.id) && (!only || only.includes(d.id)));
  const samplers: (Sampler | undefined)[] = inputs.map((d) => (drawn.includes(d) ? samplerOf(scenario, d) : undefined));
  const fixed = [...overrides].map(([id, x]) => [id, inputs[id].integer ? roundDays(x) : x] as const);
  const derived = only ? [] : expressionOrder.filter((id) => !overrides.has(id)).map((id) => inputs[id]);

  // Correlated inputs (a Gaussian copula): their main uniforms to normal scores, mixed by the
  // Cholesky factor, and back; every marginal distribution is unchanged.
  const copula = scenario.copula;
  const z = new Float64Array(copula?.slots.length ?? 0);
  const correlate = (uu: Float64Array) => {
    const { slots: cs, cholesky: l } = copula!;
    const n = cs.length;
    for (let i = 0; i < n; i++) z[i] = normalQuantile(Math.min(1 - 1e-16, Math.max(1e-16, uu[2 * cs[i]])));
    for (let i = n - 1; i >= 0; i--) {
      let x = 0;
      for (let j = 0; j <= i; j++) x += l[i * n + j] * z[j];
      uu[2 * cs[i]] = normalCdf(x);
    }
  };

  /** This path's inputs when `failing` failed with value x: derived inputs after it were not computed. */
  const snapshot = (values: Float64Array, failing: number, x: unknown) => {
    const pending = new Set(expressionOrder.slice(expressionOrder.indexOf(failing) + 1));
    return Object.fromEntries(
      inputs.map((d) => [d.key, d.id === failing ? (typeof x === 'number' && Number.isFinite(x) ? x : String(x)) : pending.has(d.id) ? 'not computed' : values[d.id]]),
    );
  };

  // Latin hypercube: in each block of LHS_BLOCK consecutive paths, every uniform dimension takes
  // each of LHS_BLOCK strata once, in an order shuffled per block and dimension; the path's own
  // uniform places it within its stratum. Draws depend on (seed, path) only.
  const lhs = scenario.simulation.sampling === 'lhs';
  const strata = lhs ? Array.from({ length: u.length }, () => new Int32Array(LHS_BLOCK)) : [];
  let strataBlock = -1;
  const shuffleBlock = (block: number) => {
    const rng = seedrandom.tychei(lhsStreamName(seed, block));
    for (const perm of strata) {
      for (let i = 0; i < LHS_BLOCK; i++) perm[i] = i;
      for (let i = LHS_BLOCK - 1; i > 0; i--) {
        const j = Math.floor(rng.double() * (i + 1));
        [perm[i], perm[j]] = [perm[j], perm[i]];
      }
    }
    strataBlock = block;
  };

  // Quasi-Monte Carlo: in each block of QMC_BLOCK consecutive paths, path j takes point j of a
  // Sobol sequence over every uniform, scrambled for the block (linear matrix scramble and digital
  // shift from the block's own stream): blocks are independent replicates. Draws depend on (seed,
  // path) only.
  const qmc = scenario.simulation.sampling === 'qmc';
  const directions = qmc ? directionNumbers(u.length) : [];
  let points: Uint32Array[] = [];
  let pointsBlock = -1;
  const scrambleBlock = (block: number) => {
    const rng = seedrandom.tychei(qmcStreamName(seed, block));
    points = sobolPoints(directions, QMC_BLOCK, () => rng.int32() >>> 0);
    pointsBlock = block;
  };

  return {
    draw(path, values) {
      const rng = seedrandom.tychei(pathStreamName(seed, ownIndex(firms, path)));
      for (let i = 0; i < u.length; i++) u[i] = rng.double();
      if (firms) {
        const p = Math.floor(path / firms.perPath);
        if (p !== commonPath) commonUniforms(seed, (commonPath = p), firms.commonUniforms, common);
        for (const [slot, k] of firms.common) {
          u[2 * slot] = common![2 * k];
          u[2 * slot + 1] = common![2 * k + 1];
        }
      }
      if (qmc) {
        const block = Math.floor(path / QMC_BLOCK);
        if (block !== pointsBlock) scrambleBlock(block);
        // The point's 32 bits, and the midpoint of the cell they leave open (never 0 or 1).
        const j = path - block * QMC_BLOCK;
        for (let i = 0; i < u.length; i++) u[i] = (points[i][j] + 0.5) / 2 ** 32;
      }
      if (lhs) {
        const block = Math.floor(path / LHS_BLOCK);
        if (block !== strataBlock) shuffleBlock(block);
        const j = path - block * LHS_BLOCK;
        for (let i = 0; i < u.length; i++) u[i] = (strata[i][j] + u[i]) / LHS_BLOCK;
      }
      if (second) {
        const b = seedrandom.tychei(secondStreamName(seed, path));
        for (let i = 0; i < second.length; i++) second[i] = b.double();
        for (const slot of secondSlots) {
          u[2 * slot] = second[2 * slot];
          u[2 * slot + 1] = second[2 * slot + 1];
        }
      }
      if (copula) correlate(u);
      for (const d of drawn) {
        const x = samplers[d.id]!(u[2 * d.slot], u[2 * d.slot + 1]);
        values[d.id] = d.integer ? roundDays(x) : x;
      }
      for (const [id, x] of fixed) values[id] = x;
      for (const d of derived) {
        const x = expressions.get(d.id)!(values);
        const source = JSON.stringify((d.value as { expr: { source: string } }).expr.source);
        if (typeof x !== 'number' || !Number.isFinite(x)) {
          throw new PathError(path, seed, `the derived input ${d.key} = ${source} is ${x} (expected a finite number)`, snapshot(values, d.id, x));
        }
        const v = d.integer ? roundDays(x) : x;
        if (!inRange(v, d.range)) {
          throw new PathError(path, seed, `the derived input ${d.key} = ${source} is ${v} (expected a number ${describeRange(d.range)})`, snapshot(values, d.id, v));
        }
        values[d.id] = v;
      }
      return licenseApprovalSlot >= 0 ? u[2 * licenseApprovalSlot] : NaN;
    },
    financing(path) {
      const cache: number[] = [];
      let rng: seedrandom.PRNG | undefined;
      return (k) => {
        while (cache.length <= k) {
          rng ??= seedrandom.tychei(financingStreamName(seed, ownIndex(firms, path)));
          cache.push(rng.double());
        }
        return cache[k];
      };
    },
  };
}

/**
 * The values of inputs `ids` on paths 0 ... paths-1 of a run with `seed` (per input, in path
 * order): the draws a run makes, for reading an input's distribution as the run sees it (a
 * sweep's median, the tornado's percentiles, achieved correlations).
 */
export function drawnValues(scenario: Scenario, expressions: Map<number, Compiled>, seed: number, ids: readonly number[], paths: number): Float64Array[] {
  // Distributions alone are drawn alone; a derived input needs every input before it.
  const alone = ids.every((id) => scenario.inputs[id].value.kind === 'dist');
  const drawer = makeInputDrawer(scenario, expressions, seed, undefined, undefined, alone ? ids : undefined);
  const values = new Float64Array(scenario.inputs.length);
  const out = ids.map(() => new Float64Array(paths));
  for (let k = 0; k < paths; k++) {
    drawer.draw(k, values);
    for (let i = 0; i < ids.length; i++) out[i][k] = values[ids[i]];
  }
  return out;
}
