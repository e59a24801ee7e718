/** The assumptions table: every input, its distribution in words, and its basis comment. */
import type { DistSpec } from '../distributions/distributions.js';
import type { InputDef, Scenario } from '../scenario/types.js';

const n = (x: number) => (Number.isInteger(x) ? String(x) : Number(x.toPrecision(6)).toString());

export function describeDistribution(s: DistSpec): string {
  switch (s.dist) {
    case 'constant':
      return n(s.value);
    case 'uniform':
      return `uniform(${n(s.min)}, ${n(s.max)})`;
    case 'triangular':
      return `triangular(min ${n(s.min)}, mode ${n(s.mode)}, max ${n(s.max)})`;
    case 'pert':
      return `PERT(min ${n(s.min)}, mode ${n(s.mode)}, max ${n(s.max)}${s.lambda !== 4 ? `, lambda ${n(s.lambda)}` : ''})`;
    case 'normal':
      return `normal(mean ${n(s.mean)}, sd ${n(s.sd)}${s.min !== undefined ? `, min ${n(s.min)}` : ''}${s.max !== undefined ? `, max ${n(s.max)}` : ''})`;
    case 'lognormal':
      return `lognormal(median ${n(Math.exp(s.mu))}, p90 ${n(Math.exp(s.mu + 1.2815515655 * s.sigma))})`;
    case 'beta':
      return `beta(${n(s.alpha)}, ${n(s.beta)}) on [${n(s.min)}, ${n(s.max)}]`;
    case 'bernoulli':
      return `bernoulli(p ${n(s.p)})`;
    case 'discrete':
      return `discrete(${s.values.map((v, i) => `${n(v)} w${n(s.weights[i])}`).join(', ')})`;
    case 'empirical':
      return `empirical(${s.values.length} values, ${n(Math.min(...s.values))} to ${n(Math.max(...s.values))})`;
    case 'mixture':
      return `mixture(${s.components.map((c) => `${n(c.weight)}: ${describeDistribution(c.spec)}`).join('; ')})`;
  }
}

export function describeInput(d: InputDef): string {
  return d.value.kind === 'expr' ? `= ${d.value.expr.source}` : describeDistribution(d.value.spec);
}

export interface AssumptionRow {
  key: string;
  value: string;
  uncertain: boolean;
  basis: string;
}

/** The settings the table shows first: how the run was set up, with their basis. */
function settingRows(s: Scenario): AssumptionRow[] {
  const value: Record<string, string> = {
    'simulation.paths': s.simulation.paths.toLocaleString('en-US'),
    'simulation.horizon_days': `${s.simulation.horizon_days} days`,
    'simulation.tail_days': `${s.simulation.tail_days} days`,
    'simulation.discount_rate': `${n(100 * s.simulation.discount_rate)}% a year`,
    'revocation.start_day': `day ${s.revocation.start_day}`,
    ...(s.revocation.ongoing_after_days !== undefined ? { 'revocation.ongoing_after_days': `access had not returned ${s.revocation.ongoing_after_days} days after the start (a known fact: durations are drawn conditional on it)` } : {}),
    ...(s.mitigation ? { 'mitigation.decision': s.mitigation.decision === 'expected' ? 'expected (the remedy with the highest expected firm value)' : 'always (every remedy that helps)' } : {}),
    countries_of_concern: s.countries_of_concern.join(', '),
  };
  const shown = Object.entries(value).map(([key, v]) => ({ key, value: v, uncertain: false, basis: s.notes[key] ?? '' }));
  // Every other value written in the file (financing.max_rounds, a licence's approval_probability, ...).
  const rest = (s.fileSettings ?? []).filter((f) => !(f.key in value)).map((f) => ({ key: f.key, value: f.value, uncertain: false, basis: s.notes[f.key] ?? f.basis }));
  return [...shown, ...rest];
}

export function assumptionRows(s: Scenario): AssumptionRow[] {
  return [...settingRows(s), ...s.inputs.map((d) => ({
    key: d.key,
    value: describeInput(d) + (d.defaulted ? ' (default)' : ''),
    uncertain: d.value.kind === 'dist' ? d.value.spec.dist !== 'constant' : true,
    basis: d.comment ?? '',
  }))];
}
