/**
 * Ctrl-C (SIGINT) during a run: the workers stop within a second or two, the CLI exits 130, no
 * partial report is written, and the earlier report in the folder is left as it was. The time
 * allowed is relative to how long the machine takes, right then, to start the CLI and validate a
 * small file, so a loaded machine (CI on two busy cores) does not fail it.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers.js';

function startRun(out: string, threads: number) {
  const child = spawn(process.execPath, ['bin/accessgap.js', 'run', 'scenarios/bench.yaml', '--paths', '500000', '--threads', String(threads), '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<{ code: number | null; at: number }>((resolve) => child.on('exit', (code) => resolve({ code, at: performance.now() })));
  return { child, exited, stderr: () => stderr };
}

/** Milliseconds to start the CLI and validate a small scenario, now. */
async function baselineMs(): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, ['bin/accessgap.js', 'validate', 'scenarios/worked-example.yaml'], { stdio: 'ignore' });
  await new Promise((resolve) => child.on('exit', resolve));
  return performance.now() - started;
}

describe('interrupting a run', () => {
  it.each([1, 2])('with %i thread(s): exits 130 within two seconds (plus the time the machine takes to start the CLI) and keeps the earlier report', async (threads) => {
    const dir = tempDir();
    const out = join(dir, 'report');
    expect((await runCli(['run', 'scenarios/worked-example.yaml', '--out', out, '--quiet', '--threads', '1'])).code).toBe(0);
    const before = readFileSync(join(out, 'summary.json'), 'utf8');
    const run = startRun(out, threads);
    await new Promise((r) => setTimeout(r, 2500)); // well into the simulation
    const sent = performance.now();
    run.child.kill('SIGINT');
    const { code, at } = await run.exited;
    expect(code).toBe(130);
    const allowed = 2000 + 2 * (await baselineMs());
    expect(at - sent, `interrupt took ${Math.round(at - sent)} ms; allowed ${Math.round(allowed)} ms`).toBeLessThan(allowed);
    expect(run.stderr()).toContain('interrupted; no report written (any earlier report is unchanged)');
    expect(readFileSync(join(out, 'summary.json'), 'utf8')).toBe(before);
    expect(readdirSync(dir)).toEqual(['report']);
    expect(existsSync(join(out, 'charts'))).toBe(true);
  });
});
