/**
 * Distributions of MODEL.md section 3. Each is checked (checkDistribution), has a support
 * (supportOf) and is drawn by inversion from exactly two uniforms (compileDistribution), so every
 * input occupies a fixed slot of its path's random stream: changing one input's distribution never
 * moves another input's draws, and sensitivity runs stay paired path by path.
 */
import { betaCdf, betaQuantiles, normalCdf, normalQuantile } from './special.js';
import type { Problem } from '../problem.js';

/** z such that Phi(z) = 0.9, as MODEL.md fixes it. */
export const Z90 = 1.2815515655;
/** z such that Phi(z) = 0.95. */
export const Z95 = 1.6448536269514722;

export type DistSpec =
  | { dist: 'constant'; value: number }
  | { dist: 'uniform'; min: number; max: number }
  | { dist: 'triangular'; min: number; mode: number; max: number }
  | { dist: 'pert'; min: number; mode: number; max: number; lambda: number }
  | { dist: 'normal'; mean: number; sd: number; min?: number; max?: number }
  | { dist: 'lognormal'; mu: number; sigma: number }
  | { dist: 'beta'; alpha: number; beta: number; min: number; max: number }
  | { dist: 'bernoulli'; p: number }
  | { dist: 'discrete'; values: number[]; weights: number[] }
  | { dist: 'empirical'; values: number[] }
  | { dist: 'mixture'; components: { weight: number; spec: DistSpec }[] };

export type DistKind = DistSpec['dist'];

type ParamType = 'number' | 'numbers' | 'components';
interface KindInfo {
  params: Record<string, { type: ParamType; required: boolean; doc: string }>;
  doc: string;
}

const P = (doc: string, required = true, type: ParamType = 'number') => ({ type, required, doc });

/** Parameters of every kind, as scenario files write them. */
export const DIST_KINDS: Record<DistKind, KindInfo> = {
  constant: { doc: 'always `value` (a plain number means the same)', params: { value: P('the value') } },
  uniform: { doc: 'uniform on [min, max]', params: { min: P('lower bound'), max: P('upper bound') } },
  triangular: { doc: 'triangular on [min, max] with peak at mode', params: { min: P('lower bound'), mode: P('peak'), max: P('upper bound') } },
  pert: {
    doc: 'Beta-PERT: min + (max-min) Beta(1 + lambda (mode-min)/(max-min), 1 + lambda (max-mode)/(max-min))',
    params: { min: P('lower bound'), mode: P('most likely value'), max: P('upper bound'), lambda: P('shape, default 4', false) },
  },
  normal: {
    doc: 'normal, truncated to [min, max] when either is given',
    params: { mean: P('mean before truncation'), sd: P('standard deviation before truncation'), min: P('lower truncation', false), max: P('upper truncation', false) },
  },
  lognormal: {
    doc: 'ln X ~ N(mu, sigma); give median and p90, or p05 and p95, or mu and sigma',
    params: {
      median: P('median = e^mu', false),
      p90: P('90th percentile', false),
      p05: P('5th percentile', false),
      p95: P('95th percentile', false),
      mu: P('mean of ln X', false),
      sigma: P('sd of ln X', false),
    },
  },
  beta: {
    doc: 'Beta(alpha, beta) scaled to [min, max]',
    params: { alpha: P('shape alpha > 0'), beta: P('shape beta > 0'), min: P('lower bound, default 0', false), max: P('upper bound, default 1', false) },
  },
  bernoulli: { doc: '1 with probability p, else 0', params: { p: P('probability of 1') } },
  discrete: { doc: 'one of values, with probabilities proportional to weights (equal when left out)', params: { values: P('the values', true, 'numbers'), weights: P('positive weights', false, 'numbers') } },
  empirical: { doc: 'each of values equally likely', params: { values: P('the values', true, 'numbers') } },
  mixture: { doc: 'pick a component by weight, then draw from it', params: { components: P('list of {weight, dist, ...}', true, 'components') } },
};

export const isDistKind = (k: unknown): k is DistKind => typeof k === 'string' && Object.hasOwn(DIST_KINDS, k);

