/** `accessgap init NAME`: write a commented starter scenario that validates and runs. */
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { MAX_NAME_LENGTH, SLUG } from '../scenario/spec.js';
import { starterScenario } from '../scenario/starter.js';
import { PACKAGE_ROOT } from '../version.js';
import { EXIT, type Io } from './io.js';
import type { Registrar } from './pipeline.js';
import { usage } from './messages.js';

/** The package's JSON Schema, if the installed package has it. */
function schemaFile(): string | undefined {
  const file = PACKAGE_ROOT && join(PACKAGE_ROOT, 'schema', 'scenario.schema.json');
  return file && existsSync(file) ? file : undefined;
}

export function initCommand(name: string, flags: { out?: string }, io: Io): number {
  // The format's own rule for a scenario's name.
  if (!SLUG.test(name) || name.length > MAX_NAME_LENGTH) {
    io.err(usage(`init NAME: expected NAME as lower-case letters, digits and dashes (it becomes the scenario's name and reports/NAME/), found "${name}"`));
    return EXIT.invalid;
  }
  const file = flags.out ?? `${name}.yaml`;
  const schema = schemaFile();
  const text = starterScenario(name, schema ? relative(dirname(resolve(file)), schema).split('\\').join('/') : 'scenario.schema.json');
  try {
    // 'wx': never overwrite a file that is there.
    writeFileSync(file, text, { flag: 'wx' });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    io.err(`${file}: ${code === 'EEXIST' ? 'already exists; init never overwrites a file (choose another name or --out)' : `cannot be written (${code ?? (e as Error).message})`}\n`);
    return EXIT.invalid;
  }
  io.out(`Wrote ${file}: a starter scenario with placeholder values. Replace them with your firm's figures, then:\n  npx accessgap validate ${file}\n  npx accessgap run ${file}\n`);
  return EXIT.ok;
}

export const registerInit: Registrar = (program, io, setExit) =>
  program
    .command('init')
    .description('write a commented starter scenario NAME.yaml that validates and runs')
    .argument('<name>', 'the scenario name (lower-case letters, digits and dashes)')
    .option('--out <file>', 'where to write it (default: NAME.yaml here)')
    .exitOverride()
    .action((name, flags) => setExit(initCommand(name, flags, io)));
