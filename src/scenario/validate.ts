/**
 * Checks a parsed scenario against FORMAT and builds the validated Scenario. Every problem is
 * collected (none stops the walk) so a user fixes a file in one pass.
 */
import { daysBetween } from '../format.js';
import { checkDistribution, compileAtLeast, supportOf, type DistSpec, type Support } from '../distributions/distributions.js';
import { COUNTRY_ALIASES, ISO_COUNTRIES } from './countries.js';
import { formatKeyPath, type PathSegment, type Problem } from './problems.js';
import { describeRange, EXPRESSION_SECTIONS, FORMAT, inRange, keyFacts, MAX_PARTIES, NOTED_SETTINGS, SOBOL_MAX_DIMENSIONS, type Node, type Range } from './spec.js';
import type { InputDef, Policy, Restrict, Scenario } from './types.js';

type Raw = Record<string, unknown>;

export const isMapping = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

/** How a found value reads in a message. */
export function describeFound(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null (an empty value)';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 60 ? v.slice(0, 57) + '...' : v)}`;
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : String(v);
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `a list of ${v.length}`;
  return 'a mapping';
}

interface Walk {
  problems: Problem[];
  inputs: Omit<InputDef, 'slot'>[];
  /** `section.key` names of inputs whose own value had a problem (expressions may still name them). */
  failedNames: Set<string>;
  comments: (path: PathSegment[]) => string | undefined;
}

function walk(node: Node, value: unknown, path: PathSegment[], w: Walk): unknown {
  const problem = (expected: string, found = describeFound(value), extra: Partial<Problem> = {}) => {
    w.problems.push({ path, expected, found, ...extra });
    return undefined;
  };
  switch (node.kind) {
    case 'object': {
      if (!isMapping(value)) return problem('a mapping of keys to values');
      const names = Object.keys(node.fields);
      const out: Raw = {};
      for (const key of Object.keys(value)) {
        if (!Object.hasOwn(node.fields, key)) w.problems.push({ path: [...path, key], expected: `one of the keys ${names.join(', ')}`, found: `unknown key "${key}"`, atKey: true, suggest: names });
      }
      for (const [key, field] of Object.entries(node.fields)) {
        const v = value[key];
        if (v === undefined || v === null) {
          if (field.required) w.problems.push({ path: [...path, key], expected: `the required key ${key} (${field.doc.replace(/\.$/, '')})`, found: v === null ? 'an empty value' : 'nothing: the key is missing', missing: v === undefined });
          else if (field.default !== undefined) out[key] = field.node.kind === 'dist' ? addInput(w, [...path, key], field.node, field.default, true) : field.default;
          continue;
        }
        out[key] = walk(field.node, v, [...path, key], w);
      }
      return out;
    }
    case 'map': {
      if (!isMapping(value)) return problem('a mapping of names to entries');
      const entries = Object.entries(value);
      if (entries.length < (node.minEntries ?? 0)) return problem(`at least ${node.minEntries} entr${node.minEntries === 1 ? 'y' : 'ies'}`, 'an empty mapping');
      const out: [string, unknown][] = [];
      for (const [key, v] of entries) {
        if (!node.keyPattern.test(key)) w.problems.push({ path: [...path, key], expected: `a ${node.keyDoc}`, found: `the name "${key}"`, atKey: true });
        out.push([key, walk(node.value, v, [...path, key], w)]);
      }
      return out;
    }
    case 'list': {
      if (!Array.isArray(value)) return problem('a list');
      if (value.length < (node.minItems ?? 0)) return problem(`a list of at least ${node.minItems} item${node.minItems === 1 ? '' : 's'}`, 'an empty list');
      if (node.maxItems !== undefined && value.length > node.maxItems) return problem(`a list of at most ${node.maxItems} items`, `a list of ${value.length}`);
      return value.map((v, i) => walk(node.item, v, [...path, i], w));
    }
    case 'number': {
      if (typeof value !== 'number') {
        const mistake = typeof value === 'string' ? numberTextMistake(value) : undefined;
        return problem(node.integer ? 'an integer' : 'a number', mistake ? `${describeFound(value)}: ${mistake}` : describeFound(value));
      }
      if (!Number.isFinite(value)) return problem('a finite number');
      if (node.integer && !Number.isInteger(value)) return problem('an integer');
      if (!inRange(value, node.range)) return problem(`a number ${describeRange(node.range)}`, describeFound(value) + percentHint(value, node.range));
      return value;
    }
    case 'string': {
      if (typeof value !== 'string') return problem('a string');
      if (node.maxLength !== undefined && value.length > node.maxLength) return problem(`text of at most ${node.maxLength} characters`, `${value.length} characters`);
      if (node.pattern && !node.pattern.test(value)) return problem(node.patternDoc ?? `text matching ${node.pattern}`);
      return value;
    }
    case 'boolean':
      return typeof value === 'boolean' ? value : problem('true or false');
    case 'country': {
      if (typeof value === 'string' && ISO_COUNTRIES.has(value)) return value;
      const upper = typeof value === 'string' ? value.trim().toUpperCase() : '';
      const code = ISO_COUNTRIES.has(upper) ? upper : COUNTRY_ALIASES[upper];
      const hint = code ? ` (did you mean "${code}"?)` : '';
      return problem('an ISO 3166-1 alpha-2 country code such as US, CA or MY', describeFound(value) + hint);
    }
    case 'date':
      return typeof value === 'string' && isCalendarDate(value) ? value : problem('a calendar date written YYYY-MM-DD, such as 2026-06-12', describeFound(value) + (value instanceof Date ? ' (a timestamp)' : ''));
    case 'dist':
      return addInput(w, path, node, value, false);
  }
}

