/** `accessgap validate FILE`: exit 0 when the scenario is valid, 2 with every problem otherwise. */
import { loadScenario } from '../scenario/load.js';
import { ScenarioError } from '../scenario/problems.js';
import { EXIT, type Io } from './io.js';

export async function validateCommand(file: string, io: Io): Promise<number> {
  try {
    const { scenario } = await loadScenario(file);
    const drawn = scenario.inputs.filter((d) => d.value.kind === 'dist' && d.value.spec.dist !== 'constant').length;
    const derived = scenario.inputs.filter((d) => d.value.kind === 'expr').length;
    io.out(`${file}: valid (${scenario.staff.length} staff segments, ${scenario.compare.length} compared policies, ${drawn} uncertain and ${derived} derived inputs)\n`);
    return EXIT.ok;
  } catch (e) {
    if (e instanceof ScenarioError) {
      io.err(`${e.message}\n`);
      return EXIT.invalid;
    }
    throw e;
  }
}
