/**
 * The `reelflow` command line run from the sources, for tests that start the runtime as a child
 * process (`serve ...`): tsx maps the workspace packages to their sources with the tsconfig.json
 * beside this file, so the child runs the code under test and not a stale dist/.
 */
import { main } from '../../src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
