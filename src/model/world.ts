/**
 * The day loop of one world (MODEL.md sections 4 and 4b): a pure function of one path's inputs,
 * the world's layout on that path (worldPath: who is revoked on which days, the mitigation), and
 * the financing uniforms. It writes the day-by-day trace and the end state, from which metrics.ts
 * computes the metrics. It is the reference: the engine runs the same loop over blocks of paths
 * in WebAssembly (wasm/kernel.ts), and tests check both agree bit for bit.
 *
 * Members revoked on the same days share one gap e: the loop keeps one gap per **track**
 * (policies.ts), each with its own recovery time constant, and with mitigation one per group
 * (stay, moved, hired) of the segments it helps, weighted by the path's shares.
 */
import type { Scenario } from '../scenario/types.js';
import { dailyGrowth, fastExp, powPos } from './fastmath.js';
import { phaseMask, segmentAffected, type PathWindow, type ResolvedPolicy } from './policies.js';

/** Days per month. */
export const DPM = 365.25 / 12;

/** Days between exact evaluations of an exponential that a daily factor carries in between. */
export const ANCHOR_DAYS = 64;

/** One path's inputs in model notation (MODEL.md section 2), read from the drawn values. */
export interface PathInputs {
  R0: number;
  g: number;
  /** Growth persistence p in (0, 1]. */
  p: number;
  m: number;
  X: number;
  C0: number;
  B: number;
  V: number;
  financing?: { raiseBelow: number; roundSize: number; pf: number; psi: number; retryDays: number; maxRounds: number };
  /** n_s, w_s, d_s per segment. */
  n: Float64Array;
  w: Float64Array;
  d: Float64Array;
  H0: number;
  alpha: number;
  L: number;
  gamma: number;
  kappa: number;
  tau0: number;
  rho: number;
  switchCost: number;
  switchBackCost: number;
  tauK: number;
  mu: number;
  eps: number;
  tauLoss: number;
  tauWin: number;
  /** Permanent share pi of the revenue gap at the horizon. */
  pi: number;
  t0: number;
  D: number;
  mitigation?: {
    /** Decision day td = t0 + decide_after_days. */
    td: number;
    relocation?: { share: number; delay: number; cost: number };
    hiring?: { share: number; delay: number; cost: number; premiumAnnual: number };
  };
}

/** Reads a path's inputs from its values (indexed by InputRef) into a reusable struct. */
export function readPathInputs(s: Scenario, v: Float64Array, out?: PathInputs): PathInputs {
  const n = out?.n ?? Float64Array.from(s.staff, (x) => x.headcount);
  const w = out?.w ?? new Float64Array(s.staff.length);
  const d = out?.d ?? new Float64Array(s.staff.length);
  s.staff.forEach((seg, i) => {
    w[i] = v[seg.weight];
    d[i] = v[seg.ai_dependence];
  });
  const f = s.firm.financing;
  const mit = s.mitigation;
  const t0 = s.revocation.start_day;
  return {
    R0: v[s.firm.revenue_annual],
    g: Math.max(v[s.firm.revenue_growth], -0.99),
    p: v[s.firm.growth_persistence],
    m: v[s.firm.gross_margin],
    X: v[s.firm.operating_costs_annual],
    C0: v[s.firm.cash],
    B: v[s.firm.credit_line],
    V: v[s.firm.revenue_multiple],
    financing: f && {
      raiseBelow: v[f.raise_below],
      roundSize: v[f.round_size],
      pf: v[f.success_probability],
      psi: v[f.quality_sensitivity],
      retryDays: v[f.retry_days],
      maxRounds: f.max_rounds,
    },
    n,
    w,
    d,
    H0: v[s.frontier.doubling_months],
    alpha: v[s.frontier.acceleration],
    L: v[s.fallback.lag_months],
    gamma: v[s.fallback.lag_growth],
    kappa: v[s.productivity.capability_elasticity],
    tau0: v[s.adaptation.base_days],
    rho: v[s.adaptation.per_revoked_day],
    switchCost: v[s.adaptation.switch_cost],
    switchBackCost: v[s.adaptation.switch_back_cost],
    tauK: v[s.product.obsolescence_days],
    mu: v[s.product.model_dependence],
    eps: v[s.market.quality_elasticity],
    tauLoss: v[s.market.loss_days],
    tauWin: v[s.market.winback_days],
    pi: v[s.market.permanent_share],
    t0,
    D: v[s.revocation.duration_days],
    mitigation: mit && {
      td: t0 + v[mit.decide_after_days],
      relocation: mit.relocation && { share: v[mit.relocation.share], delay: v[mit.relocation.delay_days], cost: v[mit.relocation.cost_per_head] },
      hiring: mit.hiring && { share: v[mit.hiring.share], delay: v[mit.hiring.delay_days], cost: v[mit.hiring.cost_per_head], premiumAnnual: v[mit.hiring.premium_annual] },
    },
  };
}