type Raw = Record<string, unknown>;
const fmt = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : Array.isArray(v) ? `a list` : v === null ? 'null' : typeof v === 'object' ? 'a mapping' : String(v));

/**
 * Checks a distribution mapping's parameters (known names, numbers, possible values) and
 * returns the normalized spec, or undefined with problems pushed. Paths are relative to the mapping.
 */
export function checkDistribution(raw: Raw, problems: Problem[], path: (string | number)[]): DistSpec | undefined {
  const kind = raw.dist;
  if (!isDistKind(kind)) {
    problems.push({ path: [...path, 'dist'], expected: `one of ${Object.keys(DIST_KINDS).join(', ')}`, found: fmt(kind), suggest: Object.keys(DIST_KINDS) });
    return undefined;
  }
  const info = DIST_KINDS[kind];
  const before = problems.length;
  const allowed = [...Object.keys(info.params), 'dist', ...(path.length && path[path.length - 2] === 'components' ? ['weight'] : [])];
  for (const key of Object.keys(raw)) {
    if (!allowed.includes(key)) problems.push({ path: [...path, key], expected: `a parameter of ${kind}: ${Object.keys(info.params).join(', ')}`, found: `unknown key "${key}"`, atKey: true, suggest: allowed });
  }
  const get = (name: string): number | undefined => {
    const v = raw[name];
    if (v === undefined) {
      if (info.params[name].required) problems.push({ path: [...path, name], expected: `a number (${info.params[name].doc})`, found: 'nothing: the key is missing', missing: true });
      return undefined;
    }
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      problems.push({ path: [...path, name], expected: 'a finite number', found: fmt(v) });
      return undefined;
    }
    return v;
  };
  const getList = (name: string): number[] | undefined => {
    const v = raw[name];
    if (v === undefined) {
      if (info.params[name].required) problems.push({ path: [...path, name], expected: 'a list of numbers', found: 'nothing: the key is missing', missing: true });
      return undefined;
    }
    if (!Array.isArray(v) || v.length === 0) {
      problems.push({ path: [...path, name], expected: 'a non-empty list of numbers', found: fmt(v) });
      return undefined;
    }
    let ok = true;
    v.forEach((x, i) => {
      if (typeof x !== 'number' || !Number.isFinite(x)) {
        problems.push({ path: [...path, name, i], expected: 'a finite number', found: fmt(x) });
        ok = false;
      }
    });
    return ok ? (v as number[]) : undefined;
  };
  const bad = (name: string, expected: string, found: unknown) => problems.push({ path: [...path, name], expected, found: fmt(found) });
  const bounds = (min: number | undefined, max: number | undefined) => {
    if (min !== undefined && max !== undefined && !(min < max)) bad('max', `a number above min (${min})`, max);
  };

  let spec: DistSpec | undefined;
  switch (kind) {
    case 'constant': {
      const value = get('value');
      if (value !== undefined) spec = { dist: kind, value };
      break;
    }
    case 'uniform': {
      const [min, max] = [get('min'), get('max')];
      // MODEL.md section 3: min = max is the constant min.
      if (min !== undefined && min === max) {
        spec = { dist: 'constant', value: min };
        break;
      }
      bounds(min, max);
      spec = { dist: kind, min: min!, max: max! };
      break;
    }
    case 'triangular':
    case 'pert': {
      const [min, mode, max] = [get('min'), get('mode'), get('max')];
      if (min !== undefined && min === max && (mode === undefined || mode === min)) {
        if (mode === undefined) get('mode');
        else spec = { dist: 'constant', value: min };
        break;
      }
      bounds(min, max);
      if (min !== undefined && max !== undefined && mode !== undefined && (mode < min || mode > max)) bad('mode', `a number in [min, max] = [${min}, ${max}]`, mode);
      if (kind === 'triangular') spec = { dist: kind, min: min!, mode: mode!, max: max! };
      else {
        const lambda = raw.lambda === undefined ? 4 : get('lambda');
        if (lambda !== undefined && !(lambda > 0)) bad('lambda', 'a number > 0', lambda);
        spec = { dist: kind, min: min!, mode: mode!, max: max!, lambda: lambda! };
      }
      break;
    }
    case 'normal': {
      const [mean, sd] = [get('mean'), get('sd')];
      const min = raw.min === undefined ? undefined : get('min');
      const max = raw.max === undefined ? undefined : get('max');
      if (sd !== undefined && !(sd >= 0)) bad('sd', 'a number >= 0', sd);
      bounds(min, max);
      if (mean !== undefined && sd !== undefined && sd >= 0) {
        const lo = min ?? -Infinity;
        const hi = max ?? Infinity;
        if (sd === 0 && (mean < lo || mean > hi)) bad('mean', `a mean inside [min, max] when sd is 0`, mean);
        // A truncation interval so far in a tail that it holds no probability cannot be drawn from.
        if (sd > 0 && lo < hi && normalMass(mean, sd, lo, hi) < 1e-12) bad(max !== undefined && mean > hi ? 'max' : 'min', 'a truncation interval with probability > 1e-12 under the normal', min !== undefined && mean < lo ? min : max);
      }
      spec = { dist: kind, mean: mean!, sd: sd!, ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}) };
      break;
    }
    case 'lognormal': {
      const has = (k: string) => raw[k] !== undefined;
      const groups = [['median', 'p90'], ['p05', 'p95'], ['mu', 'sigma']];
      const given = groups.filter((g) => g.some(has));
      if (given.length !== 1 || !given[0].every(has)) {
        problems.push({ path, expected: 'exactly one pair of lognormal parameters: median and p90, or p05 and p95, or mu and sigma', found: `${Object.keys(raw).filter((k) => k !== 'dist' && k !== 'weight').join(', ') || 'no parameters'}` });
        break;
      }
      const [a, b] = given[0];
      const [x, y] = [get(a), get(b)];
      if (x === undefined || y === undefined) break;
      if (a === 'mu') {
        if (!(y >= 0)) bad('sigma', 'a number >= 0', y);
        spec = { dist: kind, mu: x, sigma: y };
      } else if (!(x > 0)) bad(a, 'a number > 0', x);
      else if (!(y > x)) bad(b, `a number above ${a} (${x})`, y);
      else if (a === 'median') spec = { dist: kind, mu: Math.log(x), sigma: (Math.log(y) - Math.log(x)) / Z90 };
      else spec = { dist: kind, mu: 0.5 * (Math.log(x) + Math.log(y)), sigma: (Math.log(y) - Math.log(x)) / (2 * Z95) };
      break;
    }
    case 'beta': {
      const [alpha, beta] = [get('alpha'), get('beta')];
      const min = raw.min === undefined ? 0 : get('min');
      const max = raw.max === undefined ? 1 : get('max');
      if (alpha !== undefined && !(alpha > 0)) bad('alpha', 'a number > 0', alpha);
      if (beta !== undefined && !(beta > 0)) bad('beta', 'a number > 0', beta);
      bounds(min, max);
      spec = { dist: kind, alpha: alpha!, beta: beta!, min: min!, max: max! };
      break;
    }
    case 'bernoulli': {
      const p = get('p');
      if (p !== undefined && !(p >= 0 && p <= 1)) bad('p', 'a probability in [0, 1]', p);
      spec = { dist: kind, p: p! };
      break;
    }
    case 'discrete': {
      const values = getList('values');
      const weights = raw.weights === undefined ? values?.map(() => 1) : getList('weights');
      if (values && weights) {
        if (weights.length !== values.length) bad('weights', `a list of ${values.length} weights, one per value`, `${weights.length} weights`);
        weights.forEach((w, i) => {
          if (!(w > 0)) problems.push({ path: [...path, 'weights', i], expected: 'a positive weight', found: fmt(w) });
        });
      }
      spec = { dist: kind, values: values!, weights: weights! };
      break;
    }
    case 'empirical': {
      const values = getList('values');
      spec = { dist: kind, values: values! };
      break;
    }
    case 'mixture': {
      const comps = raw.components;
      if (!Array.isArray(comps) || comps.length === 0) {
        problems.push({ path: [...path, 'components'], expected: 'a non-empty list of components {weight, dist, ...}', found: comps === undefined ? 'nothing: the key is missing' : fmt(comps), missing: comps === undefined });
        break;
      }
      const components: { weight: number; spec: DistSpec }[] = [];
      comps.forEach((c, i) => {
        const cp = [...path, 'components', i];
        if (typeof c !== 'object' || c === null || Array.isArray(c)) {
          problems.push({ path: cp, expected: 'a component mapping {weight, dist, ...}', found: fmt(c) });
          return;
        }
        const w = (c as Raw).weight;
        if (w === undefined) problems.push({ path: [...cp, 'weight'], expected: 'a positive weight', found: 'nothing: the key is missing', missing: true });
        else if (typeof w !== 'number' || !(w > 0) || !Number.isFinite(w)) problems.push({ path: [...cp, 'weight'], expected: 'a positive weight', found: fmt(w) });
        const inner = checkDistribution(c as Raw, problems, cp);
        if (inner && typeof w === 'number') components.push({ weight: w, spec: inner });
      });
      spec = { dist: kind, components };
      break;
    }
  }
  return problems.length === before ? spec : undefined;
}

