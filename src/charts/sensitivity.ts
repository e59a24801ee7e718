/** The charts of a sensitivity analysis, from sensitivity.json's data: a tornado per policy, rank correlations, Sobol indices. */
import type { SensitivityJson } from '../analysis/sensitivity.js';
import { MONEY_METRICS } from '../model/metrics.js';
import { sig6 as n6 } from '../format.js';
import { chartSet, moneyAxis, MONEY_FORMAT } from './theme.js';
import type { Chart } from './specs.js';

export function sensitivityCharts(json: SensitivityJson): Chart[] {
  const policies = Object.keys(json.policies);
  const { charts, add } = chartSet({ ...json.run, ...json.scenario }, policies);
  const money = MONEY_METRICS.includes(json.run.metric as never);
  const label = (key: string) => {
    const st = json.inputs.find((i) => i.key === key)?.status;
    return st ? `${key} [${st}]` : key;
  };
  const [qLo, qHi] = json.run.tornado_quantiles;
  for (const policy of policies) {
    const p = json.policies[policy];
    if (p.tornado?.length) {
      const rows = p.tornado.slice(0, 15).map((r, i) => ({ input: label(r.input), order: i, low: r.mean_low, high: r.mean_high, base: p.base_mean, lowValue: n6(r.low_value), highValue: n6(r.high_value) }));
      const y = { field: 'input', type: 'nominal' as const, title: null, sort: rows.map((r) => r.input), axis: { labelLimit: 280 } };
      const x = { type: 'quantitative' as const, ...(money ? moneyAxis(`${json.run.metric} (${json.scenario.currency})`) : { title: json.run.metric }) };
      add(`tornado-${policy}`, `What moves ${json.run.metric}: ${policy}`, `Mean ${json.run.metric} with each input at its ${Math.round(100 * qLo)}th (light) and ${Math.round(100 * qHi)}th (dark) percentile, every other input drawn as usual on the same paths; line: the base run's mean. Status labels from the scenario's comments; inputs by swing, largest first (at most 15).`, {
        data: { values: rows },
        width: 520,
        height: 22 * rows.length + 10,
        layer: [
          { mark: { type: 'bar', height: 14, color: '#9ecae1' }, encoding: { y, x: { field: 'low', ...x }, x2: { field: 'base' }, tooltip: [{ field: 'input' }, { field: 'lowValue', title: 'low value' }, { field: 'low', type: 'quantitative', title: 'mean at low', ...(money ? { format: MONEY_FORMAT } : {}) }] } },
          { mark: { type: 'bar', height: 14, color: '#2171b5' }, encoding: { y, x: { field: 'high', type: 'quantitative' }, x2: { field: 'base' }, tooltip: [{ field: 'input' }, { field: 'highValue', title: 'high value' }, { field: 'high', type: 'quantitative', title: 'mean at high', ...(money ? { format: MONEY_FORMAT } : {}) }] } },
          { mark: { type: 'rule', color: '#000' }, encoding: { x: { field: 'base', type: 'quantitative' } } },
        ],
      });
    }
  }
  const rankRows = policies.flatMap((policy) => (json.policies[policy].rank ?? []).map((r) => ({ policy, input: r.input, rho: r.spearman, lo: r.ci95?.[0] ?? r.spearman, hi: r.ci95?.[1] ?? r.spearman })));
  if (rankRows.length) {
    const order = [...new Set([...rankRows].sort((a, b) => Math.abs(b.rho) - Math.abs(a.rho)).map((r) => r.input))];
    add('rank-correlations', `Rank correlations with ${json.run.metric}`, `Spearman correlation between each input's draw and ${json.run.metric} across the base run's paths, with its 95% interval (Fisher z, Bonett-Wright standard error); one panel per policy.`, {
      data: { values: rankRows },
      facet: { field: 'policy', type: 'nominal', title: null, sort: policies },
      columns: Math.min(3, policies.length),
      spec: {
        width: 220,
        height: 16 * order.length + 10,
        layer: [
          { mark: { type: 'bar', height: 10, color: '#4292c6' }, encoding: { y: { field: 'input', type: 'nominal', title: null, sort: order, axis: { labelLimit: 240 } }, x: { field: 'rho', type: 'quantitative', title: 'Spearman', scale: { domain: [-1, 1] } }, tooltip: [{ field: 'input' }, { field: 'rho', type: 'quantitative', format: '.3f' }] } },
          { mark: { type: 'rule', color: '#222' }, encoding: { y: { field: 'input', type: 'nominal', sort: order }, x: { field: 'lo', type: 'quantitative' }, x2: { field: 'hi' } } },
        ],
      },
    });
  }
  const sobolRows = policies.flatMap((policy) =>
    (json.policies[policy].sobol ?? []).slice(0, 15).flatMap((r) => [
      { policy, input: r.input, index: 'first order (S1)', value: r.S1, lo: r.S1_ci95[0], hi: r.S1_ci95[1] },
      { policy, input: r.input, index: 'total order (ST)', value: r.ST, lo: r.ST_ci95[0], hi: r.ST_ci95[1] },
    ]),
  );
  if (sobolRows.length) {
    add('sobol-indices', `Sobol indices of ${json.run.metric}`, `Share of the variance of ${json.run.metric} each input explains alone (first order, S1) and with its interactions (total order, ST), with 95% bootstrap intervals; ${json.run.sobol_paths?.toLocaleString('en-US')} paths per matrix (Saltelli's scheme). Inputs by total order, largest first (at most 15 per policy).`, {
      data: { values: sobolRows },
      facet: { field: 'policy', type: 'nominal', title: null, sort: policies },
      columns: Math.min(2, policies.length),
      spec: {
        width: 260,
        height: { step: 12 },
        layer: [
          { mark: { type: 'point', filled: true, size: 40 }, encoding: { y: { field: 'input', type: 'nominal', title: null, sort: { field: 'value', op: 'max', order: 'descending' }, axis: { labelLimit: 240 } }, x: { field: 'value', type: 'quantitative', title: 'index' }, yOffset: { field: 'index' }, color: { field: 'index', type: 'nominal', title: null, scale: { range: ['#6baed6', '#08519c'] }, legend: { orient: 'bottom' } }, tooltip: [{ field: 'input' }, { field: 'index' }, { field: 'value', type: 'quantitative', format: '.3f' }] } },
          { mark: { type: 'rule' }, encoding: { y: { field: 'input', type: 'nominal', sort: { field: 'value', op: 'max', order: 'descending' } }, yOffset: { field: 'index' }, x: { field: 'lo', type: 'quantitative' }, x2: { field: 'hi' }, color: { field: 'index', type: 'nominal' } } },
        ],
      },
    });
  }
  return charts;
}
