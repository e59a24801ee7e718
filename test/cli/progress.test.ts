import { describe, expect, it } from 'vitest';
import { makeProgress } from '../../src/cli/progress.js';

function io(tty: boolean) {
  const lines: string[] = [];
  return { io: { out: () => undefined, err: (t: string) => void lines.push(t), errIsTTY: tty }, lines };
}

describe('progress bar', () => {
  it('draws paths done, rate and ETA on a terminal once a run has lasted a second', () => {
    let clock = 0;
    const { io: term, lines } = io(true);
    const bar = makeProgress(term, true, () => clock);
    bar.update(1_000, 10_000);
    expect(lines).toEqual([]); // under a second: nothing yet
    clock = 2_000;
    bar.update(4_000, 10_000);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\r\[#{10}-{14}\] 4,000\/10,000 paths {2}2,000 paths\/s {2}ETA 3s/);
    bar.finish();
    expect(lines[1]).toBe('\r\x1b[K');
  });
  it('is silent with --quiet', () => {
    let clock = 0;
    const { io: stream, lines } = io(false);
    const bar = makeProgress(stream, false, () => clock);
    clock += 5_000;
    bar.update(5, 10);
    bar.finish();
    expect(lines).toEqual([]);
  });
  it('prints a plain line at every tenth of the paths and at least every 30 seconds when stderr is not a terminal', () => {
    let clock = 0;
    const { io: log, lines } = io(false);
    const bar = makeProgress(log, true, () => clock);
    clock = 1_000;
    bar.update(500, 100_000); // under a tenth, under 30 s: nothing
    expect(lines).toEqual([]);
    clock = 2_000;
    bar.update(10_000, 100_000);
    expect(lines).toEqual(['progress: 10% (10,000 of 100,000 paths), 2s elapsed, about 18s left\n']);
    bar.update(12_000, 100_000); // the same tenth: nothing
    expect(lines).toHaveLength(1);
    clock = 40_000; // 38 s later, still in the same tenth: a line all the same
    bar.update(15_000, 100_000);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^progress: 15% \(15,000 of 100,000 paths\), 40s elapsed, about 3\.8min left\n$/);
    clock = 50_000;
    bar.update(100_000, 100_000);
    expect(lines[2]).toBe('progress: 100% (100,000 of 100,000 paths), 50s elapsed\n');
    bar.finish();
    expect(lines).toHaveLength(3); // no terminal codes
    // No line ever carries a carriage return or an escape sequence.
    expect(lines.join('')).not.toMatch(/[\r\x1b]/);
  });
  it('reports a further part of the work (a new total, or a count that starts again) with its own rate and tenths', () => {
    let clock = 0;
    const { io: log, lines } = io(false);
    const bar = makeProgress(log, true, () => clock);
    clock = 10_000;
    bar.update(1_000, 1_000);
    expect(lines).toEqual(['progress: 100% (1,000 of 1,000 paths), 10s elapsed\n']);
    clock = 14_000; // the next study's first report: its clock starts here (the gap before is neither part's)
    bar.update(5_000, 50_000);
    expect(lines[1]).toBe('progress (part 2): 10% (5,000 of 50,000 paths), 0s elapsed\n');
    clock = 18_000;
    bar.update(10_000, 50_000);
    expect(lines[2]).toBe('progress (part 2): 20% (10,000 of 50,000 paths), 4s elapsed, about 32s left\n');
    clock = 20_000; // a third, with the same total as the second, counting from 0 again
    bar.update(1_000, 50_000);
    clock = 21_000;
    bar.update(6_000, 50_000);
    expect(lines.at(-1)).toBe('progress (part 3): 12% (6,000 of 50,000 paths), 1s elapsed, about 9s left\n');
  });
});
