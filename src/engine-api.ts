/** The engine as a library: load a scenario, run it, build the report files (used by bench/). */
export { loadScenario } from './scenario/load.js';
export { runSimulation } from './engine/run.js';
export { buildReportFiles } from './report/files.js';
export { BlockSimulator, makePlan } from './engine/block.js';
export { blockRange } from './engine/schedule.js';
export { useKernelModule, useStepClock } from './engine/kernel.js';
