/**
 * The installed command exits once its command is done, whatever timers a library left running
 * (bin/accessgap.js): after submit, ioredis's reply parser kept the process alive for 3 s with a
 * 50 ms timer that shrinks its buffer. Here a preloaded module leaves a timer that never ends; the
 * command must still exit, with its exit code, having printed all it had to print.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';

function cli(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, ['--import', './test/fixtures/process/linger.mjs', 'bin/accessgap.js', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let [out, err] = ['', ''];
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  // A command that does not exit is killed (code null), so the test fails rather than hangs.
  const kill = setTimeout(() => child.kill('SIGKILL'), 20_000);
  return new Promise((resolve) => child.on('close', (code) => (clearTimeout(kill), resolve({ code, out, err }))));
}

describe('the accessgap command', () => {
  it('exits 0 when its command succeeds, with its output printed, though a timer is still running', async () => {
    const { code, out } = await cli(['validate', 'scenarios/worked-example.yaml']);
    expect(code).toBe(0);
    expect(out).toMatch(/worked-example/);
  }, 30_000);

  it('exits 2 on bad input, with its message printed, though a timer is still running', async () => {
    const { code, err } = await cli(['validate', 'test/fixtures/process/no-such-file.yaml']);
    expect(code).toBe(2);
    expect(err).toContain('no-such-file.yaml');
  }, 30_000);
});
