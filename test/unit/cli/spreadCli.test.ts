import * as assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createDefaultRedactor } from '../../../src/bundle/redactorAdapter';
import { createRedactCommand, frameSegments } from '../../../src/cli/redactCommand';
import { COMMANDS } from '../../../src/cli/main';
import type { CandorEvent, LoggedEvent } from '../../../src/model/events';
import type { RedactionReport } from '../../../src/privacy/redact/report';
import { ALNUM, synth } from '../../../src/privacy/rules/synthetic';
import { runCli } from './runCli';
import { tempDir } from '../privacy/policy/helpers';

/**
 * Issue 8 item 2 through the two entry points that reported `values: 1, occurrences: 1` and left
 * the second occurrence in clear: `candor redact` on a log, and the bundle build's redactor.
 */

const V = `${synth(ALNUM, 8, 8301)}42${synth(ALNUM, 6, 8302)}`;
const TEXT = `const cfg = { password: "${V}" };\nlet b = 2;\nlogin(user, "${V}");\n`;

function session(): LoggedEvent[] {
  const events: CandorEvent[] = [
    { t: 'term', ts: 1, cmd: `./deploy --auth ${V}`, dur: 5, exit: 0 },
    { t: 'snap', ts: 2, f: 'src/app.ts', v: 1, text: TEXT },
  ];
  return events.map((event, k) => ({ seq: k + 1, event }));
}

describe('spreading through the CLI and the bundle redactor', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ path: root, cleanup } = await tempDir('candor-spread-'));
  });
  afterEach(() => cleanup());

  it('`candor redact` on a log: every occurrence, and the report counts them all', async () => {
    const input = join(root, 'in');
    await mkdir(input);
    for (const [file, content] of frameSegments(session())) {
      await writeFile(join(input, file), content);
    }
    const commands = COMMANDS.map((c) => (c.name === 'redact' ? createRedactCommand({ identity: () => Promise.resolve({ username: 'zq', homedir: '/home/zq', hostname: 'h', gitName: '', gitEmail: '' }) }) : c));
    const r = await runCli(['redact', 'in', 'out', '--report', 'report.json'], { cwd: root, commands });
    assert.equal(r.stderr, '');
    assert.equal(r.code, 0);
    const out = join(root, 'out');
    const raw = (await Promise.all((await readdir(out)).map((n) => readFile(join(out, n), 'utf8')))).join('');
    assert.ok(!raw.includes(V), 'the value survived in the redacted log');
    assert.equal((raw.match(/«secret:generic-password#1»/g) ?? []).length, 3);
    const report = JSON.parse(await readFile(join(root, 'report.json'), 'utf8')) as RedactionReport;
    // The command, and the snapshot twice.
    assert.deepEqual(report.findings, [{ rule: 'generic-password', kind: 'secret', values: 1, occurrences: 3 }]);
  });

  it('`candor redact` on a plain text file', async () => {
    await writeFile(join(root, 'a.ts'), TEXT);
    const r = await runCli(['redact', 'a.ts', 'b.ts', '--no-identity'], { cwd: root, commands: COMMANDS });
    assert.equal(r.code, 0, r.stderr);
    const out = await readFile(join(root, 'b.ts'), 'utf8');
    assert.equal(out, `const cfg = { password: "«secret:generic-password#1»" };\nlet b = 2;\nlogin(user, "«secret:generic-password#1»");\n`);
  });

  it('the bundle build’s redactor (and so the preview)', async () => {
    const { events, report } = await createDefaultRedactor().redact(session(), { manual: [] });
    assert.ok(!JSON.stringify(events).includes(V));
    assert.deepEqual(report.findings, [{ rule: 'generic-password', kind: 'secret', values: 1, occurrences: 3 }]);
  });
});
