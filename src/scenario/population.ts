/**
 * Reads a population file (POPULATION_FORMAT, spec.ts): validates it, loads every archetype's
 * scenario, and builds each archetype's scenario as the population runs it (its simulation,
 * policies, compare, countries of concern and common sections replaced by the population's). Every
 * failure is a ScenarioError; an archetype's own problems name its file and the population's key.
 *
 *   population.yaml -> walkFormat(POPULATION_FORMAT) -> archetype files (loadScenario)
 *                   -> merged scenario text per archetype (parseScenario) -> LoadedPopulation
 */
import { dirname, relative, resolve } from 'node:path';
import { parse } from 'yaml';
import { compileDistribution, type DistSpec, type Sampler } from '../distributions/distributions.js';
import { loadScenario, parseFile, parseScenario, readInputFile, type LoadedScenario } from './load.js';
import { formatKeyPath, ScenarioError, type Located, type PathSegment } from './problems.js';
import { COMMON_SECTIONS, POPULATION_FORMAT } from './spec.js';
import { checkCompare, checkPolicies, walkFormat } from './validate.js';

type Raw = Record<string, unknown>;

export interface LoadedArchetype {
  name: string;
  /** The scenario file as written in the population, and as resolved from the current directory. */
  scenarioRef: string;
  scenarioFile: string;
  /** The archetype's own scenario file: its SHA-256 and bytes. */
  scenarioSha256: string;
  scenarioBytes: Uint8Array;
  /** The firm count: its distribution (a constant for a plain number). */
  firms: DistSpec;
  /** Draws the count from two common uniforms, rounded half up. */
  count: Sampler;
  basis?: string;
  /** Firms simulated per population path. */
  perPath: number;
  /** Every firm is simulated on each path (a constant count no larger than firms_per_path): the total is an exact sum. */
  exact: boolean;
  /** The scenario as the population runs it. */
  loaded: LoadedScenario;
  /** [slot, index in the common stream] of each common input of the archetype's scenario. */
  common: [number, number][];
  /** The archetype's correlations left out because they name a common input. */
  droppedCorrelations: string[];
}

export interface LoadedPopulation {
  file: string;
  sha256: string;
  bytes: Buffer;
  name: string;
  title: string;
  currency: string;
  simulation: { paths: number; seed: number; horizon_days: number; discount_rate: number; tail_days: number; firms_per_path: number };
  countriesOfConcern: string[];
  /** Compared policies, in order. */
  compare: string[];
  archetypes: LoadedArchetype[];
  /** Key paths of the common inputs, in common-stream order (two uniforms each; then one pair per archetype's count). */
  commonKeys: string[];
  /** Uniforms per population path in the common stream. */
  commonUniforms: number;
}

/** The key path of a phase length (a common input: every firm meets the same rule for the same days). */
const PHASE_DAYS = /^policies\.[^.]+\.phases\[\d+\]\.days$/;

/** Whether an input key is common to every firm on a path, given the sections the population shares. */
export const isCommonKey = (key: string, sections: readonly string[]): boolean => PHASE_DAYS.test(key) || sections.some((s) => key.startsWith(`${s}.`));

