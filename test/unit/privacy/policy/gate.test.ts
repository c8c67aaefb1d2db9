import * as assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { CandorEvent, LoggedEvent } from '../../../../src/model/events';
import { applyPolicyToEvents } from '../../../../src/privacy/policy/events';
import { PolicyGate } from '../../../../src/privacy/policy/gate';
import { preparePolicy } from '../../../../src/privacy/policy/load';
import type { TeamPolicy } from '../../../../src/privacy/policy/model';
import { sha256Hex } from '../../../../src/replay/hash';
import { replayEvents } from '../../../../src/replay/replay';
import { tempDir } from './helpers';
import { LICENSE_TEXTS } from './licenseTexts';

async function put(root: string, files: Record<string, string | Buffer>): Promise<void> {
  for (const [rel, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, rel)), { recursive: true });
    await writeFile(join(root, rel), content);
  }
}

describe('policy gate (record time)', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ path: root, cleanup } = await tempDir());
  });
  afterEach(() => cleanup());

  it('decides eligibility per folder, then extension, .gitignore, size and content', async () => {
    const app = { name: 'app', fsPath: join(root, 'app') };
    const gpl = { name: 'gpl', fsPath: join(root, 'gpl') };
    await put(app.fsPath, {
      LICENSE: LICENSE_TEXTS['MIT'],
      '.gitignore': 'dist/\n*.log\n',
      'src/a.ts': 'export {};\n',
      'src/big.ts': 'x'.repeat(3 * 1024),
      'src/blob.dat2': Buffer.from([1, 2, 0, 3]),
      'dist/out.js': 'x',
      'run.log': 'x',
    });
    await put(gpl.fsPath, { COPYING: LICENSE_TEXTS['GPL-3.0'], 'x.ts': 'x' });
    const policy: TeamPolicy = { version: 't', allowedLicenses: ['MIT'], excludeGitignored: true, maxFileSizeKB: 2 };
    const gate = await PolicyGate.prepare(policy, [app, gpl]);
    assert.deepEqual(
      gate.eligibility.map((e) => [e.folder, e.eligible, e.license]),
      [
        ['app', true, 'MIT'],
        ['gpl', false, 'GPL-3.0'],
      ],
    );
    assert.ok(gate.anyEligible && gate.isEligible(app) && !gate.isEligible(gpl));
    const at = (rel: string): string => join(app.fsPath, rel);
    assert.equal(gate.check(app, 'src/a.ts', at('src/a.ts')), 'ok');
    assert.equal(gate.check(gpl, 'x.ts', join(gpl.fsPath, 'x.ts')), 'ineligible');
    assert.equal(gate.check({ name: 'other', fsPath: join(root, 'other') }, 'x.ts'), 'ineligible', 'an unknown folder is not vouched for');
    assert.equal(gate.check(app, 'img/logo.png'), 'binary');
    assert.equal(gate.check(app, 'dist/out.js', at('dist/out.js')), 'gitignored');
    assert.equal(gate.check(app, 'run.log', at('run.log')), 'gitignored');
    assert.equal(gate.check(app, 'dist', at('dist')), 'gitignored', 'a directory, known as one from disk');
    assert.equal(gate.check(app, 'src/big.ts', at('src/big.ts')), 'too-large');
    assert.equal(gate.check(app, 'src/blob.dat2', at('src/blob.dat2')), 'binary');
    assert.equal(gate.check(app, 'src/new.ts', at('src/new.ts')), 'ok', 'not on disk yet: decided by its text at first touch');
    assert.equal(gate.checkContent('const x = 1;\n'), 'ok');
    assert.equal(gate.checkContent('a\0b'), 'binary');
    assert.equal(gate.checkContent('x'.repeat(2049)), 'too-large');
    // A .gitignore written later is seen after invalidation.
    await writeFile(join(app.fsPath, 'src', '.gitignore'), 'a.ts\n');
    gate.invalidateGitignores();
    assert.equal(gate.check(app, 'src/a.ts', at('src/a.ts')), 'gitignored');
  });

  it('without excludeGitignored and allow-list, reads no .gitignore and no licence', async () => {
    const app = { name: 'app', fsPath: join(root, 'app') };
    await put(app.fsPath, { '.gitignore': '*\n', 'a.ts': 'x' });
    const gate = await PolicyGate.prepare({ version: 'u' }, [app]);
    assert.equal(gate.check(app, 'a.ts', join(app.fsPath, 'a.ts')), 'ok');
    assert.equal(gate.eligibility[0].eligible, true);
  });

  it('preparePolicy: merges the team file, refuses a broken one, reports ineligible folders', async () => {
    const app = { name: 'app', fsPath: join(root, 'app') };
    await put(app.fsPath, { LICENSE: LICENSE_TEXTS['Apache-2.0'] });
    const user: TeamPolicy = { version: 'user-settings', exclude: ['.env*'], maxFileSizeKB: 512, excludeGitignored: true };
    await put(root, {
      'team.json': JSON.stringify({ version: 'team-3', maxFileSizeKB: 64, allowedLicenses: ['MIT'], categories: ['edits'] }),
      'bad.json': JSON.stringify({ version: 'team-4', exclude: '*.sql', colour: 'red' }),
    });
    const p = await preparePolicy({ user, teamPolicyFile: join(root, 'team.json'), folders: [app] });
    assert.ok(p.ok);
    assert.equal(p.policy.version, 'team-3');
    assert.equal(p.policy.maxFileSizeKB, 64);
    assert.equal(p.recordable, false);
    assert.match(p.ineligibleMessage!, /will not record in this workspace.*'app': its licence is Apache-2\.0 \(from LICENSE\); the policy allows only MIT/);

    const bad = await preparePolicy({ user, teamPolicyFile: join(root, 'bad.json'), folders: [app] });
    assert.ok(!bad.ok);
    assert.match(bad.message, /unknown key 'colour'/);
    assert.match(bad.message, /'exclude' must be a list of strings/);
    const missing = await preparePolicy({ user, teamPolicyFile: join(root, 'nope.json'), folders: [app] });
    assert.ok(!missing.ok && /does not exist/.test(missing.message));
    const relative = await preparePolicy({ user, teamPolicyFile: 'team.json', folders: [app] });
    assert.ok(!relative.ok && /must be absolute/.test(relative.message));
    const none = await preparePolicy({ user, teamPolicyFile: undefined, folders: [app] });
    assert.ok(none.ok && none.recordable && none.policy === user);
  });
});

