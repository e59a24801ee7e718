/**
 * `accessgap population FILE`: every archetype of a population of firms under every policy, the
 * common inputs shared on each path; writes population.json, population.csv, frontier.csv, charts,
 * summary.md and report.html into reports/<name>/, atomically, like `run`.
 *
 *   population file (scenario/population.ts) -> runPopulation (study/population.ts, one pass per
 *   archetype) -> analysis/population.ts -> files (report/population.ts) -> the pipeline writes them
 */
import type { Command } from '@commander-js/extra-typings';
import { populationJson } from '../analysis/population.js';
import { makePlan } from '../engine/block.js';
import { estimateRun } from '../engine/guards.js';
import { buildPopulationFiles } from '../report/population.js';
import type { LoadedPopulation } from '../scenario/population.js';
import { populationPasses, runPopulation } from '../study/population.js';
import { loadPopulationOrReport } from './io.js';
import { withRunFlags } from './options.js';
import { runFolderCommand, type FolderCommand, type Registrar } from './pipeline.js';

const define = (program: Command) =>
  withRunFlags(
    program.command('population').description('run every archetype of a population of firms under every policy, and write the population folder').argument('<population>', 'population file (.yaml, .yml or .json)'),
    'population paths',
    'population folder (default: reports/<name>)',
  ).exitOverride();

export type PopulationFlags = ReturnType<ReturnType<typeof define>['opts']>;

/** The copies of the files as run: the population and each archetype's scenario (by archetype name). */
function copyFiles(pop: LoadedPopulation, files: Map<string, string | Uint8Array>): void {
  files.set(/\.json$/i.test(pop.file) ? 'population-file.json' : 'population.yaml', pop.bytes);
  for (const a of pop.archetypes) files.set(`archetypes/${a.name}${/\.json$/i.test(a.scenarioFile) ? '.json' : '.yaml'}`, a.scenarioBytes);
}

export const populationCommand: FolderCommand<PopulationFlags, undefined, LoadedPopulation> = {
  name: 'population',
  folder: (name) => name,
  load: loadPopulationOrReport,
  sourceOf: (pop) => ({ name: pop.name, sha256: pop.sha256, simulation: pop.simulation, copy: (files) => copyFiles(pop, files) }),
  prepare: () => undefined,
  estimate(pop, _prepared, settings) {
    // The archetypes run one after another: time adds up, memory is the largest one's.
    const estimates = populationPasses(pop, settings.paths).map((pass) => estimateRun(makePlan(pass.loaded!, pass.study), pass.paths!, settings.threads));
    const estimate = { memoryMb: Math.max(...estimates.map((e) => e.memoryMb)), seconds: estimates.reduce((s, e) => s + e.seconds, 0), availableMb: estimates[0].availableMb };
    return { estimate, what: `${pop.archetypes.length} archetypes on ${settings.paths.toLocaleString('en-US')} population paths`, advice: 'reduce --paths or simulation.firms_per_path' };
  },
  async work({ loaded: pop, settings, signal, onProgress, finishProgress, started }) {
    const run = await runPopulation(pop, { ...settings, signal, onProgress });
    finishProgress();
    const json = populationJson(pop, run);
    return buildPopulationFiles(json, { threads: settings.threads, simulateSeconds: run.simulateSeconds, wallSeconds: (performance.now() - started) / 1000 });
  },
};

export const registerPopulation: Registrar = (program, io, setExit) => define(program).action(async (file, flags) => setExit(await runFolderCommand(populationCommand, file, flags, io)));
