/**
 * `accessgap verify DIR`: re-runs the command a report folder's manifest.json records, in a
 * temporary folder, and compares every file that must be reproducible with the folder's own
 * (all but timing.json and manifest.json, which depend on the machine). Exit 0 with "verified: N
 * files identical"; 1 naming each file that differs; 2 for a missing or malformed manifest, or a
 * scenario file that is not where the manifest says.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NOT_COMPARED, readManifest, sha256 } from '../output/manifest.js';
import { EXIT, type Io } from './io.js';
import { plural } from '../format.js';
import { SCENARIO_COPIES } from '../report/reproduce.js';
import type { Registrar } from './pipeline.js';

export async function verifyCommand(dir: string, flags: { threads?: number }, io: Io, main: (argv: string[], io: Io) => Promise<number>): Promise<number> {
  const m = readManifest(dir);
  if (typeof m === 'string') {
    io.err(`accessgap verify: ${m}\n`);
    return EXIT.invalid;
  }
  const scenario = m.scenario.file;
  const copy = SCENARIO_COPIES.find((f) => f in m.files);
  if (!existsSync(scenario) || sha256(readFileSync(scenario)) !== m.scenario.sha256) {
    io.err(
      `accessgap verify: ${scenario}: ${existsSync(scenario) ? `differs from the file the folder was made from (sha256 ${m.scenario.sha256.slice(0, 12)}...)` : 'no such file'}; run verify from the folder the command ran in${copy ? `, with the folder's copy (${join(dir, copy)}) at that path` : ''}\n`,
    );
    return EXIT.invalid;
  }
  const tmp = mkdtempSync(join(tmpdir(), 'accessgap-verify-'));
  const out = join(tmp, 'report');
  try {
    let err = '';
    const code = await main([...m.command, '--out', out, '--quiet', ...(flags.threads ? ['--threads', String(flags.threads)] : [])], { out: () => undefined, err: (t) => void (err += t), errIsTTY: false });
    if (code !== 0) {
      io.err(`accessgap verify: re-running \`accessgap ${m.command.join(' ')}\` failed (exit ${code}):\n${err}`);
      return EXIT.failure;
    }
    const problems: string[] = [];
    let same = 0;
    for (const [name, hash] of Object.entries(m.files)) {
      if (NOT_COMPARED.includes(name)) continue;
      const mine = join(dir, name);
      const again = join(out, name);
      if (!existsSync(mine)) problems.push(`${name}: missing from ${dir}`);
      else if (!existsSync(again)) problems.push(`${name}: not written by the re-run`);
      else {
        const bytes = readFileSync(mine);
        if (sha256(bytes) !== hash) problems.push(`${name}: changed since the manifest was written`);
        else if (!bytes.equals(readFileSync(again))) problems.push(`${name}: differs from the re-run`);
        else same++;
      }
    }
    if (problems.length) {
      io.err(`accessgap verify: ${plural(problems.length, 'file')} of ${dir} not reproduced:\n${problems.map((p) => `  ${p}\n`).join('')}`);
      return EXIT.failure;
    }
    io.out(`verified: ${plural(same, 'file')} identical (${dir}; timing.json and manifest.json depend on the machine and are not compared)\n`);
    return EXIT.ok;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

export const registerVerify = (main: (argv: string[], io: Io) => Promise<number>): Registrar => (program, io, setExit) =>
  program
    .command('verify')
    .description("re-run a report folder's command from its manifest.json and compare every reproducible file")
    .argument('<dir>', 'a report folder written by run, sweep or sensitivity')
    .option('--threads <k>', 'threads for the re-run (results do not depend on it)', (v) => Number(v))
    .exitOverride()
    .action(async (dir, flags) => setExit(await verifyCommand(dir, flags, io, main)));