/**
 * Walks a parsed document against a format (FORMAT, POPULATION_FORMAT): the built value (maps as
 * [name, value] entries, defaults filled in), every problem found, and the *(dist)* inputs met.
 */
export function walkFormat(node: Node, doc: unknown, comments: (path: PathSegment[]) => string | undefined = () => undefined): { built?: Raw; problems: Problem[]; inputs: Omit<InputDef, 'slot'>[] } {
  const w: Walk = { problems: [], inputs: [], comments, failedNames: new Set() };
  const built = walk(node, doc, [], w) as Raw | undefined;
  return { built, problems: w.problems, inputs: w.inputs };
}

/** The policy names of a built `policies` map, after the cross-key rules of each policy; problems go to `problems`. */
export function checkPolicies(policyEntries: [string, Raw | undefined][], problems: Problem[]): string[] {
  const names = policyEntries.map(([n]) => n);
  if (names.includes('butfor')) problems.push({ path: ['policies', 'butfor'], expected: 'a policy name other than "butfor" (it names the world without revocation)', found: '"butfor"', atKey: true });
  for (const [name, p] of policyEntries) checkPolicy(name, p, problems);
  return names;
}

/** The compared policies (every policy when `compare` is not given), each a policy named once. */
export function checkCompare(compare: string[] | undefined, names: string[], problems: Problem[]): string[] {
  if (!compare) return names;
  const used = new Set<string>();
  compare.forEach((c, i) => {
    if (typeof c !== 'string') return;
    if (!names.includes(c)) problems.push({ path: ['compare', i], expected: `the name of a policy (${names.join(', ')})`, found: `"${c}"`, suggest: names });
    else if (used.has(c)) problems.push({ path: ['compare', i], expected: 'each policy at most once', found: `"${c}" again` });
    used.add(c);
  });
  return compare;
}

/** Whether text is a real calendar date in YYYY-MM-DD form (2026-02-30 is not). */
export function isCalendarDate(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === text;
}

/**
 * The one rule for numbers written as text: no units, currency symbols, thousands separators or
 * percent signs. Returns what to write instead, or undefined when the text is not such a number.
 */