function normalMass(mean: number, sd: number, lo: number, hi: number): number {
  // Mass of [lo, hi], computed in the tail where it is small so that it does not round to 0.
  const a = (lo - mean) / sd;
  const b = (hi - mean) / sd;
  return a > 0 ? normalCdf(-a) - normalCdf(-b) : normalCdf(b) - normalCdf(a);
}

/** The interval a distribution's draws can take, with whether each end can be reached. */
export interface Support {
  lo: number;
  hi: number;
  loOpen: boolean;
  hiOpen: boolean;
}

export function supportOf(s: DistSpec): Support {
  const closed = (lo: number, hi: number): Support => ({ lo, hi, loOpen: false, hiOpen: false });
  switch (s.dist) {
    case 'constant':
      return closed(s.value, s.value);
    case 'uniform':
    case 'triangular':
    case 'pert':
    case 'beta':
      return closed(s.min, s.max);
    case 'normal':
      if (s.sd === 0) return closed(s.mean, s.mean);
      return { lo: s.min ?? -Infinity, hi: s.max ?? Infinity, loOpen: s.min === undefined, hiOpen: s.max === undefined };
    case 'lognormal':
      return s.sigma === 0 ? closed(Math.exp(s.mu), Math.exp(s.mu)) : { lo: 0, hi: Infinity, loOpen: true, hiOpen: true };
    case 'bernoulli':
      return closed(s.p === 1 ? 1 : 0, s.p === 0 ? 0 : 1);
    case 'discrete':
    case 'empirical':
      return closed(Math.min(...s.values), Math.max(...s.values));
    case 'mixture': {
      const parts = s.components.map((c) => supportOf(c.spec));
      const lo = Math.min(...parts.map((p) => p.lo));
      const hi = Math.max(...parts.map((p) => p.hi));
      return { lo, hi, loOpen: parts.every((p) => p.lo > lo || p.loOpen), hiOpen: parts.every((p) => p.hi < hi || p.hiOpen) };
    }
  }
}