describe('policy at bundle time (applyPolicyToEvents)', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ path: root, cleanup } = await tempDir());
  });
  afterEach(() => cleanup());

  function logged(events: CandorEvent[]): LoggedEvent[] {
    return events.map((event, i) => ({ seq: i + 1, event }));
  }

  it('leaves out every event of a file the policy refuses now, and keeps the rest replayable', async () => {
    const app = { name: 'app', fsPath: join(root, 'app') };
    await put(app.fsPath, { '.gitignore': 'ignored.txt\n' });
    const text = 'hello\n';
    const events = logged([
      { t: 'session', ts: 1, op: 'start', sid: 's', cats: ['edits', 'files'] },
      { t: 'snap', ts: 2, f: 'src/a.ts', v: 1, text },
      { t: 'edit', ts: 3, f: 'src/a.ts', v: 2, c: [[0, 0, 'x']] },
      { t: 'ckpt', ts: 4, f: 'src/a.ts', v: 2, h: sha256Hex(`x${text}`), why: 'save' },
      { t: 'file', ts: 5, op: 'open', f: 'ignored.txt' },
      { t: 'snap', ts: 6, f: 'ignored.txt', v: 1, text: 'SECRET-IN-IGNORED' },
      { t: 'snap', ts: 7, f: 'gen/out.sql', v: 1, text: 'select 1;' },
      { t: 'snap', ts: 8, f: 'weird.bin2', v: 1, text: 'a\0b' },
      { t: 'snap', ts: 9, f: 'huge.txt', v: 1, text: 'y'.repeat(2048 + 1) },
      { t: 'focus', ts: 10, f: 'huge.txt' },
      // A file renamed from an excluded name to an allowed one: its edits wait for a snapshot.
      { t: 'snap', ts: 11, f: 'draft.sql', v: 1, text: 'q' },
      { t: 'file', ts: 12, op: 'rename', f: 'draft.sql', to: 'final.ts' },
      { t: 'edit', ts: 13, f: 'final.ts', v: 2, c: [[1, 0, 'r']] },
      { t: 'snap', ts: 14, f: 'final.ts', v: 3, text: 'qrs' },
      { t: 'edit', ts: 15, f: 'final.ts', v: 4, c: [[3, 0, 't']] },
      { t: 'ckpt', ts: 16, f: 'final.ts', v: 4, h: sha256Hex('qrst'), why: 'every' },
      { t: 'session', ts: 17, op: 'pause', sid: 's' },
    ]);
    const policy: TeamPolicy = { version: 't', exclude: ['*.sql'], excludeGitignored: true, maxFileSizeKB: 2 };
    const r = await applyPolicyToEvents(events, policy, { folders: [app] });
    assert.deepEqual(
      r.kept.map((e) => e.seq),
      [1, 2, 3, 4, 14, 15, 16, 17],
    );
    assert.equal(r.removed, events.length - 8);
    assert.deepEqual(r.files, { excluded: 2, gitignored: 1, binary: 1, 'too-large': 1, ineligible: 0 });
    const replay = replayEvents(r.kept);
    assert.deepEqual(replay.issues, []);
    assert.equal(replay.documents.find((d) => d.f === 'final.ts')?.text, 'qrst');
    const serialized = JSON.stringify(r.kept);
    for (const gone of ['SECRET-IN-IGNORED', 'ignored.txt', 'huge.txt', 'weird.bin2', 'draft.sql']) {
      assert.ok(!serialized.includes(gone), `${gone} is gone`);
    }
  });

  it('an ineligible single folder keeps only session markers and Candor commands', async () => {
    const app = { name: 'app', fsPath: join(root, 'app') };
    await put(app.fsPath, { LICENSE: LICENSE_TEXTS['GPL-2.0'] });
    const events = logged([
      { t: 'session', ts: 1, op: 'start', sid: 's' },
      { t: 'snap', ts: 2, f: 'a.ts', v: 1, text: 'x' },
      { t: 'term', ts: 3, cmd: 'ls', dur: 1 },
      { t: 'cmd', ts: 4, id: 'candor.pauseRecording' },
    ]);
    const r = await applyPolicyToEvents(events, { version: 't', allowedLicenses: ['MIT'] }, { folders: [app] });
    assert.deepEqual(r.kept.map((e) => e.event.t), ['session', 'cmd']);
    assert.equal(r.eligibility[0].eligible, false);
  });

  it('in a multi-root workspace, drops the ineligible folder’s files, terminal commands and git events', async () => {
    const web = { name: 'web', fsPath: join(root, 'web') };
    const srv = { name: 'srv', fsPath: join(root, 'srv') };
    await put(web.fsPath, { LICENSE: LICENSE_TEXTS['MIT'] });
    await put(srv.fsPath, { 'package.json': '{"license":"UNLICENSED"}' });
    const events = logged([
      { t: 'snap', ts: 1, f: 'web/a.ts', v: 1, text: 'a' },
      { t: 'snap', ts: 2, f: 'srv/b.ts', v: 1, text: 'b' },
      { t: 'term', ts: 3, cmd: 'make', cwd: 'srv/sub', dur: 1 },
      { t: 'term', ts: 4, cmd: 'npm test', cwd: 'web', dur: 1 },
      { t: 'git', ts: 5, op: 'commit', repo: 'srv', commit: 'abc' },
      { t: 'git', ts: 6, op: 'commit', repo: 'web', commit: 'def' },
      { t: 'snap', ts: 7, f: 'elsewhere/c.ts', v: 1, text: 'c' },
    ]);
    const r = await applyPolicyToEvents(events, { version: 't', allowedLicenses: ['MIT'] }, { folders: [web, srv] });
    assert.deepEqual(r.kept.map((e) => e.seq), [1, 4, 6]);
    assert.equal(r.files.ineligible, 2);
  });

  it('without workspace folders, applies what needs none', async () => {
    const events = logged([
      { t: 'snap', ts: 1, f: 'a.ts', v: 1, text: 'a' },
      { t: 'snap', ts: 2, f: 'b.png', v: 1, text: 'b' },
      { t: 'snap', ts: 3, f: 'c.txt', v: 1, text: '\0' },
      { t: 'snap', ts: 4, f: '.env', v: 1, text: 'K=V' },
    ]);
    const r = await applyPolicyToEvents(events, { version: 't', exclude: ['.env*'], allowedLicenses: ['MIT'], excludeGitignored: true }, { folders: [] });
    assert.deepEqual(r.kept.map((e) => e.seq), [1]);
  });
});
