/**
 * Shards (accessgap run --shard I/N, accessgap merge): any number of shards, each run with any
 * threads, merge to the bytes of one machine's run; parts that do not make one run are refused.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectSameReport, reportFiles, runCli, tempDir, toYaml, uncertainDoc } from '../helpers.js';

describe('shards', () => {
  const dir = tempDir('accessgap-shard-');
  const scenario = join(dir, 'scenario.yaml');
  const doc = uncertainDoc();
  doc.mitigation.decision = 'expected';
  writeFileSync(scenario, toYaml(doc));
  // Four blocks: seven shards leave some empty.
  const paths = '3500';
  const single = join(dir, 'single');

  it('1, 2, 3 and 7 shards merge to the bytes of one run, whatever threads each shard used', async () => {
    expect((await runCli(['run', scenario, '--paths', paths, '--out', single, '--quiet', '--threads', '2'])).code).toBe(0);
    const expected = reportFiles(single);
    expect(expected.has('summary.json') && expected.has('series.csv') && expected.has('charts/revenue.vl.json')).toBe(true);
    for (const n of [1, 2, 3, 7]) {
      const parts: string[] = [];
      for (let i = 1; i <= n; i++) {
        const part = join(dir, `n${n}-p${i}`);
        const r = await runCli(['run', scenario, '--paths', paths, '--shard', `${i}/${n}`, '--out', part, '--quiet', '--threads', String(1 + (i % 2))]);
        expect(r.code, r.err).toBe(0);
        parts.push(part);
      }
      const merged = join(dir, `merged-${n}`);
      // Parts in any order.
      const r = await runCli(['merge', ...parts.reverse(), '--out', merged, '--quiet', '--threads', '1']);
      expect(r.code, r.err).toBe(0);
      expectSameReport(merged, single);
    }
  }, 240_000);

  it('refuses a missing, a duplicated or a foreign shard, and a file that is not one (exit 2, nothing written)', async () => {
    const part = (i: number, n: number, extra: string[] = []) => join(dir, `r-${i}-${n}${extra.join('')}`);
    for (const [i, n] of [
      [1, 2],
      [2, 2],
    ])
      expect((await runCli(['run', scenario, '--paths', paths, '--shard', `${i}/${n}`, '--out', part(i, n), '--quiet'])).code).toBe(0);
    expect((await runCli(['run', scenario, '--paths', paths, '--seed', '99', '--shard', '2/2', '--out', part(2, 2, ['seed']), '--quiet'])).code).toBe(0);
    const out = join(dir, 'never');
    const refused = async (args: string[], message: RegExp) => {
      const r = await runCli(['merge', ...args, '--out', out]);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(message);
      expect(() => readdirSync(out)).toThrow();
    };
    await refused([part(1, 2)], /merge: shard 2 of 2 is missing/);
    await refused([part(1, 2), part(1, 2), part(2, 2)], /merge: shard 1 of 2 is given twice/);
    await refused([part(1, 2), part(2, 2, ['seed'])], /belongs to another run than .*: its seed is 99, not 20|belongs to another run than .*: its seed is 99, not 7/);
    await refused([part(1, 2), scenario], /expected a shard file \(accessgap\/shard@3, written by accessgap run --shard\), found a file without its signature/);
    // A part whose packed sketch counts were cut short, and a part of the earlier format.
    const file = join(part(2, 2), 'shard.agshard');
    const bytes = readFileSync(file);
    const header = JSON.parse(bytes.subarray(12, 12 + bytes.readUInt32LE(8)).toString()) as { arrays: { name: string; type: string; length: number }[] };
    let at = (12 + bytes.readUInt32LE(8) + 7) & ~7;
    for (const a of header.arrays) {
      if (a.name === 'sketch.0.counts') break;
      at += (a.length * (a.type === 'f64' ? 8 : a.type === 'u8' ? 1 : 4) + 7) & ~7;
    }
    const counts = header.arrays.find((a) => a.name === 'sketch.0.counts')!;
    const damaged = Buffer.from(bytes);
    damaged[at + counts.length - 1] |= 128;
    writeFileSync(join(dir, 'damaged.agshard'), damaged);
    await refused([part(1, 2), join(dir, 'damaged.agshard')], /damaged.agshard: expected a shard file .*found a damaged file \(sketch 0's counts do not unpack/);
    const older = Buffer.from(bytes);
    older.write('AGSHARD1', 0);
    writeFileSync(join(dir, 'older.agshard'), older);
    await refused([part(1, 2), join(dir, 'older.agshard')], /found a shard of another format \(AGSHARD1\): merge with the version that ran the shards/);
    await refused([part(1, 2), join(dir, 'nowhere')], /no such file/);
    // A part cut short: its paths' values are read only at the merge, but the file's size is checked first.
    writeFileSync(join(dir, 'short.agshard'), bytes.subarray(0, bytes.length - 8));
    await refused([part(1, 2), join(dir, 'short.agshard')], /short.agshard: expected a shard file .*found a cut-off file/);
    // --precision cannot be sharded.
    const r = await runCli(['run', scenario, '--shard', '1/2', '--precision', '0.1', '--out', join(dir, 'p')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--shard needs a fixed number of paths/);
  }, 120_000);
});
