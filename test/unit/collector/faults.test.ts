/**
 * Fault injection: 1,000 uploads through a faulty proxy of our own on 127.0.0.1 that drops
 * requests and responses, duplicates requests, delays them and answers 5xx — 30% of requests in
 * all — with client restarts in between (the client's state lives in a file, as the extension's
 * outbox does). Afterwards: 0 bundles lost, 0 stored twice, every stored byte the approved byte.
 *
 * The client here is a small stand-in for the extension's uploader (which comes later and uses the
 * same protocol): PUT until a 2xx receipt, retrying network errors and 5xx with backoff + jitter.
 */
import * as assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as nodeHttp from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256 } from '../../../src/bundle/format';
import type { RunningCollector } from './helpers';
import { prng } from '../prng';
import { startCollector, uniqueBundle } from './helpers';

const UPLOADS = 1000;
const FAULT_RATE = 0.3;

type Fault = 'drop-request' | 'drop-response' | 'duplicate' | 'delay' | '503' | '502-after';

interface Proxy {
  readonly url: string;
  readonly counts: Record<Fault | 'clean', number>;
  close(): Promise<void>;
}

function startProxy(target: string, seed: number): Promise<Proxy> {
  const rnd = prng(seed);
  const counts: Record<Fault | 'clean', number> = { 'drop-request': 0, 'drop-response': 0, duplicate: 0, delay: 0, '503': 0, '502-after': 0, clean: 0 };
  const forward = (method: string, path: string, headers: nodeHttp.IncomingHttpHeaders, body: Buffer): Promise<{ status: number; headers: nodeHttp.IncomingHttpHeaders; body: Buffer }> =>
    new Promise((resolve, reject) => {
      const req = nodeHttp.request(`${target}${path}`, { method, headers: { ...headers, host: new URL(target).host, connection: 'close' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  const server = nodeHttp.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const body = Buffer.concat(chunks);
        const faults: Fault[] = ['drop-request', 'drop-response', 'duplicate', 'delay', '503', '502-after'];
        const fault = rnd() < FAULT_RATE ? faults[Math.floor(rnd() * faults.length)] : undefined;
        counts[fault ?? 'clean']++;
        const send = (r: { status: number; headers: nodeHttp.IncomingHttpHeaders; body: Buffer }): void => {
          res.writeHead(r.status, { 'content-type': r.headers['content-type'] ?? 'application/json' });
          res.end(r.body);
        };
        try {
          switch (fault) {
            case 'drop-request':
              req.socket.destroy();
              return;
            case 'drop-response':
              await forward(req.method!, req.url!, req.headers, body);
              req.socket.destroy();
              return;
            case 'duplicate': {
              // The same request twice, at once: the client sees one of the answers.
              const [first] = await Promise.all([forward(req.method!, req.url!, req.headers, body), forward(req.method!, req.url!, req.headers, body)]);
              send(first);
              return;
            }
            case 'delay':
              await new Promise((r) => setTimeout(r, Math.floor(rnd() * 30)));
              send(await forward(req.method!, req.url!, req.headers, body));
              return;
            case '503':
              send({ status: 503, headers: {}, body: Buffer.from('{"reason":"unavailable","message":"proxy says no"}') });
              return;
            case '502-after':
              await forward(req.method!, req.url!, req.headers, body);
              send({ status: 502, headers: {}, body: Buffer.from('<html>bad gateway</html>') });
              return;
            default:
              send(await forward(req.method!, req.url!, req.headers, body));
          }
        } catch {
          req.socket.destroy();
        }
      })();
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        counts,
        close: () =>
          new Promise<void>((r) => {
            server.closeAllConnections();
            server.close(() => r());
          }),
      });
    });
  });
}

interface QueueState {
  /** id → bundle file name in the queue folder, for bundles not yet acknowledged. */
  pending: string[];
  receipts: Record<string, { storedAt: string; status: string }>;
}

/** A retrying uploader whose whole state is a folder (bundle files + state.json): it survives restarts. */
class TestUploader {
  private readonly abort = new AbortController();
  attempts = 0;

  constructor(
    private readonly dir: string,
    private readonly url: string,
    private readonly token: string,
  ) {}

  private load(): QueueState {
    return JSON.parse(readFileSync(join(this.dir, 'state.json'), 'utf8')) as QueueState;
  }

  private save(state: QueueState): void {
    writeFileSync(join(this.dir, 'state.json.tmp'), JSON.stringify(state));
    // Rename over: the state file is whole or the previous one.
    renameSync(join(this.dir, 'state.json.tmp'), join(this.dir, 'state.json'));
  }

