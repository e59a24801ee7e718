/**
 * accessgap command line: `run`, `sweep`, `sensitivity`, `validate` and `trace`, built with commander.
 *
 *   scenario file -> loadScenario -> runSimulation -> buildSummary/charts -> writeFolderAtomically
 */
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { VERSION } from '../version.js';
import { EXIT, processIo, type Io } from './io.js';
import { runCommand } from './run.js';
import { validateCommand } from './validate.js';
import { traceCommand } from './trace.js';
import { sweepCommand } from './sweep.js';
import { sensitivityCommand } from './sensitivity.js';
import { MAX_PATHS } from '../scenario/spec.js';

const integer =
  (name: string, min: number, max = Number.MAX_SAFE_INTEGER) =>
  (value: string): number => {
    const n = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`expected ${name} as an integer ${max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`}, found "${value}"`);
    }
    return n;
  };

const share =
  (name: string) =>
  (value: string): number => {
    const x = Number(value);
    if (!/^\s*[\d.eE+-]+\s*$/.test(value) || !(x > 0 && x <= 1)) throw new InvalidArgumentError(`expected ${name} as a number in (0, 1], found "${value}"`);
    return x;
  };

/**
 * A command that simulates and writes a folder (run, sweep, sensitivity, ...): the same common
 * flags on each, in the same order; the command adds its own before them.
 */
function withCommonFlags(cmd: Command, pathsDoc: string, outDoc: string, allowLargeDoc = 'run even when the estimated memory or time exceeds the limits'): Command {
  return cmd
    .option('--paths <n>', `${pathsDoc} (overrides simulation.paths; at most 10,000,000)`, integer('--paths', 1, MAX_PATHS))
    .option('--seed <s>', 'random seed (overrides simulation.seed)', integer('--seed', -Number.MAX_SAFE_INTEGER))
    .option('--out <dir>', outDoc)
    .option('--threads <k>', 'worker threads (default: the number of cores; results do not depend on it)', integer('--threads', 1, 256))
    .option('--quiet', 'print nothing but errors')
    .option('--allow-large', allowLargeDoc)
    .option('--precision <rel>', "run whole blocks of paths until the 95% half-width of every policy's mean total harm is at most this share of the mean (overrides simulation.precision); --paths is then the most to run", share('--precision'))
    .option('--precision-abs <p>', 'with --precision: also until each insolvency probability is known to this many points (0.005 = half a point)', share('--precision-abs'))
    .option('--max-paths <n>', 'with --precision: the most paths to run (default: --paths or simulation.paths)', integer('--max-paths', 1, MAX_PATHS))
    .exitOverride();
}

export function makeProgram(io: Io, setExit: (code: number) => void): Command {
  const program = new Command('accessgap')
    .description('Monte Carlo estimates of the harm to a firm when its staff lose access to frontier AI models')
    .version(VERSION)
    .exitOverride()
    .showHelpAfterError('(run "accessgap --help" for usage)')
    .configureOutput({ writeOut: io.out, writeErr: io.err });

  withCommonFlags(
    program.command('run').description('simulate a scenario and write its report folder').argument('<scenario>', 'scenario file (.yaml, .yml or .json)'),
    'Monte Carlo paths',
    'report folder (default: reports/<name>)',
    'run even when the estimated memory or time exceeds the limits (or paths.csv its size limit)',
  )
    .option('--save-paths', "also write paths.csv: every path's drawn inputs and every metric of every policy")
    .action(async (scenario: string, opts) => setExit(await runCommand(scenario, opts, io)));

  withCommonFlags(
    program.command('sweep').description('run the same paths at every point of one input (a curve) or two (a grid), and write the sweep folder').argument('<scenario>', 'scenario file'),
    'Monte Carlo paths at each point',
    'sweep folder (default: reports/<name>-sweep)',
  )
    .option('--vary <key=values>', 'an input by its key path and its points: a comma list or lo:hi:step (once, or twice for a grid)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--durations <list>', 'shorthand for --vary revocation.duration_days=<list>')
    .action(async (scenario: string, opts) => setExit(await sweepCommand(scenario, opts, io)));

  withCommonFlags(
    program
      .command('sensitivity')
      .description('which uncertain inputs drive a metric: a tornado (each input at a low and a high percentile), rank correlations and Sobol indices, on the same paths')
      .argument('<scenario>', 'scenario file'),
    'Monte Carlo paths per run',
    'sensitivity folder (default: reports/<name>-sensitivity)',
  )
    .option('--policy <name>', 'a compared policy to analyse (repeat for several; default: every compared policy)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--metric <name>', 'the metric to explain (default total_harm)')
    .option('--method <m>', 'tornado, rank, sobol or all (default all)')
    .option('--tornado-quantiles <lo,hi>', 'the percentiles of the tornado (default 0.1,0.9)')
    .option('--sobol-paths <n>', "paths per matrix of Saltelli's scheme for the Sobol indices (default: --paths, at most 1,024)", integer('--sobol-paths', 2, MAX_PATHS))
    .action(async (scenario: string, opts) => setExit(await sensitivityCommand(scenario, opts, io)));

  program
    .command('trace')
    .description("re-run one path and print its drawn inputs and every world's days as CSV")
    .argument('<scenario>', 'scenario file')
    .requiredOption('--path <i>', 'path index (0-based, as in error messages)', integer('--path', 0, MAX_PATHS - 1))
    .option('--seed <s>', 'random seed (overrides simulation.seed)', integer('--seed', -Number.MAX_SAFE_INTEGER))
    .exitOverride()
    .action(async (scenario: string, opts) => setExit(await traceCommand(scenario, opts, io)));

  program
    .command('validate')
    .description('check a scenario file; exit 0 if valid, 2 if not')
    .argument('<scenario>', 'scenario file')
    .exitOverride()
    .action(async (scenario: string) => setExit(await validateCommand(scenario, io)));

  return program;
}

/** Runs the CLI on argv (without node and script) and returns the exit code. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  let code: number = EXIT.ok;
  const program = makeProgram(io, (c) => (code = c));
  try {
    if (argv.length === 0) {
      program.outputHelp();
      return EXIT.invalid;
    }
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help' ? EXIT.ok : EXIT.invalid;
    }
    io.err(`accessgap: internal error: ${(e as Error).stack ?? String(e)}\n`);
    return EXIT.failure;
  }
}