/** A group's kind: the staff who stay, and with mitigation those moved to the US and those hired. */
export type GroupKind = 'stay' | 'moved' | 'hired';

/** One gap of a world: members revoked on the same days (MODEL.md 4b's groups, merged when alike). */
export interface Lane {
  kind: GroupKind;
  /** Bit j: phase j reaches the group before its switch day (for stay: always). */
  maskBefore: number;
  /** ... and from its switch day on (moved: as in the US; hired: as a US person in the US). */
  maskAfter: number;
  /** Segments with a share in it, and whether it holds the product (stay lanes only). */
  segments: number[];
  product: boolean;
}

/** A world's lanes: the tracks of its policy, and with mitigation a moved and a hired lane per mask pair. */
export interface WorldLayout {
  policy: ResolvedPolicy;
  lanes: Lane[];
  /** Lane holding the product, or -1. */
  productLane: number;
  /** The world mitigates (the scenario has mitigation and the policy does not say mitigate: false). */
  mitigates: boolean;
  /** The remedies this world takes when the decision arises (docs/model.md section 4b's options). */
  option: MitigationOption;
  /** Per segment: the mask of phases reaching it as it is, in the US, and as a US person in the US. */
  maskAsIs: number[];
  maskInUs: number[];
  maskAsUsPerson: number[];
}

/** The remedies a firm may take (section 4b), in the order ties go to. */
export const OPTIONS = ['none', 'relocation', 'hiring', 'both'] as const;
export type MitigationOption = (typeof OPTIONS)[number];
const OPTION_REMEDIES: Record<MitigationOption, { relocate: boolean; hire: boolean }> = {
  none: { relocate: false, hire: false },
  relocation: { relocate: true, hire: false },
  hiring: { relocate: false, hire: true },
  both: { relocate: true, hire: true },
};

/** Lays out a policy's world: its lanes (static across paths). `option`: the remedies it takes (default both, v2's rule). */
export function layoutWorld(s: Scenario, policy: ResolvedPolicy, option: MitigationOption = 'both'): WorldLayout {
  const phases = policy.policy.phases;
  const maskOf = (seg: (typeof s.staff)[number]) => phaseMask(phases, (r) => segmentAffected(r, seg));
  const maskAsIs = s.staff.map(maskOf);
  const maskInUs = s.staff.map((seg) => maskOf({ ...seg, location: 'US' }));
  const maskAsUsPerson = s.staff.map((seg) => maskOf({ ...seg, nationality: 'US', location: 'US', us_person: true }));
  const lanes: Lane[] = policy.tracks.map((t) => ({ kind: 'stay', maskBefore: t.mask, maskAfter: t.mask, segments: [...t.segments], product: t.product }));
  const mitigates = s.mitigation !== undefined && policy.policy.mitigate !== false;
  if (mitigates && option !== 'none') {
    const add = (kind: GroupKind, seg: number, after: number) => {
      const before = maskAsIs[seg];
      // A group that switches to the same phases as it had is revoked as the stay group: still a
      // lane of its own (its share differs per path), merged with alike groups of other segments.
      let lane = lanes.find((l) => l.kind === kind && l.maskBefore === before && l.maskAfter === after);
      if (!lane) lanes.push((lane = { kind, maskBefore: before, maskAfter: after, segments: [], product: false }));
      lane.segments.push(seg);
    };
    for (const seg of policy.segments) {
      // Only segments some remedy can help under some phase get a lane for it.
      if (s.mitigation!.relocation && OPTION_REMEDIES[option].relocate && (maskAsIs[seg] & ~maskInUs[seg]) !== 0) add('moved', seg, maskInUs[seg]);
      if (s.mitigation!.hiring && OPTION_REMEDIES[option].hire && (maskAsIs[seg] & ~maskAsUsPerson[seg]) !== 0) add('hired', seg, maskAsUsPerson[seg]);
    }
  }
  return { policy, lanes, productLane: lanes.findIndex((l) => l.product), mitigates, option, maskAsIs, maskInUs, maskAsUsPerson };
}

