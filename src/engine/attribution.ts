/**
 * A compared policy split among the parties its phases name (docs/model.md section 4c), path by
 * path: each party's Shapley value of a metric from the attribution sub-worlds the run simulated.
 * The run's report (analysis/run.ts) and populations (study/population.ts) read it alike.
 */
import type { PlannedAttribution } from './plan.js';

const factorial = (k: number): number => (k <= 1 ? 1 : k * factorial(k - 1));

/**
 * Per party (in a.parties order), its Shapley value on every path: the mean over orders of what
 * adding the party's phases adds. X(mask) is the metric's per-path values in sub-world mask
 * (mask 0: nothing revoked, zero on every path).
 */
export function shapleyPerPath(a: PlannedAttribution, X: (mask: number) => Float64Array, paths: number): Float64Array[] {
  const nP = a.parties.length;
  const full = (1 << nP) - 1;
  const bits = (mask: number) => a.parties.reduce((c, _, k) => c + ((mask >> k) & 1), 0);
  return a.parties.map((_, p) => {
    const bit = 1 << p;
    const shapley = new Float64Array(paths);
    for (let mask = 0; mask <= full; mask++) {
      if (mask & bit) continue;
      const weight = (factorial(bits(mask)) * factorial(nP - bits(mask) - 1)) / factorial(nP);
      const [withI, without] = [X(mask | bit), X(mask)];
      for (let k = 0; k < paths; k++) shapley[k] += weight * (withI[k] - without[k]);
    }
    return shapley;
  });
}
