/**
 * `accessgap trace FILE --path I [--seed S]`: re-runs one path with the per-path reference day loop
 * and prints its drawn inputs, each world's window, licence, mitigation and metrics, and, as CSV,
 * every day of the but-for world and of each compared policy's world (cash and financing
 * included), so a user can see why a path became insolvent. The way to inspect a path an error
 * message names.
 */
import { PathError } from '../sampling/draw.js';
import { DECIDED, makePlan } from '../engine/plan.js';
import { simulatePath } from '../model/path.js';
import type { Trace } from '../model/world.js';
import { plural } from '../format.js';
import type { Command } from '@commander-js/extra-typings';
import { EXIT, loadOrReport, type Io } from './io.js';
import { integer } from './options.js';
import type { Registrar } from './pipeline.js';
import { MAX_PATHS } from '../scenario/spec.js';


/** What happened to a world on the path, in words. */
function outcome(tr: Trace): string {
  let attempts = 0;
  let rounds = 0;
  for (const f of tr.financing) {
    if (f !== 0) attempts++;
    if (f === 1) rounds++;
  }
  const insolvency = tr.insolvencyDay >= 0 ? `insolvent from day ${tr.insolvencyDay}` : 'solvent to the horizon';
  return `${insolvency}; ${plural(attempts, 'financing attempt')}, ${plural(rounds, 'round')} raised`;
}

export async function traceCommand(file: string, flags: { path: number; seed?: number }, io: Io): Promise<number> {
  const loaded = await loadOrReport(file, io);
  if (!loaded) return EXIT.invalid;
  const s = loaded.scenario;
  const seed = flags.seed ?? s.simulation.seed;
  // Every world of a run's plan: the compared policies, and with decision: expected each option
  // of a mitigating policy (the run takes one of them for all its paths), and attribution sub-worlds.
  const plan = makePlan(loaded, { attribution: true });
  const shown = plan.policies.flatMap((_, i) => (plan.aliasOf[i] === DECIDED ? [] : [i]));
  const optionsOf = new Map<number, string[]>();
  for (const d of plan.decisions) for (const o of d.options) if (o.entry !== d.entry) optionsOf.set(o.entry, [...(optionsOf.get(o.entry) ?? []), `${plan.policies[d.entry].name} option ${o.option}`]);
  const label = (i: number) => (i < plan.compared ? plan.policies[i].name : (optionsOf.get(i)?.join(' = ') ?? plan.policies[i].name));
  let result;
  try {
    result = simulatePath(loaded, seed, flags.path, shown.map((i) => ({ policy: plan.policies[i], layout: plan.layouts[i] })));
  } catch (e) {
    if (!(e instanceof PathError)) throw e;
    io.err(`accessgap: ${e.message}\n  inputs of that path: ${JSON.stringify(e.inputs)}\n`);
    return EXIT.failure;
  }
  const lines = [`# accessgap trace: ${file}, seed ${seed}, path ${flags.path}`, ...s.inputs.map((d) => `# input ${d.key} = ${result.values[d.id]}`)];
  if (plan.decisions.length) lines.push('# decision: expected: a run takes, for each mitigating policy, the option with the highest mean firm value over its paths (summary.json: mitigation_decision); each option is shown as a world');
  lines.push(`# butfor: ${outcome(result.butfor)}`);
  const worlds: [string, Trace][] = [['butfor', result.butfor]];
  for (const [k, w] of result.worlds.entries()) {
    const name = label(shown[k]);
    worlds.push([name, w.trace]);
    const licence = w.licenceApproved === undefined ? '' : `, licence ${w.licenceApproved ? 'approved' : 'refused'}`;
    const mitigation = !w.layout.mitigates
      ? ''
      : w.world.mitigated
        ? `, mitigates on day ${w.world.mitigationDay} (${w.world.relocatedHeads} heads relocated, ${w.world.displacedHeads} replaced)`
        : ', does not mitigate';
    lines.push(`# policy ${name}: revoked days ${w.world.deff}${licence}${mitigation}; ${outcome(w.trace)}`);
    lines.push(`# metrics ${name}: ${result.metrics.map((m, i) => `${m}=${w.values[i]}`).join(', ')}`);
  }
  lines.push('world,day,capability_gap,product_gap,quality,share,revenue,profit,costs,cash,financing,alive');
  for (const [name, tr] of worlds) {
    for (let t = 0; t < s.simulation.horizon_days; t++) {
      lines.push([name, t, tr.gap[t], tr.productGap[t], tr.quality[t], tr.share[t], tr.revenue[t], tr.profit[t], tr.cost[t], tr.cash[t], tr.financing[t], tr.alive[t]].join(','));
    }
  }
  io.out(lines.join('\n') + '\n');
  return EXIT.ok;
}

export const registerTrace: Registrar = (program: Command, io, setExit) =>
  program
    .command('trace')
    .description("re-run one path and print its drawn inputs and every world's days as CSV")
    .argument('<scenario>', 'scenario file')
    .requiredOption('--path <i>', 'path index (0-based, as in error messages)', integer('--path', 0, MAX_PATHS - 1))
    .option('--seed <s>', 'random seed (overrides simulation.seed)', integer('--seed', -Number.MAX_SAFE_INTEGER))
    .exitOverride()
    .action(async (scenario, flags) => setExit(await traceCommand(scenario, flags, io)));
