/**
 * A collector in a child process, for the bounded-memory test (memory.test.ts): started with a
 * small V8 heap (`--max-old-space-size`), embedded SQLite in `argv[2]`, limits from the test.
 * Prints `url <url>` and `token <token>` once it listens; stops on SIGTERM.
 */
import type { AddressInfo } from 'node:net';
import { Inspector } from '../../../src/collector/ingest';
import { buildServer } from '../../../src/collector/server';
import { CollectorStore } from '../../../src/collector/store';

async function main(): Promise<void> {
  const [dataDir, maxFileBytes, maxContentBytes] = process.argv.slice(2);
  const store = await CollectorStore.open({ dataDir });
  const { token } = await store.createToken('web', 'contributor', 'alice');
  await store.setPolicy('web', { policy: { version: 'team-3' } });
  const inspector = await Inspector.create({ workers: 1 });
  const app = await buildServer({ store, inspector, rateLimit: false, limits: { maxFileBytes: Number(maxFileBytes), maxContentBytes: Number(maxContentBytes) } });
  await app.listen({ host: '127.0.0.1', port: 0 });
  process.stdout.write(`url http://127.0.0.1:${(app.server.address() as AddressInfo).port}\ntoken ${token}\n`);
  process.once('SIGTERM', () => {
    void app
      .close()
      .then(() => inspector.close())
      .then(() => store.close());
  });
}

void main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
