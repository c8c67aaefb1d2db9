import * as assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readBundle, sha256 } from '../../../src/bundle/format';
import { bundleCommands } from '../../../src/cli/bundleCommands';
import { COMMANDS } from '../../../src/cli/main';
import { runCli } from './runCli';
import type { RunResult } from './runCli';
import { CREATED_AT, identityRedactor, sampleEvents, testReceipt, writeLog } from '../bundle/helpers';

describe('candor bundle (CLI)', () => {
  let root: string;
  let logDir: string;
  const { events } = sampleEvents();
  const commands = bundleCommands({ redactor: () => identityRedactor, now: () => new Date(CREATED_AT), extensionVersion: '0.1.0' });

  function run(argv: string[], withCommands = commands): Promise<RunResult> {
    return runCli(argv, { cwd: root, commands: withCommands });
  }

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'candor-bundle-cli-'));
    logDir = join(root, 'log dir ü');
    await mkdir(logDir);
    await writeLog(logDir, events);
    await writeFile(join(root, 'receipt.json'), JSON.stringify(testReceipt()));
    await writeFile(join(root, 'snapshot.json'), JSON.stringify({ state: 'recording', receipt: testReceipt() }));
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('is in the main command table', () => {
    const names = COMMANDS.map((c) => c.name);
    for (const name of ['bundle build', 'bundle inspect', 'bundle verify', 'bundle replay']) {
      assert.ok(names.includes(name), name);
    }
  });

  describe('build', () => {
    it('writes the bundle and prints its SHA-256; the same inputs give the same file', async () => {
      const r = await run(['bundle', 'build', 'log dir ü', '--out', 'a.candor', '--receipt', 'receipt.json']);
      assert.equal(r.code, 0, r.stderr);
      const bytes = await readFile(join(root, 'a.candor'));
      assert.ok(r.stdout.includes(`SHA-256 ${sha256(bytes)}`), r.stdout);
      assert.match(r.stdout, /23 events, 3 files/);
      const read = await readBundle(bytes);
      assert.deepEqual(read.events, events);
      assert.equal(read.manifest.createdAt, CREATED_AT);
      assert.equal(read.manifest.policyVersion, testReceipt().policyVersion);
      const again = await run(['bundle', 'build', 'log dir ü', '--out', 'b.candor', '--receipt', 'snapshot.json', '--created-at', CREATED_AT]);
      assert.equal(again.code, 0, again.stderr);
      assert.ok(bytes.equals(await readFile(join(root, 'b.candor'))));
    });

    it('selects --from/--to (ISO or ms) and --session', async () => {
      const from = new Date(events[10].event.ts).toISOString();
      const to = String(events[15].event.ts);
      const r = await run(['bundle', 'build', 'log dir ü', '--out', 'r.candor', '--receipt', 'receipt.json', '--from', from, '--to', to, '--policy-version', 'team-9']);
      assert.equal(r.code, 0, r.stderr);
      const read = await readBundle(await readFile(join(root, 'r.candor')));
      assert.ok(read.events.every((e) => e.event.t === 'snap' || (e.event.ts >= Date.parse(from) && e.event.ts <= Number(to))));
      assert.equal(read.manifest.policyVersion, 'team-9');
      const s = await run(['bundle', 'build', 'log dir ü', '--out', 's.candor', '--receipt', 'receipt.json', '--session', 'nope']);
      assert.equal(s.code, 0, s.stderr);
      assert.equal((await readBundle(await readFile(join(root, 's.candor')))).manifest.counts.events, 0);
    });

    it('needs a consent receipt, and says so', async () => {
      const r = await run(['bundle', 'build', 'log dir ü', '--out', 'a.candor']);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /a bundle needs the consent receipt: pass --receipt/);
      const missing = await run(['bundle', 'build', 'log dir ü', '--out', 'a.candor', '--receipt', 'nope.json']);
      assert.equal(missing.code, 2);
      assert.match(missing.stderr, /cannot read the consent receipt .*nope\.json: ENOENT/);
      await writeFile(join(root, 'bad.json'), JSON.stringify({ ...testReceipt(), categories: [] }));
      const bad = await run(['bundle', 'build', 'log dir ü', '--out', 'a.candor', '--receipt', 'bad.json']);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /consent receipt .* is not valid/);
    });

    it('rejects usage errors with exit 2', async () => {
      for (const argv of [
        ['bundle', 'build', 'log dir ü', '--receipt', 'receipt.json'],
        ['bundle', 'build', '--out', 'x', '--receipt', 'receipt.json'],
        ['bundle', 'build', 'log dir ü', '--out', 'x', '--receipt', 'receipt.json', '--from', 'yesterday'],
        ['bundle', 'build', 'log dir ü', '--out', 'x', '--receipt', 'receipt.json', '--from', '2000', '--to', '1000'],
        ['bundle', 'build', 'no such dir', '--out', 'x', '--receipt', 'receipt.json'],
        ['bundle', 'replay', 'x.candor'],
        ['bundle', 'replay', 'x.candor', '--file', 'a', '--seq', '0'],
        ['bundle', 'verify', 'x.candor', '--sha256', 'abc'],
        ['bundle'],
      ]) {
        const r = await run(argv);
        assert.equal(r.code, 2, `${argv.join(' ')}: ${r.stderr}`);
        assert.notEqual(r.stderr, '');
      }
    });

    it('fails with exit 1 and leaves no file when redaction fails', async () => {
      const noEngine = bundleCommands({ redactor: () => ({ redact: () => Promise.reject(new (class extends Error {})('boom')) }) });
      const r = await run(['bundle', 'build', 'log dir ü', '--out', 'a.candor', '--receipt', 'receipt.json'], noEngine);
      assert.equal(r.code, 1);
      await assert.rejects(readFile(join(root, 'a.candor')));
    });
  });

  describe('inspect, verify, replay', () => {
    let file: string;

    beforeEach(async () => {
      file = join(root, 'b.candor');
      assert.equal((await run(['bundle', 'build', 'log dir ü', '--out', file, '--receipt', 'receipt.json'])).code, 0);
    });

    it('inspect prints the manifest summary, or JSON', async () => {
      const r = await run(['bundle', 'inspect', 'b.candor']);
      assert.equal(r.code, 0, r.stderr);
      for (const s of ['File SHA-256:', 'Bundle id:', 'Consent:', 'edits, navigation', 'Events:', 'edit 5', 'src/a.ts', 'Redaction:', 'none']) {
        assert.ok(r.stdout.includes(s), `${s} in\n${r.stdout}`);
      }
      const j = await run(['bundle', 'inspect', 'b.candor', '--json']);
      const parsed = JSON.parse(j.stdout) as { sha256: string; manifest: { counts: { events: number } } };
      assert.equal(parsed.sha256, sha256(await readFile(file)));
      assert.equal(parsed.manifest.counts.events, 23);
    });

    it('verify passes a good bundle and fails a damaged one with exit 1', async () => {
      const ok = await run(['bundle', 'verify', 'b.candor']);
      assert.equal(ok.code, 0, ok.stderr);
      assert.match(ok.stdout, /ok +replay: 23 events, 2 documents, 3\/3 checkpoints matched/);
      const bytes = await readFile(file);
      assert.equal((await run(['bundle', 'verify', 'b.candor', '--sha256', sha256(bytes)])).code, 0);
      assert.equal((await run(['bundle', 'verify', 'b.candor', '--sha256', sha256('x')])).code, 1);
      bytes[bytes.length - 20] ^= 0xff;
      await writeFile(join(root, 'bad.candor'), bytes);
      const bad = await run(['bundle', 'verify', 'bad.candor']);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /invalid bundle: .*\[(corrupt|hash-mismatch)\]/);
      const json = await run(['bundle', 'verify', 'bad.candor', '--json']);
      assert.equal(json.code, 1);
      assert.equal((JSON.parse(json.stdout) as { ok: boolean }).ok, false);
      assert.equal((await run(['bundle', 'inspect', 'bad.candor'])).code, 1);
      assert.equal((await run(['bundle', 'verify', 'missing.candor'])).code, 2);
      await writeFile(join(root, 'text.txt'), 'hello');
      const notBundle = await run(['bundle', 'inspect', 'text.txt']);
      assert.equal(notBundle.code, 1);
      assert.match(notBundle.stderr, /not a Candor bundle.*\[bad-magic\]/);
    });

    it('verify fails a bundle whose checkpoints do not replay', async () => {
      const broken = events.map((e) => (e.event.t === 'ckpt' && e.seq === 7 ? { ...e, event: { ...e.event, h: sha256('wrong') } } : e));
      const dir2 = join(root, 'log2');
      await mkdir(dir2);
      await writeLog(dir2, broken);
      assert.equal((await run(['bundle', 'build', 'log2', '--out', 'c.candor', '--receipt', 'receipt.json'])).code, 0);
      const r = await run(['bundle', 'verify', 'c.candor']);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /checkpoint mismatch for src\/a\.ts/);
    });

    it('replay prints the text of a document at a seq', async () => {
      const r = await run(['bundle', 'replay', 'b.candor', '--file', 'docs/readme.md']);
      assert.deepEqual(r, { code: 0, stdout: '# Tïtle\nbody', stderr: '' });
      const early = await run(['bundle', 'replay', 'b.candor', '--file', 'src/a.ts', '--seq', '2']);
      assert.equal(early.stdout, 'line one\r\nline 😀 two\r\n');
      const none = await run(['bundle', 'replay', 'b.candor', '--file', 'nope.ts']);
      assert.equal(none.code, 1);
      assert.match(none.stderr, /nope\.ts has no text at the end of the bundle: the bundle never names it/);
    });
  });
});
