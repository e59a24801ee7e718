/**
 * A run's plan: everything about it that follows from the scenario (and a study's fixed inputs and
 * variants) alone: the horizon and tail, discount factors, the compared policies and their
 * worlds' lanes, the stored series days, which worlds alias another, and which lanes share a gap.
 * The same plan is made in every thread from the same data, so every thread simulates alike.
 */
import type { LoadedScenario } from '../scenario/load.js';
import type { UniformSource } from '../sampling/draw.js';
import { ATTRIBUTED_METRICS, metricsOf, type Metric } from '../model/metrics.js';
import { partiesOf, resolvePolicies, resolvePolicy, sameRule, subPolicy, type ResolvedPolicy } from '../model/policies.js';
import { discountFactors } from '../model/path.js';
import { layoutWorld, OPTIONS, type MitigationOption, type WorldLayout } from '../model/world.js';
import { SKETCHED } from '../wasm/layout.js';

export interface RunSettings {
  seed: number;
  paths: number;
}

/**
 * Many runs on the same paths (src/study): a run can fix inputs at constants for every world of
 * the pass (`pathOverrides`, which may change the but-for world: each pass is a run of its own on
 * the same seed), and can repeat each compared policy once per variant of world-level inputs
 * (`variants`: the revocation, licence, phase and mitigation inputs, which the but-for world never
 * reads), so that every variant's worlds share one but-for world per path. Plain data, so worker
 * threads get it as it is.
 */
export interface StudySpec {
  /** [InputRef, value] fixed for every world of the pass. */
  pathOverrides?: [number, number][];
  /** Per variant, [InputRef, value] fixed in that variant's policy worlds. */
  variants?: [number, number][][];
  /** Store the series of the last day only (a study reads the metrics, not the fan charts). */
  lastDayOnly?: boolean;
  /** Simulate the attribution sub-worlds of policies whose phases name parties (a run's report does; studies do not). */
  attribution?: boolean;
  /**
   * Decisions already made (decision: expected), by compared policy name: the option each takes,
   * as on the scenario as given, for a pass that fixes or redraws what the firm cannot know on the
   * decision day (section 4b, "In studies"). Policies not named decide in the pass.
   */
  choices?: Record<string, MitigationOption>;
  /** Studied settings of the pass (sweep or tornado points of simulation.discount_rate, horizon_days, tail_days). */
  simulation?: { discount_rate?: number; horizon_days?: number; tail_days?: number };
  /** Input uniforms from the second stream (Saltelli's B and AB_i matrices); none: the path's own. */
  uniforms?: UniformSource;
  /**
   * A known fact for the pass, in place of revocation.ongoing_after_days: access had not returned
   * this many days after t0, so the duration is drawn conditional on lasting longer (the exhibit's
   * facts at filing, study/restore.ts).
   */
  ongoingAfterDays?: number;
  /** The compared policies of the pass, in place of the scenario's compare (a study that reads only some). */
  compare?: string[];
  /**
   * The metrics a study reads of the compared policies (default: every one): the others' per-path
   * values are not held (Plan.keptMetrics), nor are the worlds' insolvency days, nor where a
   * decision arises but for the decisions made in the pass (Plan.columns): a study reads the
   * metrics and the but-for world. The cost-of-delay exhibit reads three of 19 to 23.
   */
  keep?: readonly Metric[];
}

/** A world whose mitigation is decided after the run (docs/model.md section 4b, decision: expected). */
export interface PlannedDecision {
  /** The deciding world's entry (a compared policy or an attribution sub-world). */
  entry: number;
  /** Each option, in OPTIONS order (ties go to the first), and the entry whose results it has. */
  options: { option: MitigationOption; entry: number }[];
  /** An entry that computes Q (the decision arises) on each path, or -1: it never arises. */
  arisesFrom: number;
}

/** A compared policy split among the parties its phases name (section 4c). */
export interface PlannedAttribution {
  /** The compared policy's entry. */
  entry: number;
  parties: string[];
  /** subsets[mask] (mask 1 ... 2^n - 1, bit i: parties[i]): the entry of sub-world S; the full mask is the policy itself. */
  subsets: number[];
}

/**
 * Everything about a run that follows from the scenario alone. Its worlds ("entries") are the
 * compared policies (once per variant, variant by variant), then the worlds that only serve them:
 * attribution sub-worlds, and the options of a decision that is made after the run.
 */
