/**
 * The bad-input corpus (test/fixtures/invalid/, messages in expected.json): every file is refused
 * by `validate` and `run` with exit 2 and a message naming the file, the key path, what was
 * expected and what was found (with line and column wherever the parser got that far), no stack
 * trace, and nothing written. Two more inputs are generated here rather than committed: a file of
 * tens of megabytes, and random mutations are in the property tests.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers.js';

const DIR = 'test/fixtures/invalid';
const expected = JSON.parse(readFileSync(join(DIR, 'expected.json'), 'utf8')) as Record<string, string>;
const files = readdirSync(DIR).filter((f) => f !== 'expected.json').sort();
/** Inputs refused where no position exists: before parsing (encoding, emptiness), for a document
 * that holds nothing, or while resolving aliases. */
const NO_POSITION = new Set(['binary-garbage.yaml', 'invalid-utf8.yaml', 'utf16.yaml', 'empty.yaml', 'only-comments.yaml', 'alias-bomb.yaml']);

describe('bad-input corpus', () => {
  it('has at least 40 files, each with an expected message', () => {
    expect(files.length).toBeGreaterThanOrEqual(40);
    expect(files.filter((f) => !(f in expected))).toEqual([]);
    expect(Object.keys(expected).filter((f) => !files.includes(f))).toEqual([]);
  });

  it.each(files)('%s: validate and run exit 2 with the expected message, located, and write nothing', async (f) => {
    const file = join(DIR, f);
    const out = join(tempDir(), 'report');
    for (const args of [['validate', file], ['run', file, '--out', out, '--threads', '1']]) {
      const r = await runCli(args);
      expect(r.code, r.err).toBe(2);
      expect(r.err).toContain(expected[f]);
      expect(r.err).toContain(`${file}${NO_POSITION.has(f) ? ':' : ''}`);
      if (!NO_POSITION.has(f)) expect(r.err).toMatch(new RegExp(`${file.replaceAll('.', '\\.')}:\\d+:\\d+: `));
      expect(r.err).not.toMatch(/\n\s+at .*:\d+:\d+\)?\n/); // no stack trace
      expect(r.out).toBe('');
    }
    expect(existsSync(out)).toBe(false);
  });

  it('refuses a file of tens of megabytes before parsing it', async () => {
    const file = join(tempDir(), 'huge.yaml');
    writeFileSync(file, `name: huge\ntitle: x\n# ${'padding '.repeat(4_000_000)}\n`);
    const r = await runCli(['validate', file]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/\(top level\): expected a scenario file of at most 1024 KiB, found 30\.5 MiB/);
  });
});
