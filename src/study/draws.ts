/**
 * Inputs a run drew, drawn again from their per-path streams for what the analysis reports of
 * them (the same values the engine used: every input has its own slot of the path's stream).
 */
import type { LoadedScenario } from '../scenario/load.js';
import { drawnValues } from '../sampling/draw.js';

/** Paths over which the achieved rank correlations are measured: the run's first, at most 20,000. */
export const correlationPaths = (paths: number): number => Math.min(paths, 20_000);

/** Per correlated pair (scenario order), both inputs' draws over the run's first correlationPaths. */
export function correlationDraws(loaded: LoadedScenario, seed: number, paths: number): [Float64Array, Float64Array][] | undefined {
  const s = loaded.scenario;
  if (!s.correlations.length) return undefined;
  const keys = [...new Set(s.correlations.flatMap((c) => c.between))];
  const draws = drawnValues(s, loaded.expressions, seed, keys.map((k) => s.inputs.find((d) => d.key === k)!.id), correlationPaths(paths));
  return s.correlations.map((c) => [draws[keys.indexOf(c.between[0])], draws[keys.indexOf(c.between[1])]]);
}

/** Every input's draw on every path of a run, by InputRef (paths.csv). */
export const allDraws = (loaded: LoadedScenario, seed: number, paths: number): Float64Array[] =>
  drawnValues(loaded.scenario, loaded.expressions, seed, loaded.scenario.inputs.map((d) => d.id), paths);
