/**
 * The scenario format, stated once. Validation (validate.ts), the JSON Schema for editors
 * (schema/scenario.schema.json) and the format reference (docs/scenario-format.md) are all
 * generated from FORMAT below, so they cannot drift apart. MODEL.md section 2 is the contract.
 */

/** A closed or open interval a number must fall in. */
export interface Range {
  min?: number;
  max?: number;
  minExclusive?: boolean;
  maxExclusive?: boolean;
}

export type Node =
  | { kind: 'object'; fields: Record<string, Field> }
  | { kind: 'map'; keyPattern: RegExp; keyDoc: string; value: Node; minEntries?: number }
  | { kind: 'list'; item: Node; minItems?: number; maxItems?: number }
  | { kind: 'number'; range: Range; integer?: boolean }
  | { kind: 'string'; pattern?: RegExp; patternDoc?: string; maxLength?: number }
  | { kind: 'boolean' }
  | { kind: 'country' }
  /** A calendar date, YYYY-MM-DD (kept as that text). */
  | { kind: 'date' }
  /** A *(dist)* input: a number, a distribution mapping, or a derived-input expression. */
  | { kind: 'dist'; range: Range; integer?: boolean };

export interface Field {
  node: Node;
  required?: boolean;
  doc: string;
  /** The value the engine uses when the key is left out. */
  default?: unknown;
  /**
   * Facts about the key, stated here and derived everywhere else (keyFacts); a fact on an object
   * or list holds for every key below it.
   */
  facts?: KeyFacts;
}

export interface KeyFacts {
  /** The but-for world never reads it: a study that fixes it shares each path's but-for world. */
  worldLevel?: true;
  /** A setting whose basis the assumptions table shows (its comment, or the basis map). */
  noted?: true;
  /**
   * The firm cannot know it on the mitigation decision day (how long the outage lasts): a study
   * that fixes or redraws it keeps the decision made on the scenario as given (section 4b).
   */
  unknownOnDecisionDay?: true;
  /** A setting a study may vary (sweep --vary, sensitivity --setting): one pass per value on the same paths. */
  studied?: true;
  /** An amount of money in the scenario's currency: charts and tables write it as money ($300k). */
  money?: true;
  /** A value above `above` is probably a percentage where a rate is meant (a warning, with `hint`). */
  percentLike?: { above: number; hint: string };
  /**
   * Group of its uniform slots: inputs draw from slots group by group (0 the core sections), so a
   * scenario of an earlier version draws its inputs from the same uniforms as before.
   */
  slotGroup?: number;
}

/** Names (scenarios, policies, parties): lower-case letters, digits and hyphens. */
export const SLUG = /^[a-z0-9-]+$/;

/** Hard caps: the most paths and days any run may have (the CLI's --paths obeys it too). */
export const MAX_PATHS = 10_000_000;
export const MAX_HORIZON_DAYS = 36_525;
/** Longest scenario name: it names a folder, so it must stay well inside file-name limits. */
export const MAX_NAME_LENGTH = 64;
/** Dimensions the Sobol direction numbers cover (data/sobol/): qmc sampling draws two per uniform slot. */
export const SOBOL_MAX_DIMENSIONS = 21_201;
/** Most phases a policy may have (the kernel keeps which phases reach a member in a 32-bit mask). */
export const MAX_PHASES = 16;

export const num = (range: Range = {}, integer = false): Node => ({ kind: 'number', range, integer });
export const dist = (range: Range = {}, integer = false): Node => ({ kind: 'dist', range, integer });
export const obj = (fields: Record<string, Field>): Node => ({ kind: 'object', fields });
const req = (node: Node, doc: string, facts?: KeyFacts): Field => ({ node, required: true, doc, ...(facts ? { facts } : {}) });
const opt = (node: Node, doc: string, def?: unknown, facts?: KeyFacts): Field => ({ node, doc, default: def, ...(facts ? { facts } : {}) });

const share: Range = { min: 0, max: 1 };
const nonNegative: Range = { min: 0 };
const positive: Range = { min: 0, minExclusive: true };
const atLeastOne: Range = { min: 1 };
const countries = (doc: string): Field => opt({ kind: 'list', item: { kind: 'country' } }, doc);

