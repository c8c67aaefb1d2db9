/**
 * The authorization matrix: 2 teams × 2 contributors × lead × admin × a revoked token × no token,
 * against every endpoint, over real HTTP. Prints the table of status codes and counts every
 * cross-contributor or cross-team read, write or delete (there must be none).
 */
import * as assert from 'node:assert/strict';
import { sha256 } from '../../../src/bundle/format';
import type { Role } from '../../../src/collector/tokens';
import type { DbKind, RunningCollector } from './helpers';
import { http, requirePostgres, startCollector, uniqueBundle, upload } from './helpers';

interface Actor {
  readonly label: string;
  readonly team?: string;
  readonly role?: Role;
  readonly name?: string;
  token?: string;
}

function matrixSuite(kind: DbKind): void {
  describe(`collector authorization matrix (${kind})`, function () {
    this.timeout(120_000);
    let c: RunningCollector;
    let n = 5000;
    const actors: Actor[] = [
      { label: 'A contributor alice', team: 'A', role: 'contributor', name: 'alice' },
      { label: 'A contributor bob', team: 'A', role: 'contributor', name: 'bob' },
      { label: 'A lead', team: 'A', role: 'lead', name: 'lead-a' },
      { label: 'A admin', team: 'A', role: 'admin', name: 'admin-a' },
      { label: 'B contributor carol', team: 'B', role: 'contributor', name: 'carol' },
      { label: 'B contributor dave', team: 'B', role: 'contributor', name: 'dave' },
      { label: 'B lead', team: 'B', role: 'lead', name: 'lead-b' },
      { label: 'B admin', team: 'B', role: 'admin', name: 'admin-b' },
      { label: 'A contributor, revoked', team: 'A', role: 'contributor', name: 'alice' },
      { label: 'no token' },
    ];
    const owner = actors[0];

    before(async function () {
      if (kind === 'postgres') {
        await requirePostgres(this);
      }
      c = await startCollector(kind);
      for (const a of actors) {
        if (a.team !== undefined) {
          a.token = await c.token(a.team, a.role!, a.name!);
        }
      }
      const revoked = actors[8];
      const id = (await c.store.listTokens('A')).at(-1)!.id;
      await c.store.revokeToken(id);
      assert.equal((await http('GET', `${c.url}/v1/policy`, { token: revoked.token })).status, 401);
    });
    after(async () => {
      await c?.close();
    });

    it('allows exactly what each role may do, and nothing across contributors or teams', async () => {
      const endpoints = ['GET health', 'GET policy', 'PUT policy', 'PUT own bundle', 'GET bundle', 'GET receipt', 'GET list', 'DELETE bundle', "PUT alice's bytes"];
      const table: string[][] = [];
      let violations = 0;
      const violation = (what: string): void => {
        violations++;
        console.log(`      VIOLATION: ${what}`);
      };
      for (const a of actors) {
        const row: string[] = [];
        const isOwner = a.token !== undefined && a.label === owner.label;
        const sameTeamLead = a.team === 'A' && a.role === 'lead';
        const authed = a.token !== undefined && a !== actors[8];
        // A fresh bundle of alice's for this row, so DELETE attempts do not depend on each other.
        const target = await uniqueBundle(n++);
        assert.equal((await upload(c, owner.token!, target.bytes)).status, 201);

        row.push(String((await http('GET', `${c.url}/v1/health`, { token: a.token })).status));

        const pol = await http('GET', `${c.url}/v1/policy`, { token: a.token });
        row.push(String(pol.status));
        if (pol.status === 200 && pol.json()['team'] !== a.team) {
          violation(`${a.label} read team ${String(pol.json()['team'])}'s policy`);
        }

        const before = await c.store.currentPolicy('A');
        const put = await http('PUT', `${c.url}/v1/policy`, { token: a.token, body: JSON.stringify({ killSwitch: false }), contentType: 'application/json' });
        row.push(String(put.status));
        if (put.status === 200 && !(a.role === 'admin' && a.team === 'A') && (await c.store.currentPolicy('A'))?.updatedAt !== before?.updatedAt) {
          violation(`${a.label} changed team A's policy`);
        }
        if (put.status === 200 && a.role !== 'admin') {
          violation(`${a.label} (not an admin) changed a policy`);
        }

        const own = await uniqueBundle(n++);
        const ownPut = await upload(c, a.token ?? '', own.bytes);
        row.push(String(ownPut.status));
        if (ownPut.status < 300 && a.role !== 'contributor') {
          violation(`${a.label} uploaded`);
        }

        const get = await http('GET', `${c.url}/v1/bundles/${target.sha256}`, { token: a.token });
        row.push(String(get.status));
        if (get.status === 200 && !(isOwner || sameTeamLead)) {
          violation(`${a.label} read alice's bundle`);
        }
        if (get.status === 200 && sha256(get.body) !== target.sha256) {
          violation(`${a.label} got other bytes`);
        }

        const rec = await http('GET', `${c.url}/v1/bundles/${target.sha256}/receipt`, { token: a.token });
        row.push(String(rec.status));
        if (rec.status === 200 && !(isOwner || sameTeamLead)) {
          violation(`${a.label} read alice's receipt`);
        }

        const list = await http('GET', `${c.url}/v1/bundles?limit=1000`, { token: a.token });
        row.push(String(list.status));
        if (list.status === 200) {
          for (const b of list.json<{ bundles: { id: string; owner: string }[] }>().bundles) {
            const stored = await c.store.findBundle(a.team!, b.id);
            if (stored === undefined || (a.role === 'contributor' && b.owner !== a.name) || stored.owner !== b.owner) {
              violation(`${a.label} listed ${b.owner}'s bundle ${b.id.slice(0, 8)}`);
            }
          }
        }

        const del = await http('DELETE', `${c.url}/v1/bundles/${target.sha256}`, { token: a.token });
        row.push(String(del.status));
        const afterDel = await c.store.findBundle('A', target.sha256);
        if (!isOwner && afterDel?.status !== 'stored') {
          violation(`${a.label} erased alice's bundle`);
        }
        if (isOwner && afterDel?.status !== 'erased') {
          violation('alice could not erase her own bundle');
        }

        // Last: a team-B contributor's upload of the same bytes creates team B's own copy.
        const foreign = await upload(c, a.token ?? '', target.bytes);
        row.push(String(foreign.status));
        const targetRow = await c.store.findBundle('A', target.sha256);
        if (targetRow?.owner !== 'alice' || targetRow.status !== (isOwner ? 'erased' : 'stored')) {
          violation(`${a.label} changed alice's bundle by uploading its bytes`);
        }
        if (foreign.status < 300 && !isOwner && a.team === 'A') {
          violation(`${a.label} got a success uploading alice's id in team A`);
        }

        // Expected codes, so the table is also checked cell by cell.
        const expected = [
          '200',
          authed ? '200' : '401',
          !authed ? '401' : a.role === 'admin' ? '200' : '403',
          !authed ? '401' : a.role === 'contributor' ? '201' : '403',
          !authed ? '401' : a.role === 'admin' ? '403' : isOwner || sameTeamLead ? '200' : '404',
          !authed ? '401' : a.role === 'admin' ? '403' : isOwner || sameTeamLead ? '200' : '404',
          !authed ? '401' : a.role === 'admin' ? '403' : '200',
          !authed ? '401' : a.role !== 'contributor' ? '403' : isOwner ? '200' : '404',
          !authed ? '401' : a.role !== 'contributor' ? '403' : isOwner ? '410' : a.team === 'A' ? '409' : '201',
        ];
        assert.deepEqual(row, expected, `${a.label}: ${endpoints.join(', ')}`);
        table.push([a.label, ...row]);
      }
      const widths = ['actor', ...endpoints].map((h, k) => Math.max(h.length, ...table.map((r) => r[k].length)));
      const line = (cells: string[]): string => `      | ${cells.map((x, k) => x.padEnd(widths[k])).join(' | ')} |`;
      console.log(line(['actor', ...endpoints]));
      console.log(line(widths.map((w) => '-'.repeat(w))));
      for (const r of table) {
        console.log(line(r));
      }
      console.log(`      cross-contributor / cross-team reads, writes, deletes: ${violations}`);
      assert.equal(violations, 0);
    });
  });
}

matrixSuite('sqlite');
matrixSuite('postgres');