export function numberTextMistake(text: string): string | undefined {
  const t = text.trim();
  const plain = (x: string) => x.replaceAll(',', '').replaceAll('_', '');
  let m: RegExpExecArray | null;
  // A currency symbol or any three-letter currency code (PLN, CHF, ...), before or after the number.
  if ((m = /^([-+]?)\s*(?:[$€£¥]|US\$|[A-Z]{3})\s*([\d.,_]+)\s*(?:[kKmM])?$/.exec(t)) || (m = /^([-+]?)([\d.,_]+)\s*(?:[A-Z]{3}|dollars?)$/.exec(t)) || (m = /^([-+]?)([\d.,_]+)\s*(?:usd|cad|eur|gbp|myr|dollars?)$/i.exec(t))) {
    return `units and currency symbols are not allowed; write the number alone (${m[1]}${plain(m[2])}), in the scenario's currency`;
  }
  if ((m = /^([-+]?\d+(?:\.\d+)?)\s*%$/.exec(t))) return `percent signs are not allowed; write a share as a number (${Number(m[1]) / 100} for ${m[1]}%)`;
  if ((m = /^([-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?)$/.exec(t))) return `drop the thousands separators: write ${plain(m[1])}`;
  if ((m = /^([-+]?\d+(?:\.\d+)?)\s*([a-zA-Z]+)$/.exec(t)) && !/^e\d*$/i.test(m[2])) {
    return `units are not allowed; write the number alone (${m[1]}) in the key's unit: days, or months where the key's name says months`;
  }
  return undefined;
}

/** A hint for a percentage where a share in [0, 1] is expected: 65 for 0.65. */
function percentHint(value: number, range: Range): string {
  return range.min === 0 && range.max === 1 && value > 1 && value <= 100 ? ` (a percentage? write ${value / 100} for ${value}%)` : '';
}

/** Whether every draw of a distribution stays inside a key's range. */
function supportFits(s: Support, r: Range): boolean {
  if (r.min !== undefined) {
    if (s.lo < r.min) return false;
    if (s.lo === r.min && r.minExclusive && !s.loOpen) return false;
  }
  if (r.max !== undefined) {
    if (s.hi > r.max) return false;
    if (s.hi === r.max && r.maxExclusive && !s.hiOpen) return false;
  }
  return true;
}

const describeSupport = (s: Support) => `${s.loOpen ? '(' : '['}${s.lo}, ${s.hi}${s.hiOpen ? ')' : ']'}`.replaceAll('Infinity', 'inf');

function addInput(w: Walk, path: PathSegment[], node: Extract<Node, { kind: 'dist' }>, value: unknown, defaulted: boolean): number | undefined {
  const key = formatKeyPath(path);
  const range = node.range;
  let def: InputDef['value'] | undefined;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) w.problems.push({ path, expected: 'a finite number, a distribution or an expression', found: describeFound(value) });
    else if (!inRange(value, range)) w.problems.push({ path, expected: `a number ${describeRange(range)}`, found: describeFound(value) + percentHint(value, range) });
    // A day count written as a negative number is a typo, not a scenario (docs/model.md section 2).
    else if (node.integer && value < 0) w.problems.push({ path, expected: 'a number of days >= 0', found: describeFound(value) });
    else def = { kind: 'dist', spec: { dist: 'constant', value } };
  } else if (typeof value === 'string') {
    const mistake = numberTextMistake(value);
    if (value.trim() === '') w.problems.push({ path, expected: 'a number, a distribution mapping or an expression', found: 'an empty string' });
    else if (mistake) w.problems.push({ path, expected: 'a plain number, a distribution mapping or an expression', found: `${describeFound(value)}: ${mistake}` });
    else def = { kind: 'expr', expr: { source: value, names: [] } };
  } else if (isMapping(value)) {
    if (value.dist === undefined) {
      w.problems.push({ path: [...path, 'dist'], expected: 'a "dist:" key naming the distribution (or write a plain number)', found: 'nothing: the key is missing', missing: true });
    } else {
      const spec: DistSpec | undefined = checkDistribution(value, w.problems, path);
      if (spec) {
        const support = supportOf(spec);
        if (!supportFits(support, range)) {
          w.problems.push({ path, expected: `a distribution whose draws stay ${describeRange(range)} (truncate it with min/max or pick a bounded one)`, found: `${spec.dist} with draws in ${describeSupport(support)}` });
        } else def = { kind: 'dist', spec };
      }
    }
  } else {
    w.problems.push({ path, expected: 'a number, a distribution mapping {dist: ...} or an expression string', found: describeFound(value) });
  }
  const section = path[0];
  const name = typeof section === 'string' && (EXPRESSION_SECTIONS as readonly string[]).includes(section) ? path.join('.') : undefined;
  if (!def) {
    if (name) w.failedNames.add(name);
    return undefined;
  }
  const id = w.inputs.length;
  w.inputs.push({ id, key, name, range, integer: node.integer ?? false, value: def, comment: w.comments(path), defaulted: defaulted || undefined });
  return id;
}

