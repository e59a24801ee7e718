/**
 * A population's report folder: population.json (accessgap/population@1), population.csv,
 * frontier.csv, charts, and its document (summary.md, report.html) and printed headline.
 */
import { ALL, frontierCsv, harmOrder, populationCsv, type Estimate, type PopulationJson } from '../analysis/population.js';
import { addChartFiles } from '../charts/render.js';
import { populationCharts } from '../charts/population.js';
import type { Chart } from '../charts/specs.js';
import { formatMoney, formatPercent } from '../format.js';
import { VERSION } from '../version.js';
import { when, type Document } from './document.js';
import { renderMarkdown } from './render/markdown.js';
import { folderSvgs, renderHtml } from './render/html.js';
import { renderText } from './render/text.js';
import { shellWord } from './reproduce.js';
import type { Table } from './tables.js';
import { timingJson } from './timing.js';

export async function buildPopulationFiles(
  json: PopulationJson,
  run: { threads: number; simulateSeconds: number; wallSeconds: number },
): Promise<{ files: Map<string, string | Uint8Array>; printed: string }> {
  const files = new Map<string, string | Uint8Array>();
  files.set('population.json', JSON.stringify(json, null, 1) + '\n');
  files.set('population.csv', populationCsv(json));
  files.set('frontier.csv', frontierCsv(json));
  files.set('timing.json', timingJson({ threads: run.threads, simulate_seconds: run.simulateSeconds, wall_seconds: run.wallSeconds }));
  const charts = populationCharts(json);
  await addChartFiles(files, charts);
  const doc = populationDocument(json, charts);
  files.set('summary.md', renderMarkdown(doc));
  files.set('report.html', renderHtml(doc, folderSvgs(files)));
  return { files, printed: renderText(populationHeadline(json)) };
}

const count = (x: number) => (Math.abs(x) >= 100 ? Math.round(x).toLocaleString('en-US') : Number(x.toPrecision(3)).toLocaleString('en-US'));
const interval = (e: Estimate, f: (x: number) => string) => `${f(e.mean)} [${e.ci95_lo === null ? 'n/a' : `${f(e.ci95_lo)}, ${f(e.ci95_hi!)}`}]`;

/** Per policy over the whole population: the trade-off table. */
export function frontierTable(j: PopulationJson): Table {
  const money = (x: number) => formatMoney(x, j.population.currency);
  return {
    head: ['policy', 'status', 'targeted access-days', 'collateral access-days', 'collateral share', 'total harm [95% CI]', 'total harm, 5th-95th pct', 'insolvent firms', 'made insolvent by it', 'harm per targeted access-day', 'on the frontier'],
    rows: j.frontier.map((f) => {
      const e = j.results[f.policy][ALL];
      return [
        f.policy,
        f.status ?? '',
        count(f.targeted_access_days),
        count(f.collateral_access_days),
        e.collateral_share ? formatPercent(e.collateral_share.mean) : 'none denied',
        interval(e.total_harm, money),
        e.total_harm.p05 === null ? `not resolved: within ${money(e.total_harm.spread_bound!)} of the mean` : `${money(e.total_harm.p05)} to ${money(e.total_harm.p95!)}`,
        count(f.insolvent),
        count(f.attributable_insolvency),
        e.harm_per_targeted_day ? money(e.harm_per_targeted_day.mean) : 'no targeted access denied',
        f.pareto ? 'yes' : 'no',
      ];
    }),
  };
}

/** Per archetype: its count, how many firms were simulated per path, its basis, and its mean harm per firm under each policy. */
function archetypeTable(j: PopulationJson): Table {
  const money = (x: number) => formatMoney(x, j.population.currency);
  return {
    head: ['archetype', 'firms (mean)', 'simulated per path', 'basis', ...j.policies.map((p) => `${p.name}: harm per firm`)],
    rows: j.archetypes.map((a) => [
      a.name,
      count(a.mean_firms),
      a.exact ? `${a.firms_per_path} (every firm)` : String(a.firms_per_path),
      a.basis ?? '',
      ...j.policies.map((p) => money(j.results[p.name][a.name].total_harm.mean / a.mean_firms) + (a.mitigation[p.name] && a.mitigation[p.name] !== 'none' ? ` (mitigates: ${a.mitigation[p.name]})` : '')),
    ]),
  };
}

function rankingTable(j: PopulationJson): Table | undefined {
  if (!j.rankings.length) return undefined;
  const order = (groups: string[][]) => groups.map((g) => g.join(' = ')).join(' < ');
  const population = harmOrder(Object.fromEntries(j.policies.map((p) => [p.name, j.results[p.name][ALL].total_harm.mean])));
  return {
    head: ['archetype', 'policies from least to most harm', 'ordered the other way round from the population'],
    rows: [['(population)', order(population), ''], ...j.rankings.map((r) => [r.archetype, order(r.order), r.reversed.map(([a, b]) => `${a} < ${b}`).join('; ')])],
  };
}

const reproduceLine = (j: PopulationJson) => ['npx', 'accessgap', 'population', j.population.file, '--paths', String(j.run.paths), '--seed', String(j.run.seed)].map(shellWord).join(' ');

