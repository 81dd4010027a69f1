#!/usr/bin/env node
import { guardClosedPipes, main } from '../dist/cli/main.js';

guardClosedPipes();
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = process.exitCode || code;
  },
  (err) => {
    process.stderr.write(`reelflow: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  },
);
