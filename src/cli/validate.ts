/** `accessgap validate FILE`: exit 0 when the scenario (or population) is valid (warnings printed), 2 with every problem otherwise. */
import { plural } from '../format.js';
import { placedWarnings } from '../model/warnings.js';
import { EXIT, isPopulationFile, loadOrReport, loadPopulationOrReport, type Io } from './io.js';
import type { Registrar } from './pipeline.js';

export async function validateCommand(file: string, io: Io): Promise<number> {
  if (await isPopulationFile(file)) return validatePopulation(file, io);
  const loaded = await loadOrReport(file, io);
  if (!loaded) return EXIT.invalid;
  const { scenario } = loaded;
  const drawn = scenario.inputs.filter((d) => d.value.kind === 'dist' && d.value.spec.dist !== 'constant').length;
  const derived = scenario.inputs.filter((d) => d.value.kind === 'expr').length;
  io.out(
    `${file}: valid (${plural(scenario.staff.length, 'staff segment')}, ${plural(scenario.compare.length, 'compared policy', 'compared policies')}, ${plural(drawn, 'uncertain input')} and ${plural(derived, 'derived input')})\n`,
  );
  const warnings = placedWarnings(loaded);
  if (warnings.length) io.err(`${file}: ${plural(warnings.length, 'warning')}\n${warnings.map((w) => `${file}${w.line === undefined ? '' : `:${w.line}:${w.column}`}: warning: ${w.text}\n`).join('')}`);
  return EXIT.ok;
}

/** A population: valid when it and every archetype's scenario are (each scenario's own warnings: validate it alone). */
async function validatePopulation(file: string, io: Io): Promise<number> {
  const pop = await loadPopulationOrReport(file, io);
  if (!pop) return EXIT.invalid;
  io.out(`${file}: valid population (${plural(pop.archetypes.length, 'archetype')}, ${plural(pop.compare.length, 'compared policy', 'compared policies')}, ${plural(pop.commonKeys.length, 'common input')})\n`);
  return EXIT.ok;
}

export const registerValidate: Registrar = (program, io, setExit) =>
  program
    .command('validate')
    .description('check a scenario or population file; exit 0 if valid, 2 if not')
    .argument('<scenario>', 'scenario file')
    .exitOverride()
    .action(async (scenario) => setExit(await validateCommand(scenario, io)));