  /**
   * Uploads pending bundles with `concurrency` workers; after `killAt` acknowledgements it "crashes":
   * requests in flight are abandoned, as when the editor quits mid-upload.
   */
  async run(concurrency: number, killAt: number): Promise<number> {
    const state = this.load();
    const todo = [...state.pending];
    let done = 0;
    const worker = async (): Promise<void> => {
      for (let id = todo.shift(); id !== undefined && !this.abort.signal.aborted; id = todo.shift()) {
        const receipt = await this.uploadOne(id);
        if (receipt === undefined) {
          return; // restarted mid-way
        }
        const s = this.load();
        s.pending = s.pending.filter((x) => x !== id);
        s.receipts[id] = receipt;
        this.save(s);
        done++;
        if (done >= killAt) {
          this.kill();
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, () => worker()));
    return done;
  }

  /** Simulates a crash/restart: in-flight requests are abandoned. */
  kill(): void {
    this.abort.abort();
  }

  private async uploadOne(id: string): Promise<{ storedAt: string; status: string } | undefined> {
    const bytes = readFileSync(join(this.dir, `${id}.candor`));
    for (let attempt = 0; ; attempt++) {
      if (this.abort.signal.aborted) {
        return undefined;
      }
      this.attempts++;
      try {
        const res = await fetch(`${this.url}/v1/bundles/${id}`, {
          method: 'PUT',
          headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/vnd.candor.bundle' },
          body: bytes,
          signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(10_000)]),
        });
        const text = await res.text();
        if (res.status === 200 || res.status === 201 || res.status === 202) {
          const r = JSON.parse(text) as { id: string; storedAt: string; status: string };
          assert.equal(r.id, id);
          return { storedAt: r.storedAt, status: r.status };
        }
        if (res.status < 500) {
          throw new Error(`permanent refusal ${res.status}: ${text}`);
        }
      } catch (err) {
        if (err instanceof Error && err.message.startsWith('permanent')) {
          throw err;
        }
      }
      // Exponential backoff with full jitter, capped low: the faults here are instant.
      await new Promise((r) => setTimeout(r, Math.random() * Math.min(50, 2 ** attempt)));
    }
  }
}

describe('collector: fault injection', function () {
  this.timeout(240_000);
  let c: RunningCollector;
  let proxy: Proxy;
  let dir: string;
  let token: string;

  before(async () => {
    c = await startCollector('sqlite');
    token = await c.token('web', 'contributor', 'alice');
    proxy = await startProxy(c.url, 42);
    dir = mkdtempSync(join(tmpdir(), 'candor-uploader-'));
  });
  after(async () => {
    await proxy?.close();
    await c?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`${UPLOADS} uploads through a proxy failing 30% of requests, with client restarts: 0 lost, 0 stored twice`, async () => {
    const ids: string[] = [];
    for (let k = 0; k < UPLOADS; k++) {
      const b = await uniqueBundle(20_000 + k);
      writeFileSync(join(dir, `${b.sha256}.candor`), b.bytes);
      ids.push(b.sha256);
    }
    writeFileSync(join(dir, 'state.json'), JSON.stringify({ pending: ids, receipts: {} } satisfies QueueState));

    const rnd = prng(7);
    let restarts = 0;
    let attempts = 0;
    for (;;) {
      const pending = (JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as QueueState).pending.length;
      if (pending === 0) {
        break;
      }
      // A fresh client from the folder, killed part-way through its run (a restart), every round.
      const client = new TestUploader(dir, proxy.url, token);
      await client.run(8, 20 + Math.floor(rnd() * 100));
      attempts += client.attempts;
      restarts++;
      assert.ok(restarts < 500, 'the queue drains');
    }

    const state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as QueueState;
    const rows = await c.store.db.selectFrom('bundles').select(['id', 'status', 'content_id']).execute();
    const files = readdirSync(join(c.dataDir!, 'bundles'), { recursive: true, withFileTypes: true }).filter((d) => d.isFile());
    const stored = new Set(rows.map((r) => r.id));
    const lost = ids.filter((id) => !stored.has(id));
    const twice = rows.length - stored.size + (new Set(rows.map((r) => r.content_id)).size !== rows.length ? 1 : 0) + (files.length - rows.length);
    for (const f of files) {
      assert.equal(sha256(readFileSync(join(f.parentPath, f.name))), f.name, 'every stored file is the approved bytes');
    }
    console.log(
      `      ${UPLOADS} bundles, ${attempts} requests, ${restarts} client restarts; proxy: ${JSON.stringify(proxy.counts)}; lost ${lost.length}, stored twice ${twice}, receipts ${Object.keys(state.receipts).length}`,
    );
    const faulty = Object.entries(proxy.counts).filter(([k]) => k !== 'clean').reduce((s, [, v]) => s + v, 0);
    assert.ok(faulty / (faulty + proxy.counts.clean) > 0.2, 'faults were injected');
    assert.equal(lost.length, 0);
    assert.equal(twice, 0);
    assert.equal(rows.length, UPLOADS);
    assert.ok(rows.every((r) => r.status === 'stored'));
    assert.equal(Object.keys(state.receipts).length, UPLOADS);
  });
});
