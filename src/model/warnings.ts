/**
 * Warnings: a valid scenario that probably does not say what its author meant (a policy that
 * reaches nobody, a contradictory rule, a revocation after the horizon, a percentage where a rate
 * is expected). Printed by validate and run, listed in the report; the exit code stays 0.
 */
import { segmentAffected, productAffected } from './policies.js';
import type { Restrict, Scenario } from '../scenario/types.js';
import { formatFields } from '../scenario/spec.js';
import { cdfBelow } from '../distributions/distributions.js';
import { formatShare } from '../format.js';
import type { LoadedScenario } from '../scenario/load.js';


/** Keys whose values above a bound are probably percentages (`revenue_growth: 30` for 30%): a fact of the format. */
const PERCENT_LIKE = formatFields().flatMap(({ key, field }) => (field.facts?.percentLike ? [{ key, ...field.facts.percentLike }] : []));

function describeRule(r: Restrict): string[] {
  const problems: string[] = [];
  const overlap = (a?: string[], b?: string[]) => (a && b ? a.filter((x) => b.includes(x)) : []);
  const nat = overlap(r.nationality_in, r.nationality_not_in);
  if (r.nationality_in && r.nationality_not_in && r.nationality_in.every((x) => r.nationality_not_in!.includes(x))) {
    problems.push(`nationality_in and nationality_not_in exclude each other (${nat.join(', ')}), so the rule reaches no staff`);
  }
  if (r.location_in && r.location_not_in && r.location_in.every((x) => r.location_not_in!.includes(x))) {
    problems.push(`location_in and location_not_in exclude each other (${overlap(r.location_in, r.location_not_in).join(', ')}), so the rule reaches no staff`);
  }
  if (r.nationality_in?.length === 0 || r.location_in?.length === 0) problems.push('an empty nationality_in or location_in list matches no staff');
  return problems;
}

/** A warning and the key path it concerns (its text opens with the key). */
export interface KeyedWarning {
  key: string;
  text: string;
}

/** Warnings about a valid scenario, each naming the key path it concerns. */
export const scenarioWarnings = (s: Scenario): string[] => keyedWarnings(s).map((w) => w.text);

/** The warnings with their keys, so a caller can place each in the file. */
export function keyedWarnings(s: Scenario): KeyedWarning[] {
  const out: KeyedWarning[] = [];
  const warn = (key: string, message: string) => out.push({ key, text: `${key}: ${message}` });
  const T = s.simulation.horizon_days;
  if (s.revocation.start_day >= T) {
    warn('revocation.start_day', `${s.revocation.start_day} is at or beyond the horizon (simulation.horizon_days ${T}): no policy cuts anyone off within it, and every harm comes from the tail`);
  }
  for (const name of s.compare) {
    const p = s.policies.find((x) => x.name === name)!;
    const where = (j: number) => (p.phases.length === 1 && p.restrict ? `policies.${name}.restrict` : `policies.${name}.phases[${j}].restrict`);
    if (p.phases.length === 0) {
      warn(`policies.${name}`, `has no restrict (and no phases), so it cuts off nobody; its results equal the but-for world's`);
      continue;
    }
    p.phases.forEach((ph, j) => {
      const r = ph.restrict;
      const conditions = ['nationality_in', 'nationality_not_in', 'location_in', 'location_not_in'].filter((k) => r[k as keyof Restrict] !== undefined);
      if (conditions.length === 0 && !r.everyone && !r.product) {
        warn(where(j), `is empty ({}), so it cuts off nobody; say who loses access (e.g. nationality_not_in: [US]) or everyone: true`);
        return;
      }
      for (const why of describeRule(r)) warn(where(j), why);
      const staff = s.staff.filter((seg) => segmentAffected(r, seg));
      if (staff.length === 0 && !productAffected(r) && conditions.length > 0) {
        const codes = [...(r.nationality_in ?? []), ...(r.location_in ?? [])];
        const present = new Set(s.staff.flatMap((seg) => [seg.nationality, seg.location, ...(seg.us_person ? ['US'] : [])]));
        const missing = codes.filter((c) => !present.has(c));
        warn(
          where(j),
          `reaches no staff segment and not the product${missing.length ? ` (no segment has nationality or location ${missing.join(', ')}${missing.length <= 2 ? ': a typo?' : ''})` : ''}, so ${p.phases.length > 1 ? 'this phase' : 'the policy'} cuts off nobody here`,
        );
      }
    });
  }
  // A phase that outlasts the horizon: its later phases never start within it.
  const window = T - s.revocation.start_day;
  for (const name of s.compare) {
    const p = s.policies.find((x) => x.name === name)!;
    p.phases.forEach((ph, j) => {
      const d = ph.days === undefined ? undefined : s.inputs[ph.days];
      if (!d || d.value.kind !== 'dist' || window <= 0) return;
      const beyond = 1 - cdfBelow(d.value.spec, window);
      if (beyond > 0) {
        warn(
          d.key,
          `${d.value.spec.dist === 'constant' ? `the phase lasts ${d.value.spec.value} days` : `the phase lasts ${window} days or more on ${formatShare(beyond)} of draws`}, as long as the horizon from the revocation (simulation.horizon_days ${T} less revocation.start_day ${s.revocation.start_day}): phase ${j + 2} then never starts within the horizon; extend the horizon or shorten the phase`,
        );
      }
    });
  }
  // Day counts are floored at 0: a distribution reaching below 0 floors part of its mass there.
  for (const d of s.inputs) {
    if (!d.integer || d.value.kind !== 'dist' || d.value.spec.dist === 'constant') continue;
    const below = cdfBelow(d.value.spec, 0);
    if (below > 0) warn(d.key, `${formatShare(below)} of its draws fall below 0 days and are floored at 0 (a day count cannot be negative); truncate the distribution with min: 0 if that is not meant`);
  }
  for (const rule of PERCENT_LIKE) {
    // A setting's value as the scenario holds it, or an input given as a number.
    const input = s.inputs.find((d) => d.key === rule.key);
    const setting = rule.key.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], s);
    const v = input ? (input.value.kind === 'dist' && input.value.spec.dist === 'constant' ? input.value.spec.value : undefined) : typeof setting === 'number' ? setting : undefined;
    if (v !== undefined && v > rule.above) warn(rule.key, `${v} looks like a percentage; the key is ${rule.hint} (did you mean ${v / 100}?)`);
  }
  return out;
}

/** A warning with the place in the file of the key it names (when the file has one). */
export interface PlacedWarning extends KeyedWarning {
  line?: number;
  column?: number;
}

/** The scenario's warnings, each with the line and column of its key (when the file has it). */
export function placedWarnings(loaded: Pick<LoadedScenario, 'scenario' | 'locate'>): PlacedWarning[] {
  return keyedWarnings(loaded.scenario).map(({ key, text }) => {
    const at = loaded.locate?.(key);
    return at ? { key, text, ...at } : { key, text };
  });
}

/** A placed warning for a report: the key, then "(line L, column C)", then the message. */
export const placedText = (w: PlacedWarning): string => (w.line === undefined ? w.text : `${w.key} (line ${w.line}, column ${w.column})${w.text.slice(w.key.length)}`);
