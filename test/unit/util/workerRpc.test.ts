import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import type { RpcClientErrors, RpcWireError } from '../../../src/util/workerRpc';
import { WorkerRpcClient } from '../../../src/util/workerRpc';
import type { TestMethods } from './rpcTestWorker';
import { CodedError } from './rpcTestWorker';

const SCRIPT = join(__dirname, 'rpcTestWorker.js');

/** The caller's own error types, as the bundle and view clients map them. */
class CrashError extends Error {}
const errors: RpcClientErrors = {
  fromWorker: (wire: RpcWireError) => (wire.code === 'bad' || wire.code === 'cancelled' ? new CodedError(wire.code, wire.message) : new Error(wire.message)),
  crashed: (err) => new CrashError(`crashed: ${err.message}`),
  exited: (code) => new CrashError(`exited ${code}`),
  disposed: () => new CrashError('disposed'),
};

describe('WorkerRpcClient and serveRpc (a real worker thread)', () => {
  let client: WorkerRpcClient<TestMethods>;
  beforeEach(() => {
    client = new WorkerRpcClient<TestMethods>(SCRIPT, errors);
  });
  afterEach(async () => {
    await client.terminate(new Error('test over'));
  });

  it('round-trips calls matched by id, transferring buffers both ways', async () => {
    const a = new Uint8Array([1, 2, 3]);
    const b = new Uint8Array([10, 20]);
    const [ra, rb] = await Promise.all([client.request('double', { bytes: a.buffer }, { transfer: [a.buffer] }), client.request('double', { bytes: b.buffer })]);
    assert.deepEqual([...new Uint8Array(ra.bytes)], [2, 4, 6]);
    assert.equal(ra.length, 3);
    assert.deepEqual([...new Uint8Array(rb.bytes)], [20, 40]);
    assert.equal(a.byteLength, 0, 'the transferred buffer left this thread');
    assert.equal(b.byteLength, 2, 'a buffer not listed is copied');
  });

  it('carries a typed error across with its code; the worker keeps serving', async () => {
    await assert.rejects(client.request('fail', { message: 'no such seq' }), (err: unknown) => err instanceof CodedError && err.code === 'bad' && err.message === 'no such seq');
    const r = await client.request('double', { bytes: new Uint8Array([4]).buffer });
    assert.deepEqual([...new Uint8Array(r.bytes)], [8]);
  });

  it('reports progress, and a cancel aborts the handler', async () => {
    const seen: number[] = [];
    const abort = new AbortController();
    const call = client.request('waitForCancel', { steps: 3 }, { signal: abort.signal, onProgress: (p) => {
      seen.push(p);
      if (p === 3) {
        abort.abort();
      }
    } });
    await assert.rejects(call, (err: unknown) => err instanceof CodedError && err.code === 'cancelled');
    assert.deepEqual(seen, [1, 2, 3]);
  });

  it('rejects every pending call when the worker crashes, and every later call', async () => {
    const crash = client.request('crash', {});
    const queued = client.request('double', { bytes: new Uint8Array([1]).buffer });
    await assert.rejects(crash, (err: unknown) => err instanceof CrashError && err.message === 'crashed: boom');
    await assert.rejects(queued, (err: unknown) => err instanceof CrashError && err.message === 'crashed: boom');
    await assert.rejects(client.request('double', { bytes: new Uint8Array([1]).buffer }), /crashed: boom/);
  });

  it('rejects pending calls when the worker exits', async () => {
    await assert.rejects(client.request('exit', { code: 7 }), (err: unknown) => err instanceof CrashError && err.message === 'exited 7');
  });

  it('dispose terminates the worker: pending and later calls reject', async () => {
    const pending = client.request('waitForCancel', { steps: 0 });
    client.dispose();
    await assert.rejects(pending, (err: unknown) => err instanceof CrashError && err.message === 'disposed');
    await assert.rejects(client.request('double', { bytes: new Uint8Array([1]).buffer }), /disposed/);
    // The thread is gone: terminating again resolves at once, and no exit error replaces the reason.
    await client.terminate(new Error('again'));
    await assert.rejects(client.request('double', { bytes: new Uint8Array([1]).buffer }), /disposed/);
  });
});
