/**
 * Which staff segments and whether the product each policy cuts off (MODEL.md section 2 rules),
 * and the per-path revoked days Deff (section 4).
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

/** A compared policy, resolved against the scenario's staff. */
export interface ResolvedPolicy {
  name: string;
  policy: Policy;
  /** Indexes of the affected segments. */
  segments: number[];
  product: boolean;
  /** Headcount of affected segments whose effective nationality is of concern, and of the rest. */
  targetedHeadcount: number;
  collateralHeadcount: number;
  /** Affected share of all staff, Σ_{s in A} n_s / Σ_s n_s (weights the capability-gap series). */
  gapShare: number;
}

export function resolvePolicies(scenario: Scenario): ResolvedPolicy[] {
  const concern = new Set(scenario.countries_of_concern);
  return scenario.compare.map((name) => {
    const policy = scenario.policies.find((p) => p.name === name)!;
    const segments = scenario.staff.flatMap((s, i) => (segmentAffected(policy.restrict, s) ? [i] : []));
    let targeted = 0;
    let collateral = 0;
    for (const i of segments) {
      const s = scenario.staff[i];
      if (concern.has(effectiveNationality(s))) targeted += s.headcount;
      else collateral += s.headcount;
    }
    // Summed in segment order, as the reference day loop sums them.
    let nTotal = 0;
    for (const seg of scenario.staff) nTotal += seg.headcount;
    let nA = 0;
    for (const i of segments) nA += scenario.staff[i].headcount;
    return { name, policy, segments, product: productAffected(policy.restrict), targetedHeadcount: targeted, collateralHeadcount: collateral, gapShare: nA / nTotal };
  });
}

/**
 * Revoked days of a policy's world on a path: D, or min(D, P) when its licence is approved
 * (approval uniform below the approval probability); 0 when the policy reaches nobody.
 */
export function revokedDays(p: ResolvedPolicy, durationDays: number, approvalU: number, processingDays: number): number {
  if (p.segments.length === 0 && !p.product) return 0;
  const lic = p.policy.license;
  if (lic && approvalU < lic.approval_probability) return Math.min(durationDays, processingDays);
  return durationDays;
}
