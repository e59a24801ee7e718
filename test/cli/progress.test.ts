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
  it('is silent when stderr is not a terminal, and with --quiet', () => {
    let clock = 0;
    for (const [tty, enabled] of [[false, true], [true, false]]) {
      const { io: stream, lines } = io(tty);
      const bar = makeProgress(stream, enabled, () => clock);
      clock += 5_000;
      bar.update(5, 10);
      bar.finish();
      expect(lines).toEqual([]);
    }
  });
});
