/** A progress line on stderr (paths done, rate, ETA), drawn only on a terminal after the first second. */
import type { Io } from './io.js';

export function makeProgress(io: Io, enabled: boolean, now: () => number = () => performance.now()): { update(done: number, total: number): void; finish(): void } {
  const start = now();
  let last = 0;
  let drawn = false;
  return {
    update(done, total) {
      if (!enabled || !io.errIsTTY) return;
      const t = now();
      if (t - start < 1000 || (t - last < 100 && done < total)) return;
      last = t;
      const rate = done / ((t - start) / 1000);
      const eta = rate > 0 ? (total - done) / rate : 0;
      const width = 24;
      const filled = Math.round((width * done) / total);
      io.err(`\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} paths  ${Math.round(rate).toLocaleString('en-US')} paths/s  ETA ${eta < 60 ? `${eta.toFixed(0)}s` : `${(eta / 60).toFixed(1)}min`}   `);
      drawn = true;
    },
    finish() {
      if (drawn) io.err('\r\x1b[K');
    },
  };
}
