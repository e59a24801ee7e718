/**
 * Scenarios as other threads take them: a scenario the main thread has read and validated
 * (load.ts's parseScenario) is handed to a worker thread as it is, with its text and its
 * expressions' parsed trees; the worker compiles the expressions, and reads no YAML (nor loads the
 * YAML library). And the scenarios a thread has taken lately, so that its next run takes none again.
 */
import { checkExpressions, type Compiled, type ExpressionTree } from './expressions.js';
import type { PathSegment, Problem } from './problems.js';
import type { InputDef, Scenario } from './types.js';

/** A scenario as the engine runs it: read and validated (load.ts's parseScenario), or taken by another thread as validated (loadValidated). */
export interface LoadedScenario {
  scenario: Scenario;
  /** Derived-input functions by InputRef. */
  expressions: Map<number, Compiled>;
  /** The file's text: what a queue job carries, and what a worker thread keeps the scenario by. */
  text: string;
  /** Each expression's parsed tree by source text (worker threads compile these, see parseScenario). */
  expressionTrees: Record<string, ExpressionTree>;
  /** The file's bytes as read (the report folder keeps a copy that hashes to scenario.sha256). */
  bytes?: Uint8Array;
  /** Where a key path (`policies.blanket.restrict`, `staff[1].headcount`) stands in the file, if it is there. */
  locate?: (key: string) => { line: number; column: number } | undefined;
}

/** The key path of an input, as segments (`staff[1].ai_dependence` -> ['staff', 1, 'ai_dependence']). */
export function keyPathOf(def: InputDef): PathSegment[] {
  const out: PathSegment[] = [];
  for (const m of def.key.matchAll(/([^.[\]"]+)|\[(\d+)\]|"((?:[^"\\]|\\.)*)"/g)) {
    if (m[2] !== undefined) out.push(Number(m[2]));
    else out.push(m[3] !== undefined ? JSON.parse(`"${m[3]}"`) : m[1]);
  }
  return out;
}

/**
 * A scenario that parseScenario gave in another thread (a structured clone of its `scenario`, which
 * is plain data), with the text it was read from: its expressions compiled from `trees`, as
 * parseScenario compiles them.
 */
export async function loadValidated(scenario: Scenario, text: string, expressionTrees: Record<string, ExpressionTree>): Promise<LoadedScenario> {
  const problems: Problem[] = [];
  const expressions = await checkExpressions(scenario, problems, keyPathOf, expressionTrees);
  if (problems.length) throw new Error(`a validated scenario's expressions failed to compile: ${problems.map((p) => `${p.path.join('.')}: ${p.found}`).join('; ')}`);
  return { scenario, expressions, text, expressionTrees };
}

/**
 * The scenarios loaded lately, the last `kept` by key: a queue worker's shards, and a kept thread's
 * passes, load their scenario once.
 */
export class RecentScenarios {
  private readonly loaded = new Map<string, LoadedScenario>();

  constructor(private readonly kept: number) {}

  /** The scenario kept under `key`, or the one `load` gives, kept. */
  async get(key: string, load: () => Promise<LoadedScenario>): Promise<LoadedScenario> {
    let loaded = this.loaded.get(key);
    if (loaded === undefined) {
      loaded = await load();
      if (this.loaded.size >= this.kept) this.loaded.delete(this.loaded.keys().next().value!);
      this.loaded.set(key, loaded);
    }
    return loaded;
  }
}
