// node bench/breakdown.mjs (npm run bench runs it too): where a world-path-day's nanoseconds go,
// on one thread, in-process. For the benchmark scenario and for the default scenario (model v3:
// phases, the firm's mitigation decision and the attribution sub-worlds), each simulator's own
// clocks (BlockSimulator.spent) split a block's time into drawing the inputs and setting up the
// worlds (JavaScript), the day loop (WebAssembly) and the metrics (JavaScript). Running the same
// paths again with one stored series day, and then without the tail, splits the day loop into the
// horizon's day steps, the series (sketch inserts and sums) and the tail. Medians of three, each on
// a simulator warmed by one block first. Prints a Markdown table.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { BlockSimulator, blockRange, loadScenario, makePlan } from '../dist/engine.js';

const dir = mkdtempSync(join(tmpdir(), 'accessgap-bench-breakdown-'));
const BLOCKS = 6;
const REPEAT = 3;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** One thread's milliseconds per part over BLOCKS blocks of the scenario with `change` applied to its simulation section. */
async function spent(file, change) {
  const doc = parse(readFileSync(file, 'utf8'));
  const variant = join(dir, `${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(variant, JSON.stringify({ ...doc, simulation: { ...doc.simulation, ...change(doc.simulation) } }));
  const loaded = await loadScenario(variant);
  const plan = makePlan(loaded, { attribution: true });
  const paths = (BLOCKS + 1) * 1024;
  const sim = new BlockSimulator(loaded, plan, { seed: 1, paths });
  sim.run(0, ...blockRange(0, paths));
  const warm = sim.spent;
  for (let b = 1; b <= BLOCKS; b++) sim.run(b, ...blockRange(b, paths));
  const s = sim.spent;
  return {
    setup: s.setupMs - warm.setupMs,
    dayLoop: s.dayLoopMs - warm.dayLoopMs,
    metrics: s.metricsMs - warm.metricsMs,
    worlds: 1 + plan.aliasOf.filter((a) => a === -1).length,
    horizon: loaded.scenario.simulation.horizon_days,
    tail: loaded.scenario.simulation.tail_days,
  };
}

async function breakdown(label, file) {
  const runs = { full: [], oneSeriesDay: [], noTail: [] };
  for (let k = 0; k < REPEAT; k++) {
    runs.full.push(await spent(file, () => ({})));
    runs.oneSeriesDay.push(await spent(file, (s) => ({ series_step_days: s.horizon_days })));
    runs.noTail.push(await spent(file, (s) => ({ series_step_days: s.horizon_days, tail_days: 0 })));
  }
  const m = (which, part) => median(runs[which].map((r) => r[part]));
  const { worlds, horizon, tail } = runs.full[0];
  // Every part per world-path-day of the full run (horizon and tail days counted alike).
  const ns = (ms) => (ms * 1e6) / (BLOCKS * 1024 * worlds * (horizon + tail));
  const parts = [
    ['drawing inputs and setting up worlds (JavaScript)', m('full', 'setup')],
    [`day steps over the ${horizon}-day horizon (WebAssembly)`, m('noTail', 'dayLoop')],
    ['daily series: sketch inserts and sums', m('full', 'dayLoop') - m('oneSeriesDay', 'dayLoop')],
    [`the ${tail}-day tail`, m('oneSeriesDay', 'dayLoop') - m('noTail', 'dayLoop')],
    ['metrics from the final states (JavaScript)', m('full', 'metrics')],
  ];
  const total = parts.reduce((t, [, ms]) => t + ms, 0);
  return [
    `| **${label}** (${worlds} worlds, ${horizon} + ${tail} days) | **${ns(total).toFixed(1)}** | **100%** |`,
    ...parts.map(([what, ms]) => `| ${what} | ${ns(ms).toFixed(1)} | ${((100 * ms) / total).toFixed(0)}% |`),
  ];
}

try {
  const lines = [
    `Where the time goes, one thread, ${(BLOCKS * 1024).toLocaleString('en-US')} paths (medians of ${REPEAT}; ns per world-path-day of the full run):`,
    '',
    '| part | ns per world-path-day | share |',
    '|---|---|---|',
    ...(await breakdown('scenarios/bench.yaml', 'scenarios/bench.yaml')),
    ...(await breakdown('scenarios/legion-canada.yaml (v3: phases, decision, attribution)', 'scenarios/legion-canada.yaml')),
  ];
  console.log(lines.join('\n'));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
