/**
 * The collector's API over real HTTP on 127.0.0.1, the same suite against the embedded SQLite and
 * a real PostgreSQL (scripts/postgres.sh).
 */
import * as assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as zlib from 'node:zlib';
import { GZIP_HEADER, sha256 } from '../../../src/bundle/format';
import type { BuiltBundle } from '../../../src/bundle/build';
import type { Receipt } from '../../../src/collector/server';
import type { DbKind, RunningCollector } from './helpers';
import { bundleOf, http, receiptWith, requirePostgres, secretBundle, startCollector, uniqueBundle, uniqueEvents, upload } from './helpers';

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) {
    return [];
  }
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name));
}

/** Every copy of `bytes` the collector holds: files (SQLite mode) and bytea rows (PostgreSQL mode). */
async function storedCopies(c: RunningCollector, id: string): Promise<number> {
  if (c.dataDir !== undefined) {
    return filesUnder(join(c.dataDir, 'bundles')).filter((f) => f.endsWith(id)).length;
  }
  const a = await c.store.db.selectFrom('bundle_bytes').select('id').where('id', '=', id).execute();
  const b = await c.store.db.selectFrom('quarantine_bytes').select('id').where('id', '=', id).execute();
  return a.length + b.length;
}

export function apiSuite(kind: DbKind): void {
  describe(`collector API (${kind})`, function () {
    this.timeout(120_000);
    let c: RunningCollector;
    let alice: string;
    let bob: string;
    let lead: string;
    let admin: string;
    let n = 1000;

    before(async function () {
      if (kind === 'postgres') {
        await requirePostgres(this);
      }
      c = await startCollector(kind);
      alice = await c.token('web', 'contributor', 'alice');
      bob = await c.token('web', 'contributor', 'bob');
      lead = await c.token('web', 'lead', 'lena');
      admin = await c.token('web', 'admin', 'root');
    });
    after(async () => {
      await c?.close();
    });

    const next = (): Promise<BuiltBundle> => uniqueBundle(n++);

    it('health answers without a token, with security headers', async () => {
      const r = await http('GET', `${c.url}/v1/health`);
      assert.equal(r.status, 200);
      assert.deepEqual(r.json(), { ok: true, service: 'candor-collector', api: 1, database: kind });
      assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
      assert.ok(r.headers.get('strict-transport-security') !== null);
    });

    it('stores an upload, returns a receipt, and the same upload again is the same receipt (idempotent)', async () => {
      const b = await next();
      const first = await upload(c, alice, b.bytes);
      assert.equal(first.status, 201, first.body.toString());
      const receipt = first.json<Receipt>();
      assert.equal(receipt.id, b.sha256);
      assert.equal(receipt.contentId, b.id);
      assert.equal(receipt.status, 'stored');
      assert.equal(receipt.transparencyLogIndex, null);
      assert.ok(!Number.isNaN(Date.parse(receipt.storedAt)));
      const again = await upload(c, alice, b.bytes);
      assert.equal(again.status, 200);
      assert.deepEqual(again.json(), receipt);
      assert.equal(await storedCopies(c, b.sha256), 1);
      const got = await http('GET', `${c.url}/v1/bundles/${b.sha256}`, { token: alice });
      assert.equal(got.status, 200);
      assert.equal(sha256(got.body), b.sha256, 'exactly the bytes uploaded');
      assert.equal(got.headers.get('content-type'), 'application/vnd.candor.bundle');
    });

    it('refuses a body whose SHA-256 is not the id (400), and other bytes under a stored id (409)', async () => {
      const b = await next();
      const other = await next();
      const wrong = await upload(c, alice, b.bytes, other.sha256);
      assert.equal(wrong.status, 400);
      assert.equal(wrong.json()['reason'], 'hash-mismatch');
      assert.equal((await upload(c, alice, other.bytes)).status, 201);
      const conflict = await upload(c, alice, b.bytes, other.sha256);
      assert.equal(conflict.status, 409);
      assert.equal(conflict.json()['reason'], 'id-conflict');
      assert.equal(await storedCopies(c, b.sha256), 0, 'nothing stored for the refused bytes');
    });

    it('refuses the same content under another file id (recompressed) with content-conflict', async () => {
      const b = await next();
      assert.equal((await upload(c, alice, b.bytes)).status, 201);
      // Same content, deflated at another level: another file, same content id.
      const content = zlib.gunzipSync(b.bytes.subarray(b.bytes.indexOf(0x0a) + 1));
      const deflated = zlib.deflateRawSync(content, { level: 1 });
      const trailer = Buffer.alloc(8);
      trailer.writeUInt32LE(zlib.crc32(content), 0);
      trailer.writeUInt32LE(content.length, 4);
      const header = b.bytes.subarray(0, b.bytes.indexOf(0x0a) + 1);
      const recompressed = Buffer.concat([header, Buffer.from(GZIP_HEADER), deflated, trailer]);
      assert.notEqual(sha256(recompressed), b.sha256);
      const r = await upload(c, alice, recompressed);
      assert.equal(r.status, 409, r.body.toString());
      assert.equal(r.json()['reason'], 'content-conflict');
      assert.equal(r.json()['existingId'], b.sha256);
      assert.equal(await storedCopies(c, sha256(recompressed)), 0);
    });

    it('a lead reads the team\'s bundles; a contributor only their own', async () => {
      const b = await next();
      assert.equal((await upload(c, alice, b.bytes)).status, 201);
      const asLead = await http('GET', `${c.url}/v1/bundles/${b.sha256}`, { token: lead });
      assert.equal(asLead.status, 200);
      assert.equal(sha256(asLead.body), b.sha256);
      const asBob = await http('GET', `${c.url}/v1/bundles/${b.sha256}`, { token: bob });
      assert.equal(asBob.status, 404);
      const listAlice = await http('GET', `${c.url}/v1/bundles`, { token: alice });
      const listBob = await http('GET', `${c.url}/v1/bundles`, { token: bob });
      const listLead = await http('GET', `${c.url}/v1/bundles?limit=1000`, { token: lead });
      const ids = (r: typeof listAlice): string[] => r.json<{ bundles: { id: string }[] }>().bundles.map((x) => x.id);
      assert.ok(ids(listAlice).includes(b.sha256));
      assert.ok(!ids(listBob).includes(b.sha256));
      assert.ok(ids(listLead).includes(b.sha256));
    });

    it('DELETE erases at once: hidden, bytes purged, tombstone kept, re-upload refused (410), repeat DELETE idempotent', async () => {
      const b = await next();
      assert.equal((await upload(c, alice, b.bytes)).status, 201);
      assert.equal(await storedCopies(c, b.sha256), 1);
      const notOwner = await http('DELETE', `${c.url}/v1/bundles/${b.sha256}`, { token: bob });
      assert.equal(notOwner.status, 404);
      const del = await http('DELETE', `${c.url}/v1/bundles/${b.sha256}`, { token: alice });
      assert.equal(del.status, 200);
      const tomb = del.json<Receipt>();
      assert.equal(tomb.status, 'erased');
      assert.ok(tomb.erasedAt !== undefined && tomb.erasedBy !== undefined);
      assert.equal(tomb.size, null);
      assert.equal(tomb.contentId, null);
      assert.equal(await storedCopies(c, b.sha256), 0, 'bytes purged');
      assert.equal((await http('GET', `${c.url}/v1/bundles/${b.sha256}`, { token: alice })).status, 410);
      assert.equal((await http('GET', `${c.url}/v1/bundles/${b.sha256}`, { token: lead })).status, 410);
      const again = await upload(c, alice, b.bytes);
      assert.equal(again.status, 410);
      assert.equal(again.json()['reason'], 'erased');
      assert.equal(await storedCopies(c, b.sha256), 0, 'a late duplicate upload does not bring the bytes back');
      const del2 = await http('DELETE', `${c.url}/v1/bundles/${b.sha256}`, { token: alice });
      assert.equal(del2.status, 200);
      assert.equal(del2.json<Receipt>().erasedAt, tomb.erasedAt);
      const receipt = await http('GET', `${c.url}/v1/bundles/${b.sha256}/receipt`, { token: alice });
      assert.equal(receipt.json<Receipt>().status, 'erased');
    });

    it('quarantines a bundle with a secret: accepted (202), kept apart, never served, the contributor told why', async () => {
      const b = await secretBundle(n++);
      const r = await upload(c, alice, b.bytes);
      assert.equal(r.status, 202, r.body.toString());
      const receipt = r.json<Receipt>();
      assert.equal(receipt.status, 'quarantined');
      assert.match(receipt.reason ?? '', /github/);
      assert.ok(!(receipt.reason ?? '').includes('ghp_'), 'the reason never holds the value');
      assert.equal((await http('GET', `${c.url}/v1/bundles/${b.sha256}`, { token: lead })).status, 404);
      const own = await http('GET', `${c.url}/v1/bundles/${b.sha256}`, { token: alice });
      assert.equal(own.status, 403);
      assert.equal(own.json()['reason'], 'quarantined');
      const listLead = await http('GET', `${c.url}/v1/bundles?limit=1000`, { token: lead });
      assert.ok(!listLead.body.toString().includes(b.sha256));
      const listAlice = await http('GET', `${c.url}/v1/bundles?limit=1000`, { token: alice });
      const mine = listAlice.json<{ bundles: Receipt[] }>().bundles.find((x) => x.id === b.sha256);
      assert.equal(mine?.status, 'quarantined');
      if (c.dataDir !== undefined) {
        assert.equal(filesUnder(join(c.dataDir, 'bundles', 'quarantine')).filter((f) => f.endsWith(b.sha256)).length, 1);
        assert.equal(filesUnder(join(c.dataDir, 'bundles', 'bundles')).filter((f) => f.endsWith(b.sha256)).length, 0);
      } else {
        assert.equal((await c.store.db.selectFrom('quarantine_bytes').select('id').where('id', '=', b.sha256).execute()).length, 1);
        assert.equal((await c.store.db.selectFrom('bundle_bytes').select('id').where('id', '=', b.sha256).execute()).length, 0);
      }
      // The contributor can still erase it.
      assert.equal((await http('DELETE', `${c.url}/v1/bundles/${b.sha256}`, { token: alice })).status, 200);
      assert.equal(await storedCopies(c, b.sha256), 0);
    });

    it('refuses a policy version the team never published, and events outside the policy\'s categories', async () => {
      const unknown = await uniqueBundle(n++, { policyVersion: 'made-up-7' });
      const r = await upload(c, alice, unknown.bytes);
      assert.equal(r.status, 400);
      assert.equal(r.json()['reason'], 'unknown-policy-version');
      const narrow = await http('PUT', `${c.url}/v1/policy`, { token: admin, body: JSON.stringify({ policy: { version: 'narrow-1', categories: ['edits'] } }), contentType: 'application/json' });
      assert.equal(narrow.status, 200, narrow.body.toString());
      const outside = await uniqueBundle(n++, { policyVersion: 'narrow-1' });
      const r2 = await upload(c, alice, outside.bytes);
      assert.equal(r2.status, 400);
      assert.equal(r2.json()['reason'], 'outside-policy');
      assert.equal(await storedCopies(c, unknown.sha256) + (await storedCopies(c, outside.sha256)), 0);
      // An older version stays known: bundles built before the change still upload.
      assert.equal((await upload(c, alice, (await next()).bytes)).status, 201);
      await c.store.setPolicy('web', { policy: { version: 'team-3' } });
    });

    it('serves the team policy with its kill switch; only an admin changes it; a version names one content', async () => {
      const p = await http('GET', `${c.url}/v1/policy`, { token: alice });
      assert.equal(p.status, 200);
      assert.equal(p.json()['version'], 'team-3');
      assert.equal(p.json()['killSwitch'], false);
      const denied = await http('PUT', `${c.url}/v1/policy`, { token: lead, body: JSON.stringify({ killSwitch: true }), contentType: 'application/json' });
      assert.equal(denied.status, 403);
      const kill = await http('PUT', `${c.url}/v1/policy`, { token: admin, body: JSON.stringify({ killSwitch: true }), contentType: 'application/json' });
      assert.equal(kill.status, 200);
      assert.equal((await http('GET', `${c.url}/v1/policy`, { token: bob })).json()['killSwitch'], true);
      const reuse = await http('PUT', `${c.url}/v1/policy`, { token: admin, body: JSON.stringify({ policy: { version: 'team-3', categories: ['edits'] } }), contentType: 'application/json' });
      assert.equal(reuse.status, 400);
      assert.equal(reuse.json()['reason'], 'bad-policy');
      const typo = await http('PUT', `${c.url}/v1/policy`, { token: admin, body: JSON.stringify({ policy: { version: 'x', exlude: ['a'] } }), contentType: 'application/json' });
      assert.equal(typo.json()['reason'], 'bad-policy');
      const proto = await http('PUT', `${c.url}/v1/policy`, { token: admin, body: '{"__proto__":{"x":1},"killSwitch":false}', contentType: 'application/json' });
      assert.equal(proto.status, 400);
      await http('PUT', `${c.url}/v1/policy`, { token: admin, body: JSON.stringify({ killSwitch: false }), contentType: 'application/json' });
    });

    it('a revoked token fails at once; no token and a bad token are 401 with a reason', async () => {
      const { token, info } = await c.store.createToken('web', 'contributor', 'carol');
      assert.equal((await http('GET', `${c.url}/v1/bundles`, { token })).status, 200);
      assert.ok(await c.store.revokeToken(info.id));
      const r = await http('GET', `${c.url}/v1/bundles`, { token });
      assert.equal(r.status, 401);
      assert.equal(r.json()['reason'], 'unauthorized');
      assert.equal((await http('GET', `${c.url}/v1/bundles`)).status, 401);
      assert.equal((await http('GET', `${c.url}/v1/bundles`, { token: 'cndr_nope' })).status, 401);
    });

    it('refuses missing consent categories, compressed transfer encodings and wrong media types', async () => {
      const b = await bundleOf(uniqueEvents(n++), { receipt: receiptWith(['edits']) });
      // The builder drops events outside the receipt, so this bundle is valid: stored.
      assert.equal((await upload(c, alice, b.bytes)).status, 201);
      const gz = await http('PUT', `${c.url}/v1/bundles/${'a'.repeat(64)}`, { token: alice, body: zlib.gzipSync(Buffer.from('x')), headers: { 'content-encoding': 'gzip' } });
      assert.equal(gz.status, 415);
      assert.equal(gz.json()['reason'], 'unsupported-encoding');
      const json = await http('PUT', `${c.url}/v1/bundles/${'a'.repeat(64)}`, { token: alice, body: '{}', contentType: 'application/json' });
      assert.equal(json.status, 415);
      const text = await http('PUT', `${c.url}/v1/bundles/${'a'.repeat(64)}`, { token: alice, body: 'x', contentType: 'text/plain' });
      assert.equal(text.status, 415);
      assert.equal(text.json()['reason'], 'unsupported-media-type');
    });

    it('erases bundles past their retention (the purge job) and keeps tombstones', async () => {
      const b = await next();
      assert.equal((await upload(c, alice, b.bytes)).status, 201);
      const row = await c.store.findBundle('web', b.sha256);
      assert.ok(row?.expires_at !== null && row?.expires_at !== undefined);
      assert.equal(row.expires_at - row.stored_at, 180 * 24 * 3600 * 1000, 'default retention: 180 days');
      await c.store.db.updateTable('bundles').set({ expires_at: 1 }).where('id', '=', b.sha256).execute();
      assert.ok((await c.store.purgeExpired()) >= 1);
      const after = await c.store.findBundle('web', b.sha256);
      assert.equal(after?.status, 'erased');
      assert.equal(after?.erased_by, 'retention');
      assert.equal(await storedCopies(c, b.sha256), 0);
    });

    it('rate-limits per token: 429 with a reason, other tokens unaffected', async () => {
      const limited = await startCollector(kind, { server: { rateLimit: { max: 3, windowMs: 60_000 } } });
      try {
        const t1 = await limited.token('web', 'contributor', 'x');
        const t2 = await limited.token('web', 'contributor', 'y');
        const codes: number[] = [];
        for (let k = 0; k < 5; k++) {
          codes.push((await http('GET', `${limited.url}/v1/bundles`, { token: t1 })).status);
        }
        assert.deepEqual(codes, [200, 200, 200, 429, 429]);
        const r = await http('GET', `${limited.url}/v1/bundles`, { token: t1 });
        assert.equal(r.json()['reason'], 'rate-limited');
        assert.equal((await http('GET', `${limited.url}/v1/bundles`, { token: t2 })).status, 200);
      } finally {
        await limited.close();
      }
    });
  });
}

apiSuite('sqlite');
apiSuite('postgres');