/** A world on one path: its window and phases, each lane's weights and switch day, its mitigation. */
export interface WorldPath {
  /** Deff. */
  deff: number;
  /** Absolute day each phase ends (Infinity for the last). */
  phaseEnds: Float64Array;
  /** Per lane: Σ n_s w_s d_s f / Ybf (its share of but-for output at stake). */
  cA: Float64Array;
  /** Per lane: Σ n_s f / Σ n (its share of headcount). */
  nShare: Float64Array;
  /** Per lane: headcount weight of nationals of concern, and of the rest (access-days). */
  targeted: Float64Array;
  collateral: Float64Array;
  /** Per lane: the day it switches to maskAfter (Infinity for stay lanes). */
  switchDay: Float64Array;
  /** The decision arises on this path (Q: some staff a remedy helps are still cut off on day td < T). */
  arises: boolean;
  /** The firm acts (Q and the world's option has a share on the path); heads moved and replaced (not cancelled). */
  mitigated: boolean;
  relocatedHeads: number;
  displacedHeads: number;
  /** One-off mitigation cost, paid on day mitigationDay (Infinity: none). */
  mitigationDay: number;
  mitigationCost: number;
  /** Daily hiring premium from day premiumDay on (Infinity: none). */
  premiumDay: number;
  premium: number;
}

export function makeWorldPath(lanes: number, phases: number): WorldPath {
  const f = () => new Float64Array(lanes);
  return {
    deff: 0,
    phaseEnds: new Float64Array(Math.max(1, phases)),
    cA: f(),
    nShare: f(),
    targeted: f(),
    collateral: f(),
    switchDay: f(),
    arises: false,
    mitigated: false,
    relocatedHeads: 0,
    displacedHeads: 0,
    mitigationDay: Infinity,
    mitigationCost: 0,
    premiumDay: Infinity,
    premium: 0,
  };
}

/** Index of the phase in force on absolute day t (phaseEnds ascending, the last Infinity). */
export function phaseAt(phaseEnds: Float64Array, t: number): number {
  let j = 0;
  while (t >= phaseEnds[j]) j++;
  return j;
}

/**
 * Fills `out` with a world's layout on a path (MODEL.md 4 and 4b): its window, each lane's
 * weights, and, when it mitigates, the decision, the shares moved and replaced, and the costs.
 */
