/**
 * accessgap command line: `init`, `run`, `sweep`, `sensitivity`, `exhibits`, `trace`, `validate` and `verify`, one file each,
 * built with commander (flag types inferred from their definitions).
 *
 *   argv -> commander -> a command's registrar -> (folder commands) pipeline.ts: load, settings,
 *   checks, guards -> the command's work -> writeFolderAtomically -> exit code
 */
import { Command, CommanderError } from '@commander-js/extra-typings';
import { VERSION } from '../version.js';
import { EXIT, processIo, type Io } from './io.js';
import { registerRun } from './run.js';
import { registerSweep } from './sweep.js';
import { registerSensitivity } from './sensitivity.js';
import { registerTrace } from './trace.js';
import { registerValidate } from './validate.js';
import { registerInit } from './init.js';
import { registerVerify } from './verify.js';
import { registerExhibits } from './exhibits.js';
import { registerPopulation } from './population.js';
import { registerMerge } from './merge.js';
import { registerSubmit, registerWorker } from './queue.js';

export function makeProgram(io: Io, setExit: (code: number) => void): Command {
  const program = new Command('accessgap')
    .description('Monte Carlo estimates of the harm to a firm when its staff lose access to frontier AI models')
    .version(VERSION)
    .exitOverride()
    .showHelpAfterError('(run "accessgap --help" for usage)')
    .configureOutput({ writeOut: io.out, writeErr: io.err });
  for (const register of [registerInit, registerRun, registerSweep, registerSensitivity, registerExhibits, registerPopulation, registerMerge, registerSubmit, registerWorker, registerTrace, registerValidate, registerVerify(main)]) register(program, io, setExit);
  return program;
}

/** Runs the CLI on argv (without node and script) and returns the exit code. */
export async function main(argv: string[], given: Io = processIo): Promise<number> {
  let code: number = EXIT.ok;
  const io: Io = { ...given, argv };
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
