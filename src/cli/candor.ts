// Entry of the `candor` binary (bundled to dist/cli.js): all logic is in main.ts, so tests run it in-process.
import { main } from './main';

void main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }).then((code) => {
  process.exitCode = code;
});
