/**
 * What the expressions need of mathjs: `create` and the parser's dependencies, from its
 * numbers-only build. scripts/build.mjs bundles this entry with mathjs itself into
 * dist/mathjs-parser.js, keeping only what these reach: it loads in about 20 ms, where importing
 * mathjs/number evaluates every one of its modules (about 0.5 s). expressions.ts loads it on
 * first use.
 */
export { create, parseDependencies } from 'mathjs/number';
