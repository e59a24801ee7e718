/**
 * The worked example of docs/model.md: the day-by-day state of scenarios/worked-example.yaml,
 * rendered as Markdown tables. `npm run schema` writes them into the document and a test checks
 * the document still says what the engine computes.
 */
import type { Trace } from '../model/world.js';
import { simulatePath } from '../model/path.js';
import type { LoadedScenario } from '../scenario/load.js';
import { runSimulation } from '../engine/run.js';
import { buildSummary } from '../analysis/run.js';

const fmt = (x: number) => (Number.isInteger(x) ? x.toLocaleString('en-US') : Number(x.toPrecision(6)).toLocaleString('en-US', { maximumSignificantDigits: 6 }));

/** The day-by-day table of `policy`'s world on path 0 and its metrics (the worked examples of docs/model.md). */
export async function workedExampleMarkdown(loaded: LoadedScenario, policy = 'blanket', withCosts = false): Promise<string> {
  const s = loaded.scenario;
  const T = s.simulation.horizon_days;
  const path = simulatePath(loaded, s.simulation.seed, 0);
  const bf = path.butfor;
  const act = path.worlds.find((w) => w.layout.policy.name === policy)!.trace;
  const rows = (tr: Trace) =>
    Array.from({ length: T }, (_, t) => `| ${t} | ${fmt(tr.gap[t])} | ${fmt(tr.quality[t])} | ${fmt(tr.share[t])} | ${fmt(tr.revenue[t])} |${withCosts ? ` ${fmt(tr.cost[t])} |` : ''} ${fmt(tr.profit[t])} | ${fmt(bf.profit[t] - tr.profit[t])} |`);
  const result = await runSimulation(loaded, { seed: s.simulation.seed, paths: 1, threads: 1 });
  const m = buildSummary(loaded, result).policies[policy].metrics;
  return [
    `| day t | capability gap | quality q | share S | revenue R |${withCosts ? ' costs k |' : ''} profit P | P_butfor - P |`,
    `|---|---|---|---|---|${withCosts ? '---|' : ''}---|---|`,
    ...rows(act),
    '',
    '| metric | value |',
    '|---|---|',
    ...path.metrics.map((k) => `| ${k} | ${fmt(m[k].mean)} |`),
  ].join('\n');
}
