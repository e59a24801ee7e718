/** The flags of `accessgap sensitivity` checked against the scenario: every problem, or the analysis to run. */
import { metricsOf, type Metric } from '../model/metrics.js';
import { closest } from '../scenario/problems.js';
import type { LoadedScenario } from '../scenario/load.js';
import type { InputDef } from '../scenario/types.js';
import { sobolFactors, type SobolFactor } from '../study/sobol.js';
import { describeRange, inRange, keyFacts, settingRef, STUDIED_SETTINGS, type Range } from '../scenario/spec.js';

export const METHODS = ['tornado', 'rank', 'sobol'] as const;

/**
 * The tornado's default paths (at most): its rows are paired changes on the same paths, whose
 * standard errors are small beside the spread of the metric itself, and its passes (two per
 * uncertain input, every compared world) are most of an analysis's cost. docs/model.md section 11.
 */
export const TORNADO_PATHS = 2048;

export interface SensitivityPlan {
  metric: Metric;
  policies: string[];
  methods: string[];
  quantiles: [number, number];
  /** The uncertain inputs (distributions). */
  inputs: InputDef[];
  factors: SobolFactor[];
  sobolPaths: number;
  /** Paths of the tornado's passes (and the settings' rows): the first of the run's paths. */
  tornadoPaths: number;
  /** --setting KEY=LOW,HIGH: studied settings at the expert's two choices (rows apart from the inputs'). */
  settings: { key: string; ref: number; values: [number, number] }[];
}

export function checkSensitivity(
  loaded: LoadedScenario,
  flags: { metric?: string; policy?: string[]; method?: string; tornadoQuantiles?: string; sobolPaths?: number; tornadoPaths?: number; setting?: string[] },
  paths: number,
): SensitivityPlan | { problems: string[] } {
  const s = loaded.scenario;
  const problems: string[] = [];
  const metrics = metricsOf(s.mitigation !== undefined);
  // A name, checked here to be one of the run's metrics.
  const metric = (flags.metric ?? 'total_harm') as Metric;
  if (!metrics.includes(metric)) {
    const near = closest(metric, [...metrics]);
    problems.push(`--metric ${metric}: expected one of ${metrics.join(', ')}, found an unknown metric${near ? ` (did you mean "${near}"?)` : ''}`);
  }
  const policies = flags.policy ?? s.compare;
  for (const p of policies) {
    if (!s.compare.includes(p)) {
      const near = closest(p, s.compare);
      problems.push(`--policy ${p}: expected a compared policy (${s.compare.join(', ')}), found an unknown name${near ? ` (did you mean "${near}"?)` : ''}`);
    }
  }
  const method = flags.method ?? 'all';
  const methods = method === 'all' ? [...METHODS] : [method];
  if (!(METHODS as readonly string[]).includes(method) && method !== 'all') problems.push(`--method ${method}: expected tornado, rank, sobol or all, found "${method}"`);
  let quantiles: [number, number] = [0.1, 0.9];
  if (flags.tornadoQuantiles !== undefined) {
    const q = flags.tornadoQuantiles.split(',').map(Number);
    if (q.length !== 2 || !q.every((x) => x > 0 && x < 1) || !(q[0] < q[1])) problems.push(`--tornado-quantiles ${flags.tornadoQuantiles}: expected two probabilities low,high with 0 < low < high < 1 (for example 0.05,0.95)`);
    else quantiles = [q[0], q[1]];
  }
  const settings: SensitivityPlan['settings'] = [];
  for (const spec of flags.setting ?? []) {
    const m = /^([\w.]+)=([^,]+),([^,]+)$/.exec(spec.trim());
    const key = m?.[1] ?? spec;
    if (!m || !STUDIED_SETTINGS.includes(key)) {
      problems.push(`--setting ${spec}: expected KEY=LOW,HIGH with KEY one of ${STUDIED_SETTINGS.join(', ')} (for example simulation.discount_rate=0.10,0.30)`);
      continue;
    }
    const node = keyFacts(key).field!.node as { range: Range; integer?: boolean };
    const values = [Number(m[2]), Number(m[3])] as [number, number];
    const bad = values.find((x) => !Number.isFinite(x) || !inRange(x, node.range) || (node.integer && !Number.isInteger(x)));
    if (bad !== undefined) problems.push(`--setting ${key}: expected two values ${describeRange(node.range)}${node.integer ? ', whole days' : ''}, found ${m[2]},${m[3]}`);
    else settings.push({ key, ref: settingRef(key), values });
  }
  if (settings.length && !methods.includes('tornado')) problems.push('--setting: expected --method tornado or all (settings are shown beside the tornado)');
  if (flags.tornadoPaths !== undefined && flags.tornadoPaths > paths) problems.push(`--tornado-paths ${flags.tornadoPaths}: expected at most the run's paths (${paths.toLocaleString('en-US')}): the tornado runs on the first of them`);
  const inputs = s.inputs.filter((d) => d.value.kind === 'dist' && d.value.spec.dist !== 'constant');
  if (inputs.length === 0) problems.push('expected at least one uncertain input (a distribution), found none: every input is a number or an expression');
  if (problems.length) return { problems };
  return { metric, policies, methods, quantiles, inputs, factors: methods.includes('sobol') ? sobolFactors(loaded) : [], sobolPaths: flags.sobolPaths ?? Math.min(paths, 1024), tornadoPaths: flags.tornadoPaths ?? Math.min(paths, TORNADO_PATHS), settings };
}
