#!/usr/bin/env node
// The installed command: runs the CLI bundled by `npm run build` (run by `prepare` on install).
import { main } from '../dist/cli.js';

process.exitCode = await main(process.argv.slice(2));
// The command is done (its files written, its threads and connections closed): exit now, once what
// it printed is flushed, rather than when the last library timer lets the event loop end. After
// submit fetches its parts, ioredis's reply parser keeps a 50 ms timer that shrinks its buffer 10%
// at a time, which held the shell for 3 s after a 20,000-path report was already written.
const flushed = (stream) => new Promise((resolve) => stream.write('', resolve));
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
process.exit();
