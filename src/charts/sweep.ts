/** The charts of a sweep, from sweep.json's data: harm, marginal harm and probabilities against the input; a heatmap for two. */
import { isDuration, unit, type SweepJson } from '../analysis/sweep.js';
import type { Summary } from '../stats/summary.js';
import { chartSet, moneyAxis, MONEY_FORMAT, MONEY_LABEL, policyColor } from './theme.js';
import { formatMoney } from '../format.js';
import { keyFacts } from '../scenario/spec.js';
import type { Chart } from './specs.js';

export function sweepCharts(json: SweepJson): Chart[] {
  const policies = Object.keys(json.points[0]?.policies ?? {});
  const { ctx, charts, add } = chartSet({ ...json.run, ...json.scenario }, policies);
  const cur = json.scenario.currency;
  const keys = json.keys.map((k) => k.key);
  if (keys.length === 1) {
    const key = keys[0];
    const x = { field: 'x', type: 'quantitative' as const, title: isDuration(json) ? 'Days without access' : key };
    const harm = json.points.flatMap((p) => policies.map((policy) => ({ policy, x: p.values[key], ...pick(p.policies[policy].metrics.total_harm) })));
    const facet = { field: 'policy', type: 'nominal' as const, title: null, sort: policies };
    const columns = policies.length <= 2 ? policies.length : policies.length <= 4 ? 2 : 3;
    add('sweep-harm', 'Total harm against the swept input', 'Per policy: mean total harm (line), 25th to 75th percentile (dark band) and 5th to 95th percentile (light band) across paths, on the same paths at every point.', {
      data: { values: harm },
      facet,
      columns,
      spec: {
        width: 230,
        height: 150,
        layer: [
          { mark: { type: 'area', opacity: 0.15 }, encoding: { x, y: { field: 'p05', type: 'quantitative', ...moneyAxis(`Total harm (${cur})`) }, y2: { field: 'p95' }, color: policyColor(ctx) } },
          { mark: { type: 'area', opacity: 0.3 }, encoding: { x, y: { field: 'p25', type: 'quantitative' }, y2: { field: 'p75' }, color: policyColor(ctx) } },
          { mark: { type: 'line', strokeWidth: 2, point: true }, encoding: { x, y: { field: 'mean', type: 'quantitative' }, color: policyColor(ctx), tooltip: [{ field: 'policy', type: 'nominal' }, { field: 'x', type: 'quantitative', title: key }, { field: 'mean', type: 'quantitative', format: MONEY_FORMAT }] } },
        ],
      },
    });
    const marginal = (json.marginal ?? []).filter((r) => r.metric === 'total_harm').map((r) => ({ policy: r.policy, x: (r.from + r.to) / 2, mean: r.per_unit.mean, lo: r.per_unit.ci95?.[0] ?? r.per_unit.mean, hi: r.per_unit.ci95?.[1] ?? r.per_unit.mean }));
    add('sweep-marginal', `Harm of one more ${unit(json)}`, `Paired change in mean total harm per ${unit(json)} between consecutive points (dot, at the middle of the step) with its 95% interval, from the per-path differences.`, {
      data: { values: marginal },
      facet,
      columns,
      resolve: { scale: { y: 'independent' } },
      spec: {
        width: 230,
        height: 150,
        layer: [
          { mark: { type: 'rule', strokeWidth: 2 }, encoding: { x, y: { field: 'lo', type: 'quantitative', ...moneyAxis(`Per ${unit(json)} (${cur})`) }, y2: { field: 'hi' }, color: policyColor(ctx) } },
          { mark: { type: 'line', point: true, strokeWidth: 1.5 }, encoding: { x, y: { field: 'mean', type: 'quantitative' }, color: policyColor(ctx), tooltip: [{ field: 'policy', type: 'nominal' }, { field: 'x', type: 'quantitative' }, { field: 'mean', type: 'quantitative', format: MONEY_FORMAT }] } },
        ],
      },
    });
    const probs = json.points.flatMap((p) =>
      policies.flatMap((policy) => {
        const m = p.policies[policy].metrics;
        const after = m.lost_revenue.mean > 0 ? m.lost_revenue_after_restoration.mean / m.lost_revenue.mean : 0;
        return [
          { policy, x: p.values[key], panel: 'P(insolvent because of it)', value: m.attributable_insolvency.mean },
          { policy, x: p.values[key], panel: 'Lost revenue after return', value: after },
        ];
      }),
    );
    add('sweep-probabilities', 'Insolvency and harm after restoration against the swept input', 'Probability that the policy causes insolvency within the horizon, and the share of expected lost revenue that falls after access returns (ratio of means).', {
      data: { values: probs },
      facet: { field: 'panel', type: 'nominal', title: null },
      columns: 2,
      resolve: { scale: { y: 'independent' } },
      spec: { width: 300, height: 200, mark: { type: 'line', point: true, strokeWidth: 2 }, encoding: { x, y: { field: 'value', type: 'quantitative', title: null, axis: { format: '.1~%' } }, color: { ...policyColor(ctx), legend: { title: null, orient: 'bottom', columns: 4 } }, tooltip: [{ field: 'policy', type: 'nominal' }, { field: 'x', type: 'quantitative' }, { field: 'value', type: 'quantitative', format: '.2%' }] } },
    });
  } else {
    const [k1, k2] = keys;
    const cells = json.points.flatMap((p) => policies.map((policy) => ({ policy, a: p.values[k1], b: p.values[k2], mean: p.policies[policy].metrics.total_harm.mean })));
    const top = Math.max(...cells.map((c) => c.mean));
    const low = Math.min(...cells.map((c) => c.mean));
    // Each cell's value written in it (light on the darker half of the scale), and money inputs' axes as money.
    const labelled = cells.map((c) => ({ ...c, label: formatMoney(c.mean, cur), dark: top > low && (c.mean - low) / (top - low) > 0.55 }));
    const axisOf = (key: string) => (keyFacts(key).facts.money ? { labelExpr: MONEY_LABEL } : {});
    add('sweep-heatmap', 'Mean total harm over two inputs', `Mean total harm per policy at every combination of ${k1} and ${k2}, on the same paths; each cell's value is written in it.`, {
      data: { values: labelled },
      facet: { field: 'policy', type: 'nominal', title: null, sort: policies },
      columns: Math.min(3, policies.length),
      spec: {
        width: Math.max(220, 56 * json.keys[0].points.length),
        height: Math.max(180, 24 * json.keys[1].points.length),
        encoding: {
          x: { field: 'a', type: 'ordinal', title: k1, sort: 'ascending', axis: { labelAngle: 0, ...axisOf(k1) } },
          y: { field: 'b', type: 'ordinal', title: k2, sort: 'descending', axis: axisOf(k2) },
        },
        layer: [
          {
            mark: 'rect',
            encoding: {
              color: { field: 'mean', type: 'quantitative', title: `Mean total harm (${cur})`, legend: moneyAxis('').axis },
              tooltip: [{ field: 'a', type: 'quantitative', title: k1 }, { field: 'b', type: 'quantitative', title: k2 }, { field: 'mean', type: 'quantitative', format: MONEY_FORMAT }],
            },
          },
          { mark: { type: 'text', fontSize: 10 }, encoding: { text: { field: 'label', type: 'nominal' }, color: { condition: { test: 'datum.dark', value: 'white' }, value: '#222' } } },
        ],
      },
    });
  }
  return charts;
}

const pick = (x: Summary) => ({ mean: x.mean, p05: x.p05, p25: x.p25, p50: x.p50, p75: x.p75, p95: x.p95 });
