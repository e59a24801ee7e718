/**
 * The starter scenario `accessgap init NAME` writes: every section of the format with a comment
 * saying what the key means and what to replace, so a new user edits a file that already
 * validates and runs, rather than starting from a blank page. test/cli/init.test.ts validates and
 * runs it.
 */

/** The starter file; `schema` is the path from the file to the package's JSON Schema (editors pick it up). */
export function starterScenario(name: string, schema: string): string {
  return `# yaml-language-server: $schema=${schema}
#
# A starter scenario written by \`accessgap init ${name}\`. Every value below is a placeholder:
# replace it with your firm's figures and write the source beside each key, starting with a
# status label (DOC, SEC, REPORTED, EST, JUDGMENT); the report's assumptions table shows these
# comments. Numbers are plain numbers: 400000, not $400,000; 0.35, not 35%.
#
# Check it with:  npx accessgap validate ${name}.yaml
# Run it with:    npx accessgap run ${name}.yaml
# The format, key by key: docs/scenario-format.md; the model, equation by equation: docs/model.md.
name: ${name}
title: ${name} loses access to frontier AI models     # the report's title
currency: USD                      # ISO 4217 code of every money input
simulation:
  paths: 2000                      # JUDGMENT: enough to try the file; raise it (or run with --precision 0.02) for an exhibit
  seed: 1                          # any integer: the same seed gives the same numbers
  horizon_days: 730                # days simulated from the start
  discount_rate: 0.15              # JUDGMENT: annual rate for present values (0.15 = 15%)
firm:
  revenue_annual: {dist: pert, min: 2000000, mode: 3000000, max: 4500000}   # JUDGMENT: revenue run rate per year today (PERT: lowest, most likely, highest)
  revenue_growth: {dist: triangular, min: 0.1, mode: 0.3, max: 0.8}         # JUDGMENT: annual growth (0.3 = 30%)
  gross_margin: 0.7                                                         # JUDGMENT: a point value is a number
  operating_costs_annual: 2500000                                           # JUDGMENT: fixed costs per year
  cash: {dist: uniform, min: 500000, max: 1500000}                          # JUDGMENT: cash today
  credit_line: 0                                                            # JUDGMENT: undrawn credit the firm can fall back on
  revenue_multiple: {dist: lognormal, median: 4, p90: 7}                    # JUDGMENT: firm value / revenue at the horizon
staff:                             # one segment per group that a rule treats alike
  - name: us-staff
    headcount: 10
    nationality: US                # ISO 3166 two-letter code
    location: US
    ai_dependence: {dist: beta, alpha: 2, beta: 8, min: 0, max: 0.5}        # JUDGMENT: share of output that depends on the model
  - name: remote-engineers
    headcount: 5
    nationality: CA
    location: CA
    ai_dependence: {dist: pert, min: 0.1, mode: 0.25, max: 0.4}             # JUDGMENT
  - name: visa-holders
    headcount: 3
    nationality: IN
    location: US
    ai_dependence: 0.3                                                      # JUDGMENT
frontier:
  doubling_months: {dist: pert, min: 3, mode: 4.5, max: 7}                  # EST: months for frontier capability to double
  acceleration: 0.1                                                         # JUDGMENT: yearly acceleration of that pace (0 = steady)
fallback:
  lag_months: {dist: discrete, values: [1, 3, 6], weights: [0.5, 0.3, 0.2]} # JUDGMENT: how far behind the best permitted model is
  lag_growth: 0.1                                                           # JUDGMENT
productivity:
  capability_elasticity: {dist: normal, mean: 1.5, sd: 0.5, min: 0.2}      # JUDGMENT: a normal truncated at its min
adaptation:
  base_days: 21                    # JUDGMENT: days to adapt to the fallback
  per_revoked_day: 0.05            # JUDGMENT
  switch_cost: 40000               # EST: one-off cost of switching models
  switch_back_cost: 15000          # EST
product:
  obsolescence_days: 180           # JUDGMENT
  model_dependence: 0.4            # JUDGMENT: how much the product itself relies on the model
market:
  quality_elasticity: 1.5          # JUDGMENT
  loss_days: 60                    # JUDGMENT: how fast customers notice a drop
  winback_days: 365                # JUDGMENT: how fast they come back
revocation:
  start_day: 0                     # REPORTED: the first day without access
  duration_days:                   # JUDGMENT: how long access stays cut off; a mixture of two stories
    dist: mixture
    components:
      - {weight: 0.7, dist: pert, min: 14, mode: 45, max: 120}              # a short outage
      - {weight: 0.3, dist: uniform, min: 120, max: 540}                    # a long one
countries_of_concern: [CN, RU, IR, KP]   # DOC: the nationalities the controls are aimed at
policies:                          # the rules compared on the same paths
  blanket:
    description: every foreign national, wherever located
    restrict: {nationality_not_in: [US]}
    status: hypothetical           # reported | hypothetical | proposed (changes no number)
  location:
    description: staff located outside the US
    restrict: {location_not_in: [US]}
    status: proposed
  allied-exemption:
    description: foreign nationals other than those of allied countries
    restrict: {nationality_not_in: [US, CA, GB, AU, NZ, JP]}
    status: proposed
`;
}