/**
 * Order of the uniform slots: core sections, then financing, staff, and the licence draws (one
 * shared slot), the approval uniform; then inputs added in v2 (growth persistence, permanent
 * share, phase lengths), so v1 scenarios draw their inputs from the same uniforms as before. The
 * groups are facts of the format's fields (spec.ts).
 */
const slotGroup = (key: string): number => keyFacts(key).facts.slotGroup ?? 0;

/** Lower-triangular L with L L^T = m (n x n, row-major), or undefined when m is not positive definite. */
export function cholesky(m: Float64Array, n: number): Float64Array | undefined {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = m[i * n + j];
      for (let k = 0; k < j; k++) sum -= l[i * n + k] * l[j * n + k];
      if (i === j) {
        if (!(sum > 1e-12)) return undefined;
        l[i * n + i] = Math.sqrt(sum);
      } else l[i * n + j] = sum / l[j * n + j];
    }
  }
  return l;
}

/**
 * The correlations block: each pair names two different uncertain inputs (distributions, not
 * constants or expressions) once; the Pearson matrix of the normal scores, 2 sin(pi rank / 6), must
 * be positive definite. Returns the inputs involved and the Cholesky factor, or pushes problems.
 */
function checkCorrelations(list: { between: [string, string]; rank: number }[], inputs: InputDef[], problems: Problem[]): { ids: number[]; cholesky: Float64Array } | undefined {
  if (list.length === 0) return undefined;
  const ids: number[] = [];
  const seen = new Set<string>();
  const pairs: [number, number, number, number][] = [];
  list.forEach((c, i) => {
    if (!c.between || c.between.length !== 2) return;
    const [a, b] = c.between;
    const where = ['correlations', i, 'between'];
    if (a === b) return void problems.push({ path: where, expected: 'two different inputs', found: `"${a}" twice` });
    const found = [a, b].map((key) => {
      const d = inputs.find((x) => x.key === key);
      if (!d) problems.push({ path: where, expected: 'the key path of an uncertain input (none has this one)', found: `"${key}"`, suggest: inputs.map((x) => x.key) });
      else if (d.value.kind !== 'dist' || d.value.spec.dist === 'constant') problems.push({ path: where, expected: 'an uncertain input (a distribution): a constant or an expression cannot be correlated', found: `"${key}", ${d.value.kind === 'expr' ? 'an expression' : 'a constant'}` });
      return d;
    });
    const pair = [a, b].sort().join(' ~ ');
    if (seen.has(pair)) problems.push({ path: where, expected: 'each pair at most once', found: `${a} and ${b} again` });
    seen.add(pair);
    if (found[0] && found[1] && found.every((d) => d!.value.kind === 'dist' && (d!.value as { spec: { dist: string } }).spec.dist !== 'constant')) {
      for (const d of found) if (!ids.includes(d!.id)) ids.push(d!.id);
      pairs.push([ids.indexOf(found[0].id), ids.indexOf(found[1].id), 2 * Math.sin((Math.PI * c.rank) / 6), i]);
    }
  });
  if (problems.length || ids.length === 0) return undefined;
  const n = ids.length;
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++) m[i * n + i] = 1;
  for (const [a, b, r] of pairs) m[a * n + b] = m[b * n + a] = r;
  const l = cholesky(m, n);
  if (!l) {
    problems.push({ path: ['correlations'], expected: 'rank correlations that can hold together (a positive definite matrix)', found: `the pairs ${list.map((c) => `${c.between.join(' ~ ')} (${c.rank})`).join(', ')}, which cannot: loosen one of them` });
    return undefined;
  }
  return { ids, cholesky: l };
}