const FRONTIER_READING =
  'How to read the frontier: each rule denies some access to nationals of the countries the controls are aimed at (targeted access-days) and does some harm to the population of firms. A rule is on the frontier when no other rule denies at least as much targeted access for no more harm. A rule off the frontier is dominated: another rule buys at least as much targeted denial for less. Between two frontier rules, the extra harm per extra targeted access-day is the price of the broader rule. Collateral access-days are the access the rule denies to everyone else.';

const METHOD = (j: PopulationJson) =>
  `Method (docs/model.md section 15): on each of ${j.run.paths.toLocaleString('en-US')} population paths the common inputs (${j.population.common.length ? j.population.common.join(', ') : 'none'}) and any uncertain firm counts are drawn once and shared by every firm of every archetype; each archetype simulates its own firms on that path (their firm, staff and market inputs drawn per firm), and its total is its count times their mean. Means carry Monte Carlo standard errors over the population paths. The 5th to 95th percentiles describe the population total across the common uncertainty: the sampling noise of averaging a few simulated firms is measured from their spread on each path and removed (noise_share in population.csv says how much of the raw spread it was); where what is left is not known to within half of itself, the percentiles read "not resolved" (empty in population.csv) with a bound on their distance from the mean (spread_bound: the 95% upper confidence bound of that variance, read as a normal spread); raise simulation.firms_per_path or the paths to resolve them. Insolvent firms count every firm insolvent within the horizon, including those that would have failed anyway; "made insolvent by it" counts only those the rule causes to fail (attributable_insolvency).`;

export function populationDocument(j: PopulationJson, charts: Chart[]): Document {
  const ranking = rankingTable(j);
  const dropped = j.archetypes.filter((a) => a.dropped_correlations.length).map((a) => `${a.name}: its correlation${a.dropped_correlations.length > 1 ? 's' : ''} ${a.dropped_correlations.join(', ')} name${a.dropped_correlations.length > 1 ? '' : 's'} a common input and give${a.dropped_correlations.length > 1 ? '' : 's'} way to the population's common.correlations.`);
  return {
    title: `${j.population.title}: population`,
    blocks: [
      { kind: 'heading', level: 1, text: `${j.population.title}: what each control costs the population and what it denies its targets` },
      {
        kind: 'paragraph',
        muted: true,
        text: `Population ${j.population.name}: ${j.population.file}, sha256 ${j.population.sha256}. ${j.archetypes.length} archetypes, ${j.run.paths.toLocaleString('en-US')} population paths (${j.run.firm_paths.toLocaleString('en-US')} firm-paths simulated), seed ${j.run.seed}, horizon ${j.run.horizon_days} days, discount rate ${j.run.discount_rate}, engine accessgap ${VERSION}.`,
      },
      ...when(dropped.length, { kind: 'note', title: 'Notes', items: dropped }),
      { kind: 'heading', level: 2, text: 'The trade-off' },
      { kind: 'list', items: j.statements },
      { kind: 'paragraph', text: FRONTIER_READING },
      { kind: 'table', table: frontierTable(j), className: 'frontier' },
      { kind: 'heading', level: 2, text: 'Archetypes' },
      { kind: 'table', table: archetypeTable(j), className: 'archetypes' },
      ...when(
        ranking,
        { kind: 'heading', level: 2, text: 'Where an archetype ranks the policies differently' },
        { kind: 'paragraph', text: 'Policies in order of mean total harm, for the population and for each archetype that orders some pair of them the other way round (a < b: a does the population less harm than b, and this archetype more): a rule that is mild for the population can be the worst for one kind of firm.' },
        { kind: 'table', table: ranking!, className: 'rankings' },
      ),
      ...when(!ranking && j.archetypes.length > 1, { kind: 'paragraph', text: 'Every archetype ranks the policies by mean total harm as the population does.' }),
      { kind: 'heading', level: 2, text: 'Charts' },
      { kind: 'figures', charts },
      { kind: 'heading', level: 2, text: 'Method' },
      { kind: 'paragraph', text: METHOD(j) },
      { kind: 'heading', level: 2, text: 'Files' },
      {
        kind: 'paragraph',
        text: '`population.json` (schema accessgap/population@1) holds every estimate; `population.csv` one tidy row per policy, archetype (`all` for the population) and metric: sums over firms of total_harm, lost_revenue, pv_lost_profit, insolvent (expected insolvent firms), attributable_insolvency, targeted and collateral access-days and, with mitigation, displaced_heads, relocated_heads and mitigation_cost, and the ratios collateral_share and harm_per_targeted_day; `frontier.csv` the trade-off per policy with its Pareto flag. `population.yaml` and `archetypes/` keep the files as run (manifest.json has their SHA-256).',
      },
      { kind: 'heading', level: 2, text: 'Reproduction' },
      { kind: 'command', text: reproduceLine(j) },
    ],
  };
}

/** What the command prints: the statements and the trade-off table. */
export function populationHeadline(j: PopulationJson): Document {
  return {
    title: j.population.title,
    blocks: [
      { kind: 'heading', level: 1, text: `${j.population.title} (${j.archetypes.length} archetypes, ${j.run.paths.toLocaleString('en-US')} paths)` },
      { kind: 'list', items: j.statements },
      { kind: 'table', table: frontierTable(j), className: 'frontier' },
    ],
  };
}