export function fillWorldPath(layout: WorldLayout, p: PathInputs, window: PathWindow, T: number, out: WorldPath): void {
  const { lanes, policy } = layout;
  out.deff = window.deff;
  out.phaseEnds = window.phaseEnds;
  // Shares per segment: a_s moved, h_s hired (0 without mitigation or when the firm does not act).
  const nSeg = p.n.length;
  let a: Float64Array | undefined;
  let h: Float64Array | undefined;
  out.mitigated = false;
  out.relocatedHeads = 0;
  out.displacedHeads = 0;
  out.mitigationDay = Infinity;
  out.mitigationCost = 0;
  out.premiumDay = Infinity;
  out.premium = 0;
  out.arises = false;
  const mit = p.mitigation;
  const t0 = p.t0;
  // Cancelled (v3): a move or hires that would take effect only once access has fully returned.
  // Decided from the path's draws and window alone, whether or not this world's firm acts (where
  // it does not, its moved and hired groups hold nobody and their switch day changes nothing), so
  // that lanes of one kind have one switch day in every world with this window (Plan.laneLead).
  let moveCancelled = false;
  let hireCancelled = false;
  if (layout.mitigates && mit && window.deff > 0) {
    const td = mit.td;
    const restored = t0 + window.deff;
    moveCancelled = !mit.relocation || !(td + mit.relocation.delay < restored);
    hireCancelled = !mit.hiring || !(td + mit.hiring.delay < restored);
    const inWindow = td >= t0 && td < restored;
    const bit = 1 << phaseAt(window.phaseEnds, td);
    const { relocate, hire } = OPTION_REMEDIES[layout.option];
    a = new Float64Array(nSeg);
    h = new Float64Array(nSeg);
    // Q: some staff that a remedy (of the option both) helps are still cut off on day td.
    let helpedByBoth = 0;
    let helped = 0;
    for (const s of policy.segments) {
      // Revoked on td, and the rule in force on td would not reach the segment so moved / hired.
      const revoked = inWindow && (layout.maskAsIs[s] & bit) !== 0;
      if (!revoked) continue;
      const moveHelps = mit.relocation !== undefined && (layout.maskInUs[s] & bit) === 0;
      const hireHelps = mit.hiring !== undefined && (layout.maskAsUsPerson[s] & bit) === 0;
      const aBoth = moveHelps ? mit.relocation!.share : 0;
      helpedByBoth += p.n[s] * (aBoth + (hireHelps ? Math.min(mit.hiring!.share, 1 - aBoth) : 0));
      a[s] = relocate && moveHelps ? mit.relocation!.share : 0;
      h[s] = hire && hireHelps ? Math.min(mit.hiring!.share, 1 - a[s]) : 0;
      helped += p.n[s] * (a[s] + h[s]);
    }
    out.arises = td < T && helpedByBoth > 0;
    out.mitigated = out.arises && helped > 0;
    if (out.mitigated) {
      let cost = 0;
      let premium = 0;
      for (const s of policy.segments) {
        if (!moveCancelled) out.relocatedHeads += p.n[s] * a[s];
        if (!hireCancelled) out.displacedHeads += p.n[s] * h[s];
        cost += p.n[s] * (a[s] * (mit.relocation?.cost ?? 0) + h[s] * (mit.hiring?.cost ?? 0));
        premium += (p.n[s] * h[s] * (mit.hiring?.premiumAnnual ?? 0)) / 365;
      }
      out.mitigationDay = td;
      out.mitigationCost = cost;
      if (!hireCancelled) {
        out.premiumDay = td + mit.hiring!.delay;
        out.premium = premium;
      }
    } else {
      a.fill(0);
      h.fill(0);
    }
  }
  let ybf = 0;
  let nTotal = 0;
  for (let s = 0; s < nSeg; s++) {
    ybf += p.n[s] * p.w[s];
    nTotal += p.n[s];
  }
  lanes.forEach((lane, j) => {
    let cA = 0;
    let nA = 0;
    let tg = 0;
    let col = 0;
    for (const s of lane.segments) {
      const f = lane.kind === 'stay' ? (a ? 1 - a[s] - h![s] : 1) : !a ? 0 : lane.kind === 'moved' ? a[s] : h![s];
      cA += p.n[s] * p.w[s] * p.d[s] * f;
      nA += p.n[s] * f;
      const t = policy.targeted[s] * f;
      tg += t;
      col += p.n[s] * f - t;
    }
    out.cA[j] = cA / ybf;
    out.nShare[j] = nA / nTotal;
    out.targeted[j] = tg;
    out.collateral[j] = col;
    // A cancelled move or hiring leaves its group as the segment it came from.
    const cancelled = lane.kind === 'moved' ? moveCancelled : hireCancelled;
    out.switchDay[j] = lane.kind === 'stay' || !mit || cancelled ? Infinity : mit.td + (lane.kind === 'moved' ? mit.relocation!.delay : mit.hiring!.delay);
  });
}

/** Day-by-day values of one world on one path (length T each), and its end state. */
export interface Trace {
  revenue: Float64Array;
  profit: Float64Array;
  /** The switching and mitigation costs k(t) of the day (paid only while alive). */
  cost: Float64Array;
  /** The mitigation part of k(t). */
  mitigationCost: Float64Array;
  gap: Float64Array;
  /** The product's gap e_p (0 where the product is never revoked). */
  productGap: Float64Array;
  quality: Float64Array;
  share: Float64Array;
  alive: Float64Array;
  /** Cash at the start of the day. */
  cash: Float64Array;
  /** Financing: 1 on a day with a successful round, -1 with a failed attempt, else 0. */
  financing: Float64Array;
  /** Day (1 ... T) the world became insolvent, or -1. */
  insolvencyDay: number;
  /** alive after day T-1. */
  aliveAtEnd: number;
  /** R(T-1). */
  lastRevenue: number;
  /** Σ_tail df(t) R(t) and Σ_tail df(t) alive premium(t). */
  tailRevenuePv: number;
  tailPremiumPv: number;
  /** Per lane, its days t < T revoked. */
  laneDays: Float64Array;
}