/** Loads, validates and merges a population file; throws ScenarioError listing every problem. */
export async function loadPopulation(file: string): Promise<LoadedPopulation> {
  const bytes = await readInputFile(file, 'a readable population file (.yaml, .yml or .json)');
  const parsed = parseFile(bytes, file, 'a population mapping (name, title, simulation, archetypes, policies, ...)');
  const { built, problems, inputs } = walkFormat(POPULATION_FORMAT, parsed.data, parsed.comments);
  // A firm count is a number or a distribution (an expression would have nothing to name).
  const counts = new Map<number, DistSpec>();
  for (const d of inputs) {
    const i = Number(/^archetypes\[(\d+)\]\.firms$/.exec(d.key)?.[1]);
    if (d.value.kind === 'expr') problems.push({ path: ['archetypes', i, 'firms'], expected: 'a number of firms or a distribution of it', found: 'an expression' });
    else counts.set(i, d.value.spec);
  }
  const located: Located[] = [];
  const flush = () => {
    if (problems.length || located.length) throw new ScenarioError(file, [...problems.map(parsed.locateProblem), ...located]);
  };
  if (!built) flush();
  const raw = parsed.data as Raw;
  const pop = built!;

  // Cross-key rules: unique archetype names, the policies' own rules, compare, and what common may name.
  const archetypes = (pop.archetypes ?? []) as Raw[];
  const seen = new Map<string, number>();
  archetypes.forEach((a, i) => {
    const name = a?.name as string | undefined;
    if (!name) return;
    if (seen.has(name)) problems.push({ path: ['archetypes', i, 'name'], expected: `a name not used by another archetype (archetypes[${seen.get(name)}] has it)`, found: `"${name}"` });
    else seen.set(name, i);
  });
  const names = checkPolicies((pop.policies ?? []) as [string, Raw | undefined][], problems);
  const compare = checkCompare(pop.compare as string[] | undefined, names, problems);
  const common = (pop.common ?? {}) as Raw;
  const commonSections = COMMON_SECTIONS.filter((s) => common[s] !== undefined);
  const rawCommon = (raw.common ?? {}) as Raw;
  // An expression in a common section must name common inputs only, or firms on a path would not share it.
  for (const section of commonSections) {
    for (const [key, value] of Object.entries((rawCommon[section] ?? {}) as Raw)) {
      if (typeof value !== 'string') continue;
      const named = [...value.matchAll(/\b([a-z_]+)\.[a-z_]+/g)].map((m) => m[1]).filter((s) => !commonSections.includes(s as (typeof COMMON_SECTIONS)[number]));
      if (named.length) problems.push({ path: ['common', section, key], expected: `an expression over common inputs only (${commonSections.join(', ')}): every firm on a path shares it`, found: `one naming ${[...new Set(named)].join(', ')}` });
    }
  }
  ((common.correlations ?? []) as { between?: string[] }[]).forEach((c, i) => {
    for (const key of c?.between ?? []) {
      if (typeof key === 'string' && !isCommonKey(key, commonSections)) problems.push({ path: ['common', 'correlations', i, 'between'], expected: `common inputs (keys under ${commonSections.join(', ') || 'a section of common'})`, found: `"${key}"` });
    }
  });
  // Every archetype's scenario is still read, so that its problems are reported with the population's.
  const populationValid = problems.length === 0;

  const sim = pop.simulation as LoadedPopulation['simulation'];
  const currency = pop.currency as string;
  const commonCorrelations = (rawCommon.correlations ?? []) as { between: string[] }[];
  const here = dirname(file);
  const loaded: LoadedArchetype[] = [];
  const merged = new Map<string, LoadedScenario>();
  for (const [i, a] of archetypes.entries()) {
    const at: PathSegment[] = ['archetypes', i, 'scenario'];
    const scenarioRef = a?.scenario as string | undefined;
    if (typeof scenarioRef !== 'string') continue;
    // Named from the current directory when it is below it, else by its full path.
    const full = resolve(here, scenarioRef);
    const below = relative(process.cwd(), full);
    const scenarioFile = below && !below.startsWith('..') ? below : full;
    let own: LoadedScenario;
    try {
      own = await loadScenario(scenarioFile);
    } catch (e) {
      if (!(e instanceof ScenarioError)) throw e;
      const missing = e.problems.length === 1 && e.problems[0].path.length === 0 && e.problems[0].file === scenarioFile && !e.problems[0].line;
      problems.push({ path: at, expected: 'a valid scenario file (relative to this file)', found: missing ? `${scenarioFile}: ${e.problems[0].found}` : `${scenarioFile}, which has ${e.problems.length} problem${e.problems.length === 1 ? '' : 's'} (below)` });
      if (!missing) located.push(...e.problems);
      continue;
    }
    if (own.scenario.currency !== currency) problems.push({ path: at, expected: `a scenario in the population's currency (${currency})`, found: `${scenarioFile}, in ${own.scenario.currency}` });
    if (!populationValid) continue;

    // The archetype as the population runs it.
    const doc = parse(own.text) as Raw;
    const dropped: string[] = [];
    const correlations = [
      ...commonCorrelations,
      ...((doc.correlations ?? []) as { between: string[] }[]).filter((c) => {
        const shared = c.between.some((k) => isCommonKey(k, commonSections));
        if (shared) dropped.push(c.between.join(' ~ '));
        return !shared;
      }),
    ];
    const basis = Object.fromEntries(Object.entries((doc.basis ?? {}) as Raw).filter(([k]) => !/^(simulation|policies|compare|countries_of_concern)\b/.test(k) && !isCommonKey(k, commonSections)));
    const { firms_per_path: _perPath, ...simulation } = raw.simulation as Raw;
    const { exhibit: _exhibit, compare: _compare, correlations: _correlations, basis: _basis, ...kept } = doc;
    const mergedDoc: Raw = {
      ...kept,
      simulation,
      countries_of_concern: raw.countries_of_concern,
      policies: raw.policies,
      ...(raw.compare !== undefined ? { compare: raw.compare } : {}),
      ...Object.fromEntries(commonSections.map((s) => [s, rawCommon[s]])),
    };
    if (correlations.length) mergedDoc.correlations = correlations;
    if (Object.keys(basis).length) mergedDoc.basis = basis;
    const text = JSON.stringify(mergedDoc, null, 1);
    const mergedFile = `${scenarioFile} (archetype ${a.name as string} of ${file})`;
    let scenario = merged.get(text);
    if (!scenario) {
      try {
        scenario = await parseScenario(text, mergedFile);
      } catch (e) {
        if (!(e instanceof ScenarioError)) throw e;
        for (const p of e.problems) problems.push({ path: ['archetypes', i], expected: `${p.expected} at ${formatKeyPath(p.path)} once the population's sections replace the scenario's`, found: p.found });
        continue;
      }
      merged.set(text, scenario);
    }
    const firms = counts.get(i)!;
    // The format fills simulation.firms_per_path's default.
    const perPathWanted = (a.firms_per_path as number | undefined) ?? sim.firms_per_path;
    const constant = firms.dist === 'constant' ? Math.floor((firms as { value: number }).value + 0.5) : undefined;
    const exact = constant !== undefined && constant <= perPathWanted;
    const sampler = compileDistribution(firms);
    loaded.push({
      name: a.name as string,
      scenarioRef,
      scenarioFile,
      scenarioSha256: own.scenario.sha256,
      scenarioBytes: own.bytes ?? Buffer.from(own.text),
      firms,
      count: (u1, u2) => Math.max(1, Math.floor(sampler(u1, u2) + 0.5)),
      basis: a.basis as string | undefined,
      perPath: exact ? constant! : perPathWanted,
      exact,
      loaded: scenario,
      common: [],
      droppedCorrelations: dropped,
    });
  }
  flush();

  // The common stream: the common inputs in the first archetype's input order, then the counts.
  const commonKeys = loaded[0].loaded.scenario.inputs.filter((d) => isCommonKey(d.key, commonSections)).map((d) => d.key);
  for (const a of loaded) {
    a.common = a.loaded.scenario.inputs.filter((d) => isCommonKey(d.key, commonSections)).map((d) => [d.slot, commonKeys.indexOf(d.key)]);
    // A licence's processing time shares a slot with nothing common; phase lengths and common sections are inputs of their own.
    if (a.common.some(([, k]) => k < 0)) throw new Error(`archetype ${a.name}: a common input is missing from the first archetype`);
  }
  return {
    file,
    sha256: parsed.sha256,
    bytes,
    name: pop.name as string,
    title: pop.title as string,
    currency,
    simulation: sim,
    countriesOfConcern: pop.countries_of_concern as string[],
    compare,
    archetypes: loaded,
    commonKeys,
    commonUniforms: 2 * (commonKeys.length + loaded.length),
  };
}

