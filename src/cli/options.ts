/**
 * The command line's flags, defined once: their parsers, and the flags every folder-writing
 * command shares. Flag types are inferred from these definitions (@commander-js/extra-typings),
 * so a command's `flags` type is what commander parses, never a hand-written copy.
 */
import { Command, InvalidArgumentError } from '@commander-js/extra-typings';
import { MAX_PATHS } from '../scenario/spec.js';

export const integer =
  (name: string, min: number, max = Number.MAX_SAFE_INTEGER) =>
  (value: string): number => {
    const n = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`expected ${name} as an integer ${max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`}, found "${value}"`);
    }
    return n;
  };

export const share =
  (name: string) =>
  (value: string): number => {
    const x = Number(value);
    if (!/^\s*[\d.eE+-]+\s*$/.test(value) || !(x > 0 && x <= 1)) throw new InvalidArgumentError(`expected ${name} as a number in (0, 1], found "${value}"`);
    return x;
  };

/** A repeatable flag's values, in order. */
export const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

/**
 * The flags of a command that simulates and writes a folder (run, sweep, sensitivity, ...), the
 * same on each and in the same order, after the command's own.
 */
export function withCommonFlags<A extends unknown[], O extends Record<string, unknown>>(cmd: Command<A, O>, pathsDoc: string, outDoc: string, allowLargeDoc = 'run even when the estimated memory or time exceeds the limits') {
  return withRunFlags(cmd, pathsDoc, outDoc, allowLargeDoc)
    .option('--precision <rel>', "run whole blocks of paths until the 95% half-width of every policy's mean total harm is at most this share of the mean (overrides simulation.precision); --paths is then the most to run", share('--precision'))
    .option('--precision-abs <p>', 'with --precision: also until each insolvency probability is known to this many points (0.005 = half a point)', share('--precision-abs'))
    .option('--max-paths <n>', 'with --precision: the most paths to run (default: --paths or simulation.paths)', integer('--max-paths', 1, MAX_PATHS))
    .exitOverride();
}

/** The flags of every command that simulates a number of paths: paths, seed, out, threads, quiet, allow-large (population and submit have these only). */
export function withRunFlags<A extends unknown[], O extends Record<string, unknown>>(cmd: Command<A, O>, pathsDoc: string, outDoc: string, allowLargeDoc = 'run even when the estimated memory or time exceeds the limits') {
  return cmd
    .option('--paths <n>', `${pathsDoc} (overrides simulation.paths; at most 10,000,000)`, integer('--paths', 1, MAX_PATHS))
    .option('--seed <s>', 'random seed (overrides simulation.seed)', integer('--seed', -Number.MAX_SAFE_INTEGER))
    .option('--out <dir>', outDoc)
    .option('--threads <k>', 'worker threads (default: the number of cores; results do not depend on it)', integer('--threads', 1, 256))
    .option('--quiet', 'print nothing but errors')
    .option('--allow-large', allowLargeDoc)
    .option('--redis <url>', "run every pass as shards on the workers of this Redis queue (accessgap worker; docs/distributed.md): the same bytes as on this machine")
    .option('--shards <n>', 'with --redis: the shards each pass is split into (default 2)', integer('--shards', 1, 4096));
}

/** The common flags' parsed values, as commander gives them. */
export type CommonFlags = ReturnType<ReturnType<typeof withCommonFlags<[], {}>>['opts']>;