export interface Plan {
  /** Entries 0 ... compared-1 are the compared policies (per variant). */
  compared: number;
  decisions: PlannedDecision[];
  attributions: PlannedAttribution[];
  T: number;
  /** Tail days U. */
  U: number;
  /** df(t), t = 0 ... T+U. */
  discount: Float64Array;
  policies: ResolvedPolicy[];
  /** Per policy, its world's lanes (model/world.ts). */
  layouts: WorldLayout[];
  /** The metrics of the run, in output order (metricsOf). */
  metrics: readonly Metric[];
  withMitigation: boolean;
  /** Days whose series are stored. */
  seriesDays: Int32Array;
  /** Worlds: 0 = but-for, then the compared policies. */
  worlds: number;
  /** Sketched cells: worlds x SKETCHED x stored days. */
  cells: number;
  /** t0, the first revoked day. */
  revocationStart: number;
  /** Successful financing rounds allowed (0 without financing). */
  maxRounds: number;
  /**
   * Per entry: the world it equals on every path (0 the but-for world, j+1 entry j), -1 when it is
   * simulated, or DECIDED when it takes the results of the option its decision chooses after the
   * run. A policy that reaches nobody, or whose duration a variant fixes at 0 days, equals the
   * but-for world; two one-phase policies without licences whose worlds have the same lanes (and
   * mitigate alike) equal each other. Aliased worlds are not simulated.
   */
  aliasOf: number[];
  /**
   * Per simulated policy and lane: [policy, lane] of an earlier lane revoked on the same days on
   * every path, whose gap e and factor 2^(-kappa e) this lane reads instead of computing them, or
   * undefined. Such are the lanes that every phase reaches in worlds without a licence: the stay
   * lanes are revoked on every day of the window, which is D days from t0 on every path; the moved
   * and hired lanes of one kind too until their switch day (the same in every such world), and on
   * every day or none from then on.
   */
  laneLead: ([number, number] | undefined)[][];
  /**
   * Per entry: whether its daily series can reach a report: the compared policies', the options'
   * of their decisions (the chosen one's become the policy's), and those of the worlds these
   * alias. Attribution sub-worlds (and their options) are read for their metrics only (MODEL.md
   * section 4c: their series are not kept), so the kernel does not record theirs; their cells stay
   * empty.
   */
  seriesKept: boolean[];
  /**
   * Per entry and metric (in `metrics` order): whether the run holds the metric's per-path values
   * (RunAccumulator), or leaves its array empty. The compared policies hold every metric, or those
   * StudySpec.keep names; attribution sub-worlds hold ATTRIBUTED_METRICS, what section 4c splits;
   * a decision's options hold total_harm, which it compares, and what the world deciding holds,
   * since that world takes the chosen option's values; a world others alias holds what they do.
   */
  keptMetrics: boolean[][];
  /**
   * The per-path values the run holds of its simulated worlds, numbered as columns (the columns of a
   * block's result, and of the file a large run holds them in): each kept metric, then each world's
   * insolvency day and where its decision arises; -1 for what is not held. A run holds every
   * simulated world's insolvency day and where its decision arises; a study's pass (StudySpec.keep)
   * holds where the decisions it makes arise, and no insolvency day.
   */
  columns: PathColumns;
  /** Per world (policy entry): the variant it belongs to (0 without variants), and each variant's fixed inputs. */
  variantOf: number[];
  variants: Map<number, number>[];
  /** Inputs fixed for every world of the run. */
  pathOverrides: Map<number, number>;
  uniforms?: UniformSource;
  /** StudySpec.ongoingAfterDays. */
  ongoingAfterDays?: number;
}

/** Per entry, its columns (Plan.columns), -1 where a value is not held; and how many there are. */
export interface PathColumns {
  /** [entry][metric]. */
  metric: number[][];
  insolvencyDay: number[];
  arises: number[];
  count: number;
}

/** aliasOf of an entry whose results are those of the option its decision chooses (after the run). */
export const DECIDED = -2;
/** Whether an entry is simulated by the kernel. */
export const isSimulated = (plan: Plan, i: number): boolean => plan.aliasOf[i] === -1;

