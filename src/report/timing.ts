/**
 * timing.json: everything about a command's run that depends on the machine or the moment (the
 * thread count, wall-clock and CPU seconds, peak memory, Node and platform). No other file of a
 * report may, so two runs of the same scenario, seed and paths compare byte for byte apart from it.
 * It also names the engine as installed: its version and, run from a checkout, the git commit; and
 * the day loop's build that ran (simd or scalar: the same bits, engine/kernel.ts).
 */
import { kernelBuild } from '../engine/kernel.js';
import { ENGINE } from '../version.js';

/** timing.json's text: the command's own numbers, then its peak memory (taken now unless given), CPU seconds and the machine. */
export function timingJson(timing: Record<string, number | undefined>): string {
  return JSON.stringify({ schema: 'accessgap/timing@1', ...timing, peak_rss_mb: timing.peak_rss_mb ?? peakRssMb(), cpu_seconds: cpuSeconds(), node: process.version, platform: `${process.platform}-${process.arch}`, engine: ENGINE, kernel: kernelBuild() }, null, 1) + '\n';
}

/** The process's peak resident memory so far, in MB. */
export const peakRssMb = (): number => Math.round(process.resourceUsage().maxRSS / 1024);

const cpuSeconds = (): number => {
  const cpu = process.cpuUsage();
  return (cpu.user + cpu.system) / 1e6;
};

/**
 * A report's timing.json as the command writes it: its peak memory and CPU seconds taken again
 * once every other file is built. A command writes timing.json with its numbers, and then draws
 * its charts and documents, which take more memory than simulating did (a default run: about
 * 100 MB more than when its timing was first written).
 */
export function finishTiming(files: Map<string, string | Uint8Array>): void {
  const text = files.get('timing.json');
  if (typeof text !== 'string') return;
  const timing = JSON.parse(text) as Record<string, unknown>;
  timing.peak_rss_mb = peakRssMb();
  timing.cpu_seconds = cpuSeconds();
  files.set('timing.json', JSON.stringify(timing, null, 1) + '\n');
}
