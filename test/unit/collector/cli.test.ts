/**
 * `candor-collector`, run in-process: tokens and invites, policy, migrate, status, serve, and
 * one-line errors with non-zero exits.
 */
import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../src/collector/cli';
import { REASONS } from '../../../src/collector/errors';
import { http, uniqueBundle, upload } from './helpers';

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function cli(argv: readonly string[], stopSignal?: Promise<void>, onStdout?: (s: string) => void): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: { write: (s: string) => ((stdout += s), onStdout?.(stdout)) },
    stderr: { write: (s: string) => (stderr += s) },
    ...(stopSignal !== undefined ? { stopSignal } : {}),
  });
  return { code, stdout, stderr };
}

describe('candor-collector CLI', function () {
  this.timeout(60_000);
  let dir: string;
  let data: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'candor-collector-cli-'));
    data = join(dir, 'data');
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('token create --json prints exactly {token, inviteUrl}; list shows it; revoke revokes it', async () => {
    const r = await cli(['token', 'create', '--data', data, '--role', 'contributor', '--name', 'alice', '--team', 'web', '--url', 'http://127.0.0.1:9999', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { token: string; inviteUrl: string };
    assert.deepEqual(Object.keys(out).sort(), ['inviteUrl', 'token']);
    assert.match(out.token, /^cndr_[A-Za-z0-9_-]{43}$/);
    const invite = new URL(out.inviteUrl);
    assert.equal(invite.protocol, 'vscode:');
    assert.equal(invite.host, 'candor.candor');
    assert.equal(invite.pathname, '/connect');
    assert.equal(invite.searchParams.get('url'), 'http://127.0.0.1:9999');
    assert.equal(invite.searchParams.get('token'), out.token);
    const list = await cli(['token', 'list', '--data', data, '--json']);
    const tokens = JSON.parse(list.stdout) as { id: string; name: string; revokedAt?: string }[];
    assert.equal(tokens.length, 1);
    assert.ok(!list.stdout.includes(out.token), 'the token itself is never listed');
    assert.equal((await cli(['token', 'revoke', '--data', data, tokens[0].id])).code, 0);
    const again = await cli(['token', 'revoke', '--data', data, tokens[0].id]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /^candor-collector: error: no active token/);
    const human = await cli(['token', 'create', '--data', data, '--role', 'lead', '--name', 'lena', '--team', 'web']);
    assert.match(human.stdout, /invite link:\nvscode:\/\/candor\.candor\/connect\?url=/);
  });

  it('policy set / show, with the kill switch; bad files are one-line errors', async () => {
    await cli(['token', 'create', '--data', data, '--role', 'admin', '--name', 'root', '--team', 'web']);
    const file = join(dir, 'policy.json');
    writeFileSync(file, JSON.stringify({ version: '2026-01', categories: ['edits', 'files'], exclude: ['secrets/**'] }));
    assert.equal((await cli(['policy', 'set', '--data', data, '--team', 'web', '--file', file])).code, 0);
    assert.equal((await cli(['policy', 'set', '--data', data, '--team', 'web', '--kill-switch', 'on'])).code, 0);
    const show = await cli(['policy', 'show', '--data', data, '--team', 'web', '--json']);
    const served = JSON.parse(show.stdout) as { version: string; killSwitch: boolean; policy: { categories: string[] } };
    assert.equal(served.version, '2026-01');
    assert.equal(served.killSwitch, true);
    assert.deepEqual(served.policy.categories, ['edits', 'files']);
    writeFileSync(file, JSON.stringify({ version: 'x', exlude: [] }));
    const bad = await cli(['policy', 'set', '--data', data, '--team', 'web', '--file', file]);
    assert.equal(bad.code, 1);
    assert.equal(bad.stderr.split('\n').filter(Boolean).length, 1);
    assert.match(bad.stderr, /unknown key 'exlude'/);
  });

  it('usage errors exit 2 with one line and a pointer to --help', async () => {
    for (const argv of [[], ['bogus'], ['token', 'create', '--data', data, '--role', 'boss', '--name', 'a', '--team', 't'], ['status'], ['serve', '--data', data, '--port', 'x'], ['token', 'revoke', '--data', data, 'nope']]) {
      const r = await cli(argv);
      assert.equal(r.code, 2, `${argv.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, argv.length === 0 ? /^Usage: candor-collector/ : /^candor-collector: .*\nRun 'candor-collector --help' for usage\.\n$/);
    }
    assert.equal((await cli(['--help'])).code, 0);
  });

  it('migrate and status', async () => {
    const m = await cli(['migrate', '--data', data]);
    assert.equal(m.code, 0);
    assert.match(m.stdout, /applied: 0001_initial/);
    assert.match((await cli(['migrate', '--data', data])).stdout, /up to date/);
    const s = await cli(['status', '--data', data, '--json']);
    assert.equal((JSON.parse(s.stdout) as { dialect: string }).dialect, 'sqlite');
  });

  it('serve runs a collector that takes an upload, and stops on its signal', async () => {
    const created = JSON.parse((await cli(['token', 'create', '--data', data, '--role', 'contributor', '--name', 'alice', '--team', 'web', '--json'])).stdout) as { token: string };
    const bundle = await uniqueBundle(77, { policyVersion: '1' });
    let stop!: () => void;
    const stopSignal = new Promise<void>((r) => (stop = r));
    let listening!: (url: string) => void;
    const url = new Promise<string>((r) => (listening = r));
    const served = cli(['serve', '--data', data, '--port', '0', '--quiet'], stopSignal, (out) => {
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m !== null) {
        listening(m[1]);
      }
    });
    const base = await url;
    assert.equal((await http('GET', `${base}/v1/health`)).status, 200);
    const r = await upload({ url: base }, created.token, bundle.bytes);
    assert.equal(r.status, 201, r.body.toString());
    stop();
    assert.equal((await served).code, 0);
    const status = JSON.parse((await cli(['status', '--data', data, '--json'])).stdout) as { bundles: { stored: number } };
    assert.equal(status.bundles.stored, 1);
  });
});

describe('docs/collector-api.md', () => {
  it('documents every reason code with its status', () => {
    const doc = readFileSync(join(__dirname, '..', '..', '..', '..', 'docs', 'collector-api.md'), 'utf8');
    for (const [reason, status] of Object.entries(REASONS)) {
      assert.ok(doc.includes(`| \`${reason}\` | ${status} |`), `${reason} (${status}) is not in the table`);
    }
  });
});
