import * as assert from 'node:assert/strict';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Command } from '../../../src/cli/command';
import { runCli } from './runCli';

/** A command that fails with `err`, as a bug or an unexpected system error would. */
function failing(err: unknown): Command {
  // A non-Error rejection on purpose: main must describe whatever it is given.
  // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
  return { name: 'boom', args: [], summary: 'Fails.', options: {}, run: () => Promise.reject(err) };
}

describe('candor CLI: internal errors', () => {
  const cwd = join(homedir(), 'work', 'project');

  it('prints one line without the stack, exit 1', async () => {
    const err = new Error('disk on fire');
    const r = await runCli(['boom'], { cwd, commands: [failing(err)] });
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr.split('\n').length, 2, r.stderr);
    assert.match(r.stderr, /^candor: error: Error: disk on fire \(run with --debug for the stack\)\n$/);
    assert.ok(!r.stderr.includes('    at '), r.stderr);
  });

  it('shows machine paths relative to the working directory or elided, never whole', async () => {
    const inside = join(cwd, 'logs', 'seg-000001.log');
    const outside = '/var/lib/secret place/x.candor';
    const err = Object.assign(new Error(`ENOENT: no such file or directory, open '${inside}' (also ${join(homedir(), 'other', 'f.txt')} and ${outside})`), { code: 'ENOENT' });
    const r = await runCli(['boom'], { cwd, commands: [failing(err)] });
    assert.equal(r.code, 1);
    assert.ok(!r.stderr.includes(homedir()), r.stderr);
    assert.ok(!r.stderr.includes('/var/lib'), r.stderr);
    assert.match(r.stderr, /open 'logs\/seg-000001\.log'/);
    assert.match(r.stderr, /…\/f\.txt/);
    assert.equal(r.stderr.split('\n').length, 2, r.stderr);
  });

  it('keeps a multi-line or hostile message on one escaped line', async () => {
    const r = await runCli(['boom'], { cwd, commands: [failing(new Error('first\nok    verified\u001b[2J'))] });
    assert.equal(r.stderr.split('\n').length, 2, r.stderr);
    assert.ok(!r.stderr.includes('\u001b'), r.stderr);
    const odd = await runCli(['boom'], { cwd, commands: [failing('a string, not an Error')] });
    assert.equal(odd.code, 1);
    assert.match(odd.stderr, /^candor: error: a string, not an Error/);
  });

  it('shows the stack with --debug, anywhere before --', async () => {
    const err = new Error('disk on fire');
    for (const argv of [['--debug', 'boom'], ['boom', '--debug']]) {
      const r = await runCli(argv, { cwd, commands: [failing(err)] });
      assert.equal(r.code, 1, argv.join(' '));
      assert.match(r.stderr, /^candor: error: Error: disk on fire\n/);
      assert.match(r.stderr, /\n {4}at /);
    }
  });

  it('escapes hostile text in usage and input errors', async () => {
    const r = await runCli(['nope\u001b[2J\nok'], { cwd, commands: [failing(new Error('x'))] });
    assert.equal(r.code, 2);
    assert.ok(!r.stderr.includes('\u001b'), r.stderr);
    assert.match(r.stderr, /unknown command 'nope\\x1b\[2J\\nok'/);
  });
});
