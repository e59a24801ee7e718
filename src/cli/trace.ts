/**
 * `accessgap trace FILE --path I [--seed S]`: re-runs one path with the per-path reference day loop
 * and prints its drawn inputs and, as CSV, every day of the but-for world and of each compared
 * policy's world. The way to inspect a path an error message names.
 */
import { PathError, makeInputDrawer } from '../sampling/draw.js';
import { resolvePolicies, revokedDays } from '../model/policies.js';
import { fillButforRevenue, makeTrace, readPathInputs, simulateWorld, type Trace } from '../model/world.js';
import { EXIT, loadOrReport, type Io } from './io.js';

export async function traceCommand(file: string, flags: { path: number; seed?: number }, io: Io): Promise<number> {
  const loaded = await loadOrReport(file, io);
  if (!loaded) return EXIT.invalid;
  const s = loaded.scenario;
  const seed = flags.seed ?? s.simulation.seed;
  const T = s.simulation.horizon_days;
  const drawer = makeInputDrawer(s, loaded.expressions, seed);
  const values = new Float64Array(s.inputs.length);
  let approvalU: number;
  try {
    approvalU = drawer.draw(flags.path, values);
  } catch (e) {
    if (!(e instanceof PathError)) throw e;
    io.err(`accessgap: ${e.message}\n  inputs of that path: ${JSON.stringify(e.inputs)}\n`);
    return EXIT.failure;
  }
  const p = readPathInputs(s, values);
  const rbf = new Float64Array(T);
  fillButforRevenue(p, rbf);
  const ctx = { T, butforRevenue: rbf, financingU: drawer.financing(flags.path) };
  const lines = [`# accessgap trace: ${file}, seed ${seed}, path ${flags.path}`, ...s.inputs.map((d) => `# input ${d.key} = ${values[d.id]}`)];
  const worlds: [string, Trace][] = [];
  const butfor = makeTrace(T);
  simulateWorld(p, { segments: [], product: false, revokedDays: 0 }, ctx, butfor);
  worlds.push(['butfor', butfor]);
  for (const pol of resolvePolicies(s)) {
    const ref = pol.policy.license?.processing_days;
    const D = revokedDays(pol, p.D, approvalU, ref === undefined ? 0 : values[ref]);
    const trace = makeTrace(T);
    simulateWorld(p, { segments: pol.segments, product: pol.product, revokedDays: D }, ctx, trace);
    worlds.push([pol.name, trace]);
    lines.push(`# policy ${pol.name}: revoked days ${D}, ${trace.insolvencyDay >= 0 ? `insolvent from day ${trace.insolvencyDay}` : 'solvent'}`);
  }
  lines.push('world,day,capability_gap,quality,share,revenue,profit,alive');
  for (const [name, tr] of worlds) {
    for (let t = 0; t < T; t++) lines.push([name, t, tr.gap[t], tr.quality[t], tr.share[t], tr.revenue[t], tr.profit[t], tr.alive[t]].join(','));
  }
  io.out(lines.join('\n') + '\n');
  return EXIT.ok;
}