/** Cross-key rules of a policy: restrict or phases, days on every phase but the last. */
function checkPolicy(name: string, p: Raw | undefined, problems: Problem[]): void {
  if (!p) return;
  const phases = p.phases as Raw[] | undefined;
  if (phases && p.restrict) {
    problems.push({ path: ['policies', name, 'phases'], expected: 'either restrict (one rule) or phases (rules that follow each other), not both', found: 'both', atKey: true });
  }
  if (phases && p.by !== undefined) {
    problems.push({ path: ['policies', name, 'by'], expected: 'by on each phase (a policy with phases names its parties phase by phase)', found: 'by beside phases', atKey: true });
  }
  if (phases) {
    const named = phases.filter((ph) => ph?.by !== undefined).length;
    if (named > 0 && named < phases.length) {
      const i = phases.findIndex((ph) => ph && ph.by === undefined);
      problems.push({ path: ['policies', name, 'phases', i, 'by'], expected: `by on every phase or on none (${named} of ${phases.length} phases name a party)`, found: 'nothing: the key is missing', missing: true });
    }
    const parties = [...new Set(phases.flatMap((ph) => (typeof ph?.by === 'string' ? [ph.by] : [])))];
    if (parties.length > MAX_PARTIES) problems.push({ path: ['policies', name, 'phases'], expected: `at most ${MAX_PARTIES} distinct parties in one policy (each subset of them is a world to simulate)`, found: `${parties.length}: ${parties.join(', ')}` });
  }
  phases?.forEach((ph, i) => {
    if (!ph) return;
    const last = i === phases.length - 1;
    if (last && ph.days !== undefined) problems.push({ path: ['policies', name, 'phases', i, 'days'], expected: 'no days on the last phase (it lasts until access returns)', found: 'days', atKey: true });
    if (!last && ph.days === undefined) problems.push({ path: ['policies', name, 'phases', i, 'days'], expected: `the required key days (every phase but the last has a length; phase ${i + 1} of ${phases.length})`, found: 'nothing: the key is missing', missing: true });
  });
}

/**
 * Validates a parsed document. Returns the scenario, or undefined with problems pushed.
 * Expressions are only recorded here; checkExpressions parses them.
 */
/** Parts of the file the report shows elsewhere (staff table, who each policy cuts off, correlations) or that are not assumptions. */
const NOT_SETTINGS = /^(\$schema|name|title|basis|exhibit|staff|correlations|compare|policies\.[^.]+\.(restrict|phases|description|status))(\.|\[|$)/;

/**
 * Every value written in the file that is not an input (a number or distribution drawn per path)
 * and not shown elsewhere: the settings (financing.max_rounds, a licence's approval_probability,
 * mitigation.decision, ...), in file order with the comment beside each.
 */
function fileSettings(doc: unknown, inputs: InputDef[], comments: (path: PathSegment[]) => string | undefined): Scenario['fileSettings'] {
  const out: Scenario['fileSettings'] = [];
  const isInput = (key: string) => inputs.some((d) => key === d.key || key.startsWith(`${d.key}.`) || key.startsWith(`${d.key}[`));
  const visit = (v: unknown, path: PathSegment[]) => {
    const key = formatKeyPath(path);
    if (path.length && (NOT_SETTINGS.test(key) || isInput(key))) return;
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      for (const [k, x] of Object.entries(v)) visit(x, [...path, k]);
    } else if (Array.isArray(v) && v.some((x) => x && typeof x === 'object')) {
      v.forEach((x, i) => visit(x, [...path, i]));
    } else if (path.length) {
      out.push({ key, value: Array.isArray(v) ? v.join(', ') : String(v), basis: comments(path) ?? '' });
    }
  };
  visit(doc, []);
  return out;
}

/** The exhibit block's dates against each other: every date the pack places on the calendar needs revocation_date, and the facts at filing come after it. */
function checkExhibit(exhibit: Raw | undefined, problems: Problem[]): void {
  if (!exhibit) return;
  const start = typeof exhibit.revocation_date === 'string' ? exhibit.revocation_date : undefined;
  const placed: [string, unknown][] = [
    ['as_of', exhibit.as_of],
    ['hearing_date', exhibit.hearing_date],
    ['restore_dates', exhibit.restore_dates],
    ['events', exhibit.events],
  ];
  for (const [key, value] of placed) {
    if (value !== undefined && exhibit.revocation_date === undefined) problems.push({ path: ['exhibit', key], expected: 'exhibit.revocation_date as well (the date of revocation.start_day), to place it on the model\'s days', found: 'no revocation_date', atKey: true });
  }
  if (!start) return;
  // Dates written YYYY-MM-DD compare as text.
  const notBefore = (path: PathSegment[], date: unknown, what: string) => {
    if (typeof date === 'string' && date < start) problems.push({ path, expected: `a date on or after exhibit.revocation_date (${start}): ${what}`, found: date });
  };
  notBefore(['exhibit', 'as_of'], exhibit.as_of, 'the facts at filing come after the revocation');
  notBefore(['exhibit', 'hearing_date'], exhibit.hearing_date, 'access is restored on it');
  ((exhibit.restore_dates as unknown[] | undefined) ?? []).forEach((d, i) => notBefore(['exhibit', 'restore_dates', i], d, 'access is restored on it'));
  const asOf = typeof exhibit.as_of === 'string' ? exhibit.as_of : undefined;
  if (!asOf) return;
  const notBeforeFiling = (path: PathSegment[], date: unknown) => {
    if (typeof date === 'string' && date >= start && date <= asOf) problems.push({ path, expected: `a date after exhibit.as_of (${asOf}): access had not returned on it`, found: date });
  };
  notBeforeFiling(['exhibit', 'hearing_date'], exhibit.hearing_date);
  ((exhibit.restore_dates as unknown[] | undefined) ?? []).forEach((d, i) => notBeforeFiling(['exhibit', 'restore_dates', i], d));
}

