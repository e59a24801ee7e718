/**
 * The exhibit block (captions and calendar of accessgap exhibits): validated like every key, dates
 * real and in order, and changing no number of a run.
 */
import { describe, expect, it } from 'vitest';
import { baseScenario, loadDoc, runCli, simulate, tempDir, toYaml } from '../helpers.js';
import { ScenarioError } from '../../src/scenario/problems.js';
import { writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

async function messages(doc: unknown): Promise<string> {
  try {
    await loadDoc(doc);
    return '';
  } catch (e) {
    if (!(e instanceof ScenarioError)) throw e;
    return e.message;
  }
}

const withExhibit = (exhibit: Record<string, unknown>) => Object.assign(baseScenario(), { exhibit });

describe('the exhibit block', () => {
  it('takes captions, dates and events, and leaves the assumptions table and every number alone', async () => {
    const doc = withExhibit({ case: 'A v. B', court: 'D.D.C.', party: 'Plaintiff', revocation_date: '2026-06-12', as_of: '2026-06-23', hearing_date: '2026-07-01', events: [{ date: '2026-06-23', label: 'complaint filed' }] });
    const loaded = await loadDoc(doc);
    expect(loaded.scenario.exhibit).toMatchObject({ case: 'A v. B', as_of: '2026-06-23', events: [{ date: '2026-06-23', label: 'complaint filed' }] });
    expect(loaded.scenario.fileSettings.some((f) => f.key.startsWith('exhibit'))).toBe(false);
    const [a, b] = [await simulate(loaded, { paths: 40, seed: 3 }), await simulate(await loadDoc(baseScenario()), { paths: 40, seed: 3 })];
    expect(a.result.metrics).toEqual(b.result.metrics);
  });

  it('refuses a date that is not on the calendar, naming the key and what it found', async () => {
    expect(await messages(withExhibit({ revocation_date: '2026-02-30' }))).toMatch(/exhibit\.revocation_date: expected a calendar date written YYYY-MM-DD, such as 2026-06-12, found the string "2026-02-30"/);
    expect(await messages(withExhibit({ revocation_date: '12 June 2026' }))).toMatch(/exhibit\.revocation_date: expected a calendar date/);
    expect(await messages(withExhibit({ events: [{ date: '2026-06-23' }], revocation_date: '2026-06-12' }))).toMatch(/exhibit\.events\[0\]\.label/);
  });

  it('needs revocation_date for anything placed on the calendar, and the facts at filing after the revocation, the hearing after them', async () => {
    expect(await messages(withExhibit({ as_of: '2026-06-23' }))).toMatch(/exhibit\.as_of: expected exhibit\.revocation_date as well/);
    expect(await messages(withExhibit({ revocation_date: '2026-06-12', as_of: '2026-06-01' }))).toMatch(/exhibit\.as_of: expected a date on or after exhibit\.revocation_date \(2026-06-12\)/);
    expect(await messages(withExhibit({ revocation_date: '2026-06-12', as_of: '2026-06-23', hearing_date: '2026-06-20' }))).toMatch(/exhibit\.hearing_date: expected a date after exhibit\.as_of \(2026-06-23\)/);
    expect(await messages(withExhibit({ revocation_date: '2026-06-12', as_of: '2026-06-23', restore_dates: ['2026-06-23'] }))).toMatch(/exhibit\.restore_dates\[0\]: expected a date after exhibit\.as_of/);
  });

  it('refuses facts at filing the duration cannot reach, as for revocation.ongoing_after_days', async () => {
    const doc = withExhibit({ revocation_date: '2026-06-12', as_of: '2027-06-12' });
    doc.revocation.duration_days = { dist: 'uniform', min: 10, max: 100 };
    expect(await messages(doc)).toMatch(/revocation\.duration_days: expected a distribution that can last more than exhibit\.as_of \(2027-06-12, 365 days after exhibit\.revocation_date\) \(365\) days/);
  });

  it('exits 2 from validate with the file, the key and the line', async () => {
    const dir = tempDir();
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, toYaml(withExhibit({ revocation_date: '2026-13-01' })));
    const r = await runCli(['run', file, '--out', join(dir, 'out')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: exhibit\\.revocation_date: expected a calendar date`));
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });
});