/** Draws one value from two uniforms u1, u2 in [0, 1). */
export type Sampler = (u1: number, u2: number) => number;

/** Keeps a uniform strictly inside (0, 1) so quantile functions stay finite. */
const open01 = (u: number): number => (u <= 0 ? 2 ** -54 : u >= 1 ? 1 - 2 ** -53 : u);

/** Builds the inverse-CDF sampler of a checked distribution (parameters are baked in once). */
export function compileDistribution(s: DistSpec): Sampler {
  switch (s.dist) {
    case 'constant': {
      const v = s.value;
      return () => v;
    }
    case 'uniform': {
      const { min, max } = s;
      return (u) => min + (max - min) * u;
    }
    case 'triangular': {
      const { min, mode, max } = s;
      const f = (mode - min) / (max - min);
      return (u) => (u < f ? min + Math.sqrt(u * (max - min) * (mode - min)) : max - Math.sqrt((1 - u) * (max - min) * (max - mode)));
    }
    case 'pert': {
      const { min, mode, max, lambda } = s;
      const a = 1 + (lambda * (mode - min)) / (max - min);
      const b = 1 + (lambda * (max - mode)) / (max - min);
      const quantile = betaQuantiles(a, b);
      return (u) => min + (max - min) * quantile(u);
    }
    case 'beta': {
      const { alpha, beta, min, max } = s;
      const quantile = betaQuantiles(alpha, beta);
      return (u) => min + (max - min) * quantile(u);
    }
    case 'normal': {
      const { mean, sd } = s;
      if (sd === 0) return () => mean;
      if (s.min === undefined && s.max === undefined) return (u) => mean + sd * normalQuantile(open01(u));
      // Truncated: invert inside [Phi(a), Phi(b)], mirrored so the arithmetic stays in the lower tail.
      const a = s.min === undefined ? -Infinity : (s.min - mean) / sd;
      const b = s.max === undefined ? Infinity : (s.max - mean) / sd;
      const lo = s.min ?? -Infinity;
      const hi = s.max ?? Infinity;
      const clamp = (x: number) => Math.min(hi, Math.max(lo, x));
      if (a > 0) {
        const [pa, pb] = [normalCdf(-b), normalCdf(-a)];
        return (u) => clamp(mean - sd * normalQuantile(open01(pb - u * (pb - pa))));
      }
      const [pa, pb] = [normalCdf(a), normalCdf(b)];
      return (u) => clamp(mean + sd * normalQuantile(open01(pa + u * (pb - pa))));
    }
    case 'lognormal': {
      const { mu, sigma } = s;
      return (u) => Math.exp(mu + sigma * normalQuantile(open01(u)));
    }
    case 'bernoulli': {
      const { p } = s;
      return (u) => (u < p ? 1 : 0);
    }
    case 'empirical':
      return pickByWeight(s.values, s.values.map(() => 1));
    case 'discrete':
      return pickByWeight(s.values, s.weights);
    case 'mixture': {
      // u2 picks the component; the component draws from u1 and u2 rescaled within its share,
      // which is again uniform and independent of u1 (nested mixtures keep working).
      const total = s.components.reduce((t, c) => t + c.weight, 0);
      const upper: number[] = [];
      let acc = 0;
      for (const c of s.components) upper.push((acc += c.weight / total));
      upper[upper.length - 1] = 1;
      const parts = s.components.map((c) => compileDistribution(c.spec));
      return (u1, u2) => {
        let i = 0;
        while (i < upper.length - 1 && u2 >= upper[i]) i++;
        const lo = i === 0 ? 0 : upper[i - 1];
        return parts[i](u1, (u2 - lo) / (upper[i] - lo));
      };
    }
  }
}