export function validateDocument(
  doc: unknown,
  meta: { file: string; sha256: string },
  comments: (path: PathSegment[]) => string | undefined = () => undefined,
): { scenario?: Scenario; problems: Problem[]; partial?: { inputs: InputDef[]; failedNames: Set<string> } } {
  const w: Walk = { problems: [], inputs: [], comments, failedNames: new Set() };
  const built = walk(FORMAT, doc, [], w) as Raw | undefined;
  // With problems, the inputs found so far still go to the expression checker, so that every
  // problem is reported in one pass.
  const partial = () => ({ inputs: w.inputs.map((d) => ({ ...d, slot: -1 })) as InputDef[], failedNames: w.failedNames });
  if (!built) return { problems: w.problems, partial: partial() };

  // Cross-key rules the spec cannot state.
  const staff = (built.staff ?? []) as { name?: string }[];
  const seen = new Map<string, number>();
  staff.forEach((s, i) => {
    if (!s?.name) return;
    if (seen.has(s.name)) w.problems.push({ path: ['staff', i, 'name'], expected: `a name not used by another segment (staff[${seen.get(s.name)}] has it)`, found: `"${s.name}"` });
    else seen.set(s.name, i);
  });
  const policyEntries = (built.policies ?? []) as [string, Raw | undefined][];
  const names = checkPolicies(policyEntries, w.problems);
  // Basis of settings (comments beside them), then the basis map, which wins over comments.
  const notes: Record<string, string> = {};
  for (const key of NOTED_SETTINGS) {
    const c = comments(key.split('.'));
    if (c) notes[key] = c;
  }
  for (const [key, text] of (built.basis ?? []) as [string, string][]) {
    if (typeof text !== 'string') continue;
    const input = w.inputs.find((d) => d.key === key);
    if (input) input.comment = text;
    else if ((NOTED_SETTINGS as readonly string[]).includes(key)) notes[key] = text;
    else {
      const keys = [...w.inputs.map((d) => d.key), ...NOTED_SETTINGS];
      w.problems.push({ path: ['basis', key], expected: 'the key path of an input or of a setting (simulation.discount_rate, ...), as validation messages write it', found: `"${key}"`, atKey: true, suggest: keys });
    }
  }
  // A known fact: access had not returned N days after t0 (docs/model.md section 3); the exhibit's
  // facts at filing (exhibit.as_of) are one too, for the injunction table.
  const revocation = built.revocation as Raw | undefined;
  const duration = w.inputs.find((d) => d.key === 'revocation.duration_days');
  const exhibit = built.exhibit as Raw | undefined;
  // Each fact: the days access had been out, the key that states it, and how a message names it.
  const facts: { days: number; key: string; what: string }[] = [];
  if (typeof revocation?.ongoing_after_days === 'number') facts.push({ days: revocation.ongoing_after_days, key: 'revocation.ongoing_after_days', what: 'revocation.ongoing_after_days' });
  if (typeof exhibit?.as_of === 'string' && typeof exhibit.revocation_date === 'string' && typeof revocation?.start_day === 'number') {
    const days = daysBetween(exhibit.revocation_date, exhibit.as_of);
    facts.push({ days, key: 'exhibit.as_of', what: `exhibit.as_of (${exhibit.as_of}, ${days} days after exhibit.revocation_date)` });
  }
  const value = duration?.value;
  for (const { days: ongoing, key, what } of value ? facts : []) {
    const at = ['revocation', 'duration_days'];
    if (value!.kind === 'expr') {
      w.problems.push({ path: at, expected: `a number or a distribution when ${key} is given (the known fact conditions its draw)`, found: 'an expression' });
    } else if (value!.spec.dist === 'constant') {
      const v = value!.spec.value;
      if (!(Math.floor(v + 0.5) > ongoing)) w.problems.push({ path: at, expected: `a duration of more than ${what} (${ongoing}) days, rounded`, found: String(v) });
    } else if (compileAtLeast(value!.spec, ongoing + 0.5).mass <= 0) {
      w.problems.push({ path: at, expected: `a distribution that can last more than ${what} (${ongoing}) days (some probability at or above ${ongoing + 0.5})`, found: 'none above it' });
    }
  }
  checkExhibit(built.exhibit as Raw | undefined, w.problems);
  const mitigation = built.mitigation as Raw | undefined;
  if (mitigation && !mitigation.relocation && !mitigation.hiring) {
    w.problems.push({ path: ['mitigation'], expected: 'at least one of relocation and hiring', found: 'neither', atKey: true });
  }
  const compare = checkCompare(built.compare as string[] | undefined, names, w.problems);
  if (w.problems.length) return { problems: w.problems, partial: partial() };

  const correlations = ((built.correlations ?? []) as { between: [string, string]; rank: number }[]).filter(Boolean);
  const copula = checkCorrelations(correlations, w.inputs as InputDef[], w.problems);
  if (w.problems.length) return { problems: w.problems, partial: partial() };

  const ordered = [...w.inputs].sort((a, b) => slotGroup(a.key) - slotGroup(b.key) || a.id - b.id);
  const inputs = w.inputs as InputDef[];
  let slot = 0;
  let licenseSlot = -1;
  let approvalSlot = -1;
  for (const def of ordered) {
    const group = slotGroup(def.key);
    if (group > 3 && licenseSlot >= 0 && approvalSlot < 0) approvalSlot = slot++;
    if (group === 3) {
      // Every licence's processing time inverts the same uniforms: the draws are shared.
      if (licenseSlot < 0) licenseSlot = slot++;
      inputs[def.id].slot = licenseSlot;
    } else inputs[def.id].slot = slot++;
  }
  if (licenseSlot >= 0 && approvalSlot < 0) approvalSlot = slot++;
  const sim = built.simulation as Raw | undefined;
  if (sim?.sampling === 'qmc' && 2 * slot > SOBOL_MAX_DIMENSIONS) {
    return { problems: [{ path: ['simulation', 'sampling'], expected: `mc or lhs for a scenario with more than ${SOBOL_MAX_DIMENSIONS / 2} uniform slots (qmc's Sobol points have at most ${SOBOL_MAX_DIMENSIONS} dimensions, two per slot)`, found: `qmc with ${slot} slots` }], partial: partial() };
  }

  const scenario: Scenario = {
    ...(built as unknown as Scenario),
    file: meta.file,
    sha256: meta.sha256,
    policies: policyEntries.map(([name, p]) => {
      const { restrict, phases, by, ...rest } = (p ?? {}) as Raw;
      // One list of phases for every policy: restrict X (by B) is phases [{restrict: X, by: B}]; neither, none.
      const list = (phases as Policy['phases'] | undefined) ?? (restrict ? [{ restrict: restrict as Restrict, ...(by !== undefined ? { by: by as string } : {}) }] : []);
      return { name, ...rest, restrict: list.length === 1 ? list[0].restrict : undefined, phases: list } as Policy;
    }),
    compare,
    inputs,
    expressionOrder: [],
    slots: slot,
    licenseApprovalSlot: approvalSlot,
    notes,
    correlations,
    fileSettings: fileSettings(doc, inputs, comments),
  } as Scenario;
  if (copula) scenario.copula = { slots: copula.ids.map((id) => inputs[id].slot), cholesky: copula.cholesky };
  delete (scenario as unknown as Raw).basis;
  delete (scenario as unknown as Raw).$schema;
  return { scenario, problems: [] };
}
