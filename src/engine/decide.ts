/**
 * The firm's mitigation decision (docs/model.md section 4b, decision: expected), made after the
 * run on its own paths: every option of a deciding world was simulated on the same paths, and the
 * world takes the option with the highest mean firm value W over the paths where the decision
 * arises (Q = 1); none wins ties, any other tie goes to the option listed first. One option per
 * world and run: the firm decides with what it knows on the decision day, not with a path's future.
 *
 *   per option: W = W_butfor - total_harm on every path -> mean over Q = 1 -> the largest
 */
import type { MitigationOption } from '../model/world.js';
import type { Plan } from './plan.js';
import type { Accumulated } from './reduce.js';

/** A decision as made on the run's paths. */
export interface DecisionRun {
  /** The deciding entry, and each option with the entry that has its results. */
  entry: number;
  options: { option: MitigationOption; entry: number }[];
  /** Per path: 1 when the decision arises (Q). */
  arises: Float64Array;
  chosen: MitigationOption;
}

/** Each deciding entry's choice, and the entry whose results it takes. */
export function chooseOptions(plan: Plan, acc: Pick<Accumulated, 'metrics' | 'butforValue' | 'arises'>): { decisions: DecisionRun[]; chosen: Map<number, number> } {
  const j = plan.metrics.indexOf('total_harm');
  const n = acc.butforValue.length;
  const decisions: DecisionRun[] = [];
  const chosen = new Map<number, number>();
  for (const d of plan.decisions) {
    const arises = d.arisesFrom >= 0 ? acc.arises[d.arisesFrom] : new Float64Array(n);
    let best = d.options[0];
    let bestMean = -Infinity;
    for (const o of d.options) {
      const harm = acc.metrics[o.entry][j];
      let sum = 0;
      let count = 0;
      for (let k = 0; k < n; k++) {
        if (arises[k] !== 1) continue;
        sum += acc.butforValue[k] - harm[k];
        count++;
      }
      const mean = count > 0 ? sum / count : -Infinity;
      if (mean > bestMean) [best, bestMean] = [o, mean];
    }
    decisions.push({ entry: d.entry, options: d.options, arises, chosen: best.option });
    chosen.set(d.entry, best.entry);
  }
  return { decisions, chosen };
}