function pickByWeight(values: number[], weights: number[]): Sampler {
  const total = weights.reduce((a, b) => a + b, 0);
  const upper: number[] = [];
  let acc = 0;
  for (const w of weights) upper.push((acc += w / total));
  upper[upper.length - 1] = 1;
  return (u) => {
    let i = 0;
    while (i < upper.length - 1 && u >= upper[i]) i++;
    return values[i];
  };
}

/** P(X < x): the distribution's CDF from the left at x. */
export function cdfBelow(s: DistSpec, x: number): number {
  const clamp01 = (v: number) => Math.min(1, Math.max(0, v));
  switch (s.dist) {
    case 'constant':
      return s.value < x ? 1 : 0;
    case 'uniform':
      return s.max === s.min ? (s.min < x ? 1 : 0) : clamp01((x - s.min) / (s.max - s.min));
    case 'triangular': {
      const { min, mode, max } = s;
      if (max === min) return min < x ? 1 : 0;
      if (x <= min) return 0;
      if (x >= max) return 1;
      return x <= mode ? ((x - min) * (x - min)) / ((max - min) * (mode - min)) : 1 - ((max - x) * (max - x)) / ((max - min) * (max - mode));
    }
    case 'pert': {
      const { min, mode, max, lambda } = s;
      if (max === min) return min < x ? 1 : 0;
      const a = 1 + (lambda * (mode - min)) / (max - min);
      const b = 1 + (lambda * (max - mode)) / (max - min);
      return x <= min ? 0 : x >= max ? 1 : betaCdf((x - min) / (max - min), a, b);
    }
    case 'beta':
      return x <= s.min ? 0 : x >= s.max ? 1 : betaCdf((x - s.min) / (s.max - s.min), s.alpha, s.beta);
    case 'normal': {
      const { mean, sd } = s;
      if (sd === 0) return mean < x ? 1 : 0;
      const lo = s.min ?? -Infinity;
      const hi = s.max ?? Infinity;
      if (x <= lo) return 0;
      if (x > hi) return 1;
      const [pa, pb] = [normalCdf((lo - mean) / sd), normalCdf((hi - mean) / sd)];
      return clamp01((normalCdf((x - mean) / sd) - pa) / (pb - pa));
    }
    case 'lognormal':
      return x <= 0 ? 0 : normalCdf((Math.log(x) - s.mu) / s.sigma);
    case 'bernoulli':
      return x <= 0 ? 0 : x <= 1 ? 1 - s.p : 1;
    case 'empirical':
      return s.values.filter((v) => v < x).length / s.values.length;
    case 'discrete': {
      const total = s.weights.reduce((a, b) => a + b, 0);
      return s.values.reduce((acc, v, i) => acc + (v < x ? s.weights[i] : 0), 0) / total;
    }
    case 'mixture': {
      const total = s.components.reduce((t, c) => t + c.weight, 0);
      return s.components.reduce((acc, c) => acc + (c.weight / total) * cdfBelow(c.spec, x), 0);
    }
  }
}

