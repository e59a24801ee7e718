/** `accessgap validate FILE`: exit 0 when the scenario is valid, 2 with every problem otherwise. */
import { EXIT, loadOrReport, type Io } from './io.js';

export async function validateCommand(file: string, io: Io): Promise<number> {
  const loaded = await loadOrReport(file, io);
  if (!loaded) return EXIT.invalid;
  const { scenario } = loaded;
  const drawn = scenario.inputs.filter((d) => d.value.kind === 'dist' && d.value.spec.dist !== 'constant').length;
  const derived = scenario.inputs.filter((d) => d.value.kind === 'expr').length;
  io.out(`${file}: valid (${scenario.staff.length} staff segments, ${scenario.compare.length} compared policies, ${drawn} uncertain and ${derived} derived inputs)\n`);
  return EXIT.ok;
}