export function makePlan(loaded: LoadedScenario, study: StudySpec = {}): Plan {
  const s = { ...loaded.scenario, ...(study.simulation ? { simulation: { ...loaded.scenario.simulation, ...study.simulation } } : {}), ...(study.compare ? { compare: study.compare } : {}) };
  const sim = s.simulation;
  const T = sim.horizon_days;
  const days: number[] = [];
  if (study.lastDayOnly) days.push(T - 1);
  else for (let t = 0; t < T; t += sim.series_step_days) days.push(t);
  if (days[days.length - 1] !== T - 1) days.push(T - 1);
  const variants = (study.variants ?? [[]]).map((v) => new Map(v));
  const comparedPolicies = resolvePolicies(s);
  // The compared policies, once per variant, variant by variant.
  const policies: ResolvedPolicy[] = variants.flatMap(() => comparedPolicies);
  const variantOf = variants.flatMap((_, v) => comparedPolicies.map(() => v));
  const options: MitigationOption[] = policies.map(() => 'both');
  const compared = policies.length;
  const add = (p: ResolvedPolicy, variant: number, option: MitigationOption) => {
    policies.push(p);
    variantOf.push(variant);
    options.push(option);
    return policies.length - 1;
  };
  // Attribution (section 4c): a sub-world per proper subset of the parties a policy names.
  const attributions: PlannedAttribution[] = [];
  if (study.attribution) {
    for (let i = 0; i < compared; i++) {
      const parties = partiesOf(policies[i].policy);
      if (parties.length < 2) continue;
      const full = (1 << parties.length) - 1;
      const subsets: number[] = [];
      for (let mask = 1; mask < full; mask++) {
        const named = parties.filter((_, k) => (mask & (1 << k)) !== 0);
        subsets[mask] = add(resolvePolicy(s, subPolicy(policies[i].policy, named), `${policies[i].name}[${named.join('+')}]`), variantOf[i], 'both');
      }
      subsets[full] = i;
      attributions.push({ entry: i, parties, subsets });
    }
  }
  // Decisions (section 4b, decision: expected): every option of a mitigating world on the same
  // paths; an option equal to another (a remedy that helps nobody in any phase) is not simulated.
  const decisions: PlannedDecision[] = [];
  const decided = new Set<number>();
  if (s.mitigation?.decision === 'expected') {
    const deciding = policies.length;
    for (let i = 0; i < deciding; i++) {
      const both = layoutWorld(s, policies[i], 'both');
      if (!both.mitigates || policies[i].tracks.length === 0) continue;
      const moves = both.lanes.some((l) => l.kind === 'moved');
      const hires = both.lanes.some((l) => l.kind === 'hired');
      const effective = (o: MitigationOption): MitigationOption => {
        const r = (o === 'relocation' || o === 'both') && moves;
        const h = (o === 'hiring' || o === 'both') && hires;
        return r && h ? 'both' : r ? 'relocation' : h ? 'hiring' : 'none';
      };
      // The policy as a world that does not mitigate: a compared twin (same phases and licence, mitigate: false).
      const twin = i < compared ? policies.findIndex((q, j) => j < compared && variantOf[j] === variantOf[i] && !q.policy.mitigate && sameRule(q.policy, policies[i].policy)) : -1;
      const byEffective = new Map<MitigationOption, number>();
      const fixed = i < compared ? study.choices?.[policies[i].name] : undefined;
      if (fixed !== undefined) {
        options[i] = effective(fixed);
        continue;
      }
      const list = OPTIONS.map((option) => {
        const eff = effective(option);
        let entry = byEffective.get(eff);
        if (entry === undefined) {
          entry = eff === 'none' && twin >= 0 ? twin : add(policies[i], variantOf[i], eff);
          byEffective.set(eff, entry);
        }
        return { option, entry };
      });
      const arisesFrom = list.find((o) => o.option !== 'none' && o.entry !== twin && effective(o.option) !== 'none')?.entry ?? (byEffective.get('none') !== twin ? byEffective.get('none')! : -1);
      decisions.push({ entry: i, options: list, arisesFrom });
      decided.add(i);
    }
  }
  const layouts = policies.map((p, i) => layoutWorld(s, p, options[i]));
  const worlds = policies.length + 1;
  const signature = (i: number) => {
    const p = policies[i];
    if (decided.has(i) || p.policy.license || p.policy.phases.length > 1) return undefined;
    // A world that takes no remedy is the world that does not mitigate (it only also knows where the decision arises).
    const acting = layouts[i].mitigates && layouts[i].option !== 'none';
    return JSON.stringify([variantOf[i], layouts[i].lanes, acting, acting ? layouts[i].option : '-']);
  };
  // A world whose revocation lasts 0 days on every path (a variant or override fixes the
  // duration at 0: a sweep's or the cost-of-delay exhibit's first point) revokes nothing, so it is
  // the but-for world (MODEL.md section 4: W = 0, A empty, Deff = 0; no decision arises).
  const durationRef = s.revocation.duration_days;
  const pathOverrides = new Map(study.pathOverrides ?? []);
  const revokesNothing = (i: number) => (variants[variantOf[i]].get(durationRef) ?? pathOverrides.get(durationRef)) === 0;
  const aliasOf = policies.map((p, i) => {
    if (decided.has(i)) return DECIDED;
    if (p.tracks.length === 0 || revokesNothing(i)) return 0;
    const sig = signature(i);
    const j = sig === undefined ? -1 : policies.findIndex((_q, jj) => jj < i && signature(jj) === sig);
    return j >= 0 ? j + 1 : -1;
  });
  // Lanes revoked on the same days on every path: in worlds of one variant without a licence, a
  // lane that every phase reaches before its switch day is revoked on every day of the window (D
  // days from t0, the world's Deff since every phase reaches a member). A stay lane never
  // switches; a moved or hired lane switches on td plus its kind's delay, or never when cancelled
  // (decided from the path and the window alone, model/world.ts), to every phase or to none.
  const gapClass = (i: number, j: number): string | undefined => {
    const lane = layouts[i].lanes[j];
    const all = policies[i].allPhases;
    if (aliasOf[i] !== -1 || policies[i].policy.license || lane.maskBefore !== all) return undefined;
    if (lane.kind === 'stay') return `${variantOf[i]} stay`;
    return lane.maskAfter === 0 || lane.maskAfter === all ? `${variantOf[i]} ${lane.kind} ${lane.maskAfter === 0 ? 'none' : 'all'}` : undefined;
  };
  // The first lane of each class leads the others of that class.
  const first = new Map<string, [number, number]>();
  const laneLead = layouts.map((layout, i) =>
    layout.lanes.map((_lane, j): [number, number] | undefined => {
      const c = gapClass(i, j);
      if (c === undefined) return undefined;
      const lead = first.get(c);
      if (!lead) {
        first.set(c, [i, j]);
        return undefined;
      }
      return lead;
    }),
  );
  const seriesKept = policies.map((_p, i) => i < compared);
  for (const d of decisions) if (seriesKept[d.entry]) for (const o of d.options) seriesKept[o.entry] = true;
  // An alias points at an earlier entry, so one pass from the last entry follows chains of them.
  for (let i = policies.length - 1; i >= 0; i--) if (seriesKept[i] && aliasOf[i] > 0) seriesKept[aliasOf[i] - 1] = true;
  const metrics = metricsOf(s.mitigation !== undefined);
  const subWorlds = new Set(attributions.flatMap((a) => a.subsets.filter((entry) => entry >= compared)));
  const keptMetrics = policies.map((_p, i) => metrics.map((m) => (i < compared ? !study.keep || study.keep.includes(m) : subWorlds.has(i) && ATTRIBUTED_METRICS.includes(m))));
  const harm = metrics.indexOf('total_harm');
  for (const d of decisions) for (const o of d.options) keptMetrics[o.entry][harm] = true;
  // Options take what their deciding world holds, alias sources what their aliases hold: repeated
  // until nothing changes (an option may alias an earlier world, which may decide).
  const widen = (to: number, from: number): boolean => {
    const adds = keptMetrics[from].flatMap((kept, j) => (kept && !keptMetrics[to][j] ? [j] : []));
    for (const j of adds) keptMetrics[to][j] = true;
    return adds.length > 0;
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (const d of decisions) for (const o of d.options) changed = widen(o.entry, d.entry) || changed;
    for (let i = policies.length - 1; i >= 0; i--) if (aliasOf[i] > 0) changed = widen(aliasOf[i] - 1, i) || changed;
  }
  // The columns: a run holds every simulated world's insolvency day and where its decision arises;
  // a study's pass reads the metrics it keeps, and where the decisions it makes arise (decide.ts).
  let count = 0;
  const simulated = (i: number) => aliasOf[i] === -1;
  const arisesRead = new Set(decisions.map((d) => d.arisesFrom));
  for (let i = policies.length - 1; i >= 0; i--) if (arisesRead.has(i) && aliasOf[i] > 0) arisesRead.add(aliasOf[i] - 1);
  const columns: PathColumns = {
    metric: keptMetrics.map((kept, i) => kept.map((k) => (k && simulated(i) ? count++ : -1))),
    insolvencyDay: policies.map((_p, i) => (simulated(i) && !study.keep ? count++ : -1)),
    arises: policies.map((_p, i) => (simulated(i) && (!study.keep || arisesRead.has(i)) ? count++ : -1)),
    // (Read after the numbering above: a literal's fields are evaluated in order.)
    count,
  };
  return {
    compared,
    decisions,
    attributions,
    T,
    U: sim.tail_days,
    discount: discountFactors(s),
    policies,
    layouts,
    metrics,
    withMitigation: s.mitigation !== undefined,
    seriesDays: Int32Array.from(days),
    worlds,
    cells: worlds * SKETCHED * days.length,
    revocationStart: s.revocation.start_day,
    maxRounds: s.firm.financing?.max_rounds ?? 0,
    aliasOf,
    laneLead,
    seriesKept,
    keptMetrics,
    columns,
    variantOf,
    variants,
    pathOverrides,
    uniforms: study.uniforms,
    ...(study.ongoingAfterDays !== undefined ? { ongoingAfterDays: study.ongoingAfterDays } : {}),
  };
}
