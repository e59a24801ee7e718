/**
 * A validated scenario. Keys keep the file's names (the format is the vocabulary economists
 * read); every *(dist)* field is replaced by an InputRef, the index of its entry in `inputs`.
 */
import type { DistSpec } from '../distributions/distributions.js';
import type { Range } from './spec.js';

export type InputRef = number;

export interface ExpressionSource {
  source: string;
  /** `section.key` names it reads, filled in by the expression checker. */
  names: string[];
}

export interface InputDef {
  id: InputRef;
  /** Key path in the file: `staff[1].ai_dependence`. */
  key: string;
  /** `section.key` name expressions may use, for inputs of the expression sections. */
  name?: string;
  range: Range;
  /** Rounded half up and floored at 0 (durations, processing days). */
  integer: boolean;
  /** A drawn distribution (a plain number is `constant`) or a derived-input expression. */
  value: { kind: 'dist'; spec: DistSpec } | { kind: 'expr'; expr: ExpressionSource };
  /** Index of the pair of uniforms it draws from; licence processing times share one slot. */
  slot: number;
  /** Comment written beside the key in the file (basis and status of a calibrated value). */
  comment?: string;
  /** The default applied because the key was left out. */
  defaulted?: boolean;
}

export interface Financing {
  raise_below: InputRef;
  round_size: InputRef;
  success_probability: InputRef;
  quality_sensitivity: InputRef;
  retry_days: InputRef;
  max_rounds: number;
}

export interface Segment {
  name: string;
  headcount: number;
  nationality: string;
  location: string;
  us_person: boolean;
  ai_dependence: InputRef;
  weight: InputRef;
}

export interface Restrict {
  nationality_in?: string[];
  nationality_not_in?: string[];
  location_in?: string[];
  location_not_in?: string[];
  everyone?: boolean;
  product?: boolean;
}

export interface Phase {
  restrict: Restrict;
  /** The party whose decision this phase is (section 4c), when the policy names parties. */
  by?: string;
  /** Its length in days (every phase but the last); InputRef. */
  days?: InputRef;
}

export interface Policy {
  name: string;
  description?: string;
  /** The rule of a one-phase policy (as in the file, or its only phase); undefined otherwise. */
  restrict?: Restrict;
  /** Every policy as phases: `restrict: X` is one phase; no rule at all, none. */
  phases: Phase[];
  license?: { approval_probability: number; processing_days: InputRef };
  /** false: no mitigation in this world (default true). */
  mitigate: boolean;
  /** reported, hypothetical or proposed (an extension that changes no number). */
  status?: 'reported' | 'hypothetical' | 'proposed';
}

export interface Mitigation {
  decide_after_days: InputRef;
  /** expected (the option with the highest expected firm value) or always (v2). */
  decision: 'expected' | 'always';
  relocation?: { share: InputRef; delay_days: InputRef; cost_per_head: InputRef };
  hiring?: { share: InputRef; delay_days: InputRef; cost_per_head: InputRef; premium_annual: InputRef };
}

/** Caption fields of the exhibit pack (dates as YYYY-MM-DD text); none changes a number. */
export interface Exhibit {
  case?: string;
  court?: string;
  case_number?: string;
  party?: string;
  prepared_by?: string;
  date?: string;
  revocation_date?: string;
  as_of?: string;
  hearing_date?: string;
  restore_dates?: string[];
  events?: { date: string; label: string }[];
}

export interface Scenario {
  /** The file as given and its SHA-256, for provenance. */
  file: string;
  sha256: string;
  name: string;
  title: string;
  currency: string;
  simulation: { paths: number; seed: number; horizon_days: number; discount_rate: number; series_step_days: number; tail_days: number; precision?: number; sampling: 'mc' | 'lhs' | 'qmc' };
  firm: {
    revenue_annual: InputRef;
    revenue_growth: InputRef;
    growth_persistence: InputRef;
    gross_margin: InputRef;
    operating_costs_annual: InputRef;
    cash: InputRef;
    credit_line: InputRef;
    revenue_multiple: InputRef;
    financing?: Financing;
  };
  staff: Segment[];
  frontier: { doubling_months: InputRef; acceleration: InputRef };
  fallback: { lag_months: InputRef; lag_growth: InputRef };
  productivity: { capability_elasticity: InputRef };
  adaptation: { base_days: InputRef; per_revoked_day: InputRef; switch_cost: InputRef; switch_back_cost: InputRef };
  product: { obsolescence_days: InputRef; model_dependence: InputRef };
  market: { quality_elasticity: InputRef; loss_days: InputRef; winback_days: InputRef; permanent_share: InputRef };
  revocation: { start_day: number; duration_days: InputRef; ongoing_after_days?: number };
  mitigation?: Mitigation;
  exhibit?: Exhibit;
  countries_of_concern: string[];
  /** Every policy in file order. */
  policies: Policy[];
  /** Names of the compared policies, in run order. */
  compare: string[];
  /** Every *(dist)* input, in the format's canonical order. */
  inputs: InputDef[];
  /** Inputs that are expressions, in an order where each comes after those it reads. */
  expressionOrder: InputRef[];
  /** Number of uniform pairs each path draws. */
  slots: number;
  /** Rank correlations as given, and the copula that draws them (undefined: independent inputs). */
  correlations: { between: [string, string]; rank: number }[];
  copula?: { slots: number[]; cholesky: Float64Array };
  /** Basis comments of settings (NOTED_SETTINGS) by key path, from the file's comments or its basis map. */
  notes: Record<string, string>;
  /** Every other value written in the file (settings), in file order with the comment beside it: the assumptions table lists them. */
  fileSettings: { key: string; value: string; basis: string }[];
  /** Slot whose first uniform decides licence approval (shared by every policy); -1 if none. */
  licenseApprovalSlot: number;
}
