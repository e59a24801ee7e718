/**
 * Which staff segments and whether the product each policy cuts off (MODEL.md section 2 rules),
 * phase by phase, and the per-path window, phases and revoked days Deff (section 4).
 *
 * Members (segments and the product) that the same phases reach are revoked on the same days, so
 * they share one gap e: the day loop keeps one **track** per such group. A one-phase policy has
 * one track; a phased one up to one per distinct set of phases.
 */
import type { Policy, Restrict, Scenario, Segment } from '../scenario/types.js';

/** A segment's effective nationality: US for US persons (citizens and permanent residents). */
export const effectiveNationality = (s: Segment): string => (s.us_person ? 'US' : s.nationality);

/** Whether a restrict rule reaches a segment: at least one staff condition, and all hold. */
export function segmentAffected(r: Restrict | undefined, s: Segment): boolean {
  if (!r) return false;
  const nat = effectiveNationality(s);
  const conditions: boolean[] = [];
  if (r.nationality_in) conditions.push(r.nationality_in.includes(nat));
  if (r.nationality_not_in) conditions.push(!r.nationality_not_in.includes(nat));
  if (r.location_in) conditions.push(r.location_in.includes(s.location));
  if (r.location_not_in) conditions.push(!r.location_not_in.includes(s.location));
  if (r.everyone) conditions.push(true);
  return conditions.length > 0 && conditions.every(Boolean);
}

export const productAffected = (r: Restrict | undefined): boolean => !!r && (!!r.everyone || !!r.product);

/** Bit j set when phase j of `phases` reaches what `reaches` tests (a segment, the product). */
export const phaseMask = (phases: readonly { restrict: Restrict }[], reaches: (r: Restrict) => boolean): number =>
  phases.reduce((m, ph, j) => (reaches(ph.restrict) ? m | (1 << j) : m), 0);

/** A group of members revoked on the same days: they share one gap e in the day loop. */
export interface Track {
  /** Indexes of its segments. */
  segments: number[];
  /** Whether the product is in it. */
  product: boolean;
  /** Bit j set: phase j reaches these members. */
  mask: number;
}

/** A compared policy, resolved against the scenario's staff. */
export interface ResolvedPolicy {
  name: string;
  policy: Policy;
  /** Indexes of the segments some phase reaches. */
  segments: number[];
  /** Some phase reaches the product. */
  product: boolean;
  /** Members grouped by the phases that reach them, segments in file order, product last. */
  tracks: Track[];
  /** Bits of every phase (a track with this mask is revoked on every day of the window). */
  allPhases: number;
  /** Per segment, the headcount counted as targeted (effective nationality of concern), else 0. */
  targeted: Float64Array;
}

/** The compared policies, resolved, in run order. */
export function resolvePolicies(scenario: Scenario): ResolvedPolicy[] {
  return scenario.compare.map((name) => resolvePolicy(scenario, scenario.policies.find((p) => p.name === name)!, name));
}

/** A policy resolved against the scenario's staff: its tracks, segments and targeted headcounts. */
export function resolvePolicy(scenario: Scenario, policy: Policy, name = policy.name): ResolvedPolicy {
  const concern = new Set(scenario.countries_of_concern);
  const targeted = Float64Array.from(scenario.staff, (s) => (concern.has(effectiveNationality(s)) ? s.headcount : 0));
  const maskOf = (reaches: (r: Restrict) => boolean) => phaseMask(policy.phases, reaches);
  const tracks: Track[] = [];
  const trackOf = (mask: number) => {
    let t = tracks.find((x) => x.mask === mask);
    if (!t) tracks.push((t = { segments: [], product: false, mask }));
    return t;
  };
  const segments: number[] = [];
  scenario.staff.forEach((s, i) => {
    const mask = maskOf((r) => segmentAffected(r, s));
    if (mask === 0) return;
    segments.push(i);
    trackOf(mask).segments.push(i);
  });
  const productMask = maskOf(productAffected);
  if (productMask !== 0) trackOf(productMask).product = true;
  return { name, policy, segments, product: productMask !== 0, tracks, allPhases: (1 << policy.phases.length) - 1, targeted };
}

/** Two policies with the same phases (rules, days, parties) and licence: twins that may differ only in whether the firm mitigates. */
export const sameRule = (a: Policy, b: Policy): boolean => JSON.stringify([a.phases, a.license ?? null]) === JSON.stringify([b.phases, b.license ?? null]);

/** The parties a policy's phases name (by), in order of first appearance. */
export const partiesOf = (policy: Policy): string[] => [...new Set(policy.phases.flatMap((ph) => (ph.by ? [ph.by] : [])))];

/**
 * Sub-world S of a policy (docs/model.md section 4c): the restrict of every phase whose party is
 * not in S replaced by a rule that reaches nobody and not the product; the same phases and days,
 * licence and mitigate flag.
 */
export const subPolicy = (policy: Policy, parties: readonly string[]): Policy => ({
  ...policy,
  phases: policy.phases.map((ph) => (ph.by !== undefined && parties.includes(ph.by) ? ph : { ...ph, restrict: {} })),
  restrict: undefined,
});

/** A policy's window on a path: its revoked days Deff and the absolute day each phase ends. */
export interface PathWindow {
  /** Deff: the window W, or 0 when no member is revoked on any day of it. */
  deff: number;
  /** Day (absolute) on which phase j ends; the last phase never ends (Infinity). */
  phaseEnds: Float64Array;
}

/**
 * The window of a policy's world on a path (docs/model.md section 4): W = D, or min(D, P) when its
 * licence is approved (approval uniform below the approval probability); the phases follow each
 * other from t0 with the path's drawn lengths. Deff (v3): the days from t0 to the end of the last
 * day of the window on which some member is revoked, so a last phase that reaches nobody does not
 * count; 0 when no member is revoked on any day of it. `phaseDays[j]` is phase j's drawn length
 * (every phase but the last).
 */
export function pathWindow(p: ResolvedPolicy, t0: number, durationDays: number, approvalU: number, processingDays: number, phaseDays: ArrayLike<number>, out?: Float64Array): PathWindow {
  const n = p.policy.phases.length;
  const phaseEnds = out ?? new Float64Array(Math.max(1, n));
  let end = 0;
  for (let j = 0; j < n - 1; j++) {
    end += phaseDays[j];
    phaseEnds[j] = t0 + end;
  }
  phaseEnds[Math.max(0, n - 1)] = Infinity;
  const lic = p.policy.license;
  const W = lic && approvalU < lic.approval_probability ? Math.min(durationDays, processingDays) : durationDays;
  // Phases that reach some member, and the end of the last of them with days in [t0, t0 + W).
  let reaching = 0;
  for (const t of p.tracks) reaching |= t.mask;
  let deff = 0;
  for (let j = 0, start = t0; j < n; j++) {
    const stop = phaseEnds[j];
    if (stop > start && start < t0 + W && (reaching & (1 << j)) !== 0) deff = Math.min(t0 + W, stop) - t0;
    start = stop;
  }
  return { deff, phaseEnds };
}
