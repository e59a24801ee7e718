// node bench/breakdown.mjs (npm run bench runs it too): where a world-path-day's nanoseconds go,
// on one thread, in-process. For the benchmark scenario and for the default scenario (model v3:
// phases, the firm's mitigation decision and the attribution sub-worlds), each simulator's own
// clocks (BlockSimulator.spent) split a block's time into drawing the inputs and setting up the
// worlds (JavaScript), the day loop (WebAssembly) and the metrics (JavaScript). Running the same
// paths again with one stored series day, and then without the tail, splits the day loop into the
// horizon's day steps, the series (sketch inserts and sums) and the tail. Medians of three, each on
// a simulator warmed by one block first. Then the day loop step by step: the kernel's source
// compiled again with a clock call after each step (useStepClock), the transcendental chains
// (2^(-kappa e), q^eps) among them. Prints two Markdown tables.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { BlockSimulator, blockRange, loadScenario, makePlan, useKernelModule, useStepClock } from '../dist/engine.js';
import { instrumentKernelSource, STEPS } from './steps.mjs';
import { compileKernelSource } from '../scripts/compile-kernel.mjs';

const dir = mkdtempSync(join(tmpdir(), 'accessgap-bench-breakdown-'));
const BLOCKS = 6;
const REPEAT = 3;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * One thread's milliseconds per part over BLOCKS blocks of the scenario with `change` applied to its
 * simulation section; `warmed` is called once the warm-up block has run.
 */
async function spent(file, change, warmed = () => {}) {
  const doc = parse(readFileSync(file, 'utf8'));
  const variant = join(dir, `${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(variant, JSON.stringify({ ...doc, simulation: { ...doc.simulation, ...change(doc.simulation) } }));
  const loaded = await loadScenario(variant);
  const plan = makePlan(loaded, { attribution: true });
  const paths = (BLOCKS + 1) * 1024;
  const sim = new BlockSimulator(loaded, plan, { seed: 1, paths });
  sim.run(0, ...blockRange(0, paths));
  warmed();
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

/** Rows of the step table for one scenario: ns per world-path-day of each step (the fastest of REPEAT). */
async function steps(label, file) {
  let best;
  for (let k = 0; k < REPEAT; k++) {
    const ms = new Float64Array(STEPS.length);
    let last = performance.now();
    let counting = false;
    useStepClock((step) => {
      const now = performance.now();
      // Step 0 marks the start of a block's day loop: the time before it is not the loop's.
      if (counting && step > 0) ms[step] += now - last;
      last = now;
    });
    const run = await spent(file, () => ({}), () => (counting = true));
    counting = false;
    const total = ms.reduce((a, b) => a + b, 0);
    if (!best || total < best.total) best = { ms, total, run };
  }
  const { worlds, horizon, tail } = best.run;
  const ns = (ms) => (ms * 1e6) / (BLOCKS * 1024 * worlds * (horizon + tail));
  return [
    `| **${label}** (${worlds} worlds; the day loop) | **${ns(best.total).toFixed(1)}** | **100%** |`,
    ...STEPS.slice(1).map(([, name], i) => `| ${name} | ${ns(best.ms[i + 1]).toFixed(1)} | ${((100 * best.ms[i + 1]) / best.total).toFixed(0)}% |`),
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
  // The steps, on the instrumented build (its clock calls cost about 1% more).
  useKernelModule(await compileKernelSource(instrumentKernelSource(readFileSync('src/wasm/kernel.ts', 'utf8')), 'simd'));
  lines.push(
    '',
    `The day loop step by step, one thread, ${(BLOCKS * 1024).toLocaleString('en-US')} paths, the SIMD build with a clock call after each step (the fastest of ${REPEAT}; ns per world-path-day):`,
    '',
    '| step | ns per world-path-day | share |',
    '|---|---|---|',
    ...(await steps('scenarios/bench.yaml', 'scenarios/bench.yaml')),
    ...(await steps('scenarios/legion-canada.yaml', 'scenarios/legion-canada.yaml')),
  );
  console.log(lines.join('\n'));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
