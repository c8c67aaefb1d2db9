import * as assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildBundle } from '../../../src/bundle/build';
import { readBundle } from '../../../src/bundle/format';
import { verifyBundle } from '../../../src/bundle/verify';
import { buildBundleInWorker } from '../../../src/bundle/workerHost';
import { bundleCommands } from '../../../src/cli/bundleCommands';
import { runCli } from '../cli/runCli';
import type { RunResult } from '../cli/runCli';
import type { TeamPolicy } from '../../../src/privacy/policy/model';
import { CREATED_AT, identityRedactor, inputOf, sampleEvents, testReceipt, writeLog } from './helpers';

const WORKER_SCRIPT = resolve(__dirname, '../../../src/bundle/worker.js');
const FAKE_REDACTOR = resolve(__dirname, 'fakeRedactor.js');

/**
 * The policy applied again at bundle time: the sample was recorded under a receipt granting
 * edits, navigation, files, terminal commands and output, and tools; the team then forbade
 * Markdown and terminal commands.
 */
describe('bundle-time policy', () => {
  const { events, seqs } = sampleEvents();
  const tightened: TeamPolicy = { version: 'team-7', exclude: ['**/*.md'], categories: ['edits', 'navigation', 'files', 'tools'] };

  it('removes events of a glob and a category forbidden after recording, and the manifest says so', async () => {
    const before = await buildBundle(inputOf(events));
    assert.equal(before.manifest.exclusions.policy, undefined, 'no policy, no policy record');
    const built = await buildBundle(inputOf(events, { policy: tightened, policyVersion: tightened.version }));
    const m = built.manifest;
    assert.equal(m.policyVersion, 'team-7');
    assert.ok(!built.events.some((e) => 'f' in e.event && typeof e.event.f === 'string' && e.event.f.endsWith('.md')), 'no Markdown event left');
    assert.ok(!built.events.some((e) => e.event.t === 'term'), 'no terminal command left');
    assert.ok(built.events.some((e) => e.seq === seqs['edit2']), 'the rest stays');
    assert.deepEqual(m.exclusions.policy, {
      version: 'team-7',
      // snapB, its edit, the rename to readme.md, readme.md's edit and checkpoint
      events: 5,
      outsideCategories: 1,
      files: { excluded: 2, ineligible: 0, gitignored: 0, binary: 0, 'too-large': 0 },
    });
    assert.equal(m.counts.events, events.length - 6);
    const check = await verifyBundle(built.bytes);
    assert.ok(check.ok, check.error?.message ?? check.replay?.issues[0]?.message);
    // The manifest is read back exactly (the validator knows the new object).
    assert.deepEqual((await readBundle(built.bytes)).manifest, m);
  });

  it('strips terminal output the policy does not allow, and keeps the command', async () => {
    const built = await buildBundle(inputOf(events, { policy: { version: 'p', categories: ['edits', 'navigation', 'files', 'terminalCommands', 'tools'] } }));
    const term = built.events.find((e) => e.event.t === 'term');
    assert.ok(term !== undefined && term.event.t === 'term' && term.event.out === undefined);
    assert.equal(built.manifest.exclusions.policy?.outsideCategories, 1);
    assert.equal(built.manifest.exclusions.policy?.events, 0);
  });

  it('goes through the worker protocol', async () => {
    const built = await buildBundleInWorker(
      {
        source: { kind: 'events', events },
        params: { receipt: testReceipt(), extensionVersion: '0.1.0', createdAt: CREATED_AT, policyVersion: 'team-7', policy: tightened, folders: [] },
        redactorModule: FAKE_REDACTOR,
      },
      { workerScript: WORKER_SCRIPT },
    );
    assert.equal(built.manifest.exclusions.policy?.events, 5);
    assert.equal(built.manifest.counts.events, events.length - 6);
  });

  describe('candor bundle build --policy', () => {
    let root: string;
    const commands = bundleCommands({ redactor: () => identityRedactor, now: () => new Date(CREATED_AT), extensionVersion: '0.1.0' });

    function run(argv: string[]): Promise<RunResult> {
      return runCli(argv, { cwd: root, commands });
    }

    beforeEach(async () => {
      root = await mkdtemp(join(tmpdir(), 'candor-policy-cli-'));
      await mkdir(join(root, 'log'));
      await writeLog(join(root, 'log'), events);
      await writeFile(join(root, 'receipt.json'), JSON.stringify(testReceipt()));
      await writeFile(join(root, 'policy.json'), JSON.stringify(tightened));
    });

    afterEach(async () => {
      await rm(root, { recursive: true, force: true });
    });

    it('applies the policy file, names its version and lists what it removed', async () => {
      const r = await run(['bundle', 'build', 'log', '--out', 'p.candor', '--receipt', 'receipt.json', '--policy', 'policy.json']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /policy team-7: 6 events left out/);
      const read = await readBundle(await readFile(join(root, 'p.candor')));
      assert.equal(read.manifest.policyVersion, 'team-7');
      assert.equal(read.manifest.exclusions.policy?.events, 5);
      const inspect = await run(['bundle', 'inspect', 'p.candor']);
      assert.match(inspect.stdout, /Policy: +team-7: 5 events of disallowed files left out \(files: excluded 2\); 1 outside its categories/);
    });

    it('validates the policy file as the extension does: a typo is an error, not a looser policy', async () => {
      await writeFile(join(root, 'typo.json'), JSON.stringify({ version: 'x', exlude: ['**/*.md'] }));
      const r = await run(['bundle', 'build', 'log', '--out', 't.candor', '--receipt', 'receipt.json', '--policy', 'typo.json']);
      assert.equal(r.code, 2, 'bad input, as a bad receipt');
      assert.match(r.stderr, /unknown key 'exlude'/);
      const missing = await run(['bundle', 'build', 'log', '--out', 't.candor', '--receipt', 'receipt.json', '--policy', 'nope.json']);
      assert.equal(missing.code, 2);
      assert.match(missing.stderr, /does not exist/);
      await assert.rejects(readFile(join(root, 't.candor')), 'no file written');
    });

    it('refuses a --policy-version that is not the policy applied', async () => {
      const r = await run(['bundle', 'build', 'log', '--out', 'v.candor', '--receipt', 'receipt.json', '--policy', 'policy.json', '--policy-version', 'other']);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /not the version of --policy/);
    });
  });
});
