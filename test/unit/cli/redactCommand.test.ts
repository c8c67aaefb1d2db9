import * as assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createRedactCommand, frameSegments } from '../../../src/cli/redactCommand';
import { COMMANDS } from '../../../src/cli/main';
import { runCli } from './runCli';
import type { RunResult } from './runCli';
import type { CandorEvent, LoggedEvent } from '../../../src/model/events';
import type { MachineIdentity } from '../../../src/privacy/identity';
import type { RedactionReport } from '../../../src/privacy/redact/report';
import { sha256Hex } from '../../../src/replay/hash';
import { replayEvents } from '../../../src/replay/replay';
import { readLog } from '../../../src/store/reader';
import { tempDir } from '../privacy/policy/helpers';

const IDENTITY: MachineIdentity = {
  username: 'zorbatester',
  homedir: '/home/zorbatester',
  hostname: 'zorba-box.example',
  gitName: 'Zorba Tester',
  gitEmail: 'zorba@example.org',
};
/** Upper-case letters that are not hex digits: no run of it can turn up in a hash or an id by chance. */
const SECRET_BODY = 'GHKLMNPQRSTUVWXYZGHKLMNPQRSTUVWXYZGH';
const SECRET = `ghp_${SECRET_BODY}`;

/** A document typed one key at a time: the secret is whole in no single event. */
function typedSession(): CandorEvent[] {
  const events: CandorEvent[] = [{ t: 'session', ts: 1, op: 'start', sid: 's1', cats: ['edits', 'terminalCommands'] }];
  let text = '// config\n';
  let v = 1;
  events.push({ t: 'snap', ts: 2, f: 'src/config.ts', v, text });
  for (const ch of `const token = "${SECRET}"; // by zorbatester\n`) {
    events.push({ t: 'edit', ts: 3 + v, f: 'src/config.ts', v: ++v, c: [[text.length, 0, ch]] });
    text += ch;
  }
  events.push({ t: 'ckpt', ts: 100, f: 'src/config.ts', v, h: sha256Hex(text), why: 'save' });
  events.push({ t: 'term', ts: 101, cmd: 'cat /home/zorbatester/.npmrc', dur: 5, exit: 0 });
  events.push({ t: 'session', ts: 102, op: 'pause', sid: 's1' });
  return events;
}

function runsOf(secret: string, n = 4): string[] {
  const out: string[] = [];
  for (let i = 0; i + n <= secret.length; i++) {
    out.push(secret.slice(i, i + n));
  }
  return out;
}