export function makeTrace(T: number, lanes = 0): Trace {
  const f = () => new Float64Array(T);
  return {
    revenue: f(),
    profit: f(),
    cost: f(),
    mitigationCost: f(),
    gap: f(),
    productGap: f(),
    quality: f(),
    share: f(),
    alive: f(),
    cash: f(),
    financing: f(),
    insolvencyDay: -1,
    aliveAtEnd: 1,
    lastRevenue: 0,
    tailRevenuePv: 0,
    tailPremiumPv: 0,
    laneDays: new Float64Array(lanes),
  };
}

/** Per-path quantities shared by every world of the path. */
export interface PathContext {
  T: number;
  /** Tail days U. */
  U: number;
  /** Rbf(t), t = 0 ... T+U-1. */
  butforRevenue: Float64Array;
  /** G(t), the fallback gap in doublings on day t >= t0 (0 before), t = 0 ... T+U-1. */
  fallbackGap: Float64Array;
  /** df(t), t = 0 ... T+U. */
  discount: Float64Array;
  /** Financing uniform u_k, the same in every world. */
  financingU: (k: number) => number;
}

/**
 * Rbf(t) for a path: Rbf(0) = R0/365, Rbf(t+1) = Rbf(t) (1 + g p^(t/365))^(1/365). With p = 1 this
 * is R0/365 (1+g)^(t/365), evaluated exactly every ANCHOR_DAYS days and by the daily factor in
 * between; with p < 1 p^(t/365) is carried the same way and the recurrence applied day by day
 * (its daily factor by dailyGrowth, fastmath.ts).
 */
export function fillButforRevenue(p: PathInputs, out: Float64Array): void {
  const base = p.R0 / 365;
  if (p.p === 1) {
    const daily = (1 + p.g) ** (1 / 365);
    let r = base;
    for (let t = 0; t < out.length; t++) {
      if (t % ANCHOR_DAYS === 0) r = base * (1 + p.g) ** (t / 365);
      out[t] = r;
      r *= daily;
    }
    return;
  }
  const step = p.p ** (1 / 365);
  let r = base;
  let pt = 1;
  for (let t = 0; t < out.length; t++) {
    if (t % ANCHOR_DAYS === 0) pt = p.p ** (t / 365);
    out[t] = r;
    r *= dailyGrowth(p.g * pt);
    pt *= step;
  }
}

/** G(t) = (L + gamma M) exp(alpha t/365) / H0 for t >= t0, with the exponential anchored every ANCHOR_DAYS days from t0. */
export function fillFallbackGap(p: PathInputs, out: Float64Array): void {
  const alphaDay = p.alpha / 365;
  const alphaStep = Math.exp(alphaDay);
  let growth = 1;
  out.fill(0, 0, Math.min(p.t0, out.length));
  for (let t = p.t0; t < out.length; t++) {
    const M = (t - p.t0) / DPM;
    growth = (t - p.t0) % ANCHOR_DAYS === 0 ? Math.exp(alphaDay * t) : growth * alphaStep;
    out[t] = ((p.L + p.gamma * M) * growth) / p.H0;
  }
}

/** The but-for world's layout: nothing revoked. */
export const BUTFOR: { lanes: Lane[]; productLane: number } = { lanes: [], productLane: -1 };

/**
 * Simulates one world over t = 0 ... T+U-1 in MODEL.md's update order, writing `out` for
 * t < T and the tail's sums. `lanes` gives each lane's masks (BUTFOR.lanes for the but-for world).
 */
