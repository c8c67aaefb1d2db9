import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from '../../../src/cli/command';
import { runCli } from './runCli';
import type { RunResult } from './runCli';
import type { MainOptions } from '../../../src/cli/main';
import type { LogSource } from '../../../src/cli/logSource';
import type { CandorEvent } from '../../../src/model/events';
import { sha256Hex } from '../../../src/replay/hash';
import { frame, sampleSession, segmentName, tempDir, writeSegments } from './logFiles';

describe('candor CLI', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  let logDir: string;
  const session = sampleSession();

  function run(argv: string[], options?: MainOptions): Promise<RunResult> {
    return runCli(argv, { cwd: root, ...options });
  }

  async function newLog(name: string, segments: readonly (readonly CandorEvent[])[], firstSeq = 1): Promise<string> {
    const dir = join(root, name);
    await mkdir(dir);
    await writeSegments(dir, segments, firstSeq);
    return dir;
  }

  beforeEach(async () => {
    ({ path: root, cleanup } = await tempDir());
    logDir = await newLog('log dir ü', [session.events.slice(0, 7), session.events.slice(7)]);
  });

  afterEach(async () => {
    await cleanup();
  });

  describe('help, version and usage errors', () => {
    it('prints help on --help and -h, listing every command', async () => {
      for (const flag of ['--help', '-h']) {
        const r = await run([flag]);
        assert.equal(r.code, 0);
        assert.equal(r.stderr, '');
        for (const cmd of ['log stats <dir>', 'log verify <dir>', 'replay <dir>', '--version', 'Exit codes']) {
          assert.ok(r.stdout.includes(cmd), `help mentions ${cmd}`);
        }
      }
    });

    it('prints usage to stderr and exits 2 without arguments', async () => {
      const r = await run([]);
      assert.equal(r.code, 2);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /Usage: candor <command>/);
    });

    it('prints the version from package.json', async () => {
      const pkg = JSON.parse(await readFile(resolve(__dirname, '../../../../package.json'), 'utf8')) as { version: string };
      for (const flag of ['--version', '-V']) {
        const r = await run([flag]);
        assert.deepEqual(r, { code: 0, stdout: `${pkg.version}\n`, stderr: '' });
      }
      assert.equal((await run(['--version'], { version: '9.9.9' })).stdout, '9.9.9\n');
    });

    it('prints per-command help', async () => {
      const r = await run(['log', 'stats', '--help']);
      assert.equal(r.code, 0);
      assert.match(r.stdout, /^Usage: candor log stats <dir> \[--json\]\n/);
      const replay = await run(['replay', '-h']);
      assert.match(replay.stdout, /^Usage: candor replay <dir> --file <path> \[--seq <N>\]\n/);
      assert.match(replay.stdout, /no newline added/);
    });

    it('lists a group’s commands for `candor log --help`, and errors on `candor log`', async () => {
      const help = await run(['log', '--help']);
      assert.equal(help.code, 0);
      assert.match(help.stdout, /log stats <dir>[\s\S]*log verify <dir>/);
      const bare = await run(['log']);
      assert.equal(bare.code, 2);
      assert.match(bare.stderr, /'candor log' needs a subcommand/);
      const wrong = await run(['log', 'nope', logDir]);
      assert.equal(wrong.code, 2);
      assert.match(wrong.stderr, /unknown command 'candor log nope'/);
    });

    it('rejects unknown commands, options and arguments with exit 2', async () => {
      const cases: [string[], RegExp][] = [
        [['nope'], /unknown command 'nope'\nRun 'candor --help' for usage/],
        [['--nope'], /unknown option '--nope'/],
        [['log', 'stats', logDir, '--bogus'], /Unknown option '--bogus'\nRun 'candor log stats --help' for usage/],
        [['log', 'stats'], /missing <dir>: candor log stats <dir>/],
        [['log', 'stats', logDir, 'extra'], /unexpected argument 'extra'/],
        [['log', 'verify', logDir, '--json=yes'], /--json/],
        [['replay', logDir], /missing required option --file/],
        [['replay', logDir, '--file'], /--file/],
        [['replay', logDir, '--file', ''], /--file must not be empty/],
      ];
      for (const [argv, message] of cases) {
        const r = await run(argv);
        assert.equal(r.code, 2, argv.join(' '));
        assert.equal(r.stdout, '');
        assert.match(r.stderr, message);
      }
    });

    it('rejects a bad --seq with exit 2', async () => {
      for (const seq of ['abc', '0', '-1', '1.5', '1e3', '99999999999999999999']) {
        const r = await run(['replay', logDir, '--file', 'src/a.ts', `--seq=${seq}`]);
        assert.equal(r.code, 2, seq);
        assert.match(r.stderr, /bad --seq/);
      }
    });

    it('rejects a missing directory, a file, and a directory that is not a log, with exit 2', async () => {
      await writeFile(join(root, 'plain.txt'), 'x');
      await mkdir(join(root, 'empty'));
      const cases: [string, RegExp][] = [
        ['missing', /no such directory: .*missing/],
        ['plain.txt', /not a directory: .*plain\.txt/],
        ['empty', /not a Candor log directory/],
      ];
      for (const command of [['log', 'stats'], ['log', 'verify'], ['replay']]) {
        for (const [dir, message] of cases) {
          const argv = [...command, dir, ...(command[0] === 'replay' ? ['--file', 'a'] : [])];
          const r = await run(argv);
          assert.equal(r.code, 2, argv.join(' '));
          assert.match(r.stderr, message);
        }
      }
    });

    it('reports unexpected failures with exit 1', async () => {
      const broken: LogSource = {
        read: () => ({ [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(new Error('disk on fire')) }) }),
        verify: () => Promise.reject(new Error('disk on fire')),
        stats: () => Promise.reject(new Error('disk on fire')),
      };
      const r = await run(['log', 'verify', logDir], { source: broken });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /^candor: error: Error: disk on fire/);
    });

    it('dispatches from a table that new commands extend', async () => {
      const seen: string[] = [];
      const bundleBuild: Command = {
        name: 'bundle build',
        args: ['dir'],
        summary: 'Build a bundle.',
        options: { out: { type: 'string', value: '<file>', description: 'Output file' } },
        run: (_ctx, input) => {
          seen.push(`${input.args['dir']} ${String(input.options['out'])}`);
          return Promise.resolve(0);
        },
      };
      const r = await run(['bundle', 'build', 'x', '--out', 'y.bundle'], { commands: [bundleBuild] });
      assert.equal(r.code, 0);
      assert.deepEqual(seen, ['x y.bundle']);
      assert.match((await run(['bundle'], { commands: [bundleBuild] })).stderr, /bundle build <dir>/);
    });
  });

  describe('log stats', () => {
    it('prints counts per type, segments, bytes, seq and time range', async () => {
      const r = await run(['log', 'stats', 'log dir ü']); // relative to cwd
      assert.equal(r.code, 0);
      assert.equal(r.stderr, '');
      assert.match(r.stdout, /^log {7}.*log dir ü$/m);
      assert.match(r.stdout, /^segments {2}2 \(\d+(\.\d)? (B|KiB)\)$/m);
      assert.match(r.stdout, /^records {3}14$/m);
      assert.match(r.stdout, /^damaged {3}0$/m);
      assert.match(r.stdout, /^seq {7}1 – 14$/m);
      assert.match(r.stdout, /^time {6}2025-11-30T09:00:00\.000Z – 2025-11-30T10:00:00\.120Z \(1h 0m\)$/m);
      assert.match(r.stdout, /^ {2}edit {5}5$/m);
    });

    it('prints JSON with --json', async () => {
      const r = await run(['log', 'stats', logDir, '--json']);
      assert.equal(r.code, 0);
      const report = JSON.parse(r.stdout) as Record<string, unknown>;
      assert.equal(report['records'], 14);
      assert.equal(report['damaged'], 0);
      assert.deepEqual(report['seq'], { first: 1, last: 14 });
      assert.deepEqual(report['gaps'], []);
      assert.deepEqual(report['byType'], { edit: 5, ckpt: 2, session: 2, snap: 2, file: 1, sel: 1, term: 1 });
      assert.deepEqual(report['time'], { first: '2025-11-30T09:00:00.000Z', last: '2025-11-30T10:00:00.120Z', ms: 3_600_120 });
      const segments = report['segments'] as { name: string; bytes: number; records: number }[];
      assert.deepEqual(segments.map((s) => [s.name, s.records]), [[segmentName(1), 7], [segmentName(2), 7]]);
      assert.equal(report['bytes'], segments[0].bytes + segments[1].bytes);
    });

    it('counts damaged records and still reads the rest', async () => {
      await appendFile(join(logDir, segmentName(2)), '15\tdeadbeef\t{"t":"cmd","ts":1,"id":"x"}\n' + frame(16, { t: 'cmd', ts: 2, id: 'y' }));
      const r = await run(['log', 'stats', logDir, '--json']);
      const report = JSON.parse(r.stdout) as { records: number; damaged: number; gaps: unknown[]; byType: Record<string, number> };
      assert.equal(report.records, 15);
      assert.equal(report.damaged, 1);
      assert.deepEqual(report.gaps, [{ from: 15, to: 15 }]);
      assert.equal(report.byType['cmd'], 1);
    });

    it('handles a log with no segments yet', async () => {
      const dir = join(root, 'fresh');
      await mkdir(dir);
      await writeFile(join(dir, 'candor.lock'), '{}');
      const r = await run(['log', 'stats', dir, '--json']);
      assert.equal(r.code, 0);
      const report = JSON.parse(r.stdout) as Record<string, unknown>;
      assert.equal(report['records'], 0);
      assert.equal(report['seq'], null);
      assert.equal(report['time'], null);
    });
  });

  describe('log verify', () => {
    it('exits 0 on a clean log', async () => {
      const r = await run(['log', 'verify', logDir]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /2 segment\(s\), 14 intact record\(s\)/);
      assert.match(r.stdout, /2\/2 checkpoint\(s\) matched/);
      assert.match(r.stdout, /^OK: /m);
    });

    it('names damaged records by segment, offset, reason and seq, and exits 1', async () => {
      const seg = join(logDir, segmentName(1));
      const bytes = await readFile(seg);
      const lines = bytes.toString('utf8').split('\n');
      const offset = Buffer.byteLength(lines.slice(0, 2).join('\n') + '\n');
      // Flip one character inside the third record's JSON (seq 3): its CRC no longer matches.
      lines[2] = lines[2].replace('covered', 'cOvered');
      // And tear the last record of segment 2.
      await writeFile(seg, lines.join('\n'));
      const seg2 = join(logDir, segmentName(2));
      const tail = await readFile(seg2);
      await writeFile(seg2, tail.subarray(0, tail.length - 5));
      const r = await run(['log', 'verify', logDir]);
      assert.equal(r.code, 1);
      assert.match(r.stdout, new RegExp(`${segmentName(1)} at byte ${offset}, \\d+ byte\\(s\\): checksum \\(claims seq 3\\)`));
      assert.match(r.stdout, new RegExp(`${segmentName(2)} at byte \\d+, \\d+ byte\\(s\\): torn-tail \\(claims seq 14\\)`));
      assert.match(r.stdout, /Missing sequence numbers: 1 gap\(s\)\n {2}seq 3\n/);
      assert.match(r.stdout, /^FAILED: 2 damaged record\(s\), 1 gap\(s\)\.$/m);
    });

    it('names a checkpoint mismatch by seq, file and last edit, and exits 1', async () => {
      const events = session.events.map((e, k) => (k === 11 && e.t === 'ckpt' ? { ...e, h: sha256Hex('something else') } : e));
      const dir = await newLog('bad ckpt', [events]);
      const r = await run(['log', 'verify', dir]);
      assert.equal(r.code, 1);
      assert.match(r.stdout, /\[checkpoint-mismatch\] seq 12: checkpoint mismatch for docs\/readme\.md v6; last edit applied: seq 11;/);
      assert.match(r.stdout, /^FAILED: 1 replay issue\(s\)\.$/m);
    });

    it('prints JSON with --json', async () => {
      const dir = await newLog('orphan', [[{ t: 'edit', ts: 1, f: 'x.ts', v: 2, c: [[0, 0, 'a']] }]]);
      const r = await run(['log', 'verify', dir, '--json']);
      assert.equal(r.code, 1);
      const report = JSON.parse(r.stdout) as { ok: boolean; replay: { issues: { kind: string; seq: number; f: string }[] } };
      assert.equal(report.ok, false);
      assert.deepEqual(report.replay.issues.map((i) => [i.kind, i.seq, i.f]), [['edit-before-snapshot', 1, 'x.ts']]);
    });

    it('accepts a log whose first seq is not 1 (older segments removed by retention)', async () => {
      const dir = await newLog('retained', [session.events], 500);
      const r = await run(['log', 'verify', dir]);
      assert.equal(r.code, 0, r.stdout);
    });
  });

  describe('replay', () => {
    it('prints the exact text at the end, without a trailing newline', async () => {
      const r = await run(['replay', logDir, '--file', 'src/a.ts']);
      assert.deepEqual(r, { code: 0, stdout: session.textAt.get(6), stderr: '' });
      const renamed = await run(['replay', logDir, '--file', 'docs/readme.md']);
      assert.equal(renamed.stdout, '# Title\nbody');
    });

    it('prints the text as of --seq', async () => {
      for (const [seq, text] of session.textAt) {
        if (seq <= 6) {
          const r = await run(['replay', logDir, '--file', 'src/a.ts', '--seq', String(seq)]);
          assert.deepEqual(r, { code: 0, stdout: text, stderr: '' });
        }
      }
      const before = await run(['replay', logDir, '--file', 'docs/b.md', '--seq', '9']);
      assert.equal(before.stdout, '# Title\n');
      const snapOnly = await run(['replay', logDir, '--file', 'src/a.ts', '--seq=3']);
      assert.equal(snapOnly.stdout, 'line one\r\nline 😀 two\r\n');
      const past = await run(['replay', logDir, '--file', 'src/a.ts', '--seq', '1000']);
      assert.equal(past.stdout, session.textAt.get(6));
    });

    it('explains why a document has no text, with exit 1', async () => {
      const cases: [string[], RegExp][] = [
        [['--file', 'nope.ts'], /nope\.ts has no text at the end of the log: it never appears in the log/],
        [['--file', 'docs/b.md'], /docs\/b\.md has no text at the end of the log: it was deleted or renamed at seq 10/],
        [['--file', 'docs/readme.md', '--seq', '9'], /docs\/readme\.md has no text as of seq 9: it first appears at seq 10/],
        [['--file', 'src/a.ts', '--seq', '1'], /src\/a\.ts has no text as of seq 1: it first appears at seq 2/],
      ];
      for (const [extra, message] of cases) {
        const r = await run(['replay', logDir, ...extra]);
        assert.equal(r.code, 1, extra.join(' '));
        assert.equal(r.stdout, '');
        assert.match(r.stderr, message);
      }
    });

    it('warns on stderr about replay issues touching the document', async () => {
      const events: CandorEvent[] = [
        { t: 'snap', ts: 1, f: 'a.ts', v: 1, text: 'abc' },
        { t: 'edit', ts: 2, f: 'a.ts', v: 2, c: [[10, 0, 'x']] },
        { t: 'snap', ts: 3, f: 'b.ts', v: 1, text: '' },
        { t: 'edit', ts: 4, f: 'b.ts', v: 2, c: [[10, 0, 'x']] },
      ];
      const dir = await newLog('issues', [events]);
      const r = await run(['replay', dir, '--file', 'a.ts']);
      assert.equal(r.code, 0);
      assert.equal(r.stdout, 'abc');
      assert.match(r.stderr, /^candor: warning: seq 2: edit of a\.ts v2 change #0 \[10, 0\] is outside the document/);
      assert.ok(!r.stderr.includes('b.ts'));
    });
  });

  describe('the bundled entry point', () => {
    it('runs as a process: exit codes and exact stdout bytes', () => {
      const entry = resolve(__dirname, '../../../src/cli/candor.js');
      const ok = spawnSync(process.execPath, [entry, 'replay', logDir, '--file', 'src/a.ts'], { encoding: 'utf8' });
      assert.equal(ok.status, 0, ok.stderr);
      assert.equal(ok.stdout, session.textAt.get(6));
      const usage = spawnSync(process.execPath, [entry, 'frobnicate'], { encoding: 'utf8' });
      assert.equal(usage.status, 2);
      assert.match(usage.stderr, /unknown command 'frobnicate'/);
    });
  });
});