describe('candor redact', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  const commands = COMMANDS.map((c) => (c.name === 'redact' ? createRedactCommand({ identity: () => Promise.resolve(IDENTITY) }) : c));

  function run(argv: string[]): Promise<RunResult> {
    return runCli(argv, { cwd: root, commands });
  }

  async function writeLog(name: string, events: CandorEvent[]): Promise<string> {
    const dir = join(root, name);
    await mkdir(dir);
    const logged: LoggedEvent[] = events.map((event, k) => ({ seq: k + 1, event }));
    for (const [file, content] of frameSegments(logged, 2048)) {
      await writeFile(join(dir, file), content);
    }
    return dir;
  }

  async function readEvents(dir: string): Promise<LoggedEvent[]> {
    const out: LoggedEvent[] = [];
    for await (const { seq, record } of readLog<CandorEvent>(dir)) {
      out.push({ seq, event: record });
    }
    return out;
  }

  async function rawText(dir: string): Promise<string> {
    const names = await readdir(dir);
    return (await Promise.all(names.map((n) => readFile(join(dir, n), 'utf8')))).join('\n');
  }

  beforeEach(async () => {
    ({ path: root, cleanup } = await tempDir('candor-redact-'));
  });
  afterEach(() => cleanup());

  it('is in the command table and its help', async () => {
    assert.ok(COMMANDS.some((c) => c.name === 'redact'));
    const help = await run(['redact', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Usage: candor redact <in> <out> \[--report <file>\]/);
  });

  it('redacts a log directory: a secret typed key by key, identity, paths; same format, still replays', async () => {
    const input = await writeLog('in log', typedSession());
    const before = await readEvents(input);
    assert.ok(!(await rawText(input)).includes('GHKL'), 'the input holds the secret only in pieces, one key per event');
    assert.ok(replayEvents(before).documents[0].text.includes(SECRET), 'and whole in the replayed text');
    const r = await run(['redact', 'in log', 'out log', '--report', 'report.json']);
    assert.equal(r.stderr, '');
    assert.equal(r.code, 0);
    assert.match(r.stdout, /events, \d+ changed: \d+ values redacted \(.*github-pat 1/);

    const out = join(root, 'out log');
    const raw = await rawText(out);
    for (const piece of runsOf(SECRET_BODY)) {
      assert.ok(!raw.includes(piece), `no run of the secret survives: ${piece}`);
    }
    assert.ok(!/zorbatester/i.test(raw), 'the username is gone (in paths and as a word)');
    const after = await readEvents(out);
    assert.deepEqual(after.map((e) => e.seq), before.map((e) => e.seq), 'same seqs, nothing dropped');
    assert.deepEqual(await readdir(out), ['seg-000001.log'], 'segments named as the store names them (4 MiB each)');
    const replay = replayEvents(after);
    assert.deepEqual(replay.issues, [], 'the redacted log replays, checkpoints re-hashed');
    const doc = replay.documents.find((d) => d.f === 'src/config.ts')!;
    assert.match(doc.text, /const token = "«secret:github-pat#1»";/);
    const term = after.find((e) => e.event.t === 'term')!.event as { cmd: string };
    assert.match(term.cmd, /^cat \/home\/«identity:[^»]+»\/\.npmrc$/);

    const report = JSON.parse(await readFile(join(root, 'report.json'), 'utf8')) as RedactionReport;
    assert.ok(report.findings.some((f) => f.rule === 'github-pat' && f.values === 1));
    assert.ok(report.findings.some((f) => f.kind === 'identity'));
    assert.ok(!JSON.stringify(report).includes('GHKL') && !JSON.stringify(report).includes('zorbatester'), 'the report holds no value');
  });

  it('redacts a plain text file', async () => {
    await writeFile(join(root, 'notes.txt'), `export GITHUB_TOKEN=${SECRET}\nlogs in /home/zorbatester/app; mail zorba@example.org\n`);
    const r = await run(['redact', 'notes.txt', 'notes.redacted.txt', '--report', 'r.json']);
    assert.equal(r.code, 0, r.stderr);
    const text = await readFile(join(root, 'notes.redacted.txt'), 'utf8');
    assert.equal(text, 'export GITHUB_TOKEN=«secret:github-pat#1»\nlogs in /home/«identity:identity-home#1»/app; mail «identity:identity-git-email#1»\n');
    const report = JSON.parse(await readFile(join(root, 'r.json'), 'utf8')) as RedactionReport;
    assert.deepEqual(report.findings.map((f) => f.rule).sort(), ['github-pat', 'identity-git-email', 'identity-home']);
  });

  it('--no-identity leaves the machine identity alone', async () => {
    await writeFile(join(root, 'a.txt'), `user zorbatester ${SECRET}\n`);
    const r = await run(['redact', 'a.txt', 'b.txt', '--no-identity']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await readFile(join(root, 'b.txt'), 'utf8'), 'user zorbatester «secret:github-pat#1»\n');
  });

  it('an empty output directory may receive a log', async () => {
    await writeLog('in', typedSession());
    await mkdir(join(root, 'empty'));
    assert.equal((await run(['redact', 'in', 'empty'])).code, 0);
    assert.ok((await readdir(join(root, 'empty'))).some((n) => n.startsWith('seg-')));
  });

  it('usage and input errors exit 2 and write nothing', async () => {
    await writeLog('in', typedSession());
    await writeFile(join(root, 'exists.txt'), 'x');
    await writeFile(join(root, 'blob.bin2'), Buffer.from([0x89, 0x50, 0x00, 0x01]));
    await mkdir(join(root, 'not a log'));
    await writeFile(join(root, 'not a log', 'x.txt'), 'x');
    const cases: [string[], RegExp][] = [
      [['redact'], /missing <in>/],
      [['redact', 'in'], /missing <out>/],
      [['redact', 'missing', 'o'], /no such file or directory/],
      [['redact', 'in', 'exists.txt'], /already exists/],
      [['redact', 'in', 'in'], /three different paths/],
      [['redact', 'in', 'o', '--report', 'exists.txt'], /report file already exists/],
      [['redact', 'in', 'o', '--identity', '--no-identity'], /contradict/],
      [['redact', 'blob.bin2', 'o'], /looks binary/],
      [['redact', 'not a log', 'o'], /not a Candor log directory/],
      [['redact', 'in', 'o', '--bogus'], /Unknown option '--bogus'/],
    ];
    for (const [argv, message] of cases) {
      const r = await run(argv);
      assert.equal(r.code, 2, argv.join(' '));
      assert.match(r.stderr, message, argv.join(' '));
    }
    const names = await readdir(root);
    assert.ok(!names.includes('o') && !names.some((n) => n.endsWith('.tmp')), 'no output, no temporary left behind');
  });
});
