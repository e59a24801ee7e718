/**
 * Progress on stderr. On a terminal: a line redrawn in place (paths done, rate, ETA) after the
 * first second. Elsewhere (a log file, CI, a pipe): a plain line at every further 10% of the
 * paths, and at least every 30 seconds, so a long command never looks stuck. A command that
 * runs several studies one after another (the exhibit pack) reports each as a part of its own:
 * when the total changes or the count starts again, the rate, the ETA and the tenths restart.
 */
import type { Io } from './io.js';

/** A plain progress line (no terminal): at least this often, and at every tenth of the work. */
export const PLAIN_EVERY_MS = 30_000;

const eta = (seconds: number) => (seconds < 60 ? `${seconds.toFixed(0)}s` : `${(seconds / 60).toFixed(1)}min`);

export function makeProgress(io: Io, enabled: boolean, now: () => number = () => performance.now()): { update(done: number, total: number): void; finish(): void } {
  let start = now();
  let last = 0;
  let drawn = false;
  let lastPlain = start;
  let lastTenth = 0;
  let [lastDone, lastTotal, part, base] = [0, 0, 1, 0];
  return {
    update(done, total) {
      if (!enabled || total <= 0) return;
      const t = now();
      if (lastTotal > 0 && (total !== lastTotal || done < lastDone)) {
        // A new part of the work: its own clock, rate and tenths, counted from this first report
        // (the time between parts is neither's).
        [start, lastPlain, lastTenth, last, base] = [t, t, 0, 0, done];
        part++;
      }
      [lastDone, lastTotal] = [done, total];
      const rate = (done - base) / Math.max(1e-9, (t - start) / 1000);
      const left = rate > 0 ? (total - done) / rate : 0;
      if (!io.errIsTTY) {
        const tenth = Math.floor((10 * done) / total);
        if (tenth > lastTenth || t - lastPlain >= PLAIN_EVERY_MS) {
          lastTenth = Math.max(lastTenth, tenth);
          lastPlain = t;
          io.err(`progress${part > 1 ? ` (part ${part})` : ''}: ${Math.floor((100 * done) / total)}% (${done.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} paths), ${eta((t - start) / 1000)} elapsed${done < total && rate > 0 ? `, about ${eta(left)} left` : ''}\n`);
        }
        return;
      }
      if (t - start < 1000 || (t - last < 100 && done < total)) return;
      last = t;
      const width = 24;
      const filled = Math.round((width * done) / total);
      io.err(`\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} paths  ${Math.round(rate).toLocaleString('en-US')} paths/s  ETA ${eta(left)}   `);
      drawn = true;
    },
    finish() {
      if (drawn) io.err('\r\x1b[K');
    },
  };
}