const RESTRICT = obj({
  nationality_in: countries('Staff whose effective nationality is one of these codes.'),
  nationality_not_in: countries('Staff whose effective nationality is none of these codes.'),
  location_in: countries('Staff who work from one of these countries.'),
  location_not_in: countries('Staff who work from none of these countries.'),
  everyone: opt({ kind: 'boolean' }, 'true: every segment and the product (a provider-wide shutoff); false is the same as leaving it out.', false),
  product: opt({ kind: 'boolean' }, "true: the model running inside the firm's product is cut off too.", false),
});

/** A party whose decision a phase is (section 4c's attribution). */
const PARTY: Node = { kind: 'string', pattern: SLUG, patternDoc: 'lower-case letters, digits and hyphens (provider, government, ...)' };
/** At most this many distinct parties in one policy (2^n sub-worlds each). */
export const MAX_PARTIES = 4;

const PHASE = obj({
  restrict: req(RESTRICT, 'Which staff (and whether the product) lose access during this phase.'),
  by: opt(PARTY, 'The party whose decision this phase is (provider, government, ...). Every phase of a policy has by, or none has; a policy whose phases name two to four parties is split among them (docs/model.md section 4c).'),
  days: opt(dist(nonNegative, true), 'Length of the phase in days (every phase but the last; the last lasts until access returns). Rounded half up, floored at 0.', undefined, { worldLevel: true, unknownOnDecisionDay: true }),
});

const LICENSE = obj({
  approval_probability: req(num(share), 'Chance that the licence is approved (one draw per path, shared by every policy).', { unknownOnDecisionDay: true }),
  processing_days: req(dist({}, true), 'Processing time P in days; when approved the revocation lasts min(D, P). Rounded half up, floored at 0.', { unknownOnDecisionDay: true }),
});

const FINANCING = obj({
  raise_below: req(dist(), 'Attempt a round when cash falls below this.', { money: true }),
  round_size: req(dist(nonNegative), 'Cash a successful round adds.', { money: true }),
  success_probability: req(dist(share), 'p_f: chance a round succeeds at full relative quality.'),
  quality_sensitivity: req(dist(nonNegative), 'psi: the chance of success scales with q^psi.'),
  retry_days: req(dist(atLeastOne, true), 'Wait after any attempt, in days; rounded half up.'),
  max_rounds: req(num(nonNegative, true), 'Successful rounds allowed within the horizon.'),
});

const MITIGATION_FIELDS = obj({
  decide_after_days: req(dist(nonNegative, true), 'The firm decides on day td = t0 + this whether to relocate or replace staff who are still cut off. Rounded half up.'),
  decision: opt(
    { kind: 'string', pattern: /^(expected|always)$/, patternDoc: 'expected or always' },
    'expected: the firm takes the remedy (none, relocation, hiring or both) with the highest expected firm value given that the decision arises, each simulated on the same paths; always: every remedy that helps someone still cut off (v2).',
    'expected',
  ),
  relocation: opt(
    obj({
      share: req(dist(share), 'Share of each affected segment that moving to work from the US helps, that moves.'),
      delay_days: req(dist(nonNegative, true), 'Days from the decision until they work from the US. Rounded half up.'),
      cost_per_head: opt(dist(nonNegative), 'One-off cost per person moved, paid on the decision day.', 0, { money: true }),
    }),
    'Affected staff move to work from the US.',
  ),
  hiring: opt(
    obj({
      share: req(dist(share), 'Share of each affected segment that hiring helps, replaced by US persons (at most 1 minus the share moved).'),
      delay_days: req(dist(nonNegative, true), 'Days from the decision until the new hires work. Rounded half up.'),
      cost_per_head: opt(dist(nonNegative), 'One-off cost per person replaced (recruiting, severance), paid on the decision day.', 0, { money: true }),
      premium_annual: opt(dist(nonNegative), 'Extra cost per replaced person and year, from the day the new hires start (also through the tail).', 0, { money: true }),
    }),
    'Affected staff are replaced by US persons.',
  ),
});

