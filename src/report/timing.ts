/**
 * timing.json: everything about a command's run that depends on the machine or the moment (the
 * thread count, wall-clock and CPU seconds, peak memory, Node and platform). No other file of a
 * report may, so two runs of the same scenario, seed and paths compare byte for byte apart from it.
 * It also names the engine as installed: its version and, run from a checkout, the git commit; and
 * the day loop's build that ran (simd or scalar: the same bits, engine/kernel.ts).
 */
import { kernelBuild } from '../engine/kernel.js';
import { ENGINE } from '../version.js';

export function timingJson(timing: Record<string, number | undefined>): string {
  const cpu = process.cpuUsage();
  return JSON.stringify({ schema: 'accessgap/timing@1', ...timing, cpu_seconds: (cpu.user + cpu.system) / 1e6, node: process.version, platform: `${process.platform}-${process.arch}`, engine: ENGINE, kernel: kernelBuild() }, null, 1) + '\n';
}
