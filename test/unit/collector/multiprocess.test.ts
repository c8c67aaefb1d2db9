/**
 * Scale-out: two collector processes (the real `candor-collector serve`, as child processes) on one
 * PostgreSQL. The same bundle uploaded to both at once is stored once and both answer success;
 * neither process keeps state of its own (an erase or a revocation through one is seen by the other).
 */
import * as assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { CollectorStore } from '../../../src/collector/store';
import { freshPostgresDatabase, http, requirePostgres, TEST_POLICY_VERSION, uniqueBundle, upload } from './helpers';

const bin = join(__dirname, '..', '..', '..', 'src', 'collector', 'bin.js');

interface Proc {
  readonly child: ChildProcess;
  readonly url: string;
}

function serve(databaseUrl: string): Promise<Proc> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--quiet', '--rate-limit', '0'], {
      env: { ...process.env, CANDOR_COLLECTOR_DATABASE_URL: databaseUrl },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m !== null) {
        resolve({ child, url: m[1] });
      }
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('exit', (code) => reject(new Error(`collector exited with ${code}: ${err}`)));
  });
}

function stop(p: Proc | undefined): Promise<void> {
  if (p === undefined || p.child.exitCode !== null) {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    p.child.once('exit', () => resolve());
    p.child.kill('SIGTERM');
  });
}

describe('collector: two processes on one PostgreSQL', function () {
  this.timeout(120_000);
  let store: CollectorStore;
  let a: Proc | undefined;
  let b: Proc | undefined;
  let token: string;
  let tokenId: string;

  before(async function () {
    await requirePostgres(this);
    const url = await freshPostgresDatabase();
    // Both processes migrate the empty database at the same time: Kysely's migration lock serialises them.
    [a, b] = await Promise.all([serve(url), serve(url)]);
    store = await CollectorStore.open({ databaseUrl: url });
    const created = await store.createToken('web', 'contributor', 'alice');
    token = created.token;
    tokenId = created.info.id;
    await store.setPolicy('web', { policy: { version: TEST_POLICY_VERSION } });
  });
  after(async () => {
    await Promise.all([stop(a), stop(b)]);
    await store?.close();
  });

  it('stores a bundle uploaded to both at once exactly once, and both answer success (30 bundles)', async () => {
    for (let k = 0; k < 30; k++) {
      const bundle = await uniqueBundle(9000 + k);
      const [ra, rb] = await Promise.all([upload(a!, token, bundle.bytes), upload(b!, token, bundle.bytes)]);
      assert.deepEqual([ra.status, rb.status].sort(), [200, 201], `${ra.body.toString()} / ${rb.body.toString()}`);
      assert.deepEqual(ra.json(), rb.json(), 'the same receipt from both');
      const rows = await store.db.selectFrom('bundles').select('id').where('id', '=', bundle.sha256).execute();
      const bytes = await store.db.selectFrom('bundle_bytes').select('bytes').where('id', '=', bundle.sha256).execute();
      assert.equal(rows.length, 1);
      assert.equal(bytes.length, 1);
      assert.ok(bytes[0].bytes.equals(bundle.bytes));
    }
  });

  it('keeps no state per process: an erase through one is seen through the other, and so is a revocation', async () => {
    const bundle = await uniqueBundle(9100);
    assert.equal((await upload(a!, token, bundle.bytes)).status, 201);
    assert.equal((await http('GET', `${b!.url}/v1/bundles/${bundle.sha256}`, { token })).status, 200);
    assert.equal((await http('DELETE', `${b!.url}/v1/bundles/${bundle.sha256}`, { token })).status, 200);
    assert.equal((await http('GET', `${a!.url}/v1/bundles/${bundle.sha256}`, { token })).status, 410);
    assert.equal((await upload(a!, token, bundle.bytes)).status, 410);
    assert.ok(await store.revokeToken(tokenId));
    assert.equal((await http('GET', `${a!.url}/v1/bundles`, { token })).status, 401);
    assert.equal((await http('GET', `${b!.url}/v1/bundles`, { token })).status, 401);
  });
});