/**
 * The distribution conditional on X >= x (docs/model.md section 3, "Known facts"), by inversion:
 * a continuous distribution's uniform u draws F^-1(c + u (1 - c)) with c = F(x-), so a path keeps
 * its place in the distribution; discrete values below x are dropped and the rest reweighted; a
 * mixture's components are reweighted by their mass at or above x and each conditioned the same
 * way. `mass` is P(X >= x); the sampler is undefined when it is 0.
 */
export function compileAtLeast(s: DistSpec, x: number): { mass: number; sampler?: Sampler } {
  const mass = 1 - cdfBelow(s, x);
  if (!(mass > 0)) return { mass: 0 };
  switch (s.dist) {
    case 'constant':
      return { mass, sampler: compileDistribution(s) };
    case 'bernoulli':
      return { mass, sampler: x <= 0 ? compileDistribution(s) : () => 1 };
    case 'empirical':
    case 'discrete': {
      const weights = s.dist === 'empirical' ? s.values.map(() => 1) : s.weights;
      const keep = s.values.flatMap((v, i) => (v >= x ? [i] : []));
      return { mass, sampler: pickByWeight(keep.map((i) => s.values[i]), keep.map((i) => weights[i])) };
    }
    case 'mixture': {
      const parts = s.components.map((c) => ({ weight: c.weight, ...compileAtLeast(c.spec, x) })).filter((c) => c.mass > 0);
      const total = parts.reduce((t, c) => t + c.weight * c.mass, 0);
      const upper: number[] = [];
      let acc = 0;
      for (const c of parts) upper.push((acc += (c.weight * c.mass) / total));
      upper[upper.length - 1] = 1;
      return {
        mass,
        sampler: (u1, u2) => {
          let i = 0;
          while (i < upper.length - 1 && u2 >= upper[i]) i++;
          const lo = i === 0 ? 0 : upper[i - 1];
          return parts[i].sampler!(u1, (u2 - lo) / (upper[i] - lo));
        },
      };
    }
    default: {
      const c = 1 - mass;
      const base = compileDistribution(s);
      return { mass, sampler: (u1, u2) => base(c + u1 * (1 - c), u2) };
    }
  }
}
