#!/usr/bin/env node
// The installed command: runs the CLI bundled by `npm run build` (run by `prepare` on install).
import { main } from '../dist/cli.js';

process.exitCode = await main(process.argv.slice(2));
