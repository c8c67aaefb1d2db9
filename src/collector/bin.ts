// Entry of the `candor-collector` binary (bundled to dist/collector.js); logic in cli.ts.
import { main } from './cli';

const stopSignal = new Promise<void>((resolve) => {
  process.once('SIGINT', resolve);
  process.once('SIGTERM', resolve);
});

void main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, stopSignal }).then((code) => {
  process.exitCode = code;
});