export function simulateWorld(p: PathInputs, layout: { lanes: Lane[]; productLane: number }, wp: WorldPath, ctx: PathContext, out: Trace): void {
  const { T, U, butforRevenue: Rbf, fallbackGap: G, discount: df, financingU } = ctx;
  const { lanes, productLane } = layout;
  const nL = lanes.length;
  const t0 = p.t0;
  const tEnd = t0 + wp.deff;
  const kln2 = p.kappa * Math.LN2;
  const xDay = p.X / 365;
  const fin = p.financing;
  const e = new Float64Array(nL);
  const h = new Float64Array(nL).fill(1);
  const count = new Float64Array(nL);
  const decay = new Float64Array(nL).fill(1);
  const stale = new Uint8Array(nL);
  const rev = new Uint8Array(nL);
  out.laneDays.fill(0);
  const mu = productLane >= 0 ? p.mu : -1;

  let K = 1;
  let S = 1;
  let C = p.C0;
  let alive = 1;
  let insolvencyDay = -1;
  let successes = 0;
  let attempts = 0;
  let nextAttempt = 0;
  let R = 0;
  let phiPrev = 0;
  let phase = 0;
  let nextEnd = wp.phaseEnds[0];
  let tailRevenue = 0;
  let tailPremium = 0;

  for (let t = 0; t < T + U; t++) {
    const tail = t >= T;
    // 1-2. Each lane's gap: G(t) while revoked; after, decay with the lane's own tau_r.
    while (t >= nextEnd) nextEnd = wp.phaseEnds[++phase];
    const inWindow = t >= t0 && t < tEnd;
    const bit = 1 << phase;
    for (let j = 0; j < nL; j++) {
      const mask = t < wp.switchDay[j] ? lanes[j].maskBefore : lanes[j].maskAfter;
      if (inWindow && (mask & bit) !== 0) {
        rev[j] = 1;
        e[j] = G[t];
        count[j]++;
        if (!tail) out.laneDays[j]++;
        stale[j] = 1;
      } else {
        rev[j] = 0;
        if (stale[j]) {
          decay[j] = Math.exp(-1 / (p.tau0 + p.rho * count[j]));
          stale[j] = 0;
        }
        e[j] *= decay[j];
      }
      h[j] = e[j] === 0 ? 1 : fastExp(-kln2 * e[j]);
    }
    // 3. Output relative to but-for; 4. relative quality and target share.
    let lost = 0;
    for (let j = 0; j < nL; j++) lost += wp.cA[j] * (1 - h[j]);
    const yRel = 1 - lost;
    const q = mu >= 0 ? K * (1 - mu * (1 - h[productLane])) : K;
    const target = q === 1 ? 1 : powPos(q, p.eps);
    // 5. Revenue and profit.
    R = Rbf[t] * S * alive;
    if (!tail) {
      let phi = 0;
      if (productLane >= 0 && rev[productLane]) phi = 1;
      else for (let j = 0; j < nL; j++) if (rev[j]) phi += wp.nShare[j];
      let cost = phi !== phiPrev ? p.switchCost * Math.max(0, phi - phiPrev) + p.switchBackCost * Math.max(0, phiPrev - phi) : 0;
      phiPrev = phi;
      let mitigation = 0;
      if (t === wp.mitigationDay) mitigation += wp.mitigationCost;
      if (t >= wp.premiumDay) mitigation += wp.premium;
      cost += mitigation;
      const P = alive * (p.m * R - xDay - cost);
      // 6. Record.
      let gap = 0;
      for (let j = 0; j < nL; j++) gap += wp.nShare[j] * e[j];
      out.revenue[t] = R;
      out.profit[t] = P;
      out.cost[t] = cost;
      out.mitigationCost[t] = mitigation;
      out.gap[t] = gap;
      out.productGap[t] = productLane >= 0 ? e[productLane] : 0;
      out.quality[t] = q;
      out.share[t] = S;
      out.alive[t] = alive;
      out.cash[t] = C;
      // 7. Update.
      K += (yRel - K) / p.tauK;
      S += (target - S) / (target < S ? p.tauLoss : p.tauWin);
      C += P;
      if (fin && alive === 1 && C < fin.raiseBelow && successes < fin.maxRounds && t + 1 >= nextAttempt) {
        const ok = financingU(attempts++) < fin.pf * powPos(q, fin.psi);
        if (ok) {
          C += fin.roundSize;
          successes++;
        }
        out.financing[t] = ok ? 1 : -1;
        nextAttempt = t + 1 + fin.retryDays;
      }
      if (alive === 1 && C < -p.B) {
        alive = 0;
        insolvencyDay = t + 1;
      }
      if (t === T - 1) out.lastRevenue = R;
    } else {
      // The tail: revenue (and the hiring premium) only; alive stays as after day T-1.
      tailRevenue += df[t] * R;
      if (t >= wp.premiumDay) tailPremium += df[t] * (alive * wp.premium);
      K += (yRel - K) / p.tauK;
      S += (target - S) / (target < S ? p.tauLoss : p.tauWin);
    }
  }
  out.insolvencyDay = insolvencyDay;
  out.aliveAtEnd = alive;
  out.tailRevenuePv = tailRevenue;
  out.tailPremiumPv = tailPremium;
}
