/**
 * `accessgap trace FILE --path I [--seed S]`: re-runs one path with the per-path reference day loop
 * and prints its drawn inputs and, as CSV, every day of the but-for world and of each compared
 * policy's world. The way to inspect a path an error message names.
 */
import { PathError } from '../sampling/draw.js';
import { simulatePath } from '../model/path.js';
import type { Trace } from '../model/world.js';
import { EXIT, loadOrReport, type Io } from './io.js';

export async function traceCommand(file: string, flags: { path: number; seed?: number }, io: Io): Promise<number> {
  const loaded = await loadOrReport(file, io);
  if (!loaded) return EXIT.invalid;
  const s = loaded.scenario;
  const seed = flags.seed ?? s.simulation.seed;
  let result;
  try {
    result = simulatePath(loaded, seed, flags.path);
  } catch (e) {
    if (!(e instanceof PathError)) throw e;
    io.err(`accessgap: ${e.message}\n  inputs of that path: ${JSON.stringify(e.inputs)}\n`);
    return EXIT.failure;
  }
  const lines = [`# accessgap trace: ${file}, seed ${seed}, path ${flags.path}`, ...s.inputs.map((d) => `# input ${d.key} = ${result.values[d.id]}`)];
  const worlds: [string, Trace][] = [['butfor', result.butfor]];
  for (const w of result.worlds) {
    worlds.push([w.policy.name, w.trace]);
    lines.push(`# policy ${w.policy.name}: revoked days ${w.revokedDays}, ${w.trace.insolvencyDay >= 0 ? `insolvent from day ${w.trace.insolvencyDay}` : 'solvent'}`);
  }
  lines.push('world,day,capability_gap,quality,share,revenue,profit,alive');
  for (const [name, tr] of worlds) {
    for (let t = 0; t < s.simulation.horizon_days; t++) lines.push([name, t, tr.gap[t], tr.quality[t], tr.share[t], tr.revenue[t], tr.profit[t], tr.alive[t]].join(','));
  }
  io.out(lines.join('\n') + '\n');
  return EXIT.ok;
}