export const FORMAT: Node = obj({
  $schema: opt({ kind: 'string' }, 'Optional JSON Schema reference for editors; ignored by the engine.'),
  name: req({ kind: 'string', pattern: SLUG, patternDoc: 'lower-case letters, digits and hyphens', maxLength: MAX_NAME_LENGTH }, `Names the report folder reports/<name>/ (at most ${MAX_NAME_LENGTH} characters).`),
  title: req({ kind: 'string' }, 'One-line title shown in reports.'),
  currency: opt({ kind: 'string', pattern: /^[A-Z]{3}$/, patternDoc: 'a three-letter ISO 4217 code' }, 'Currency of every money input.', 'USD'),
  simulation: req(
    obj({
      paths: req(num({ min: 1, max: MAX_PATHS }, true), 'Monte Carlo paths (at most 10,000,000).', { noted: true }),
      seed: req(num({ min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }, true), 'Seed of every random stream.'),
      horizon_days: req(num({ min: 1, max: MAX_HORIZON_DAYS }, true), 'T: days simulated, t = 0 ... T-1 (at most 36,525: 100 years).', { noted: true, studied: true }),
      discount_rate: req(num({ min: -1, minExclusive: true }), 'r: annual discount rate for present values.', { noted: true, percentLike: { above: 1, hint: 'an annual rate: 0.08 for 8%' }, studied: true }),
      series_step_days: opt(num(atLeastOne, true), 'Store the daily series every this many days.', 1),
      sampling: opt({ kind: 'string', pattern: /^(mc|lhs|qmc)$/, patternDoc: 'mc (independent draws), lhs (Latin hypercube, stratified in blocks of 1,024 paths) or qmc (scrambled Sobol points, a sequence per block of 1,024 paths)' }, 'How each path\'s input uniforms are drawn: mc, independent; lhs, Latin hypercube per block of 1,024 paths; qmc, quasi-Monte Carlo: the first 1,024 points of a Sobol sequence per block, scrambled independently for each block (lhs and qmc: standard errors from the blocks as replicates).', 'mc'),
      precision: opt(num({ min: 0, minExclusive: true, max: 1 }), 'Stop at a stated precision (as --precision): run whole blocks of paths until the 95% half-width of every compared policy\'s mean total harm is at most this share of the mean; paths is then the most to run.'),
      tail_days: opt(num({ min: 0, max: MAX_HORIZON_DAYS }, true), 'U: days after the horizon over which the worlds run on to value the revenue gap that closes (no costs, financing or insolvency in them).', 1095, { noted: true, studied: true }),
    }),
    'Run settings.',
  ),
  firm: req(
    obj({
      revenue_annual: req(dist(nonNegative), 'R0: but-for revenue run rate at day 0, per year.', { money: true }),
      revenue_growth: req(dist(), 'g: but-for annual revenue growth at day 0 (floored at -0.99 in the model).', { percentLike: { above: 3, hint: 'an annual rate: 0.30 for 30%' } }),
      growth_persistence: opt(dist({ min: 0, minExclusive: true, max: 1 }), "p: each year's growth rate is p times the last one's (1: constant growth).", 1, { slotGroup: 4 }),
      gross_margin: req(dist(share), 'm: gross margin.'),
      operating_costs_annual: req(dist(nonNegative), 'X: fixed costs per year.', { money: true }),
      cash: req(dist(), 'C0: cash at day 0.', { money: true }),
      credit_line: req(dist(nonNegative), 'B: the firm is insolvent when cash < -B.', { money: true }),
      revenue_multiple: req(dist(nonNegative), "V: firm value at the horizon = V x annualised revenue; capitalizes the permanent part of a revenue gap and a firm's value lost to insolvency."),
      financing: opt(FINANCING, 'The firm raises money when cash runs low. Leave out for no financing.', undefined, { slotGroup: 1 }),
    }),
    'The firm.',
  ),
  staff: req(
    {
      kind: 'list',
      minItems: 1,
      item: obj({
        name: req({ kind: 'string', pattern: /^\S(.*\S)?$/, patternDoc: 'a non-empty name without surrounding spaces' }, 'Unique segment name.'),
        headcount: req(num(positive), 'n_s: people in the segment.'),
        nationality: req({ kind: 'country' }, 'ISO 3166-1 alpha-2 nationality.'),
        location: req({ kind: 'country' }, 'ISO 3166-1 alpha-2 country the segment works from.'),
        us_person: opt({ kind: 'boolean' }, 'US citizen or permanent resident: effective nationality US.', false),
        ai_dependence: req(dist(share), 'd_s: share of output that depends on the frontier model.'),
        weight: opt(dist(positive), 'w_s: output per head.', 1),
      }),
    },
    'Staff segments (one or more).',
    { slotGroup: 2 },
  ),
  frontier: req(
    obj({
      doubling_months: req(dist(positive), 'H0: months for frontier capability to double.'),
      acceleration: req(dist(nonNegative), 'alpha: per-year acceleration of the gap in doublings.'),
    }),
    'The AI-capability frontier.',
  ),
  fallback: req(
    obj({
      lag_months: req(dist(nonNegative), 'L: how far the best permitted fallback model trails the frontier, in months.'),
      lag_growth: opt(dist(share), 'gamma: months of extra lag per month of revocation.', 0),
    }),
    'The fallback model used while access is revoked.',
  ),
  productivity: req(
    obj({ capability_elasticity: req(dist(nonNegative), 'kappa: output of AI-dependent work scales with 2^(-kappa x gap).') }),
    'How capability turns into output.',
  ),
  adaptation: req(
    obj({
      base_days: req(dist(atLeastOne), 'tau0: time constant of the gap closing after restoration, days.'),
      per_revoked_day: req(dist(nonNegative), 'rho: extra days of that time constant per revoked day.'),
      switch_cost: opt(dist(nonNegative), 'One-off cost of moving to the fallback, on the first revoked day.', 0, { money: true }),
      switch_back_cost: opt(dist(nonNegative), 'One-off cost of moving back, on the day access returns.', 0, { money: true }),
    }),
    'Adapting to and recovering from the fallback.',
  ),
  product: req(
    obj({
      obsolescence_days: req(dist(atLeastOne), 'tauK: time constant of product quality following output.'),
      model_dependence: opt(dist(share), 'mu: share of product quality delivered by the model inside the product.', 0),
    }),
    "The firm's product.",
  ),
  market: req(
    obj({
      quality_elasticity: req(dist(nonNegative), 'eps: target market share = q^eps.'),
      loss_days: req(dist(atLeastOne), 'tau_loss: time constant of losing share.'),
      winback_days: req(dist(atLeastOne), 'tau_win: time constant of winning share back.'),
      permanent_share: opt(dist(share), 'pi: share of the revenue gap at the horizon that never closes (capitalized at V); the rest closes as the model runs on in the tail.', 0, { slotGroup: 4 }),
    }),
    'Customers.',
  ),
  revocation: req(
    obj({
      start_day: req(num(nonNegative, true), 't0: first revoked day.', { noted: true }),
      duration_days: req(dist({}, true), 'D: revoked days; rounded half up, floored at 0.', { worldLevel: true, unknownOnDecisionDay: true }),
      ongoing_after_days: opt(num(nonNegative, true), 'N: a known fact, access had not returned N days after t0; the duration is drawn conditional on lasting more than N days (docs/model.md section 3, "Known facts").', undefined, { noted: true }),
    }),
    'The access revocation.',
  ),
  mitigation: opt(MITIGATION_FIELDS, 'What a firm whose staff are cut off does about it (docs/model.md section 4b): at least one of relocation and hiring. Leave out for no mitigation.', undefined, { worldLevel: true, slotGroup: 6 }),
  countries_of_concern: req({ kind: 'list', item: { kind: 'country' } }, 'Nationalities the controls are meant for; staff with these effective nationalities count as targeted.', { noted: true }),
  policies: req(
    {
      kind: 'map',
      keyPattern: SLUG,
      keyDoc: 'policy name: lower-case letters, digits and hyphens, not "butfor"',
      minEntries: 1,
      value: obj({
        description: opt({ kind: 'string' }, 'What the rule is, in words.'),
        restrict: opt(RESTRICT, 'Which staff (and whether the product) lose access. No restrict and no phases: nobody.'),
        by: opt(PARTY, 'With restrict: the party whose decision the rule is (as by on a phase).'),
        status: opt(
          { kind: 'string', pattern: /^(reported|hypothetical|proposed)$/, patternDoc: 'reported, hypothetical or proposed' },
          'What the policy is (an extension; it changes no number): reported (what happened), hypothetical (a world that did not happen) or proposed (a rule under discussion). Reports keep hypothetical policies out of the headline figures and draw them apart.',
        ),
        phases: opt({ kind: 'list', item: PHASE, minItems: 1, maxItems: MAX_PHASES }, `Instead of restrict: rules that follow each other from the first revoked day (at most ${MAX_PHASES}); every phase but the last has days.`, undefined, { slotGroup: 5 }),
        license: opt(LICENSE, 'A licence that, when approved, ends the revocation (every phase) after its processing time.', undefined, { worldLevel: true }),
        mitigate: opt({ kind: 'boolean' }, 'false: the firm does not mitigate in this world, even when the scenario has a mitigation block.', true),
      }),
    },
    'Policies: name -> rule.',
    { slotGroup: 3 },
  ),
  compare: opt({ kind: 'list', item: { kind: 'string' } }, 'Policies to run, in order. Default: all, in file order.'),
  correlations: opt(
    {
      kind: 'list',
      item: obj({
        between: req({ kind: 'list', item: { kind: 'string' }, minItems: 2, maxItems: 2 }, 'The two uncertain inputs, by key path (as validation messages write them).'),
        rank: req(num({ min: -1, max: 1, minExclusive: true, maxExclusive: true }), 'Spearman rank correlation between their draws, in (-1, 1).'),
      }),
    },
    'Inputs that move together: a Gaussian copula on their uniforms keeps every marginal distribution exactly.',
  ),
  exhibit: opt(
    obj({
      case: opt({ kind: 'string' }, 'The case caption, e.g. "Example Co. v. United States Department of Commerce".'),
      court: opt({ kind: 'string' }, 'The court, e.g. "United States District Court for the District of Columbia".'),
      case_number: opt({ kind: 'string' }, 'The docket number.'),
      party: opt({ kind: 'string' }, 'On whose behalf the exhibit is offered, e.g. "Plaintiff".'),
      prepared_by: opt({ kind: 'string' }, 'Who prepared it (the expert).'),
      date: opt({ kind: 'date' }, 'The date of the exhibit.'),
      revocation_date: opt({ kind: 'date' }, 'The calendar date of revocation.start_day: with it, every day axis and table of the pack is in dates.'),
      as_of: opt({ kind: 'date' }, 'The facts at filing: access had not returned by this date (needs revocation_date). The injunction table conditions the duration on it, as revocation.ongoing_after_days does.'),
      hearing_date: opt({ kind: 'date' }, 'The hearing: the injunction table compares access restored on this date with a ruling a year later (needs revocation_date).'),
      restore_dates: opt({ kind: 'list', item: { kind: 'date' }, minItems: 1 }, 'Dates to restore access on in the injunction table (needs revocation_date). Default: the hearing date and 1, 3, 6 and 12 months after it.'),
      events: opt(
        { kind: 'list', item: obj({ date: req({ kind: 'date' }, 'When.'), label: req({ kind: 'string', pattern: /^\S(.*\S)?$/, patternDoc: 'a non-empty label without surrounding spaces' }, 'What happened, in a few words.') }) },
        'Dates marked on the time charts (needs revocation_date), e.g. {date: 2026-06-23, label: complaint filed}.',
      ),
    }),
    'Caption fields of the exhibit pack (accessgap exhibits): the cover, every page header and the calendar. Changes no number of the run.',
  ),
  basis: opt(
    { kind: 'map', keyPattern: /^[A-Za-z_][\w.[\]"-]*$/, keyDoc: 'key path of an input or setting, as in validation messages (firm.cash, staff[0].ai_dependence, simulation.discount_rate)', value: { kind: 'string' } },
    "Basis and status of inputs, by key path: the same as a comment beside the key (the way to give one in JSON). Shown in the report's assumptions table.",
  ),
});

/** The fields of FORMAT with their key paths (`*` for a map's keys and a list's items), depth first in format order. */
export function formatFields(node: Node = FORMAT, prefix = ''): { key: string; field: Field }[] {
  const below = (n: Node, at: string): { key: string; field: Field }[] =>
    n.kind === 'object' ? formatFields(n, at) : n.kind === 'map' ? below(n.value, `${at}.*`) : n.kind === 'list' ? below(n.item, `${at}[*]`) : [];
  if (node.kind !== 'object') return [];
  return Object.entries(node.fields).flatMap(([name, field]) => {
    const key = prefix ? `${prefix}.${name}` : name;
    return [{ key, field }, ...below(field.node, key)];
  });
}

/**
 * The facts of a key path as validation messages write it (`policies.licence.license.processing_days`,
 * `staff[1].ai_dependence`): its own and every enclosing field's, the nearest winning; and its
 * field (undefined for a path the format does not have).
 */
export function keyFacts(key: string): { field?: Field; facts: KeyFacts } {
  const parts = key.match(/[^.[\]]+|\[\d+\]/g) ?? [];
  let node: Node = FORMAT;
  let field: Field | undefined;
  let facts: KeyFacts = {};
  for (const part of parts) {
    if (node.kind === 'object' && !part.startsWith('[')) field = node.fields[part];
    else if (node.kind === 'map' && !part.startsWith('[')) field = { node: node.value, doc: '' };
    else if (node.kind === 'list' && part.startsWith('[')) field = { node: node.item, doc: '' };
    else return { facts };
    if (!field) return { facts };
    facts = { ...facts, ...field.facts };
    node = field.node;
  }
  return { field, facts };
}

/** Settings (not drawn inputs) whose basis the assumptions table shows too, in format order. */
export const NOTED_SETTINGS: readonly string[] = formatFields()
  .filter(({ field }) => field.facts?.noted)
  .map(({ key }) => key);

/** The settings a study may vary (studied), in format order; a study refers to one by settingRef. */
export const STUDIED_SETTINGS: readonly string[] = formatFields()
  .filter(({ field }) => field.facts?.studied)
  .map(({ key }) => key);
/** A studied setting's reference in a study's variant (negative, apart from every InputRef). */
export const settingRef = (key: string): number => -1 - STUDIED_SETTINGS.indexOf(key);
/** The key of a settingRef. */
export const settingOf = (ref: number): string => STUDIED_SETTINGS[-1 - ref];
/** The simulation field a settingRef names (every studied setting is a simulation setting). */
export const settingField = (ref: number) => settingOf(ref).split('.')[1] as 'discount_rate' | 'horizon_days' | 'tail_days';

/** An input (drawn per path) rather than a setting: a *(dist)* field. */
export const isInputKey = (key: string): boolean => keyFacts(key).field?.node.kind === 'dist';

/** The sections whose *(dist)* inputs derived-input expressions may name as `section.key`. */
export const EXPRESSION_SECTIONS = ['firm', 'frontier', 'fallback', 'productivity', 'adaptation', 'product', 'market', 'revocation'] as const;

export function describeRange(r: Range): string {
  const lo = r.min === undefined ? undefined : `${r.minExclusive ? '>' : '>='} ${r.min}`;
  const hi = r.max === undefined ? undefined : `${r.maxExclusive ? '<' : '<='} ${r.max}`;
  if (lo && hi && !r.minExclusive && !r.maxExclusive) return `in [${r.min}, ${r.max}]`;
  return [lo, hi].filter(Boolean).join(' and ') || 'any number';
}

export function inRange(x: number, r: Range): boolean {
  if (r.min !== undefined && (r.minExclusive ? !(x > r.min) : !(x >= r.min))) return false;
  if (r.max !== undefined && (r.maxExclusive ? !(x < r.max) : !(x <= r.max))) return false;
  return true;
}

/** A field of the scenario format, by name (the population format reuses them as they are). */
const scenarioField = (name: string): Field => (FORMAT as Extract<Node, { kind: 'object' }>).fields[name];
/** The sections a population's `common` block may hold: inputs every firm on a path shares. */
export const COMMON_SECTIONS = ['frontier', 'fallback', 'revocation'] as const;
/** Firms of each archetype simulated on one population path unless the archetype says otherwise. */
export const DEFAULT_FIRMS_PER_PATH = 8;

/**
 * The population format (accessgap population): archetypes of firms, each a scenario file and a
 * count, run under one set of policies with the inputs every firm shares drawn once per path
 * (docs/model.md section 15). Validated, documented (docs/population-format.md) and given a JSON
 * Schema (schema/population.schema.json) from this one statement, as scenarios are.
 */
export const POPULATION_FORMAT: Node = obj({
  $schema: scenarioField('$schema'),
  name: req({ kind: 'string', pattern: SLUG, patternDoc: 'lower-case letters, digits and hyphens', maxLength: MAX_NAME_LENGTH }, `Names the report folder reports/<name>/ (at most ${MAX_NAME_LENGTH} characters).`),
  title: req({ kind: 'string' }, 'One-line title shown in reports.'),
  currency: opt({ kind: 'string', pattern: /^[A-Z]{3}$/, patternDoc: 'a three-letter ISO 4217 code' }, "Currency of every money figure; every archetype's scenario must use it.", 'USD'),
  simulation: req(
    obj({
      paths: req(num({ min: 1, max: MAX_PATHS }, true), 'Population paths: draws of the common inputs (and of the firm counts), each with its own firms.'),
      seed: req(num({ min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }, true), 'Seed of every random stream.'),
      horizon_days: req(num({ min: 1, max: MAX_HORIZON_DAYS }, true), 'T: days simulated (for every archetype).'),
      discount_rate: req(num({ min: -1, minExclusive: true }), 'r: annual discount rate for present values.'),
      tail_days: opt(num({ min: 0, max: MAX_HORIZON_DAYS }, true), 'U: days the worlds run on after the horizon (as in a scenario).', 1095),
      firms_per_path: opt(
        num({ min: 2, max: 4096 }, true),
        'Firms of each archetype simulated on each population path (their mean times the count is the archetype\'s total; an archetype with fewer firms than this simulates every one). At least 2: the spread between them measures the sampling noise that the population\'s percentiles remove (docs/model.md section 15).',
        DEFAULT_FIRMS_PER_PATH,
      ),
    }),
    'Run settings; every archetype runs with these (its own simulation block is ignored).',
  ),
  common: opt(
    obj({
      frontier: opt(scenarioField('frontier').node, 'The frontier every firm faces (replaces each archetype\'s).'),
      fallback: opt(scenarioField('fallback').node, 'The fallback models every firm can use (replaces each archetype\'s).'),
      revocation: opt(scenarioField('revocation').node, 'The revocation every firm suffers (replaces each archetype\'s).'),
      correlations: opt(scenarioField('correlations').node, 'Correlations between common inputs (an archetype\'s correlations that name a common input are replaced by these).'),
    }),
    'Inputs shared by every firm on a path, drawn once per population path: a fast frontier or a long outage hits every firm at once. Sections left out stay each archetype\'s own, drawn per firm.',
  ),
  countries_of_concern: req({ kind: 'list', item: { kind: 'country' } }, 'Nationalities the controls are meant for (replaces each archetype\'s).'),
  archetypes: req(
    {
      kind: 'list',
      minItems: 1,
      item: obj({
        name: req({ kind: 'string', pattern: SLUG, patternDoc: 'lower-case letters, digits and hyphens' }, 'Unique archetype name.'),
        firms: req(dist({ min: 1 }, true), 'How many such firms there are (at least 1; a distribution is drawn once per population path, as a common input). Rounded half up.'),
        scenario: req({ kind: 'string', pattern: /^\S(.*\S)?$/, patternDoc: 'a file path without surrounding spaces' }, "The archetype's scenario file, relative to this file. Its simulation, policies, compare, countries_of_concern, exhibit and the common sections are replaced by the population's."),
        basis: opt({ kind: 'string' }, 'Where the count comes from, with a status label (DOC, SEC, EST, JUDGMENT).'),
        firms_per_path: opt(num({ min: 2, max: 4096 }, true), 'Overrides simulation.firms_per_path for this archetype.'),
      }),
    },
    'Kinds of firm (one or more).',
  ),
  policies: req(scenarioField('policies').node, 'Policies: name -> rule, as in a scenario; every archetype runs under every policy.'),
  compare: scenarioField('compare'),
});
